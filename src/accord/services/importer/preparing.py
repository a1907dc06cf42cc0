"""The reading side of an import: each order read, checked, decided, counted against the
ceilings and, when only proposed, made into the rows the writer inserts (`Preparer`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import BadInput
from accord.logistics import ceilings, money, rates
from accord.logistics.ledger import Posting
from accord.logistics.order import (
    Document,
    Event,
    Order,
    OrderTerms,
)
from accord.logistics.order_input import OrderRequest
from accord.services import document_store
from accord.services.agreement_check import AgreementCheck
from accord.services.importer.columns import _HISTORY_FIELDS, COLUMNS, KEY_COLUMN
from accord.services.importer.decisions import Decisions
from accord.services.importer.reading import (
    BadRow,
    Candidate,
    FileReader,
    Group,
    Layout,
    Row,
    RowProblem,
    RowReader,
    _line_of,
    groups,
)
from accord.services.importer.rows import proposed_row, terms_text, unnumbered_payload


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
    # the `created` event's payload around the order number's JSON text: made beside the
    # rows, so that the writer, which numbers the order, only joins texts
    payload: tuple[str, str] = ("", "")
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
        overlap: bool = False,
    ) -> None:
        self.reader = FileReader(path, fmt)
        self.check = check
        self.decisions = Decisions(check)
        self.batch_size = batch_size
        self.overlap = overlap
        self.rate_table = rate_table
        self.pg = postgres
        self._to_usd: dict[tuple[str, dt.date], Callable[[int, str], int]] = {}
        self._sent: set[str] = set()  # decision bodies and document bytes handed to the writer

    def batches(self) -> Iterator[Batch]:
        """The prepared orders, `batch_size` at a time; with `overlap` (a writer working in
        another process), the first batches are smaller, growing to `batch_size`, and so are
        the last: the writer waits for the first batch and writes the last alone, so small
        ones there let reading and writing overlap from the start to the end."""
        reader = self.reader
        rows: RowReader | None = None
        batch = Batch()
        limit = max(1, self.batch_size // _RAMP) if self.overlap else self.batch_size
        start = 0  # where in the file the batch began
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
                    batch.bad.append(BadRow(row.line, group.key, order_not_imported(row.problem)))
                batch.not_imported += 1
                continue
            if rows is None or rows.layout is not reader.layout:
                rows = RowReader(reader.layout, self.check.nations, reader.path.parent)
            try:
                prepared = self.prepare(rows.read(group))
            except RowProblem as exc:
                prepared = BadRow(exc.line, group.key, order_not_imported(exc))
            if isinstance(prepared, BadRow):
                batch.bad.append(prepared)
                batch.not_imported += 1
                continue
            batch.items.append(prepared)
            if len(batch.items) >= limit:
                batch.bytes_read = reader.bytes_read
                yield batch
                batch = Batch()
                if self.overlap:
                    took, start = reader.bytes_read - start, reader.bytes_read
                    left = reader.size - reader.bytes_read
                    full = took * self.batch_size // limit  # the bytes of a full batch
                    limit = min(self.batch_size, limit * 2)
                    if left < full:  # the last full batch's worth: in small ones
                        limit = max(1, self.batch_size // _RAMP)
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
            return BadRow(at, candidate.key, order_not_imported(decided.refusal))
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
                _line_of(str(exc), candidate.lines), candidate.key, order_not_imported(exc)
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
        head, tail = (r.id,), (0, 0)  # as `line_row` makes them, by two joins
        prepared.line_rows = [head + ln + tail for ln in terms.lines]
        prepared.payload = unnumbered_payload(
            terms_text(prepared.row, prepared.line_rows, "", terms.documents)
        )
        return prepared


def order_not_imported(reason: object) -> str:
    """A bad row's reason, and what became of its order: one sentence, so the reason's
    closing full stop is left out (not an abbreviation's, as in "10 U.S.C.")."""
    return _FULL_STOP.sub("", str(reason)) + "; order not imported"


_FULL_STOP = re.compile(r"(?<=[a-z0-9)\]])\.$")
_RAMP = 16  # the first and last batches of an overlapped import: batch_size / _RAMP orders
