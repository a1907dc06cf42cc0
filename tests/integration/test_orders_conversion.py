"""Replacement in kind and equal-value exchange converted to cash after 10 U.S.C. 2345(b)'s 12
months (DoD policy, unverified), through the service on SQLite and PostgreSQL: the event and
its postings in one transaction, idempotent retries, refusals that write nothing, the books
and their projections as `ledger verify` rebuilds them, and the overdue report."""

from __future__ import annotations

import datetime as dt

import pytest
from test_orders_support import D, add_signer, books, signed_order  # noqa: F401

from accord.errors import BadInput
from accord.logistics.errors import IdempotencyConflict, InvalidTransition
from accord.reports import run
from accord.services.logistics import Logistics

DELIVERED = dt.date(2024, 5, 10)
FIRST_DAY = dt.date(2025, 5, 11)  # the day after the 12 months of 10 U.S.C. 2345(b)


def _counts(service: Logistics) -> tuple[int, int, int]:
    report = service.verify()
    return report["events"], report["postings"], report["transactions"]


def _overdue(url: str, as_of: dt.date) -> dict[tuple[str, str], dict[str, object]]:
    with run.reading(url) as c:
        report = run.make("overdue", c, as_of)
    return {(str(r["order"]), str(r["ledger"])): r for r in report.sections[0].rows}


def _ageing(url: str, as_of: dt.date) -> dict[tuple[str, str], dict[str, object]]:
    with run.reading(url) as c:
        report = run.make("ageing", c, as_of)
    return {(str(r["creditor"]), str(r["ledger"])): r for r in report.sections[0].rows}


def test_rik_converted_to_cash_and_paid(books: Logistics, database_url: str) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp, reimbursement="rik")
    books.deliver(ref, {1: 100, 2: 1000}, key="d", on=DELIVERED)
    books.bill(ref, key="b", on=DELIVERED)
    books.settle(ref, "rik", quantities={2: 400}, key="s-rik", on=dt.date(2024, 9, 1))
    number = books.show(ref)["number"]

    # in time on the last day of the 12 months: refused, nothing written
    before = _counts(books)
    with pytest.raises(InvalidTransition, match="before 2025-05-11"):
        books.convert(ref, key="c-early", on=dt.date(2025, 5, 10))
    assert _counts(books) == before
    late = _overdue(database_url, FIRST_DAY)[(number, "food/ML")]
    assert "may be converted to cash (DoD policy, unverified)" in str(late["rule"])

    result = books.convert(ref, key="c", on=FIRST_DAY, note="fuel not available")
    assert result["order"]["status"] == "billed"
    assert result["order"]["outstanding"] == {
        "money": {"USD": 100 * 1250 + 600 * 85},
        "in_kind": {},
        "due_back": {},
    }
    assert result["conversion"]["amounts"] == {"USD": 176000}
    assert [(x["line"], x["quantity"], x["value"]) for x in result["conversion"]["lines"]] == [
        (1, 100, 125000),
        (2, 600, 51000),
    ]
    again = books.convert(ref, key="c", on=FIRST_DAY, note="fuel not available")
    assert again["replayed"] and again["events"] == result["events"]
    with pytest.raises(IdempotencyConflict):
        books.convert(ref, key="c", on=dt.date(2025, 5, 12))

    view = books.show(ref, as_of=dt.date(2025, 5, 20))
    assert [e["kind"] for e in view["events"]][-1] == "converted-to-cash"
    assert view["conversions"] == [
        {
            "id": result["events"][0],
            "on": "2025-05-11",
            "method": "rik",
            "quantities": {"1": 100, "2": 600},
            "amounts": {"USD": 176000},
            "reversed": False,
        }
    ]
    (reason,) = view["clocks"]["overdue"]
    assert "10 U.S.C. 2345(a)" in reason and "converted from rik on 2025-05-11" in reason
    converted = [p for p in view["postings"] if p["transaction"] == result["events"][0]]
    assert sum(p["amount"] for p in converted if p["ledger"] == "USD") == 0
    assert {(p["book"], p["kind"], p["amount"]) for p in converted if p["ledger"] == "USD"} == {
        ("JPN", "receivable", 176000),
        ("JPN", "support-provided", -176000),
        ("USA", "support-received", 176000),
        ("USA", "payable", -176000),
    }
    owed = books.balances(
        as_of=dt.date(2025, 5, 20),
        kinds=("receivable", "in-kind-receivable", "unbilled-receivable"),
    )
    assert [(b["book"], b["kind"], b["ledger"], b["balance"]) for b in owed] == [
        ("JPN", "receivable", "USD", 176000)
    ]
    listed = books.list_orders(overdue=True, as_of=dt.date(2025, 5, 20))["orders"]
    assert [(o["number"], o["outstanding"]["in_kind"]) for o in listed] == [(number, {})]
    rows = _overdue(database_url, dt.date(2025, 5, 21))
    assert (number, "food/ML") not in rows and (number, "fuel/LI") not in rows
    cash = rows[(number, "USD")]
    assert cash["obligation"] == "cash" and cash["outstanding"] == 176000
    # overdue from the 12 months after the delivery, as the order's own clocks say
    assert cash["first_delivery"] == DELIVERED and cash["due"] == dt.date(2025, 5, 10)
    assert cash["days_overdue"] == 11
    assert "converted to cash from rik on 2025-05-11" in str(cash["rule"])
    # aged from the delivery too: the debt is a year old, not ten days
    aged = _ageing(database_url, dt.date(2025, 5, 21))[("JPN", "USD")]
    assert (aged["days_0_90"], aged["days_over_365"]) == (0, 176000)
    # 10 U.S.C. 2342(h): unreconciled more than a year after the delivery, converted or not
    with run.reading(database_url) as c:
        annual = run.make("annual", c, dt.date(2025, 5, 21), book="JPN")
    (open_rows,) = [x.rows for x in annual.sections if x.name == "unreconciled"]
    assert [(r["order"], r["date"], r["ledger"]) for r in open_rows] == [(number, DELIVERED, "USD")]
    assert books.verify()["ok"]

    with pytest.raises(BadInput, match="not settled by 'rik'"):
        books.settle(ref, "rik", quantities={1: 1}, key="s-late-rik", on=dt.date(2025, 6, 1))
    books.settle(ref, "cash", amounts={"USD": 176000}, key="pay", on=dt.date(2025, 6, 1))
    # the same on the date before the payment, read from the postings up to it
    assert _ageing(database_url, dt.date(2025, 5, 21))[("JPN", "USD")] == aged
    closed = books.close_order(ref, key="close", on=dt.date(2025, 6, 2))
    assert closed["order"]["status"] == "closed"
    assert books.balances(kinds=("receivable", "payable", "in-kind-receivable")) == []
    assert _overdue(database_url, dt.date(2025, 7, 1)) == {}
    report = books.verify()
    assert report["ok"] and report["orders_match_events"] is True


def test_eve_conversion_reversed_and_made_again(books: Logistics) -> None:  # noqa: F811
    """A correction is a reversing entry: the exchange is owed again, and verify rebuilds the
    order, its postings and open items from the events after each step."""
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp, reimbursement="eve")
    books.deliver(ref, {1: 100}, key="d", on=DELIVERED)
    converted = books.convert(ref, key="c1", on=FIRST_DAY)
    assert converted["order"]["outstanding"]["money"] == {"USD": 125000}
    assert books.verify()["ok"]
    books.reverse(ref, converted["events"][0], key="r", on=FIRST_DAY, reason="exchange agreed")
    view = books.show(ref, as_of=FIRST_DAY)
    assert view["status"] == "delivered"
    assert "may be converted to cash" in view["clocks"]["overdue"][0]
    assert books.verify()["ok"]
    books.convert(ref, key="c2", on=dt.date(2025, 8, 1))
    books.settle(ref, "cash", amounts={"USD": 125000}, key="pay", on=dt.date(2025, 8, 2))
    assert books.show(ref)["status"] == "settled"
    assert books.verify()["ok"]


def test_cash_orders_do_not_convert_and_nothing_is_written(books: Logistics) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp)
    books.deliver(ref, {1: 100}, key="d", on=DELIVERED)
    before = _counts(books)
    with pytest.raises(BadInput, match="reimbursed in cash"):
        books.convert(ref, key="c", on=FIRST_DAY)
    assert _counts(books) == before
    # the key was not used up by the refusal
    books.bill(ref, key="c", on=FIRST_DAY)


def test_the_migration_ages_converted_cash_from_the_delivery(books: Logistics) -> None:  # noqa: F811
    """`logistics_0006` dates the open items of converted cash from the first delivery (as
    `ledger verify` rebuilds them); its downgrade, from the conversion, as they were."""
    from alembic import command
    from sqlalchemy import create_engine, select

    from accord.logistics import tables
    from accord.store.migrate import alembic_config, upgrade

    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp, reimbursement="eve")
    books.deliver(ref, {1: 100}, key="d", on=DELIVERED)
    books.bill(ref, key="b", on=DELIVERED)
    books.convert(ref, key="c", on=FIRST_DAY)
    url = str(books.engine.url.render_as_string(hide_password=False))

    def starts() -> set[tuple[str, dt.date]]:
        engine = create_engine(url)
        oi = tables.ledger_open_items
        with engine.connect() as c:
            found = {(r.kind, r.start) for r in c.execute(select(oi.c.kind, oi.c.start))}
        engine.dispose()
        return found

    assert starts() == {("receivable", DELIVERED), ("payable", None)}
    command.downgrade(alembic_config(url), "logistics@3f6a9c2d8e41")
    assert starts() == {("receivable", FIRST_DAY), ("payable", None)}
    upgrade(url)
    assert starts() == {("receivable", DELIVERED), ("payable", None)}
    assert books.verify()["ok"]
