"""Sharing: the release register (append-only, hash-chained) and its head.

The first revision of the `sharing` branch. Triggers refuse UPDATE and DELETE on the register
on both databases, and TRUNCATE on PostgreSQL; the head row (sequence 0, the genesis hash) is
created here and moved forward by each append.

Revision ID: 5a7e3c2d9b01
Revises:
Create Date: 2025-01-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5a7e3c2d9b01"
down_revision = None
branch_labels = ("sharing",)
depends_on = None

GENESIS = "0" * 64

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION accord_sharing_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'accord: the release register is append-only (% refused)', TG_OP
    USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "sharing_register",
        sa.Column("seq", big_id, autoincrement=False, nullable=False),
        sa.Column("record_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=3), nullable=True),
        sa.Column("recipient", sa.String(length=3), nullable=True),
        sa.Column("originator", sa.String(length=3), nullable=True),
        sa.Column("marking", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("consent_ref", sa.String(length=40), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sharing_register")),
        sa.UniqueConstraint("record_id", name=op.f("uq_sharing_register_record_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sharing_register_idempotency_key")),
    )
    op.create_index(
        op.f("ix_sharing_register_consent_ref"), "sharing_register", ["consent_ref"], unique=False
    )
    head = op.create_table(
        "sharing_register_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_register_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER sharing_register_append_only BEFORE UPDATE OR DELETE "
            "ON sharing_register FOR EACH ROW EXECUTE FUNCTION accord_sharing_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER sharing_register_no_truncate BEFORE TRUNCATE ON sharing_register "
            "FOR EACH STATEMENT EXECUTE FUNCTION accord_sharing_refuse_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sharing_register_no_{action.lower()} BEFORE {action} "
                "ON sharing_register BEGIN SELECT RAISE(ABORT, 'accord: the release register "
                f"is append-only ({action} refused)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sharing_register_no_truncate ON sharing_register")
        op.execute("DROP TRIGGER IF EXISTS sharing_register_append_only ON sharing_register")
        op.execute("DROP FUNCTION IF EXISTS accord_sharing_refuse_change()")
    op.drop_table("sharing_register_head")
    op.drop_index(op.f("ix_sharing_register_consent_ref"), table_name="sharing_register")
    op.drop_table("sharing_register")
