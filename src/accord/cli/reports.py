"""`accord reports balances|ageing|overdue|missing|annual|ceilings`.

Each takes `--db`, `--as-of DATE` (default today), `--format table|csv|json|xlsx|pdf` (default:
from the `--output` file's extension, else a table), `--output FILE` (default stdout; a
workbook or PDF on a terminal needs one) and `--lang en|ko|ja`. Bad input is one line on
stderr and exit 2; a file is written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import typer

from accord.errors import BadInput

app = typer.Typer(
    help="Reports: balances, ageing, overdue, missing data, the annual report, ceilings.",
    no_args_is_help=True,
)

DB_HELP = "Database URL (default: $ACCORD_DATABASE_URL, else sqlite:///accord.db)."
DbOption = typer.Option(None, "--db", help=DB_HELP)
AsOfOption = typer.Option(None, "--as-of", help="The report's date, YYYY-MM-DD (default: today).")
FormatOption = typer.Option(
    None, "--format", help="table, csv, json, xlsx or pdf (default: from --output, else table)."
)
OutputOption = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout).")
LangOption = typer.Option("en", "--lang", help="Labels in en, ko or ja.")
BookOption = typer.Option(None, "--book", help="Only this nation's books.")
CounterpartyOption = typer.Option(None, "--counterparty", help="Only this counterparty.")

EXTENSIONS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".pdf": "pdf", ".txt": "table"}


def _format(value: str | None, output: str | None) -> str:
    from accord.reports import FORMATS

    if value is None:
        return EXTENSIONS.get(Path(output).suffix.lower(), "table") if output else "table"
    fmt = value.strip().lower()
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {value!r}; accepted: {', '.join(FORMATS)}")
    return fmt


def _write(output: str | None, data: bytes, binary: bool) -> None:
    if output is None or output == "-":
        if binary and sys.stdout.isatty():
            raise BadInput("this format is binary; give --output FILE (or redirect stdout)")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"no folder {str(folder)!r} for --output {output}")
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _run(
    name: str,
    db: str | None,
    as_of: str | None,
    fmt: str | None,
    output: str | None,
    lang: str,
    book: str | None = None,
    counterparty: str | None = None,
    fiscal_year: int | None = None,
) -> None:
    from accord import vocabulary as vocab
    from accord.reports import labels, run

    day = vocab.parse_date(as_of, "--as-of") if as_of else dt.date.today()
    chosen = _format(fmt, output)
    language = labels.lang(lang)
    nation = vocab.nation(book) if book else None
    other = vocab.nation(counterparty) if counterparty else None
    if fiscal_year is not None and not 1900 <= fiscal_year <= 2999:
        raise BadInput(f"fiscal year {fiscal_year} is out of range; accepted: 1900 to 2999")
    graphic = chosen in ("xlsx", "pdf")
    with run.reading(db) as connection:
        report = run.make(
            name,
            connection,
            day,
            book=nation,
            counterparty=other,
            fiscal_year_wanted=fiscal_year,
            charts=graphic,
        )
    if chosen == "table" and output is None:
        from accord.cli.output import console
        from accord.reports.formats import print_table

        print_table(report, language, console())
        return
    data: bytes
    if chosen == "table":
        data = _table_text(report, language).encode()
    elif chosen == "csv":
        from accord.reports.formats import to_csv

        data = to_csv(report).encode()
    elif chosen == "json":
        from accord.reports.formats import to_json

        data = to_json(report, language).encode()
    elif chosen == "xlsx":
        from accord.reports.xlsx import to_xlsx

        data = to_xlsx(report, language)
    else:
        from accord.reports.pdf import to_pdf

        data = to_pdf(report, language)
    _write(output, data, binary=graphic)


def _table_text(report: object, lang: str) -> str:
    import io

    from rich.console import Console

    from accord.reports import formats
    from accord.reports.model import Report

    assert isinstance(report, Report)
    buffer = io.StringIO()
    formats.print_table(report, lang, Console(file=buffer, width=200, highlight=False))
    return buffer.getvalue()


@app.command("balances")
def balances(
    db: str | None = DbOption,
    as_of: str | None = AsOfOption,
    fmt: str | None = FormatOption,
    output: str | None = OutputOption,
    lang: str = LangOption,
    book: str | None = BookOption,
    counterparty: str | None = CounterpartyOption,
) -> None:
    """What each nation's books are owed and owe, per counterparty and currency or commodity."""
    _run("balances", db, as_of, fmt, output, lang, book, counterparty)


@app.command("ageing")
def ageing(
    db: str | None = DbOption,
    as_of: str | None = AsOfOption,
    fmt: str | None = FormatOption,
    output: str | None = OutputOption,
    lang: str = LangOption,
    book: str | None = BookOption,
    counterparty: str | None = CounterpartyOption,
) -> None:
    """Receivables by age: 0-90, 91-180, 181-365 and over 365 days since delivery."""
    _run("ageing", db, as_of, fmt, output, lang, book, counterparty)


@app.command(
    "overdue", short_help="Reimbursements past the 12- and 18-month clocks; items past due back."
)
def overdue(
    db: str | None = DbOption,
    as_of: str | None = AsOfOption,
    fmt: str | None = FormatOption,
    output: str | None = OutputOption,
    lang: str = LangOption,
    book: str | None = BookOption,
    counterparty: str | None = CounterpartyOption,
) -> None:
    """Reimbursements past the clocks of 10 U.S.C. 2345 (12 months; US credits offset-eligible
    after 18), and loaned or leased items past their return date."""
    _run("overdue", db, as_of, fmt, output, lang, book, counterparty)


@app.command(
    "missing", short_help="Orders missing a signature, documents, data, a bill or closure."
)
def missing(
    db: str | None = DbOption,
    as_of: str | None = AsOfOption,
    fmt: str | None = FormatOption,
    output: str | None = OutputOption,
    lang: str = LangOption,
    book: str | None = BookOption,
    counterparty: str | None = CounterpartyOption,
) -> None:
    """Orders missing a signature, documents, data, a bill or closure (GAO-20-309,
    DODIG-2016-067)."""
    _run("missing", db, as_of, fmt, output, lang, book, counterparty)


@app.command(
    "annual",
    short_help="The annual report: agreements, by category (and in US dollars), unreconciled.",
)
def annual(
    db: str | None = DbOption,
    as_of: str | None = AsOfOption,
    fmt: str | None = FormatOption,
    output: str | None = OutputOption,
    lang: str = LangOption,
    book: str | None = typer.Option(None, "--book", help="Whose report (default: USA)."),
    fiscal_year: int | None = typer.Option(
        None,
        "--fiscal-year",
        help="The fiscal year, in the book's calendar (default: the last complete one).",
    ),
) -> None:
    """The annual report of 10 U.S.C. 2342(h) as of --as-of: the agreements in force; by
    category of supply, provided and received, collected and outstanding, in each currency
    and in US dollars (missing exchange rates named); every transaction unreconciled for more
    than a year; ceiling waivers. Only what is dated on or before --as-of counts."""
    _run("annual", db, as_of, fmt, output, lang, book, None, fiscal_year)


@app.command("ceilings", short_help="The annual ceilings: used and remaining per US fiscal year.")
def ceilings(
    db: str | None = DbOption,
    as_of: str | None = AsOfOption,
    fmt: str | None = FormatOption,
    output: str | None = OutputOption,
    lang: str = LangOption,
    fiscal_year: int | None = typer.Option(None, "--fiscal-year", help="Only this US fiscal year."),
) -> None:
    """The 10 U.S.C. 2347 ceilings: used and remaining per US fiscal year."""
    _run("ceilings", db, as_of, fmt, output, lang, None, None, fiscal_year)
