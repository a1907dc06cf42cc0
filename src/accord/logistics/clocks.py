"""The clocks of 10 U.S.C. 2345 on an order.

- §2345(a): cash credits and liabilities are liquidated not less often than every 12 months.
  Accord starts the clock at the first delivery (when the liability accrues), so an order
  still owing money 12 months after its first delivery is overdue.
- §2345(b): replacement in kind and exchanges of equal value are satisfied within 12 months
  after the date of delivery. The statute does not say what follows; DoD policy (DoDD
  2010.09, DoD FMR Vol. 11A Ch. 8, as Accord's reference reads it: UNVERIFIED, not statute)
  converts what is still owed to cash reimbursement. So an RIK or EVE order past the date is
  overdue "and may be converted to cash" (`convertible_from`, `accord orders convert`); once
  converted, the cash is overdue under §2345(a), its clock still counted from the first
  delivery (the liability is the one that accrued then, now owed in cash).
- §2345(c): US credits unliquidated more than 18 months after delivery may be offset against
  amounts DoD owes the same government (with the Secretary of State's concurrence): Accord
  flags them as eligible for offset, never offsets on its own.
- §2350(4): a transfer may be a loan or a lease, which comes back: it is due back on the
  order's `return_by` date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accord.logistics.calendar import add_months
from accord.logistics.order import Order, Status

SETTLEMENT_MONTHS = 12  # 10 U.S.C. 2345(a), (b)
OFFSET_MONTHS = 18  # 10 U.S.C. 2345(c)
OPEN_STATES = frozenset({Status.DELIVERED, Status.BILLED})


@dataclass(frozen=True, slots=True)
class Clocks:
    settlement_due: dt.date | None  # money or in-kind owed by then
    offset_eligible_from: dt.date | None  # US credits only
    convertible_from: dt.date | None  # RIK/EVE still owed: may be converted to cash from then
    return_due: dt.date | None  # loans and leases
    overdue: tuple[str, ...]  # reasons, empty when nothing is overdue on the date

    def as_json(self) -> dict[str, object]:
        return {
            "settlement_due": self.settlement_due.isoformat() if self.settlement_due else None,
            "offset_eligible_from": (
                self.offset_eligible_from.isoformat() if self.offset_eligible_from else None
            ),
            "convertible_from": (
                self.convertible_from.isoformat() if self.convertible_from else None
            ),
            "return_due": self.return_due.isoformat() if self.return_due else None,
            "overdue": list(self.overdue),
        }


def settlement_due(first_delivery: dt.date) -> dt.date:
    return add_months(first_delivery, SETTLEMENT_MONTHS)


def offset_eligible_from(first_delivery: dt.date) -> dt.date:
    """The first day a US credit is *more than* 18 months old."""
    return add_months(first_delivery, OFFSET_MONTHS) + dt.timedelta(days=1)


def convertible_from(due: dt.date) -> dt.date:
    """The first day RIK or EVE still owed may be converted to cash: the day after the 12
    months of 10 U.S.C. 2345(b) (DoD policy, unverified)."""
    return due + dt.timedelta(days=1)


def clocks(order: Order, as_of: dt.date) -> Clocks:
    first = order.first_delivery_on()
    owes = bool(order.outstanding_money() or order.outstanding_in_kind())
    due = settlement_due(first) if first and owes else None
    offset = (
        offset_eligible_from(first)
        if first and order.outstanding_money() and order.terms.supplier.nation == "USA"
        else None
    )
    back = order.terms.return_by if order.outstanding_due_back() else None
    in_kind = bool(order.outstanding_in_kind() or order.outstanding_exchange())
    convertible = (
        convertible_from(due)
        if due is not None and in_kind and order.status in OPEN_STATES
        else None
    )
    overdue: list[str] = []
    if order.status in OPEN_STATES:
        if due is not None and as_of > due:
            method = order.terms.reimbursement
            converted = order.conversion()
            if order.outstanding_cash():
                how = (
                    f"; converted from {converted.method} on {converted.on} after 10 U.S.C. "
                    "2345(b)'s 12 months (DoD policy, unverified)"
                    if converted is not None and method != "cash"
                    else ""
                )
                overdue.append(f"cash settlement was due by {due} (10 U.S.C. 2345(a)){how}")
            if in_kind:
                overdue.append(
                    f"{method} settlement was due by {due} (10 U.S.C. 2345(b)); may be "
                    "converted to cash (DoD policy, unverified)"
                )
        if back is not None and as_of > back:
            overdue.append(f"{order.terms.transaction_type} items were due back by {back}")
        if offset is not None and as_of >= offset:
            overdue.append(f"US credit eligible for offset since {offset} (10 U.S.C. 2345(c))")
    return Clocks(due, offset, convertible, back, tuple(overdue))
