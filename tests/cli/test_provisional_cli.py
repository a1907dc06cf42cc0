"""An agreement applied provisionally before it enters into force, through the real commands:
`agreements list|show`, `check support` and `reports annual` (10 U.S.C. 2342(h): the agreements
"in force or provisionally applied", with their signature and notification dates).

The agreement is the hypothetical Philippines–US ACSA of `tests/unit/test_provisional_application`
in a user folder (ACCORD_AGREEMENTS_PATH): no shipped file gives a provisional application or a
notification date.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))

from test_provisional_application import CLAUSE, ID, PROVISIONAL

ACCORD = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "agreements"
    folder.mkdir()
    (folder / "phl-usa.yaml").write_text(PROVISIONAL, encoding="utf-8")
    environment = {**os.environ, "ACCORD_AGREEMENTS_PATH": str(folder), "COLUMNS": "200"}
    environment.pop("ACCORD_DATABASE_URL", None)
    return environment


def accord(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([ACCORD, *args], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, (args, done.stdout[:2000], done.stderr)
    assert "Traceback" not in done.stderr
    return done.stdout


def test_list_shows_the_provisional_status_and_dates(env: dict[str, str]) -> None:
    rows = {
        r["id"]: r
        for r in json.loads(accord(env, "agreements", "list", "--on", "2030-03-01", "--json"))
    }
    assert rows[ID]["status"] == "provisionally-applied"
    assert (rows[ID]["provisionally_applied"], rows[ID]["notified"]) == ("2030-02-01", "2029-11-20")
    assert rows["kor-usa-mlsa-1988"]["provisionally_applied"] is None
    table = accord(env, "agreements", "list", "--on", "2030-03-01", "--party", "PHL")
    assert "provisionally applied" in table and "notified" in table
    line = next(line for line in table.splitlines() if ID in line)
    assert "2030-02-01" in line and "2029-11-20" in line and "provisionally-applied" in line
    shown = accord(env, "agreements", "show", ID, "--on", "2030-03-01")
    assert "provisionally applied 2030-02-01" in shown and "notified 2029-11-20" in shown
    assert "status provisionally-applied" in shown


def test_list_without_such_dates_keeps_its_columns(env: dict[str, str]) -> None:
    table = accord(env, "agreements", "list", "--on", "2030-03-01", "--party", "KOR")
    assert "provisionally applied" not in table and "notified" not in table


def test_check_support_in_the_provisional_window(env: dict[str, str]) -> None:
    ask = ["check", "support", "--from", "USA", "--to", "PHL", "--category", "fuel"]
    ask += ["--situation", "exercise", "--json", "--on"]
    before = json.loads(accord(env, *ask, "2030-01-31"))
    assert before["allowed"] is False and before["reasons"][0]["code"] == "not-in-force"
    during = json.loads(accord(env, *ask, "2030-02-01"))
    assert during["allowed"] is True
    [reason] = during["reasons"]
    assert (reason["agreement"], reason["clause_id"]) == (ID, CLAUSE)
    assert (
        "is provisionally applied from 2030-02-01, before its entry into force on 2030-06-01"
        in (reason["message"])
    )


def test_annual_report_lists_it_in_every_format(env: dict[str, str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'accord.db'}"
    accord(env, "init", "--db", db)
    annual = ["reports", "annual", "--db", db, "--as-of", "2030-03-15", "--fiscal-year", "2030"]
    doc = json.loads(accord(env, *annual, "--format", "json"))
    [section] = [s for s in doc["sections"] if s["name"] == "agreements"]
    row = next(r for r in section["rows"] if r["agreement"] == ID)
    assert row["provisionally_applied"] == "2030-02-01" and row["notified"] == "2029-11-20"
    assert row["in_force"] == "2030-06-01" and row["agreement_status"] == "provisionally-applied"
    rows = list(csv.DictReader(io.StringIO(accord(env, *annual, "--format", "csv"))))
    [line] = [r for r in rows if r["section"] == "agreements" and r["agreement"] == ID]
    assert (line["provisionally_applied"], line["notified"]) == ("2030-02-01", "2029-11-20")
    table = accord(env, *annual, "--lang", "ja")
    assert "暫定適用中" in table and "暫定適用開始日" in table
