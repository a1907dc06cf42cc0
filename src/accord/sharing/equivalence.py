"""Classification equivalents: which marking a nation gives another nation's marking on a date.

The answer comes from the equivalence table of the agreement in force between the marking's
nation and the receiving nation (the Japan–Korea GSOMIA, Art. 4(2): 군사Ⅱ급비밀 = SECRET =
極秘). Without one, a hub arrangement in force between the two gives the equivalent through the
hub's own marking (TISA: KOR → USA → JPN, each step under its bilateral table). A level the
nation never releases, or for which no table gives the receiver a marking, has no equivalent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accord.agreements.decisions import ON, Reason
from accord.sharing.compiled import InfoAgreement, Row
from accord.sharing.release import national_denial
from accord.sharing.schemes import LEVELS, Level


@dataclass(frozen=True, slots=True)
class Translation:
    level: Level
    to: str
    marking: str | None
    equivalent: str | None
    agreement: str | None
    route: tuple[str, ...]
    reasons: tuple[Reason, ...]

    def as_json(self, on: dt.date) -> dict[str, object]:
        native = LEVELS[self.marking].native if self.marking else None
        return {
            "marking": self.marking,
            "native": native,
            "equivalent": self.equivalent,
            "agreement": self.agreement,
            "route": list(self.route),
            "question": {
                "level": self.level.code,
                "from": self.level.nation,
                "to": self.to,
                "on": on.isoformat(),
            },
            "reasons": [r.as_json(on) for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class _Step:
    agreement: InfoAgreement
    row: Row
    marking: str | None


def _step(
    agreements: tuple[InfoAgreement, ...], code: str, source: str, to: str, day: int
) -> tuple[_Step | None, list[Reason]]:
    """`code` (a marking of `source`) in `to`'s scheme under a bilateral agreement in force."""
    reasons: list[Reason] = []
    for agreement in agreements:
        if agreement.hub is not None or not {source, to} <= agreement.parties:
            continue
        status = agreement.status(day)
        if status == "not-yet-signed":
            continue
        if not agreement.in_force(day):
            reasons.append(
                Reason(
                    "not-in-force",
                    f"{agreement.short_title} is not in force on {ON}.",
                    agreement.id,
                    None,
                    None,
                    agreement.sources,
                )
            )
            continue
        version = agreement.version_on(day)
        row = version.row(code) if version else None
        if row is None:
            reasons.append(
                Reason(
                    "level-not-covered",
                    f"{agreement.short_title} gives no equivalent for {LEVELS[code].native} "
                    f"({code}).",
                    agreement.id,
                    version.rows[0].article if version and version.rows else None,
                    None,
                    agreement.sources,
                )
            )
            continue
        return _Step(agreement, row, row.receiving_marking(to, day)), []
    return None, reasons


def translate(
    agreements: tuple[InfoAgreement, ...], level: Level, to: str, day: int
) -> Translation:
    national = national_denial(level, day)
    if national is not None:
        return Translation(level, to, None, None, None, (), (national,))
    step, reasons = _step(agreements, level.code, level.nation, to, day)
    if step is not None:
        if step.marking is None:
            reason = Reason(
                "level-not-covered",
                f"{step.row.article} of {step.agreement.short_title} puts {level.native} "
                f"({level.code}) at {step.row.equivalent.upper()}, for which {to} has no marking "
                f"in Accord's vocabulary on {ON}.",
                step.agreement.id,
                step.row.article,
                None,
                step.row.sources,
            )
            return Translation(
                level, to, None, step.row.equivalent, step.agreement.id, (), (reason,)
            )
        reason = Reason(
            "permitted",
            f"{step.row.article} of {step.agreement.short_title}: {level.native} ({level.code}) "
            f"= {step.row.equivalent.upper()} = {LEVELS[step.marking].native} ({step.marking}).",
            step.agreement.id,
            step.row.article,
            None,
            step.row.sources,
        )
        return Translation(
            level, to, step.marking, step.row.equivalent, step.agreement.id, (), (reason,)
        )
    for arrangement in agreements:
        hub = arrangement.hub
        if (
            hub is None
            or hub in (level.nation, to)
            or not {level.nation, to} <= arrangement.parties
            or not arrangement.in_force(day)
        ):
            continue
        first, _ = _step(agreements, level.code, level.nation, hub, day)
        if first is None or first.marking is None:
            continue
        second, _ = _step(agreements, first.marking, hub, to, day)
        if second is None or second.marking is None:
            continue
        version = arrangement.version_on(day)
        clause = version.releases[0].article if version and version.releases else None
        reason = Reason(
            "permitted",
            f"No agreement between {level.nation} and {to} gives an equivalent on {ON}; under "
            f"{arrangement.short_title} ({clause}) information goes through {hub}: "
            f"{level.code} = {first.marking} ({first.row.article} of "
            f"{first.agreement.short_title}) = {second.marking} ({second.row.article} of "
            f"{second.agreement.short_title}).",
            arrangement.id,
            clause,
            None,
            tuple(dict.fromkeys(first.row.sources + second.row.sources + arrangement.sources)),
        )
        return Translation(
            level,
            to,
            second.marking,
            second.row.equivalent,
            arrangement.id,
            (level.nation, hub, to),
            (reason,),
        )
    if not reasons:
        reasons.append(
            Reason(
                "no-agreement",
                f"No agreement between {level.nation} and {to} gives an equivalent for "
                f"{level.code} on {ON}.",
                None,
                None,
                None,
                (),
            )
        )
    return Translation(level, to, None, None, None, (), tuple(reasons))


def nominal(english: str, to: str) -> Translation:
    """An English equivalent given without a source nation: the receiving nation's own level
    at that equivalent, by its national scheme."""
    from accord.sharing.schemes import SCHEMES

    scheme = SCHEMES[to]
    target = scheme.by_english(english)
    reason = Reason(
        "permitted",
        f"In {to}'s national scheme ({scheme.title}), {english.upper()} is {target.native} "
        f"({target.code}).",
        None,
        scheme.title,
        None,
        scheme.sources,
    )
    return Translation(target, to, target.code, english, None, (), (reason,))
