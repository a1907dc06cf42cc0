"""Money: integer minor units of an ISO 4217 currency; never floats.

A currency's minor-unit exponent is what makes an amount exact: 1234 means USD 12.34 but
JPY 1,234 and KWD 1.234. The exponents are those of ISO 4217 list one (the SIX maintenance
agency's table); codes without a minor unit (gold, SDR, test codes: "N.A." in the standard)
are not money an order can be priced in. Exchange rates are data (see `rates`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from accord.errors import BadInput

# ISO 4217 list one: every currency not named here has two decimals.
_EXPONENT_EXCEPTIONS: dict[str, int] = {
    **dict.fromkeys(
        (
            [
                "BIF",
                "CLP",
                "DJF",
                "GNF",
                "ISK",
                "JPY",
                "KMF",
                "KRW",
                "PYG",
                "RWF",
                "UGX",
                "UYI",
                "VND",
                "VUV",
                "XAF",
                "XOF",
                "XPF",
            ]
        ),
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
# Codes ISO 4217 lists with no minor unit ("N.A."): precious metals, units of account, tests.
_NOT_MONEY = frozenset(
    [
        "XAD",
        "XAG",
        "XAU",
        "XBA",
        "XBB",
        "XBC",
        "XBD",
        "XDR",
        "XPD",
        "XPT",
        "XSU",
        "XTS",
        "XUA",
        "XXX",
    ]
)


@cache
def _iso_codes() -> frozenset[str]:
    import pycountry  # ISO 4217 codes; loaded only when a currency has to be checked

    return frozenset(c.alpha_3 for c in pycountry.currencies) - _NOT_MONEY


def currency(value: str) -> str:
    """An ISO 4217 currency code, upper-cased; anything else is bad input."""
    code = str(value).strip().upper()
    if code not in _iso_codes():
        raise BadInput(
            f"unknown currency {value!r}; accepted: ISO 4217 codes such as USD, JPY, KRW, AUD, EUR"
        )
    return code


def exponent(code: str) -> int:
    """Minor-unit exponent of a (valid) currency code: JPY 0, KRW 0, USD 2, KWD 3."""
    return _EXPONENT_EXCEPTIONS.get(code, 2)


# The largest amount Accord takes, in minor units: USD 10 trillion, JPY 1,000 trillion. Amounts
# are 64-bit integers in both databases (at most about 9.2e18), and the books add orders up:
# an order's total in a currency is held to this as well (`order.validate_terms`), so that
# thousands of the largest orders still add up without overflowing a column or a SUM.
MAX_MINOR = 10**15
_MAX_DIGITS = len(str(MAX_MINOR)) - 1  # its exponent: a larger amount has more digits


def to_minor(amount: object, code: str, what: str = "amount") -> int:
    """An amount in major units (text, int or Decimal; a float via its shortest repr) as an
    integer count of minor units. More decimals than the currency has is bad input."""
    if isinstance(amount, bool):
        raise BadInput(f"malformed {what} {amount!r}; accepted: a decimal number such as 12.50")
    try:
        value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise BadInput(
            f"malformed {what} {amount!r}; accepted: a decimal number such as 12.50"
        ) from None
    if not value.is_finite():
        raise BadInput(f"malformed {what} {amount!r}; accepted: a finite decimal number")
    places = exponent(code)
    # its size looked at before scaling, which 1e999999999 would overflow and 1e-999999999
    # round to nothing, and before `int` (which a number of a million digits keeps busy)
    size = value.adjusted() + places if value else 0
    if size > _MAX_DIGITS:
        raise _too_large(what, amount, code)
    if size < 0:
        raise _too_fine(what, amount, code, places)
    scaled = value.scaleb(places)
    if abs(scaled) > MAX_MINOR:
        raise _too_large(what, amount, code)
    if scaled != scaled.to_integral_value():
        raise _too_fine(what, amount, code, places)
    return int(scaled)


def _too_large(what: str, amount: object, code: str) -> BadInput:
    return BadInput(
        f"{what} {amount} is too large; accepted: at most {plain(MAX_MINOR, code)} {code}"
    )


def _too_fine(what: str, amount: object, code: str, places: int) -> BadInput:
    return BadInput(
        f"{what} {amount} has more decimals than {code} allows ({places}); "
        f"accepted: at most {places} decimal places"
    )


def to_major(minor: int, code: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(code))


def plain(minor: int, code: str) -> str:
    """`12.34` for 1234 USD, `1234` for 1234 JPY: exact, unlocalised (for files and JSON)."""
    places = exponent(code)
    return f"{to_major(minor, code):.{places}f}"


def display(minor: int, code: str, locale: str = "en_US") -> str:
    """A person's view of the amount (Babel, CLDR): `$12.34`, `¥1,234`, `₩1,234`: the
    currency's own decimals, and never a minor unit rounded away."""
    from babel.numbers import format_currency

    return str(
        format_currency(
            to_major(minor, code),
            code,
            locale=locale,
            format_type="standard",
            decimal_quantization=False,
        )
    )


def convert(minor: int, base: str, quote: str, rate: Decimal) -> int:
    """`minor` units of `base` in minor units of `quote` at `rate` (quote per one base unit),
    rounded half to even: the same answer on every machine."""
    if base == quote:
        return minor
    value = Decimal(minor).scaleb(-exponent(base)) * rate
    converted = value.scaleb(exponent(quote)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    if abs(converted) > MAX_MINOR:
        raise BadInput(
            f"{plain(minor, base)} {base} at {rate} {quote} per {base} is more than the books "
            f"hold; accepted: at most {plain(MAX_MINOR, quote)} {quote}"
        )
    return int(converted)
