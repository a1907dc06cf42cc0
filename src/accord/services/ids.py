"""Ids made by the caller: UUIDv7 (RFC 9562), time-ordered and random, as text.

A retried command must carry the same ids; the command line derives them from the idempotency
key when one is given (`derived`), so that a retry with the same key is the same request.
"""

from __future__ import annotations

import os
import time
import uuid

_NAMESPACE = uuid.UUID("6f1c5a52-3c1b-4b8e-9a53-9d0b8a1c2e77")


def uuid7() -> str:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= (rand >> 68) << 64  # 12 bits rand_a
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # 62 bits rand_b
    return str(uuid.UUID(int=value))


def derived(key: str, purpose: str) -> str:
    """A stable id for `purpose` within the command whose idempotency key is `key`."""
    return str(uuid.uuid5(_NAMESPACE, f"{purpose}\n{key}"))


def new_key() -> str:
    return uuid7()
