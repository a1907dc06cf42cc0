"""Reports over a million orders, and Accord's balances against hledger and Beancount.

Prints one JSON object.

1. Builds a SQLite database of ORDERS orders (default 1,000,000) fast: the schema from Accord's
   migrations, then realistic rows bulk-inserted straight into `orders`, `order_lines`,
   `ledger_transactions` and `ledger_postings` (the secondary indexes dropped during the load
   and rebuilt after it). Ten years of orders among USA, JPN, KOR and AUS under their
   agreements, cash, replacement in kind, equal-value exchange and loans; the postings have
   exactly the shapes the order aggregate posts (`accord.logistics.ledger.transfer`); most old
   orders are settled and closed, a few are left open and overdue, recent ones are at every
   stage. (No audit events: `accord ledger verify` is not meant to pass on this database.)
   Times `balances` and `ageing` (query and build, in-process, median of REPEATS) and the same
   commands end to end through `accord reports ... --format json`. Target: at most 1 s each.
2. On a database of JOURNAL_ORDERS orders (default 100,000) built the same way, exports the
   journal with `accord export journal` in both formats and times, side by side, Accord's
   balance reports (`accord reports balances`, and `accord ledger balances`: every account),
   `hledger -f FILE balance` (Debian's hledger) and Beancount's `bean-query FILE "SELECT
   account, sum(position) GROUP BY account"` (PyPI beancount and beanquery); checks that the
   three agree on every account. Target: Accord at least 10 times faster than each.

    .venv/bin/python bench/reports.py [--orders N] [--journal-orders N] [--repeats N]
                                      [--keep DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import machine, now
from accord.logistics.calendar import add_months
from accord.logistics.ledger import Posting, transfer
from accord.reports import journal, run
from accord.store.migrate import upgrade
from accord.store.migrations.versions.logistics_0005_open_items import FILL as FILL_OPEN_ITEMS
from accord.store.migrations.versions.logistics_0009_account_months import (
    fill as fill_account_months,
)

AS_OF = dt.date(2025, 6, 30)
START = dt.date(2015, 7, 1)
TARGET_SECONDS = 1.0
TARGET_RATIO = 10.0
BIN = Path(sys.executable).parent

# (supplier, requester, agreement): the pairs of the reference set, both ways
PAIRS = [
    ("USA", "JPN", "jpn-usa-acsa-2016", 40),
    ("USA", "KOR", "kor-usa-mlsa-1988", 30),
    ("JPN", "AUS", "aus-jpn-acsa-2017", 15),
    ("KOR", "AUS", "aus-kor-mlsa-2010", 15),
]
CURRENCY = {"USA": "USD", "JPN": "JPY", "KOR": "KRW", "AUS": "AUD"}
PRICE = {
    "USD": (100, 500_000),
    "AUD": (100, 600_000),
    "JPY": (100, 600_000),
    "KRW": (1000, 6_000_000),
}
UNITS = {
    "USA": "1st Marine Logistics Group",
    "JPN": "JGSDF Western Army",
    "KOR": "ROK 2nd Fleet",
    "AUS": "Joint Logistics Unit",
}
SUPPLIES = [
    ("food", "ML", "field rations"),
    ("fuel", "LI", "JP-8"),
    ("water", "LI", "potable water"),
    ("spare-parts", "EA", "brake assembly"),
    ("clothing", "EA", "cold-weather parka"),
]
SERVICES = [
    ("transportation", "KM", "bus transport"),
    ("billeting", "PD", "lodging"),
    ("port-services", "LO", "berthing"),
    ("repair-maintenance", "HR", "vehicle repair"),
    ("medical", "LO", "medical services"),
    ("storage", "DA", "cold storage"),
]


# ---------------------------------------------------------------------- generation


class Books:
    """Rows of one chunk of orders, in the tables' column order."""

    def __init__(self) -> None:
        self.orders: list[tuple[Any, ...]] = []
        self.lines: list[tuple[Any, ...]] = []
        self.transactions: list[tuple[Any, ...]] = []
        self.postings: list[tuple[Any, ...]] = []


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def generate(count: int, seed: int) -> Iterator[Books]:
    rng = random.Random(seed)
    weights = [p[3] for p in PAIRS]
    span = (AS_OF - START).days
    seq: dict[tuple[str, int], int] = defaultdict(int)
    stamp = "2025-06-30T00:00:00.000000Z"
    chunk = Books()
    for i in range(count):
        supplier, requester, agreement, _w = rng.choices(PAIRS, weights)[0]
        if rng.random() < 0.5:
            supplier, requester = requester, supplier
        ordered = START + dt.timedelta(days=rng.randrange(span))
        ccy = CURRENCY[supplier]
        roll = rng.random()
        loan = roll < 0.03
        reimbursement = "rik" if 0.03 <= roll < 0.21 else "eve" if 0.21 <= roll < 0.33 else "cash"
        ttype = (
            "loan"
            if loan
            else ("sale" if reimbursement == "rik" else rng.choice(("sale", "service")))
        )
        kinds = SUPPLIES if reimbursement == "rik" or loan else SUPPLIES + SERVICES
        order_id = f"bench-{i:08d}"
        seq[(requester, ordered.year)] += 1
        number = f"{requester}-{ordered.year}-{seq[(requester, ordered.year)]:06d}"
        lines = []
        low, high = PRICE[ccy]
        for n in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1):
            category, unit, description = rng.choice(kinds)
            quantity = rng.randint(1, 400)
            price = 0 if loan else rng.randint(low, high) // max(1, quantity // 10)
            lines.append((n, category, unit, description, quantity, price))
        delivered_on = ordered + dt.timedelta(days=rng.randint(1, 20))
        return_by = delivered_on + dt.timedelta(days=rng.randint(30, 120)) if loan else None
        age = (AS_OF - ordered).days
        p_open = 0.9 if age < 60 else 0.45 if age < 365 else 0.06 if age < 730 else 0.015
        status = "signed"
        postings: list[tuple[str, dt.date, list[Posting]]] = []
        first_delivery = billed_on = closed_on = None
        values = {"delivered": 0, "collected": 0}
        if delivered_on <= AS_OF:
            first_delivery = delivered_on
            value = sum(q * p for _n, _c, _u, _d, q, p in lines)
            values["delivered"] = value
            delivery: list[Posting] = []
            if reimbursement in ("cash", "eve") and not loan and value:
                due = (
                    ("unbilled-receivable", "unbilled-payable")
                    if reimbursement == "cash"
                    else ("in-kind-receivable", "in-kind-payable")
                )
                delivery += transfer(
                    agreement,
                    ccy,
                    value,
                    supplier,
                    requester,
                    due[0],
                    "support-provided",
                    "support-received",
                    due[1],
                )
            for _n, category, unit, _d, q, _p in lines:
                commodity = f"{category}/{unit}"
                if reimbursement == "rik" and not loan:
                    delivery += transfer(
                        agreement,
                        commodity,
                        q,
                        supplier,
                        requester,
                        "in-kind-receivable",
                        "support-provided",
                        "support-received",
                        "in-kind-payable",
                    )
                if loan:
                    delivery += transfer(
                        agreement,
                        commodity,
                        q,
                        supplier,
                        requester,
                        "due-back-receivable",
                        "lent",
                        "borrowed",
                        "due-back-payable",
                    )
            postings.append(("delivered", delivered_on, delivery))
            status = "delivered"
            still_open = rng.random() < p_open
            stage = rng.random() if still_open else 1.0
            settle_on = min(AS_OF, delivered_on + dt.timedelta(days=rng.randint(20, 330)))
            if stage >= 0.3:
                billed_on = min(settle_on, delivered_on + dt.timedelta(days=rng.randint(1, 25)))
                if reimbursement == "cash" and not loan and value:
                    postings.append(
                        (
                            "billed",
                            billed_on,
                            transfer(
                                agreement,
                                ccy,
                                value,
                                supplier,
                                requester,
                                "receivable",
                                "unbilled-receivable",
                                "unbilled-payable",
                                "payable",
                            ),
                        )
                    )
                status = "billed"
            if stage >= 0.8:
                part = value if stage == 1.0 else value // 2
                settled: list[Posting] = []
                if loan:
                    for _n, category, unit, _d, q, _p in lines:
                        settled += transfer(
                            agreement,
                            f"{category}/{unit}",
                            q,
                            supplier,
                            requester,
                            "lent",
                            "due-back-receivable",
                            "due-back-payable",
                            "borrowed",
                        )
                elif reimbursement == "rik":
                    for _n, category, unit, _d, q, _p in lines:
                        back = q if stage == 1.0 else q // 2
                        settled += transfer(
                            agreement,
                            f"{category}/{unit}",
                            back,
                            supplier,
                            requester,
                            "returned-in-kind",
                            "in-kind-receivable",
                            "in-kind-payable",
                            "returned-in-kind",
                        )
                else:
                    kinds4 = (
                        ("cash", "receivable", "payable", "cash")
                        if reimbursement == "cash"
                        else (
                            "exchange-received",
                            "in-kind-receivable",
                            "in-kind-payable",
                            "exchange-provided",
                        )
                    )
                    settled += transfer(agreement, ccy, part, supplier, requester, *kinds4)
                values["collected"] = part
                postings.append(("settled", max(settle_on, billed_on or settle_on), settled))
                if stage == 1.0:
                    status = "settled"
                    if rng.random() < 0.9:
                        closed_on = settle_on
                        status = "closed"
        open_obligations = status in ("delivered", "billed")
        settlement_due = (
            add_months(first_delivery, 12)
            if first_delivery and open_obligations and not loan
            else None
        )
        totals = {ccy: sum(q * p for _n, _c, _u, _d, q, p in lines)}
        posted = [day for _kind, day, rows in postings if rows]
        chunk.orders.append(
            (
                order_id,
                number,
                requester,
                ordered.year,
                agreement,
                None,
                requester,
                UNITS[requester],
                supplier,
                UNITS[supplier],
                "exercise",
                ttype,
                reimbursement,
                _iso(ordered),
                _iso(ordered + dt.timedelta(days=7)),
                _iso(return_by),
                "Camp Humphreys" if "KOR" in (supplier, requester) else "Camp Hansen, Okinawa",
                status,
                2 + len(postings),
                json.dumps(totals),
                _iso(ordered),
                _iso(first_delivery),
                _iso(billed_on),
                _iso(settlement_due),
                int(open_obligations),
                int(open_obligations and loan),
                "{}",
                json.dumps({ccy: values["delivered"]}),
                json.dumps({ccy: values["collected"]}),
                _iso(closed_on),
                None,
                _iso(min(posted)) if posted else None,
                _iso(max(posted)) if posted else None,
                stamp,
                stamp,
            )
        )
        for n, category, unit, description, q, p in lines:
            delivered = q if first_delivery else 0
            chunk.lines.append(
                (
                    order_id,
                    n,
                    category,
                    description,
                    None,
                    q,
                    unit,
                    p,
                    ccy,
                    delivered,
                    delivered if status in ("settled", "closed") else 0,
                )
            )
        for k, (kind, day, rows) in enumerate(postings):
            if not rows:
                continue
            txn = f"{order_id}-{k}"
            chunk.transactions.append((txn, order_id, kind, _iso(day), None, stamp))
            for posting in rows:
                chunk.postings.append(
                    (
                        txn,
                        order_id,
                        posting.book,
                        posting.counterparty,
                        posting.agreement,
                        posting.kind,
                        posting.ledger,
                        posting.amount,
                        _iso(day),
                    )
                )
        if len(chunk.orders) >= 20_000:
            yield chunk
            chunk = Books()
    if chunk.orders:
        yield chunk


ORDER_COLUMNS = (
    "id, number, issuing_nation, year, agreement, arrangement, requester, requester_unit, "
    "supplier, supplier_unit, situation, transaction_type, reimbursement, order_date, "
    "date_required, return_by, delivery_place, status, version, totals, "
    "signed_on, first_delivery_on, billed_on, "
    "settlement_due, open_obligations, due_back_open, outstanding, delivered_value, collected, "
    "closed_on, cancelled_on, first_posted_on, last_posted_on, created_at, updated_at"
)
LINE_COLUMNS = (
    "order_id, line, category, description, nsn, quantity, unit, unit_price, currency, "
    "delivered, returned"
)
TXN_COLUMNS = "id, order_id, kind, value_date, reverses, recorded_at"
POSTING_COLUMNS = (
    "transaction_id, order_id, book, counterparty, agreement, kind, ledger, amount, value_date"
)


def build_sqlite(path: Path, count: int, seed: int) -> dict[str, Any]:
    """A migrated SQLite database with `count` generated orders; returns what it holds."""
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name "
        "IN ('orders', 'order_lines', 'ledger_transactions', 'ledger_postings')"
    ).fetchall()
    for name, _sql in indexes:
        db.execute(f"DROP INDEX {name}")
    counts = {"orders": 0, "order_lines": 0, "ledger_transactions": 0, "ledger_postings": 0}
    db.execute("BEGIN")
    for chunk in generate(count, seed):
        db.executemany(
            f"INSERT INTO orders ({ORDER_COLUMNS}) VALUES ({','.join('?' * 35)})", chunk.orders
        )
        db.executemany(
            f"INSERT INTO order_lines ({LINE_COLUMNS}) VALUES ({','.join('?' * 11)})", chunk.lines
        )
        db.executemany(
            f"INSERT INTO ledger_transactions ({TXN_COLUMNS}) VALUES (?,?,?,?,?,?)",
            chunk.transactions,
        )
        db.executemany(
            f"INSERT INTO ledger_postings ({POSTING_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
            chunk.postings,
        )
        counts["orders"] += len(chunk.orders)
        counts["order_lines"] += len(chunk.lines)
        counts["ledger_transactions"] += len(chunk.transactions)
        counts["ledger_postings"] += len(chunk.postings)
    db.execute("COMMIT")
    loaded = time.perf_counter() - started
    for _name, sql in indexes:
        db.execute(sql)
    db.execute(FILL_OPEN_ITEMS)  # the projections the services keep with the postings
    db.execute(fill_account_months("sqlite"))
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    return {
        "url": url,
        "rows": counts,
        "open_orders": _count_open(path),
        "load_seconds": round(loaded, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
        "size_mb": round(path.stat().st_size / 2**20),
    }


def build_postgres(admin_url: str, name: str, count: int, seed: int) -> dict[str, Any]:
    """The same orders in a new PostgreSQL database `name` (dropped first): the schema from
    the migrations, rows by COPY with the triggers off for the load (`session_replication_role
    = replica`: the rows balance by construction), the secondary indexes rebuilt after it."""
    import psycopg
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    started = time.perf_counter()
    plain = make_url(url).set(drivername="postgresql")
    dsn = plain.render_as_string(hide_password=False)
    counts = {"orders": 0, "order_lines": 0, "ledger_transactions": 0, "ledger_postings": 0}
    with psycopg.connect(dsn) as db, db.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('orders', "
            "'order_lines', 'ledger_transactions', 'ledger_postings') AND indexname LIKE 'ix_%'"
        )
        indexes = cur.fetchall()
        for index_name, _sql in indexes:
            cur.execute(f"DROP INDEX {index_name}")
        tables = (
            ("orders", ORDER_COLUMNS, "orders"),
            ("order_lines", LINE_COLUMNS, "lines"),
            ("ledger_transactions", TXN_COLUMNS, "transactions"),
            ("ledger_postings", POSTING_COLUMNS, "postings"),
        )
        for chunk in generate(count, seed):
            for table, columns, attribute in tables:
                rows = getattr(chunk, attribute)
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                counts[table] += len(rows)
        db.commit()
        loaded = time.perf_counter() - started
        for _name, sql in indexes:
            cur.execute(sql)
        cur.execute(FILL_OPEN_ITEMS)
        cur.execute(fill_account_months("postgresql"))
        db.commit()
        db.autocommit = True
        cur.execute("VACUUM ANALYZE")
        cur.execute("SELECT count(*) FROM orders WHERE status IN ('delivered', 'billed')")
        row = cur.fetchone()
        assert row is not None
        open_orders = int(row[0])
        cur.execute(f"SELECT pg_database_size('{name}')")
        size = cur.fetchone()
        assert size is not None
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        "rows": counts,
        "open_orders": open_orders,
        "load_seconds": round(loaded, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
        "size_mb": round(int(size[0]) / 2**20),
        "_url": url,
    }


def described(path: Path) -> dict[str, Any]:
    """What a kept database holds (`--reuse`), brought to the current schema first."""
    upgrade(f"sqlite:///{path}")
    db = sqlite3.connect(path)
    rows = {
        table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for table in ("orders", "order_lines", "ledger_transactions", "ledger_postings")
    }
    db.close()
    return {
        "url": f"sqlite:///{path}",
        "rows": rows,
        "open_orders": _count_open(path),
        "reused": True,
        "size_mb": round(path.stat().st_size / 2**20),
    }


def described_postgres(admin_url: str, name: str) -> dict[str, Any] | None:
    """What a kept PostgreSQL database `name` holds (`--reuse`), brought to the current schema
    first; None when there is none."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1 FROM orders LIMIT 1"))
    except Exception:
        return None
    finally:
        engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as c:
        rows = {
            table: int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("orders", "order_lines", "ledger_transactions", "ledger_postings")
        }
        open_orders: int = c.execute(
            text("SELECT count(*) FROM orders WHERE status IN ('delivered', 'billed')")
        ).scalar_one()
        size: int = c.execute(text(f"SELECT pg_database_size('{name}')")).scalar_one()
    engine.dispose()
    return {
        "url": make_url(url).render_as_string(hide_password=True),
        "rows": rows,
        "open_orders": int(open_orders),
        "reused": True,
        "size_mb": round(int(size) / 2**20),
        "_url": url,
    }


def _count_open(path: Path) -> int:
    db = sqlite3.connect(path)
    (n,) = db.execute(
        "SELECT count(*) FROM orders WHERE status IN ('delivered','billed')"
    ).fetchone()
    db.close()
    return int(n)


# ---------------------------------------------------------------------- timing


def timed(work: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return times, result


def in_process(
    url: str, name: str, repeats: int, on: dt.date = AS_OF, charts: bool = False
) -> dict[str, Any]:
    def work() -> int:
        with run.reading(url) as c:
            return len(run.make(name, c, on, charts=charts).sections[0].rows)

    times, rows = timed(work, repeats)
    return {
        "first_s": round(times[0], 3),
        "median_s": round(statistics.median(times), 3),
        "rows": rows,
    }


# Reports asked on the report date and on past dates (3, 6 and 12 months back), when the
# orders posted to after the date have to be summed; and the balances with their charts of the
# twelve month-ends before the date, as the PDF and XLSX formats draw them.
PG_DATABASE = "accord_bench_million"
PAST_DATES = (AS_OF, dt.date(2025, 3, 31), dt.date(2024, 12, 31), dt.date(2024, 6, 30))


def on_dates(url: str, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for on in PAST_DATES:
        runs = {
            "balances": in_process(url, "balances", repeats, on),
            "ageing": in_process(url, "ageing", repeats, on),
            "balances_with_charts": in_process(url, "balances", repeats, on, charts=True),
        }
        out[on.isoformat()] = {
            name: {**r, "met": r["median_s"] <= TARGET_SECONDS} for name, r in runs.items()
        }
    return out


def wall(command: list[str], repeats: int) -> dict[str, Any]:
    def work() -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run(command, capture_output=True, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {done.stderr.decode()[:500]}")
        return done

    times, done = timed(work, repeats)
    return {
        "median_s": round(statistics.median(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "stdout": done.stdout,
    }


def version(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "not installed"


# ---------------------------------------------------------------------- agreement


def accord_accounts(url: str) -> dict[tuple[str, str], Decimal]:
    from accord.logistics import money
    from accord.logistics.ledger import is_currency_ledger
    from accord.services.logistics import Logistics

    service = Logistics(url)
    out = {}
    for r in service.balances():
        amount = (
            money.to_major(r["balance"], r["ledger"])
            if is_currency_ledger(r["ledger"])
            else Decimal(r["balance"])
        )
        out[
            (
                journal.account(r["book"], r["counterparty"], r["agreement"], r["kind"]),
                journal.commodity(r["ledger"]),
            )
        ] = amount
    service.close()
    return out


def hledger_accounts(stdout: bytes) -> dict[tuple[str, str], Decimal]:
    found: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in list(csv.reader(io.StringIO(stdout.decode())))[1:]:
        for part in row[1].split(","):
            value, _, symbol = part.strip().partition(" ")
            if value:
                found[(row[0], symbol.strip('"'))] += Decimal(value)
    return {k: v for k, v in found.items() if v}


def beancount_accounts(stdout: bytes) -> dict[tuple[str, str], Decimal]:
    found: dict[tuple[str, str], Decimal] = {}
    for row in list(csv.reader(io.StringIO(stdout.decode())))[1:]:
        account = row[0]
        for part in row[1].split(","):
            bits = part.split()
            if len(bits) == 2 and Decimal(bits[0]):
                found[(account, bits[1])] = Decimal(bits[0])
    return found


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--journal-orders", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tool-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20240630)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the databases here.")
    parser.add_argument(
        "--postgres",
        default=None,
        help="Also build the million orders in PostgreSQL (an admin URL, e.g. "
        "postgresql+psycopg://accord@127.0.0.1:5432/postgres) and time the reports there.",
    )
    parser.add_argument("--only-postgres", action="store_true", help="Skip the SQLite parts.")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Time the databases a previous run kept (with --keep; and PostgreSQL's "
        f"{PG_DATABASE}) instead of building them.",
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="accord-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    accord = str(BIN / "accord")
    out: dict[str, Any] = {
        "benchmark": "reports",
        "date": now(),
        "machine": machine(),
        "as_of": AS_OF.isoformat(),
    }

    if args.postgres:
        kept = described_postgres(args.postgres, PG_DATABASE) if args.reuse else None
        pg = kept or build_postgres(args.postgres, PG_DATABASE, args.orders, args.seed)
        pg_url = pg.pop("_url")
        for name in ("balances", "ageing"):
            result = in_process(pg_url, name, args.repeats)
            result["target_s"] = TARGET_SECONDS
            result["met"] = result["median_s"] <= TARGET_SECONDS
            pg[name] = result
        pg["on_dates"] = on_dates(pg_url, args.repeats)
        out["million_postgresql"] = pg
        if args.only_postgres:
            print(json.dumps(out, indent=2, default=str))
            return

    # 1. balances and ageing over a million orders
    big = folder / "million.db"
    out["million"] = built = (
        described(big) if args.reuse and big.exists() else build_sqlite(big, args.orders, args.seed)
    )
    url = built["url"]
    for name in ("balances", "ageing"):
        result = in_process(url, name, args.repeats)
        cli = wall(
            [
                accord,
                "reports",
                name,
                "--db",
                url,
                "--as-of",
                AS_OF.isoformat(),
                "--format",
                "json",
            ],
            args.tool_repeats,
        )
        result["cli_median_s"] = cli["median_s"]
        result["target_s"] = TARGET_SECONDS
        result["met"] = result["median_s"] <= TARGET_SECONDS
        out["million"][name] = result
    out["million"]["on_dates"] = on_dates(url, args.repeats)

    # 2. side by side with hledger and Beancount on a 100,000-order journal
    small = folder / "journal.db"
    out["journal"] = side = (
        described(small)
        if args.reuse and small.exists()
        else build_sqlite(small, args.journal_orders, args.seed + 1)
    )
    url = side["url"]
    ledger_file, bean_file = folder / "accord.journal", folder / "accord.beancount"
    for fmt, target in (("ledger", ledger_file), ("beancount", bean_file)):
        start = time.perf_counter()
        subprocess.run(
            [accord, "export", "journal", "--format", fmt, "--db", url, "--output", str(target)],
            check=True,
        )
        side[f"export_{fmt}_s"] = round(time.perf_counter() - start, 2)
        side[f"{fmt}_file_mb"] = round(target.stat().st_size / 2**20, 1)
    accord_report = in_process(url, "balances", args.repeats)
    accord_cli = wall(
        [
            accord,
            "reports",
            "balances",
            "--db",
            url,
            "--as-of",
            AS_OF.isoformat(),
            "--format",
            "json",
        ],
        args.tool_repeats,
    )
    accord_all = wall([accord, "ledger", "balances", "--db", url, "--json"], args.tool_repeats)
    hledger = shutil.which("hledger")
    tools: dict[str, Any] = {}
    expected = accord_accounts(url)
    if hledger:
        h = wall(
            [hledger, "-f", str(ledger_file), "balance", "--flat", "-O", "csv", "--no-total"],
            args.tool_repeats,
        )
        tools["hledger"] = {
            "version": version([hledger, "--version"]),
            "median_s": h["median_s"],
            "runs_s": h["runs_s"],
            "agrees_with_accord": hledger_accounts(h["stdout"]) == expected,
        }
    query = "SELECT account, sum(position) AS balance GROUP BY account ORDER BY account"
    b = wall([str(BIN / "bean-query"), "-f", "csv", str(bean_file), query], args.tool_repeats)
    from importlib.metadata import version as package_version

    tools["beancount"] = {
        "version": f"beancount {package_version('beancount')}, beanquery "
        f"{package_version('beanquery')}",
        "median_s": b["median_s"],
        "runs_s": b["runs_s"],
        "agrees_with_accord": beancount_accounts(b["stdout"]) == expected,
    }
    side["accord"] = {
        "reports_balances_in_process_median_s": accord_report["median_s"],
        "reports_balances_cli_median_s": accord_cli["median_s"],
        "ledger_balances_cli_median_s": accord_all["median_s"],
        "accounts": len(expected),
    }
    side["tools"] = tools
    ratios = {}
    for tool, figures in tools.items():
        ratios[tool] = {
            "vs_reports_balances_cli": round(figures["median_s"] / accord_cli["median_s"], 1),
            "vs_ledger_balances_cli": round(figures["median_s"] / accord_all["median_s"], 1),
            "vs_reports_balances_in_process": round(
                figures["median_s"] / accord_report["median_s"], 1
            ),
        }
    side["ratios"] = ratios
    side["target_ratio"] = TARGET_RATIO
    print(json.dumps(out, indent=2, default=str))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
