"""Logistics: `ledger_open_items`, what each order owes or is owed per account.

A projection of the receivable and payable postings, written with them: per order, book,
counterparty, obligation class (billed and unbilled cash are one) and ledger, the non-zero sum
and the day of the first posting that added to it. `accord reports balances|ageing|overdue`
read it for the orders without a posting after the report's date (the postings of the others),
so that a report over a million orders sums a row per open obligation, not every posting;
`accord ledger verify` holds it equal to the postings. Filled here from the postings there are.

Revision ID: 3f6a9c2d8e41
Revises: 5c71e0d94a2b
Create Date: 2026-11-29 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3f6a9c2d8e41"
down_revision = "5c71e0d94a2b"
branch_labels = None
depends_on = None

CLASS = """CASE
  WHEN kind IN ('unbilled-receivable', 'receivable') THEN 'receivable'
  WHEN kind IN ('unbilled-payable', 'payable') THEN 'payable'
  ELSE kind END"""
KINDS = (
    "'unbilled-receivable', 'receivable', 'in-kind-receivable', 'due-back-receivable', "
    "'unbilled-payable', 'payable', 'in-kind-payable', 'due-back-payable'"
)
FILL = f"""
INSERT INTO ledger_open_items (order_id, book, counterparty, kind, ledger, amount, start)
SELECT order_id, book, counterparty, {CLASS}, ledger, SUM(amount),
       MIN(CASE WHEN amount > 0 THEN value_date END)
FROM ledger_postings
WHERE kind IN ({KINDS})
GROUP BY order_id, book, counterparty, {CLASS}, ledger
HAVING SUM(amount) <> 0
"""


def upgrade() -> None:
    op.create_table(
        "ledger_open_items",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("book", sa.String(length=3), nullable=False),
        sa.Column("counterparty", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ledger", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_open_items_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_open_items_order_id_orders")
        ),
        sa.PrimaryKeyConstraint(
            "order_id", "book", "counterparty", "kind", "ledger", name=op.f("pk_ledger_open_items")
        ),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("ledger_open_items")
