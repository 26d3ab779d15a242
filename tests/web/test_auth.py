"""Sign-in, lockout, session timeout, password policy, accounts, tokens and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from nms.models import utcnow
from tests.web.conftest import PASSWORD, csrf_of, login, post
from web.models import ApiToken, AuditEntry, AuditLogReadOnlyError, User
from web.security import new_token, password_problems, token_digest


def _entries(session, action: str | None = None) -> list[AuditEntry]:
    session.expire_all()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(session.scalars(stmt))


def test_login_logout_and_audit(client: FlaskClient, db_session) -> None:
    resp = login(client, "admin")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/dashboard/").status_code == 200
    assert post(client, "/auth/logout").status_code == 302
    assert client.get("/dashboard/").status_code == 302
    logins = _entries(db_session, "login")
    assert [(e.actor, e.success) for e in logins] == [("admin", True)]
    assert logins[0].source == "127.0.0.1"
    assert [e.actor for e in _entries(db_session, "logout")] == ["admin"]


def test_failed_logins_are_audited_and_look_the_same(client: FlaskClient, db_session) -> None:
    wrong = login(client, "admin", "Wrong-Passw0rd!")
    unknown = login(client, "nobody", "Wrong-Passw0rd!")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text
    failures = [(e.actor, e.success, e.message) for e in _entries(db_session, "login")]
    assert failures == [("admin", False, "wrong password"), ("nobody", False, "unknown user")]
    assert "Wrong-Passw0rd!" not in str([(e.detail, e.message) for e in _entries(db_session)])


def test_login_redirects_only_to_local_pages(client: FlaskClient) -> None:
    token = csrf_of(client)
    data = {"username": "admin", "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login?next=/ipplan/", data=data).headers["Location"] == "/ipplan/"
    post(client, "/auth/logout")
    data["csrf_token"] = csrf_of(client)
    assert client.post("/auth/login?next=//evil.example/", data=data).headers["Location"] == "/"


def test_lockout_after_failed_attempts(app: Flask, client: FlaskClient, db_session, config) -> None:
    attempts = config.web.lockout_attempts
    for _ in range(attempts):
        assert login(client, "engineer", "Wrong-Passw0rd!").status_code == 401
    locked = login(client, "engineer")  # the right password no longer helps
    assert locked.status_code == 401
    assert "账号已锁定" in locked.text
    assert [e.target for e in _entries(db_session, "account.lock")] == ["engineer"]
    assert _entries(db_session, "login")[-1].message == "account locked"
    # once the lock has run out, the right password works again
    user = db_session.scalar(select(User).where(User.username == "engineer"))
    user.locked_until = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert login(client, "engineer").status_code == 302


def test_lockout_settings_come_from_the_config(make_app: Callable[..., Flask]) -> None:
    app = make_app(lockout_attempts=2, lockout_min=1)
    c = app.test_client()
    login(c, "viewer", "Wrong-Passw0rd!")
    resp = login(c, "viewer", "Wrong-Passw0rd!")
    assert "1 分钟" in resp.text
    assert login(c, "viewer").status_code == 401


def test_security_admin_unlocks_an_account(app: Flask, as_user, db_session, config) -> None:
    c = app.test_client()
    for _ in range(config.web.lockout_attempts):
        login(c, "viewer", "Wrong-Passw0rd!")
    viewer = db_session.scalar(select(User).where(User.username == "viewer"))
    sec = as_user("secadmin")
    assert "已锁定" in sec.get("/auth/users").text
    assert post(sec, f"/auth/users/{viewer.id}", {"action": "unlock"}).status_code == 302
    assert login(c, "viewer").status_code == 302
    assert [e.actor for e in _entries(db_session, "user.unlock")] == ["secadmin"]


def test_idle_session_times_out(client: FlaskClient, db_session, config) -> None:
    login(client, "viewer")
    with client.session_transaction() as sess:
        sess["seen"] -= config.web.session_timeout_min * 60 + 5
    resp = client.get("/dashboard/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/auth/login")
    assert "会话已超时" in client.get(resp.headers["Location"]).text
    assert client.get("/api/v1/me").status_code == 401
    assert [e.actor for e in _entries(db_session, "session.expire")] == ["viewer"]


def test_activity_keeps_the_session_alive(client: FlaskClient, config) -> None:
    login(client, "viewer")
    with client.session_transaction() as sess:
        sess["seen"] -= config.web.session_timeout_min * 60 - 30
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(("password", "ok"), [
    ("Short-1a", False),                 # too short
    ("alllowercase123", False),          # two classes
    ("ALLUPPER-and-lower", True),        # three classes
    ("Xx-alice-2026-pw", False),         # contains the user name
    ("Abcdefgh12", True),                # upper, lower, digits
    ("长城-Great-wall-长城", True),        # non-ASCII counts as a symbol
])
def test_password_policy(password: str, ok: bool) -> None:
    assert (password_problems(password, "alice") == []) is ok


def test_change_own_password_ends_other_sessions(app: Flask, as_user, db_session) -> None:
    first, second = as_user("auditor"), as_user("auditor")
    weak = post(first, "/auth/password", {"current": PASSWORD, "new": "weak", "confirm": "weak"})
    assert weak.status_code == 400 and "至少需要 10 个字符" in weak.text
    wrong = post(first, "/auth/password", {"current": "nope", "new": "New-Passw0rd!",
                                           "confirm": "New-Passw0rd!"})
    assert wrong.status_code == 400
    good = post(first, "/auth/password", {"current": PASSWORD, "new": "New-Passw0rd!",
                                          "confirm": "New-Passw0rd!"})
    assert good.status_code == 302
    assert first.get("/dashboard/").status_code == 200  # this session goes on
    assert second.get("/dashboard/").status_code == 302  # the other one is over
    assert login(app.test_client(), "auditor", "New-Passw0rd!").status_code == 302
    outcomes = [e.success for e in _entries(db_session, "user.password")]
    assert outcomes == [False, False, True]


def test_passwords_are_salted_scrypt_by_default(make_app: Callable[..., Flask]) -> None:
    from web.security import hash_password

    app = make_app()
    app.config["NMS_PASSWORD_METHOD"] = "scrypt"
    with app.app_context():
        a, b = hash_password("Same-Passw0rd!"), hash_password("Same-Passw0rd!")
    assert a.startswith("scrypt:") and a != b


# ---- accounts ---------------------------------------------------------------------------------


def _new_user(client: FlaskClient, **fields: str):
    data = {"username": "zhang.san", "full_name": "张三", "role": "network_engineer",
            "site": "", "language": "zh_CN", "password": "Zhang-2026-pw", "confirm": "Zhang-2026-pw"}
    data.update(fields)
    return post(client, "/auth/users/new", data)


def test_security_admin_creates_and_edits_accounts(app: Flask, as_user, db_session) -> None:
    sec = as_user("secadmin")
    assert _new_user(sec, password="weak", confirm="weak").status_code == 400
    assert _new_user(sec, role="root").status_code == 400
    assert _new_user(sec, username="bad name!").status_code == 400
    assert _new_user(sec).status_code == 302
    assert _new_user(sec).status_code == 400  # taken
    user = db_session.scalar(select(User).where(User.username == "zhang.san"))
    assert user.role == "network_engineer" and user.site_id is None
    assert not user.password_hash.startswith("Zhang")
    new = app.test_client()
    assert login(new, "zhang.san", "Zhang-2026-pw").status_code == 302
    # scope the account to county B and make it a report viewer
    resp = post(sec, f"/auth/users/{user.id}", {"full_name": "张三", "role": "report_viewer",
                                                "site": "county-b", "active": "on"})
    assert resp.status_code == 302
    assert {d["name"] for d in new.get("/api/v1/devices").json} == {"cb-r1", "tb1-sw1", "tb2-sw1"}
    # disabling ends the sessions at once
    post(sec, f"/auth/users/{user.id}", {"full_name": "张三", "role": "report_viewer",
                                         "site": "county-b"})
    assert new.get("/api/v1/me").status_code == 401
    actions = [(e.action, e.actor, e.target, e.success) for e in _entries(db_session)
               if e.action.startswith("user.")]
    assert ("user.create", "secadmin", "zhang.san", True) in actions
    assert ("user.create", "secadmin", "zhang.san", False) in actions
    updates = [e.detail for e in _entries(db_session, "user.update")]
    assert updates[0]["role"] == "report_viewer" and updates[1] == {"active": False}


def test_security_admin_cannot_change_own_role(as_user, db_session) -> None:
    sec = as_user("secadmin")
    me = db_session.scalar(select(User).where(User.username == "secadmin"))
    resp = post(sec, f"/auth/users/{me.id}", {"role": "administrator", "site": "", "active": "on"})
    assert resp.status_code == 400
    db_session.expire_all()
    assert db_session.get(User, me.id).role == "security_admin"


def test_scoped_security_admin_stays_in_scope(as_user, db_session) -> None:
    sec = as_user("county_a_secadmin")
    listing = sec.get("/auth/users").text
    assert "county_a" in listing and ">admin<" not in listing
    assert _new_user(sec, site="").status_code == 400  # must scope inside county A
    assert _new_user(sec, site="county-b").status_code == 400
    assert _new_user(sec, site="town-a1").status_code == 302
    admin = db_session.scalar(select(User).where(User.username == "admin"))
    assert sec.get(f"/auth/users/{admin.id}").status_code == 404


# ---- API tokens -------------------------------------------------------------------------------


def _token_for(db_session, username: str, **kw) -> str:
    secret = new_token()
    user = db_session.scalar(select(User).where(User.username == username))
    db_session.add(ApiToken(user=user, name="test", token_hash=token_digest(secret),
                            prefix=secret[:12], revoked=False, **kw))
    db_session.commit()
    return secret


def test_bearer_tokens(app: Flask, client: FlaskClient, db_session) -> None:
    secret = _token_for(db_session, "county_a")
    auth = {"Authorization": f"Bearer {secret}"}
    me = client.get("/api/v1/me", headers=auth).json
    assert me["username"] == "county_a" and me["auth"] == "token" and me["scope"] == "county-a"
    assert len(client.get("/api/v1/devices", headers=auth).json) == 3
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nms_wrong"}).status_code == 401
    # tokens are for the API only, not for pages
    assert client.get("/dashboard/", headers=auth).status_code == 302
    stored = db_session.scalar(select(ApiToken))
    assert stored.token_hash != secret and secret not in stored.token_hash
    assert stored.last_used is not None


def test_expired_and_revoked_tokens_are_refused(client: FlaskClient, db_session) -> None:
    old = _token_for(db_session, "viewer", expires=utcnow() - timedelta(minutes=1))
    revoked = _token_for(db_session, "viewer")
    token = db_session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(revoked)))
    token.revoked = True
    db_session.commit()
    for secret in (old, revoked):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert [e.success for e in _entries(db_session, "token.reject")] == [False, False]


def test_token_posts_need_no_csrf_but_the_permission(client: FlaskClient, db_session) -> None:
    admin = {"Authorization": f"Bearer {_token_for(db_session, 'admin')}"}
    viewer = {"Authorization": f"Bearer {_token_for(db_session, 'viewer')}"}
    body = b"sites:\n  - {code: town-a3, name: New town, level: township, parent: county-a}\n"
    assert client.post("/api/v1/inventory/import", data=body, headers=viewer).status_code == 403
    resp = client.post("/api/v1/inventory/import", data=body, headers=admin)
    assert resp.status_code == 200 and resp.json["created"]["sites"] == 1


# ---- the audit log ----------------------------------------------------------------------------


def test_audit_log_page_and_api(as_user, db_session) -> None:
    admin = as_user("admin")
    post(admin, "/api/v1/inventory/import?dry_run=1", headers={"X-CSRF-Token": csrf_of(admin)})
    auditor = as_user("auditadmin")
    page = auditor.get("/auth/audit-log").text
    assert "inventory.import" in page and "admin" in page
    rows = auditor.get("/api/v1/audit-log?action=login").json
    assert {r["actor"] for r in rows} >= {"admin", "auditadmin"}
    assert all(r["action"] == "login" for r in rows)
    assert rows[0]["time"].endswith("+0800")  # shown in Asia/Shanghai
    failed = auditor.get("/api/v1/audit-log?outcome=failed").json
    assert all(not r["success"] for r in failed)


def test_audit_log_has_no_edit_path(app: Flask, db_session) -> None:
    for rule in app.url_map.iter_rules():
        if "audit-log" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    db_session.add(AuditEntry(actor="x", action="test", success=True, detail={}))
    db_session.commit()
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.actor == "x"))
    entry.message = "tampered"
    with pytest.raises(AuditLogReadOnlyError):
        db_session.commit()
    db_session.rollback()
    db_session.delete(entry)
    with pytest.raises(AuditLogReadOnlyError):
        db_session.commit()
    db_session.rollback()


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'someone else'",
                                 "DELETE FROM audit_log"])
def test_database_refuses_audit_log_changes(app: Flask, sql: str) -> None:
    engine = app.extensions["nms"].engine
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (time, actor, action, success, detail) "
                          "VALUES (CURRENT_TIMESTAMP, 'x', 'test', 1, '{}')"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["x"]


def test_session_cookie_holds_nothing_of_the_password_hash(client: FlaskClient, db_session) -> None:
    login(client, "viewer")
    with client.session_transaction() as sess:
        stored = dict(sess)
    user = db_session.scalar(select(User).where(User.username == "viewer"))
    assert set(stored) <= {"uid", "stamp", "seen", "language", "csrf_token", "_permanent"}
    assert stored["stamp"] not in user.password_hash
