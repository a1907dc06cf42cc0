"""One database transaction per command, with the locks that keep concurrent writers honest.

- SQLite: every writing transaction starts with `BEGIN IMMEDIATE`, which takes the database's
  write lock at once (writers queue on `busy_timeout`; WAL lets readers go on). Reading
  transactions start with a plain `BEGIN`.
- PostgreSQL: writers run at READ COMMITTED with row locks (`SELECT ... FOR UPDATE`) on the
  order, the order number sequence, the ceiling counters, then (by the upsert of the flush)
  the accounts' months in the order of their keys, and the audit chain's head, always taken
  in that order, so that two writers never wait on each other in a cycle. Readers run at
  REPEATABLE READ: one snapshot for everything a command reads.

A command that meets a deadlock, a serialization failure or a busy SQLite database is run
again from the start (`run`), which is safe because nothing of it was written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select, event
from sqlalchemy.exc import DBAPIError, OperationalError

from accord.store.database import make_engine

T = TypeVar("T")
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
ATTEMPTS = 12


def engine_for(url: str | None = None) -> Engine:
    """An engine for the logistics services (SQLite writers begin IMMEDIATE)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        # Take transaction control from pysqlite, so that BEGIN is ours to say.
        def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        def _begin(connection: Connection) -> None:
            mode = connection.get_execution_options().get("accord_begin", "IMMEDIATE")
            connection.exec_driver_sql(f"BEGIN {mode}")

        event.listen(engine, "connect", _no_implicit_begin)
        event.listen(engine, "begin", _begin)
    return engine


class UnitOfWork:
    """A connection in one transaction; rolled back unless `commit` is called."""

    def __init__(self, engine: Engine, write: bool = True) -> None:
        self.engine = engine
        self.write = write
        self.is_postgres = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self.committed = False
        self.before_commit: list[Callable[[], None]] = []

    @property
    def connection(self) -> Connection:
        assert self._connection is not None, "the unit of work is not open"
        return self._connection

    def __enter__(self) -> UnitOfWork:
        connection = self.engine.connect()
        if not self.write:
            # a reading command sees one snapshot of the books: balances read an account's
            # months and then part of a month's postings, `verify` the postings and then the
            # months, and a writer committing in between must not show in one and not the other
            connection = connection.execution_options(
                accord_begin="DEFERRED",
                **({"isolation_level": "REPEATABLE READ"} if self.is_postgres else {}),
            )
        self._connection = connection
        connection.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()

    def for_update(self, statement: Select[Any]) -> Select[Any]:
        """The statement with a row lock on PostgreSQL (SQLite holds the database lock)."""
        return statement.with_for_update() if self.is_postgres else statement

    def commit(self) -> None:
        for hook in self.before_commit:
            hook()
        self.before_commit.clear()
        try:
            self.connection.commit()
        except BaseException:
            # A COMMIT that fails (on SQLite, a deferred foreign key that is violated) leaves
            # SQLite's transaction open, while SQLAlchemy counts it ended and would pool the
            # connection as it is: roll it back here (a no-op where nothing is open; the
            # commit's error is the one to report, whatever the rollback meets).
            with suppress(Exception):
                self.connection.connection.rollback()
            raise
        self.committed = True


def is_retryable(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def run(engine: Engine, work: Callable[[UnitOfWork], T], write: bool = True) -> T:
    """Run `work` in a fresh unit of work, again on a transient conflict (with jitter)."""
    for attempt in range(ATTEMPTS):
        try:
            with UnitOfWork(engine, write) as uow:
                result = work(uow)
                if write and not uow.committed:
                    uow.commit()
                return result
        except DBAPIError as exc:
            if not is_retryable(exc) or attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 6)))
    raise AssertionError("unreachable")
