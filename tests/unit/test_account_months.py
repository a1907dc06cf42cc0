"""A balance on a date from the accounts' months is the sum of the account's postings up to
that date: on a month's first and last day, either side of the middle of a month, in February
of a leap year, before the first posting and in the last month a date can name."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, func, insert, select

from accord.logistics import tables
from accord.services import account_months
from accord.store.metadata import metadata

D = dt.date
EDGES = [
    D(1, 1, 1),
    D(2023, 12, 31),
    D(2024, 1, 1),
    D(2024, 1, 31),
    D(2024, 2, 28),
    D(2024, 2, 29),
    D(2024, 3, 1),
    D(2024, 3, 15),
    D(2024, 3, 16),
    D(2024, 3, 31),
    D(9999, 12, 1),
    D(9999, 12, 30),
    D(9999, 12, 31),
]
p, m = tables.ledger_postings, tables.ledger_account_months


@pytest.fixture(scope="module")
def books() -> Engine:
    """Postings on the edge days and on random days of 2024, each added to its month as the
    store adds them (several postings to one account and month)."""
    engine = create_engine("sqlite://")
    metadata.create_all(engine, tables=[p, m])
    rng = random.Random(11)
    with engine.begin() as c:
        for i in range(400):
            day = rng.choice(EDGES) if i % 2 else D(2024, 1, 1) + dt.timedelta(rng.randrange(366))
            row = {
                "transaction_id": f"t{i}",
                "order_id": "o",
                "book": rng.choice(["USA", "JPN"]),
                "counterparty": "KOR",
                "agreement": "ACSA",
                "kind": rng.choice(["receivable", "payable", "cash"]),
                "ledger": "USD",
                "amount": rng.choice([-1, 1]) * rng.randrange(1, 10_000),
                "value_date": day,
            }
            c.execute(insert(p), [row])
            account_months.add(
                c,
                account_months.sums(
                    [
                        (
                            *(row[k] for k in ("book", "counterparty", "agreement", "kind")),
                            "USD",
                            row["amount"],
                            day,
                        )
                    ]
                ),
            )
    return engine


def _summed(c: Connection, as_of: dt.date | None, kinds: tuple[str, ...] | None) -> dict[Any, int]:
    key = (p.c.book, p.c.counterparty, p.c.agreement, p.c.kind, p.c.ledger)
    query = select(*key, func.sum(p.c.amount)).group_by(*key)
    if as_of is not None:
        query = query.where(p.c.value_date <= as_of)
    if kinds is not None:
        query = query.where(p.c.kind.in_(kinds))
    return {tuple(r[:5]): int(r[5]) for r in c.execute(query) if r[5]}


@pytest.mark.parametrize("kinds", [None, ("receivable", "payable")])
def test_balances_on_any_date_are_the_postings_up_to_it(
    books: Engine, kinds: tuple[str, ...] | None
) -> None:
    days = [None, *EDGES, *(D(2024, 1, 1) + dt.timedelta(n) for n in range(0, 380, 3))]
    with books.connect() as c:
        for day in days:
            assert account_months.balances_on(c, day, kinds) == _summed(c, day, kinds), day


def test_the_months_are_the_postings_summed_per_month(books: Engine) -> None:
    with books.connect() as c:
        kept = {tuple(r[:6]): int(r[6]) for r in c.execute(select(m)) if r[6]}
        posted: dict[Any, int] = {}
        for r in c.execute(select(p)):
            key = (
                r.book,
                r.counterparty,
                r.agreement,
                r.kind,
                r.ledger,
                r.value_date.replace(day=1),
            )
            posted[key] = posted.get(key, 0) + r.amount
    assert kept == {k: v for k, v in posted.items() if v}
