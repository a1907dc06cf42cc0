"""`Importer` on SQLite and PostgreSQL: imported orders are the orders the services would
have made (same rows, events, postings), bad rows are reported with their line and reason
while the good orders go in, a re-run adds nothing, and neither the format nor the batch size
changes the books."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.exc import IntegrityError
from test_orders_support import Signer, add_signer, books  # noqa: F401

from accord.logistics import rates, signing, tables
from accord.logistics.order import Document
from accord.logistics.order_input import parse_order
from accord.services import ids
from accord.services.importer import (
    COLUMNS,
    BadRow,
    Importer,
    ImportResult,
    Progress,
    order_id_for,
    signing_terms,
)
from accord.services.importer.handover import ReadingProcessLost
from accord.services.importer.writing import LINE_ROW, _BatchWriter
from accord.services.logistics import Logistics
from accord.services.unit_of_work import UnitOfWork
from accord.store.migrate import upgrade

BASE = {
    "requester": "USA",
    "requester_unit": "3d Marine Logistics Group",
    "supplier": "JPN",
    "supplier_unit": "JGSDF Western Army",
    "situation": "exercise",
    "reimbursement": "cash",
    "order_date": "2024-05-01",
    "date_required": "2024-05-10",
    "delivery_place": "Camp Hansen, Okinawa",
}


def line(
    category: str, description: str, quantity: int, unit: str, price: str, **more: str
) -> dict[str, str]:
    return {
        "category": category,
        "description": description,
        "quantity": str(quantity),
        "unit": unit,
        "unit_price": price,
        "currency": "USD",
        **more,
    }


def order(key: str, *lines: dict[str, str], **fields: str) -> list[dict[str, str]]:
    first = {"order": key, **BASE, **fields, **lines[0]}
    return [first] + [{"order": key, **ln} for ln in lines[1:]]


def write(path: Path, orders: list[list[dict[str, str]]], fmt: str = "csv") -> Path:
    rows = [row for o in orders for row in o]
    with path.open("w", newline="", encoding="utf-8") as handle:
        if fmt == "csv":
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow([row.get(c, "") for c in COLUMNS])
        else:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
    return path


def run(
    url: str, path: Path, fmt: str = "csv", batch: int = 1000, parallel: bool = False
) -> tuple[ImportResult, list[BadRow]]:
    found: list[BadRow] = []
    importer = Importer(url, batch_size=batch, parallel=parallel)
    try:
        return importer.run(path, fmt, on_bad=found.append), found
    finally:
        importer.close()


def sign(rows: list[dict[str, str]], check: Any, *signers: Signer, on: str) -> list[dict[str, str]]:
    """Give the order its id and number, and both officials' signatures over its terms."""
    rows[0].setdefault("id", f"id-{rows[0]['order']}")
    rows[0].setdefault("number", f"USA-2024-9{abs(hash(rows[0]['order'])) % 10**5:05d}")
    signed = signing_terms(check, rows).canonical()
    for side, signer in zip(("requester", "supplier"), signers, strict=True):
        rows[0][f"{side}_official"] = signer.id
        rows[0][f"{side}_signature"] = signing.sign(signer.key, signed)
    rows[0]["signed_on"] = on
    return rows


def as_request(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The request `accord orders propose` takes for the order these rows describe."""
    first = rows[0]
    data: dict[str, Any] = {
        **{k: first[k] for k in ("situation", "reimbursement", "order_date")},
        "id": first.get("id") or order_id_for(first["order"]),
        "date_required": first["date_required"],
        "delivery_place": first["delivery_place"],
        "requester": {"nation": first["requester"], "unit": first["requester_unit"]},
        "supplier": {"nation": first["supplier"], "unit": first["supplier_unit"]},
        "lines": [
            {
                k: r[k]
                for k in (
                    "category",
                    "description",
                    "quantity",
                    "unit",
                    "unit_price",
                    "currency",
                    "nsn",
                )
                if k in r
            }
            for r in rows
        ],
    }
    if first.get("number"):
        data["number"] = first["number"]
    return data


def reference_books(database_url: str, tmp_path: Path) -> Logistics:
    """Books on another database, with the officials of `database_url`'s, where the services
    make the orders an import made (for the tests to compare)."""
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    upgrade(reference)
    source = create_engine(database_url)
    with source.connect() as c:
        officials = [dict(r._mapping) for r in c.execute(select(tables.signing_officials))]
    source.dispose()
    service = Logistics(reference)
    with service.engine.begin() as c:
        c.execute(tables.signing_officials.insert(), officials)
    return service


def sign_both(
    service: Logistics, rows: list[dict[str, str]], day: dt.date, *signers: Signer
) -> None:
    """`accord orders sign` by both officials, with the signatures the file gives."""
    for side, signer in zip(("requester", "supplier"), signers, strict=True):
        service.sign(
            rows[0]["number"], signer.id, rows[0][f"{side}_signature"], key=ids.uuid7(), on=day
        )


def table(engine: Engine, t: Any, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    with engine.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(select(t))]
    return sorted(
        ({k: v for k, v in r.items() if k not in skip} for r in rows),
        key=lambda r: json.dumps(r, sort_keys=True, default=str),
    )


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        return {
            t.name: len(table(engine, t))
            for t in (
                tables.orders,
                tables.order_lines,
                tables.logistics_audit,
                tables.ledger_postings,
                tables.logistics_idempotency,
            )
        }
    finally:
        engine.dispose()


def test_imported_orders_are_what_the_services_make(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    """A proposed order citing documents, one with its whole history (signed by both,
    delivered in part, billed, paid), and one delivered twice and paid in part: the same
    order rows, lines, audit payloads, signatures, postings, cited documents and their bytes
    as `Logistics` makes from the same requests on another database."""
    us, jp = add_signer(books, "us-coord", "USA"), add_signer(books, "jp-coord", "JPN")
    check = books.context.check
    (tmp_path / "forms").mkdir()
    form = tmp_path / "forms" / "DD1149.pdf"
    form.write_bytes(b"%PDF-1.4 requisition and invoice/shipping document")
    quote = hashlib.sha256(b"fuel quote held by the supplier").hexdigest()
    plain = order(
        "P-1",
        line("food", "field rations", 500, "ML", "12.50"),
        line("fuel", "JP-8", 20000, "LI", "0.85", nsn="9130-01-031-5816"),
        documents=f"forms/DD1149.pdf; 2:fuel-quote.pdf={quote}",
    )
    full = order(
        "H-1",
        line("food", "hot meals", 300, "ML", "9.75", delivered="300"),
        line("water", "bottled water", 1000, "LI", "0.40", delivered="600"),
        order_date="2024-05-02",
    )
    sign(full, check, us, jp, on="2024-05-03")
    full[0].update(delivered_on="2024-05-06", billed_on="2024-05-20", settled_on="2024-06-30")
    part = order(
        "D-1",
        # delivered in two parts: 10 days on 12 May, the other 4 on delivered_on
        line("billeting", "barracks, 40 beds", 14, "DA", "1200.00", delivered="10@2024-05-12; 4"),
        order_date="2024-05-04",
        documents=f"{form}",  # an absolute path, the same bytes as P-1's first document
    )
    sign(part, check, us, jp, on="2024-05-05")
    part[0].update(
        delivered_on="2024-05-19", billed_on="2024-05-31", paid_on="2024-06-15", paid="USD 5000"
    )
    result, bad = run(database_url, write(tmp_path / "o.csv", [plain, full, part]))
    assert not bad, [b.reason for b in bad]
    assert result.imported_orders == 3
    assert result.by_status == {"proposed": 1, "settled": 1, "billed": 1}

    service = reference_books(database_url, tmp_path)
    engine = create_engine(database_url)
    try:
        nations = check.nations
        for rows, on in (
            (plain, dt.date(2024, 5, 1)),
            (full, dt.date(2024, 5, 2)),
            (part, dt.date(2024, 5, 4)),
        ):
            data = as_request(rows)
            contents = []
            if rows[0].get("documents"):
                data["documents"] = [
                    {"name": "DD1149.pdf", "sha256": hashlib.sha256(form.read_bytes()).hexdigest()}
                ]
                contents.append(form.read_bytes())
                if rows is plain:
                    data["documents"].append({"name": "fuel-quote.pdf", "sha256": quote, "line": 2})
            service.propose(
                parse_order(data, "unused", on, nations),
                key=ids.uuid7(),
                on=on,
                contents=contents,
            )
        sign_both(service, full, dt.date(2024, 5, 3), us, jp)
        sign_both(service, part, dt.date(2024, 5, 5), us, jp)
        ref = full[0]["number"]
        service.deliver(ref, {1: 300, 2: 600}, key="d", on=dt.date(2024, 5, 6))
        service.bill(ref, key="b", on=dt.date(2024, 5, 20))
        owed = service.order(ref).outstanding_money()
        service.settle(ref, "cash", amounts=owed, key="s", on=dt.date(2024, 6, 30))
        ref = part[0]["number"]
        service.deliver(ref, {1: 10}, key="d2", on=dt.date(2024, 5, 12))
        service.deliver(ref, {1: 4}, key="d3", on=dt.date(2024, 5, 19))
        service.bill(ref, key="b2", on=dt.date(2024, 5, 31))
        service.settle(ref, "cash", amounts={"USD": 500000}, key="s2", on=dt.date(2024, 6, 15))
        expected = create_engine(service.engine.url)
        stamps = ("created_at", "updated_at", "recorded_at")
        assert table(engine, tables.orders, stamps) == table(expected, tables.orders, stamps)
        assert table(engine, tables.order_lines) == table(expected, tables.order_lines)
        assert table(engine, tables.order_signatures, ("event_id",)) == table(
            expected, tables.order_signatures, ("event_id",)
        )
        postings = ("id", "transaction_id")
        assert table(engine, tables.ledger_postings, postings) == table(
            expected, tables.ledger_postings, postings
        )
        documents = ("id", "event_id")
        assert table(engine, tables.order_documents, documents) == table(
            expected, tables.order_documents, documents
        )
        assert len(table(engine, tables.order_documents)) == 3
        stored = ("stored_at",)
        assert table(engine, tables.document_contents, stored) == table(
            expected, tables.document_contents, stored
        )
        events = ("seq", "event_id", "recorded_at", "prev_hash", "hash")
        imported = [e for e in table(engine, tables.logistics_audit, events) if e["order_id"]]
        assert imported == [
            e for e in table(expected, tables.logistics_audit, events) if e["order_id"]
        ]
        expected.dispose()
    finally:
        service.close()
        engine.dispose()
    assert books.verify()["ok"]


def test_bad_rows_are_reported_and_the_good_orders_imported(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    orders = [
        order("A", line("food", "rations", 10, "ML", "12.50")),  # lines 2
        order(  # lines 3-4: the second line's unit is unknown
            "B", line("food", "rations", 10, "ML", "12.50"), line("fuel", "JP-8", 5, "BARREL", "1")
        ),
        order(  # line 5: no agreement between Japan and Korea
            "C",
            line("fuel", "F-76", 1000, "LI", "0.80"),
            requester="KOR",
            order_date="2015-04-13",
        ),
        order("D", line("medical", "clinic", 5, "HR", "80"), reimbursement="rik"),  # line 6
        order(  # line 7: one order's worth of supplies over the $20M sub-limit
            "E", line("food", "rations", 2_000_001, "ML", "10.00")
        ),
        order("F", line("water", "bottled", 100, "LI", "0.40")),  # line 8
        order(  # line 9: an agreement Accord does not know
            "G", line("food", "rations", 10, "ML", "12.50"), agreement="usa-xyz-acsa-2030"
        ),
    ]
    result, bad = run(database_url, write(tmp_path / "o.csv", orders))
    assert result.imported_orders == 2 and result.orders_not_imported == 5
    assert result.rows == 8 and result.bad_rows == 5
    by_line = {b.line: b for b in bad}
    assert sorted(by_line) == [4, 5, 6, 7, 9]
    assert "unknown agreement 'usa-xyz-acsa-2030'" in by_line[9].reason
    assert "unknown unit of issue 'BARREL'" in by_line[4].reason and by_line[4].order_key == "B"
    assert "no-agreement" in by_line[5].reason and "JPN" in by_line[5].reason
    assert "replacement in kind applies to supplies" in by_line[6].reason
    assert "would exceed the FY2024 non-NATO liabilities ceiling (supplies sub-limit)" in (
        by_line[7].reason
    )
    assert all(b.reason.endswith("order not imported") for b in bad)
    listed = books.list_orders(limit=100)
    assert sorted(o["number"] for o in listed["orders"]) == ["USA-2024-000001", "USA-2024-000002"]
    assert books.verify()["ok"]


@pytest.mark.parametrize("broken", ["a line of no order", "a line of no quantity"])
def test_a_batch_that_breaks_a_constraint_writes_nothing(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
    broken: str,
) -> None:
    """On SQLite the writer's inserts keep no statement journal: a failed constraint rolls
    the batch's transaction back, foreign keys are checked at COMMIT. On either database a
    batch that breaks one still fails whole, and the importer goes on working after it."""
    first, _ = run(
        database_url,
        write(tmp_path / "a.csv", [order("A", line("food", "rations", 10, "ML", "12.50"))]),
    )
    assert first.imported_orders == 1
    oid = order_id_for("A")
    before = counts(database_url)
    good = (oid, 2, "food", "water", 5, "LI", 40, "USD", None, 0, 0)
    bad = (
        ("no-such-order", 1, "food", "rations", 1, "ML", 1250, "USD", None, 0, 0)
        if broken == "a line of no order"
        else (oid, 3, "food", "rations", 0, "ML", 1250, "USD", None, 0, 0)
    )
    importer = Importer(database_url)
    try:
        with pytest.raises(IntegrityError), UnitOfWork(importer.engine) as uow:
            writer = _BatchWriter(importer, uow, ImportResult("-", "csv"), lambda _: None)
            writer._insert("order_lines", LINE_ROW, [good])
            writer._insert("order_lines", LINE_ROW, [bad])
            uow.commit()
        assert counts(database_url) == before
        problems: list[BadRow] = []
        again = importer.run(
            write(tmp_path / "b.csv", [order("B", line("food", "rations", 10, "ML", "12.50"))]),
            "csv",
            problems.append,
        )
        assert again.imported_orders == 1 and not problems
    finally:
        importer.close()
    assert counts(database_url)["orders"] == before["orders"] + 1
    assert books.verify()["ok"]


def test_a_rerun_adds_nothing_and_a_changed_order_is_reported(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    signed = sign(
        order("S", line("food", "meals", 40, "ML", "9.50", delivered="40")),
        books.context.check,
        us,
        jp,
        on="2024-05-02",
    )
    signed[0].update(delivered_on="2024-05-04", billed_on="2024-05-10")
    orders = [order(f"K{i}", line("water", "bottled", 10 + i, "LI", "0.40")) for i in range(7)]
    path = write(tmp_path / "o.csv", [*orders, signed])
    first, bad = run(database_url, path, batch=3)
    assert not bad and first.imported_orders == 8 and first.postings > 0
    before = counts(database_url)
    balances = books.balances()
    again, bad = run(database_url, path, batch=3)
    assert not bad and again.imported_orders == 0
    assert again.already_imported_orders == 8 and again.already_imported_lines == 8
    assert counts(database_url) == before and books.balances() == balances

    orders[2][0]["quantity"] = "99"  # the same order key, other rows
    changed, bad = run(database_url, write(tmp_path / "o2.csv", orders))
    assert changed.imported_orders == 0 and changed.already_imported_orders == 6
    assert [(b.line, b.order_key) for b in bad] == [(4, "K2")]
    assert "used before for other rows" in bad[0].reason
    assert counts(database_url) == before
    assert books.verify()["ok"]


def test_csv_json_lines_batch_sizes_and_a_reading_process_make_the_same_books(
    database_url: str, tmp_path: Path
) -> None:
    from accord.services.demo import sample_rows

    rows = list(sample_rows(600, 11, bad_share=0.02))
    keyed: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        keyed.setdefault(row["order"], []).append(row)
    csv_path = write(tmp_path / "o.csv", list(keyed.values()))
    jsonl_path = write(tmp_path / "o.jsonl", list(keyed.values()), "jsonl")
    seen = []
    for name, path, fmt, batch in (
        ("a", csv_path, "csv", 1000),
        ("b", jsonl_path, "jsonl", 7),
    ):
        url = database_url if name == "a" else f"sqlite:///{tmp_path / 'b.db'}"
        upgrade(url)
        _add_rates(url)
        result, bad = run(url, path, fmt, batch, parallel=name == "b")
        assert result.imported_orders > 50 and result.bad_rows == len(bad)
        service = Logistics(url)
        listed = service.list_orders(limit=10_000)["orders"]
        seen.append(
            (
                sorted(
                    (o["id"], o["number"], o["status"], json.dumps(o["totals"])) for o in listed
                ),
                service.balances(),
                Counter((b.line - (fmt == "csv"), b.reason) for b in bad),  # CSV: a header
            )
        )
        assert service.verify()["ok"]
        service.close()
    assert seen[0] == seen[1]


def test_a_killed_reading_process_fails_the_import_and_leaves_whole_orders(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    """The reading process sends its batches from a thread, ahead of the writer. Killed while
    the writer works, it leaves the import failing with one clear error (not a hang, not a
    traceback); what was committed is whole, and a re-run imports the rest."""
    orders = [
        order(f"K{i}", line("water", "bottled", 10 + i % 50, "LI", "0.40")) for i in range(3000)
    ]
    path = write(tmp_path / "o.csv", orders)
    importer = Importer(database_url, batch_size=20, parallel=True)
    killed: list[int] = []

    def kill_the_reader(_: Progress) -> None:
        for child in multiprocessing.active_children():  # the import's reading process
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
            killed.append(child.pid)

    try:
        with pytest.raises(ReadingProcessLost, match="run the import again to add the rest"):
            importer.run(path, "csv", on_bad=lambda _: None, on_progress=kill_the_reader)
    finally:
        importer.close()
    assert killed, "the reading process had ended before the first batch was written"
    imported = counts(database_url)["orders"]
    assert 0 < imported < len(orders)
    assert books.verify()["ok"]
    again, bad = run(database_url, path)
    assert not bad and again.imported_orders == len(orders) - imported
    assert again.already_imported_orders == imported
    assert books.verify()["ok"]


def _add_rates(url: str) -> None:
    from accord.services.demo import JAPAN_ANNUAL, monthly_rates

    service = Logistics(url)
    try:
        for first, last, value in JAPAN_ANNUAL:
            made = rates.make_rate("JPY", "USD", value, first, last, agreement="jpn-usa-acsa-2016")
            service.add_rate(f"jfy{first.year}", made, key=f"jfy{first.year}")
        for ccy, first, last, value in monthly_rates(1):
            service.add_rate(
                f"{ccy}{first}",
                rates.make_rate(ccy, "USD", value, first, last),
                key=f"{ccy}{first}",
            )
    finally:
        service.close()


@pytest.mark.parametrize(
    ("trouble", "message"),
    [
        ("forged", "the signature does not verify"),
        ("limit", "may sign up to 1000.00 USD"),
        ("stranger", "acts for KOR, which is not a party"),
        ("unknown", "no official 'nobody'"),
    ],
)
def test_signatures_are_checked_as_sign_checks_them(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
    trouble: str,
    message: str,
) -> None:
    us = add_signer(books, "us", "USA", {"USD": 1000_00} if trouble == "limit" else None)
    jp = add_signer(books, "jp", "JPN")
    kr = add_signer(books, "kr", "KOR")
    rows = sign(
        order("S", line("food", "meals", 400, "ML", "9.50")),
        books.context.check,
        us,
        jp,
        on="2024-05-02",
    )
    if trouble == "forged":
        rows[0]["supplier_signature"] = rows[0]["requester_signature"]
    elif trouble == "stranger":
        rows[0]["supplier_official"] = kr.id
    elif trouble == "unknown":
        rows[0]["supplier_official"] = "nobody"
    result, bad = run(database_url, write(tmp_path / "o.csv", [rows]))
    assert result.imported_orders == 0 and len(bad) == 1
    assert message in bad[0].reason and bad[0].line == 2
    assert books.list_orders()["total"] == 0 and books.verify()["events"] == 3  # the officials


def test_numbers_follow_the_services_and_given_numbers_must_be_free(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    from test_orders_support import request

    books.propose(request(), key="p1", on=dt.date(2024, 5, 1))  # USA-2024-000001
    orders = [
        order("N1", line("water", "bottled", 1, "LI", "0.40")),
        order("N2", line("water", "bottled", 2, "LI", "0.40"), number="USA-2024-000003"),
        order("N3", line("water", "bottled", 3, "LI", "0.40")),
        order("N4", line("water", "bottled", 4, "LI", "0.40"), number="USA-2024-000001"),
    ]
    result, bad = run(database_url, write(tmp_path / "o.csv", orders), batch=2)
    assert result.imported_orders == 3
    assert [(b.line, b.order_key) for b in bad] == [(5, "N4")]
    assert "order number USA-2024-000001 exists already" in bad[0].reason
    numbers = {o["id"]: o["number"] for o in books.list_orders()["orders"]}
    assert numbers["import-N1"] == "USA-2024-000002"
    assert numbers["import-N2"] == "USA-2024-000003"
    assert numbers["import-N3"] == "USA-2024-000004"
    nxt = books.propose(request(), key="p2", on=dt.date(2024, 5, 1))
    assert nxt["order"]["number"] == "USA-2024-000005"


def test_documents_and_payments_are_imported_and_checked(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    """Documents named in the file are kept with their bytes (and a changed file makes the
    order another one); a payment on account leaves the rest outstanding until `settled_on`;
    a document or a payment that cannot be is a bad row on the order's first line."""
    us, jp = add_signer(books, "us-log", "USA"), add_signer(books, "jp-log", "JPN")
    check = books.context.check
    (tmp_path / "receipt.pdf").write_bytes(b"%PDF-1.4 signed receipt")

    def history(key: str, *lines: dict[str, str], **fields: str) -> list[dict[str, str]]:
        rows = order(key, *lines, **{"order_date": "2024-05-02", **fields})
        sign(rows, check, us, jp, on="2024-05-03")
        rows[0].update(delivered_on="2024-05-06", billed_on="2024-05-20")
        return rows

    meals = line("food", "hot meals", 100, "ML", "10.00", delivered="100")  # USD 1,000.00
    paid_then_settled = history("K-1", meals, paid_on="2024-06-01", paid="400.00")
    paid_then_settled[0]["settled_on"] = "2024-07-01"
    orders = [
        order("K-0", line("food", "rations", 10, "ML", "12.50"), documents="receipt.pdf"),  # 2
        paid_then_settled,  # line 3
        order("K-2", line("food", "rations", 1, "ML", "1"), documents="nowhere.pdf"),  # 4
        order("K-3", line("food", "rations", 1, "ML", "1"), documents="a.pdf=12ab"),  # 5
        order("K-4", line("food", "rations", 1, "ML", "1"), documents=f"5:a.pdf={'0' * 64}"),
        history("K-5", meals, paid_on="2024-06-01", paid="EUR 10"),  # line 7
        history("K-6", meals, paid_on="2024-06-01", paid="1000.01"),  # line 8
        history("K-7", meals, paid_on="2024-05-19", paid="10"),  # line 9: before billed_on
        history("K-8", meals, reimbursement="rik", paid_on="2024-06-01", paid="10"),  # line 10
        history(  # line 11: a delivery after the bill
            "K-9", line("food", "hot meals", 100, "ML", "10.00", delivered="60; 40@2024-05-21")
        ),
        history(  # line 12
            "K-10", line("food", "hot meals", 100, "ML", "10.00", delivered="60@2024-13-01")
        ),
    ]
    path = write(tmp_path / "o.csv", orders)
    result, bad = run(database_url, path)
    by_line = {b.line: b.reason for b in bad}
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9, 10, 11, 12], by_line
    assert "no file 'nowhere.pdf'" in by_line[4]
    assert "malformed SHA-256 '12ab'" in by_line[5]
    assert "names line 5, which the order lacks" in by_line[6]
    assert "paid in EUR, but the order is priced in USD" in by_line[7]
    assert "would overpay" in by_line[8] and "1000.00 USD is outstanding" in by_line[8]
    assert "paid_on 2024-05-19 is before billed_on 2024-05-20" in by_line[9]
    assert "a rik order is settled by returning items in kind" in by_line[10]
    assert "billed_on 2024-05-20 is before the last delivery 2024-05-21" in by_line[11]
    assert "delivered" in by_line[12] and "2024-13-01" in by_line[12]
    assert result.imported_orders == 2 and result.by_status == {"proposed": 1, "settled": 1}

    settled = books.order(paid_then_settled[0]["number"])
    payments = [s for s in settled.settlements.values() if s.method == "cash"]
    assert [(s.on, s.amounts) for s in payments] == [
        (dt.date(2024, 6, 1), {"USD": 40000}),
        (dt.date(2024, 7, 1), {"USD": 60000}),
    ]
    (number,) = [
        o["number"] for o in books.list_orders(limit=10)["orders"] if o["status"] == "proposed"
    ]
    cited, data = books.document(number, "receipt.pdf")
    assert (
        data == b"%PDF-1.4 signed receipt" and cited["sha256"] == hashlib.sha256(data).hexdigest()
    )
    assert books.verify()["ok"]

    # the same file again adds nothing; once the document's bytes change, the order is another
    again, bad = run(database_url, path)
    assert again.imported_orders == 0 and again.already_imported_orders == 2
    (tmp_path / "receipt.pdf").write_bytes(b"%PDF-1.4 another receipt")
    again, bad = run(database_url, path)
    assert again.imported_orders == 0
    assert any(
        b.line == 2 and "the order key was used before for other rows" in b.reason for b in bad
    )


def test_step_documents_and_cancellations_are_what_the_services_make(
    books: Logistics,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    """The receipts of two deliveries, an invoice, a payment's advice and a settlement's
    proof; an order cancelled while proposed and one cancelled once signed (its count on the
    US ceiling given back): the same events, cited documents, their bytes, postings and
    ceiling counts as the services make. A document without its step, a receipt of a day
    without a delivery, a cancellation after a delivery: bad rows, with the reason."""
    us, jp = add_signer(books, "us-fin", "USA"), add_signer(books, "jp-fin", "JPN")
    check = books.context.check
    (tmp_path / "receipts").mkdir()
    receipts = [tmp_path / "receipts" / f"DD250-{n}.pdf" for n in (1, 2)]
    for n, receipt in enumerate(receipts, start=1):
        receipt.write_bytes(f"%PDF-1.4 material inspection and receiving report {n}".encode())
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice for barracks")
    advice = hashlib.sha256(b"wire transfer advice").hexdigest()

    settled = order(
        "S-1",
        line("billeting", "barracks, 40 beds", 14, "DA", "1200.00", delivered="10@2024-05-12; 4"),
        order_date="2024-05-04",
    )
    sign(settled, check, us, jp, on="2024-05-05")
    settled[0].update(
        delivered_on="2024-05-19",
        delivery_documents="receipts/DD250-1.pdf@2024-05-12; 1:receipts/DD250-2.pdf",
        billed_on="2024-05-31",
        bill_documents="invoice.pdf",
        paid_on="2024-06-15",
        paid="5000",
        payment_documents=f"advice.pdf={advice}",
        settled_on="2024-07-01",
        settlement_documents="invoice.pdf",
    )
    dropped = order(
        "C-1",
        line("food", "rations", 10, "ML", "12.50"),
        cancelled_on="2024-05-03",
        cancel_reason="exercise called off",
    )
    withdrawn = order("C-2", line("fuel", "JP-8", 20000, "LI", "0.85"), order_date="2024-05-02")
    sign(withdrawn, check, us, jp, on="2024-05-03")
    withdrawn[0]["cancelled_on"] = "2024-05-04"

    def delivered(key: str, **fields: str) -> list[dict[str, str]]:
        rows = order(key, line("food", "hot meals", 100, "ML", "10.00", delivered="100"))
        sign(rows, check, us, jp, on="2024-05-02")
        rows[0].update(delivered_on="2024-05-06", **fields)
        return rows

    bad_orders = [
        order("B-1", line("food", "rations", 1, "ML", "1"), bill_documents="invoice.pdf"),  # 5
        delivered("B-2", delivery_documents="invoice.pdf@2024-05-07"),  # line 6
        delivered("B-3", cancelled_on="2024-05-08"),  # line 7
        order("B-4", line("food", "rations", 1, "ML", "1"), cancel_reason="why"),  # line 8
        order("B-5", line("food", "rations", 1, "ML", "1"), cancelled_on="2024-04-30"),  # 9
    ]
    path = write(tmp_path / "o.csv", [settled, dropped, withdrawn, *bad_orders])
    result, bad = run(database_url, path)
    by_line = {b.line: b.reason for b in bad}
    assert sorted(by_line) == [5, 6, 7, 8, 9], by_line
    assert "bill_documents is given, but not billed_on" in by_line[5]
    assert "of a delivery on 2024-05-07, but nothing was delivered on that day" in by_line[6]
    assert (
        "it is delivered; cancel applies to orders that are draft, proposed, signed" in by_line[7]
    )
    assert "cancel_reason is given, but not cancelled_on" in by_line[8]
    assert "cancelled_on 2024-04-30 is before order_date 2024-05-01" in by_line[9]
    assert result.by_status == {"settled": 1, "cancelled": 2}

    service = reference_books(database_url, tmp_path)
    engine, expected = create_engine(database_url), create_engine(service.engine.url)
    try:
        for rows in (settled, dropped, withdrawn):
            on = dt.date.fromisoformat(rows[0]["order_date"])
            service.propose(
                parse_order(as_request(rows), "unused", on, check.nations),
                key=ids.uuid7(),
                on=on,
            )
        sign_both(service, settled, dt.date(2024, 5, 5), us, jp)
        sign_both(service, withdrawn, dt.date(2024, 5, 3), us, jp)

        def cited(path: Path, line: int | None = None) -> Document:
            return Document(path.name, hashlib.sha256(path.read_bytes()).hexdigest(), line)

        ref = settled[0]["number"]
        service.deliver(
            ref,
            {1: 10},
            key="d1",
            on=dt.date(2024, 5, 12),
            documents=(cited(receipts[0]),),
            contents=[receipts[0].read_bytes()],
        )
        service.deliver(
            ref,
            {1: 4},
            key="d2",
            on=dt.date(2024, 5, 19),
            documents=(cited(receipts[1], 1),),
            contents=[receipts[1].read_bytes()],
        )
        service.bill(
            ref,
            key="b",
            on=dt.date(2024, 5, 31),
            documents=(cited(invoice),),
            contents=[invoice.read_bytes()],
        )
        service.settle(
            ref,
            "cash",
            amounts={"USD": 500000},
            key="p",
            on=dt.date(2024, 6, 15),
            documents=(Document("advice.pdf", advice),),
        )
        service.settle(
            ref,
            "cash",
            amounts=service.order(ref).outstanding_money(),
            key="s",
            on=dt.date(2024, 7, 1),
            documents=(cited(invoice),),
        )
        service.cancel(
            order_id_for("C-1"), key="c1", on=dt.date(2024, 5, 3), reason="exercise called off"
        )
        service.cancel(withdrawn[0]["number"], key="c2", on=dt.date(2024, 5, 4))

        stamps = ("created_at", "updated_at", "recorded_at", "stored_at")
        for t, skip in (
            (tables.orders, stamps),
            (tables.order_documents, ("id", "event_id")),
            (tables.document_contents, stamps),
            (tables.ledger_postings, ("id", "transaction_id")),
            (tables.ceiling_usage, ()),
        ):
            assert table(engine, t, skip) == table(expected, t, skip), t.name
        events = ("seq", "event_id", "recorded_at", "prev_hash", "hash")
        assert [e for e in table(engine, tables.logistics_audit, events) if e["order_id"]] == [
            e for e in table(expected, tables.logistics_audit, events) if e["order_id"]
        ]
    finally:
        service.close()
        engine.dispose()
        expected.dispose()
    assert books.verify()["ok"]
