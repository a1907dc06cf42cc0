"""Reading the books: one order in full, lists of orders, balances as of a date."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, or_, select

from accord.logistics import clocks, tables
from accord.logistics.order import Status
from accord.services import account_months, decision_store
from accord.services.repositories import outstanding_json
from accord.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from accord.services.logistics import Books

OPEN = (Status.DELIVERED.value, Status.BILLED.value)


def order_view(books: Books, ref: str, as_of: dt.date) -> dict[str, Any]:
    """Everything about one order: terms, state, signatures, decisions, deliveries,
    settlements, what is outstanding, its clocks, and its events and postings."""
    order = books.store.get(ref, lock=False)
    t = order.terms
    c = books.uow.connection
    a = tables.logistics_audit
    events = [
        {
            "seq": r.seq,
            "id": r.event_id,
            "kind": r.kind,
            "on": r.on_date.isoformat(),
            "recorded_at": r.recorded_at,
            "hash": r.hash,
        }
        for r in c.execute(
            select(a.c.seq, a.c.event_id, a.c.kind, a.c.on_date, a.c.recorded_at, a.c.hash)
            .where(a.c.order_id == t.id)
            .order_by(a.c.seq)
        )
    ]
    p = tables.ledger_postings
    postings = [
        {
            "transaction": r.transaction_id,
            "book": r.book,
            "counterparty": r.counterparty,
            "kind": r.kind,
            "ledger": r.ledger,
            "amount": int(r.amount),
            "value_date": r.value_date.isoformat(),
        }
        for r in c.execute(select(p).where(p.c.order_id == t.id).order_by(p.c.id))
    ]
    d = tables.order_documents
    documents = [
        {"name": r.name, "sha256": r.sha256, "line": r.line, "event": r.event_id}
        for r in c.execute(select(d).where(d.c.order_id == t.id).order_by(d.c.id))
    ]
    return {
        **t.as_json(),
        "status": order.status.value,
        "version": order.version,
        "totals": t.totals(),
        "signatures": [
            {
                "side": s.side,
                "official": s.official,
                "key": s.key,
                "signature": s.signature,
                "on": s.on.isoformat(),
            }
            for s in order.signatures.values()
        ],
        "bound": len(order.signatures) == 2,
        "decisions": decision_store.resolve(c, order.decisions),
        "ceiling": order.ceiling,
        "deliveries": [
            {
                "id": x.id,
                "on": x.on.isoformat(),
                "quantities": {str(k): v for k, v in x.quantities.items()},
                "reversed": x.reversed,
            }
            for x in order.deliveries.values()
        ],
        "bill": (
            {"id": order.bill[0], "on": order.bill[1].isoformat(), "amounts": order.bill[2]}
            if order.bill
            else None
        ),
        "settlements": [
            {
                "id": s.id,
                "on": s.on.isoformat(),
                "method": s.method,
                "amounts": s.amounts,
                "quantities": {str(k): v for k, v in s.quantities.items()},
                "value": s.value,
                "reversed": s.reversed,
            }
            for s in order.settlements.values()
        ],
        "conversions": [
            {
                "id": x.id,
                "on": x.on.isoformat(),
                "method": x.method,
                "quantities": {str(k): v for k, v in x.quantities.items()},
                "amounts": x.amounts,
                "reversed": x.reversed,
            }
            for x in order.conversions.values()
        ],
        "delivered_value": order.delivered_value(),
        "collected": order.collected(),
        "outstanding": outstanding_json(order),
        "clocks": clocks.clocks(order, as_of).as_json(),
        "as_of": as_of.isoformat(),
        "documents_on_file": documents,
        "events": events,
        "postings": postings,
    }


def list_orders(
    uow: UnitOfWork,
    status: str | None = None,
    counterparty: str | None = None,
    overdue: bool = False,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """A page of orders, newest first, with the total that match the filters."""
    o = tables.orders
    conditions = []
    if status:
        conditions.append(o.c.status == status)
    if counterparty:
        conditions.append(or_(o.c.requester == counterparty, o.c.supplier == counterparty))
    day = as_of or dt.date.today()
    if overdue:
        conditions.append(o.c.status.in_(OPEN))
        conditions.append(
            or_(
                and_(o.c.settlement_due.is_not(None), o.c.settlement_due < day),
                and_(o.c.due_back_open.is_(True), o.c.return_by < day),
            )
        )
    if search:
        needle = f"%{search.lower()}%"
        ol = tables.order_lines
        conditions.append(
            or_(
                func.lower(o.c.number).like(needle),
                func.lower(o.c.requester_unit).like(needle),
                func.lower(o.c.supplier_unit).like(needle),
                func.lower(o.c.delivery_place).like(needle),
                func.lower(o.c.agreement).like(needle),
                exists(
                    select(ol.c.line).where(
                        ol.c.order_id == o.c.id, func.lower(ol.c.description).like(needle)
                    )
                ),
            )
        )
    where = and_(*conditions) if conditions else None
    count_query = select(func.count()).select_from(o)
    page_query = select(o).order_by(o.c.order_date.desc(), o.c.number.desc())
    if where is not None:
        count_query = count_query.where(where)
        page_query = page_query.where(where)
    c = uow.connection
    total = int(c.execute(count_query).scalar_one())
    rows = c.execute(page_query.limit(limit).offset(offset)).all()
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "orders": [row_summary(r, day) for r in rows],
    }


def row_summary(r: Any, day: dt.date) -> dict[str, Any]:
    overdue = r.status in OPEN and (
        (r.settlement_due is not None and r.settlement_due < day)
        or (bool(r.due_back_open) and r.return_by is not None and r.return_by < day)
    )
    return {
        "id": r.id,
        "number": r.number,
        "status": r.status,
        "requester": r.requester,
        "supplier": r.supplier,
        "agreement": r.agreement,
        "situation": r.situation,
        "transaction_type": r.transaction_type,
        "reimbursement": r.reimbursement,
        "order_date": r.order_date.isoformat(),
        "totals": json.loads(r.totals),
        "outstanding": json.loads(r.outstanding),
        "settlement_due": r.settlement_due.isoformat() if r.settlement_due else None,
        "return_by": r.return_by.isoformat() if r.return_by else None,
        "overdue": overdue,
    }


def balances(
    uow: UnitOfWork,
    as_of: dt.date | None = None,
    book: str | None = None,
    counterparty: str | None = None,
    agreement: str | None = None,
    kinds: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Account balances from the postings with a value date on or before `as_of` (all when
    None): one row per book, counterparty, agreement, kind and ledger; zero balances left out.
    Debit balances are positive (receivables), credit balances negative (payables). Read from
    each account's sums per month (`account_months`), not from every posting."""
    found = account_months.balances_on(uow.connection, as_of, kinds or None)
    return [
        {
            "book": b,
            "counterparty": cp,
            "agreement": a,
            "kind": kind,
            "ledger": ledger,
            "balance": amount,
        }
        for (b, cp, a, kind, ledger), amount in sorted(found.items())
        if (not book or b == book)
        and (not counterparty or cp == counterparty)
        and (not agreement or a == agreement)
    ]
