"""Fixtures of the console tests (flaskr style): ``app``, ``client``, signed-in clients.

One SQLite database is built per test session (migrated, the lab-like inventory of
``fixtures/inventory.yaml`` imported, one account per role) and copied for each test, so a
test may change anything. Accounts use a fast pbkdf2 hash; one test checks the scrypt default.
The time-series sink is the real memory sink (``sink.type: memory``).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from nms.config import Config, load_config_data

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "Test-Passw0rd!"
FAST_HASH = "pbkdf2:sha256:1000"
COMMUNITY = "s3cret-community-ro"

#: username -> (role, scope site code)
USERS: dict[str, tuple[str, str | None]] = {
    "admin": ("administrator", None),
    "engineer": ("network_engineer", None),
    "auditor": ("security_auditor", None),
    "viewer": ("report_viewer", None),
    "secadmin": ("security_admin", None),
    "auditadmin": ("audit_admin", None),
    "county_a": ("network_engineer", "county-a"),
    "county_a_secadmin": ("security_admin", "county-a"),
}
COUNTY_A_DEVICES = {"ca-r1", "ta1-sw1", "ta2-sw1"}
ALL_DEVICES = {"city-core-1", "city-fw-1", "ca-r1", "cb-r1", "ta1-sw1", "ta2-sw1", "tb1-sw1",
               "tb2-sw1"}


def config_data(base: Path, **web: Any) -> dict[str, Any]:
    """A config mapping for a test living in ``base``."""
    return {
        "data_dir": str(base / "data"),
        "auths": {"lab-snmp": {"type": "snmp", "version": "2c", "community": COMMUNITY}},
        "default_snmp_auth": "lab-snmp",
        "sink": {"type": "memory"},
        "web": {"secret_key": "test-secret-key-0123456789abcdef", **web},
    }


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding the fixture inventory and one account per role."""
    import web.models  # noqa: F401 - register the tables
    from inventory.io import import_file
    from inventory.models import Site
    from nms.db import make_engine, migrate, session_scope
    from web.models import User
    from web.security import hash_password

    path = tmp_path_factory.mktemp("template") / "nms.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, FIXTURES / "inventory.yaml", auth_names={"lab-snmp"})
        sites = {s.code: s.id for s in session.query(Site)}
        for name, (role, site) in USERS.items():
            session.add(User(username=name, full_name=None, role=role,
                             site_id=sites[site] if site else None,
                             password_hash=hash_password(PASSWORD, FAST_HASH),
                             active=True, failed_attempts=0))
    engine.dispose()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def make_app(tmp_path: Path, template_db: Path) -> Callable[..., Flask]:
    """Build an app on a fresh copy of the template database; keyword args go to ``web:``."""

    def make(**web: Any) -> Flask:
        from web import create_app

        (tmp_path / "data").mkdir(exist_ok=True)
        db = tmp_path / "data" / "nms.db"
        if not db.exists():
            shutil.copy(template_db, db)
        config = load_config_data(config_data(tmp_path, **web), base_dir=tmp_path)
        return create_app(config, {"TESTING": True, "NMS_PASSWORD_METHOD": FAST_HASH})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The console on a copy of the fixture database."""
    return make_app()


@pytest.fixture
def config(app: Flask) -> Config:
    """The app's loaded config."""
    return app.extensions["nms"].config  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous browser."""
    return app.test_client()


def csrf_of(client: FlaskClient) -> str:
    """The CSRF token of the client's session (visit the login page first if it has none)."""
    with client.session_transaction() as sess:
        token = sess.get("csrf_token")
    if not token:
        page = client.get("/auth/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return str(token)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Sign in through the real form (CSRF token included)."""
    token = csrf_of(client)
    return client.post("/auth/login", data={"username": username, "password": password,
                                            "csrf_token": token})


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> TestResponse:
    """POST a form with the session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(client)}, **kw)


@pytest.fixture
def as_user(app: Flask) -> Callable[[str], FlaskClient]:
    """A new client signed in as the named fixture account."""

    def make(username: str) -> FlaskClient:
        c = app.test_client()
        resp = login(c, username)
        assert resp.status_code == 302, resp.text
        return c

    return make


@pytest.fixture
def db_session(app: Flask) -> Iterator[Any]:
    """A session on the app's database (for checking what a request wrote)."""
    session = app.extensions["nms"].sessions()
    try:
        yield session
    finally:
        session.close()


def token_for(db_session: Any, username: str, **kw: Any) -> str:
    """A fresh API token of a fixture account (stored hashed, as ``nms user token`` does)."""
    from sqlalchemy import select

    from web.models import ApiToken, User
    from web.security import new_token, token_digest

    secret = new_token()
    user = db_session.scalar(select(User).where(User.username == username))
    db_session.add(ApiToken(user=user, name="test", token_hash=token_digest(secret),
                            prefix=secret[:12], revoked=False, **kw))
    db_session.commit()
    return secret


def raise_alarms(app: Flask, events: list[tuple[str, str, str, str, str, str]]) -> list[int]:
    """Raise alarms through ``nms.alarms`` (check, device, subject, severity, reason en, zh).

    Returns:
        The new alarms' ids, in the order given.
    """
    from nms.alarms import AlarmManager, Event
    from nms.models import Severity

    manager = AlarmManager(app.extensions["nms"].engine)
    changes = manager.process_events([Event(c, d, s, Severity(sev), en, zh, source="event")
                                      for c, d, s, sev, en, zh in events])
    return [ch.alarm["id"] for ch in changes]
