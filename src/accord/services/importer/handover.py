"""How prepared batches cross from the reading process to the writer (`to_wire`,
`from_wire`), and the reading process itself."""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import os
import pickle
import queue
import signal
import threading
import traceback
from collections.abc import Iterator
from typing import Any

from accord.errors import AccordError, BadInput
from accord.logistics import ceilings
from accord.logistics.order import (
    Document,
)
from accord.services import document_store
from accord.services.importer.preparing import Batch, Prepared, Preparer, _Charges
from accord.services.importer.reading import BadRow


class _FewCollections:
    """Python's cycle collector, made to run rarely while an import runs (in both of its
    processes, which inherit the setting): an import makes millions of rows, tuples and
    lists that live for one batch and form no cycles, and the collector's passes (a young
    one every 700 new containers, and full ones through the agreement tables and caches
    loaded before) took a tenth of the import's time; the objects there before the import
    are left out of its passes (`gc.freeze`). Imports running at once in threads of one
    process share the setting; the last to finish puts the collector back as it was."""

    YOUNG = 100_000  # new containers between two young passes (Python's default: 700)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._before = gc.get_threshold()

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._before = gc.get_threshold()
                gc.freeze()
                gc.set_threshold(self.YOUNG, *self._before[1:])
            self._running += 1

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                gc.set_threshold(*self._before)
                gc.unfreeze()


_few_collections = _FewCollections()


class ReadingProcessLost(AccordError):
    """The reading process of an import died (killed, out of memory) before its last word."""

    code = "import-reader-lost"
    exit_status = 1


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), so that a killed
    importer leaves no reader behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


# ---------------------------------------------------------------------- handing over

# A batch crosses from the reading process to the writer as builtin values in `marshal`'s
# format, which makes and reads tuples of text and numbers several times faster than pickle
# (the crossing was a tenth of the import's work). The orders with a history carry their
# terms and history, domain objects: they are pickled together, and stand as None among
# the others.


def to_wire(batch: Batch) -> bytes:
    items: list[Any] = []
    histories = [p for p in batch.items if p.candidate is not None]
    for p in batch.items:
        if p.candidate is not None:
            items.append(None)
            continue
        c = p.charges
        items.append(
            (
                p.key,
                p.digest,
                p.lines,
                p.id,
                p.number,
                p.requester,
                p.order_date.toordinal(),
                tuple(_charge_fields(x) for x in c.preview),
                tuple(_charge_fields(x) for x in c.signing),
                c.waiver,
                p.decision,
                p.decision_sha256,
                p.bodies,
                tuple((d.name, d.sha256, d.line) for d in p.documents),
                tuple((x.sha256, x.media_type, x.data) for x in p.contents),
                p.payload,
                p.row,
                p.line_rows,
            )
        )
    bad = [(b.line, b.order_key, b.reason) for b in batch.bad]
    counts = (batch.rows, batch.orders_read, batch.not_imported, batch.bytes_read)
    pickled = pickle.dumps(histories, protocol=pickle.HIGHEST_PROTOCOL) if histories else b""
    return marshal.dumps(("batch", (items, pickled, bad, counts)))


def _charge_fields(c: ceilings.Charge) -> tuple[int, str, str, str, int]:
    return (c.fiscal_year, c.group, c.direction, c.scope, c.amount)


def from_wire(data: bytes) -> Batch | tuple[str, str]:
    """The batch `to_wire` made, or the reading process's last word: ("end", ""),
    ("bad-input", message) or ("crash", traceback)."""
    kind, body = marshal.loads(data)
    if kind != "batch":
        return kind, body
    items, pickled, bad, (rows, orders_read, not_imported, bytes_read) = body
    histories = iter(pickle.loads(pickled) if pickled else ())
    prepared: list[Prepared] = []
    Charge, Content = ceilings.Charge, document_store.Content
    for item in items:
        if item is None:
            prepared.append(next(histories))
            continue
        (key, digest, lines, oid, number, requester, day, preview, signing, waiver) = item[:10]
        (decision, sha, bodies, documents, contents, payload, row, line_rows) = item[10:]
        prepared.append(
            Prepared(
                key,
                digest,
                lines,
                oid,
                number,
                requester,
                dt.date.fromordinal(day),
                # most orders have no charges (no US party), documents or contents: no
                # comprehension for them (a fifth of the objects' making in `from_wire`)
                _Charges(
                    tuple([Charge(*x) for x in preview]) if preview else (),
                    tuple([Charge(*x) for x in signing]) if signing else (),
                    waiver,
                ),
                decision,
                sha,
                bodies,
                tuple([Document(*d) for d in documents]) if documents else (),
                [Content(*x) for x in contents] if contents else [],
                payload,
                row,
                line_rows,
            )
        )
    return Batch(
        prepared,
        [BadRow(*b) for b in bad],
        rows,
        orders_read,
        not_imported,
        bytes_read,
    )


# Batches the reading process may have made that the writer has not yet taken off the pipe.
# Sent from the reading process's main thread, a batch (several MB through a pipe of 64 KiB)
# held that thread until the writer had read all of it, which the writer does only between
# two batches of its own: each side waited for the other about 2 s of a million lines'
# 22-27 s. A thread of its own sends them (blocked in the write, it holds no lock that the
# preparing needs), so that the reading side goes on preparing, as far as this many ahead.
_AHEAD = 2


def _produce(preparer: Preparer, parent: int, sender: Any, receiver: Any) -> None:
    """The reading process: prepared batches down the pipe, then the end (or the error)."""
    _die_with_parent(parent)
    receiver.close()
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)

    def send() -> None:
        try:
            while (data := outbox.get()) is not None:
                sender.send_bytes(data)
        except BaseException:
            # the writer closed its end (it failed, or was stopped): nobody to tell; were it
            # still there, it would read the pipe's end as this process ending without a word
            os._exit(1)

    sending = threading.Thread(target=send, name="accord-import-send", daemon=True)
    sending.start()
    try:
        for batch in preparer.batches():
            outbox.put(to_wire(batch))
        message: tuple[str, str] = ("end", "")
    except BadInput as exc:
        message = ("bad-input", str(exc))
    except BaseException:
        message = ("crash", traceback.format_exc())
    outbox.put(marshal.dumps(message))
    outbox.put(None)
    sending.join()
    sender.close()


def _from_process(preparer: Preparer) -> Iterator[Batch]:
    """The preparer's batches, made in a forked process while this one writes."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_produce, args=(preparer, os.getpid(), sender, receiver), daemon=True
    )
    process.start()
    sender.close()
    try:
        while True:
            try:
                data = receiver.recv_bytes()
            except (EOFError, OSError):  # the pipe's end, before a message or within one
                raise ReadingProcessLost(
                    "the importer's reading process ended without a word (was it killed?); "
                    "the orders committed before are whole: run the import again to add the rest"
                ) from None
            message = from_wire(data)
            if isinstance(message, Batch):
                yield message
                continue
            kind, text = message
            if kind == "bad-input":
                raise BadInput(text)
            if kind == "crash":
                raise RuntimeError(f"the importer's reading process failed:\n{text}")
            return
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
