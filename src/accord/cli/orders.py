"""`accord orders ...`: propose, sign, deliver, bill, settle, convert, close, cancel, reverse,
list, show, documents, document.

Every mutating command takes `--idempotency-key` (a retry with the same key returns the first
result; without one, a fresh key is made) and `--on` (the legal date, default today). Errors are
one line on stderr: exit 2 for bad input, 1 for a refusal (no agreement allows it, a ceiling
would be exceeded, the order's state does not allow it).

`--document PATH` cites a file and keeps its bytes (at most 25 MiB each, stored once per
SHA-256, in the same transaction as the event that cites it); `--document NAME=SHA256` cites a
document without its content. `orders documents` lists what an order cites and whether the
content is held; `orders document` writes the stored bytes back out, checked against the hash.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from accord.cli.output import console, print_json
from accord.errors import AccordError, BadInput

if TYPE_CHECKING:
    from accord.logistics.order import Document
    from accord.services.logistics import Logistics

app = typer.Typer(
    help="Logistics orders: propose, sign, deliver, bill, settle, convert, close.",
    no_args_is_help=True,
)

DB_HELP = "Database URL (default: $ACCORD_DATABASE_URL, else sqlite:///accord.db)."
KEY_HELP = "Idempotency key: a retry with the same key returns the first result."
ON_HELP = "Legal date of the act, YYYY-MM-DD (default: today)."
JSON_HELP = "Print one JSON object."

DbOption = typer.Option(None, "--db", help=DB_HELP)
KeyOption = typer.Option(None, "--idempotency-key", help=KEY_HELP)
OnOption = typer.Option(None, "--on", help=ON_HELP)
JsonOption = typer.Option(False, "--json", help=JSON_HELP)


# ---------------------------------------------------------------------- shared helpers


class StorageError(AccordError):
    code = "storage-error"
    exit_status = 1


@contextmanager
def logistics(db: str | None) -> Iterator[Logistics]:
    """The logistics service on the chosen database, with storage errors as one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from accord.services.logistics import Logistics
    from accord.store.database import database_url

    url = database_url(db)
    service = Logistics(url)
    try:
        yield service
    except SQLAlchemyError as exc:
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            raise BadInput(
                "the database has no logistics tables; run `accord init` with the same --db first"
            ) from None
        raise StorageError(f"database error: {text}") from None
    finally:
        service.close()


def idempotency_key(value: str | None) -> str:
    from accord.services.ids import new_key

    return value or new_key()


def on_date(value: str | None, option: str = "--on") -> dt.date:
    from accord import vocabulary as vocab

    return vocab.parse_date(value, option) if value else dt.date.today()


def quantities(values: list[str], option: str = "--line") -> dict[int, int]:
    """`1=40` pairs: order line number = quantity."""
    out: dict[int, int] = {}
    for value in values:
        line, _, qty = value.partition("=")
        try:
            number, amount = int(line), int(qty)
        except ValueError:
            raise BadInput(
                f"malformed {option} {value!r}; accepted: LINE=QUANTITY such as 1=40"
            ) from None
        if amount <= 0:
            raise BadInput(f"{option} {value}: quantity {amount} is not positive")
        out[number] = out.get(number, 0) + amount
    return out


@dataclass(frozen=True, slots=True)
class Cited:
    """The documents a command cites, and the bytes of those given as files."""

    documents: tuple[Document, ...] = ()
    contents: tuple[bytes, ...] = ()
    files: tuple[tuple[str, str, int], ...] = ()  # (name, sha256, size) of each file read


def documents(values: list[str]) -> Cited:
    """`PATH` or `LINE:PATH` (a file: hashed here and its bytes kept), `NAME=SHA256` or
    `LINE:NAME=SHA256` (a citation without content): `document_store.named`."""
    from accord.services import document_store

    docs: list[Document] = []
    contents: list[bytes] = []
    files: list[tuple[str, str, int]] = []
    for value in values:
        doc, kept = document_store.named(value)
        docs.append(doc)
        if kept is not None:
            contents.append(kept.data)
            files.append((doc.name, doc.sha256, kept.size))
    return Cited(tuple(docs), tuple(contents), tuple(files))


def emit_kept(result: dict[str, Any], cited: Cited, as_json: bool) -> None:
    """After a command that cited files: say that their content is kept."""
    if as_json or result.get("replayed"):
        return
    said: set[str] = set()
    for name, digest, size in cited.files:
        if digest not in said:
            said.add(digest)
            typer.echo(f"  document {name}: content kept ({size:,} bytes, sha256 {digest[:16]}…)")


def emit(result: dict[str, Any], as_json: bool, verb: str) -> None:
    if as_json:
        print_json(result)
        return
    order = result["order"]
    again = " (already done: the first result)" if result.get("replayed") else ""
    typer.echo(f"{verb} {order['number']}: {order['status']}{again}  id={order['id']}")
    owed = order.get("outstanding") or {}
    parts = [_money(a, c) for c, a in (owed.get("money") or {}).items()]
    parts += [f"{q} {c}" for c, q in (owed.get("in_kind") or {}).items()]
    parts += [f"{q} {c} due back" for c, q in (owed.get("due_back") or {}).items()]
    if parts:
        typer.echo("  outstanding: " + ", ".join(parts))


def _money(minor: int, ccy: str) -> str:
    from accord.logistics import money

    return money.display(minor, ccy)


def _load_file(path: Path) -> Any:
    if not path.is_file():
        raise BadInput(f"no order file {str(path)!r}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    nested = BadInput(f"{path}: nested too deeply to be an order file")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{exc.lineno}: malformed JSON: {exc.msg}") from None
        except RecursionError:
            raise nested from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise BadInput(f"{where}: malformed YAML") from None
    except RecursionError:
        raise nested from None


def parse_line_option(value: str, number: int) -> dict[str, Any]:
    """`CATEGORY|DESCRIPTION|QUANTITY|UNIT|UNIT_PRICE|CURRENCY[|NSN]`"""
    parts = [p.strip() for p in value.split("|")]
    if len(parts) not in (6, 7):
        raise BadInput(
            f"malformed --line {value!r}; accepted: "
            "CATEGORY|DESCRIPTION|QUANTITY|UNIT|UNIT_PRICE|CURRENCY[|NSN]"
        )
    line = dict(
        zip(
            ("category", "description", "quantity", "unit", "unit_price", "currency"),
            parts[:6],
            strict=True,
        )
    )
    if len(parts) == 7 and parts[6]:
        line["nsn"] = parts[6]
    return line


# ---------------------------------------------------------------------- commands


@app.command("propose")
def propose(
    file: Path | None = typer.Argument(None, help="Order file (JSON or YAML); see docs."),
    order_ref: str | None = typer.Option(None, "--order", help="Propose this existing draft."),
    draft: bool = typer.Option(False, "--draft", help="Keep the new order as a draft."),
    order_id: str | None = typer.Option(None, "--id", help="The order's id (default: made)."),
    number: str | None = typer.Option(None, "--number", help="Order number (default: next)."),
    agreement: str | None = typer.Option(None, "--agreement", help="Agreement id."),
    arrangement: str | None = typer.Option(None, "--arrangement", help="Implementing arrangement."),
    requester: str | None = typer.Option(None, "--requester", help="Requesting nation."),
    requester_unit: str | None = typer.Option(None, "--requester-unit"),
    supplier: str | None = typer.Option(None, "--supplier", help="Supplying nation."),
    supplier_unit: str | None = typer.Option(None, "--supplier-unit"),
    situation: str | None = typer.Option(None, "--situation"),
    transaction_type: str | None = typer.Option(None, "--type", help="sale|loan|lease|service"),
    reimbursement: str | None = typer.Option(None, "--reimbursement", help="cash|rik|eve"),
    delivery_place: str | None = typer.Option(None, "--delivery-place"),
    order_date: str | None = typer.Option(None, "--order-date"),
    date_required: str | None = typer.Option(None, "--date-required"),
    return_by: str | None = typer.Option(None, "--return-by", help="Loans and leases."),
    lines: list[str] = typer.Option(
        [], "--line", help="CATEGORY|DESCRIPTION|QUANTITY|UNIT|UNIT_PRICE|CURRENCY[|NSN]"
    ),
    document: list[str] = typer.Option(
        [],
        "--document",
        help="PATH or LINE:PATH (content kept), NAME=SHA256 or LINE:NAME=SHA256 (cited only)",
    ),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Propose an order (checked against the agreements now), or keep it as a draft."""
    from accord.logistics.order_input import parse_order
    from accord.services import ids

    the_key = idempotency_key(key)
    day = on_date(on)
    if order_ref:
        with logistics(db) as service:
            emit(service.submit(order_ref, key=the_key, on=day), as_json, "proposed")
        return
    data: dict[str, Any] = {}
    if file is not None:
        loaded = _load_file(file)
        if not isinstance(loaded, dict):
            raise BadInput(f"{file}: an order file holds one mapping (JSON object or YAML)")
        data.update(loaded)
    options = {
        "id": order_id,
        "number": number,
        "agreement": agreement,
        "arrangement": arrangement,
        "situation": situation,
        "transaction_type": transaction_type,
        "reimbursement": reimbursement,
        "delivery_place": delivery_place,
        "order_date": order_date,
        "date_required": date_required,
        "return_by": return_by,
    }
    data.update({k: v for k, v in options.items() if v is not None})
    for side, nation, unit in (
        ("requester", requester, requester_unit),
        ("supplier", supplier, supplier_unit),
    ):
        if nation or unit:
            found = data.get(side)
            current: dict[str, Any] = found if isinstance(found, dict) else {}
            data[side] = {
                **current,
                **({"nation": nation} if nation else {}),
                **({"unit": unit} if unit else {}),
            }
    if lines:
        data["lines"] = [parse_line_option(v, i) for i, v in enumerate(lines, start=1)]
    cited = documents(document)
    if document:
        data["documents"] = [d.as_json() for d in cited.documents]
    if not data:
        raise BadInput("give an order file, or the order as options (--requester, --line, ...)")
    default_id = ids.derived(the_key, "order") if key else ids.uuid7()
    with logistics(db) as service:
        request = parse_order(data, default_id, day, service.context.check.nations)
        result = service.propose(request, key=the_key, on=day, draft=draft, contents=cited.contents)
    emit(result, as_json, "draft" if draft else "proposed")
    emit_kept(result, cited, as_json)


def keys_dir() -> Path:
    base = os.environ.get("ACCORD_KEYS_DIR")
    return Path(base) if base else Path.home() / ".config" / "accord" / "keys"


def key_path(official_id: str) -> Path:
    return keys_dir() / f"{official_id}.pem"


@app.command("sign")
def sign(
    order: str = typer.Argument(..., help="Order id or number."),
    official: str = typer.Option(..., "--as", help="The signing official's id."),
    key_file: Path | None = typer.Option(
        None, "--key-file", help="Private key (default: key folder)."
    ),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Sign an order for one party with the official's Ed25519 key; both parties' signatures
    make it binding."""
    from accord.logistics import signing

    path = key_file or key_path(official)
    if not path.is_file():
        raise BadInput(
            f"no private key for official {official!r} at {path}; set ACCORD_KEYS_DIR or --key-file"
        )
    private = signing.load_private_pem(path.read_bytes())
    with logistics(db) as service:
        signature = signing.sign(private, service.signing_bytes(order))
        result = service.sign(order, official, signature, key=idempotency_key(key), on=on_date(on))
    if as_json:
        print_json(result)
        return
    emit(result, False, "signed")
    typer.echo(
        "  binding: both parties have signed"
        if result.get("bound")
        else "  not yet binding: the other party must sign"
    )


@app.command("deliver")
def deliver(
    order: str = typer.Argument(..., help="Order id or number."),
    line: list[str] = typer.Option([], "--line", help="LINE=QUANTITY delivered, e.g. 1=40."),
    everything: bool = typer.Option(False, "--all", help="Deliver all that remains."),
    document: list[str] = typer.Option(
        [], "--document", help="Receipt: PATH (content kept), LINE:PATH or NAME=SHA256."
    ),
    received_by: str | None = typer.Option(None, "--received-by", help="Who signed the receipt."),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Record a delivery (partial or complete) and its receipt."""
    wanted = quantities(line)
    if not wanted and not everything:
        raise BadInput("give --line LINE=QUANTITY (one or more) or --all")
    cited = documents(document)
    with logistics(db) as service:
        if everything:
            current = service.order(order)
            done = current.delivered_qty()
            wanted = {
                ln.number: ln.quantity - done.get(ln.number, 0)
                for ln in current.terms.lines
                if ln.quantity - done.get(ln.number, 0) > 0
            }
            if not wanted:
                raise BadInput(f"order {current.terms.number} is fully delivered")
        result = service.deliver(
            order,
            wanted,
            key=idempotency_key(key),
            on=on_date(on),
            documents=cited.documents,
            received_by=received_by,
            contents=cited.contents,
        )
    emit(result, as_json, "delivered")
    emit_kept(result, cited, as_json)


@app.command("bill")
def bill(
    order: str = typer.Argument(..., help="Order id or number."),
    document: list[str] = typer.Option(
        [], "--document", help="Invoice: PATH (content kept), LINE:PATH or NAME=SHA256."
    ),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Bill what was delivered."""
    cited = documents(document)
    with logistics(db) as service:
        result = service.bill(
            order,
            key=idempotency_key(key),
            on=on_date(on),
            documents=cited.documents,
            contents=cited.contents,
        )
    emit(result, as_json, "billed")
    emit_kept(result, cited, as_json)


@app.command("settle")
def settle(
    order: str = typer.Argument(..., help="Order id or number."),
    method: str = typer.Argument(..., help="cash | rik | eve | return"),
    amount: list[str] = typer.Option([], "--amount", help="AMOUNT or CURRENCY:AMOUNT (cash, eve)."),
    line: list[str] = typer.Option([], "--line", help="LINE=QUANTITY (rik, return)."),
    full: bool = typer.Option(False, "--full", help="Settle everything outstanding."),
    note: str | None = typer.Option(None, "--note", help="E.g. what was exchanged."),
    document: list[str] = typer.Option(
        [], "--document", help="PATH (content kept), LINE:PATH or NAME=SHA256."
    ),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Settle in part or in full: a payment (cash), an exchange of equal value (eve), a
    replacement in kind (rik, by quantity) or the return of loaned items (return)."""
    from accord.logistics import money
    from accord.logistics.order import SETTLEMENT_METHODS

    method = method.strip().lower()
    if method not in SETTLEMENT_METHODS:
        raise BadInput(f"unknown settlement {method!r}; accepted: {', '.join(SETTLEMENT_METHODS)}")
    cited = documents(document)
    with logistics(db) as service:
        current = service.order(order)
        amounts: dict[str, int] = {}
        qty: dict[int, int] = {}
        if full:
            if method == "cash":
                amounts = current.outstanding_cash()
            elif method == "eve":
                amounts = current.outstanding_exchange()
            elif method == "rik":
                qty = current.outstanding_in_kind()
            else:
                qty = current.outstanding_due_back()
            if not amounts and not qty:
                raise BadInput(
                    f"nothing is outstanding by {method} on order {current.terms.number}"
                )
        else:
            currencies = sorted(current.terms.totals())
            for value in amount:
                ccy, sep, figure = value.rpartition(":")
                if not sep:
                    if len(currencies) != 1:
                        raise BadInput(
                            f"order {current.terms.number} is in {', '.join(currencies)}; "
                            "give --amount CURRENCY:AMOUNT"
                        )
                    ccy = currencies[0]
                code = money.currency(ccy)
                amounts[code] = amounts.get(code, 0) + money.to_minor(figure, code, "--amount")
            qty = quantities(line)
            if not amounts and not qty:
                raise BadInput("give --amount (cash, eve), --line (rik, return) or --full")
        result = service.settle(
            order,
            method,
            key=idempotency_key(key),
            on=on_date(on),
            amounts=amounts,
            quantities=qty,
            note=note,
            documents=cited.documents,
            contents=cited.contents,
        )
    emit(result, as_json, "settled")
    emit_kept(result, cited, as_json)


@app.command("convert")
def convert(
    order: str = typer.Argument(..., help="Order id or number."),
    note: str | None = typer.Option(None, "--note", help="E.g. why it was not replaced."),
    document: list[str] = typer.Option(
        [], "--document", help="Bill: PATH (content kept), LINE:PATH or NAME=SHA256."
    ),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Convert replacement in kind or an exchange of equal value still owed more than 12
    months after the first delivery (10 U.S.C. 2345(b)) to cash at the order's prices, as DoD
    policy does (unverified: the statute does not say); then settle it by cash."""
    day = on_date(on)
    cited = documents(document)
    with logistics(db) as service:
        result = service.convert(
            order,
            key=idempotency_key(key),
            on=day,
            note=note,
            documents=cited.documents,
            contents=cited.contents,
        )
    emit(result, as_json, "converted to cash")
    if not as_json:
        conversion = result.get("conversion") or {}
        for x in conversion.get("lines") or ():
            typer.echo(
                f"  line {x['line']}: {x['quantity']} {x['commodity']} × "
                f"{_money(x['unit_price'], x['currency'])} = {_money(x['value'], x['currency'])}"
            )
        owed = ", ".join(_money(a, c) for c, a in (conversion.get("amounts") or {}).items())
        if owed:
            typer.echo(f"  owed in cash: {owed} (settle with `accord orders settle ... cash`)")
    emit_kept(result, cited, as_json)


@app.command("close")
def close(
    order: str = typer.Argument(..., help="Order id or number."),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Close a settled order."""
    with logistics(db) as service:
        result = service.close_order(order, key=idempotency_key(key), on=on_date(on))
    emit(result, as_json, "closed")


@app.command("cancel")
def cancel(
    order: str = typer.Argument(..., help="Order id or number."),
    reason: str | None = typer.Option(None, "--reason"),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Cancel an order that nothing has been delivered on."""
    with logistics(db) as service:
        result = service.cancel(order, key=idempotency_key(key), on=on_date(on), reason=reason)
    emit(result, as_json, "cancelled")


@app.command("reverse")
def reverse(
    order: str = typer.Argument(..., help="Order id or number."),
    event: str = typer.Argument(
        ..., help="Id of the delivery, bill, settlement or conversion to reverse."
    ),
    reason: str | None = typer.Option(None, "--reason"),
    on: str | None = OnOption,
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Correct a delivery, bill, settlement or conversion to cash by a reversing entry (nothing
    is edited)."""
    with logistics(db) as service:
        result = service.reverse(
            order, event, key=idempotency_key(key), on=on_date(on), reason=reason
        )
    emit(result, as_json, "reversed")


@app.command("list")
def list_orders(
    status: str | None = typer.Option(None, "--status", help="draft, proposed, signed, ..."),
    counterparty: str | None = typer.Option(None, "--counterparty", help="Nation on either side."),
    overdue: bool = typer.Option(False, "--overdue", help="Only orders past a clock."),
    search: str | None = typer.Option(
        None, "--search", help="Text in number, units, place, lines."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    offset: int = typer.Option(0, "--offset", min=0),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for --overdue (default today)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List orders, newest first."""
    from accord import vocabulary as vocab
    from accord.logistics.order import Status

    if status is not None and status.lower() not in {s.value for s in Status}:
        raise BadInput(f"unknown status {status!r}; accepted: {', '.join(s.value for s in Status)}")
    nation = vocab.nation(counterparty) if counterparty else None
    with logistics(db) as service:
        page = service.list_orders(
            status=status.lower() if status else None,
            counterparty=nation,
            overdue=overdue,
            search=search,
            limit=limit,
            offset=offset,
            as_of=on_date(as_of, "--as-of"),
        )
    if as_json:
        print_json(page)
        return
    if not page["orders"]:
        # nothing to draw a table of: say so, and why when it is the page rather than the search
        total = page["total"]
        typer.echo(
            f"no orders on this page (offset {offset}, {total} in all)" if total else "no orders"
        )
        return
    from rich.table import Table

    table = Table(title=f"orders {offset + 1}–{offset + len(page['orders'])} of {page['total']}")
    for column in ("number", "status", "from", "to", "type", "total", "outstanding", "due"):
        table.add_column(column)
    for o in page["orders"]:
        outstanding = o["outstanding"]
        owed = ", ".join(
            [_money(a, c) for c, a in outstanding["money"].items()]
            + [f"{q:,} {c}" for c, q in outstanding["in_kind"].items()]
        )
        due = o["settlement_due"] or o["return_by"] or ""
        table.add_row(
            o["number"],
            o["status"] + (" OVERDUE" if o["overdue"] else ""),
            o["supplier"],
            o["requester"],
            f"{o['transaction_type']}/{o['reimbursement']}",
            ", ".join(_money(a, c) for c, a in o["totals"].items()),
            owed,
            due,
        )
    console().print(table)


@app.command("show")
def show(
    order: str = typer.Argument(..., help="Order id or number."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for the clocks (default today)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Everything about one order: terms, signatures, decisions, deliveries, settlements,
    what is outstanding, its clocks, events and postings."""
    with logistics(db) as service:
        view = service.show(order, as_of=on_date(as_of, "--as-of"))
    if as_json:
        print_json(view)
        return
    from rich.markup import escape

    out = console()
    out.print(
        f"[bold]{view['number']}[/]  {view['status']}  "
        f"{view['supplier']['nation']} ({escape(view['supplier']['unit'])}) → "
        f"{view['requester']['nation']} ({escape(view['requester']['unit'])})"
    )
    out.print(
        f"  {view['transaction_type']}, reimbursed by {view['reimbursement']}; "
        f"{view['situation']}; agreement {view['agreement']}"
        + (f", arrangement {view['arrangement']}" if view["arrangement"] else "")
    )
    out.print(
        f"  ordered {view['order_date']}, required {view['date_required']} at {escape(view['delivery_place'])}"
    )
    for ln in view["lines"]:
        out.print(
            f"  {ln['line']}. {ln['category']}: {escape(ln['description'])}  "
            f"{ln['quantity']} {ln['unit']} × {_money(ln['unit_price'], ln['currency'])}"
        )
    sides = {s["side"]: s for s in view["signatures"]}
    for side in ("requester", "supplier"):
        s = sides.get(side)
        out.print(
            f"  {side} signature: " + (f"{s['official']} on {s['on']}" if s else "[red]missing[/]")
        )
    for name, decision in view["decisions"].items():
        reason = decision["decisions"][0]["reasons"][0] if decision.get("decisions") else {}
        out.print(
            f"  decision at {name}: {'allowed' if decision.get('allowed') else 'denied'} "
            f"({reason.get('agreement')} {escape(str(reason.get('clause') or ''))})"
        )
    owed = view["outstanding"]
    if owed["money"] or owed["in_kind"] or owed["due_back"]:
        parts = [_money(a, c) for c, a in owed["money"].items()]
        parts += [f"{q} {c}" for c, q in owed["in_kind"].items()]
        parts += [f"{q} {c} due back" for c, q in owed["due_back"].items()]
        out.print("  outstanding: " + ", ".join(parts))
    clocks = view["clocks"]
    if clocks["settlement_due"]:
        out.print(f"  settlement due by {clocks['settlement_due']}")
    if clocks.get("convertible_from"):
        out.print(
            f"  may be converted to cash from {clocks['convertible_from']} "
            "(10 U.S.C. 2345(b); DoD policy, unverified): accord orders convert"
        )
    for reason in clocks["overdue"]:
        out.print(f"  [bold red]overdue[/]: {escape(reason)}")
    for e in view["events"]:
        out.print(f"  [dim]{e['seq']:>6}  {e['on']}  {e['kind']:<10} {e['id']}[/]")


@app.command("documents")
def list_documents(
    order: str = typer.Argument(..., help="Order id or number."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The supporting documents an order cites (in its terms, deliveries, bills and
    settlements), with their SHA-256 and whether Accord holds their content."""
    with logistics(db) as service:
        found = service.documents(order)
    if as_json:
        print_json(found)
        return
    docs = found["documents"]
    typer.echo(
        f"{found['order']['number']}: {len(docs)} documents cited, content held for {found['held']}"
    )
    for d in docs:
        where = "the order" if d["line"] is None else f"line {d['line']}"
        event = f"{d['event_kind']} {d['on']}" if d["event_kind"] else "event not found"
        held = f"{d['size']:,} bytes, {d['media_type']}" if d["held"] else "content not held"
        typer.echo(f"  {d['name']} ({where}; {event}): {held}")
        typer.echo(f"    sha256 {d['sha256']}  event {d['event']}")


@app.command("document")
def get_document(
    order: str = typer.Argument(..., help="Order id or number."),
    document: str = typer.Argument(..., help="The document's name, or its SHA-256."),
    output: str = typer.Option(..., "--output", "-o", help="File to write ('-': stdout)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Write a document's stored bytes to a file, checked against its SHA-256 first."""
    import hashlib
    import sys
    import tempfile

    target = None if output == "-" else Path(output)
    if target is not None:
        if target.is_dir():
            raise BadInput(f"--output {output!r} is a folder; give a file name")
        if not target.parent.is_dir():
            raise BadInput(f"no folder {str(target.parent)!r} for --output")
    with logistics(db) as service:
        found, data = service.document(order, document)
    if hashlib.sha256(data).hexdigest() != found["sha256"]:  # checked again, as written
        raise StorageError(f"document {found['name']!r}: the bytes read differ from its SHA-256")
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        # written to a temporary name and renamed: the file is whole or absent
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temp, 0o666 & ~mask)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    summary = {**found, "output": output}
    if as_json and target is not None:
        print_json(summary)
    elif target is not None:
        typer.echo(
            f"wrote {found['name']} ({len(data):,} bytes, {found['media_type']}) to {output}; "
            f"sha256 {found['sha256']} checked"
        )
