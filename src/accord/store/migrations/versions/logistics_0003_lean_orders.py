"""Logistics: each text kept once; the `orders` projection without the audit's copies.

The terms both officials sign are kept in the order's `created` audit event, which the hash
chain covers and from which every order is rebuilt; their copy in the `orders` row was read by
nothing. The support decisions taken at proposal and at signing move to `support_decisions`,
one row per text (named by its SHA-256, the decision's date written `{on}`), which the events
cite: orders decided in one agreement segment share one row instead of carrying 2.5 KB each.
Both were most of an import's bytes. The index on `order_lines.category`, which no query used,
goes too. The table is append-only (triggers on both databases).

Revision ID: 9b3e5d7a1c20
Revises: 4d2f8a61b7c3
Create Date: 2026-11-28 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9b3e5d7a1c20"
down_revision = "4d2f8a61b7c3"
branch_labels = None
depends_on = None

DROPPED = ("terms", "decision_proposal", "decision_signing")


APPEND_ONLY_SQLITE = """
CREATE TRIGGER support_decisions_no_{what} BEFORE {op} ON support_decisions
BEGIN SELECT RAISE(ABORT, 'accord: support_decisions rows are append-only ({op} refused)'); END
"""
APPEND_ONLY_POSTGRES = (
    "CREATE TRIGGER support_decisions_append_only BEFORE UPDATE OR DELETE ON support_decisions "
    "FOR EACH ROW EXECUTE FUNCTION accord_logistics_refuse_change()",
    "CREATE TRIGGER support_decisions_no_truncate BEFORE TRUNCATE ON support_decisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION accord_logistics_refuse_change()",
)


def upgrade() -> None:
    op.create_table(
        "support_decisions",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_support_decisions")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in APPEND_ONLY_POSTGRES:
            op.execute(statement)
    else:
        for what, verb in (("update", "UPDATE"), ("delete", "DELETE")):
            op.execute(APPEND_ONLY_SQLITE.format(what=what, op=verb))
    op.drop_index("ix_order_lines_category", table_name="order_lines")
    for column in DROPPED:
        # SQLite (3.35 and later) and PostgreSQL both drop a plain column in place, which
        # keeps the foreign keys that point at `orders` untouched.
        op.execute(f"ALTER TABLE orders DROP COLUMN {column}")


def downgrade() -> None:
    # The events cite the decisions kept here; their texts cannot go back into the events
    # without breaking the hash chain, so the way down is closed once one is kept.
    kept = int(
        op.get_bind().execute(sa.text("SELECT COUNT(*) FROM support_decisions")).scalar_one()
    )
    if kept:
        raise RuntimeError(
            f"cannot downgrade: {kept} support decisions are kept in support_decisions and "
            "cited by audit events; dropping them would lose them"
        )
    # The terms come back empty in the rows: the `created` events keep them.
    op.add_column("orders", sa.Column("terms", sa.Text(), nullable=False, server_default="{}"))
    op.add_column("orders", sa.Column("decision_proposal", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("decision_signing", sa.Text(), nullable=True))
    op.create_index("ix_order_lines_category", "order_lines", ["category"])
    op.drop_table("support_decisions")
