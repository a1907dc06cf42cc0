"""`accord releases ...` run as a user runs them (subprocess), on SQLite and PostgreSQL: the
register's records, consent, verify finding an edited row by its number, and nothing written on
bad input (unknown marking, wrong scheme, tampered binding)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ACCORD = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    result = run(tmp_path, "init", "--db", database_url)
    assert result.returncode == 0, result.stderr
    return database_url


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_KEYS_DIR": str(tmp_path / "keys")}
    return subprocess.run(
        [ACCORD, *args], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
    )


def record(tmp_path: Path, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run(tmp_path, "releases", "record", "--db", db, "--by", "Maj. Kim", *args)


KOR_JPN = ("--from", "KOR", "--to", "JPN", "--level", "KOR-II", "--topic", "nk-missile")


def records(tmp_path: Path, db: str) -> list[dict[str, object]]:
    result = run(tmp_path, "releases", "list", "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def one_line(result: subprocess.CompletedProcess[str], status: int, *named: str) -> None:
    assert result.returncode == status, result
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text_ in named:
        assert text_ in result.stderr, result.stderr


def test_record_route_consent_and_verify(tmp_path: Path, db: str) -> None:
    routed = record(
        tmp_path, db, *KOR_JPN, "--on", "2015-06-01", "--route", "KOR,USA,JPN", "--json"
    )
    assert routed.returncode == 0, routed.stderr
    entry = json.loads(routed.stdout)
    assert entry["seq"] == 1 and entry["outcome"] == "released-via-route"
    assert entry["remarking"][-1]["marking"] == "JPN-GOKUHI"
    request = run(
        tmp_path,
        "releases",
        "consent",
        "request",
        "--db",
        db,
        "--from",
        "USA",
        "--to",
        "JPN",
        "--level",
        "KOR-II",
        "--topic",
        "nk-missile",
        "--originator",
        "KOR",
        "--by",
        "US DoD FDO",
        "--on",
        "2015-06-01",
        "--json",
    )
    assert request.returncode == 0, request.stderr
    ref = json.loads(request.stdout)["id"]
    grant = run(tmp_path, "releases", "consent", "grant", ref, "--db", db, "--by", "ROK MND")
    assert grant.returncode == 0, grant.stderr
    onward = record(
        tmp_path,
        db,
        "--from",
        "USA",
        "--to",
        "JPN",
        "--level",
        "KOR-II",
        "--topic",
        "nk-missile",
        "--originator",
        "KOR",
        "--consent",
        ref,
        "--on",
        "2015-06-01",
        "--json",
    )
    assert onward.returncode == 0, onward.stderr
    assert json.loads(onward.stdout)["outcome"] == "released"
    verified = run(tmp_path, "releases", "verify", "--db", db, "--json")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout) | {"head": None} == {
        "register_chain": "ok",
        "records": 4,
        "first_bad_record": None,
        "problem": None,
        "head": None,
    }
    shown = run(tmp_path, "releases", "show", "1", "--db", db)
    assert "released-via-route" in shown.stdout and "KOR → USA → JPN" in shown.stdout


def test_verify_names_the_edited_record(tmp_path: Path, db: str) -> None:
    for on in ("2015-06-01", "2017-01-01", "2019-12-01"):
        assert record(tmp_path, db, *KOR_JPN, "--on", on).returncode == 0
    engine = create_engine(db)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER sharing_register_no_update"))
        connection.execute(
            text(
                "UPDATE sharing_register SET payload = replace(payload, 'Maj. Kim', 'Nobody') "
                "WHERE seq = 2"
            )
        )
    engine.dispose()
    result = run(tmp_path, "releases", "verify", "--db", db)
    one_line(result, 1, "record 2")
    as_json = run(tmp_path, "releases", "verify", "--db", db, "--json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["first_bad_record"] == 2


BAD = [
    (("--from", "KOR", "--to", "JPN", "--level", "KOR-IV", "--topic", "nk-missile"), "KOR-IV"),
    (("--from", "KOR", "--to", "JPN", "--level", "JPN-HI", "--topic", "nk-missile"), "JPN-HI"),
    (
        (
            "--from",
            "KOR",
            "--to",
            "JPN",
            "--level",
            "KOR-II",
            "--topic",
            "nk-missile",
            "--route",
            "KOR,USA,JPN",
            "--on",
            "2014-12-28",
        ),
        "not allowed",
    ),
    (
        (
            "--from",
            "USA",
            "--to",
            "JPN",
            "--level",
            "KOR-II",
            "--topic",
            "nk-missile",
            "--originator",
            "KOR",
            "--consent",
            "12345",
        ),
        "12345",
    ),
]


@pytest.mark.parametrize(("args", "named"), BAD)
def test_bad_input_exit_2_nothing_written(
    tmp_path: Path, db: str, args: tuple[str, ...], named: str
) -> None:
    one_line(record(tmp_path, db, *args), 2, named)
    assert records(tmp_path, db) == []


def test_a_tampered_binding_is_refused_and_nothing_written(tmp_path: Path, db: str) -> None:
    report = tmp_path / "report.txt"
    report.write_bytes(b"launch at 05:40 KST " * 50)
    signed = run(
        tmp_path, "labels", "sign", str(report), "--level", "KOR-II", "--topic", "nk-missile"
    )
    assert signed.returncode == 0, signed.stderr
    binding = f"{report}.bdo.json"
    ok = record(
        tmp_path,
        db,
        "--from",
        "KOR",
        "--to",
        "JPN",
        "--topic",
        "nk-missile",
        "--on",
        "2017-01-01",
        "--binding",
        binding,
        "--content",
        str(report),
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    entry = json.loads(ok.stdout)
    assert entry["content"]["size"] == 1000 and entry["marking"] == "KOR-II"
    assert entry["remarking"][0]["label"]["ConfidentialityLabel"]["kind"] == "alternative"
    report.write_bytes(b"launch at 05:41 KST " * 50)
    bad = record(
        tmp_path,
        db,
        "--from",
        "KOR",
        "--to",
        "JPN",
        "--topic",
        "nk-missile",
        "--on",
        "2017-01-01",
        "--binding",
        binding,
        "--content",
        str(report),
    )
    one_line(bad, 2, "does not verify", "nothing recorded")
    assert len(records(tmp_path, db)) == 1


def test_a_database_without_the_register(tmp_path: Path) -> None:
    result = run(tmp_path, "releases", "list", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    one_line(result, 2, "accord init")
