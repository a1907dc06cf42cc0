"""`accord reports ...` through the real command: each format written and parsed back, exit
codes, and one clear line on stderr (never a traceback) for bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "integration"))

from test_reports_support import build_history

from accord.services.logistics import Logistics
from accord.store.migrate import upgrade

ACCORD = str(Path(sys.executable).with_name("accord"))
AS_OF = ["--as-of", "2024-06-30"]


def accord(
    *args: str, code: int = 0, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ACCORD_DATABASE_URL", None)
    done = subprocess.run([ACCORD, *args], capture_output=True, env=env, cwd=cwd, timeout=120)
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr, stderr
    assert done.returncode == code, (args, done.stdout[:2000], stderr)
    if code:
        assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("accord: "), stderr
    return done


@pytest.fixture
def db(database_url: str) -> str:
    upgrade(database_url)
    service = Logistics(database_url)
    build_history(service)
    service.close()
    return database_url


def test_table_csv_and_json(db: str) -> None:
    table = accord("reports", "ageing", "--db", db, *AS_OF).stdout.decode()
    assert "Ageing of receivables" in table and "$1,250.00" in table and "¥200,000" in table
    data = accord("reports", "balances", "--db", db, *AS_OF, "--format", "csv").stdout.decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    assert {
        "book": "JPN",
        "counterparty": "USA",
        "ledger": "USD",
        "receivable": "1250.00",
        "payable": "850.00",
        "net": "400.00",
    } in rows
    doc = json.loads(accord("reports", "overdue", "--db", db, *AS_OF, "--format", "json").stdout)
    assert doc["report"] == "overdue" and len(doc["rows"]) == 3
    ko = accord("reports", "annual", "--db", db, *AS_OF, "--lang", "ko").stdout.decode()
    assert "연례 보고서" in ko


@pytest.mark.parametrize("name", ["balances", "ageing", "overdue", "missing", "annual", "ceilings"])
def test_every_report_as_xlsx_and_pdf(db: str, name: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    xlsx, pdf = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.pdf"
    accord("reports", name, "--db", db, *AS_OF, "--output", str(xlsx), "--lang", "ja")
    accord("reports", name, "--db", db, *AS_OF, "--output", str(pdf), "--lang", "ko")
    assert load_workbook(xlsx).worksheets[0]["A1"].value
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\x00", "")
    assert "2024-06-30" in text
    assert oct(pdf.stat().st_mode & 0o777) != "0o600"  # an ordinary file, not a temp file


def test_binary_to_a_pipe(db: str) -> None:
    done = accord("reports", "ceilings", "--db", db, *AS_OF, "--format", "pdf")
    assert done.stdout.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--as-of", "2020-13-01"], "malformed date '2020-13-01' for --as-of"),
        (["--format", "docx"], "unknown format 'docx'; accepted: table, csv, json, xlsx, pdf"),
        (["--lang", "fr"], "unknown language 'fr'; accepted: en, ko, ja"),
        (["--book", "XXX"], "unknown nation 'XXX'"),
        (["--output", "/nonexistent/folder/x.csv"], "no folder"),
        (["--frobnicate"], "No such option"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db: str, args: list[str], needle: str) -> None:
    done = accord("reports", "balances", "--db", db, *args, code=2)
    assert needle in done.stderr.decode()


@pytest.mark.parametrize("report", ["ageing", "annual"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_near_the_calendars_ends_is_refused(db: str, report: str, day: str) -> None:
    """Ageing counts a year back and the annual report a fiscal year before: near year 1 or
    9999 Python's calendar cannot, so such a date is one line and exit 2, not a traceback."""
    done = accord("reports", report, "--db", db, "--as-of", day, code=2)
    err = done.stderr.decode()
    assert f"date {day} for --as-of is out of range; accepted: 1900-01-01 to 2999-12-31" in err


def test_missing_database_and_tables(tmp_path: Path) -> None:
    done = accord("reports", "balances", "--db", f"sqlite:///{tmp_path / 'nope.db'}", code=2)
    assert "no database at" in done.stderr.decode()
    assert not (tmp_path / "nope.db").exists()
    empty = tmp_path / "empty.db"
    import sqlite3

    sqlite3.connect(empty).close()
    done = accord("reports", "ageing", "--db", f"sqlite:///{empty}", code=2)
    assert "accord init" in done.stderr.decode()


def test_default_database_and_fiscal_year_range(tmp_path: Path) -> None:
    done = accord("reports", "annual", "--fiscal-year", "20245", code=2, cwd=tmp_path)
    assert "fiscal year 20245 is out of range" in done.stderr.decode()


ANNUAL = ["reports", "annual", "--as-of", "2025-01-15", "--fiscal-year", "2024"]
ANNUAL_SECTIONS = [
    "agreements",
    "by-category",
    "totals-usd",
    "unreconciled",
    "waivers",
    "missing-rates",
]


def _pdf(path: Path) -> tuple[str, int]:
    """The text of a PDF (whitespace removed) and how many pictures it holds."""
    import re

    from pypdf import PdfReader

    pages = PdfReader(path).pages
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in pages))
    return text, sum(len(p.images) for p in pages)


def test_annual_report_carries_agreements_and_dollars_in_every_format(
    db: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from accord.reports import labels

    doc = json.loads(accord(*ANNUAL, "--db", db, "--format", "json").stdout)
    assert [s["name"] for s in doc["sections"]] == ANNUAL_SECTIONS
    sections = {s["name"]: s for s in doc["sections"]}
    totals = {(r["direction"], r["category"]): r for r in sections["totals-usd"]["rows"]}
    assert totals[("received", "all")]["value_usd"] == "2340.00"  # USD 300.00 + JPY 300,000
    agreements = {r["agreement"]: r for r in sections["agreements"]["rows"]}
    assert agreements["jpn-usa-acsa-2016"]["in_force"] == "2017-04-25"

    rows = list(
        csv.DictReader(io.StringIO(accord(*ANNUAL, "--db", db, "--format", "csv").stdout.decode()))
    )
    assert {r["section"] for r in rows} >= {"agreements", "by-category", "totals-usd"}
    jpy = next(r for r in rows if r["section"] == "by-category" and r["ledger"] == "JPY")
    assert (jpy["value"], jpy["value_usd"]) == ("300000", "2040.00")

    table = accord(*ANNUAL, "--db", db, "--lang", "ja").stdout.decode()
    for key in ("agreements", "totals-usd", "missing-rates"):
        assert labels.label(key, "ja") in table, key
    assert "jpn-usa-acsa-2016" in table and "$2,340.00" in table

    xlsx, pdf = tmp_path / "annual.xlsx", tmp_path / "annual.pdf"
    accord(*ANNUAL, "--db", db, "--output", str(xlsx), "--lang", "ko")
    book = load_workbook(xlsx)
    titles = [labels.label(s, "ko")[:31] for s in ANNUAL_SECTIONS]
    assert book.sheetnames == [*titles, "Charts"]
    assert len(book["Charts"]._images) >= 3  # dollars provided, received; balances over time

    accord(*ANNUAL, "--db", db, "--output", str(pdf), "--lang", "ja")
    text, pictures = _pdf(pdf)
    for key in ("agreements", "totals-usd", "missing-rates", "value_usd"):
        assert labels.label(key, "ja").replace(" ", "") in text, key
    assert "jpn-usa-acsa-2016" in text and pictures >= 3


@pytest.mark.parametrize("name", ["balances", "ageing"])
def test_charts_where_a_person_would_rather_look(db: str, name: str, tmp_path: Path) -> None:
    """Ageing and balances over time drawn in the workbook and the PDF: one chart per
    currency (USD and JPY on 2024-06-30)."""
    from openpyxl import load_workbook

    xlsx, pdf = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.pdf"
    accord("reports", name, "--db", db, *AS_OF, "--output", str(xlsx))
    accord("reports", name, "--db", db, *AS_OF, "--output", str(pdf), "--lang", "ko")
    assert len(load_workbook(xlsx)["Charts"]._images) == 2
    assert _pdf(pdf)[1] == 2


def test_annual_report_of_a_year_not_begun_writes_nothing(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "annual.pdf"
    done = accord(
        "reports", "annual", "--db", db, *AS_OF, "--fiscal-year", "2025", "-o", str(target), code=2
    )
    assert "fiscal year 2025 of USA begins on 2024-10-01, after the report's date" in (
        done.stderr.decode()
    )
    assert list(out.iterdir()) == []  # neither the file nor a temporary one
