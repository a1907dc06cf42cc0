"""Properties of the order aggregate under any sequence of commands (hypothesis): every event's
postings balance per book and ledger; the ledger's receivables equal what the order says is
outstanding; and the two books mirror each other."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from test_logistics_domain import D, signed, terms

from accord.errors import AccordError
from accord.logistics.ledger import Posting, assert_balanced, net
from accord.logistics.order import Event, Line

LINES = (
    Line(1, "food", "meals", 30, "ML", 1250, "USD"),
    Line(2, "water", "water", 20, "LI", 300, "JPY"),
)

commands = st.lists(
    st.tuples(
        st.sampled_from(["deliver", "bill", "settle", "reverse", "close"]),
        st.integers(1, 2),
        st.integers(1, 30),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(method=st.sampled_from(["cash", "eve", "rik"]), steps=commands)
def test_any_command_sequence_keeps_the_books_consistent(
    method: str, steps: list[tuple[str, int, int]]
) -> None:
    order = signed(terms(method=method, lines=LINES))
    history: list[Event] = []
    postings: list[Posting] = []
    day = D
    for n, (kind, line, qty) in enumerate(steps):
        day += dt.timedelta(days=1)
        payload: dict[str, object]
        if kind == "deliver":
            event = Event(f"x{n}", "delivered", day, {"quantities": {str(line): qty}})
        elif kind == "bill":
            amounts = order.delivered_value() if method == "cash" else {}
            event = Event(f"x{n}", "billed", day, {"amounts": amounts})
        elif kind == "settle":
            if method == "rik":
                payload = {"method": "rik", "quantities": {str(line): qty}}
            else:
                ccy = LINES[line - 1].currency
                payload = {"method": method, "amounts": {ccy: qty * 100}}
            event = Event(f"x{n}", "settled", day, payload)
        elif kind == "reverse":
            targets = [e.id for e in history if e.kind in ("delivered", "billed", "settled")]
            if not targets:
                continue
            event = Event(f"x{n}", "reversed", day, {"target": targets[qty % len(targets)]})
        else:
            event = Event(f"x{n}", "closed", day, {})
        before = order.version
        try:
            posted = order.apply(event)
        except AccordError:
            assert order.version == before  # a refused event leaves no trace
            continue
        assert_balanced(posted)
        history.append(event)
        postings += posted

    balances = net(postings)
    owed = order.outstanding_money()
    for ccy in ("USD", "JPY"):
        receivable = sum(
            v
            for (book, _, _, kind, ledger), v in balances.items()
            if book == "JPN"
            and ledger == ccy
            and kind in ("unbilled-receivable", "receivable", "in-kind-receivable")
        )
        assert receivable == owed.get(ccy, 0)
    mirrored = {
        (cp, book, agr, ledger): v
        for (book, cp, agr, kind, ledger), v in balances.items()
        if kind.endswith("receivable")
    }
    payable = {
        (book, cp, agr, ledger): -v
        for (book, cp, agr, kind, ledger), v in balances.items()
        if kind.endswith("payable")
    }
    totals_r: dict[tuple[str, str, str, str], int] = {}
    for k, v in mirrored.items():
        totals_r[k] = totals_r.get(k, 0) + v
    totals_p: dict[tuple[str, str, str, str], int] = {}
    for k, v in payable.items():
        totals_p[k] = totals_p.get(k, 0) + v
    assert {k: v for k, v in totals_r.items() if v} == {k: v for k, v in totals_p.items() if v}
