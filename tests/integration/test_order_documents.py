"""Supporting documents' content on SQLite and PostgreSQL: the bytes given with a citation are
kept once per SHA-256, in the same transaction as the event that cites them (a failure keeps
neither, a retry stores nothing twice); they come back out checked against the hash; the table
is append-only, and `verify` finds bytes changed behind Accord's back."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from test_orders_support import D, add_signer, books, request, signed_order  # noqa: F401

from accord.errors import BadInput
from accord.logistics import tables
from accord.logistics.errors import NotFound
from accord.logistics.order import Document
from accord.services import document_store, ids
from accord.services.logistics import Logistics

RECEIPT = b"%PDF-1.7 receipt signed by Sgt. Kim, 40 ML received\n"
INVOICE = b"invoice JGSDF-2024-0113, USD 500.00\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc(name: str, data: bytes, line: int | None = None) -> Document:
    return Document(name, sha(data), line)


@pytest.fixture
def raw(books: Logistics) -> Iterator[Engine]:  # noqa: F811
    """A plain engine on the same database, to look at (and tamper with) the rows."""
    engine = create_engine(books.engine.url)
    yield engine
    engine.dispose()


def rows(engine: Engine, table: Any) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def events(engine: Engine) -> int:
    return rows(engine, tables.logistics_audit)


def signed(books: Logistics) -> str:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    return signed_order(books, us, jp)


def test_content_is_kept_with_its_event_and_comes_back_checked(
    books: Logistics,  # noqa: F811
    raw: Engine,
) -> None:
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    form = b"DD Form 1149, requisition and invoice/shipping document"
    proposed = books.propose(
        request(documents=[{"name": "request.pdf", "sha256": sha(form)}]),
        key="p",
        on=D,
        contents=[form],
    )
    ref = proposed["order"]["id"]
    books.sign(ref, us.id, us.sign(books, ref), key="s1", on=D)
    books.sign(ref, jp.id, jp.sign(books, ref), key="s2", on=D)
    books.deliver(
        ref,
        {1: 40},
        key="d",
        on=D,
        documents=(doc("receipt.pdf", RECEIPT, 1), Document("photo.jpg", "ab" * 32)),
        contents=[RECEIPT],
    )
    books.bill(ref, key="b", on=D, documents=(doc("invoice.xlsx", INVOICE),), contents=[INVOICE])

    listed = books.documents(ref)
    assert listed["order"]["number"] == "USA-2024-000001"
    by_name = {d["name"]: d for d in listed["documents"]}
    assert [d["name"] for d in listed["documents"]] == [
        "request.pdf",
        "receipt.pdf",
        "photo.jpg",
        "invoice.xlsx",
    ]
    assert listed["held"] == 3
    assert by_name["request.pdf"]["event_kind"] == "created"
    assert by_name["receipt.pdf"] == {
        "name": "receipt.pdf",
        "line": 1,
        "event": ids.derived("d", "delivered"),
        "event_kind": "delivered",
        "on": D.isoformat(),
        "sha256": sha(RECEIPT),
        "held": True,
        "size": len(RECEIPT),
        "media_type": "application/pdf",
    }
    assert by_name["photo.jpg"]["held"] is False and by_name["photo.jpg"]["size"] is None
    assert by_name["invoice.xlsx"]["event_kind"] == "billed"
    assert by_name["invoice.xlsx"]["media_type"].endswith("spreadsheetml.sheet")

    found, data = books.document(ref, "receipt.pdf")
    assert data == RECEIPT and found["sha256"] == sha(RECEIPT)
    assert books.document("USA-2024-000001", sha(form))[1] == form
    assert books.document(ref, sha(INVOICE)[:10])[1] == INVOICE  # a prefix of the hash
    assert rows(raw, tables.document_contents) == 3
    report = books.verify()
    assert report["ok"] and report["documents"] == "ok"


def test_refusals(books: Logistics) -> None:  # noqa: F811
    ref = signed(books)
    books.deliver(ref, {1: 1}, key="d", on=D, documents=(Document("photo.jpg", "cd" * 32),))
    with pytest.raises(document_store.ContentNotHeld, match="content is not held"):
        books.document(ref, "photo.jpg")
    with pytest.raises(NotFound, match=r"cites no document 'invoice\.pdf'"):
        books.document(ref, "invoice.pdf")
    with pytest.raises(NotFound, match="no order"):
        books.document("USA-2024-999999", "photo.jpg")
    books.deliver(
        ref, {1: 1}, key="d2", on=D, documents=(doc("photo.jpg", RECEIPT),), contents=[RECEIPT]
    )
    with pytest.raises(BadInput, match=r"2 different documents matching 'photo\.jpg'"):
        books.document(ref, "photo.jpg")
    assert books.document(ref, sha(RECEIPT))[1] == RECEIPT


def test_the_same_bytes_cited_twice_are_stored_once(
    books: Logistics,  # noqa: F811
    raw: Engine,
) -> None:
    ref = signed(books)
    books.deliver(
        ref,
        {1: 10},
        key="d1",
        on=D,
        documents=(doc("receipt.pdf", RECEIPT, 1), doc("copy of receipt.pdf", RECEIPT)),
        contents=[RECEIPT, RECEIPT],
    )
    books.deliver(
        ref, {1: 10}, key="d2", on=D, documents=(doc("receipt.pdf", RECEIPT),), contents=[RECEIPT]
    )
    assert rows(raw, tables.document_contents) == 1
    assert rows(raw, tables.order_documents) == 3
    assert [d["held"] for d in books.documents(ref)["documents"]] == [True, True, True]


def test_a_retry_with_the_same_key_stores_nothing_twice(
    books: Logistics,  # noqa: F811
    raw: Engine,
) -> None:
    ref = signed(books)
    first = books.deliver(
        ref, {1: 10}, key="d", on=D, documents=(doc("receipt.pdf", RECEIPT),), contents=[RECEIPT]
    )
    before = (events(raw), rows(raw, tables.order_documents), rows(raw, tables.document_contents))
    again = books.deliver(
        ref, {1: 10}, key="d", on=D, documents=(doc("receipt.pdf", RECEIPT),), contents=[RECEIPT]
    )
    assert again["replayed"] and again["events"] == first["events"]
    after = (events(raw), rows(raw, tables.order_documents), rows(raw, tables.document_contents))
    assert after == before == (before[0], 1, 1)


def test_a_failure_at_commit_keeps_neither_the_event_nor_the_content(
    books: Logistics,  # noqa: F811
    raw: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = signed(books)
    version = books.order(ref).version
    before = (events(raw), rows(raw, tables.order_documents), rows(raw, tables.ledger_postings))
    real_save = document_store.save

    def save_then_fail(*args: Any) -> int:
        real_save(*args)  # the bytes are written, then the transaction fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(document_store, "save", save_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        books.deliver(
            ref, {1: 10}, key="d", on=D, documents=(doc("r.pdf", RECEIPT),), contents=[RECEIPT]
        )
    monkeypatch.setattr(document_store, "save", real_save)
    assert rows(raw, tables.document_contents) == 0
    assert (
        events(raw),
        rows(raw, tables.order_documents),
        rows(raw, tables.ledger_postings),
    ) == before
    assert books.order(ref).version == version
    # and the same key, retried, now does it once
    books.deliver(
        ref, {1: 10}, key="d", on=D, documents=(doc("r.pdf", RECEIPT),), contents=[RECEIPT]
    )
    assert rows(raw, tables.document_contents) == 1
    assert books.verify()["ok"]


def test_bad_content_writes_nothing(
    books: Logistics,  # noqa: F811
    raw: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = signed(books)
    books.deliver(ref, {1: 1}, key="d0", on=D)  # so that it can be billed
    before = (events(raw), rows(raw, tables.order_documents))
    with pytest.raises(BadInput, match="no document of this command cites it"):
        books.deliver(
            ref, {1: 1}, key="x1", on=D, documents=(doc("r.pdf", RECEIPT),), contents=[INVOICE]
        )
    monkeypatch.setattr(document_store, "MAX_BYTES", 1024)
    with pytest.raises(BadInput, match=r"'big.pdf' is 1,025 bytes .*the limit is 25 MiB"):
        books.bill(
            ref, key="x2", on=D, documents=(doc("big.pdf", b"x" * 1025),), contents=[b"x" * 1025]
        )
    with pytest.raises(BadInput, match="malformed SHA-256"):
        books.bill(ref, key="x3", on=D, documents=(Document("invoice.pdf", "not-a-hash"),))
    assert (events(raw), rows(raw, tables.order_documents)) == before
    assert rows(raw, tables.document_contents) == 0
    books.deliver(
        ref,
        {1: 1},
        key="x4",
        on=D,
        documents=(doc("max.pdf", b"y" * 1024),),
        contents=[b"y" * 1024],
    )
    assert rows(raw, tables.document_contents) == 1  # exactly the limit is accepted


def test_concurrent_writers_citing_the_same_bytes(books: Logistics, database_url: str) -> None:  # noqa: F811
    workers = 6
    barrier = threading.Barrier(workers)

    def one(i: int) -> dict[str, Any]:
        service = Logistics(database_url)
        try:
            barrier.wait()
            return service.propose(
                request(documents=[{"name": f"request-{i}.pdf", "sha256": sha(RECEIPT)}]),
                key=f"p-{i}",
                on=D,
                contents=[RECEIPT],
            )
        finally:
            service.close()

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, range(workers)))
    assert len({r["order"]["id"] for r in results}) == workers
    engine = create_engine(database_url)
    try:
        assert rows(engine, tables.document_contents) == 1
    finally:
        engine.dispose()
    for r in results:
        assert books.document(r["order"]["id"], sha(RECEIPT))[1] == RECEIPT
    assert books.verify()["ok"]


def _stored(books: Logistics) -> str:  # noqa: F811
    ref = signed(books)
    books.deliver(
        ref, {1: 1}, key="d", on=D, documents=(doc("receipt.pdf", RECEIPT),), contents=[RECEIPT]
    )
    return ref


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE document_contents SET media_type = 'text/plain'",
        "DELETE FROM document_contents",
        "TRUNCATE document_contents",
    ],
)
def test_the_contents_are_append_only(books: Logistics, raw: Engine, sql: str) -> None:  # noqa: F811
    if sql.startswith("TRUNCATE") and raw.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _stored(books)
    with pytest.raises(DBAPIError, match="append-only"), raw.begin() as c:
        c.execute(text(sql))
    assert rows(raw, tables.document_contents) == 1
    assert books.verify()["ok"]


def _bypass(raw: Engine, sql: str, **params: Any) -> None:
    """Change rows as someone with direct database access would, triggers off."""
    with raw.begin() as c:
        if raw.dialect.name == "postgresql":
            c.execute(text("SET session_replication_role = replica"))
        else:
            c.execute(text("DROP TRIGGER document_contents_no_update"))
        c.execute(text(sql), params)


def test_verify_and_the_way_out_find_changed_bytes(books: Logistics, raw: Engine) -> None:  # noqa: F811
    ref = _stored(books)
    assert books.verify(deep=False)["documents"] == "ok"
    _bypass(raw, "UPDATE document_contents SET content = :c", c=RECEIPT.replace(b"40", b"90"))
    report = books.verify()
    assert report["ok"] is False and report["documents"] == "broken"
    assert report["balanced"] and report["audit_chain"] == "ok"  # only the documents changed
    assert any(sha(RECEIPT) in p and "altered" in p for p in report["problems"])
    assert books.verify(deep=False)["ok"] is False
    with pytest.raises(document_store.ContentAltered, match="no longer has that SHA-256"):
        books.document(ref, "receipt.pdf")


def test_verify_finds_a_wrong_size(books: Logistics, raw: Engine) -> None:  # noqa: F811
    _stored(books)
    _bypass(raw, "UPDATE document_contents SET size = size + 1")
    report = books.verify()
    assert report["documents"] == "broken" and "size" in report["problems"][0]


def test_the_migration_matches_the_table_and_goes_down_and_up(database_url: str) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData, inspect

    from accord.store.metadata import metadata
    from accord.store.migrate import alembic_config, upgrade

    upgrade(database_url)
    mine = MetaData(naming_convention=metadata.naming_convention)
    tables.document_contents.to_metadata(mine)
    engine = create_engine(database_url)
    try:
        with engine.connect() as c:
            context = MigrationContext.configure(
                c,
                opts={
                    "include_name": lambda name, kind, _p: (
                        kind != "table" or name == "document_contents"
                    )
                },
            )
            assert compare_metadata(context, mine) == []
        command.downgrade(alembic_config(database_url), "9b3e5d7a1c20")
        assert "document_contents" not in inspect(engine).get_table_names()
        upgrade(database_url)
        assert "document_contents" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    service = Logistics(database_url)
    try:
        ref = signed(service)
        service.deliver(
            ref, {1: 1}, key="d", on=D, documents=(doc("r.pdf", RECEIPT),), contents=[RECEIPT]
        )
        with pytest.raises(DBAPIError, match="append-only"), service.engine.begin() as c:
            c.execute(text("DELETE FROM document_contents"))  # the triggers came back too
    finally:
        service.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("receipt.pdf", "application/pdf"),
        ("RECEIPT.PDF", "application/pdf"),
        ("photo.jpg", "image/jpeg"),
        ("ledger.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("scan.tar.gz", "application/gzip"),
        ("notes", "application/octet-stream"),
        ("form.dd1149", "application/octet-stream"),
    ],
)
def test_media_type_is_guessed_from_the_name(name: str, expected: str) -> None:
    assert document_store.media_type(name) == expected


def test_dates_are_those_of_the_citing_events(books: Logistics) -> None:  # noqa: F811
    ref = signed(books)
    later = D + dt.timedelta(days=3)
    books.deliver(
        ref, {1: 1}, key="d", on=later, documents=(doc("r.pdf", RECEIPT),), contents=[RECEIPT]
    )
    (only,) = books.documents(ref)["documents"]
    assert only["on"] == later.isoformat() and only["event_kind"] == "delivered"


def test_a_document_cited_in_the_terms_supports_the_order_in_the_missing_report(
    books: Logistics,  # noqa: F811
) -> None:
    """A requisition attached at proposal supports every line (DoD IG 2016-067 found lines
    without one): the missing-data report does not list the order for want of documents."""
    from accord.reports import run

    form = b"DD Form 1149, requisition and invoice/shipping document"
    with_form = books.propose(
        request(documents=[{"name": "request.pdf", "sha256": sha(form)}]),
        key="p1",
        on=D,
        contents=[form],
    )["order"]["number"]
    without = books.propose(request(), key="p2", on=D)["order"]["number"]
    with run.reading(str(books.engine.url)) as c:
        found = run.make("missing", c, D).sections[0].rows
    issues = {(r["order"], r["issue"]) for r in found}
    assert (without, "documents") in issues
    assert (with_form, "documents") not in issues
