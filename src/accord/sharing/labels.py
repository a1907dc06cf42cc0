"""Confidentiality labels in the STANAG 4774 model, read and written as its XML syntax and as
JSON with the same element names.

A label carries the policy that governs it (one of the national schemes in `schemes.py`), the
classification in that policy, optional privacy mark, categories (PERMISSIVE such as
"Releasable To", RESTRICTIVE, or INFORMATIVE such as the topic), the originator and the creation
(and optional review) time. `validate` checks a label against its policy: the classification
must be one of the policy's markings and the originator must be known, and a "Releasable To"
category must name nations.

XML is parsed with the standard library after refusing any DOCTYPE (no entities, no external
references). Every problem is a `MalformedLabel` (a BadInput: one line, exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import Any

from accord.errors import BadInput
from accord.sharing.schemes import LEVELS, SCHEMES, scheme_by_policy

NS = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
_Q = "{" + NS + "}"
ROOTS = (
    "originatorConfidentialityLabel",
    "alternativeConfidentialityLabel",
    "ConfidentialityLabel",
)
CATEGORY_TYPES = ("PERMISSIVE", "RESTRICTIVE", "INFORMATIVE")
RELEASABLE_TO = "Releasable To"
TOPIC = "Topic"
ORIGINATOR_ID_TYPE = "ISO3166-1-alpha-3"

ET.register_namespace("slab", NS)


class MalformedLabel(BadInput):
    """A label that cannot be read, or that its policy does not allow."""

    code = "malformed-label"


@dataclass(frozen=True, slots=True)
class Category:
    tag: str  # TagName, e.g. "Releasable To"
    type: str  # PERMISSIVE, RESTRICTIVE or INFORMATIVE
    values: tuple[str, ...]
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Label:
    policy: str  # PolicyIdentifier: the scheme's policy name
    classification: str  # a marking of that policy, e.g. KOR-II
    originator: str  # nation, ISO 3166-1 alpha-3
    created: dt.datetime  # UTC
    categories: tuple[Category, ...] = ()
    privacy_mark: str | None = None
    review: dt.datetime | None = None
    alternative: bool = False  # an alternativeConfidentialityLabel (an equivalent in a policy)

    def category(self, tag: str) -> Category | None:
        return next((c for c in self.categories if c.tag == tag), None)

    @property
    def releasable_to(self) -> tuple[str, ...]:
        found = self.category(RELEASABLE_TO)
        return found.values if found else ()

    @property
    def topic(self) -> str | None:
        found = self.category(TOPIC)
        return found.values[0] if found and found.values else None


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise MalformedLabel(f"time {value.isoformat()} has no time zone; accepted: UTC (…Z)")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _time_text(value: dt.datetime) -> str:
    if value.tzinfo is not dt.UTC or value.microsecond:  # labels hold UTC seconds already
        value = _utc(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value:%H:%M:%S}Z"


def _parse_time(text: str, what: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise MalformedLabel(
            f"malformed {what} {text!r}; accepted: an ISO 8601 UTC time such as "
            "2015-06-01T09:00:00Z"
        ) from None
    return _utc(parsed)


def make_label(
    classification: str,
    originator: str,
    created: dt.datetime,
    releasable_to: tuple[str, ...] = (),
    topic: str | None = None,
    review: dt.datetime | None = None,
) -> Label:
    """A label under the classification's national policy."""
    level = LEVELS[classification]
    categories = []
    if releasable_to:
        categories.append(
            Category(RELEASABLE_TO, "PERMISSIVE", tuple(releasable_to), "urn:accord:category:rel")
        )
    if topic:
        categories.append(Category(TOPIC, "INFORMATIVE", (topic,), "urn:accord:category:topic"))
    return validate(
        Label(
            policy=SCHEMES[level.nation].policy,
            classification=level.code,
            originator=originator,
            created=_utc(created),
            categories=tuple(categories),
            review=None if review is None else _utc(review),
        )
    )


def remark(label: Label, marking: str) -> Label:
    """The receiver's equivalent label (an alternativeConfidentialityLabel): the originator is
    kept, the classification is the receiver's marking under the receiver's policy (GSOMIA
    Art. 4(2): the originator's name and the receiver's corresponding classification)."""
    level = LEVELS[marking]
    return validate(
        replace(
            label,
            policy=SCHEMES[level.nation].policy,
            classification=level.code,
            alternative=True,
        )
    )


def validate(label: Label) -> Label:
    """The label, if its policy allows it; MalformedLabel naming the problem otherwise."""
    from accord.vocabulary import TOPICS, all_nation_codes

    scheme = scheme_by_policy(label.policy)
    if scheme is None:
        accepted = ", ".join(s.policy for s in SCHEMES.values())
        raise MalformedLabel(f"unknown policy {label.policy!r}; accepted: {accepted}")
    level = LEVELS.get(label.classification)
    if level is None or level.nation != scheme.nation:
        accepted = ", ".join(lv.code for lv in scheme.levels)
        raise MalformedLabel(
            f"classification {label.classification!r} is not in policy {scheme.policy!r}; "
            f"accepted: {accepted}"
        )
    nations = all_nation_codes()
    if label.originator not in nations:
        raise MalformedLabel(f"unknown originator {label.originator!r}; accepted: ISO alpha-3")
    if not label.alternative and label.originator != scheme.nation:
        raise MalformedLabel(
            f"an originator label of {label.originator} must use {label.originator}'s policy, "
            f"not {scheme.policy!r}"
        )
    for category in label.categories:
        if category.type not in CATEGORY_TYPES:
            raise MalformedLabel(
                f"category {category.tag!r} has type {category.type!r}; accepted: "
                f"{', '.join(CATEGORY_TYPES)}"
            )
        if not category.tag or not category.values:
            raise MalformedLabel(f"category {category.tag!r} needs a TagName and a value")
        if category.tag == RELEASABLE_TO:
            unknown = [v for v in category.values if v not in nations]
            if unknown:
                raise MalformedLabel(f"Releasable To names unknown nations: {', '.join(unknown)}")
        if category.tag == TOPIC and category.values[0] not in TOPICS:
            raise MalformedLabel(
                f"unknown topic {category.values[0]!r}; accepted: {', '.join(TOPICS)}"
            )
    tags = [c.tag for c in label.categories]
    if len(set(tags)) != len(tags):
        raise MalformedLabel("a category TagName appears twice")
    if label.review is not None and label.review < label.created:
        raise MalformedLabel("ReviewDateTime is before CreationDateTime")
    return label


# --- JSON -----------------------------------------------------------------------------------


def to_dict(label: Label) -> dict[str, Any]:
    """The label as JSON-ready data, with the 4774 element names. Also the canonical form that
    bindings sign (see `binding.py`)."""
    scheme = scheme_by_policy(label.policy)
    info: dict[str, Any] = {
        "PolicyIdentifier": {"name": label.policy, "URI": scheme.policy_uri if scheme else None},
        "Classification": label.classification,
        "PrivacyMark": label.privacy_mark,
        "Category": [
            {"TagName": c.tag, "Type": c.type, "URI": c.uri, "GenericValue": list(c.values)}
            for c in label.categories
        ],
    }
    return {
        "ConfidentialityLabel": {
            "kind": "alternative" if label.alternative else "originator",
            "ConfidentialityInformation": info,
            "OriginatorID": {"IDType": ORIGINATOR_ID_TYPE, "value": label.originator},
            "CreationDateTime": _time_text(label.created),
            "ReviewDateTime": None if label.review is None else _time_text(label.review),
        }
    }


def to_json(label: Label) -> str:
    return json.dumps(to_dict(label), ensure_ascii=False, indent=2) + "\n"


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise MalformedLabel(f"malformed label: {where} has no {key}")
    return mapping[key]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MalformedLabel(f"malformed label: {where} must be a non-empty string")
    return value.strip()


def from_dict(data: Any) -> Label:
    body = _need(data, "ConfidentialityLabel", "the document")
    info = _need(body, "ConfidentialityInformation", "ConfidentialityLabel")
    policy = _need(info, "PolicyIdentifier", "ConfidentialityInformation")
    name = (policy.get("name") or policy.get("URI")) if isinstance(policy, dict) else policy
    categories = []
    raw_categories = info.get("Category") or []
    if not isinstance(raw_categories, list):
        raise MalformedLabel("malformed label: Category must be a list")
    for raw in raw_categories:
        values = _need(raw, "GenericValue", "Category")
        if not isinstance(values, list):
            raise MalformedLabel("malformed label: GenericValue must be a list")
        categories.append(
            Category(
                _text(_need(raw, "TagName", "Category"), "TagName"),
                _text(_need(raw, "Type", "Category"), "Type").upper(),
                tuple(_text(v, "GenericValue") for v in values),
                raw.get("URI"),
            )
        )
    originator = _need(body, "OriginatorID", "ConfidentialityLabel")
    if isinstance(originator, dict):
        originator = originator.get("value")
    review = body.get("ReviewDateTime")
    privacy = info.get("PrivacyMark")
    kind = body.get("kind", "originator")
    if kind not in ("originator", "alternative"):
        raise MalformedLabel(f"malformed label: kind {kind!r}; accepted: originator, alternative")
    return validate(
        Label(
            policy=_text(name, "PolicyIdentifier"),
            classification=_text(
                _need(info, "Classification", "ConfidentialityInformation"), "Classification"
            ).upper(),
            originator=_text(originator, "OriginatorID").upper(),
            created=_parse_time(
                _text(_need(body, "CreationDateTime", "ConfidentialityLabel"), "CreationDateTime"),
                "CreationDateTime",
            ),
            categories=tuple(categories),
            privacy_mark=None if privacy is None else _text(privacy, "PrivacyMark"),
            review=None if review is None else _parse_time(str(review), "ReviewDateTime"),
            alternative=kind == "alternative",
        )
    )


def from_json(text: str) -> Label:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedLabel(
            f"malformed label: not valid JSON: {exc.msg} at line {exc.lineno}"
        ) from None
    except (RecursionError, ValueError):  # nested past Python's stack; a number too long
        raise MalformedLabel(
            "malformed label: JSON nested too deeply or a number too long"
        ) from None
    return from_dict(data)


# --- XML ------------------------------------------------------------------------------------


def to_element(label: Label) -> ET.Element:
    scheme = scheme_by_policy(label.policy)
    root_name = "alternativeConfidentialityLabel" if label.alternative else ROOTS[0]
    root = ET.Element(_Q + root_name)
    if label.review is not None:
        root.set("ReviewDateTime", _time_text(label.review))
    info = ET.SubElement(root, _Q + "ConfidentialityInformation")
    policy = ET.SubElement(info, _Q + "PolicyIdentifier")
    if scheme is not None:
        policy.set("URI", scheme.policy_uri)
    policy.text = label.policy
    ET.SubElement(info, _Q + "Classification").text = label.classification
    if label.privacy_mark is not None:
        ET.SubElement(info, _Q + "PrivacyMark").text = label.privacy_mark
    for category in label.categories:
        element = ET.SubElement(info, _Q + "Category", TagName=category.tag, Type=category.type)
        if category.uri:
            element.set("URI", category.uri)
        for value in category.values:
            ET.SubElement(element, _Q + "GenericValue").text = value
    originator = ET.SubElement(root, _Q + "OriginatorID", IDType=ORIGINATOR_ID_TYPE)
    originator.text = label.originator
    ET.SubElement(root, _Q + "CreationDateTime").text = _time_text(label.created)
    return root


def to_xml(label: Label) -> str:
    element = to_element(label)
    ET.indent(element)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode") + "\n"
    )


def parse_xml(text: str) -> ET.Element:
    """XML without DOCTYPE (so without entities): the root element, or MalformedLabel."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise MalformedLabel("malformed label: DOCTYPE and entities are not accepted in XML")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        raise MalformedLabel(
            f"malformed label: not valid XML at line {line}, column {column}"
        ) from None


def _child(element: ET.Element, name: str) -> ET.Element:
    found = element.find(_Q + name)
    if found is None:
        local = element.tag.split("}")[-1]
        raise MalformedLabel(f"malformed label: {local} has no {name}")
    return found


def _element_text(element: ET.Element) -> str:
    return _text(element.text, element.tag.split("}")[-1])


def from_element(root: ET.Element) -> Label:
    local = root.tag.split("}")[-1]
    if not root.tag.startswith(_Q) or local not in ROOTS:
        raise MalformedLabel(
            f"malformed label: root element {root.tag!r}; accepted: {', '.join(ROOTS)} in "
            f"namespace {NS}"
        )
    info = _child(root, "ConfidentialityInformation")
    policy = _child(info, "PolicyIdentifier")
    privacy = info.find(_Q + "PrivacyMark")
    review = root.get("ReviewDateTime")
    categories = tuple(
        Category(
            _text(element.get("TagName"), "Category TagName"),
            _text(element.get("Type"), "Category Type").upper(),
            tuple(_element_text(v) for v in element.findall(_Q + "GenericValue")),
            element.get("URI"),
        )
        for element in info.findall(_Q + "Category")
    )
    return validate(
        Label(
            policy=(policy.text or "").strip() or _text(policy.get("URI"), "PolicyIdentifier"),
            classification=_element_text(_child(info, "Classification")).upper(),
            originator=_element_text(_child(root, "OriginatorID")).upper(),
            created=_parse_time(
                _element_text(_child(root, "CreationDateTime")), "CreationDateTime"
            ),
            categories=categories,
            privacy_mark=None if privacy is None else _element_text(privacy),
            review=None if review is None else _parse_time(review, "ReviewDateTime"),
            alternative=local == "alternativeConfidentialityLabel",
        )
    )


def from_xml(text: str) -> Label:
    return from_element(parse_xml(text))


def read_label(text: str) -> Label:
    """A label in either syntax: XML if it starts with '<', JSON otherwise."""
    return from_xml(text) if text.lstrip().startswith("<") else from_json(text)
