"""`accord ledger verify`: is the ledger balanced and the audit chain whole?

Checks, each streamed or summed by the database so that large books need little memory:

1. **balanced**: every ledger transaction sums to zero in each book on each ledger;
2. **audit_chain**: sequence numbers run 1, 2, 3, ... without a gap; each event's `prev_hash`
   is the previous event's hash; each hash is the SHA-256 of the previous hash and the event's
   recorded fields; the chain's head row names the last event;
3. **postings_match_events**: the postings of each ledger transaction have the digest that its
   audit event recorded (an edited amount, account or date is found even when it still
   balances), and every transaction has its event;
4. **decisions**: each stored support decision still has the SHA-256 it is named by, and
   every decision an event cites by that name is stored (so the chain covers them);
5. **orders_match_events** (deep): each order rebuilt from its events has the status and
   version of its row, recomputes exactly the postings digests its events recorded, and owes
   exactly its rows of `ledger_open_items` and has the first and last days with postings
   of its row (what ageing reads);
6. **account_months**: each account's sums per month (`ledger_account_months`, what balances
   on a date read) are the sums of its postings;
7. **documents**: the stored bytes of each supporting document still have the SHA-256 (and
   size) they are named by (`_document_contents`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import Date, func, select

from accord.logistics import ledger, tables
from accord.logistics.order import Event, rebuild
from accord.services import document_store
from accord.services.decision_store import is_citation
from accord.services.repositories import GENESIS, audit_record, chain_hash, count
from accord.services.unit_of_work import UnitOfWork

MAX_PROBLEMS = 20
CITING = frozenset(("proposed", "signed"))  # the events that carry a support decision
CHUNK = 5000


def _stream(uow: UnitOfWork, query: Any) -> Iterator[Any]:
    result = uow.connection.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    yield from result


def verify(uow: UnitOfWork, deep: bool = True) -> dict[str, Any]:
    problems: list[str] = []

    def problem(text: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(text)

    c = uow.connection
    p = tables.ledger_postings
    unbalanced = c.execute(
        select(p.c.transaction_id, p.c.book, p.c.ledger, func.sum(p.c.amount).label("total"))
        .group_by(p.c.transaction_id, p.c.book, p.c.ledger)
        .having(func.sum(p.c.amount) != 0)
        .limit(MAX_PROBLEMS)
    ).all()
    for row in unbalanced:
        problem(
            f"ledger transaction {row.transaction_id} does not balance: book {row.book}, "
            f"ledger {row.ledger} sums to {row.total}"
        )
    zero = c.execute(select(func.count()).select_from(p).where(p.c.amount == 0)).scalar_one()
    if zero:
        problem(f"{zero} postings have a zero amount")
    balanced = not unbalanced and not zero

    # digests of the stored postings, per transaction
    stored: dict[str, str] = {}
    query = select(
        p.c.transaction_id,
        p.c.book,
        p.c.counterparty,
        p.c.agreement,
        p.c.kind,
        p.c.ledger,
        p.c.amount,
    ).order_by(p.c.transaction_id)
    for txn, rows in groupby(_stream(uow, query), key=lambda r: r.transaction_id):
        stored[txn] = ledger.digest(
            ledger.Posting(r.book, r.counterparty, r.agreement, r.kind, r.ledger, int(r.amount))
            for r in rows
        )

    # the stored decisions, which events cite by SHA-256
    decision_names, decisions_ok = _stored_decisions(uow, problem)
    uncited = 0

    # the chain
    a = tables.logistics_audit
    chain_ok = True
    postings_ok = True
    expected_seq = 1
    prev = GENESIS
    events = 0
    with_postings: set[str] = set()
    for r in _stream(uow, select(a).order_by(a.c.seq)):
        events += 1
        if r.seq != expected_seq:
            chain_ok = False
            problem(f"audit event {expected_seq} is missing (found {r.seq} next)")
            expected_seq = r.seq
        if r.prev_hash != prev:
            chain_ok = False
            problem(f"audit event {r.seq} does not follow the hash of event {r.seq - 1}")
        record = audit_record(
            r.seq,
            r.event_id,
            r.order_id,
            r.kind,
            r.on_date,
            r.recorded_at,
            r.payload,
            r.postings_digest,
        )
        if chain_hash(r.prev_hash, record) != r.hash:
            chain_ok = False
            problem(f"audit event {r.seq} ({r.kind} {r.event_id}) was altered: its hash differs")
        prev = r.hash
        expected_seq += 1
        if r.kind in CITING and '"sha256"' in r.payload:
            decision = json.loads(r.payload).get("decision")
            if is_citation(decision) and decision["sha256"] not in decision_names:
                uncited += 1
                problem(
                    f"audit event {r.seq} ({r.kind} of order {r.order_id}) cites the support "
                    f"decision {decision['sha256']}, which is not stored"
                )
        if r.postings_digest is not None:
            with_postings.add(r.event_id)
            if stored.get(r.event_id) != r.postings_digest:
                postings_ok = False
                problem(
                    f"the postings of transaction {r.event_id} ({r.kind}) differ from what its "
                    "audit event recorded"
                )
    head = tables.logistics_audit_head
    head_row = c.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    if head_row is None or head_row.seq != expected_seq - 1 or head_row.hash != prev:
        chain_ok = False
        problem("the audit chain's head does not name its last event (events removed or added)")
    orphans = set(stored) - with_postings
    if orphans:
        postings_ok = False
        problem(f"{len(orphans)} ledger transactions have no audit event, e.g. {min(orphans)}")

    decisions_ok = decisions_ok and not uncited
    orders_ok = True
    if deep:
        orders_ok = _orders_match(uow, stored, problem)
    documents_ok = _document_contents(uow, problem)
    months_ok = _account_months_match(uow, problem)

    result: dict[str, Any] = {
        "balanced": balanced,
        "audit_chain": "ok" if chain_ok else "broken",
        "postings_match_events": postings_ok,
        "orders_match_events": orders_ok if deep else None,
        "decisions": "ok" if decisions_ok else "broken",
        "documents": "ok" if documents_ok else "broken",
        "account_months": "ok" if months_ok else "broken",
        "orders": count(uow, tables.orders),
        "postings": count(uow, p),
        "transactions": count(uow, tables.ledger_transactions),
        "events": events,
        "problems": problems,
    }
    result["ok"] = (
        balanced
        and chain_ok
        and postings_ok
        and decisions_ok
        and documents_ok
        and months_ok
        and (orders_ok or not deep)
    )
    return result


def _account_months_match(uow: UnitOfWork, problem: Any) -> bool:
    """Each account's sums per month (what balances on a date read) are its postings'."""
    p, m = tables.ledger_postings, tables.ledger_account_months
    month: Any = (
        func.cast(func.date_trunc("month", p.c.value_date), Date)
        if uow.is_postgres
        else func.date(p.c.value_date, "start of month")
    )
    account = (p.c.book, p.c.counterparty, p.c.agreement, p.c.kind, p.c.ledger)
    posted = {
        (*r[:5], _day(r[5])): int(r[6])
        for r in uow.connection.execute(
            select(*account, month, func.sum(p.c.amount)).group_by(*account, month)
        )
        if r[6]
    }
    kept = {
        (r.book, r.counterparty, r.agreement, r.kind, r.ledger, r.month): int(r.amount)
        for r in uow.connection.execute(select(m))
        if r.amount
    }
    differ = sorted(k for k in posted.keys() | kept.keys() if posted.get(k) != kept.get(k))
    if differ:
        k = differ[0]
        problem(
            f"{len(differ)} account months differ from their postings, e.g. "
            f"{' '.join(k[:5])} in {k[5]:%Y-%m}: kept {kept.get(k, 0)}, posted {posted.get(k, 0)}"
        )
    return not differ


def _day(value: Any) -> dt.date:
    """A date as the database returns an expression of one (SQLite: ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _stored_decisions(uow: UnitOfWork, problem: Any) -> tuple[set[str], bool]:
    """The names of the stored support decisions, and whether each still has the SHA-256 it
    is named by."""
    d = tables.support_decisions
    found: set[str] = set()
    ok = True
    for r in _stream(uow, select(d.c.sha256, d.c.body)):
        if hashlib.sha256(r.body.encode()).hexdigest() != r.sha256:
            ok = False
            problem(f"the support decision {r.sha256} was altered: its hash differs")
        found.add(r.sha256)
    return found, ok


def _document_contents(uow: UnitOfWork, problem: Any) -> bool:
    """Every stored document's bytes still have the SHA-256 they are named by."""
    ok = True
    for digest, what in document_store.altered(uow.connection):
        ok = False
        problem(f"the stored content of document {digest} was altered: {what}")
    return ok


def _orders_match(uow: UnitOfWork, stored: dict[str, str], problem: Any) -> bool:
    o = tables.orders
    # each order's status, version, and first and last days with postings, as its row says
    rows: dict[str, tuple[str, int, Any]] = {}
    for r in _stream(
        uow, select(o.c.id, o.c.status, o.c.version, o.c.first_posted_on, o.c.last_posted_on)
    ):
        rows[r.id] = (r.status, r.version, (r.first_posted_on, r.last_posted_on))
    a = tables.logistics_audit
    query = (
        select(a.c.order_id, a.c.event_id, a.c.kind, a.c.on_date, a.c.payload)
        .where(a.c.order_id.is_not(None))
        .order_by(a.c.order_id, a.c.seq)
    )
    items: dict[str, set[tuple[Any, ...]]] = {}
    oi = tables.ledger_open_items
    for r in _stream(uow, select(oi)):
        items.setdefault(r.order_id, set()).add(
            (r.book, r.counterparty, r.kind, r.ledger, int(r.amount), r.start)
        )
    ok = True
    seen: set[str] = set()
    for order_id, group in groupby(_stream(uow, query), key=lambda r: r.order_id):
        seen.add(order_id)
        events = [Event(r.event_id, r.kind, r.on_date, json.loads(r.payload)) for r in group]
        try:
            order = rebuild(events)
        except Exception as exc:  # an event history that no longer folds is a finding
            ok = False
            problem(f"order {order_id}: its events no longer make an order ({exc})")
            continue
        row = rows.get(order_id)
        if row is None or row[:2] != (order.status.value, order.version):
            ok = False
            problem(
                f"order {order_id}: its row says {row and row[:2]}, its events make "
                f"{(order.status.value, order.version)}"
            )
        elif row[2] != (order.posting_span() or (None, None)):
            ok = False
            problem(
                f"order {order_id}: its row's first and last days with postings are {row[2]}, "
                f"its transactions' {order.posting_span()}"
            )
        for event_id, postings in order.postings_by_event.items():
            if postings and stored.get(event_id) != ledger.digest(postings):
                ok = False
                problem(f"order {order_id}: event {event_id} should post other amounts")
        owed = {
            (x.book, x.counterparty, x.kind, x.ledger, x.amount, x.start)
            for x in order.open_items()
        }
        if items.pop(order_id, set()) != owed:
            ok = False
            problem(f"order {order_id}: its open items differ from what its postings owe")
    if items:
        ok = False
        problem(f"{len(items)} orders without events have open items, e.g. {min(items)}")
    missing = set(rows) - seen
    if missing:
        ok = False
        problem(f"{len(missing)} orders have no events, e.g. {min(missing)}")
    return ok
