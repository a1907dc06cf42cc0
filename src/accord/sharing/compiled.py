"""Information agreements compiled to plain, immutable data: what release decisions read.

The agreement's dates and status come from the same compilation as the logistics agreements
(`accord.agreements.compiled`: `effective_end` evaluates termination notices, their suspension
and withdrawal); this module adds what only information agreements have: per version, the
equivalence table (national markings that the parties treat as one level), the release clauses
(levels and topics they cover) and the third-party rule; per agreement, the hub and the
agreements that protect what is shared through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from accord.agreements.compiled import CompiledAgreement, compile_agreement
from accord.sharing.schemes import LEVELS, SCHEMES
from accord.vocabulary import INFORMATION_KINDS

if TYPE_CHECKING:  # pydantic is only needed when compiling, never when deciding
    from accord.agreements.schema import Agreement, Source, Version


@dataclass(frozen=True, slots=True)
class Row:
    """One row of an equivalence table."""

    article: str
    equivalent: str  # English equivalent: top-secret, secret, confidential
    markings: dict[str, tuple[str, ...]]  # nation -> its markings; the first is applied on receipt
    sources: tuple[str, ...]

    def receiving_marking(self, nation: str, day: int) -> str | None:
        """The marking `nation` applies on receipt: the first of its markings that exists on
        the day (特定秘密 exists only from 2014-12-10)."""
        for code in self.markings.get(nation, ()):
            if LEVELS[code].known_from <= day:
                return code
        return None


@dataclass(frozen=True, slots=True)
class ReleaseClause:
    uid: str  # agreement/version/clause
    article: str
    summary: str
    levels: frozenset[str] | None  # None: every row of the table (or, with a hub, each hop's)
    topics: frozenset[str] | None  # None: any topic
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThirdParty:
    uid: str
    article: str
    summary: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InfoVersion:
    id: str
    effective: int
    rows: tuple[Row, ...]
    releases: tuple[ReleaseClause, ...]
    third_party: ThirdParty | None
    sources: tuple[str, ...]
    by_marking: dict[str, Row] = field(default_factory=dict)

    def row(self, code: str) -> Row | None:
        return self.by_marking.get(code)

    def row_for_english(self, english: str) -> Row | None:
        return next((r for r in self.rows if r.equivalent == english), None)

    def clauses_for(self, topic: str) -> tuple[ReleaseClause, ...]:
        return tuple(c for c in self.releases if c.topics is None or topic in c.topics)


@dataclass(frozen=True, slots=True)
class InfoAgreement:
    base: CompiledAgreement
    hub: str | None
    protected_under: tuple[str, ...]
    versions: tuple[InfoVersion, ...]

    @property
    def id(self) -> str:
        return self.base.id

    @property
    def short_title(self) -> str:
        return self.base.short_title

    @property
    def parties(self) -> frozenset[str]:
        return self.base.parties

    @property
    def sources(self) -> tuple[str, ...]:
        return self.base.sources

    def status(self, day: int) -> str:
        return self.base.status(day)

    def in_force(self, day: int) -> bool:
        """In force, or provisionally applied (which lets the parties act on it alike)."""
        return self.base.applies(day)

    def version_on(self, day: int) -> InfoVersion | None:
        current = None
        for version in self.versions:
            if version.effective <= day:
                current = version
        return current

    def change_days(self) -> set[int]:
        days = self.base.change_days()
        days.update(v.effective for v in self.versions)
        return days


def _urls(sources: Iterable[Source]) -> tuple[str, ...]:
    return tuple(s.url for s in sources)


def _version(agreement_id: str, version: Version) -> InfoVersion:
    prefix = f"{agreement_id}/{version.id}"
    rows = tuple(
        Row(
            article=row.article,
            equivalent=row.equivalent,
            markings={nation: tuple(codes) for nation, codes in row.markings.items()},
            sources=_urls(row.sources),
        )
        for row in version.equivalents
    )
    third = version.third_party
    return InfoVersion(
        id=version.id,
        effective=version.effective.toordinal(),
        rows=rows,
        releases=tuple(
            ReleaseClause(
                uid=f"{prefix}/{r.id}",
                article=r.article,
                summary=" ".join((r.summary or "").split()),
                levels=None if r.levels is None else frozenset(r.levels),
                topics=None if r.topics is None else frozenset(r.topics),
                sources=_urls(r.sources),
            )
            for r in version.releases
        ),
        third_party=None
        if third is None
        else ThirdParty(
            uid=f"{prefix}/{third.id}",
            article=third.article,
            summary=" ".join((third.summary or "").split()),
            sources=_urls(third.sources),
        ),
        sources=_urls(version.sources),
        by_marking={code: row for row in rows for codes in row.markings.values() for code in codes},
    )


def compile_information(agreement: Agreement) -> InfoAgreement:
    return InfoAgreement(
        base=compile_agreement(agreement),
        hub=agreement.hub,
        protected_under=tuple(agreement.protected_under),
        versions=tuple(_version(agreement.id, v) for v in agreement.versions),
    )


def compile_all(agreements: Iterable[Agreement]) -> tuple[InfoAgreement, ...]:
    """The information agreements among `agreements`, compiled; raises InvalidAgreementFile
    when one names an unknown agreement in `protected_under`."""
    from accord.errors import InvalidAgreementFile

    chosen = [a for a in agreements if a.kind in INFORMATION_KINDS]
    ids = {a.id for a in agreements}
    problems = [
        f"{a.id}: protected_under: unknown agreement id {ref!r}"
        for a in chosen
        for ref in a.protected_under
        if ref not in ids
    ]
    if problems:
        raise InvalidAgreementFile(problems)
    compiled = [compile_information(a) for a in chosen]
    # Bilateral agreements first, oldest first: the first that permits is the one named.
    compiled.sort(key=lambda a: (a.hub is not None, a.base.applied_from or 0, a.id))
    return tuple(compiled)


def scheme_change_days() -> set[int]:
    return {level.known_from for s in SCHEMES.values() for level in s.levels} - {0}
