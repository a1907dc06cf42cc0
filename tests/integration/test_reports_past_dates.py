"""Reports on a past date say what they said on that date, on SQLite and PostgreSQL: a seeded
random history of orders (cash, replacement in kind, equal-value exchange) delivered, billed,
settled in part, converted to cash and reversed, one day after another; each day's balances,
ageing and obligations are taken on that day, when no posting is later than it, and asked
again for that date once the whole history is written. On its day a report reads what the
books hold; asked later, it has to take off everything posted since. The charts' balances
over time agree with each day's balances."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from test_orders_support import D, Signer, add_signer, books, signed_order  # noqa: F401

from accord.errors import AccordError
from accord.reports import queries, run
from accord.services import ids
from accord.services.logistics import Logistics

STEP = dt.timedelta(days=29)  # 40 steps: long enough for conversions after 12 months


def _reports(url: str, on: dt.date) -> dict[str, Any]:
    with run.reading(url) as c:
        return {
            "balances": queries.balances(c, on),
            "balances of JPN with USA": queries.balances(c, on, "JPN", "USA"),
            "ageing": queries.ageing(c, on),
            "ageing of USA": queries.ageing(c, on, book="USA"),
            "obligations": queries.obligations(c, on),
        }


def _step(
    books: Logistics,  # noqa: F811
    rng: random.Random,
    signers: dict[str, Signer],
    day: dt.date,
    orders: list[str],
    events: list[tuple[str, str]],
) -> None:
    # orders to deliver, bill, settle and convert: each step weighed by how often it comes
    action = rng.choice(
        ("order",) * 2 + ("deliver",) * 3 + ("bill", "settle") * 2 + ("convert",) * 3 + ("reverse",)
    )
    if action == "order" or not orders:
        supplier, requester = rng.choice([("JPN", "USA"), ("USA", "JPN")])
        ref = signed_order(
            books,
            signers["USA"],
            signers["JPN"],
            on=day,
            reimbursement=rng.choice(["cash", "cash", "rik", "eve"]),
            order_date=day.isoformat(),
            supplier={"nation": supplier, "unit": "supplying unit"},
            requester={"nation": requester, "unit": "requesting unit"},
        )
        orders.append(ref)
        return
    ref = rng.choice(orders)
    key = ids.uuid7()
    # a step the order's state refuses writes nothing (the service's rule): the history goes on
    try:
        if action == "deliver":
            line = rng.choice([1, 2])
            result = books.deliver(ref, {line: rng.randint(1, 400)}, key=key, on=day)
        elif action == "bill":
            result = books.bill(ref, key=key, on=day)
        elif action == "settle":
            method = books.show(ref)["reimbursement"]
            if method == "rik":
                result = books.settle(
                    ref,
                    "rik",
                    quantities={rng.choice([1, 2]): rng.randint(1, 300)},
                    key=key,
                    on=day,
                )
            else:
                result = books.settle(
                    ref, method, amounts={"USD": rng.randint(1, 300_000)}, key=key, on=day
                )
        elif action == "convert":
            result = books.convert(ref, key=key, on=day)
        else:
            if not events:
                return
            target_ref, target = rng.choice(events)
            books.reverse(target_ref, target, key=key, on=day)
            return
    except AccordError:
        return
    events.extend((ref, e) for e in result["events"])


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_reports_on_past_dates_say_what_they_said_then(
    books: Logistics,  # noqa: F811
    database_url: str,
    seed: int,
) -> None:
    rng = random.Random(seed)
    signers = {"USA": add_signer(books, "us", "USA"), "JPN": add_signer(books, "jp", "JPN")}
    orders: list[str] = []
    events: list[tuple[str, str]] = []
    then: dict[dt.date, dict[str, Any]] = {}
    for step in range(40):
        day = D + step * STEP
        for _ in range(rng.randint(2, 5)):
            _step(books, rng, signers, day, orders, events)
        then[day] = _reports(database_url, day)
    # the history is one worth asking about: open obligations on most days, some over a year
    # old, and cash converted from replacement in kind or exchange among them
    assert sum(1 for r in then.values() if r["ageing"]) > 30
    assert any(row["days_over_365"] for r in then.values() for row in r["ageing"])
    assert any(o.converted_on for r in then.values() for o in r["obligations"])
    for day, said in then.items():
        assert _reports(database_url, day) == said, f"as of {day}"
    # and a day between two steps, when nothing was posted: what the day before said
    for day in list(then)[5::6]:
        between = day + dt.timedelta(days=1)
        with run.reading(database_url) as c:
            assert queries.balances(c, between) == then[day]["balances"]
    # the charts' balances over time: at the end of each day, what that day's balances said
    ends = sorted(then)
    expected: dict[tuple[str, str, str], list[int]] = {}
    for i, day in enumerate(ends):
        for r in then[day]["balances"]:
            if r["receivable"]:
                key = (r["book"], r["counterparty"], r["ledger"])
                expected.setdefault(key, [0] * len(ends))[i] = r["receivable"]
    with run.reading(database_url) as c:
        assert queries.balance_history(c, ends) == expected
        assert queries.balance_history(c, ends, party="USA", counterparty="JPN") == expected
        assert queries.balance_history(c, ends, party="AUS") == {}
    assert books.verify()["ok"]
