"""The reports over a known history, on SQLite and PostgreSQL: the figures, both sides of
the ageing and clock boundaries on real postings, and balances as of past dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from test_orders_support import books  # noqa: F401
from test_reports_support import AS_OF, build_history

from accord.errors import BadInput
from accord.reports import rules, run
from accord.reports.model import WHY, Report
from accord.services import ids
from accord.services.logistics import Logistics


@pytest.fixture
def history(books: Logistics, database_url: str) -> Iterator[tuple[str, dict[str, str]]]:  # noqa: F811
    numbers = build_history(books)
    yield database_url, numbers


def report(url: str, name: str, as_of: dt.date = AS_OF, **kw: Any) -> Report:
    with run.reading(url) as c:
        return run.make(name, c, as_of, **kw)


def rows(url: str, name: str, as_of: dt.date = AS_OF, **kw: Any) -> list[dict[str, Any]]:
    return report(url, name, as_of, **kw).sections[0].rows


def test_balances_by_counterparty_and_currency(history: tuple[str, dict[str, str]]) -> None:
    url, _ = history
    found = {(r["book"], r["counterparty"], r["ledger"]): r for r in rows(url, "balances")}
    assert found[("JPN", "USA", "USD")] | {} == {
        "book": "JPN",
        "counterparty": "USA",
        "ledger": "USD",
        "receivable": 125000,  # A
        "payable": 85000,  # B
        "net": 40000,
    }
    assert found[("USA", "JPN", "USD")]["net"] == -40000  # the mirror in the US books
    assert found[("JPN", "USA", "JPY")]["receivable"] == 200000  # D, after JPY 100,000 paid
    assert found[("USA", "KOR", "food/ML")]["receivable"] == 50  # C, owed in kind
    assert found[("USA", "JPN", "clothing/EA")]["receivable"] == 20  # E, lent
    assert len(found) == 8
    only_us = rows(url, "balances", book="USA")
    assert {r["book"] for r in only_us} == {"USA"} and len(only_us) == 4


def test_balances_as_of_past_dates(history: tuple[str, dict[str, str]]) -> None:
    """Orders settled since (F, H) count on the dates they were still open."""
    url, _ = history
    early = {
        (r["book"], r["ledger"]): r["receivable"]
        for r in rows(url, "balances", dt.date(2024, 2, 15), book="JPN")
        if r["receivable"]
    }
    # A 1,250.00 + F 100.00 + H 200.00 owed to JPN on 2024-02-15; D not yet delivered
    assert early == {("JPN", "USD"): 125000 + 10000 + 20000}
    assert rows(url, "balances", dt.date(2022, 5, 1)) == []


def test_ageing_buckets_on_real_postings(history: tuple[str, dict[str, str]]) -> None:
    url, _ = history
    aged = {(r["creditor"], r["debtor"], r["ledger"]): r for r in rows(url, "ageing")}
    assert aged[("JPN", "USA", "USD")]["days_over_365"] == 125000  # A: 487 days
    assert aged[("USA", "JPN", "USD")]["days_over_365"] == 85000  # B
    assert aged[("USA", "KOR", "food/ML")]["days_91_180"] == 50  # C: 172 days
    # D was first delivered on 2024-04-01: 90 days old on 2024-06-30, 91 the day after
    assert aged[("JPN", "USA", "JPY")]["days_0_90"] == 200000
    later = {(r["creditor"], r["ledger"]): r for r in rows(url, "ageing", dt.date(2024, 7, 1))}
    assert later[("JPN", "JPY")]["days_0_90"] == 0
    assert later[("JPN", "JPY")]["days_91_180"] == 200000
    for r in aged.values():
        assert r["total"] == sum(
            r[k] for k in ("days_0_90", "days_91_180", "days_181_365", "days_over_365")
        )


def test_overdue_clocks(history: tuple[str, dict[str, str]]) -> None:
    url, n = history
    late = {(r["order"], r["ledger"]): r for r in rows(url, "overdue")}
    assert set(late) == {(n["A"], "USD"), (n["B"], "USD"), (n["E"], "clothing/EA")}
    b = late[(n["B"], "USD")]
    assert b["offset_eligible"] and "2345(c)" in b["rule"] and b["supplier"] == "USA"
    a = late[(n["A"], "USD")]
    assert a["due"] == dt.date(2024, 3, 1) and a["days_overdue"] == 121
    assert not a["offset_eligible"]  # a Japanese credit: 2345(c) is for US credits
    assert late[(n["E"], "clothing/EA")]["obligation"] == "due-back"
    # A's 12 months end on 2024-03-01: in time that day, overdue the next
    assert (n["A"], "USD") not in {
        (r["order"], r["ledger"]) for r in rows(url, "overdue", dt.date(2024, 3, 1))
    }
    assert (n["A"], "USD") in {
        (r["order"], r["ledger"]) for r in rows(url, "overdue", dt.date(2024, 3, 2))
    }


def test_missing_data_documents_and_signatures(history: tuple[str, dict[str, str]]) -> None:
    url, n = history
    issues = {(r["order"], r["issue"]) for r in rows(url, "missing")}
    assert (n["G"], "signature") in issues  # proposed, signed by the US only
    assert (n["H"], "closure") in issues  # settled, not closed
    assert (n["B"], "documents") in issues and (n["B"], "receipt") in issues
    assert (n["C"], "billing") in issues  # delivered 2024-01-10, never billed
    assert (n["A"], "documents") not in issues and (n["A"], "receipt") not in issues
    assert not any(order == n["F"] and issue == "closure" for order, issue in issues)


def test_annual_report(history: tuple[str, dict[str, str]]) -> None:
    url, n = history
    fy24 = report(url, "annual", dt.date(2025, 1, 15), fiscal_year_wanted=2024)
    assert fy24.params["from"] == dt.date(2023, 10, 1)
    cats = {
        (r["direction"], r["category"], r["ledger"]): r for r in fy24.section("by-category").rows
    }
    # provided by the US in FY2024 (first delivered Oct 2023 - Sep 2024): C (food, RIK) and
    # E (a loan: owes no money); received: D (transportation, JPY), F and H (food)
    assert cats[("provided", "food", "USD")]["value"] == 50000
    assert cats[("received", "transportation", "JPY")] == {
        "direction": "received",
        "category": "transportation",
        "ledger": "JPY",
        "value": 300000,
        "settled": 100000,
        "outstanding": 200000,
        "value_usd": 204000,
        "settled_usd": 68000,
        "outstanding_usd": 136000,
    }
    assert cats[("received", "food", "USD")]["settled"] == 30000
    assert cats[("received", "food", "USD")]["outstanding"] == 0
    unreconciled = {r["order"] for r in fy24.section("unreconciled").rows}
    assert unreconciled == {n["A"], n["B"], n["C"]}  # open more than a year on 2025-01-15
    default = report(url, "annual", dt.date(2024, 6, 30))
    assert default.params["fiscal_year"] == 2023  # the last complete US fiscal year


def test_ceilings(history: tuple[str, dict[str, str]]) -> None:
    url, _ = history
    found = {
        (r["fiscal_year"], r["group"], r["direction"], r["scope"]): r for r in rows(url, "ceilings")
    }
    fy23 = found[(2023, "non-nato", "liabilities", "total")]
    assert fy23["used"] == 125000 and fy23["remaining"] == fy23["limit"] - 125000
    assert (2024, "nato", "credits", "total") in found  # every ceiling of the year is listed
    assert all(r["remaining"] == r["limit"] - r["used"] for r in found.values())


def _categories(report_: Report) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (r["direction"], r["category"], r["ledger"]): r for r in report_.section("by-category").rows
    }


def test_annual_report_is_as_of_its_date(history: tuple[str, dict[str, str]]) -> None:
    """10 U.S.C. 2342(h) figures on the report's date: a delivery or payment dated later is
    not in them (FY2024, still running on these dates)."""
    url, _ = history
    march = _categories(report(url, "annual", dt.date(2024, 3, 15), fiscal_year_wanted=2024))
    # D (transportation, JPY) is first delivered on 2024-04-01: not yet
    assert not any(key[1] == "transportation" for key in march)
    # F and H were delivered on 2024-02-02 and paid on 2024-03-01
    assert march[("received", "food", "USD")] | {} == {
        "direction": "received",
        "category": "food",
        "ledger": "USD",
        "value": 30000,
        "settled": 30000,
        "outstanding": 0,
        "value_usd": 30000,
        "settled_usd": 30000,
        "outstanding_usd": 0,
    }
    february = _categories(report(url, "annual", dt.date(2024, 2, 15), fiscal_year_wanted=2024))
    assert february[("received", "food", "USD")]["settled"] == 0
    assert february[("received", "food", "USD")]["outstanding"] == 30000
    april = _categories(report(url, "annual", dt.date(2024, 4, 15), fiscal_year_wanted=2024))
    # D delivered, its JPY 100,000 payment of 2024-05-01 not yet made
    assert april[("received", "transportation", "JPY")]["settled"] == 0
    assert april[("received", "transportation", "JPY")]["outstanding"] == 300000


def test_annual_report_counts_reversals_on_their_dates(
    books: Logistics,  # noqa: F811
    history: tuple[str, dict[str, str]],
) -> None:
    url, _ = history
    from test_orders_support import add_signer, request

    us, jp = add_signer(books, "us-2", "USA"), add_signer(books, "jp-2", "JPN")
    k = ids.uuid7

    def order(category: str, on: dt.date) -> str:
        line = {
            "category": category,
            "description": category,
            "quantity": 10,
            "unit": "EA",
            "unit_price": "10.00",
            "currency": "USD",
        }
        req = request(order_date=on.isoformat(), date_required=on.isoformat(), lines=[line])
        ref = str(books.propose(req, key=k(), on=on)["order"]["id"])
        for s in (us, jp):
            books.sign(ref, s.id, s.sign(books, ref), key=k(), on=on)
        return ref

    water = order("water", dt.date(2024, 2, 10))
    delivery = books.deliver(water, {1: 10}, key=k(), on=dt.date(2024, 2, 12))["events"][0]
    books.reverse(water, delivery, key=k(), on=dt.date(2024, 5, 1))
    medical = order("medical", dt.date(2024, 2, 10))
    books.deliver(medical, {1: 10}, key=k(), on=dt.date(2024, 2, 12))
    books.bill(medical, key=k(), on=dt.date(2024, 2, 13))
    paid = books.settle(medical, "cash", amounts={"USD": 10000}, key=k(), on=dt.date(2024, 3, 1))[
        "events"
    ][0]
    books.reverse(medical, paid, key=k(), on=dt.date(2024, 4, 1))

    march = _categories(report(url, "annual", dt.date(2024, 3, 15), fiscal_year_wanted=2024))
    assert march[("received", "water", "USD")]["value"] == 10000  # reversed only in May
    assert march[("received", "medical", "USD")]["settled"] == 10000  # bounced only in April
    may = _categories(report(url, "annual", dt.date(2024, 5, 15), fiscal_year_wanted=2024))
    assert ("received", "water", "USD") not in may
    assert may[("received", "medical", "USD")]["settled"] == 0
    assert may[("received", "medical", "USD")]["outstanding"] == 10000


def test_annual_figures_after_the_last_event_equal_the_orders(
    history: tuple[str, dict[str, str]],
) -> None:
    """Once every event is dated before the report, the figures read from the events equal
    those of the orders as they are now (their projection, folded by the domain)."""
    import json

    from sqlalchemy import select

    from accord.logistics import tables
    from accord.logistics.calendar import fiscal_year_bounds

    url, _ = history
    o, ol = tables.orders, tables.order_lines
    for year in (2022, 2023, 2024):
        first, last = fiscal_year_bounds(year, "USA")
        expected: dict[tuple[str, str, str], list[int]] = {}
        with run.reading(url) as c:
            found = c.execute(
                select(o, ol.c.category, ol.c.currency, ol.c.delivered, ol.c.unit_price)
                .join(ol, ol.c.order_id == o.c.id)
                .where(o.c.first_delivery_on >= first, o.c.first_delivery_on <= last)
                .order_by(o.c.id, ol.c.line)
            ).all()
        per_order: dict[str, list[Any]] = {}
        for r in found:
            if "USA" in (r.supplier, r.requester):
                per_order.setdefault(r.id, []).append(r)
        for group in per_order.values():
            head = group[0]
            values = [
                rules.LineValue(g.category, g.currency, g.delivered * g.unit_price) for g in group
            ]
            collected = {k: int(v) for k, v in json.loads(head.collected).items()}
            direction = "provided" if head.supplier == "USA" else "received"
            for line, settled, outstanding in rules.settle_lines(
                values, collected, head.transaction_type != "loan"
            ):
                total = expected.setdefault((direction, line.category, line.currency), [0, 0, 0])
                for i, part in enumerate((line.value, settled, outstanding)):
                    total[i] += part
        got = _categories(report(url, "annual", dt.date(2030, 1, 1), fiscal_year_wanted=year))
        assert {k: [r["value"], r["settled"], r["outstanding"]] for k, r in got.items()} == {
            k: v for k, v in expected.items() if any(v)
        }, year


def test_annual_report_in_us_dollars(history: tuple[str, dict[str, str]]) -> None:
    url, n = history
    fy24 = report(url, "annual", dt.date(2025, 1, 15), fiscal_year_wanted=2024)
    cats = _categories(fy24)
    # D: JPY 300,000 at the JPY/USD rate 0.0068 of its signing day = USD 2,040.00
    d = cats[("received", "transportation", "JPY")]
    assert (d["value_usd"], d["settled_usd"], d["outstanding_usd"]) == (204000, 68000, 136000)
    totals = {(r["direction"], r["category"]): r for r in fy24.section("totals-usd").rows}
    assert totals[("received", "all")]["value_usd"] == 204000 + 30000
    assert totals[("received", "all")]["outstanding_usd"] == 136000
    assert totals[("provided", "all")]["value_usd"] == 50000  # C; E is a loan of no value
    open_rows = {r["order"]: r for r in fy24.section("unreconciled").rows}
    # C owes 50 meals in kind: valued at the order's USD 10.00 each
    assert (open_rows[n["C"]]["currency"], open_rows[n["C"]]["value_usd"]) == ("USD", 50000)
    assert open_rows[n["A"]]["value_usd"] == 125000
    assert fy24.section("missing-rates").rows == []


def test_annual_report_says_which_rate_is_missing(
    books: Logistics,  # noqa: F811
    history: tuple[str, dict[str, str]],
) -> None:
    """Fuel is outside the 2347 ceilings, so a won order of fuel binds without a won rate;
    the annual report then has no dollar figure for it (not zero) and names the rate."""
    url, _ = history
    from test_orders_support import add_signer, request

    us, kr = add_signer(books, "us-3", "USA"), add_signer(books, "kr-3", "KOR")
    on = dt.date(2024, 7, 1)
    line = {
        "category": "fuel",
        "description": "diesel",
        "quantity": 1000,
        "unit": "LI",
        "unit_price": "1500",
        "currency": "KRW",
    }
    req = request(
        supplier={"nation": "KOR", "unit": "ROK 2nd Fleet"},
        order_date=on.isoformat(),
        date_required=on.isoformat(),
        lines=[line],
    )
    ref = str(books.propose(req, key=ids.uuid7(), on=on)["order"]["id"])
    for s in (us, kr):
        books.sign(ref, s.id, s.sign(books, ref), key=ids.uuid7(), on=on)
    books.deliver(ref, {1: 1000}, key=ids.uuid7(), on=dt.date(2024, 7, 2))
    agreement = books.show(ref)["agreement"]

    fy24 = report(url, "annual", dt.date(2025, 1, 15), fiscal_year_wanted=2024)
    fuel = _categories(fy24)[("received", "fuel", "KRW")]
    assert fuel["value"] == 1500000 and fuel["value_usd"] is None
    assert fuel[WHY] == dict.fromkeys(("value_usd", "outstanding_usd"), "no-rate")
    assert fuel["settled_usd"] == 0  # nothing paid yet: zero in any currency
    totals = {(r["direction"], r["category"]): r for r in fy24.section("totals-usd").rows}
    assert totals[("received", "all")]["value_usd"] is None
    assert totals[("received", "food")]["value_usd"] == 30000  # F and H: known
    assert totals[("provided", "all")]["value_usd"] == 50000
    assert fy24.section("missing-rates").rows == [
        {"currency": "KRW", "date": on, "agreement": agreement, "orders": 1}
    ]


def test_annual_report_lists_the_agreements_in_force(history: tuple[str, dict[str, str]]) -> None:
    url, _ = history
    fy24 = report(url, "annual", dt.date(2025, 1, 15), fiscal_year_wanted=2024)
    found = {r["agreement"]: r for r in fy24.section("agreements").rows}
    assert set(found) == {"jpn-usa-acsa-2016", "kor-usa-mlsa-1988", "kor-usa-sia-2012"}
    assert found["jpn-usa-acsa-2016"]["in_force"] == dt.date(2017, 4, 25)
    assert found["jpn-usa-acsa-2016"]["title"] == "Japan–US ACSA (2016)"
    assert found["kor-usa-sia-2012"]["kind"] == "implementing-arrangement"
    assert {r["agreement_status"] for r in found.values()} == {"in-force"}
    # FY2017 on 2017-01-15: the 1996 ACSA is in force, the 2016 one only signed
    early = report(url, "annual", dt.date(2017, 1, 15), fiscal_year_wanted=2017)
    ids_early = {r["agreement"]: r for r in early.section("agreements").rows}
    assert "jpn-usa-acsa-1996" in ids_early and "jpn-usa-acsa-2016" not in ids_early
    # FY2017 on 2018-01-15: the 1996 ACSA ended in the year (replaced on 2017-04-25)
    later = report(url, "annual", dt.date(2018, 1, 15), fiscal_year_wanted=2017)
    ids_later = {r["agreement"]: r for r in later.section("agreements").rows}
    assert ids_later["jpn-usa-acsa-1996"]["agreement_status"] == "ended"
    assert ids_later["jpn-usa-acsa-1996"]["ended"] == dt.date(2017, 4, 25)
    assert ids_later["jpn-usa-acsa-2016"]["agreement_status"] == "in-force"
    # Japan's report: its own agreements, not Korea's with the US
    japan = report(url, "annual", dt.date(2025, 1, 15), book="JPN", fiscal_year_wanted=2023)
    partners = {r["counterparty"] for r in japan.section("agreements").rows}
    assert "USA" in partners and "AUS" in partners and "KOR" not in partners


def test_annual_report_of_a_fiscal_year_not_begun_is_refused(
    history: tuple[str, dict[str, str]],
) -> None:
    url, _ = history
    with pytest.raises(BadInput, match="fiscal year 2025 of USA begins on 2024-10-01"):
        report(url, "annual", dt.date(2024, 6, 30), fiscal_year_wanted=2025)


def test_balances_over_time_agree_with_the_balances_on_each_date(
    history: tuple[str, dict[str, str]],
) -> None:
    """The chart's points are the balances report on each month-end, for the book asked
    for (what it is owed and what it owes) and only with the counterparty asked for."""
    url, _ = history
    chart = report(url, "balances", book="JPN", counterparty="USA", charts=True)
    usd = next(c for c in chart.charts if c.unit == "USD")
    assert usd.name == "balances-over-time" and len(usd.x_labels) == 13
    lines = {s.label: s.values for s in usd.series}
    assert set(lines) == {"USA→JPN", "JPN→USA"}  # JPN is owed by USA, and owes USA
    for i, day in enumerate(usd.x_labels):
        on = dt.date.fromisoformat(day)
        found = [
            r
            for r in rows(url, "balances", on, book="JPN", counterparty="USA")
            if r["ledger"] == "USD"
        ]
        owed, owes = (found[0]["receivable"], found[0]["payable"]) if found else (0, 0)
        assert (lines["USA→JPN"][i] * 100, lines["JPN→USA"][i] * 100) == (owed, owes), day
    assert lines["USA→JPN"][-1] == 1250.0 and lines["JPN→USA"][-1] == 850.0
    # the US books with Korea: only in kind (no currency chart), nothing with Japan
    assert report(url, "balances", book="USA", counterparty="KOR", charts=True).charts == []
    annual = report(url, "annual", dt.date(2025, 1, 15), fiscal_year_wanted=2024, charts=True)
    over_time = [c for c in annual.charts if c.name == "balances-over-time"]
    assert over_time and over_time[0].x_labels[0] == "2023-09-30"
    assert over_time[0].x_labels[-1] == "2024-09-30"


def test_annual_waivers_as_of_the_date_and_in_dollars(
    books: Logistics,  # noqa: F811
    history: tuple[str, dict[str, str]],
) -> None:
    """10 U.S.C. 2342(h)(6): orders bound under a 2347(c) waiver (here UN peacekeeping) count
    from the day they bound until the day they are cancelled."""
    url, _ = history
    from test_orders_support import add_signer, request

    from accord.logistics import rates

    us, kr = add_signer(books, "us-4", "USA"), add_signer(books, "kr-4", "KOR")
    on = dt.date(2024, 3, 1)
    books.add_rate("krw-0301", rates.make_rate("KRW", "USD", "0.00075", on), key=ids.uuid7())

    def pko(price: str, currency: str) -> str:
        line = {
            "category": "food",
            "description": "rations",
            "quantity": 1,
            "unit": "LO",
            "unit_price": price,
            "currency": currency,
        }
        req = request(
            supplier={"nation": "KOR", "unit": "ROK Hanbit unit"},
            situation="pko",
            order_date=on.isoformat(),
            date_required=on.isoformat(),
            lines=[line],
        )
        ref = str(books.propose(req, key=ids.uuid7(), on=on)["order"]["id"])
        for s in (us, kr):
            books.sign(ref, s.id, s.sign(books, ref), key=ids.uuid7(), on=on)
        return ref

    pko("1000000", "KRW")
    cancelled = pko("100.00", "USD")
    books.cancel(cancelled, key=ids.uuid7(), on=dt.date(2024, 5, 1))

    def waived(as_of: dt.date) -> dict[str, dict[str, Any]]:
        found = report(url, "annual", as_of, fiscal_year_wanted=2024).section("waivers").rows
        return {r["ledger"]: r for r in found}

    assert waived(dt.date(2024, 2, 15)) == {}  # not yet bound
    april = waived(dt.date(2024, 4, 15))
    assert (april["KRW"]["orders"], april["KRW"]["value"], april["KRW"]["value_usd"]) == (
        1,
        1000000,
        75000,  # KRW 1,000,000 at 0.00075 on the day it bound
    )
    assert april["USD"]["value_usd"] == 10000 and april["USD"]["situation"] == "pko"
    assert set(waived(dt.date(2024, 6, 1))) == {"KRW"}  # the US dollar order was cancelled
