"""Logistics: officials, orders, the double-entry ledger, the audit chain, ceilings, rates.

The first revision of the `logistics` branch. Postings, ledger transactions, audit events,
signatures and documents are append-only: triggers refuse UPDATE and DELETE on both databases.
On PostgreSQL a DEFERRABLE INITIALLY DEFERRED constraint trigger also refuses, at commit, any
ledger transaction whose postings do not sum to zero in each book on each ledger (after
django-hordak); on SQLite the service layer checks the same before writing.

Revision ID: 7c1e0a4f2b10
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7c1e0a4f2b10"
down_revision = None
branch_labels = ("logistics",)
depends_on = None

APPEND_ONLY = (
    "ledger_transactions",
    "ledger_postings",
    "logistics_audit",
    "order_signatures",
    "order_documents",
)

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION accord_logistics_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'accord: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accord_logistics_postings_balanced() RETURNS trigger AS $$
DECLARE
  bad record;
BEGIN
  SELECT book, ledger, SUM(amount) AS total INTO bad
    FROM ledger_postings
   WHERE transaction_id = NEW.transaction_id
   GROUP BY book, ledger
  HAVING SUM(amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'accord: ledger transaction % does not balance: book %, ledger % sums to %',
      NEW.transaction_id, bad.book, bad.ledger, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION accord_logistics_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION accord_logistics_refuse_change()"
            )
        op.execute(
            "CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION accord_logistics_postings_balanced()"
        )
    else:
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'accord: {table} rows are append-only "
                    f"({action} refused)'); END"
                )


def upgrade() -> None:
    op.create_table(
        "ceiling_usage",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("grp", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.Column("limit_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("used <= limit_cents", name=op.f("ck_ceiling_usage_within_limit")),
        sa.CheckConstraint("used >= 0", name=op.f("ck_ceiling_usage_used_not_negative")),
        sa.PrimaryKeyConstraint(
            "fiscal_year", "grp", "direction", "scope", name=op.f("pk_ceiling_usage")
        ),
    )
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.Column("agreement", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
    )
    op.create_index(
        "ix_exchange_rates_pair", "exchange_rates", ["base", "quote", "valid_from"], unique=False
    )
    op.create_table(
        "logistics_audit",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("postings_digest", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_logistics_audit")),
        sa.UniqueConstraint("event_id", name=op.f("uq_logistics_audit_event_id")),
    )
    op.create_index("ix_logistics_audit_order_id", "logistics_audit", ["order_id"], unique=False)
    op.create_table(
        "logistics_audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_audit_head")),
    )
    op.create_table(
        "logistics_idempotency",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(length=40), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_logistics_idempotency")),
    )
    op.create_table(
        "order_number_sequences",
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("nation", "year", name=op.f("pk_order_number_sequences")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issuing_nation", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("agreement", sa.String(length=100), nullable=False),
        sa.Column("arrangement", sa.String(length=100), nullable=True),
        sa.Column("requester", sa.String(length=3), nullable=False),
        sa.Column("requester_unit", sa.String(length=200), nullable=False),
        sa.Column("supplier", sa.String(length=3), nullable=False),
        sa.Column("supplier_unit", sa.String(length=200), nullable=False),
        sa.Column("situation", sa.String(length=40), nullable=False),
        sa.Column("transaction_type", sa.String(length=10), nullable=False),
        sa.Column("reimbursement", sa.String(length=4), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("date_required", sa.Date(), nullable=False),
        sa.Column("return_by", sa.Date(), nullable=True),
        sa.Column("delivery_place", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.Column("decision_proposal", sa.Text(), nullable=True),
        sa.Column("decision_signing", sa.Text(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("first_delivery_on", sa.Date(), nullable=True),
        sa.Column("billed_on", sa.Date(), nullable=True),
        sa.Column("settlement_due", sa.Date(), nullable=True),
        sa.Column("open_obligations", sa.Boolean(), nullable=False),
        sa.Column("due_back_open", sa.Boolean(), nullable=False),
        sa.Column("outstanding", sa.Text(), nullable=False),
        sa.Column("delivered_value", sa.Text(), nullable=False),
        sa.Column("collected", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("version > 0", name=op.f("ck_orders_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    op.create_index("ix_orders_order_date", "orders", ["order_date"], unique=False)
    op.create_index("ix_orders_requester", "orders", ["requester"], unique=False)
    op.create_index("ix_orders_settlement_due", "orders", ["settlement_due"], unique=False)
    op.create_index("ix_orders_status", "orders", ["status"], unique=False)
    op.create_index("ix_orders_supplier", "orders", ["supplier"], unique=False)
    op.create_table(
        "signing_officials",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("limits", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_officials")),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("reverses", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_transactions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
    )
    op.create_index(
        "ix_ledger_transactions_order_id", "ledger_transactions", ["order_id"], unique=False
    )
    op.create_table(
        "order_documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_documents_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_documents")),
    )
    op.create_index("ix_order_documents_order_id", "order_documents", ["order_id"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("nsn", sa.String(length=16), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=2), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("returned", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_order_lines_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", "line", name=op.f("pk_order_lines")),
    )
    op.create_index("ix_order_lines_category", "order_lines", ["category"], unique=False)
    op.create_table(
        "order_signatures",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("official_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["signing_officials.id"],
            name=op.f("fk_order_signatures_official_id_signing_officials"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_signatures_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", "side", name=op.f("pk_order_signatures")),
    )
    op.create_table(
        "ledger_postings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("book", sa.String(length=3), nullable=False),
        sa.Column("counterparty", sa.String(length=3), nullable=False),
        sa.Column("agreement", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ledger", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_postings_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_postings_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    op.create_index(
        "ix_ledger_postings_account",
        "ledger_postings",
        ["book", "counterparty", "agreement", "kind", "ledger"],
        unique=False,
    )
    op.create_index(
        "ix_ledger_postings_transaction_id", "ledger_postings", ["transaction_id"], unique=False
    )
    op.create_index(
        "ix_ledger_postings_value_date", "ledger_postings", ["value_date"], unique=False
    )

    op.bulk_insert(
        sa.table(
            "logistics_audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.BigInteger()),
            sa.column("hash", sa.String()),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    _triggers()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_postings_balanced ON ledger_postings")
    for table in reversed(TABLES):
        op.drop_table(table)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS accord_logistics_postings_balanced()")
        op.execute("DROP FUNCTION IF EXISTS accord_logistics_refuse_change()")


TABLES = (
    "ceiling_usage",
    "exchange_rates",
    "logistics_audit",
    "logistics_audit_head",
    "logistics_idempotency",
    "order_number_sequences",
    "orders",
    "signing_officials",
    "ledger_transactions",
    "order_documents",
    "order_lines",
    "order_signatures",
    "ledger_postings",
)
