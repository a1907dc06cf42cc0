"""`accord demo [--db URL] [--seed N]`: two years of allied logistics support in the books.

See `accord.services.demo` for the story. The summary says what is in the books, what is
overdue, the request that was refused and why, and where the officials' private keys are.
"""

from __future__ import annotations

from typing import Any

import typer

from accord.cli.orders import DbOption, JsonOption, logistics
from accord.cli.output import print_json


def demo(
    seed: int = typer.Option(2025, "--seed", help="Same seed, same books."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Build a deterministic two-year history of a multinational exercise and an operation
    among USA, JPN, KOR and AUS: officials and their keys, exchange rates, orders signed,
    delivered, billed and settled in cash, in kind and by exchange."""
    from accord.services.demo import run_demo
    from accord.store.database import database_url

    url = database_url(db)
    with logistics(url):  # storage errors as one line
        summary = run_demo(url, seed)
    if as_json:
        print_json(summary)
        return
    _print(summary)


def _print(s: dict[str, Any]) -> None:
    from accord.logistics import money

    echo = typer.echo
    again = " (already there: nothing added)" if s["already_there"] else ""
    echo(
        f"demo (seed {s['seed']}): {s['orders']} orders from {s['period']['from']} to "
        f"{s['period']['to']}{again}"
    )
    echo("  " + "; ".join(s["activities"]))
    echo(f"orders by status as of {s['as_of']}:")
    for status, count in s["by_status"].items():
        echo(f"  {status:<10} {count}")
    echo(f"overdue on {s['as_of']}: {len(s['overdue'])}")
    for o in s["overdue"]:
        owed = ", ".join(money.display(a, c) for c, a in o["outstanding"]["money"].items())
        owed += "".join(f" {q} {c}" for c, q in o["outstanding"]["in_kind"].items())
        echo(
            f"  {o['number']}  {o['supplier']} → {o['requester']}  {o['reimbursement']}, due "
            f"{o['settlement_due']}: {owed.strip()}"
        )
    if s["unsigned"]:
        echo("waiting for the supplier's signature: " + ", ".join(s["unsigned"]))
    refused = s["refused"]
    req = refused["request"]
    echo(
        f"refused: {req['supplier']} to supply {req['requester']} with "
        f"{', '.join(line['category'] for line in req['lines'])} ({req['activity']}, "
        f"{req['situation']}, {req['on']}); nothing written. Reasons:"
    )
    for reason in refused["reasons"]:
        echo(f"  {reason['code']}: {reason['message']}")
    ledger = s["ledger"]
    echo(
        f"ledger: {'ok' if ledger['ok'] else 'FAILED'} ({ledger['orders']} orders, "
        f"{ledger['postings']} postings, audit chain {ledger['audit_chain']})"
    )
    keys = s["keys"]
    made = sum(1 for o in keys["officials"] if o["made_now"])
    echo(f"officials' private keys: {keys['folder']} ({made} made now; never in the database)")
    for o in keys["officials"]:
        echo(f"  {o['id']} ({o['nation']}): {o['file']}")
