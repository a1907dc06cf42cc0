"""An order from proposal to closure on SQLite and PostgreSQL: the states, the stored
decisions, the postings in both books, idempotent retries, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from test_orders_support import D, add_signer, books, request, signed_order  # noqa: F401

from accord.errors import BadInput
from accord.logistics.errors import (
    IdempotencyConflict,
    InvalidSignature,
    InvalidTransition,
    NotAllowedByAgreement,
    SigningLimitExceeded,
)
from accord.services.logistics import Logistics


def test_full_cash_lifecycle(books: Logistics) -> None:  # noqa: F811
    us = add_signer(books, "us-coord", "USA")
    jp = add_signer(books, "jp-coord", "JPN")
    proposed = books.propose(request(), key="k-propose", on=D)
    assert proposed["order"]["status"] == "proposed"
    assert proposed["order"]["number"] == "USA-2024-000001"
    assert (
        proposed["decision"]["allowed"] and proposed["decision"]["agreement"] == "jpn-usa-acsa-2016"
    )
    ref = proposed["order"]["number"]
    first = books.sign(ref, us.id, us.sign(books, ref), key="k-sign-us", on=D)
    assert first["order"]["status"] == "proposed" and not first["bound"]
    second = books.sign(ref, jp.id, jp.sign(books, ref), key="k-sign-jp", on=D)
    assert second["order"]["status"] == "signed" and second["bound"]

    books.deliver(ref, {1: 40}, key="k-d1", on=D + dt.timedelta(days=2))
    books.deliver(ref, {1: 60, 2: 1000}, key="k-d2", on=D + dt.timedelta(days=3))
    books.bill(ref, key="k-bill", on=D + dt.timedelta(days=5))
    part = books.settle(
        ref, "cash", amounts={"USD": 100000}, key="k-pay1", on=D + dt.timedelta(days=30)
    )
    assert part["order"]["status"] == "billed"
    assert part["order"]["outstanding"]["money"] == {"USD": 210000 - 100000}
    done = books.settle(
        ref, "cash", amounts={"USD": 110000}, key="k-pay2", on=D + dt.timedelta(days=40)
    )
    assert done["order"]["status"] == "settled"
    closed = books.close_order(ref, key="k-close", on=D + dt.timedelta(days=41))
    assert closed["order"]["status"] == "closed"

    view = books.show(ref, as_of=D + dt.timedelta(days=50))
    assert [s["side"] for s in view["signatures"]] == ["requester", "supplier"]
    assert view["decisions"]["proposal"]["allowed"] and view["decisions"]["signing"]["allowed"]
    reason = view["decisions"]["signing"]["decisions"][0]["reasons"][0]
    assert reason["code"] == "permitted" and reason["clause"] and reason["sources"]
    assert view["clocks"]["overdue"] == []

    # mid-way balances: as of the first delivery, JPN is owed 40 meals' worth, unbilled
    early = books.balances(as_of=D + dt.timedelta(days=2), kinds=("unbilled-receivable",))
    assert early == [
        {
            "book": "JPN",
            "counterparty": "USA",
            "agreement": "jpn-usa-acsa-2016",
            "kind": "unbilled-receivable",
            "ledger": "USD",
            "balance": 40 * 1250,
        }
    ]
    final = {(b["book"], b["kind"]): b["balance"] for b in books.balances()}
    assert final == {
        ("JPN", "cash"): 210000,
        ("JPN", "support-provided"): -210000,
        ("USA", "cash"): -210000,
        ("USA", "support-received"): 210000,
    }
    report = books.verify()
    assert report["ok"] and report["balanced"] and report["audit_chain"] == "ok"
    assert report["orders"] == 1 and report["postings"] > 0


def test_retry_with_the_same_key_returns_the_first_result(books: Logistics) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp)
    books.deliver(ref, {1: 100}, key="d", on=D)
    books.bill(ref, key="b", on=D)
    first = books.settle(ref, "cash", amounts={"USD": 125000}, key="pay", on=D)
    again = books.settle(ref, "cash", amounts={"USD": 125000}, key="pay", on=D)
    assert again["replayed"] and again["events"] == first["events"]
    assert again["order"] == first["order"]
    with pytest.raises(IdempotencyConflict):
        books.settle(ref, "cash", amounts={"USD": 1}, key="pay", on=D)
    proposal = request()
    a = books.propose(proposal, key="prop", on=D)
    b = books.propose(proposal, key="prop", on=D)
    assert a["order"]["id"] == b["order"]["id"]
    assert books.list_orders()["total"] == 2
    assert books.verify()["ok"]


def test_order_no_agreement_allows_is_refused_and_nothing_written(books: Logistics) -> None:  # noqa: F811
    refused_request = request(
        requester={"nation": "KOR", "unit": "ROK Navy"},
        supplier={"nation": "JPN", "unit": "JMSDF"},
        order_date="2015-04-13",
        lines=[
            {
                "category": "fuel",
                "description": "F-76",
                "quantity": 1,
                "unit": "LI",
                "unit_price": "1",
                "currency": "USD",
            }
        ],
    )
    with pytest.raises(NotAllowedByAgreement) as refused:
        books.propose(refused_request, key="k", on=dt.date(2015, 4, 13))
    assert refused.value.exit_status == 1 and "no-agreement" in str(refused.value)
    assert books.list_orders()["total"] == 0
    report = books.verify()
    assert report["events"] == 0 and report["ok"]


def test_bad_signatures_and_limits_are_refused(books: Logistics) -> None:  # noqa: F811
    us = add_signer(books, "us", "USA", {"USD": 1000_00})  # $1,000 limit
    jp = add_signer(books, "jp", "JPN")
    kr = add_signer(books, "kr", "KOR")
    ref = books.propose(request(), key="p", on=D)["order"]["id"]
    with pytest.raises(SigningLimitExceeded):
        books.sign(ref, us.id, us.sign(books, ref), key="s1", on=D)
    with pytest.raises(InvalidSignature):
        books.sign(ref, jp.id, us.sign(books, ref), key="s2", on=D)  # someone else's key
    with pytest.raises(BadInput, match="not a party"):
        books.sign(ref, kr.id, kr.sign(books, ref), key="s3", on=D)
    books.sign(ref, jp.id, jp.sign(books, ref), key="s4", on=D)
    with pytest.raises(InvalidTransition):
        books.sign(ref, jp.id, jp.sign(books, ref), key="s5", on=D)
    assert books.show(ref)["status"] == "proposed", "one signature does not bind"
    with pytest.raises(InvalidTransition):
        books.deliver(ref, {1: 1}, key="d", on=D)


def test_reversal_and_cancel(books: Logistics) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp)
    delivered = books.deliver(ref, {1: 10}, key="d", on=D)
    books.reverse(ref, delivered["events"][0], key="r", on=D, reason="wrong order")
    assert books.show(ref)["status"] == "signed"
    assert books.balances() == []
    books.cancel(ref, key="c", on=D)
    assert books.show(ref)["status"] == "cancelled"
    assert books.verify()["ok"]


def test_rik_and_loan_orders(books: Logistics) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    rik = signed_order(books, us, jp, reimbursement="rik")
    books.deliver(rik, {2: 1000}, key="d1", on=D)
    books.bill(rik, key="b1", on=D)
    books.settle(rik, "rik", quantities={2: 1000}, key="s1", on=D + dt.timedelta(days=90))
    view = books.show(rik)
    assert view["status"] == "settled" and view["collected"] == {"USD": 85000}
    loan = signed_order(
        books,
        us,
        jp,
        transaction_type="loan",
        return_by="2024-08-01",
        lines=[
            {
                "category": "spare-parts",
                "description": "generator 60 kW",
                "quantity": 2,
                "unit": "EA",
                "unit_price": "0",
                "currency": "USD",
            }
        ],
    )
    books.deliver(loan, {1: 2}, key="d2", on=D)
    overdue = books.list_orders(overdue=True, as_of=dt.date(2024, 8, 2))
    assert [o["id"] for o in overdue["orders"]] == [loan]
    books.bill(loan, key="b2", on=D)
    books.settle(loan, "return", quantities={1: 2}, key="s2", on=dt.date(2024, 7, 1))
    assert books.show(loan)["status"] == "settled"
    assert books.verify()["ok"]


def test_in_kind_owed_on_two_lines_of_one_commodity_is_their_sum(books: Logistics) -> None:  # noqa: F811
    """Replacement in kind is owed per commodity: two lines of JP-8 in litres, delivered, owe
    both quantities, and the view shows their sum, not the last line's."""
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    fuel = {"category": "fuel", "unit": "LI", "unit_price": "0.85", "currency": "USD"}
    order = signed_order(
        books,
        us,
        jp,
        reimbursement="rik",
        lines=[
            {**fuel, "description": "JP-8, first lift", "quantity": 1000},
            {**fuel, "description": "JP-8, second lift", "quantity": 400},
        ],
    )
    books.deliver(order, {1: 1000, 2: 400}, key="d1", on=D)
    assert books.show(order)["outstanding"]["in_kind"] == {"fuel/LI": 1400}
    books.bill(order, key="b1", on=D)
    books.settle(order, "rik", quantities={1: 600}, key="s1", on=D + dt.timedelta(days=30))
    assert books.show(order)["outstanding"]["in_kind"] == {"fuel/LI": 800}
