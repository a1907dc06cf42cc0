"""Bringing a database to the current schema with Alembic.

Migrations live in `accord/store/migrations/versions/`. Each concern starts its own branch
(`branch_labels`, `down_revision = None`), so concerns evolve independently; `upgrade` applies
every head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from accord.store.database import database_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "heads")
