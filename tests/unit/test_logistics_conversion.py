"""Replacement in kind (RIK) and equal-value exchange (EVE) not made in 12 months, converted
to cash (pure domain, clocks and report rules; no database).

Rules and their sources:
- RIK and EVE are satisfied within 12 months after the date of delivery: 10 U.S.C. 2345(b).
- What is still owed after them is converted to cash reimbursement at the order's prices:
  DoD policy (DoDD 2010.09, DoD FMR Vol. 11A Ch. 8) as Accord's reference reads it,
  UNVERIFIED; the statute does not say what follows the 12 months.
- Cash is liquidated at least every 12 months: 10 U.S.C. 2345(a); US credits unliquidated more
  than 18 months after delivery may be offset: 10 U.S.C. 2345(c).
- Every ledger transaction sums to zero in each book on each ledger (double entry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from test_logistics_domain import DECISION, terms

from accord.errors import BadInput
from accord.logistics import clocks
from accord.logistics.errors import InvalidTransition
from accord.logistics.ledger import Posting, assert_balanced, net
from accord.logistics.order import Event, Line, Order, OrderTerms, Status, rebuild
from accord.reports import build, rules

AGR = "jpn-usa-acsa-2016"
DELIVERED = dt.date(2024, 5, 3)
DUE = dt.date(2025, 5, 3)  # 12 months after the first delivery (10 U.S.C. 2345(b))
FIRST_DAY = dt.date(2025, 5, 4)  # the first day the conversion may be made


class History:
    """An order and the events applied to it, so that it can be rebuilt from them."""

    def __init__(self, order_terms: OrderTerms) -> None:
        self.order = Order(order_terms)
        self.events: list[Event] = []
        self.postings: list[Posting] = []
        self.apply("created", order_terms.order_date, terms=order_terms.as_json())
        self.apply("proposed", order_terms.order_date, decision=DECISION)
        sig = {"key": "k", "signature": "s", "decision": DECISION, "ceiling": {}}
        self.apply("signed", order_terms.order_date, side="requester", official="us1", **sig)
        self.apply("signed", order_terms.order_date, side="supplier", official="jp1", **sig)

    def apply(self, kind: str, on: dt.date, **payload: Any) -> list[Posting]:
        event = Event(f"e{len(self.events)}", kind, on, payload)
        posted = self.order.apply(event)
        self.events.append(event)
        self.postings += posted
        return posted

    def convert(self, on: dt.date, **changes: Any) -> list[Posting]:
        return self.apply("converted-to-cash", on, **{**self.order.convertible(), **changes})


def delivered(method: str = "rik", **kw: Any) -> History:
    h = History(terms(method=method, **kw))
    h.apply("delivered", DELIVERED, quantities={"1": 100, "2": 1000})
    return h


def test_rik_still_owed_converts_to_cash_at_the_line_prices() -> None:
    """10 U.S.C. 2345(b) + DoD policy (unverified): the quantities still owed in kind become
    owed in cash, each line at its unit price in its currency."""
    h = delivered("rik")
    h.apply("billed", DELIVERED, amounts={})
    h.apply("settled", dt.date(2024, 9, 1), method="rik", quantities={"2": 400})
    conversion = h.order.convertible()
    assert conversion == {
        "method": "rik",
        "lines": [
            {
                "line": 1,
                "quantity": 100,
                "unit": "ML",
                "commodity": "food/ML",
                "unit_price": 1250,
                "currency": "USD",
                "value": 125000,
            },
            {
                "line": 2,
                "quantity": 600,
                "unit": "LI",
                "commodity": "fuel/LI",
                "unit_price": 85,
                "currency": "USD",
                "value": 51000,
            },
        ],
        "amounts": {"USD": 176000},
        "settlement_due": "2025-05-03",
    }
    posted = h.convert(FIRST_DAY)
    assert_balanced(posted)
    assert h.order.status is Status.BILLED
    assert h.order.outstanding_in_kind() == {}
    assert h.order.outstanding_money() == {"USD": 176000}
    assert h.order.settlement_methods() == ("cash",)
    moved = net(posted)
    # the in-kind due comes off the commodity ledgers, the cash receivable goes on
    assert moved[("JPN", "USA", AGR, "in-kind-receivable", "fuel/LI")] == -600
    assert moved[("USA", "JPN", AGR, "in-kind-payable", "food/ML")] == 100
    assert moved[("JPN", "USA", AGR, "receivable", "USD")] == 176000
    assert moved[("USA", "JPN", AGR, "payable", "USD")] == -176000
    # what the books now say is owed: cash only, the in-kind obligation gone
    assert {(x.book, x.kind, x.ledger, x.amount) for x in h.order.open_items()} == {
        ("JPN", "receivable", "USD", 176000),
        ("USA", "payable", "USD", -176000),
    }


def test_settling_the_converted_cash_closes_the_books() -> None:
    """After the conversion the order is settled like a cash order: a payment of what was
    converted settles it, and every receivable and payable is back to zero."""
    h = delivered("rik")
    h.convert(FIRST_DAY)
    with pytest.raises(BadInput, match="not settled by 'rik'"):
        h.apply("settled", FIRST_DAY, method="rik", quantities={"1": 1})
    with pytest.raises(BadInput, match="overpay"):
        h.apply("settled", FIRST_DAY, method="cash", amounts={"USD": 210001})
    h.apply("settled", dt.date(2025, 6, 1), method="cash", amounts={"USD": 10000})
    assert h.order.status is Status.BILLED and h.order.outstanding_money() == {"USD": 200000}
    h.apply("settled", dt.date(2025, 6, 15), method="cash", amounts={"USD": 200000})
    assert h.order.status is Status.SETTLED and not h.order.has_open_obligations()
    assert h.order.open_items() == []
    assert h.order.collected() == {"USD": 210000}
    h.apply("closed", dt.date(2025, 6, 16))
    balances = net(h.postings)
    owed = {k: v for k, v in balances.items() if "receivable" in k[3] or "payable" in k[3]}
    assert owed == {}
    # what remains is a cash sale: support valued in USD, paid in cash; the goods' quantities
    # moved and came off the commodity ledgers
    assert balances == {
        ("JPN", "USA", AGR, "cash", "USD"): 210000,
        ("JPN", "USA", AGR, "support-provided", "USD"): -210000,
        ("USA", "JPN", AGR, "support-received", "USD"): 210000,
        ("USA", "JPN", AGR, "cash", "USD"): -210000,
    }
    assert rebuild(h.events).status is Status.CLOSED


def test_eve_still_owed_converts_its_remaining_value() -> None:
    """EVE is owed as a value per currency (10 U.S.C. 2344(a)): what was not exchanged in 12
    months is owed in cash, moved from the in-kind receivable to the cash one."""
    h = delivered("eve")
    h.apply("billed", DELIVERED, amounts={})
    h.apply("settled", dt.date(2024, 8, 1), method="eve", amounts={"USD": 60000}, note="airlift")
    conversion = h.order.convertible()
    assert conversion["lines"] == [] and conversion["amounts"] == {"USD": 150000}
    posted = h.convert(FIRST_DAY)
    assert net(posted) == {
        ("JPN", "USA", AGR, "receivable", "USD"): 150000,
        ("JPN", "USA", AGR, "in-kind-receivable", "USD"): -150000,
        ("USA", "JPN", AGR, "in-kind-payable", "USD"): 150000,
        ("USA", "JPN", AGR, "payable", "USD"): -150000,
    }
    assert h.order.outstanding_exchange() == {} and h.order.outstanding_cash() == {"USD": 150000}
    with pytest.raises(BadInput, match="not settled by 'eve'"):
        h.apply("settled", FIRST_DAY, method="eve", amounts={"USD": 1})
    h.apply("settled", FIRST_DAY, method="cash", amounts={"USD": 150000})
    assert h.order.status is Status.SETTLED
    assert h.order.collected() == {"USD": 210000}


def test_conversion_before_the_12_months_end_is_refused_naming_the_day() -> None:
    """10 U.S.C. 2345(b): RIK is due within 12 months after delivery; on the last day it is
    still in time, so the conversion is refused with the first day it may be made."""
    h = delivered("rik")
    with pytest.raises(InvalidTransition) as refused:
        h.convert(DUE)
    message = str(refused.value)
    assert "before 2025-05-04" in message and "by 2025-05-03" in message
    assert "10 U.S.C. 2345(b)" in message and "\n" not in message
    assert h.order.status is Status.DELIVERED and h.order.conversions == {}
    assert h.order.outstanding_in_kind() == {1: 100, 2: 1000}
    h.convert(FIRST_DAY)
    assert h.order.status is Status.BILLED


@pytest.mark.parametrize(
    ("order_terms", "message"),
    [
        (terms(method="cash"), "reimbursed in cash"),
        (
            terms(
                ttype="loan",
                method="rik",
                lines=(Line(1, "food", "meals", 100, "ML", 1250, "USD"),),
                return_by=dt.date(2024, 8, 1),
            ),
            "is a loan",
        ),
    ],
    ids=["cash order", "loan"],
)
def test_orders_owing_nothing_in_kind_or_by_exchange_do_not_convert(
    order_terms: OrderTerms, message: str
) -> None:
    """Only RIK and EVE convert (10 U.S.C. 2345(b)); cash is already cash, and a loan's items
    come back (10 U.S.C. 2350(4))."""
    h = History(order_terms)
    h.apply("delivered", DELIVERED, quantities={"1": 100})
    with pytest.raises(BadInput, match=message):
        h.order.convertible()
    with pytest.raises(BadInput, match=message):
        h.apply("converted-to-cash", FIRST_DAY, method="rik", lines=[], amounts={})


def test_cancelled_closed_and_converted_orders_are_refused() -> None:
    cancelled = History(terms(method="rik"))
    cancelled.apply("cancelled", DELIVERED, reason="not needed")
    with pytest.raises(InvalidTransition, match="it is cancelled"):
        cancelled.order.convertible()

    closed = delivered("rik")
    closed.apply("billed", DELIVERED, amounts={})
    closed.apply("settled", DELIVERED, method="rik", quantities={"1": 100, "2": 1000})
    closed.apply("closed", DELIVERED)
    with pytest.raises(InvalidTransition, match="it is closed"):
        closed.order.convertible()

    twice = delivered("rik")
    twice.convert(FIRST_DAY)
    with pytest.raises(InvalidTransition, match="converted on 2025-05-04"):
        twice.convert(FIRST_DAY)


def test_a_conversion_must_state_what_is_outstanding() -> None:
    """The event records the value at the lines' prices; a conversion stating other figures
    is refused, so that a replayed history cannot post other amounts than it says."""
    h = delivered("rik")
    with pytest.raises(BadInput, match="does not state what is outstanding"):
        h.convert(FIRST_DAY, amounts={"USD": 1})
    assert h.order.conversions == {}


def test_a_conversion_is_reversed_by_a_reversing_entry() -> None:
    """Corrections are reversals, never edits: a conversion reversed owes in kind again, and
    the two transactions net to zero; a payment made on it must be reversed first."""
    h = delivered("rik")
    converted = h.convert(FIRST_DAY)
    conversion_id = h.events[-1].id
    h.apply("settled", FIRST_DAY, method="cash", amounts={"USD": 1000})
    payment_id = h.events[-1].id
    with pytest.raises(InvalidTransition, match="reverse the cash settlements"):
        h.apply("reversed", FIRST_DAY, target=conversion_id)
    h.apply("reversed", FIRST_DAY, target=payment_id)
    undone = h.apply("reversed", FIRST_DAY, target=conversion_id)
    assert net(converted + undone) == {}
    assert h.order.status is Status.DELIVERED
    assert h.order.outstanding_in_kind() == {1: 100, 2: 1000} and h.order.outstanding_cash() == {}
    rebuilt = rebuild(h.events)
    assert (rebuilt.status, rebuilt.version) == (h.order.status, h.order.version)
    assert rebuilt.open_items() == h.order.open_items()


# ---------------------------------------------------------------- clocks (orders show, list)


def test_clocks_say_rik_may_be_converted_then_that_cash_is_overdue() -> None:
    """Past 10 U.S.C. 2345(b)'s 12 months the reason says the RIK may be converted to cash
    (DoD policy, unverified); once converted, the reason is cash under 2345(a)."""
    h = delivered("rik")
    in_time = clocks.clocks(h.order, DUE)
    assert in_time.overdue == () and in_time.convertible_from == FIRST_DAY
    late = clocks.clocks(h.order, FIRST_DAY)
    assert late.settlement_due == DUE
    (reason,) = late.overdue
    assert reason.startswith("rik settlement was due by 2025-05-03 (10 U.S.C. 2345(b))")
    assert "may be converted to cash" in reason and "DoD policy, unverified" in reason
    assert late.as_json()["convertible_from"] == "2025-05-04"
    h.convert(dt.date(2025, 6, 1))
    after = clocks.clocks(h.order, dt.date(2025, 6, 2))
    assert after.convertible_from is None and after.settlement_due == DUE
    (reason,) = after.overdue
    assert reason.startswith("cash settlement was due by 2025-05-03 (10 U.S.C. 2345(a))")
    assert "converted from rik on 2025-06-01" in reason and "unverified" in reason


# ---------------------------------------------------------------- the overdue report's rule


def _ob(
    kind: str,
    start: dt.date,
    reimbursement: str,
    supplier: str = "JPN",
    converted_on: dt.date | None = None,
) -> rules.Obligation:
    return rules.Obligation(
        order_id="o1",
        number="USA-2024-000001",
        supplier=supplier,
        requester="USA" if supplier != "USA" else "JPN",
        agreement=AGR,
        reimbursement=reimbursement,
        kind=kind,
        ledger="USD" if kind == "receivable" else "food/ML",
        outstanding=1000,
        first_delivery=start,
        converted_on=converted_on,
    )


def test_overdue_report_says_rik_may_be_converted() -> None:
    found = rules.overdue(_ob("in-kind-receivable", DELIVERED, "rik"), FIRST_DAY)
    assert found is not None and found.overdue and found.due == DUE
    assert found.rule == "10 U.S.C. 2345(b); may be converted to cash (DoD policy, unverified)"
    assert rules.overdue(_ob("in-kind-receivable", DELIVERED, "rik"), DUE) is None


def test_converted_cash_keeps_the_clocks_of_its_delivery() -> None:
    """Cash owed by a conversion (on the ledger from the conversion day, more than 12 months
    after the delivery, and dated by the books from the delivery) is overdue under 2345(a)
    from the 12 months after the delivery, a US credit is offset-eligible more than 18 months
    after the delivery (§2345(c)), and the annual report counts the transaction as
    unreconciled from the delivery (§2342(h)): the conversion neither hides old debt nor flags
    an offset early."""
    converted_on = dt.date(2025, 6, 1)
    ob = _ob("receivable", DELIVERED, "rik", converted_on=converted_on)
    assert rules.is_converted(ob) and not rules.is_converted(_ob("receivable", DUE, "cash"))
    assert rules.unreconciled(ob, converted_on)
    found = rules.overdue(ob, dt.date(2025, 6, 11))
    assert found is not None and found.overdue and not found.offset_eligible
    assert (found.due, found.days_overdue) == (DUE, (dt.date(2025, 6, 11) - DUE).days)
    assert "10 U.S.C. 2345(a)" in found.rule
    assert "converted to cash from rik on 2025-06-01 (DoD policy, unverified)" in found.rule
    report = build.overdue([ob], dt.date(2025, 6, 11))
    (row,) = report.sections[0].rows
    assert row["obligation"] == "cash" and row["first_delivery"] == DELIVERED
    assert "converted to cash" in row["rule"]
    assert any("DoD policy" in note and "unverified" in note for note in report.notes)

    credit = _ob("receivable", DELIVERED, "eve", supplier="USA", converted_on=converted_on)
    eligible = clocks.offset_eligible_from(DELIVERED)
    before = rules.overdue(credit, eligible - dt.timedelta(days=1))
    on = rules.overdue(credit, eligible)
    assert before is not None and not before.offset_eligible
    assert on is not None and on.offset_eligible and "2345(c)" in on.rule
