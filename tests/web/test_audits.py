"""Baseline audit pages: scores, MLPS roll-up, findings with evidence and remediation, config
history and diffs with secrets masked, XLSX/PDF exports, scope and permissions."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from nms.models import utcnow
from tests.web.conftest import post
from web.models import AuditEntry

CONFIGS = Path(__file__).resolve().parents[1] / "fixtures" / "configs"


@pytest.fixture
def stored(app: Flask) -> dict[str, list[int]]:
    """Stored running configs: city-core-1 weak (VRP), ca-r1 weak then hardened (Comware),
    ta1-sw1 weak (RGOS). Returns version ids per device, oldest first."""
    from nms.configs import store_config

    engine = app.extensions["nms"].engine
    now = utcnow()
    plan = [("city-core-1", "huawei_vrp/weak.cfg", 2), ("ca-r1", "hp_comware/weak.cfg", 3),
            ("ca-r1", "hp_comware/hardened.cfg", 1), ("ta1-sw1", "ruijie_os/weak.cfg", 1)]
    ids: dict[str, list[int]] = {}
    for device, path, hours_ago in plan:
        info, created = store_config(engine, device, (CONFIGS / path).read_text(encoding="utf-8"),
                                     by="secops", when=now - timedelta(hours=hours_ago))
        assert created
        ids.setdefault(device, []).append(info.id)
    return ids


def test_overview_scores_rollup_and_devices_without_config(as_user, stored) -> None:
    page = as_user("auditor").get("/audits/").text
    assert 'id="audits-placeholder"' not in page
    for device in ("city-core-1", "ca-r1", "ta1-sw1"):
        assert f'data-device="{device}"' in page
    # worst first: the weak configs before the hardened one
    assert page.index('data-device="city-core-1"') < page.index('data-device="ca-r1"')
    assert 'id="mlps"' in page and "不符合" in page
    without = page.split('id="without-config"')[1]
    assert "cb-r1" in without and "ca-r1" not in without.split("</p>")[0]


def test_api_scores_and_rollup(as_user, stored) -> None:
    data = as_user("auditor").get("/api/v1/audits").json
    scores = {d["device"]: d for d in data["devices"]}
    assert set(scores) == {"city-core-1", "ca-r1", "ta1-sw1"}
    assert scores["ca-r1"]["score"] > scores["city-core-1"]["score"]
    assert scores["ca-r1"]["config"]["id"] == stored["ca-r1"][1]  # the newest version
    assert scores["city-core-1"]["counts"]["FAIL"] > 10
    verdicts = {r["verdict"] for r in data["mlps"]}
    assert verdicts <= {"compliant", "partial", "noncompliant", "na"} and "noncompliant" in verdicts
    assert {"符合", "部分符合", "不符合", "不适用"} >= {r["verdict_zh"] for r in data["mlps"]}
    assert "cb-r1" in data["without_config"]


def test_device_findings_with_evidence_and_remediation(as_user, stored) -> None:
    c = as_user("auditor")
    page = c.get("/audits/devices/city-core-1").text
    assert 'id="findings"' in page and "BL-SNMP" in page
    version = stored["city-core-1"][0]
    assert f'href="/audits/devices/city-core-1/configs/{version}#L' in page  # evidence line link
    assert 'class="remediation"' in page
    data = c.get("/api/v1/audits/devices/city-core-1").json
    snmp = [f for f in data["findings"] if f["status"] == "FAIL" and "community" in f["evidence"]]
    assert snmp and snmp[0]["line"] and snmp[0]["remediation"]
    # the stored config shows the evidence line, with the community masked
    text = c.get(f"/audits/devices/city-core-1/configs/{version}").text
    assert f'id="L{snmp[0]["line"]}"' in text
    assert "public" not in text and "private" not in text and "admin123" not in text
    assert "snmp-agent community read ******" in text
    # everything, passes included, on request
    assert "BL-" in c.get("/audits/devices/ca-r1?all=1").text


def test_config_history_and_masked_diff(as_user, stored) -> None:
    c = as_user("auditor")
    old, new = stored["ca-r1"]
    page = c.get("/audits/devices/ca-r1").text
    assert f'href="/audits/devices/ca-r1/diff/{old}/{new}"' in page and "secops" in page
    diff = c.get(f"/audits/devices/ca-r1/diff/{old}/{new}").text
    assert 'class="add"' in diff and 'class="del"' in diff and "password-control" in diff
    assert "******" in diff
    # versions are only reachable under their own device
    assert c.get(f"/audits/devices/city-core-1/configs/{new}").status_code == 404
    assert c.get(f"/audits/devices/city-core-1/diff/{old}/{new}").status_code == 404
    assert c.get("/audits/devices/ca-r1/configs/999999").status_code == 404
    assert "nms configs collect" in c.get("/audits/devices/cb-r1").text  # never backed up


def test_exports_are_real_files_and_audited(as_user, stored, db_session) -> None:
    from openpyxl import load_workbook

    c = as_user("auditor")
    resp = c.get("/audits/export.xlsx")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    devices = {row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert devices == {"city-core-1", "ca-r1", "ta1-sw1"}
    pdf = c.get("/audits/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and len(pdf.data) > 5000
    assert c.get("/audits/export.docx").status_code == 404
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export")).all()
    assert [e.target for e in entries] == ["xlsx:all", "pdf:all"]


def test_rerun_needs_audits_run_and_is_audited(app: Flask, as_user, stored, db_session) -> None:
    c = as_user("auditor")
    c.get("/audits/")  # fills the cache
    resp = post(c, "/audits/run")
    assert resp.status_code == 302
    assert "已核查 3 台设备" in c.get(resp.headers["Location"]).text
    (entry,) = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.run")).all()
    assert entry.detail == {"devices": 3, "audited": 3} and entry.actor == "auditor"
    assert post(as_user("viewer"), "/audits/run").status_code == 403


def test_scope_and_roles(app: Flask, as_user, stored, db_session) -> None:
    from inventory.models import Site
    from web.models import User

    # a security auditor of county A sees only county A's devices
    user = db_session.scalar(select(User).where(User.username == "auditor"))
    user.site_id = db_session.scalar(select(Site.id).where(Site.code == "county-a"))
    db_session.commit()
    c = as_user("auditor")
    data = c.get("/api/v1/audits").json
    assert {d["device"] for d in data["devices"]} == {"ca-r1", "ta1-sw1"}
    assert "city-core-1" not in c.get("/audits/").text
    assert c.get("/audits/devices/city-core-1").status_code == 404
    assert c.get(f"/audits/devices/city-core-1/configs/{stored['city-core-1'][0]}").status_code == 404
    book = c.get("/audits/export.xlsx")
    assert b"city-core-1" not in book.data  # zipped, but the name would be in shared strings
    # network engineers and report viewers do not see audits
    for name in ("engineer", "viewer"):
        assert as_user(name).get("/audits/").status_code == 403
        assert as_user(name).get("/api/v1/audits").status_code == 403


def test_results_are_cached_per_config_version(app: Flask, as_user, stored) -> None:
    from nms.configs import store_config

    c = as_user("auditor")
    c.get("/audits/")
    cache = app.extensions["nms"].audit_cache
    assert len(cache._entries) == 3
    before = c.get("/api/v1/audits").json
    # a new version of city-core-1 (hardened) is audited; the others come from the cache
    store_config(app.extensions["nms"].engine, "city-core-1",
                 (CONFIGS / "huawei_vrp/hardened.cfg").read_text(encoding="utf-8"), by="secops")
    after = c.get("/api/v1/audits").json
    score = {d["device"]: d["score"] for d in after["devices"]}
    old = {d["device"]: d["score"] for d in before["devices"]}
    assert score["city-core-1"] > old["city-core-1"] and score["ca-r1"] == old["ca-r1"]
    assert len(cache._entries) == 4
