"""The release register's tables, on the shared MetaData (migrations: the `sharing` Alembic
branch, `store/migrations/versions/sharing_0001_register.py`).

`sharing_register` is append-only (UPDATE and DELETE refused by triggers on both databases, and
TRUNCATE on PostgreSQL) and hash-chained: each row's `hash` is the SHA-256 of the previous
row's hash and the row's canonical JSON `payload` (see `chain.py`). The other columns repeat
what is in the payload so that it can be queried; `releases verify` checks they agree.
`sharing_register_head` holds the last sequence number and hash: writers lock it, and verify
checks that no record was cut off the end.

Timestamps are ISO 8601 UTC text, so the hash is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text

from accord.store.metadata import metadata

BigId = BigInteger().with_variant(Integer(), "sqlite")

register = Table(
    "sharing_register",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("record_id", String(40), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("holder", String(3), nullable=True),
    Column("recipient", String(3), nullable=True),
    Column("originator", String(3), nullable=True),
    Column("marking", String(20), nullable=True),
    Column("outcome", String(24), nullable=True),
    Column("consent_ref", String(40), nullable=True, index=True),
    Column("idempotency_key", String(200), nullable=True, unique=True),
    Column("request_digest", String(64), nullable=True),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

register_head = Table(
    "sharing_register_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
