"""Logistics: the bytes of supporting documents, kept once each and named by their SHA-256.

Orders cite their documents by name and SHA-256 (`order_documents`, and the terms of the
`created` event). `document_contents` keeps the bytes behind a citation when they were given
(`--document PATH`), written in the same transaction as the event that cites them; the same
bytes cited twice are one row. A citation without a row here is a document whose content Accord
does not hold. The table is append-only (triggers on both databases) and `accord ledger verify`
rehashes every row. Additive: nothing else changes.

Revision ID: 5c71e0d94a2b
Revises: 9b3e5d7a1c20
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5c71e0d94a2b"
down_revision = "9b3e5d7a1c20"
branch_labels = None
depends_on = None

TABLE = "document_contents"

APPEND_ONLY_SQLITE = """
CREATE TRIGGER document_contents_no_{what} BEFORE {op} ON document_contents
BEGIN SELECT RAISE(ABORT, 'accord: document_contents rows are append-only ({op} refused)'); END
"""
# accord_logistics_refuse_change() is the function of logistics_0001_ledger.
APPEND_ONLY_POSTGRES = (
    "CREATE TRIGGER document_contents_append_only BEFORE UPDATE OR DELETE ON document_contents "
    "FOR EACH ROW EXECUTE FUNCTION accord_logistics_refuse_change()",
    "CREATE TRIGGER document_contents_no_truncate BEFORE TRUNCATE ON document_contents "
    "FOR EACH STATEMENT EXECUTE FUNCTION accord_logistics_refuse_change()",
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_document_contents_size_not_negative")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_document_contents")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in APPEND_ONLY_POSTGRES:
            op.execute(statement)
    else:
        for what, verb in (("update", "UPDATE"), ("delete", "DELETE")):
            op.execute(APPEND_ONLY_SQLITE.format(what=what, op=verb))


def downgrade() -> None:
    # Dropping the table drops its triggers with it, on both databases.
    op.drop_table(TABLE)
