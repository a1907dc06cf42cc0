"""Every report format parsed back: CSV (csv), JSON, XLSX (openpyxl), PDF (text extracted by
pypdf contains the Korean and Japanese labels, so the embedded font carries their glyphs)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest

from accord.reports import build, formats, labels, rules
from accord.reports.model import Report

AS_OF = dt.date(2024, 6, 30)


def ageing_report() -> Report:
    rows = [
        {
            "creditor": "JPN",
            "debtor": "USA",
            "ledger": "USD",
            "days_0_90": 0,
            "days_91_180": 0,
            "days_181_365": 0,
            "days_over_365": 125000,
            "total": 125000,
            "orders": 1,
        },
        {
            "creditor": "JPN",
            "debtor": "USA",
            "ledger": "JPY",
            "days_0_90": 200000,
            "days_91_180": 0,
            "days_181_365": 0,
            "days_over_365": 0,
            "total": 200000,
            "orders": 1,
        },
        {
            "creditor": "USA",
            "debtor": "KOR",
            "ledger": "food/ML",
            "days_0_90": 0,
            "days_91_180": 50,
            "days_181_365": 0,
            "days_over_365": 0,
            "total": 50,
            "orders": 1,
        },
    ]
    return build.ageing(rows, AS_OF)


def annual_report() -> Report:
    lines = [
        {
            "order_id": "o1",
            "direction": "provided",
            "owes_money": True,
            "collected": {"USD": 5000},
            "category": "fuel",
            "currency": "USD",
            "value": 10000,
        }
    ]
    ob = rules.Obligation(
        "o1",
        "USA-2023-000001",
        "USA",
        "KOR",
        "kor-usa-mlsa-1988",
        "cash",
        "receivable",
        "USD",
        5000,
        dt.date(2023, 3, 1),
    )
    return build.annual(
        lines, [ob], [], AS_OF, "USA", 2023, dt.date(2022, 10, 1), dt.date(2023, 9, 30)
    )


def test_csv_has_exact_amounts_in_each_ledgers_units() -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(ageing_report()))))
    assert rows[0]["days_over_365"] == "1250.00" and rows[0]["ledger"] == "USD"
    assert rows[1]["days_0_90"] == "200000" and rows[1]["ledger"] == "JPY"
    assert rows[2]["days_91_180"] == "50" and rows[2]["ledger"] == "food/ML"
    assert rows[0]["orders"] == "1"


def test_csv_of_several_sections_names_the_section() -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(annual_report()))))
    sections = {r["section"] for r in rows}
    assert sections == {"by-category", "unreconciled"}
    fuel = next(r for r in rows if r["section"] == "by-category")
    assert (fuel["category"], fuel["value"], fuel["settled"], fuel["outstanding"]) == (
        "fuel",
        "100.00",
        "50.00",
        "50.00",
    )


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_json_round_trip(lang: str) -> None:
    doc = json.loads(formats.to_json(ageing_report(), lang))
    assert doc["report"] == "ageing" and doc["as_of"] == "2024-06-30" and doc["lang"] == lang
    assert doc["title"] == labels.label("ageing", lang)
    assert doc["rows"][1]["total"] == "200000" and doc["rows"][0]["orders"] == 1
    assert doc["sections"][0]["columns"][:3] == ["creditor", "debtor", "ledger"]


def test_table_display_is_localised() -> None:
    report = ageing_report()
    col = report.sections[0].columns[6]  # over 365 days
    row = report.sections[0].rows[0]
    assert formats.display(row[col.key], col, row, "en") == "$1,250.00"
    yen = report.sections[0].rows[1]
    assert formats.display(yen["total"], col, yen, "ja") == "￥200,000"
    kind = report.sections[0].rows[2]
    assert formats.display(kind["total"], col, kind, "en") == "50 ML food"


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
def test_xlsx_parsed_back(lang: str) -> None:
    from decimal import Decimal

    from openpyxl import load_workbook

    from accord.reports.xlsx import HEADER_ROW, to_xlsx

    book = load_workbook(io.BytesIO(to_xlsx(ageing_report(), lang)))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == labels.label("ageing", lang)
    heads = [c.value for c in sheet[HEADER_ROW]]
    assert heads[:2] == [labels.label("creditor", lang), labels.label("debtor", lang)]
    first = [c.value for c in sheet[HEADER_ROW + 1]]
    assert first[:3] == ["JPN", "USA", "USD"]
    assert Decimal(str(first[6])) == Decimal("1250.00")
    assert sheet.cell(HEADER_ROW + 1, 7).number_format == "#,##0.00"
    assert sheet.cell(HEADER_ROW + 2, 4).number_format == "#,##0"  # JPY has no minor unit
    assert "Charts" in book.sheetnames  # the ageing chart


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_pdf_carries_korean_and_japanese_text(lang: str) -> None:
    from accord.reports.pdf import to_pdf

    data = to_pdf(annual_report(), lang)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    for key in ("annual", "by-category", "unreconciled", "outstanding"):
        assert re.sub(r"\s+", "", labels.label(key, lang)) in text, key
    assert re.sub(r"\s+", "", labels.category("fuel", lang)) in text
    assert "USA-2023-000001" in text
    assert b"/FontFile" in data  # the font is embedded


def test_pdf_ageing_has_its_chart() -> None:
    from accord.reports.pdf import to_pdf

    data = to_pdf(ageing_report(), "en")
    assert b"/Subtype /Image" in data
    assert "Over365days" in _pdf_text(data)
