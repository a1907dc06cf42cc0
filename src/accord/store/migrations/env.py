"""Alembic environment: runs migrations on the URL set by `accord.store.migrate`."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine, event

from accord.store.database import make_engine

config = context.config


def _transactional_sqlite(engine: Engine) -> None:
    """Run every migration of one command in one SQLite transaction, DDL included: pysqlite
    would otherwise run DDL outside any transaction, so a migration refused halfway (a
    downgrade that would lose data) would leave the ones before it done."""

    def no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    event.listen(engine, "connect", no_implicit_begin)
    event.listen(engine, "begin", begin)


def run() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    if engine.dialect.name == "sqlite":
        _transactional_sqlite(engine)
    with engine.connect() as connection:
        context.configure(connection=connection, render_as_batch=True, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
