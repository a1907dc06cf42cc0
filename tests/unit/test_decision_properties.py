"""Properties of support decisions over the shipped agreement set (issue 2):

- no pair without a logistics agreement in force is ever allowed;
- an answer never changes between two dates where no agreement, version or law changes;
- the fast index gives exactly the answers of the direct rule.

Dates and change days are read from the validated agreement files, not from the compiled index,
so these properties check the compilation and the index against the source data.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from accord.agreements.compiled import effective_end
from accord.agreements.decisions import SupportIndex, evaluate_support
from accord.agreements.index import AgreementIndex, compile_set
from accord.agreements.loader import AgreementSet, load
from accord.errors import BadInput
from accord.vocabulary import CATEGORY_CODES, LOGISTICS_KINDS, SITUATION_CODES


@cache
def agreement_set() -> AgreementSet:
    return load()


@cache
def index() -> AgreementIndex:
    return compile_set(agreement_set())


def in_force_between(a: str, b: str, on: dt.date) -> bool:
    by_id = agreement_set().by_id()
    for agreement in agreement_set().agreements:
        if agreement.kind not in LOGISTICS_KINDS or not {a, b} <= set(agreement.parties):
            continue
        end = effective_end(agreement) or dt.date.max
        if agreement.in_force is None or not agreement.in_force <= on < end:
            continue
        parent = by_id.get(agreement.implements) if agreement.implements else None
        if parent and not (
            parent.in_force and parent.in_force <= on < (effective_end(parent) or dt.date.max)
        ):
            continue
        return True
    return False


def change_days(a: str, b: str) -> list[dt.date]:
    days: set[dt.date] = set()
    by_id = agreement_set().by_id()
    for agreement in agreement_set().agreements:
        if agreement.kind not in LOGISTICS_KINDS or not {a, b} <= set(agreement.parties):
            continue
        related = [agreement] + ([by_id[agreement.implements]] if agreement.implements else [])
        for item in related:
            days.update(d for d in (item.signed, item.in_force, effective_end(item)) if d)
            days.update(v.effective for v in item.versions)
    for law in agreement_set().laws:
        if law.nation in (a, b):
            for situation in law.situations:
                days.update(d for d in (situation.known_from, situation.known_until) if d)
    return sorted(days)


def reference_nations() -> list[str]:
    nations = {n for a in agreement_set().agreements for n in a.parties}
    return sorted(nations | {"BRA", "CHN", "ZAF"})


nations = st.sampled_from(reference_nations())
categories = st.sampled_from(CATEGORY_CODES)
situations = st.sampled_from(SITUATION_CODES)
dates = st.dates(min_value=dt.date(1985, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=400, deadline=None)
@given(nations, nations, categories, situations, dates)
def test_no_pair_without_an_agreement_in_force_is_ever_allowed(
    supplier: str, recipient: str, category: str, situation: str, on: dt.date
) -> None:
    assume(supplier != recipient)
    decision = index().support().decide(supplier, recipient, category, situation, on)
    if not in_force_between(supplier, recipient, on):
        assert not decision.allowed
        assert decision.reasons[0].code in ("no-agreement", "not-in-force")


@settings(max_examples=400, deadline=None)
@given(nations, nations, categories, situations, dates, st.integers(0, 4000))
def test_an_answer_never_changes_where_nothing_changes(
    supplier: str, recipient: str, category: str, situation: str, first: dt.date, gap: int
) -> None:
    assume(supplier != recipient)
    days = change_days(supplier, recipient)
    second = first + dt.timedelta(days=gap)
    if bisect_right(days, first) != bisect_right(days, second):
        second = first  # a change day lies between the two: compare the date with itself
    idx = index()

    def direct(on: dt.date) -> object:
        return evaluate_support(
            idx.agreements, idx.laws, supplier, recipient, category, situation, on.toordinal()
        )

    assert direct(first) == direct(second)


@cache
def shared_index() -> SupportIndex:
    """One index for every example, so that its memo is exercised as in real use."""
    return SupportIndex(index().agreements, index().laws)


@settings(max_examples=800, deadline=None)
@given(nations, nations, categories, situations, dates)
def test_the_index_answers_as_the_direct_rule(
    supplier: str, recipient: str, category: str, situation: str, on: dt.date
) -> None:
    assume(supplier != recipient)
    idx = index()
    fresh = shared_index()
    expected = evaluate_support(
        idx.agreements, idx.laws, supplier, recipient, category, situation, on.toordinal()
    )
    assert fresh.decide(supplier, recipient, category, situation, on) == expected
    assert idx.support().decide(supplier, recipient, category, situation, on) == expected


def test_change_days_of_the_index_include_every_date_in_the_files() -> None:
    support = index().support()
    for supplier, recipient in (("JPN", "USA"), ("KOR", "USA"), ("JPN", "KOR"), ("JPN", "AUS")):
        from_index = {dt.date.fromordinal(d) for d in support.change_days(supplier, recipient)}
        assert set(change_days(supplier, recipient)) <= from_index


def test_a_nation_supplying_itself_is_not_a_question_of_agreements() -> None:
    with pytest.raises(BadInput, match="both JPN"):
        index().support().decide("JPN", "JPN", "fuel", "exercise", dt.date(2015, 4, 13))
