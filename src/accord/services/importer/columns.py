"""The columns of an import file, and the keys and ids derived from an order's key."""

from __future__ import annotations

import re

from accord.services import ids

FORMATS = ("csv", "jsonl")
KEY_COLUMN = "order"
# Columns that describe the whole order: given on its first row, repeated or left empty on
# the others (a different value on a later row is a bad row).
ORDER_COLUMNS = (
    "id",
    "number",
    "agreement",
    "arrangement",
    "requester",
    "requester_unit",
    "supplier",
    "supplier_unit",
    "situation",
    "transaction_type",
    "reimbursement",
    "order_date",
    "date_required",
    "return_by",
    "delivery_place",
    "documents",
    # its history (`_HISTORY_COLUMNS`)
    "signed_on",
    "requester_official",
    "requester_signature",
    "supplier_official",
    "supplier_signature",
    "delivered_on",
    "delivery_documents",
    "billed_on",
    "bill_documents",
    "paid_on",
    "paid",
    "payment_documents",
    "settled_on",
    "settlement_documents",
    "closed_on",
    "cancelled_on",
    "cancel_reason",
)
# Columns of one order line.
LINE_COLUMNS = (
    "category",
    "description",
    "nsn",
    "quantity",
    "unit",
    "unit_price",
    "unit_price_minor",
    "currency",
    "delivered",
)
COLUMNS = (KEY_COLUMN, *ORDER_COLUMNS, *LINE_COLUMNS)
KNOWN = frozenset(COLUMNS)
REQUIRED = (
    KEY_COLUMN,
    "requester",
    "supplier",
    "situation",
    "reimbursement",
    "order_date",
    "delivery_place",
    "category",
    "description",
    "quantity",
    "unit",
    "currency",
)
# the order's history: what happened after its proposal (the order columns from `signed_on` on)
_HISTORY_COLUMNS = ORDER_COLUMNS[ORDER_COLUMNS.index("signed_on") :]
# the order columns of its request (those before its history)
HEAD_COLUMNS = ORDER_COLUMNS[: ORDER_COLUMNS.index("signed_on")]
# the columns that name documents: JSON lines may give a list of texts instead of one text
_DOCUMENT_COLUMNS = frozenset(
    (
        "documents",
        "delivery_documents",
        "bill_documents",
        "payment_documents",
        "settlement_documents",
    )
)
_HISTORY_FIELDS = frozenset((*_HISTORY_COLUMNS, "delivered"))
COMMAND = "import-order"
DEFAULT_BATCH = 2000  # orders per transaction
MAX_KEY = 193  # "import:" + the order key fits the idempotency table's 200 characters
ON = "{on}"  # the date's placeholder in decision templates (as in `agreements.decisions`)
_LINE_PREFIX = re.compile(r"^line (\d+): ")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_IN_CHUNK = 500  # values per IN (...) list


def idempotency_key(order_key: str) -> str:
    return f"import:{order_key}"


_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def order_id_for(order_key: str) -> str:
    """The id an imported order gets when the file gives none, derived from its order key:
    `import-KEY` where the key makes a valid id (readable, and in file order where the keys
    are, which keeps the database's indexes appending), else a UUID derived from the key."""
    readable = f"import-{order_key}"
    if len(readable) <= 64 and set(order_key) <= _ID_CHARS:
        return readable
    return ids.derived(idempotency_key(order_key), "order")


def event_id_for(order_id: str, order_key: str, version: int) -> str:
    """The id of the order's event that takes it to `version`: `ORDER-ID.VERSION` where that
    fits, else a UUID derived from the order key."""
    readable = f"{order_id}.{version}"
    if len(readable) <= 64:
        return readable
    return ids.derived(idempotency_key(order_key), f"event:{version}")
