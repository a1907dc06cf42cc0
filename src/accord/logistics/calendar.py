"""Calendar arithmetic for legal dates: months, and fiscal years per nation."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# First month of each nation's fiscal year (US: October; Japan: April; Korea: January).
FISCAL_YEAR_START = {"USA": 10, "JPN": 4, "KOR": 1, "AUS": 7, "GBR": 4, "CAN": 4}


def fiscal_year(day: dt.date, nation: str = "USA") -> int:
    """The fiscal year a date falls in, named as each nation names it: the US fiscal year
    2025 runs 1 Oct 2024 to 30 Sep 2025 (named by the year it ends); Japan's fiscal year 2024
    runs 1 Apr 2024 to 31 Mar 2025 (named by the year it starts)."""
    start = FISCAL_YEAR_START.get(nation, 1)
    if start == 1:
        return day.year
    if nation == "USA":
        return day.year + 1 if day.month >= start else day.year
    return day.year if day.month >= start else day.year - 1


def fiscal_year_bounds(year: int, nation: str = "USA") -> tuple[dt.date, dt.date]:
    """First and last day of a nation's fiscal year `year`."""
    start = FISCAL_YEAR_START.get(nation, 1)
    if start == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first_year = year - 1 if nation == "USA" else year
    first = dt.date(first_year, start, 1)
    return first, add_months(first, 12) - dt.timedelta(days=1)
