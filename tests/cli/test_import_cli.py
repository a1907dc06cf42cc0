"""`accord orders import` as a user runs it: one line on stderr per bad row (FILE:LINE: order
KEY: reason) and exit 1, the good orders imported anyway; a clean file exits 0; a re-run adds
nothing; bad input (no file, a wrong header, an unknown format) is one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from accord.logistics import units

ACCORD = str(Path(sys.executable).with_name("accord"))
UNITS = list(units.UNITS)
HEADER = (
    "order,requester,supplier,situation,reimbursement,order_date,delivery_place,"
    "category,description,quantity,unit,unit_price,currency\n"
)
GOOD = (
    "EX-1,USA,JPN,exercise,cash,2024-05-01,Camp Hansen,food,field rations,500,ML,12.50,USD\n"
    "EX-1,,,,,,,fuel,JP-8,20000,LI,0.85,USD\n"
    "EX-2,JPN,USA,exercise,cash,2024-05-02,Yokosuka,port-services,pilotage,1,LO,4600,USD\n"
    "EX-3,AUS,JPN,exercise,eve,2024-05-03,Hijudai,billeting,barracks,40,PD,5400,JPY\n"
)
BAD = (
    "EX-4,USA,JPN,exercise,cash,2024-05-01,Camp Hansen,food,rations,10,BARREL,1.00,USD\n"
    "EX-5,KOR,JPN,exercise,cash,2015-04-13,Busan,fuel,F-76,1000,LI,1.00,USD\n"
)


class Cli:
    def __init__(self, tmp: Path, url: str) -> None:
        self.env = {**os.environ, "ACCORD_DATABASE_URL": url, "COLUMNS": "200"}
        self.env.pop("ACCORD_KEYS_DIR", None)
        self.tmp = tmp

    def __call__(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [ACCORD, *args], env=self.env, cwd=self.tmp, capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == code, (args, done.stdout, done.stderr)
        return done

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    run = Cli(tmp_path, database_url)
    run("init")
    return run


def test_each_bad_row_is_one_line_and_the_good_orders_go_in(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    done = cli("orders", "import", str(path), code=1)
    errors = done.stderr.strip().splitlines()
    assert sorted(errors) == sorted(
        [
            f"{path}:6: order EX-4: unknown unit of issue 'BARREL'; accepted: "
            + ", ".join(UNITS)
            + "; order not imported",
            f"{path}:7: order EX-5: refused: the agreements do not allow JPN to supply KOR in "
            "'exercise' on 2015-04-13: 'fuel': no-agreement: No agreement between JPN and KOR "
            "covers logistic support on 2015-04-13; order not imported",
        ]
    )
    assert "imported 3 orders (4 lines) from 6 rows" in done.stdout
    assert "2 bad rows" in done.stdout
    listed = cli.json("orders", "list")
    assert listed["total"] == 3 and {o["status"] for o in listed["orders"]} == {"proposed"}
    verified = cli.json("ledger", "verify")
    assert verified["balanced"] and verified["audit_chain"] == "ok" and verified["orders"] == 3

    again = cli.json("orders", "import", str(path), code=1)
    assert again["imported"] == {"orders": 0, "lines": 0}
    assert again["already_imported"] == {"orders": 3, "lines": 4} and again["bad_rows"] == 2
    assert cli.json("orders", "list")["total"] == 3


def test_a_clean_file_exits_0_with_progress_lines(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    keys = HEADER.strip().split(",")
    path.write_text(
        "".join(
            json.dumps(dict(zip(keys, line.split(","), strict=True))) + "\n"
            for line in GOOD.splitlines()
        ),
        encoding="utf-8",
    )
    done = cli("orders", "import", str(path), "--progress", "lines", "--batch-size", "1")
    assert done.stderr == ""
    progress = [line for line in done.stdout.splitlines() if line.startswith("progress:")]
    assert len(progress) == 3 and "3 orders imported" in progress[-1]
    assert cli.json("orders", "import", str(path))["already_imported"]["orders"] == 3


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "no import file"),
        ("order,requestor\n", (), ":1: unknown column 'requestor'; accepted: order, id, number"),
        (HEADER, ("--format", "xlsx"), "unknown --format 'xlsx'; accepted: csv, jsonl"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    cli: Cli, tmp_path: Path, content: str | None, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "orders.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    done = cli("orders", "import", str(path), *args, code=2)
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("accord: ")
    assert message in done.stderr


def test_an_uninitialised_database_is_one_line(tmp_path: Path) -> None:
    run = Cli(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    done = run("orders", "import", str(path), code=2)
    assert done.stderr.strip() == (
        "accord: the database has no logistics tables; run `accord init` with the same --db first"
    )


def test_a_dry_run_reports_what_the_import_would_do_and_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    """`--dry-run` checks the whole file as the import does (the same bad rows, the same
    counts, batch after batch in one transaction) and leaves the books as they were."""
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    before = cli.json("ledger", "verify")
    checked = cli("orders", "import", str(path), "--dry-run", "--batch-size", "1", code=1)
    assert "would import 3 orders (4 lines) from 6 rows" in checked.stdout
    assert "--dry-run: nothing was written" in checked.stdout
    assert cli.json("orders", "list")["total"] == 0
    after = cli.json("ledger", "verify")
    assert after["ok"] and after["events"] == before["events"]

    dry = cli.json("orders", "import", str(path), "--dry-run", code=1)
    done = cli.json("orders", "import", str(path), code=1)
    assert dry["dry_run"] and not done["dry_run"]
    same = ("rows", "imported", "already_imported", "bad_rows", "by_status", "events", "postings")
    assert {k: dry[k] for k in same} == {k: done[k] for k in same}
    assert cli("orders", "import", str(path), "--dry-run", code=1).stderr == checked.stderr
    again = cli.json("orders", "import", str(path), "--dry-run", code=1)
    assert again["imported"]["orders"] == 0 and again["already_imported"]["orders"] == 3
