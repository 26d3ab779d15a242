"""Access control over every route: anonymous refusal, role permissions, region scope, CSRF.

Routes are enumerated from ``app.url_map``, so a route added later is covered without editing
these tests: it must declare a permission, refuse anonymous users and refuse a report viewer
any change.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.web.conftest import ALL_DEVICES, COUNTY_A_DEVICES, csrf_of, login, post
from web.models import AuditEntry, Perm

PUBLIC_ENDPOINTS = {"auth.login", "auth.language", "static"}
# state-changing routes any signed-in account may use on its own account
OWN_ACCOUNT_ENDPOINTS = {"auth.logout", "auth.language", "auth.password", "auth.login"}
SAMPLE_ARGS = {"name": "city-core-1", "user_id": 1, "kind": "devices", "filename": "css/nms.css",
               "alarm_id": 1, "version_id": 1, "old_id": 1, "new_id": 2, "fmt": "xlsx"}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every rule, with sample values for its arguments."""
    out = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            url = url_for(rule.endpoint, **{a: SAMPLE_ARGS[a] for a in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((rule.endpoint, method, url))
    return out


def test_every_view_declares_a_permission(app: Flask) -> None:
    missing = [ep for ep, view in app.view_functions.items()
               if ep != "static" and not hasattr(view, "nms_permission")]
    assert missing == []


def test_every_route_refuses_anonymous_users(app: Flask, client: FlaskClient) -> None:
    routes = _routes(app)
    assert len(routes) > 25
    for endpoint, method, url in routes:
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        with client.open(url, method=method) as resp:
            pass
        if url.startswith("/api/"):
            assert resp.status_code == 401, (method, url)
            assert resp.json["status"] == 401
            assert "Bearer" in resp.headers["WWW-Authenticate"]
        else:
            assert resp.status_code == 302, (method, url, resp.status_code)
            assert resp.headers["Location"].startswith("/auth/login"), (method, url)


def test_public_routes_are_only_login_language_and_static(app: Flask, client: FlaskClient) -> None:
    public = {ep for ep, view in app.view_functions.items()
              if getattr(view, "nms_permission", None) == Perm.PUBLIC}
    assert public == {"auth.login", "auth.language"}
    assert client.get("/auth/login").status_code == 200
    with client.get("/static/css/nms.css") as resp:
        assert resp.status_code == 200


def test_a_view_without_a_permission_is_refused_to_everyone(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.route("/forgotten")
    def forgotten() -> str:
        return "open"

    c = app.test_client()
    login(c, "admin")
    assert c.get("/forgotten").status_code == 403


def test_report_viewer_cannot_change_anything(app: Flask, as_user: Callable[[str], FlaskClient],
                                              db_session) -> None:
    from web.models import User

    viewer = as_user("viewer")
    before = db_session.scalar(select(func.count()).select_from(User))
    checked = 0
    for endpoint, method, url in _routes(app):
        if method == "GET" or endpoint in OWN_ACCOUNT_ENDPOINTS:
            continue
        with viewer.open(url, method=method, data={"csrf_token": csrf_of(viewer)},
                         headers={"X-CSRF-Token": csrf_of(viewer)}) as resp:
            pass
        assert resp.status_code == 403, (method, url, resp.status_code)
        checked += 1
    assert checked >= 3  # import (page and API), user create, user edit
    assert db_session.scalar(select(func.count()).select_from(User)) == before
    denied = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")).all()
    assert len(denied) == checked and {e.actor for e in denied} == {"viewer"}
    assert all(not e.success for e in denied)
    # and reading is fine
    assert viewer.get("/devices/").status_code == 200


@pytest.mark.parametrize(("username", "allowed", "refused"), [
    ("admin", ["/dashboard/", "/inventory/", "/audits/"], ["/auth/users", "/auth/audit-log"]),
    ("engineer", ["/topology/", "/alarms/"], ["/audits/", "/auth/users", "/auth/audit-log"]),
    ("auditor", ["/audits/", "/ipplan/"], ["/auth/users", "/auth/audit-log"]),
    ("viewer", ["/dashboard/", "/ipplan/"], ["/audits/", "/auth/users"]),
    ("secadmin", ["/auth/users", "/auth/profile"], ["/dashboard/", "/devices/", "/auth/audit-log",
                                                    "/api/v1/devices"]),
    ("auditadmin", ["/auth/audit-log", "/api/v1/audit-log"], ["/dashboard/", "/auth/users",
                                                               "/api/v1/topology"]),
])
def test_role_permissions_and_three_role_separation(as_user: Callable[[str], FlaskClient],
                                                    username: str, allowed: list[str],
                                                    refused: list[str]) -> None:
    c = as_user(username)
    for url in allowed:
        assert c.get(url).status_code == 200, url
    for url in refused:
        assert c.get(url).status_code == 403, url


def test_home_page_follows_the_role(as_user: Callable[[str], FlaskClient]) -> None:
    assert as_user("viewer").get("/").headers["Location"] == "/dashboard/"
    assert as_user("secadmin").get("/").headers["Location"] == "/auth/users"
    assert as_user("auditadmin").get("/").headers["Location"] == "/auth/audit-log"


def test_navigation_shows_only_what_the_role_may_open(as_user: Callable[[str], FlaskClient]) -> None:
    page = as_user("secadmin").get("/auth/users").text
    assert 'href="/auth/users"' in page
    assert 'href="/dashboard/"' not in page and 'href="/auth/audit-log"' not in page


# ---- region scope -----------------------------------------------------------------------------


def test_county_user_sees_only_their_county_in_the_api(as_user: Callable[[str], FlaskClient]) -> None:
    c = as_user("county_a")
    assert {d["name"] for d in c.get("/api/v1/devices").json} == COUNTY_A_DEVICES
    assert c.get("/api/v1/devices/cb-r1").status_code == 404
    assert c.get("/api/v1/devices/city-core-1/metrics").status_code == 404
    assert c.get("/api/v1/devices/ca-r1").status_code == 200
    assert {s["code"] for s in c.get("/api/v1/sites").json} == {"county-a", "town-a1", "town-a2"}
    topo = c.get("/api/v1/topology").json
    assert {n["id"] for n in topo["nodes"]} == COUNTY_A_DEVICES
    assert all(lk["source"] in COUNTY_A_DEVICES and lk["target"] in COUNTY_A_DEVICES
               for lk in topo["links"])
    links = c.get("/api/v1/links").json
    assert len(links) == 2 and "city-core-1" not in str(links)
    blocks = {b["prefix"] for b in c.get("/api/v1/ipplan").json["blocks"]}
    assert blocks == {"10.1.0.0/16", "172.16.0.0/24"}
    assert c.get("/api/v1/dashboard").json["devices"] == 3
    assert c.get("/api/v1/me").json["scope"] == "county-a"
    # a filter naming a site outside the scope is an error, not a way round it
    assert c.get("/api/v1/devices?site=county-b").status_code == 400
    assert c.get("/api/v1/devices?site=city").status_code == 400


def test_county_user_sees_only_their_county_in_the_pages(as_user: Callable[[str], FlaskClient]) -> None:
    c = as_user("county_a")
    listing = c.get("/devices/").text
    for name in COUNTY_A_DEVICES:
        assert f">{name}</a>" in listing
    for name in ALL_DEVICES - COUNTY_A_DEVICES:
        assert name not in listing
    assert c.get("/devices/cb-r1").status_code == 404
    assert c.get("/devices/city-core-1").status_code == 404
    detail = c.get("/devices/ca-r1").text
    assert "city-core-1" not in detail  # the uplink's far end is outside the scope
    assert "西山县" not in c.get("/inventory/").text
    assert "10.2.0.0/16" not in c.get("/ipplan/").text
    dash = c.get("/dashboard/").text
    assert 'id="device-count">3<' in dash
    # county staff may not export the whole inventory
    assert c.get("/inventory/export.yaml").status_code == 403
    assert c.get("/inventory/export/devices.csv").status_code == 403


def test_unscoped_user_sees_everything(as_user: Callable[[str], FlaskClient]) -> None:
    c = as_user("viewer")
    assert {d["name"] for d in c.get("/api/v1/devices").json} == ALL_DEVICES
    assert c.get("/inventory/export.yaml").status_code == 200


# ---- CSRF ------------------------------------------------------------------------------------


def test_posts_without_csrf_token_are_rejected(as_user: Callable[[str], FlaskClient],
                                               db_session) -> None:
    admin = as_user("admin")
    body = b"sites: []\n"
    assert admin.post("/api/v1/inventory/import", data=body).status_code == 400
    assert admin.post("/api/v1/inventory/import", data=body,
                      headers={"X-CSRF-Token": "forged"}).status_code == 400
    assert admin.post("/api/v1/inventory/import", data=body,
                      headers={"X-CSRF-Token": csrf_of(admin)}).status_code == 200
    assert admin.post("/inventory/import", data={"kind": ""}).status_code == 400
    assert admin.post("/auth/logout").status_code == 400
    assert admin.get("/dashboard/").status_code == 200  # still signed in
    rejected = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "csrf.reject")).all()
    assert [e.target for e in rejected] == ["POST /api/v1/inventory/import"] * 2 + [
        "POST /inventory/import", "POST /auth/logout"]
    sec = as_user("secadmin")
    resp = sec.post("/auth/users/new", data={"username": "mallory", "role": "administrator",
                                             "password": "Xx-1234567890", "confirm": "Xx-1234567890"})
    assert resp.status_code == 400
    assert "mallory" not in sec.get("/auth/users").text


def test_login_form_needs_csrf_token_too(client: FlaskClient) -> None:
    client.get("/auth/login")
    resp = client.post("/auth/login", data={"username": "admin", "password": "Test-Passw0rd!"})
    assert resp.status_code == 400


def test_csrf_token_of_another_session_is_refused(app: Flask, as_user: Callable[[str], FlaskClient]) -> None:
    admin = as_user("admin")
    other = app.test_client()
    other.get("/auth/login")
    stolen = csrf_of(other)
    assert admin.post("/auth/logout", data={"csrf_token": stolen}).status_code == 400
    assert post(admin, "/auth/logout").status_code == 302
