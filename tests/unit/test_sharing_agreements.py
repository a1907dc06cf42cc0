"""The information agreements as data (issue 3): the shipped files, their life cycle, and the
validation of the fields that only information agreements have (errors with FILE:LINE)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.agreements.compiled import compile_agreement, effective_end
from accord.agreements.loader import load, parse_file
from accord.errors import InvalidAgreementFile
from accord.sharing.compiled import compile_all


def test_the_four_information_agreements_are_shipped_with_sources() -> None:
    agreements = load().by_id()
    for agreement_id, kind, parties in [
        ("kor-usa-gsomia-1987", "gsomia", ["KOR", "USA"]),
        ("jpn-usa-gsomia-2007", "gsomia", ["JPN", "USA"]),
        ("jpn-kor-usa-tisa-2014", "information-sharing-arrangement", ["JPN", "KOR", "USA"]),
        ("jpn-kor-gsomia-2016", "gsomia", ["JPN", "KOR"]),
    ]:
        agreement = agreements[agreement_id]
        assert agreement.kind == kind and agreement.parties == parties
        assert agreement.sources
        for version in agreement.versions:
            for release in version.releases:
                assert release.sources
            for row in version.equivalents:
                assert row.sources


def test_the_japan_korea_gsomia_stayed_in_force_through_2019_and_2023() -> None:
    # Art. 21(3); notice 2019-08-23, suspended 2019-11-22, both notes withdrawn 2023-03-21.
    gsomia = load().by_id()["jpn-kor-gsomia-2016"]
    assert effective_end(gsomia) is None
    compiled = compile_agreement(gsomia)
    for day in ("2016-11-22", "2016-11-23", "2019-11-22", "2019-11-23", "2023-03-21"):
        status = compiled.status(dt.date.fromisoformat(day).toordinal())
        assert status == ("not-yet-signed" if day == "2016-11-22" else "in-force"), day
    assert gsomia.renewal is not None
    assert (gsomia.renewal.term_years, gsomia.renewal.notice_days) == (1, 90)


def test_without_the_suspension_the_notice_would_have_ended_it() -> None:
    gsomia = load().by_id()["jpn-kor-gsomia-2016"]
    events = [e for e in gsomia.events if e.kind not in ("notice-suspended", "notice-withdrawn")]
    assert effective_end(gsomia.model_copy(update={"events": events})) == dt.date(2019, 11, 23)


def test_tisa_is_a_hub_arrangement_for_north_korean_threats() -> None:
    tisa = load().by_id()["jpn-kor-usa-tisa-2014"]
    assert tisa.hub == "USA" and tisa.in_force == dt.date(2014, 12, 29)
    assert tisa.protected_under == ["kor-usa-gsomia-1987", "jpn-usa-gsomia-2007"]
    [release] = tisa.versions[0].releases
    assert release.topics == ["nk-nuclear", "nk-missile"]


GOOD = """\
id: aaa-bbb-gsomia
kind: gsomia
short_title: Test GSOMIA
title: Test
parties: [KOR, JPN]
signed: 2016-11-23
in_force: 2016-11-23
sources: [https://example.org/a]
{extra}versions:
  - id: "1"
    title: t
    effective: 2016-11-23
    equivalents:
      - article: Art. 4
        equivalent: secret
        markings: {{JPN: [JPN-GOKUHI], KOR: [{kor}]}}
        sources: [https://example.org/a]
    releases:
      - id: art-4
        article: Art. 4
        levels: [{levels}]
        sources: [https://example.org/a]
"""


def write(tmp_path: Path, kor: str = "KOR-II", levels: str = "secret", extra: str = "") -> Path:
    path = tmp_path / "test.yaml"
    path.write_text(GOOD.format(kor=kor, levels=levels, extra=extra), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidAgreementFile) as caught:
        parse_file(path)
    return caught.value.problems


def test_a_valid_information_agreement_parses(tmp_path: Path) -> None:
    agreement = parse_file(write(tmp_path))
    assert agreement.kind == "gsomia"


def test_a_marking_from_the_wrong_scheme_is_an_error_with_its_line(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path, kor="JPN-HI"))
    assert problem.startswith(f"{tmp_path / 'test.yaml'}:")
    assert "JPN-HI is not in KOR's scheme" in problem


def test_an_unknown_marking_is_an_error_with_its_line(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path, kor="KOR-IV"))
    assert ":16:" in problem and "unknown marking 'KOR-IV'" in problem


def test_a_release_level_missing_from_the_table_is_an_error(tmp_path: Path) -> None:
    [problem] = problems(write(tmp_path, levels="secret, top-secret"))
    assert "does not list" in problem


def test_a_notice_shorter_than_the_renewal_rule_is_an_error(tmp_path: Path) -> None:
    extra = """\
renewal: {article: Art. 21(3), term_years: 1, notice_days: 90, sources: [https://example.org/a]}
events:
  - {date: 2019-09-01, kind: termination-notice, by: KOR, takes_effect: 2019-11-23,
     sources: [https://example.org/a]}
"""
    [problem] = problems(write(tmp_path, extra=extra))
    assert "less than 90 days before 2019-11-23" in problem


def test_a_notice_that_ends_mid_term_is_an_error(tmp_path: Path) -> None:
    extra = """\
renewal: {article: Art. 21(3), term_years: 1, notice_days: 90, sources: [https://example.org/a]}
events:
  - {date: 2019-01-01, kind: termination-notice, by: KOR, takes_effect: 2019-06-01,
     sources: [https://example.org/a]}
"""
    [problem] = problems(write(tmp_path, extra=extra))
    assert "not the end of a term" in problem


def test_release_fields_on_a_logistics_agreement_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text().replace("kind: gsomia", "kind: acsa"), encoding="utf-8")
    assert any("are for information agreements" in p for p in problems(path))


def test_protected_under_must_name_a_known_agreement(tmp_path: Path) -> None:
    path = write(tmp_path, extra="protected_under: [no-such-agreement]\n")
    agreement = parse_file(path)
    with pytest.raises(InvalidAgreementFile, match="unknown agreement id 'no-such-agreement'"):
        compile_all([agreement])  # type: ignore[list-item]
