"""Logistics: a covering index for the reports' balances and ageing.

`accord reports balances|ageing|overdue` read the receivable and payable postings of the
orders that can still owe something (those open, and those with postings after the report's
date). This partial index holds exactly those kinds of postings, keyed by order, with every
column the reports read, so that the database answers from the index alone, one seek per order
(the kind comes after the order, ledger and parties so that `kind IN (...)` filters the
order's entries instead of multiplying the seeks). `bench/reports.py` measures it over
1,000,000 orders. Additive: nothing else changes.

Revision ID: 4d2f8a61b7c3
Revises: 7c1e0a4f2b10
Create Date: 2026-11-28 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4d2f8a61b7c3"
down_revision = "7c1e0a4f2b10"
branch_labels = None
depends_on = None

OPEN_ITEM_KINDS = (
    "unbilled-receivable",
    "receivable",
    "in-kind-receivable",
    "due-back-receivable",
    "unbilled-payable",
    "payable",
    "in-kind-payable",
    "due-back-payable",
)
WHERE = "kind IN (" + ", ".join(f"'{k}'" for k in OPEN_ITEM_KINDS) + ")"


def upgrade() -> None:
    op.create_index(
        "ix_ledger_postings_open_items",
        "ledger_postings",
        ["order_id", "ledger", "book", "counterparty", "kind", "value_date", "amount"],
        unique=False,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_postings_open_items", table_name="ledger_postings")
