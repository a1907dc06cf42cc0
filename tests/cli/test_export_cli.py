"""`accord export journal` through the real command: both formats, and bad input."""

from __future__ import annotations

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


def accord(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [ACCORD, *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (args, done.stdout[:2000], done.stderr)
    if code:
        assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("accord: ")
    return done


@pytest.fixture
def db(database_url: str) -> str:
    upgrade(database_url)
    service = Logistics(database_url)
    build_history(service)
    service.close()
    return database_url


def test_both_formats(db: str, tmp_path: Path) -> None:
    text = accord("export", "journal", "--format", "ledger", "--db", db).stdout
    assert "Assets:JPN:USA:Jpn-usa-acsa-2016:Receivable  1250.00 USD" in text
    assert '"FOOD.ML"' in text
    path = tmp_path / "books.beancount"
    accord("export", "journal", "--format", "beancount", "--db", db, "--output", str(path))
    check = subprocess.run(
        [str(Path(sys.executable).with_name("bean-check")), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    us = accord("export", "journal", "--format", "ledger", "--db", db, "--book", "USA").stdout
    assert ":JPN:USA:" not in us and ":USA:JPN:" in us


def test_bad_input(db: str, tmp_path: Path) -> None:
    done = accord("export", "journal", "--format", "qif", "--db", db, code=2)
    assert "unknown format 'qif'; accepted: ledger, beancount" in done.stderr
    accord("export", "journal", "--db", db, code=2)  # --format is required
    done = accord(
        "export", "journal", "--format", "ledger", "--db", f"sqlite:///{tmp_path}/none.db", code=2
    )
    assert "no database at" in done.stderr
