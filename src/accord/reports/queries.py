"""The SQL behind the reports.

What an order owes on a date is the sum of its receivable and payable postings up to it.
Balances add up per account, so on any date they are the balances of the receivable and
payable accounts, read from each account's sums per month (`services.account_months`); so
are the charts' balances over time. Ageing needs each obligation's age. For an order without
a posting after the date, what it owed then is what it owes now, which `ledger_open_items`
keeps per account (written with the postings; `ledger verify` holds them equal): a row per
open obligation, none for a settled order. So ageing reads the open items of every order but
the *late* ones (with a posting after the date, `_late`), and sums the postings up to the
date of the late ones first posted to by then (`_straddling`, from `orders.first_posted_on`
and `last_posted_on`), read from the partial covering index `ix_ledger_postings_open_items`
(migration `logistics_0002_report_indexes`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from accord.logistics import tables
from accord.logistics.ceilings import LIMITS, WAIVED_SITUATIONS
from accord.logistics.ledger import OBLIGATION_CLASS, PAYABLE_KINDS, RECEIVABLE_KINDS
from accord.logistics.order import CONVERTIBLE
from accord.logistics.rates import ExchangeRate
from accord.reports import rules
from accord.services import account_months

OPEN_STATES = ("delivered", "billed")
OPEN_ITEM_KINDS = RECEIVABLE_KINDS + PAYABLE_KINDS  # ix_ledger_postings_open_items holds these
p = tables.ledger_postings
t = tables.ledger_transactions
o = tables.orders
oi = tables.ledger_open_items
RECEIVABLE_CLASSES = ("receivable", "in-kind-receivable", "due-back-receivable")
# a conversion to cash, as `ix_ledger_transactions_conversions` names it: literally, so that
# the database sees that the partial index applies
CONVERTED = t.c.kind == bindparam("conversion", tables.CONVERSION, literal_execute=True)


def _late(as_of: dt.date) -> Select[Any]:
    """The orders with a posting after `as_of`: what they owe now is not what they owed then,
    so their postings up to it are summed (those of `_straddling`); every other order's open
    items are those of the date. Read
    from `ix_ledger_transactions_value_date` alone: a transaction is written with its postings,
    on their value date, so the orders are the same."""
    return select(t.c.order_id).where(t.c.value_date > as_of)


def _straddling(as_of: dt.date) -> Select[Any]:
    """The late orders posted to on or before `as_of` too: the ones whose postings up to the
    date are summed (a late order first posted to after the date owed nothing on it). One
    range of `ix_orders_posting_span`, from the date on (a year back over a million orders:
    45,000 orders of the 145,000 late ones)."""
    return select(o.c.id).where(o.c.last_posted_on > as_of, o.c.first_posted_on <= as_of)


def _late_postings(as_of: dt.date, kinds: tuple[str, ...]) -> Any:
    """The condition on the postings of `kinds` on or before `as_of` of the straddling orders
    (read from the partial covering index `ix_ledger_postings_open_items`, whose condition is
    repeated literally so that the database sees that it applies)."""
    listed: BindParameter[list[str]] = bindparam(
        "open_item_kinds", list(OPEN_ITEM_KINDS), expanding=True, literal_execute=True
    )
    where = and_(
        p.c.kind.in_(listed), p.c.value_date <= as_of, p.c.order_id.in_(_straddling(as_of))
    )
    if set(kinds) != set(OPEN_ITEM_KINDS):
        where = and_(where, p.c.kind.in_(kinds))
    return where


def balances(
    c: Connection,
    as_of: dt.date,
    book: str | None = None,
    counterparty: str | None = None,
) -> list[dict[str, Any]]:
    """Per book, counterparty and ledger: what the book is owed (receivable, >= 0) and owes
    (payable, <= 0), delivered or billed and not yet settled, on `as_of`: the balances of its
    receivable and payable accounts then (`account_months`), added up over agreements."""
    totals: dict[tuple[str, str, str], list[int]] = {}
    for (b, cp, _agreement, kind, ledger), amount in account_months.balances_on(
        c, as_of, OPEN_ITEM_KINDS
    ).items():
        if (book and b != book) or (counterparty and cp != counterparty):
            continue
        total = totals.setdefault((b, cp, ledger), [0, 0])
        total[0 if kind in RECEIVABLE_KINDS else 1] += amount
    rows = [
        {
            "book": b,
            "counterparty": cp,
            "ledger": ledger,
            "receivable": rec,
            "payable": -pay,
            "net": rec + pay,
        }
        for (b, cp, ledger), (rec, pay) in totals.items()
        if rec or pay
    ]
    rows.sort(key=lambda r: (r["book"], r["counterparty"], r["ledger"]))
    return rows


def _obligation_class() -> Any:
    """`ledger.OBLIGATION_CLASS` in SQL: the class a posting's kind belongs to, as the open
    items keep it (unbilled and billed cash are one obligation, aged from its first delivery)."""
    renamed = {kind: cls for kind, cls in OBLIGATION_CLASS.items() if kind != cls}
    return case(
        *(
            (p.c.kind.in_(sorted(k for k, c in renamed.items() if c == cls)), literal(cls))
            for cls in sorted(set(renamed.values()))
        ),
        else_=p.c.kind,
    )


def _per_order(c: Connection, as_of: dt.date) -> Any:
    """What each order owes its supplier on each ledger on `as_of`, and since when (the
    first delivery of it). Receivables are in the supplier's book only. The open items of the
    orders without a later posting; the postings up to the date of the others."""
    parts = _per_order_parts(c, as_of)
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _any_late(c: Connection, as_of: dt.date) -> bool:
    return c.execute(select(_late(as_of).exists())).scalar() is True


def _per_order_parts(c: Connection, as_of: dt.date) -> list[Select[Any]]:
    """`_per_order` in its parts: the open items of the orders without a posting after
    `as_of` (each probed in `ix_ledger_transactions_order_id`), and the sums of the postings
    up to the date of the orders with one that were posted to by then (`_straddling`); when no
    order has one (today's date), the open items alone, without asking each."""
    kind = _obligation_class()
    # cash converted from RIK or EVE is aged from the first delivery (`Order.open_items`): a
    # check per order and class, not a join per posting
    converted = and_(
        kind == "receivable",
        select(t.c.order_id)
        .where(t.c.order_id == p.c.order_id, CONVERTED, t.c.value_date <= as_of)
        .exists(),
    )
    first_delivery = select(o.c.first_delivery_on).where(o.c.id == p.c.order_id)
    start = case(
        (converted, first_delivery.scalar_subquery()),
        else_=func.min(case((p.c.amount > 0, p.c.value_date))),
    )
    late = (
        select(
            p.c.order_id,
            p.c.book,
            p.c.counterparty,
            kind.label("kind"),
            p.c.ledger,
            func.sum(p.c.amount).label("outstanding"),
            start.label("start"),
        )
        .where(_late_postings(as_of, RECEIVABLE_KINDS))
        .group_by(p.c.order_id, p.c.book, p.c.counterparty, kind, p.c.ledger)
        .having(func.sum(p.c.amount) != 0)
    )
    settled_by_then = select(
        oi.c.order_id,
        oi.c.book,
        oi.c.counterparty,
        oi.c.kind,
        oi.c.ledger,
        oi.c.amount.label("outstanding"),
        oi.c.start,
    ).where(oi.c.kind.in_(RECEIVABLE_CLASSES))
    if not _any_late(c, as_of):
        return [settled_by_then]
    return [
        # an open item begun after the date is a late order's (it was posted to after the
        # date): left out before asking
        settled_by_then.where(
            or_(oi.c.start.is_(None), oi.c.start <= as_of),
            ~_late(as_of).where(t.c.order_id == oi.c.order_id).exists(),
        ),
        late,
    ]


def ageing(
    c: Connection, as_of: dt.date, book: str | None = None, counterparty: str | None = None
) -> list[dict[str, Any]]:
    """Receivables on `as_of` per creditor, debtor and ledger, in the buckets of
    `rules.BUCKETS` (GROUP BY in the database)."""
    b90, b180, b365 = rules.bucket_starts(as_of)
    table: dict[tuple[str, str, str], dict[str, Any]] = {}
    # each part grouped on its own: grouping the UNION ALL of both cost SQLite up to a third
    # more (0.85 s against 0.66 s three months back over a million orders)
    for part in _per_order_parts(c, as_of):
        per_order = part.subquery("per_order")
        bucket = case(
            (per_order.c.start >= bindparam("b90", b90, type_=Date), 0),
            (per_order.c.start >= bindparam("b180", b180, type_=Date), 1),
            (per_order.c.start >= bindparam("b365", b365, type_=Date), 2),
            else_=3,
        ).label("bucket")
        query = select(
            per_order.c.book,
            per_order.c.counterparty,
            per_order.c.ledger,
            bucket,
            func.sum(per_order.c.outstanding).label("amount"),
            func.count().label("orders"),
        ).group_by(per_order.c.book, per_order.c.counterparty, per_order.c.ledger, bucket)
        if book:
            query = query.where(per_order.c.book == book)
        if counterparty:
            query = query.where(per_order.c.counterparty == counterparty)
        for r in c.execute(query):
            key = (r.book, r.counterparty, r.ledger)
            row = table.setdefault(
                key,
                {
                    "creditor": r.book,
                    "debtor": r.counterparty,
                    "ledger": r.ledger,
                    **dict.fromkeys(rules.BUCKET_KEYS, 0),
                    "total": 0,
                    "orders": 0,
                },
            )
            row[rules.BUCKET_KEYS[int(r.bucket)]] += int(r.amount)
            row["total"] += int(r.amount)
            row["orders"] += int(r.orders)
    return [table[k] for k in sorted(table)]


def obligations(
    c: Connection, as_of: dt.date, book: str | None = None, counterparty: str | None = None
) -> list[rules.Obligation]:
    """Every order's outstanding obligation per ledger on `as_of`, with the order's terms."""
    per_order = _per_order(c, as_of).subquery("per_order")
    # the day of the conversion that made cash owed on an RIK or EVE order (the latest, as a
    # reversed conversion may be made again)
    conversion = (
        select(func.max(t.c.value_date))
        .where(t.c.order_id == o.c.id, CONVERTED, t.c.value_date <= as_of)
        .scalar_subquery()
    )
    converted = and_(o.c.reimbursement.in_(CONVERTIBLE), per_order.c.kind == "receivable")
    query = select(
        per_order,
        o.c.number,
        o.c.supplier,
        o.c.requester,
        o.c.agreement,
        o.c.reimbursement,
        o.c.return_by,
        case((converted, conversion), else_=None).label("converted_on"),
    ).join(o, o.c.id == per_order.c.order_id)
    if book:
        query = query.where(or_(o.c.supplier == book, o.c.requester == book))
    if counterparty:
        query = query.where(or_(o.c.supplier == counterparty, o.c.requester == counterparty))
    out = []
    for r in c.execute(query.order_by(per_order.c.start, o.c.number, per_order.c.ledger)):
        kind = "receivable" if r.kind == "receivable" else str(r.kind)
        out.append(
            rules.Obligation(
                order_id=r.order_id,
                number=r.number,
                supplier=r.supplier,
                requester=r.requester,
                agreement=r.agreement,
                reimbursement=r.reimbursement,
                kind=kind,
                ledger=r.ledger,
                outstanding=int(r.outstanding),
                first_delivery=_date(r.start),
                return_by=r.return_by,
                converted_on=None if r.converted_on is None else _date(r.converted_on),
            )
        )
    return out


def balance_history(
    c: Connection,
    ends: Sequence[dt.date],
    party: str | None = None,
    counterparty: str | None = None,
) -> dict[tuple[str, str, str], list[int]]:
    """Receivables per creditor, debtor and ledger at the end of each day of `ends`
    (ascending): the balances of the receivable accounts on each (`account_months`). With
    `party`, only what that nation is owed or owes (its payables are its creditors'
    receivables); with `counterparty` too, only between the two."""
    series: dict[tuple[str, str, str], list[int]] = {}
    for i, end in enumerate(ends):
        for account, amount in account_months.balances_on(c, end, RECEIVABLE_KINDS).items():
            book, debtor, _agreement, _kind, ledger = account
            if _between(book, debtor, party, counterparty):
                values = series.setdefault((book, debtor, ledger), [0] * len(ends))
                values[i] += amount
    return {key: series[key] for key in sorted(series) if any(series[key])}


def _between(book: str, debtor: str, party: str | None, counterparty: str | None) -> bool:
    """Whether an account of `book` on `debtor` is one `party` (and `counterparty`) asked for."""
    if party and counterparty:
        return {book, debtor} == {party, counterparty}
    one = party or counterparty
    return not one or one in (book, debtor)


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last `months` month-ends before `as_of`, and `as_of`."""
    ends = []
    day = as_of.replace(day=1) - dt.timedelta(days=1)
    for _ in range(months):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return [*reversed(ends), as_of]


def month_ends_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The day before `first` (the opening), each month-end from `first` to `last`, and `last`."""
    ends = [first - dt.timedelta(days=1)]
    day = first
    while True:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = nxt - dt.timedelta(days=1)
        if end >= last:
            break
        ends.append(end)
        day = nxt
    return [*ends, last]


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------------- missing data


def order_facts(c: Connection, as_of: dt.date, chunk: int = 2000) -> Iterator[rules.OrderFacts]:
    """The facts `rules.missing` checks, order by order (read in chunks by id)."""
    last = ""
    live = tuple(rules.LIVE_STATES)
    while True:
        rows = c.execute(
            select(
                o.c.id,
                o.c.number,
                o.c.status,
                o.c.supplier,
                o.c.requester,
                o.c.order_date,
                o.c.first_delivery_on,
                o.c.billed_on,
            )
            .where(o.c.id > last, o.c.status.in_(live), o.c.order_date <= as_of)
            .order_by(o.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        last = ids[-1]
        yield from _facts(c, rows, ids)


def _facts(c: Connection, rows: Sequence[Any], ids: list[str]) -> Iterator[rules.OrderFacts]:
    ol, sig, doc = tables.order_lines, tables.order_signatures, tables.order_documents
    lines: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    for r in c.execute(
        select(ol.c.order_id, ol.c.line, ol.c.category, ol.c.nsn)
        .where(ol.c.order_id.in_(ids))
        .order_by(ol.c.order_id, ol.c.line)
    ):
        lines[r.order_id].append((int(r.line), r.category, r.nsn))
    sides: dict[str, set[str]] = defaultdict(set)
    for r in c.execute(select(sig.c.order_id, sig.c.side).where(sig.c.order_id.in_(ids))):
        sides[r.order_id].add(r.side)
    documented: dict[str, set[int | None]] = defaultdict(set)
    doc_events: dict[str, set[str]] = defaultdict(set)
    for r in c.execute(
        select(doc.c.order_id, doc.c.line, doc.c.event_id).where(doc.c.order_id.in_(ids))
    ):
        documented[r.order_id].add(None if r.line is None else int(r.line))
        doc_events[r.order_id].add(r.event_id)
    deliveries: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    reversed_ids: set[str] = set()
    for r in c.execute(
        select(t.c.id, t.c.order_id, t.c.kind, t.c.value_date, t.c.reverses)
        .where(t.c.order_id.in_(ids), t.c.kind.in_(("delivered", "reversed")))
        .order_by(t.c.value_date, t.c.id)
    ):
        if r.kind == "reversed" and r.reverses:
            reversed_ids.add(r.reverses)
        elif r.kind == "delivered":
            deliveries[r.order_id].append((r.id, _date(r.value_date)))
    for r in rows:
        yield rules.OrderFacts(
            order_id=r.id,
            number=r.number,
            status=r.status,
            supplier=r.supplier,
            requester=r.requester,
            order_date=_date(r.order_date),
            signed_sides=frozenset(sides.get(r.id, ())),
            lines=tuple(lines.get(r.id, ())),
            documented_lines=frozenset(documented.get(r.id, ())),
            deliveries=tuple(d for d in deliveries.get(r.id, ()) if d[0] not in reversed_ids),
            delivery_documents=frozenset(doc_events.get(r.id, ())),
            first_delivery=r.first_delivery_on,
            billed_on=r.billed_on,
        )


# ---------------------------------------------------------------------- annual report

VALUE_EVENTS = ("delivered", "settled", "reversed")


def annual_orders(
    c: Connection, book: str, first: dt.date, last: dt.date, as_of: dt.date
) -> Iterator[rules.OrderRecord]:
    """The orders `book` supplied or received with a delivery dated in [first, last] and on
    or before `as_of`, with their value events up to `as_of` (read from the audit log, the
    orders' source of truth: what was delivered and collected on a past date is there, not
    in the projection, which says what is true now). Which of them count, and for how much,
    `rules.order_on` decides. Read in chunks, as the caller goes."""
    a = tables.logistics_audit
    end = min(last, as_of)
    delivered = select(a.c.order_id).where(
        a.c.kind == "delivered", a.c.on_date >= first, a.c.on_date <= end
    )
    query = (
        select(o.c.id)
        .where(or_(o.c.supplier == book, o.c.requester == book), o.c.id.in_(delivered))
        .order_by(o.c.id)
    )
    ids = [str(r.id) for r in c.execute(query)]
    yield from order_records(c, ids, events_until=as_of)


def order_records(
    c: Connection, ids: Sequence[str], events_until: dt.date | None = None, chunk: int = 2000
) -> Iterator[rules.OrderRecord]:
    """Orders by id with their terms; with their value events dated up to `events_until`
    when it is given (oldest first, as recorded)."""
    ol, a = tables.order_lines, tables.logistics_audit
    for start in range(0, len(ids), chunk):
        part = list(ids[start : start + chunk])
        lines: dict[str, list[rules.PricedLine]] = defaultdict(list)
        for r in c.execute(
            select(
                ol.c.order_id,
                ol.c.line,
                ol.c.category,
                ol.c.currency,
                ol.c.unit_price,
                ol.c.unit,
                ol.c.nsn,
            )
            .where(ol.c.order_id.in_(part))
            .order_by(ol.c.order_id, ol.c.line)
        ):
            lines[r.order_id].append(
                rules.PricedLine(
                    int(r.line),
                    r.category,
                    r.currency,
                    int(r.unit_price),
                    rules.commodity_of(r.category, r.unit, r.nsn),
                )
            )
        events: dict[str, list[rules.ValueEvent]] = defaultdict(list)
        if events_until is not None:
            for r in c.execute(
                select(a.c.order_id, a.c.event_id, a.c.kind, a.c.on_date, a.c.payload)
                .where(
                    a.c.order_id.in_(part),
                    a.c.kind.in_(VALUE_EVENTS),
                    a.c.on_date <= events_until,
                )
                .order_by(a.c.seq)
            ):
                events[r.order_id].append(
                    rules.ValueEvent(r.event_id, r.kind, _date(r.on_date), json.loads(r.payload))
                )
        for r in c.execute(
            select(
                o.c.id,
                o.c.number,
                o.c.supplier,
                o.c.requester,
                o.c.agreement,
                o.c.transaction_type,
                o.c.signed_on,
            )
            .where(o.c.id.in_(part))
            .order_by(o.c.id)
        ):
            yield rules.OrderRecord(
                order_id=r.id,
                number=r.number,
                supplier=r.supplier,
                requester=r.requester,
                agreement=r.agreement,
                transaction_type=r.transaction_type,
                signed_on=None if r.signed_on is None else _date(r.signed_on),
                lines=tuple(lines.get(r.id, ())),
                events=tuple(events.get(r.id, ())),
            )


def waivers(
    c: Connection, book: str, first: dt.date, last: dt.date, as_of: dt.date
) -> list[dict[str, Any]]:
    """Orders of `book` with the United States that bound in [first, last], on or before
    `as_of`, in a situation that waives the 10 U.S.C. 2347 ceilings, and were not cancelled
    by `as_of`: one row per order, with its totals per currency."""
    query = (
        select(
            o.c.id,
            o.c.number,
            o.c.situation,
            o.c.totals,
            o.c.signed_on,
            o.c.agreement,
        )
        .where(
            or_(o.c.supplier == book, o.c.requester == book),
            or_(o.c.supplier == rules.US, o.c.requester == rules.US),
            o.c.situation.in_(tuple(WAIVED_SITUATIONS)),
            o.c.signed_on >= first,
            o.c.signed_on <= min(last, as_of),
            or_(o.c.status != "cancelled", o.c.cancelled_on > as_of),
        )
        .order_by(o.c.situation, o.c.number)
    )
    return [
        {
            "order_id": r.id,
            "number": r.number,
            "situation": r.situation,
            "waiver": WAIVED_SITUATIONS[r.situation],
            "totals": {str(k): int(v) for k, v in json.loads(r.totals).items()},
            "signed_on": _date(r.signed_on),
            "agreement": r.agreement,
        }
        for r in c.execute(query)
    ]


def exchange_rates(c: Connection) -> list[ExchangeRate]:
    """Every exchange rate Accord holds."""
    r = tables.exchange_rates
    return [
        ExchangeRate(
            row.base,
            row.quote,
            Decimal(row.rate),
            _date(row.valid_from),
            _date(row.valid_to),
            row.basis,
            row.agreement,
            row.source,
        )
        for row in c.execute(select(r).order_by(r.c.base, r.c.quote, r.c.valid_from))
    ]


# ---------------------------------------------------------------------- ceilings


def ceilings(c: Connection, fiscal_year: int | None, current: int) -> list[dict[str, Any]]:
    """Used and remaining per fiscal year, group, direction and scope: the counters the
    ledger keeps, with every ceiling of the current fiscal year (or the one asked for)
    listed even where nothing is used yet."""
    u = tables.ceiling_usage
    query = select(u)
    if fiscal_year is not None:
        query = query.where(u.c.fiscal_year == fiscal_year)
    used = {(r.fiscal_year, r.grp, r.direction, r.scope): int(r.used) for r in c.execute(query)}
    years = {k[0] for k in used} | {fiscal_year if fiscal_year is not None else current}
    rows = []
    for year in sorted(years):
        for (grp, direction, scope), limit in LIMITS.items():
            spent = used.get((year, grp, direction, scope), 0)
            rows.append(
                {
                    "fiscal_year": year,
                    "group": grp,
                    "direction": direction,
                    "scope": scope,
                    "used": spent,
                    "limit": limit,
                    "remaining": limit - spent,
                }
            )
    return rows
