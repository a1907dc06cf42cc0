"""Helpers for the logistics integration tests (no tests here): a migrated database on each
backend, officials with their keys, and order requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.logistics import signing
from accord.logistics.order_input import OrderRequest, parse_order
from accord.services import ids
from accord.services.logistics import Logistics
from accord.store.migrate import upgrade

D = dt.date(2024, 5, 1)


@dataclass
class Signer:
    id: str
    key: Ed25519PrivateKey

    def sign(self, service: Logistics, ref: str) -> str:
        return signing.sign(self.key, service.signing_bytes(ref))


@pytest.fixture
def books(database_url: str) -> Iterator[Logistics]:
    upgrade(database_url)
    service = Logistics(database_url)
    yield service
    service.close()


def add_signer(
    service: Logistics, official_id: str, nation: str, limits: dict[str, int] | None = None
) -> Signer:
    key = signing.new_private_key()
    service.add_official(
        official_id,
        f"Officer {official_id}",
        nation,
        signing.public_hex(key),
        limits or {"USD": 10**12, "JPY": 10**14, "KRW": 10**14},
        key=ids.uuid7(),
    )
    return Signer(official_id, key)


def request(**overrides: Any) -> OrderRequest:
    data: dict[str, Any] = {
        "requester": {"nation": "USA", "unit": "3d Marine Logistics Group"},
        "supplier": {"nation": "JPN", "unit": "JGSDF Western Army"},
        "situation": "exercise",
        "transaction_type": "sale",
        "reimbursement": "cash",
        "delivery_place": "Camp Hansen, Okinawa",
        "lines": [
            {
                "category": "food",
                "description": "field rations",
                "quantity": 100,
                "unit": "ML",
                "unit_price": "12.50",
                "currency": "USD",
            },
            {
                "category": "fuel",
                "description": "JP-8",
                "quantity": 1000,
                "unit": "LI",
                "unit_price": "0.85",
                "currency": "USD",
            },
        ],
    }
    data.update(overrides)
    return parse_order(data, overrides.get("id") or ids.uuid7(), D)


def signed_order(
    service: Logistics, us: Signer, jp: Signer, on: dt.date = D, **overrides: Any
) -> str:
    result = service.propose(request(**overrides), key=ids.uuid7(), on=on)
    ref = result["order"]["id"]
    service.sign(ref, us.id, us.sign(service, ref), key=ids.uuid7(), on=on)
    service.sign(ref, jp.id, jp.sign(service, ref), key=ids.uuid7(), on=on)
    return str(ref)
