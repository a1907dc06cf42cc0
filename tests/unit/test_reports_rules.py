"""The rules behind the reports, table-driven, each row citing its source; both sides of
every boundary: ageing days 90/91, 180/181, 365/366; the 12-month clocks of 10 U.S.C.
2345(a) and (b); the 18 months of 2345(c); the year of 2342(h)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.reports import rules
from accord.reports.rules import Obligation, OrderFacts

D = dt.date

# Ageing: days since the first delivery (the day the liability accrues; 10 U.S.C. 2345 clock).
AGEING = [
    (0, "days_0_90", "delivered today"),
    (90, "days_0_90", "last day of 0–90"),
    (91, "days_91_180", "first day of 91–180"),
    (180, "days_91_180", "last day of 91–180"),
    (181, "days_181_365", "first day of 181–365"),
    (365, "days_181_365", "last day of 181–365: still within the 12 months of 2345"),
    (366, "days_over_365", "over 365 days"),
    (5000, "days_over_365", "long overdue"),
]


@pytest.mark.parametrize(("age", "bucket", "why"), AGEING, ids=[a[2] for a in AGEING])
def test_ageing_buckets(age: int, bucket: str, why: str) -> None:
    assert rules.bucket(age) == bucket, why


def test_bucket_starts_agree_with_the_buckets() -> None:
    """The SQL query compares first-delivery dates with these starts; they must put every
    day where `bucket` does."""
    as_of = D(2024, 6, 30)
    b90, b180, b365 = rules.bucket_starts(as_of)
    for age in range(0, 800):
        start = as_of - dt.timedelta(days=age)
        sql = (
            "days_0_90"
            if start >= b90
            else "days_91_180"
            if start >= b180
            else "days_181_365"
            if start >= b365
            else "days_over_365"
        )
        assert sql == rules.bucket(age), age


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.bucket(-1)


def _ob(kind: str, first: dt.date, supplier: str = "JPN", **kw: object) -> Obligation:
    return Obligation(
        order_id="o1",
        number="USA-2024-000001",
        supplier=supplier,
        requester="USA" if supplier != "USA" else "JPN",
        agreement="jpn-usa-acsa-2016",
        reimbursement="cash",
        kind=kind,
        ledger=str(kw.get("ledger", "USD")),
        outstanding=int(str(kw.get("outstanding", 1000))),
        first_delivery=first,
        return_by=kw.get("return_by"),  # type: ignore[arg-type]
    )


FIRST = D(2024, 1, 15)
# (kind, supplier, as_of, overdue?, offset eligible?, rule cited, why)
CLOCKS = [
    (
        "receivable",
        "JPN",
        D(2025, 1, 15),
        False,
        False,
        None,
        "10 U.S.C. 2345(a): cash within 12 months; the 12th month's day is still in time",
    ),
    (
        "receivable",
        "JPN",
        D(2025, 1, 16),
        True,
        False,
        "10 U.S.C. 2345(a)",
        "10 U.S.C. 2345(a): the day after 12 months, overdue",
    ),
    (
        "in-kind-receivable",
        "JPN",
        D(2025, 1, 15),
        False,
        False,
        None,
        "10 U.S.C. 2345(b): RIK/EVE within 12 months after delivery",
    ),
    (
        "in-kind-receivable",
        "JPN",
        D(2025, 1, 16),
        True,
        False,
        "10 U.S.C. 2345(b)",
        "10 U.S.C. 2345(b): past 12 months after delivery",
    ),
    (
        "receivable",
        "USA",
        D(2025, 7, 15),
        True,
        False,
        "10 U.S.C. 2345(a)",
        "10 U.S.C. 2345(c): a US credit exactly 18 months old is not yet offset-eligible",
    ),
    (
        "receivable",
        "USA",
        D(2025, 7, 16),
        True,
        True,
        "10 U.S.C. 2345(a); 10 U.S.C. 2345(c)",
        "10 U.S.C. 2345(c): US credit unliquidated more than 18 months: offset-eligible",
    ),
    (
        "receivable",
        "JPN",
        D(2026, 1, 1),
        True,
        False,
        "10 U.S.C. 2345(a)",
        "10 U.S.C. 2345(c) is for US credits only",
    ),
]


@pytest.mark.parametrize(
    ("kind", "supplier", "as_of", "late", "offset", "rule", "why"),
    CLOCKS,
    ids=[c[6] for c in CLOCKS],
)
def test_settlement_clocks(
    kind: str,
    supplier: str,
    as_of: dt.date,
    late: bool,
    offset: bool,
    rule: str | None,
    why: str,
) -> None:
    found = rules.overdue(_ob(kind, FIRST, supplier), as_of)
    if rule is None:
        assert found is None, why
        return
    assert found is not None, why
    assert (found.overdue, found.offset_eligible, found.rule) == (late, offset, rule), why
    assert found.due == D(2025, 1, 15)
    assert found.days_overdue == (as_of - D(2025, 1, 15)).days


def test_us_credits_in_kind_are_not_offset() -> None:
    """10 U.S.C. 2345(c) offsets credits (money); a quantity owed in kind is not one."""
    found = rules.overdue(_ob("in-kind-receivable", FIRST, "USA", ledger="food/ML"), D(2026, 1, 1))
    assert found is not None and found.overdue and not found.offset_eligible


RETURNS = [
    (D(2024, 3, 1), None, "10 U.S.C. 2350(4): due back on the return date: not late on it"),
    (D(2024, 3, 2), 1, "10 U.S.C. 2350(4): the day after the return date, overdue"),
]


@pytest.mark.parametrize(("as_of", "days", "why"), RETURNS, ids=[r[2] for r in RETURNS])
def test_loans_are_due_back(as_of: dt.date, days: int | None, why: str) -> None:
    ob = _ob(
        "due-back-receivable", D(2024, 2, 1), "USA", ledger="clothing/EA", return_by=D(2024, 3, 1)
    )
    found = rules.overdue(ob, as_of)
    if days is None:
        assert found is None, why
    else:
        assert found is not None and found.days_overdue == days, why
        assert found.rule == "10 U.S.C. 2350(4)" and not found.offset_eligible


UNRECONCILED = [
    (D(2025, 1, 15), False, "10 U.S.C. 2342(h): a year after it occurred is not more than a year"),
    (D(2025, 1, 16), True, "10 U.S.C. 2342(h): unreconciled more than one year"),
]


@pytest.mark.parametrize(
    ("as_of", "expected", "why"), UNRECONCILED, ids=[u[2] for u in UNRECONCILED]
)
def test_unreconciled_after_a_year(as_of: dt.date, expected: bool, why: str) -> None:
    assert rules.unreconciled(_ob("receivable", FIRST), as_of) is expected, why


def _facts(**kw: object) -> OrderFacts:
    base: dict[str, object] = {
        "order_id": "o",
        "number": "USA-2024-000001",
        "status": "signed",
        "supplier": "JPN",
        "requester": "USA",
        "order_date": D(2024, 1, 1),
        "signed_sides": frozenset({"requester", "supplier"}),
        "lines": ((1, "food", None), (2, "spare-parts", "1234-56-789-0123")),
        "documented_lines": frozenset({None}),
        "deliveries": (),
        "delivery_documents": frozenset(),
    }
    base.update(kw)
    return OrderFacts(**base)  # type: ignore[arg-type]


AS_OF = D(2024, 6, 30)
MISSING = [
    ({}, [], "a complete order: nothing missing"),
    ({"status": "draft", "signed_sides": frozenset()}, [], "a draft is unfinished by design"),
    (
        {"status": "cancelled", "documented_lines": frozenset()},
        [],
        "a cancelled order binds no one",
    ),
    (
        {"status": "proposed", "signed_sides": frozenset({"requester"})},
        ["signature"],
        "DODIG-2016-067: without both signatures no binding commitment",
    ),
    (
        {"status": "proposed", "signed_sides": frozenset()},
        ["signature", "signature"],
        "DODIG-2016-067: neither party signed",
    ),
    (
        {"documented_lines": frozenset()},
        ["documents"],
        "DODIG-2016-067: source documents support each order line",
    ),
    (
        {"documented_lines": frozenset({1})},
        ["documents"],
        "DODIG-2016-067: line 2 has no document of its own",
    ),
    ({"documented_lines": frozenset({1, 2})}, [], "every line documented"),
    ({"lines": ((1, "spare-parts", None),)}, ["data"], "DODIG-2016-067: an NSN for spare parts"),
    (
        {
            "status": "delivered",
            "deliveries": (("e1", D(2024, 6, 1)),),
            "delivery_documents": frozenset({"e1"}),
            "first_delivery": D(2024, 5, 31),
        },
        [],
        "GAO-20-309: 30 days after delivery, not yet late to bill",
    ),
    (
        {
            "status": "delivered",
            "deliveries": (("e1", D(2024, 5, 30)),),
            "delivery_documents": frozenset({"e1"}),
            "first_delivery": D(2024, 5, 30),
        },
        ["billing"],
        "GAO-20-309: timely invoicing: 31 days without a bill",
    ),
    (
        {
            "status": "delivered",
            "deliveries": (("e1", D(2024, 6, 20)),),
            "first_delivery": D(2024, 6, 20),
        },
        ["receipt"],
        "DODIG-2016-067: a delivery needs a receipt",
    ),
    ({"status": "settled"}, ["closure"], "DODIG-2016-067: close orders when complete"),
]


@pytest.mark.parametrize(("changes", "codes", "why"), MISSING, ids=[m[2] for m in MISSING])
def test_missing_checks(changes: dict[str, object], codes: list[str], why: str) -> None:
    found = rules.missing(_facts(**changes), AS_OF)
    assert [i.code for i in found] == codes, why
    for issue in found:
        assert issue.source in ("DODIG-2016-067", "GAO-20-309")


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**9), min_size=1, max_size=8))
def test_allocation_is_exact(total: int, weights: list[int]) -> None:
    parts = rules.allocate(total, weights)
    assert len(parts) == len(weights)
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part - exact) < 1 + 1e-9


def test_collected_is_shared_by_value_and_loans_owe_nothing() -> None:
    lines = [
        rules.LineValue("food", "USD", 3000),
        rules.LineValue("fuel", "USD", 1000),
        rules.LineValue("transportation", "JPY", 500),
    ]
    shared = rules.settle_lines(lines, {"USD": 2000, "JPY": 500}, owes_money=True)
    assert [(s, o) for _l, s, o in shared] == [(1500, 1500), (500, 500), (500, 0)]
    loan = rules.settle_lines(lines[:1], {}, owes_money=False)
    assert loan[0][1:] == (0, 0)


# ---------------------------------------------------------------------- the annual report on a date

LINES = (
    rules.PricedLine(1, "food", "USD", 1250, "food/ML"),
    rules.PricedLine(2, "fuel", "USD", 85, "fuel/LI"),
)


def _event(event_id: str, kind: str, on: dt.date, **payload: object) -> rules.ValueEvent:
    return rules.ValueEvent(event_id, kind, on, payload)


HISTORY = (
    _event("d1", "delivered", D(2024, 3, 1), quantities={"1": 100}),
    _event("d2", "delivered", D(2024, 3, 10), quantities={"2": 1000}),
    _event("s1", "settled", D(2024, 4, 1), method="cash", amounts={"USD": 50000}),
    _event("r1", "reversed", D(2024, 5, 1), target="s1"),  # the payment bounced
    _event("r2", "reversed", D(2024, 5, 2), target="d2"),  # the fuel was never delivered
)
ON_DATES = [
    (D(2024, 2, 29), None, {}, {}, "before the first delivery: nothing"),
    (D(2024, 3, 1), D(2024, 3, 1), {1: 100}, {}, "a delivery counts on its own date"),
    (D(2024, 3, 31), D(2024, 3, 1), {1: 100, 2: 1000}, {}, "both deliveries, nothing paid"),
    (
        D(2024, 4, 30),
        D(2024, 3, 1),
        {1: 100, 2: 1000},
        {"USD": 50000},
        "paid on 2024-04-01; the reversal of 2024-05-01 is later: the books then held the pay",
    ),
    (D(2024, 5, 1), D(2024, 3, 1), {1: 100, 2: 1000}, {}, "the payment reversed on its date"),
    (D(2024, 5, 2), D(2024, 3, 1), {1: 100}, {}, "the fuel delivery reversed on its date"),
]


@pytest.mark.parametrize(
    ("as_of", "first", "delivered", "collected", "why"),
    ON_DATES,
    ids=[d[4] for d in ON_DATES],
)
def test_an_order_on_a_date_counts_only_what_is_dated_then(
    as_of: dt.date,
    first: dt.date | None,
    delivered: dict[int, int],
    collected: dict[str, int],
    why: str,
) -> None:
    state = rules.order_on(HISTORY, LINES, as_of)
    assert (state.first_delivery, state.delivered, state.collected) == (
        first,
        delivered,
        collected,
    ), why


def test_first_delivery_moves_when_the_first_is_reversed() -> None:
    events = (*HISTORY, _event("r3", "reversed", D(2024, 6, 1), target="d1"))
    assert rules.order_on(events, LINES, D(2024, 5, 31)).first_delivery == D(2024, 3, 1)
    assert rules.order_on(events, LINES, D(2024, 6, 1)).first_delivery is None


def test_replacement_in_kind_is_valued_at_the_line_price_and_returns_at_nothing() -> None:
    """Order.collected: replacement in kind at the order's price (10 U.S.C. 2344); a loaned
    item coming back (10 U.S.C. 2350(4)) pays nothing."""
    events = (
        _event("d1", "delivered", D(2024, 3, 1), quantities={"1": 100}),
        _event("s1", "settled", D(2024, 4, 1), method="rik", quantities={"1": 40}),
        _event("s2", "settled", D(2024, 4, 2), method="return", quantities={"1": 10}),
        _event("s3", "settled", D(2024, 4, 3), method="eve", amounts={"USD": 700}),
    )
    assert rules.order_on(events, LINES, D(2024, 6, 1)).collected == {"USD": 40 * 1250 + 700}


def test_in_kind_value_needs_one_price() -> None:
    assert rules.value_of_commodity(50, "food/ML", LINES) == ("USD", 62500)
    two_prices = (*LINES, rules.PricedLine(3, "food", "USD", 999, "food/ML"))
    assert rules.value_of_commodity(50, "food/ML", two_prices) is None
    assert rules.value_of_commodity(50, "water/GL", LINES) is None
    assert rules.commodity_of("spare-parts", "EA", "1234-56-789-0123") == "NSN 1234-56-789-0123/EA"


def test_dollars_chosen_as_the_ceilings_choose_them_and_missing_remembered() -> None:
    from decimal import Decimal

    from accord.logistics import rates
    from accord.reports.usd import Dollars, add

    known = [
        rates.make_rate("JPY", "USD", "0.0070", D(2024, 1, 1), D(2024, 12, 31)),
        rates.make_rate(
            "JPY", "USD", "0.0068", D(2024, 4, 1), D(2025, 3, 31), agreement="jpn-usa-acsa-2016"
        ),
        rates.make_rate("USD", "KRW", "1250", D(2024, 5, 2)),  # daily, the inverse way
    ]
    dollars = Dollars(known)
    # the agreement's own fixed rate first (Japan's annual rate), else the general one
    assert dollars.cents(300000, "JPY", D(2024, 5, 1), "jpn-usa-acsa-2016", "o1") == 204000
    assert dollars.cents(300000, "JPY", D(2024, 5, 1), "kor-usa-mlsa-1988", "o2") == 210000
    assert dollars.rate("KRW", D(2024, 5, 2), None) == Decimal(1) / Decimal(1250)
    assert dollars.cents(1250000, "KRW", D(2024, 5, 2), None, "o3") == 100000
    assert dollars.cents(1250000, "KRW", D(2024, 5, 3), None, "o4") is None
    assert dollars.cents(1250000, "KRW", D(2024, 5, 3), None, "o5") is None
    assert dollars.cents(0, "KRW", D(2024, 5, 3), None, "o6") == 0  # zero needs no rate
    assert dollars.cents(12345, "USD", D(2024, 5, 3), None, "o7") == 12345
    assert dict(dollars.missing) == {("KRW", D(2024, 5, 3), None): {"o4", "o5"}}
    assert add(1, 2) == 3 and add(None, 2) is None and add(1, None) is None


def test_month_ends_of_a_fiscal_year() -> None:
    from accord.reports.queries import month_ends_between

    ends = month_ends_between(D(2023, 10, 1), D(2024, 9, 30))
    assert ends[0] == D(2023, 9, 30) and ends[-1] == D(2024, 9, 30) and len(ends) == 13
    assert D(2024, 2, 29) in ends  # a leap year's February
    assert month_ends_between(D(2023, 10, 1), D(2024, 1, 15))[-2:] == [
        D(2023, 12, 31),
        D(2024, 1, 15),
    ]
