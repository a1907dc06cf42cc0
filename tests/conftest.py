"""Shared fixtures: a fresh database per test on SQLite and, where a server is available, on
PostgreSQL (ACCORD_TEST_POSTGRES_URL, started by `make test`; ACCORD_REQUIRE_POSTGRES=1 makes
its absence a failure instead of a skip), and an isolated cache folder for the agreement index.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def _postgres_admin_url() -> str | None:
    url = os.environ.get("ACCORD_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("ACCORD_REQUIRE_POSTGRES") == "1":
        pytest.fail("ACCORD_REQUIRE_POSTGRES=1 but ACCORD_TEST_POSTGRES_URL is not set")
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accord.db'}"
        return
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL server (set ACCORD_TEST_POSTGRES_URL, or run `make test`)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
