"""The rules behind the reports, as pure functions (each cites its source).

- Ageing buckets: 0–90, 91–180, 181–365 and over 365 days, counted from the first delivery of
  what is owed (the day the liability accrues and the 10 U.S.C. 2345 clock starts).
- Overdue: cash credits and liabilities are liquidated at least every 12 months
  (10 U.S.C. 2345(a)); replacement in kind and equal-value exchange are due within 12 months
  after delivery (§2345(b)), and what is still owed after them may be converted to cash (DoD
  policy, DoDD 2010.09 / DoD FMR Vol. 11A Ch. 8, as Accord's reference reads it: unverified,
  not statute); US credits unliquidated more than 18 months after delivery may be offset
  (§2345(c)): flagged, never offset; loaned or leased items are due back on the order's
  return date (§2350(4)).
- Missing: both signatures (an order binds only when both parties' officials have signed:
  DODIG-2016-067), a supporting document for every order line and a receipt for every
  delivery (DODIG-2016-067), the minimum data (an NSN for spare parts and ammunition: the
  AGATRS minimum essential data elements, DODIG-2016-067), timely billing (GAO-20-309) and
  closure when complete (DODIG-2016-067).
- Annual report (10 U.S.C. 2342(h)): by category of supply, provided and received, collected,
  outstanding; every transaction unreconciled more than a year after it occurred. The figures
  are those of the report's date: an order's events of that day or before (`order_on`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from accord.logistics import clocks
from accord.logistics.calendar import add_months
from accord.logistics.ledger import is_currency_ledger
from accord.logistics.order import CONVERTIBLE  # reimbursements that convert to cash

US = "USA"

# (label key, first day, last day or None)
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("days_0_90", 0, 90),
    ("days_91_180", 91, 180),
    ("days_181_365", 181, 365),
    ("days_over_365", 366, None),
)
BUCKET_KEYS = tuple(b[0] for b in BUCKETS)

SETTLEMENT_RULE = {
    "unbilled-receivable": "10 U.S.C. 2345(a)",
    "receivable": "10 U.S.C. 2345(a)",
    "in-kind-receivable": "10 U.S.C. 2345(b)",
    "due-back-receivable": "10 U.S.C. 2350(4)",
}
OBLIGATION = {
    "unbilled-receivable": "cash",
    "receivable": "cash",
    "in-kind-receivable": "in-kind",
    "due-back-receivable": "due-back",
}
OFFSET_RULE = "10 U.S.C. 2345(c)"
MAY_CONVERT = "may be converted to cash (DoD policy, unverified)"
CONVERTED = "converted to cash from {method} on {on} (DoD policy, unverified)"
BILLING_DAYS = 30  # GAO-20-309: timely invoicing; Accord flags a delivery unbilled after 30 days
NSN_CATEGORIES = frozenset({"spare-parts", "ammunition"})
IG = "DODIG-2016-067"
GAO = "GAO-20-309"


def age_in_days(start: dt.date, as_of: dt.date) -> int:
    return (as_of - start).days


def bucket(age_days: int) -> str:
    """The ageing bucket of an amount `age_days` old (0 on the day of delivery)."""
    if age_days < 0:
        raise ValueError(f"age {age_days} is negative: the amount is not yet owed")
    for key, _first, last in BUCKETS:
        if last is None or age_days <= last:
            return key
    raise AssertionError("unreachable")


def bucket_starts(as_of: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The earliest start date of each of the first three buckets on `as_of`: an amount
    first delivered on or after the first date is 0–90 days old, and so on. The SQL ageing
    query compares dates with these, so it needs no date arithmetic of its own."""
    return tuple(  # type: ignore[return-value]
        as_of - dt.timedelta(days=last) for _key, _first, last in BUCKETS if last is not None
    )


@dataclass(frozen=True, slots=True)
class Obligation:
    """What one order owes its supplier on one ledger, as of a date (from the postings)."""

    order_id: str
    number: str
    supplier: str
    requester: str
    agreement: str
    reimbursement: str
    kind: str  # a receivable kind of the supplier's book
    ledger: str
    outstanding: int
    # the day the transaction occurred, from which 10 U.S.C. 2345's clocks, 2342(h)'s year and
    # the ageing run: the first posting adding to the ledger; for cash that a conversion made
    # owed (on its own day, more than 12 months later), the delivery it converts
    first_delivery: dt.date
    return_by: dt.date | None = None
    converted_on: dt.date | None = None  # cash converted from RIK or EVE: the conversion's day


@dataclass(frozen=True, slots=True)
class Overdue:
    obligation: Obligation
    due: dt.date
    days_overdue: int
    overdue: bool
    offset_eligible: bool
    rule: str


def is_converted(ob: Obligation) -> bool:
    """Cash owed on an RIK or EVE order: only a conversion to cash posts it."""
    return ob.reimbursement in CONVERTIBLE and OBLIGATION.get(ob.kind) == "cash"


def overdue(ob: Obligation, as_of: dt.date) -> Overdue | None:
    """The obligation's clock on `as_of`, or None when nothing about it is due yet."""
    if ob.outstanding <= 0:
        return None
    if ob.kind == "due-back-receivable":
        if ob.return_by is None or as_of <= ob.return_by:
            return None
        return Overdue(
            ob, ob.return_by, (as_of - ob.return_by).days, True, False, SETTLEMENT_RULE[ob.kind]
        )
    since = ob.first_delivery
    due = clocks.settlement_due(since)
    late = as_of > due
    offset = (
        ob.supplier == US
        and is_currency_ledger(ob.ledger)
        and as_of >= clocks.offset_eligible_from(since)
    )
    if not late and not offset:
        return None
    rule = SETTLEMENT_RULE[ob.kind] + (f"; {OFFSET_RULE}" if offset else "")
    if late and ob.kind == "in-kind-receivable" and ob.reimbursement in CONVERTIBLE:
        rule += f"; {MAY_CONVERT}"
    if is_converted(ob):  # owed in cash since its conversion, after the 12 months
        rule += "; " + CONVERTED.format(method=ob.reimbursement, on=ob.converted_on)
    return Overdue(ob, due, max(0, (as_of - due).days), late, offset, rule)


def unreconciled(ob: Obligation, as_of: dt.date) -> bool:
    """10 U.S.C. 2342(h): a transaction still open more than one year after it occurred."""
    return as_of > add_months(ob.first_delivery, 12)


# ---------------------------------------------------------------------- missing data


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the missing-data checks need to know about one order."""

    order_id: str
    number: str
    status: str
    supplier: str
    requester: str
    order_date: dt.date
    signed_sides: frozenset[str]
    lines: tuple[tuple[int, str, str | None], ...]  # (line, category, nsn)
    documented_lines: frozenset[int | None]  # None: a document for the whole order
    deliveries: tuple[tuple[str, dt.date], ...]  # (event id, date), not reversed
    delivery_documents: frozenset[str]  # event ids of deliveries that carry a document
    first_delivery: dt.date | None = None
    billed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Issue:
    code: str  # signature | documents | receipt | data | billing | closure
    detail: str
    source: str


SIGNED_STATES = frozenset({"signed", "delivered", "billed", "settled", "closed"})
LIVE_STATES = frozenset({"proposed"}) | SIGNED_STATES


def missing(facts: OrderFacts, as_of: dt.date) -> list[Issue]:
    """The GAO-20-309 / DODIG-2016-067 failures found on one order on `as_of`."""
    issues: list[Issue] = []
    if facts.status not in LIVE_STATES:
        return issues  # drafts are unfinished by design; cancelled orders bind no one
    for side in ("requester", "supplier"):
        if side not in facts.signed_sides:
            nation = facts.requester if side == "requester" else facts.supplier
            issues.append(
                Issue(
                    "signature",
                    f"no signature of the {side} ({nation}): the order does not bind",
                    IG,
                )
            )
    if not facts.documented_lines:
        issues.append(Issue("documents", "no supporting document for any line", IG))
    elif None not in facts.documented_lines:
        for line, _category, _nsn in facts.lines:
            if line not in facts.documented_lines:
                issues.append(Issue("documents", f"line {line}: no supporting document", IG))
    for event_id, on in facts.deliveries:
        if event_id not in facts.delivery_documents:
            issues.append(Issue("receipt", f"delivery of {on}: no receipt document", IG))
    for line, category, nsn in facts.lines:
        if category in NSN_CATEGORIES and not nsn:
            issues.append(Issue("data", f"line {line} ({category}): no NSN", IG))
    if (
        facts.status == "delivered"
        and facts.first_delivery is not None
        and (as_of - facts.first_delivery).days > BILLING_DAYS
    ):
        days = (as_of - facts.first_delivery).days
        issues.append(
            Issue("billing", f"delivered {facts.first_delivery}, not billed after {days} days", GAO)
        )
    if facts.status == "settled":
        issues.append(Issue("closure", "settled but not closed", IG))
    return issues


# ---------------------------------------------------------------------- annual report


def allocate(total: int, weights: Iterable[int]) -> list[int]:
    """Split `total` over `weights` in proportion, exactly (largest remainder; ties to the
    earlier weight): the parts are integers that add up to `total`."""
    ws = list(weights)
    whole = sum(ws)
    if whole <= 0:
        return [0] * len(ws)
    parts = [total * w // whole for w in ws]
    remainders = sorted(range(len(ws)), key=lambda i: (-(total * ws[i] - parts[i] * whole), i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass(frozen=True, slots=True)
class LineValue:
    category: str
    currency: str
    value: int  # delivered value, minor units


def settle_lines(
    lines: list[LineValue], collected: Mapping[str, int], owes_money: bool
) -> list[tuple[LineValue, int, int]]:
    """Each line with its share of what the order collected (in its currency, in proportion
    to the delivered value) and what is outstanding. Loans owe no money: nothing outstanding."""
    out: list[tuple[LineValue, int, int]] = []
    by_ccy: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        by_ccy.setdefault(line.currency, []).append(i)
    shares = [0] * len(lines)
    for ccy, idx in by_ccy.items():
        parts = allocate(collected.get(ccy, 0), [lines[i].value for i in idx])
        for i, part in zip(idx, parts, strict=True):
            shares[i] = part
    for line, share in zip(lines, shares, strict=True):
        outstanding = max(0, line.value - share) if owes_money else 0
        out.append((line, share, outstanding))
    return out


@dataclass(frozen=True, slots=True)
class PricedLine:
    """An order line's terms (fixed when the order was made)."""

    number: int
    category: str
    currency: str
    unit_price: int  # minor units of `currency`
    commodity: str  # the line's in-kind ledger (`food/ML`, `NSN 9130-00-160-1818/GL`)


def commodity_of(category: str, unit: str, nsn: str | None) -> str:
    """The commodity ledger of a line, as the order names it (`Line.commodity`)."""
    return f"{f'NSN {nsn}' if nsn else category}/{unit}"


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order's parties and terms, and (for the annual report) its value events."""

    order_id: str
    number: str
    supplier: str
    requester: str
    agreement: str
    transaction_type: str
    signed_on: dt.date | None
    lines: tuple[PricedLine, ...]
    events: tuple[ValueEvent, ...] = ()

    @property
    def owes_value(self) -> bool:
        """What is delivered is owed back in value (cash, exchange or in kind); a loan owes
        the items themselves, so no money is outstanding on it."""
        return self.transaction_type != "loan"


@dataclass(frozen=True, slots=True)
class ValueEvent:
    """An order event that moves value: `delivered` (quantities per line), `settled` (method,
    amounts per currency, quantities per line) or `reversed` (the event it cancels)."""

    id: str
    kind: str
    on: dt.date
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class OrderOnDate:
    first_delivery: dt.date | None
    delivered: dict[int, int]  # quantity per line
    collected: dict[str, int]  # value received back (or paid), per currency


def order_on(
    events: Iterable[ValueEvent], lines: Iterable[PricedLine], as_of: dt.date
) -> OrderOnDate:
    """What an order had delivered and collected on `as_of`, as its books said on that day:
    the deliveries and settlements dated that day or before, less those reversed by a
    reversal dated that day or before (a correction made later does not change the past, as
    the ledger's value dates do not). What was collected is valued as the order values it
    (`Order.collected`): cash and equal-value exchange by amount, replacement in kind at the
    line's price; items returned from a loan or lease collect nothing."""
    priced = {line.number: line for line in lines}
    dated = [e for e in events if e.on <= as_of]
    reversed_ids = {str(e.payload.get("target")) for e in dated if e.kind == "reversed"}
    delivered: dict[int, int] = defaultdict(int)
    collected: dict[str, int] = defaultdict(int)
    first: dt.date | None = None
    for event in dated:
        if event.id in reversed_ids:
            continue
        if event.kind == "delivered":
            for line, quantity in _quantities(event.payload.get("quantities")).items():
                delivered[line] += quantity
            first = event.on if first is None else min(first, event.on)
        elif event.kind == "settled":
            method = event.payload.get("method")
            if method in ("cash", "eve"):
                for ccy, amount in (event.payload.get("amounts") or {}).items():
                    collected[str(ccy)] += int(amount)
            elif method == "rik":
                for line, quantity in _quantities(event.payload.get("quantities")).items():
                    if line in priced:
                        collected[priced[line].currency] += quantity * priced[line].unit_price
    return OrderOnDate(
        first,
        {k: v for k, v in sorted(delivered.items()) if v},
        {k: v for k, v in sorted(collected.items()) if v},
    )


def _quantities(raw: Any) -> dict[int, int]:
    return {int(k): int(v) for k, v in (raw or {}).items()}


def value_of_commodity(
    quantity: int, commodity: str, lines: Iterable[PricedLine]
) -> tuple[str, int] | None:
    """What `quantity` units of an order's commodity are worth at the order's price: None
    when the order has no line of that commodity, or lines of it at different prices (the
    ledger does not say which line the quantity belongs to)."""
    prices = {(line.currency, line.unit_price) for line in lines if line.commodity == commodity}
    if len(prices) != 1:
        return None
    ((currency, price),) = prices
    return currency, quantity * price
