"""The order aggregate, its states and its postings (pure domain, no database).

Rules and their sources:
- An order binds only when both parties' authorized officials have signed it: DODIG-2016-067
  (orders without both signatures give "no assurance that a binding international commitment
  existed"), GAO-20-309.
- Reimbursement in cash, replacement in kind or exchange of equal value: 10 U.S.C. 2344(a);
  loans and leases come back: 10 U.S.C. 2350(4).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from accord.errors import BadInput
from accord.logistics import money, signing, units
from accord.logistics.errors import InvalidSignature, InvalidTransition, SigningLimitExceeded
from accord.logistics.ledger import assert_balanced, net
from accord.logistics.order import (
    Event,
    Line,
    Order,
    OrderTerms,
    Party,
    Status,
    check_signing_limit,
    rebuild,
)
from accord.logistics.order_input import parse_order

D = dt.date(2024, 5, 1)
DECISION = {"allowed": True, "reasons": [{"code": "permitted"}]}


def terms(
    ttype: str = "sale",
    method: str = "cash",
    lines: tuple[Line, ...] | None = None,
    return_by: dt.date | None = None,
) -> OrderTerms:
    return OrderTerms(
        id="o1",
        number="USA-2024-000001",
        agreement="jpn-usa-acsa-2016",
        arrangement=None,
        requester=Party("USA", "3d MLG"),
        supplier=Party("JPN", "JGSDF"),
        situation="exercise",
        transaction_type=ttype,
        reimbursement=method,
        order_date=D,
        date_required=D,
        delivery_place="Camp Hansen",
        lines=lines
        or (
            Line(1, "food", "meals", 100, "ML", 1250, "USD"),
            Line(2, "fuel", "JP-8", 1000, "LI", 85, "USD"),
        ),
        return_by=return_by,
    )


def ev(kind: str, n: int, **payload: Any) -> Event:
    return Event(f"e{n}", kind, D + dt.timedelta(days=n), payload)


def signed(order_terms: OrderTerms | None = None) -> Order:
    t = order_terms or terms()
    order = Order(t)
    order.apply(ev("created", 0, terms=t.as_json()))
    order.apply(ev("proposed", 0, decision=DECISION))
    sig = {"key": "k", "signature": "s", "decision": DECISION, "ceiling": {}}
    order.apply(ev("signed", 1, side="requester", official="us1", **sig))
    assert order.status is Status.PROPOSED, "one signature does not bind (DODIG-2016-067)"
    order.apply(ev("signed", 1, side="supplier", official="jp1", **sig))
    return order


def test_both_signatures_bind_the_order() -> None:
    """DODIG-2016-067 / GAO-20-309: an order binds only when both parties have signed."""
    order = signed()
    assert order.status is Status.SIGNED
    assert order.signed_sides() == ("requester", "supplier")


def test_a_side_cannot_sign_twice() -> None:
    order = Order(terms())
    order.apply(ev("created", 0, terms=terms().as_json()))
    order.apply(ev("proposed", 0, decision=DECISION))
    sig = {"key": "k", "signature": "s", "decision": DECISION}
    order.apply(ev("signed", 1, side="requester", official="us1", **sig))
    with pytest.raises(InvalidTransition):
        order.apply(ev("signed", 1, side="requester", official="us2", **sig))


@pytest.mark.parametrize(
    ("status_events", "command_event"),
    [
        ([], ev("delivered", 2, quantities={"1": 1})),  # draft: not signed
        ([], ev("billed", 2, amounts={})),
        ([], ev("settled", 2, method="cash", amounts={"USD": 1})),
        ([], ev("closed", 2)),
    ],
)
def test_only_valid_transitions(status_events: list[Event], command_event: Event) -> None:
    order = Order(terms())
    order.apply(ev("created", 0, terms=terms().as_json()))
    with pytest.raises(InvalidTransition):
        order.apply(command_event)


def test_a_refused_transition_names_the_states_it_needs_in_the_order_of_life() -> None:
    order = Order(terms())
    order.apply(ev("created", 0, terms=terms().as_json()))
    order.apply(ev("proposed", 0, decision=DECISION))
    with pytest.raises(
        InvalidTransition,
        match=r"it is proposed; deliver applies to orders that are signed, delivered$",
    ):
        order.require("deliver")


def test_cash_lifecycle_postings_balance_and_clear() -> None:
    order = signed()
    p1 = order.apply(ev("delivered", 2, quantities={"1": 40}))
    p2 = order.apply(ev("delivered", 3, quantities={"1": 60, "2": 1000}))
    assert order.status is Status.DELIVERED
    assert order.delivered_value() == {"USD": 100 * 1250 + 1000 * 85}
    p3 = order.apply(ev("billed", 4, amounts={"USD": 210000}))
    assert order.status is Status.BILLED
    p4 = order.apply(ev("settled", 5, method="cash", amounts={"USD": 200000}))
    assert order.status is Status.BILLED and order.outstanding_money() == {"USD": 10000}
    p5 = order.apply(ev("settled", 6, method="cash", amounts={"USD": 10000}))
    assert order.status is Status.SETTLED
    order.apply(ev("closed", 7))
    assert order.status is Status.CLOSED
    balances = net(p1 + p2 + p3 + p4 + p5)
    assert balances == {
        ("JPN", "USA", "jpn-usa-acsa-2016", "cash", "USD"): 210000,
        ("JPN", "USA", "jpn-usa-acsa-2016", "support-provided", "USD"): -210000,
        ("USA", "JPN", "jpn-usa-acsa-2016", "support-received", "USD"): 210000,
        ("USA", "JPN", "jpn-usa-acsa-2016", "cash", "USD"): -210000,
    }


def test_open_items_are_what_is_owed_and_since_the_first_delivery() -> None:
    """The open items the reports read: the supplier is owed, the requester owes, the same
    amount on each side (billed and unbilled cash one obligation, aged from the first delivery
    of it, 10 U.S.C. 2345(a)); nothing once settled."""
    order = signed()
    order.apply(ev("delivered", 2, quantities={"1": 40}))
    order.apply(ev("delivered", 3, quantities={"1": 60, "2": 1000}))
    order.apply(ev("billed", 4, amounts={"USD": 210000}))
    order.apply(ev("settled", 5, method="cash", amounts={"USD": 200000}))
    first = D + dt.timedelta(days=2)
    assert {(x.book, x.counterparty, x.kind, x.ledger, x.amount) for x in order.open_items()} == {
        ("JPN", "USA", "receivable", "USD", 10000),
        ("USA", "JPN", "payable", "USD", -10000),
    }
    assert {x.start for x in order.open_items() if x.kind == "receivable"} == {first}
    order.apply(ev("settled", 6, method="cash", amounts={"USD": 10000}))
    assert order.open_items() == []


def test_overpayment_and_double_settlement_are_refused() -> None:
    order = signed()
    order.apply(ev("delivered", 2, quantities={"1": 100}))
    order.apply(ev("billed", 3, amounts={"USD": 125000}))
    with pytest.raises(BadInput, match="overpay"):
        order.apply(ev("settled", 4, method="cash", amounts={"USD": 125001}))
    order.apply(ev("settled", 4, method="cash", amounts={"USD": 125000}))
    with pytest.raises(InvalidTransition):
        order.apply(ev("settled", 5, method="cash", amounts={"USD": 1}))


def test_delivery_beyond_ordered_quantity_is_refused() -> None:
    order = signed()
    order.apply(ev("delivered", 2, quantities={"1": 90}))
    with pytest.raises(BadInput, match="exceed"):
        order.apply(ev("delivered", 3, quantities={"1": 11}))


def test_rik_is_owed_in_kind_on_the_commodity_ledger() -> None:
    t = terms(method="rik")
    order = signed(t)
    posted = order.apply(ev("delivered", 2, quantities={"2": 1000}))
    assert all(p.ledger == "fuel/LI" for p in posted)
    order.apply(ev("billed", 3, amounts={}))
    with pytest.raises(BadInput, match="not settled by 'cash'"):
        order.apply(ev("settled", 4, method="cash", amounts={"USD": 1}))
    order.apply(ev("settled", 4, method="rik", quantities={"2": 400}))
    assert order.outstanding_in_kind() == {2: 600}
    assert order.collected() == {"USD": 400 * 85}, "a return in kind is valued at the price"
    order.apply(ev("settled", 5, method="rik", quantities={"2": 600}))
    assert order.status is Status.SETTLED


def test_rik_does_not_apply_to_services() -> None:
    with pytest.raises(BadInput, match="replacement in kind applies to supplies"):
        terms(method="rik", lines=(Line(1, "transportation", "airlift", 1, "SO", 1, "USD"),))


def test_eve_is_settled_by_value() -> None:
    order = signed(terms(method="eve"))
    order.apply(ev("delivered", 2, quantities={"1": 100}))
    order.apply(ev("billed", 3, amounts={}))
    order.apply(ev("settled", 4, method="eve", amounts={"USD": 125000}, note="airlift"))
    assert order.status is Status.SETTLED


def test_loan_is_due_back_and_settled_by_return() -> None:
    t = terms(
        ttype="loan",
        lines=(Line(1, "equipment-use", "generator", 2, "EA", 0, "USD"),),
        return_by=dt.date(2024, 8, 1),
    )
    order = signed(t)
    order.apply(ev("delivered", 2, quantities={"1": 2}))
    assert order.outstanding_due_back() == {1: 2} and order.outstanding_money() == {}
    order.apply(ev("billed", 3, amounts={}))
    order.apply(ev("settled", 4, method="return", quantities={"1": 2}))
    assert order.status is Status.SETTLED


def test_loans_and_leases_need_a_return_date() -> None:
    with pytest.raises(BadInput, match="return_by"):
        terms(ttype="lease")


def test_reversal_restores_the_previous_state_and_nets_to_zero() -> None:
    order = signed()
    p = order.apply(ev("delivered", 2, quantities={"1": 10}))
    r = order.apply(ev("reversed", 3, target="e2"))
    assert order.status is Status.SIGNED
    assert net(p + r) == {}
    # cancel after the only delivery was reversed
    order.apply(ev("cancelled", 4, reason="wrong unit"))
    assert order.status is Status.CANCELLED


def test_a_delivered_order_cannot_be_cancelled() -> None:
    order = signed()
    order.apply(ev("delivered", 2, quantities={"1": 10}))
    with pytest.raises(InvalidTransition):
        order.apply(ev("cancelled", 3))


def test_rebuild_from_events_gives_the_same_order() -> None:
    t = terms()
    events = [
        ev("created", 0, terms=t.as_json()),
        ev("proposed", 0, decision=DECISION),
        ev("signed", 1, side="requester", official="a", key="k", signature="s", decision=None),
        ev("signed", 1, side="supplier", official="b", key="k", signature="s", decision=DECISION),
        ev("delivered", 2, quantities={"1": 100}),
    ]
    order = rebuild(events)
    assert order.status is Status.DELIVERED and order.version == 5


def test_canonical_bytes_are_stable_and_key_order_free() -> None:
    t = terms()
    assert t.canonical() == OrderTerms.from_json(t.as_json()).canonical()
    assert b" " not in t.canonical().replace(b"Camp Hansen", b"").replace(b"3d MLG", b"")


@pytest.mark.parametrize(
    ("totals", "limits", "ok"),
    [
        ({"USD": 100}, {"USD": 100}, True),
        ({"USD": 101}, {"USD": 100}, False),
        ({"JPY": 1}, {"USD": 100}, False),  # no authority in that currency
    ],
)
def test_signing_limits(totals: dict[str, int], limits: dict[str, int], ok: bool) -> None:
    if ok:
        check_signing_limit(totals, limits, "x")
    else:
        with pytest.raises(SigningLimitExceeded):
            check_signing_limit(totals, limits, "x")


@pytest.mark.parametrize(
    ("code", "exponent", "text", "minor"),
    [
        ("USD", 2, "12.34", 1234),
        ("JPY", 0, "1234", 1234),
        ("KRW", 0, "5000", 5000),
        ("KWD", 3, "1.234", 1234),
        ("usd", 2, "0.5", 50),
    ],
)
def test_currency_exponents(code: str, exponent: int, text: str, minor: int) -> None:
    ccy = money.currency(code)
    assert money.exponent(ccy) == exponent
    assert money.to_minor(text, ccy) == minor


@pytest.mark.parametrize(
    ("code", "amount"), [("JPY", "1.5"), ("USD", "0.001"), ("USD", "abc"), ("USD", "nan")]
)
def test_amount_precision_is_checked(code: str, amount: str) -> None:
    with pytest.raises(BadInput):
        money.to_minor(amount, code)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("10000000000000", None),  # USD 10 trillion: the most one amount may be
        ("10000000000000.01", "too large"),
        ("1e30", "too large"),
        ("1e999999999", "too large"),  # would overflow the decimal context if scaled first
        ("1e-999999999", "more decimals"),  # would round to 0 if scaled first
    ],
)
def test_amounts_fit_the_books_64_bit_columns(amount: str, message: str | None) -> None:
    """Amounts are 64-bit integers in both databases and the books add them up: one amount
    is at most 10^15 minor units, and what could not be one is bad input, not an error."""
    if message is None:
        assert money.to_minor(amount, "USD") == money.MAX_MINOR
    else:
        with pytest.raises(BadInput, match=message):
            money.to_minor(amount, "USD")


def test_a_conversion_past_what_the_books_hold_is_bad_input() -> None:
    from decimal import Decimal

    assert money.convert(money.MAX_MINOR, "USD", "USD", Decimal(1)) == money.MAX_MINOR
    with pytest.raises(BadInput, match="more than the books hold"):
        money.convert(money.MAX_MINOR, "JPY", "USD", Decimal(1000))


@pytest.mark.parametrize("code", ["XXX", "XAU", "US", "DOLLAR", "ABC"])
def test_unknown_currencies_are_bad_input(code: str) -> None:
    with pytest.raises(BadInput, match="currency"):
        money.currency(code)


def test_units_of_issue() -> None:
    assert units.unit("li") == "LI"
    with pytest.raises(BadInput, match="unit of issue"):
        units.unit("furlong")


def test_conversion_rounds_half_even() -> None:
    from decimal import Decimal

    assert money.convert(150, "JPY", "USD", Decimal("0.0067")) == 100  # 1.005 -> 1.00 (even)
    assert money.convert(100, "USD", "JPY", Decimal("150.5")) == 150  # 150.5 -> 150 (even)


def order_file(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "requester": {"nation": "usa", "unit": "3d MLG"},
        "supplier": {"nation": "JPN", "unit": "JGSDF"},
        "situation": "exercise",
        "transaction_type": "sale",
        "reimbursement": "cash",
        "delivery_place": "Camp Hansen",
        "lines": [
            {
                "category": "food",
                "description": "meals",
                "quantity": 10,
                "unit": "ml",
                "unit_price": "12.50",
                "currency": "usd",
            }
        ],
    }
    base.update(overrides)
    return base


def test_parse_order_file() -> None:
    req = parse_order(order_file(), "id1", D)
    assert req.requester == Party("USA", "3d MLG")
    assert req.lines[0].unit_price == 1250 and req.lines[0].unit == "ML"


@pytest.mark.parametrize(
    ("line_change", "message"),
    [
        ({"currency": "EURO"}, "unknown currency"),
        ({"quantity": -3}, "not positive"),
        ({"unit": "bucket"}, "unknown unit"),
        ({"category": "lasers"}, "unknown category"),
        ({"unit_price": "1.234"}, "more decimals"),
        ({"currency": "JPY", "unit_price": "10.5"}, "more decimals"),
    ],
)
def test_parse_order_bad_lines(line_change: dict[str, Any], message: str) -> None:
    line = {**order_file()["lines"][0], **line_change}
    with pytest.raises(BadInput, match=message):
        parse_order(order_file(lines=[line]), "id1", D)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"delivery_place": "p" * 301},
            "delivery_place is 301 characters long; accepted: at most 300",
        ),
        ({"supplier": {"nation": "JPN", "unit": "JGSDF\x00"}}, "unit contains a NUL character"),
        ({"lines": [{"description": "d" * 501}]}, "line 1: the description is 501 characters"),
    ],
)
def test_free_text_fits_its_column_in_both_databases(change: dict[str, Any], message: str) -> None:
    """PostgreSQL refuses text longer than its column, or with NUL, and SQLite stores it: the
    domain refuses it first, so that both databases take the same orders."""
    data = order_file(**{k: v for k, v in change.items() if k != "lines"})
    if "lines" in change:
        data["lines"] = [{**data["lines"][0], **change["lines"][0]}]
    request = parse_order(data, "id1", D)
    with pytest.raises(BadInput, match=message):
        request.terms("USA-2024-000001", "jpn-usa-acsa-1996", None)
    fits = order_file(delivery_place="p" * 300)
    assert parse_order(fits, "id1", D).terms("n", "a", None).delivery_place == "p" * 300


@pytest.mark.parametrize(
    ("line_change", "message"),
    [
        ({"quantity": 10**15 + 1}, "quantity 1000000000000001 is too large"),
        # each within bounds, their product past what one order may total
        ({"quantity": 10**9, "unit_price": "10000000"}, "order's total .* is too large"),
    ],
)
def test_terms_fit_the_books_64_bit_columns(line_change: dict[str, Any], message: str) -> None:
    """What the books add up (quantities, an order's total in each currency) is held to
    `money.MAX_MINOR`, so that sums of orders stay within a 64-bit column."""
    line = {**order_file()["lines"][0], **line_change}
    request = parse_order(order_file(lines=[line]), "id1", D)
    with pytest.raises(BadInput, match=message):
        request.terms("USA-2024-000001", "jpn-usa-acsa-1996", None)


def test_every_delivery_posting_balances_per_book_and_ledger() -> None:
    order = signed(terms(ttype="lease", method="eve", return_by=dt.date(2025, 1, 1)))
    posted = order.apply(ev("delivered", 2, quantities={"1": 5, "2": 7}))
    assert_balanced(posted)
    assert {p.ledger for p in posted} == {"USD", "food/ML", "fuel/LI"}


def test_order_signatures_are_rfc_8032_ed25519_in_both_libraries() -> None:
    """An official's key is made and signs with OpenSSL (`cryptography`); `signing.verify`
    checks with libsodium (PyNaCl). A signature of either library verifies with the other,
    and one over other bytes, by another key or malformed is refused."""
    canonical = terms().canonical()
    key = signing.new_private_key()
    by_openssl = signing.sign(key, canonical)
    signing.verify(signing.public_hex(key), by_openssl, canonical)
    sodium = nacl.signing.SigningKey.generate()
    by_sodium = sodium.sign(signing.message(canonical)).signature
    public = bytes(sodium.verify_key)
    Ed25519PublicKey.from_public_bytes(public).verify(by_sodium, signing.message(canonical))
    signing.verify(public.hex(), base64.b64encode(by_sodium).decode(), canonical)
    other = signing.public_hex(signing.new_private_key())
    for public_hex, signature, signed in (
        (signing.public_hex(key), by_openssl, canonical + b" "),
        (other, by_openssl, canonical),
        (signing.public_hex(key), by_openssl[:-4], canonical),
        (signing.public_hex(key), "not base64!", canonical),
        ("12ab", by_openssl, canonical),
    ):
        with pytest.raises(InvalidSignature):
            signing.verify(public_hex, signature, signed)
