"""The alarm board: filters, scope, paging, acknowledge/clear/comment (pages and API), history,
audit log, live-refresh API and hostile text."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.web.conftest import csrf_of, post, raise_alarms, token_for
from web.models import AuditEntry

EVENTS = [
    ("TRAP-LINK", "cb-r1", "GE0/0/1", "major", "link down", "链路中断"),
    ("DEVICE-DOWN", "ta1-sw1", "", "critical", "device down", "设备不可达"),
    ("LINK-003", "ca-r1", "GE0/0/2", "minor", "errors 5/s", "错包 5/秒"),
    ("IPPLAN-001", "city-core-1", "Vlanif10 10.9.9.1/24", "warning", "address outside the plan",
     "地址不在规划内"),
]


@pytest.fixture
def alarm_ids(app: Flask) -> dict[str, int]:
    """Four open alarms (one per severity but info), by device."""
    ids = raise_alarms(app, EVENTS)
    return {e[1]: i for e, i in zip(EVENTS, ids, strict=True)}


def _audit(db_session, action: str) -> list[AuditEntry]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def test_board_lists_most_severe_first_with_counts(as_user, alarm_ids) -> None:
    page = as_user("viewer").get("/alarms/").text
    order = [page.index(f'data-id="{alarm_ids[d]}"') for d in ("ta1-sw1", "cb-r1", "ca-r1", "city-core-1")]
    assert order == sorted(order)
    assert 'id="alarm-counts"' in page and 'data-total="4"' in page
    assert 'src="/static/js/alarms.js"' in page and 'data-src="/api/v1/alarms?' in page
    # a report viewer reads but gets no action buttons
    assert 'data-action="ack"' not in page and 'data-can-act="0"' in page
    assert 'data-action="ack"' in as_user("engineer").get("/alarms/").text


@pytest.mark.parametrize(("query", "devices"), [
    ("severity=critical", {"ta1-sw1"}),
    ("site=county-a", {"ca-r1", "ta1-sw1"}),
    ("device=cb-r1", {"cb-r1"}),
    ("q=%E9%94%99%E5%8C%85", {"ca-r1"}),  # 错包, in the Chinese reason
    ("q=outside", {"city-core-1"}),
    ("check=TRAP-", {"cb-r1"}),
    ("state=acknowledged", set()),
    ("state=all&check=LINK", {"ca-r1"}),
])
def test_filters_in_the_page_and_the_api(as_user, alarm_ids, query: str, devices: set[str]) -> None:
    c = as_user("viewer")
    api = c.get(f"/api/v1/alarms?{query}").json
    assert {a["device"] for a in api["items"]} == devices and api["total"] == len(devices)
    page = c.get(f"/alarms/?{query}").text
    assert {d for d, i in alarm_ids.items() if f'data-id="{i}"' in page} == devices


def test_bad_filters_are_refused(as_user, alarm_ids) -> None:
    c = as_user("viewer")
    assert c.get("/alarms/?severity=catastrophic").status_code == 400
    resp = c.get("/api/v1/alarms?state=gone")
    assert resp.status_code == 400 and resp.json["fields"] == {"state": "Unknown value."}
    assert c.get("/api/v1/alarms?site=nowhere").status_code == 400


def test_county_users_see_only_their_county(as_user, alarm_ids) -> None:
    county = as_user("county_a")
    api = county.get("/api/v1/alarms").json
    assert {a["device"] for a in api["items"]} == {"ca-r1", "ta1-sw1"}
    page = county.get("/alarms/").text
    assert "cb-r1" not in page and "city-core-1" not in page
    assert county.get(f"/alarms/{alarm_ids['cb-r1']}").status_code == 404
    assert county.get(f"/api/v1/alarms/{alarm_ids['cb-r1']}").status_code == 404
    # nor act on it: refused exactly as if it did not exist
    assert post(county, f"/alarms/{alarm_ids['cb-r1']}/ack").status_code == 404
    assert county.get("/api/v1/alarms?site=county-b").status_code == 400  # outside the scope


def test_paging_is_done_by_the_database(app: Flask, as_user) -> None:
    raise_alarms(app, [("LINK-003", "ca-r1", f"GE0/0/{i}", "minor", "errors", "错包")
                       for i in range(120)])
    c = as_user("viewer")
    first = c.get("/alarms/").text
    assert 'data-total="120"' in first and first.count("<tr data-id=") == 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = c.get("/alarms/?page=3").text
    assert last.count("<tr data-id=") == 20 and 'rel="prev"' in last
    api = c.get("/api/v1/alarms?limit=30&offset=100").json
    assert api["total"] == 120 and len(api["items"]) == 20 and api["limit"] == 30


def test_acknowledge_clear_and_comment_through_the_pages(app: Flask, as_user, alarm_ids,
                                                         db_session) -> None:
    c = as_user("engineer")
    aid = alarm_ids["cb-r1"]
    resp = post(c, f"/alarms/{aid}/ack", {"note": "on my way", "next": "/alarms/?severity=major"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/alarms/?severity=major"
    board = c.get("/alarms/?severity=major").text
    assert "已确认" in board and "(engineer)" in board and f"告警 {aid} 已确认" in board
    post(c, f"/alarms/{aid}/comment", {"note": "optic ordered"})
    resp = post(c, f"/alarms/{aid}/clear", {"note": "replaced the optic"})
    assert resp.headers["Location"] == f"/alarms/{aid}"
    detail = c.get(f"/alarms/{aid}").text
    for text in ("on my way", "optic ordered", "replaced the optic", "engineer", "已清除"):
        assert text in detail
    history = c.get(f"/api/v1/alarms/{aid}").json["history"]
    assert [(e["action"], e["user"], e["note"]) for e in history] == [
        ("raised", None, None), ("acknowledged", "engineer", "on my way"),
        ("commented", "engineer", "optic ordered"), ("cleared", "engineer", "replaced the optic")]
    assert history[1]["time"].endswith("+0800")  # the configured zone
    # acknowledging it again is refused, said, and audited as a failure
    resp = post(c, f"/alarms/{aid}/ack")
    assert f"告警 {aid} 已清除" in c.get(resp.headers["Location"]).text
    entries = [(e.action, e.actor, e.success) for e in _audit(db_session, "alarm.ack")]
    assert entries == [("alarm.ack", "engineer", True), ("alarm.ack", "engineer", False)]
    assert [e.detail["note"] for e in _audit(db_session, "alarm.comment")] == ["optic ordered"]
    assert _audit(db_session, "alarm.clear")[0].target.startswith(f"alarm:{aid} TRAP-LINK cb-r1")
    # an empty comment is refused
    post(c, f"/alarms/{aid}/comment", {"note": "   "})
    assert len(c.get(f"/api/v1/alarms/{aid}").json["history"]) == 4


def test_report_viewers_and_security_staff_cannot_act(as_user, alarm_ids, db_session) -> None:
    for user in ("viewer", "auditor"):
        c = as_user(user)
        for action in ("ack", "clear", "comment"):
            assert post(c, f"/alarms/{alarm_ids['cb-r1']}/{action}", {"note": "x"}).status_code == 403
            resp = c.post(f"/api/v1/alarms/{alarm_ids['cb-r1']}/{action}", json={"note": "x"},
                          headers={"X-CSRF-Token": csrf_of(c)})
            assert resp.status_code == 403
    assert as_user("engineer").get(f"/api/v1/alarms/{alarm_ids['cb-r1']}").json["state"] == "raised"
    assert _audit(db_session, "alarm.ack") == []


def test_api_actions_with_a_token_and_with_a_session(app: Flask, as_user, alarm_ids,
                                                     db_session, client: FlaskClient) -> None:
    secret = token_for(db_session, "engineer")
    bearer = {"Authorization": f"Bearer {secret}"}
    aid = alarm_ids["ca-r1"]
    resp = client.post(f"/api/v1/alarms/{aid}/ack", json={"note": "script"}, headers=bearer)
    assert resp.status_code == 200, resp.json
    assert resp.json["state"] == "acknowledged" and resp.json["acknowledged_by"] == "engineer"
    assert client.post(f"/api/v1/alarms/{aid}/comment", json={}, headers=bearer).status_code == 400
    assert client.post(f"/api/v1/alarms/{aid}/comment", json={"note": 5},
                       headers=bearer).status_code == 400
    assert client.post("/api/v1/alarms/99999/clear", headers=bearer).status_code == 404
    # a browser session needs the CSRF header
    c = as_user("engineer")
    assert c.post(f"/api/v1/alarms/{aid}/clear", json={}).status_code == 400
    resp = c.post(f"/api/v1/alarms/{aid}/clear", json={"note": "done"},
                  headers={"X-CSRF-Token": csrf_of(c)})
    assert resp.status_code == 200 and resp.json["cleared_by"] == "engineer"
    resp = client.post(f"/api/v1/alarms/{aid}/ack", headers=bearer)  # cleared: too late
    assert resp.status_code == 409 and resp.json["error"] == f"Alarm {aid} is already cleared."
    assert [e.success for e in _audit(db_session, "alarm.ack")] == [True, False]


def test_hostile_text_is_shown_as_text(app: Flask, as_user, db_session) -> None:
    (aid,) = raise_alarms(app, [("TRAP-LINK", "cb-r1", "<img src=x onerror=alert(1)>", "major",
                                 "<script>alert('r')</script>", "<b>中断</b>")])
    c = as_user("engineer")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(2)>'
    post(c, f"/alarms/{aid}/comment", {"note": hostile})
    for url in (f"/alarms/{aid}", "/alarms/"):
        page = c.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>中断</b>" not in page
        assert "&lt;img src=x onerror=alert(" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in c.get(f"/alarms/{aid}").text
    # the API returns the text as it was written (alarms.js escapes it when drawing)
    assert c.get(f"/api/v1/alarms/{aid}").json["history"][-1]["note"] == hostile


def test_alarm_page_shows_evidence_and_translates(app: Flask, as_user) -> None:
    from nms.alarms import AlarmManager
    from nms.models import Finding, FindingStatus, Severity

    AlarmManager(app.extensions["nms"].engine).process([Finding(
        "LINK-003", "ca-r1", "GE0/0/0", FindingStatus.FAIL, Severity.MAJOR, "errors 5/s",
        "错包 5/秒", observed=5.0, expected={"max": 1.0}, evidence={"window": "15m"})])
    c = as_user("engineer")
    aid = c.get("/api/v1/alarms?device=ca-r1").json["items"][0]["id"]
    page = c.get(f"/alarms/{aid}").text
    assert '"window": "15m"' in page.replace("&#34;", '"') and "错包 5/秒" in page
    assert 'id="ack-button"' in page and 'id="comment-form"' in page
    assert 'id="alarm-actions"' not in as_user("viewer").get(f"/alarms/{aid}").text
    assert as_user("viewer").get("/alarms/424242").status_code == 404
