"""Printing for the command line: JSON for tools, Rich for people (imported only when needed,
so that `--json` answers stay fast from a cold start)."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


# Rich fits a table to the terminal; written to a file or a pipe, where it has no terminal to
# ask, it would fold every table to 80 columns and cut order numbers and amounts short. There
# each row is printed whole instead, as wide as it needs up to this (COLUMNS, when set, still
# decides).
PIPED_WIDTH = 1000


@cache
def console() -> Console:
    from rich.console import Console

    sized = sys.stdout.isatty() or "COLUMNS" in os.environ
    return Console(highlight=False, soft_wrap=False, width=None if sized else PIPED_WIDTH)
