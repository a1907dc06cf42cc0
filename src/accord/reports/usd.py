"""US dollar equivalents for the reports, from Accord's exchange rates (table `exchange_rates`).

The rate is chosen as the 10 U.S.C. 2347 ceilings choose it (`accord.logistics.rates.choose`:
the order's agreement's own fixed rate first, such as Japan's annual rate, then a daily rate
for the day, then any fixed rate covering it; an inverse rate counts too), and the amount is
converted as they convert it (`money.convert`, half to even). A missing rate is remembered
with the orders that needed it and the figure is None: never a silent zero.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from accord.logistics import money
from accord.logistics.rates import ExchangeRate, choose

USD = "USD"


class Dollars:
    def __init__(self, known: Iterable[ExchangeRate]) -> None:
        self._by_pair: dict[frozenset[str], list[ExchangeRate]] = defaultdict(list)
        for rate in known:
            self._by_pair[frozenset((rate.base, rate.quote))].append(rate)
        self._memo: dict[tuple[str, dt.date, str | None], Decimal | None] = {}
        # (currency, day, agreement) -> the orders that needed that rate
        self.missing: dict[tuple[str, dt.date, str | None], set[str]] = defaultdict(set)

    def rate(self, currency: str, day: dt.date, agreement: str | None) -> Decimal | None:
        key = (currency, day, agreement)
        if key not in self._memo:
            pool = self._by_pair.get(frozenset((currency, USD)), [])
            self._memo[key] = choose(pool, currency, USD, day, agreement)
        return self._memo[key]

    def cents(
        self, minor: int, currency: str, day: dt.date, agreement: str | None, order: str
    ) -> int | None:
        """`minor` units of `currency` in US cents at the rate for `day`, or None (and the
        need remembered) when Accord has no rate for that day."""
        if currency == USD or minor == 0:
            return minor
        rate = self.rate(currency, day, agreement)
        if rate is None:
            self.missing[(currency, day, agreement)].add(order)
            return None
        return money.convert(minor, currency, USD, rate)


def add(total: int | None, part: int | None) -> int | None:
    """A sum that stays unknown once one of its parts is."""
    return None if total is None or part is None else total + part
