"""Logistics: the `orders` projection without the texts the audit events already hold.

The terms both officials sign and the support decisions taken at proposal and at signing are
kept once, in the order's audit events (`created`, `proposed`, `signed`), which the hash chain
covers and from which every order is rebuilt. Their copies in the `orders` row were read by
nothing and made each row about 4.5 KB larger (most of an import's bytes), so they go; so does
the index on `order_lines.category`, which no query used. Nothing else changes.

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


def upgrade() -> None:
    op.drop_index("ix_order_lines_category", table_name="order_lines")
    for column in DROPPED:
        # SQLite (3.35 and later) and PostgreSQL both drop a plain column in place, which
        # keeps the foreign keys that point at `orders` untouched.
        op.execute(f"ALTER TABLE orders DROP COLUMN {column}")


def downgrade() -> None:
    # The texts come back empty: the audit events keep them (`accord ledger verify` rebuilds
    # every order from its events).
    op.add_column("orders", sa.Column("terms", sa.Text(), nullable=False, server_default="{}"))
    op.add_column("orders", sa.Column("decision_proposal", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("decision_signing", sa.Text(), nullable=True))
    op.create_index("ix_order_lines_category", "order_lines", ["category"])
