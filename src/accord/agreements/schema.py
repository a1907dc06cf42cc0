"""The agreement file format, as pydantic models (documented in docs/agreements.md).

An agreement file holds one agreement: its parties, dates, status events and versions. Each
version (the original text, then each amendment) is complete in itself and says, from its
effective date, which situations each clause covers, which categories may be provided in them,
and which categories are excluded in which direction. Every clause carries its public sources.

A national-law file holds the situations one nation's law knows, with their dates, and the
categories that law never lets its forces provide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from accord import vocabulary as vocab
from accord.errors import BadInput


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    url: str
    title: str | None = None

    @field_validator("url")
    @classmethod
    def _is_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"source url must start with http:// or https://, got {value!r}")
        return value


def _source_from_scalar(value: Any) -> Any:
    return {"url": value} if isinstance(value, str) else value


class _Sourced(_Strict):
    sources: list[Source] = Field(min_length=1)

    @field_validator("sources", mode="before")
    @classmethod
    def _scalars(cls, value: Any) -> Any:
        return [_source_from_scalar(v) for v in value] if isinstance(value, list) else value


def _codes(values: Any, check: Any) -> list[str]:
    if not isinstance(values, list):
        raise ValueError("must be a list")
    try:
        return [check(str(v)) for v in values]
    except BadInput as exc:
        raise ValueError(str(exc)) from None


def _nations(values: Any) -> list[str]:
    return _codes(values, vocab.nation)


class Clause(_Sourced):
    """A provision that permits support: in these situations, these categories."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.()-]*$")
    article: str
    summary: str | None = None
    situations: list[str] = Field(min_length=1)
    categories: list[str] = Field(min_length=1)
    note: str | None = None

    @field_validator("situations", mode="before")
    @classmethod
    def _situations(cls, value: Any) -> list[str]:
        return _codes(value, vocab.situation)

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[str]:
        return _codes(value, vocab.category)


class Exclusion(_Sourced):
    """A provision that withholds categories: from one supplier (or both), in some situations
    (or all) of this version."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.()-]*$")
    article: str
    summary: str | None = None
    supplier: str | None = None
    categories: list[str] = Field(min_length=1)
    situations: list[str] | None = None
    note: str | None = None

    @field_validator("supplier", mode="before")
    @classmethod
    def _supplier(cls, value: Any) -> str | None:
        return None if value is None else _nations([value])[0]

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[str]:
        return _codes(value, vocab.category)

    @field_validator("situations", mode="before")
    @classmethod
    def _situations(cls, value: Any) -> list[str] | None:
        return None if value is None else _codes(value, vocab.situation)


class Version(_Strict):
    """The agreement's text as it stood from `effective` until the next version."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    effective: dt.date
    signed: dt.date | None = None
    sources: list[Source] = Field(default_factory=list)
    clauses: list[Clause] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    note: str | None = None

    @field_validator("sources", mode="before")
    @classmethod
    def _scalars(cls, value: Any) -> Any:
        return [_source_from_scalar(v) for v in value] if isinstance(value, list) else value


EventKind = Literal[
    "termination-notice",  # a party notified termination; takes effect on `takes_effect`
    "notice-suspended",  # the notifying party suspended its notice; the agreement stays
    "notice-withdrawn",  # the notice was withdrawn for good
    "renewed",  # a renewal of the term (information only)
    "terminated",  # the agreement ended on `date`
]


class StatusEvent(_Sourced):
    date: dt.date
    kind: EventKind
    by: str | None = None
    takes_effect: dt.date | None = None
    summary: str | None = None

    @field_validator("by", mode="before")
    @classmethod
    def _by(cls, value: Any) -> str | None:
        return None if value is None else _nations([value])[0]

    @model_validator(mode="after")
    def _notice_has_effect_date(self) -> StatusEvent:
        if self.kind == "termination-notice" and self.takes_effect is None:
            raise ValueError("a termination-notice needs takes_effect (the date it would end)")
        return self


class Agreement(_Sourced):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Literal["acsa", "gsomia", "information-sharing-arrangement", "implementing-arrangement"]
    title: str
    short_title: str
    parties: list[str] = Field(min_length=2)
    signed: dt.date | None = None
    in_force: dt.date | None = None
    ended: dt.date | None = None
    implements: str | None = None
    replaces: str | None = None
    uncertain: dict[str, str] = Field(default_factory=dict)
    events: list[StatusEvent] = Field(default_factory=list)
    versions: list[Version] = Field(default_factory=list)
    note: str | None = None

    @field_validator("parties", mode="before")
    @classmethod
    def _parties(cls, value: Any) -> list[str]:
        return _nations(value)

    @model_validator(mode="after")
    def _consistent(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties must be distinct")
        if self.in_force and self.signed and self.in_force < self.signed:
            raise ValueError("in_force is before signed")
        if self.ended and self.in_force and self.ended <= self.in_force:
            raise ValueError("ended must be after in_force")
        if self.kind == "implementing-arrangement" and not self.implements:
            raise ValueError("an implementing-arrangement must name the agreement it implements")
        dates = [v.effective for v in self.versions]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("versions must be in order of strictly increasing effective date")
        if self.versions and self.in_force and self.versions[0].effective > self.in_force:
            raise ValueError(
                "the first version must be effective when the agreement enters into force"
            )
        if self.in_force and not self.versions and self.kind in vocab.LOGISTICS_KINDS:
            raise ValueError("an agreement in force needs at least one version")
        for version in self.versions:
            for item in (*version.clauses, *version.exclusions):
                if (
                    isinstance(item, Exclusion)
                    and item.supplier
                    and item.supplier not in self.parties
                ):
                    raise ValueError(
                        f"exclusion {item.id}: supplier {item.supplier} is not a party"
                    )
            ids = [c.id for c in version.clauses] + [e.id for e in version.exclusions]
            if len(set(ids)) != len(ids):
                raise ValueError(f"version {version.id}: clause and exclusion ids must be unique")
        unknown = set(self.uncertain) - {
            "signed",
            "in_force",
            "ended",
            "events",
            "versions",
            "clauses",
        }
        if unknown:
            raise ValueError(f"uncertain names unknown fields: {sorted(unknown)}")
        return self


class LawSituation(_Sourced):
    code: str
    law: str
    known_from: dt.date
    known_until: dt.date | None = None
    note: str | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        return _codes([value], vocab.situation)[0]


class LawCategoryLimit(_Sourced):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.()-]*$")
    law: str
    categories: list[str] = Field(min_length=1)
    summary: str | None = None

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[str]:
        return _codes(value, vocab.category)


class NationalLaw(_Strict):
    """What one nation's law says about the support its forces may give."""

    kind: Literal["national-law"]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    nation: str
    title: str
    situations: list[LawSituation] = Field(default_factory=list)
    category_limits: list[LawCategoryLimit] = Field(default_factory=list)
    note: str | None = None

    @field_validator("nation", mode="before")
    @classmethod
    def _nation(cls, value: Any) -> str:
        return _nations([value])[0]
