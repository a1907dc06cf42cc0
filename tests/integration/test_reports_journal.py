"""The journal export read by Beancount (in-process, `beancount.loader`, as `bean-check`
does) and by hledger (Debian's, when installed: `.ci/run` installs it), on SQLite and
PostgreSQL: every account's balance equals Accord's own."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from test_orders_support import books  # noqa: F401
from test_reports_support import build_history

from accord.logistics import money
from accord.logistics.ledger import is_currency_ledger
from accord.reports import journal, run
from accord.services.logistics import Logistics


def expected(service: Logistics) -> dict[tuple[str, str], Decimal]:
    """Accord's balance of every account, in the journal's names."""
    out: dict[tuple[str, str], Decimal] = {}
    for r in service.balances():
        name = journal.account(r["book"], r["counterparty"], r["agreement"], r["kind"])
        amount = (
            money.to_major(r["balance"], r["ledger"])
            if is_currency_ledger(r["ledger"])
            else Decimal(r["balance"])
        )
        out[(name, journal.commodity(r["ledger"]))] = amount
    return out


def export(url: str, fmt: str, path: Path) -> Path:
    with run.reading(url) as c, path.open("w", encoding="utf-8") as out:
        assert journal.write(c, out, fmt) > 0
    return path


def test_beancount_accepts_the_journal_and_agrees(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    from beancount import loader
    from beancount.core import realization

    build_history(books)
    path = export(database_url, "beancount", tmp_path / "accord.beancount")
    entries, errors, _options = loader.load_file(str(path))
    assert errors == [], errors[:3]
    found: dict[tuple[str, str], Decimal] = {}
    root = realization.realize(entries)
    for real in realization.iter_children(root):
        for position in real.balance:
            if position.units.number:
                found[(real.account, position.units.currency)] = position.units.number
    assert found == expected(books)


@pytest.mark.skipif(
    shutil.which("hledger") is None,
    reason="hledger is not installed (Debian package hledger; .ci/run installs it)",
)
def test_hledger_accepts_the_journal_and_agrees(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    build_history(books)
    path = export(database_url, "ledger", tmp_path / "accord.journal")
    done = subprocess.run(
        ["hledger", "-f", str(path), "balance", "--flat", "-O", "csv", "--no-total"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in list(csv.reader(io.StringIO(done.stdout)))[1:]:
        name, amounts = row[0], row[1]
        for part in amounts.split(","):
            value, _, symbol = part.strip().partition(" ")
            if value:
                found[(name, symbol.strip('"'))] += Decimal(value)
    assert {k: v for k, v in found.items() if v} == expected(books)


def test_names_both_formats_accept() -> None:
    assert journal.account("JPN", "USA", "jpn-usa-acsa-2016", "receivable") == (
        "Assets:JPN:USA:Jpn-usa-acsa-2016:Receivable"
    )
    assert journal.account("USA", "KOR", "kor usa/sia", "support-received") == (
        "Expenses:USA:KOR:Kor-usa-sia:Support-received"
    )
    assert journal.commodity("USD") == "USD"
    assert journal.commodity("fuel/LI") == "FUEL.LI"
    assert journal.commodity("NSN 9130-00-160-1818/GL") == "NSN9130001601818.GL"
    assert journal.commodity("repair-maintenance/M3") == "REPAIR-MAINTENANCE.M3"
    assert journal.quantity(200000, "JPY") == "200000" and journal.quantity(125, "USD") == "1.25"
