"""The support decisions stored with orders, each text once.

An order keeps the decision taken at its proposal and at its signing, with every clause and
source: about 2.5 KB of canonical JSON, the same for every order decided in one agreement
segment but for the date. So an event cites the decision (`{"sha256": ..., "on": DATE}`) and
`support_decisions` keeps its text once, the date written `{on}`. The citation is in the
event's payload, which the audit chain hashes, and the row is named by the hash of its text, so
the chain covers the decision as surely as if the text were in the event; `ledger verify`
checks both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from accord.logistics import tables
from accord.logistics.errors import NotFound
from accord.logistics.order import canonical_json
from accord.store.statements import insert_or_ignore

ON = "{on}"
_KEYS = frozenset(("sha256", "on"))


def cite(text: str, on: str | None) -> tuple[dict[str, Any], str]:
    """A decision's canonical JSON text and its date -> (the citation an event keeps, the
    stored body).

    The body is the text with the date written `{on}`, so that `body.replace("{on}", date)`
    gives the text back; a text that has `{on}` of its own is kept as it is (date None)."""
    if on is not None and ON not in text:
        body = text.replace(on, ON)
    else:
        body, on = text, None
    return {"sha256": hashlib.sha256(body.encode()).hexdigest(), "on": on}, body


def cite_decision(decision: dict[str, Any]) -> tuple[dict[str, Any], str]:
    on = decision.get("on")
    return cite(canonical_json(decision).decode(), on if isinstance(on, str) else None)


def is_citation(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() == _KEYS


def text_of(citation: dict[str, Any], body: str) -> str:
    on = citation["on"]
    return body if on is None else body.replace(ON, on)


def save(c: Connection, bodies: dict[str, str]) -> None:
    """Store the bodies (sha256 -> text) not stored yet; concurrent writers may store the same
    one, which is the same row."""
    if not bodies:
        return
    statement = insert_or_ignore(c, tables.support_decisions)
    c.execute(statement, [{"sha256": k, "body": v} for k, v in sorted(bodies.items())])


def load(c: Connection, digests: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(digests))
    table = tables.support_decisions
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(table.c.sha256, table.c.body).where(table.c.sha256.in_(chunk))
        found.update((str(r.sha256), str(r.body)) for r in c.execute(query))
    return found


def resolve(c: Connection, decisions: dict[str, Any]) -> dict[str, Any]:
    """An order's decisions (stage -> decision or citation) with every citation replaced by the
    decision it cites."""
    cited = [d["sha256"] for d in decisions.values() if is_citation(d)]
    if not cited:
        return decisions
    bodies = load(c, cited)
    resolved: dict[str, Any] = {}
    for stage, value in decisions.items():
        if is_citation(value):
            body = bodies.get(value["sha256"])
            if body is None:
                raise NotFound(
                    f"the support decision {value['sha256']} that the order cites is missing; "
                    "run `accord ledger verify`"
                )
            value = json.loads(text_of(value, body))
        resolved[stage] = value
    return resolved
