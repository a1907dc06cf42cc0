"""The agreement check of orders against the shipped reference agreements."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.logistics.errors import NotAllowedByAgreement
from accord.services.agreement_check import AgreementCheck


def test_jpn_fuel_to_kor_in_2015_is_refused_with_the_reasons() -> None:
    check = AgreementCheck()
    with pytest.raises(NotAllowedByAgreement) as refused:
        check.check("JPN", "KOR", ["fuel"], "exercise", dt.date(2015, 4, 13))
    assert "no-agreement" in str(refused.value)
    assert refused.value.exit_status == 1
    stored = refused.value.decision
    assert stored["allowed"] is False
    assert stored["decisions"][0]["reasons"][0]["code"] == "no-agreement"


def test_allowed_order_stores_agreement_clause_and_sources() -> None:
    check = AgreementCheck()
    stored = check.check("JPN", "USA", ["fuel", "food"], "exercise", dt.date(2024, 5, 1))
    assert stored["allowed"] is True
    assert stored["agreement"] == "jpn-usa-acsa-2016"
    reason = stored["decisions"][0]["reasons"][0]
    assert reason["code"] == "permitted" and reason["clause"] and reason["sources"]


def test_one_denied_category_refuses_the_whole_order() -> None:
    check = AgreementCheck()
    with pytest.raises(NotAllowedByAgreement, match="weapons"):
        check.check("JPN", "USA", ["food", "weapons"], "exercise", dt.date(2024, 5, 1))


def test_order_naming_another_agreement_is_refused() -> None:
    check = AgreementCheck()
    with pytest.raises(NotAllowedByAgreement, match="names agreement"):
        check.check(
            "JPN", "USA", ["food"], "exercise", dt.date(2024, 5, 1), agreement="kor-usa-mlsa-1988"
        )
