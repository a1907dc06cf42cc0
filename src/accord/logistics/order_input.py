"""Reading an order request from plain data (a JSON or YAML order file, command-line options,
an import row) into checked domain values. Every problem is one `BadInput` line that names the
field and what is accepted.

The order file format::

    id: 01J...                 # optional: the caller's id for the order (ULID or UUID)
    number: USA-2024-000017    # optional: allocated per issuing nation and year when absent
    agreement: jpn-usa-acsa-2016   # optional: taken from the deciding clause when absent
    arrangement: null          # optional: the implementing arrangement
    requester: {nation: USA, unit: "3d Marine Logistics Group"}
    supplier:  {nation: JPN, unit: "JGSDF Western Army"}
    situation: exercise
    transaction_type: sale     # sale | loan | lease | service
    reimbursement: cash        # cash | rik | eve
    order_date: 2024-05-01     # optional: the command's date
    date_required: 2024-05-10
    return_by: null            # loans and leases: when the items are due back
    delivery_place: Camp Hansen, Okinawa
    currency: USD              # optional default for the lines
    lines:
      - {category: fuel, description: JP-8, nsn: 9130-01-031-5816, quantity: 20000,
         unit: LI, unit_price: "0.85", currency: USD}
    documents:
      - {name: request.pdf, sha256: "<64 hex digits>", line: 1}

`unit_price` is in major units (a decimal with at most the currency's decimals); a
`unit_price_minor` integer may be given instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accord import vocabulary as vocab
from accord.errors import BadInput
from accord.logistics import money, units
from accord.logistics.order import (
    REIMBURSEMENTS,
    TRANSACTION_TYPES,
    Document,
    Line,
    OrderTerms,
    Party,
    validate_document,
)

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order as asked for: its terms but for the number and (perhaps) the agreement."""

    id: str
    number: str | None
    agreement: str | None
    arrangement: str | None
    requester: Party
    supplier: Party
    situation: str
    transaction_type: str
    reimbursement: str
    order_date: dt.date
    date_required: dt.date
    delivery_place: str
    lines: tuple[Line, ...]
    documents: tuple[Document, ...]
    return_by: dt.date | None

    def terms(self, number: str, agreement: str, arrangement: str | None) -> OrderTerms:
        return OrderTerms(
            id=self.id,
            number=number,
            agreement=agreement,
            arrangement=arrangement,
            requester=self.requester,
            supplier=self.supplier,
            situation=self.situation,
            transaction_type=self.transaction_type,
            reimbursement=self.reimbursement,
            order_date=self.order_date,
            date_required=self.date_required,
            delivery_place=self.delivery_place,
            lines=self.lines,
            documents=self.documents,
            return_by=self.return_by,
        )


def identifier(value: object, what: str = "id") -> str:
    text = str(value).strip()
    if not text or len(text) > 64 or not set(text) <= _ID_CHARS:
        raise BadInput(
            f"malformed {what} {value!r}; accepted: 1 to 64 letters, digits, '-', '_' or '.'"
        )
    return text


def _text(data: dict[str, Any], key: str, where: str = "", required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(f"{where}{key} is missing")
        return None
    if not isinstance(value, str | int):
        raise BadInput(f"{where}{key} must be text, not {type(value).__name__}")
    return str(value).strip()


def _date(value: object, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return vocab.parse_date(str(value), key)


def _int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise BadInput(f"malformed {what} {value!r}; accepted: a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadInput(f"malformed {what} {value!r}; accepted: a whole number") from None


def _party(data: dict[str, Any], side: str, nations: frozenset[str] | None) -> Party:
    raw = data.get(side)
    if isinstance(raw, str):
        raw = {"nation": raw}
    if not isinstance(raw, dict):
        raise BadInput(f"{side} is missing; accepted: {{nation: USA, unit: ...}}")
    nation = vocab.nation(str(raw.get("nation", "")), nations)
    unit = _text(raw, "unit", f"{side}.", required=False) or nation
    return Party(nation, unit)


def parse_line(
    raw: object,
    number: int,
    default_currency: str | None,
    categories: tuple[str, ...] | None = None,
) -> Line:
    where = f"line {number}: "
    if not isinstance(raw, dict):
        raise BadInput(f"{where}must be a mapping of category, description, quantity, ...")
    category = vocab.category(str(raw.get("category", "")))
    if categories is not None and category not in categories:
        raise BadInput(f"{where}unknown category {category!r}")
    description = _text(raw, "description", where)
    assert description is not None
    code = raw.get("currency") or default_currency
    if not code:
        raise BadInput(f"{where}currency is missing; accepted: an ISO 4217 code such as USD")
    ccy = money.currency(str(code))
    quantity = _int(raw.get("quantity"), f"{where}quantity")
    if quantity <= 0:
        raise BadInput(f"{where}quantity {quantity} is not positive; accepted: 1 or more")
    if "unit_price_minor" in raw:
        price = _int(raw["unit_price_minor"], f"{where}unit_price_minor")
    elif "unit_price" in raw:
        price = money.to_minor(raw["unit_price"], ccy, f"{where}unit price")
    else:
        raise BadInput(f"{where}unit_price is missing")
    if price < 0:
        raise BadInput(f"{where}unit price is negative; accepted: 0 or more")
    nsn = _text(raw, "nsn", where, required=False)
    return Line(
        number,
        category,
        description,
        quantity,
        units.unit(str(raw.get("unit", ""))),
        price,
        ccy,
        nsn,
    )


def parse_documents(raw: object, line_count: int) -> tuple[Document, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadInput("documents must be a list of {name, sha256, line}")
    docs = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadInput("documents must be a list of {name, sha256, line}")
        name = _text(item, "name", "document: ")
        sha = str(item.get("sha256", "")).strip().lower()
        line = item.get("line")
        doc = Document(str(name), sha, None if line is None else _int(line, "document line"))
        validate_document(doc, line_count)
        docs.append(doc)
    return tuple(docs)


def parse_order(
    data: object,
    default_id: str,
    on: dt.date,
    nations: frozenset[str] | None = None,
) -> OrderRequest:
    """Check an order request given as plain data; raise BadInput naming the first problem."""
    if not isinstance(data, dict):
        raise BadInput("an order must be a mapping (a JSON object or YAML mapping)")
    order_id = identifier(data.get("id") or default_id, "order id")
    number = data.get("number")
    if number is not None:
        number = identifier(number, "order number")
    agreement = _text(data, "agreement", required=False)
    arrangement = _text(data, "arrangement", required=False)
    requester = _party(data, "requester", nations)
    supplier = _party(data, "supplier", nations)
    situation = vocab.situation(str(data.get("situation", "")))
    ttype = str(data.get("transaction_type", "sale")).strip().lower()
    if ttype not in TRANSACTION_TYPES:
        raise BadInput(
            f"unknown transaction type {ttype!r}; accepted: {', '.join(TRANSACTION_TYPES)}"
        )
    method = str(data.get("reimbursement", "")).strip().lower()
    if method not in REIMBURSEMENTS:
        raise BadInput(
            f"unknown reimbursement {data.get('reimbursement')!r}; accepted: "
            + ", ".join(REIMBURSEMENTS)
        )
    order_date = _date(data["order_date"], "order_date") if data.get("order_date") else on
    required = data.get("date_required")
    date_required = _date(required, "date_required") if required else order_date
    return_by = _date(data["return_by"], "return_by") if data.get("return_by") else None
    place = _text(data, "delivery_place")
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise BadInput("lines is missing; accepted: a list of at least one line")
    default_ccy = data.get("currency")
    lines = tuple(
        parse_line(raw, i, str(default_ccy) if default_ccy else None)
        for i, raw in enumerate(raw_lines, start=1)
    )
    return OrderRequest(
        id=order_id,
        number=number,
        agreement=agreement,
        arrangement=arrangement,
        requester=requester,
        supplier=supplier,
        situation=situation,
        transaction_type=ttype,
        reimbursement=method,
        order_date=order_date,
        date_required=date_required,
        delivery_place=str(place),
        lines=lines,
        documents=parse_documents(data.get("documents"), len(lines)),
        return_by=return_by,
    )
