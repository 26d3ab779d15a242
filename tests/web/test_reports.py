"""The reports page: period/scope/format, files from nms.reports.build_report, scope limits,
audit log."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from nms.models import Sample, utcnow
from web.models import AuditEntry


@pytest.fixture
def today(app: Flask) -> str:
    """Two hours of 5-minute polls of every device (tb2-sw1 down for 30 minutes); today's date."""
    now = utcnow().replace(second=0, microsecond=0)
    samples = []
    for device in ("city-core-1", "city-fw-1", "ca-r1", "cb-r1", "ta1-sw1", "ta2-sw1", "tb1-sw1",
                   "tb2-sw1"):
        for i in range(24):
            t = now - timedelta(minutes=5 * (24 - i))
            down = device == "tb2-sw1" and 10 <= i < 16
            samples.append(Sample("poll_status", {"device": device},
                                  {"reachable": not down, "status": "timeout" if down else "ok"}, t))
    app.extensions["nms"].timeseries.sink().write(samples)
    return now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")


def test_form_offers_the_scopes_of_the_user(as_user) -> None:
    page = as_user("viewer").get("/reports/").text
    assert 'value="city"' in page and 'value="county:county-a"' in page
    assert 'value="township:town-b2"' in page and 'id="report-period"' in page
    county = as_user("county_a").get("/reports/").text
    assert 'value="city"' not in county and 'value="county:county-b"' not in county
    assert 'value="township:town-a1"' in county


def test_csv_and_pdf_downloads(as_user, today: str, db_session) -> None:
    c = as_user("viewer")  # the report viewer role may download reports
    resp = c.get(f"/reports/download?period={today}&scope=county:county-a&fmt=csv&table=devices")
    assert resp.status_code == 200, resp.text[:500]
    assert resp.mimetype == "text/csv"
    assert f'filename="uptime-county-county-a-{today}-devices.csv"' in resp.headers["Content-Disposition"]
    text = resp.data.decode("utf-8-sig")
    assert "ca-r1" in text and "ta1-sw1" in text and "cb-r1" not in text
    pdf = c.get(f"/reports/download?period={today}&scope=township:town-b2&fmt=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = c.get(f"/reports/download?period={today}&scope=city&fmt=xlsx")
    from openpyxl import load_workbook

    assert len(load_workbook(io.BytesIO(xlsx.data)).sheetnames) >= 3
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "report.download")).all()
    assert [(e.actor, e.success) for e in entries] == [("viewer", True)] * 3
    assert entries[0].target == f"county:county-a {today} csv"


def test_scope_is_enforced_and_errors_are_shown(as_user, today: str, db_session) -> None:
    county = as_user("county_a")
    for query in ("scope=county:county-b", "scope=city", "device=cb-r1", "scope=county:nowhere"):
        resp = county.get(f"/reports/download?period={today}&fmt=csv&{query}")
        assert resp.status_code == 400 and 'id="report-error"' in resp.text, query
    assert county.get(f"/reports/download?period={today}&fmt=csv&device=ca-r1").status_code == 200
    bad = as_user("viewer").get("/reports/download?period=2026-13&scope=city&fmt=csv")
    assert bad.status_code == 400 and "无法生成报表" in bad.text
    assert as_user("viewer").get("/reports/download?period=2026-10&scope=city&fmt=doc").status_code == 400
    failed = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "report.download",
                                                         AuditEntry.success.is_(False))).all()
    assert len(failed) == 5 and {e.actor for e in failed} == {"county_a", "viewer"}


def test_reports_are_not_for_account_and_log_administrators(as_user) -> None:
    assert as_user("secadmin").get("/reports/").status_code == 403
    assert as_user("auditadmin").get("/reports/download?period=2026-10&scope=city").status_code == 403
