"""The ledger against a simple in-memory model: a seeded random workload of orders,
deliveries, bills, settlements and reversals, on SQLite and PostgreSQL; after every step the
balances in the database equal the model's, and balances as of past dates equal the model's
then. The model knows nothing of postings: it keeps what was delivered, billed and settled,
and says what each account must hold."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from test_orders_support import D, add_signer, books, request  # noqa: F401

from accord.logistics import rates
from accord.services import ids
from accord.services.logistics import Logistics

Key = tuple[str, str, str, str, str]
AGR = "jpn-usa-acsa-2016"


@dataclass
class ModelOrder:
    ref: str
    method: str
    lines: list[tuple[str, int, int, str]]  # commodity, quantity, unit price, currency
    deliveries: list[tuple[str, dict[int, int], bool]] = field(default_factory=list)
    billed: dict[str, int] | None = None
    bill_id: str | None = None
    settlements: list[tuple[str, dict[str, int], dict[int, int], bool]] = field(
        default_factory=list
    )

    def delivered_qty(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for _, q, rev in self.deliveries:
            if not rev:
                for line, n in q.items():
                    out[line] += n
        return out

    def delivered_value(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for line, n in self.delivered_qty().items():
            _, _, price, ccy = self.lines[line - 1]
            out[ccy] += n * price
        return out

    def settled_money(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for _, amounts, _, rev in self.settlements:
            if not rev:
                for ccy, a in amounts.items():
                    out[ccy] += a
        return out

    def settled_qty(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for _, _, qty, rev in self.settlements:
            if not rev:
                for line, n in qty.items():
                    out[line] += n
        return out

    def balances(self) -> dict[Key, int]:
        b: dict[Key, int] = defaultdict(int)

        def both(ledger: str, s_kind: str, r_kind: str, amount: int) -> None:
            b[("JPN", "USA", AGR, s_kind, ledger)] += amount
            b[("USA", "JPN", AGR, r_kind, ledger)] -= amount

        if self.method in ("cash", "eve"):
            for ccy, value in self.delivered_value().items():
                paid = self.settled_money().get(ccy, 0)
                both(ccy, "support-provided", "support-received", -value)
                if self.method == "cash":
                    billed = (self.billed or {}).get(ccy, 0)
                    both(ccy, "unbilled-receivable", "unbilled-payable", value - billed)
                    both(ccy, "receivable", "payable", billed - paid)
                    both(ccy, "cash", "cash", paid)
                else:
                    both(ccy, "in-kind-receivable", "in-kind-payable", value - paid)
                    both(ccy, "exchange-received", "exchange-provided", paid)
        else:
            back = self.settled_qty()
            for line, n in self.delivered_qty().items():
                commodity = self.lines[line - 1][0]
                both(commodity, "support-provided", "support-received", -n)
                both(commodity, "in-kind-receivable", "in-kind-payable", n - back.get(line, 0))
                both(commodity, "returned-in-kind", "returned-in-kind", back.get(line, 0))
        return b

    def balances_open(self) -> bool:
        if self.method in ("cash", "eve"):
            paid = self.settled_money()
            return any(v - paid.get(c, 0) > 0 for c, v in self.delivered_value().items())
        back = self.settled_qty()
        return any(n - back.get(ln, 0) > 0 for ln, n in self.delivered_qty().items())

    @property
    def status(self) -> str:
        if any(not rev for *_, rev in self.settlements) or self.billed is not None:
            return "billed"
        return "delivered" if self.delivered_qty() else "signed"


def model_balances(orders: list[ModelOrder]) -> dict[Key, int]:
    total: dict[Key, int] = defaultdict(int)
    for o in orders:
        for k, v in o.balances().items():
            total[k] += v
    return {k: v for k, v in total.items() if v}


def db_balances(service: Logistics, as_of: dt.date | None = None) -> dict[Key, int]:
    return {
        (b["book"], b["counterparty"], b["agreement"], b["kind"], b["ledger"]): b["balance"]
        for b in service.balances(as_of=as_of)
    }


ITEMS = [("food", "ML"), ("water", "LI"), ("clothing", "EA"), ("spare-parts", "EA")]


@pytest.mark.parametrize("seed", [1, 2])
def test_ledger_matches_the_model(books: Logistics, seed: int) -> None:  # noqa: F811
    rng = random.Random(seed)
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    books.add_rate(
        "fy-jpy",
        rates.make_rate("JPY", "USD", "0.0067", dt.date(2024, 4, 1), dt.date(2026, 3, 31)),
        key="rate",
    )
    orders: list[ModelOrder] = []
    snapshots: dict[dt.date, dict[Key, int]] = {}
    day = D
    for step in range(45):
        day = D + dt.timedelta(days=step)
        action = rng.choice(["order", "deliver", "deliver", "bill", "settle", "settle", "reverse"])
        if action == "order" or not orders:
            method = rng.choice(["cash", "eve", "rik"])
            lines = []
            for _ in range(rng.randint(1, 3)):
                category, unit = rng.choice(ITEMS)
                ccy = rng.choice(["USD", "JPY"])
                price = rng.randint(1, 5000)
                lines.append(
                    {
                        "category": category,
                        "description": f"{category} lot",
                        "quantity": rng.randint(1, 50),
                        "unit": unit,
                        "unit_price_minor": price,
                        "currency": ccy,
                    }
                )
            req = request(reimbursement=method, lines=lines, order_date=day.isoformat())
            ref = books.propose(req, key=ids.uuid7(), on=day)["order"]["id"]
            books.sign(ref, us.id, us.sign(books, ref), key=ids.uuid7(), on=day)
            books.sign(ref, jp.id, jp.sign(books, ref), key=ids.uuid7(), on=day)
            orders.append(
                ModelOrder(
                    ref,
                    method,
                    [
                        (line.commodity, line.quantity, line.unit_price, line.currency)
                        for line in req.lines
                    ],
                )
            )
        elif action == "deliver":
            candidates = [
                o
                for o in orders
                if o.status in ("signed", "delivered")
                and any(
                    o.delivered_qty().get(i + 1, 0) < q for i, (_, q, _, _) in enumerate(o.lines)
                )
            ]
            if candidates:
                o = rng.choice(candidates)
                open_lines = [
                    i + 1
                    for i, (_, q, _, _) in enumerate(o.lines)
                    if o.delivered_qty().get(i + 1, 0) < q
                ]
                line = rng.choice(open_lines)
                left = o.lines[line - 1][1] - o.delivered_qty().get(line, 0)
                qty = {line: rng.randint(1, left)}
                result = books.deliver(o.ref, qty, key=ids.uuid7(), on=day)
                o.deliveries.append((result["events"][0], qty, False))
        elif action == "bill":
            candidates = [o for o in orders if o.status == "delivered"]
            if candidates:
                o = rng.choice(candidates)
                result = books.bill(o.ref, key=ids.uuid7(), on=day)
                o.billed = dict(o.delivered_value()) if o.method == "cash" else {}
                o.bill_id = result["events"][0]
        elif action == "settle":
            candidates = [o for o in orders if o.status == "billed" and o.balances_open()]
            if candidates:
                o = rng.choice(candidates)
                if o.method in ("cash", "eve"):
                    owed = {
                        c: v - o.settled_money().get(c, 0) for c, v in o.delivered_value().items()
                    }
                    ccy = rng.choice([c for c, v in owed.items() if v > 0])
                    amounts, qty = {ccy: rng.randint(1, owed[ccy])}, {}
                else:
                    owed_q = {
                        ln: n - o.settled_qty().get(ln, 0) for ln, n in o.delivered_qty().items()
                    }
                    line = rng.choice([ln for ln, n in owed_q.items() if n > 0])
                    amounts, qty = {}, {line: rng.randint(1, owed_q[line])}
                result = books.settle(
                    o.ref,
                    "rik" if o.method == "rik" else o.method,
                    amounts=amounts,
                    quantities=qty,
                    key=ids.uuid7(),
                    on=day,
                )
                o.settlements.append((result["events"][0], amounts, qty, False))
        else:  # reverse the latest stage: a settlement, else the bill, else a delivery
            candidates = [o for o in orders if o.status in ("delivered", "billed")]
            if candidates:
                o = rng.choice(candidates)
                live = [i for i, s in enumerate(o.settlements) if not s[3]]
                if live:
                    i = rng.choice(live)
                    books.reverse(o.ref, o.settlements[i][0], key=ids.uuid7(), on=day)
                    o.settlements[i] = (*o.settlements[i][:3], True)
                elif o.billed is not None:
                    books.reverse(o.ref, str(o.bill_id), key=ids.uuid7(), on=day)
                    o.billed, o.bill_id = None, None
                else:
                    i = rng.choice([i for i, d in enumerate(o.deliveries) if not d[2]])
                    books.reverse(o.ref, o.deliveries[i][0], key=ids.uuid7(), on=day)
                    o.deliveries[i] = (o.deliveries[i][0], o.deliveries[i][1], True)
        expected = model_balances(orders)
        assert db_balances(books) == expected, f"step {step}: {action}"
        snapshots[day] = expected
    for past in sorted(snapshots)[::7]:
        assert db_balances(books, as_of=past) == snapshots[past], f"as of {past}"
    report = books.verify()
    assert report["ok"], report["problems"]
