"""Signing keys for label bindings: generated on demand, kept in a key folder, never in the
repository.

The folder is `ACCORD_KEYS_DIR`, else `~/.config/accord/keys`. It holds this node's Ed25519
key (`ed25519-signing.pem`, PKCS#8, readable by its owner only) and its public key
(`ed25519-signing.pub.pem`); public keys of other signers that this node trusts go in
`trusted/*.pem`. Verification trusts this node's own key and those.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from accord.errors import BadInput
from accord.sharing.binding import key_id

VARIABLE = "ACCORD_KEYS_DIR"
PRIVATE = "ed25519-signing.pem"
PUBLIC = "ed25519-signing.pub.pem"
TRUSTED = "trusted"


def keys_dir() -> Path:
    configured = os.environ.get(VARIABLE)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / "accord" / "keys"


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def signing_key(folder: Path | None = None) -> tuple[Ed25519PrivateKey, Path, bool]:
    """This node's signing key, its file, and whether it was created just now."""
    folder = folder or keys_dir()
    path = folder / PRIVATE
    if path.exists():
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError, OSError) as exc:
            raise BadInput(f"cannot read the signing key {path}: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise BadInput(f"the signing key {path} is not an Ed25519 key")
        return key, path, False
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        _write_private(path, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        (folder / PUBLIC).write_bytes(
            key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        )
    except FileExistsError:  # another process created it first: use that one
        return signing_key(folder)
    except OSError as exc:
        raise BadInput(f"cannot create a signing key in {folder}: {exc.strerror}") from None
    return key, path, True


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def trusted_keys(folder: Path | None = None) -> dict[str, bytes]:
    """Key id → raw public key, for this node's key and every `trusted/*.pem`."""
    folder = folder or keys_dir()
    found: dict[str, bytes] = {}
    candidates = [folder / PUBLIC, *sorted((folder / TRUSTED).glob("*.pem"))]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            key = load_pem_public_key(path.read_bytes())
        except (ValueError, TypeError, OSError) as exc:
            raise BadInput(f"cannot read the public key {path}: {exc}") from None
        if isinstance(key, Ed25519PublicKey):
            raw = _raw(key)
            found[key_id(raw)] = raw
    return found
