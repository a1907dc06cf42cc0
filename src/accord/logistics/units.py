"""Units of issue an order line may use.

Two-letter codes in the style of the DoD unit-of-issue codes used on requisitions (DD Form
1149): a quantity is a whole number of these units, so choose the unit that makes it whole
(litres rather than kilolitres of fuel, meals rather than days of rations). Accepted
case-insensitively, printed upper-case.
"""

from __future__ import annotations

from accord.errors import BadInput

UNITS: dict[str, str] = {
    # supplies: count
    "EA": "each",
    "PR": "pair",
    "DZ": "dozen",
    "SE": "set",
    "KT": "kit",
    "BX": "box",
    "CS": "case",
    "PG": "package",
    "PL": "pallet",
    "RO": "roll",
    "CN": "can",
    "DR": "drum",
    "BL": "barrel (42 US gallons)",
    "CY": "cylinder",
    "ML": "meal",
    # supplies: measure
    "LI": "litre",
    "GL": "US gallon",
    "KG": "kilogram",
    "LB": "pound",
    "MT": "metric ton",
    "M3": "cubic metre",
    "MR": "metre",
    # services
    "HR": "hour",
    "DA": "day",
    "WK": "week",
    "MO": "month",
    "PD": "person-day",
    "KM": "kilometre",
    "NM": "nautical mile",
    "SO": "sortie",
    "LO": "lot (a whole service or consignment)",
}


def unit(value: str) -> str:
    code = str(value).strip().upper()
    if code not in UNITS:
        raise BadInput(f"unknown unit of issue {value!r}; accepted: {', '.join(UNITS)}")
    return code
