"""The release register on SQLite and PostgreSQL (issue 3): append-only and hash-chained, with
re-marking on receipt, consent requests and their answers, idempotency, and nothing written on
bad input. Tampering behind the database's back is found by `verify`, which names the record."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from functools import cache

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from accord.errors import BadInput
from accord.sharing.index import SharingIndex, build
from accord.sharing.labels import make_label
from accord.sharing.register import Register, RegisterMissing, ReleaseRequest
from accord.store.migrate import upgrade

D2015 = dt.date(2015, 6, 1)
D2017 = dt.date(2017, 1, 1)


@cache
def index() -> SharingIndex:
    return build()


@pytest.fixture
def register(database_url: str) -> Iterator[Register]:
    upgrade(database_url)
    reg = Register(database_url, index=index())
    yield reg
    reg.close()


def korean_missile_report(on: dt.date = D2015, **extra: object) -> ReleaseRequest:
    fields: dict[str, object] = {
        "holder": "KOR",
        "recipient": "JPN",
        "level": "KOR-II",
        "topic": "nk-missile",
        "actor": "Maj. Kim, ROK MND",
        "on": on,
        **extra,
    }
    return ReleaseRequest(**fields)  # type: ignore[arg-type]


def count(register: Register) -> int:
    return len(register.entries())


def raw(register: Register, sql: str, bypass: bool = True, **params: object) -> None:
    """SQL as someone with direct database access; `bypass` first turns the guards off."""
    engine = create_engine(register.engine.url)
    with engine.begin() as connection:
        if bypass and engine.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
        if bypass and engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER IF EXISTS sharing_register_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS sharing_register_no_delete"))
        connection.execute(text(sql), params)
    engine.dispose()


def test_a_release_in_2017_is_recorded_with_the_japanese_remarking(register: Register) -> None:
    # Japan–Korea GSOMIA Art. 4(2): the receiver marks the originator and its own equivalent.
    label = make_label("KOR-II", "KOR", dt.datetime(2017, 1, 1, 9, tzinfo=dt.UTC), ("JPN",))
    entry = register.record_release(korean_missile_report(D2017, label=label))
    body = entry.body
    assert entry.seq == 1 and body["kind"] == "release" and body["outcome"] == "released"
    assert (body["holder"], body["recipient"], body["originator"]) == ("KOR", "JPN", "KOR")
    assert body["actor"] == "Maj. Kim, ROK MND" and body["route"] == ["KOR", "JPN"]
    assert body["decision"]["allowed"] is True
    assert body["decision"]["reasons"][0]["agreement"] == "jpn-kor-gsomia-2016"
    [received] = body["remarking"]
    assert received["nation"] == "JPN" and received["originator"] == "KOR"
    assert (received["marking"], received["native"]) == ("JPN-GOKUHI", "極秘")
    alternative = received["label"]["ConfidentialityLabel"]
    assert alternative["kind"] == "alternative"
    assert alternative["ConfidentialityInformation"]["Classification"] == "JPN-GOKUHI"
    assert alternative["OriginatorID"]["value"] == "KOR"
    assert (
        body["label"]["ConfidentialityLabel"]["ConfidentialityInformation"]["Classification"]
        == "KOR-II"
    )
    assert register.verify().ok


def test_in_2015_a_direct_release_is_refused_and_the_route_recorded(register: Register) -> None:
    # TISA para 4: through the US DoD.
    refused = register.record_release(korean_missile_report())
    assert refused.body["outcome"] == "refused" and refused.body["remarking"] == []
    assert refused.body["decision"]["routes"] == [["KOR", "USA", "JPN"]]
    routed = register.record_release(korean_missile_report(route=("KOR", "USA", "JPN")))
    assert routed.body["outcome"] == "released-via-route"
    assert routed.body["route"] == ["KOR", "USA", "JPN"]
    assert [(m["nation"], m["marking"]) for m in routed.body["remarking"]] == [
        ("USA", "SECRET"),
        ("JPN", "JPN-GOKUHI"),
    ]
    assert routed.prev_hash == refused.hash


def test_a_route_the_decision_does_not_offer_writes_nothing(register: Register) -> None:
    with pytest.raises(BadInput, match="routes offered: none"):
        register.record_release(
            korean_missile_report(dt.date(2014, 12, 28), route=("KOR", "USA", "JPN"))
        )
    with pytest.raises(BadInput, match="not needed"):
        register.record_release(korean_missile_report(D2017, route=("KOR", "USA", "JPN")))
    assert count(register) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "KOR-IV"}, "unknown marking"),
        ({"level": "JPN-HI"}, "JPN's scheme"),
        ({"recipient": "XXX"}, "unknown nation"),
        ({"topic": "weather"}, "unknown topic"),
        ({"actor": "  "}, "--by is empty"),
        ({"consent_ref": "no-such-consent"}, "no consent request"),
    ],
)
def test_bad_input_writes_nothing(register: Register, change: dict[str, str], message: str) -> None:
    request = korean_missile_report(D2017)
    fields = {**request.__class__.__dataclass_fields__}
    values = {name: getattr(request, name) for name in fields} | change
    with pytest.raises(BadInput, match=message):
        register.record_release(ReleaseRequest(**values))
    assert count(register) == 0


def test_a_label_that_contradicts_the_question_writes_nothing(register: Register) -> None:
    label = make_label("KOR-III", "KOR", dt.datetime(2017, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(BadInput, match="the label says KOR-III"):
        register.record_release(korean_missile_report(D2017, label=label))
    assert count(register) == 0


# Consent: TISA (Korea's approval before the US forwards) and GSOMIA Art. 6.
def onward(**extra: object) -> ReleaseRequest:
    fields: dict[str, object] = {
        "holder": "USA",
        "recipient": "JPN",
        "level": "KOR-II",
        "topic": "nk-missile",
        "originator": "KOR",
        "actor": "US DoD foreign disclosure officer",
        "on": D2015,
        **extra,
    }
    return ReleaseRequest(**fields)  # type: ignore[arg-type]


def ask_consent(register: Register, recipient: str = "JPN") -> str:
    entry = register.request_consent(
        "USA", recipient, "KOR-II", "nk-missile", "KOR", "US DoD FDO", D2015, "for the hub"
    )
    assert entry.body["kind"] == "consent-request" and entry.body["outcome"] == "requested"
    return entry.id


def test_onward_release_with_granted_consent(register: Register) -> None:
    without = register.record_release(onward())
    assert without.body["outcome"] == "refused"
    assert without.body["decision"]["reasons"][0]["code"] == "originator-consent-required"
    ref = ask_consent(register)
    grant = register.answer_consent(ref, True, "ROK MND", note="letter 2015-123")
    assert grant.body["consent_ref"] == ref and grant.body["outcome"] == "granted"
    released = register.record_release(onward(consent_ref=ref))
    assert released.body["outcome"] == "released"
    assert released.body["consent_ref"] == ref
    assert released.body["decision"]["question"]["originator_consent"] is True
    assert released.body["remarking"][0]["marking"] == "JPN-GOKUHI"
    by_number = register.record_release(onward(consent_ref=f"#{grant.seq - 1}"))
    assert by_number.body["consent_ref"] == ref
    assert register.verify().ok


def test_refused_or_unanswered_consent_writes_nothing(register: Register) -> None:
    ref = ask_consent(register)
    before = count(register)
    with pytest.raises(BadInput, match="has not been answered"):
        register.record_release(onward(consent_ref=ref))
    register.answer_consent(ref, False, "ROK MND")
    with pytest.raises(BadInput, match="was refused by ROK MND"):
        register.record_release(onward(consent_ref=ref))
    with pytest.raises(BadInput, match="already refused"):
        register.answer_consent(ref, True, "ROK MND")
    assert count(register) == before + 1  # the refusal only


def test_consent_covers_only_what_was_asked(register: Register) -> None:
    ref = ask_consent(register)
    register.answer_consent(ref, True, "ROK MND")
    with pytest.raises(BadInput, match="covers level KOR-II, not KOR-III"):
        register.record_release(onward(consent_ref=ref, level="KOR-III"))
    with pytest.raises(BadInput, match="no consent is needed"):
        register.request_consent("KOR", "JPN", "KOR-II", "nk-missile", "KOR", "x", D2015)


def test_idempotency_keys(register: Register) -> None:
    first = register.record_release(korean_missile_report(D2017, idempotency_key="k-1"))
    again = register.record_release(korean_missile_report(D2017, idempotency_key="k-1"))
    assert again == first and count(register) == 1
    with pytest.raises(BadInput, match="used for a different request"):
        register.record_release(
            korean_missile_report(D2017, level="KOR-III", idempotency_key="k-1")
        )


def test_the_database_refuses_update_and_delete(register: Register) -> None:
    register.record_release(korean_missile_report(D2017))
    for sql in (
        "UPDATE sharing_register SET outcome = 'refused'",
        "DELETE FROM sharing_register",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            raw(register, sql, bypass=False)
    if register.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            raw(register, "TRUNCATE sharing_register", bypass=False)
    assert register.verify().ok


def three_records(register: Register) -> None:
    register.record_release(korean_missile_report())
    register.record_release(korean_missile_report(route=("KOR", "USA", "JPN")))
    register.record_release(korean_missile_report(D2017))


def test_a_changed_payload_is_found_with_its_record_number(register: Register) -> None:
    three_records(register)
    row = register.entry("2")
    payload = json.dumps({**row.body, "outcome": "refused"}, ensure_ascii=False)
    raw(register, "UPDATE sharing_register SET payload = :payload WHERE seq = 2", payload=payload)
    report = register.verify()
    assert not report.ok and report.first_bad == 2
    assert "record 2" in (report.problem or "") and "was changed" in (report.problem or "")


def test_a_changed_column_is_found(register: Register) -> None:
    three_records(register)
    raw(register, "UPDATE sharing_register SET recipient = 'USA' WHERE seq = 3")
    report = register.verify()
    assert not report.ok and report.first_bad == 3
    assert "column recipient" in (report.problem or "")


def test_a_record_recomputed_by_the_tamperer_breaks_the_next_link(register: Register) -> None:
    from accord.sharing.chain import canonical, chain_hash

    three_records(register)
    first = register.entry("1")
    body = {**first.body, "outcome": "released"}
    payload = canonical(body).decode()
    forged = chain_hash(first.prev_hash, payload.encode())
    raw(
        register,
        "UPDATE sharing_register SET payload = :payload, outcome = 'released', hash = :forged "
        "WHERE seq = 1",
        payload=payload,
        forged=forged,
    )
    report = register.verify()
    assert not report.ok and report.first_bad == 2
    assert "previous-hash" in (report.problem or "")


def test_a_removed_record_is_found(register: Register) -> None:
    three_records(register)
    raw(register, "DELETE FROM sharing_register WHERE seq = 2")
    report = register.verify()
    assert not report.ok and report.first_bad == 3 and "missing" in (report.problem or "")


def test_a_removed_last_record_is_found_by_the_head(register: Register) -> None:
    three_records(register)
    raw(register, "DELETE FROM sharing_register WHERE seq = 3")
    report = register.verify()
    assert not report.ok and report.first_bad == 3 and "head" in (report.problem or "")


def test_concurrent_writers_chain_one_after_the_other(register: Register) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        own = Register(str(register.engine.url.render_as_string(hide_password=False)), index())
        try:
            for i in range(5):
                own.record_release(korean_missile_report(D2017, actor=f"writer {n}.{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    entries = register.entries()
    assert [e.seq for e in entries] == list(range(1, 21))
    assert register.verify().ok


def test_a_database_without_the_register_says_how_to_create_it(database_url: str) -> None:
    reg = Register(database_url, index=index())
    try:
        with pytest.raises(RegisterMissing, match="accord init"):
            reg.verify()
    finally:
        reg.close()
