"""What every report is, whatever its format: sections of typed columns and rows, notes that
cite the rule behind the figures, and charts for the formats that can draw.

Amounts in rows are integers: minor units of a currency, or whole units of issue of a
commodity (the ledger code, in the row's `ledger` column, says which). Renderers format them;
nothing here is a float. A value a report cannot give (a US dollar figure without an exchange
rate) is None, never 0, and the row says why under `WHY`: `{column key: label key}`, which
the table, workbook and PDF print in its place (CSV: empty; JSON: null).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Column kinds: how a value is printed.
TEXT = "text"
INT = "int"
DATE = "date"
AMOUNT = "amount"  # int in the units of the row's ledger (see `Column.ledger_key`)
CATEGORY = "category"  # a support category code, shown with its label
PERCENT = "percent"  # a Decimal or int percentage, 0-100
BOOL = "bool"
CENTS_USD = "usd"  # US cents (the 10 U.S.C. 2347 ceilings, US dollar equivalents)

WHY = "_why"  # a row's reasons for the values it lacks: {column key: label key}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    kind: str = TEXT
    ledger_key: str = "ledger"


@dataclass(slots=True)
class Section:
    name: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    note: str | None = None  # the rule behind the section (English; statute citations)

    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[float, ...]  # for drawing only: major units


@dataclass(frozen=True, slots=True)
class Chart:
    name: str  # a label key: ageing | balances-over-time | ceilings
    kind: str  # stacked-bar | line | bar
    unit: str  # the currency or commodity of the values
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    x_kind: str = "text"  # text | category (codes, labelled in the report's language)
    note: str | None = None  # a label key printed under the title (what the chart leaves out)


@dataclass(slots=True)
class Report:
    name: str
    as_of: dt.date
    sections: list[Section]
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def section(self, name: str) -> Section:
        for s in self.sections:
            if s.name == name:
                return s
        raise KeyError(name)
