"""`accord export journal --format ledger|beancount [--book NATION] [--db URL] [--output FILE]`:
the postings as a plain-text journal for hledger/Ledger or Beancount (see
`accord.reports.journal`). Written whole or not at all."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import typer

from accord.errors import BadInput

app = typer.Typer(help="Exports: the ledger as a plain-text journal.", no_args_is_help=True)


@app.command("journal")
def journal(
    fmt: str = typer.Option(..., "--format", help="ledger (hledger, Ledger) or beancount."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL (default: $ACCORD_DATABASE_URL, else sqlite:///accord.db)."
    ),
    output: str | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    book: str | None = typer.Option(None, "--book", help="Only this nation's books."),
) -> None:
    """The postings as a journal that `hledger -f FILE balance` and `bean-check FILE` accept."""
    from accord import vocabulary as vocab
    from accord.reports import journal as journal_module
    from accord.reports.run import reading

    chosen = fmt.strip().lower()
    if chosen not in journal_module.FORMATS:
        raise BadInput(f"unknown format {fmt!r}; accepted: {', '.join(journal_module.FORMATS)}")
    nation = vocab.nation(book) if book else None
    if output is None or output == "-":
        with reading(db) as connection:
            journal_module.write(connection, sys.stdout, chosen, nation)
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"no folder {str(folder)!r} for --output {output}")
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream, reading(db) as connection:
            journal_module.write(connection, stream, chosen, nation)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
