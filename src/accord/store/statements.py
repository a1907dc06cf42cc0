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
