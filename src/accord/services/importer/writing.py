"""The writing side of an import: one batch in one unit of work (`_BatchWriter`), and the
SQLite connection settings of an import (`bulk_sqlite`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from itertools import chain
from json.encoder import encode_basestring as _enc
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, select, update

from accord.errors import AccordError
from accord.logistics import ceilings, signing, tables
from accord.logistics.ledger import Posting, digest
from accord.logistics.order import (
    Event,
    Order,
    Status,
    canonical_json,
    check_signing_limit,
)
from accord.services import account_months, decision_store, document_store
from accord.services.importer.columns import _IN_CHUNK, COMMAND, event_id_for, idempotency_key
from accord.services.importer.preparing import Prepared, order_not_imported
from accord.services.importer.reading import BadRow, RowProblem, _line_of
from accord.services.importer.rows import (
    audit_bytes,
    line_row,
    numbered_payload,
    static_columns,
    terms_json,
)
from accord.services.repositories import (
    Official,
    chain_hash,
    projection,
    utc_stamp,
)
from accord.services.unit_of_work import UnitOfWork
from accord.store.statements import insert_or_ignore

if TYPE_CHECKING:  # the writer serves the importer, which makes it
    from accord.services.importer import Importer, ImportResult

# An event for the audit chain: id, order id, kind, day, payload, postings digest.
_AuditEntry = tuple[str, str, str, dt.date, str, str | None]


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
        if not self.pg:
            # checked at COMMIT, which a violation fails (see `_insert`); set again for each
            # transaction, as SQLite resets it at the end of one
            self.c.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    def refuse(self, p: Prepared, line: int, reason: str) -> None:
        self._bad(BadRow(line, p.key, order_not_imported(reason)))
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
        """Insert the rows, `_ROWS_PER_STATEMENT` a statement. On SQLite a statement that
        changes several rows and could fail halfway keeps a statement journal: the original
        of every page it changes, written to a temporary file, to undo that statement alone.
        A failed insert here fails its whole batch, so a constraint that fails rolls the
        transaction back (OR ROLLBACK) and foreign keys are checked at COMMIT (`__init__`):
        no statement journal, which for a million lines was about 3 GB of writes."""
        if not rows:
            return
        mark = "%s" if self.pg else "?"
        one = f"({', '.join(mark for _ in columns)})"
        verb = "INSERT" if self.pg else "INSERT OR ROLLBACK"
        head = f"{verb} INTO {table} ({', '.join(columns)}) VALUES "
        per = _ROWS_PER_STATEMENT
        whole = len(rows) - len(rows) % per
        if whole:
            flat = chain.from_iterable
            self.c.exec_driver_sql(
                head + ", ".join([one] * per),
                [tuple(flat(rows[i : i + per])) for i in range(0, whole, per)],
            )
        if whole < len(rows):
            self.c.exec_driver_sql(head + one, rows[whole:])

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
        transacted: list[tuple[dt.date, list[Posting]]] = []  # each transaction's day, postings
        for p in accepted:
            oid, number = p.id, str(p.number)
            order = p.folded
            if order is None:
                # proposed, nothing more: the rows of `created` and `proposed` made directly
                created = event_id_for(oid, p.key, 1)
                proposed = event_id_for(oid, p.key, 2)
                on = p.order_date
                payload = numbered_payload(p.payload, number)
                audit.append((created, oid, "created", on, payload, None))
                audit.append(
                    (proposed, oid, "proposed", on, '{"decision":' + p.decision + "}", None)
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
                    audit.append((event.id, oid, event.kind, event.on, payload, posted))
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
                        transacted.append((event.on, event_postings))
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
        account_months.add(
            self.c,
            account_months.sums(
                (x.book, x.counterparty, x.agreement, x.kind, x.ledger, x.amount, on)
                for on, event_postings in transacted
                for x in event_postings
            ),
        )
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
        for event_id, order_id, kind, on, payload, posted in entries:
            seq += 1
            record = audit_bytes(seq, event_id, order_id, kind, on, now, payload, posted)
            hashed = chain_hash(prev, record)
            rows.append(
                (seq, event_id, order_id, kind, day(on), now, payload, posted, prev, hashed)
            )
            prev = hashed
        self._insert("logistics_audit", AUDIT_ROW, rows)
        self.c.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=prev))


def bulk_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """An importing connection's SQLite settings: the temporary files that remain (statement
    journals of the statements `_insert` does not make) in memory, and a page cache that
    holds a batch's pages (64 MiB rather than 2), so that none is written out and read back
    before the batch commits."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
    cursor.close()


_CACHE_KIB = 64 * 1024

# Rows a table's INSERT statement carries: `executemany` of one row a statement costs SQLite
# a statement step and reset per row, about a third more work per row than twenty rows a
# statement, and PostgreSQL a round of the protocol per row. Twenty rows of the widest table
# (`orders`, 35 columns) bind 700 values, far below either database's limit.
_ROWS_PER_STATEMENT = 20

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
    "first_posted_on",
    "last_posted_on",
    "created_at",
    "updated_at",
)
# an order line's columns in the order of `Line`'s fields, so that a row is the order id,
# the line as it is, and its delivered and returned quantities (`rows.line_row`)
LINE_ROW = (
    "order_id",
    "line",
    "category",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "currency",
    "nsn",
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
        "first_posted_on",
        "last_posted_on",
    )
)
FLAG_COLUMNS = frozenset(("open_obligations", "due_back_open"))
