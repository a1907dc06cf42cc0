"""The reports over a known history, on SQLite and PostgreSQL: the figures, both sides of
the ageing and clock boundaries on real postings, and balances as of past dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from test_orders_support import books  # noqa: F401
from test_reports_support import AS_OF, build_history

from accord.reports import run
from accord.reports.model import Report
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
