"""`accord labels translate|sign|verify|show`: classification equivalents, and STANAG 4774-style
labels bound to their content by an Ed25519 signature (in the spirit of STANAG 4778)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from accord import vocabulary as vocab
from accord.cli.check import on_date
from accord.cli.output import console, print_json
from accord.errors import BadInput

if TYPE_CHECKING:
    from accord.sharing.labels import Label

app = typer.Typer(
    help="Classification equivalents, and labels bound to their content.", no_args_is_help=True
)


@app.command("translate")
def translate(
    level: str = typer.Option(
        ..., "--level", help="A national marking such as KOR-II (or top-secret, secret, ...)."
    ),
    to: str = typer.Option(..., "--to", help="The nation whose marking is wanted (e.g. JPN)."),
    source: str | None = typer.Option(
        None, "--from", help="With an English level: the nation whose level it is."
    ),
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The marking NATION gives LEVEL on a date, under the agreements' equivalence tables."""
    from accord.sharing.equivalence import nominal
    from accord.sharing.equivalence import translate as equivalent
    from accord.sharing.index import load_sharing_index
    from accord.sharing.questions import scheme_nation
    from accord.sharing.schemes import ENGLISH_RANK, level_for, marking

    index = load_sharing_index()
    target = scheme_nation(to, index, "--to")
    day = on_date(on)
    english = level.strip().lower() in ENGLISH_RANK
    if english and source is None:
        result = nominal(level.strip().lower(), target)
        answer = result.as_json(day)
        answer["question"] = {"level": level.strip().lower(), "from": None, "to": target}
        answer["question"]["on"] = day.isoformat()  # type: ignore[index]
    else:
        origin = scheme_nation(source, index, "--from") if source else None
        found = level_for(level, origin) if origin else marking(level)
        if found.nation == target:
            raise BadInput(
                f"--level {found.code} is already {target}'s marking; accepted: --to another nation"
            )
        answer = equivalent(index.agreements, found, target, day.toordinal()).as_json(day)
    if as_json:
        print_json(answer)
        return
    _show(answer)


def _show(answer: dict[str, object]) -> None:
    from rich.markup import escape

    out = console()
    question = answer["question"]
    assert isinstance(question, dict)
    if answer["marking"]:
        out.print(
            f"[bold green]{answer['marking']}[/] ({escape(str(answer['native']))})  "
            f"= {str(answer['equivalent']).upper()}  "
            f"for {question['level']} in {question['to']} on {question['on']}"
        )
    else:
        out.print(
            f"[bold red]no equivalent[/]  for {question['level']} in {question['to']} "
            f"on {question['on']}"
        )
    route = answer.get("route")
    if route:
        out.print(f"  route: {' → '.join(route)}")  # type: ignore[arg-type]
    reasons = answer["reasons"]
    assert isinstance(reasons, list)
    for reason in reasons:
        out.print(f"  [bold]{reason['code']}[/]  {escape(reason['message'])}")
        for source in reason["sources"]:
            out.print(f"    [dim]source[/] {escape(source)}", soft_wrap=True)


class Syntax(StrEnum):
    json = "json"
    xml = "xml"


class ShowFormat(StrEnum):
    text = "text"
    json = "json"
    xml = "xml"


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"no such {what} file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {what} file {path}: {exc}") from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"no such content file: {path}") from None
    except OSError as exc:
        raise BadInput(f"cannot read content file {path}: {exc.strerror}") from None


def _describe(label: Label) -> str:
    from accord.sharing.schemes import LEVELS

    level = LEVELS[label.classification]
    text = f"{label.classification} ({level.native}), originator {label.originator}"
    if label.releasable_to:
        text += f", releasable to {', '.join(label.releasable_to)}"
    if label.topic:
        text += f", topic {label.topic}"
    return text


def _nations(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(vocab.nation(part) for part in value.split(",") if part.strip())


@app.command("sign")
def sign(
    content: Path = typer.Argument(..., help="The file to label and sign."),
    level: str | None = typer.Option(
        None, "--level", help="Marking (e.g. KOR-II), or top-secret/secret/confidential."
    ),
    originator: str | None = typer.Option(
        None, "--originator", help="Originating nation (default: the marking's nation)."
    ),
    releasable_to: str | None = typer.Option(
        None, "--releasable-to", help="Nations it may be released to, e.g. USA,JPN."
    ),
    topic: str | None = typer.Option(None, "--topic", help="nk-nuclear, nk-missile or other."),
    label_file: Path | None = typer.Option(
        None, "--label", help="Use this label (4774 XML or JSON) instead of --level."
    ),
    syntax: Syntax = typer.Option(Syntax.json, "--format", help="Binding syntax: json or xml."),
    out: Path | None = typer.Option(
        None, "--out", help="Binding file (default: CONTENT.bdo.json or CONTENT.bdo.xml)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Label CONTENT and bind the label to it with this node's Ed25519 key."""
    import datetime as dt

    from accord.sharing import binding as bind
    from accord.sharing.keys import signing_key
    from accord.sharing.labels import make_label, read_label
    from accord.sharing.schemes import level_for, marking

    data = _read_bytes(content)
    if label_file is not None:
        if level or originator or releasable_to or topic:
            raise BadInput("--label replaces --level, --originator, --releasable-to and --topic")
        label = read_label(_read(label_file, "label"))
    else:
        if level is None:
            raise BadInput("missing --level (or --label FILE); accepted: a marking such as KOR-II")
        if originator:
            origin = vocab.nation(originator)
            found = level_for(level, origin)
        else:
            found = marking(level)
            origin = found.nation
        label = make_label(
            found.code,
            origin,
            dt.datetime.now(dt.UTC),
            _nations(releasable_to),
            vocab.topic(topic) if topic else None,
        )
    key, key_path, created = signing_key()
    bound = bind.sign(label, data, content.name, key)
    target = out or content.with_name(f"{content.name}.bdo.{syntax.value}")
    text = bind.to_json(bound) if syntax is Syntax.json else bind.to_xml(bound)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write the binding {target}: {exc.strerror}") from None
    if as_json:
        from accord.sharing.labels import to_dict

        print_json(
            {
                "binding": str(target),
                "content": str(content),
                "key": str(key_path),
                "key_id": bound.signature.key_id,
                "key_created": created,
                "label": to_dict(label),
            }
        )
        return
    typer.echo(f"bound {content} to its label: {_describe(label)}")
    typer.echo(f"binding: {target}")
    state = "created now" if created else "existing"
    typer.echo(f"signing key: {key_path} ({state}; key id {bound.signature.key_id})")


@app.command("verify")
def verify(
    content: Path = typer.Argument(..., help="The labelled file."),
    binding_file: Path | None = typer.Option(
        None, "--binding", help="Binding file (default: CONTENT.bdo.json, else CONTENT.bdo.xml)."
    ),
    trust: list[Path] = typer.Option(
        [], "--trust", help="Also trust this Ed25519 public key (PEM); repeatable."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Check that CONTENT and its label are unchanged and signed by a trusted key (exit 2 if
    not)."""
    from accord.sharing import binding as bind
    from accord.sharing.keys import keys_dir, trusted_keys
    from accord.sharing.labels import to_dict

    path = binding_file or _default_binding(content)
    bound = bind.read_binding(_read(path, "binding"))
    data = _read_bytes(content)
    trusted = trusted_keys()
    for extra in trust:
        trusted.update(_public_key_file(extra))
    result = bind.verify(bound, data, trusted)
    if as_json:
        print_json(
            {
                "valid": result.valid,
                "reason": result.reason,
                "key_id": result.key_id,
                "content": str(content),
                "binding": str(path),
                "label": to_dict(bound.label),
            }
        )
    if not result.valid:
        where = f" (trusted keys: {keys_dir()})" if "trusted" in result.reason else ""
        raise BadInput(f"binding {path} does not verify: {result.reason}{where}")
    if not as_json:
        typer.echo(f"valid: {_describe(bound.label)}; signed by key {result.key_id}")


def _default_binding(content: Path) -> Path:
    for suffix in ("json", "xml"):
        candidate = content.with_name(f"{content.name}.bdo.{suffix}")
        if candidate.exists():
            return candidate
    raise BadInput(f"no binding for {content}: expected {content.name}.bdo.json or --binding")


def _public_key_file(path: Path) -> dict[str, bytes]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_public_key,
    )

    from accord.sharing.binding import key_id

    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError):
        raise BadInput(f"--trust {path}: not a readable PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput(f"--trust {path}: not an Ed25519 public key")
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {key_id(raw): raw}


@app.command("show")
def show(
    path: Path = typer.Argument(..., help="A label (4774 XML or JSON) or a binding."),
    fmt: ShowFormat = typer.Option(
        ShowFormat.text, "--format", help="text, or the same document as json or xml."
    ),
) -> None:
    """Show a label or a binding, or convert it between its XML and JSON syntaxes."""
    from accord.sharing import binding as bind
    from accord.sharing import labels

    text = _read(path, "label")
    if bind.is_binding(text):
        bound = bind.read_binding(text)
        if fmt is ShowFormat.json:
            sys.stdout.write(bind.to_json(bound))
        elif fmt is ShowFormat.xml:
            sys.stdout.write(bind.to_xml(bound))
        else:
            _show_label(bound.label)
            ref = bound.reference
            typer.echo(f"bound to: {ref.uri} ({ref.size} bytes, SHA-256 {ref.digest.hex()})")
            typer.echo(f"signed by key: {bound.signature.key_id} (Ed25519)")
        return
    label = labels.read_label(text)
    if fmt is ShowFormat.json:
        sys.stdout.write(labels.to_json(label))
    elif fmt is ShowFormat.xml:
        sys.stdout.write(labels.to_xml(label))
    else:
        _show_label(label)


def _show_label(label: Label) -> None:
    from accord.sharing.schemes import LEVELS

    level = LEVELS[label.classification]
    kind = "alternative" if label.alternative else "originator"
    typer.echo(f"{kind} label  {label.classification}  {level.native}  ({level.english})")
    typer.echo(f"  policy: {label.policy}")
    typer.echo(f"  originator: {label.originator}")
    for category in label.categories:
        typer.echo(f"  {category.tag} ({category.type.lower()}): {', '.join(category.values)}")
    typer.echo(f"  created: {label.created.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    if label.review:
        typer.echo(f"  review: {label.review.strftime('%Y-%m-%dT%H:%M:%SZ')}")
