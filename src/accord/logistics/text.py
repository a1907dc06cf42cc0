"""Free text that the books can hold: the longest each field may be (the width of its column,
which PostgreSQL enforces and SQLite does not, so that both databases take the same input),
and no NUL character (which PostgreSQL's text cannot hold)."""

from __future__ import annotations

from accord.errors import BadInput

UNIT_CHARS = 200  # a requesting or supplying unit
PLACE_CHARS = 300  # a delivery place
DESCRIPTION_CHARS = 500  # an order line's description
DOCUMENT_NAME_CHARS = 300
AGREEMENT_CHARS = 100  # an agreement's or arrangement's id
NAME_CHARS = 200  # an official's name or title
SOURCE_CHARS = 300  # where an exchange rate comes from


def check_text(value: str, what: str, limit: int) -> None:
    if len(value) > limit:
        raise BadInput(f"{what} is {len(value):,} characters long; accepted: at most {limit}")
    if "\x00" in value:
        raise BadInput(f"{what} contains a NUL character; accepted: text without one")
