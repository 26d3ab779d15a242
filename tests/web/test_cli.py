"""``nms user``: the first administrator, passwords, the account list, API tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from nms.cli import cli
from nms.config import load_config
from nms.db import make_engine, session_scope
from tests.web.conftest import config_data
from web.models import ApiToken, AuditEntry, User


@pytest.fixture
def cfg_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config_data(tmp_path), allow_unicode=True), encoding="utf-8")
    return path


def run(cfg_path: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(cli, ["--config", str(cfg_path), "user", *args], env=env, input=input,
                              catch_exceptions=False)


def _rows(cfg_path: Path, model):  # type: ignore[no-untyped-def]
    engine = make_engine(load_config(cfg_path).database_url)
    with session_scope(engine) as session:
        rows = list(session.scalars(select(model)))
        session.expunge_all()
    engine.dispose()
    return rows


def test_first_administrator_and_login(cfg_path: Path) -> None:
    from web import create_app

    res = run(cfg_path, "add", "admin", "--role", "administrator", "--password-env", "PW",
              env={"PW": "Chief-Operator-2026"})
    assert res.exit_code == 0, res.output
    (user,) = _rows(cfg_path, User)
    assert user.role == "administrator" and user.password_hash.startswith("scrypt:")
    entry = _rows(cfg_path, AuditEntry)[0]
    assert (entry.action, entry.target, entry.source) == ("user.create", "admin", "cli")
    assert entry.actor.startswith("cli:")
    app = create_app(load_config(cfg_path), {"TESTING": True})
    c = app.test_client()
    from tests.web.conftest import login

    assert login(c, "admin", "Chief-Operator-2026").status_code == 302


def test_prompted_password_and_policy(cfg_path: Path) -> None:
    weak = run(cfg_path, "add", "ops", "--role", "network_engineer", input="weak\nweak\n")
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    ok = run(cfg_path, "add", "ops", "--role", "network_engineer",
             input="Net-Guard-2026\nNet-Guard-2026\n")
    assert ok.exit_code == 0, ok.output
    again = run(cfg_path, "add", "ops", "--role", "network_engineer", input="x\nx\n")
    assert again.exit_code != 0 and "exists" in again.output
    assert run(cfg_path, "add", "x", "--role", "god").exit_code != 0


def test_passwd_list_and_unlock(cfg_path: Path) -> None:
    env = {"PW": "Chief-Operator-2026", "PW2": "Second-Operator-2026"}
    run(cfg_path, "add", "admin", "--role", "administrator", "--password-env", "PW", env=env)
    before = _rows(cfg_path, User)[0].password_hash
    assert run(cfg_path, "passwd", "admin", "--password-env", "PW2", env=env).exit_code == 0
    assert _rows(cfg_path, User)[0].password_hash != before
    assert run(cfg_path, "passwd", "nobody", "--password-env", "PW2", env=env).exit_code != 0
    assert run(cfg_path, "unlock", "admin").exit_code == 0
    listing = json.loads(run(cfg_path, "list", "--format", "json").output)
    assert listing == [{"username": "admin", "role": "administrator", "scope": None,
                        "state": "active", "last_login": None}]
    assert [e.action for e in _rows(cfg_path, AuditEntry)] == ["user.create", "user.password",
                                                               "user.unlock"]


def test_token_is_printed_once_and_stored_hashed(cfg_path: Path) -> None:
    from web import create_app

    run(cfg_path, "add", "script", "--role", "report_viewer", "--password-env", "PW",
        env={"PW": "Batch-Job-2026!"})
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "user", "token", "script",
                                   "--name", "backup", "--expires-days", "30"])
    assert res.exit_code == 0, res.output
    secret = res.stdout.strip()
    assert secret.startswith("nms_") and len(secret) > 40
    (token,) = _rows(cfg_path, ApiToken)
    assert token.name == "backup" and token.expires is not None
    assert secret not in token.token_hash and token.prefix == secret[:12]
    assert secret not in str([e.detail for e in _rows(cfg_path, AuditEntry)])
    app = create_app(load_config(cfg_path), {"TESTING": True})
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["username"] == "script"


def test_scoped_account_needs_a_known_site(cfg_path: Path) -> None:
    res = run(cfg_path, "add", "county", "--role", "network_engineer", "--site", "nowhere",
              "--password-env", "PW", env={"PW": "County-Staff-2026"})
    assert res.exit_code != 0 and "no site" in res.output


def test_nms_serve_runs_the_console_on_waitress(cfg_path: Path) -> None:
    """``nms serve`` as an operator starts it: the real command, a loopback port, waitress."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    nms = Path(sys.executable).with_name("nms")
    proc = subprocess.Popen([str(nms), "--config", str(cfg_path), "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--threads", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=5) as r:
                    body, headers = r.read().decode(), r.headers
                break
            except OSError:
                assert time.monotonic() < deadline, "nms serve did not answer within 30 s"
                time.sleep(0.2)
        assert 'name="csrf_token"' in body
        assert headers["Server"] == "nms"  # waitress, with its name not advertised
        assert headers["Cache-Control"] == "no-store"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=10)[0].decode()
    assert f"nms console on http://127.0.0.1:{port}/  (waitress, 2 threads" in out
