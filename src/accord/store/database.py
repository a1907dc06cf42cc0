"""Which database Accord uses, and engines configured for it.

The database is `--db`, else `ACCORD_DATABASE_URL`, else the SQLite file `accord.db` in the
working directory. `postgresql+psycopg://...` URLs use PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from accord.errors import BadInput

URL_VARIABLE = "ACCORD_DATABASE_URL"
DEFAULT_URL = "sqlite:///accord.db"


def database_url(explicit: str | None = None) -> str:
    url = explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise BadInput(
            f"malformed database URL {url!r}; accepted: sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/NAME"
        ) from None
    if backend not in ("sqlite", "postgresql"):
        raise BadInput(f"unsupported database {backend!r} in {url!r}; accepted: sqlite, postgresql")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes concurrent writers wait
    # instead of failing; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _null(value: None) -> None:
    return value


# Python's sqlite3 binds a None only after looking for a way to adapt it (the adapter
# registry, then two attribute lookups through the types); an adapter registered for None
# answers at the first step. An import binds millions of them (order lines without an NSN,
# orders not yet signed or delivered): a twentieth of its writing. Binding is unchanged:
# None is still SQL NULL.
sqlite3.register_adapter(type(None), _null)


def make_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    if make_url(resolved).get_backend_name() == "sqlite":
        engine = create_engine(resolved)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(resolved, pool_pre_ping=True)
