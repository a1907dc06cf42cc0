"""Support decisions are stored once and cited by events (`services/decision_store.py`): a
citation and its body give back exactly the decision's text, and the orders decided in one
agreement segment, on whatever day, cite one body."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from accord.logistics.order import canonical_json
from accord.services.agreement_check import AgreementCheck
from accord.services.decision_store import cite, cite_decision, is_citation, text_of

DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


@given(DAYS, st.text(), st.text())
def test_a_citation_and_its_body_give_the_text_back(day: dt.date, before: str, after: str) -> None:
    # texts with the date in odd places, and with "{on}" of their own
    on = day.isoformat()
    text = canonical_json({"note": before + on + after, "on": on, "x": [on, before]}).decode()
    citation, body = cite(text, on)
    assert is_citation(citation)
    assert text_of(citation, body) == text
    assert len(citation["sha256"]) == 64


def test_a_text_with_a_placeholder_of_its_own_is_kept_whole() -> None:
    text = canonical_json({"message": "valid {on} the day", "on": "2024-05-01"}).decode()
    citation, body = cite(text, "2024-05-01")
    assert citation["on"] is None and body == text


def test_orders_in_one_agreement_segment_cite_one_body() -> None:
    """JPN supplying fuel to USA in an exercise under the 2016 ACSA (in force 2017-04-25): the
    decisions of two days in that segment differ only by their date, and are stored once."""
    check = AgreementCheck()
    first = check.check("JPN", "USA", ("fuel",), "exercise", dt.date(2024, 5, 1), None)
    second = check.check("JPN", "USA", ("fuel",), "exercise", dt.date(2025, 2, 3), None)
    assert first != second  # the date is in the decision, and in its reasons' messages
    (c1, b1), (c2, b2) = cite_decision(first), cite_decision(second)
    assert c1["sha256"] == c2["sha256"] and b1 == b2
    assert (c1["on"], c2["on"]) == ("2024-05-01", "2025-02-03")
    assert json.loads(text_of(c2, b2)) == second
    # another segment (before the 2016 ACSA, under the 1996 one as amended): another body
    older = check.check("JPN", "USA", ("fuel",), "exercise", dt.date(2015, 4, 13), None)
    assert cite_decision(older)[0]["sha256"] != c1["sha256"]
