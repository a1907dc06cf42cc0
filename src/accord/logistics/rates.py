"""Exchange rates as data: a daily rate, or a fixed rate for a period (Japan's ACSAs settle at
the annual rate fixed under 出納官吏事務規程 arts. 14 and 16 for the whole Japanese fiscal year).

A rate says how many units of `quote` one unit of `base` buys. Rates are exact decimals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from accord.errors import BadInput
from accord.logistics import money
from accord.logistics.text import AGREEMENT_CHARS, SOURCE_CHARS, check_text

BASES = ("daily", "fixed")


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    base: str
    quote: str
    rate: Decimal
    valid_from: dt.date
    valid_to: dt.date  # inclusive; equal to valid_from for a daily rate
    basis: str = "daily"  # daily | fixed (for a fiscal year or another period)
    agreement: str | None = None  # a rate that only one agreement uses (e.g. Japan's annual rate)
    source: str | None = None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


# The rates a pair of currencies may have: the widest real ones (a dollar in rials, say) are
# near a million to one; beyond a billion to one a rate is a typing error, and a conversion
# by it would pass the amounts the books can hold (`money.MAX_MINOR`).
LOWEST = Decimal("1e-9")
HIGHEST = Decimal("1e9")


def parse_rate(value: object) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadInput(f"malformed exchange rate {value!r}; accepted: a positive decimal") from None
    if not rate.is_finite() or rate <= 0:
        raise BadInput(f"malformed exchange rate {value!r}; accepted: a positive decimal")
    if not LOWEST <= rate <= HIGHEST:
        raise BadInput(
            f"exchange rate {value} is out of range; accepted: from {LOWEST:f} to {HIGHEST:f}"
        )
    return rate


def make_rate(
    base: str,
    quote: str,
    rate: object,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    agreement: str | None = None,
    source: str | None = None,
) -> ExchangeRate:
    base_code, quote_code = money.currency(base), money.currency(quote)
    if base_code == quote_code:
        raise BadInput(f"an exchange rate needs two different currencies, not {base_code} twice")
    end = valid_to or valid_from
    if end < valid_from:
        raise BadInput(f"rate period ends ({end}) before it starts ({valid_from})")
    if source is not None:
        check_text(source, "the rate's source", SOURCE_CHARS)
    if agreement is not None:
        check_text(agreement, "the rate's agreement", AGREEMENT_CHARS)
    return ExchangeRate(
        base_code,
        quote_code,
        parse_rate(rate),
        valid_from,
        end,
        "daily" if end == valid_from else "fixed",
        agreement,
        source,
    )


def choose(
    rates: Iterable[ExchangeRate],
    base: str,
    quote: str,
    day: dt.date,
    agreement: str | None = None,
) -> Decimal | None:
    """The rate from `base` to `quote` on `day`: the agreement's own fixed rate first, then a
    daily rate for the day, then any fixed rate covering it; an inverse rate counts too."""
    if base == quote:
        return Decimal(1)
    candidates: list[tuple[int, Decimal]] = []
    for r in rates:
        if not r.covers(day):
            continue
        if r.agreement is not None and r.agreement != agreement:
            continue
        if (r.base, r.quote) == (base, quote):
            value = r.rate
        elif (r.base, r.quote) == (quote, base):
            value = Decimal(1) / r.rate
        else:
            continue
        rank = 0 if r.agreement is not None else (1 if r.basis == "daily" else 2)
        candidates.append((rank, value))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]
