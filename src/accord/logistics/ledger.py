"""The double-entry ledger: immutable postings on accounts, grouped into transactions that sum
to zero in each book on each ledger.

- A **ledger** is a currency (`USD`, integer minor units) or a commodity (`fuel/LI`,
  `NSN 9130-00-160-1818/GL`: whole units of issue), as TigerBeetle's `ledger` partitions accounts:
  accounts on different ledgers never transact directly.
- An **account** is (book, counterparty, agreement, kind) on a ledger. The **book** is the
  nation whose books these are; every order posts to both parties' books, each mirroring the
  other (our receivable is their payable), so that the two books can be reconciled.
- A **posting** is a signed integer: positive debits, negative credits. A receivable's balance
  is positive, a payable's negative.
- Corrections are reversing transactions; postings are never changed.

Account kinds, by the side of the order whose book they are in:

| supplier's book           | requester's book        | what                                   |
|---------------------------|-------------------------|----------------------------------------|
| `support-provided`        | `support-received`      | value (or quantity) of support given   |
| `unbilled-receivable`     | `unbilled-payable`      | delivered, not yet billed (cash)       |
| `receivable`              | `payable`               | billed, not yet paid (cash)            |
| `in-kind-receivable`      | `in-kind-payable`       | due in kind: RIK quantity, EVE value   |
| `due-back-receivable`     | `due-back-payable`      | loaned or leased items due back        |
| `lent`                    | `borrowed`              | counterpart of the items due back      |
| `cash`                    | `cash`                  | cash received / paid                   |
| `returned-in-kind`        | `returned-in-kind`      | replacement in kind received / given   |
| `exchange-received`       | `exchange-provided`     | support of equal value received / given|
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from accord.logistics.errors import LedgerInvariantBroken

KINDS = (
    "support-provided",
    "support-received",
    "unbilled-receivable",
    "unbilled-payable",
    "receivable",
    "payable",
    "in-kind-receivable",
    "in-kind-payable",
    "due-back-receivable",
    "due-back-payable",
    "lent",
    "borrowed",
    "cash",
    "returned-in-kind",
    "exchange-received",
    "exchange-provided",
)
# What a party is owed / owes: the kinds that make up a counterparty balance.
RECEIVABLE_KINDS = (
    "unbilled-receivable",
    "receivable",
    "in-kind-receivable",
    "due-back-receivable",
)
PAYABLE_KINDS = ("unbilled-payable", "payable", "in-kind-payable", "due-back-payable")


def is_currency_ledger(ledger: str) -> bool:
    return len(ledger) == 3 and ledger.isalpha() and ledger.isupper()


@dataclass(frozen=True, slots=True)
class Posting:
    book: str
    counterparty: str
    agreement: str
    kind: str
    ledger: str
    amount: int  # debit > 0, credit < 0, never 0

    def negated(self) -> Posting:
        return Posting(
            self.book, self.counterparty, self.agreement, self.kind, self.ledger, -self.amount
        )

    def as_list(self) -> list[object]:
        return [self.book, self.counterparty, self.agreement, self.kind, self.ledger, self.amount]


def transfer(
    agreement: str,
    ledger: str,
    amount: int,
    supplier: str,
    requester: str,
    supplier_debit: str,
    supplier_credit: str,
    requester_debit: str,
    requester_credit: str,
) -> list[Posting]:
    """One movement seen from both books: two postings in the supplier's book (counterparty:
    the requester) and two in the requester's (counterparty: the supplier)."""
    if amount == 0:
        return []
    return [
        Posting(supplier, requester, agreement, supplier_debit, ledger, amount),
        Posting(supplier, requester, agreement, supplier_credit, ledger, -amount),
        Posting(requester, supplier, agreement, requester_debit, ledger, amount),
        Posting(requester, supplier, agreement, requester_credit, ledger, -amount),
    ]


def assert_balanced(postings: Iterable[Posting]) -> None:
    """Every transaction sums to zero in each book on each ledger; amounts are non-zero
    integers and kinds are known. Raises (never skipped, not an `assert`)."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for p in postings:
        if type(p.amount) is not int or p.amount == 0:
            raise LedgerInvariantBroken(f"posting amount {p.amount!r} is not a non-zero integer")
        if p.kind not in KINDS:
            raise LedgerInvariantBroken(f"unknown account kind {p.kind!r}")
        sums[(p.book, p.ledger)] += p.amount
    unbalanced = {key: total for key, total in sums.items() if total != 0}
    if unbalanced:
        (book, ledger), total = next(iter(sorted(unbalanced.items())))
        raise LedgerInvariantBroken(
            f"ledger transaction does not balance: book {book}, ledger {ledger} sums to {total}"
        )


def reversal(postings: Iterable[Posting]) -> list[Posting]:
    return [p.negated() for p in postings]


def digest(postings: Iterable[Posting]) -> str:
    """SHA-256 of the postings in a canonical order: what the audit event records, so that an
    edited posting no longer matches its event."""
    rows = sorted(
        (p.book, p.counterparty, p.agreement, p.kind, p.ledger, p.amount) for p in postings
    )
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


def net(postings: Iterable[Posting]) -> dict[tuple[str, str, str, str, str], int]:
    """Balances per account and ledger (zero balances dropped): the in-memory model of
    what the database's balance query returns."""
    totals: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for p in postings:
        totals[(p.book, p.counterparty, p.agreement, p.kind, p.ledger)] += p.amount
    return {key: value for key, value in totals.items() if value != 0}


# An obligation, as the reports see it: billed and unbilled cash are one obligation (aged from
# its first delivery); in kind and due back are their own.
OBLIGATION_CLASS = {
    "unbilled-receivable": "receivable",
    "receivable": "receivable",
    "in-kind-receivable": "in-kind-receivable",
    "due-back-receivable": "due-back-receivable",
    "unbilled-payable": "payable",
    "payable": "payable",
    "in-kind-payable": "in-kind-payable",
    "due-back-payable": "due-back-payable",
}


@dataclass(frozen=True, slots=True)
class OpenItem:
    """What one order owes or is owed on one account: the sum of its receivable or payable
    postings of one obligation class, and since when (its first posting that added to it)."""

    book: str
    counterparty: str
    kind: str  # an obligation class (OBLIGATION_CLASS)
    ledger: str
    amount: int
    start: dt.date | None


def open_items(dated: Iterable[tuple[dt.date, Posting]]) -> list[OpenItem]:
    """The non-zero obligations of one order from its postings and their value dates: the
    projection `ledger_open_items` keeps, so that a balance need not sum every posting."""
    totals: dict[tuple[str, str, str, str], int] = defaultdict(int)
    starts: dict[tuple[str, str, str, str], dt.date] = {}
    for day, p in dated:
        kind = OBLIGATION_CLASS.get(p.kind)
        if kind is None:
            continue
        key = (p.book, p.counterparty, kind, p.ledger)
        totals[key] += p.amount
        if p.amount > 0 and (key not in starts or day < starts[key]):
            starts[key] = day
    return [
        OpenItem(
            book, counterparty, kind, ledger, amount, starts.get((book, counterparty, kind, ledger))
        )
        for (book, counterparty, kind, ledger), amount in sorted(totals.items())
        if amount != 0
    ]
