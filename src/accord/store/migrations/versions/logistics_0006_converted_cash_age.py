"""Logistics: cash converted from RIK or EVE is aged from the first delivery.

A conversion to cash (10 U.S.C. 2345(b) past, DoD policy) posts the cash receivable on its own
day, more than 12 months after the delivery; the overdue clock and the annual report already
count that cash from the delivery, and the ageing now does too (`Order.open_items`): a debt a
year old is not shown as ten days old. The open items of such orders take the order's first
delivery as their start; the downgrade gives them back the day of their first posting.

Revision ID: 8d2e4b7a1c90
Revises: 3f6a9c2d8e41
Create Date: 2026-11-29 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "8d2e4b7a1c90"
down_revision = "3f6a9c2d8e41"
branch_labels = None
depends_on = None

CONVERTED = """
  kind = 'receivable'
  AND order_id IN (SELECT order_id FROM ledger_transactions WHERE kind = 'converted-to-cash')
  AND order_id IN (SELECT id FROM orders WHERE reimbursement IN ('rik', 'eve'))
"""


def upgrade() -> None:
    op.execute(
        "UPDATE ledger_open_items SET start = (SELECT first_delivery_on FROM orders "
        f"WHERE orders.id = ledger_open_items.order_id) WHERE {CONVERTED}"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE ledger_open_items SET start = (SELECT MIN(p.value_date) FROM ledger_postings p "
        "WHERE p.order_id = ledger_open_items.order_id AND p.book = ledger_open_items.book "
        "AND p.counterparty = ledger_open_items.counterparty "
        "AND p.ledger = ledger_open_items.ledger "
        "AND p.kind IN ('unbilled-receivable', 'receivable') AND p.amount > 0) "
        f"WHERE {CONVERTED}"
    )
