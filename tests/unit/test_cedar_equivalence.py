"""Accord's support decisions and the exported Cedar policies give the same answers.

A differential test: seeded random questions (weighted towards the days around every change in
the agreement set) are decided by Accord and by cedarpy on `export_cedar`'s policies, and every
`allowed` must match; where Accord allows, the clause it cites must be among the policies Cedar
says permitted. Besides the shipped reference set, small random agreement sets (multilateral
agreements, implementing arrangements, overlapping agreements, exclusions and national law) are
checked against the rule itself, `evaluate_support`, as well as `SupportIndex`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence

import cedarpy
import pytest

from accord.agreements.cedar import export_cedar
from accord.agreements.compiled import (
    NEVER,
    Clause,
    CompiledAgreement,
    CompiledLaw,
    CompiledVersion,
    Exclusion,
    LawLimit,
    LawSituation,
)
from accord.agreements.decisions import Decision, SupportIndex, SupportQuestion, evaluate_support
from accord.agreements.files import REFERENCE_DIR
from accord.agreements.index import AgreementIndex, compile_set
from accord.agreements.loader import load
from accord.vocabulary import CATEGORY_CODES, LOGISTICS_KINDS, SITUATION_CODES

FIRST = dt.date(1985, 1, 1).toordinal()
LAST = dt.date(2027, 12, 31).toordinal()
Decide = Callable[[SupportQuestion], Decision]


@pytest.fixture(scope="module")
def reference() -> AgreementIndex:
    return compile_set(load([REFERENCE_DIR]))


def change_days(agreements: Sequence[CompiledAgreement], laws: dict[str, CompiledLaw]) -> list[int]:
    days: set[int] = set()
    for agreement in agreements:
        days |= agreement.change_days()
    for law in laws.values():
        days |= law.change_days()
    return sorted(days)


def questions(
    rng: random.Random,
    count: int,
    pairs: Sequence[tuple[str, str]],
    outsiders: Sequence[str],
    days: Sequence[int],
    first: int = FIRST,
    last: int = LAST,
    categories: Sequence[str] = CATEGORY_CODES,
    situations: Sequence[str] = SITUATION_CODES,
) -> list[SupportQuestion]:
    """`count` questions between distinct nations (the command line rejects the same nation
    twice). Most ask about an ordered pair of parties to one agreement (`pairs`); the rest mix
    nations of different pairs and a few nations with no agreement (`outsiders`). Half the dates
    fall on a change day or on the day either side of one."""
    nations = sorted({n for pair in pairs for n in pair})

    def nation() -> str:
        return rng.choice(outsiders) if outsiders and rng.random() < 0.2 else rng.choice(nations)

    result = []
    for _ in range(count):
        if rng.random() < 0.7:
            supplier, recipient = rng.choice(pairs)
        else:
            supplier, recipient = nation(), nation()
            while recipient == supplier:
                recipient = nation()
        if days and rng.random() < 0.5:
            day = rng.choice(days) + rng.choice((-1, 0, 1))
        else:
            day = rng.randint(first, last)
        result.append(
            SupportQuestion(
                supplier,
                recipient,
                rng.choice(categories),
                rng.choice(situations),
                dt.date.fromordinal(day),
            )
        )
    return result


def party_pairs(agreements: Sequence[CompiledAgreement]) -> list[tuple[str, str]]:
    """Every ordered pair of distinct parties to one of the agreements."""
    return sorted({(s, r) for a in agreements for s in a.parties for r in a.parties if s != r})


def outsiders(index: AgreementIndex) -> list[str]:
    """A few nations that are party to no agreement in the set."""
    parties = {p for a in index.agreements for p in a.parties}
    return [n for n in ("BRA", "ZAF", "MEX", "EGY") if n not in parties]


def request(question: SupportQuestion) -> dict[str, object]:
    return {
        "principal": f'Accord::Nation::"{question.supplier}"',
        "action": 'Accord::Action::"provide"',
        "resource": f'Accord::Nation::"{question.recipient}"',
        "context": {
            "category": question.category,
            "situation": question.situation,
            "day": question.on.toordinal(),
        },
    }


def assert_same(policies: str, asked: list[SupportQuestion], decides: dict[str, Decide]) -> None:
    """Every decider agrees with Cedar on every question; the permitting clause is a reason."""
    results = cedarpy.is_authorized_batch(
        [request(q) for q in asked], cedarpy.PolicySet.from_str(policies), "[]"
    )
    assert len(results) == len(asked)
    for question, result in zip(asked, results, strict=True):
        assert not result.diagnostics.errors, (question, result.diagnostics.errors)
        ids = result.diagnostics.id_annotations_by_reason
        cedar_ids = sorted(ids.get(r, r) for r in result.diagnostics.reasons)
        for name, decide in decides.items():
            decision = decide(question)
            context = (
                f"{name} and Cedar disagree on {json.dumps(question.as_json())}: "
                f"{name} allowed={decision.allowed} ({decision.reasons[0].code}: "
                f"{decision.reasons[0].clause_id or decision.reasons[0].agreement}); "
                f"Cedar allowed={result.allowed} (reasons {cedar_ids})"
            )
            assert decision.allowed == result.allowed, context
            if decision.allowed:
                assert decision.reasons[0].clause_id in cedar_ids, context


def test_reference_set_agrees_with_cedar(reference: AgreementIndex) -> None:
    rng = random.Random(20150413)
    pairs = party_pairs(reference.agreements)
    days = change_days(reference.agreements, reference.laws)
    asked = questions(rng, 12_000, pairs, outsiders(reference), days)
    index = SupportIndex(reference.agreements, reference.laws)
    policies = export_cedar(reference.agreements, reference.laws)
    assert_same(
        policies,
        asked,
        {
            "SupportIndex": lambda q: index.decide(
                q.supplier, q.recipient, q.category, q.situation, q.on
            )
        },
    )
    allowed = sum(
        index.decide(q.supplier, q.recipient, q.category, q.situation, q.on).allowed for q in asked
    )
    assert 0.05 * len(asked) < allowed < 0.95 * len(asked), f"{allowed} of {len(asked)} allowed"


def test_export_for_one_day_agrees_on_that_day(reference: AgreementIndex) -> None:
    rng = random.Random(7)
    pairs = party_pairs(reference.agreements)
    index = SupportIndex(reference.agreements, reference.laws)
    days = change_days(reference.agreements, reference.laws)
    for day in [*rng.sample(days, 8), dt.date(2015, 4, 13).toordinal(), FIRST, LAST]:
        on = dt.date.fromordinal(day + rng.choice((-1, 0, 1)))
        asked = [
            SupportQuestion(q.supplier, q.recipient, q.category, q.situation, on)
            for q in questions(rng, 300, pairs, outsiders(reference), [])
        ]
        assert_same(
            export_cedar(reference.agreements, reference.laws, on),
            asked,
            {
                "SupportIndex": lambda q: index.decide(
                    q.supplier, q.recipient, q.category, q.situation, q.on
                )
            },
        )


def policy_ids(policies: str) -> Counter[tuple[str, str]]:
    """(effect, @id) of every policy, read back through Cedar's own parser."""
    parsed = json.loads(cedarpy.policies_to_json_str(policies))
    return Counter((p["effect"], p["annotations"]["id"]) for p in parsed["staticPolicies"].values())


def test_one_permit_per_clause_and_one_forbid_per_law_rule(reference: AgreementIndex) -> None:
    ids = policy_ids(export_cedar(reference.agreements, reference.laws))
    clauses = [
        c.uid
        for a in reference.agreements
        if a.kind in LOGISTICS_KINDS
        for v in a.versions
        for c in v.clauses
    ]
    assert clauses
    law_rules = [lim.uid for law in reference.laws.values() for lim in law.limits] + [
        f"{law.id}/situation/{code}" for law in reference.laws.values() for code in law.situations
    ]
    assert ids == Counter(
        [("permit", uid) for uid in clauses] + [("forbid", uid) for uid in law_rules]
    )


def test_export_is_deterministic_and_dates_are_annotated(reference: AgreementIndex) -> None:
    first = export_cedar(reference.agreements, reference.laws)
    assert first == export_cedar(reference.agreements, reference.laws)
    for line in first.splitlines():
        if "context.day" in line and not line.lstrip().startswith("//"):
            number = int(line.split("context.day")[1].split()[1])
            assert f"// {dt.date.fromordinal(number).isoformat()}" in line, line


def test_export_for_a_day_keeps_only_the_policies_in_force() -> None:
    index = compile_set(load([REFERENCE_DIR]))
    ids = {
        uid
        for _, uid in policy_ids(export_cedar(index.agreements, index.laws, dt.date(2015, 4, 13)))
    }
    assert "jpn-usa-acsa-1996/2004/art-1" in ids
    assert "jpn-usa-acsa-2016/2017/art-2" not in ids
    assert "jpn-usa-acsa-1996/1999/art-1" not in ids
    assert "jpn-law/situation/important-influence" in ids  # not yet known to law: forbids
    assert "jpn-law/situation/areas-surrounding" not in ids  # known to law that day


# Small hand-made and random agreement sets --------------------------------------------------

DAY0 = dt.date(2000, 1, 1).toordinal()


def _clause(uid: str, situations: set[str], categories: set[str]) -> Clause:
    return Clause(uid, uid.rsplit("/", 1)[-1], "", frozenset(situations), frozenset(categories), ())


def _agreement(
    id: str,
    parties: set[str],
    versions: tuple[CompiledVersion, ...],
    in_force: int | None = DAY0,
    end: int = NEVER,
    kind: str = "acsa",
    implements: str | None = None,
) -> CompiledAgreement:
    return CompiledAgreement(
        id, kind, id.upper(), frozenset(parties), in_force, in_force, end, implements, versions, ()
    )


def test_an_exclusion_does_not_override_another_agreement_in_force() -> None:
    """Agreement A excludes fuel from JPN; agreement B, in force at the same time for the same
    pair, permits it: Accord allows under B, and so must the policies."""
    fuel_excluded = Exclusion(
        "a/1/no-fuel", "Art. 9", "no fuel", "JPN", frozenset({"fuel"}), None, ()
    )
    a = _agreement(
        "a",
        {"JPN", "USA"},
        (
            CompiledVersion(
                "1", "", DAY0, (_clause("a/1/c", {"exercise"}, {"fuel"}),), (fuel_excluded,), ()
            ),
        ),
    )
    b = _agreement(
        "b",
        {"JPN", "USA", "KOR"},
        (
            CompiledVersion(
                "1", "", DAY0, (_clause("b/1/c", {"exercise"}, {"fuel", "food"}),), (), ()
            ),
        ),
    )
    on = dt.date.fromordinal(DAY0 + 10)
    asked = [
        SupportQuestion(s, r, "fuel", "exercise", on)
        for s, r in (("JPN", "USA"), ("USA", "JPN"), ("JPN", "KOR"), ("KOR", "USA"))
    ]
    decision = evaluate_support((a, b), {}, "JPN", "USA", "fuel", "exercise", on.toordinal())
    assert decision.allowed and decision.reasons[0].clause_id == "b/1/c"
    only_a = evaluate_support((a,), {}, "JPN", "USA", "fuel", "exercise", on.toordinal())
    assert not only_a.allowed
    for agreements in ((a, b), (a,)):
        assert_same(
            export_cedar(agreements, {}),
            asked,
            {"evaluate_support": _rule(agreements, {})},
        )


def _rule(agreements: tuple[CompiledAgreement, ...], laws: dict[str, CompiledLaw]) -> Decide:
    def decide(q: SupportQuestion) -> Decision:
        return evaluate_support(
            agreements, laws, q.supplier, q.recipient, q.category, q.situation, q.on.toordinal()
        )

    return decide


def _random_set(
    rng: random.Random, nations: Sequence[str], categories: Sequence[str], situations: Sequence[str]
) -> tuple[tuple[CompiledAgreement, ...], dict[str, CompiledLaw]]:
    """A set the loader would accept: unique ids, parents present, versions in order with the
    first effective on entry into force, exclusion suppliers among the parties."""

    def some(pool: Sequence[str], low: int = 1) -> frozenset[str]:
        return frozenset(rng.sample(pool, rng.randint(low, len(pool))))

    agreements: list[CompiledAgreement] = []
    for n in range(rng.randint(1, 5)):
        kind = rng.choice(("acsa", "acsa", "implementing-arrangement", "gsomia"))
        if kind == "implementing-arrangement" and not agreements:
            kind = "acsa"
        parties = frozenset(rng.sample(nations, rng.choice((2, 2, 3))))
        signed = DAY0 + rng.randint(0, 300)
        in_force = None if rng.random() < 0.1 else signed + rng.randint(0, 30)
        end = NEVER if rng.random() < 0.5 else (in_force or signed) + rng.randint(1, 400)
        agreement_id = f"ag{n}"
        versions = []
        effective = in_force or signed
        for v in range(rng.randint(1, 3)):
            prefix = f"{agreement_id}/v{v}"
            versions.append(
                CompiledVersion(
                    f"v{v}",
                    "",
                    effective,
                    tuple(
                        _clause(f"{prefix}/c{c}", set(some(situations)), set(some(categories)))
                        for c in range(rng.randint(1, 3))
                    ),
                    tuple(
                        Exclusion(
                            f"{prefix}/x{x}",
                            "Art. X",
                            "",
                            rng.choice((None, *sorted(parties))),
                            some(categories),
                            None if rng.random() < 0.4 else some(situations),
                            (),
                        )
                        for x in range(rng.choice((0, 0, 1, 2)))
                    ),
                    (),
                )
            )
            effective += rng.randint(1, 200)
        agreements.append(
            CompiledAgreement(
                agreement_id,
                kind,
                agreement_id.upper(),
                parties,
                signed,
                in_force,
                end,
                rng.choice(agreements).id if kind == "implementing-arrangement" else None,
                tuple(versions),
                (),
            )
        )
    laws: dict[str, CompiledLaw] = {}
    for nation in rng.sample(nations, rng.randint(0, 2)):
        known = {}
        for code in rng.sample(situations, rng.randint(0, 2)):
            start = DAY0 + rng.randint(-50, 500)
            until = NEVER if rng.random() < 0.5 else start + rng.randint(1, 300)
            known[code] = LawSituation(code, "Act", start, until, ())
        limits = tuple(
            LawLimit(f"{nation.lower()}-law/limit{i}", "Act", "", some(categories), ())
            for i in range(rng.choice((0, 1)))
        )
        laws[nation] = CompiledLaw(f"{nation.lower()}-law", nation, "Law", known, limits)
    return tuple(agreements), laws


def test_random_agreement_sets_agree_with_cedar() -> None:
    rng = random.Random(1988)
    nations = ("JPN", "KOR", "USA", "AUS")
    categories = ("fuel", "food", "ammunition", "weapons")
    situations = ("exercise", "pko", "armed-attack", "important-influence")
    for _ in range(60):
        agreements, laws = _random_set(rng, nations, categories, situations)
        index = SupportIndex(agreements, laws)
        asked = questions(
            rng,
            150,
            party_pairs(agreements) or [("JPN", "USA")],
            ("BRA",),
            change_days(agreements, laws),
            DAY0 - 100,
            DAY0 + 1200,
            categories,
            situations,
        )
        assert_same(
            export_cedar(agreements, laws),
            asked,
            {
                "evaluate_support": _rule(agreements, laws),
                "SupportIndex": lambda q, index=index: index.decide(  # type: ignore[misc]
                    q.supplier, q.recipient, q.category, q.situation, q.on
                ),
            },
        )
