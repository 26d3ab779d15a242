"""The console's tables on both stores: migration 0002, append-only audit log, a full login.

Runs on SQLite and on PostgreSQL (``db_url``; the PostgreSQL case skips when no server answers).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from nms.config import load_config_data
from nms.db import current_revision, make_engine, migrate, session_scope, table_names
from tests.web.conftest import FIXTURES, PASSWORD, config_data, login


def test_migration_and_append_only_audit_log(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        assert {"users", "api_tokens", "audit_log"} <= set(table_names(engine))
        assert int(current_revision(engine) or 0) >= 2
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_log (time, actor, action, success, detail) "
                              "VALUES (CURRENT_TIMESTAMP, 'x', 'test', true, '{}')"))
        statements = ["UPDATE audit_log SET actor = 'y'", "DELETE FROM audit_log"]
        if engine.dialect.name == "postgresql":
            statements.append("TRUNCATE audit_log")
        for sql in statements:
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["x"]
    finally:
        engine.dispose()


def test_console_on_the_store(db_url: str, tmp_path: Path) -> None:
    from inventory.io import import_file
    from web import create_app
    from web.models import AuditEntry, User
    from web.security import hash_password

    data = config_data(tmp_path)
    data["inventory"] = {"database": db_url}
    app = create_app(load_config_data(data, base_dir=tmp_path), {"TESTING": True})
    engine = app.extensions["nms"].engine
    with session_scope(engine) as session:
        import_file(session, FIXTURES / "inventory.yaml", auth_names={"lab-snmp"})
        session.add(User(username="ops", role="network_engineer", active=True, failed_attempts=0,
                         password_hash=hash_password(PASSWORD, "pbkdf2:sha256:1000")))
    c = app.test_client()
    assert login(c, "ops", "Wrong-Passw0rd!").status_code == 401
    assert login(c, "ops").status_code == 302
    assert len(c.get("/api/v1/topology").json["nodes"]) == 8
    assert c.get("/dashboard/").status_code == 200
    with session_scope(engine) as session:
        outcomes = [e.success for e in session.query(AuditEntry).filter_by(action="login")
                    .order_by(AuditEntry.id)]
    assert outcomes == [False, True]
    engine.dispose()
