"""Supporting documents through the real `accord` command: `--document PATH` keeps the bytes,
`orders documents` lists what an order cites and holds, `orders document` writes the bytes back
out checked against the hash; one-line errors (exit 2) for what cannot be found or is not held,
the size limit, and `ledger verify` failing on changed bytes."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import create_engine, func, select, text
from test_orders_cli import Cli, cli, counts  # noqa: F401

from accord.logistics import tables

RECEIPT = b"%PDF-1.7\nreceipt: 200 ML field rations received, Camp Hansen\n"
REQUEST = b"DD Form 1149 (request), signed\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored(cli: Cli) -> int:  # noqa: F811
    engine = create_engine(cli.env["ACCORD_DATABASE_URL"])
    try:
        with engine.connect() as c:
            return int(
                c.execute(select(func.count()).select_from(tables.document_contents)).scalar_one()
            )
    finally:
        engine.dispose()


def signed_order(cli: Cli) -> str:  # noqa: F811
    """The first order of the books, proposed with its request form and signed by both (in
    this process: the state the tests start from)."""
    (cli.tmp / "request.pdf").write_bytes(REQUEST)
    cli.prepare(
        "orders",
        "propose",
        "order.yaml",
        "--on",
        "2024-05-01",
        "--document",
        "request.pdf",
        "--idempotency-key",
        "p",
    )
    number = "USA-2024-000001"
    cli.prepare("orders", "sign", number, "--as", "us-coord", "--on", "2024-05-02")
    cli.prepare("orders", "sign", number, "--as", "jp-chief", "--on", "2024-05-02")
    return number


def test_documents_in_and_out(cli: Cli) -> None:  # noqa: F811
    number = signed_order(cli)
    (cli.tmp / "scans").mkdir()
    (cli.tmp / "scans" / "receipt.pdf").write_bytes(RECEIPT)
    args = (
        "orders",
        "deliver",
        number,
        "--line",
        "1=200",
        "--on",
        "2024-05-10",
        "--document",
        "1:scans/receipt.pdf",
        "--document",
        f"photo.jpg={'ab' * 32}",
        "--idempotency-key",
        "d1",
    )
    done = cli(*args)
    assert "document receipt.pdf: content kept" in done.stdout
    before = counts(cli)
    again = cli(*args)
    assert "already done" in again.stdout and "content kept" not in again.stdout
    assert counts(cli) == before and stored(cli) == 2  # the retry stored nothing

    listed = cli.json("orders", "documents", number)
    assert listed["held"] == 2
    assert [(d["name"], d["line"], d["event_kind"], d["held"]) for d in listed["documents"]] == [
        ("request.pdf", None, "created", True),
        ("receipt.pdf", 1, "delivered", True),
        ("photo.jpg", None, "delivered", False),
    ]
    receipt = listed["documents"][1]
    assert receipt["sha256"] == sha(RECEIPT) and receipt["size"] == len(RECEIPT)
    assert receipt["media_type"] == "application/pdf"
    text_out = cli("orders", "documents", number).stdout
    assert "3 documents cited, content held for 2" in text_out
    assert sha(RECEIPT) in text_out and "content not held" in text_out

    out = cli("orders", "document", number, "receipt.pdf", "--output", "back.pdf").stdout
    assert (cli.tmp / "back.pdf").read_bytes() == RECEIPT
    assert f"sha256 {sha(RECEIPT)} checked" in out
    cli("orders", "document", number, sha(REQUEST), "--output", "request-copy.pdf")
    assert (cli.tmp / "request-copy.pdf").read_bytes() == REQUEST
    assert cli("orders", "document", number, "request.pdf", "-o", "-").stdout == REQUEST.decode()

    # the same bytes cited again (on the bill) are stored once
    cli("orders", "bill", number, "--on", "2024-05-20", "--document", "scans/receipt.pdf")
    assert stored(cli) == 2
    report = cli.json("ledger", "verify")
    assert report["ok"] and report["documents"] == "ok"


def test_what_cannot_be_written_out(cli: Cli) -> None:  # noqa: F811
    number = signed_order(cli)
    cli(
        "orders",
        "deliver",
        number,
        "--all",
        "--on",
        "2024-05-10",
        "--document",
        f"photo.jpg={'cd' * 32}",
    )
    for order, name, message in (
        ("USA-2024-000009", "request.pdf", "no order 'USA-2024-000009'"),
        (number, "invoice.pdf", "cites no document 'invoice.pdf'"),
        (number, "photo.jpg", "content is not held"),
    ):
        done = cli("orders", "document", order, name, "--output", "out.bin", code=2)
        assert message in done.stderr
        assert not (cli.tmp / "out.bin").exists()


def test_refused_files_write_nothing(cli: Cli) -> None:  # noqa: F811
    number = signed_order(cli)
    before, held = counts(cli), stored(cli)
    with (cli.tmp / "big.pdf").open("wb") as f:
        f.truncate(25 * 1024 * 1024 + 1)  # one byte over the limit (sparse: nothing read)
    done = cli("orders", "deliver", number, "--all", "--document", "big.pdf", code=2)
    assert "'big.pdf' is 26,214,401 bytes" in done.stderr and "limit is 25 MiB" in done.stderr
    done = cli("orders", "deliver", number, "--all", "--document", "missing.pdf", code=2)
    assert "no file 'missing.pdf'" in done.stderr
    done = cli("orders", "deliver", number, "--all", "--document", "receipt.pdf=xyz", code=2)
    assert "malformed SHA-256" in done.stderr
    assert counts(cli) == before and stored(cli) == held


def test_changed_bytes_are_found(cli: Cli) -> None:  # noqa: F811
    number = signed_order(cli)
    engine = create_engine(cli.env["ACCORD_DATABASE_URL"])
    try:
        with engine.begin() as c:  # someone with direct database access, triggers off
            if engine.dialect.name == "postgresql":
                c.execute(text("SET session_replication_role = replica"))
            else:
                c.execute(text("DROP TRIGGER document_contents_no_update"))
            c.execute(text("UPDATE document_contents SET content = :c"), {"c": b"forged"})
    finally:
        engine.dispose()
    done = cli("orders", "document", number, "request.pdf", "--output", "out.pdf", code=1)
    assert "no longer has that SHA-256" in done.stderr
    assert not (cli.tmp / "out.pdf").exists()
    done = cli("ledger", "verify", "--json", code=1)
    report = json.loads(done.stdout)
    assert report["documents"] == "broken" and sha(REQUEST) in report["problems"][0]
