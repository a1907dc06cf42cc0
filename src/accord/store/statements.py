"""SQL that differs between the two databases, made for the connection at hand.

The dialect modules are imported when first needed: importing SQLAlchemy's PostgreSQL dialect
(with its drivers' modules) costs a command on SQLite about 70 ms for nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table


def insert_or_ignore(c: Connection, table: Table) -> Any:
    """`INSERT ... ON CONFLICT DO NOTHING` into `table` on the connection's database: a row
    that is there already (its key, or any unique column) is left as it is."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing()


def insert_or_add(c: Connection, table: Table, amount: str) -> Any:
    """`INSERT ... ON CONFLICT (primary key) DO UPDATE` adding the new row's `amount` to the
    row that is there already: a running sum kept per key, without reading it first."""
    key = list(table.primary_key.columns)
    column = table.c[amount]
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=key, set_={amount: column + pg.excluded[amount]}
        )
    from sqlalchemy.dialects import sqlite

    lite = sqlite.insert(table)
    return lite.on_conflict_do_update(
        index_elements=key, set_={amount: column + lite.excluded[amount]}
    )
