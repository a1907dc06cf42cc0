"""`accord ledger balances|verify|ceilings|rates`.

`verify --json` prints at least `{"balanced": true, "audit_chain": "ok", "orders": N,
"postings": N}` and exits 1 when the ledger is unbalanced, the audit chain is broken, or the
postings no longer match the events that recorded them.
"""

from __future__ import annotations

import typer

from accord.cli.orders import (
    DbOption,
    JsonOption,
    KeyOption,
    idempotency_key,
    logistics,
    on_date,
)
from accord.cli.output import console, print_json

app = typer.Typer(
    help="The double-entry ledger: balances, verification, ceilings, rates.", no_args_is_help=True
)
rates_app = typer.Typer(help="Exchange rates: daily, or fixed for a period.", no_args_is_help=True)
app.add_typer(rates_app, name="rates")


def _amount(balance: int, ledger_code: str) -> str:
    from accord.logistics import money
    from accord.logistics.ledger import is_currency_ledger

    if is_currency_ledger(ledger_code):
        return money.display(balance, ledger_code)
    item, _, unit = ledger_code.rpartition("/")
    return f"{balance:,} {unit} {item}"


@app.command("balances")
def balances(
    as_of: str | None = typer.Option(None, "--as-of", help="Balances at the end of this date."),
    book: str | None = typer.Option(None, "--book", help="Only this nation's books."),
    counterparty: str | None = typer.Option(None, "--counterparty", help="Only this counterparty."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Account balances per book, counterparty, agreement, kind and currency or commodity
    (debits positive: receivables; credits negative: payables)."""
    from accord import vocabulary as vocab

    day = on_date(as_of, "--as-of") if as_of else None
    with logistics(db) as service:
        rows = service.balances(
            as_of=day,
            book=vocab.nation(book) if book else None,
            counterparty=vocab.nation(counterparty) if counterparty else None,
        )
    if as_json:
        print_json({"as_of": day.isoformat() if day else None, "balances": rows})
        return
    from rich.table import Table

    table = Table(title=f"balances as of {day or 'now'}")
    for column in ("book", "counterparty", "agreement", "account", "balance"):
        table.add_column(column, justify="right" if column == "balance" else "left")
    for r in rows:
        table.add_row(
            r["book"],
            r["counterparty"],
            r["agreement"],
            r["kind"],
            _amount(r["balance"], r["ledger"]),
        )
    console().print(table)


@app.command("verify")
def verify(
    quick: bool = typer.Option(
        False, "--quick", help="Skip rebuilding every order from its events."
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Check that every transaction balances, the audit chain is whole and the postings match
    their events; exit 1 if not."""
    with logistics(db) as service:
        report = service.verify(deep=not quick)
    if as_json:
        print_json(report)
    else:
        state = "ok" if report["ok"] else "FAILED"
        typer.echo(
            f"ledger {state}: balanced={str(report['balanced']).lower()} "
            f"audit_chain={report['audit_chain']} orders={report['orders']} "
            f"postings={report['postings']} events={report['events']}"
        )
        for problem in report["problems"]:
            typer.echo(f"  {problem}")
    if not report["ok"]:
        import sys

        first = report["problems"][0] if report["problems"] else "see the report"
        sys.stderr.write(f"accord: ledger verification failed: {first}\n")
        raise typer.Exit(1)


@app.command("ceilings")
def ceilings(
    fiscal_year: int | None = typer.Option(
        None, "--fiscal-year", help="US fiscal year, e.g. 2025."
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """What the 10 U.S.C. 2347 ceilings allow: used and remaining per fiscal year."""
    from accord.logistics.ceilings import usd

    with logistics(db) as service:
        rows = service.ceilings(fiscal_year)
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="10 U.S.C. 2347 ceilings (counted gross, fuel excluded)")
    for column in ("FY", "group", "direction", "scope", "used", "limit", "remaining"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["fiscal_year"]),
            r["group"],
            r["direction"],
            r["scope"],
            usd(r["used"]),
            usd(r["limit"]),
            usd(r["remaining"]),
        )
    console().print(table)


@rates_app.command("add")
def add_rate(
    base: str = typer.Option(..., "--base", help="Currency converted from, e.g. JPY."),
    quote: str = typer.Option(..., "--quote", help="Currency converted to, e.g. USD."),
    rate: str = typer.Option(..., "--rate", help="Units of QUOTE per one BASE, e.g. 0.0067."),
    on: str | None = typer.Option(None, "--on", help="The day of a daily rate."),
    valid_from: str | None = typer.Option(None, "--from", help="First day of a fixed rate."),
    valid_to: str | None = typer.Option(None, "--to", help="Last day of a fixed rate."),
    agreement: str | None = typer.Option(None, "--agreement", help="Only for this agreement."),
    source: str | None = typer.Option(None, "--source", help="Where the rate comes from."),
    rate_id: str | None = typer.Option(None, "--id", help="The rate's id (default: made)."),
    db: str | None = DbOption,
    key: str | None = KeyOption,
    as_json: bool = JsonOption,
) -> None:
    """Add an exchange rate: daily (--on) or fixed for a period (--from/--to), e.g. Japan's
    annual rate for its fiscal year."""
    from accord.errors import BadInput
    from accord.logistics import rates
    from accord.services import ids

    if on and (valid_from or valid_to):
        raise BadInput("give --on for a daily rate, or --from and --to for a fixed one, not both")
    if not on and not (valid_from and valid_to):
        raise BadInput("give --on DATE for a daily rate, or --from DATE --to DATE for a fixed one")
    first = on_date(on or valid_from, "--on" if on else "--from")
    last = on_date(valid_to, "--to") if valid_to else first
    value = rates.make_rate(base, quote, rate, first, last, agreement, source)
    the_key = idempotency_key(key)
    with logistics(db) as service:
        result = service.add_rate(rate_id or ids.derived(the_key, "rate"), value, key=the_key)
    if as_json:
        print_json(result)
        return
    r = result["rate"]
    typer.echo(
        f"rate {r['base']}→{r['quote']} {r['rate']} ({r['basis']}, {r['valid_from']} to "
        f"{r['valid_to']}) added"
    )


@rates_app.command("list")
def list_rates(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """The exchange rates on file."""
    with logistics(db) as service:
        rows = service.rates()
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="exchange rates")
    for column in ("base", "quote", "rate", "basis", "from", "to", "agreement", "source"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["base"],
            r["quote"],
            r["rate"],
            r["basis"],
            r["valid_from"],
            r["valid_to"],
            r["agreement"] or "",
            r["source"] or "",
        )
    console().print(table)
