"""Ceilings (10 U.S.C. 2347) and exchange rates through the service, and the agreement check
taken again at signing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from test_orders_support import D, add_signer, books, request  # noqa: F401

from accord.errors import BadInput
from accord.logistics import rates
from accord.logistics.errors import CeilingExceeded, NotAllowedByAgreement
from accord.services import ids
from accord.services.agreement_check import AgreementCheck
from accord.services.logistics import Logistics

YEN_LINES = [
    {
        "category": "food",
        "description": "bento",
        "quantity": 1000,
        "unit": "ML",
        "unit_price": "1500",
        "currency": "JPY",
    }
]


def test_foreign_currency_needs_a_rate_for_the_us_ceilings(books: Logistics) -> None:  # noqa: F811
    with pytest.raises(BadInput, match="no exchange rate from JPY to USD"):
        books.propose(request(lines=YEN_LINES), key="p1", on=D)
    books.add_rate(
        "jpn-fy2024",
        rates.make_rate(
            "JPY",
            "USD",
            "0.0065",
            dt.date(2024, 4, 1),
            dt.date(2025, 3, 31),
            agreement="jpn-usa-acsa-2016",
            source="annual rate, Japan FY2024",
        ),
        key="r1",
    )
    us = add_signer(books, "us", "USA")
    jp = add_signer(books, "jp", "JPN")
    ref = books.propose(request(lines=YEN_LINES), key="p2", on=D)["order"]["id"]
    books.sign(ref, us.id, us.sign(books, ref), key="s1", on=D)
    books.sign(ref, jp.id, jp.sign(books, ref), key="s2", on=D)
    # ¥1,500,000 at the agreement's fixed rate 0.0065 = $9,750.00, counted in FY2024
    used = {(r["direction"], r["scope"]): r["used"] for r in books.ceilings(2024)}
    assert used == {("liabilities", "total"): 975000, ("liabilities", "supplies"): 975000}
    assert books.show(ref)["ceiling"]["charges"][0]["amount"] == 975000


def big(amount: str, situation: str = "exercise") -> dict[str, Any]:
    return {
        "situation": situation,
        "lines": [
            {
                "category": "food",
                "description": "rations",
                "quantity": 1,
                "unit": "LO",
                "unit_price": amount,
                "currency": "USD",
            }
        ],
    }


def test_an_order_past_a_ceiling_is_refused_with_the_figures(books: Logistics) -> None:  # noqa: F811
    # US acquisitions from Japan (non-NATO): supplies sub-limit $20M (10 U.S.C. 2347(b))
    with pytest.raises(CeilingExceeded) as refused:
        books.propose(request(**big("20000000.01")), key="p", on=D)
    text = str(refused.value)
    assert "$20,000,000.00" in text and "$20,000,000.01" in text and "2347(b)" in text
    assert refused.value.exit_status == 1
    assert books.list_orders()["total"] == 0
    ok = books.propose(request(**big("20000000.00")), key="p2", on=D)
    assert ok["order"]["status"] == "proposed"


def test_ceilings_are_waived_for_peacekeeping(books: Logistics) -> None:  # noqa: F811
    result = books.propose(request(**big("30000000.00", "pko")), key="p", on=D)
    assert result["ceilings"] == [{"waiver": "10 U.S.C. 2347(c): UN peacekeeping operation"}]


def test_cancelling_a_bound_order_gives_its_ceiling_back(books: Logistics) -> None:  # noqa: F811
    us, jp = add_signer(books, "us", "USA"), add_signer(books, "jp", "JPN")
    ref = books.propose(request(**big("15000000.00")), key="p", on=D)["order"]["id"]
    books.sign(ref, us.id, us.sign(books, ref), key="s1", on=D)
    books.sign(ref, jp.id, jp.sign(books, ref), key="s2", on=D)
    assert {r["scope"]: r["used"] for r in books.ceilings(2024)}["supplies"] == 15_000_000_00
    books.cancel(ref, key="c", on=D, reason="exercise cancelled")
    assert all(r["used"] == 0 for r in books.ceilings(2024))


class _ClosingCheck(AgreementCheck):
    """Allows at proposal; on and after the cut-off day, the agreements no longer allow."""

    def __init__(self, cut_off: dt.date) -> None:
        super().__init__()
        self.cut_off = cut_off

    def check(
        self,
        supplier: str,
        recipient: str,
        categories: Any,
        situation: str,
        on: dt.date,
        agreement: str | None = None,
    ) -> dict[str, Any]:
        if on >= self.cut_off:
            raise NotAllowedByAgreement("refused: not-in-force (test)", {"allowed": False})
        return super().check(supplier, recipient, categories, situation, on, agreement)


def test_the_agreements_are_asked_again_at_signing(database_url: str) -> None:
    from accord.store.migrate import upgrade

    upgrade(database_url)
    service = Logistics(database_url, check=_ClosingCheck(dt.date(2024, 6, 1)))
    try:
        us, jp = add_signer(service, "us", "USA"), add_signer(service, "jp", "JPN")
        ref = service.propose(request(), key="p", on=D)["order"]["id"]
        service.sign(ref, us.id, us.sign(service, ref), key="s1", on=dt.date(2024, 6, 2))
        with pytest.raises(NotAllowedByAgreement):
            service.sign(ref, jp.id, jp.sign(service, ref), key="s2", on=dt.date(2024, 6, 2))
        assert service.show(ref)["status"] == "proposed"
        assert service.verify()["ok"]
    finally:
        service.close()


def test_drafts_are_proposed_later(books: Logistics) -> None:  # noqa: F811
    draft = books.propose(request(), key="d", on=D, draft=True)
    assert draft["order"]["status"] == "draft"
    proposed = books.submit(draft["order"]["number"], key="s", on=D + dt.timedelta(days=1))
    assert proposed["order"]["status"] == "proposed" and proposed["decision"]["allowed"]
    assert books.verify()["ok"]


def test_order_numbers_run_per_nation_and_year(books: Logistics) -> None:  # noqa: F811
    numbers = [
        books.propose(request(order_date=day), key=ids.uuid7(), on=dt.date.fromisoformat(day))[
            "order"
        ]["number"]
        for day in ("2024-05-01", "2024-05-02", "2025-01-03")
    ]
    korean = books.propose(
        request(
            requester={"nation": "KOR", "unit": "ROK Army"},
            supplier={"nation": "USA", "unit": "8th Army"},
            situation="exercise",
        ),
        key=ids.uuid7(),
        on=D,
    )["order"]["number"]
    assert numbers == ["USA-2024-000001", "USA-2024-000002", "USA-2025-000001"]
    assert korean == "KOR-2024-000001"
