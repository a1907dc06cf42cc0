"""Importing orders in bulk: `accord orders import FILE` (the file format: `docs/import.md`).

A file holds one row per order line; the rows of one order follow each other and share its
order key (column `order`). Each order goes the way `Logistics.propose` (and, where the file
carries them, `sign`, `deliver`, `bill`, `settle` and `close`) would take it: the agreement
decision at proposal and again at signing, the 10 U.S.C. 2347 ceilings, the officials'
Ed25519 signatures and signing limits, the balanced postings (computed by the domain's fold,
`Order.apply`), and the hash-chained audit. What differs is how it is done:

- **Streamed.** Rows are read one at a time and grouped into orders, orders into batches of
  `batch_size`; memory holds one batch whatever the size of the file.
- **One transaction per batch**, each table written with one `executemany` through the DBAPI
  cursor. A crash loses at most the batch being written, and nothing of it is half-written.
- **Idempotent.** Each order's idempotency key is derived from its order key
  (`import:<order key>`) and stored, with a digest of the order's rows, in the same
  transaction as the order. A re-run skips the orders whose key is there (same rows) and
  reports those whose rows changed, so running a file again, after a crash or not, adds
  nothing twice and completes what is missing. Ids, event ids and numbers come out the same on
  every run, so completed books are those of an uninterrupted run.
- **Bad rows** (a malformed value, an order the agreements refuse, a ceiling it would pass, a
  signature that does not verify) are reported one each, with the line number and the reason;
  their order is not imported and the run goes on.
- **Fast.** Work that repeats across orders is done once: the checks of codes, dates and prices
  are memoized; the support decision is kept per agreement segment (`SupportIndex`: between two
  days on which anything relevant changes every answer is the same) as canonical JSON with a
  placeholder for the date; an order that is only proposed (the common case) is written without
  building the aggregate, its two events' rows made directly. `tests/unit/test_import_rows.py`
  holds every such shortcut equal to the services' own functions.

Locks on PostgreSQL are taken in the services' order (number sequences, ceiling counters, the
audit chain's head last), so an import may run beside other writers; on SQLite each batch holds
the database's write lock (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import json
import marshal
import os
import pickle
import re
import signal
import sys
import threading
import traceback
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring as _enc
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update

from accord import vocabulary as vocab
from accord.errors import AccordError, BadInput
from accord.logistics import ceilings, money, rates, signing, tables, units
from accord.logistics.errors import NotAllowedByAgreement
from accord.logistics.ledger import Posting, digest
from accord.logistics.order import (
    REIMBURSEMENTS,
    TRANSACTION_TYPES,
    Document,
    Event,
    Line,
    Order,
    OrderTerms,
    Party,
    Status,
    canonical_json,
    check_signing_limit,
    validate_document,
)
from accord.logistics.order_input import OrderRequest, identifier
from accord.services import decision_store, document_store, ids
from accord.services.agreement_check import AgreementCheck
from accord.services.repositories import (
    Official,
    chain_hash,
    projection,
    rate_from_row,
    utc_stamp,
)
from accord.services.unit_of_work import UnitOfWork, engine_for
from accord.store.statements import insert_or_ignore

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
_HISTORY_COLUMNS = (
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


# ---------------------------------------------------------------------- reading the file


@dataclass(slots=True)
class Row:
    line: int  # the file's line number where the row starts (a CSV file's header is line 1)
    fields: list[str]  # the row's text, in the order of the file's layout
    problem: str | None = None  # a row that could not be read at all


@dataclass(slots=True)
class BadRow:
    line: int
    order_key: str | None
    reason: str

    def text(self, path: str) -> str:
        about = f"order {self.order_key}: " if self.order_key else ""
        return f"{path}:{self.line}: {about}{self.reason}"


def _getter(positions: Sequence[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """Those fields of a row, as a tuple (itemgetter, whatever the number of positions)."""
    if not positions:
        return lambda fields: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda fields: (fields[only],)
    return itemgetter(*positions)


class Layout:
    """Where each column is in a file's rows (a CSV file's header; JSON lines: `COLUMNS`)."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = tuple(header)
        self.index = {name: i for i, name in enumerate(header)}
        self.key = self.index[KEY_COLUMN]
        self.order = _getter([self.index[c] for c in ORDER_COLUMNS if c in self.index])
        self.order_names = tuple(c for c in ORDER_COLUMNS if c in self.index)
        self.history = _getter([self.index[c] for c in _HISTORY_COLUMNS if c in self.index])
        self.signature = "\x1f".join(header)

    def at(self, name: str) -> int | None:
        return self.index.get(name)


class FileReader:
    """Rows of a CSV or JSON-lines file, one at a time."""

    def __init__(self, path: Path, fmt: str) -> None:
        if fmt not in FORMATS:
            raise BadInput(f"unknown import format {fmt!r}; accepted: {', '.join(FORMATS)}")
        if not path.is_file():
            raise BadInput(f"no import file {str(path)!r}")
        self.path = path
        self.fmt = fmt
        self.size = path.stat().st_size
        self.layout = Layout(COLUMNS)
        self._handle: Any = None

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has come (to the read-ahead buffer's end)."""
        handle = self._handle
        if handle is None or handle.closed:
            return self.size
        return int(handle.buffer.tell())

    def rows(self) -> Iterator[Row]:
        with self.path.open(newline="", encoding="utf-8-sig") as handle:
            self._handle = handle
            try:
                if self.fmt == "csv":
                    yield from self._csv(handle)
                else:
                    yield from self._jsonl(handle)
            except UnicodeDecodeError as exc:
                raise BadInput(
                    f"{self.path}: the file is not UTF-8 text (byte {exc.start} of a read block "
                    "cannot be decoded); save it as UTF-8"
                ) from None

    def _csv(self, handle: Iterable[str]) -> Iterator[Row]:
        reader = csv.reader(handle, strict=True)
        where = f"{self.path}:1"
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise BadInput(f"{where}: the file is empty; expected a header row") from None
        except csv.Error as exc:
            raise BadInput(f"{where}: malformed CSV header: {exc}") from None
        unknown = [h for h in header if h not in KNOWN]
        if unknown:
            raise BadInput(
                f"{where}: unknown column {unknown[0]!r}; accepted: {', '.join(COLUMNS)}"
            )
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise BadInput(f"{where}: the header lacks the column {missing[0]!r}")
        if "unit_price" not in header and "unit_price_minor" not in header:
            raise BadInput(
                f"{where}: the header lacks the column 'unit_price' (or 'unit_price_minor')"
            )
        duplicated = sorted({h for h in header if header.count(h) > 1})
        if duplicated:
            raise BadInput(f"{where}: the column {duplicated[0]!r} appears twice")
        self.layout = Layout(header)
        width = len(header)
        end = reader.line_num
        while True:
            start = end + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                yield Row(start, [], f"malformed CSV: {exc}")
                continue
            end = reader.line_num
            if len(fields) != width:
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue  # a blank line
                shaped = (fields + [""] * width)[:width]  # keeps the order key, to name it
                yield Row(
                    start, shaped, f"the row has {len(fields)} fields; the header has {width}"
                )
                continue
            yield Row(start, fields)

    def _jsonl(self, handle: Iterable[str]) -> Iterator[Row]:
        key = self.layout.key
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(number, [], f"malformed JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(data, dict):
                yield Row(number, [], "a row must be a JSON object of column names and values")
                continue
            fields = [""] * len(COLUMNS)
            problem = None
            for name, value in data.items():
                at = _POSITION.get(name)
                if at is None:
                    problem = f"unknown field {name!r}; accepted: {', '.join(COLUMNS)}"
                elif isinstance(value, str):
                    fields[at] = value
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    fields[at] = str(value)
                elif name in _DOCUMENT_COLUMNS and isinstance(value, list):
                    if not all(isinstance(x, str) for x in value):
                        problem = f"{name} must be a list of text, as PATH or NAME=SHA256"
                    fields[at] = ";".join(x for x in value if isinstance(x, str))
                elif value is not None:
                    problem = f"{name} must be text or a number, not {type(value).__name__}"
                if problem is not None:
                    break
            if problem is not None:
                named = fields[key] if isinstance(data.get(KEY_COLUMN), str | int) else ""
                yield Row(number, [named if i == key else "" for i in range(len(COLUMNS))], problem)
                continue
            yield Row(number, fields)


_POSITION = {name: i for i, name in enumerate(COLUMNS)}


@dataclass(slots=True)
class Group:
    """The rows of one order: consecutive rows with the same order key."""

    key: str | None
    rows: list[Row]


def groups(rows: Iterable[Row], key_at: Callable[[], int]) -> Iterator[Group]:
    current: Group | None = None
    for row in rows:
        key = row.fields[key_at()].strip() if row.fields else ""
        if current is not None and key and key == current.key:
            current.rows.append(row)
            continue
        if current is not None:
            yield current
        current = Group(key or None, [row])
    if current is not None:
        yield current


# ---------------------------------------------------------------------- one order, checked


class RowProblem(AccordError):
    """What is wrong with an order, and the file line it is on."""

    code = "bad-row"
    exit_status = 1

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class History:
    """What the file says happened to the order after its proposal."""

    signed_on: dt.date | None = None
    signatures: tuple[tuple[str, str, int], ...] = ()  # (official, signature, file line)
    delivered_on: dt.date | None = None  # the day of the quantities that name none
    # each delivery: its day, and the quantity delivered of each line (by line number)
    deliveries: dict[dt.date, dict[int, int]] = field(default_factory=dict)
    billed_on: dt.date | None = None
    paid_on: dt.date | None = None
    paid: dict[str, int] = field(default_factory=dict)  # currency -> minor units
    settled_on: dt.date | None = None
    closed_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    cancel_reason: str | None = None
    # the documents each step cites (a receipt, an invoice, a proof of payment), as the
    # `--document` options of `accord orders deliver|bill|settle` take them
    delivery_documents: dict[dt.date, tuple[Document, ...]] = field(default_factory=dict)
    bill_documents: tuple[Document, ...] = ()
    payment_documents: tuple[Document, ...] = ()
    settlement_documents: tuple[Document, ...] = ()
    contents: tuple[document_store.Content, ...] = ()  # the bytes of those given as files

    @property
    def empty(self) -> bool:
        return not self.signatures and not self.deliveries and self.cancelled_on is None

    def cited(self) -> tuple[Document, ...]:
        """Every document the steps cite, in the order of the steps."""
        delivered = tuple(d for docs in self.delivery_documents.values() for d in docs)
        return delivered + self.bill_documents + self.payment_documents + self.settlement_documents


_NO_HISTORY = History()


@dataclass(slots=True)
class Candidate:
    """An order read from the file and checked as far as it can be without the database."""

    key: str
    digest: str
    lines: list[int]  # the file line of each order line
    request: OrderRequest
    history: History
    contents: tuple[document_store.Content, ...] = ()  # the bytes of the documents it cites


_FILE_MEMO_BYTES = 64 * 1024 * 1024  # the documents' bytes kept for orders citing them again


def _memo(cache: dict[str, Any], value: str, check: Callable[[str], Any]) -> Any:
    found = cache.get(value)
    if found is None:
        found = check(value)
        if len(cache) > 50_000:
            cache.clear()
        cache[value] = found
    return found


class RowReader:
    """Turns the rows of one order into a checked `OrderRequest`, with the rules and messages
    of `order_input.parse_order`; the checks of codes, dates and prices are memoized, since a
    file repeats them on most rows."""

    def __init__(self, layout: Layout, nations: frozenset[str], folder: Path | None = None) -> None:
        self.layout = layout
        self.nations = nations
        self.folder = folder  # where the documents the file names by relative path are
        # the documents named so far, as `document_store.named` reads them
        self._files: dict[str, tuple[Document, document_store.Content | None]] = {}
        self._file_bytes = 0
        self._nations: dict[str, str] = {}
        self._situations: dict[str, str] = {}
        self._dates: dict[str, dt.date] = {}
        self._categories: dict[str, str] = {}
        self._currencies: dict[str, str] = {}
        self._units: dict[str, str] = {}
        self._prices: dict[str, int] = {}
        at = layout.at
        self._line_at = tuple(
            at(name)
            for name in (
                "category",
                "description",
                "nsn",
                "quantity",
                "unit",
                "unit_price",
                "unit_price_minor",
                "currency",
            )
        )
        self._delivered_at = at("delivered")
        # The line's category, currency, unit and price, read together: a file repeats a few
        # such combinations on most of its lines, so they are checked once each.
        kind_at = [
            at(n) for n in ("category", "currency", "unit", "unit_price", "unit_price_minor")
        ]
        present = [i for i in kind_at if i is not None]
        get = _getter(present)
        self._kind_of: Callable[[list[str]], tuple[str, ...]] = get
        self._kinds: dict[tuple[str, ...], tuple[str, str, str, int]] = {}

    def text(self, fields: list[str], name: str) -> str | None:
        at = self.layout.index.get(name)
        if at is None:
            return None
        return fields[at].strip() or None

    def date(self, value: str | None, name: str) -> dt.date | None:
        if value is None:
            return None
        found: dt.date = _memo(self._dates, value, lambda v: vocab.parse_date(v, name))
        return found

    def _amounts(self, value: str, currencies: set[str]) -> dict[str, int]:
        """A payment: `1200.50` for an order priced in one currency, else one amount per
        currency, `USD 1200.50; JPY 30000` (the code before or after the amount)."""
        accepted = "accepted: an amount such as '1200.50', or 'USD 1200.50; JPY 30000'"
        amounts: dict[str, int] = {}
        for part in (p.strip() for p in value.split(";")):
            if not part:
                continue
            tokens = part.split()
            if len(tokens) == 1:
                if len(currencies) != 1:
                    raise BadInput(
                        f"paid {part!r} names no currency, and the order is priced in "
                        f"{', '.join(sorted(currencies))}; {accepted}"
                    )
                code, amount = next(iter(currencies)), tokens[0]
            elif len(tokens) == 2:
                code, amount = tokens if tokens[0].isalpha() else tokens[::-1]
            else:
                raise BadInput(f"malformed paid {part!r}; {accepted}")
            code = money.currency(code)
            if code not in currencies:
                raise BadInput(
                    f"paid in {code}, but the order is priced in {', '.join(sorted(currencies))}"
                )
            if code in amounts:
                raise BadInput(f"paid names {code} twice; {accepted}")
            amounts[code] = money.to_minor(amount, code, "paid")
        return amounts

    def read(self, group: Group) -> Candidate:
        rows = group.rows
        key = group.key
        assert key is not None
        at = rows[0].line
        if len(key) > MAX_KEY or not key.isprintable():
            raise RowProblem(
                at, f"malformed order key; accepted: 1 to {MAX_KEY} printable characters"
            )
        layout = self.layout
        first = rows[0].fields
        if len(rows) > 1:
            mine = layout.order(first)
            for row in rows[1:]:
                theirs = layout.order(row.fields)
                if theirs != mine and any(theirs):
                    for name, value, expected in zip(layout.order_names, theirs, mine, strict=True):
                        if value.strip() and value.strip() != expected.strip():
                            raise RowProblem(
                                row.line,
                                f"{name} is {value.strip()!r} here but {expected.strip()!r} on "
                                f"line {at}, the order's first row",
                            )
        try:
            request, contents = self._request(key, first, rows)
        except BadInput as exc:
            raise RowProblem(at, str(exc)) from None
        delivered = self._delivered_at
        history = (
            self._history(rows, request)
            if any(layout.history(first))
            or (delivered is not None and any(row.fields[delivered] for row in rows))
            else _NO_HISTORY
        )
        text = layout.signature + "\x1e" + "\x1e".join("\x1f".join(r.fields) for r in rows)
        cited = request.documents + history.cited()
        if cited:  # the documents' bytes, not only their paths, make the order
            text += "\x1d" + ",".join(d.sha256 for d in cited)
        return Candidate(
            key,
            hashlib.sha256(text.encode()).hexdigest(),
            [row.line for row in rows],
            request,
            history,
            contents + history.contents,
        )

    def _request(
        self, key: str, first: list[str], rows: list[Row]
    ) -> tuple[OrderRequest, tuple[document_store.Content, ...]]:
        text = self.text
        given_id = text(first, "id")
        order_id = identifier(given_id, "order id") if given_id else order_id_for(key)
        number = text(first, "number")
        if number is not None:
            number = identifier(number, "order number")
        parties = []
        for side in ("requester", "supplier"):
            code = text(first, side)
            if code is None:
                raise BadInput(f"{side} is missing; accepted: a nation code such as USA")
            nation = _memo(self._nations, code, lambda v: vocab.nation(v, self.nations))
            parties.append(Party(nation, text(first, f"{side}_unit") or nation))
        situation = _memo(self._situations, text(first, "situation") or "", vocab.situation)
        ttype = (text(first, "transaction_type") or "sale").lower()
        if ttype not in TRANSACTION_TYPES:
            raise BadInput(
                f"unknown transaction type {ttype!r}; accepted: {', '.join(TRANSACTION_TYPES)}"
            )
        method = (text(first, "reimbursement") or "").lower()
        if method not in REIMBURSEMENTS:
            raise BadInput(
                f"unknown reimbursement {text(first, 'reimbursement')!r}; accepted: "
                + ", ".join(REIMBURSEMENTS)
            )
        order_date = self.date(text(first, "order_date"), "order_date")
        if order_date is None:
            raise BadInput("order_date is missing")
        place = text(first, "delivery_place")
        if place is None:
            raise BadInput("delivery_place is missing")
        lines = tuple(self._line(row, n) for n, row in enumerate(rows, start=1))
        documents, contents = self._documents(text(first, "documents"), len(lines))
        request = OrderRequest(
            id=order_id,
            number=number,
            agreement=text(first, "agreement"),
            arrangement=text(first, "arrangement"),
            requester=parties[0],
            supplier=parties[1],
            situation=situation,
            transaction_type=ttype,
            reimbursement=method,
            order_date=order_date,
            date_required=self.date(text(first, "date_required"), "date_required") or order_date,
            delivery_place=place,
            lines=lines,
            documents=documents,
            return_by=self.date(text(first, "return_by"), "return_by"),
        )
        return request, contents

    def _documents(
        self, value: str | None, line_count: int
    ) -> tuple[tuple[Document, ...], tuple[document_store.Content, ...]]:
        """The order's supporting documents, separated by ';', each as `accord orders propose
        --document` takes it (`document_store.named`), a relative path taken from the import
        file's folder; a file cited again is not read again (up to `_FILE_MEMO_BYTES`)."""
        if value is None:
            return (), ()
        documents: list[Document] = []
        contents: list[document_store.Content] = []
        for entry in (e.strip() for e in value.split(";")):
            if entry:
                document, content = self._document(entry, line_count)
                documents.append(document)
                if content is not None:
                    contents.append(content)
        return tuple(documents), tuple(contents)

    def _document(
        self, entry: str, line_count: int
    ) -> tuple[Document, document_store.Content | None]:
        found = self._files.get(entry)
        if found is None:
            found = document_store.named(entry, self.folder)
            size = found[1].size if found[1] is not None else 0
            self._file_bytes += size
            if self._file_bytes > _FILE_MEMO_BYTES:
                self._files.clear()
                self._file_bytes = size
            self._files[entry] = found
        validate_document(found[0], line_count)
        return found

    def _delivery_documents(
        self, value: str, history: History, line_count: int
    ) -> tuple[dict[dt.date, tuple[Document, ...]], tuple[document_store.Content, ...]]:
        """The documents of the deliveries: each `ENTRY` (of the delivery on `delivered_on`)
        or `ENTRY@YYYY-MM-DD` (of the delivery on that day), separated by ';'."""
        cited: dict[dt.date, list[Document]] = {}
        contents: list[document_store.Content] = []
        for entry in (e.strip() for e in value.split(";")):
            if not entry:
                continue
            named, at, day_text = entry.rpartition("@")
            day_text = day_text.strip()
            day = self.date(day_text, "delivery_documents") if at and _DAY.match(day_text) else None
            if day is None:  # no day named: an '@' may be part of a file's name
                named, day = entry, history.delivered_on
                if day is None:
                    raise BadInput(
                        f"delivery document {entry!r} names no delivery; accepted: "
                        "DOCUMENT@YYYY-MM-DD, or DOCUMENT alone for the delivery on delivered_on"
                    )
            if day not in history.deliveries:
                raise BadInput(
                    f"delivery document {named!r} is of a delivery on {day}, but nothing was "
                    "delivered on that day"
                )
            document, content = self._document(named.strip(), line_count)
            cited.setdefault(day, []).append(document)
            if content is not None:
                contents.append(content)
        return {day: tuple(docs) for day, docs in sorted(cited.items())}, tuple(contents)

    def _line(self, row: Row, number: int) -> Line:
        """The row's order line, checked as `_checked_line` checks it; a line whose category,
        currency, unit and price were seen before on a good line needs only its own values
        checked (anything wrong: `_checked_line` says what, in its order)."""
        fields = row.fields
        known = self._kinds.get(self._kind_of(fields))
        if known is None:
            return self._checked_line(row, number)
        i_desc, i_nsn, i_qty = self._line_at[1:4]
        description = fields[i_desc].strip() if i_desc is not None else ""
        raw = fields[i_qty] if i_qty is not None else ""
        try:
            quantity = int(raw)
        except ValueError:
            return self._checked_line(row, number)
        if quantity <= 0 or not description:
            return self._checked_line(row, number)
        nsn = fields[i_nsn].strip() or None if i_nsn is not None else None
        category, ccy, unit, price = known
        return Line(number, category, description, quantity, unit, price, ccy, nsn)

    def _checked_line(self, row: Row, number: int) -> Line:
        fields = row.fields
        i_cat, i_desc, i_nsn, i_qty, i_unit, i_price, i_minor, i_ccy = self._line_at
        try:
            raw = fields[i_cat] if i_cat is not None else ""
            category = self._categories.get(raw) or _memo(self._categories, raw, vocab.category)
            description = fields[i_desc].strip() if i_desc is not None else ""
            if not description:
                raise BadInput("description is missing")
            raw = fields[i_ccy] if i_ccy is not None else ""
            ccy = self._currencies.get(raw)
            if ccy is None:
                if not raw.strip():
                    raise BadInput("currency is missing; accepted: an ISO 4217 code such as USD")
                ccy = _memo(self._currencies, raw, money.currency)
            raw = fields[i_qty] if i_qty is not None else ""
            try:
                quantity = int(raw)
            except ValueError:
                raise BadInput(
                    f"malformed quantity {raw.strip()!r}; accepted: a whole number"
                ) from None
            if quantity <= 0:
                raise BadInput(f"quantity {quantity} is not positive; accepted: 1 or more")
            minor = fields[i_minor].strip() if i_minor is not None else ""
            if minor:
                try:
                    price = int(minor)
                except ValueError:
                    raise BadInput(
                        f"malformed unit_price_minor {minor!r}; accepted: a whole number"
                    ) from None
            else:
                major = fields[i_price].strip() if i_price is not None else ""
                if not major:
                    raise BadInput("unit_price is missing")
                memo_key = ccy + major
                found = self._prices.get(memo_key)
                if found is None:
                    found = _memo(
                        self._prices,
                        memo_key,
                        lambda _: money.to_minor(major, ccy, "unit price"),
                    )
                price = found
            if price < 0:
                raise BadInput("unit price is negative; accepted: 0 or more")
            raw = fields[i_unit] if i_unit is not None else ""
            unit = self._units.get(raw) or _memo(self._units, raw, units.unit)
        except BadInput as exc:
            raise RowProblem(row.line, str(exc)) from None
        if len(self._kinds) >= 50_000:
            self._kinds.clear()
        self._kinds[self._kind_of(fields)] = (category, ccy, unit, price)
        nsn = fields[i_nsn].strip() or None if i_nsn is not None else None
        return Line(number, category, description, quantity, unit, price, ccy, nsn)

    def _delivered(self, part: str, line: int) -> tuple[int, dt.date | None]:
        """One delivery of a line: `QUANTITY` (on `delivered_on`) or `QUANTITY@YYYY-MM-DD`."""
        raw, at, day = part.partition("@")
        try:
            quantity = int(raw)
        except ValueError:
            raise RowProblem(
                line,
                f"malformed delivered quantity {part!r}; accepted: a whole number, or one "
                "QUANTITY@YYYY-MM-DD per delivery, separated by ';'",
            ) from None
        if quantity < 0:
            raise RowProblem(line, f"delivered quantity {quantity} is negative")
        try:
            return quantity, self.date(day.strip(), "delivered") if at else None
        except BadInput as exc:
            raise RowProblem(line, str(exc)) from None

    def _history(self, rows: list[Row], request: OrderRequest) -> History:
        first = rows[0].fields
        text = self.text
        at = rows[0].line
        history = History()
        signatures = []
        for side in ("requester", "supplier"):
            official = text(first, f"{side}_official")
            signature = text(first, f"{side}_signature")
            if bool(official) != bool(signature):
                raise RowProblem(at, f"give both {side}_official and {side}_signature, or neither")
            if official and signature:
                signatures.append((official, signature, at))
        history.signatures = tuple(signatures)
        try:
            history.signed_on = self.date(text(first, "signed_on"), "signed_on")
            history.delivered_on = self.date(text(first, "delivered_on"), "delivered_on")
            history.billed_on = self.date(text(first, "billed_on"), "billed_on")
            history.paid_on = self.date(text(first, "paid_on"), "paid_on")
            paid = text(first, "paid")
            if paid is not None:
                history.paid = self._amounts(paid, {line.currency for line in request.lines})
            history.settled_on = self.date(text(first, "settled_on"), "settled_on")
            history.closed_on = self.date(text(first, "closed_on"), "closed_on")
            history.cancelled_on = self.date(text(first, "cancelled_on"), "cancelled_on")
        except BadInput as exc:
            raise RowProblem(at, str(exc)) from None
        history.cancel_reason = text(first, "cancel_reason")
        if history.cancel_reason is not None and history.cancelled_on is None:
            raise RowProblem(at, "cancel_reason is given, but not cancelled_on")
        if signatures and history.signed_on is None:
            raise RowProblem(at, "signed_on is missing: the date the order was signed")
        if history.signed_on is not None and not signatures:
            raise RowProblem(at, "signed_on is given, but no signature")
        undated: dict[int, int] = {}
        deliveries: dict[dt.date, dict[int, int]] = {}
        for number, row in enumerate(rows, start=1):
            value = text(row.fields, "delivered")
            for part in (p.strip() for p in (value or "").split(";")):
                if part:
                    quantity, day = self._delivered(part, row.line)
                    into = undated if day is None else deliveries.setdefault(day, {})
                    if quantity:
                        into[number] = into.get(number, 0) + quantity
        if undated and history.delivered_on is None:
            raise RowProblem(at, "delivered_on is missing: the date of the delivery")
        if history.delivered_on is not None and not undated:
            raise RowProblem(
                at, "delivered_on is given, but no line has a delivered quantity without a day"
            )
        if undated:
            assert history.delivered_on is not None
            into = deliveries.setdefault(history.delivered_on, {})
            for number, quantity in undated.items():
                into[number] = into.get(number, 0) + quantity
        history.deliveries = {day: q for day, q in sorted(deliveries.items()) if q}
        if history.paid and history.paid_on is None:
            raise RowProblem(at, "paid_on is missing: the day of the payment")
        if history.paid_on is not None and not history.paid:
            raise RowProblem(at, "paid_on is given, but not paid: the amount paid")
        if history.deliveries and len(signatures) < 2:
            raise RowProblem(
                at, "a delivery needs the order to bind first: give both parties' signatures"
            )
        days = list(history.deliveries)
        steps = (
            ("signed_on", history.signed_on),
            ("the first delivery", days[0] if days else None),
            ("the last delivery", days[-1] if days else None),
            ("billed_on", history.billed_on),
            ("paid_on", history.paid_on),
            ("settled_on", history.settled_on),
            ("closed_on", history.closed_on),
        )
        previous_name, previous_day = "order_date", request.order_date
        for index, (name, day) in enumerate(steps):
            if day is None and name == "paid_on":
                continue  # a payment on account is optional: the settlement may come at once
            if day is None:
                later = next((n for n, d in steps[index + 1 :] if d is not None), None)
                if later is not None:
                    what = "a delivery" if name.endswith("delivery") else name
                    raise RowProblem(at, f"{later} is given, but not {what}")
                break
            if day < previous_day:
                raise RowProblem(at, f"{name} {day} is before {previous_name} {previous_day}")
            previous_name, previous_day = name, day
        if history.cancelled_on is not None:
            after_name, after = (
                ("signed_on", history.signed_on)
                if signatures
                else ("order_date", request.order_date)
            )
            if after is not None and history.cancelled_on < after:
                raise RowProblem(
                    at, f"cancelled_on {history.cancelled_on} is before {after_name} {after}"
                )
        if signatures and (text(first, "number") is None or text(first, "id") is None):
            raise RowProblem(
                at, "a signed order needs its id and number as signed (the signatures cover them)"
            )
        self._step_documents(first, history, len(request.lines), at)
        return history

    def _step_documents(self, first: list[str], history: History, line_count: int, at: int) -> None:
        """The documents of the deliveries, the bill, the payment and the settlement; each
        column needs its step."""
        text = self.text
        contents: list[document_store.Content] = []
        try:
            value = text(first, "delivery_documents")
            if value is not None:
                if not history.deliveries:
                    raise BadInput("delivery_documents is given, but nothing was delivered")
                history.delivery_documents, kept = self._delivery_documents(
                    value, history, line_count
                )
                contents.extend(kept)
            for name, step, day in (
                ("bill_documents", "billed_on", history.billed_on),
                ("payment_documents", "paid_on", history.paid_on),
                ("settlement_documents", "settled_on", history.settled_on),
            ):
                value = text(first, name)
                if value is None:
                    continue
                if day is None:
                    raise BadInput(f"{name} is given, but not {step}")
                documents, kept = self._documents(value, line_count)
                setattr(history, name, documents)
                contents.extend(kept)
        except BadInput as exc:
            raise RowProblem(at, str(exc)) from None
        history.contents = tuple(contents)


def _line_of(message: str, lines: Sequence[int]) -> int:
    """The file line that a domain message about `line N` of the order points to."""
    found = _LINE_PREFIX.match(message)
    if found:
        number = int(found.group(1))
        if 1 <= number <= len(lines):
            return lines[number - 1]
    return lines[0]


# ---------------------------------------------------------------------- decisions


@dataclass(slots=True)
class Decided:
    """The support decision stored with an order (`AgreementCheck.check`) as
    `decision_store.cite` keeps it: the body (the canonical JSON with the date written ON),
    its SHA-256 and the date of the citation (None: the text is the body); or the refusal."""

    body: str | None  # None: refused
    agreement: str | None  # the permitting agreement
    refusal: str | None = None
    sha256: str = ""
    on: str | None = None

    @property
    def text(self) -> str | None:
        """The decision's canonical JSON, as `AgreementCheck.check` gives it."""
        if self.body is None or self.on is None:
            return self.body
        return self.body.replace(ON, self.on)

    @property
    def citation(self) -> str:
        """The citation an event keeps, as canonical JSON."""
        on = "null" if self.on is None else f'"{self.on}"'
        return f'{{"on":{on},"sha256":"{self.sha256}"}}'

    def cited(self) -> dict[str, Any]:
        return {"on": self.on, "sha256": self.sha256}


# A joined decision: its text with ON for the date, the permitting agreement, the text's
# SHA-256, and the ISO dates written in the text (None: a date might run into ON's place).
_Combined = tuple[str, str, str, frozenset[str] | None]
_ISO_DATE = re.compile(r"(?=(\d{4}-\d{2}-\d{2}))")  # every one, overlapping ones too


def _dates_beside(template: str) -> frozenset[str] | None:
    """The dates in the text, when ON is never right after a digit or '-': then a date put in
    ON's place reads back as ON unless the text holds that very date elsewhere (an ISO date
    is only digits and '-', so a match of it that began before ON's place would have to take
    the character before it); None otherwise, when each date must be tried."""
    at = template.find(ON)
    while at != -1:
        if at > 0 and (template[at - 1].isdigit() or template[at - 1] == "-"):
            return None
        at = template.find(ON, at + len(ON))
    return frozenset(_ISO_DATE.findall(template))


@dataclass(slots=True)
class _Answer:
    """The stored answer for one category in one agreement segment, as canonical JSON with ON
    for the date (None: the date cannot be set apart; ask `AgreementCheck` for each day)."""

    allowed: bool
    agreement: str | None
    text: str | None
    dates: frozenset[str] | None = None  # `_dates_beside(text)`


class Decisions:
    """`AgreementCheck.check`, answered from the answers of one category in one agreement
    segment of the ordered pair (between two days on which anything relevant changes, every
    answer of `SupportIndex` is the same; only the date in it differs)."""

    LIMIT = 100_000

    def __init__(self, check: AgreementCheck) -> None:
        self.check = check
        self._days: dict[tuple[str, str], list[int] | None] = {}
        self._answers: dict[tuple[str, str, str, str, int], _Answer] = {}
        self._by_day: dict[tuple[Any, ...], Decided] = {}
        self._implements: dict[str, str | None] = {}
        # (pair, categories, situation, segment, agreement) -> what `_combine` makes
        self._combined: dict[tuple[Any, ...], _Combined | None] = {}

    def _segment(self, supplier: str, recipient: str, on: dt.date) -> int:
        pair = (supplier, recipient)
        if pair not in self._days:
            change_days = getattr(self.check.support, "change_days", None)
            self._days[pair] = list(change_days(supplier, recipient)) if change_days else None
        days = self._days[pair]
        return on.toordinal() if days is None else bisect_right(days, on.toordinal())

    def implements(self, agreement_id: str) -> str | None:
        if agreement_id not in self._implements:
            self._implements[agreement_id] = self.check.implements(agreement_id)
        return self._implements[agreement_id]

    def decide(
        self,
        supplier: str,
        recipient: str,
        categories: tuple[str, ...],
        situation: str,
        on: dt.date,
        agreement: str | None,
    ) -> Decided:
        """As `AgreementCheck.check(...)` (`categories` sorted, without repeats)."""
        segment = self._segment(supplier, recipient, on)
        combined = (supplier, recipient, categories, situation, segment, agreement)
        if combined in self._combined:
            found = self._combined[combined]
        else:
            found = self._combine(supplier, recipient, categories, situation, on, agreement)
            if len(self._combined) >= self.LIMIT:
                self._combined.clear()
            self._combined[combined] = found
        if found is None:
            return self._ask(supplier, recipient, categories, situation, on, agreement)
        template, permitting, sha, dates = found
        iso = on.isoformat()
        if dates is None or iso in dates:  # the date may be elsewhere in the text too (or
            text = template.replace(ON, iso)  # across it): cite it as `cite` does
            if text.replace(iso, ON) != template:
                return self._cited(text, permitting, iso)
        return Decided(template, permitting, None, sha, iso)

    def _combine(
        self,
        supplier: str,
        recipient: str,
        categories: tuple[str, ...],
        situation: str,
        on: dt.date,
        agreement: str | None,
    ) -> _Combined | None:
        """The decision for these categories throughout the segment of `on`: its text with ON
        for the date, the permitting agreement, the text's SHA-256 and the dates written in
        it; or None where the segment's answers cannot be joined (a category refused, a date
        that cannot be set apart, or a named agreement that does not cover them)."""
        answers = []
        for category in categories:
            key = (supplier, recipient, category, situation, self._segment(supplier, recipient, on))
            answer = self._answers.get(key)
            if answer is None:
                if len(self._answers) >= self.LIMIT:
                    self._answers.clear()
                answer = self._answers[key] = self._answer(
                    supplier, recipient, category, situation, on
                )
            if not answer.allowed or answer.text is None:
                return None
            answers.append(answer)
        permitting = [str(a.agreement) for a in answers]
        try:
            if agreement is not None and not self._covers(agreement, permitting):
                return None
        except BadInput:  # an unknown agreement: `AgreementCheck.check` says so, as a refusal
            return None
        template = (
            f'{{"agreement":{_enc(permitting[0])},"allowed":true,"decisions":['
            + ",".join(str(a.text) for a in answers)
            + f'],"on":"{ON}"}}'
        )
        # the dates of the whole text: those of its answers (a date cannot run across the ','
        # between them, nor into the text around them) and any in the agreement's id
        dates: frozenset[str] | None = frozenset(_ISO_DATE.findall(permitting[0]))
        for answer in answers:
            dates = None if dates is None or answer.dates is None else dates | answer.dates
        return template, permitting[0], hashlib.sha256(template.encode()).hexdigest(), dates

    @staticmethod
    def _cited(text: str, agreement: str, iso: str) -> Decided:
        """The decision as `decision_store.cite` cites it."""
        citation, body = decision_store.cite(text, iso)
        return Decided(body, agreement, None, citation["sha256"], citation["on"])

    def _covers(self, named: str, permitting: list[str]) -> bool:
        """As `AgreementCheck._covers`: the named agreement is the permitting one, its parent,
        or an arrangement under it."""
        parent = self.implements(named)
        return all(p in (named, parent) or self.implements(p) == named for p in permitting)

    def _answer(
        self, supplier: str, recipient: str, category: str, situation: str, on: dt.date
    ) -> _Answer:
        from accord.agreements.decisions import SupportQuestion, decision_json

        decision = self.check.support.decide(supplier, recipient, category, situation, on)
        if not decision.allowed:
            return _Answer(False, None, None)
        answer = decision_json(
            SupportQuestion(supplier, recipient, category, situation, on), decision
        )
        exact = canonical_json(answer).decode()
        # the date is in the question and in the reasons' messages (which the index keeps
        # with ON in place of the date)
        answer["question"]["on"] = ON  # type: ignore[index]
        for reason, raw in zip(answer["reasons"], decision.reasons, strict=True):  # type: ignore[call-overload]
            reason["message"] = raw.message
        text: str | None = canonical_json(answer).decode()
        if text is None or text.replace(ON, on.isoformat()) != exact:
            text = None  # ON in some other text: ask for each day
        dates = None if text is None else _dates_beside(text)
        return _Answer(True, str(decision.reasons[0].agreement), text, dates)

    def _ask(
        self,
        supplier: str,
        recipient: str,
        categories: tuple[str, ...],
        situation: str,
        on: dt.date,
        agreement: str | None,
    ) -> Decided:
        key = (supplier, recipient, categories, situation, on, agreement)
        found = self._by_day.get(key)
        if found is None:
            if len(self._by_day) >= self.LIMIT:
                self._by_day.clear()
            try:
                stored = self.check.check(supplier, recipient, categories, situation, on, agreement)
            except (NotAllowedByAgreement, BadInput) as exc:
                found = Decided(None, None, str(exc))
            else:
                text = canonical_json(stored).decode()
                found = self._cited(text, stored["agreement"], on.isoformat())
            self._by_day[key] = found
        return found


# ---------------------------------------------------------------------- canonical texts


def _json_or_null(value: str | None) -> str:
    return "null" if value is None else _enc(value)


# (category, currency, unit) -> the text of a line's JSON around its description and price:
# a few dozen kinds, from the vocabulary
_LINE_PARTS: dict[tuple[str, str, str], tuple[str, str]] = {}


def terms_json(t: OrderTerms) -> str:
    """`OrderTerms.canonical()`, as text, made directly (the signed bytes; held equal to
    the domain's own by `tests/unit/test_import_rows.py`)."""
    return terms_text(
        proposed_row(t, postgres=False),
        [line_row(t.id, ln) for ln in t.lines],
        t.number,
        t.documents,
    )


def unnumbered_payload(text: str) -> tuple[str, str, str, str]:
    """The `created` event's payload (`{"terms": ...}`) of terms text whose number is "",
    around the number's place: as it is, and as a JSON string (the opening quote in the
    first, the closing one in the last). JSON escapes character by character, so the pieces
    escaped apart join into the whole escaped (`numbered_payload`)."""
    cut = text.rindex(',"number":""') + len(',"number":')
    head, tail = '{"terms":' + text[:cut], text[cut + 2 :] + "}"
    return head, tail, _enc(head)[:-1], _enc(tail)[1:]


def numbered_payload(pieces: tuple[str, str, str, str], number: str) -> tuple[str, str]:
    """The payload of `unnumbered_payload`'s pieces with the number in place, as it is and
    as a JSON string."""
    head, tail, escaped_head, escaped_tail = pieces
    value = _enc(number)
    return head + value + tail, escaped_head + _enc(value)[1:-1] + escaped_tail


def terms_text(
    order: Sequence[Any], lines: Iterable[Sequence[Any]], number: str, documents: Iterable[Document]
) -> str:
    """`terms_json`, made from the order's `orders` row (ORDER_ROW, its dates ISO text) and its
    `order_lines` rows (LINE_ROW), which the reading side makes of a proposed order (its
    number "" until the writer numbers it: `unnumbered_payload`)."""
    parts = _LINE_PARTS
    texts = []
    for _, n, category, description, nsn, quantity, unit, price, currency, _, _ in lines:
        kind = (category, currency, unit)
        found = parts.get(kind)
        if found is None:
            found = parts[kind] = (
                f'{{"category":{_enc(category)},"currency":{_enc(currency)},"description":',
                f',"unit":{_enc(unit)},"unit_price":',
            )
        texts.append(
            f'{found[0]}{_enc(description)},"line":{n},'
            f'"nsn":{"null" if nsn is None else _enc(nsn)},"quantity":{quantity}'
            f"{found[1]}{price}}}"
        )
    cited = ",".join(
        f'{{"line":{"null" if d.line is None else d.line},"name":{_enc(d.name)},'
        f'"sha256":{_enc(d.sha256)}}}'
        for d in documents
    )
    (
        oid,
        _,
        _,
        _,
        agreement,
        arrangement,
        requester,
        requester_unit,
        supplier,
        supplier_unit,
        situation,
        transaction_type,
        reimbursement,
        order_date,
        date_required,
        return_by,
        delivery_place,
    ) = order[:17]
    return (
        f'{{"agreement":{_enc(agreement)},"arrangement":{_json_or_null(arrangement)},'
        f'"date_required":"{date_required}","delivery_place":{_enc(delivery_place)},'
        f'"documents":[{cited}],"id":{_enc(oid)},"lines":[{",".join(texts)}],'
        f'"number":{_enc(number)},"order_date":"{order_date}",'
        f'"reimbursement":{_enc(reimbursement)},'
        f'"requester":{{"nation":{_enc(requester)},"unit":{_enc(requester_unit)}}},'
        f'"return_by":{_json_or_null(return_by)},"situation":{_enc(situation)},'
        f'"supplier":{{"nation":{_enc(supplier)},"unit":{_enc(supplier_unit)}}},'
        f'"transaction_type":{_enc(transaction_type)}}}'
    )


def audit_bytes(
    seq: int,
    event_id: str,
    order_id: str | None,
    kind: str,
    on: dt.date,
    recorded_at: str,
    payload: str,
    postings_digest: str | None,
    payload_json: str | None = None,
) -> bytes:
    """`repositories.audit_record`, made directly (held equal by the unit tests);
    `payload_json`: the payload as a JSON string, where it is known already."""
    return (
        f'{{"event_id":{_enc(event_id)},"kind":{_enc(kind)},"on":"{on.isoformat()}",'
        f'"order_id":{_json_or_null(order_id)},"payload":{payload_json or _enc(payload)},'
        f'"postings":{_json_or_null(postings_digest)},"recorded_at":{_enc(recorded_at)},'
        f'"seq":{seq}}}'
    ).encode()


def _totals(t: OrderTerms) -> str:
    """`OrderTerms.totals()` as canonical JSON."""
    totals: dict[str, int] = {}
    for line in t.lines:
        totals[line.currency] = totals.get(line.currency, 0) + line.quantity * line.unit_price
    if len(totals) == 1:
        ((code, total),) = totals.items()
        return f"{{{_enc(code)}:{total}}}"
    return canonical_json(dict(sorted(totals.items()))).decode()


_NOTHING_OUTSTANDING = canonical_json({"money": {}, "in_kind": {}, "due_back": {}}).decode()


def static_columns(t: OrderTerms) -> dict[str, Any]:
    """`repositories.static_columns`, made directly."""
    return {
        "id": t.id,
        "number": t.number,
        "issuing_nation": t.issuing_nation,
        "year": t.order_date.year,
        "agreement": t.agreement,
        "arrangement": t.arrangement,
        "requester": t.requester.nation,
        "requester_unit": t.requester.unit,
        "supplier": t.supplier.nation,
        "supplier_unit": t.supplier.unit,
        "situation": t.situation,
        "transaction_type": t.transaction_type,
        "reimbursement": t.reimbursement,
        "order_date": t.order_date,
        "date_required": t.date_required,
        "return_by": t.return_by,
        "delivery_place": t.delivery_place,
        "totals": _totals(t),
    }


# ---------------------------------------------------------------------- the import


@dataclass
class ImportResult:
    file: str
    format: str
    rows: int = 0
    orders_read: int = 0
    imported_orders: int = 0
    imported_lines: int = 0
    already_imported_orders: int = 0
    already_imported_lines: int = 0
    bad_rows: int = 0
    orders_not_imported: int = 0
    batches: int = 0
    events: int = 0
    postings: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "orders_read": self.orders_read,
            "imported": {"orders": self.imported_orders, "lines": self.imported_lines},
            "already_imported": {
                "orders": self.already_imported_orders,
                "lines": self.already_imported_lines,
            },
            "bad_rows": self.bad_rows,
            "orders_not_imported": self.orders_not_imported,
            "batches": self.batches,
            "events": self.events,
            "postings": self.postings,
            "by_status": dict(sorted(self.by_status.items())),
        }


@dataclass(slots=True)
class Progress:
    """What a progress callback hears after each batch is committed."""

    bytes_read: int
    bytes_total: int
    rows: int
    result: ImportResult


class Importer:
    """Imports order files into the books behind `engine` (see the module's notes)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        check: AgreementCheck | None = None,
        batch_size: int = DEFAULT_BATCH,
        parallel: bool = False,
    ) -> None:
        if batch_size < 1:
            raise BadInput(f"batch size {batch_size} is not positive; accepted: 1 or more")
        self.engine = engine or engine_for(url)
        self.check = check or AgreementCheck()
        self.batch_size = batch_size
        # A second process reads and prepares while this one writes: each side is about half
        # the work, so with a second core the import takes about the time of one side
        # (docs/benchmarks.md); with one core it would only add the handing over.
        self.parallel = bool(parallel) and sys.platform == "linux" and (os.cpu_count() or 1) > 1
        self.decisions = Decisions(self.check)
        self._officials: dict[str, Official | None] = {}
        self.bodies: dict[str, str] = {}  # every decision body the orders read so far cite
        self.stored_bodies: set[str] = set()  # those committed to `support_decisions`
        # the bytes of documents that orders read so far cite and that no batch stored yet
        # (an order refused by the writer leaves them for a later one citing them too)
        self.contents: dict[str, document_store.Content] = {}

    def close(self) -> None:
        self.engine.dispose()

    def run(
        self,
        path: Path,
        fmt: str,
        on_bad: Callable[[BadRow], None],
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ImportResult:
        """Import the file; `on_bad` hears of each bad row as it is found, `on_progress` of
        each batch once it is committed. With `parallel`, the file is read and the orders
        prepared in a second process while this one writes."""
        with UnitOfWork(self.engine, write=False) as uow:
            rate_table: dict[tuple[str, str], list[rates.ExchangeRate]] = {}
            for row in uow.connection.execute(select(tables.exchange_rates)):
                rate = rate_from_row(row)
                rate_table.setdefault((rate.base, rate.quote), []).append(rate)
            postgres = uow.is_postgres
        preparer = Preparer(path, fmt, self.check, self.batch_size, rate_table, postgres)
        self.check.nations, self.check.support  # noqa: B018 - loaded once, before any fork
        result = ImportResult(str(path), fmt)

        def bad(problem: BadRow) -> None:
            result.bad_rows += 1
            on_bad(problem)

        with _few_collections:
            self._import(preparer, result, bad, on_progress)
        return result

    def _import(
        self,
        preparer: Preparer,
        result: ImportResult,
        bad: Callable[[BadRow], None],
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        source = _from_process(preparer) if self.parallel else preparer.batches()
        for batch in source:
            result.rows += batch.rows
            result.orders_read += batch.orders_read
            result.orders_not_imported += batch.not_imported
            for problem in batch.bad:
                bad(problem)
            if not batch.items:
                continue
            for item in batch.items:
                self.bodies.update(item.bodies)
                self.contents.update((c.sha256, c) for c in item.contents)
            with UnitOfWork(self.engine) as uow:
                writer = _BatchWriter(self, uow, result, bad)
                writer.write(writer.build(writer.skip_known(batch.items)))
                uow.commit()
            self.stored_bodies |= writer.saved_bodies
            for sha in writer.saved_contents:
                del self.contents[sha]
            result.batches += 1
            if on_progress is not None:
                on_progress(Progress(batch.bytes_read, preparer.reader.size, result.rows, result))


class _FewCollections:
    """Python's cycle collector, made to run rarely while an import runs (in both of its
    processes, which inherit the setting): an import makes millions of rows, tuples and
    lists that live for one batch and form no cycles, and the collector's passes (a young
    one every 700 new containers, and full ones through the agreement tables and caches
    loaded before) took a tenth of the import's time; the objects there before the import
    are left out of its passes (`gc.freeze`). Imports running at once in threads of one
    process share the setting; the last to finish puts the collector back as it was."""

    YOUNG = 100_000  # new containers between two young passes (Python's default: 700)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._before = gc.get_threshold()

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._before = gc.get_threshold()
                gc.freeze()
                gc.set_threshold(self.YOUNG, *self._before[1:])
            self._running += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                gc.set_threshold(*self._before)
                gc.unfreeze()


_few_collections = _FewCollections()


def agreement_of(
    implements: Callable[[str], str | None], request: OrderRequest, decided: str | None
) -> tuple[str, str | None]:
    """The order's agreement and arrangement, named as `Books.propose` names them."""
    if request.agreement:
        arrangement = request.arrangement
        if (
            arrangement is None
            and decided
            and decided != request.agreement
            and implements(decided) == request.agreement
        ):
            arrangement = decided
        return request.agreement, arrangement
    assert decided is not None
    parent = implements(decided)
    if parent:
        return parent, decided
    return decided, request.arrangement


def signing_terms(
    check: AgreementCheck, rows: Sequence[dict[str, str]], folder: Path | None = None
) -> OrderTerms:
    """The terms that the importer makes of one order's rows (column -> text, the first row
    with its id and number): what its officials sign, for a file that carries signatures
    (`folder`: the file's, where the documents it names by relative path are)."""
    layout = Layout(COLUMNS)
    group = Group(
        rows[0].get(KEY_COLUMN, "").strip() or None,
        [
            Row(i, ["" if c in _HISTORY_FIELDS else row.get(c, "") for c in COLUMNS])
            for i, row in enumerate(rows, start=1)
        ],
    )
    if group.key is None:
        raise BadInput(f"the {KEY_COLUMN} key is missing")
    try:
        request = RowReader(layout, check.nations, folder).read(group).request
    except RowProblem as exc:
        raise BadInput(f"row {exc.line}: {exc}") from None
    decided = Decisions(check).decide(
        request.supplier.nation,
        request.requester.nation,
        tuple(sorted({line.category for line in request.lines})),
        request.situation,
        request.order_date,
        request.agreement,
    )
    if decided.body is None:
        raise BadInput(str(decided.refusal))
    agreement, arrangement = agreement_of(check.implements, request, decided.agreement)
    return request.terms(request.number or "", agreement, arrangement)


@dataclass(slots=True)
class _Charges:
    preview: tuple[ceilings.Charge, ...]
    signing: tuple[ceilings.Charge, ...] = ()
    waiver: str | None = None


@dataclass(slots=True)
class Prepared:
    """An order ready for the writer: decided, its terms checked, what it adds to the
    ceilings counted; for an order that is only proposed, its rows and its `created` event's
    payload made but for the number; for an order with a history, its terms, to fold."""

    key: str
    digest: str
    lines: list[int]  # the file line of each order line
    id: str
    number: str | None  # as given; the writer sets the allocated one
    requester: str
    order_date: dt.date
    charges: _Charges
    decision: str  # the citation of the decision at proposal, canonical JSON
    decision_sha256: str
    # the bodies of the decisions it cites that the reading side has not handed over before
    bodies: dict[str, str] = field(default_factory=dict)
    documents: tuple[Document, ...] = ()  # its supporting documents (in its terms)
    # the bytes of those documents that the reading side has not handed over before
    contents: list[document_store.Content] = field(default_factory=list)
    # the `created` event's payload around the order number's JSON text, as it is and as a
    # JSON string (its opening and closing quotes in the first and last): made beside the
    # rows, so that the writer, which numbers the order, only joins texts
    payload: tuple[str, str, str, str] = ("", "", "", "")
    row: tuple[Any, ...] = ()  # the `orders` row, number and time stamps left out
    line_rows: list[tuple[Any, ...]] = field(default_factory=list)
    candidate: Candidate | None = None  # orders with a history
    terms: OrderTerms | None = None
    events: list[tuple[Event, list[Posting]]] = field(default_factory=list)
    folded: Order | None = None


@dataclass(slots=True)
class Batch:
    """What the reading side hands the writing side: the orders of one batch, and the bad
    rows and counts of the rows read for it."""

    items: list[Prepared] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    rows: int = 0
    orders_read: int = 0
    not_imported: int = 0
    bytes_read: int = 0


class Preparer:
    """The reading side: rows to prepared orders, in batches. Needs no database (the exchange
    rates are read once, when the import starts), so that it can run in a process of its own
    beside the writer."""

    def __init__(
        self,
        path: Path,
        fmt: str,
        check: AgreementCheck,
        batch_size: int,
        rate_table: dict[tuple[str, str], list[rates.ExchangeRate]],
        postgres: bool,
    ) -> None:
        self.reader = FileReader(path, fmt)
        self.check = check
        self.decisions = Decisions(check)
        self.batch_size = batch_size
        self.rate_table = rate_table
        self.pg = postgres
        self._to_usd: dict[tuple[str, dt.date], Callable[[int, str], int]] = {}
        self._sent: set[str] = set()  # decision bodies and document bytes handed to the writer

    def batches(self) -> Iterator[Batch]:
        reader = self.reader
        rows: RowReader | None = None
        batch = Batch()
        for group in groups(reader.rows(), lambda: reader.layout.key):
            batch.rows += len(group.rows)
            if group.key is None:
                for row in group.rows:
                    reason = row.problem or f"the {KEY_COLUMN} key is missing"
                    batch.bad.append(BadRow(row.line, None, reason))
                continue
            batch.orders_read += 1
            unreadable = [row for row in group.rows if row.problem is not None]
            if unreadable:
                for row in unreadable:
                    batch.bad.append(BadRow(row.line, group.key, f"{row.problem}{NOT_IMPORTED}"))
                batch.not_imported += 1
                continue
            if rows is None or rows.layout is not reader.layout:
                rows = RowReader(reader.layout, self.check.nations, reader.path.parent)
            try:
                prepared = self.prepare(rows.read(group))
            except RowProblem as exc:
                prepared = BadRow(exc.line, group.key, f"{exc}{NOT_IMPORTED}")
            if isinstance(prepared, BadRow):
                batch.bad.append(prepared)
                batch.not_imported += 1
                continue
            batch.items.append(prepared)
            if len(batch.items) >= self.batch_size:
                batch.bytes_read = reader.bytes_read
                yield batch
                batch = Batch()
        batch.bytes_read = reader.size
        yield batch

    def to_usd(self, agreement: str, on: dt.date) -> Callable[[int, str], int]:
        """As `Books._to_usd`: an amount in US cents at the rate for the day."""
        known = self._to_usd.get((agreement, on))
        if known is not None:
            return known
        chosen: dict[str, Any] = {}

        def convert(minor: int, currency: str) -> int:
            if currency == "USD":
                return minor
            if currency not in chosen:
                table = self.rate_table
                candidates = [
                    r
                    for r in table.get((currency, "USD"), []) + table.get(("USD", currency), [])
                    if r.covers(on)
                ]
                chosen[currency] = rates.choose(candidates, currency, "USD", on, agreement)
            rate = chosen[currency]
            if rate is None:
                raise BadInput(
                    f"no exchange rate from {currency} to USD on {on} (needed to count the "
                    "10 U.S.C. 2347 ceilings); add one with `accord ledger rates add`"
                )
            return money.convert(minor, currency, "USD", rate)

        if len(self._to_usd) > 10_000:
            self._to_usd.clear()
        self._to_usd[(agreement, on)] = convert
        return convert

    def prepare(self, candidate: Candidate) -> Prepared | BadRow:
        r, h = candidate.request, candidate.history
        at = candidate.lines[0]
        decided = self.decisions.decide(
            r.supplier.nation,
            r.requester.nation,
            tuple(sorted({line.category for line in r.lines})),
            r.situation,
            r.order_date,
            r.agreement,
        )
        if decided.body is None:
            return BadRow(at, candidate.key, f"{decided.refusal}{NOT_IMPORTED}")
        try:
            agreement, arrangement = agreement_of(self.decisions.implements, r, decided.agreement)
            terms = r.terms(r.number or "", agreement, arrangement)  # checks the terms
            charges = _Charges(())
            if ceilings.US in (r.requester.nation, r.supplier.nation):
                charges.preview = ceilings.charges(
                    terms, r.order_date, self.to_usd(agreement, r.order_date)
                )[0]
                if len(h.signatures) == 2 and h.signed_on is not None:
                    charges.signing, charges.waiver = ceilings.charges(
                        terms, h.signed_on, self.to_usd(agreement, h.signed_on)
                    )
        except BadInput as exc:
            return BadRow(
                _line_of(str(exc), candidate.lines), candidate.key, f"{exc}{NOT_IMPORTED}"
            )
        prepared = Prepared(
            candidate.key,
            candidate.digest,
            candidate.lines,
            r.id,
            r.number,
            r.requester.nation,
            r.order_date,
            charges,
            decided.citation,
            decided.sha256,
        )
        if decided.sha256 not in self._sent:
            self._sent.add(decided.sha256)
            prepared.bodies[decided.sha256] = str(decided.body)
        prepared.documents = r.documents
        for content in candidate.contents:
            if content.sha256 not in self._sent:
                self._sent.add(content.sha256)
                prepared.contents.append(content)
        if not h.empty:
            prepared.candidate, prepared.terms = candidate, terms
            return prepared
        prepared.row = proposed_row(terms, self.pg)
        prepared.line_rows = [line_row(r.id, ln) for ln in terms.lines]
        prepared.payload = unnumbered_payload(
            terms_text(prepared.row, prepared.line_rows, "", terms.documents)
        )
        return prepared


NOT_IMPORTED = "; order not imported"


def proposed_row(t: OrderTerms, postgres: bool) -> tuple[Any, ...]:
    """The `orders` row (ORDER_ROW) of an order that is only proposed, but for its number
    (None) and time stamps (left out). Its dates are ISO text on both databases (PostgreSQL
    casts the text to its DATE columns), so that it crosses to the writer as plain data."""
    return (
        t.id,
        None,
        t.requester.nation,
        t.order_date.year,
        t.agreement,
        t.arrangement,
        t.requester.nation,
        t.requester.unit,
        t.supplier.nation,
        t.supplier.unit,
        t.situation,
        t.transaction_type,
        t.reimbursement,
        t.order_date.isoformat(),
        t.date_required.isoformat(),
        _iso(t.return_by),
        t.delivery_place,
        _totals(t),
        "proposed",
        2,
        None,
        None,
        None,
        None,
        *((False, False) if postgres else (0, 0)),
        _NOTHING_OUTSTANDING,
        "{}",
        "{}",
        None,
        None,
    )


def line_row(order_id: str, ln: Line, delivered: int = 0, returned: int = 0) -> tuple[Any, ...]:
    """An `order_lines` row (LINE_ROW)."""
    return (
        order_id,
        ln.number,
        ln.category,
        ln.description,
        ln.nsn,
        ln.quantity,
        ln.unit,
        ln.unit_price,
        ln.currency,
        delivered,
        returned,
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), so that a killed
    importer leaves no reader behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


# ---------------------------------------------------------------------- handing over

# A batch crosses from the reading process to the writer as builtin values in `marshal`'s
# format, which makes and reads tuples of text and numbers several times faster than pickle
# (the crossing was a tenth of the import's work). The orders with a history carry their
# terms and history, domain objects: they are pickled together, and stand as None among
# the others.


def to_wire(batch: Batch) -> bytes:
    items: list[Any] = []
    histories = [p for p in batch.items if p.candidate is not None]
    for p in batch.items:
        if p.candidate is not None:
            items.append(None)
            continue
        c = p.charges
        items.append(
            (
                p.key,
                p.digest,
                p.lines,
                p.id,
                p.number,
                p.requester,
                p.order_date.toordinal(),
                tuple(_charge_fields(x) for x in c.preview),
                tuple(_charge_fields(x) for x in c.signing),
                c.waiver,
                p.decision,
                p.decision_sha256,
                p.bodies,
                tuple((d.name, d.sha256, d.line) for d in p.documents),
                tuple((x.sha256, x.media_type, x.data) for x in p.contents),
                p.payload,
                p.row,
                p.line_rows,
            )
        )
    bad = [(b.line, b.order_key, b.reason) for b in batch.bad]
    counts = (batch.rows, batch.orders_read, batch.not_imported, batch.bytes_read)
    pickled = pickle.dumps(histories, protocol=pickle.HIGHEST_PROTOCOL) if histories else b""
    return marshal.dumps(("batch", (items, pickled, bad, counts)))


def _charge_fields(c: ceilings.Charge) -> tuple[int, str, str, str, int]:
    return (c.fiscal_year, c.group, c.direction, c.scope, c.amount)


def from_wire(data: bytes) -> Batch | tuple[str, str]:
    """The batch `to_wire` made, or the reading process's last word: ("end", ""),
    ("bad-input", message) or ("crash", traceback)."""
    kind, body = marshal.loads(data)
    if kind != "batch":
        return kind, body
    items, pickled, bad, (rows, orders_read, not_imported, bytes_read) = body
    histories = iter(pickle.loads(pickled) if pickled else ())
    prepared: list[Prepared] = []
    Charge, Content = ceilings.Charge, document_store.Content
    for item in items:
        if item is None:
            prepared.append(next(histories))
            continue
        (key, digest, lines, oid, number, requester, day, preview, signing, waiver) = item[:10]
        (decision, sha, bodies, documents, contents, payload, row, line_rows) = item[10:]
        prepared.append(
            Prepared(
                key,
                digest,
                lines,
                oid,
                number,
                requester,
                dt.date.fromordinal(day),
                _Charges(
                    tuple(Charge(*x) for x in preview),
                    tuple(Charge(*x) for x in signing),
                    waiver,
                ),
                decision,
                sha,
                bodies,
                tuple(Document(*d) for d in documents),
                [Content(*x) for x in contents],
                payload,
                row,
                line_rows,
            )
        )
    return Batch(
        prepared,
        [BadRow(*b) for b in bad],
        rows,
        orders_read,
        not_imported,
        bytes_read,
    )


def _produce(preparer: Preparer, parent: int, sender: Any, receiver: Any) -> None:
    """The reading process: prepared batches down the pipe, then the end (or the error)."""
    _die_with_parent(parent)
    receiver.close()
    try:
        for batch in preparer.batches():
            sender.send_bytes(to_wire(batch))
        message: tuple[str, str] = ("end", "")
    except BadInput as exc:
        message = ("bad-input", str(exc))
    except BaseException:
        message = ("crash", traceback.format_exc())
    sender.send_bytes(marshal.dumps(message))
    sender.close()


def _from_process(preparer: Preparer) -> Iterator[Batch]:
    """The preparer's batches, made in a forked process while this one writes."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_produce, args=(preparer, os.getpid(), sender, receiver), daemon=True
    )
    process.start()
    sender.close()
    try:
        while True:
            message = from_wire(receiver.recv_bytes())
            if isinstance(message, Batch):
                yield message
                continue
            kind, text = message
            if kind == "bad-input":
                raise BadInput(text)
            if kind == "crash":
                raise RuntimeError(f"the importer's reading process failed:\n{text}")
            return
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()


# An event for the audit chain: id, order id, kind, day, payload, postings digest, and the
# payload as a JSON string where it is made already (None: `audit_bytes` makes it).
_AuditEntry = tuple[str, str, str, dt.date, str, str | None, str | None]


class _BatchWriter:
    """The writing side: one batch in one unit of work."""

    def __init__(
        self,
        importer: Importer,
        uow: UnitOfWork,
        result: ImportResult,
        bad: Callable[[BadRow], None],
    ) -> None:
        self.importer = importer
        self.uow = uow
        self.c: Connection = uow.connection
        self.pg = uow.is_postgres
        self.now = utc_stamp()
        self.result = result
        self._bad = bad
        self.saved_bodies: set[str] = set()
        self.saved_contents: set[str] = set()  # document bytes this batch stored

    def refuse(self, p: Prepared, line: int, reason: str) -> None:
        self._bad(BadRow(line, p.key, f"{reason}{NOT_IMPORTED}"))
        self.result.orders_not_imported += 1

    def _chunks(self, values: Sequence[str]) -> Iterator[Sequence[str]]:
        for start in range(0, len(values), _IN_CHUNK):
            yield values[start : start + _IN_CHUNK]

    def _rows_in(self, columns: str, table: str, column: str, values: Sequence[str]) -> Any:
        """`SELECT columns FROM table WHERE column IN values`, a chunk at a time, as plain
        driver SQL (compiling hundreds of bound values each time cost more than the query)."""
        mark = "%s" if self.pg else "?"
        for chunk in self._chunks(values):
            sql = (
                f"SELECT {columns} FROM {table} WHERE {column} IN ({','.join([mark] * len(chunk))})"
            )
            yield from self.c.exec_driver_sql(sql, tuple(chunk))

    def _existing(self, column: Any, values: Sequence[str]) -> set[str]:
        return {r[0] for r in self._rows_in(column.name, column.table.name, column.name, values)}

    # ------------------------------------------------------------------ what is there already

    def skip_known(self, batch: list[Prepared]) -> list[Prepared]:
        """Leave out orders imported before (same rows), and report orders whose key was used
        for other rows, or whose id or number another order has."""
        keys = [idempotency_key(p.key) for p in batch]
        seen: dict[str, tuple[str, str]] = {
            r[0]: (r[1], r[2])
            for r in self._rows_in(
                '"key", command, request_digest', "logistics_idempotency", '"key"', keys
            )
        }
        result = self.result
        fresh: list[Prepared] = []
        here: dict[str, Prepared] = {}
        for p in batch:
            key = idempotency_key(p.key)
            found = seen.get(key)
            if found is None and p.key in here:
                found = (COMMAND, here[p.key].digest)
            if found is None:
                fresh.append(p)
                here[p.key] = p
            elif found == (COMMAND, p.digest):
                result.already_imported_orders += 1
                result.already_imported_lines += len(p.lines)
            else:
                self.refuse(
                    p,
                    p.lines[0],
                    f"the order key was used before for other rows (idempotency key {key!r}): "
                    "an order changed since it was imported, or rows of one order that do not "
                    "follow each other; give a new order a new key",
                )
        o = tables.orders
        taken_ids = self._existing(o.c.id, [p.id for p in fresh])
        numbers = [p.number for p in fresh if p.number]
        taken_numbers = self._existing(o.c.number, numbers) if numbers else set()
        kept = []
        for p in fresh:
            if p.id in taken_ids:
                self.refuse(p, p.lines[0], f"an order with id {p.id!r} exists already")
            elif p.number and p.number in taken_numbers:
                self.refuse(p, p.lines[0], f"order number {p.number} exists already")
            else:
                taken_ids.add(p.id)
                if p.number:
                    taken_numbers.add(p.number)
                kept.append(p)
        return kept

    # ------------------------------------------------------------------ ceilings and numbers

    def build(self, batch: list[Prepared]) -> list[Prepared]:
        """In file order: count the ceilings against their locked counters, fold the orders
        with a history (checking their signatures); then number the orders without a number.
        An order that anything refuses is reported and left out before it takes a number."""
        sequences = {(p.requester, p.order_date.year) for p in batch if not p.number}
        last = self._lock_sequences(sequences) if sequences else {}
        counter_keys = {c.key for p in batch for c in (*p.charges.preview, *p.charges.signing)}
        used = self._lock_counters(counter_keys) if counter_keys else {}
        before = dict(used)
        accepted: list[Prepared] = []
        for p in batch:
            try:
                for charge in p.charges.preview:
                    ceilings.check(charge, used[charge.key])
                trial = used
                if p.charges.signing:
                    trial = dict(used)
                    for charge in sorted(p.charges.signing, key=lambda c: c.key):
                        ceilings.check(charge, trial[charge.key])
                        trial[charge.key] += charge.amount
                    if p.candidate is not None and p.candidate.history.cancelled_on is not None:
                        trial = used  # cancelled after its signing: it gave its count back
                if p.candidate is not None:
                    self._fold(p)
            except RowProblem as exc:
                self.refuse(p, exc.line, str(exc))
                continue
            except AccordError as exc:
                self.refuse(p, _line_of(str(exc), p.lines), str(exc))
                continue
            used = trial
            accepted.append(p)
        wanting = [(p.requester, p.order_date.year) for p in accepted if not p.number]
        if wanting:
            taken = {p.number for p in accepted if p.number}
            numbers = iter(self._allocate(wanting, last, taken))
            for p in accepted:
                if not p.number:
                    p.number = next(numbers)
                    if p.candidate is not None:
                        # an unsigned order with a history (cancelled): its events again, with
                        # the number in its terms (no signature covers them)
                        assert p.terms is not None and not p.candidate.history.signatures
                        p.terms = replace(p.terms, number=p.number)
                        p.events.clear()
                        self._fold(p)
            self._write_sequences(last)
        if counter_keys:
            self._write_counters(before, used)
        return accepted

    def _lock_counters(
        self, keys: set[tuple[int, str, str, str]]
    ) -> dict[tuple[int, str, str, str], int]:
        u = tables.ceiling_usage
        used: dict[tuple[int, str, str, str], int] = {}
        for key in sorted(keys):
            year, grp, direction, scope = key
            query = select(u.c.used).where(
                u.c.fiscal_year == year,
                u.c.grp == grp,
                u.c.direction == direction,
                u.c.scope == scope,
            )
            row = self.c.execute(self.uow.for_update(query)).first()
            used[key] = 0 if row is None else int(row[0])
        return used

    def _write_counters(
        self,
        before: dict[tuple[int, str, str, str], int],
        used: dict[tuple[int, str, str, str], int],
    ) -> None:
        u = tables.ceiling_usage
        for key in sorted(used):
            if used[key] == before.get(key, 0):
                continue
            year, grp, direction, scope = key
            limit = ceilings.LIMITS[(grp, direction, scope)]
            row = {"fiscal_year": year, "grp": grp, "direction": direction, "scope": scope}
            self.c.execute(insert_or_ignore(self.c, u).values(**row, used=0, limit_cents=limit))
            self.c.execute(
                update(u)
                .where(
                    u.c.fiscal_year == year,
                    u.c.grp == grp,
                    u.c.direction == direction,
                    u.c.scope == scope,
                )
                .values(used=used[key])
            )

    def _lock_sequences(self, keys: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
        s = tables.order_number_sequences
        last: dict[tuple[str, int], int] = {}
        for nation, year in sorted(keys):
            self.c.execute(insert_or_ignore(self.c, s).values(nation=nation, year=year, last=0))
            query = select(s.c.last).where(and_(s.c.nation == nation, s.c.year == year))
            last[(nation, year)] = int(self.c.execute(self.uow.for_update(query)).scalar_one())
        return last

    def _allocate(
        self, wanting: list[tuple[str, int]], last: dict[tuple[str, int], int], taken: set[str]
    ) -> list[str]:
        """Numbers for the orders without one, in file order: NATION-YEAR-NNNNNN, skipping
        numbers in use (as `LogisticsStore.next_number` does)."""
        while True:
            counters = dict(last)
            numbers = []
            for nation, year in wanting:
                while True:
                    counters[(nation, year)] += 1
                    number = f"{nation}-{year}-{counters[(nation, year)]:06d}"
                    if number not in taken:
                        break
                numbers.append(number)
            clash = self._existing(tables.orders.c.number, numbers)
            if not clash:
                last.update(counters)
                return numbers
            taken |= clash

    def _write_sequences(self, last: dict[tuple[str, int], int]) -> None:
        s = tables.order_number_sequences
        for (nation, year), value in sorted(last.items()):
            self.c.execute(
                update(s).where(and_(s.c.nation == nation, s.c.year == year)).values(last=value)
            )

    # ------------------------------------------------------------------ orders with a history

    def _official(self, official_id: str) -> Official | None:
        cache = self.importer._officials
        if official_id not in cache:
            s = tables.signing_officials
            row = self.c.execute(select(s).where(s.c.id == official_id)).first()
            cache[official_id] = (
                None
                if row is None
                else Official(
                    row.id,
                    row.name,
                    row.nation,
                    row.title,
                    row.public_key,
                    row.fingerprint,
                    {k: int(v) for k, v in json.loads(row.limits).items()},
                )
            )
        return cache[official_id]

    def _fold(self, s: Prepared) -> None:
        """The events of an order with a history, folded by the domain (which refuses what may
        not happen), with the payloads that `Books` writes; checks as `Books.sign` does."""
        candidate, terms = s.candidate, s.terms
        assert candidate is not None and terms is not None
        h = candidate.history
        order = Order(terms)
        events = s.events

        def add(kind: str, day: dt.date, payload: dict[str, Any]) -> None:
            event_id = event_id_for(terms.id, candidate.key, len(events) + 1)
            event = Event(event_id, kind, day, payload)
            events.append((event, order.apply(event)))

        add("created", terms.order_date, {"terms": terms.as_json()})
        # the decision's text came with the first order citing it (`Prepared.bodies`)
        add("proposed", terms.order_date, {"decision": json.loads(s.decision)})
        signed_bytes = terms.canonical() if h.signatures else b""
        for official_id, signature, line in h.signatures:
            assert h.signed_on is not None
            official = self._official(official_id)
            if official is None:
                raise RowProblem(
                    line, f"no official {official_id!r}; add one with `accord officials add`"
                )
            if official.nation == terms.requester.nation:
                side = "requester"
            elif official.nation == terms.supplier.nation:
                side = "supplier"
            else:
                raise RowProblem(
                    line,
                    f"official {official.id} acts for {official.nation}, which is not a party to "
                    f"the order ({terms.requester.nation} requests, {terms.supplier.nation} "
                    "supplies)",
                )
            if side in order.signatures:
                raise RowProblem(line, f"two signatures for the {side}")
            signing.verify(official.public_key, signature, signed_bytes)
            check_signing_limit(terms.totals(), official.limits, official.id)
            payload: dict[str, Any] = {
                "side": side,
                "official": official.id,
                "key": official.fingerprint,
                "signature": signature,
                "decision": None,
            }
            if len(order.signatures) == 1:
                again = self.importer.decisions.decide(
                    terms.supplier.nation,
                    terms.requester.nation,
                    tuple(sorted({ln.category for ln in terms.lines})),
                    terms.situation,
                    h.signed_on,
                    terms.agreement,
                )
                if again.body is None:
                    raise RowProblem(line, str(again.refusal))
                payload["decision"] = again.cited()
                s.bodies[again.sha256] = str(again.body)
                payload["ceiling"] = {
                    "charges": [c.as_json() for c in s.charges.signing],
                    "waiver": s.charges.waiver,
                }
            add("signed", h.signed_on, payload)
        for day, delivered in h.deliveries.items():
            quantities = {str(k): v for k, v in sorted(delivered.items())}
            cited = [d.as_json() for d in h.delivery_documents.get(day, ())]
            add(
                "delivered",
                day,
                {"quantities": quantities, "documents": cited, "received_by": None},
            )
        if h.billed_on is not None:
            t = order.terms
            cash = t.owes_money and t.reimbursement == "cash"
            amounts = order.delivered_value() if cash else {}
            cited = [d.as_json() for d in h.bill_documents]
            add("billed", h.billed_on, {"amounts": amounts, "documents": cited})
        if h.paid_on is not None:
            method = order.terms.reimbursement
            if method not in ("cash", "eve"):
                raise RowProblem(
                    candidate.lines[0],
                    f"paid is given, but a {method} order is settled by returning items in "
                    "kind (settled_on), not by a payment",
                )
            add(
                "settled",
                h.paid_on,
                {
                    "method": method,
                    "amounts": dict(sorted(h.paid.items())),
                    "quantities": {},
                    "note": None,
                    "documents": [d.as_json() for d in h.payment_documents],
                },
            )
        if h.settled_on is not None:
            methods = order.settlement_methods()
            if not methods:
                raise RowProblem(candidate.lines[0], "settled_on is given, but nothing is owed")
            for method in methods:
                if method == "rik":
                    owed = order.outstanding_in_kind()
                elif method == "return":
                    owed = order.outstanding_due_back()
                else:
                    owed = {}
                add(
                    "settled",
                    h.settled_on,
                    {
                        "method": method,
                        "amounts": order.outstanding_money() if method in ("cash", "eve") else {},
                        "quantities": {str(k): v for k, v in sorted(owed.items())},
                        "note": None,
                        "documents": [d.as_json() for d in h.settlement_documents],
                    },
                )
        if h.closed_on is not None:
            add("closed", h.closed_on, {})
        if h.cancelled_on is not None:
            # as `Books.cancel`: a bound order gives its ceiling count back (`build` leaves it
            # uncounted)
            bound = order.status is Status.SIGNED
            released = [
                ceilings.Charge.from_json(c).as_json()
                for c in (order.ceiling.get("charges") or () if bound else ())
            ]
            add("cancelled", h.cancelled_on, {"reason": h.cancel_reason, "released": released})
        s.folded = order

    # ------------------------------------------------------------------ writing

    def _day(self, day: dt.date | None) -> Any:
        if day is None or self.pg:
            return day
        return day.isoformat()

    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        mark = "%s" if self.pg else "?"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(mark for _ in columns)})"
        )
        self.c.exec_driver_sql(sql, rows)

    def _order_row(self, columns: dict[str, Any]) -> tuple[Any, ...]:
        day, pg = self._day, self.pg
        return tuple(
            day(columns[name])
            if name in DATE_COLUMNS
            else (columns[name] if pg else int(columns[name]))
            if name in FLAG_COLUMNS
            else columns[name]
            for name in ORDER_ROW
        )

    def write(self, accepted: list[Prepared]) -> None:
        """Insert the batch's rows, table by table, and append its events to the audit chain."""
        day, now = self._day, self.now
        result = self.result
        orders: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        transactions: list[tuple[Any, ...]] = []
        postings: list[tuple[Any, ...]] = []
        signatures: list[tuple[Any, ...]] = []
        keys: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        documents: list[tuple[Any, ...]] = []
        audit: list[_AuditEntry] = []
        for p in accepted:
            oid, number = p.id, str(p.number)
            order = p.folded
            if order is None:
                # proposed, nothing more: the rows of `created` and `proposed` made directly
                created = event_id_for(oid, p.key, 1)
                proposed = event_id_for(oid, p.key, 2)
                on = p.order_date
                payload, payload_json = numbered_payload(p.payload, number)
                audit.append((created, oid, "created", on, payload, None, payload_json))
                audit.append(
                    (proposed, oid, "proposed", on, '{"decision":' + p.decision + "}", None, None)
                )
                row = p.row
                orders.append((row[0], number, *row[2:], now, now))
                documents.extend((oid, created, d.line, d.name, d.sha256) for d in p.documents)
                lines.extend(p.line_rows)
                status, version, event_ids = "proposed", 2, f'"{created}","{proposed}"'
            else:
                t = order.terms
                text = terms_json(t)
                columns = {**static_columns(t), **projection(order)}
                columns["created_at"] = columns["updated_at"] = now
                orders.append(self._order_row(columns))
                delivered, returned = order.delivered_qty(), order.returned_qty()
                lines.extend(
                    line_row(oid, ln, delivered.get(ln.number, 0), returned.get(ln.number, 0))
                    for ln in t.lines
                )
                for event, event_postings in p.events:
                    payload = (
                        '{"terms":' + text + "}"
                        if event.kind == "created"
                        else canonical_json(event.payload).decode()
                    )
                    posted = digest(event_postings) if event_postings else None
                    audit.append((event.id, oid, event.kind, event.on, payload, posted, None))
                    # as `Books` records them: the terms' documents at creation, then each
                    # step's receipt, invoice or proof
                    if event.kind == "created":
                        documents.extend(
                            (oid, event.id, d.line, d.name, d.sha256) for d in p.documents
                        )
                    else:
                        documents.extend(
                            (oid, event.id, d["line"], d["name"], d["sha256"])
                            for d in event.payload.get("documents") or ()
                        )
                    if event_postings:
                        value_date = day(event.on)
                        transactions.append((event.id, oid, event.kind, value_date, None, now))
                        postings.extend(
                            (
                                event.id,
                                oid,
                                x.book,
                                x.counterparty,
                                x.agreement,
                                x.kind,
                                x.ledger,
                                x.amount,
                                value_date,
                            )
                            for x in event_postings
                        )
                    if event.kind == "signed":
                        signatures.append(
                            (
                                oid,
                                event.payload["side"],
                                event.payload["official"],
                                event.payload["key"],
                                event.payload["signature"],
                                day(event.on),
                                event.id,
                            )
                        )
                items.extend(
                    (oid, x.book, x.counterparty, x.kind, x.ledger, x.amount, day(x.start))
                    for x in order.open_items()
                )
                status, version = order.status.value, order.version
                event_ids = ",".join(f'"{e.id}"' for e, _ in p.events)
            keys.append(
                (
                    idempotency_key(p.key),
                    COMMAND,
                    p.digest,
                    f'{{"events":[{event_ids}],"imported":true,"order":{{"id":{_enc(oid)},'
                    f'"number":{_enc(number)},"status":"{status}","version":{version}}}}}',
                    now,
                )
            )
            result.imported_orders += 1
            result.imported_lines += len(p.lines)
            result.by_status[status] = result.by_status.get(status, 0) + 1
        self._insert("orders", ORDER_ROW, orders)
        self._insert("order_lines", LINE_ROW, lines)
        self._insert("ledger_transactions", TRANSACTION_ROW, transactions)
        self._insert("ledger_postings", POSTING_ROW, postings)
        self._insert("order_signatures", SIGNATURE_ROW, signatures)
        self._insert("ledger_open_items", OPEN_ITEM_ROW, items)
        self._insert("logistics_idempotency", KEY_ROW, keys)
        self._insert("order_documents", DOCUMENT_ROW, documents)
        self._save_decisions(accepted)
        self._chain(audit)
        self._save_contents(accepted)
        result.events += len(audit)
        result.postings += len(postings)

    def _save_decisions(self, accepted: list[Prepared]) -> None:
        """Store the decision bodies that the batch's events cite and that are not stored."""
        importer = self.importer
        cited = set()
        for p in accepted:
            importer.bodies.update(p.bodies)
            cited.add(p.decision_sha256)
            cited.update(p.bodies)
        new = cited - importer.stored_bodies
        decision_store.save(self.c, {sha: importer.bodies[sha] for sha in new})
        self.saved_bodies = new

    def _save_contents(self, accepted: list[Prepared]) -> None:
        """Store the bytes of the documents the batch's orders cite that are not stored (after
        the audit chain's head is locked, as `Books` stores them)."""
        pending = self.importer.contents
        cited = {
            d.sha256
            for p in accepted
            for d in (
                p.documents if p.candidate is None else p.documents + p.candidate.history.cited()
            )
            if d.sha256 in pending
        }
        if cited:
            document_store.save(self.c, [pending[sha] for sha in sorted(cited)], self.now)
        self.saved_contents = cited

    def _chain(self, entries: list[_AuditEntry]) -> None:
        """Append the events to the audit chain, under the lock on its head (taken last, as
        the services take it)."""
        if not entries:
            return
        head = tables.logistics_audit_head
        row = self.c.execute(
            self.uow.for_update(select(head.c.seq, head.c.hash).where(head.c.id == 1))
        ).one()
        seq, prev = int(row.seq), str(row.hash)
        now, day = self.now, self._day
        rows = []
        for event_id, order_id, kind, on, payload, posted, payload_json in entries:
            seq += 1
            record = audit_bytes(
                seq, event_id, order_id, kind, on, now, payload, posted, payload_json
            )
            hashed = chain_hash(prev, record)
            rows.append(
                (seq, event_id, order_id, kind, day(on), now, payload, posted, prev, hashed)
            )
            prev = hashed
        self._insert("logistics_audit", AUDIT_ROW, rows)
        self.c.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=prev))


ORDER_ROW = (
    "id",
    "number",
    "issuing_nation",
    "year",
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
    "totals",
    "status",
    "version",
    "signed_on",
    "first_delivery_on",
    "billed_on",
    "settlement_due",
    "open_obligations",
    "due_back_open",
    "outstanding",
    "delivered_value",
    "collected",
    "closed_on",
    "cancelled_on",
    "created_at",
    "updated_at",
)
LINE_ROW = (
    "order_id",
    "line",
    "category",
    "description",
    "nsn",
    "quantity",
    "unit",
    "unit_price",
    "currency",
    "delivered",
    "returned",
)
TRANSACTION_ROW = ("id", "order_id", "kind", "value_date", "reverses", "recorded_at")
POSTING_ROW = (
    "transaction_id",
    "order_id",
    "book",
    "counterparty",
    "agreement",
    "kind",
    "ledger",
    "amount",
    "value_date",
)
SIGNATURE_ROW = (
    "order_id",
    "side",
    "official_id",
    "fingerprint",
    "signature",
    "signed_on",
    "event_id",
)
KEY_ROW = ("key", "command", "request_digest", "result", "created_at")
OPEN_ITEM_ROW = ("order_id", "book", "counterparty", "kind", "ledger", "amount", "start")
DOCUMENT_ROW = ("order_id", "event_id", "line", "name", "sha256")
AUDIT_ROW = (
    "seq",
    "event_id",
    "order_id",
    "kind",
    "on_date",
    "recorded_at",
    "payload",
    "postings_digest",
    "prev_hash",
    "hash",
)
DATE_COLUMNS = frozenset(
    (
        "order_date",
        "date_required",
        "return_by",
        "signed_on",
        "first_delivery_on",
        "billed_on",
        "settlement_due",
        "closed_on",
        "cancelled_on",
    )
)
FLAG_COLUMNS = frozenset(("open_obligations", "due_back_open"))


__all__ = [
    "COLUMNS",
    "FORMATS",
    "BadRow",
    "Decisions",
    "ImportResult",
    "Importer",
    "Progress",
    "RowReader",
    "audit_bytes",
    "event_id_for",
    "idempotency_key",
    "order_id_for",
    "signing_terms",
    "static_columns",
    "terms_json",
]
