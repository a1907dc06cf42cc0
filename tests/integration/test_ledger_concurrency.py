"""Sixteen concurrent workers, each with its own connection pool, on SQLite and PostgreSQL:
no double settlement, no lost update, no ceiling ever exceeded (10 U.S.C. 2347), and one
result per idempotency key. Small, seeded sizes; no timing assertions."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine, text
from test_orders_support import D, Signer, add_signer, books, request, signed_order  # noqa: F401

from accord.errors import AccordError
from accord.logistics import ceilings
from accord.logistics.errors import CeilingExceeded
from accord.services import ids
from accord.services.logistics import Logistics

WORKERS = 16


def in_parallel(url: str, work: Callable[[Logistics, int], Any]) -> list[Any]:
    """Run `work(service, i)` in WORKERS threads released together; collect results or errors."""
    barrier = threading.Barrier(WORKERS)

    def one(i: int) -> Any:
        service = Logistics(url)
        try:
            barrier.wait()
            return work(service, i)
        except AccordError as exc:
            return exc
        finally:
            service.close()

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, range(WORKERS)))


def test_no_double_settlement(books: Logistics, database_url: str) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp)
    books.deliver(ref, {1: 100, 2: 1000}, key="d", on=D)
    books.bill(ref, key="b", on=D)
    total = 100 * 1250 + 1000 * 85
    results = in_parallel(
        database_url,
        lambda s, i: s.settle(ref, "cash", amounts={"USD": total}, key=f"pay-{i}", on=D),
    )
    settled = [r for r in results if isinstance(r, dict)]
    assert len(settled) == 1, results
    assert all(isinstance(r, AccordError) for r in results if not isinstance(r, dict))
    cash = [b for b in books.balances() if b["kind"] == "cash" and b["book"] == "JPN"]
    assert cash[0]["balance"] == total
    assert books.verify()["ok"]


def test_no_lost_update(books: Logistics, database_url: str) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp)  # line 1: 100 meals
    version = books.show(ref)["version"]
    results = in_parallel(database_url, lambda s, i: s.deliver(ref, {1: 5}, key=f"d-{i}", on=D))
    assert all(isinstance(r, dict) for r in results), results
    view = books.show(ref)
    assert view["version"] == version + WORKERS
    assert sum(d["quantities"]["1"] for d in view["deliveries"]) == 5 * WORKERS
    assert view["delivered_value"] == {"USD": 5 * WORKERS * 1250}
    engine = create_engine(database_url)
    with engine.connect() as c:
        delivered = c.execute(text("SELECT delivered FROM order_lines WHERE line = 1")).scalar()
    engine.dispose()
    assert delivered == 5 * WORKERS
    assert books.verify()["ok"]


def test_one_result_per_idempotency_key(books: Logistics, database_url: str) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = signed_order(books, us, jp)
    results = in_parallel(database_url, lambda s, i: s.deliver(ref, {1: 7}, key="same", on=D))
    assert all(isinstance(r, dict) for r in results), results
    assert len({r["events"][0] for r in results}) == 1
    assert sum(1 for r in results if not r.get("replayed")) == 1
    assert books.show(ref)["delivered_value"] == {"USD": 7 * 1250}


def test_ceiling_never_exceeded_under_mixed_load(books: Logistics, database_url: str) -> None:  # noqa: F811
    """US transfers to JPN (non-NATO credits, $75M per FY, 10 U.S.C. 2347(b)): sixteen workers
    propose and sign $10M orders, deliver and settle, all at once; at most seven can bind."""
    us = add_signer(books, "us", "USA")
    jp = add_signer(books, "jp", "JPN")
    rng = random.Random(2347)
    ten_million = {
        "requester": {"nation": "JPN", "unit": "JASDF"},
        "supplier": {"nation": "USA", "unit": "5th Air Force"},
        "lines": [
            {
                "category": "food",
                "description": "rations",
                "quantity": 1000,
                "unit": "ML",
                "unit_price": "10000.00",
                "currency": "USD",
            }
        ],
    }
    prepared = [books.propose(request(**ten_million), key=f"p-{i}", on=D) for i in range(WORKERS)]
    refs = [p["order"]["id"] for p in prepared]
    for ref in refs:  # the US side signs first; the binding signature is the contended one
        books.sign(ref, us.id, us.sign(books, ref), key=ids.uuid7(), on=D)
    signatures = {ref: jp.sign(books, ref) for ref in refs}

    def work(service: Logistics, i: int) -> Any:
        ref = refs[i]
        result = service.sign(ref, jp.id, signatures[ref], key=f"s-{i}", on=D)
        if rng.random() < 0.5:
            service.deliver(ref, {1: 1000}, key=f"d-{i}", on=D)
            service.bill(ref, key=f"b-{i}", on=D)
            service.settle(ref, "cash", amounts={"USD": 1_000_000_000}, key=f"c-{i}", on=D)
        return result

    results = in_parallel(database_url, work)
    bound = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, CeilingExceeded)]
    assert len(bound) == 7 and len(refused) == WORKERS - 7, results
    assert "$75,000,000.00" in str(refused[0])
    (row,) = books.ceilings()
    assert row["used"] == 7 * 10 * ceilings.MILLION_USD <= row["limit"]
    assert books.verify()["ok"]
