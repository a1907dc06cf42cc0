"""`accord labels translate|sign|verify|show`: classification equivalents, and STANAG 4774-style
labels bound to their content by an Ed25519 signature (in the spirit of STANAG 4778)."""

from __future__ import annotations

import typer

from accord import vocabulary as vocab
from accord.cli.check import on_date
from accord.cli.output import console, print_json
from accord.errors import BadInput

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


_ = vocab  # the vocabulary's parsers are used by the commands added with labels
