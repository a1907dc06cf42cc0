"""`accord agreements list|show|network|validate|export`."""

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
    from accord.agreements.catalog import Network
    from accord.agreements.loader import AgreementSet
    from accord.agreements.schema import Agreement

app = typer.Typer(help="Browse, draw, validate and export the agreements.", no_args_is_help=True)


class NetworkFormat(StrEnum):
    text = "text"
    json = "json"
    dot = "dot"
    svg = "svg"


class ExportFormat(StrEnum):
    cedar = "cedar"


def _load() -> AgreementSet:
    from accord.agreements.loader import load

    return load()


@app.command("list")
def list_agreements(
    on: str | None = typer.Option(None, "--on", help="Status on this date (default: today)."),
    party: str | None = typer.Option(None, "--party", help="Only agreements with this nation."),
    kind: str | None = typer.Option(None, "--kind", help="acsa, gsomia, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """The agreements, with their dates and their status on a date."""
    from accord.agreements.catalog import select, summary

    day = on_date(on)
    nation = vocab.nation(party) if party else None
    chosen_kind = vocab.agreement_kind(kind) if kind else None
    rows = [summary(a, day) for a in select(_load().agreements, day, nation, chosen_kind)]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"Agreements — status on {day.isoformat()}", title_justify="left")
    # Provisional application and notification dates are rare: their columns are shown only
    # when a listed agreement has one.
    dates = ["signed", "provisionally_applied", "in_force", "ended", "notified"]
    dates = [d for d in dates if d in ("signed", "in_force", "ended") or any(r[d] for r in rows)]
    headings = {"provisionally_applied": "provisionally applied", "in_force": "in force"}
    for column in ("id", "kind", "parties", *(headings.get(d, d) for d in dates), "status"):
        table.add_column(column)
    colours = {
        "in-force": "green",
        "provisionally-applied": "cyan",
        "signed": "yellow",
        "ended": "dim",
        "not-yet-signed": "dim",
    }
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["kind"]),
            "–".join(row["parties"]),  # type: ignore[arg-type]
            *(str(row[d] or "") for d in dates),
            f"[{colours[str(row['status'])]}]{row['status']}[/]",
        )
    console().print(table)
    console().print(f"{len(rows)} agreement(s)")


@app.command("show")
def show(
    agreement_id: str = typer.Argument(
        ..., metavar="ID", help="Agreement id, e.g. jpn-usa-acsa-2016."
    ),
    on: str | None = typer.Option(None, "--on", help="Status on this date (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """One agreement in full: dates, events, versions, clauses, exclusions and sources."""
    from accord.agreements.catalog import summary

    agreements = _load().by_id()
    agreement = agreements.get(agreement_id.strip().lower())
    if agreement is None:
        raise BadInput(
            f"unknown agreement {agreement_id!r}; accepted: an id from `accord agreements list`, "
            f"e.g. {', '.join(sorted(agreements)[:3])}"
        )
    day = on_date(on)
    if as_json:
        print_json(
            {**agreement.model_dump(mode="json"), "status": summary(agreement, day)["status"]}
        )
        return
    _show_text(agreement, summary(agreement, day))


def _show_text(agreement: Agreement, row: dict[str, object]) -> None:
    from rich.markup import escape

    out = console()
    out.print(f"[bold]{escape(agreement.short_title)}[/]  ({agreement.id}, {agreement.kind})")
    out.print(escape(agreement.title.strip()))
    applied = agreement.provisionally_applied
    out.print(
        f"parties {'–'.join(agreement.parties)}  signed {agreement.signed or '?'}  "
        + (f"provisionally applied {applied}  " if applied else "")
        + f"in force {agreement.in_force or '—'}  ended {row['ended'] or '—'}  "
        + f"status {row['status']}"
    )
    if agreement.notified:
        out.print(f"notified {agreement.notified}")
    for field, note in agreement.uncertain.items():
        out.print(f"[yellow]uncertain {field}[/]: {escape(note.strip())}")
    for event in agreement.events:
        extra = f" (takes effect {event.takes_effect})" if event.takes_effect else ""
        out.print(f"event {event.date} {event.kind}{extra} {escape(event.summary or '')}")
    for version in agreement.versions:
        out.print(
            f"\n[bold]version {version.id}[/] effective {version.effective}: {escape(version.title)}"
        )
        for clause in version.clauses:
            out.print(
                f"  [green]{escape(clause.article)}[/] situations: {', '.join(clause.situations)}"
            )
            out.print(f"    categories: {', '.join(clause.categories)}")
            for source in clause.sources:
                out.print(f"    [dim]source[/] {escape(source.url)}", soft_wrap=True)
        for exclusion in version.exclusions:
            who = exclusion.supplier or "either party"
            where = ", ".join(exclusion.situations) if exclusion.situations else "every situation"
            out.print(
                f"  [red]{escape(exclusion.article)}[/] excludes {', '.join(exclusion.categories)} "
                f"from {who} in {where}"
            )
    out.print("\nsources:")
    for source in agreement.sources:
        out.print(
            f"  {escape(source.url)}" + (f" — {escape(source.title)}" if source.title else ""),
            soft_wrap=True,
        )


@app.command("network")
def network(
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: today)."),
    fmt: NetworkFormat = typer.Option(
        NetworkFormat.text, "--format", help="text, json, dot or svg."
    ),
) -> None:
    """The nations and the agreements in force between them on a date."""
    from accord.agreements.catalog import network as build
    from accord.agreements.catalog import to_dot, to_svg

    day = on_date(on)
    net = build(_load().agreements, day)
    if fmt is NetworkFormat.json:
        print_json(net.as_json())
    elif fmt is NetworkFormat.dot:
        sys.stdout.write(to_dot(net))
    elif fmt is NetworkFormat.svg:
        sys.stdout.write(to_svg(net))
    else:
        _network_text(net)


def _network_text(net: Network) -> None:
    from rich.table import Table

    table = Table(title=f"Agreements in force on {net.on.isoformat()}", title_justify="left")
    table.add_column("nations")
    table.add_column("kind")
    table.add_column("agreement")
    for a, b, kind, agreement in net.links:
        table.add_row(f"{a}–{b}", kind, agreement)
    console().print(table)
    linked = {frozenset((a, b)) for a, b, kind, _ in net.links if kind == "acsa"}
    triangle = (("JPN", "KOR"), ("JPN", "USA"), ("KOR", "USA"))
    for a, b in triangle:
        if frozenset((a, b)) not in linked:
            console().print(
                f"[bold red]No logistics agreement between {a} and {b}[/] on {net.on.isoformat()}."
            )


@app.command("validate")
def validate(
    paths: list[Path] = typer.Argument(..., help="Agreement files or folders to check."),
) -> None:
    """Check agreement files; print FILE:LINE: message for each problem, exit 1 if any."""
    from accord.agreements.files import agreement_files
    from accord.agreements.loader import parse_file
    from accord.errors import InvalidAgreementFile

    problems: list[str] = []
    files = agreement_files(paths)
    for path in files:
        try:
            parse_file(path)
        except InvalidAgreementFile as exc:
            problems.extend(exc.problems)
    for problem in problems:
        sys.stdout.write(problem + "\n")
    if problems:
        raise typer.Exit(1)
    sys.stdout.write(f"{len(files)} file(s) valid\n")


@app.command("export")
def export(
    fmt: ExportFormat = typer.Option(ExportFormat.cedar, "--format", help="cedar."),
    on: str | None = typer.Option(
        None, "--on", help="Only the policies that hold on this date (default: all)."
    ),
) -> None:
    """The support rule as Cedar policies with the same answers as `accord check support`."""
    from accord.agreements.cedar import export_cedar
    from accord.agreements.index import load_index

    day = vocab.parse_date(on) if on else None
    index = load_index()
    if fmt is ExportFormat.cedar:
        sys.stdout.write(export_cedar(index.agreements, index.laws, day))
