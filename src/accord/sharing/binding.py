"""Binding a label to its content, in the spirit of STANAG 4778: an Ed25519 signature over the
label and a reference to the data object (its SHA-256 digest and size), so that neither the
label nor the content can be changed or swapped without the binding failing to verify.

What is signed is canonical: a domain-separation prefix, then the JSON of the label in its 4774
element names (`labels.to_dict`, keys sorted, no spaces, UTF-8) and of the data reference. A
label read from XML and the same label read from JSON sign and verify the same way; a change of
any label field, or of one byte of the content, does not verify.

The binding is written as JSON (`BindingInformation`, after `application/vnd.nato.
bindingdataobject+json`) or as XML in the 4778 namespace; the signature is Accord's own element,
not XML-DSig or JWS. Pure: keys are given by the caller (see `keys.py`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from accord.errors import BadInput
from accord.sharing.labels import (
    Label,
    MalformedLabel,
    from_dict,
    from_element,
    parse_xml,
    to_dict,
    to_element,
)

DOMAIN = b"accord-label-binding:1\n"
NS = "urn:nato:stanag:4778:bindinginformation:1:0"
_Q = "{" + NS + "}"
ALGORITHM = "Ed25519"
DIGEST = "SHA-256"

ET.register_namespace("bdo", NS)


class MalformedBinding(BadInput):
    code = "malformed-binding"


@dataclass(frozen=True, slots=True)
class DataReference:
    uri: str  # the content's file name, as signed (informative: renaming does not break it)
    digest: bytes  # SHA-256 of the content
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "URI": self.uri,
            "DigestAlgorithm": DIGEST,
            "DigestValue": _b64(self.digest),
            "Size": self.size,
        }


@dataclass(frozen=True, slots=True)
class Signature:
    key_id: str
    public_key: bytes  # raw, 32 bytes
    value: bytes  # 64 bytes


@dataclass(frozen=True, slots=True)
class Binding:
    label: Label
    reference: DataReference
    signature: Signature


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    reason: str  # why not, or what was verified
    key_id: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str, length: int | None = None) -> bytes:
    try:
        data = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedBinding(f"malformed binding: {what} is not base64") from None
    if length is not None and len(data) != length:
        raise MalformedBinding(f"malformed binding: {what} must be {length} bytes")
    return data


def key_id(public_key: bytes) -> str:
    """A short fingerprint of a raw Ed25519 public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def raw_public(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def reference(content: bytes, uri: str) -> DataReference:
    return DataReference(uri, hashlib.sha256(content).digest(), len(content))


def signed_bytes(label: Label, ref: DataReference) -> bytes:
    document = {"Metadata": to_dict(label), "DataReference": ref.as_dict()}
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return DOMAIN + canonical.encode("utf-8")


def sign(
    label: Label,
    content: bytes,
    uri: str,
    private_key: Ed25519PrivateKey,
    public_key: bytes | None = None,
) -> Binding:
    ref = reference(content, uri)
    public = public_key if public_key is not None else raw_public(private_key)
    value = private_key.sign(signed_bytes(label, ref))
    return Binding(label, ref, Signature(key_id(public), public, value))


@lru_cache(maxsize=64)
def _verify_key(raw: bytes) -> VerifyKey:
    # libsodium (PyNaCl) verifies Ed25519 about twice as fast as OpenSSL on the machines
    # measured (docs/benchmarks.md); both implement RFC 8032, and the tests cross-check them.
    return VerifyKey(raw)


def verify(binding: Binding, content: bytes, trusted: dict[str, bytes] | None) -> Verification:
    """Checks, in order: the key is the one its id names and (when `trusted` is given) a trusted
    one; the signature covers this label and data reference; the content is the one referenced."""
    signature = binding.signature
    if key_id(signature.public_key) != signature.key_id:
        return Verification(False, "the key id does not match the public key", signature.key_id)
    if trusted is not None and trusted.get(signature.key_id) != signature.public_key:
        return Verification(
            False,
            f"signed by key {signature.key_id}, which is not a trusted key",
            signature.key_id,
        )
    try:
        _verify_key(signature.public_key).verify(
            signed_bytes(binding.label, binding.reference), signature.value
        )
    except BadSignatureError:
        return Verification(
            False,
            "the signature does not match the label and data reference (the label or the "
            "binding was changed)",
            signature.key_id,
        )
    if len(content) != binding.reference.size:
        return Verification(
            False,
            f"the content is {len(content)} bytes, the bound content {binding.reference.size} "
            "(the content was changed)",
            signature.key_id,
        )
    if hashlib.sha256(content).digest() != binding.reference.digest:
        return Verification(
            False,
            "the content's SHA-256 digest differs from the bound digest (the content was changed)",
            signature.key_id,
        )
    return Verification(True, "label and content are bound by a valid signature", signature.key_id)


# --- JSON -----------------------------------------------------------------------------------


def to_dict_binding(binding: Binding) -> dict[str, Any]:
    return {
        "BindingInformation": {
            "MetadataBinding": {
                "Metadata": to_dict(binding.label),
                "DataReference": binding.reference.as_dict(),
            },
            "Signature": {
                "Algorithm": ALGORITHM,
                "KeyID": binding.signature.key_id,
                "PublicKey": _b64(binding.signature.public_key),
                "Value": _b64(binding.signature.value),
            },
        }
    }


def to_json(binding: Binding) -> str:
    return json.dumps(to_dict_binding(binding), ensure_ascii=False, indent=2) + "\n"


def _get(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise MalformedBinding(f"malformed binding: {where} has no {key}")
    return mapping[key]


def _reference(uri: Any, algorithm: Any, digest: Any, size: Any) -> DataReference:
    if algorithm != DIGEST:
        raise MalformedBinding(
            f"malformed binding: digest algorithm {algorithm!r}; accepted: {DIGEST}"
        )
    try:
        length = int(size)
    except (TypeError, ValueError):
        raise MalformedBinding("malformed binding: Size must be an integer") from None
    return DataReference(str(uri), _unb64(digest, "DigestValue", 32), length)


def _signature(algorithm: Any, key: Any, public: Any, value: Any) -> Signature:
    if algorithm != ALGORITHM:
        raise MalformedBinding(
            f"malformed binding: signature algorithm {algorithm!r}; accepted: {ALGORITHM}"
        )
    return Signature(str(key), _unb64(public, "PublicKey", 32), _unb64(value, "Signature", 64))


def from_json(text: str) -> Binding:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBinding(
            f"malformed binding: not valid JSON: {exc.msg} at line {exc.lineno}"
        ) from None
    except (RecursionError, ValueError):  # nested past Python's stack; a number too long
        raise MalformedBinding(
            "malformed binding: JSON nested too deeply or a number too long"
        ) from None
    info = _get(data, "BindingInformation", "the document")
    bound = _get(info, "MetadataBinding", "BindingInformation")
    ref = _get(bound, "DataReference", "MetadataBinding")
    sig = _get(info, "Signature", "BindingInformation")
    return Binding(
        from_dict(_get(bound, "Metadata", "MetadataBinding")),
        _reference(
            _get(ref, "URI", "DataReference"),
            _get(ref, "DigestAlgorithm", "DataReference"),
            _get(ref, "DigestValue", "DataReference"),
            _get(ref, "Size", "DataReference"),
        ),
        _signature(
            _get(sig, "Algorithm", "Signature"),
            _get(sig, "KeyID", "Signature"),
            _get(sig, "PublicKey", "Signature"),
            _get(sig, "Value", "Signature"),
        ),
    )


# --- XML ------------------------------------------------------------------------------------


def to_xml(binding: Binding) -> str:
    root = ET.Element(_Q + "BindingInformation")
    container = ET.SubElement(root, _Q + "MetadataBindingContainer")
    bound = ET.SubElement(container, _Q + "MetadataBinding")
    ET.SubElement(bound, _Q + "Metadata").append(to_element(binding.label))
    ref = binding.reference
    ET.SubElement(
        bound,
        _Q + "DataReference",
        URI=ref.uri,
        DigestAlgorithm=DIGEST,
        DigestValue=_b64(ref.digest),
        Size=str(ref.size),
    )
    signature = ET.SubElement(
        root,
        _Q + "Signature",
        Algorithm=ALGORITHM,
        KeyID=binding.signature.key_id,
        PublicKey=_b64(binding.signature.public_key),
    )
    signature.text = _b64(binding.signature.value)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_child(element: ET.Element, path: str) -> ET.Element:
    found = element.find(path)
    if found is None:
        raise MalformedBinding(f"malformed binding: no {path.replace(_Q, '')}")
    return found


def from_xml(text: str) -> Binding:
    try:
        root = parse_xml(text)
    except MalformedLabel as exc:
        raise MalformedBinding(str(exc).replace("malformed label", "malformed binding")) from None
    if root.tag != _Q + "BindingInformation":
        raise MalformedBinding(
            f"malformed binding: root element {root.tag!r}; accepted: BindingInformation in "
            f"namespace {NS}"
        )
    bound = _xml_child(root, f"{_Q}MetadataBindingContainer/{_Q}MetadataBinding")
    metadata = list(_xml_child(bound, _Q + "Metadata"))
    if len(metadata) != 1:
        raise MalformedBinding("malformed binding: Metadata must hold exactly one label")
    ref = _xml_child(bound, _Q + "DataReference")
    sig = _xml_child(root, _Q + "Signature")
    return Binding(
        from_element(metadata[0]),
        _reference(
            ref.get("URI", ""), ref.get("DigestAlgorithm"), ref.get("DigestValue"), ref.get("Size")
        ),
        _signature(
            sig.get("Algorithm"), sig.get("KeyID"), sig.get("PublicKey"), (sig.text or "").strip()
        ),
    )


def read_binding(text: str) -> Binding:
    return from_xml(text) if text.lstrip().startswith("<") else from_json(text)


def is_binding(text: str) -> bool:
    """Whether a document is a binding (rather than a bare label)."""
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return "BindingInformation" in stripped[:400]
    return '"BindingInformation"' in stripped[:200]
