"""`accord officials|orders|ledger` through the real command: exit codes, one-line errors,
nothing written on refusal, idempotent retries, and `ledger verify` as the contract says."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ACCORD = str(Path(sys.executable).with_name("accord"))

ORDER = """\
requester: {nation: USA, unit: 3d Marine Logistics Group}
supplier: {nation: JPN, unit: JGSDF Western Army}
situation: exercise
transaction_type: sale
reimbursement: cash
order_date: 2024-05-01
date_required: 2024-05-10
delivery_place: Camp Hansen, Okinawa
lines:
  - {category: food, description: field rations, quantity: 500, unit: ML, unit_price: "12.50", currency: USD}
  - {category: fuel, description: JP-8, nsn: 9130-01-031-5816, quantity: 20000, unit: LI, unit_price: "0.85", currency: USD}
"""


class Cli:
    def __init__(self, tmp: Path, url: str) -> None:
        self.env = {
            **os.environ,
            "ACCORD_DATABASE_URL": url,
            "ACCORD_KEYS_DIR": str(tmp / "keys"),
            "COLUMNS": "200",
        }
        self.tmp = tmp

    def __call__(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [ACCORD, *args], env=self.env, cwd=self.tmp, capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == code, (args, done.stdout, done.stderr)
        if code:
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
            assert done.stderr.startswith("accord: ")
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def prepare(self, *args: str) -> None:
        """Run a command in this process, for the state a test starts from (`init`, the
        officials): the same code as the installed command, without a second of start-up
        for each; the commands under test go through the installed command."""
        from accord.cli.main import main

        saved = {name: os.environ.get(name) for name in ("ACCORD_DATABASE_URL", "ACCORD_KEYS_DIR")}
        os.environ.update({name: self.env[name] for name in saved})
        try:
            with contextlib.chdir(self.tmp):
                assert main(list(args)) == 0, args
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    run = Cli(tmp_path, database_url)
    run.prepare("init")
    run.prepare(
        "officials",
        "add",
        "--id",
        "us-coord",
        "--name",
        "Maj. Lee",
        "--nation",
        "USA",
        "--limit",
        "USD:1000000",
    )
    run.prepare(
        "officials",
        "add",
        "--id",
        "jp-coord",
        "--name",
        "Sato",
        "--nation",
        "JPN",
        "--limit",
        "USD:20000",
        "--limit",
        "JPY:5000000",
    )
    run.prepare(
        "officials",
        "add",
        "--id",
        "jp-chief",
        "--name",
        "Tanaka",
        "--nation",
        "JPN",
        "--limit",
        "USD:1000000",
    )
    (tmp_path / "order.yaml").write_text(ORDER, encoding="utf-8")
    return run


def counts(cli: Cli) -> tuple[int, int]:
    report = cli.json("ledger", "verify")
    return report["orders"], report["events"]


def test_a_year_of_one_order(cli: Cli) -> None:
    keys = cli.tmp / "keys"
    cli(
        "officials",
        "add",
        "--id",
        "kr-coord",
        "--name",
        "Kim",
        "--nation",
        "KOR",
        "--limit",
        "KRW:1000000000",
    )
    for official in ("us-coord", "kr-coord"):
        mode = (keys / f"{official}.pem").stat().st_mode
        assert mode & 0o077 == 0, "private keys are owner-only"
    officials = cli.json("officials", "list")
    assert {o["id"] for o in officials} == {"us-coord", "jp-coord", "jp-chief", "kr-coord"}
    assert all("PRIVATE" not in json.dumps(o) for o in officials)

    first = cli.json(
        "orders", "propose", "order.yaml", "--on", "2024-05-01", "--idempotency-key", "p1"
    )
    again = cli.json(
        "orders", "propose", "order.yaml", "--on", "2024-05-01", "--idempotency-key", "p1"
    )
    assert again["replayed"] and again["order"]["id"] == first["order"]["id"]
    number = first["order"]["number"]
    assert number == "USA-2024-000001"
    cli("orders", "sign", number, "--as", "us-coord", "--on", "2024-05-02")
    signed = cli.json("orders", "sign", number, "--as", "jp-chief", "--on", "2024-05-02")
    assert signed["bound"] and signed["order"]["status"] == "signed"
    cli(
        "orders",
        "deliver",
        number,
        "--line",
        "1=200",
        "--on",
        "2024-05-10",
        "--document",
        f"1:receipt.pdf={'ab' * 32}",
    )
    cli("orders", "deliver", number, "--all", "--on", "2024-05-12")
    cli("orders", "bill", number, "--on", "2024-05-20")
    overdue = cli.json("orders", "list", "--overdue", "--as-of", "2025-06-01")
    assert [o["number"] for o in overdue["orders"]] == [number]
    cli("orders", "settle", number, "cash", "--amount", "10000", "--on", "2024-06-20")
    settled = cli.json("orders", "settle", number, "cash", "--full", "--on", "2024-07-01")
    assert settled["order"]["status"] == "settled"
    cli("orders", "close", number, "--on", "2024-07-02")
    shown = cli.json("orders", "show", number)
    assert shown["status"] == "closed" and shown["documents_on_file"][0]["line"] == 1
    assert "closed" in cli("orders", "show", number).stdout
    early = cli.json("ledger", "balances", "--as-of", "2024-05-11")["balances"]
    assert {(b["book"], b["kind"]): b["balance"] for b in early}[
        ("JPN", "unbilled-receivable")
    ] == 250000
    assert "support-received" in cli("ledger", "balances").stdout
    report = cli.json("ledger", "verify")
    assert report["balanced"] is True and report["audit_chain"] == "ok"
    assert report["orders"] == 1 and report["postings"] == 20
    page = cli.json("orders", "list", "--search", "rations", "--limit", "1", "--offset", "0")
    assert page["total"] == 1 and cli.json("orders", "list", "--offset", "1")["orders"] == []
    assert cli("orders", "list", "--offset", "1").stdout == (
        "no orders on this page (offset 1, 1 in all)\n"
    )
    assert cli("orders", "list", "--search", "caviar").stdout == "no orders\n"


def test_tables_written_to_a_pipe_keep_their_rows_whole(cli: Cli) -> None:
    """Printed to a file or a pipe (no terminal, no COLUMNS), a table is as wide as its rows,
    not folded to 80 columns with order numbers cut short; each currency with its own
    decimals (yen have none)."""
    cli.env.pop("COLUMNS")
    cli("orders", "propose", "order.yaml", "--on", "2024-05-01")
    listed = cli("orders", "list").stdout
    assert "USA-2024-000001" in listed and "$23,250.00" in listed and "…" not in listed
    officials = cli("officials", "list").stdout
    assert "¥5,000,000," in officials and "¥5,000,000.00" not in officials
    assert "$1,000,000.00" in officials and "…" not in officials


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("food|rations|10|ML|12.50|EURO", "unknown currency"),
        ("food|rations|-10|ML|12.50|USD", "not positive"),
        ("food|rations|10|bucket|12.50|USD", "unknown unit"),
        ("lasers|rations|10|ML|12.50|USD", "unknown category"),
        ("food|rations|10|ML|12.5|JPY", "more decimals"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(cli: Cli, line: str, message: str) -> None:
    before = counts(cli)
    done = cli(
        "orders",
        "propose",
        "--requester",
        "USA",
        "--supplier",
        "JPN",
        "--situation",
        "exercise",
        "--reimbursement",
        "cash",
        "--delivery-place",
        "Camp Hansen",
        "--line",
        line,
        "--on",
        "2024-05-01",
        code=2,
    )
    assert message in done.stderr
    assert counts(cli) == before


def test_an_argument_that_is_not_utf8_exits_2_and_writes_nothing(cli: Cli) -> None:
    """A byte that is not UTF-8 (a terminal in Latin-1, say) reaches Python as half of a
    surrogate pair, which no database can hold: one line naming the argument, exit 2."""
    before = counts(cli)
    latin1 = "cr\udce8me"  # "crème" in Latin-1 bytes, as the command receives them
    done = cli("orders", "propose", "order.yaml", "--delivery-place", latin1, code=2)
    assert "argument 5 ('cr\\xe8me') is not UTF-8 text at character 3" in done.stderr
    assert counts(cli) == before
    done = cli("orders", "list", "--search", latin1, code=2)
    assert "argument 4 " in done.stderr


def test_text_past_its_column_exits_2_on_both_databases(cli: Cli) -> None:
    """PostgreSQL refuses text wider than its column and SQLite keeps it: Accord refuses it
    first, naming the field and its limit, so that both take the same input."""
    name = "n" * 201
    done = cli(
        "officials",
        "add",
        "--id",
        "x",
        "--name",
        name,
        "--nation",
        "USA",
        "--limit",
        "USD:5",
        code=2,
    )
    assert "the official's name is 201 characters long; accepted: at most 200" in done.stderr
    done = cli(
        "ledger",
        "rates",
        "add",
        "--base",
        "JPY",
        "--quote",
        "USD",
        "--rate",
        "0.0067",
        "--on",
        "2024-05-01",
        "--source",
        "s" * 301,
        code=2,
    )
    assert "the rate's source is 301 characters long; accepted: at most 300" in done.stderr
    assert "x" not in {o["id"] for o in cli.json("officials", "list")}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("deep.yaml", b"[" * 100_000, "nested too deeply to be an order file"),
        ("deep.json", b"[" * 100_000, "nested too deeply to be an order file"),
        ("latin1.yaml", "delivery_place: cr\u00e8me".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_an_order_file_it_cannot_read_exits_2(
    cli: Cli, name: str, content: bytes, message: str
) -> None:
    (cli.tmp / name).write_bytes(content)
    assert message in cli("orders", "propose", name, code=2).stderr


def test_no_agreement_is_a_refusal_with_reasons(cli: Cli) -> None:
    before = counts(cli)
    done = cli(
        "orders",
        "propose",
        "--requester",
        "KOR",
        "--supplier",
        "JPN",
        "--situation",
        "exercise",
        "--reimbursement",
        "cash",
        "--delivery-place",
        "Busan",
        "--line",
        "fuel|F-76|1000|LI|1.00|USD",
        "--on",
        "2015-04-13",
        code=1,
    )
    assert "no-agreement" in done.stderr and "JPN" in done.stderr
    assert counts(cli) == before


def test_signature_over_the_limit_exits_2(cli: Cli) -> None:
    number = cli.json("orders", "propose", "order.yaml", "--on", "2024-05-01")["order"]["number"]
    before = counts(cli)
    done = cli("orders", "sign", number, "--as", "jp-coord", "--on", "2024-05-02", code=2)
    assert "may sign up to" in done.stderr
    assert counts(cli) == before
    cli("orders", "deliver", number, "--line", "1=1", code=1)  # not signed: invalid transition


def test_verify_exits_1_when_tampered(cli: Cli, database_url: str) -> None:
    from sqlalchemy import create_engine, text

    number = cli.json("orders", "propose", "order.yaml", "--on", "2024-05-01")["order"]["number"]
    cli("orders", "sign", number, "--as", "us-coord", "--on", "2024-05-02")
    engine = create_engine(database_url)
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("SET session_replication_role = replica"))
        else:
            c.execute(text("DROP TRIGGER logistics_audit_no_update"))
        c.execute(text("UPDATE logistics_audit SET on_date = '2024-01-01' WHERE kind = 'signed'"))
    engine.dispose()
    done = cli("ledger", "verify", "--json", code=1)
    assert json.loads(done.stdout)["audit_chain"] == "broken"
    assert "FAILED" in cli("ledger", "verify", code=1).stdout


def test_database_without_tables_is_one_line(tmp_path: Path) -> None:
    run = Cli(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    done = run("orders", "list", code=2)
    assert "accord init" in done.stderr
