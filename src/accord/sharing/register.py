"""The release register: a service over the database that records release decisions users act
on, consent requests and their grant or refusal, in one append-only, hash-chained log.

A release record holds who recorded it, the question (holder, recipient, level, topic,
originator), the label and content digest where a signed label was given, the route, the
consent reference, the decision with its reasons, the outcome (`released`,
`released-via-route`, `refused`) and the re-marking on receipt: for each receiving nation, the
originator's name and the receiver's equivalent marking (Japan–Korea GSOMIA Art. 4(2)).

Every check happens before anything is written: bad input, an unknown or refused consent, a
route the decision does not offer, a label that contradicts the question or a binding that
does not verify are refused with a BadInput and leave the register untouched. Each append runs
in one transaction that locks the register's head (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT
... FOR UPDATE), so concurrent writers chain one after the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event, inspect, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from accord.errors import AccordError, BadInput
from accord.sharing import tables
from accord.sharing.chain import ChainReport, canonical, chain_hash, check
from accord.sharing.labels import Label, remark, to_dict
from accord.sharing.questions import release_question
from accord.sharing.release import ReleaseQuestion, release_json
from accord.sharing.schemes import LEVELS
from accord.store.database import make_engine

T = TypeVar("T")
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
ATTEMPTS = 10


class RegisterMissing(AccordError):
    code = "register-missing"
    exit_status = 2


class DatabaseUnavailable(AccordError):
    code = "database-unavailable"
    exit_status = 1


def _database_errors(method: Callable[..., T]) -> Callable[..., T]:
    """Database failures become one line naming the database, never a traceback."""
    from functools import wraps

    @wraps(method)
    def wrapper(self: Register, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except DBAPIError as exc:
            url = self.engine.url.render_as_string(hide_password=True)
            detail = " ".join(str(exc.orig).split())[:300]
            raise DatabaseUnavailable(f"database {url}: {detail}") from None

    return wrapper


def new_id() -> str:
    """A UUIDv7: 48 bits of Unix milliseconds, then random bits (time-ordered, client-made)."""
    millis = time.time_ns() // 1_000_000
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(raw)))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    body: dict[str, Any]  # the hashed payload
    prev_hash: str
    hash: str

    @property
    def id(self) -> str:
        return str(self.body["id"])

    @property
    def kind(self) -> str:
        return str(self.body["kind"])

    def as_json(self) -> dict[str, Any]:
        return {**self.body, "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class ReleaseRequest:
    holder: str
    recipient: str
    level: str
    topic: str
    actor: str
    on: dt.date
    originator: str | None = None
    consent_ref: str | None = None
    route: tuple[str, ...] | None = None  # the route taken when no direct release is allowed
    label: Label | None = None
    content: dict[str, Any] | None = None  # {"uri", "sha256", "size"} of bound content
    idempotency_key: str | None = None


def _engine(url: str | None) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        event.listen(engine, "connect", _no_implicit_begin)
        event.listen(engine, "begin", _begin)
    return engine


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


class Register:
    def __init__(self, url: str | None = None, index: Any = None) -> None:
        self.engine = _engine(url)
        self._index = index
        self._checked = False

    def close(self) -> None:
        self.engine.dispose()

    def index(self) -> Any:
        if self._index is None:
            from accord.sharing.index import load_sharing_index

            self._index = load_sharing_index()
        return self._index

    # --- plumbing -----------------------------------------------------------------------

    def _require_schema(self) -> None:
        if self._checked:
            return
        names = set(inspect(self.engine).get_table_names())
        if not {"sharing_register", "sharing_register_head"} <= names:
            url = self.engine.url.render_as_string(hide_password=True)
            raise RegisterMissing(
                f"the database {url} has no release register; run `accord init --db {url}`"
            )
        self._checked = True

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        self._require_schema()
        for attempt in range(ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise
                # a concurrent writer took the same idempotency key: read its result next time
            except DBAPIError as exc:
                if not _retryable(exc) or attempt == ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _head(self, connection: Connection) -> tuple[int, str]:
        statement = select(tables.register_head.c.seq, tables.register_head.c.hash).where(
            tables.register_head.c.id == 1
        )
        if connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = connection.execute(statement).one()
        return int(row.seq), str(row.hash)

    def _append(
        self,
        connection: Connection,
        fields: dict[str, Any],
        idempotency_key: str | None,
        request_digest: str | None,
    ) -> Entry:
        seq, prev = self._head(connection)
        seq += 1
        body = {
            "seq": seq,
            "id": new_id(),
            "recorded_at": _now(),
            "idempotency_key": idempotency_key,
            "holder": None,
            "recipient": None,
            "originator": None,
            "marking": None,
            "outcome": None,
            "consent_ref": None,
            **fields,
        }
        payload = canonical(body)
        digest = chain_hash(prev, payload)
        connection.execute(
            tables.register.insert().values(
                seq=seq,
                record_id=body["id"],
                kind=body["kind"],
                recorded_at=body["recorded_at"],
                actor=body["actor"],
                holder=body["holder"],
                recipient=body["recipient"],
                originator=body["originator"],
                marking=body["marking"],
                outcome=body["outcome"],
                consent_ref=body["consent_ref"],
                idempotency_key=idempotency_key,
                request_digest=request_digest,
                payload=payload.decode(),
                prev_hash=prev,
                hash=digest,
            )
        )
        connection.execute(
            update(tables.register_head)
            .where(tables.register_head.c.id == 1)
            .values(seq=seq, hash=digest)
        )
        return Entry(seq, body, prev, digest)

    def _replay(self, connection: Connection, key: str | None, digest: str) -> Entry | None:
        """The entry an earlier call with this idempotency key made, if any."""
        if key is None:
            return None
        row = connection.execute(
            select(tables.register).where(tables.register.c.idempotency_key == key)
        ).one_or_none()
        if row is None:
            return None
        if row.request_digest != digest:
            raise BadInput(
                f"idempotency key {key!r} was used for a different request (record {row.seq}); "
                "accepted: a new key"
            )
        return _entry(row)

    @staticmethod
    def _find(connection: Connection, ref: str) -> Any:
        column = tables.register.c
        text = ref.strip().lstrip("#")
        condition = column.seq == int(text) if text.isdigit() else column.record_id == text
        return connection.execute(select(tables.register).where(condition)).one_or_none()

    # --- consent ------------------------------------------------------------------------

    @_database_errors
    def request_consent(
        self,
        holder: str,
        recipient: str,
        level: str,
        topic: str,
        originator: str,
        actor: str,
        on: dt.date,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> Entry:
        """A request to `originator` for its prior written consent to an onward release."""
        _, question = release_question(
            holder, recipient, level, topic, originator, False, on, self.index()
        )
        if question.originator in (question.holder, question.recipient):
            raise BadInput(
                f"no consent is needed: the originator {question.originator} is the holder or "
                "the recipient; accepted: --originator naming a third nation"
            )
        actor = _actor(actor)
        fields = {
            "kind": "consent-request",
            "actor": actor,
            "holder": question.holder,
            "recipient": question.recipient,
            "originator": question.originator,
            "marking": question.level.code,
            "outcome": "requested",
            "question": question.as_json(),
            "note": note,
        }
        digest = hashlib.sha256(canonical(fields)).hexdigest()

        def work(connection: Connection) -> Entry:
            return self._replay(connection, idempotency_key, digest) or self._append(
                connection, fields, idempotency_key, digest
            )

        return self._transaction(work)

    @_database_errors
    def answer_consent(
        self,
        ref: str,
        granted: bool,
        actor: str,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> Entry:
        """The originator's grant or refusal of a consent request."""
        actor = _actor(actor)

        def work(connection: Connection) -> Entry:
            request = self._find(connection, ref)
            if request is None or request.kind != "consent-request":
                raise BadInput(f"no consent request {ref!r} in the register")
            fields = {
                "kind": "consent-grant" if granted else "consent-refusal",
                "actor": actor,
                "holder": request.holder,
                "recipient": request.recipient,
                "originator": request.originator,
                "marking": request.marking,
                "outcome": "granted" if granted else "refused",
                "consent_ref": request.record_id,
                "note": note,
            }
            digest = hashlib.sha256(canonical(fields)).hexdigest()
            replay = self._replay(connection, idempotency_key, digest)
            if replay is not None:
                return replay
            answer = _answer(connection, request.record_id)
            if answer is not None:
                raise BadInput(
                    f"consent request {request.record_id} was already {answer.outcome} "
                    f"(record {answer.seq})"
                )
            return self._append(connection, fields, idempotency_key, digest)

        return self._transaction(work)

    # --- releases -----------------------------------------------------------------------

    @_database_errors
    def record_release(self, request: ReleaseRequest) -> Entry:
        index = self.index()
        originator = request.originator or (request.label.originator if request.label else None)
        _, question = release_question(
            request.holder,
            request.recipient,
            request.level,
            request.topic,
            originator,
            request.consent_ref is not None,
            request.on,
            index,
        )
        actor = _actor(request.actor)
        label = request.label
        if label is not None and (
            label.classification != question.level.code or label.originator != question.originator
        ):
            raise BadInput(
                f"the label says {label.classification} from {label.originator}, the question "
                f"{question.level.code} from {question.originator}; accepted: the same"
            )
        if label is not None and label.topic and label.topic != question.topic:
            raise BadInput(f"the label's topic is {label.topic}, not {question.topic}")
        request_fields = {
            "question": question.as_json(),
            "actor": actor,
            "consent_ref": request.consent_ref,
            "route": list(request.route) if request.route else None,
            "label": to_dict(label) if label else None,
            "content": request.content,
        }
        digest = hashlib.sha256(canonical(request_fields)).hexdigest()

        def work(connection: Connection) -> Entry:
            replay = self._replay(connection, request.idempotency_key, digest)
            if replay is not None:
                return replay
            consent_ref = None
            if request.consent_ref is not None:
                consent_ref = _granted_consent(connection, request.consent_ref, question)
            decision = index.release.decide(
                question.holder,
                question.recipient,
                question.level,
                question.topic,
                question.originator,
                consent_ref is not None,
                question.on,
            )
            answer = release_json(question, decision)
            if decision.allowed:
                outcome = "released"
                route = [question.holder, question.recipient]
                markings = [question.level.code, decision.marking]
                if request.route and tuple(request.route) != tuple(route):
                    raise BadInput(
                        f"a direct release is allowed; the route {'→'.join(request.route)} is "
                        "not needed (accepted: no --route)"
                    )
            elif request.route:
                if tuple(request.route) not in decision.routes:
                    offered = "; ".join("→".join(r) for r in decision.routes) or "none"
                    raise BadInput(
                        f"route {'→'.join(request.route)} is not allowed on "
                        f"{question.on.isoformat()}; routes offered: {offered}"
                    )
                outcome = "released-via-route"
                route = list(request.route)
                position = decision.routes.index(tuple(request.route))
                markings = list(decision.route_markings[position])
            else:
                outcome = "refused"
                route = [question.holder, question.recipient]
                markings = []
            fields = {
                "kind": "release",
                "actor": actor,
                "holder": question.holder,
                "recipient": question.recipient,
                "originator": question.originator,
                "marking": question.level.code,
                "outcome": outcome,
                "consent_ref": consent_ref,
                "question": question.as_json(),
                "route": route,
                "label": to_dict(label) if label else None,
                "content": request.content,
                "decision": answer,
                "remarking": _remarking(question, route, markings, label),
            }
            return self._append(connection, fields, request.idempotency_key, digest)

        return self._transaction(work)

    # --- reading ------------------------------------------------------------------------

    @_database_errors
    def entries(self, kind: str | None = None) -> list[Entry]:
        self._require_schema()
        statement = select(tables.register).order_by(tables.register.c.seq)
        if kind:
            statement = statement.where(tables.register.c.kind == kind)
        with self.engine.connect() as connection:
            return [_entry(row) for row in connection.execute(statement)]

    @_database_errors
    def entry(self, ref: str) -> Entry:
        self._require_schema()
        with self.engine.connect() as connection:
            row = self._find(connection, ref)
        if row is None:
            raise BadInput(f"no record {ref!r} in the release register")
        return _entry(row)

    @_database_errors
    def verify(self) -> ChainReport:
        """Recomputes the whole chain; names the first record that does not fit."""
        self._require_schema()
        with self.engine.connect() as connection:
            head = connection.execute(
                select(tables.register_head.c.seq, tables.register_head.c.hash)
            ).one()
            rows = connection.execute(select(tables.register).order_by(tables.register.c.seq))
            return check((dict(r._mapping) for r in rows), (int(head.seq), str(head.hash)))


def _actor(actor: str) -> str:
    cleaned = " ".join(actor.split())
    if not cleaned:
        raise BadInput("--by is empty; accepted: the name of who records it")
    if len(cleaned) > 200:
        raise BadInput("--by is longer than 200 characters")
    return cleaned


def _entry(row: Any) -> Entry:
    return Entry(int(row.seq), json.loads(row.payload), str(row.prev_hash), str(row.hash))


def _answer(connection: Connection, record_id: str) -> Any:
    column = tables.register.c
    return connection.execute(
        select(tables.register)
        .where(column.consent_ref == record_id)
        .where(column.kind.in_(("consent-grant", "consent-refusal")))
        .order_by(column.seq)
    ).first()


def _granted_consent(connection: Connection, ref: str, question: ReleaseQuestion) -> str:
    """The id of a granted consent request that covers this release; BadInput otherwise."""
    request = Register._find(connection, ref)
    if request is None or request.kind != "consent-request":
        raise BadInput(f"no consent request {ref!r} in the release register")
    answer = _answer(connection, request.record_id)
    if answer is None:
        raise BadInput(f"consent request {request.record_id} has not been answered yet")
    if answer.outcome != "granted":
        raise BadInput(
            f"consent request {request.record_id} was refused by {answer.actor} "
            f"(record {answer.seq})"
        )
    asked = json.loads(request.payload)["question"]
    wanted = question.as_json()
    for key in ("from", "to", "level", "topic", "originator"):
        if asked[key] != wanted[key]:
            raise BadInput(
                f"consent {request.record_id} covers {key} {asked[key]}, not {wanted[key]}"
            )
    return str(request.record_id)


def _remarking(
    question: ReleaseQuestion,
    route: list[str],
    markings: list[str | None],
    label: Label | None,
) -> list[dict[str, Any]]:
    """For each receiving nation: the originator's name and the receiver's marking."""
    if not markings:  # nothing was released
        return []
    result = []
    for nation, marking in zip(route[1:], markings[1:], strict=True):
        entry: dict[str, Any] = {
            "nation": nation,
            "originator": question.originator,
            "marking": marking,
            "native": LEVELS[marking].native if marking else None,
            "equivalent": LEVELS[marking].english if marking else None,
        }
        if label is not None and marking is not None and LEVELS[marking].nation == nation:
            entry["label"] = to_dict(remark(label, marking))
        result.append(entry)
    return result
