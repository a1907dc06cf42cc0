"""The bytes of supporting documents, each kept once and named by its SHA-256.

An order cites a document by name and SHA-256: in its terms (at proposal) or in the event of a
delivery, a bill or a settlement (`order_documents`). When the bytes are given as well
(`--document PATH`), `Books` keeps them in `document_contents`, written in the same transaction
as the event that cites them and after the audit chain's head is locked (every writer takes
that lock, so no two ever wait on each other's rows here). The same bytes cited twice are one
row; a citation given as `NAME=SHA256` has no row ("content not held"). Rows never change
(triggers on both databases); `read` rehashes what it returns and `accord ledger verify`
rehashes every row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from accord.errors import AccordError, BadInput
from accord.logistics import tables
from accord.logistics.errors import NotFound
from accord.logistics.order import Document, Order
from accord.store.statements import insert_or_ignore

MAX_BYTES = 25 * 1024 * 1024  # per document
LIMIT = "25 MiB"
OCTET_STREAM = "application/octet-stream"

# Python's own table (not the machine's /etc/mime.types), so that the guess is the same
# everywhere, with the office formats it lacks.
_TYPES = mimetypes.MimeTypes()
_EXTRA = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".msg": "application/vnd.ms-outlook",
    ".heic": "image/heic",
    ".webp": "image/webp",
}
_ENCODINGS = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz"}


class ContentNotHeld(BadInput):
    """The order cites the document, but Accord was never given its bytes."""

    code = "content-not-held"


class ContentAltered(AccordError):
    """Stored bytes no longer have the SHA-256 they are named by (changed behind Accord)."""

    code = "document-altered"
    exit_status = 1


@dataclass(frozen=True, slots=True)
class Content:
    sha256: str
    media_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_type(name: str) -> str:
    """The media type a document's name suggests (`application/octet-stream` if none)."""
    lowered = name.lower()
    for suffix, kind in _EXTRA.items():
        if lowered.endswith(suffix):
            return kind
    guessed, encoding = _TYPES.guess_type(lowered, strict=False)
    if encoding is not None:
        return _ENCODINGS.get(encoding, OCTET_STREAM)
    return guessed or OCTET_STREAM


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def check_size(name: str, size: int) -> None:
    if size > MAX_BYTES:
        raise BadInput(
            f"document {name!r} is {size:,} bytes ({mib(size)}); the limit is {LIMIT} "
            f"({MAX_BYTES:,} bytes) per document: cite it as NAME=SHA256 to record it "
            "without its content"
        )


def content(name: str, data: bytes) -> Content:
    check_size(name, len(data))
    return Content(sha256_of(data), media_type(name), data)


FORMS = "a file path, LINE:PATH, NAME=SHA256 or LINE:NAME=SHA256"


def named(value: str, folder: Path | None = None) -> tuple[Document, Content | None]:
    """A supporting document as a command (`--document`) or an import file names it: a file,
    `PATH` or `LINE:PATH` for one order line (a relative path taken from `folder`, else from
    the working folder), its bytes read to be kept; or a citation without content,
    `NAME=SHA256` or `LINE:NAME=SHA256`."""
    line: int | None = None
    path = _beside(value, folder)
    head, colon, rest = value.partition(":")
    if not path.is_file() and colon and head.isdigit():
        line, path = int(head), _beside(rest, folder)
    if path.is_file():
        check_size(path.name, path.stat().st_size)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"cannot read document {value!r}: {exc.strerror}") from None
        kept = content(path.name, data)
        return Document(path.name, kept.sha256, line), kept
    name, sep, sha = value.rpartition("=")
    if not sep or not name:
        raise BadInput(f"no file {value!r}, nor NAME=SHA256; accepted: {FORMS}")
    head, colon, rest = name.partition(":")
    if colon and head.isdigit():
        line, name = int(head), rest
    return Document(name, sha.strip().lower(), line), None


def _beside(value: str, folder: Path | None) -> Path:
    path = Path(value)
    return path if folder is None or path.is_absolute() else folder / path


# ---------------------------------------------------------------------- storage


@dataclass(frozen=True, slots=True)
class Held:
    size: int
    media_type: str
    stored_at: str


def held(c: Connection, digests: Iterable[str]) -> dict[str, Held]:
    """Which of these SHA-256 have their bytes stored (without reading the bytes)."""
    wanted = sorted(set(digests))
    t = tables.document_contents
    found: dict[str, Held] = {}
    for start in range(0, len(wanted), 500):
        query = select(t.c.sha256, t.c.size, t.c.media_type, t.c.stored_at).where(
            t.c.sha256.in_(wanted[start : start + 500])
        )
        found.update(
            (str(r.sha256), Held(int(r.size), str(r.media_type), str(r.stored_at)))
            for r in c.execute(query)
        )
    return found


def save(c: Connection, contents: Iterable[Content], stamp: str) -> int:
    """Store the contents not stored yet (each once); return how many rows were added."""
    pending = {x.sha256: x for x in contents}
    for digest in held(c, pending):
        del pending[digest]
    if not pending:
        return 0
    t = tables.document_contents
    statement = insert_or_ignore(c, t)
    rows = [
        {
            "sha256": x.sha256,
            "size": x.size,
            "media_type": x.media_type,
            "content": x.data,
            "stored_at": stamp,
        }
        for _, x in sorted(pending.items())
    ]
    c.execute(statement, rows)
    return len(rows)


def read(c: Connection, digest: str) -> bytes | None:
    """The stored bytes named by this SHA-256, checked against it; None if not held."""
    t = tables.document_contents
    data = c.execute(select(t.c.content).where(t.c.sha256 == digest)).scalar()
    if data is None:
        return None
    data = bytes(data)
    if sha256_of(data) != digest:
        raise ContentAltered(
            f"the stored content of document {digest} no longer has that SHA-256 (it was "
            "changed behind Accord's back); nothing written; run `accord ledger verify`"
        )
    return data


def altered(c: Connection, batch: int = 4) -> Iterator[tuple[str, str]]:
    """Every stored row whose bytes or size no longer fit its SHA-256: (sha256, what)."""
    t = tables.document_contents
    query = select(t.c.sha256, t.c.size, t.c.content).order_by(t.c.sha256)
    result = c.execution_options(stream_results=True, yield_per=batch).execute(query)
    for r in result:
        data = bytes(r.content)
        if sha256_of(data) != r.sha256:
            yield r.sha256, "its bytes no longer have that SHA-256"
        elif int(r.size) != len(data):
            yield r.sha256, f"its size says {int(r.size)} bytes, it holds {len(data)}"


# ---------------------------------------------------------------------- an order's documents


def citations(c: Connection, order: Order) -> list[dict[str, Any]]:
    """Every document the order cites, oldest first: those in its terms (the `created`
    event), then those of its deliveries, bills and settlements; each with whether its
    content is held."""
    order_id = order.terms.id
    a = tables.logistics_audit
    events: dict[str, tuple[str, dt.date]] = {
        str(r.event_id): (str(r.kind), r.on_date)
        for r in c.execute(
            select(a.c.event_id, a.c.kind, a.c.on_date)
            .where(a.c.order_id == order_id)
            .order_by(a.c.seq)
        )
    }
    d = tables.order_documents  # every citation, the terms' own with the `created` event
    cited: list[tuple[str, int | None, str | None, str]] = [
        (str(r.name), r.line, str(r.event_id), str(r.sha256))
        for r in c.execute(
            select(d.c.name, d.c.line, d.c.event_id, d.c.sha256)
            .where(d.c.order_id == order_id)
            .order_by(d.c.id)
        )
    ]
    stored = held(c, (sha for *_, sha in cited))
    out = []
    for name, line, event, sha in cited:
        kind, on = events.get(event or "", (None, None))
        h = stored.get(sha)
        out.append(
            {
                "name": name,
                "line": None if line is None else int(line),
                "event": event,
                "event_kind": kind,
                "on": on.isoformat() if on is not None else None,
                "sha256": sha,
                "held": h is not None,
                "size": h.size if h else None,
                "media_type": h.media_type if h else None,
            }
        )
    return out


def find(number: str, cited: list[dict[str, Any]], which: str) -> dict[str, Any]:
    """The one document of an order named `which` (its name, or its SHA-256 or a prefix of
    at least 8 hex digits of it)."""
    wanted = which.strip()
    by_name = [x for x in cited if x["name"] == wanted]
    low = wanted.lower()
    by_hash = (
        [x for x in cited if x["sha256"].startswith(low)]
        if len(low) >= 8 and all(ch in "0123456789abcdef" for ch in low)
        else []
    )
    matches = by_name or by_hash
    digests = sorted({x["sha256"] for x in matches})
    if not digests:
        names = ", ".join(sorted({repr(x["name"]) for x in cited})) or "none"
        raise NotFound(
            f"order {number} cites no document {which!r}; its documents: {names} "
            "(see `accord orders documents`)"
        )
    if len(digests) > 1:
        shown = ", ".join(x[:12] for x in digests)
        raise BadInput(
            f"order {number} cites {len(digests)} different documents matching {which!r} "
            f"(sha256 {shown}); give the SHA-256 instead"
        )
    best = next((x for x in matches if x["held"]), matches[0])
    return best
