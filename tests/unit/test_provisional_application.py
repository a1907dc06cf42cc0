"""Agreements applied provisionally before they enter into force, and the dates they were
notified (10 U.S.C. 2342(h): the annual report lists the agreements "in force or provisionally
applied" with their signature and notification dates).

No shipped agreement file gives a provisional application or a notification date (the reference
notes give none), so these tests use a hypothetical Philippines–US ACSA: signed on 10 January
2030, notified on 20 November 2029, provisionally applied from 1 February 2030 and in force from
1 June 2030. No shipped agreement links the Philippines and the United States, so every answer
for the pair comes from this file.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest
from test_agreement_files import problems_of, write

from accord.agreements.catalog import network, summary
from accord.agreements.cedar import export_cedar
from accord.agreements.compiled import compile_agreement
from accord.agreements.decisions import SupportIndex, evaluate_support
from accord.agreements.files import REFERENCE_DIR
from accord.agreements.index import AgreementIndex, compile_set, load_index
from accord.agreements.loader import load, parse_file
from accord.agreements.schema import Agreement
from accord.reports import build, formats
from accord.reports.model import Report
from accord.sharing.index import build as build_sharing
from accord.sharing.release import ReleaseDecision
from accord.sharing.schemes import level_for

ID = "phl-usa-acsa-test"
CLAUSE = f"{ID}/2030/art-2"
PROVISIONAL = textwrap.dedent(
    f"""\
    id: {ID}
    kind: acsa
    short_title: Philippines–US ACSA (hypothetical)
    title: A hypothetical agreement applied provisionally before it enters into force
    parties: [PHL, USA]
    signed: 2030-01-10
    notified: 2029-11-20
    provisionally_applied: 2030-02-01
    in_force: 2030-06-01
    sources:
      - url: https://example.org/hypothetical/signature
        title: signature and provisional application
      - url: https://example.org/hypothetical/notice
        title: notice to Congress
    versions:
      - id: "2030"
        title: Agreement as signed
        effective: 2030-02-01
        clauses:
          - id: art-2
            article: Art. 2
            summary: Combined exercises.
            situations: [exercise]
            categories: [food, fuel]
            sources: [https://example.org/hypothetical#art-2]
    """
)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def write_file(folder: Path, text: str, name: str = "phl-usa.yaml") -> Path:
    return write(folder, name, text)


@pytest.fixture
def user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hypothetical agreement in a user folder, added to the shipped set."""
    folder = tmp_path / "agreements"
    folder.mkdir()
    write_file(folder, PROVISIONAL)
    monkeypatch.setenv("ACCORD_AGREEMENTS_PATH", str(folder))
    return folder


@pytest.fixture
def index(user_folder: Path) -> AgreementIndex:
    return load_index()


# --- the file format -------------------------------------------------------------------------


def test_the_dates_are_read(tmp_path: Path) -> None:
    agreement = parse_file(write_file(tmp_path, PROVISIONAL))
    assert isinstance(agreement, Agreement)
    assert agreement.provisionally_applied == day("2030-02-01")
    assert agreement.notified == day("2029-11-20")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("provisionally_applied: 2030-02-01", "provisionally_applied: 2030-01-09"),
            "provisionally_applied (2030-01-09) is before signed (2030-01-10); an agreement is "
            "provisionally applied from its signature or later",
        ),
        (
            ("provisionally_applied: 2030-02-01", "provisionally_applied: 2030-06-01"),
            "provisionally_applied (2030-06-01) must be before in_force (2030-06-01); "
            "provisional application ends when the agreement enters into force",
        ),
        (
            ("in_force: 2030-06-01", "ended: 2030-02-01"),
            "ended (2030-02-01) must be after provisionally_applied (2030-02-01)",
        ),
        (
            ("effective: 2030-02-01", "effective: 2030-03-01"),
            "the first version must be effective when the agreement is first provisionally "
            "applied (2030-02-01)",
        ),
    ],
)
def test_provisional_application_out_of_order_is_one_clear_line(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write_file(tmp_path, PROVISIONAL.replace(*change))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:") and problem.endswith(message), problem
    assert "\n" not in problem


def test_provisional_application_needs_a_version(tmp_path: Path) -> None:
    text = PROVISIONAL.split("versions:")[0].replace("in_force: 2030-06-01\n", "")
    [problem] = problems_of(write_file(tmp_path, text))
    assert problem.endswith("an agreement provisionally applied needs at least one version")


def test_a_malformed_notification_date_names_its_line(tmp_path: Path) -> None:
    path = write_file(tmp_path, PROVISIONAL.replace("notified: 2029-11-20", "notified: 2029-11-31"))
    [problem] = problems_of(path)
    line = PROVISIONAL.splitlines().index("notified: 2029-11-20") + 1
    assert problem.startswith(f"{path}:{line}: notified: ")


# --- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "status"),
    [
        ("2030-01-09", "not-yet-signed"),
        ("2030-01-10", "signed"),
        ("2030-01-31", "signed"),
        ("2030-02-01", "provisionally-applied"),
        ("2030-05-31", "provisionally-applied"),
        ("2030-06-01", "in-force"),
    ],
)
def test_status_around_the_provisional_window(tmp_path: Path, on: str, status: str) -> None:
    agreement = parse_file(write_file(tmp_path, PROVISIONAL))
    assert isinstance(agreement, Agreement)
    assert summary(agreement, day(on))["status"] == status


def test_provisional_application_that_ends_before_entry_into_force(tmp_path: Path) -> None:
    """Applied provisionally, then ended without ever entering into force."""
    text = PROVISIONAL.replace("in_force: 2030-06-01", "ended: 2030-04-01")
    agreement = parse_file(write_file(tmp_path, text))
    assert isinstance(agreement, Agreement)
    compiled = compile_agreement(agreement)
    statuses = [compiled.status(day(d).toordinal()) for d in ("2030-03-31", "2030-04-01")]
    assert statuses == ["provisionally-applied", "ended"]
    assert [compiled.applies(day(d).toordinal()) for d in ("2030-03-31", "2030-04-01")] == [
        True,
        False,
    ]


# --- decisions -------------------------------------------------------------------------------


def test_support_before_provisional_application_is_refused(index: AgreementIndex) -> None:
    decision = index.support().decide("USA", "PHL", "fuel", "exercise", day("2030-01-31"))
    assert not decision.allowed
    [reason] = decision.reasons
    assert reason.code == "not-in-force" and reason.agreement == ID
    assert reason.as_json(day("2030-01-31"))["message"] == (
        "Philippines–US ACSA (hypothetical) is not in force or provisionally applied on "
        "2030-01-31: it was signed on 2030-01-10, provisionally applied from 2030-02-01 and "
        "entered into force on 2030-06-01."
    )


def test_support_while_provisionally_applied_is_permitted_and_says_so(
    index: AgreementIndex,
) -> None:
    for on in ("2030-02-01", "2030-05-31"):
        decision = index.support().decide("USA", "PHL", "fuel", "exercise", day(on))
        assert decision.allowed, on
        [reason] = decision.reasons
        assert (reason.code, reason.agreement, reason.clause_id) == ("permitted", ID, CLAUSE)
        assert reason.as_json(day(on))["message"] == (
            f"Art. 2 of Philippines–US ACSA (hypothetical), version 2030, allows USA to provide "
            f"'fuel' in 'exercise' on {on}: Combined exercises. (Philippines–US ACSA "
            "(hypothetical) is provisionally applied from 2030-02-01, before its entry into "
            "force on 2030-06-01.)"
        )


def test_support_once_in_force_no_longer_mentions_provisional_application(
    index: AgreementIndex,
) -> None:
    decision = index.support().decide("PHL", "USA", "food", "exercise", day("2030-06-01"))
    assert decision.allowed and decision.reasons[0].clause_id == CLAUSE
    assert "provisionally" not in decision.reasons[0].message


def test_the_clauses_of_a_provisionally_applied_agreement_still_deny(
    index: AgreementIndex,
) -> None:
    decision = index.support().decide("USA", "PHL", "medical", "exercise", day("2030-03-01"))
    assert not decision.allowed and decision.reasons[0].code == "category-excluded"
    assert decision.reasons[0].clause_id == CLAUSE


def test_the_index_changes_answer_on_the_provisional_day_as_the_rule_does(
    index: AgreementIndex,
) -> None:
    support = SupportIndex(index.agreements, index.laws)
    first = day("2030-02-01").toordinal()
    assert first in support.change_days("USA", "PHL")
    for ordinal in range(first - 3, first + 3):
        for supplier, recipient in (("USA", "PHL"), ("PHL", "USA")):
            for category in ("fuel", "medical"):
                fast = support.decide(
                    supplier, recipient, category, "exercise", dt.date.fromordinal(ordinal)
                )
                rule = evaluate_support(
                    index.agreements, index.laws, supplier, recipient, category, "exercise", ordinal
                )
                assert fast == rule


def test_cedar_export_permits_from_the_provisional_day(tmp_path: Path) -> None:
    """The exported policies hold from the provisional day and answer as Accord does there."""
    import cedarpy

    reference = compile_set(load([REFERENCE_DIR]))
    agreement = parse_file(write_file(tmp_path, PROVISIONAL))
    assert isinstance(agreement, Agreement)
    agreements = (*reference.agreements, compile_agreement(agreement))
    policies = export_cedar(agreements, reference.laws)
    [block] = [b for b in policies.split("\n\n") if f'@id("{CLAUSE}")' in b]
    assert "Holds from 2030-02-01, with no end (provisionally applied or in force" in block
    first = day("2030-02-01").toordinal()
    asked = [
        (supplier, recipient, category, ordinal)
        for ordinal in (first - 1, first, day("2030-06-01").toordinal())
        for supplier, recipient in (("USA", "PHL"), ("PHL", "USA"))
        for category in ("fuel", "medical")
    ]
    results = cedarpy.is_authorized_batch(
        [
            {
                "principal": f'Accord::Nation::"{supplier}"',
                "action": 'Accord::Action::"provide"',
                "resource": f'Accord::Nation::"{recipient}"',
                "context": {"category": category, "situation": "exercise", "day": ordinal},
            }
            for supplier, recipient, category, ordinal in asked
        ],
        cedarpy.PolicySet.from_str(policies),
        "[]",
    )
    allowed = []
    for (supplier, recipient, category, ordinal), result in zip(asked, results, strict=True):
        rule = evaluate_support(
            agreements, reference.laws, supplier, recipient, category, "exercise", ordinal
        )
        assert result.allowed == rule.allowed, (supplier, recipient, category, ordinal)
        allowed.append(rule.allowed)
    assert allowed == [False] * 4 + [True, False, True, False] * 2


def test_the_network_links_the_parties_while_provisionally_applied(user_folder: Path) -> None:
    agreements = load().agreements
    links = {
        (a, b, agreement) for a, b, _, agreement in network(agreements, day("2030-03-01")).links
    }
    assert ("PHL", "USA", ID) in links
    before = network(agreements, day("2030-01-31")).links
    assert all(agreement != ID for *_, agreement in before)


# --- information agreements ------------------------------------------------------------------


def test_an_information_agreement_releases_while_provisionally_applied(tmp_path: Path) -> None:
    """The Japan–Korea GSOMIA, as if it had been signed on 1 November 2016 and applied from
    the 10th, before its entry into force on the 23rd."""
    text = (REFERENCE_DIR / "jpn-kor-gsomia-2016.yaml").read_text(encoding="utf-8")
    text = text.replace("signed: 2016-11-23", "signed: 2016-11-01", 1)
    text = text.replace(
        "in_force: 2016-11-23", "provisionally_applied: 2016-11-10\nin_force: 2016-11-23"
    )
    text = text.replace("effective: 2016-11-23", "effective: 2016-11-10", 1)
    write_file(tmp_path, text, "jpn-kor-gsomia-2016.yaml")
    release = build_sharing([tmp_path]).release
    secret = level_for("KOR-II", "KOR")

    def ask(on: str) -> ReleaseDecision:
        return release.decide("KOR", "JPN", secret, "nk-missile", "KOR", False, day(on))

    before, during, after = ask("2016-11-09"), ask("2016-11-10"), ask("2016-11-23")
    assert not before.allowed and before.reasons[0].code == "not-in-force"
    assert during.allowed and during.reasons[0].agreement == "jpn-kor-gsomia-2016"
    assert (
        "(Japan–Korea GSOMIA (2016) is provisionally applied from 2016-11-10, before its entry "
        "into force on 2016-11-23.)" in during.reasons[0].message
    )
    assert after.allowed and "provisionally" not in after.reasons[0].message


# --- the annual report -----------------------------------------------------------------------


def _report(as_of: str, fiscal_year: int, agreements: AgreementIndex) -> Report:
    """The US annual report of the fiscal year, with no orders: only its agreements."""
    first, last = dt.date(fiscal_year - 1, 10, 1), dt.date(fiscal_year, 9, 30)
    return build.annual(
        build.AnnualInput(
            book="USA",
            fiscal_year=fiscal_year,
            first=first,
            last=last,
            orders=(),
            obligations=[],
            terms={},
            waivers=[],
            agreements=agreements.agreements,
            rates=(),
        ),
        day(as_of),
    )


def _annual(as_of: str, fiscal_year: int, agreements: AgreementIndex) -> list[dict[str, Any]]:
    return _report(as_of, fiscal_year, agreements).section("agreements").rows


def test_the_annual_report_lists_an_agreement_provisionally_applied(
    index: AgreementIndex,
) -> None:
    during = {r["agreement"]: r for r in _annual("2030-03-15", 2030, index)}
    assert during[ID] == {
        "agreement": ID,
        "title": "Philippines–US ACSA (hypothetical)",
        "counterparty": "PHL",
        "kind": "acsa",
        "signed": day("2030-01-10"),
        "notified": day("2029-11-20"),
        "provisionally_applied": day("2030-02-01"),
        "in_force": day("2030-06-01"),
        "ended": None,
        "agreement_status": "provisionally-applied",
    }
    # The shipped agreements give no notification or provisional application date: blank.
    assert during["kor-usa-mlsa-1988"]["notified"] is None
    assert during["kor-usa-mlsa-1988"]["provisionally_applied"] is None
    # After the year, in force: still listed, with its provisional application date.
    later = {r["agreement"]: r for r in _annual("2031-01-15", 2030, index)}
    assert later[ID]["agreement_status"] == "in-force"
    assert later[ID]["provisionally_applied"] == day("2030-02-01")
    # Signed in the year before, but applied only in fiscal year 2030: not in FY2029's list.
    assert ID not in {r["agreement"] for r in _annual("2030-01-15", 2029, index)}


def test_the_annual_report_labels_provisional_application(index: AgreementIndex) -> None:
    report = _report("2030-03-15", 2030, index)
    section = report.section("agreements")
    columns = {c.key: c for c in section.columns}
    [row] = [r for r in section.rows if r["agreement"] == ID]
    assert formats.header(columns["provisionally_applied"], "ja") == "暫定適用開始日"
    assert formats.header(columns["notified"], "en") == "Notified"
    status = columns["agreement_status"]
    assert formats.display(row["agreement_status"], status, row, "ko") == "잠정 적용 중"
    assert formats.display(row["agreement_status"], status, row, "en") == "provisionally applied"
