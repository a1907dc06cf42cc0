"""Agreements compiled to plain, immutable data: what the decisions read.

Compilation turns the validated pydantic models into small frozen dataclasses with dates as
ordinals and code lists as frozensets. The result pickles quickly and loads without pydantic or
YAML, which keeps a cold `accord check` fast (see `cache.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models are only read here; importing pydantic would slow a cold start
    from accord.agreements.schema import Agreement, NationalLaw, Source, StatusEvent, Version

NEVER = dt.date.max.toordinal() + 1  # "no end": after every real date


@dataclass(frozen=True, slots=True)
class Clause:
    uid: str  # agreement/version/clause: the Cedar @id of the policy exported for it
    article: str
    summary: str
    situations: frozenset[str]
    categories: frozenset[str]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exclusion:
    uid: str
    article: str
    summary: str
    supplier: str | None  # None: both directions
    categories: frozenset[str]
    situations: frozenset[str] | None  # None: every situation

    sources: tuple[str, ...]

    def applies(self, supplier: str, category: str, situation: str) -> bool:
        return (
            category in self.categories
            and (self.supplier is None or self.supplier == supplier)
            and (self.situations is None or situation in self.situations)
        )


@dataclass(frozen=True, slots=True)
class CompiledVersion:
    id: str
    title: str
    effective: int
    clauses: tuple[Clause, ...]
    exclusions: tuple[Exclusion, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledAgreement:
    id: str
    kind: str
    short_title: str
    parties: frozenset[str]
    signed: int | None
    in_force: int | None
    end: int  # first day no longer in force (NEVER if still in force)
    implements: str | None
    versions: tuple[CompiledVersion, ...]
    sources: tuple[str, ...]
    # From this day until `in_force` (or the end, if it never enters into force) the parties
    # apply the agreement provisionally: it permits as if in force.
    provisionally_applied: int | None = None
    notified: int | None = None  # information only: no decision depends on it

    @property
    def applied_from(self) -> int | None:
        """The first day the agreement applies: provisionally, or else in force."""
        if self.provisionally_applied is not None:
            return self.provisionally_applied
        return self.in_force

    def status(self, day: int) -> str:
        """`not-yet-signed`, `signed`, `provisionally-applied`, `in-force` or `ended` on the
        day (an ordinal)."""
        if self.in_force is not None and self.in_force <= day < self.end:
            return "in-force"
        start = self.applied_from
        if start is not None and day >= self.end:
            return "ended"
        if start is not None and start <= day:
            return "provisionally-applied"  # before in_force (the schema keeps it so)
        if self.signed is not None and day >= self.signed:
            return "signed"
        return "not-yet-signed"

    def applies(self, day: int) -> bool:
        """In force or provisionally applied on the day: what permits support or release."""
        start = self.applied_from
        return start is not None and start <= day < self.end

    def version_on(self, day: int) -> CompiledVersion | None:
        current = None
        for version in self.versions:
            if version.effective <= day:
                current = version
        return current

    def change_days(self) -> set[int]:
        days = {
            d
            for d in (self.signed, self.provisionally_applied, self.in_force, self.end)
            if d is not None
        }
        days.update(v.effective for v in self.versions)
        return days - {NEVER}


@dataclass(frozen=True, slots=True)
class LawSituation:
    code: str
    law: str
    known_from: int
    known_until: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LawLimit:
    uid: str
    law: str
    summary: str
    categories: frozenset[str]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledLaw:
    id: str
    nation: str
    title: str
    situations: dict[str, LawSituation]
    limits: tuple[LawLimit, ...]

    def change_days(self) -> set[int]:
        days = {s.known_from for s in self.situations.values()}
        days.update(s.known_until for s in self.situations.values())
        return days - {NEVER}


def _urls(sources: list[Source]) -> tuple[str, ...]:
    return tuple(s.url for s in sources)


def effective_end(agreement: Agreement) -> dt.date | None:
    """The day the agreement stops being in force, from `ended` and its status events.

    A termination notice ends the agreement on its `takes_effect` date unless the notifying
    party suspends or withdraws the notice before then (as Korea did with the GSOMIA in 2019).
    """
    ends = [agreement.ended] if agreement.ended else []
    events: list[StatusEvent] = sorted(agreement.events, key=lambda e: e.date)
    for i, event in enumerate(events):
        if event.kind == "terminated":
            ends.append(event.date)
        elif event.kind == "termination-notice":
            assert event.takes_effect is not None  # the schema requires it
            halted = any(
                later.kind in ("notice-suspended", "notice-withdrawn")
                and later.date < event.takes_effect
                for later in events[i + 1 :]
            )
            if not halted:
                ends.append(event.takes_effect)
    return min(ends) if ends else None


def _version(agreement_id: str, version: Version) -> CompiledVersion:
    prefix = f"{agreement_id}/{version.id}"
    return CompiledVersion(
        id=version.id,
        title=version.title,
        effective=version.effective.toordinal(),
        clauses=tuple(
            Clause(
                uid=f"{prefix}/{c.id}",
                article=c.article,
                summary=(c.summary or "").strip(),
                situations=frozenset(c.situations),
                categories=frozenset(c.categories),
                sources=_urls(c.sources),
            )
            for c in version.clauses
        ),
        exclusions=tuple(
            Exclusion(
                uid=f"{prefix}/{e.id}",
                article=e.article,
                summary=(e.summary or "").strip(),
                supplier=e.supplier,
                categories=frozenset(e.categories),
                situations=None if e.situations is None else frozenset(e.situations),
                sources=_urls(e.sources),
            )
            for e in version.exclusions
        ),
        sources=_urls(version.sources),
    )


def compile_agreement(agreement: Agreement) -> CompiledAgreement:
    end = effective_end(agreement)
    return CompiledAgreement(
        id=agreement.id,
        kind=agreement.kind,
        short_title=agreement.short_title,
        parties=frozenset(agreement.parties),
        signed=agreement.signed.toordinal() if agreement.signed else None,
        in_force=agreement.in_force.toordinal() if agreement.in_force else None,
        end=end.toordinal() if end else NEVER,
        implements=agreement.implements,
        versions=tuple(_version(agreement.id, v) for v in agreement.versions),
        sources=_urls(agreement.sources),
        provisionally_applied=_ordinal(agreement.provisionally_applied),
        notified=_ordinal(agreement.notified),
    )


def _ordinal(day: dt.date | None) -> int | None:
    return day.toordinal() if day else None


def compile_law(law: NationalLaw) -> CompiledLaw:
    return CompiledLaw(
        id=law.id,
        nation=law.nation,
        title=law.title,
        situations={
            s.code: LawSituation(
                code=s.code,
                law=s.law,
                known_from=s.known_from.toordinal(),
                known_until=s.known_until.toordinal() if s.known_until else NEVER,
                sources=_urls(s.sources),
            )
            for s in law.situations
        },
        limits=tuple(
            LawLimit(
                uid=f"{law.id}/{lim.id}",
                law=lim.law,
                summary=(lim.summary or "").strip(),
                categories=frozenset(lim.categories),
                sources=_urls(lim.sources),
            )
            for lim in law.category_limits
        ),
    )
