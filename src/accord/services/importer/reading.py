"""Reading an import file: its rows, grouped into orders, each checked into an `OrderRequest`
and, where the file gives one, its history (`RowReader`)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from accord import vocabulary as vocab
from accord.errors import AccordError, BadInput
from accord.logistics import money, units
from accord.logistics.order import (
    REIMBURSEMENTS,
    TRANSACTION_TYPES,
    Document,
    Line,
    Party,
    validate_document,
)
from accord.logistics.order_input import OrderRequest, identifier
from accord.services import document_store
from accord.services.importer.columns import (
    _DAY,
    _DOCUMENT_COLUMNS,
    _HISTORY_COLUMNS,
    _LINE_PREFIX,
    COLUMNS,
    FORMATS,
    HEAD_COLUMNS,
    KEY_COLUMN,
    KNOWN,
    MAX_KEY,
    ORDER_COLUMNS,
    REQUIRED,
    order_id_for,
)


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
    """Where each column is in a file's rows (a CSV file's header; JSON lines: `COLUMNS`,
    `named`: each value known by its name, not by its place among the columns)."""

    def __init__(self, header: Sequence[str], named: bool = False) -> None:
        self.header = tuple(header)
        self.named = named
        self.index = {name: i for i, name in enumerate(header)}
        self.key = self.index[KEY_COLUMN]
        self.order = _getter([self.index[c] for c in ORDER_COLUMNS if c in self.index])
        self.order_names = tuple(c for c in ORDER_COLUMNS if c in self.index)
        self.no_order = ("",) * len(self.order_names)  # an order's later rows, most often
        self.history = _getter([self.index[c] for c in _HISTORY_COLUMNS if c in self.index])
        # every column of `HEAD_COLUMNS` read by one call, a column the file lacks as the
        # empty value put past the row's end
        width = len(self.header)
        head = [self.index.get(c, width) for c in HEAD_COLUMNS]
        self._head = itemgetter(*head)
        self._head_padded = width in head
        self.signature = "\x1f".join(header)

    def head(self, fields: list[str]) -> tuple[str, ...]:
        """The values of `HEAD_COLUMNS` in a row, as the file gives them ("" where it lacks
        the column)."""
        return self._head([*fields, ""] if self._head_padded else fields)  # type: ignore[no-any-return]

    def at(self, name: str) -> int | None:
        return self.index.get(name)

    def text(self, rows: Sequence[Row]) -> str:
        """The rows as the order's digest covers them: a CSV file's header and values; a JSON
        line's values by name, so that a column added to the format changes no digest."""
        if self.named:
            header = self.header
            return "\x1e".join(
                "\x1f".join(f"{header[i]}={v}" for i, v in enumerate(r.fields) if v) for r in rows
            )
        return self.signature + "\x1e" + "\x1e".join(["\x1f".join(r.fields) for r in rows])


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
        self.layout = Layout(COLUMNS, named=True)  # a CSV file's header replaces it
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
            except ValueError:  # Python reads no integer of more than 4,300 digits
                yield Row(number, [], "malformed JSON: a number too long to be read")
                continue
            except RecursionError:
                yield Row(number, [], "malformed JSON: nested too deeply to be a row")
                continue
            if not isinstance(data, dict):
                yield Row(number, [], "a row must be a JSON object of column names and values")
                continue
            fields = [""] * len(COLUMNS)
            problem = None
            if "\\u" in text and not _unicode(data):
                # JSON may spell half of a UTF-16 pair alone (\ud800), which is no character:
                # it could not be stored, hashed or signed as UTF-8
                problem = (
                    "a \\u escape gives half of a UTF-16 surrogate pair, not a character; "
                    "accepted: the character itself, or both halves (\\ud83d\\ude00)"
                )
            for name, value in data.items() if problem is None else ():
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
                named = _key_text(data.get(KEY_COLUMN))
                yield Row(number, [named if i == key else "" for i in range(len(COLUMNS))], problem)
                continue
            yield Row(number, fields)


_POSITION = {name: i for i, name in enumerate(COLUMNS)}


def _unicode(data: Any) -> bool:
    """Whether the decoded value is text that UTF-8 can hold (no lone surrogate)."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _key_text(value: Any) -> str:
    """The order key of a bad JSON row, to name its order in the report ("" if none can be
    given)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and _unicode(value) else ""


# a Line made from its fields' tuple as `tuple` makes it: the named tuple's own constructor
# is Python code, and an import makes a line per row
_new_line: Callable[[type[Line], tuple[Any, ...]], Line] = tuple.__new__


@dataclass(slots=True)
class Group:
    """The rows of one order: consecutive rows with the same order key."""

    key: str | None
    rows: list[Row]


def groups(rows: Iterable[Row], key_at: Callable[[], int]) -> Iterator[Group]:
    """The rows, grouped into orders. `key_at` says where the order key is, once the first
    row is read (a CSV file's header, which tells it, comes before)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    at = key_at()
    current: Group | None = None
    for row in chain((first,), rows):
        key = row.fields[at].strip() if row.fields else ""
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
        self._parties: dict[tuple[str, str], Party] = {}
        self._situations: dict[str, str] = {}
        self._dates: dict[str, dt.date] = {}
        self._categories: dict[str, str] = {}
        self._currencies: dict[str, str] = {}
        self._units: dict[str, str] = {}
        self._prices: dict[str, int] = {}
        at, index = layout.at, layout.index
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
        # required columns (`REQUIRED`): in every layout
        self._description_at, self._quantity_at = index["description"], index["quantity"]
        self._nsn_at = at("nsn")
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
                if theirs != layout.no_order and theirs != mine and any(theirs):
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
            or (delivered is not None and any([row.fields[delivered] for row in rows]))
            else _NO_HISTORY
        )
        text = layout.text(rows)
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
        (
            given_id,
            number,
            agreement,
            arrangement,
            requester,
            requester_unit,
            supplier,
            supplier_unit,
            situation,
            ttype,
            method,
            order_date,
            date_required,
            return_by,
            place,
            documents,
        ) = [value.strip() for value in self.layout.head(first)]
        order_id = identifier(given_id, "order id") if given_id else order_id_for(key)
        requesting = self._party("requester", requester, requester_unit)
        supplying = self._party("supplier", supplier, supplier_unit)
        situation = _memo(self._situations, situation, vocab.situation)
        ttype = ttype.lower() or "sale"
        if ttype not in TRANSACTION_TYPES:
            raise BadInput(
                f"unknown transaction type {ttype!r}; accepted: {', '.join(TRANSACTION_TYPES)}"
            )
        if method.lower() not in REIMBURSEMENTS:
            raise BadInput(
                f"unknown reimbursement {method or None!r}; accepted: " + ", ".join(REIMBURSEMENTS)
            )
        day = self.date(order_date or None, "order_date")
        if day is None:
            raise BadInput("order_date is missing")
        if not place:
            raise BadInput("delivery_place is missing")
        lines = self._lines(rows)
        cited, contents = self._documents(documents or None, len(lines))
        request = OrderRequest(
            id=order_id,
            number=identifier(number, "order number") if number else None,
            agreement=agreement or None,
            arrangement=arrangement or None,
            requester=requesting,
            supplier=supplying,
            situation=situation,
            transaction_type=ttype,
            reimbursement=method.lower(),
            order_date=day,
            date_required=self.date(date_required or None, "date_required") or day,
            delivery_place=place,
            lines=lines,
            documents=cited,
            return_by=self.date(return_by or None, "return_by"),
        )
        return request, contents

    def _party(self, side: str, code: str, unit: str) -> Party:
        """A party as the file names it (nation code and unit, stripped), checked once."""
        found = self._parties.get((code, unit))
        if found is None:
            if not code:
                raise BadInput(f"{side} is missing; accepted: a nation code such as USA")
            nation = vocab.nation(code, self.nations)
            found = Party(nation, unit or nation)
            if len(self._parties) > 50_000:
                self._parties.clear()
            self._parties[(code, unit)] = found
        return found

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

    def _lines(self, rows: list[Row]) -> tuple[Line, ...]:
        """The rows' order lines, each checked as `_checked_line` checks it; a line whose
        category, currency, unit and price were seen before on a good line needs only its own
        values checked (anything wrong: `_checked_line` says what, in its order). One loop
        for the order's lines, not a call for each: the import's most repeated step."""
        kinds, kind_of = self._kinds, self._kind_of
        description_at, quantity_at, nsn_at = self._description_at, self._quantity_at, self._nsn_at
        lines = []
        for number, row in enumerate(rows, start=1):
            fields = row.fields
            known = kinds.get(kind_of(fields))
            if known is not None:
                description = fields[description_at].strip()
                try:
                    quantity = int(fields[quantity_at])
                except ValueError:
                    quantity = 0
                if quantity > 0 and description:
                    nsn = (fields[nsn_at].strip() or None) if nsn_at is not None else None
                    category, ccy, unit, price = known
                    line = (number, category, description, quantity, unit, price, ccy, nsn)
                    lines.append(_new_line(Line, line))
                    continue
            lines.append(self._checked_line(row, number))
        return tuple(lines)

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
