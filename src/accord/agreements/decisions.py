"""Support decisions: may SUPPLIER's forces provide CATEGORY to RECIPIENT's forces in SITUATION
on a date, under the agreements and national law in force then?

`evaluate_support` is the rule, stated once and directly. `SupportIndex` answers the same
question fast: for each ordered pair of nations it keeps the days on which anything relevant
changes (an agreement signed, provisionally applied, in force or ended, a version effective, a law's situation created
or abolished); between two such days every answer is the same, so each segment memoizes its
answers by (category, situation). Both are pure functions of the agreement set.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import cache

from accord.agreements.compiled import (
    NEVER,
    CompiledAgreement,
    CompiledLaw,
    CompiledVersion,
)
from accord.errors import BadInput
from accord.vocabulary import LOGISTICS_KINDS

# Most decisive first: a denial lists its reasons in this order.
DENIAL_ORDER = ("no-agreement", "not-in-force", "situation-not-covered", "category-excluded")
_RANK = {code: i for i, code in enumerate(DENIAL_ORDER)}
ON = "{on}"  # stands for the question's date in messages, filled in when a decision is shown


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str  # with ON where the date goes
    agreement: str | None
    clause: str | None
    clause_id: str | None  # agreement/version/clause: the exported Cedar policy's @id
    sources: tuple[str, ...]

    def as_json(self, on: dt.date) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message.replace(ON, on.isoformat()),
            "agreement": self.agreement,
            "clause": self.clause,
            "clause_id": self.clause_id,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]

    def __post_init__(self) -> None:
        assert self.reasons, "every decision carries at least one reason"
        assert self.allowed == (self.reasons[0].code == "permitted")


@dataclass(frozen=True, slots=True)
class SupportQuestion:
    supplier: str
    recipient: str
    category: str
    situation: str
    on: dt.date

    def as_json(self) -> dict[str, str]:
        return {
            "from": self.supplier,
            "to": self.recipient,
            "category": self.category,
            "situation": self.situation,
            "on": self.on.isoformat(),
        }


def decision_json(question: SupportQuestion, decision: Decision) -> dict[str, object]:
    return {
        "allowed": decision.allowed,
        "question": question.as_json(),
        "reasons": [r.as_json(question.on) for r in decision.reasons],
        "routes": [],
    }


def _date(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _in_force(agreement: CompiledAgreement, day: int, by_id: dict[str, CompiledAgreement]) -> bool:
    """In force or provisionally applied on the day, and so is the agreement it implements."""
    if not agreement.applies(day):
        return False
    parent = by_id.get(agreement.implements) if agreement.implements else None
    return parent is None or parent.applies(day)


def _not_in_force_reason(agreement: CompiledAgreement, day: int) -> Reason:
    status = agreement.status(day)
    applied = agreement.provisionally_applied
    signed = agreement.signed or agreement.applied_from
    if status == "ended":
        why = f"it ended on {_date(agreement.end)}"
    elif applied is not None and agreement.in_force is not None:
        why = (
            f"it was signed on {_date(signed or applied)}, provisionally applied from "
            f"{_date(applied)} and entered into force on {_date(agreement.in_force)}"
        )
    elif applied is not None:
        why = (
            f"it was signed on {_date(signed or applied)}, is provisionally applied from "
            f"{_date(applied)} and has not entered into force"
        )
    elif agreement.in_force is not None:
        why = f"it was signed on {_date(signed or agreement.in_force)} and entered into force on {_date(agreement.in_force)}"
    else:
        signed_on = _date(agreement.signed) if agreement.signed else "an unknown date"
        why = f"it was signed on {signed_on} and has not entered into force"
    state = "in force" if applied is None else "in force or provisionally applied"
    return Reason(
        "not-in-force",
        f"{agreement.short_title} is not {state} on {ON}: {why}.",
        agreement.id,
        None,
        None,
        agreement.sources,
    )


def _provisionally(
    permit: Reason, agreement: CompiledAgreement, day: int, by_id: dict[str, CompiledAgreement]
) -> Reason:
    """The permit, saying so where it rests on provisional application (of the agreement, or
    of the agreement it implements) rather than on entry into force."""
    parent = by_id.get(agreement.implements) if agreement.implements else None
    notes = [
        a for a in (agreement, parent) if a is not None and a.status(day) == "provisionally-applied"
    ]
    if not notes:
        return permit
    said = []
    for a in notes:
        entry = (
            f"before its entry into force on {_date(a.in_force)}"
            if a.in_force is not None
            else "not yet in force"
        )
        assert a.provisionally_applied is not None
        said.append(
            f"{a.short_title} is provisionally applied from {_date(a.provisionally_applied)}, "
            f"{entry}"
        )
    return replace(permit, message=f"{permit.message.rstrip()} ({'; '.join(said)}.)")


def _law_reasons(
    laws: dict[str, CompiledLaw], supplier: str, recipient: str, situation: str, day: int
) -> list[Reason]:
    reasons: list[Reason] = []
    if not laws:
        return reasons
    for nation in (supplier, recipient):
        law = laws.get(nation)
        known = law.situations.get(situation) if law else None
        if law and known and not (known.known_from <= day < known.known_until):
            span = f"from {_date(known.known_from)}"
            if known.known_until != NEVER:
                span += f" until {_date(known.known_until)}"
            reasons.append(
                Reason(
                    "situation-not-covered",
                    f"{nation} law did not know the situation '{situation}' on {ON}: "
                    f"{known.law} provides for it {span}.",
                    law.id,
                    known.law,
                    None,
                    known.sources,
                )
            )
    return reasons


def _version_denials(
    agreement: CompiledAgreement,
    version: CompiledVersion,
    supplier: str,
    category: str,
    situation: str,
) -> tuple[Reason | None, list[Reason]]:
    """A permitting reason under this version, or the reasons it denies."""
    covering = [c for c in version.clauses if situation in c.situations]
    if not covering:
        covered = sorted({s for c in version.clauses for s in c.situations})
        return None, [
            Reason(
                "situation-not-covered",
                f"{agreement.short_title}, version {version.id}, does not cover the situation "
                f"'{situation}' on {ON}; it covers: {', '.join(covered) or 'none'}.",
                agreement.id,
                None,
                None,
                version.sources or agreement.sources,
            )
        ]
    denials: list[Reason] = []
    for clause in covering:
        # An explicit exclusion article is cited before a clause's silence: it is the text that
        # says why (e.g. Art. 2(3) of the 1998 amendment: no weapons or ammunition).
        exclusions = [e for e in version.exclusions if e.applies(supplier, category, situation)]
        if exclusions:
            denials.extend(
                Reason(
                    "category-excluded",
                    f"{e.article} of {agreement.short_title}, version {version.id}: {e.summary}",
                    agreement.id,
                    e.article,
                    e.uid,
                    e.sources,
                )
                for e in exclusions
            )
            continue
        if category not in clause.categories:
            denials.append(
                Reason(
                    "category-excluded",
                    f"{clause.article} of {agreement.short_title}, version {version.id}, does not "
                    f"include '{category}' among the support it allows in '{situation}'.",
                    agreement.id,
                    clause.article,
                    clause.uid,
                    clause.sources,
                )
            )
            continue
        return (
            Reason(
                "permitted",
                f"{clause.article} of {agreement.short_title}, version {version.id}, allows "
                f"{supplier} to provide '{category}' in '{situation}' on {ON}: {clause.summary}",
                agreement.id,
                clause.article,
                clause.uid,
                clause.sources,
            ),
            [],
        )
    return None, denials


def _unique_ordered(reasons: list[Reason]) -> tuple[Reason, ...]:
    if len(reasons) == 1:
        return (reasons[0],)
    seen: dict[Reason, None] = {}
    for reason in sorted(reasons, key=lambda r: _RANK[r.code]):
        seen.setdefault(reason, None)
    return tuple(seen)


@cache
def _no_agreement(supplier: str, recipient: str) -> Reason:
    return Reason(
        "no-agreement",
        f"No agreement between {supplier} and {recipient} covers logistic support on {ON}.",
        None,
        None,
        None,
        (),
    )


def pair_agreements(
    agreements: tuple[CompiledAgreement, ...], supplier: str, recipient: str
) -> tuple[CompiledAgreement, ...]:
    """The logistics agreements with both nations among their parties."""
    return tuple(
        a
        for a in agreements
        if a.kind in LOGISTICS_KINDS and supplier in a.parties and recipient in a.parties
    )


def evaluate_support(
    agreements: tuple[CompiledAgreement, ...],
    laws: dict[str, CompiledLaw],
    supplier: str,
    recipient: str,
    category: str,
    situation: str,
    day: int,
) -> Decision:
    """The rule, directly: no index, no memo. `agreements` may hold any set; only logistics
    agreements with both nations among their parties count."""
    by_id = {a.id: a for a in agreements}
    pair = pair_agreements(agreements, supplier, recipient)
    return _evaluate(pair, by_id, laws, supplier, recipient, category, situation, day)


def _evaluate(
    pair: tuple[CompiledAgreement, ...],
    by_id: dict[str, CompiledAgreement],
    laws: dict[str, CompiledLaw],
    supplier: str,
    recipient: str,
    category: str,
    situation: str,
    day: int,
) -> Decision:
    if supplier == recipient:
        raise BadInput(
            f"supplier and recipient are both {supplier}; accepted: two different nations"
        )
    # National law overrides every agreement: a situation the law does not know, or a category
    # it never lets its forces provide, denies even where a clause would permit.
    law_denials = _law_reasons(laws, supplier, recipient, situation, day)
    supplier_law = laws.get(supplier)
    if supplier_law:
        law_denials.extend(
            Reason(
                "category-excluded",
                f"{supplier} law ({lim.law}): {lim.summary}",
                supplier_law.id,
                lim.law,
                lim.uid,
                lim.sources,
            )
            for lim in supplier_law.limits
            if category in lim.categories
        )
    # Provisionally applied agreements count as in force (they permit from that day).
    in_force = [a for a in pair if _in_force(a, day, by_id)]
    if not in_force:
        existing = [a for a in pair if a.status(day) != "not-yet-signed"]
        absent = [_not_in_force_reason(a, day) for a in existing] or [
            _no_agreement(supplier, recipient)
        ]
        return Decision(False, _unique_ordered(absent + law_denials))
    permits: list[Reason] = []
    agreement_denials: list[Reason] = []
    for agreement in in_force:
        version = agreement.version_on(day)
        assert version is not None, f"{agreement.id} is in force without a version"
        permit, denials = _version_denials(agreement, version, supplier, category, situation)
        if permit:
            permits.append(_provisionally(permit, agreement, day, by_id))
        agreement_denials.extend(denials)
    if permits and not law_denials:
        return Decision(True, (permits[0],))
    if permits:
        return Decision(False, _unique_ordered(law_denials))
    if any(d.code == "category-excluded" for d in agreement_denials):
        # Some agreement in force covers the situation: another's silence on it is not a reason.
        agreement_denials = [d for d in agreement_denials if d.code != "situation-not-covered"]
    return Decision(False, _unique_ordered(law_denials + agreement_denials))


@dataclass
class _Timeline:
    pair: tuple[CompiledAgreement, ...]  # the pair's logistics agreements
    starts: list[int]  # segment i covers starts[i] <= day < starts[i + 1]
    segments: list[dict[tuple[str, str], Decision]] = field(default_factory=list)
    # Where no agreement and no law of either nation can ever apply (most pairs of the world),
    # every answer is the same `no-agreement`: kept once instead of memoized per question.
    constant: Decision | None = None


class SupportIndex:
    """Answers support questions fast; same answers as `evaluate_support`."""

    def __init__(
        self, agreements: tuple[CompiledAgreement, ...], laws: dict[str, CompiledLaw]
    ) -> None:
        self.agreements = agreements
        self.laws = laws
        self._by_id = {a.id: a for a in agreements}
        self._timelines: dict[tuple[str, str], _Timeline] = {}

    def _timeline(self, supplier: str, recipient: str) -> _Timeline:
        pair = pair_agreements(self.agreements, supplier, recipient)
        days = {0}
        for agreement in pair:
            days |= agreement.change_days()
            parent = self._by_id.get(agreement.implements) if agreement.implements else None
            if parent:
                days |= parent.change_days()
        for nation in (supplier, recipient):
            if nation in self.laws:
                days |= self.laws[nation].change_days()
        starts = sorted(days)
        constant = None
        if not pair and supplier not in self.laws and recipient not in self.laws:
            constant = Decision(False, (_no_agreement(supplier, recipient),))
        timeline = _Timeline(pair, starts, [{} for _ in starts], constant)
        self._timelines[(supplier, recipient)] = timeline
        return timeline

    def change_days(self, supplier: str, recipient: str) -> list[int]:
        """The days on which an answer for this ordered pair may change."""
        timeline = self._timelines.get((supplier, recipient)) or self._timeline(supplier, recipient)
        return timeline.starts[1:]

    def decide(
        self, supplier: str, recipient: str, category: str, situation: str, on: dt.date
    ) -> Decision:
        timeline = self._timelines.get((supplier, recipient)) or self._timeline(supplier, recipient)
        if timeline.constant is not None:
            return timeline.constant
        segment_no = bisect_right(timeline.starts, on.toordinal()) - 1
        segment = timeline.segments[segment_no]
        key = (category, situation)
        decision = segment.get(key)
        if decision is None:
            decision = segment[key] = _evaluate(
                timeline.pair,
                self._by_id,
                self.laws,
                supplier,
                recipient,
                category,
                situation,
                timeline.starts[segment_no],
            )
        return decision
