"""Alembic environment: runs migrations on the URL set by `accord.store.migrate`."""

from __future__ import annotations

from alembic import context

from accord.store.database import make_engine

config = context.config


def run() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
