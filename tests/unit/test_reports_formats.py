"""Every report format parsed back: CSV (csv), JSON, XLSX (openpyxl), PDF (text extracted by
pypdf contains the Korean and Japanese labels, so the embedded font carries their glyphs)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest

from accord.agreements.index import load_index
from accord.logistics import rates
from accord.logistics.rates import ExchangeRate
from accord.reports import build, formats, labels, rules
from accord.reports.model import WHY, Report

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


def _record(order_id: str, number: str, supplier: str, requester: str, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "order_id": order_id,
        "number": number,
        "supplier": supplier,
        "requester": requester,
        "agreement": "kor-usa-mlsa-1988",
        "transaction_type": "sale",
        "signed_on": dt.date(2023, 2, 20),
        "lines": (rules.PricedLine(1, "fuel", "USD", 100, "fuel/LI"),),
        "events": (
            rules.ValueEvent("d1", "delivered", dt.date(2023, 3, 1), {"quantities": {"1": 100}}),
            rules.ValueEvent(
                "s1", "settled", dt.date(2023, 4, 1), {"method": "cash", "amounts": {"USD": 5000}}
            ),
        ),
    }
    base.update(kw)
    return rules.OrderRecord(**base)


def annual_report(rates: tuple[ExchangeRate, ...] = (), orders: tuple[Any, ...] = ()) -> Report:
    o1 = _record("o1", "USA-2023-000001", "USA", "KOR")
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
        build.AnnualInput(
            book="USA",
            fiscal_year=2023,
            first=dt.date(2022, 10, 1),
            last=dt.date(2023, 9, 30),
            orders=(o1, *orders),
            obligations=[ob],
            terms={"o1": o1},
            waivers=[],
            agreements=load_index().agreements,
            rates=rates,
        ),
        AS_OF,
    )


def krw_report() -> Report:
    """The annual report with a won order and no rate for the won on its signing day."""
    daily = rates.make_rate("KRW", "USD", "0.00075", dt.date(2023, 5, 3))  # the day after
    return annual_report((daily,), (krw_report_order(),))


def test_csv_has_exact_amounts_in_each_ledgers_units() -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(ageing_report()))))
    assert rows[0]["days_over_365"] == "1250.00" and rows[0]["ledger"] == "USD"
    assert rows[1]["days_0_90"] == "200000" and rows[1]["ledger"] == "JPY"
    assert rows[2]["days_91_180"] == "50" and rows[2]["ledger"] == "food/ML"
    assert rows[0]["orders"] == "1"


def test_csv_of_several_sections_names_the_section() -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(annual_report()))))
    sections = {r["section"] for r in rows}
    assert sections == {"agreements", "by-category", "totals-usd", "unreconciled"}
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
    for key in ("annual", "by-category", "unreconciled", "outstanding", "agreements"):
        assert re.sub(r"\s+", "", labels.label(key, lang)) in text, key
    for key in ("totals-usd", "missing-rates", "value_usd", "acsa", "status-in-force"):
        assert re.sub(r"\s+", "", labels.label(key, lang)) in text, key
    assert re.sub(r"\s+", "", labels.category("fuel", lang)) in text
    assert "USA-2023-000001" in text and "kor-usa-mlsa-1988" in text
    assert b"/FontFile" in data  # the font is embedded


def test_pdf_ageing_has_its_chart() -> None:
    from accord.reports.pdf import to_pdf

    data = to_pdf(ageing_report(), "en")
    assert b"/Subtype /Image" in data
    assert "Over365days" in _pdf_text(data)


def test_a_missing_rate_is_said_in_every_format_never_zero() -> None:
    """US dollar figures: a won amount without a rate for its day has no dollar figure (and
    nor has any total that needs it); the report names the missing rate."""
    from openpyxl import load_workbook

    from accord.reports.xlsx import HEADER_ROW, to_xlsx

    report = krw_report()
    food = next(r for r in report.section("by-category").rows if r["ledger"] == "KRW")
    assert food["value"] == 50000 and food["value_usd"] is None
    assert food[WHY]["value_usd"] == "no-rate"
    totals = {(r["direction"], r["category"]): r for r in report.section("totals-usd").rows}
    assert totals[("received", "all")]["value_usd"] is None
    assert totals[("provided", "all")]["value_usd"] == 10000  # the US dollar order: known
    assert report.section("missing-rates").rows == [
        {
            "currency": "KRW",
            "date": dt.date(2023, 5, 2),
            "agreement": "kor-usa-mlsa-1988",
            "orders": 1,
        }
    ]
    assert any("exchange rate(s) missing" in n for n in report.notes)

    rows = list(csv.DictReader(io.StringIO(formats.to_csv(report))))
    krw = next(r for r in rows if r["section"] == "by-category" and r["ledger"] == "KRW")
    assert krw["value"] == "50000" and krw["value_usd"] == ""
    doc = json.loads(formats.to_json(report, "en"))
    by_name = {s["name"]: s for s in doc["sections"]}
    assert by_name["by-category"]["rows"][1]["value_usd"] is None
    assert by_name["missing-rates"]["rows"][0]["currency"] == "KRW"

    section = report.section("by-category")
    column = next(c for c in section.columns if c.key == "value_usd")
    assert formats.display(None, column, food, "en") == "no exchange rate"
    assert formats.display(None, column, food, "ja") == "換算レートなし"

    book = load_workbook(io.BytesIO(to_xlsx(report, "ko")))
    sheet = book[labels.label("by-category", "ko")[:31]]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert cells[1][:7] == [
        "수령",
        labels.category("food", "ko"),
        "KRW",
        50000,
        0,
        50000,
        "환율 없음",
    ]

    from accord.reports.pdf import to_pdf

    assert "환율없음" in _pdf_text(to_pdf(report, "ko"))


def test_us_dollar_totals_add_up_across_currencies() -> None:
    rate = rates.make_rate("KRW", "USD", "0.00075", dt.date(2023, 5, 2))
    report = annual_report((rate,), (krw_report_order(),))
    totals = {(r["direction"], r["category"]): r for r in report.section("totals-usd").rows}
    # KRW 50,000 at 0.00075 = USD 37.50
    assert totals[("received", "food")]["value_usd"] == 3750
    assert totals[("received", "all")]["outstanding_usd"] == 3750
    assert totals[("provided", "all")]["settled_usd"] == 5000
    assert report.section("missing-rates").rows == []
    assert [c.name for c in report.charts] == ["annual-usd-provided", "annual-usd-received"]
    assert all(c.note is None for c in report.charts)


def krw_report_order() -> Any:
    return _record(
        "o2",
        "USA-2023-000002",
        "KOR",
        "USA",
        signed_on=dt.date(2023, 5, 2),
        lines=(rules.PricedLine(1, "food", "KRW", 1000, "food/ML"),),
        events=(
            rules.ValueEvent("d2", "delivered", dt.date(2023, 5, 3), {"quantities": {"1": 50}}),
        ),
    )
