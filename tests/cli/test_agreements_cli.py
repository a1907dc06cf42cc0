"""The `accord check support` and `accord agreements` commands, run as a user runs them: the
installed command in a subprocess (CONTRACT.md: vocabulary, JSON shape, exit status)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ACCORD = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


def accord(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACCORD, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def support(*extra: str) -> list[str]:
    return ["check", "support", *extra]


def test_japan_could_not_fuel_a_korean_ship_in_april_2015() -> None:
    result = accord(
        *support("--from", "jpn", "--to", "KOR", "--category", "FUEL", "--situation", "exercise"),
        "--on",
        "2015-04-13",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["allowed"] is False
    assert answer["question"] == {
        "from": "JPN",
        "to": "KOR",
        "category": "fuel",
        "situation": "exercise",
        "on": "2015-04-13",
    }
    assert answer["routes"] == []
    first = answer["reasons"][0]
    assert first["code"] == "no-agreement"
    assert first["message"] == (
        "No agreement between JPN and KOR covers logistic support on 2015-04-13."
    )
    assert first["agreement"] is None and first["clause"] is None and first["sources"] == []


def test_an_approval_names_agreement_clause_and_sources() -> None:
    result = accord(
        *support("--from", "JPN", "--to", "USA", "--category", "fuel", "--situation", "exercise"),
        "--on",
        "2015-04-13",
        "--json",
    )
    answer = json.loads(result.stdout)
    assert answer["allowed"] is True
    [permitted] = answer["reasons"]
    assert permitted["code"] == "permitted"
    assert permitted["agreement"] == "jpn-usa-acsa-1996"
    assert permitted["clause"]
    assert all(s.startswith("http") for s in permitted["sources"]) and permitted["sources"]


def test_the_human_answer_says_denied_and_why() -> None:
    result = accord(
        *support("--from", "JPN", "--to", "KOR", "--category", "fuel", "--situation", "exercise"),
        "--on",
        "2015-04-13",
    )
    assert result.returncode == 0
    assert "DENIED" in result.stdout and "no-agreement" in result.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "JPX", "--to", "KOR", "--category", "fuel", "--situation", "exercise"], "JPX"),
        (["--from", "JPN", "--to", "KOR", "--category", "gas", "--situation", "exercise"], "gas"),
        (["--from", "JPN", "--to", "KOR", "--category", "fuel", "--situation", "war"], "war"),
        (
            [
                "--from",
                "JPN",
                "--to",
                "KOR",
                "--category",
                "fuel",
                "--situation",
                "exercise",
                "--on",
                "2015-02-30",
            ],
            "2015-02-30",
        ),
        (["--from", "JPN", "--to", "JPN", "--category", "fuel", "--situation", "exercise"], "JPN"),
        (["--to", "KOR", "--category", "fuel", "--situation", "exercise"], "--from"),
    ],
)
def test_bad_input_gives_exit_2_and_one_line_naming_the_value(args: list[str], named: str) -> None:
    result = accord(*support(*args), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unknown_category_lists_what_is_accepted() -> None:
    result = accord(
        *support("--from", "JPN", "--to", "KOR", "--category", "gas", "--situation", "exercise")
    )
    assert "accepted: food, water" in result.stderr


def test_list_json_has_the_contract_fields_and_status_on_the_date() -> None:
    result = accord("agreements", "list", "--on", "2015-04-13", "--party", "JPN", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    for row in rows.values():
        assert {
            "id",
            "kind",
            "parties",
            "title",
            "signed",
            "in_force",
            "ended",
            "status",
            "sources",
        } <= set(row)
        assert "JPN" in row["parties"]
    assert rows["jpn-usa-acsa-1996"]["status"] == "in-force"
    assert rows["jpn-usa-acsa-1996"]["ended"] == "2017-04-25"
    assert rows["jpn-usa-acsa-2016"]["status"] == "not-yet-signed"


def test_show_prints_one_agreement_and_refuses_an_unknown_id() -> None:
    shown = accord("agreements", "show", "jpn-usa-acsa-2016", "--json")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["replaces"] == "jpn-usa-acsa-1996"
    missing = accord("agreements", "show", "no-such-thing")
    assert missing.returncode == 2
    assert "no-such-thing" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1


def test_network_on_2015_links_the_us_to_both_allies_but_not_japan_to_korea() -> None:
    result = accord("agreements", "network", "--on", "2015-04-13", "--format", "json")
    net = json.loads(result.stdout)
    pairs = {tuple(link["parties"]) for link in net["links"] if link["kind"] == "acsa"}
    assert ("JPN", "USA") in pairs and ("KOR", "USA") in pairs
    assert ("JPN", "KOR") not in pairs
    dot = accord("agreements", "network", "--on", "2015-04-13", "--format", "dot").stdout
    assert dot.startswith("graph accord {") and '"JPN" -- "USA"' in dot


def test_network_svg_is_a_drawing_of_the_nations() -> None:
    result = accord("agreements", "network", "--on", "2015-04-13", "--format", "svg")
    root = ET.fromstring(result.stdout)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"USA", "JPN", "KOR"} <= labels
    assert "no ACSA" in labels  # the missing Japan–Korea link is drawn as such


def test_validate_reports_file_and_line_and_exits_1(tmp_path: Path) -> None:
    good = Path(__file__).parents[2] / "src/accord/agreements/reference"
    ok = accord("agreements", "validate", str(good))
    assert ok.returncode == 0, ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nkind: acsa\nparties: [JPN, KOX]\n", encoding="utf-8")
    result = accord("agreements", "validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: parties: unknown nation 'KOX'" in result.stdout


def test_a_broken_agreement_file_on_the_search_path_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = accord(
        *support("--from", "JPN", "--to", "KOR", "--category", "fuel", "--situation", "exercise"),
        env={"ACCORD_AGREEMENTS_PATH": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "broken.yaml:" in result.stderr and "Traceback" not in result.stderr
