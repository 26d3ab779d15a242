"""Fixtures shared by the whole suite: the repo, configs, and real databases.

``db_url`` runs a test on SQLite *and* on PostgreSQL (a fresh database on 127.0.0.1:5432 per
test, dropped afterwards); the PostgreSQL case skips with the reason when no server answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PG_ADMIN_URL = os.environ.get("NMS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_available() -> str | None:
    """None when PostgreSQL answers, else why not (the skip reason)."""
    try:
        with _pg_admin() as conn:
            conn.execute("select 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture
def pg_url(pg_available: str | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    if pg_available:
        pytest.skip(pg_available)
    name = f"nms_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded SQLite store and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nms.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def make_config(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a config.yaml (dict merged over a small valid base) and return its path."""

    def make(extra: dict | None = None, *, name: str = "config.yaml") -> Path:
        data: dict = {
            "data_dir": str(tmp_path / "data"),
            "auths": {"lab-snmp": {"type": "snmp", "version": "2c", "community": "test-ro"}},
            "default_snmp_auth": "lab-snmp",
        }
        for key, value in (extra or {}).items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return make
