"""`accord demo` as a user runs it: the same seed makes the same books (on SQLite and on
PostgreSQL alike), the ledger verifies, a second run adds nothing, the refused request and the
overdue orders are there, and the officials' private keys stay out of the database."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

ACCORD = str(Path(sys.executable).with_name("accord"))


def accord(*args: str, keys: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_KEYS_DIR": str(keys), "COLUMNS": "200"}
    done = subprocess.run([ACCORD, *args], env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, (args, done.stdout, done.stderr)
    return done


def books(url: str, keys: Path) -> dict[str, Any]:
    def read(*args: str) -> Any:
        return json.loads(accord(*args, "--db", url, "--json", keys=keys).stdout)

    listed = read("orders", "list", "--limit", "10000", "--as-of", "2026-09-30")
    return {
        "balances": read("ledger", "balances")["balances"],
        "orders": listed["orders"],
        "overdue": read("orders", "list", "--overdue", "--as-of", "2026-09-30")["total"],
        "ceilings": read("ledger", "ceilings"),
    }


def test_same_seed_same_books(database_url: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    first = json.loads(
        accord("demo", "--db", database_url, "--seed", "7", "--json", keys=tmp_path / "k1").stdout
    )
    accord("demo", "--db", other, "--seed", "7", "--json", keys=tmp_path / "k2")
    ours, theirs = books(database_url, tmp_path / "k1"), books(other, tmp_path / "k2")
    assert ours == theirs
    assert len(ours["orders"]) == first["orders"] > 60
    statuses = {o["status"] for o in ours["orders"]}
    assert {"closed", "settled", "billed", "proposed"} <= statuses
    assert ours["overdue"] == len(first["overdue"]) >= 1
    methods = {o["reimbursement"] for o in ours["orders"]}
    assert methods == {"cash", "rik", "eve"}
    for url, keys in ((database_url, tmp_path / "k1"), (other, tmp_path / "k2")):
        verified = json.loads(accord("ledger", "verify", "--db", url, "--json", keys=keys).stdout)
        assert verified["ok"] and verified["balanced"] and verified["audit_chain"] == "ok"

    refused = first["refused"]
    assert refused["request"]["supplier"] == "JPN" and refused["request"]["requester"] == "KOR"
    assert [r["code"] for r in refused["reasons"]] == ["no-agreement"]
    assert all(o["status"] != "cancelled" for o in ours["orders"])
    (unsigned,) = first["unsigned"]
    shown = json.loads(
        accord(
            "orders", "show", unsigned, "--db", database_url, "--json", keys=tmp_path / "k1"
        ).stdout
    )
    assert shown["status"] == "proposed" and [s["side"] for s in shown["signatures"]] == [
        "requester"
    ]

    again = accord("demo", "--db", database_url, "--seed", "7", keys=tmp_path / "k1").stdout
    assert "already there: nothing added" in again
    assert books(database_url, tmp_path / "k1") == ours


def test_the_keys_are_in_the_key_folder_and_not_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    keys = tmp_path / "keys"
    done = accord("demo", "--db", f"sqlite:///{db}", keys=keys).stdout
    assert f"officials' private keys: {keys}" in done
    assert "refused: JPN to supply KOR with fuel" in done and "no-agreement:" in done
    files = sorted(keys.glob("*.pem"))
    assert [f.name for f in files] == [
        "aus-jlc.pem",
        "jpn-jso-j4.pem",
        "kor-jcs-j4.pem",
        "usa-indopacom-j4.pem",
    ]
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        assert b"PRIVATE KEY" in file.read_bytes()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("demo.db*"))
    assert b"PRIVATE KEY" not in stored
    for file in files:
        body = b"".join(file.read_bytes().splitlines()[1:-1])
        assert body not in stored
