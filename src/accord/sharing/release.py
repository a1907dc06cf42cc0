"""Release decisions: may HOLDER pass classified information at LEVEL on TOPIC to RECIPIENT on
a date, and if not directly, through which hub?

The rule (`evaluate_release`), stated once:

1. National policy first: a level its nation never gives to another country (Korea's Ⅰ급), or a
   marking that did not exist on the date, is `level-not-covered`, whoever asks.
2. A direct release needs an information agreement in force between holder and recipient (a
   GSOMIA, or an arrangement of which one of them is the hub) whose version covers the topic and
   whose equivalence table covers the level. Information of a third nation (the originator) is
   first taken at the holder's own equivalent marking, from the agreement under which the holder
   received it.
3. An onward release (originator neither holder nor recipient) needs the originator's prior
   written consent (`originator-consent-required`), under the third-party clause of the
   agreement the holder received it under (and, where the holder is a hub, the arrangement's
   own approval rule).
4. Where no direct release is allowed, a hub arrangement in force whose scope covers the topic
   may offer a route holder → hub → recipient (TISA: KOR → USA → JPN), each hop decided as in 2
   and 3; the hub forwards only after the originator's approval, which an originator sending
   its own information through the hub gives. The answer is then `route-required` with the
   routes and the marking at each hop.

`ReleaseIndex` answers the same questions fast: between two days on which any information
agreement or marking changes, every answer is the same, so answers are memoized per segment.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from accord.agreements.decisions import ON, Reason
from accord.sharing.compiled import (
    InfoAgreement,
    InfoVersion,
    ReleaseClause,
    Row,
    scheme_change_days,
)
from accord.sharing.schemes import LEVELS, SCHEMES, Level

DENIAL_ORDER = (
    "route-required",
    "no-agreement",
    "not-in-force",
    "level-not-covered",
    "outside-scope",
    "originator-consent-required",
)
_RANK = {code: i for i, code in enumerate(DENIAL_ORDER)}


@dataclass(frozen=True, slots=True)
class ReleaseQuestion:
    holder: str
    recipient: str
    level: Level  # a marking of the originator's scheme
    topic: str
    originator: str
    consent: bool
    on: dt.date

    def as_json(self) -> dict[str, object]:
        return {
            "from": self.holder,
            "to": self.recipient,
            "level": self.level.code,
            "topic": self.topic,
            "originator": self.originator,
            "originator_consent": self.consent,
            "on": self.on.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class ReleaseDecision:
    allowed: bool
    reasons: tuple[Reason, ...]
    routes: tuple[tuple[str, ...], ...] = ()
    marking: str | None = None  # the recipient's marking on receipt (direct release)
    equivalent: str | None = None  # the English equivalent under the deciding agreement
    route_markings: tuple[tuple[str | None, ...], ...] = ()  # the marking at each hop

    def __post_init__(self) -> None:
        assert self.reasons, "every decision carries at least one reason"
        assert self.allowed == (self.reasons[0].code == "permitted")
        assert not (self.allowed and self.routes), "routes are offered only for denials"
        assert len(self.routes) == len(self.route_markings)


def release_json(question: ReleaseQuestion, decision: ReleaseDecision) -> dict[str, object]:
    """The contract's JSON answer, plus `marking`, `equivalent` and `route_markings`."""
    return {
        "allowed": decision.allowed,
        "question": question.as_json(),
        "reasons": [r.as_json(question.on) for r in decision.reasons],
        "routes": [list(route) for route in decision.routes],
        "marking": decision.marking,
        "equivalent": decision.equivalent,
        "route_markings": [list(m) for m in decision.route_markings],
    }


def _date(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _show(code: str | None) -> str:
    if code is None:
        return "no marking in Accord's vocabulary"
    level = LEVELS[code]
    return code if level.native == code else f"{code} ({level.native})"


def _unique_ordered(reasons: list[Reason]) -> tuple[Reason, ...]:
    seen: dict[Reason, None] = {}
    for reason in sorted(reasons, key=lambda r: _RANK[r.code]):
        seen.setdefault(reason, None)
    return tuple(seen)


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for group in groups for s in group))


def national_denial(level: Level, day: int) -> Reason | None:
    """Korea's Ⅰ급 is never shared; a marking is unusable before it existed."""
    scheme = SCHEMES[level.nation]
    if level.never_released:
        return Reason(
            "level-not-covered",
            f"{level.nation} never releases {level.native} ({level.code}) to another country: "
            f"{level.note} No agreement's equivalence table covers it.",
            None,
            scheme.title,
            None,
            _merge(scheme.never_released_sources, scheme.sources),
        )
    if level.known_from > day:
        return Reason(
            "level-not-covered",
            f"{level.native} ({level.code}) did not exist on {ON}: {level.note}",
            None,
            scheme.title,
            None,
            scheme.sources,
        )
    return None


def _provisional_note(*agreements: InfoAgreement, day: int) -> str:
    """A note for a permit, naming those of `agreements` applied provisionally on the day (not
    yet in force): " (X is provisionally applied from D, ...)"; or "" if none is."""
    said = []
    for agreement in agreements:
        base = agreement.base
        if base.provisionally_applied is None or base.status(day) != "provisionally-applied":
            continue
        entry = (
            f"before its entry into force on {_date(base.in_force)}"
            if base.in_force is not None
            else "not yet in force"
        )
        said.append(
            f"{agreement.short_title} is provisionally applied from "
            f"{_date(base.provisionally_applied)}, {entry}"
        )
    return f" ({'; '.join(said)}.)" if said else ""


def _not_in_force(agreement: InfoAgreement, day: int) -> Reason:
    base = agreement.base
    applied = base.provisionally_applied
    if agreement.status(day) == "ended":
        why = f"it ended on {_date(base.end)}"
    elif applied is not None:
        entry = (
            f"took effect on {_date(base.in_force)}"
            if base.in_force is not None
            else "has not entered into force"
        )
        why = (
            f"it was signed on {_date(base.signed or applied)}, provisionally applied from "
            f"{_date(applied)}, and {entry}"
        )
    elif base.in_force is not None:
        why = (
            f"it was signed on {_date(base.signed or base.in_force)} and took effect on "
            f"{_date(base.in_force)}"
        )
    else:
        why = "it has not entered into force"
    state = "in force" if applied is None else "in force or provisionally applied"
    return Reason(
        "not-in-force",
        f"{agreement.short_title} is not {state} on {ON}: {why}.",
        agreement.id,
        None,
        None,
        agreement.sources,
    )


@dataclass(frozen=True, slots=True)
class _Hop:
    """The outcome of one direct release: a permit, or the reasons that deny it."""

    permit: Reason | None
    denials: tuple[Reason, ...]
    marking: str | None = None
    equivalent: str | None = None
    via: str = ""  # the bilateral agreement and article the hop travels under


class _Rule:
    """The release rule over one set of information agreements."""

    def __init__(self, agreements: tuple[InfoAgreement, ...]) -> None:
        self.agreements = agreements
        self.by_id = {a.id: a for a in agreements}

    def _between(self, a: str, b: str) -> list[InfoAgreement]:
        return [x for x in self.agreements if a in x.parties and b in x.parties]

    def holder_row(
        self, agreement: InfoAgreement, version: InfoVersion, level: Level, holder: str, day: int
    ) -> tuple[Row | None, str]:
        """The row of `agreement`'s table that `level` falls in, and how it was found.

        A marking of a party is looked up directly. Information of a third nation is taken at
        the holder's own marking, from the table of the agreement in force between originator
        and holder (the one the holder received it under); without one, at the level's
        nominal English equivalent."""
        if level.nation in agreement.parties:
            return version.row(level.code), ""
        for received in self._between(level.nation, holder):
            received_version = received.version_on(day)
            if received.hub is not None or not received.in_force(day) or not received_version:
                continue
            row = received_version.row(level.code)
            if row is not None:
                held = row.receiving_marking(holder, day)
                if held is not None:
                    return version.row(held), (
                        f" ({holder} holds it as {_show(held)} under {received.short_title})"
                    )
        return version.row_for_english(level.english), f" (taken as {level.english})"

    def direct(
        self,
        holder: str,
        recipient: str,
        level: Level,
        topic: str,
        originator: str,
        consent: bool,
        day: int,
    ) -> _Hop:
        """A release straight from holder to recipient, without a hub between them."""
        candidates = [
            a
            for a in self._between(holder, recipient)
            if (a.hub is None or a.hub in (holder, recipient)) and a.status(day) != "not-yet-signed"
        ]
        # A hub arrangement between hub and spoke only adds its scope to what the bilateral
        # agreements already allow (TISA para 3): it never permits a hop by itself.
        bilateral = [a for a in candidates if a.hub is None]
        if not bilateral:
            return _Hop(
                None,
                (
                    Reason(
                        "no-agreement",
                        f"No agreement between {holder} and {recipient} provides for the direct "
                        f"release of classified information on {ON}.",
                        None,
                        None,
                        None,
                        (),
                    ),
                ),
            )
        denials: list[Reason] = []
        for agreement in bilateral:
            if not agreement.in_force(day):
                denials.append(_not_in_force(agreement, day))
                continue
            version = agreement.version_on(day)
            assert version is not None, f"{agreement.id} is in force without a version"
            clauses = version.clauses_for(topic)
            if not clauses:
                topics = sorted({t for c in version.releases for t in (c.topics or ())})
                denials.append(
                    Reason(
                        "outside-scope",
                        f"{agreement.short_title} covers only {', '.join(topics) or 'no topic'}, "
                        f"not '{topic}'.",
                        agreement.id,
                        version.releases[0].article if version.releases else None,
                        version.releases[0].uid if version.releases else None,
                        version.releases[0].sources if version.releases else agreement.sources,
                    )
                )
                continue
            row, how = self.holder_row(agreement, version, level, holder, day)
            clause = next(
                (c for c in clauses if row and (c.levels is None or row.equivalent in c.levels)),
                None,
            )
            if row is None or clause is None:
                what = f"{level.native} ({level.code}){how}"
                table = ", ".join(r.equivalent for r in version.rows) or "none"
                article = version.rows[0].article if version.rows else clauses[0].article
                denials.append(
                    Reason(
                        "level-not-covered",
                        f"{article} of {agreement.short_title} gives no equivalent for {what} that "
                        f"may be exchanged; it covers: {table}.",
                        agreement.id,
                        article,
                        clauses[0].uid,
                        _merge(*(r.sources for r in version.rows)) or clauses[0].sources,
                    )
                )
                continue
            marking = row.receiving_marking(recipient, day)
            onward = originator not in (holder, recipient)
            if onward and not consent:
                denials.append(
                    self._consent_needed(agreement, holder, recipient, originator, topic, day)
                )
                continue
            return _Hop(
                self._permit(
                    agreement,
                    clause,
                    row,
                    level,
                    how,
                    holder,
                    recipient,
                    originator,
                    topic,
                    marking,
                    onward,
                    day,
                ),
                (),
                marking,
                row.equivalent,
                f"{agreement.short_title}, {clause.article}",
            )
        return _Hop(None, _unique_ordered(denials))

    def _hub_forwarding(
        self, holder: str, recipient: str, originator: str, topic: str, day: int
    ) -> InfoAgreement | None:
        """The hub arrangement under which `holder`, its hub, forwards `originator`'s information
        to `recipient` (TISA: the US DoD passing Korean information to Japan)."""
        for arrangement in self.agreements:
            if (
                arrangement.hub == holder
                and {originator, recipient} <= arrangement.parties
                and arrangement.in_force(day)
            ):
                version = arrangement.version_on(day)
                if version and version.clauses_for(topic):
                    return arrangement
        return None

    def _consent_needed(
        self,
        agreement: InfoAgreement,
        holder: str,
        recipient: str,
        originator: str,
        topic: str,
        day: int,
    ) -> Reason:
        hub = self._hub_forwarding(holder, recipient, originator, topic, day)
        rules = []
        if hub is not None:
            hub_version = hub.version_on(day)
            if hub_version and hub_version.third_party:
                rules.append((hub, hub_version.third_party))
        for received in self._between(originator, holder):
            version = received.version_on(day)
            if received.hub is None and received.in_force(day) and version and version.third_party:
                rules.append((received, version.third_party))
        if rules:
            first, rule = rules[0]
            return Reason(
                "originator-consent-required",
                f"{holder} may pass {originator}'s information to {recipient} only with "
                f"{originator}'s prior written consent: {rule.article} of {first.short_title}: "
                f"{rule.summary}",
                first.id,
                rule.article,
                rule.uid,
                _merge(*(r.sources for _, r in rules)),
            )
        third = agreement.version_on(day)
        return Reason(
            "originator-consent-required",
            f"{holder} may pass {originator}'s information to {recipient} only with "
            f"{originator}'s prior written consent (the originator controls onward release).",
            agreement.id,
            third.third_party.article if third and third.third_party else None,
            third.third_party.uid if third and third.third_party else None,
            third.third_party.sources if third and third.third_party else agreement.sources,
        )

    def _permit(
        self,
        agreement: InfoAgreement,
        clause: ReleaseClause,
        row: Row,
        level: Level,
        how: str,
        holder: str,
        recipient: str,
        originator: str,
        topic: str,
        marking: str | None,
        onward: bool,
        day: int,
    ) -> Reason:
        remark = (
            f"{recipient} marks it {_show(marking)} with the originator {originator}"
            if marking
            else f"{recipient} has no marking in Accord's vocabulary for {row.equivalent} on {ON}"
        )
        base = (
            f"{clause.article} of {agreement.short_title} allows {holder} to release "
            f"{level.native} ({level.code}){how} on '{topic}' to {recipient} on {ON}, at the "
            f"equivalent {row.equivalent.upper()} ({row.article}); {remark}."
        )
        base += _provisional_note(agreement, day=day)
        if not onward:
            return Reason(
                "permitted",
                base,
                agreement.id,
                clause.article,
                clause.uid,
                _merge(clause.sources, row.sources),
            )
        hub = self._hub_forwarding(holder, recipient, originator, topic, day)
        if hub is not None:
            hub_version = hub.version_on(day)
            assert hub_version is not None
            hub_clause = hub_version.clauses_for(topic)[0]
            return Reason(
                "permitted",
                f"{hub_clause.article} of {hub.short_title}: {holder}, the hub, forwards "
                f"{originator}'s information to {recipient} with {originator}'s prior written "
                f"consent on record; {base}{_provisional_note(hub, day=day)}",
                hub.id,
                hub_clause.article,
                hub_clause.uid,
                _merge(hub_clause.sources, clause.sources, row.sources),
            )
        return Reason(
            "permitted",
            f"{base} {originator}'s prior written consent to this onward release is on record.",
            agreement.id,
            clause.article,
            clause.uid,
            _merge(clause.sources, row.sources),
        )

    def routes(
        self,
        holder: str,
        recipient: str,
        level: Level,
        topic: str,
        originator: str,
        consent: bool,
        day: int,
    ) -> tuple[list[tuple[InfoAgreement, _Hop, _Hop]], list[Reason]]:
        """Routes through a hub, and the reasons each hub arrangement offers none."""
        found: list[tuple[InfoAgreement, _Hop, _Hop]] = []
        denials: list[Reason] = []
        for arrangement in self.agreements:
            hub = arrangement.hub
            if hub is None or hub in (holder, recipient):
                continue
            if not {holder, recipient} <= arrangement.parties:
                continue
            if arrangement.status(day) == "not-yet-signed":
                continue
            if not arrangement.in_force(day):
                denials.append(_not_in_force(arrangement, day))
                continue
            version = arrangement.version_on(day)
            assert version is not None
            if not version.clauses_for(topic):
                topics = sorted({t for c in version.releases for t in (c.topics or ())})
                release = version.releases[0] if version.releases else None
                denials.append(
                    Reason(
                        "outside-scope",
                        f"{arrangement.short_title} would route it through {hub}, but it covers "
                        f"only {', '.join(topics)}, not '{topic}'.",
                        arrangement.id,
                        release.article if release else None,
                        release.uid if release else None,
                        release.sources if release else arrangement.sources,
                    )
                )
                continue
            if originator not in (holder, recipient) and not consent:
                # An onward release needs the originator's consent, through a hub or not (even
                # where the hub is the originator: it then decides to release it again).
                denials.append(
                    self._consent_needed(arrangement, holder, recipient, originator, topic, day)
                )
                continue
            first = self.direct(holder, hub, level, topic, originator, consent, day)
            # The hub forwards only after the originator's approval, which an originator sending
            # its own information through the hub gives by doing so.
            second = self.direct(
                hub, recipient, level, topic, originator, consent or originator == holder, day
            )
            if first.permit and second.permit:
                found.append((arrangement, first, second))
            else:
                denials.extend(first.denials + second.denials)
        return found, denials


def _route_reason(
    holder: str,
    recipient: str,
    originator: str,
    found: list[tuple[InfoAgreement, _Hop, _Hop]],
    day: int,
) -> Reason:
    arrangement, first, second = found[0]
    version = arrangement.version_on(day)
    assert version is not None and first.permit and second.permit
    clause = version.releases[0]
    hub = arrangement.hub
    consent = version.third_party
    approval = (
        f"; {hub} forwards only after {originator}'s approval is recorded ({consent.article})"
        if consent
        else ""
    )
    return Reason(
        "route-required",
        f"{holder} may not release directly to {recipient} on {ON}, but may through {hub} under "
        f"{clause.article} of {arrangement.short_title}: {holder} → {hub} under {first.via} as "
        f"{_show(first.marking)}, then {hub} → {recipient} under {second.via} as "
        f"{_show(second.marking)}{approval}.{_provisional_note(arrangement, day=day)}",
        arrangement.id,
        clause.article,
        clause.uid,
        _merge(
            clause.sources,
            consent.sources if consent else (),
            first.permit.sources,
            second.permit.sources,
        ),
    )


def evaluate_release(
    agreements: tuple[InfoAgreement, ...],
    holder: str,
    recipient: str,
    level: Level,
    topic: str,
    originator: str,
    consent: bool,
    day: int,
) -> ReleaseDecision:
    """The rule, directly: no index, no memo."""
    national = national_denial(level, day)
    if national is not None:
        return ReleaseDecision(False, (national,))
    rule = _Rule(agreements)
    direct = rule.direct(holder, recipient, level, topic, originator, consent, day)
    if direct.permit is not None:
        return ReleaseDecision(True, (direct.permit,), (), direct.marking, direct.equivalent)
    found, route_denials = rule.routes(holder, recipient, level, topic, originator, consent, day)
    if found:
        routes = tuple((holder, a.hub or "", recipient) for a, _, _ in found)
        markings = tuple((level.code, first.marking, second.marking) for _, first, second in found)
        reason = _route_reason(holder, recipient, originator, found, day)
        return ReleaseDecision(
            False, (reason, *_unique_ordered(list(direct.denials))), routes, None, None, markings
        )
    # The direct answer's reasons first (they decide the question asked), then why no hub
    # offers a route.
    ordered = _unique_ordered(list(direct.denials))
    extra = tuple(r for r in _unique_ordered(route_denials) if r not in ordered)
    return ReleaseDecision(False, ordered + extra)


class ReleaseIndex:
    """Answers release questions fast; same answers as `evaluate_release`."""

    def __init__(self, agreements: tuple[InfoAgreement, ...]) -> None:
        self.agreements = agreements
        days = {0} | scheme_change_days()
        for agreement in agreements:
            days |= agreement.change_days()
        self.starts = sorted(days)
        self._segments: list[dict[tuple[str, str, str, str, str, bool], ReleaseDecision]] = [
            {} for _ in self.starts
        ]
        self._interned: dict[ReleaseDecision, ReleaseDecision] = {}

    def decide(
        self,
        holder: str,
        recipient: str,
        level: Level,
        topic: str,
        originator: str,
        consent: bool,
        on: dt.date,
    ) -> ReleaseDecision:
        return self.decide_day(holder, recipient, level, topic, originator, consent, on.toordinal())

    def decide_day(
        self,
        holder: str,
        recipient: str,
        level: Level,
        topic: str,
        originator: str,
        consent: bool,
        day: int,
    ) -> ReleaseDecision:
        segment_no = bisect_right(self.starts, day) - 1
        segment = self._segments[segment_no]
        key = (holder, recipient, level.code, topic, originator, consent)
        decision = segment.get(key)
        if decision is None:
            fresh = evaluate_release(
                self.agreements,
                holder,
                recipient,
                level,
                topic,
                originator,
                consent,
                self.starts[segment_no],
            )
            decision = segment[key] = self._interned.setdefault(fresh, fresh)
        return decision

    def __getstate__(self) -> dict[str, object]:  # pickle the agreements, never the memo
        return {"agreements": self.agreements}

    def __setstate__(self, state: dict[str, object]) -> None:
        agreements = state["agreements"]
        assert isinstance(agreements, tuple)
        self.__init__(agreements)  # type: ignore[misc]
