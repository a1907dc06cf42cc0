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


class Equivalence(_Sourced):
    """A row of an information agreement's equivalence table: the national markings the
    parties treat as one level, and the English equivalent the agreement gives them (e.g. the
    Japan–Korea GSOMIA, Art. 4(2): 極秘 / 特定秘密 = 군사Ⅱ급비밀 = SECRET). For each nation the
    first marking listed is the one a receiver applies when it re-marks what it receives."""

    article: str
    equivalent: str
    markings: dict[str, list[str]]
    note: str | None = None

    @field_validator("equivalent", mode="before")
    @classmethod
    def _equivalent(cls, value: Any) -> str:
        from accord.sharing.schemes import english

        return _codes([value], english)[0]

    @field_validator("markings", mode="before")
    @classmethod
    def _markings(cls, value: Any) -> dict[str, list[str]]:
        from accord.sharing.schemes import marking

        if not isinstance(value, dict) or not value:
            raise ValueError("must map nations to lists of their markings")
        result: dict[str, list[str]] = {}
        for key, codes in value.items():
            nation = _nations([key])[0]
            values = codes if isinstance(codes, list) else [codes]
            result[nation] = _codes(values, lambda v: marking(v).code)
        return result

    @model_validator(mode="after")
    def _markings_of_their_nation(self) -> Equivalence:
        from accord.sharing.schemes import LEVELS

        for nation, codes in self.markings.items():
            for code in codes:
                if LEVELS[code].nation != nation:
                    raise ValueError(f"marking {code} is not in {nation}'s scheme")
        return self


class ReleaseClause(_Sourced):
    """A provision that lets the parties exchange classified information: at these English
    equivalent levels (none listed: every row of the version's equivalence table), on these
    topics (none listed: any topic)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.()-]*$")
    article: str
    summary: str | None = None
    levels: list[str] | None = None
    topics: list[str] | None = None
    note: str | None = None

    @field_validator("levels", mode="before")
    @classmethod
    def _levels(cls, value: Any) -> list[str] | None:
        from accord.sharing.schemes import english

        return None if value is None else _codes(value, english)

    @field_validator("topics", mode="before")
    @classmethod
    def _topics(cls, value: Any) -> list[str] | None:
        return None if value is None else _codes(value, vocab.topic)


class ThirdPartyRule(_Sourced):
    """The provision that forbids release to a third party without the originating party's
    prior written consent (e.g. the Japan–Korea GSOMIA, Art. 6)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.()-]*$")
    article: str
    summary: str | None = None
    note: str | None = None


class Renewal(_Sourced):
    """A fixed term renewed automatically unless a party gives notice in advance (e.g. the
    Japan–Korea GSOMIA, Art. 21(3): one year, ninety days' notice)."""

    article: str
    term_years: int = Field(ge=1)
    notice_days: int = Field(ge=0)
    note: str | None = None


class Version(_Strict):
    """The agreement's text as it stood from `effective` until the next version."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    effective: dt.date
    signed: dt.date | None = None
    sources: list[Source] = Field(default_factory=list)
    clauses: list[Clause] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    # Information agreements (kinds gsomia, information-sharing-arrangement) only:
    equivalents: list[Equivalence] = Field(default_factory=list)
    releases: list[ReleaseClause] = Field(default_factory=list)
    third_party: ThirdPartyRule | None = None
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
    # From this day the parties apply the agreement before it enters into force (until
    # `in_force`, or until the end if it never does): it permits as if in force.
    provisionally_applied: dt.date | None = None
    in_force: dt.date | None = None
    ended: dt.date | None = None
    # The day the agreement was notified: for a US agreement, the notice to Congress that
    # 10 U.S.C. 2342(b) requires; listed by the annual report of 10 U.S.C. 2342(h).
    notified: dt.date | None = None
    implements: str | None = None
    replaces: str | None = None
    uncertain: dict[str, str] = Field(default_factory=dict)
    events: list[StatusEvent] = Field(default_factory=list)
    versions: list[Version] = Field(default_factory=list)
    # Information agreements only: the nation through which the other parties share (TISA:
    # the US DoD), the agreements that protect what is shared, and the renewal rule.
    hub: str | None = None
    protected_under: list[str] = Field(default_factory=list)
    renewal: Renewal | None = None
    note: str | None = None

    @field_validator("parties", mode="before")
    @classmethod
    def _parties(cls, value: Any) -> list[str]:
        return _nations(value)

    @field_validator("hub", mode="before")
    @classmethod
    def _hub(cls, value: Any) -> str | None:
        return None if value is None else _nations([value])[0]

    @model_validator(mode="after")
    def _consistent(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties must be distinct")
        if self.in_force and self.signed and self.in_force < self.signed:
            raise ValueError("in_force is before signed")
        self._check_provisional()
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
        applied = self.provisionally_applied
        if self.versions and applied and self.versions[0].effective > applied:
            raise ValueError(
                "the first version must be effective when the agreement is first provisionally "
                f"applied ({applied})"
            )
        if self.in_force and not self.versions and self.kind in vocab.LOGISTICS_KINDS:
            raise ValueError("an agreement in force needs at least one version")
        if applied and not self.versions:
            raise ValueError("an agreement provisionally applied needs at least one version")
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
            "provisionally_applied",
            "in_force",
            "ended",
            "notified",
            "events",
            "versions",
            "clauses",
            "equivalents",
            "releases",
            "hub",
            "renewal",
        }
        if unknown:
            raise ValueError(f"uncertain names unknown fields: {sorted(unknown)}")
        if self.kind in vocab.INFORMATION_KINDS:
            self._check_information()
        elif (
            self.hub
            or self.protected_under
            or self.renewal
            or any(v.equivalents or v.releases or v.third_party for v in self.versions)
        ):
            raise ValueError(
                "hub, protected_under, renewal, equivalents, releases and third_party are for "
                "information agreements (kind gsomia or information-sharing-arrangement)"
            )
        return self

    def _check_provisional(self) -> None:
        """Provisional application runs from `provisionally_applied` until entry into force."""
        applied = self.provisionally_applied
        if applied is None:
            return
        if self.signed and applied < self.signed:
            raise ValueError(
                f"provisionally_applied ({applied}) is before signed ({self.signed}); an "
                "agreement is provisionally applied from its signature or later"
            )
        if self.in_force and applied >= self.in_force:
            raise ValueError(
                f"provisionally_applied ({applied}) must be before in_force ({self.in_force}); "
                "provisional application ends when the agreement enters into force"
            )
        if self.ended and self.ended <= applied:
            raise ValueError(
                f"ended ({self.ended}) must be after provisionally_applied ({applied})"
            )

    def _check_information(self) -> None:
        """Rules that hold for information agreements only (logistics ones are untouched)."""
        if self.in_force and not self.versions:
            raise ValueError("an information agreement in force needs at least one version")
        if self.hub and self.hub not in self.parties:
            raise ValueError(f"hub {self.hub} is not a party")
        for version in self.versions:
            if version.clauses or version.exclusions:
                raise ValueError(
                    f"version {version.id}: an information agreement has releases, not clauses "
                    "or exclusions"
                )
            ids = [r.id for r in version.releases]
            if len(set(ids)) != len(ids):
                raise ValueError(f"version {version.id}: release ids must be unique")
            seen: set[str] = set()
            for row in version.equivalents:
                for nation, codes in row.markings.items():
                    if nation not in self.parties:
                        raise ValueError(
                            f"version {version.id}: equivalence for {nation}, not a party"
                        )
                    for code in codes:
                        if code in seen:
                            raise ValueError(
                                f"version {version.id}: marking {code} is in two rows of the "
                                "equivalence table"
                            )
                        seen.add(code)
            table = {row.equivalent for row in version.equivalents}
            for release in version.releases:
                missing = set(release.levels or ()) - table
                if version.equivalents and missing:
                    raise ValueError(
                        f"version {version.id}: release {release.id} covers "
                        f"{sorted(missing)}, which the equivalence table does not list"
                    )
        if self.renewal and self.in_force:
            self._check_notices(self.renewal, self.in_force)

    def _check_notices(self, renewal: Renewal, in_force: dt.date) -> None:
        for event in self.events:
            if event.kind != "termination-notice" or event.takes_effect is None:
                continue
            end = event.takes_effect
            years = end.year - in_force.year
            try:
                anniversary = in_force.replace(year=in_force.year + years)
            except ValueError:  # 29 February
                anniversary = in_force.replace(year=in_force.year + years, day=28)
            if end != anniversary or years % renewal.term_years:
                raise ValueError(
                    f"termination notice of {event.date}: takes_effect {end} is not the end of a "
                    f"term ({renewal.article}: terms of {renewal.term_years} year(s) from "
                    f"{in_force})"
                )
            if (end - event.date).days < renewal.notice_days:
                raise ValueError(
                    f"termination notice of {event.date}: less than {renewal.notice_days} days "
                    f"before {end} ({renewal.article})"
                )


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
