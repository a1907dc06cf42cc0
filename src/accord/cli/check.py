"""`accord check support` (and, with the information agreements, `accord check release`)."""

from __future__ import annotations

import datetime as dt

import typer

from accord import vocabulary as vocab
from accord.cli.output import console, print_json

app = typer.Typer(
    help="Ask whether the agreements allow something on a date.", no_args_is_help=True
)


def on_date(value: str | None) -> dt.date:
    return vocab.parse_date(value) if value else dt.date.today()


@app.command("support")
def support(
    supplier: str = typer.Option(..., "--from", help="Supplying nation (ISO alpha-3, e.g. JPN)."),
    recipient: str = typer.Option(..., "--to", help="Receiving nation (ISO alpha-3, e.g. KOR)."),
    category: str = typer.Option(..., "--category", help="Support category, e.g. fuel."),
    situation: str = typer.Option(..., "--situation", help="Situation, e.g. exercise."),
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """May SUPPLIER's forces provide CATEGORY to RECIPIENT's forces in SITUATION on a date?"""
    from accord.agreements.decisions import SupportQuestion, decision_json
    from accord.agreements.index import load_index

    index = load_index()
    question = SupportQuestion(
        supplier=vocab.nation(supplier, index.nations),
        recipient=vocab.nation(recipient, index.nations),
        category=vocab.category(category),
        situation=vocab.situation(situation),
        on=on_date(on),
    )
    if question.supplier == question.recipient:
        raise_same_nation(question.supplier)
    decision = index.support().decide(
        question.supplier, question.recipient, question.category, question.situation, question.on
    )
    answer = decision_json(question, decision)
    if as_json:
        print_json(answer)
    else:
        show_answer(answer)


def raise_same_nation(code: str) -> None:
    from accord.errors import BadInput

    raise BadInput(f"--from and --to are both {code}; accepted: two different nations")


def show_answer(answer: dict[str, object]) -> None:
    from rich.markup import escape

    out = console()
    question = answer["question"]
    assert isinstance(question, dict)
    verdict = "[bold green]ALLOWED[/]" if answer["allowed"] else "[bold red]DENIED[/]"
    detail = "  ".join(f"{k}={v}" for k, v in question.items())
    out.print(f"{verdict}  {escape(detail)}")
    reasons = answer["reasons"]
    assert isinstance(reasons, list)
    for reason in reasons:
        out.print(f"  [bold]{reason['code']}[/]  {escape(reason['message'])}")
        if reason["agreement"]:
            clause = f" {reason['clause']}" if reason["clause"] else ""
            out.print(f"    [dim]agreement[/] {reason['agreement']}{escape(clause)}")
        for source in reason["sources"]:
            out.print(f"    [dim]source[/] {escape(source)}", soft_wrap=True)
    for route in answer.get("routes") or []:  # type: ignore[attr-defined]
        out.print(f"  route: {' → '.join(route)}")


@app.command("release")
def release(
    holder: str = typer.Option(..., "--from", help="Nation holding the information (e.g. KOR)."),
    recipient: str = typer.Option(..., "--to", help="Receiving nation (e.g. JPN)."),
    level: str = typer.Option(
        ..., "--level", help="top-secret, secret, confidential, or a marking such as KOR-II."
    ),
    topic: str = typer.Option(..., "--topic", help="nk-nuclear, nk-missile or other."),
    originator: str | None = typer.Option(
        None, "--originator", help="Nation whose information it is (default: --from)."
    ),
    consent: bool = typer.Option(
        False, "--originator-consent", help="The originator's prior written consent is on record."
    ),
    on: str | None = typer.Option(None, "--on", help="Date YYYY-MM-DD (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """May HOLDER pass classified information at LEVEL on TOPIC to RECIPIENT on a date?"""
    from accord.sharing.questions import release_question
    from accord.sharing.release import release_json

    index, question = release_question(
        holder, recipient, level, topic, originator, consent, on_date(on)
    )
    decision = index.release.decide(
        question.holder,
        question.recipient,
        question.level,
        question.topic,
        question.originator,
        question.consent,
        question.on,
    )
    answer = release_json(question, decision)
    if as_json:
        print_json(answer)
    else:
        show_answer(answer)
        if answer["marking"]:
            console().print(f"  {question.recipient} marks it: {answer['marking']}")
        for markings in answer["route_markings"]:  # type: ignore[attr-defined]
            console().print(f"  markings on the route: {' → '.join(m or '?' for m in markings)}")
