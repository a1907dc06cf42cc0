"""`accord releases record|list|show|verify` and `accord releases consent request|grant|refuse`:
the release register (append-only, hash-chained, in the database)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from accord import vocabulary as vocab
from accord.cli.check import on_date
from accord.cli.output import console, print_json
from accord.cli.storage import DB_HELP
from accord.errors import AccordError, BadInput

if TYPE_CHECKING:
    from accord.sharing.register import Entry, Register

app = typer.Typer(
    help="The release register: releases, consents and their hash chain.", no_args_is_help=True
)
consent_app = typer.Typer(help="Consent requests and their grant or refusal.", no_args_is_help=True)
app.add_typer(consent_app, name="consent")

KEY_HELP = "Idempotency key: a retry with the same key returns the original record."


class RegisterBroken(AccordError):
    code = "register-broken"
    exit_status = 1


def _register(db: str | None) -> Register:
    from accord.sharing.register import Register

    return Register(db)


def _print(entry: Entry, as_json: bool) -> None:
    if as_json:
        print_json(entry.as_json())
        return
    body = entry.body
    line = f"record {entry.seq}  {body['kind']}  {body.get('outcome') or ''}  id {entry.id}"
    typer.echo(line)
    if body["kind"] == "release":
        typer.echo(
            f"  {body['holder']} → {body['recipient']}  {body['marking']}  originator "
            f"{body['originator']}  route {' → '.join(body['route'])}"
        )
        reasons = body["decision"]["reasons"]
        typer.echo(f"  decision: {reasons[0]['code']}: {reasons[0]['message']}")
        for mark in body["remarking"]:
            typer.echo(
                f"  {mark['nation']} marks it {mark['marking'] or '(no marking)'}"
                f"{' (' + mark['native'] + ')' if mark['native'] else ''}, originator "
                f"{mark['originator']}"
            )
    else:
        typer.echo(
            f"  {body['holder']} → {body['recipient']}  {body['marking']}  originator "
            f"{body['originator']}"
            + (f"  consent request {body['consent_ref']}" if body.get("consent_ref") else "")
        )
    typer.echo(f"  by {body['actor']} at {body['recorded_at']}  hash {entry.hash[:16]}…")


@app.command("record")
def record(
    holder: str = typer.Option(..., "--from", help="Nation releasing the information."),
    recipient: str = typer.Option(..., "--to", help="Receiving nation."),
    actor: str = typer.Option(..., "--by", help="Who records the release."),
    level: str | None = typer.Option(
        None, "--level", help="Marking or English level (default: the label's)."
    ),
    topic: str = typer.Option(..., "--topic", help="nk-nuclear, nk-missile or other."),
    originator: str | None = typer.Option(
        None, "--originator", help="Nation whose information it is (default: --from)."
    ),
    consent: str | None = typer.Option(
        None, "--consent", help="A granted consent request in the register (id or number)."
    ),
    route: str | None = typer.Option(
        None, "--route", help="The hub route taken, e.g. KOR,USA,JPN (when offered)."
    ),
    binding: Path | None = typer.Option(
        None, "--binding", help="The signed label of what is released (see labels sign)."
    ),
    content: Path | None = typer.Option(
        None, "--content", help="The released file; its binding must verify."
    ),
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: today)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    key: str | None = typer.Option(None, "--idempotency-key", help=KEY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Decide a release and record it with its outcome, route, consent and re-marking."""
    from accord.sharing.register import ReleaseRequest

    label, content_ref = _bound_label(binding, content)
    if level is None and label is None:
        raise BadInput("missing --level (or --binding with a signed label)")
    request = ReleaseRequest(
        holder=holder,
        recipient=recipient,
        level=level or (label.classification if label else ""),
        topic=topic,
        actor=actor,
        on=on_date(on),
        originator=originator,
        consent_ref=consent,
        route=tuple(vocab.nation(n) for n in route.split(",")) if route else None,
        label=label,
        content=content_ref,
        idempotency_key=key,
    )
    register = _register(db)
    try:
        entry = register.record_release(request)
    finally:
        register.close()
    _print(entry, as_json)


def _bound_label(binding: Path | None, content: Path | None) -> tuple[Any, Any]:
    if binding is None:
        if content is not None:
            raise BadInput("--content needs --binding (the signed label to check it against)")
        return None, None
    from accord.sharing import binding as bind
    from accord.sharing.keys import trusted_keys

    try:
        text = binding.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read binding {binding}: {exc}") from None
    bound = bind.read_binding(text)
    if content is None:
        raise BadInput("--binding needs --content (the released file, to verify the binding)")
    try:
        data = content.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read content {content}: {exc.strerror}") from None
    result = bind.verify(bound, data, trusted_keys())
    if not result.valid:
        raise BadInput(f"binding {binding} does not verify: {result.reason}; nothing recorded")
    ref = {
        "uri": bound.reference.uri,
        "sha256": bound.reference.digest.hex(),
        "size": bound.reference.size,
        "key_id": result.key_id,
    }
    return bound.label, ref


@consent_app.command("request")
def consent_request(
    holder: str = typer.Option(..., "--from", help="Nation that wants to release."),
    recipient: str = typer.Option(..., "--to", help="Nation it would go to."),
    level: str = typer.Option(..., "--level", help="The originator's marking."),
    topic: str = typer.Option(..., "--topic", help="nk-nuclear, nk-missile or other."),
    originator: str = typer.Option(..., "--originator", help="Nation whose consent is asked."),
    actor: str = typer.Option(..., "--by", help="Who asks."),
    note: str | None = typer.Option(None, "--note", help="Free text kept with the request."),
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: today)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    key: str | None = typer.Option(None, "--idempotency-key", help=KEY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Record a request for the originator's prior written consent to an onward release."""
    register = _register(db)
    try:
        entry = register.request_consent(
            holder, recipient, level, topic, originator, actor, on_date(on), note, key
        )
    finally:
        register.close()
    _print(entry, as_json)


def _answer(
    ref: str,
    granted: bool,
    actor: str,
    note: str | None,
    db: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    register = _register(db)
    try:
        entry = register.answer_consent(ref, granted, actor, note, key)
    finally:
        register.close()
    _print(entry, as_json)


@consent_app.command("grant")
def consent_grant(
    ref: str = typer.Argument(..., help="The consent request (id or record number)."),
    actor: str = typer.Option(..., "--by", help="Who grants it for the originator."),
    note: str | None = typer.Option(None, "--note", help="E.g. the reference of the letter."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    key: str | None = typer.Option(None, "--idempotency-key", help=KEY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Record the originator's written consent."""
    _answer(ref, True, actor, note, db, key, as_json)


@consent_app.command("refuse")
def consent_refuse(
    ref: str = typer.Argument(..., help="The consent request (id or record number)."),
    actor: str = typer.Option(..., "--by", help="Who refuses it for the originator."),
    note: str | None = typer.Option(None, "--note", help="Free text."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    key: str | None = typer.Option(None, "--idempotency-key", help=KEY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Record the originator's refusal."""
    _answer(ref, False, actor, note, db, key, as_json)


@app.command("list")
def list_records(
    kind: str | None = typer.Option(
        None, "--kind", help="release, consent-request, consent-grant or consent-refusal."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """The register's records, oldest first."""
    kinds = ("release", "consent-request", "consent-grant", "consent-refusal")
    if kind is not None and kind not in kinds:
        raise BadInput(f"unknown record kind {kind!r}; accepted: {', '.join(kinds)}")
    register = _register(db)
    try:
        entries = register.entries(kind)
    finally:
        register.close()
    if as_json:
        print_json([e.as_json() for e in entries])
        return
    from rich.table import Table

    table = Table("#", "kind", "outcome", "from", "to", "marking", "by", "recorded at")
    for e in entries:
        b = e.body
        table.add_row(
            str(e.seq),
            b["kind"],
            b.get("outcome") or "",
            b.get("holder") or "",
            b.get("recipient") or "",
            b.get("marking") or "",
            b["actor"],
            b["recorded_at"],
        )
    console().print(table)


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="Record number or id."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """One record of the register."""
    register = _register(db)
    try:
        entry = register.entry(ref)
    finally:
        register.close()
    _print(entry, as_json)


@app.command("verify")
def verify(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Recompute the register's hash chain; exit 1 naming the first record that does not fit."""
    register = _register(db)
    try:
        report = register.verify()
    finally:
        register.close()
    if as_json:
        print_json(report.as_json())
    elif report.ok:
        typer.echo(f"release register: {report.records} record(s), chain ok, head {report.head}")
    if not report.ok:
        raise RegisterBroken(
            f"release register broken at record {report.first_bad}: {report.problem}"
        )
