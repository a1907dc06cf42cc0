"""Reports from rows: pure functions (no database, no clock), each the one place where its
report's shape is decided. `run` feeds them from `queries`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from accord.logistics import money
from accord.logistics.ledger import is_currency_ledger
from accord.reports import rules
from accord.reports.model import (
    AMOUNT,
    BOOL,
    CATEGORY,
    CENTS_USD,
    DATE,
    INT,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Report,
    Section,
    Series,
)


def balances(rows: list[dict[str, Any]], as_of: dt.date, **params: Any) -> Report:
    columns = (
        Column("book"),
        Column("counterparty"),
        Column("ledger"),
        Column("receivable", AMOUNT),
        Column("payable", AMOUNT),
        Column("net", AMOUNT),
    )
    return Report(
        "balances",
        as_of,
        [Section("balances", columns, rows)],
        params=params,
        notes=[
            "What each nation's books are owed (receivable) and owe (payable) to each "
            "counterparty on the date: delivered or billed, not yet settled in cash, in kind "
            "or by exchange. Each obligation is in both books: the supplier's receivable is "
            "the requester's payable. In-kind obligations are quantities of their commodity."
        ],
    )


def ageing(rows: list[dict[str, Any]], as_of: dt.date, **params: Any) -> Report:
    columns = (
        Column("creditor"),
        Column("debtor"),
        Column("ledger"),
        *(Column(k, AMOUNT) for k in rules.BUCKET_KEYS),
        Column("total", AMOUNT),
        Column("orders", INT),
    )
    report = Report(
        "ageing",
        as_of,
        [Section("ageing", columns, rows)],
        params=params,
        notes=[
            "Receivables by days since the first delivery of what is owed (when the liability "
            "accrues and the 12-month clock of 10 U.S.C. 2345 starts): 0–90, 91–180, "
            "181–365 and over 365 days. Over 365 days is past the 12 months of 10 U.S.C. "
            "2345(a) and (b)."
        ],
    )
    report.charts.extend(ageing_charts(rows))
    return report


def ageing_charts(rows: Sequence[dict[str, Any]], limit: int = 4) -> list[Chart]:
    """One stacked bar chart per currency (the largest first): a bar per creditor and
    debtor, a segment per bucket."""
    by_ledger: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if is_currency_ledger(row["ledger"]):
            by_ledger[row["ledger"]].append(row)
    charts = []
    for ledger, group in sorted(by_ledger.items(), key=lambda kv: -len(kv[1]))[:limit]:
        x = tuple(f"{r['debtor']}→{r['creditor']}" for r in group)
        series = tuple(
            Series(key, tuple(_major(r[key], ledger) for r in group)) for key in rules.BUCKET_KEYS
        )
        charts.append(Chart("ageing-chart", "stacked-bar", ledger, x, series))
    return charts


def history_charts(
    ends: Sequence[dt.date], series: dict[tuple[str, str, str], list[int]], limit: int = 4
) -> list[Chart]:
    """Receivables at each month-end: a line per creditor and debtor, a chart per currency."""
    by_ledger: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    for (creditor, debtor, ledger), values in series.items():
        if is_currency_ledger(ledger):
            by_ledger[ledger].append((f"{debtor}→{creditor}", values))
    charts = []
    x = tuple(d.isoformat() for d in ends)
    for ledger, lines in sorted(by_ledger.items(), key=lambda kv: -len(kv[1]))[:limit]:
        charts.append(
            Chart(
                "balances-over-time",
                "line",
                ledger,
                x,
                tuple(Series(name, tuple(_major(v, ledger) for v in vals)) for name, vals in lines),
            )
        )
    return charts


def overdue(obligations: Iterable[rules.Obligation], as_of: dt.date, **params: Any) -> Report:
    rows: list[dict[str, Any]] = []
    for ob in obligations:
        found = rules.overdue(ob, as_of)
        if found is None:
            continue
        rows.append(
            {
                "order": ob.number,
                "supplier": ob.supplier,
                "requester": ob.requester,
                "agreement": ob.agreement,
                "obligation": rules.OBLIGATION[ob.kind],
                "first_delivery": ob.first_delivery,
                "due": found.due,
                "days_overdue": found.days_overdue,
                "ledger": ob.ledger,
                "outstanding": ob.outstanding,
                "offset_eligible": found.offset_eligible,
                "rule": found.rule,
            }
        )
    rows.sort(key=lambda r: (-r["days_overdue"], r["order"], r["ledger"]))
    columns = (
        Column("order"),
        Column("supplier"),
        Column("requester"),
        Column("agreement"),
        Column("obligation"),
        Column("first_delivery", DATE),
        Column("due", DATE),
        Column("days_overdue", INT),
        Column("ledger"),
        Column("outstanding", AMOUNT),
        Column("offset_eligible", BOOL),
        Column("rule"),
    )
    return Report(
        "overdue",
        as_of,
        [Section("overdue", columns, rows)],
        params=params,
        notes=[
            "10 U.S.C. 2345(a): cash credits and liabilities are liquidated at least every 12 "
            "months (counted from the first delivery). 10 U.S.C. 2345(b): replacement in kind "
            "and equal-value exchange within 12 months after delivery. 10 U.S.C. 2345(c): US "
            "credits unliquidated more than 18 months after delivery may be offset against "
            "amounts owed to the same government (flagged here, never offset by Accord). "
            "10 U.S.C. 2350(4): loaned and leased items are due back on the order's return date."
        ],
    )


def missing(facts: Iterable[rules.OrderFacts], as_of: dt.date, **params: Any) -> Report:
    rows = []
    for f in facts:
        for issue in rules.missing(f, as_of):
            rows.append(
                {
                    "order": f.number,
                    "status": f.status,
                    "supplier": f.supplier,
                    "requester": f.requester,
                    "order_date": f.order_date,
                    "issue": issue.code,
                    "detail": issue.detail,
                    "source": issue.source,
                }
            )
    rows.sort(key=lambda r: (r["order_date"], r["order"]))
    columns = (
        Column("order"),
        Column("status"),
        Column("supplier"),
        Column("requester"),
        Column("order_date", DATE),
        Column("issue"),
        Column("detail"),
        Column("source"),
    )
    return Report(
        "missing",
        as_of,
        [Section("missing", columns, rows)],
        params=params,
        notes=[
            "The failures the audits found (DODIG-2016-067, GAO-20-309): orders without both "
            "parties' signatures (no binding commitment), order lines without supporting "
            "documents, deliveries without a receipt, supplies without an NSN, deliveries "
            f"not billed within {rules.BILLING_DAYS} days, and settled orders left open."
        ],
    )


def annual(
    lines: Iterable[dict[str, Any]],
    obligations: Iterable[rules.Obligation],
    waiver_rows: list[dict[str, Any]],
    as_of: dt.date,
    book: str,
    fiscal_year: int,
    first: dt.date,
    last: dt.date,
) -> Report:
    # By category of supply: value delivered, collected (or paid) and outstanding.
    per_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in lines:
        per_order[item["order_id"]].append(item)
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for group in per_order.values():
        head = group[0]
        values = [rules.LineValue(g["category"], g["currency"], g["value"]) for g in group]
        for line, settled, outstanding in rules.settle_lines(
            values, head["collected"], head["owes_money"]
        ):
            key = (head["direction"], line.category, line.currency)
            totals[key][0] += line.value
            totals[key][1] += settled
            totals[key][2] += outstanding
    category_rows = [
        {
            "direction": direction,
            "category": category,
            "ledger": ccy,
            "value": v[0],
            "settled": v[1],
            "outstanding": v[2],
        }
        for (direction, category, ccy), v in sorted(
            totals.items(), key=lambda kv: (kv[0][0] != "provided", kv[0][1], kv[0][2])
        )
        if any(v)
    ]
    # Every transaction unreconciled more than a year after it occurred.
    open_rows = []
    for ob in obligations:
        if book not in (ob.supplier, ob.requester):
            continue
        if not rules.unreconciled(ob.first_delivery, as_of):
            continue
        open_rows.append(
            {
                "order": ob.number,
                "date": ob.first_delivery,
                "direction": "provided" if ob.supplier == book else "received",
                "counterparty": ob.requester if ob.supplier == book else ob.supplier,
                "ledger": ob.ledger,
                "outstanding": ob.outstanding,
            }
        )
    open_rows.sort(key=lambda r: (r["date"], r["order"], r["ledger"]))
    return Report(
        "annual",
        as_of,
        [
            Section(
                "by-category",
                (
                    Column("direction"),
                    Column("category", CATEGORY),
                    Column("ledger"),
                    Column("value", AMOUNT),
                    Column("settled", AMOUNT),
                    Column("outstanding", AMOUNT),
                ),
                category_rows,
                note="10 U.S.C. 2342(h): by class of supply, the total value of the support "
                "provided and received, the amount collected, and the outstanding balance. "
                f"Orders count in the fiscal year of their first delivery ({first} to {last}); "
                "what an order collected is shared among its lines in proportion to value.",
            ),
            Section(
                "unreconciled",
                (
                    Column("order"),
                    Column("date", DATE),
                    Column("direction"),
                    Column("counterparty"),
                    Column("ledger"),
                    Column("outstanding", AMOUNT),
                ),
                open_rows,
                note="10 U.S.C. 2342(h): every transaction not reconciled more than one year "
                f"after it occurred (first delivery), with its date, counterparty and value, on {as_of}.",
            ),
            Section(
                "waivers",
                (
                    Column("situation"),
                    Column("waiver"),
                    Column("ledger"),
                    Column("orders", INT),
                    Column("value", AMOUNT),
                ),
                waiver_rows,
                note="10 U.S.C. 2342(h)(6), 2347(c): orders bound in the fiscal year under a "
                "waiver of the ceilings (contingency, humanitarian or disaster assistance, UN "
                "peacekeeping).",
            ),
        ],
        params={"book": book, "fiscal_year": fiscal_year, "from": first, "to": last},
    )


def ceilings(rows: list[dict[str, Any]], as_of: dt.date, **params: Any) -> Report:
    for row in rows:
        row["percent_used"] = (
            (Decimal(row["used"]) * 100 / Decimal(row["limit"])).quantize(Decimal("0.1"))
            if row["limit"]
            else Decimal(0)
        )
    columns = (
        Column("fiscal_year"),
        Column("group"),
        Column("direction"),
        Column("scope"),
        Column("used", CENTS_USD),
        Column("limit", CENTS_USD),
        Column("remaining", CENTS_USD),
        Column("percent_used", PERCENT),
    )
    report = Report(
        "ceilings",
        as_of,
        [Section("ceilings", columns, rows)],
        params=params,
        notes=[
            "10 U.S.C. 2347: per US fiscal year, NATO group (§2347(a)) liabilities $200M "
            "(supplies $50M) and credits $150M; others (§2347(b)) liabilities $60M (supplies "
            "$20M) and credits $75M; counted gross, before offsets, when an order binds; fuel "
            "excluded (§2347(d)); waived for contingency, humanitarian and UN peacekeeping "
            "operations (§2347(c))."
        ],
    )
    if rows:
        latest = max(r["fiscal_year"] for r in rows)
        mine = [r for r in rows if r["fiscal_year"] == latest]
        x = tuple(f"{r['group']} {r['direction']} {r['scope']}" for r in mine)
        report.charts.append(
            Chart(
                "ceilings-chart",
                "bar",
                f"USD (FY{latest})",
                x,
                (
                    Series("used", tuple(r["used"] / 100 for r in mine)),
                    Series("remaining", tuple(r["remaining"] / 100 for r in mine)),
                ),
            )
        )
    return report


def _major(amount: int, ledger: str) -> float:
    """For drawing only."""
    if is_currency_ledger(ledger):
        return float(money.to_major(amount, ledger))
    return float(amount)


__all__ = ["BOOL", "CATEGORY", "DATE", "INT", "PERCENT", "TEXT"]
