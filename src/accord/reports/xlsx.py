"""Reports as Excel workbooks (openpyxl): a sheet per section with the title, the date, a
header row (row 4) and the data from row 5; amounts are numbers in their ledger's units
with as many decimals as the currency has; charts on a sheet of their own."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from accord.logistics import money
from accord.logistics.ledger import is_currency_ledger
from accord.reports import charts, formats, labels
from accord.reports.model import (
    AMOUNT,
    BOOL,
    CATEGORY,
    CENTS_USD,
    DATE,
    INT,
    PERCENT,
    Column,
    Report,
)

HEADER_ROW = 4
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _number_format(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


def _cell(value: Any, column: Column, row: dict[str, Any], lang: str) -> tuple[Any, str | None]:
    """The cell's value and number format (a value the report lacks: why, as text)."""
    if value is None:
        return formats.missing(column, row, lang) or None, None
    if column.kind == AMOUNT:
        ledger = str(row.get(column.ledger_key, ""))
        if is_currency_ledger(ledger):
            places = money.exponent(ledger)
            return money.to_major(int(value), ledger), _number_format(places)
        return int(value), "#,##0"
    if column.kind == CENTS_USD:
        return money.to_major(int(value), "USD"), _number_format(2)
    if column.kind == INT:
        return int(value), "#,##0"
    if column.kind == PERCENT:
        return Decimal(value), "0.0"
    if column.kind == DATE and isinstance(value, dt.date):
        return value, "yyyy-mm-dd"
    if column.kind == BOOL:
        return bool(value), None
    if column.kind == CATEGORY:
        return labels.category(str(value), lang), None
    return formats.display(value, column, row, lang), None


def to_xlsx(report: Report, lang: str = "en") -> bytes:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    first = True
    for section in report.sections:
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = labels.label(section.name, lang).translate(_BAD_SHEET_CHARS)[:31]
        sheet["A1"] = formats.title(report, lang)
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A2"] = formats.subtitle(report, lang)
        if len(report.sections) > 1:
            sheet["A3"] = labels.label(section.name, lang)
            sheet["A3"].font = Font(bold=True)
        widths = []
        for j, column in enumerate(section.columns, start=1):
            cell = sheet.cell(HEADER_ROW, j, formats.header(column, lang))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE5F0")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths.append(max(10, len(formats.header(column, lang)) + 2))
        for i, row in enumerate(section.rows, start=HEADER_ROW + 1):
            for j, column in enumerate(section.columns, start=1):
                value, number_format = _cell(row.get(column.key), column, row, lang)
                cell = sheet.cell(i, j, value)
                if number_format:
                    cell.number_format = number_format
                widths[j - 1] = min(60, max(widths[j - 1], len(str(value or "")) + 2))
        for j, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(j)].width = width
        sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
        below = HEADER_ROW + len(section.rows) + 2
        if not section.rows:
            sheet.cell(below - 1, 1, labels.label("nothing", lang))
        for k, note in enumerate(
            ([section.note] if section.note else [])
            + (report.notes if section is report.sections[-1] else [])
        ):
            sheet.cell(below + k, 1, note).font = Font(italic=True, color="555555")
    if report.charts:
        sheet = workbook.create_sheet("Charts")
        anchor = 1
        for chart in report.charts:
            image = Image(io.BytesIO(charts.png(chart, lang)))
            image.width, image.height = 900, 360
            sheet.add_image(image, f"A{anchor}")
            anchor += 20
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
