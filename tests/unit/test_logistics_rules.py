"""Clocks (10 U.S.C. 2345), ceilings (10 U.S.C. 2347), fiscal years and exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from test_logistics_domain import ev, signed, terms

from accord.errors import BadInput
from accord.logistics import ceilings, clocks, rates
from accord.logistics.calendar import add_months, fiscal_year, fiscal_year_bounds
from accord.logistics.errors import CeilingExceeded
from accord.logistics.order import Line, OrderTerms, Party

M = ceilings.MILLION_USD


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 5, 1), 12, dt.date(2025, 5, 1)),
        (dt.date(2024, 8, 31), 18, dt.date(2026, 2, 28)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "nation", "year"),
    [
        (dt.date(2024, 9, 30), "USA", 2024),  # US FY runs October to September
        (dt.date(2024, 10, 1), "USA", 2025),
        (dt.date(2025, 3, 31), "JPN", 2024),  # Japan's FY starts in April
        (dt.date(2025, 4, 1), "JPN", 2025),
        (dt.date(2025, 12, 31), "KOR", 2025),
    ],
)
def test_fiscal_years(day: dt.date, nation: str, year: int) -> None:
    assert fiscal_year(day, nation) == year
    first, last = fiscal_year_bounds(year, nation)
    assert first <= day <= last


# ---------------------------------------------------------------- clocks, 10 U.S.C. 2345


@pytest.mark.parametrize(
    ("method", "as_of", "overdue_rule"),
    [
        ("cash", dt.date(2025, 5, 3), None),  # 12 months after delivery: not yet overdue
        ("cash", dt.date(2025, 5, 4), "2345(a)"),  # cash: liquidated at least every 12 months
        ("eve", dt.date(2025, 5, 4), "2345(b)"),  # RIK/EVE: within 12 months of delivery
        ("rik", dt.date(2025, 5, 4), "2345(b)"),
    ],
)
def test_settlement_clock(method: str, as_of: dt.date, overdue_rule: str | None) -> None:
    lines = (Line(1, "food", "meals", 100, "ML", 1250, "USD"),)
    order = signed(terms(method=method, lines=lines))
    order.apply(ev("delivered", 2, quantities={"1": 100}))  # delivered 2024-05-03
    c = clocks.clocks(order, as_of)
    assert c.settlement_due == dt.date(2025, 5, 3)
    found = [r for r in c.overdue if "settlement" in r]
    assert (overdue_rule is None) == (not found)
    if overdue_rule:
        assert overdue_rule in found[0]


def test_settled_orders_are_never_overdue() -> None:
    order = signed(terms(lines=(Line(1, "food", "meals", 1, "ML", 100, "USD"),)))
    order.apply(ev("delivered", 2, quantities={"1": 1}))
    order.apply(ev("billed", 3, amounts={"USD": 100}))
    order.apply(ev("settled", 4, method="cash", amounts={"USD": 100}))
    assert clocks.clocks(order, dt.date(2030, 1, 1)).overdue == ()


@pytest.mark.parametrize(
    ("supplier", "as_of", "eligible"),
    [
        ("USA", dt.date(2025, 11, 3), False),  # exactly 18 months: not "more than"
        ("USA", dt.date(2025, 11, 4), True),  # 10 U.S.C. 2345(c): US credits > 18 months
        ("JPN", dt.date(2026, 1, 1), False),  # only US credits may be offset
    ],
)
def test_offset_eligibility(supplier: str, as_of: dt.date, eligible: bool) -> None:
    requester = "JPN" if supplier == "USA" else "USA"
    t = OrderTerms(
        id="o",
        number="N-1",
        agreement="a",
        arrangement=None,
        requester=Party(requester, "u"),
        supplier=Party(supplier, "u"),
        situation="exercise",
        transaction_type="sale",
        reimbursement="cash",
        order_date=dt.date(2024, 5, 1),
        date_required=dt.date(2024, 5, 1),
        delivery_place="p",
        lines=(Line(1, "food", "meals", 1, "ML", 100, "USD"),),
    )
    order = signed(t)
    order.apply(ev("delivered", 2, quantities={"1": 1}))
    c = clocks.clocks(order, as_of)
    assert any("2345(c)" in r for r in c.overdue) is eligible


def test_loans_are_due_back() -> None:
    """10 U.S.C. 2350(4): a transfer may be a loan, which comes back."""
    t = terms(
        ttype="loan",
        lines=(Line(1, "equipment-use", "generator", 1, "EA", 0, "USD"),),
        return_by=dt.date(2024, 6, 1),
    )
    order = signed(t)
    order.apply(ev("delivered", 2, quantities={"1": 1}))
    assert clocks.clocks(order, dt.date(2024, 6, 1)).overdue == ()
    assert "due back" in clocks.clocks(order, dt.date(2024, 6, 2)).overdue[0]


# ---------------------------------------------------------------- ceilings, 10 U.S.C. 2347


def usd(minor: int, ccy: str) -> int:
    return minor if ccy == "USD" else minor // 150  # JPY at 150 per dollar


def order_with(
    requester: str, supplier: str, situation: str, lines: tuple[Line, ...], ttype: str = "sale"
) -> OrderTerms:
    return OrderTerms(
        id="o",
        number="N-1",
        agreement="a",
        arrangement=None,
        requester=Party(requester, "u"),
        supplier=Party(supplier, "u"),
        situation=situation,
        transaction_type=ttype,
        reimbursement="cash",
        order_date=dt.date(2024, 5, 1),
        date_required=dt.date(2024, 5, 1),
        delivery_place="p",
        lines=lines,
        return_by=dt.date(2024, 6, 1) if ttype == "loan" else None,
    )


FOOD = Line(1, "food", "meals", 1000, "ML", 1000, "USD")  # $10,000 of supplies
AIRLIFT = Line(2, "transportation", "airlift", 1, "SO", 5_000_000, "USD")  # $50,000 service
FUEL = Line(3, "fuel", "JP-8", 1000, "LI", 100, "USD")  # POL: excluded


@pytest.mark.parametrize(
    ("requester", "supplier", "situation", "on", "expected", "waived"),
    [
        # US acquisition from a non-NATO country: liabilities, total and supplies (2347(b))
        (
            "USA",
            "JPN",
            "exercise",
            dt.date(2024, 5, 1),
            {
                (2024, "non-nato", "liabilities", "total"): 6_000_000,
                (2024, "non-nato", "liabilities", "supplies"): 1_000_000,
            },
            False,
        ),
        # US transfer to a NATO member: credits (2347(a)); FY2025 starts 1 Oct 2024
        (
            "GBR",
            "USA",
            "exercise",
            dt.date(2024, 10, 1),
            {(2025, "nato", "credits", "total"): 6_000_000},
            False,
        ),
        # Finland joined NATO on 4 April 2023
        (
            "FIN",
            "USA",
            "exercise",
            dt.date(2023, 4, 3),
            {(2023, "non-nato", "credits", "total"): 6_000_000},
            False,
        ),
        (
            "FIN",
            "USA",
            "exercise",
            dt.date(2023, 4, 4),
            {(2023, "nato", "credits", "total"): 6_000_000},
            False,
        ),
        # waived for contingency, humanitarian and UN peacekeeping operations (2347(c))
        ("USA", "JPN", "contingency", dt.date(2024, 5, 1), {}, True),
        ("USA", "JPN", "international-relief", dt.date(2024, 5, 1), {}, True),
        ("USA", "JPN", "large-disaster", dt.date(2024, 5, 1), {}, True),
        ("USA", "JPN", "pko", dt.date(2024, 5, 1), {}, True),
        # the ceilings bind the United States only
        ("JPN", "AUS", "exercise", dt.date(2024, 5, 1), {}, False),
    ],
)
def test_ceiling_charges(
    requester: str,
    supplier: str,
    situation: str,
    on: dt.date,
    expected: dict[tuple[int, str, str, str], int],
    waived: bool,
) -> None:
    t = order_with(requester, supplier, situation, (FOOD, AIRLIFT, FUEL))
    found, waiver = ceilings.charges(t, on, usd)
    assert {c.key: c.amount for c in found} == expected  # fuel excluded: 2347(d)
    assert (waiver is not None) is waived


def test_loans_add_nothing_to_the_ceilings() -> None:
    t = order_with("USA", "JPN", "exercise", (FOOD,), ttype="loan")
    assert ceilings.charges(t, dt.date(2024, 5, 1), usd) == ((), None)


def test_foreign_currency_is_counted_in_dollars() -> None:
    line = Line(1, "food", "meals", 1, "ML", 1_500_000, "JPY")  # ¥1,500,000 = $10,000.00
    t = order_with("USA", "JPN", "exercise", (line,))
    found, _ = ceilings.charges(t, dt.date(2024, 5, 1), usd)
    assert {c.scope: c.amount for c in found} == {"total": 10_000, "supplies": 10_000}


@pytest.mark.parametrize(
    ("group", "direction", "scope", "limit"),
    [
        ("nato", "liabilities", "total", 200 * M),
        ("nato", "liabilities", "supplies", 50 * M),
        ("nato", "credits", "total", 150 * M),
        ("non-nato", "liabilities", "total", 60 * M),
        ("non-nato", "liabilities", "supplies", 20 * M),
        ("non-nato", "credits", "total", 75 * M),
    ],
)
def test_ceiling_limits_are_the_statutes(
    group: str, direction: str, scope: str, limit: int
) -> None:
    """10 U.S.C. 2347(a) (NATO) and (b) (others), gross before offsets."""
    charge = ceilings.Charge(2024, group, direction, scope, 1)
    ceilings.check(charge, limit - 1)  # reaching the limit exactly is allowed
    with pytest.raises(CeilingExceeded) as refused:
        ceilings.check(charge, limit)
    assert "2347" in str(refused.value) and "$" in str(refused.value)


# ---------------------------------------------------------------- exchange rates


def test_rates_prefer_the_agreements_fixed_rate_then_daily() -> None:
    fy = rates.make_rate("JPY", "USD", "0.0070", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    daily = rates.make_rate("USD", "JPY", "150", dt.date(2024, 5, 1))
    japan = rates.make_rate(
        "JPY", "USD", "0.0065", dt.date(2024, 4, 1), dt.date(2025, 3, 31), "jpn-usa-acsa-2016"
    )
    table = [fy, daily, japan]
    day = dt.date(2024, 5, 1)
    assert rates.choose(table, "JPY", "USD", day, "jpn-usa-acsa-2016") == Decimal("0.0065")
    assert rates.choose(table, "JPY", "USD", day) == Decimal(1) / Decimal(150)
    assert rates.choose(table, "JPY", "USD", dt.date(2024, 5, 2)) == Decimal("0.0070")
    assert rates.choose(table, "JPY", "USD", dt.date(2026, 1, 1)) is None
    assert daily.basis == "daily" and fy.basis == "fixed"


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "inf", "1e30", "1e-30", "1000000000.1"])
def test_bad_rates(bad: str) -> None:
    with pytest.raises(BadInput):
        rates.make_rate("JPY", "USD", bad, dt.date(2024, 5, 1))
