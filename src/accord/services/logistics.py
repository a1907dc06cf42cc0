"""The logistics use cases: officials, exchange rates, orders from proposal to closure, and the
ledger's balances and verification.

Two ways in:

- `Logistics` (one command, one transaction): each mutating method takes an idempotency key;
  a retry with the same key and the same request returns the first result, and the same key
  with a different request is refused. Transient conflicts are retried.
- `Logistics.batch()` gives a `Books` inside one transaction, for importers and the demo: call
  any number of commands, then `commit()`. Everything in it is written together or not at all.

Each command appends its audit event and its balanced postings in the same transaction as the
order's new state, and the bytes of the documents it cites when they are given
(`document_store`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from accord.errors import BadInput
from accord.logistics import ceilings, clocks, money, rates, signing
from accord.logistics.errors import IdempotencyConflict, InvalidTransition
from accord.logistics.order import (
    Document,
    Event,
    Order,
    Status,
    canonical_json,
    check_signing_limit,
    validate_document,
)
from accord.logistics.order_input import OrderRequest
from accord.logistics.text import NAME_CHARS, check_text
from accord.services import document_store, ids
from accord.services.agreement_check import AgreementCheck
from accord.services.repositories import LogisticsStore, Official, dumps, outstanding_json
from accord.services.unit_of_work import UnitOfWork, engine_for, run

T = TypeVar("T")


def summary(order: Order, event_ids: list[str], **extra: Any) -> dict[str, Any]:
    """What a command returns (and what a retry with its key returns again)."""
    return {
        "order": {
            "id": order.terms.id,
            "number": order.terms.number,
            "status": order.status.value,
            "version": order.version,
            "agreement": order.terms.agreement,
            "totals": order.terms.totals(),
            "outstanding": outstanding_json(order),
        },
        "events": event_ids,
        **extra,
    }


@dataclass(frozen=True, slots=True)
class Context:
    check: AgreementCheck


class Books:
    """The logistics commands inside one unit of work (no commit of their own)."""

    def __init__(self, uow: UnitOfWork, context: Context) -> None:
        self.uow = uow
        self.context = context
        self.store = LogisticsStore(uow)
        self._contents: dict[str, document_store.Content] = {}
        uow.before_commit.append(self.store.flush)
        # after the flush, so under the audit head's lock, in the same transaction
        uow.before_commit.append(self._flush_contents)

    def commit(self) -> None:
        self.uow.commit()

    # ------------------------------------------------------------------ helpers

    def _record(self, order: Order, kind: str, on: dt.date, event_id: str, **payload: Any) -> str:
        normalised = _json_round_trip(payload)
        event = Event(event_id, kind, on, normalised)
        postings = order.apply(event)
        self.store.record(order, event, postings)
        return event_id

    def _to_usd(self, agreement: str, on: dt.date) -> Callable[[int, str], int]:
        def convert(minor: int, currency: str) -> int:
            if currency == "USD":
                return minor
            rate = rates.choose(
                self.store.rates_for(currency, "USD", on), currency, "USD", on, agreement
            )
            if rate is None:
                raise BadInput(
                    f"no exchange rate from {currency} to USD on {on} (needed to count the "
                    "10 U.S.C. 2347 ceilings); add one with `accord ledger rates add`"
                )
            return money.convert(minor, currency, "USD", rate)

        return convert

    def _agreement_of(self, request: OrderRequest, decided: str | None) -> tuple[str, str | None]:
        check = self.context.check
        if request.agreement:
            arrangement = request.arrangement
            if (
                arrangement is None
                and decided
                and decided != request.agreement
                and check.implements(decided) == request.agreement
            ):
                arrangement = decided
            return request.agreement, arrangement
        assert decided is not None
        parent = check.implements(decided)
        if parent:
            return parent, decided
        return decided, request.arrangement

    def _cite(
        self,
        documents: tuple[Document, ...],
        contents: Sequence[bytes],
        line_count: int,
    ) -> None:
        """Check the documents a command cites and keep the bytes given for them (written at
        commit, with the event that cites them). Bytes that no document cites are refused."""
        names: dict[str, str] = {}
        for doc in documents:
            validate_document(doc, line_count)
            names.setdefault(doc.sha256, doc.name)
        for data in contents:
            digest = document_store.sha256_of(data)
            name = names.get(digest)
            if name is None:
                raise BadInput(
                    f"content with SHA-256 {digest} was given, but no document of this "
                    "command cites it"
                )
            if digest not in self._contents:
                self._contents[digest] = document_store.content(name, data)

    def _flush_contents(self) -> None:
        if self._contents:
            document_store.save(self.uow.connection, self._contents.values(), self.store.now)
            self._contents.clear()

    # ------------------------------------------------------------------ officials and rates

    def add_official(
        self,
        official_id: str,
        name: str,
        nation: str,
        public_key_hex: str,
        limits: Mapping[str, int],
        title: str | None = None,
        on: dt.date | None = None,
    ) -> dict[str, Any]:
        try:
            key = bytes.fromhex(public_key_hex)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise BadInput("malformed public key; accepted: 64 hex digits (a raw Ed25519 key)")
        if not limits:
            raise BadInput("an official needs at least one signing limit, e.g. --limit USD:100000")
        for ccy, limit in limits.items():
            if limit < 0:
                raise BadInput(f"signing limit in {ccy} is negative")
        check_text(name, "the official's name", NAME_CHARS)
        if title is not None:
            check_text(title, "the official's title", NAME_CHARS)
        official = Official(
            official_id,
            name,
            nation,
            title,
            public_key_hex,
            signing.fingerprint(public_key_hex),
            dict(sorted(limits.items())),
        )
        self.store.add_official(official)
        self.store.audit(ids.uuid7(), "official-added", on or dt.date.today(), official.as_json())
        return {"official": official.as_json()}

    def add_rate(self, rate_id: str, rate: rates.ExchangeRate) -> dict[str, Any]:
        self.store.add_rate(rate_id, rate)
        record = rate_json(rate_id, rate)
        self.store.audit(ids.uuid7(), "rate-added", rate.valid_from, record)
        return {"rate": record}

    # ------------------------------------------------------------------ orders

    def propose(
        self,
        request: OrderRequest,
        on: dt.date | None = None,
        draft: bool = False,
        *,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        """Create an order (checked against the agreements on the proposal date) and propose
        it, or keep it as a draft. Refused, with the decision's reasons, if no agreement
        allows it; refused with the figures if it would pass a 10 U.S.C. 2347 ceiling.
        `contents` are the bytes of documents the request cites."""
        self._cite(request.documents, contents, len(request.lines))
        on = on or request.order_date
        if on < request.order_date:
            raise BadInput(f"the order date {request.order_date} is after the proposal date {on}")
        decision = self.context.check.check(
            request.supplier.nation,
            request.requester.nation,
            [line.category for line in request.lines],
            request.situation,
            on,
            request.agreement,
        )
        agreement, arrangement = self._agreement_of(request, decision["agreement"])
        if self.store.order_id_for(request.id) is not None:
            raise BadInput(f"an order with id {request.id!r} exists already")
        number = request.number or self.store.next_number(
            request.requester.nation, request.order_date.year
        )
        terms = request.terms(number, agreement, arrangement)
        preview = self._ceiling_preview(terms, on)
        order = Order(terms)
        self.store.add(order)
        events = [self._record(order, "created", on, ids.uuid7(), terms=terms.as_json())]
        if not draft:
            events.append(self._record(order, "proposed", on, ids.uuid7(), decision=decision))
        return summary(order, events, decision=decision, ceilings=preview)

    def submit(self, ref: str, on: dt.date) -> dict[str, Any]:
        """Propose a draft: the agreements are asked again, on the proposal date."""
        order = self.store.get(ref)
        order.require("propose")
        t = order.terms
        decision = self.context.check.check(
            t.supplier.nation,
            t.requester.nation,
            [line.category for line in t.lines],
            t.situation,
            on,
            t.agreement,
        )
        preview = self._ceiling_preview(t, on)
        event = self._record(order, "proposed", on, ids.uuid7(), decision=decision)
        return summary(order, [event], decision=decision, ceilings=preview)

    def _ceiling_preview(self, terms: Any, on: dt.date) -> list[dict[str, Any]]:
        """At proposal: refuse an order that would already pass a ceiling (nothing is
        reserved until it binds)."""
        charges, waiver = ceilings.charges(terms, on, self._to_usd(terms.agreement, on))
        out = []
        for charge in charges:
            used = self.store.ceiling_used(charge)
            ceilings.check(charge, used)
            out.append({**charge.as_json(), "used": used, "limit": charge.limit})
        if waiver:
            out.append({"waiver": waiver})
        return out

    def signing_bytes(self, ref: str) -> bytes:
        """The canonical bytes an official signs for this order."""
        return self.store.get(ref, lock=False).terms.canonical()

    def sign(self, ref: str, official_id: str, signature: str, on: dt.date) -> dict[str, Any]:
        """Add one party's signature. The order binds with the second: then the agreements
        are asked again (on the signing date) and the ceilings are counted, under lock."""
        order = self.store.get(ref)
        order.require("sign")
        t = order.terms
        official = self.store.official(official_id)
        if official.nation == t.requester.nation:
            side = "requester"
        elif official.nation == t.supplier.nation:
            side = "supplier"
        else:
            raise BadInput(
                f"official {official.id} acts for {official.nation}, which is not a party to "
                f"order {t.number} ({t.requester.nation} requests, {t.supplier.nation} supplies)"
            )
        if side in order.signatures:
            raise InvalidTransition(
                f"order {t.number} already carries the {side}'s signature "
                f"(by {order.signatures[side].official})"
            )
        signing.verify(official.public_key, signature, t.canonical())
        check_signing_limit(t.totals(), official.limits, official.id)
        payload: dict[str, Any] = {
            "side": side,
            "official": official.id,
            "key": official.fingerprint,
            "signature": signature,
            "decision": None,
        }
        if len(order.signatures) == 1:
            decision = self.context.check.check(
                t.supplier.nation,
                t.requester.nation,
                [line.category for line in t.lines],
                t.situation,
                on,
                t.agreement,
            )
            charges, waiver = ceilings.charges(t, on, self._to_usd(t.agreement, on))
            self.store.reserve(charges)
            payload["decision"] = decision
            payload["ceiling"] = {"charges": [c.as_json() for c in charges], "waiver": waiver}
        event = self._record(order, "signed", on, ids.uuid7(), **payload)
        return summary(order, [event], side=side, bound=order.status is Status.SIGNED)

    def deliver(
        self,
        ref: str,
        quantities: Mapping[int, int],
        on: dt.date,
        documents: tuple[Document, ...] = (),
        received_by: str | None = None,
        event_id: str | None = None,
        *,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        """Record a (partial) delivery and its receipt; the obligations it creates are posted
        to both parties' books."""
        order = self.store.get(ref)
        order.require("deliver")
        self._cite(documents, contents, len(order.terms.lines))
        event = self._record(
            order,
            "delivered",
            on,
            event_id or ids.uuid7(),
            quantities={str(k): v for k, v in quantities.items()},
            documents=[d.as_json() for d in documents],
            received_by=received_by,
        )
        return summary(order, [event])

    def bill(
        self,
        ref: str,
        on: dt.date,
        documents: tuple[Document, ...] = (),
        event_id: str | None = None,
        *,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        """Bill what was delivered (cash orders move it from unbilled to billed)."""
        order = self.store.get(ref)
        order.require("bill")
        self._cite(documents, contents, len(order.terms.lines))
        t = order.terms
        amounts = order.delivered_value() if (t.owes_money and t.reimbursement == "cash") else {}
        event = self._record(
            order,
            "billed",
            on,
            event_id or ids.uuid7(),
            amounts=amounts,
            documents=[d.as_json() for d in documents],
        )
        return summary(order, [event])

    def settle(
        self,
        ref: str,
        method: str,
        on: dt.date,
        amounts: Mapping[str, int] | None = None,
        quantities: Mapping[int, int] | None = None,
        note: str | None = None,
        documents: tuple[Document, ...] = (),
        event_id: str | None = None,
        *,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        """Settle in part or in full: `cash` (a payment), `eve` (support of equal value, by
        value), `rik` (replacement in kind, by quantity, valued at the order's price) or
        `return` (loaned or leased items back). Overpaying is refused."""
        order = self.store.get(ref)
        order.require("settle")
        self._cite(documents, contents, len(order.terms.lines))
        event = self._record(
            order,
            "settled",
            on,
            event_id or ids.uuid7(),
            method=method,
            amounts=dict(amounts or {}),
            quantities={str(k): v for k, v in (quantities or {}).items()},
            note=note,
            documents=[d.as_json() for d in documents],
        )
        return summary(order, [event])

    def convert(
        self,
        ref: str,
        on: dt.date,
        note: str | None = None,
        documents: tuple[Document, ...] = (),
        event_id: str | None = None,
        *,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        """Convert replacement in kind or an exchange of equal value still owed after the 12
        months of 10 U.S.C. 2345(b) to cash, at the order's prices (DoD policy, unverified:
        the statute does not say what follows the 12 months). The order is then billed for
        that cash and settled by `settle(..., "cash", ...)`. Refused before the date, for
        cash orders and loans, and when nothing is owed in kind or by exchange."""
        order = self.store.get(ref)
        conversion = order.convertible()
        self._cite(documents, contents, len(order.terms.lines))
        event = self._record(
            order,
            "converted-to-cash",
            on,
            event_id or ids.uuid7(),
            **conversion,
            note=note,
            documents=[d.as_json() for d in documents],
        )
        return summary(order, [event], conversion={**conversion, "on": on.isoformat()})

    def close(self, ref: str, on: dt.date) -> dict[str, Any]:
        order = self.store.get(ref)
        event = self._record(order, "closed", on, ids.uuid7())
        return summary(order, [event])

    def cancel(self, ref: str, on: dt.date, reason: str | None = None) -> dict[str, Any]:
        """Cancel an order not yet delivered; a bound order gives its ceiling count back."""
        order = self.store.get(ref)
        order.require("cancel")
        charges = [ceilings.Charge.from_json(c) for c in order.ceiling.get("charges") or ()]
        if order.status is Status.SIGNED and charges:
            self.store.release(charges)
        event = self._record(
            order,
            "cancelled",
            on,
            ids.uuid7(),
            reason=reason,
            released=[c.as_json() for c in charges] if order.status is Status.SIGNED else [],
        )
        return summary(order, [event])

    def reverse(
        self, ref: str, target: str, on: dt.date, reason: str | None = None
    ) -> dict[str, Any]:
        """Correct a delivery, a bill, a settlement or a conversion to cash by a reversing
        transaction."""
        order = self.store.get(ref)
        event = self._record(order, "reversed", on, ids.uuid7(), target=target, reason=reason)
        return summary(order, [event])

    def order(self, ref: str) -> Order:
        return self.store.get(ref, lock=False)

    def documents(self, ref: str) -> dict[str, Any]:
        """The documents an order cites, with whether Accord holds their content."""
        order = self.store.get(ref, lock=False)
        cited = document_store.citations(self.uow.connection, order)
        return {
            "order": {"id": order.terms.id, "number": order.terms.number},
            "documents": cited,
            "held": sum(1 for x in cited if x["held"]),
        }

    def document(self, ref: str, which: str) -> tuple[dict[str, Any], bytes]:
        """One document of an order (by name or SHA-256) and its stored bytes, checked
        against the SHA-256 the order cites."""
        order = self.store.get(ref, lock=False)
        number = order.terms.number
        found = document_store.find(
            number, document_store.citations(self.uow.connection, order), which
        )
        data = document_store.read(self.uow.connection, found["sha256"])
        if data is None:
            raise document_store.ContentNotHeld(
                f"order {number} cites {found['name']!r} (sha256 {found['sha256']}) but its "
                "content is not held: it was recorded as NAME=SHA256, without the file"
            )
        return found, data

    def exists(self, ref: str) -> bool:
        return self.store.order_id_for(ref) is not None


def rate_json(rate_id: str, rate: rates.ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate_id,
        "base": rate.base,
        "quote": rate.quote,
        "rate": str(rate.rate),
        "valid_from": rate.valid_from.isoformat(),
        "valid_to": rate.valid_to.isoformat(),
        "basis": rate.basis,
        "agreement": rate.agreement,
        "source": rate.source,
    }


def _json_round_trip(payload: dict[str, Any]) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(canonical_json(payload))
    return result


def request_digest(command: str, request: Any) -> str:
    import json

    text = json.dumps(
        {"command": command, "request": request},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class Logistics:
    """The logistics service: one method per command, each in its own transaction."""

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        check: AgreementCheck | None = None,
    ) -> None:
        self.engine = engine or engine_for(url)
        self.context = Context(check or AgreementCheck())

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def batch(self) -> Iterator[Books]:
        """A `Books` in one transaction: commit it yourself; anything else rolls back."""
        with UnitOfWork(self.engine) as uow:
            yield Books(uow, self.context)

    def read(self, work: Callable[[Books], T]) -> T:
        return run(self.engine, lambda uow: work(Books(uow, self.context)), write=False)

    def execute(
        self,
        command: str,
        key: str,
        request: Any,
        work: Callable[[Books], dict[str, Any]],
    ) -> dict[str, Any]:
        """Run a mutating command once per idempotency key: a retry returns the first result."""
        if not key or len(key) > 200:
            raise BadInput("malformed idempotency key; accepted: 1 to 200 characters")
        digest = request_digest(command, request)

        def attempt(uow: UnitOfWork) -> dict[str, Any]:
            books = Books(uow, self.context)
            seen = books.store.remembered(key)
            if seen is not None:
                return _replay(key, command, digest, seen)
            books.store.claim(key, command, digest)
            result = work(books)
            books.store.remember(key, result)
            uow.commit()
            return result

        for _ in range(3):
            try:
                return run(self.engine, attempt)
            except IntegrityError:
                # Another writer may have stored this key meanwhile: answer as it did.
                seen = run(self.engine, lambda uow: LogisticsStore(uow).remembered(key), False)
                if seen is not None:
                    return _replay(key, command, digest, seen)
                raise
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ commands

    def add_official(
        self,
        official_id: str,
        name: str,
        nation: str,
        public_key_hex: str,
        limits: Mapping[str, int],
        *,
        key: str,
        title: str | None = None,
    ) -> dict[str, Any]:
        request = [official_id, name, nation, public_key_hex, dict(limits), title]
        return self.execute(
            "add-official",
            key,
            request,
            lambda b: b.add_official(official_id, name, nation, public_key_hex, limits, title),
        )

    def add_rate(self, rate_id: str, rate: rates.ExchangeRate, *, key: str) -> dict[str, Any]:
        return self.execute(
            "add-rate", key, rate_json(rate_id, rate), lambda b: b.add_rate(rate_id, rate)
        )

    def propose(
        self,
        request: OrderRequest,
        *,
        key: str,
        on: dt.date | None = None,
        draft: bool = False,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        raw = {"request": _request_json(request), "on": on, "draft": draft}
        return self.execute(
            "propose", key, raw, lambda b: b.propose(request, on, draft, contents=contents)
        )

    def submit(self, ref: str, *, key: str, on: dt.date) -> dict[str, Any]:
        return self.execute("submit", key, [ref, on], lambda b: b.submit(ref, on))

    def sign(
        self, ref: str, official_id: str, signature: str, *, key: str, on: dt.date
    ) -> dict[str, Any]:
        return self.execute(
            "sign",
            key,
            [ref, official_id, signature, on],
            lambda b: b.sign(ref, official_id, signature, on),
        )

    def deliver(
        self,
        ref: str,
        quantities: Mapping[int, int],
        *,
        key: str,
        on: dt.date,
        documents: tuple[Document, ...] = (),
        received_by: str | None = None,
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        event_id = ids.derived(key, "delivered")
        request = [ref, dict(quantities), on, [d.as_json() for d in documents], received_by]
        return self.execute(
            "deliver",
            key,
            request,
            lambda b: b.deliver(
                ref, quantities, on, documents, received_by, event_id, contents=contents
            ),
        )

    def bill(
        self,
        ref: str,
        *,
        key: str,
        on: dt.date,
        documents: tuple[Document, ...] = (),
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        event_id = ids.derived(key, "billed")
        request = [ref, on, [d.as_json() for d in documents]]
        return self.execute(
            "bill",
            key,
            request,
            lambda b: b.bill(ref, on, documents, event_id, contents=contents),
        )

    def settle(
        self,
        ref: str,
        method: str,
        *,
        key: str,
        on: dt.date,
        amounts: Mapping[str, int] | None = None,
        quantities: Mapping[int, int] | None = None,
        note: str | None = None,
        documents: tuple[Document, ...] = (),
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        event_id = ids.derived(key, "settled")
        request = [
            ref,
            method,
            on,
            dict(amounts or {}),
            {str(k): v for k, v in (quantities or {}).items()},
            note,
            [d.as_json() for d in documents],
        ]
        return self.execute(
            "settle",
            key,
            request,
            lambda b: b.settle(
                ref, method, on, amounts, quantities, note, documents, event_id, contents=contents
            ),
        )

    def convert(
        self,
        ref: str,
        *,
        key: str,
        on: dt.date,
        note: str | None = None,
        documents: tuple[Document, ...] = (),
        contents: Sequence[bytes] = (),
    ) -> dict[str, Any]:
        event_id = ids.derived(key, "converted-to-cash")
        request = [ref, on, note, [d.as_json() for d in documents]]
        return self.execute(
            "convert",
            key,
            request,
            lambda b: b.convert(ref, on, note, documents, event_id, contents=contents),
        )

    def close_order(self, ref: str, *, key: str, on: dt.date) -> dict[str, Any]:
        return self.execute("close", key, [ref, on], lambda b: b.close(ref, on))

    def cancel(
        self, ref: str, *, key: str, on: dt.date, reason: str | None = None
    ) -> dict[str, Any]:
        return self.execute("cancel", key, [ref, on, reason], lambda b: b.cancel(ref, on, reason))

    def reverse(
        self, ref: str, target: str, *, key: str, on: dt.date, reason: str | None = None
    ) -> dict[str, Any]:
        return self.execute(
            "reverse", key, [ref, target, on, reason], lambda b: b.reverse(ref, target, on, reason)
        )

    # ------------------------------------------------------------------ queries

    def order(self, ref: str) -> Order:
        return self.read(lambda b: b.order(ref))

    def signing_bytes(self, ref: str) -> bytes:
        return self.read(lambda b: b.signing_bytes(ref))

    def documents(self, ref: str) -> dict[str, Any]:
        return self.read(lambda b: b.documents(ref))

    def document(self, ref: str, which: str) -> tuple[dict[str, Any], bytes]:
        return self.read(lambda b: b.document(ref, which))

    def official(self, official_id: str) -> Official:
        return self.read(lambda b: b.store.official(official_id))

    def officials(self) -> list[Official]:
        return self.read(lambda b: b.store.officials())

    def rates(self) -> list[dict[str, Any]]:
        return self.read(lambda b: [rate_json(i, r) for i, r in b.store.all_rates()])

    def ceilings(self, fiscal_year: int | None = None) -> list[dict[str, Any]]:
        return self.read(lambda b: b.store.ceiling_table(fiscal_year))

    def show(self, ref: str, as_of: dt.date | None = None) -> dict[str, Any]:
        from accord.services.queries import order_view

        return self.read(lambda b: order_view(b, ref, as_of or dt.date.today()))

    def list_orders(self, **filters: Any) -> dict[str, Any]:
        from accord.services.queries import list_orders

        return self.read(lambda b: list_orders(b.uow, **filters))

    def balances(self, as_of: dt.date | None = None, **filters: Any) -> list[dict[str, Any]]:
        from accord.services.queries import balances

        return self.read(lambda b: balances(b.uow, as_of, **filters))

    def verify(self, deep: bool = True) -> dict[str, Any]:
        from accord.services.verify import verify

        return self.read(lambda b: verify(b.uow, deep))


def _replay(
    key: str, command: str, digest: str, seen: tuple[str, str, str | None]
) -> dict[str, Any]:
    import json

    stored_command, stored_digest, result = seen
    if stored_command != command or stored_digest != digest:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for a different request ({stored_command}); "
            "accepted: a new key for a new request, the same key only to retry the same one"
        )
    assert result is not None, "a stored key always has its result (same transaction)"
    replayed: dict[str, Any] = json.loads(result)
    replayed["replayed"] = True
    return replayed


def _request_json(request: OrderRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "number": request.number,
        "agreement": request.agreement,
        "arrangement": request.arrangement,
        "requester": request.requester.as_json(),
        "supplier": request.supplier.as_json(),
        "situation": request.situation,
        "transaction_type": request.transaction_type,
        "reimbursement": request.reimbursement,
        "order_date": request.order_date.isoformat(),
        "date_required": request.date_required.isoformat(),
        "return_by": request.return_by.isoformat() if request.return_by else None,
        "delivery_place": request.delivery_place,
        "lines": [line.as_json() for line in request.lines],
        "documents": [d.as_json() for d in request.documents],
    }


__all__ = ["Books", "Logistics", "clocks", "dumps"]
