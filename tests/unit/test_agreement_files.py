"""Agreement files: validation errors name FILE:LINE and the field; user folders add to and
override the shipped set; the cached index follows file changes; status events decide the end
of an agreement (issue 2, items 2 and 8)."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import pytest

from accord.agreements.compiled import effective_end
from accord.agreements.index import load_index
from accord.agreements.loader import load, parse_file
from accord.agreements.schema import Agreement
from accord.errors import InvalidAgreementFile

VALID = textwrap.dedent(
    """\
    id: jpn-kor-acsa-test
    kind: acsa
    short_title: Japan–Korea ACSA (hypothetical)
    title: A hypothetical agreement used to test user folders
    parties: [JPN, KOR]
    signed: 2030-01-10
    in_force: 2030-02-01
    sources:
      - https://example.org/hypothetical
    versions:
      - id: "2030"
        title: Original
        effective: 2030-02-01
        clauses:
          - id: art-2
            article: Art. 2
            situations: [exercise]
            categories: [food, fuel]
            sources: [https://example.org/hypothetical#art-2]
    """
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidAgreementFile) as caught:
        parse_file(path)
    return caught.value.problems


def test_a_valid_file_parses(tmp_path: Path) -> None:
    agreement = parse_file(write(tmp_path, "ok.yaml", VALID))
    assert isinstance(agreement, Agreement)
    assert agreement.parties == ["JPN", "KOR"]


def test_an_unknown_category_names_the_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", VALID.replace("[food, fuel]", "[food, fule]"))
    [problem] = problems_of(path)
    line = VALID.splitlines().index("        categories: [food, fuel]") + 1
    assert problem.startswith(f"{path}:{line}: versions.0.clauses.0.categories: ")
    assert "unknown category 'fule'" in problem and "accepted:" in problem


def test_an_unknown_nation_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", VALID.replace("[JPN, KOR]", "[JPN, KOX]"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:5: parties: unknown nation 'KOX'")


def test_a_missing_field_and_an_unknown_field_are_both_reported(tmp_path: Path) -> None:
    text = VALID.replace("kind: acsa\n", "").replace("signed: 2030-01-10", "signd: 2030-01-10")
    problems = problems_of(write(tmp_path, "bad.yaml", text))
    assert any(": kind: missing required field" in p for p in problems)
    assert any(":5: signd: unknown field" in p for p in problems)


def test_a_malformed_date_is_reported_on_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.yaml", VALID.replace("in_force: 2030-02-01", "in_force: 2030-02-31")
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:7: in_force: ")


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", VALID.replace("parties: [JPN, KOR]", "parties: [JPN, KOR"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:") and "not valid YAML" in problem


def test_dates_out_of_order_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.yaml", VALID.replace("in_force: 2030-02-01", "in_force: 2029-02-01")
    )
    assert any("in_force is before signed" in p for p in problems_of(path))


def test_an_implementing_arrangement_must_name_a_known_agreement(tmp_path: Path) -> None:
    text = VALID.replace(
        "kind: acsa", "kind: implementing-arrangement\nimplements: no-such-agreement"
    )
    write(tmp_path, "ia.yaml", text)
    with pytest.raises(InvalidAgreementFile) as caught:
        load([tmp_path])
    assert "implements: unknown agreement id 'no-such-agreement'" in caught.value.problems[0]


def test_a_user_folder_adds_agreements_and_the_cache_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "jpn-kor.yaml", VALID)
    monkeypatch.setenv("ACCORD_AGREEMENTS_PATH", str(tmp_path))
    on = dt.date(2030, 3, 1)
    assert load_index().support().decide("JPN", "KOR", "fuel", "exercise", on).allowed
    path.write_text(VALID.replace("[food, fuel]", "[food]"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    decision = load_index().support().decide("JPN", "KOR", "fuel", "exercise", on)
    assert not decision.allowed
    assert decision.reasons[0].code == "category-excluded"
    monkeypatch.delenv("ACCORD_AGREEMENTS_PATH")
    assert load_index().support().decide("JPN", "KOR", "fuel", "exercise", on).reasons[0].code == (
        "no-agreement"
    )


GSOMIA_EVENTS = """\
events:
  - date: 2019-08-23
    kind: termination-notice
    by: KOR
    takes_effect: 2019-11-23
    sources: [https://example.org/notice]
"""


def test_a_termination_notice_ends_the_agreement_unless_suspended_in_time(tmp_path: Path) -> None:
    # The pattern of the Japan–Korea GSOMIA in 2019: a notice, suspended the day before it
    # would have taken effect, so the agreement stayed in force.
    base = VALID.replace("versions:", GSOMIA_EVENTS + "versions:")
    base = base.replace("signed: 2030-01-10", "signed: 2016-11-23").replace(
        "2030-02-01", "2016-11-23"
    )
    notice_only = parse_file(write(tmp_path, "a.yaml", base))
    assert isinstance(notice_only, Agreement)
    assert effective_end(notice_only) == dt.date(2019, 11, 23)
    suspended = base + ""
    suspended = suspended.replace(
        GSOMIA_EVENTS,
        GSOMIA_EVENTS
        + "  - date: 2019-11-22\n    kind: notice-suspended\n    by: KOR\n"
        + "    sources: [https://example.org/suspension]\n",
    )
    kept = parse_file(write(tmp_path, "b.yaml", suspended))
    assert isinstance(kept, Agreement)
    assert effective_end(kept) is None
    late = suspended.replace("date: 2019-11-22", "date: 2019-11-24")
    ended = parse_file(write(tmp_path, "c.yaml", late))
    assert isinstance(ended, Agreement)
    assert effective_end(ended) == dt.date(2019, 11, 23)
