"""Printing for the command line: JSON for tools, Rich for people (imported only when needed,
so that `--json` answers stay fast from a cold start)."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@cache
def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)
