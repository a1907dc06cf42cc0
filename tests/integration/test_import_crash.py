"""Kill the importer (a real `accord orders import` process) with SIGKILL at 20 seeded points
of an import: after each kill `accord ledger verify` passes, and re-running the import ends
with exactly the orders of an uninterrupted import of the same file: none lost, none twice,
the same numbers, states, postings and balances.

The issue asks for this on a 100,000-row import. To keep the suite fast, the test imports a
seeded file of 4,000 rows (orders of 1 to 40 lines, a tenth of them with signatures,
deliveries, bills and payments, a few bad rows) in batches of 15 orders, so that the kills fall
before, inside and between many commits. Every other run reads the file in a second process
(`--parallel`), which must die with the importer. `bench/import_crash.py` runs the 100,000-row version and
prints JSON (see `docs/benchmarks.md`).

After each kill the ledger is verified in this process (`Logistics.verify`, the function
`accord ledger verify` runs; the command itself at the end). Each kill point is a number of file rows and a delay: the test reads the importer's
`--progress lines` output (one line after each committed batch) until that many rows are done,
waits the delay (0 to 40 ms: into the next batch's reading, deciding, writing or commit), and
kills. A point at row 0 kills at a delay from the start (during start-up or the first batch).
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from accord.logistics import tables
from accord.services.demo import sample_books, sample_rows, write_sample
from accord.services.importer import Importer
from accord.services.logistics import Logistics

ACCORD = str(Path(sys.executable).with_name("accord"))
ROWS = 4000
KILLS = 20
SEED = 20260401
BATCH = "15"
PROGRESS = ("--progress", "lines")


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([ACCORD, *args], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def killed_import(url: str, path: Path, rows: int, delay: float, parallel: bool) -> bool:
    """Run the import until `rows` rows are done (by its progress lines), wait `delay`, and
    kill it; False if it ended by itself first."""
    extra = ["--parallel"] if parallel else ["--serial"]
    process = subprocess.Popen(
        [
            ACCORD,
            "orders",
            "import",
            str(path),
            "--db",
            url,
            "--batch-size",
            BATCH,
            *PROGRESS,
            *extra,
        ],
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
    process.wait()
    return not ended and process.returncode == -signal.SIGKILL


def importers_of(path: Path) -> list[int]:
    """Processes still running an import of this file (a reading process left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"import" in command and str(path).encode() in command:
                found.append(int(entry.name))
    return found


def verify(url: str) -> dict[str, Any]:
    service = Logistics(url)
    try:
        return service.verify()
    finally:
        service.close()


def books(url: str) -> dict[str, Any]:
    service = Logistics(url)
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            count = {
                t.name: c.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (tables.logistics_audit, tables.ledger_postings, tables.order_lines)
            }
        listed = service.list_orders(limit=100_000)
        return {
            "orders": sorted((o["id"], o["number"], o["status"]) for o in listed["orders"]),
            "balances": service.balances(),
            "ceilings": service.ceilings(),
            "rows": count,
        }
    finally:
        engine.dispose()
        service.close()


def test_sigkill_at_20_points_loses_nothing_and_doubles_nothing(
    database_url: str, tmp_path: Path
) -> None:
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    signers = sample_books(reference)
    sample_books(database_url, signers)
    path = tmp_path / "orders.csv"
    write_sample(
        path,
        sample_rows(ROWS, SEED, history_share=0.1, signers=signers, bad_share=0.01, prefix="CRASH"),
    )
    bad: list[Any] = []
    clean = Importer(reference, batch_size=int(BATCH))
    expected_result = clean.run(path, "csv", on_bad=bad.append)
    clean.close()
    expected = books(reference)
    assert expected_result.imported_orders > 300 and expected_result.postings > 300 and bad

    rng = random.Random(SEED)
    points = sorted(rng.sample(range(0, ROWS, 50), KILLS))
    kills = 0
    for number, rows in enumerate(points):
        delay = rng.uniform(0.3, 1.5) if rows == 0 else rng.uniform(0, 0.04)
        kills += killed_import(database_url, path, rows, delay, parallel=number % 2 == 1)
        report = verify(database_url)  # what `accord ledger verify` runs, in this process
        assert report["ok"], report["problems"]
        assert report["balanced"] and report["audit_chain"] == "ok"
        assert report["orders"] <= len(expected["orders"])
    assert kills >= KILLS // 2, "most kills should land while the import runs"
    time.sleep(0.5)
    assert not importers_of(path), "a killed importer's reading process died with it"

    final = accord("orders", "import", str(path), "--db", database_url, "--json")
    assert final.returncode == 1 and len(final.stderr.strip().splitlines()) == len(bad)
    assert books(database_url) == expected
    once_more = json.loads(
        accord("orders", "import", str(path), "--db", database_url, "--json").stdout
    )
    assert once_more["imported"]["orders"] == 0
    assert once_more["already_imported"]["orders"] == expected_result.imported_orders
    assert books(database_url) == expected
    assert json.loads(accord("ledger", "verify", "--db", database_url, "--json").stdout)["ok"]
