"""Reports from rows: pure functions (no database, no clock), each the one place where its
report's shape is decided. `run` feeds them from `queries`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accord.agreements.compiled import NEVER, CompiledAgreement
from accord.logistics import money
from accord.logistics.ledger import is_currency_ledger
from accord.logistics.rates import ExchangeRate
from accord.reports import rules, usd
from accord.reports.model import (
    AMOUNT,
    BOOL,
    CATEGORY,
    CENTS_USD,
    DATE,
    INT,
    PERCENT,
    TEXT,
    WHY,
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
                # cash converted from RIK/EVE: the delivery it converts (the rule names the
                # day of the conversion)
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
            "and equal-value exchange within 12 months after delivery; what is still owed after "
            "them may be converted to cash (DoD policy, DoDD 2010.09 / DoD FMR Vol. 11A Ch. 8, "
            "unverified: the statute does not say), and cash so converted is overdue from the "
            "day of its conversion. 10 U.S.C. 2345(c): US "
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


SUPPORT_KINDS = ("acsa", "implementing-arrangement")
ALL_CATEGORIES = "all"


@dataclass(frozen=True, slots=True)
class AnnualInput:
    """What the annual report of `book` for `fiscal_year` ([first, last]) is made of."""

    book: str
    fiscal_year: int
    first: dt.date
    last: dt.date
    orders: Iterable[rules.OrderRecord]  # with their value events to the report's date; read once
    obligations: Sequence[rules.Obligation]  # what is owed on the report's date
    terms: Mapping[str, rules.OrderRecord]  # the orders of those obligations, by id
    waivers: Sequence[dict[str, Any]]  # one row per order (queries.waivers)
    agreements: Sequence[CompiledAgreement]
    rates: Sequence[ExchangeRate]


def annual(data: AnnualInput, as_of: dt.date) -> Report:
    """The annual report of 10 U.S.C. 2342(h) on `as_of`: the agreements, by category of
    supply the value provided and received with what was collected and what is outstanding
    (in each currency and in US dollars), every transaction unreconciled for more than a year,
    the ceiling waivers used, and the exchange rates the dollar figures lack."""
    book, first, last = data.book, data.first, data.last
    dollars = usd.Dollars(data.rates)
    category_rows = _annual_categories(data, as_of, dollars)
    totals_rows = _annual_totals(category_rows)
    open_rows = _annual_unreconciled(data, as_of, dollars)
    waiver_rows = _annual_waivers(data.waivers, dollars)
    missing_rows = [
        {"currency": ccy, "date": day, "agreement": agreement or "", "orders": len(orders)}
        for (ccy, day, agreement), orders in sorted(
            dollars.missing.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")
        )
    ]
    interim = (
        f" The fiscal year is not over on {as_of}: the figures are those of that day."
        if as_of < last
        else ""
    )
    notes = [
        "US dollar figures: each order at the exchange rate for the day it bound (both "
        "signatures), as the 10 U.S.C. 2347 ceilings count it: the agreement's own fixed rate "
        "first, then a daily rate for the day, then a fixed rate covering it. A figure without "
        "a rate is left blank (never zero) and the rate is listed as missing; a total that "
        "needs it is blank too."
    ]
    if missing_rows:
        notes.append(
            f"{len(missing_rows)} exchange rate(s) missing: the US dollar figures that need "
            "them are not given. Add them with `accord ledger rates add` and run the report "
            "again."
        )
    report = Report(
        "annual",
        as_of,
        [
            Section(
                "agreements",
                (
                    Column("agreement"),
                    Column("title"),
                    Column("counterparty"),
                    Column("kind"),
                    Column("signed", DATE),
                    Column("notified", DATE),
                    Column("provisionally_applied", DATE),
                    Column("in_force", DATE),
                    Column("ended", DATE),
                    Column("agreement_status"),
                ),
                _annual_agreements(data, as_of),
                note="10 U.S.C. 2342(h): the agreements in force or provisionally applied, with "
                "their dates of signature and notification. The cross-servicing agreements and "
                f"implementing arrangements of {book} in force or provisionally applied on "
                f"{as_of}, and those in force or provisionally applied at any time of the fiscal "
                "year until then (status on the report's date), from Accord's agreement files; "
                "a date the files do not give is left blank.",
            ),
            Section(
                "by-category",
                (
                    Column("direction"),
                    Column("category", CATEGORY),
                    Column("ledger"),
                    Column("value", AMOUNT),
                    Column("settled", AMOUNT),
                    Column("outstanding", AMOUNT),
                    Column("value_usd", CENTS_USD),
                    Column("settled_usd", CENTS_USD),
                    Column("outstanding_usd", CENTS_USD),
                ),
                category_rows,
                note="10 U.S.C. 2342(h): by class of supply, the total value of the support "
                "provided and received, the amount collected, and the outstanding balance. "
                f"Orders count in the fiscal year of their first delivery ({first} to {last}); "
                f"deliveries, settlements and reversals count when dated on or before {as_of}; "
                "what an order collected is shared among its lines in proportion to value."
                + interim,
            ),
            Section(
                "totals-usd",
                (
                    Column("direction"),
                    Column("category", CATEGORY),
                    Column("value_usd", CENTS_USD),
                    Column("settled_usd", CENTS_USD),
                    Column("outstanding_usd", CENTS_USD),
                ),
                totals_rows,
                note="The figures above in US dollars, all currencies together, by category "
                "and for all categories.",
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
                    Column("currency"),
                    Column("value", AMOUNT, ledger_key="currency"),
                    Column("value_usd", CENTS_USD),
                ),
                open_rows,
                note="10 U.S.C. 2342(h): every transaction not reconciled more than one year "
                f"after it occurred (first delivery), with its date, counterparty and value, on "
                f"{as_of}. What is owed in kind is valued at the order's price.",
            ),
            Section(
                "waivers",
                (
                    Column("situation"),
                    Column("waiver"),
                    Column("ledger"),
                    Column("orders", INT),
                    Column("value", AMOUNT),
                    Column("value_usd", CENTS_USD),
                ),
                waiver_rows,
                note="10 U.S.C. 2342(h)(6), 2347(c): orders bound in the fiscal year (until "
                f"{as_of}) under a waiver of the ceilings (contingency, humanitarian or disaster "
                "assistance, UN peacekeeping).",
            ),
            Section(
                "missing-rates",
                (
                    Column("currency"),
                    Column("date", DATE),
                    Column("agreement"),
                    Column("orders", INT),
                ),
                missing_rows,
                note="The exchange rates to US dollars Accord lacks for the figures above: "
                "`accord ledger rates add --base CURRENCY --quote USD --rate RATE --on DATE` "
                "(or --from and --to for a fixed rate; --agreement for an agreement's own).",
            ),
        ],
        params={"book": book, "fiscal_year": data.fiscal_year, "from": first, "to": last},
        notes=notes,
    )
    report.charts.extend(annual_charts(totals_rows))
    return report


def _annual_agreements(data: AnnualInput, as_of: dt.date) -> list[dict[str, Any]]:
    day = as_of.toordinal()
    since, until = data.first.toordinal(), min(data.last, as_of).toordinal()
    rows = []
    for a in data.agreements:
        if data.book not in a.parties or a.kind not in SUPPORT_KINDS:
            continue
        status = a.status(day)
        # In force or provisionally applied on some day of the year until the report's date.
        start = a.applied_from
        in_year = start is not None and start <= until and a.end > since
        if not a.applies(day) and not in_year:
            continue
        rows.append(
            {
                "agreement": a.id,
                "title": a.short_title,
                "counterparty": ", ".join(sorted(a.parties - {data.book})),
                "kind": a.kind,
                "signed": _day(a.signed),
                "notified": _day(a.notified),
                "provisionally_applied": _day(a.provisionally_applied),
                "in_force": _day(a.in_force),
                "ended": _day(a.end) if status == "ended" else None,
                "agreement_status": status,
            }
        )
    rows.sort(
        key=lambda r: (
            r["counterparty"],
            r["provisionally_applied"] or r["in_force"] or dt.date.max,
            r["agreement"],
        )
    )
    return rows


def _day(ordinal: int | None) -> dt.date | None:
    if ordinal is None or ordinal >= NEVER:
        return None
    return dt.date.fromordinal(ordinal)


_FIGURES = ("value", "settled", "outstanding")
_USD = ("value_usd", "settled_usd", "outstanding_usd")


def _annual_categories(
    data: AnnualInput, as_of: dt.date, dollars: usd.Dollars
) -> list[dict[str, Any]]:
    """By direction, category and currency: value delivered, collected (or paid) and
    outstanding on `as_of`, of the orders first delivered in the fiscal year."""
    totals: dict[tuple[str, str, str], dict[str, int | None]] = {}
    for order in data.orders:
        state = rules.order_on(order.events, order.lines, as_of)
        if state.first_delivery is None or not data.first <= state.first_delivery <= data.last:
            continue
        direction = "provided" if order.supplier == data.book else "received"
        rate_day = order.signed_on or state.first_delivery
        values = [
            rules.LineValue(
                line.category, line.currency, state.delivered.get(line.number, 0) * line.unit_price
            )
            for line in order.lines
        ]
        for line, settled, outstanding in rules.settle_lines(
            values, state.collected, order.owes_value
        ):
            if not (line.value or settled):
                continue
            value_usd = dollars.cents(
                line.value, line.currency, rate_day, order.agreement, order.number
            )
            settled_usd = dollars.cents(
                settled, line.currency, rate_day, order.agreement, order.number
            )
            outstanding_usd = (
                None
                if value_usd is None or settled_usd is None
                else (max(0, value_usd - settled_usd) if order.owes_value else 0)
            )
            row = totals.setdefault(
                (direction, line.category, line.currency),
                dict.fromkeys(_FIGURES + _USD, 0),
            )
            for key, part in zip(
                _FIGURES + _USD,
                (line.value, settled, outstanding, value_usd, settled_usd, outstanding_usd),
                strict=True,
            ):
                row[key] = usd.add(row[key], part)
    rows = []
    for (direction, category, ccy), figures in sorted(
        totals.items(), key=lambda kv: (kv[0][0] != "provided", kv[0][1], kv[0][2])
    ):
        if not any(figures[k] for k in _FIGURES):
            continue
        rows.append(
            _with_why(
                {"direction": direction, "category": category, "ledger": ccy, **figures}, _USD
            )
        )
    return rows


def _annual_totals(category_rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The US dollar figures by direction and category, all currencies together, and for
    all categories: unknown where a part is unknown."""
    sums: dict[tuple[str, str], dict[str, int | None]] = {}
    for row in category_rows:
        for category in (row["category"], ALL_CATEGORIES):
            total = sums.setdefault((row["direction"], category), dict.fromkeys(_USD, 0))
            for key in _USD:
                total[key] = usd.add(total[key], row[key])
    rows = []
    for (direction, category), figures in sorted(
        sums.items(),
        key=lambda kv: (kv[0][0] != "provided", kv[0][1] == ALL_CATEGORIES, kv[0][1]),
    ):
        rows.append(_with_why({"direction": direction, "category": category, **figures}, _USD))
    return rows


def _annual_unreconciled(
    data: AnnualInput, as_of: dt.date, dollars: usd.Dollars
) -> list[dict[str, Any]]:
    rows = []
    for ob in data.obligations:
        if data.book not in (ob.supplier, ob.requester):
            continue
        if not rules.unreconciled(ob, as_of):
            continue
        record = data.terms.get(ob.order_id)
        valued: tuple[str, int] | None
        if is_currency_ledger(ob.ledger):
            valued = (ob.ledger, ob.outstanding)
        else:
            valued = rules.value_of_commodity(
                ob.outstanding, ob.ledger, record.lines if record else ()
            )
        row: dict[str, Any] = {
            "order": ob.number,
            "date": ob.first_delivery,
            "direction": "provided" if ob.supplier == data.book else "received",
            "counterparty": ob.requester if ob.supplier == data.book else ob.supplier,
            "ledger": ob.ledger,
            "outstanding": ob.outstanding,
            "currency": valued[0] if valued else None,
            "value": valued[1] if valued else None,
            "value_usd": None,
        }
        if valued is None:
            row[WHY] = dict.fromkeys(("currency", "value", "value_usd"), "not-valued")
        else:
            rate_day = (record.signed_on if record else None) or ob.first_delivery
            row["value_usd"] = dollars.cents(
                valued[1], valued[0], rate_day, ob.agreement, ob.number
            )
            _with_why(row, ("value_usd",))
        rows.append(row)
    rows.sort(key=lambda r: (r["date"], r["order"], r["ledger"]))
    return rows


def _annual_waivers(orders: Iterable[dict[str, Any]], dollars: usd.Dollars) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for order in orders:
        for ccy, amount in sorted(order["totals"].items()):
            row = out.setdefault(
                (order["situation"], ccy),
                {
                    "situation": order["situation"],
                    "waiver": order["waiver"],
                    "ledger": ccy,
                    "orders": 0,
                    "value": 0,
                    "value_usd": 0,
                },
            )
            row["orders"] += 1
            row["value"] += amount
            row["value_usd"] = usd.add(
                row["value_usd"],
                dollars.cents(amount, ccy, order["signed_on"], order["agreement"], order["number"]),
            )
    return [_with_why(out[k], ("value_usd",)) for k in sorted(out)]


def _with_why(row: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Name the reason for each US dollar figure the row lacks (no exchange rate)."""
    lacking = {k: "no-rate" for k in keys if row.get(k) is None}
    if lacking:
        row[WHY] = {**row.get(WHY, {}), **lacking}
    return row


def annual_charts(totals_rows: Sequence[dict[str, Any]]) -> list[Chart]:
    """For support provided and for support received, each category's value in US dollars
    split into what was collected and what is outstanding (a category without a dollar
    figure is left out, and the chart says so)."""
    charts = []
    for direction in ("provided", "received"):
        shown = [
            r
            for r in totals_rows
            if r["direction"] == direction and r["category"] != ALL_CATEGORIES
        ]
        complete = [
            r for r in shown if r["settled_usd"] is not None and r["outstanding_usd"] is not None
        ]
        if not shown:
            continue
        charts.append(
            Chart(
                f"annual-usd-{direction}",
                "stacked-bar",
                "USD",
                tuple(r["category"] for r in complete),
                (
                    Series("settled", tuple(r["settled_usd"] / 100 for r in complete)),
                    Series("outstanding", tuple(r["outstanding_usd"] / 100 for r in complete)),
                ),
                x_kind="category",
                note="chart-incomplete" if len(complete) < len(shown) else None,
            )
        )
    return charts


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
