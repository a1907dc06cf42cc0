"""The logistics order: what both parties sign, and what happens to it afterwards.

`OrderTerms` are the binding content: the form that the requesting and the supplying party's
authorized officials both sign (an order binds only with both signatures: DODIG-2016-067,
GAO-20-309). `Order` is the aggregate: its state is a fold over its events (`apply`), and each
event that moves value returns its balanced postings, computed from the state before it. The
same fold rebuilds an order from its stored events and lets `ledger verify` recompute every
posting from the audit log.

States::

    draft ─propose─▶ proposed ─sign×2─▶ signed ─deliver─▶ delivered ─bill─▶ billed ─settle─▶ settled ─close─▶ closed
      └──────────────┴───────────────────┴─cancel─▶ cancelled        (deliver again)   (settle in part)
                                              delivered|billed ─convert─▶ billed (RIK/EVE owed in cash)

Replacement in kind (RIK) or an exchange of equal value (EVE) not made within 12 months after
the first delivery (10 U.S.C. 2345(b)) may be converted to cash (`converted-to-cash`): what is
still owed in kind becomes a cash receivable at the order's prices, settled like a cash order.
The statute sets the 12 months but not what follows them; the conversion follows DoD policy
(DoDD 2010.09, DoD FMR Vol. 11A Ch. 8) as Accord's reference reads it: UNVERIFIED policy,
not statute.

Corrections are reversals of a delivery, a bill, a settlement or a conversion to cash (the
latest stage only); nothing is edited.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from accord.errors import BadInput
from accord.logistics import money
from accord.logistics.errors import InvalidTransition, SigningLimitExceeded
from accord.logistics.ledger import (
    OpenItem,
    Posting,
    assert_balanced,
    open_items,
    reversal,
    transfer,
)
from accord.logistics.text import (
    AGREEMENT_CHARS,
    DESCRIPTION_CHARS,
    DOCUMENT_NAME_CHARS,
    PLACE_CHARS,
    UNIT_CHARS,
    check_text,
)

TRANSACTION_TYPES = ("sale", "loan", "lease", "service")
REIMBURSEMENTS = ("cash", "rik", "eve")
SETTLEMENT_METHODS = ("cash", "rik", "eve", "return")
SIDES = ("requester", "supplier")

# Categories that are supplies (goods) rather than services: replacement in kind applies to
# them (Japan's ACSAs: supplies are returned in kind, services repaid in currency or by
# services of equal value), and the supplies sub-limits of 10 U.S.C. 2347 count them.
SUPPLY_CATEGORIES = frozenset({"food", "water", "fuel", "clothing", "ammunition", "spare-parts"})

_NSN = re.compile(r"^\d{4}-?\d{2}-?\d{3}-?\d{4}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Status(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SIGNED = "signed"
    DELIVERED = "delivered"
    BILLED = "billed"
    SETTLED = "settled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# Which commands apply in which states (checked again in each event's own rules).
ALLOWED: dict[str, frozenset[Status]] = {
    "propose": frozenset({Status.DRAFT}),
    "sign": frozenset({Status.PROPOSED}),
    "deliver": frozenset({Status.SIGNED, Status.DELIVERED}),
    "bill": frozenset({Status.DELIVERED}),
    "settle": frozenset({Status.BILLED}),
    "close": frozenset({Status.SETTLED}),
    "cancel": frozenset({Status.DRAFT, Status.PROPOSED, Status.SIGNED}),
    "reverse": frozenset({Status.DELIVERED, Status.BILLED, Status.SETTLED}),
    "convert": frozenset({Status.DELIVERED, Status.BILLED}),
}

# Reimbursements whose unsatisfied obligations convert to cash after 10 U.S.C. 2345(b)'s 12
# months (DoD policy, unverified: see the module's docstring).
CONVERTIBLE = ("rik", "eve")
K = TypeVar("K")  # a line number or a currency code


@dataclass(frozen=True, slots=True)
class Party:
    nation: str
    unit: str

    def as_json(self) -> dict[str, str]:
        return {"nation": self.nation, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Document:
    """A supporting document, identified by the SHA-256 of its bytes (stored elsewhere)."""

    name: str
    sha256: str
    line: int | None = None  # the order line it supports; None: the whole order

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "line": self.line}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Document:
        return Document(str(data["name"]), str(data["sha256"]), data.get("line"))


class Line(NamedTuple):
    """One line of an order. A named tuple, not a frozen dataclass: as immutable, and made
    about four times faster, which an import of a million lines feels."""

    number: int
    category: str
    description: str
    quantity: int
    unit: str
    unit_price: int  # minor units of `currency`
    currency: str
    nsn: str | None = None

    @property
    def value(self) -> int:
        return self.quantity * self.unit_price

    def value_of(self, quantity: int) -> int:
        return quantity * self.unit_price

    @property
    def commodity(self) -> str:
        """The commodity ledger of this line's goods: by NSN where given, else by category."""
        item = f"NSN {self.nsn}" if self.nsn else self.category
        return f"{item}/{self.unit}"

    @property
    def is_supply(self) -> bool:
        return self.category in SUPPLY_CATEGORIES

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "category": self.category,
            "description": self.description,
            "nsn": self.nsn,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "currency": self.currency,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Line:
        return Line(
            int(data["line"]),
            str(data["category"]),
            str(data["description"]),
            int(data["quantity"]),
            str(data["unit"]),
            int(data["unit_price"]),
            str(data["currency"]),
            data.get("nsn"),
        )


@dataclass(frozen=True, slots=True)
class OrderTerms:
    """The binding content of an order: what both officials sign, byte for byte."""

    id: str
    number: str
    agreement: str
    arrangement: str | None
    requester: Party
    supplier: Party
    situation: str
    transaction_type: str
    reimbursement: str
    order_date: dt.date
    date_required: dt.date
    delivery_place: str
    lines: tuple[Line, ...]
    documents: tuple[Document, ...] = ()
    return_by: dt.date | None = None  # loans and leases: when the items are due back

    def __post_init__(self) -> None:
        validate_terms(self)

    @property
    def issuing_nation(self) -> str:
        return self.requester.nation

    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for line in self.lines:
            totals[line.currency] += line.value
        return dict(sorted(totals.items()))

    def line(self, number: int) -> Line:
        for line in self.lines:
            if line.number == number:
                return line
        raise BadInput(f"order {self.number} has no line {number}; lines: 1 to {len(self.lines)}")

    @property
    def owes_money(self) -> bool:
        """Money (cash, or value to exchange) is owed for what is delivered."""
        return self.transaction_type != "loan" and self.reimbursement in ("cash", "eve")

    @property
    def owes_in_kind(self) -> bool:
        return self.transaction_type != "loan" and self.reimbursement == "rik"

    @property
    def due_back(self) -> bool:
        return self.transaction_type in ("loan", "lease")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "agreement": self.agreement,
            "arrangement": self.arrangement,
            "requester": self.requester.as_json(),
            "supplier": self.supplier.as_json(),
            "situation": self.situation,
            "transaction_type": self.transaction_type,
            "reimbursement": self.reimbursement,
            "order_date": self.order_date.isoformat(),
            "date_required": self.date_required.isoformat(),
            "return_by": self.return_by.isoformat() if self.return_by else None,
            "delivery_place": self.delivery_place,
            "lines": [line.as_json() for line in self.lines],
            "documents": [d.as_json() for d in self.documents],
        }

    def canonical(self) -> bytes:
        """Sorted keys, no insignificant whitespace, UTF-8: the bytes both officials sign."""
        return canonical_json(self.as_json())

    @staticmethod
    def from_json(data: dict[str, Any]) -> OrderTerms:
        return OrderTerms(
            id=str(data["id"]),
            number=str(data["number"]),
            agreement=str(data["agreement"]),
            arrangement=data.get("arrangement"),
            requester=Party(**data["requester"]),
            supplier=Party(**data["supplier"]),
            situation=str(data["situation"]),
            transaction_type=str(data["transaction_type"]),
            reimbursement=str(data["reimbursement"]),
            order_date=dt.date.fromisoformat(data["order_date"]),
            date_required=dt.date.fromisoformat(data["date_required"]),
            return_by=dt.date.fromisoformat(data["return_by"]) if data.get("return_by") else None,
            delivery_place=str(data["delivery_place"]),
            lines=tuple(Line.from_json(x) for x in data["lines"]),
            documents=tuple(Document.from_json(x) for x in data.get("documents") or ()),
        )


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def validate_terms(terms: OrderTerms) -> None:
    """The rules an order's content must meet, whatever the agreements say."""
    if terms.requester.nation == terms.supplier.nation:
        raise BadInput(
            f"requesting and supplying nation are both {terms.requester.nation}; "
            "accepted: two different nations"
        )
    if terms.transaction_type not in TRANSACTION_TYPES:
        raise BadInput(
            f"unknown transaction type {terms.transaction_type!r}; accepted: "
            + ", ".join(TRANSACTION_TYPES)
        )
    if terms.reimbursement not in REIMBURSEMENTS:
        raise BadInput(
            f"unknown reimbursement {terms.reimbursement!r}; accepted: " + ", ".join(REIMBURSEMENTS)
        )
    if not terms.lines:
        raise BadInput("an order needs at least one line")
    check_text(terms.requester.unit, "the requester's unit", UNIT_CHARS)
    check_text(terms.supplier.unit, "the supplier's unit", UNIT_CHARS)
    check_text(terms.delivery_place, "delivery_place", PLACE_CHARS)
    check_text(terms.agreement, "agreement", AGREEMENT_CHARS)
    if terms.arrangement is not None:
        check_text(terms.arrangement, "arrangement", AGREEMENT_CHARS)
    in_kind = terms.reimbursement == "rik"
    largest = money.MAX_MINOR
    value = 0  # of all lines, whatever their currency: at least each currency's total
    # an import checks a million lines here: each line's fields taken at once (a named
    # tuple's unpacking is the interpreter's fast path, its attributes are not), and no
    # work before a fault but the sum of the lines' values
    for position, (number, category, description, quantity, _, price, _, nsn) in enumerate(
        terms.lines, start=1
    ):
        if number != position:
            raise BadInput("order lines must be numbered 1, 2, 3, ... in order")
        if quantity <= 0:
            raise BadInput(
                f"line {number}: quantity {quantity} is not positive; accepted: 1 or more"
            )
        if quantity > largest:
            raise BadInput(
                f"line {number}: quantity {quantity} is too large; accepted: at most {largest:,}"
            )
        if price < 0:
            raise BadInput(f"line {number}: unit price is negative; accepted: 0 or more")
        value += quantity * price
        if nsn is not None and not _NSN.match(nsn):
            raise BadInput(
                f"line {number}: malformed NSN {nsn!r}; accepted: 13 digits as NNNN-NN-NNN-NNNN"
            )
        if not description.strip():
            raise BadInput(f"line {number}: the description is empty")
        if len(description) > DESCRIPTION_CHARS or "\x00" in description:
            check_text(description, f"line {number}: the description", DESCRIPTION_CHARS)
        if in_kind and category not in SUPPLY_CATEGORIES:
            raise BadInput(
                f"line {number}: replacement in kind applies to supplies, not to "
                f"'{category}' services; accepted for services: cash or eve"
            )
    for code, total in terms.totals().items() if value > largest else ():
        if total > largest:  # what the books add up must fit their columns
            raise BadInput(
                f"the order's total of {money.plain(total, code)} {code} is too large; accepted: "
                f"at most {money.plain(largest, code)} {code} an order (split it)"
            )
    if terms.transaction_type == "lease" and terms.reimbursement == "rik":
        raise BadInput("a lease is paid in cash or by an exchange of equal value, not in kind")
    if terms.due_back and terms.return_by is None:
        raise BadInput(f"a {terms.transaction_type} needs return_by: the date items are due back")
    if not terms.due_back and terms.return_by is not None:
        raise BadInput("return_by applies only to loans and leases")
    if terms.return_by is not None and terms.return_by < terms.order_date:
        raise BadInput(f"return_by {terms.return_by} is before the order date {terms.order_date}")
    for doc in terms.documents:
        validate_document(doc, len(terms.lines))


def validate_document(doc: Document, line_count: int) -> None:
    check_text(doc.name, f"the name of document {doc.name[:40]!r}", DOCUMENT_NAME_CHARS)
    if not _SHA256.match(doc.sha256):
        raise BadInput(
            f"document {doc.name!r}: malformed SHA-256 {doc.sha256!r}; accepted: 64 lower-case hex digits"
        )
    if doc.line is not None and not 1 <= doc.line <= line_count:
        raise BadInput(f"document {doc.name!r} names line {doc.line}, which the order lacks")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to an order. `on` is the legal date (delivered, paid); the
    time it was recorded is the audit log's."""

    id: str
    kind: str
    on: dt.date
    payload: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "on": self.on.isoformat(), **self.payload}


@dataclass
class Signature:
    side: str
    official: str
    key: str  # fingerprint of the public key
    signature: str
    on: dt.date


@dataclass
class Delivery:
    id: str
    on: dt.date
    quantities: dict[int, int]
    reversed: bool = False


@dataclass
class Settlement:
    id: str
    on: dt.date
    method: str
    amounts: dict[str, int]  # cash paid or value exchanged, per currency
    quantities: dict[int, int]  # returned in kind or returned (loans), per line
    value: dict[str, int]  # what the settlement is worth, per currency (RIK valued at the price)
    reversed: bool = False


@dataclass
class Conversion:
    """RIK or EVE still owed after 10 U.S.C. 2345(b)'s 12 months, made owed in cash."""

    id: str
    on: dt.date
    method: str  # what was owed: rik (quantities per line) or eve (value per currency)
    quantities: dict[int, int]  # RIK: converted per line; EVE: none
    amounts: dict[str, int]  # the cash now owed for it, per currency (at the lines' prices)
    reversed: bool = False


@dataclass
class Order:
    terms: OrderTerms
    status: Status = Status.DRAFT
    version: int = 0
    signatures: dict[str, Signature] = field(default_factory=dict)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    bill: tuple[str, dt.date, dict[str, int]] | None = None  # event id, date, amounts billed
    settlements: dict[str, Settlement] = field(default_factory=dict)
    conversions: dict[str, Conversion] = field(default_factory=dict)
    ceiling: dict[str, Any] = field(default_factory=dict)  # charges and waiver at signing
    signed_on: dt.date | None = None
    closed_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    postings_by_event: dict[str, list[Posting]] = field(default_factory=dict)
    posted_on: dict[str, dt.date] = field(default_factory=dict)  # event id -> its value date

    # ------------------------------------------------------------------ derived figures

    def delivered_qty(self) -> dict[int, int]:
        return _summed(d.quantities for d in self.deliveries.values() if not d.reversed)

    def returned_qty(self) -> dict[int, int]:
        """Per line, what came back: replaced in kind, or loaned and leased items returned."""
        return _summed(self.settled_quantities(method) for method in ("rik", "return"))

    def delivered_value(self) -> dict[str, int]:
        value: dict[str, int] = defaultdict(int)
        for line_no, q in self.delivered_qty().items():
            line = self.terms.line(line_no)
            value[line.currency] += line.value_of(q)
        return dict(value)

    def _settled(self, method: str) -> list[Settlement]:
        return [s for s in self.settlements.values() if s.method == method and not s.reversed]

    def settled_amounts(self, method: str) -> dict[str, int]:
        return _summed(s.amounts for s in self._settled(method))

    def settled_quantities(self, method: str) -> dict[int, int]:
        return _summed(s.quantities for s in self._settled(method))

    def conversion(self) -> Conversion | None:
        """The latest conversion to cash not reversed (one converts all that was owed)."""
        live = [c for c in self.conversions.values() if not c.reversed]
        return live[-1] if live else None

    def converted_quantities(self) -> dict[int, int]:
        """RIK converted to cash, per line (conversions not reversed)."""
        return _summed(c.quantities for c in self.conversions.values() if not c.reversed)

    def converted_amounts(self) -> dict[str, int]:
        """The cash owed by conversion, per currency (conversions not reversed)."""
        return _summed(c.amounts for c in self.conversions.values() if not c.reversed)

    def outstanding_money(self) -> dict[str, int]:
        """Money still owed (cash, or value to exchange), per currency."""
        total = _summed((self.outstanding_exchange(), self.outstanding_cash()))
        return {ccy: v for ccy, v in sorted(total.items()) if v}

    def outstanding_exchange(self) -> dict[str, int]:
        """EVE: value still to be given back in support of equal value, per currency (none
        once converted to cash)."""
        if not (self.terms.owes_money and self.terms.reimbursement == "eve"):
            return {}
        done = self.settled_amounts("eve")
        converted = self.converted_amounts()
        return _remaining(self.delivered_value(), done, converted)

    def outstanding_cash(self) -> dict[str, int]:
        """Cash still owed, per currency: for a cash order the value delivered, for an RIK or
        EVE order the value converted to cash; less the cash paid."""
        paid = self.settled_amounts("cash")
        if self.terms.owes_money and self.terms.reimbursement == "cash":
            return _remaining(self.delivered_value(), paid)
        return _remaining(self.converted_amounts(), paid)

    def outstanding_in_kind(self) -> dict[int, int]:
        """Quantities still to be replaced in kind, per line (none once converted to cash)."""
        if not self.terms.owes_in_kind:
            return {}
        back = self.settled_quantities("rik")
        converted = self.converted_quantities()
        return _remaining(self.delivered_qty(), back, converted)

    def outstanding_due_back(self) -> dict[int, int]:
        """Loaned or leased quantities not yet returned, per line."""
        if not self.terms.due_back:
            return {}
        back = self.settled_quantities("return")
        return {
            line: q - back.get(line, 0)
            for line, q in self.delivered_qty().items()
            if q - back.get(line, 0)
        }

    def collected(self) -> dict[str, int]:
        """Value received back, per currency: cash paid, value exchanged, RIK valued at price."""
        total: dict[str, int] = defaultdict(int)
        for s in self.settlements.values():
            if not s.reversed:
                for ccy, v in s.value.items():
                    total[ccy] += v
        return dict(total)

    def has_open_obligations(self) -> bool:
        return bool(
            self.outstanding_money() or self.outstanding_in_kind() or self.outstanding_due_back()
        )

    def open_items(self) -> list[OpenItem]:
        """What the order owes or is owed, per account, from its postings (`ledger_open_items`).
        Cash converted from RIK or EVE is aged from the first delivery, as its clocks run: the
        liability is the one that accrued then (`clocks`), now owed in cash."""
        first_delivery = self.first_delivery_on()
        return open_items(
            (
                first_delivery
                if event_id in self.conversions and first_delivery is not None
                else self.posted_on[event_id],
                p,
            )
            for event_id, postings in self.postings_by_event.items()
            for p in postings
        )

    def posting_span(self) -> tuple[dt.date, dt.date] | None:
        """The value dates of the order's first and last ledger transactions (events with
        postings), or None before its first."""
        days = [self.posted_on[e] for e, postings in self.postings_by_event.items() if postings]
        return (min(days), max(days)) if days else None

    def first_delivery_on(self) -> dt.date | None:
        days = [d.on for d in self.deliveries.values() if not d.reversed]
        return min(days) if days else None

    def signed_sides(self) -> tuple[str, ...]:
        return tuple(side for side in SIDES if side in self.signatures)

    # ------------------------------------------------------------------ the fold

    def require(self, command: str) -> None:
        if self.status not in ALLOWED[command]:
            allowed = ", ".join(s.value for s in Status if s in ALLOWED[command])  # in life order
            raise InvalidTransition(
                f"cannot {command} order {self.terms.number}: it is {self.status.value}; "
                f"{command} applies to orders that are {allowed}"
            )

    def apply(self, event: Event) -> list[Posting]:
        """Validate the event against the current state, change the state, and return the
        event's balanced postings (empty when no value moves)."""
        if event.on < self.terms.order_date:
            raise BadInput(
                f"{event.kind} date {event.on} is before the order date {self.terms.order_date}"
            )
        handler = (
            None
            if "_" in event.kind
            else getattr(self, f"_on_{event.kind.replace('-', '_')}", None)
        )
        if handler is None:
            raise BadInput(f"unknown order event {event.kind!r}")
        postings: list[Posting] = handler(event)
        assert_balanced(postings)
        self.postings_by_event[event.id] = postings
        self.posted_on[event.id] = event.on
        self.version += 1
        return postings

    def _on_created(self, event: Event) -> list[Posting]:
        if self.version != 0:
            raise InvalidTransition(f"order {self.terms.number} exists already")
        self.status = Status.DRAFT
        return []

    def _on_proposed(self, event: Event) -> list[Posting]:
        self.require("propose")
        self.decisions["proposal"] = event.payload["decision"]
        self.status = Status.PROPOSED
        return []

    def _on_signed(self, event: Event) -> list[Posting]:
        self.require("sign")
        side = event.payload["side"]
        if side not in SIDES:
            raise BadInput(f"unknown side {side!r}; accepted: requester, supplier")
        if side in self.signatures:
            raise InvalidTransition(
                f"order {self.terms.number} already carries the {side}'s signature "
                f"(by {self.signatures[side].official})"
            )
        self.signatures[side] = Signature(
            side,
            event.payload["official"],
            event.payload["key"],
            event.payload["signature"],
            event.on,
        )
        if len(self.signatures) == len(SIDES):
            self.decisions["signing"] = event.payload["decision"]
            self.ceiling = event.payload.get("ceiling") or {}
            self.signed_on = event.on
            self.status = Status.SIGNED
        return []

    def _on_delivered(self, event: Event) -> list[Posting]:
        self.require("deliver")
        quantities = _line_quantities(event.payload["quantities"])
        delivered = self.delivered_qty()
        for line_no, q in quantities.items():
            line = self.terms.line(line_no)
            if q <= 0:
                raise BadInput(f"line {line_no}: delivered quantity {q} is not positive")
            if delivered.get(line_no, 0) + q > line.quantity:
                raise BadInput(
                    f"line {line_no}: delivering {q} {line.unit} would exceed the "
                    f"{line.quantity} ordered ({delivered.get(line_no, 0)} delivered so far)"
                )
        if not quantities:
            raise BadInput("a delivery needs at least one line with a quantity")
        self.deliveries[event.id] = Delivery(event.id, event.on, quantities)
        self.status = Status.DELIVERED
        return self._delivery_postings(quantities)

    def _delivery_postings(self, quantities: dict[int, int]) -> list[Posting]:
        t = self.terms
        sup, req, agr = t.supplier.nation, t.requester.nation, t.agreement
        postings: list[Posting] = []
        if t.owes_money:
            value: dict[str, int] = defaultdict(int)
            for line_no, q in quantities.items():
                line = t.line(line_no)
                value[line.currency] += line.value_of(q)
            due_s, due_r = (
                ("unbilled-receivable", "unbilled-payable")
                if t.reimbursement == "cash"
                else ("in-kind-receivable", "in-kind-payable")
            )
            for ccy in sorted(value):
                postings += transfer(
                    agr,
                    ccy,
                    value[ccy],
                    sup,
                    req,
                    due_s,
                    "support-provided",
                    "support-received",
                    due_r,
                )
        for line_no in sorted(quantities):
            line, q = t.line(line_no), quantities[line_no]
            if t.owes_in_kind:
                postings += transfer(
                    agr,
                    line.commodity,
                    q,
                    sup,
                    req,
                    "in-kind-receivable",
                    "support-provided",
                    "support-received",
                    "in-kind-payable",
                )
            if t.due_back:
                postings += transfer(
                    agr,
                    line.commodity,
                    q,
                    sup,
                    req,
                    "due-back-receivable",
                    "lent",
                    "borrowed",
                    "due-back-payable",
                )
        return postings

    def _on_billed(self, event: Event) -> list[Posting]:
        self.require("bill")
        t = self.terms
        amounts = self.delivered_value() if (t.owes_money and t.reimbursement == "cash") else {}
        if {k: int(v) for k, v in event.payload.get("amounts", {}).items()} != amounts:
            raise BadInput("the bill's amounts are not the value delivered")
        self.bill = (event.id, event.on, amounts)
        self.status = Status.BILLED
        postings: list[Posting] = []
        for ccy in sorted(amounts):
            postings += transfer(
                t.agreement,
                ccy,
                amounts[ccy],
                t.supplier.nation,
                t.requester.nation,
                "receivable",
                "unbilled-receivable",
                "unbilled-payable",
                "payable",
            )
        return postings

    def _on_settled(self, event: Event) -> list[Posting]:
        self.require("settle")
        t = self.terms
        method = event.payload["method"]
        amounts = {str(k): int(v) for k, v in (event.payload.get("amounts") or {}).items()}
        quantities = _line_quantities(event.payload.get("quantities") or {})
        expected = self.settlement_methods()
        if method not in expected:
            raise BadInput(
                f"order {t.number} ({t.transaction_type}, {t.reimbursement}) is not settled by "
                f"{method!r}; accepted: {', '.join(expected) or 'nothing is outstanding'}"
            )
        sup, req, agr = t.supplier.nation, t.requester.nation, t.agreement
        postings: list[Posting] = []
        value: dict[str, int] = {}
        if method in ("cash", "eve"):
            if quantities or not amounts:
                raise BadInput(f"a {method} settlement gives amounts per currency, not quantities")
            owed = self.outstanding_cash() if method == "cash" else self.outstanding_exchange()
            for ccy, a in sorted(amounts.items()):
                if a <= 0:
                    raise BadInput(f"settlement amount {a} {ccy} is not positive")
                if a > owed.get(ccy, 0):
                    raise BadInput(
                        f"settling {money.plain(a, ccy)} {ccy} would overpay order {t.number}: "
                        f"{money.plain(owed.get(ccy, 0), ccy)} {ccy} is outstanding"
                    )
                kinds = (
                    ("cash", "receivable", "payable", "cash")
                    if method == "cash"
                    else (
                        "exchange-received",
                        "in-kind-receivable",
                        "in-kind-payable",
                        "exchange-provided",
                    )
                )
                postings += transfer(agr, ccy, a, sup, req, *kinds)
            value = dict(amounts)
        else:
            if amounts or not quantities:
                raise BadInput(f"a {method} settlement gives quantities per line, not amounts")
            owed_qty = (
                self.outstanding_in_kind() if method == "rik" else self.outstanding_due_back()
            )
            valued: dict[str, int] = defaultdict(int)
            for line_no, q in sorted(quantities.items()):
                line = t.line(line_no)
                if q <= 0:
                    raise BadInput(f"line {line_no}: quantity {q} is not positive")
                if q > owed_qty.get(line_no, 0):
                    raise BadInput(
                        f"line {line_no}: returning {q} {line.unit} exceeds the "
                        f"{owed_qty.get(line_no, 0)} outstanding"
                    )
                kinds = (
                    (
                        "returned-in-kind",
                        "in-kind-receivable",
                        "in-kind-payable",
                        "returned-in-kind",
                    )
                    if method == "rik"
                    else ("lent", "due-back-receivable", "due-back-payable", "borrowed")
                )
                postings += transfer(agr, line.commodity, q, sup, req, *kinds)
                if method == "rik":
                    valued[line.currency] += line.value_of(q)
            value = dict(valued)
        self.settlements[event.id] = Settlement(
            event.id, event.on, method, amounts, quantities, value
        )
        if not self.has_open_obligations():
            self.status = Status.SETTLED
        return postings

    def settlement_methods(self) -> tuple[str, ...]:
        """How what is outstanding may be settled now."""
        methods = []
        if self.outstanding_exchange():
            methods.append("eve")
        if self.outstanding_cash():
            methods.append("cash")
        if self.outstanding_in_kind():
            methods.append("rik")
        if self.outstanding_due_back():
            methods.append("return")
        return tuple(methods)

    # ------------------------------------------------------------------ conversion to cash

    def convertible(self) -> dict[str, Any]:
        """What a conversion to cash would convert now, as its event records it: the method
        owed (`rik`, `eve`), per line the quantity still owed in kind and its value at the
        line's price (RIK), the cash that becomes owed per currency, and the 10 U.S.C. 2345(b)
        date after which it may be made (`settlement_due`). Refused (one line) when the order
        is not reimbursed in kind or by exchange, or owes nothing that converts."""
        t = self.terms
        if t.reimbursement not in CONVERTIBLE:
            raise BadInput(
                f"order {t.number} is reimbursed in {t.reimbursement}: only replacement in kind "
                "(rik) or an exchange of equal value (eve) converts to cash"
            )
        if t.transaction_type == "loan":
            raise BadInput(
                f"order {t.number} is a loan: its items are due back (10 U.S.C. 2350(4)), not "
                "replaced or exchanged; nothing converts to cash"
            )
        self.require("convert")
        lines: list[dict[str, Any]] = []
        amounts: dict[str, int] = defaultdict(int)
        if t.reimbursement == "rik":
            for line_no, q in sorted(self.outstanding_in_kind().items()):
                line = t.line(line_no)
                lines.append(
                    {
                        "line": line_no,
                        "quantity": q,
                        "unit": line.unit,
                        "commodity": line.commodity,
                        "unit_price": line.unit_price,
                        "currency": line.currency,
                        "value": line.value_of(q),
                    }
                )
                amounts[line.currency] += line.value_of(q)
        else:
            for ccy, v in self.outstanding_exchange().items():
                amounts[ccy] += v
        if not lines and not any(amounts.values()):
            done = self.conversion()
            raise InvalidTransition(
                f"order {t.number} owes nothing in kind or by exchange to convert to cash"
                + (f" (converted on {done.on})" if done else "")
            )
        first = self.first_delivery_on()
        assert first is not None, "an order owing in kind has a delivery"
        from accord.logistics.clocks import settlement_due  # clocks imports this module

        return {
            "method": t.reimbursement,
            "lines": lines,
            "amounts": {ccy: v for ccy, v in sorted(amounts.items()) if v},
            "settlement_due": settlement_due(first).isoformat(),
        }

    def _on_converted_to_cash(self, event: Event) -> list[Posting]:
        """RIK or EVE still owed after the 12 months of 10 U.S.C. 2345(b) becomes owed in cash
        at the lines' prices (DoD policy, unverified: see the module's docstring). Its
        postings take the in-kind obligation off the books (the delivery's in-kind postings,
        reversed for the quantities outstanding; for EVE, its value) and put the cash
        receivable and payable in its place, as a billed cash order has them. The order is then
        billed: `settle` by cash pays it."""
        expected = self.convertible()
        t = self.terms
        due = dt.date.fromisoformat(expected["settlement_due"])
        if event.on <= due:
            owed = "replacement in kind" if t.reimbursement == "rik" else "the equal-value exchange"
            raise InvalidTransition(
                f"order {t.number} cannot be converted to cash before "
                f"{due + dt.timedelta(days=1)}: {owed} is due within 12 months after the first "
                f"delivery on {self.first_delivery_on()}, by {due} (10 U.S.C. 2345(b))"
            )
        given = {k: event.payload.get(k) for k in ("method", "lines", "amounts", "settlement_due")}
        if given != expected:
            raise BadInput(
                f"the conversion of order {t.number} does not state what is outstanding: "
                f"{_conversion_text(expected)}"
            )
        sup, req, agr = t.supplier.nation, t.requester.nation, t.agreement
        postings: list[Posting] = []
        quantities: dict[int, int] = {}
        for item in expected["lines"]:
            line = t.line(int(item["line"]))
            quantities[line.number] = int(item["quantity"])
            # the delivery's in-kind transfer, reversed for what is still owed
            postings += transfer(
                agr,
                line.commodity,
                int(item["quantity"]),
                sup,
                req,
                "support-provided",
                "in-kind-receivable",
                "in-kind-payable",
                "support-received",
            )
        amounts: dict[str, int] = expected["amounts"]
        for ccy in sorted(amounts):
            if t.reimbursement == "rik":
                # the support now valued in cash, owed as a billed cash order owes it
                kinds = ("receivable", "support-provided", "support-received", "payable")
            else:
                # the value owed by exchange, now owed in cash (as a bill moves unbilled cash)
                kinds = ("receivable", "in-kind-receivable", "in-kind-payable", "payable")
            postings += transfer(agr, ccy, amounts[ccy], sup, req, *kinds)
        self.conversions[event.id] = Conversion(
            event.id, event.on, t.reimbursement, quantities, dict(amounts)
        )
        self.status = Status.BILLED
        return postings

    def _on_closed(self, event: Event) -> list[Posting]:
        self.require("close")
        self.closed_on = event.on
        self.status = Status.CLOSED
        return []

    def _on_cancelled(self, event: Event) -> list[Posting]:
        self.require("cancel")
        if any(not d.reversed for d in self.deliveries.values()):
            raise InvalidTransition(
                f"cannot cancel order {self.terms.number}: support has been delivered; "
                "reverse the deliveries first"
            )
        self.cancelled_on = event.on
        self.status = Status.CANCELLED
        return []

    def _on_reversed(self, event: Event) -> list[Posting]:
        self.require("reverse")
        target = str(event.payload["target"])
        if target in self.deliveries:
            d = self.deliveries[target]
            if d.reversed:
                raise InvalidTransition(f"delivery {target} is already reversed")
            if self.status != Status.DELIVERED:
                raise InvalidTransition(
                    f"cannot reverse a delivery of order {self.terms.number}: it is "
                    f"{self.status.value}; reverse its settlements, conversion to cash and "
                    "bill first"
                )
            d.reversed = True
            has_more = any(not x.reversed for x in self.deliveries.values())
            self.status = Status.DELIVERED if has_more else Status.SIGNED
        elif self.bill is not None and self.bill[0] == target:
            if (
                self.status != Status.BILLED
                or any(not s.reversed for s in self.settlements.values())
                or self.conversion() is not None
            ):
                raise InvalidTransition(
                    f"cannot reverse the bill of order {self.terms.number}: reverse its "
                    "settlements and conversion to cash first"
                )
            self.bill = None
            self.status = Status.DELIVERED
        elif target in self.conversions:
            c = self.conversions[target]
            if c.reversed:
                raise InvalidTransition(f"conversion {target} is already reversed")
            if any(s.method == "cash" and not s.reversed for s in self.settlements.values()):
                raise InvalidTransition(
                    f"cannot reverse the conversion to cash of order {self.terms.number}: "
                    "reverse the cash settlements made on it first"
                )
            c.reversed = True
            self.status = Status.BILLED if self.bill is not None else Status.DELIVERED
        elif target in self.settlements:
            s = self.settlements[target]
            if s.reversed:
                raise InvalidTransition(f"settlement {target} is already reversed")
            s.reversed = True
            self.status = Status.BILLED
        else:
            raise BadInput(
                f"order {self.terms.number} has no delivery, bill, settlement or conversion "
                f"{target!r} to reverse"
            )
        return reversal(self.postings_by_event[target])


def _summed(parts: Iterable[Mapping[K, int]]) -> dict[K, int]:
    """The parts added up, per key (line or currency)."""
    total: dict[K, int] = defaultdict(int)
    for part in parts:
        for key, value in part.items():
            total[key] += value
    return dict(total)


def _remaining(owed: dict[Any, int], *done: dict[Any, int]) -> dict[Any, int]:
    """What is owed less what was done, per key (line or currency), the zeros dropped."""
    out = {}
    for key, value in owed.items():
        left = value - sum(d.get(key, 0) for d in done)
        if left:
            out[key] = left
    return out


def _conversion_text(conversion: dict[str, Any]) -> str:
    parts = [
        f"line {x['line']}: {x['quantity']} {x['commodity']} = "
        f"{money.plain(x['value'], x['currency'])} {x['currency']}"
        for x in conversion["lines"]
    ]
    parts += [f"{money.plain(v, ccy)} {ccy} in cash" for ccy, v in conversion["amounts"].items()]
    return "; ".join(parts)


def _line_quantities(raw: dict[Any, Any]) -> dict[int, int]:
    out: dict[int, int] = {}
    for k, v in raw.items():
        try:
            line, q = int(k), int(v)
        except (TypeError, ValueError):
            raise BadInput(
                f"malformed quantity {v!r} for line {k!r}; accepted: whole numbers"
            ) from None
        out[line] = out.get(line, 0) + q
    return out


def check_signing_limit(totals: dict[str, int], limits: dict[str, int], official: str) -> None:
    """An official may sign only orders within their limit in each of the order's currencies
    (an official without a limit in a currency may not sign in it)."""
    for ccy, total in sorted(totals.items()):
        limit = limits.get(ccy)
        if limit is None:
            raise SigningLimitExceeded(
                f"official {official} has no signing authority in {ccy}; the order totals "
                f"{money.plain(total, ccy)} {ccy}"
            )
        if total > limit:
            raise SigningLimitExceeded(
                f"official {official} may sign up to {money.plain(limit, ccy)} {ccy}; the order "
                f"totals {money.plain(total, ccy)} {ccy}"
            )


def rebuild(events: list[Event]) -> Order:
    """An order from its stored events, oldest first (the first is `created`)."""
    if not events or events[0].kind != "created":
        raise BadInput("an order's history starts with its creation")
    order = Order(OrderTerms.from_json(events[0].payload["terms"]))
    for event in events:
        order.apply(event)
    return order
