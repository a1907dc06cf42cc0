"""Helpers for the report tests (no tests here): a small history made through the services,
whose figures the tests know by heart. `AS_OF` is the date they read it on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from test_orders_support import Signer, add_signer, request

from accord.logistics import rates
from accord.logistics.order import Document
from accord.services import ids
from accord.services.logistics import Logistics

AS_OF = dt.date(2024, 6, 30)
SHA = "ab" * 32


def _line(category: str, description: str, quantity: int, unit: str, price: str, ccy: str) -> Any:
    return {
        "category": category,
        "description": description,
        "quantity": quantity,
        "unit": unit,
        "unit_price": price,
        "currency": ccy,
    }


def _order(
    books: Logistics,
    signers: dict[str, Signer],
    on: dt.date,
    requester: str,
    supplier: str,
    lines: list[Any],
    sign: tuple[str, ...] = ("requester", "supplier"),
    **overrides: Any,
) -> str:
    units = {"USA": "3d MLG", "JPN": "JGSDF Western Army", "KOR": "ROK 2nd Fleet"}
    req = request(
        requester={"nation": requester, "unit": units[requester]},
        supplier={"nation": supplier, "unit": units[supplier]},
        order_date=on.isoformat(),
        date_required=(on + dt.timedelta(days=7)).isoformat(),
        lines=lines,
        **overrides,
    )
    ref = str(books.propose(req, key=ids.uuid7(), on=on)["order"]["id"])
    for side in sign:
        nation = requester if side == "requester" else supplier
        s = signers[nation]
        books.sign(ref, s.id, s.sign(books, ref), key=ids.uuid7(), on=on)
    return ref


def build_history(books: Logistics) -> dict[str, str]:
    """Eight orders among USA, JPN and KOR; returns their numbers by letter.

    On 2024-06-30:
    - A: JPN supplied USA 100 meals at USD 12.50 (cash), delivered 2023-03-01, billed, unpaid:
      USD 1,250.00 owed to JPN for 487 days (over 365; overdue under 2345(a)).
    - B: USA supplied JPN 1,000 l of fuel at USD 0.85 (cash), delivered 2022-06-01, billed,
      unpaid: USD 850.00 owed to the US, over 18 months: offset-eligible (2345(c)).
    - C: USA supplied KOR 50 meals to be replaced in kind, delivered 2024-01-10: 50 ML of food
      owed for 172 days (91–180; not overdue).
    - D: JPN supplied USA transportation for JPY 300,000 (cash), delivered 2024-04-01, billed,
      JPY 100,000 paid: JPY 200,000 owed, exactly 90 days old (0–90).
    - E: USA lent JPN 20 parkas (clothing), delivered 2024-02-01, due back 2024-03-01:
      overdue by 121 days.
    - F: JPN supplied USA food, paid in full and closed (nothing owed).
    - G: USA asks JPN for food: proposed, signed by the US only (missing a signature).
    - H: JPN supplied USA food, paid, settled and not closed.
    """
    signers = {n: add_signer(books, f"{n.lower()}-officer", n) for n in ("USA", "JPN", "KOR")}
    rate = rates.make_rate("JPY", "USD", "0.0068", dt.date(2022, 1, 1), dt.date(2025, 12, 31))
    books.add_rate("jpy-usd", rate, key=ids.uuid7())
    doc = (Document("request.pdf", SHA),)
    k = ids.uuid7
    out: dict[str, str] = {}

    a = _order(
        books,
        signers,
        dt.date(2023, 2, 20),
        "USA",
        "JPN",
        [_line("food", "field rations", 100, "ML", "12.50", "USD")],
        documents=[{"name": "request.pdf", "sha256": SHA}],
    )
    books.deliver(a, {1: 100}, key=k(), on=dt.date(2023, 3, 1), documents=doc)
    books.bill(a, key=k(), on=dt.date(2023, 3, 5))
    out["A"] = a

    b = _order(
        books,
        signers,
        dt.date(2022, 5, 20),
        "JPN",
        "USA",
        [_line("fuel", "JP-8", 1000, "LI", "0.85", "USD")],
    )
    books.deliver(b, {1: 1000}, key=k(), on=dt.date(2022, 6, 1))
    books.bill(b, key=k(), on=dt.date(2022, 6, 10))
    out["B"] = b

    c = _order(
        books,
        signers,
        dt.date(2024, 1, 5),
        "KOR",
        "USA",
        [_line("food", "MRE", 50, "ML", "10.00", "USD")],
        reimbursement="rik",
    )
    books.deliver(c, {1: 50}, key=k(), on=dt.date(2024, 1, 10))
    out["C"] = c

    d = _order(
        books,
        signers,
        dt.date(2024, 3, 25),
        "USA",
        "JPN",
        [_line("transportation", "bus transport", 1, "LO", "300000", "JPY")],
        transaction_type="service",
    )
    books.deliver(d, {1: 1}, key=k(), on=dt.date(2024, 4, 1))
    books.bill(d, key=k(), on=dt.date(2024, 4, 2))
    books.settle(d, "cash", amounts={"JPY": 100000}, key=k(), on=dt.date(2024, 5, 1))
    out["D"] = d

    e = _order(
        books,
        signers,
        dt.date(2024, 1, 25),
        "JPN",
        "USA",
        [_line("clothing", "cold-weather parkas", 20, "EA", "0", "USD")],
        transaction_type="loan",
        return_by="2024-03-01",
    )
    books.deliver(e, {1: 20}, key=k(), on=dt.date(2024, 2, 1))
    out["E"] = e

    f = _order(
        books,
        signers,
        dt.date(2024, 2, 1),
        "USA",
        "JPN",
        [_line("food", "rations", 10, "ML", "10.00", "USD")],
    )
    books.deliver(f, {1: 10}, key=k(), on=dt.date(2024, 2, 2))
    books.bill(f, key=k(), on=dt.date(2024, 2, 3))
    books.settle(f, "cash", amounts={"USD": 10000}, key=k(), on=dt.date(2024, 3, 1))
    books.close_order(f, key=k(), on=dt.date(2024, 3, 2))
    out["F"] = f

    g = _order(
        books,
        signers,
        dt.date(2024, 6, 1),
        "USA",
        "JPN",
        [_line("food", "rations", 5, "ML", "10.00", "USD")],
        sign=("requester",),
    )
    out["G"] = g

    h = _order(
        books,
        signers,
        dt.date(2024, 2, 1),
        "USA",
        "JPN",
        [_line("food", "rations", 20, "ML", "10.00", "USD")],
    )
    books.deliver(h, {1: 20}, key=k(), on=dt.date(2024, 2, 2))
    books.bill(h, key=k(), on=dt.date(2024, 2, 3))
    books.settle(h, "cash", amounts={"USD": 20000}, key=k(), on=dt.date(2024, 3, 1))
    out["H"] = h
    return {letter: books.show(ref)["number"] for letter, ref in out.items()}
