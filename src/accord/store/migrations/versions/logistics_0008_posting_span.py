"""Logistics: each order's first and last day with postings, for reports on a past date.

What an order owed on a past date is what its open items hold now, unless it was posted to
after the date; then its postings up to the date are summed. Those orders used to be found
from every transaction after the date (145,000 orders a year back over a million orders),
most of them placed after the date and owing nothing on it. `orders.first_posted_on` and
`orders.last_posted_on` (the value dates of the order's first and last ledger transactions,
kept with the order's other projections) and `ix_orders_posting_span` name exactly the orders
with postings on both sides of a date: one range of the index, from the date on, filtered on
the first day, the ids in the index.

`ix_ledger_transactions_conversions` holds the few conversions of RIK or EVE to cash, whose
cash is aged from the first delivery: whether an order was converted by a date is asked of
each obligation summed, and PostgreSQL answered it by reading every transaction (0.17 s).

docs/benchmarks.md ("Reports") measures it. `accord ledger verify` holds the columns equal
to the transactions.

Revision ID: c3a8e5d1f7b2
Revises: b7e1f4c2a9d3
Create Date: 2026-11-29 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3a8e5d1f7b2"
down_revision = "b7e1f4c2a9d3"
branch_labels = None
depends_on = None

CONVERSIONS = "kind = 'converted-to-cash'"


def upgrade() -> None:
    op.add_column("orders", sa.Column("first_posted_on", sa.Date(), nullable=True))
    op.add_column("orders", sa.Column("last_posted_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE orders SET first_posted_on = span.first, last_posted_on = span.last "
        "FROM (SELECT order_id, MIN(value_date) AS first, MAX(value_date) AS last "
        "FROM ledger_transactions GROUP BY order_id) AS span WHERE span.order_id = orders.id"
    )
    op.create_index(
        "ix_orders_posting_span",
        "orders",
        ["last_posted_on", "first_posted_on", "id"],
        unique=False,
    )
    op.create_index(
        "ix_ledger_transactions_conversions",
        "ledger_transactions",
        ["order_id", "value_date"],
        unique=False,
        sqlite_where=sa.text(CONVERSIONS),
        postgresql_where=sa.text(CONVERSIONS),
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_transactions_conversions", table_name="ledger_transactions")
    op.drop_index("ix_orders_posting_span", table_name="orders")
    # in place (SQLite 3.35 and later): a batch copy of `orders` would break the foreign keys
    # that point at it
    op.execute("ALTER TABLE orders DROP COLUMN last_posted_on")
    op.execute("ALTER TABLE orders DROP COLUMN first_posted_on")
