"""Labels in the STANAG 4774 model (XML and JSON round trips, validation against the national
policies) and their Ed25519 binding to content in the spirit of STANAG 4778 (tamper tests)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.sharing import binding as bind
from accord.sharing import labels
from accord.sharing.keys import signing_key, trusted_keys
from accord.sharing.labels import Category, Label, MalformedLabel
from accord.sharing.schemes import LEVELS, SCHEMES

CREATED = dt.datetime(2015, 6, 1, 9, 30, tzinfo=dt.UTC)


def korean_secret() -> Label:
    return labels.make_label("KOR-II", "KOR", CREATED, ("USA", "JPN"), "nk-missile")


# --- the 4774 model -------------------------------------------------------------------------


def test_a_label_carries_policy_classification_categories_originator_and_time() -> None:
    label = korean_secret()
    assert label.policy == SCHEMES["KOR"].policy
    assert label.classification == "KOR-II" and label.originator == "KOR"
    assert label.releasable_to == ("USA", "JPN") and label.topic == "nk-missile"
    xml = labels.to_xml(label)
    assert 'xmlns:slab="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"' in xml
    assert "<slab:Classification>KOR-II</slab:Classification>" in xml
    assert 'TagName="Releasable To" Type="PERMISSIVE"' in xml
    assert "<slab:CreationDateTime>2015-06-01T09:30:00Z</slab:CreationDateTime>" in xml


times = st.datetimes(
    min_value=dt.datetime(1987, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC)
)
nation_lists = st.lists(st.sampled_from(["USA", "JPN", "KOR", "AUS", "GBR"]), unique=True)


@st.composite
def any_label(draw: st.DrawFn) -> Label:
    code = draw(st.sampled_from(sorted(LEVELS)))
    level = LEVELS[code]
    created = draw(times).replace(microsecond=0)
    review = draw(st.none() | st.just(created + dt.timedelta(days=draw(st.integers(0, 9000)))))
    categories = []
    rel = draw(nation_lists)
    if rel:
        categories.append(Category("Releasable To", "PERMISSIVE", tuple(rel)))
    if draw(st.booleans()):
        categories.append(
            Category(
                "Topic",
                "INFORMATIVE",
                (draw(st.sampled_from(["nk-nuclear", "nk-missile", "other"])),),
            )
        )
    if draw(st.booleans()):
        values = draw(
            st.lists(
                st.text("ABCDEFGHIJ-가나다秘", min_size=1, max_size=8).map(str.strip).filter(bool),
                min_size=1,
                max_size=3,
            )
        )
        categories.append(Category("Additional Sensitivity", "RESTRICTIVE", tuple(values), "urn:x"))
    privacy = draw(st.none() | st.sampled_from(["IN CONFIDENCE", "대외비", "取扱注意"]))
    return labels.validate(
        Label(
            policy=SCHEMES[level.nation].policy,
            classification=code,
            originator=level.nation,
            created=created,
            categories=tuple(categories),
            privacy_mark=privacy,
            review=review,
        )
    )


@settings(max_examples=200, deadline=None)
@given(any_label())
def test_xml_round_trip(label: Label) -> None:
    assert labels.from_xml(labels.to_xml(label)) == label


@settings(max_examples=200, deadline=None)
@given(any_label())
def test_json_round_trip(label: Label) -> None:
    assert labels.from_json(labels.to_json(label)) == label


@settings(max_examples=100, deadline=None)
@given(any_label())
def test_xml_to_json_to_xml(label: Label) -> None:
    via_json = labels.from_json(labels.to_json(labels.from_xml(labels.to_xml(label))))
    assert labels.to_xml(via_json) == labels.to_xml(label)


def test_remarking_on_receipt_keeps_the_originator() -> None:
    # Japan–Korea GSOMIA Art. 4(2): the receiver marks the originator's name and its own
    # corresponding classification.
    received = labels.remark(korean_secret(), "JPN-GOKUHI")
    assert received.alternative and received.originator == "KOR"
    assert received.classification == "JPN-GOKUHI" and received.policy == SCHEMES["JPN"].policy
    assert "<slab:alternativeConfidentialityLabel" in labels.to_xml(received)
    assert labels.from_xml(labels.to_xml(received)) == received


def good_xml() -> str:
    return labels.to_xml(korean_secret())


MALFORMED = [
    (good_xml().replace("KOR-II<", "KOR-IV<"), "classification 'KOR-IV' is not in policy"),
    (good_xml().replace("KOR-II<", "JPN-HI<"), "classification 'JPN-HI' is not in policy"),
    (
        good_xml().replace(">KOR</slab:OriginatorID>", ">JPN</slab:OriginatorID>"),
        "must use JPN's policy",
    ),
    (good_xml().replace('Type="PERMISSIVE"', 'Type="OPTIONAL"'), "accepted: PERMISSIVE"),
    (good_xml().replace("2015-06-01T09:30:00Z", "yesterday"), "malformed CreationDateTime"),
    (
        good_xml().replace("<slab:Classification>KOR-II</slab:Classification>", ""),
        "has no Classification",
    ),
    (good_xml().replace("</slab:originatorConfidentialityLabel>", ""), "not valid XML"),
    (good_xml().replace(">USA<", ">XXX<"), "unknown nations: XXX"),
    (good_xml().replace(">nk-missile<", ">weather<"), "unknown topic"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
    ("<x/>", "root element"),
    ('{"ConfidentialityLabel": {}}', "has no ConfidentialityInformation"),
    ("{not json", "not valid JSON"),
    ('{"a": ' * 100_000, "nested too deeply"),  # past Python's stack, not a RecursionError
    ('{"a": ' + "9" * 5000 + "}", "a number too long"),  # past Python's 4,300 digits
    (labels.to_json(korean_secret()).replace('"KOR-II"', '"SECRET"'), "not in policy"),
    (
        labels.to_json(korean_secret()).replace("ROK Military Secret Protection Act", "NATO"),
        "unknown policy 'NATO'",
    ),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_labels_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(MalformedLabel, match=message):
        labels.read_label(text)


# --- the binding --------------------------------------------------------------------------

KEY = Ed25519PrivateKey.generate()
PUBLIC = bind.raw_public(KEY)
TRUSTED = {bind.key_id(PUBLIC): PUBLIC}
CONTENT = bytes(range(256)) * 4  # 1 KiB


def bound() -> bind.Binding:
    return bind.sign(korean_secret(), CONTENT, "report.bin", KEY)


@pytest.mark.parametrize("syntax", ["json", "xml"])
def test_a_binding_verifies_after_a_round_trip(syntax: str) -> None:
    text = bind.to_json(bound()) if syntax == "json" else bind.to_xml(bound())
    again = bind.read_binding(text)
    assert again == bound()  # Ed25519 signatures are deterministic
    result = bind.verify(again, CONTENT, TRUSTED)
    assert result.valid, result.reason


@pytest.mark.parametrize("position", [0, 511, 1023])
def test_flipping_one_byte_of_content_fails(position: int) -> None:
    changed = bytearray(CONTENT)
    changed[position] ^= 0x01
    result = bind.verify(bound(), bytes(changed), TRUSTED)
    assert not result.valid
    assert "the content was changed" in result.reason


def test_appending_to_the_content_fails() -> None:
    result = bind.verify(bound(), CONTENT + b"\n", TRUSTED)
    assert not result.valid and "content was changed" in result.reason


LABEL_EDITS = [
    ('"Classification": "KOR-II"', '"Classification": "KOR-III"'),
    ('"USA",\n', '"USA",\n                  "AUS",\n'),
    ('"nk-missile"', '"nk-nuclear"'),
    ('"2015-06-01T09:30:00Z"', '"2015-06-02T09:30:00Z"'),
    ('"ReviewDateTime": null', '"ReviewDateTime": "2040-01-01T00:00:00Z"'),
    ('"URI": "report.bin"', '"URI": "other.bin"'),
]


@pytest.mark.parametrize(("old", "new"), LABEL_EDITS)
def test_changing_one_label_field_fails(old: str, new: str) -> None:
    text = bind.to_json(bound())
    assert old in text
    tampered = bind.read_binding(text.replace(old, new, 1))
    result = bind.verify(tampered, CONTENT, TRUSTED)
    assert not result.valid
    assert "the label or the binding was changed" in result.reason


def test_changing_a_label_field_in_xml_fails() -> None:
    text = bind.to_xml(bound()).replace(">KOR-II<", ">KOR-III<")
    result = bind.verify(bind.read_binding(text), CONTENT, TRUSTED)
    assert not result.valid and "label or the binding was changed" in result.reason


def test_a_flipped_signature_bit_fails() -> None:
    original = bound()
    value = bytearray(original.signature.value)
    value[10] ^= 0x80
    forged = bind.Binding(
        original.label,
        original.reference,
        bind.Signature(original.signature.key_id, original.signature.public_key, bytes(value)),
    )
    assert not bind.verify(forged, CONTENT, TRUSTED).valid


def test_a_binding_re_signed_by_another_key_is_not_trusted() -> None:
    other = bind.sign(
        labels.make_label("KOR-III", "KOR", CREATED),
        CONTENT,
        "report.bin",
        Ed25519PrivateKey.generate(),
    )
    result = bind.verify(other, CONTENT, TRUSTED)
    assert not result.valid and "not a trusted key" in result.reason
    assert bind.verify(other, CONTENT, None).valid  # integrity alone holds


def test_a_swapped_public_key_with_the_old_key_id_fails() -> None:
    original = bound()
    attacker = bind.raw_public(Ed25519PrivateKey.generate())
    swapped = bind.Binding(
        original.label,
        original.reference,
        bind.Signature(original.signature.key_id, attacker, original.signature.value),
    )
    result = bind.verify(swapped, CONTENT, TRUSTED)
    assert not result.valid and "key id does not match" in result.reason


BINDING_MALFORMED = [
    ("{", "not valid JSON"),
    ("[" * 100_000, "nested too deeply"),
    ('{"BindingInformation": {}}', "has no MetadataBinding"),
    ("<nope/>", "root element"),
]


@pytest.mark.parametrize(("text", "message"), BINDING_MALFORMED)
def test_malformed_bindings_are_refused(text: str, message: str) -> None:
    with pytest.raises(bind.MalformedBinding, match=message):
        bind.read_binding(text)


def test_a_signature_that_is_not_base64_is_malformed() -> None:
    data = json.loads(bind.to_json(bound()))
    data["BindingInformation"]["Signature"]["Value"] = "!!!"
    with pytest.raises(bind.MalformedBinding, match="not base64"):
        bind.read_binding(json.dumps(data))
    data["BindingInformation"]["Signature"]["Value"] = base64.b64encode(b"short").decode()
    with pytest.raises(bind.MalformedBinding, match="64 bytes"):
        bind.read_binding(json.dumps(data))


# --- keys ---------------------------------------------------------------------------------


def test_keys_are_generated_on_demand_private_to_their_owner(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    key, path, created = signing_key(folder)
    assert created and path == folder / "ed25519-signing.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again, _, created_again = signing_key(folder)
    assert not created_again
    assert bind.raw_public(again) == bind.raw_public(key)
    assert list(trusted_keys(folder).values()) == [bind.raw_public(key)]


def test_trusted_keys_include_the_trusted_folder(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    folder = tmp_path / "keys"
    signing_key(folder)
    (folder / "trusted").mkdir()
    partner = Ed25519PrivateKey.generate().public_key()
    (folder / "trusted" / "jpn.pem").write_bytes(
        partner.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    assert len(trusted_keys(folder)) == 2


def test_signatures_are_plain_rfc_8032_ed25519_in_both_libraries() -> None:
    # Signed with OpenSSL (cryptography), verified with libsodium (PyNaCl) in `verify`; check
    # the signature with OpenSSL too, and one made by libsodium with `verify`.
    import nacl.signing

    original = bound()
    message = bind.signed_bytes(original.label, original.reference)
    KEY.public_key().verify(original.signature.value, message)  # raises if invalid
    sodium = nacl.signing.SigningKey.generate()
    public = bytes(sodium.verify_key)
    by_sodium = bind.Binding(
        original.label,
        original.reference,
        bind.Signature(bind.key_id(public), public, sodium.sign(message).signature),
    )
    assert bind.verify(by_sodium, CONTENT, {bind.key_id(public): public}).valid
