"""The rows and canonical texts an import writes (`orders` and `order_lines` rows, terms,
`created` payloads, audit records), made directly; each held equal to the domain's own by
the unit tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring as _enc
from typing import Any

import orjson

from accord.logistics.order import Document, Line, OrderTerms, canonical_json


def _json_or_null(value: str | None) -> str:
    return "null" if value is None else _enc(value)


def terms_json(t: OrderTerms) -> str:
    """`OrderTerms.canonical()`, as text, made directly (the signed bytes; held equal to
    the domain's own by `tests/unit/test_import_rows.py`)."""
    return terms_text(
        proposed_row(t, postgres=False),
        [line_row(t.id, ln) for ln in t.lines],
        t.number,
        t.documents,
    )


def unnumbered_payload(text: str) -> tuple[str, str]:
    """The `created` event's payload (`{"terms": ...}`) of terms text whose number is "",
    around the number's place (`numbered_payload` puts the number in). Its JSON string, which
    the audit record holds, is made by the writer (`audit_bytes`): the reading side is the
    busier of the import's two processes."""
    cut = text.rindex(',"number":""') + len(',"number":')
    return '{"terms":' + text[:cut], text[cut + 2 :] + "}"


def numbered_payload(pieces: tuple[str, str], number: str) -> str:
    """The payload of `unnumbered_payload`'s pieces with the number in place."""
    head, tail = pieces
    return head + _enc(number) + tail


def terms_text(
    order: Sequence[Any], lines: Iterable[Sequence[Any]], number: str, documents: Iterable[Document]
) -> str:
    """`terms_json`, made from the order's `orders` row (ORDER_ROW, its dates ISO text) and its
    `order_lines` rows (LINE_ROW), which the reading side makes of a proposed order (its
    number "" until the writer numbers it: `unnumbered_payload`). orjson writes what
    `canonical_json` does (compact, the same escapes, non-ASCII as it is) in about 60% of the
    time of f-strings; the keys are given in sorted order, as `canonical_json` sorts them."""
    (
        oid,
        _,
        _,
        _,
        agreement,
        arrangement,
        requester,
        requester_unit,
        supplier,
        supplier_unit,
        situation,
        transaction_type,
        reimbursement,
        order_date,
        date_required,
        return_by,
        delivery_place,
    ) = order[:17]
    terms = {
        "agreement": agreement,
        "arrangement": arrangement,
        "date_required": date_required,
        "delivery_place": delivery_place,
        "documents": [{"line": d.line, "name": d.name, "sha256": d.sha256} for d in documents],
        "id": oid,
        "lines": [
            {
                "category": category,
                "currency": currency,
                "description": description,
                "line": n,
                "nsn": nsn,
                "quantity": quantity,
                "unit": unit,
                "unit_price": price,
            }
            for _, n, category, description, quantity, unit, price, currency, nsn, _, _ in lines
        ],
        "number": number,
        "order_date": order_date,
        "reimbursement": reimbursement,
        "requester": {"nation": requester, "unit": requester_unit},
        "return_by": return_by,
        "situation": situation,
        "supplier": {"nation": supplier, "unit": supplier_unit},
        "transaction_type": transaction_type,
    }
    return orjson.dumps(terms).decode()


def audit_bytes(
    seq: int,
    event_id: str,
    order_id: str | None,
    kind: str,
    on: dt.date,
    recorded_at: str,
    payload: str,
    postings_digest: str | None,
) -> bytes:
    """`repositories.audit_record`, made directly (held equal by the unit tests). The payload
    (a `created` event's is the order's terms, about 2 KB) becomes a JSON string by orjson,
    which writes the same escapes as `json` four times as fast: here it was a twentieth of
    the writer's work."""
    return b"".join(
        (
            f'{{"event_id":{_enc(event_id)},"kind":{_enc(kind)},"on":"{on.isoformat()}",'
            f'"order_id":{_json_or_null(order_id)},"payload":'.encode(),
            orjson.dumps(payload),
            f',"postings":{_json_or_null(postings_digest)},"recorded_at":{_enc(recorded_at)},'
            f'"seq":{seq}}}'.encode(),
        )
    )


def _totals(t: OrderTerms) -> str:
    """`OrderTerms.totals()` as canonical JSON."""
    totals: dict[str, int] = {}
    for line in t.lines:
        totals[line.currency] = totals.get(line.currency, 0) + line.quantity * line.unit_price
    if len(totals) == 1:
        ((code, total),) = totals.items()
        return f"{{{_enc(code)}:{total}}}"
    return canonical_json(dict(sorted(totals.items()))).decode()


_NOTHING_OUTSTANDING = canonical_json({"money": {}, "in_kind": {}, "due_back": {}}).decode()


def static_columns(t: OrderTerms) -> dict[str, Any]:
    """`repositories.static_columns`, made directly."""
    return {
        "id": t.id,
        "number": t.number,
        "issuing_nation": t.issuing_nation,
        "year": t.order_date.year,
        "agreement": t.agreement,
        "arrangement": t.arrangement,
        "requester": t.requester.nation,
        "requester_unit": t.requester.unit,
        "supplier": t.supplier.nation,
        "supplier_unit": t.supplier.unit,
        "situation": t.situation,
        "transaction_type": t.transaction_type,
        "reimbursement": t.reimbursement,
        "order_date": t.order_date,
        "date_required": t.date_required,
        "return_by": t.return_by,
        "delivery_place": t.delivery_place,
        "totals": _totals(t),
    }


def proposed_row(t: OrderTerms, postgres: bool) -> tuple[Any, ...]:
    """The `orders` row (ORDER_ROW) of an order that is only proposed, but for its number
    (None) and time stamps (left out). Its dates are ISO text on both databases (PostgreSQL
    casts the text to its DATE columns), so that it crosses to the writer as plain data."""
    return (
        t.id,
        None,
        t.requester.nation,
        t.order_date.year,
        t.agreement,
        t.arrangement,
        t.requester.nation,
        t.requester.unit,
        t.supplier.nation,
        t.supplier.unit,
        t.situation,
        t.transaction_type,
        t.reimbursement,
        t.order_date.isoformat(),
        t.date_required.isoformat(),
        _iso(t.return_by),
        t.delivery_place,
        _totals(t),
        "proposed",
        2,
        None,
        None,
        None,
        None,
        *((False, False) if postgres else (0, 0)),
        _NOTHING_OUTSTANDING,
        "{}",
        "{}",
        None,
        None,
        None,
        None,
    )


def line_row(order_id: str, ln: Line, delivered: int = 0, returned: int = 0) -> tuple[Any, ...]:
    """An `order_lines` row (LINE_ROW: the line's fields in their order)."""
    return (order_id, *ln, delivered, returned)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
