"""Alarm lifecycle on the real store (SQLite, and PostgreSQL when it answers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from nms.alarms import AlarmError, AlarmManager, Event
from nms.config import AlarmsConfig, MaintenanceWindow
from nms.db import make_engine, migrate
from nms.models import Finding, FindingStatus, Severity

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
PARENTS = {"k1-agg": "city-core", "t1-acc": "k1-agg", "t2-acc": "k1-agg"}


def fnd(status: str, device: str = "t1-acc", subject: str = "Gi0/0", check: str = "LINK-003",
        severity: Severity = Severity.MAJOR) -> Finding:
    return Finding(check, device, subject, FindingStatus(status), severity, "errors 5/s", "错包 5/秒",
                   observed=5.0, expected={"max": 1.0})


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


def manager(engine, **cfg) -> AlarmManager:  # type: ignore[no-untyped-def]
    return AlarmManager(engine, AlarmsConfig(**cfg), parents=PARENTS,
                        sites={"t1-acc": "T1", "t2-acc": "T2", "k1-agg": "K1"},
                        site_parents={"T1": "K1", "T2": "K1", "K1": "C"})


def test_raise_dedup_hysteresis_clear(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, raise_after=2, clear_after=2, escalate_after_s=0)
    assert m.process([fnd("FAIL")], T0) == []  # one failure is not yet an alarm
    (c,) = m.process([fnd("FAIL")], T0 + timedelta(minutes=5))
    assert c.action == "raised" and c.alarm["severity"] == "major"
    assert m.process([fnd("FAIL")], T0 + timedelta(minutes=10)) == []  # de-duplicated
    (row,) = m.list(state="open")
    assert row["count"] == 2 and row["check_id"] == "LINK-003"
    assert m.process([fnd("PASS")], T0 + timedelta(minutes=15)) == []  # one pass is not enough
    (c,) = m.process([fnd("PASS")], T0 + timedelta(minutes=20))
    assert c.action == "cleared" and c.alarm["cleared_by"] == "auto"
    assert m.list(state="open") == []
    actions = [e["action"] for e in m.history(row["id"])]
    assert actions == ["raised", "cleared"]


def test_flapping_reopens_the_same_alarm(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, clear_after=1, reopen_within_s=900, escalate_after_s=0)
    m.process([fnd("FAIL")], T0)
    m.process([fnd("PASS")], T0 + timedelta(minutes=1))
    (c,) = m.process([fnd("FAIL")], T0 + timedelta(minutes=2))
    assert c.action == "reopened"
    m.process([fnd("PASS")], T0 + timedelta(minutes=3))
    (c,) = m.process([fnd("FAIL")], T0 + timedelta(hours=2))  # long after: a new alarm
    assert c.action == "raised"
    rows = m.list(state="all")
    assert len(rows) == 2 and rows[1]["reopened"] == 1


def test_absent_subject_clears_but_missing_data_does_not(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, clear_after=1, escalate_after_s=0)
    m.process([fnd("FAIL", subject="10.1.1.1", check="IPPLAN-003")], T0)
    # the device could not be judged this time: the alarm stays
    assert m.process([fnd("NEEDS_REVIEW", subject="", check="IPPLAN-003")], T0 + timedelta(minutes=1)) == []
    assert len(m.list(state="open")) == 1
    # judged again, and the duplicate is gone (the device-level PASS names no address)
    (c,) = m.process([fnd("PASS", subject="", check="IPPLAN-003")], T0 + timedelta(minutes=2))
    assert c.action == "cleared"


def test_ack_and_manual_clear_record_who_and_when(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, escalate_after_s=0)
    (c,) = m.process([fnd("FAIL")], T0)
    aid = c.alarm["id"]
    ack = m.acknowledge(aid, "zhangsan", "on it", now=T0 + timedelta(minutes=1))
    assert ack.alarm["state"] == "acknowledged" and ack.alarm["acknowledged_by"] == "zhangsan"
    m.comment(aid, "lisi", "optic ordered", now=T0 + timedelta(minutes=2))
    cleared = m.clear(aid, "lisi", "fixed the optic", now=T0 + timedelta(minutes=9))
    assert cleared.alarm["cleared_by"] == "lisi"
    with pytest.raises(AlarmError):
        m.acknowledge(aid, "zhangsan")
    with pytest.raises(AlarmError):
        m.clear(9999, "x")
    history = m.history(aid)
    assert [(e["action"], e["user"]) for e in history] == [
        ("raised", None), ("acknowledged", "zhangsan"), ("commented", "lisi"), ("cleared", "lisi")]
    assert history[1]["note"] == "on it"


def test_comments_go_to_the_history_in_any_state(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, escalate_after_s=0)
    (c,) = m.process([fnd("FAIL")], T0)
    aid = c.alarm["id"]
    note = m.comment(aid, "zhangsan", "optic ordered", now=T0 + timedelta(minutes=2))
    assert note.action == "commented" and note.alarm["state"] == "raised"  # state unchanged
    m.clear(aid, "lisi", now=T0 + timedelta(minutes=3))
    m.comment(aid, "lisi", "root cause: dirty connector", now=T0 + timedelta(minutes=4))
    assert [(e["action"], e["user"], e["note"]) for e in m.history(aid)][1:] == [
        ("commented", "zhangsan", "optic ordered"), ("cleared", "lisi", None),
        ("commented", "lisi", "root cause: dirty connector")]
    with pytest.raises(ValueError):
        m.comment(aid, "x", "  ")
    with pytest.raises(AlarmError):
        m.comment(9999, "x", "hello")


def test_escalation_after_delay_unless_acknowledged(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, escalate_after_s=3600)
    m.process([fnd("FAIL", severity=Severity.MINOR)], T0)
    m.process([fnd("FAIL", subject="Gi0/1", severity=Severity.MINOR)], T0)
    acked = m.list(state="open")[0]["id"]
    m.acknowledge(acked, "ops", now=T0 + timedelta(minutes=5))
    assert m.escalate(T0 + timedelta(minutes=30)) == []
    (c,) = m.escalate(T0 + timedelta(minutes=61))
    assert c.action == "escalated" and c.alarm["severity"] == "major"
    assert c.alarm["original_severity"] == "minor"
    (c,) = m.escalate(T0 + timedelta(minutes=122))
    assert c.alarm["severity"] == "critical"
    assert m.escalate(T0 + timedelta(hours=10)) == []  # critical is the top


def test_suppressed_behind_parent_down(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, escalate_after_s=0)
    m.process_events([Event("DEVICE-DOWN", "k1-agg", "", Severity.CRITICAL, "k1-agg unreachable",
                            "k1-agg 不可达", source="event")], T0)
    (c,) = m.process([fnd("FAIL", device="t2-acc")], T0 + timedelta(minutes=1))
    assert c.alarm["suppressed"] and "k1-agg" in c.alarm["suppressed_reason"]
    # the uplink of t1 is down (LINK-006 on the county router): t1's alarms are consequences
    m.process([Finding("LINK-006", "k1-agg", "Gi0/1 <-> t1-acc:Gi0/0", FindingStatus.FAIL,
                       Severity.CRITICAL, "down", "中断")], T0)
    (c,) = m.process([fnd("FAIL", device="t1-acc", check="LINK-007")], T0 + timedelta(minutes=2))
    assert c.alarm["suppressed"]
    # the parent itself is never suppressed by its own state
    (c,) = m.process([fnd("FAIL", device="k1-agg", check="HEALTH-001")], T0 + timedelta(minutes=3))
    assert not c.alarm["suppressed"]
    # suppressed alarms are not escalated
    m2 = manager(engine, escalate_after_s=60)
    assert all(ch.alarm["device"] == "k1-agg" for ch in m2.escalate(T0 + timedelta(hours=1)))


def test_maintenance_window_by_site(engine) -> None:  # type: ignore[no-untyped-def]
    window = MaintenanceWindow(name="county K1 cutover", start="2026-11-20T16:00:00+08:00",
                               end="2026-11-20T18:00:00+08:00", sites=["K1"])
    m = manager(engine, maintenance=[window], escalate_after_s=0)
    (c,) = m.process([fnd("FAIL", device="t1-acc")], T0 + timedelta(hours=0, minutes=30))  # 16:30 +08
    assert c.alarm["suppressed"] and c.alarm["suppressed_reason"] == "maintenance: county K1 cutover"
    (c,) = m.process([fnd("FAIL", device="t2-acc")], T0 + timedelta(hours=3))  # after the window
    assert not c.alarm["suppressed"]


def test_link_events_raise_and_clear_and_transients_are_history(engine) -> None:  # type: ignore[no-untyped-def]
    m = manager(engine, escalate_after_s=0)
    down = Event("TRAP-LINK", "t1-acc", "Gi0/0", Severity.MAJOR, "linkDown Gi0/0", "接口 Gi0/0 中断")
    up = Event("TRAP-LINK", "t1-acc", "Gi0/0", Severity.MAJOR, "linkUp Gi0/0", "接口 Gi0/0 恢复", clears=True)
    (c,) = m.process_events([down], T0)
    assert c.action == "raised" and c.alarm["source"] == "trap"
    assert m.process_events([down], T0 + timedelta(seconds=5)) == []  # de-duplicated
    (c,) = m.process_events([up], T0 + timedelta(seconds=10))
    assert c.action == "cleared"
    (c,) = m.process_events([Event("TRAP-COLDSTART", "t1-acc", "", Severity.WARNING, "coldStart",
                                   "设备冷启动", transient=True)], T0)
    assert c.alarm["state"] == "cleared"
    assert m.list(state="open") == []
    assert len(m.list(state="all")) == 2


def test_cli_list_ack_clear(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from nms.cli import cli

    cfg = make_config()
    from nms.config import load_config

    config = load_config(cfg)
    engine = make_engine(config.database_url)
    migrate(engine)
    m = AlarmManager(engine, AlarmsConfig(escalate_after_s=0))
    m.process([fnd("FAIL")], T0)
    runner = CliRunner()
    out = runner.invoke(cli, ["--config", str(cfg), "alarms", "list", "--format", "json"])
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.output)
    out = runner.invoke(cli, ["--config", str(cfg), "alarms", "ack", str(row["id"]), "--user", "wang"])
    assert out.exit_code == 0 and "acknowledged" in out.output
    out = runner.invoke(cli, ["--config", str(cfg), "alarms", "clear", str(row["id"]), "--user", "wang"])
    assert out.exit_code == 0
    out = runner.invoke(cli, ["--config", str(cfg), "alarms", "clear", str(row["id"])])
    assert out.exit_code == 1
    out = runner.invoke(cli, ["--config", str(cfg), "alarms", "history", str(row["id"]), "--format", "json"])
    assert [e["action"] for e in json.loads(out.output)] == ["raised", "acknowledged", "cleared"]
    out = runner.invoke(cli, ["--config", str(cfg), "alarms", "list"])
    assert out.exit_code == 0
