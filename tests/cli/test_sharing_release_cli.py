"""`accord check release` and `accord labels translate`, run as a user runs them: the installed
command in a subprocess (CONTRACT.md: JSON shape, reason codes, exit status)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ACCORD = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


def accord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACCORD, *args], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )


def release(*args: str) -> dict[str, object]:
    result = accord("check", "release", *args, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    answer = json.loads(result.stdout)
    assert isinstance(answer, dict)
    return answer


KOREAN_SECRET_MISSILE_REPORT = (
    "--from",
    "KOR",
    "--to",
    "JPN",
    "--level",
    "KOR-II",
    "--topic",
    "nk-missile",
)


def test_2015_a_korean_secret_reaches_japan_only_through_the_us() -> None:
    # TISA para 4 (https://spark946.org/data/nuri?board_code=3&code=21347&tpf=board%2Fview)
    answer = release(*KOREAN_SECRET_MISSILE_REPORT, "--on", "2015-06-01")
    assert answer["allowed"] is False
    assert answer["question"] == {
        "from": "KOR",
        "to": "JPN",
        "level": "KOR-II",
        "topic": "nk-missile",
        "originator": "KOR",
        "originator_consent": False,
        "on": "2015-06-01",
    }
    reasons = answer["reasons"]
    assert isinstance(reasons, list)
    assert reasons[0]["code"] == "route-required"
    assert reasons[0]["agreement"] == "jpn-kor-usa-tisa-2014"
    assert reasons[0]["clause"] and reasons[0]["sources"]
    assert answer["routes"] == [["KOR", "USA", "JPN"]]
    assert answer["route_markings"] == [["KOR-II", "SECRET", "JPN-GOKUHI"]]


def test_2017_directly_under_the_gsomia_marked_gokuhi() -> None:
    # Japan–Korea GSOMIA Art. 4(2)
    answer = release(*KOREAN_SECRET_MISSILE_REPORT, "--on", "2017-01-01")
    assert answer["allowed"] is True
    [permitted] = answer["reasons"]  # type: ignore[misc]
    assert permitted["code"] == "permitted"
    assert permitted["agreement"] == "jpn-kor-gsomia-2016"
    assert permitted["clause"] == "Art. 4"
    assert answer["routes"] == []
    assert answer["marking"] == "JPN-GOKUHI"


def test_2014_12_28_no_agreement_no_route() -> None:
    answer = release(*KOREAN_SECRET_MISSILE_REPORT, "--on", "2014-12-28")
    assert answer["allowed"] is False
    assert answer["reasons"][0]["code"] == "no-agreement"  # type: ignore[index]
    assert answer["routes"] == []


def test_the_us_needs_korean_consent_to_pass_korean_information_to_japan() -> None:
    question = (
        "--from",
        "USA",
        "--to",
        "JPN",
        "--level",
        "KOR-II",
        "--topic",
        "nk-missile",
        "--originator",
        "KOR",
        "--on",
        "2015-06-01",
    )
    without = release(*question)
    assert without["allowed"] is False
    assert without["reasons"][0]["code"] == "originator-consent-required"  # type: ignore[index]
    with_consent = release(*question, "--originator-consent")
    assert with_consent["allowed"] is True
    assert with_consent["reasons"][0]["code"] == "permitted"  # type: ignore[index]
    assert with_consent["question"]["originator_consent"] is True  # type: ignore[index]


@pytest.mark.parametrize("to", ["USA", "JPN"])
def test_korean_first_grade_secrets_go_nowhere(to: str) -> None:
    answer = release(
        "--from",
        "KOR",
        "--to",
        to,
        "--level",
        "KOR-I",
        "--topic",
        "nk-missile",
        "--on",
        "2020-01-01",
    )
    assert answer["allowed"] is False
    assert answer["reasons"][0]["code"] == "level-not-covered"  # type: ignore[index]


def test_an_english_level_is_read_in_the_originators_scheme() -> None:
    answer = release(
        "--from",
        "kor",
        "--to",
        "jpn",
        "--level",
        "SECRET",
        "--topic",
        "NK-MISSILE",
        "--on",
        "2017-01-01",
    )
    assert answer["question"]["level"] == "KOR-II"  # type: ignore[index]
    assert answer["allowed"] is True


def test_the_human_answer_shows_route_and_markings() -> None:
    result = accord("check", "release", *KOREAN_SECRET_MISSILE_REPORT, "--on", "2015-06-01")
    assert result.returncode == 0, result.stderr
    assert "DENIED" in result.stdout and "route-required" in result.stdout
    assert "KOR → USA → JPN" in result.stdout
    assert "KOR-II → SECRET → JPN-GOKUHI" in result.stdout


def test_translate_kor_ii_to_japan_in_2017() -> None:
    result = accord(
        "labels", "translate", "--level", "KOR-II", "--to", "JPN", "--on", "2017-01-01", "--json"
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["marking"] == "JPN-GOKUHI"
    assert answer["equivalent"] == "secret"
    assert answer["agreement"] == "jpn-kor-gsomia-2016"
    assert answer["reasons"] and answer["reasons"][0]["sources"]


def test_translate_a_level_never_shared_gives_null() -> None:
    result = accord(
        "labels", "translate", "--level", "KOR-I", "--to", "JPN", "--on", "2017-01-01", "--json"
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["marking"] is None
    assert answer["reasons"][0]["code"] == "level-not-covered"


def test_translate_there_and_back() -> None:
    there = json.loads(
        accord(
            "labels",
            "translate",
            "--level",
            "JPN-TOKUTEI",
            "--to",
            "KOR",
            "--on",
            "2017-01-01",
            "--json",
        ).stdout
    )
    back = json.loads(
        accord(
            "labels",
            "translate",
            "--level",
            there["marking"],
            "--to",
            "JPN",
            "--on",
            "2017-01-01",
            "--json",
        ).stdout
    )
    assert (there["marking"], back["marking"]) == ("KOR-II", "JPN-GOKUHI")


BAD = [
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "JPN",
            "--level",
            "KOR-IV",
            "--topic",
            "nk-missile",
        ],
        "KOR-IV",
    ),
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "JPN",
            "--level",
            "JPN-HI",
            "--topic",
            "nk-missile",
        ],
        "JPN-HI",
    ),
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "XXX",
            "--level",
            "KOR-II",
            "--topic",
            "nk-missile",
        ],
        "XXX",
    ),
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "JPN",
            "--level",
            "KOR-II",
            "--topic",
            "weather",
        ],
        "weather",
    ),
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "JPN",
            "--level",
            "KOR-II",
            "--topic",
            "nk-missile",
            "--on",
            "2015-02-30",
        ],
        "2015-02-30",
    ),
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "KOR",
            "--level",
            "KOR-II",
            "--topic",
            "nk-missile",
        ],
        "KOR",
    ),
    (
        [
            "check",
            "release",
            "--from",
            "KOR",
            "--to",
            "JPN",
            "--level",
            "KOR-II",
            "--topic",
            "nk-missile",
            "--originator",
            "ATA",
        ],
        "ATA",
    ),
    (["labels", "translate", "--level", "KOR-IV", "--to", "JPN"], "KOR-IV"),
    (["labels", "translate", "--level", "KOR-II", "--to", "KOR"], "KOR"),
    (["labels", "translate", "--level", "KOR-II", "--to", "AUS"], "AUS"),
]


@pytest.mark.parametrize(("args", "named"), BAD)
def test_bad_input_is_one_line_exit_2(args: list[str], named: str) -> None:
    result = accord(*args)
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert named in result.stderr and "Traceback" not in result.stderr
