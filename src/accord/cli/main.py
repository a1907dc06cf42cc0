"""The `accord` command. Each command group lives in its own module and registers here.

Errors never reach the user as a traceback: Accord's own errors and the command-line parser's
usage errors become one line on stderr, exit 2 for bad input (see `report_error`).
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from accord.cli import agreements, check, storage
from accord.cli import demo as demo_cli
from accord.cli import export as export_cli
from accord.cli import importer as importer_cli
from accord.cli import labels as labels_cli
from accord.cli import ledger as ledger_cli
from accord.cli import officials as officials_cli
from accord.cli import orders as orders_cli
from accord.cli import releases as releases_cli
from accord.cli import reports as reports_cli
from accord.errors import AccordError, InvalidAgreementFile

app = typer.Typer(
    name="accord",
    help="Allied mutual-support agreements as code: decisions with their clauses and sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(check.app, name="check")
app.add_typer(agreements.app, name="agreements")
app.add_typer(labels_cli.app, name="labels")
app.add_typer(releases_cli.app, name="releases")
app.command("init")(storage.init)
app.command("demo")(demo_cli.demo)
app.add_typer(orders_cli.app, name="orders")
orders_cli.app.command("import")(importer_cli.import_orders)
app.add_typer(ledger_cli.app, name="ledger")
app.add_typer(officials_cli.app, name="officials")
app.add_typer(reports_cli.app, name="reports")
app.add_typer(export_cli.app, name="export")


def report_error(message: str) -> None:
    sys.stderr.write(f"accord: {message}\n")


def undecodable(argv: list[str]) -> str | None:
    """The first argument that is not UTF-8 text, described. Python hands over the bytes it
    cannot decode as lone surrogates, which no database, file or signature can hold."""
    for position, argument in enumerate(argv, start=1):
        try:
            argument.encode()
        except UnicodeEncodeError as exc:
            raw = argument.encode("utf-8", "surrogateescape")
            shown = raw.decode("utf-8", "backslashreplace")
            return f"argument {position} ('{shown}') is not UTF-8 text at character {exc.start + 1}"
    return None


def main(argv: list[str] | None = None) -> int:
    command = typer.main.get_command(app)
    bad = undecodable(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        report_error(f"{bad}; accepted: arguments in UTF-8")
        return 2
    try:
        result = command.main(args=argv, prog_name="accord", standalone_mode=False)
    except InvalidAgreementFile as exc:
        for problem in exc.problems:
            report_error(problem)
        return exc.exit_status
    except AccordError as exc:
        report_error(str(exc))
        return exc.exit_status
    except TyperException as exc:  # the parser's usage errors: a missing or unknown option
        format_message = getattr(exc, "format_message", None)
        text = format_message() if format_message else str(exc)
        report_error(" ".join(text.split()))
        return int(getattr(exc, "exit_code", 2))
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        report_error("aborted")
        return 130
    except BrokenPipeError:  # `accord ... | head`: the reader left; not an error of ours
        return 0
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())
