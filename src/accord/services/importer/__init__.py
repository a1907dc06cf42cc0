"""Importing orders in bulk: `accord orders import FILE` (the file format: `docs/import.md`).

A file holds one row per order line; the rows of one order follow each other and share its
order key (column `order`). Each order goes the way `Logistics.propose` (and, where the file
carries them, `sign`, `deliver`, `bill`, `settle`, `close` or `cancel`) would take it: the
agreement decision at proposal and again at signing, the 10 U.S.C. 2347 ceilings, the officials'
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

The way of a row: `columns` (the file's columns, the ids an order key gives) → `reading`
(rows grouped into orders, each checked: `RowReader`) → `decisions` (the agreements asked,
per segment) → `preparing` (`Preparer`: ceilings counted, a proposed order's rows made with
`rows`) → `handover` (the batches crossing from the reading process) → `writing`
(`_BatchWriter`: one batch, one transaction). `Importer`, here, runs them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select

from accord.errors import BadInput
from accord.logistics import rates, tables
from accord.services import document_store
from accord.services.agreement_check import AgreementCheck
from accord.services.importer.columns import COLUMNS, DEFAULT_BATCH, FORMATS, order_id_for
from accord.services.importer.decisions import Decisions
from accord.services.importer.handover import _few_collections, _from_process
from accord.services.importer.preparing import Batch, Preparer, signing_terms
from accord.services.importer.reading import BadRow
from accord.services.importer.writing import _BatchWriter, bulk_sqlite
from accord.services.repositories import Official, rate_from_row
from accord.services.unit_of_work import UnitOfWork, engine_for


@dataclass
class ImportResult:
    file: str
    format: str
    dry_run: bool = False  # checked only: nothing was written
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
            "dry_run": self.dry_run,
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
    """Imports order files into the books behind `engine` (see the package's notes)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        check: AgreementCheck | None = None,
        batch_size: int = DEFAULT_BATCH,
        parallel: bool = False,
        dry_run: bool = False,
    ) -> None:
        if batch_size < 1:
            raise BadInput(f"batch size {batch_size} is not positive; accepted: 1 or more")
        self.engine = engine or engine_for(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", bulk_sqlite)
        self.check = check or AgreementCheck()
        self.batch_size = batch_size
        # a check of the file: every batch written in one transaction that is rolled back, so
        # that each sees the numbers, ceiling counts and keys of the ones before it
        self.dry_run = dry_run
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
        preparer = Preparer(
            path, fmt, self.check, self.batch_size, rate_table, postgres, overlap=self.parallel
        )
        self.check.nations, self.check.support  # noqa: B018 - loaded once, before any fork
        result = ImportResult(str(path), fmt, dry_run=self.dry_run)

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
        with ExitStack() as stack:
            held = stack.enter_context(UnitOfWork(self.engine)) if self.dry_run else None
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
                if held is None:
                    with UnitOfWork(self.engine) as uow:
                        writer = self._write(uow, batch, result, bad)
                        uow.commit()
                else:
                    writer = self._write(held, batch, result, bad)
                self.stored_bodies |= writer.saved_bodies
                for sha in writer.saved_contents:
                    del self.contents[sha]
                result.batches += 1
                if on_progress is not None:
                    on_progress(
                        Progress(batch.bytes_read, preparer.reader.size, result.rows, result)
                    )

    def _write(
        self, uow: UnitOfWork, batch: Batch, result: ImportResult, bad: Callable[[BadRow], None]
    ) -> _BatchWriter:
        writer = _BatchWriter(self, uow, result, bad)
        writer.write(writer.build(writer.skip_known(batch.items)))
        return writer


__all__ = [
    "COLUMNS",
    "FORMATS",
    "BadRow",
    "ImportResult",
    "Importer",
    "Progress",
    "order_id_for",
    "signing_terms",
]
