"""The logistics tables, on the shared MetaData (migrations: the `logistics` Alembic branch).

Append-only (UPDATE and DELETE refused by triggers on both databases): `ledger_transactions`,
`ledger_postings`, `logistics_audit`, `order_signatures`, `order_documents`. The `orders` and
`order_lines` rows are a projection of the audit events, kept for queries and reports;
`ledger verify` checks them against the events.

Timestamps are ISO 8601 UTC text (`2024-05-01T09:30:00.123456Z`) so that the audit hash is the
same on SQLite and PostgreSQL; legal dates are DATE columns; money is BIGINT minor units.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from accord.logistics.ledger import PAYABLE_KINDS, RECEIVABLE_KINDS
from accord.logistics.text import (
    AGREEMENT_CHARS,
    DESCRIPTION_CHARS,
    DOCUMENT_NAME_CHARS,
    PLACE_CHARS,
    UNIT_CHARS,
)
from accord.store.metadata import metadata

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Stamp = String(32)  # ISO 8601 UTC timestamp text
Id = String(64)
Nation = String(3)

signing_officials = Table(
    "signing_officials",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("nation", Nation, nullable=False),
    Column("title", String(200), nullable=True),
    Column("public_key", String(64), nullable=False),  # raw Ed25519 public key, hex
    Column("fingerprint", String(16), nullable=False),
    Column("limits", Text, nullable=False),  # JSON {currency: minor units}
    Column("created_at", Stamp, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("issuing_nation", Nation, nullable=False),
    Column("year", Integer, nullable=False),
    Column("agreement", String(AGREEMENT_CHARS), nullable=False),
    Column("arrangement", String(AGREEMENT_CHARS), nullable=True),
    Column("requester", Nation, nullable=False),
    Column("requester_unit", String(UNIT_CHARS), nullable=False),
    Column("supplier", Nation, nullable=False),
    Column("supplier_unit", String(UNIT_CHARS), nullable=False),
    Column("situation", String(40), nullable=False),
    Column("transaction_type", String(10), nullable=False),
    Column("reimbursement", String(4), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("date_required", Date, nullable=False),
    Column("return_by", Date, nullable=True),
    Column("delivery_place", String(PLACE_CHARS), nullable=False),
    Column("status", String(12), nullable=False),
    Column("version", Integer, nullable=False),
    Column("totals", Text, nullable=False),  # JSON {currency: minor units}
    Column("signed_on", Date, nullable=True),
    Column("first_delivery_on", Date, nullable=True),
    Column("billed_on", Date, nullable=True),
    Column("settlement_due", Date, nullable=True),  # 10 U.S.C. 2345(a),(b)
    Column("open_obligations", Boolean, nullable=False),
    Column("due_back_open", Boolean, nullable=False),
    Column("outstanding", Text, nullable=False),  # JSON: money, in kind, due back
    Column("delivered_value", Text, nullable=False),  # JSON {currency: minor units}
    Column("collected", Text, nullable=False),  # JSON {currency: minor units}
    Column("closed_on", Date, nullable=True),
    Column("cancelled_on", Date, nullable=True),
    # the value dates of the order's first and last ledger transactions: the orders posted
    # to on both sides of a date are the ones whose balance then a report must sum
    Column("first_posted_on", Date, nullable=True),
    Column("last_posted_on", Date, nullable=True),
    Column("created_at", Stamp, nullable=False),
    Column("updated_at", Stamp, nullable=False),
    CheckConstraint("version > 0", name="version_positive"),
    Index("ix_orders_status", "status"),
    Index("ix_orders_requester", "requester"),
    Index("ix_orders_supplier", "supplier"),
    Index("ix_orders_settlement_due", "settlement_due"),
    Index("ix_orders_order_date", "order_date"),
    Index("ix_orders_posting_span", "last_posted_on", "first_posted_on", "id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("category", String(40), nullable=False),
    Column("description", String(DESCRIPTION_CHARS), nullable=False),
    Column("nsn", String(16), nullable=True),
    Column("quantity", BigInteger, nullable=False),
    Column("unit", String(2), nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("delivered", BigInteger, nullable=False),  # projection: delivered, net of reversals
    Column("returned", BigInteger, nullable=False),  # projection: returned in kind or back
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
)

order_documents = Table(
    "order_documents",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False),
    Column("event_id", Id, nullable=False),
    Column("line", Integer, nullable=True),
    Column("name", String(DOCUMENT_NAME_CHARS), nullable=False),
    Column("sha256", String(64), nullable=False),
    Index("ix_order_documents_order_id", "order_id"),
)

order_signatures = Table(
    "order_signatures",
    metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("side", String(10), primary_key=True),  # requester | supplier
    Column("official_id", Id, ForeignKey("signing_officials.id"), nullable=False),
    Column("fingerprint", String(16), nullable=False),
    Column("signature", String(100), nullable=False),  # base64 Ed25519 over the terms
    Column("signed_on", Date, nullable=False),
    Column("event_id", Id, nullable=False),
)

order_number_sequences = Table(
    "order_number_sequences",
    metadata,
    Column("nation", Nation, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

ledger_transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", Id, primary_key=True),  # the id of the event that moved the value
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value_date", Date, nullable=False),
    Column("reverses", Id, nullable=True),
    Column("recorded_at", Stamp, nullable=False),
    # whether an order has a transaction after a date, or a conversion by then, and which
    # orders have one after a date: from the indexes alone (logistics_0007)
    Index("ix_ledger_transactions_order_id", "order_id", "value_date", "kind"),
    Index("ix_ledger_transactions_value_date", "value_date", "order_id"),
)
# The few conversions of RIK or EVE to cash, whose cash is aged from the first delivery
# (logistics_0008): whether an order was converted by a date, without reading the rest.
CONVERSION = "converted-to-cash"  # the event, and its transaction's kind
_CONVERSIONS = ledger_transactions.c.kind == CONVERSION
Index(
    "ix_ledger_transactions_conversions",
    ledger_transactions.c.order_id,
    ledger_transactions.c.value_date,
    sqlite_where=_CONVERSIONS,  # partial on PostgreSQL too (see ix_ledger_postings_open_items)
)

ledger_postings = Table(
    "ledger_postings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("transaction_id", Id, ForeignKey("ledger_transactions.id"), nullable=False),
    Column("order_id", Id, nullable=False),
    Column("book", Nation, nullable=False),
    Column("counterparty", Nation, nullable=False),
    Column("agreement", String(100), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("ledger", String(64), nullable=False),  # currency or commodity
    Column("amount", BigInteger, nullable=False),  # debit > 0, credit < 0
    Column("value_date", Date, nullable=False),
    CheckConstraint("amount <> 0", name="amount_not_zero"),
    Index("ix_ledger_postings_transaction_id", "transaction_id"),
    Index("ix_ledger_postings_value_date", "value_date"),
    # an account's postings in the order of their value dates, with their amounts
    # (logistics_0007): one book's journal, and `verify`'s sums per account and month, read
    # from the index alone
    Index(
        "ix_ledger_postings_account",
        *("book", "counterparty", "agreement", "kind", "ledger", "value_date", "amount"),
    ),
)
# The reports' covering index (migration logistics_0002_report_indexes): receivable and
# payable postings by order, with every column ageing reads.
_OPEN_ITEMS = ledger_postings.c.kind.in_(RECEIVABLE_KINDS + PAYABLE_KINDS)
Index(
    "ix_ledger_postings_open_items",
    *(
        ledger_postings.c[name]
        for name in ("order_id", "ledger", "book", "counterparty", "kind", "value_date", "amount")
    ),
    sqlite_where=_OPEN_ITEMS,
)
# The partial indexes are partial on PostgreSQL too: their migrations create them with the
# same conditions. The conditions are declared here for SQLite only, because declaring one
# for PostgreSQL makes SQLAlchemy import its PostgreSQL dialect with this module, which cost
# every command on SQLite about 0.1 s (importing what `accord reports` needs: a median of
# 0.60 s against 0.51 s). The queries spell the conditions out themselves either way, and
# `test_partial_indexes_are_partial` holds both databases to them.

logistics_audit = Table(
    "logistics_audit",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Id, nullable=False, unique=True),
    Column("order_id", Id, nullable=True),
    Column("kind", String(20), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("recorded_at", Stamp, nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON
    Column("postings_digest", String(64), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_logistics_audit_order_id", "order_id"),
)

# A projection of the receivable and payable postings (migration logistics_0005): per order
# and account, the non-zero sum of one obligation class and the day of its first posting that
# added to it (`ledger.open_items`). Balances and ageing read it for every order without a
# posting after the report's date, instead of summing all their postings.
ledger_open_items = Table(
    "ledger_open_items",
    metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("book", Nation, primary_key=True),
    Column("counterparty", Nation, primary_key=True),
    Column("kind", String(24), primary_key=True),  # an obligation class
    Column("ledger", String(64), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("start", Date, nullable=True),
    CheckConstraint("amount <> 0", name="amount_not_zero"),
)

# Each account's postings summed per calendar month (migration logistics_0009), written with
# the postings: a balance on any date reads an account's months, not its postings
# (`services.account_months`).
ledger_account_months = Table(
    "ledger_account_months",
    metadata,
    Column("book", Nation, primary_key=True),
    Column("counterparty", Nation, primary_key=True),
    Column("agreement", String(100), primary_key=True),
    Column("kind", String(24), primary_key=True),
    Column("ledger", String(64), primary_key=True),
    Column("month", Date, primary_key=True),  # the month's first day
    Column("amount", BigInteger, nullable=False),
)

# The support decisions stored with orders, each text once, named by its SHA-256. An event
# cites one as {"sha256": ..., "on": DATE}: the text with the decision's date written `{on}`,
# so that every order decided in one agreement segment cites the same row (`decision_store`).
support_decisions = Table(
    "support_decisions",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("body", Text, nullable=False),  # canonical JSON, the date written {on}
)

logistics_audit_head = Table(
    "logistics_audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

logistics_idempotency = Table(
    "logistics_idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("command", String(40), nullable=False),
    Column("request_digest", String(64), nullable=False),
    Column("result", Text, nullable=True),  # JSON, set in the same transaction
    Column("created_at", Stamp, nullable=False),
)

ceiling_usage = Table(
    "ceiling_usage",
    metadata,
    Column("fiscal_year", Integer, primary_key=True),
    Column("grp", String(10), primary_key=True),  # nato | non-nato
    Column("direction", String(12), primary_key=True),  # liabilities | credits
    Column("scope", String(10), primary_key=True),  # total | supplies
    Column("used", BigInteger, nullable=False),  # US cents
    Column("limit_cents", BigInteger, nullable=False),
    CheckConstraint("used <= limit_cents", name="within_limit"),
    CheckConstraint("used >= 0", name="used_not_negative"),
)

exchange_rates = Table(
    "exchange_rates",
    metadata,
    Column("id", Id, primary_key=True),
    Column("base", String(3), nullable=False),
    Column("quote", String(3), nullable=False),
    Column("rate", String(40), nullable=False),  # exact decimal text
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("basis", String(8), nullable=False),  # daily | fixed
    Column("agreement", String(100), nullable=True),
    Column("source", String(300), nullable=True),
    Column("created_at", Stamp, nullable=False),
    Index("ix_exchange_rates_pair", "base", "quote", "valid_from"),
)

APPEND_ONLY = (
    "ledger_transactions",
    "ledger_postings",
    "logistics_audit",
    "order_signatures",
    "order_documents",
)

# The bytes of supporting documents, each kept once and named by its SHA-256 (orders cite
# them by that name in `order_documents` and in their terms; a citation may have no bytes
# here: "content not held"). Append-only, like the citations; `ledger verify` rehashes them.
document_contents = Table(
    "document_contents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),  # bytes
    Column("media_type", String(127), nullable=False),  # guessed from the first name cited
    Column("content", LargeBinary, nullable=False),  # BLOB on SQLite, bytea on PostgreSQL
    Column("stored_at", Stamp, nullable=False),
    CheckConstraint("size >= 0", name="size_not_negative"),
)
