"""`accord orders convert` through the real command: replacement in kind still owed after the
12 months of 10 U.S.C. 2345(b) converted to cash (DoD policy, unverified), retried with the
same key, settled in cash; one-line errors, exit 2 for bad input and 1 for a refusal, with
nothing written; `ledger verify` and the overdue report after it."""

from __future__ import annotations

import json

from test_orders_cli import Cli, cli, counts  # noqa: F401

RIK_ORDER = """\
requester: {nation: USA, unit: 3d Marine Logistics Group}
supplier: {nation: JPN, unit: JGSDF Western Army}
situation: exercise
transaction_type: sale
reimbursement: rik
order_date: 2024-05-01
date_required: 2024-05-10
delivery_place: Camp Hansen, Okinawa
lines:
  - {category: food, description: field rations, quantity: 500, unit: ML, unit_price: "12.50", currency: USD}
  - {category: fuel, description: JP-8, quantity: 20000, unit: LI, unit_price: "0.85", currency: USD}
"""


def delivered(cli: Cli, file: str = "order.yaml") -> str:  # noqa: F811
    number = cli.json("orders", "propose", file, "--on", "2024-05-01")["order"]["number"]
    cli("orders", "sign", number, "--as", "us-coord", "--on", "2024-05-02")
    cli("orders", "sign", number, "--as", "jp-chief", "--on", "2024-05-02")
    cli("orders", "deliver", number, "--all", "--on", "2024-05-10")
    return str(number)


def test_convert_then_settle_in_cash(cli: Cli) -> None:  # noqa: F811
    (cli.tmp / "rik.yaml").write_text(RIK_ORDER, encoding="utf-8")
    number = delivered(cli, "rik.yaml")
    shown = cli("orders", "show", number, "--as-of", "2025-05-11").stdout
    assert "may be converted to cash" in shown and "unverified" in shown

    before = counts(cli)
    early = cli("orders", "convert", number, "--on", "2025-05-10", code=1)
    assert "before 2025-05-11" in early.stderr and "10 U.S.C. 2345(b)" in early.stderr
    assert counts(cli) == before

    args = ("orders", "convert", number, "--on", "2025-05-11", "--idempotency-key", "conv-1")
    done = cli.json(*args)
    assert done["order"]["status"] == "billed"
    assert done["order"]["outstanding"]["money"] == {"USD": 500 * 1250 + 20000 * 85}
    assert done["conversion"]["lines"][1]["value"] == 20000 * 85
    again = cli(*args).stdout
    assert "already done" in again and "$23,250.00" in again

    overdue = json.loads(
        cli("reports", "overdue", "--as-of", "2025-05-20", "--format", "json").stdout
    )
    (row,) = [r for r in overdue["rows"] if r["order"] == number]
    assert row["obligation"] == "cash" and row["outstanding"] == "23250.00"
    assert "converted to cash from rik on 2025-05-11" in row["rule"]

    settled = cli.json("orders", "settle", number, "cash", "--full", "--on", "2025-06-01")
    assert settled["order"]["status"] == "settled"
    cli("orders", "close", number, "--on", "2025-06-02")
    report = cli.json("ledger", "verify")
    assert report["balanced"] is True and report["audit_chain"] == "ok"
    assert report["orders_match_events"] is True


def test_convert_bad_input_exits_2_and_writes_nothing(cli: Cli) -> None:  # noqa: F811
    cash_order = delivered(cli)  # order.yaml is reimbursed in cash
    before = counts(cli)
    refused = cli("orders", "convert", cash_order, "--on", "2025-06-01", code=2)
    assert "reimbursed in cash" in refused.stderr
    malformed = cli("orders", "convert", cash_order, "--on", "2025-13-01", code=2)
    assert "--on" in malformed.stderr
    unknown = cli("orders", "convert", "USA-2024-999999", "--on", "2025-06-01", code=2)
    assert "USA-2024-999999" in unknown.stderr
    assert counts(cli) == before
