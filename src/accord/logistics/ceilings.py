"""The annual ceilings of 10 U.S.C. 2347 on US acquisitions and transfers, per US fiscal year
(1 October to 30 September).

| counterparty group           | liabilities (US acquires) | of which supplies | credits (US transfers) |
|------------------------------|---------------------------|-------------------|------------------------|
| NATO members (§2347(a))      | $200,000,000              | $50,000,000       | $150,000,000           |
| others (§2347(b))            | $60,000,000               | $20,000,000       | $75,000,000            |

- Counted gross, before offsetting balances (§2347(a),(b)): each order adds its full value.
- Petroleum, oils and lubricants are excluded from the computation (§2347(d)): fuel lines add 0.
- Waived for the purpose and duration of a contingency operation or a non-combat operation
  (humanitarian or foreign disaster assistance, UN peacekeeping) (§2347(c)): orders in the
  situations `contingency`, `international-relief`, `large-disaster` and `pko` add nothing and
  carry the waiver, which the annual report must explain (§2342(h)(6)).
- Loans add nothing (no reimbursable liability or credit arises; the item comes back).

Accord counts an order when it binds (both signatures) in the fiscal year of the signing date,
in US dollars at the rate for that date, and releases the count if the order is cancelled.
The "others" ceilings are read as one aggregate for all non-NATO counterparties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from accord.logistics.calendar import fiscal_year
from accord.logistics.errors import CeilingExceeded
from accord.logistics.order import SUPPLY_CATEGORIES, OrderTerms

US = "USA"
MILLION_USD = 1_000_000 * 100  # in cents

LIMITS: dict[tuple[str, str, str], int] = {
    ("nato", "liabilities", "total"): 200 * MILLION_USD,
    ("nato", "liabilities", "supplies"): 50 * MILLION_USD,
    ("nato", "credits", "total"): 150 * MILLION_USD,
    ("non-nato", "liabilities", "total"): 60 * MILLION_USD,
    ("non-nato", "liabilities", "supplies"): 20 * MILLION_USD,
    ("non-nato", "credits", "total"): 75 * MILLION_USD,
}
SECTIONS = {"nato": "10 U.S.C. 2347(a)", "non-nato": "10 U.S.C. 2347(b)"}
WAIVED_SITUATIONS = {
    "contingency": "contingency operation",
    "international-relief": "humanitarian assistance",
    "large-disaster": "foreign disaster assistance",
    "pko": "UN peacekeeping operation",
}
EXCLUDED_CATEGORIES = frozenset({"fuel"})  # §2347(d)

# NATO members and the day each joined (the treaty entered into force for the founders on
# 24 August 1949). https://www.nato.int/cps/en/natohq/topics_52044.htm
_NATO_JOINED: dict[str, dt.date] = {
    **dict.fromkeys(
        ("BEL", "CAN", "DNK", "FRA", "ISL", "ITA", "LUX", "NLD", "NOR", "PRT", "GBR", "USA"),
        dt.date(1949, 8, 24),
    ),
    "GRC": dt.date(1952, 2, 18),
    "TUR": dt.date(1952, 2, 18),
    "DEU": dt.date(1955, 5, 6),
    "ESP": dt.date(1982, 5, 30),
    **dict.fromkeys(("CZE", "HUN", "POL"), dt.date(1999, 3, 12)),
    **dict.fromkeys(("BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"), dt.date(2004, 3, 29)),
    **dict.fromkeys(("ALB", "HRV"), dt.date(2009, 4, 1)),
    "MNE": dt.date(2017, 6, 5),
    "MKD": dt.date(2020, 3, 27),
    "FIN": dt.date(2023, 4, 4),
    "SWE": dt.date(2024, 3, 7),
}


def is_nato(nation: str, on: dt.date) -> bool:
    joined = _NATO_JOINED.get(nation)
    return joined is not None and joined <= on


@dataclass(frozen=True, slots=True)
class Charge:
    fiscal_year: int
    group: str  # nato | non-nato
    direction: str  # liabilities (US acquisitions) | credits (US transfers)
    scope: str  # total | supplies
    amount: int  # US cents

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.fiscal_year, self.group, self.direction, self.scope)

    def __reduce__(self) -> tuple[type[Charge], tuple[int, str, str, str, int]]:
        # pickled as its fields: the importer's reading process sends charges to its writer
        return (Charge, (self.fiscal_year, self.group, self.direction, self.scope, self.amount))

    @property
    def limit(self) -> int:
        return LIMITS[(self.group, self.direction, self.scope)]

    def as_json(self) -> dict[str, object]:
        return {
            "fiscal_year": self.fiscal_year,
            "group": self.group,
            "direction": self.direction,
            "scope": self.scope,
            "amount": self.amount,
        }

    @staticmethod
    def from_json(data: dict[str, object]) -> Charge:
        return Charge(
            int(str(data["fiscal_year"])),
            str(data["group"]),
            str(data["direction"]),
            str(data["scope"]),
            int(str(data["amount"])),
        )


def waiver(situation: str) -> str | None:
    reason = WAIVED_SITUATIONS.get(situation)
    return f"10 U.S.C. 2347(c): {reason}" if reason else None


def charges(
    terms: OrderTerms, on: dt.date, to_usd: Callable[[int, str], int]
) -> tuple[tuple[Charge, ...], str | None]:
    """What an order adds to the ceilings when it binds on `on`, and the waiver if one
    applies. `to_usd(minor, currency)` converts an amount to US cents."""
    if US not in (terms.requester.nation, terms.supplier.nation):
        return (), None  # the ceilings bind the United States only
    waived = waiver(terms.situation)
    if waived or terms.transaction_type == "loan":
        return (), waived
    acquiring = terms.requester.nation == US
    counterparty = terms.supplier.nation if acquiring else terms.requester.nation
    group = "nato" if is_nato(counterparty, on) else "non-nato"
    direction = "liabilities" if acquiring else "credits"
    total: dict[str, int] = {}
    supplies: dict[str, int] = {}
    for line in terms.lines:
        category = line.category
        if category in EXCLUDED_CATEGORIES:
            continue
        currency, value = line.currency, line.quantity * line.unit_price  # Line.value
        total[currency] = total.get(currency, 0) + value
        if category in SUPPLY_CATEGORIES:  # Line.is_supply
            supplies[currency] = supplies.get(currency, 0) + value
    year = fiscal_year(on, US)
    found = [Charge(year, group, direction, "total", _usd(total, to_usd))]
    if direction == "liabilities":
        found.append(Charge(year, group, direction, "supplies", _usd(supplies, to_usd)))
    return tuple(c for c in found if c.amount > 0), None


def _usd(amounts: dict[str, int], to_usd: Callable[[int, str], int]) -> int:
    return sum(to_usd(a, ccy) for ccy, a in sorted(amounts.items()) if a)


def check(charge: Charge, used: int) -> None:
    """Refuse, with the figures, a charge that would take its ceiling past the limit."""
    if used + charge.amount > charge.limit:
        scope = " (supplies sub-limit)" if charge.scope == "supplies" else ""
        group = "NATO" if charge.group == "nato" else "non-NATO"
        raise CeilingExceeded(
            f"refused: this order would exceed the FY{charge.fiscal_year} {group} "
            f"{charge.direction} ceiling{scope} of {SECTIONS[charge.group]}: "
            f"{usd(used)} used + {usd(charge.amount)} this order = {usd(used + charge.amount)} "
            f"> {usd(charge.limit)}"
        )


def usd(cents: int) -> str:
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
