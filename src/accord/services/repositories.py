"""Repositories over the logistics tables, inside one unit of work.

Writes are buffered and flushed together just before commit (`LogisticsStore.flush`): new
orders and their lines, projections of changed orders (guarded by their version), ledger
transactions and postings with what they add to their accounts' months (`account_months`),
signatures, documents, and audit events, whose hashes are chained
under a lock on the chain's head. Rows that must be locked when read (an order, a number
sequence, a ceiling counter) are read with `FOR UPDATE` on PostgreSQL; on SQLite the unit of
work holds the database's write lock from its first statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update

from accord.errors import BadInput
from accord.logistics import ceilings, clocks, ledger, rates, tables
from accord.logistics.errors import Conflict, NotFound
from accord.logistics.order import Event, Order, canonical_json, rebuild
from accord.services import account_months, decision_store
from accord.services.unit_of_work import UnitOfWork
from accord.store.metadata import metadata
from accord.store.statements import insert_or_ignore

GENESIS = "0" * 64


def dumps(value: Any) -> str:
    return canonical_json(value).decode()


def utc_stamp(moment: dt.datetime | None = None) -> str:
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_record(
    seq: int,
    event_id: str,
    order_id: str | None,
    kind: str,
    on_date: dt.date,
    recorded_at: str,
    payload: str,
    postings_digest: str | None,
) -> bytes:
    """The bytes an audit event's hash covers (with the previous event's hash)."""
    return canonical_json(
        {
            "seq": seq,
            "event_id": event_id,
            "order_id": order_id,
            "kind": kind,
            "on": on_date.isoformat(),
            "recorded_at": recorded_at,
            "payload": payload,
            "postings": postings_digest,
        }
    )


def chain_hash(prev_hash: str, record: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + record).hexdigest()


@dataclass(frozen=True, slots=True)
class Official:
    id: str
    name: str
    nation: str
    title: str | None
    public_key: str
    fingerprint: str
    limits: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "nation": self.nation,
            "title": self.title,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "limits": self.limits,
        }


@dataclass
class _Tracked:
    order: Order
    loaded_version: int  # 0 for a new order
    created_at: str


class LogisticsStore:
    """The logistics tables as seen from one unit of work."""

    def __init__(self, uow: UnitOfWork, now: str | None = None) -> None:
        self.uow = uow
        self.c = uow.connection
        self.now = now or utc_stamp()
        self._orders: dict[str, _Tracked] = {}
        self._numbers: dict[str, str] = {}
        self._audit: list[dict[str, Any]] = []
        self._decisions: dict[str, str] = {}  # sha256 -> body, cited by buffered events
        self._inserts: dict[str, list[dict[str, Any]]] = {}
        self._ceiling_rows: dict[tuple[int, str, str, str], int] = {}

    def _insert(self, table: Table, row: dict[str, Any]) -> None:
        self._inserts.setdefault(table.name, []).append(row)

    def _insert_ignore(self, table: Table, row: dict[str, Any]) -> None:
        self.c.execute(insert_or_ignore(self.c, table).values(**row))

    # ------------------------------------------------------------------ orders

    def order_id_for(self, ref: str) -> str | None:
        if ref in self._orders:
            return ref
        if ref in self._numbers:
            return self._numbers[ref]
        o = tables.orders
        row = self.c.execute(select(o.c.id).where(or_(o.c.id == ref, o.c.number == ref))).first()
        return None if row is None else str(row[0])

    def get(self, ref: str, lock: bool = True) -> Order:
        """The order with this id or number, rebuilt from its events (locked for the rest of the
        unit of work when `lock`)."""
        tracked = self._orders.get(ref) or self._orders.get(self._numbers.get(ref, ""))
        if tracked is not None:
            return tracked.order
        o = tables.orders
        query = select(o.c.id, o.c.version, o.c.created_at).where(
            or_(o.c.id == ref, o.c.number == ref)
        )
        row = self.c.execute(self.uow.for_update(query) if lock else query).first()
        if row is None:
            raise NotFound(
                f"no order {ref!r}; give an order id or number (see `accord orders list`)"
            )
        order = self.load_events(str(row.id))
        if order.version != row.version:
            raise Conflict(
                f"order {ref} is at version {row.version} but its events make {order.version}"
            )
        self._track(order, row.version, row.created_at)
        return order

    def load_events(self, order_id: str) -> Order:
        a = tables.logistics_audit
        rows = self.c.execute(
            select(a.c.event_id, a.c.kind, a.c.on_date, a.c.payload)
            .where(a.c.order_id == order_id)
            .order_by(a.c.seq)
        ).all()
        return rebuild([Event(r.event_id, r.kind, r.on_date, json.loads(r.payload)) for r in rows])

    def _track(self, order: Order, version: int, created_at: str) -> None:
        self._orders[order.terms.id] = _Tracked(order, version, created_at)
        self._numbers[order.terms.number] = order.terms.id

    def add(self, order: Order) -> None:
        if self.order_id_for(order.terms.id) is not None:
            raise BadInput(f"an order with id {order.terms.id!r} exists already")
        if self.order_id_for(order.terms.number) is not None:
            raise BadInput(f"order number {order.terms.number} exists already")
        self._track(order, 0, self.now)

    def next_number(self, nation: str, year: int) -> str:
        """The next free order number of an issuing nation and year: NATION-YEAR-NNNNNN."""
        s = tables.order_number_sequences
        self._insert_ignore(s, {"nation": nation, "year": year, "last": 0})
        last: int = self.c.execute(
            self.uow.for_update(
                select(s.c.last).where(and_(s.c.nation == nation, s.c.year == year))
            )
        ).scalar_one()
        while True:
            last += 1
            number = f"{nation}-{year}-{last:06d}"
            if self.order_id_for(number) is None:
                break
        self.c.execute(
            update(s).where(and_(s.c.nation == nation, s.c.year == year)).values(last=last)
        )
        return number

    # ------------------------------------------------------------------ events and postings

    def record(self, order: Order, event: Event, postings: list[ledger.Posting]) -> None:
        """Buffer an applied event: its audit entry, its ledger transaction and side rows."""
        digest = ledger.digest(postings) if postings else None
        order_id = order.terms.id
        if postings:
            self._insert(
                tables.ledger_transactions,
                {
                    "id": event.id,
                    "order_id": order_id,
                    "kind": event.kind,
                    "value_date": event.on,
                    "reverses": event.payload.get("target") if event.kind == "reversed" else None,
                    "recorded_at": self.now,
                },
            )
            for p in postings:
                self._insert(
                    tables.ledger_postings,
                    {
                        "transaction_id": event.id,
                        "order_id": order_id,
                        "book": p.book,
                        "counterparty": p.counterparty,
                        "agreement": p.agreement,
                        "kind": p.kind,
                        "ledger": p.ledger,
                        "amount": p.amount,
                        "value_date": event.on,
                    },
                )
        if event.kind == "signed":
            self._insert(
                tables.order_signatures,
                {
                    "order_id": order_id,
                    "side": event.payload["side"],
                    "official_id": event.payload["official"],
                    "fingerprint": event.payload["key"],
                    "signature": event.payload["signature"],
                    "signed_on": event.on,
                    "event_id": event.id,
                },
            )
        # the documents the event cites: an invoice, a receipt; at creation, the terms' own
        cited = event.payload.get("documents") or (
            event.payload["terms"].get("documents") if event.kind == "created" else None
        )
        for doc in cited or ():
            self._insert(
                tables.order_documents,
                {
                    "order_id": order_id,
                    "event_id": event.id,
                    "line": doc.get("line"),
                    "name": doc["name"],
                    "sha256": doc["sha256"],
                },
            )
        payload = event.payload
        if isinstance(payload.get("decision"), dict) and not decision_store.is_citation(
            payload["decision"]
        ):
            citation, body = decision_store.cite_decision(payload["decision"])
            self._decisions[citation["sha256"]] = body
            payload = {**payload, "decision": citation}
        self._audit.append(
            {
                "event_id": event.id,
                "order_id": order_id,
                "kind": event.kind,
                "on_date": event.on,
                "payload": dumps(payload),
                "postings_digest": digest,
            }
        )

    def audit(self, event_id: str, kind: str, on: dt.date, payload: dict[str, Any]) -> None:
        """An audit event that is about no order (an official or a rate added)."""
        self._audit.append(
            {
                "event_id": event_id,
                "order_id": None,
                "kind": kind,
                "on_date": on,
                "payload": dumps(payload),
                "postings_digest": None,
            }
        )

    # ------------------------------------------------------------------ flush

    def flush(self) -> None:
        """Write everything buffered; the order projections first, the audit chain last."""
        self._flush_orders()
        for name in (
            "ledger_transactions",
            "ledger_postings",
            "order_signatures",
            "order_documents",
        ):
            rows = self._inserts.pop(name, None)
            if rows:
                self.c.execute(insert(metadata.tables[name]), rows)
                if name == "ledger_postings":
                    account_months.add(
                        self.c,
                        account_months.sums(
                            (
                                r["book"],
                                r["counterparty"],
                                r["agreement"],
                                r["kind"],
                                r["ledger"],
                                r["amount"],
                                r["value_date"],
                            )
                            for r in rows
                        ),
                    )
        decision_store.save(self.c, self._decisions)
        self._decisions.clear()
        self._flush_audit()

    def _flush_orders(self) -> None:
        new_orders: list[dict[str, Any]] = []
        new_lines: list[dict[str, Any]] = []
        line_updates: list[dict[str, Any]] = []
        changed: list[str] = []  # orders already stored whose open items are made again
        items: list[dict[str, Any]] = []
        for tracked in self._orders.values():
            order = tracked.order
            if order.version == tracked.loaded_version:
                continue
            row = projection(order)
            delivered, returned = order.delivered_qty(), order.returned_qty()
            if tracked.loaded_version == 0:
                new_orders.append({**row, **static_columns(order), "created_at": self.now})
                new_lines.extend(
                    {
                        "order_id": order.terms.id,
                        "line": line.number,
                        "category": line.category,
                        "description": line.description,
                        "nsn": line.nsn,
                        "quantity": line.quantity,
                        "unit": line.unit,
                        "unit_price": line.unit_price,
                        "currency": line.currency,
                        "delivered": delivered.get(line.number, 0),
                        "returned": returned.get(line.number, 0),
                    }
                    for line in order.terms.lines
                )
            else:
                o = tables.orders
                done = self.c.execute(
                    update(o)
                    .where(and_(o.c.id == order.terms.id, o.c.version == tracked.loaded_version))
                    .values(**row, updated_at=self.now)
                )
                if done.rowcount != 1:
                    raise Conflict(
                        f"order {order.terms.number} was changed by another writer; try again"
                    )
                line_updates.extend(
                    {
                        "o_id": order.terms.id,
                        "l_no": line.number,
                        "delivered": delivered.get(line.number, 0),
                        "returned": returned.get(line.number, 0),
                    }
                    for line in order.terms.lines
                )
            if tracked.loaded_version:
                changed.append(order.terms.id)
            items.extend(open_item_row(order.terms.id, item) for item in order.open_items())
            tracked.loaded_version = order.version
        if new_orders:
            for r in new_orders:
                r.setdefault("updated_at", self.now)
            self.c.execute(insert(tables.orders), new_orders)
            self.c.execute(insert(tables.order_lines), new_lines)
        oi = tables.ledger_open_items
        if changed:
            self.c.execute(delete(oi).where(oi.c.order_id.in_(changed)))
        if items:
            self.c.execute(insert(oi), items)
        if line_updates:
            from sqlalchemy import bindparam

            ol = tables.order_lines
            self.c.execute(
                update(ol)
                .where(and_(ol.c.order_id == bindparam("o_id"), ol.c.line == bindparam("l_no")))
                .values(delivered=bindparam("delivered"), returned=bindparam("returned")),
                line_updates,
            )

    def _flush_audit(self) -> None:
        if not self._audit:
            return
        head = tables.logistics_audit_head
        row = self.c.execute(
            self.uow.for_update(select(head.c.seq, head.c.hash).where(head.c.id == 1))
        ).one()
        seq, prev = int(row.seq), str(row.hash)
        rows = []
        for entry in self._audit:
            seq += 1
            record = audit_record(
                seq,
                entry["event_id"],
                entry["order_id"],
                entry["kind"],
                entry["on_date"],
                self.now,
                entry["payload"],
                entry["postings_digest"],
            )
            digest = chain_hash(prev, record)
            rows.append(
                {**entry, "seq": seq, "recorded_at": self.now, "prev_hash": prev, "hash": digest}
            )
            prev = digest
        self.c.execute(insert(tables.logistics_audit), rows)
        self.c.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=prev))
        self._audit.clear()

    # ------------------------------------------------------------------ officials

    def official(self, official_id: str) -> Official:
        s = tables.signing_officials
        row = self.c.execute(select(s).where(s.c.id == official_id)).first()
        if row is None:
            raise NotFound(f"no official {official_id!r}; add one with `accord officials add`")
        return Official(
            row.id,
            row.name,
            row.nation,
            row.title,
            row.public_key,
            row.fingerprint,
            {k: int(v) for k, v in json.loads(row.limits).items()},
        )

    def officials(self) -> list[Official]:
        s = tables.signing_officials
        rows = self.c.execute(select(s.c.id).order_by(s.c.nation, s.c.id)).all()
        return [self.official(str(r[0])) for r in rows]

    def add_official(self, official: Official) -> None:
        s = tables.signing_officials
        if self.c.execute(select(s.c.id).where(s.c.id == official.id)).first() is not None:
            raise BadInput(f"an official with id {official.id!r} exists already")
        self.c.execute(
            insert(s).values(
                id=official.id,
                name=official.name,
                nation=official.nation,
                title=official.title,
                public_key=official.public_key,
                fingerprint=official.fingerprint,
                limits=dumps(official.limits),
                created_at=self.now,
            )
        )

    # ------------------------------------------------------------------ rates

    def add_rate(self, rate_id: str, rate: rates.ExchangeRate) -> None:
        r = tables.exchange_rates
        if self.c.execute(select(r.c.id).where(r.c.id == rate_id)).first() is not None:
            raise BadInput(f"an exchange rate with id {rate_id!r} exists already")
        self.c.execute(
            insert(r).values(
                id=rate_id,
                base=rate.base,
                quote=rate.quote,
                rate=str(rate.rate),
                valid_from=rate.valid_from,
                valid_to=rate.valid_to,
                basis=rate.basis,
                agreement=rate.agreement,
                source=rate.source,
                created_at=self.now,
            )
        )

    def rates_for(self, base: str, quote: str, day: dt.date) -> list[rates.ExchangeRate]:
        r = tables.exchange_rates
        rows = self.c.execute(
            select(r).where(
                or_(
                    and_(r.c.base == base, r.c.quote == quote),
                    and_(r.c.base == quote, r.c.quote == base),
                ),
                r.c.valid_from <= day,
                r.c.valid_to >= day,
            )
        ).all()
        return [rate_from_row(row) for row in rows]

    def all_rates(self) -> list[tuple[str, rates.ExchangeRate]]:
        r = tables.exchange_rates
        rows = self.c.execute(select(r).order_by(r.c.base, r.c.quote, r.c.valid_from)).all()
        return [(row.id, rate_from_row(row)) for row in rows]

    # ------------------------------------------------------------------ ceilings

    def reserve(self, charges: Iterable[ceilings.Charge]) -> None:
        """Add the charges to their counters, locked; refuse (with the figures) if one would
        pass its limit. Counters are locked in key order so writers never deadlock."""
        found = sorted(charges, key=lambda c: c.key)
        used = self._lock_counters(found)
        for charge in found:
            ceilings.check(charge, used[charge.key])
            used[charge.key] += charge.amount
        self._write_counters(found, used)

    def release(self, charges: Iterable[ceilings.Charge]) -> None:
        found = sorted(charges, key=lambda c: c.key)
        used = self._lock_counters(found)
        for charge in found:
            used[charge.key] = max(0, used[charge.key] - charge.amount)
        self._write_counters(found, used)

    def _lock_counters(self, found: list[ceilings.Charge]) -> dict[tuple[int, str, str, str], int]:
        u = tables.ceiling_usage
        used: dict[tuple[int, str, str, str], int] = {}
        for charge in found:
            if charge.key in used:
                continue
            year, grp, direction, scope = charge.key
            self._insert_ignore(
                u,
                {
                    "fiscal_year": year,
                    "grp": grp,
                    "direction": direction,
                    "scope": scope,
                    "used": 0,
                    "limit_cents": charge.limit,
                },
            )
            used[charge.key] = int(
                self.c.execute(
                    self.uow.for_update(
                        select(u.c.used).where(
                            u.c.fiscal_year == year,
                            u.c.grp == grp,
                            u.c.direction == direction,
                            u.c.scope == scope,
                        )
                    )
                ).scalar_one()
            )
        return used

    def _write_counters(
        self, found: list[ceilings.Charge], used: dict[tuple[int, str, str, str], int]
    ) -> None:
        u = tables.ceiling_usage
        for key in sorted({c.key for c in found}):
            year, grp, direction, scope = key
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

    def ceiling_used(self, charge: ceilings.Charge) -> int:
        u = tables.ceiling_usage
        year, grp, direction, scope = charge.key
        value = self.c.execute(
            select(u.c.used).where(
                u.c.fiscal_year == year,
                u.c.grp == grp,
                u.c.direction == direction,
                u.c.scope == scope,
            )
        ).scalar()
        return int(value or 0)

    def ceiling_table(self, fiscal_year: int | None = None) -> list[dict[str, Any]]:
        u = tables.ceiling_usage
        query = select(u).order_by(u.c.fiscal_year, u.c.grp, u.c.direction, u.c.scope)
        if fiscal_year is not None:
            query = query.where(u.c.fiscal_year == fiscal_year)
        return [
            {
                "fiscal_year": r.fiscal_year,
                "group": r.grp,
                "direction": r.direction,
                "scope": r.scope,
                "used": int(r.used),
                "limit": int(r.limit_cents),
                "remaining": int(r.limit_cents) - int(r.used),
            }
            for r in self.c.execute(query)
        ]

    # ------------------------------------------------------------------ idempotency

    def remembered(self, key: str) -> tuple[str, str, str | None] | None:
        i = tables.logistics_idempotency
        row = self.c.execute(
            select(i.c.command, i.c.request_digest, i.c.result).where(i.c.key == key)
        ).first()
        return None if row is None else (row.command, row.request_digest, row.result)

    def claim(self, key: str, command: str, digest: str) -> None:
        """Insert the key now: a concurrent command with the same key waits on it (the
        primary key) and, once this one commits, finds the stored result."""
        self.c.execute(
            insert(tables.logistics_idempotency).values(
                key=key, command=command, request_digest=digest, result=None, created_at=self.now
            )
        )

    def remember(self, key: str, result: dict[str, Any]) -> None:
        i = tables.logistics_idempotency
        self.c.execute(update(i).where(i.c.key == key).values(result=dumps(result)))


def rate_from_row(row: Any) -> rates.ExchangeRate:
    from decimal import Decimal

    return rates.ExchangeRate(
        row.base,
        row.quote,
        Decimal(row.rate),
        row.valid_from,
        row.valid_to,
        row.basis,
        row.agreement,
        row.source,
    )


def static_columns(order: Order) -> dict[str, Any]:
    """The columns fixed at creation, from the terms (whose text the `created` event keeps)."""
    t = order.terms
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
        "totals": dumps(t.totals()),
    }


def open_item_row(order_id: str, item: ledger.OpenItem) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "book": item.book,
        "counterparty": item.counterparty,
        "kind": item.kind,
        "ledger": item.ledger,
        "amount": item.amount,
        "start": item.start,
    }


def outstanding_json(order: Order) -> dict[str, Any]:
    """What the order still owes: money per currency; quantities per commodity, summed over
    the lines of the same commodity (two lines of fuel in litres owe one total)."""
    t = order.terms

    def per_commodity(by_line: dict[int, int]) -> dict[str, int]:
        totals: dict[str, int] = {}
        for n, q in sorted(by_line.items()):
            commodity = t.line(n).commodity
            totals[commodity] = totals.get(commodity, 0) + q
        return totals

    return {
        "money": order.outstanding_money(),
        "in_kind": per_commodity(order.outstanding_in_kind()),
        "due_back": per_commodity(order.outstanding_due_back()),
    }


def projection(order: Order) -> dict[str, Any]:
    """The columns that change with the order's state."""
    first = order.first_delivery_on()
    owes = bool(order.outstanding_money() or order.outstanding_in_kind())
    posted = order.posting_span()
    return {
        "status": order.status.value,
        "version": order.version,
        "signed_on": order.signed_on,
        "first_delivery_on": first,
        "billed_on": order.bill[1] if order.bill else None,
        "settlement_due": clocks.settlement_due(first) if first and owes else None,
        "open_obligations": order.has_open_obligations(),
        "due_back_open": bool(order.outstanding_due_back()),
        "outstanding": dumps(outstanding_json(order)),
        "delivered_value": dumps(order.delivered_value()),
        "collected": dumps(order.collected()),
        "closed_on": order.closed_on,
        "cancelled_on": order.cancelled_on,
        "first_posted_on": posted[0] if posted else None,
        "last_posted_on": posted[1] if posted else None,
    }


def count(uow: UnitOfWork, table: Table) -> int:
    return int(uow.connection.execute(select(func.count()).select_from(table)).scalar_one())
