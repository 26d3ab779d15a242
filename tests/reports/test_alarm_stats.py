"""Alarm statistics for the bulletin, read from issue 6's alarms table (a real SQLite store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from nms.config import load_config_data
from nms.db import make_engine, migrate, session_scope
from nms.reports.data import load_alarm_stats, load_audit_status
from nms.sink import to_us


def test_alarm_counts_over_the_period(tmp_path: Path) -> None:
    from nms.alarms import Alarm

    url = f"sqlite:///{tmp_path / 'nms.db'}"
    engine = make_engine(url)
    migrate(engine)
    t0 = datetime(2026, 9, 30, 16, tzinfo=UTC)  # 2026-10-01 00:00 Beijing
    rows = [  # (device, check, severity, raised, cleared)
        ("r1", "DEVICE-DOWN", "critical", t0 + timedelta(days=1), t0 + timedelta(days=1, hours=1)),
        ("r1", "LINK-006", "major", t0 + timedelta(days=2), None),
        ("r2", "SEC-010", "minor", t0 - timedelta(days=3), t0 + timedelta(days=5)),
        ("r3", "LINK-006", "major", t0 - timedelta(days=9), t0 - timedelta(days=8)),  # before
    ]
    with session_scope(engine) as session:
        for device, check, severity, raised, cleared in rows:
            session.add(Alarm(check_id=check, device=device, subject="", severity=severity,
                              original_severity=severity, raised_at=raised, last_seen=raised,
                              cleared_at=cleared, state="cleared" if cleared else "raised"))
    engine.dispose()
    config = load_config_data({"data_dir": str(tmp_path), "inventory": {"database": url}})
    start, end = to_us(t0), to_us(t0 + timedelta(days=31))
    stats = load_alarm_stats(config, start, end)
    assert stats is not None
    assert (stats.raised, stats.cleared, stats.open_at_end) == (2, 2, 1)
    assert stats.by_severity == {"critical": 1, "major": 1}
    assert stats.top_devices == [("r1", 2)]
    assert stats.mean_time_to_clear_s == 3600.0
    only_r2 = load_alarm_stats(config, start, end, devices=["r2"])
    assert only_r2 is not None and (only_r2.raised, only_r2.cleared) == (0, 1)
    # the baseline audit's status comes from its BL-* alarms
    assert load_audit_status(config, start, end) is None  # no BL-* alarm yet
    engine = make_engine(url)
    with session_scope(engine) as session:
        for device, raised, cleared in (("r1", t0 + timedelta(days=3), None),
                                        ("r2", t0 + timedelta(days=3), None),
                                        ("r2", t0 - timedelta(days=1), t0 + timedelta(days=4))):
            session.add(Alarm(check_id="BL-AUTH-005", device=device, subject="", severity="major",
                              original_severity="major", raised_at=raised, last_seen=raised,
                              cleared_at=cleared, state="cleared" if cleared else "raised"))
    engine.dispose()
    audit = load_audit_status(config, start, end)
    assert audit is not None
    assert (audit.open_at_end, audit.devices_failing, audit.raised, audit.cleared) == (2, 2, 2, 1)
    assert audit.top_checks == [("BL-AUTH-005", 2)]


def test_missing_table_or_module_is_not_available(tmp_path: Path) -> None:
    config = load_config_data({"data_dir": str(tmp_path),
                               "inventory": {"database": f"sqlite:///{tmp_path / 'empty.db'}"}})
    assert load_alarm_stats(config, 0, 1) is None  # no alarms table: "not available"
    assert load_audit_status(config, 0, 1) is None
