"""Account balances on any date, from each account's sums per calendar month.

`ledger_account_months` holds, per account (book, counterparty, agreement, kind, ledger) and
month, the sum of the account's postings with a value date in that month: written in the
transaction of the postings (`add`), an upsert that adds, so a posting dated in an old month
changes that month's row and nothing else; `ledger verify` holds the rows equal to the
postings. A balance on a date is the sum of the account's months before the date's month and
the part of that month up to the date: a few rows per account, not every posting (GnuCash and
Medici keep per-account checkpoints for the same reason).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, and_, func, select

from accord.logistics import tables
from accord.store.statements import insert_or_add

Account = tuple[str, str, str, str, str]  # book, counterparty, agreement, kind, ledger
AccountMonth = tuple[str, str, str, str, str, dt.date]  # an account, the month's first day

p = tables.ledger_postings
m = tables.ledger_account_months
_KEY = (p.c.book, p.c.counterparty, p.c.agreement, p.c.kind, p.c.ledger)
_MONTH_KEY = (m.c.book, m.c.counterparty, m.c.agreement, m.c.kind, m.c.ledger)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def sums(
    postings: Iterable[tuple[str, str, str, str, str, int, dt.date]],
) -> dict[AccountMonth, int]:
    """What `postings` (account, amount, value date) add to each account and month."""
    out: dict[AccountMonth, int] = {}
    for book, counterparty, agreement, kind, ledger, amount, day in postings:
        key = (book, counterparty, agreement, kind, ledger, month_of(day))
        out[key] = out.get(key, 0) + amount
    return out


def add(c: Connection, added: dict[AccountMonth, int]) -> None:
    """Add `added` to the months' rows, in the order of their keys: two writers adding to the
    same months on PostgreSQL wait for each other, never deadlock."""
    rows = [
        {
            "book": k[0],
            "counterparty": k[1],
            "agreement": k[2],
            "kind": k[3],
            "ledger": k[4],
            "month": k[5],
            "amount": amount,
        }
        for k, amount in sorted(added.items())
        if amount
    ]
    if not rows:
        return
    c.execute(insert_or_add(c, m, "amount"), rows)


def balances_on(
    c: Connection, as_of: dt.date | None, kinds: tuple[str, ...] | None = None
) -> dict[Account, int]:
    """Each account's balance (of `kinds`) at the end of `as_of` (now when None), the non-zero
    ones: its months before `as_of`'s plus what it was posted in that month up to the date,
    or its months up to `as_of`'s less what it was posted in that month after the date,
    whichever reads fewer days of postings (none on a month's last day)."""
    query = select(*_MONTH_KEY, func.sum(m.c.amount)).group_by(*_MONTH_KEY)
    if kinds is not None:
        query = query.where(m.c.kind.in_(kinds))
    if as_of is None:
        return {(r[0], r[1], r[2], r[3], r[4]): int(r[5]) for r in c.execute(query) if r[5]}
    first, last = month_of(as_of), last_of_month(as_of)
    forward = (as_of - first) < (last - as_of)  # fewer days of the month up to the date
    query = query.where(m.c.month < first if forward else m.c.month <= first)
    totals: dict[Account, int] = {
        (r[0], r[1], r[2], r[3], r[4]): int(r[5]) for r in c.execute(query)
    }
    if as_of < last:
        days = (
            and_(p.c.value_date >= first, p.c.value_date <= as_of)
            if forward
            else and_(p.c.value_date > as_of, p.c.value_date <= last)
        )
        rest = select(*_KEY, func.sum(p.c.amount)).where(days).group_by(*_KEY)
        if kinds is not None:
            rest = rest.where(p.c.kind.in_(kinds))
        sign = 1 if forward else -1
        for r in c.execute(rest):
            account = (r[0], r[1], r[2], r[3], r[4])
            totals[account] = totals.get(account, 0) + sign * int(r[5])
    return {account: amount for account, amount in totals.items() if amount}
