"""Properties of release decisions and equivalents over the shipped information agreements
(issue 3):

- no release is allowed without an information agreement in force between holder and
  recipient (computed here from the validated agreement files, not from the compiled index);
- an onward release (originator neither holder nor recipient) is never allowed, directly or
  through a hub, without the originator's consent (TISA; GSOMIA Art. 6; 32 CFR 117.19);
- Korea's Ⅰ급 is never released (JoongAng 2016-11-23);
- translating a marking to a nation and back never raises its level;
- the memoized index gives exactly the answers of the direct rule.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agreements.compiled import effective_end
from accord.agreements.loader import AgreementSet, load
from accord.sharing.equivalence import translate
from accord.sharing.index import SharingIndex, build
from accord.sharing.release import evaluate_release
from accord.sharing.schemes import LEVELS, SCHEMES
from accord.vocabulary import INFORMATION_KINDS, TOPICS

NATIONS = sorted(SCHEMES)
dates = st.dates(min_value=dt.date(1985, 1, 1), max_value=dt.date(2030, 12, 31))
# Dates near the boundaries are where a rule breaks; mix them in.
BOUNDARIES = [
    dt.date(1987, 9, 24),
    dt.date(2007, 8, 10),
    dt.date(2014, 12, 10),
    dt.date(2014, 12, 29),
    dt.date(2016, 11, 23),
    dt.date(2019, 11, 23),
    dt.date(2023, 3, 21),
]
near = st.builds(
    lambda d, k: d + dt.timedelta(days=k), st.sampled_from(BOUNDARIES), st.integers(-2, 2)
)
any_date = st.one_of(dates, near)


@cache
def agreement_set() -> AgreementSet:
    return load()


@cache
def index() -> SharingIndex:
    return build()


def bilateral_in_force(a: str, b: str, on: dt.date) -> bool:
    for agreement in agreement_set().agreements:
        if agreement.kind not in INFORMATION_KINDS:
            continue
        if not {a, b} <= set(agreement.parties):
            continue
        if agreement.hub is not None and agreement.hub not in (a, b):
            continue  # a hub arrangement never lets two spokes exchange directly
        end = effective_end(agreement) or dt.date.max
        if agreement.in_force and agreement.in_force <= on < end:
            return True
    return False


questions = st.tuples(
    st.sampled_from(NATIONS),
    st.sampled_from(NATIONS),
    st.sampled_from(NATIONS),
    st.sampled_from(sorted(LEVELS)),
    st.sampled_from(TOPICS),
    st.booleans(),
    any_date,
).filter(lambda q: q[0] != q[1] and LEVELS[q[3]].nation == q[2])


@settings(max_examples=400, deadline=None)
@given(questions)
def test_no_release_without_an_agreement_in_force(
    q: tuple[str, str, str, str, str, bool, dt.date],
) -> None:
    holder, recipient, originator, code, topic, consent, on = q
    decision = index().release.decide(
        holder, recipient, LEVELS[code], topic, originator, consent, on
    )
    if decision.allowed:
        assert bilateral_in_force(holder, recipient, on), q
    for route in decision.routes:
        assert route[0] == holder and route[-1] == recipient
        assert all(bilateral_in_force(a, b, on) for a, b in pairwise(route))


@settings(max_examples=400, deadline=None)
@given(questions)
def test_onward_releases_always_need_the_originators_consent(
    q: tuple[str, str, str, str, str, bool, dt.date],
) -> None:
    holder, recipient, originator, code, topic, _, on = q
    if originator in (holder, recipient):
        return
    decision = index().release.decide(holder, recipient, LEVELS[code], topic, originator, False, on)
    assert not decision.allowed and not decision.routes, q
    consented = index().release.decide(holder, recipient, LEVELS[code], topic, originator, True, on)
    if consented.allowed:  # then consent was the only thing missing, and the answer says so
        assert decision.reasons[0].code == "originator-consent-required", q


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(NATIONS), st.sampled_from(TOPICS), st.booleans(), any_date)
def test_korean_first_grade_secrets_are_never_released(
    recipient: str, topic: str, consent: bool, on: dt.date
) -> None:
    for holder in NATIONS:
        if holder == recipient:
            continue
        decision = index().release.decide(
            holder, recipient, LEVELS["KOR-I"], topic, "KOR", consent, on
        )
        assert not decision.allowed and not decision.routes
        assert decision.reasons[0].code == "level-not-covered"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(LEVELS)), st.sampled_from(NATIONS), any_date)
def test_there_and_back_never_raises_the_level(code: str, to: str, on: dt.date) -> None:
    level = LEVELS[code]
    if level.nation == to:
        return
    there = translate(index().agreements, level, to, on.toordinal())
    if there.marking is None:
        return
    back = translate(index().agreements, LEVELS[there.marking], level.nation, on.toordinal())
    if back.marking is not None:
        assert LEVELS[back.marking].rank <= level.rank, (code, there.marking, back.marking)


@settings(max_examples=300, deadline=None)
@given(questions)
def test_the_index_gives_the_answers_of_the_rule(
    q: tuple[str, str, str, str, str, bool, dt.date],
) -> None:
    holder, recipient, originator, code, topic, consent, on = q
    fast = index().release.decide(holder, recipient, LEVELS[code], topic, originator, consent, on)
    direct = evaluate_release(
        index().agreements,
        holder,
        recipient,
        LEVELS[code],
        topic,
        originator,
        consent,
        on.toordinal(),
    )
    assert fast == direct
