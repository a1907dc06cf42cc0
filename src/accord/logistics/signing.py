"""Ed25519 keys and signatures over the canonical order.

An ACSA order binds only when both parties' authorized officials have signed it (DODIG-2016-067;
DODIG-2020-096). Each official signs the same bytes: a fixed prefix and the order's canonical
JSON (sorted keys, no insignificant whitespace, UTF-8), so a signature made on one node verifies
on the other.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import VerifyKey

from accord.errors import BadInput
from accord.logistics.errors import InvalidSignature

SIGNING_PREFIX = b"accord-order-v1\n"


def message(canonical: bytes) -> bytes:
    return SIGNING_PREFIX + canonical


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_pem(data: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise BadInput("the private key file is not an unencrypted PEM Ed25519 key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput("the private key file holds a key that is not Ed25519")
    return key


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def fingerprint(public_key_hex: str) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, canonical: bytes) -> str:
    return base64.b64encode(key.sign(message(canonical))).decode("ascii")


@lru_cache(maxsize=256)
def _verify_key(public_key_hex: str) -> VerifyKey:
    # libsodium (PyNaCl) verifies Ed25519 in about half the time OpenSSL takes here (72 µs
    # against 149 µs; an import of a million lines verifies thousands of signatures); both
    # implement RFC 8032, libsodium also refusing non-canonical signatures and small-order
    # keys, which no signer of Accord's makes. Keys are made, and orders signed, with
    # `cryptography`, whose PEM files `accord officials` reads and writes.
    return VerifyKey(bytes.fromhex(public_key_hex))


def verify(public_key_hex: str, signature_b64: str, canonical: bytes) -> None:
    """Raise InvalidSignature unless the signature is the key holder's over these bytes."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        _verify_key(public_key_hex).verify(message(canonical), signature)
    except (BadSignatureError, CryptoError, ValueError, TypeError):
        raise InvalidSignature(
            "the signature does not verify against the official's public key over this order"
        ) from None
