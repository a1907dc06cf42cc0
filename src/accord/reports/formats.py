"""Text formats: a Rich table for a terminal, CSV and JSON for tools.

CSV and JSON carry exact, unlocalised values: amounts as decimal text in the units of their
ledger (`1250.00` USD, `1234` JPY, `40` litres of fuel), dates as ISO 8601, codes as codes;
the CSV header and the JSON keys are the column keys, whatever `--lang` says. Tables (and the
PDF and workbook) show amounts the way a person reads them, with Babel, in the chosen language.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from accord.logistics import money
from accord.logistics.ledger import is_currency_ledger
from accord.reports import labels
from accord.reports.model import (
    AMOUNT,
    BOOL,
    CATEGORY,
    CENTS_USD,
    DATE,
    INT,
    PERCENT,
    WHY,
    Column,
    Report,
    Section,
)

NUMERIC = frozenset({AMOUNT, INT, CENTS_USD, PERCENT})


def plain(value: Any, column: Column, row: dict[str, Any]) -> Any:
    """The exact value for CSV and JSON."""
    if value is None:
        return None
    if column.kind == AMOUNT:
        ledger = str(row.get(column.ledger_key, ""))
        return money.plain(int(value), ledger) if is_currency_ledger(ledger) else str(int(value))
    if column.kind == CENTS_USD:
        return money.plain(int(value), "USD")
    if column.kind == DATE and isinstance(value, dt.date):
        return value.isoformat()
    if column.kind == PERCENT:
        return str(value)
    if column.kind == INT:
        return int(value)
    if column.kind == BOOL:
        return bool(value)
    return str(value)


def commodity(amount: int, ledger: str) -> str:
    item, _, unit = ledger.rpartition("/")
    return f"{amount:,} {unit} {item}" if item else f"{amount:,} {ledger}"


def currency(minor: int, code: str, lang: str) -> str:
    """`$1,250.00`, `¥200,000`, `₩1,234` in the report's language (`money.display`)."""
    return money.display(minor, code, labels.LOCALES[lang])


def missing(column: Column, row: dict[str, Any], lang: str) -> str:
    """Why the row has no value in `column` ("no exchange rate"), or "" when it needs none."""
    reason = (row.get(WHY) or {}).get(column.key)
    return labels.label(reason, lang) if reason else ""


def display(value: Any, column: Column, row: dict[str, Any], lang: str) -> str:
    """The value as a person reads it, in `lang`."""
    if value is None:
        return missing(column, row, lang)
    kind = column.kind
    if kind == AMOUNT:
        ledger = str(row.get(column.ledger_key, ""))
        if is_currency_ledger(ledger):
            return currency(int(value), ledger, lang)
        return commodity(int(value), ledger)
    if kind == CENTS_USD:
        return currency(int(value), "USD", lang)
    if kind == INT:
        return f"{int(value):,}"
    if kind == PERCENT:
        return f"{Decimal(value):.1f}"
    if kind == BOOL:
        return labels.label("yes" if value else "no", lang)
    if kind == CATEGORY:
        return labels.category(str(value), lang)
    if kind == DATE and isinstance(value, dt.date):
        return value.isoformat()
    if column.key in ("direction", "kind") and labels.has(str(value)):
        return labels.label(str(value), lang)
    if column.key == "agreement_status":
        return labels.label(f"status-{value}", lang)
    if column.key == "situation":
        return labels.situation(str(value), lang)
    return str(value)


def header(column: Column, lang: str) -> str:
    return labels.label(column.key, lang)


def title(report: Report, lang: str) -> str:
    return labels.label(report.name, lang)


def subtitle(report: Report, lang: str) -> str:
    parts = [f"{labels.label('as_of', lang)} {report.as_of.isoformat()}"]
    for key, value in report.params.items():
        if value is None:
            continue
        shown = value.isoformat() if isinstance(value, dt.date) else str(value)
        parts.append(f"{labels.label(key, lang)}: {shown}")
    return " · ".join(parts)


# ---------------------------------------------------------------------- JSON and CSV


def to_json(report: Report, lang: str = "en") -> str:
    sections = [
        {
            "name": s.name,
            "title": labels.label(s.name, lang),
            "columns": s.column_keys(),
            "rows": [_plain_row(s, row) for row in s.rows],
            "note": s.note,
        }
        for s in report.sections
    ]
    document: dict[str, Any] = {
        "report": report.name,
        "title": title(report, lang),
        "as_of": report.as_of.isoformat(),
        "lang": lang,
        "params": {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in report.params.items()
        },
        "sections": sections,
        "notes": report.notes,
    }
    if len(sections) == 1:
        document["rows"] = sections[0]["rows"]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _plain_row(section: Section, row: dict[str, Any]) -> dict[str, Any]:
    return {c.key: plain(row.get(c.key), c, row) for c in section.columns}


def to_csv(report: Report) -> str:
    """One table: the column keys as the header; a report of several sections gets a first
    column `section` and the union of their columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if len(report.sections) == 1:
        section = report.sections[0]
        writer.writerow(section.column_keys())
        for row in section.rows:
            writer.writerow(_csv_cells(section, row, section.column_keys()))
        return out.getvalue()
    keys: list[str] = []
    for section in report.sections:
        keys += [k for k in section.column_keys() if k not in keys]
    writer.writerow(["section", *keys])
    for section in report.sections:
        for row in section.rows:
            writer.writerow([section.name, *_csv_cells(section, row, keys)])
    return out.getvalue()


def _csv_cells(section: Section, row: dict[str, Any], keys: list[str]) -> list[str]:
    by_key = {c.key: c for c in section.columns}
    cells = []
    for key in keys:
        column = by_key.get(key)
        value = plain(row.get(key), column, row) if column else None
        if isinstance(value, bool):
            value = "true" if value else "false"
        cells.append("" if value is None else str(value))
    return cells


# ---------------------------------------------------------------------- Rich


def print_table(report: Report, lang: str, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    console.print(Text(title(report, lang), style="bold"), Text(subtitle(report, lang)))
    for section in report.sections:
        table = Table(
            title=labels.label(section.name, lang) if len(report.sections) > 1 else None,
            title_justify="left",
        )
        for column in section.columns:
            table.add_column(
                header(column, lang), justify="right" if column.kind in NUMERIC else "left"
            )
        for row in section.rows:
            table.add_row(*(Text(display(row.get(c.key), c, row, lang)) for c in section.columns))
        if section.rows:
            console.print(table)
        else:
            if len(report.sections) > 1:
                console.print(Text(labels.label(section.name, lang), style="bold"))
            console.print(Text(labels.label("nothing", lang)))
        if section.note:
            console.print(Text(section.note, style="dim"))
    for note in report.notes:
        console.print(Text(note, style="dim"))
