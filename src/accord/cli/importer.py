"""`accord orders import FILE`: orders in bulk from a CSV or JSON-lines file (`docs/import.md`).

Bad rows go to stderr, one line each (`FILE:LINE: order KEY: reason`); the run goes on with
the good orders and exits 1 if any row was bad. A summary goes to stdout (`--json`: one JSON
object). On a terminal a progress bar shows how much of the file is done.
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from accord.cli.orders import DbOption, JsonOption, logistics
from accord.cli.output import print_json
from accord.errors import BadInput

if TYPE_CHECKING:
    from accord.services.importer import BadRow, ImportResult, Progress


class ProgressMode(StrEnum):
    auto = "auto"
    bar = "bar"
    lines = "lines"
    none = "none"


SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def file_format(path: Path, given: str | None) -> str:
    if given:
        fmt = given.strip().lower()
        if fmt not in ("csv", "jsonl"):
            raise BadInput(f"unknown --format {given!r}; accepted: csv, jsonl")
        return fmt
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise BadInput(
            f"cannot tell the format of {str(path)!r} from its name; give --format csv or jsonl"
        )
    return found


def import_orders(
    file: Path = typer.Argument(..., help="The file: one row per order line (docs/import.md)."),
    fmt: str | None = typer.Option(
        None, "--format", help="csv or jsonl (default: from the file's suffix)."
    ),
    batch_size: int = typer.Option(
        2000,
        "--batch-size",
        min=1,
        help="Orders per transaction, at most (a crash loses at most one).",
    ),
    progress: ProgressMode = typer.Option(
        ProgressMode.auto,
        "--progress",
        help="bar (on a terminal), lines (one line per batch written), none; auto: bar on a "
        "terminal, else none.",
    ),
    parallel: bool = typer.Option(
        True,
        "--parallel/--serial",
        help="Read and prepare the orders in a second process while this one writes (Linux, "
        "two or more cores; the default there), or do everything in this one.",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Check the whole file as the import would (agreements, ceilings, signatures, "
        "numbers, what is there already) and write nothing.",
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Import orders with their lines from a CSV or JSON-lines file; a re-run adds nothing
    that is there already. Each bad row is reported with its line number; exit 1 if any."""
    from accord.services.importer import Importer

    kind = file_format(file, fmt)
    if not file.is_file():
        raise BadInput(f"no import file {str(file)!r}")
    mode = progress
    if mode is ProgressMode.auto:
        mode = ProgressMode.bar if sys.stderr.isatty() else ProgressMode.none
    started = time.perf_counter()
    with logistics(db) as service:
        importer = Importer(
            engine=service.engine,
            check=service.context.check,
            batch_size=batch_size,
            parallel=parallel,
            dry_run=dry_run,
        )
        if mode is ProgressMode.bar:
            result = _with_bar(importer, file, kind)
        else:
            result = importer.run(
                file,
                kind,
                on_bad=_to_stderr(str(file)),
                on_progress=_progress_line if mode is ProgressMode.lines else None,
            )
    elapsed = time.perf_counter() - started
    report: dict[str, Any] = {**result.as_json(), "seconds": round(elapsed, 3)}
    if as_json:
        print_json(report)
    else:
        _summary(result, elapsed)
    if result.bad_rows:
        raise typer.Exit(1)


def _to_stderr(path: str) -> Any:
    def report(bad: BadRow) -> None:
        sys.stderr.write(bad.text(path) + "\n")

    return report


def _progress_line(p: Progress) -> None:
    r = p.result
    share = 100.0 * p.bytes_read / p.bytes_total if p.bytes_total else 100.0
    sys.stdout.write(
        f"progress: {p.rows} rows ({share:.1f}% of the file); {r.imported_orders} orders "
        f"imported, {r.already_imported_orders} already there, {r.bad_rows} bad rows\n"
    )
    sys.stdout.flush()


def _with_bar(importer: Any, file: Path, kind: str) -> ImportResult:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True, highlight=False)
    size = file.stat().st_size
    with Progress(
        TextColumn("importing {task.fields[name]}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows, {task.fields[orders]:,} orders"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("import", total=size or 1, name=file.name, rows=0, orders=0)

        def on_bad(bad: BadRow) -> None:
            bar.console.print(bad.text(str(file)), markup=False, highlight=False, soft_wrap=True)

        def on_progress(p: Any) -> None:
            bar.update(
                task,
                completed=p.bytes_read,
                rows=p.rows,
                orders=p.result.imported_orders + p.result.already_imported_orders,
            )

        result: ImportResult = importer.run(file, kind, on_bad=on_bad, on_progress=on_progress)
        bar.update(task, completed=size or 1)
    return result


def _summary(result: ImportResult, elapsed: float) -> None:
    rate = result.rows / elapsed if elapsed > 0 else 0.0
    done = "would import" if result.dry_run else "imported"
    typer.echo(
        f"{done} {result.imported_orders:,} orders ({result.imported_lines:,} lines) from "
        f"{result.rows:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)"
    )
    if result.already_imported_orders:
        typer.echo(
            f"  already imported, left as they were: {result.already_imported_orders:,} orders "
            f"({result.already_imported_lines:,} lines)"
        )
    if result.by_status:
        typer.echo(
            "  by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result.by_status.items()))
        )
    if result.postings:
        typer.echo(f"  events {result.events:,}, postings {result.postings:,}")
    if result.bad_rows:
        typer.echo(
            f"  {result.bad_rows:,} bad rows (on stderr); {result.orders_not_imported:,} orders "
            "not imported"
        )
    if result.dry_run:
        typer.echo("  --dry-run: nothing was written")
