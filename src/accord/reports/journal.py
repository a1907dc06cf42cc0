"""The postings as a plain-text journal that hledger/Ledger (`ledger` format) and Beancount
(`beancount` format) read: one transaction per Accord ledger transaction, its postings in
both parties' books.

Accounts are `Root:Book:Counterparty:Agreement:Kind`, e.g.
`Assets:JPN:USA:Jpn-usa-acsa-2016:Receivable`, the same in both formats, so that `hledger
balance` and `bean-query` report exactly Accord's account balances. The root follows the
kind: receivables, cash and goods are Assets, payables Liabilities, support given Income,
support received Expenses. Currencies keep their ISO 4217 code and exact decimals; in-kind
quantities are commodities of their own, named after the category (or NSN) and the unit of
issue: `fuel/LI` becomes `FUEL.LI`, `NSN 9130-00-160-1818/GL` becomes `NSN9130001601818.GL`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import Connection, select

from accord.errors import BadInput
from accord.logistics import money, tables
from accord.logistics.ledger import KINDS, PAYABLE_KINDS, RECEIVABLE_KINDS, is_currency_ledger

FORMATS = ("ledger", "beancount")
ROOTS: dict[str, str] = {
    **dict.fromkeys(RECEIVABLE_KINDS, "Assets"),
    **dict.fromkeys(PAYABLE_KINDS, "Liabilities"),
    "cash": "Assets",
    "returned-in-kind": "Assets",
    "exchange-received": "Assets",
    "lent": "Assets",
    "borrowed": "Assets",
    "support-provided": "Income",
    "exchange-provided": "Income",
    "support-received": "Expenses",
}
assert set(ROOTS) == set(KINDS), "every account kind has a root"

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9-]+")


def component(text: str) -> str:
    """An account-name component both formats accept: letters, digits and dashes, starting
    with a capital letter or a digit."""
    cleaned = _NOT_IN_NAME.sub("-", text.strip()).strip("-") or "X"
    return cleaned[0].upper() + cleaned[1:]


def account(book: str, counterparty: str, agreement: str, kind: str) -> str:
    return f"{ROOTS[kind]}:{book}:{counterparty}:{component(agreement)}:{component(kind)}"


def commodity(ledger: str) -> str:
    """A commodity symbol for an Accord ledger (currencies unchanged)."""
    if is_currency_ledger(ledger):
        return ledger
    item, _, unit = ledger.rpartition("/")
    if item.upper().startswith("NSN "):
        item = "NSN" + re.sub(r"[^0-9]", "", item)
    symbol = re.sub(r"[^A-Z0-9.-]", "-", f"{item}.{unit}".upper())
    return symbol


def quantity(amount: int, ledger: str) -> str:
    return money.plain(amount, ledger) if is_currency_ledger(ledger) else str(amount)


def _rows(c: Connection, book: str | None) -> Iterator[tuple[object, ...]]:
    p, t, o = tables.ledger_postings, tables.ledger_transactions, tables.orders
    query = (
        select(
            t.c.id,
            t.c.value_date,
            t.c.kind,
            o.c.number,
            p.c.book,
            p.c.counterparty,
            p.c.agreement,
            p.c.kind,
            p.c.ledger,
            p.c.amount,
        )
        .select_from(p.join(t, t.c.id == p.c.transaction_id).join(o, o.c.id == t.c.order_id))
        .order_by(t.c.value_date, t.c.id, p.c.id)
    )
    if book:
        query = query.where(p.c.book == book)
    result = c.execution_options(stream_results=True, yield_per=20000).execute(query)
    for partition in result.partitions():
        yield from (tuple(r) for r in partition)


def write(c: Connection, out: TextIO, fmt: str, book: str | None = None) -> int:
    """Write the journal; returns the number of transactions."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown journal format {fmt!r}; accepted: {', '.join(FORMATS)}")
    beancount = fmt == "beancount"
    opened: dict[str, dt.date] = {}
    symbols: set[str] = set()
    count = 0
    current: object = None
    if beancount:
        out.write('option "title" "Accord ledger"\noption "operating_currency" "USD"\n\n')
    else:
        out.write("; Accord ledger: hledger/Ledger journal\n\n")
    for txn, day, kind, number, bk, cp, agreement, pkind, ledger, amount in _rows(c, book):
        date = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        if txn != current:
            current = txn
            count += 1
            if beancount:
                out.write(f'\n{date} * "{number}" "{kind}"\n  txn: "{txn}"\n')
            else:
                out.write(f"\n{date} * {number} {kind}\n    ; txn: {txn}\n")
        name = account(str(bk), str(cp), str(agreement), str(pkind))
        symbol = commodity(str(ledger))
        if beancount:
            if name not in opened:
                opened[name] = date
            symbols.add(symbol)
            out.write(f"  {name}  {quantity(int(str(amount)), str(ledger))} {symbol}\n")
        else:
            shown = symbol if symbol.isalpha() else f'"{symbol}"'
            out.write(f"    {name}  {quantity(int(str(amount)), str(ledger))} {shown}\n")
    if beancount:
        out.write("\n")
        for symbol in sorted(symbols):
            out.write(f"1970-01-01 commodity {symbol}\n")
        for name, first in sorted(opened.items()):
            out.write(f"{first} open {name}\n")
    return count
