"""The release register's hash chain, as pure functions.

Each record's payload is its canonical JSON (keys sorted, no spaces, UTF-8); its hash is the
SHA-256 of the previous record's hash (hex), a newline, and the payload. The first record
follows `GENESIS`. Changing any record, or removing or reordering one, changes every hash after
it; `check` names the first record that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The columns that repeat a payload field (column name -> payload key).
INDEXED = {
    "record_id": "id",
    "kind": "kind",
    "recorded_at": "recorded_at",
    "actor": "actor",
    "holder": "holder",
    "recipient": "recipient",
    "originator": "originator",
    "marking": "marking",
    "outcome": "outcome",
    "consent_ref": "consent_ref",
    "idempotency_key": "idempotency_key",
}


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + payload).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    records: int
    first_bad: int | None  # the sequence number of the first record that does not fit
    problem: str | None
    head: str  # the last good hash

    def as_json(self) -> dict[str, object]:
        return {
            "register_chain": "ok" if self.ok else "broken",
            "records": self.records,
            "first_bad_record": self.first_bad,
            "problem": self.problem,
            "head": self.head,
        }


def check(rows: Iterable[Mapping[str, Any]], head: tuple[int, str] | None = None) -> ChainReport:
    """Rows in sequence order, each with `seq`, `payload`, `prev_hash`, `hash` and the indexed
    columns; `head` is the stored (seq, hash) of the last record."""
    prev = GENESIS
    count = 0
    for row in rows:
        count += 1
        problem = _problem(row, count, prev)
        if problem is not None:
            return ChainReport(
                False, count, int(row["seq"]), f"record {row['seq']}: {problem}", prev
            )
        prev = str(row["hash"])
    if head is not None and head != (count, prev):
        return ChainReport(
            False,
            count,
            count + 1 if head[0] > count else head[0],
            f"the register's head names record {head[0]} but the chain ends at record {count} "
            "(records were removed or the head was changed)",
            prev,
        )
    return ChainReport(True, count, None, None, prev)


def _problem(row: Mapping[str, Any], position: int, prev: str) -> str | None:
    """Why the row at `position` (1-based) does not follow `prev`, or None."""
    seq = int(row["seq"])
    if seq != position:
        return f"expected record {position} here (a record is missing or out of order)"
    if row["prev_hash"] != prev:
        return "its previous-hash does not match the record before it"
    payload = str(row["payload"]).encode()
    if chain_hash(prev, payload) != row["hash"]:
        return "its hash does not match its content (the record was changed)"
    try:
        body = json.loads(payload)
    except json.JSONDecodeError:
        return "its payload is not JSON"
    if body.get("seq") != seq:
        return "its payload names another sequence number"
    for column, key in INDEXED.items():
        if row.get(column) != body.get(key):
            return f"column {column} does not match the hashed record"
    return None
