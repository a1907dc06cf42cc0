"""The clocks of 10 U.S.C. 2345 on an order.

- §2345(a): cash credits and liabilities are liquidated not less often than every 12 months.
  Accord starts the clock at the first delivery (when the liability accrues), so an order
  still owing money 12 months after its first delivery is overdue.
- §2345(b): replacement in kind and exchanges of equal value are satisfied within 12 months
  after the date of delivery.
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
    return_due: dt.date | None  # loans and leases
    overdue: tuple[str, ...]  # reasons, empty when nothing is overdue on the date

    def as_json(self) -> dict[str, object]:
        return {
            "settlement_due": self.settlement_due.isoformat() if self.settlement_due else None,
            "offset_eligible_from": (
                self.offset_eligible_from.isoformat() if self.offset_eligible_from else None
            ),
            "return_due": self.return_due.isoformat() if self.return_due else None,
            "overdue": list(self.overdue),
        }


def settlement_due(first_delivery: dt.date) -> dt.date:
    return add_months(first_delivery, SETTLEMENT_MONTHS)


def offset_eligible_from(first_delivery: dt.date) -> dt.date:
    """The first day a US credit is *more than* 18 months old."""
    return add_months(first_delivery, OFFSET_MONTHS) + dt.timedelta(days=1)


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
    overdue: list[str] = []
    if order.status in OPEN_STATES:
        if due is not None and as_of > due:
            method = order.terms.reimbursement
            rule = "10 U.S.C. 2345(a)" if method == "cash" else "10 U.S.C. 2345(b)"
            overdue.append(f"{method} settlement was due by {due} ({rule})")
        if back is not None and as_of > back:
            overdue.append(f"{order.terms.transaction_type} items were due back by {back}")
        if offset is not None and as_of >= offset:
            overdue.append(f"US credit eligible for offset since {offset} (10 U.S.C. 2345(c))")
    return Clocks(due, offset, back, tuple(overdue))
