"""Importing orders end to end: `accord orders import` of a seeded file of 1,000,000 order
lines, against a bare `executemany` of the same rows into one equivalent table, in the same run.

The file (`accord.services.demo.sample_rows`): orders between the USA, Japan, Korea and
Australia under their agreements, 1 to 40 lines each (about 10 on average), priced in the
supplier's currency; `--history-share` of them (3% by default) carry both officials' Ed25519
signatures and a history (delivered, billed, settled, closed), so that postings are made and
signatures verified; a few rows are bad (refused, malformed), as in life.

Measured: the importer as a user runs it (a subprocess: start-up, reading, decisions,
ceilings, events, postings, audit chain, commits), its wall time and peak memory (max RSS from
`wait4`); then, in this process, the same rows as read from the file inserted with one
`executemany` per 10,000 rows into a table with one column per CSV column, in one transaction
(`bare`), and the same again counting the CSV reading (`bare_with_reading`). Each is done
`--repeat` times, in turn, and reported by its median: this machine's speed drifts by a
sixth within minutes. SQLite always; PostgreSQL too when ACCORD_TEST_POSTGRES_URL names a
server (`source .ci/postgres.sh && start_test_postgres`). Prints one JSON object.

    .venv/bin/python bench/import_orders.py [--lines 1000000] [--seed 7] [--history-share 0.03]
        [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import machine, now
from accord.services.demo import sample_books, sample_rows, write_sample
from accord.services.importer import COLUMNS

ACCORD = str(Path(sys.executable).with_name("accord"))
CHUNK = 10_000


# A small process that starts the importer and reaps it with `wait4`. A child's peak memory
# (ru_maxrss) starts from the memory of the process that forked it, so the importer is not
# forked from this one, which holds a million rows for the baseline.
LAUNCHER = """
import json, os, subprocess, sys
for line in sys.stdin:
    job = json.loads(line)
    with open(job["out"], "wb") as out, open(job["err"], "wb") as err:
        child = subprocess.Popen(job["args"], stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "max_rss_kb": usage.ru_maxrss}),
          flush=True)
"""


class Launcher:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, args: list[str], out: Path, err: Path) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"args": args, "out": str(out), "err": str(err)}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        done: dict[str, Any] = json.loads(self.process.stdout.readline())
        return done

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def run_import(
    launcher: Launcher, path: Path, url: str, batch: int, folder: Path, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`accord orders import` as a user runs it: its JSON summary, wall time and peak memory."""
    out, err = folder / "import.out", folder / "import.err"
    command = [ACCORD, "orders", "import", str(path), "--db", url, "--json"]
    started = time.perf_counter()
    done = launcher.run([*command, "--batch-size", str(batch), *extra], out, err)
    seconds = time.perf_counter() - started
    errors = err.read_bytes()
    if done["code"] not in (0, 1):
        raise SystemExit(f"import failed ({done['code']}): {errors.decode()[-2000:]}")
    return {
        "summary": json.loads(out.read_bytes()),
        "bad_row_lines": len(errors.splitlines()),
        "seconds": round(seconds, 2),
        "max_rss_mb": round(done["max_rss_kb"] / 1024, 1),
    }


def read_rows(path: Path) -> list[tuple[str, ...]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [tuple(row) for row in reader]


def bare_sqlite(path: Path, folder: Path, rows: list[tuple[str, ...]] | None) -> float:
    """Rows per second of `executemany` into one table of the CSV's columns (WAL, synchronous
    NORMAL, as Accord opens SQLite); `rows` None: reading the CSV is counted too."""
    import sqlite3

    db = folder / f"bare-{uuid.uuid4().hex[:8]}.db"
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f'"{c}" TEXT' for c in COLUMNS)
    connection.execute(f"CREATE TABLE order_rows ({columns})")
    sql = (
        f"INSERT INTO order_rows ({', '.join(repr(c) for c in COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in COLUMNS)})"
    )
    started = time.perf_counter()
    source = rows if rows is not None else read_rows(path)
    connection.execute("BEGIN")
    for start in range(0, len(source), CHUNK):
        connection.executemany(sql, source[start : start + CHUNK])
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    remove_sqlite(db)
    return len(source) / seconds


def remove_sqlite(db: Path) -> None:
    """A SQLite database's file and its WAL files."""
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def bare_postgres(admin: str, path: Path, rows: list[tuple[str, ...]] | None) -> float:
    url = fresh_postgres(admin)
    try:
        return _bare_postgres(url, path, rows)
    finally:
        drop_postgres(admin, url)


def _bare_postgres(url: str, path: Path, rows: list[tuple[str, ...]] | None) -> float:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    dsn = f"host={u.host} port={u.port} user={u.username} dbname={u.database}"
    with psycopg.connect(dsn) as connection:
        columns = ", ".join(f'"{c}" TEXT' for c in COLUMNS)
        connection.execute(f"CREATE TABLE order_rows ({columns})")
        connection.commit()
        sql = (
            f"INSERT INTO order_rows ({', '.join(chr(34) + c + chr(34) for c in COLUMNS)}) "
            f"VALUES ({', '.join('%s' for _ in COLUMNS)})"
        )
        started = time.perf_counter()
        source = rows if rows is not None else read_rows(path)
        with connection.cursor() as cursor:
            for start in range(0, len(source), CHUNK):
                cursor.executemany(sql, source[start : start + CHUNK])
        connection.commit()
        seconds = time.perf_counter() - started
    return len(source) / seconds


def fresh_postgres(admin: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"accord_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_postgres(admin: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


Books = Callable[[], tuple[str, Callable[[], None]]]  # a fresh database: its URL, its removal


def sqlite_books(folder: Path, label: str, signers: dict[str, Any]) -> Books:
    numbers = itertools.count()

    def fresh() -> tuple[str, Callable[[], None]]:
        db = folder / f"accord-{label}-{next(numbers)}.db"
        url = f"sqlite:///{db}"
        sample_books(url, signers)
        return url, lambda: remove_sqlite(db)

    return fresh


def postgres_books(admin: str, signers: dict[str, Any]) -> Books:
    def fresh() -> tuple[str, Callable[[], None]]:
        url = fresh_postgres(admin)
        sample_books(url, signers)
        return url, lambda: drop_postgres(admin, url)

    return fresh


def measure(
    label: str,
    books: Books,
    path: Path,
    lines: int,
    batch: int,
    bare: Any,
    launcher: Launcher,
    repeat: int,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """`repeat` rounds of the import (each into fresh books) and the two bare baselines, in
    turn, so that a change in the machine's speed reaches them alike; medians."""
    runs = []
    for _ in range(repeat):
        url, remove = books()
        try:
            imported = run_import(launcher, path, url, batch, path.parent, extra)
        finally:
            remove()
        rows = read_rows(path)
        bare_rate = bare(rows)
        del rows
        runs.append(
            {
                "seconds_wall": imported["seconds"],
                "seconds_inside": imported["summary"]["seconds"],
                "lines_per_s": round(lines / imported["seconds"]),
                "max_rss_mb": imported["max_rss_mb"],
                "bare_executemany_rows_per_s": round(bare_rate),
                "bare_with_csv_reading_rows_per_s": round(bare(None)),
            }
        )
    summary = imported["summary"]

    def median(key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    rate, bare_rate = median("lines_per_s"), median("bare_executemany_rows_per_s")
    bare_reading_rate = median("bare_with_csv_reading_rows_per_s")
    peak = max(r["max_rss_mb"] or 0 for r in runs)
    return {
        "database": label,
        "import": {
            "rows": summary["rows"],
            "orders_imported": summary["imported"]["orders"],
            "lines_imported": summary["imported"]["lines"],
            "bad_rows": summary["bad_rows"],
            "by_status": summary["by_status"],
            "events": summary["events"],
            "postings": summary["postings"],
            "seconds_wall_median": median("seconds_wall"),
            "lines_per_s_median": round(rate),
            "max_rss_mb": peak,
        },
        "bare_executemany_rows_per_s_median": round(bare_rate),
        "bare_with_csv_reading_rows_per_s_median": round(bare_reading_rate),
        "ratio_to_bare": round(rate / bare_rate, 3),
        "ratio_to_bare_with_reading": round(rate / bare_reading_rate, 3),
        "runs": runs,
        "targets": {
            "lines_per_s_at_least_50000": rate >= 50_000 if label.startswith("sqlite") else None,
            "ratio_at_least_0.2": rate / bare_rate >= 0.2,
            "peak_memory_at_most_1GiB": peak <= 1024,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--history-share", type=float, default=0.03)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per database (medians)")
    args = parser.parse_args()

    launcher = Launcher()
    with tempfile.TemporaryDirectory(prefix="accord-bench-import-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'accord.db'}"
        signers = sample_books(url)
        path = folder / "orders.csv"
        started = time.perf_counter()
        written = write_sample(
            path,
            sample_rows(
                args.lines,
                args.seed,
                history_share=args.history_share,
                signers=signers,
                bad_share=0.001,
            ),
        )
        generated = time.perf_counter() - started
        results = [
            measure(
                "sqlite",
                sqlite_books(folder, "parallel", signers),
                path,
                written,
                args.batch_size,
                lambda rows: bare_sqlite(path, folder, rows),
                launcher,
                args.repeat,
                ("--parallel",),
            ),
            measure(
                "sqlite --serial",
                sqlite_books(folder, "serial", signers),
                path,
                written,
                args.batch_size,
                lambda rows: bare_sqlite(path, folder, rows),
                launcher,
                args.repeat,
                ("--serial",),
            ),
        ]
        admin = os.environ.get("ACCORD_TEST_POSTGRES_URL")
        if admin and not args.no_postgres:
            results.append(
                measure(
                    "postgresql",
                    postgres_books(admin, signers),
                    path,
                    written,
                    args.batch_size,
                    lambda rows: bare_postgres(admin, path, rows),
                    launcher,
                    args.repeat,
                )
            )
        launcher.close()
        print(
            json.dumps(
                {
                    "benchmark": "import_orders",
                    "when": now(),
                    "machine": machine(),
                    "file": {
                        "lines": written,
                        "bytes": path.stat().st_size,
                        "seed": args.seed,
                        "history_share": args.history_share,
                        "batch_size": args.batch_size,
                        "seconds_to_generate": round(generated, 1),
                    },
                    "repeat": args.repeat,
                    "results": results,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
