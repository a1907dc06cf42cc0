"""`accord officials add|list`: the officials authorized to sign orders, with their limits.

`add` makes an Ed25519 key pair: the private key goes into the key folder (`ACCORD_KEYS_DIR`,
default `~/.config/accord/keys`, file `<id>.pem`, readable by its owner only) and never into the
database; the database keeps the public key and the signing limits. Where the key file exists
already (a retry, or a key made elsewhere), it is used as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from accord.cli.orders import DbOption, JsonOption, KeyOption, idempotency_key, key_path, logistics
from accord.cli.output import console, print_json
from accord.errors import BadInput

app = typer.Typer(help="Officials who sign orders, and their signing limits.", no_args_is_help=True)


def _limits(values: list[str]) -> dict[str, int]:
    from accord.logistics import money

    limits: dict[str, int] = {}
    for value in values:
        ccy, sep, amount = value.partition(":")
        if not sep:
            raise BadInput(
                f"malformed --limit {value!r}; accepted: CURRENCY:AMOUNT such as USD:250000"
            )
        code = money.currency(ccy)
        limits[code] = money.to_minor(amount, code, "--limit")
        if limits[code] < 0:
            raise BadInput(f"--limit {value}: a signing limit cannot be negative")
    return limits


def _write_pending_key(path: Path, pem: bytes) -> Path:
    """The private key in a file only its owner can read, beside where it will live."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return temporary


@app.command("add")
def add(
    official_id: str = typer.Option(..., "--id", help="A short id, e.g. usa-j4-coordinator."),
    name: str = typer.Option(..., "--name", help="The official's name."),
    nation: str = typer.Option(..., "--nation", help="The nation the official signs for."),
    limit: list[str] = typer.Option(..., "--limit", help="CURRENCY:AMOUNT, repeatable."),
    title: str | None = typer.Option(None, "--title", help="Position, e.g. ACSA coordinator."),
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a signing official: make a key pair, keep the private key in the key folder."""
    from accord import vocabulary as vocab
    from accord.logistics import signing
    from accord.logistics.order_input import identifier

    official_id = identifier(official_id, "official id")
    code = vocab.nation(nation)
    limits = _limits(limit)
    path = key_path(official_id)
    existing = path.is_file()
    private = signing.load_private_pem(path.read_bytes()) if existing else signing.new_private_key()
    # The key file is written first under a temporary name and kept only if the official is
    # stored: a refused command leaves nothing behind.
    pending = None if existing else _write_pending_key(path, signing.private_pem(private))
    try:
        with logistics(db) as service:
            result = service.add_official(
                official_id,
                name,
                code,
                signing.public_hex(private),
                limits,
                key=idempotency_key(key),
                title=title,
            )
    except BaseException:
        if pending is not None:
            pending.unlink(missing_ok=True)
        raise
    if pending is not None:
        pending.replace(path)
    result = {**result, "private_key": str(path)}
    if as_json:
        print_json(result)
        return
    typer.echo(f"official {official_id} ({code}) added; key {result['official']['fingerprint']}")
    typer.echo(f"private key: {path} (keep it safe; it is not in the database)")


@app.command("list")
def list_officials(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """The signing officials and their limits."""
    from accord.logistics import money

    with logistics(db) as service:
        found = [o.as_json() for o in service.officials()]
    if as_json:
        print_json(found)
        return
    from rich.table import Table

    table = Table(title="signing officials")
    for column in ("id", "nation", "name", "title", "limits", "key"):
        table.add_column(column)
    for o in found:
        limits = ", ".join(money.display(v, c) for c, v in o["limits"].items())
        table.add_row(o["id"], o["nation"], o["name"], o["title"] or "", limits, o["fingerprint"])
    console().print(table)
