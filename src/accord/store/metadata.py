"""The one SQLAlchemy MetaData every table module registers with.

A naming convention gives constraints stable names, so that migrations written on SQLite and
PostgreSQL agree. Each concern (logistics, sharing, ...) defines its tables in its own module
and its migrations on its own Alembic branch (see `migrate.py`).
"""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
