"""The issue's reliability run at full size: kill `accord orders import` with SIGKILL at 20
seeded points of a 100,000-row import; after each kill `accord ledger verify` must pass, and
re-running the import must end with exactly the books of an uninterrupted import of the same
file (same orders, numbers, states, balances, ceilings and row counts): none lost, none twice.

`tests/integration/test_import_crash.py` runs the same on 4,000 rows in the test suite. Prints
one JSON object (and exits 1 if a check fails).

    .venv/bin/python bench/import_crash.py [--rows 100000] [--kills 20] [--seed 20260401]
                                           [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from _common import machine, now
from accord.logistics import tables
from accord.services.demo import sample_books, sample_rows, write_sample
from accord.services.importer import Importer
from accord.services.logistics import Logistics

ACCORD = str(Path(sys.executable).with_name("accord"))


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ACCORD, *args], capture_output=True, text=True, timeout=3600)


def killed_import(
    url: str, path: Path, batch: int, rows: int, delay: float, parallel: bool
) -> bool:
    command = [ACCORD, "orders", "import", str(path), "--db", url, "--progress", "lines"]
    process = subprocess.Popen(
        [*command, "--batch-size", str(batch), "--parallel" if parallel else "--serial"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    if rows == 0:
        time.sleep(delay)
    else:
        for line in process.stdout:
            if line.startswith("progress: ") and int(line.split()[1]) >= rows:
                time.sleep(delay)
                break
    ended = process.poll() is not None
    if not ended:
        process.send_signal(signal.SIGKILL)
    process.communicate()
    return not ended and process.wait() == -signal.SIGKILL


def books(url: str) -> dict[str, Any]:
    service = Logistics(url)
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            count = {
                t.name: c.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (
                    tables.logistics_audit,
                    tables.ledger_postings,
                    tables.order_lines,
                    tables.logistics_idempotency,
                )
            }
        listed = service.list_orders(limit=1_000_000)
        return {
            "orders": sorted((o["id"], o["number"], o["status"]) for o in listed["orders"]),
            "balances": service.balances(),
            "ceilings": service.ceilings(),
            "rows": count,
        }
    finally:
        engine.dispose()
        service.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="accord-bench-crash-") as tmp:
        folder = Path(tmp)
        reference = f"sqlite:///{folder / 'reference.db'}"
        admin = os.environ.get("ACCORD_TEST_POSTGRES_URL")
        if args.database == "postgresql":
            if not admin:
                raise SystemExit("set ACCORD_TEST_POSTGRES_URL (source .ci/postgres.sh)")
            name = f"accord_crash_{uuid.uuid4().hex[:10]}"
            engine = create_engine(admin, isolation_level="AUTOCOMMIT")
            with engine.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{folder / 'accord.db'}"
        signers = sample_books(reference)
        sample_books(url, signers)
        path = folder / "orders.csv"
        write_sample(
            path,
            sample_rows(args.rows, args.seed, history_share=0.05, signers=signers, bad_share=0.002),
        )
        started = time.perf_counter()
        clean = Importer(reference, batch_size=args.batch_size)
        bad: list[Any] = []
        expected_result = clean.run(path, "csv", on_bad=bad.append)
        clean.close()
        uninterrupted = time.perf_counter() - started
        expected = books(reference)

        rng = random.Random(args.seed)
        points = sorted(rng.sample(range(0, args.rows, 100), args.kills))
        trials = []
        for number, rows in enumerate(points):
            delay = rng.uniform(0.3, 2.0) if rows == 0 else rng.uniform(0, 0.05)
            landed = killed_import(url, path, args.batch_size, rows, delay, number % 2 == 1)
            verified = accord("ledger", "verify", "--db", url, "--json")
            report = json.loads(verified.stdout)
            trials.append(
                {
                    "after_rows": rows,
                    "delay_ms": round(delay * 1000, 1),
                    "parallel": number % 2 == 1,
                    "killed_while_running": landed,
                    "verify_ok": verified.returncode == 0 and report["ok"],
                    "orders_then": report["orders"],
                }
            )
        final = accord("orders", "import", str(path), "--db", url, "--json")
        finished = books(url)
        again = json.loads(accord("orders", "import", str(path), "--db", url, "--json").stdout)
        verified = json.loads(accord("ledger", "verify", "--db", url, "--json").stdout)
        checks = {
            "verify_after_every_kill": all(t["verify_ok"] for t in trials),
            "same_books_as_uninterrupted": finished == expected,
            "rerun_adds_nothing": again["imported"]["orders"] == 0 and books(url) == expected,
            "verify_at_the_end": verified["ok"],
            "bad_rows_reported_again": len(final.stderr.strip().splitlines()) == len(bad),
        }
        if args.database == "postgresql" and admin:
            engine = create_engine(admin, isolation_level="AUTOCOMMIT")
            with engine.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        print(
            json.dumps(
                {
                    "benchmark": "import_crash",
                    "when": now(),
                    "machine": machine(),
                    "database": args.database,
                    "rows": args.rows,
                    "orders_expected": len(expected["orders"]),
                    "postings_expected": expected["rows"]["ledger_postings"],
                    "bad_rows": len(bad),
                    "uninterrupted_import_s": round(uninterrupted, 1),
                    "kills": len(trials),
                    "kills_while_running": sum(t["killed_while_running"] for t in trials),
                    "trials": trials,
                    "checks": checks,
                    "imported_orders_uninterrupted": expected_result.imported_orders,
                },
                indent=2,
            )
        )
        return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
