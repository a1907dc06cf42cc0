"""`accord labels sign|verify|show`, run as a user runs them (subprocess), with a key folder of
the test's own (ACCORD_KEYS_DIR): exit 0 when valid, exit 2 with one line on any tampering or
malformed file, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ACCORD = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    return tmp_path / "keys"


def accord(keys: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_KEYS_DIR": str(keys)}
    return subprocess.run(
        [ACCORD, *args], capture_output=True, text=True, timeout=60, env=env, cwd=cwd
    )


def one_line_refusal(result: subprocess.CompletedProcess[str], *named: str) -> None:
    assert result.returncode == 2, result
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in named:
        assert text in result.stderr, result.stderr


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "launch-report.txt"
    path.write_bytes(("North Korean missile launch, 05:40 KST. " * 25).encode()[:1024])
    return path


def sign(keys: Path, report: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = accord(
        keys,
        "labels",
        "sign",
        str(report),
        "--level",
        "KOR-II",
        "--releasable-to",
        "USA,JPN",
        "--topic",
        "nk-missile",
        *extra,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_sign_creates_a_key_says_where_and_verify_accepts(keys: Path, report: Path) -> None:
    result = sign(keys, report)
    assert str(keys / "ed25519-signing.pem") in result.stdout and "created now" in result.stdout
    assert (keys / "ed25519-signing.pem").exists()
    binding = Path(f"{report}.bdo.json")
    assert binding.exists()
    verified = accord(keys, "labels", "verify", str(report))
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("valid: KOR-II (군사Ⅱ급비밀), originator KOR")
    second = sign(keys, report)
    assert "existing" in second.stdout


def test_verify_json(keys: Path, report: Path) -> None:
    sign(keys, report)
    result = accord(keys, "labels", "verify", str(report), "--json")
    answer = json.loads(result.stdout)
    assert answer["valid"] is True
    assert (
        answer["label"]["ConfidentialityLabel"]["ConfidentialityInformation"]["Classification"]
        == "KOR-II"
    )


def test_one_flipped_byte_of_content_is_refused(keys: Path, report: Path) -> None:
    sign(keys, report)
    data = bytearray(report.read_bytes())
    data[100] ^= 0x20
    report.write_bytes(bytes(data))
    result = accord(keys, "labels", "verify", str(report))
    one_line_refusal(result, "does not verify", "content was changed")


def test_a_changed_label_field_is_refused(keys: Path, report: Path) -> None:
    sign(keys, report)
    binding = Path(f"{report}.bdo.json")
    binding.write_text(binding.read_text().replace('"KOR-II"', '"KOR-III"'), encoding="utf-8")
    result = accord(keys, "labels", "verify", str(report))
    one_line_refusal(result, "does not verify", "label or the binding was changed")


def test_xml_bindings_verify_and_detect_tampering(keys: Path, report: Path) -> None:
    sign(keys, report, "--format", "xml")
    binding = Path(f"{report}.bdo.xml")
    ok = accord(keys, "labels", "verify", str(report), "--binding", str(binding))
    assert ok.returncode == 0, ok.stderr
    binding.write_text(binding.read_text().replace(">JPN<", ">AUS<"), encoding="utf-8")
    bad = accord(keys, "labels", "verify", str(report), "--binding", str(binding))
    one_line_refusal(bad, "label or the binding was changed")


def test_a_binding_by_an_unknown_key_is_refused(tmp_path: Path, keys: Path, report: Path) -> None:
    sign(tmp_path / "someone-else", report)
    result = accord(keys, "labels", "verify", str(report))
    one_line_refusal(result, "not a trusted key")
    trusted = accord(
        keys,
        "labels",
        "verify",
        str(report),
        "--trust",
        str(tmp_path / "someone-else" / "ed25519-signing.pub.pem"),
    )
    assert trusted.returncode == 0, trusted.stderr


def test_show_converts_between_xml_and_json(keys: Path, report: Path, tmp_path: Path) -> None:
    sign(keys, report)
    as_xml = accord(keys, "labels", "show", f"{report}.bdo.json", "--format", "xml")
    assert as_xml.returncode == 0, as_xml.stderr
    (tmp_path / "b.xml").write_text(as_xml.stdout, encoding="utf-8")
    back = accord(keys, "labels", "show", str(tmp_path / "b.xml"), "--format", "json")
    assert json.loads(back.stdout) == json.loads(Path(f"{report}.bdo.json").read_text())
    verified = accord(keys, "labels", "verify", str(report), "--binding", str(tmp_path / "b.xml"))
    assert verified.returncode == 0, verified.stderr
    text = accord(keys, "labels", "show", f"{report}.bdo.json")
    assert "KOR-II" in text.stdout and "Releasable To (permissive): USA, JPN" in text.stdout


def test_sign_with_a_label_file(keys: Path, report: Path, tmp_path: Path) -> None:
    sign(keys, report)
    binding = json.loads(Path(f"{report}.bdo.json").read_text())
    label_json = tmp_path / "label.json"
    label_json.write_text(
        json.dumps(binding["BindingInformation"]["MetadataBinding"]["Metadata"]), encoding="utf-8"
    )
    label_xml = tmp_path / "label.xml"
    label_xml.write_text(
        accord(keys, "labels", "show", str(label_json), "--format", "xml").stdout,
        encoding="utf-8",
    )
    assert "<slab:originatorConfidentialityLabel" in label_xml.read_text()
    out = tmp_path / "x.bdo.json"
    result = accord(
        keys, "labels", "sign", str(report), "--label", str(label_xml), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    ok = accord(keys, "labels", "verify", str(report), "--binding", str(out))
    assert ok.returncode == 0, ok.stderr


BAD_LABELS = [
    ("<slab:x", "not valid XML"),
    ('{"ConfidentialityLabel": 3}', "has no ConfidentialityInformation"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
]


@pytest.mark.parametrize(("text", "message"), BAD_LABELS)
def test_malformed_label_files_are_one_line_exit_2(
    keys: Path, report: Path, tmp_path: Path, text: str, message: str
) -> None:
    label = tmp_path / "bad-label"
    label.write_text(text, encoding="utf-8")
    one_line_refusal(accord(keys, "labels", "show", str(label)), message)
    one_line_refusal(accord(keys, "labels", "sign", str(report), "--label", str(label)), message)
    assert not Path(f"{report}.bdo.json").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--level", "KOR-IV"], "KOR-IV"),
        (["--level", "JPN-HI", "--originator", "KOR"], "JPN-HI"),
        (["--level", "KOR-II", "--releasable-to", "USA,XXX"], "XXX"),
        (["--level", "KOR-II", "--topic", "weather"], "weather"),
        ([], "--level"),
    ],
)
def test_bad_sign_options_are_one_line_exit_2(
    keys: Path, report: Path, args: list[str], named: str
) -> None:
    one_line_refusal(accord(keys, "labels", "sign", str(report), *args), named)
    assert not Path(f"{report}.bdo.json").exists()


def test_missing_files_are_one_line_exit_2(keys: Path, tmp_path: Path) -> None:
    one_line_refusal(accord(keys, "labels", "verify", str(tmp_path / "nope")), "nope")
    one_line_refusal(accord(keys, "labels", "show", str(tmp_path / "nope")), "nope")
