"""Logistics: indexes for balances and ageing on a past date.

On a past date the reports need what changed after it. A transaction is written with its
postings, on their value date, so the orders with a posting after a date are those with a
transaction after it, and the transactions' indexes answer from the index alone:

- `ix_ledger_transactions_value_date` (value date, order) lists them; before, each posting
  after the date was looked up in `ledger_postings` for its order (370,000 to 1.2 million rows
  over a million orders, for dates three to twelve months back);
- `ix_ledger_transactions_order_id` gains the value date and kind, so that whether an order
  has a transaction after the date (asked of each open item), or a conversion to cash by then,
  is one seek in the index, not a read of each of its transactions;
- `ix_ledger_postings_account` gains the value date and amount, so that what an account was
  posted after a date is one range of the index, summed without the table: balances on a past
  date are the open items less those sums.

docs/benchmarks.md ("Reports") measures them. Indexes only: nothing else changes.

Revision ID: b7e1f4c2a9d3
Revises: 8d2e4b7a1c90
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

from alembic import op

revision = "b7e1f4c2a9d3"
down_revision = "8d2e4b7a1c90"
branch_labels = None
depends_on = None

ACCOUNT = ["book", "counterparty", "agreement", "kind", "ledger"]


def upgrade() -> None:
    op.create_index(
        "ix_ledger_transactions_value_date",
        "ledger_transactions",
        ["value_date", "order_id"],
        unique=False,
    )
    op.drop_index("ix_ledger_transactions_order_id", table_name="ledger_transactions")
    op.create_index(
        "ix_ledger_transactions_order_id",
        "ledger_transactions",
        ["order_id", "value_date", "kind"],
        unique=False,
    )
    op.drop_index("ix_ledger_postings_account", table_name="ledger_postings")
    op.create_index(
        "ix_ledger_postings_account",
        "ledger_postings",
        [*ACCOUNT, "value_date", "amount"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_postings_account", table_name="ledger_postings")
    op.create_index("ix_ledger_postings_account", "ledger_postings", ACCOUNT, unique=False)
    op.drop_index("ix_ledger_transactions_order_id", table_name="ledger_transactions")
    op.create_index(
        "ix_ledger_transactions_order_id", "ledger_transactions", ["order_id"], unique=False
    )
    op.drop_index("ix_ledger_transactions_value_date", table_name="ledger_transactions")
