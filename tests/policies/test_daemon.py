"""`nms run` scheduling: jobs from config, jitter, no overlap, persisted across a restart; the
probe, audit (config collection over SSH) and monthly report jobs run through the scheduler
against real peers (probes on loopback, FakeNOS over SSH, aiosmtpd); the evaluation job turning
findings into alarms and notifications; `nms checks list` / `nms policy run`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from nms.alarms import AlarmManager
from nms.config import load_config
from nms.db import make_engine, migrate, session_scope
from nms.notify import Notifier
from nms.state import save_state
from policies import daemon

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "inventory" / "small.yaml"
DEVICES = ("city-core-r1", "city-fw1", "county01-agg-r1", "county02-agg-r1", "county01-town01-r1",
           "county01-town02-r1", "county02-town01-r1", "city-srv1")


@pytest.fixture
def setup(make_config):  # type: ignore[no-untyped-def]
    from inventory.io import import_file

    cfg_path = make_config({"polling": {"intervals_s": {"router": 60, "server": 300}, "jitter_s": 7,
                                        "link_health_interval_s": 120, "probe_interval_s": 45},
                            "reports": {"schedule_day": 3, "schedule_time": "06:15"},
                            "sink": {"type": "memory"}})
    config = load_config(cfg_path)
    engine = make_engine(config.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, SMALL, auth_names={"lab-snmp"})
    return cfg_path, config, engine


def test_jobs_from_config_with_jitter_and_no_overlap(setup) -> None:  # type: ignore[no-untyped-def]
    _path, config, engine = setup
    now = datetime.now(UTC)
    scheduler = daemon.build_scheduler(config, engine, start_paused=True, now=now)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {"audit", "link-health", "probe", "report",
                             *(f"poll:{d}" for d in DEVICES)}
        assert jobs["poll:city-core-r1"].trigger.interval.total_seconds() == 60
        assert jobs["poll:city-srv1"].trigger.interval.total_seconds() == 300
        assert jobs["link-health"].trigger.interval.total_seconds() == 120
        assert jobs["probe"].trigger.interval.total_seconds() == 45
        assert jobs["audit"].trigger.interval.total_seconds() == 86400
        assert all(j.trigger.jitter == 7 and j.max_instances == 1 and j.coalesce for j in jobs.values())
        assert jobs["poll:city-core-r1"].args == ("city-core-r1",)
        # the monthly bulletin: cron on reports.schedule_day/time in the configured timezone,
        # still made when the daemon was down at that moment
        report = jobs["report"]
        assert str(report.trigger) == "cron[day='3', hour='6', minute='15']"
        assert str(report.trigger.timezone) == "Asia/Shanghai"
        assert report.misfire_grace_time == daemon.REPORT_GRACE_S
        assert report.next_run_time.astimezone(report.trigger.timezone).day == 3
        # fresh jobs start spread over their first interval (at most five minutes away)
        polls = [j for j in jobs.values() if j.id.startswith("poll:")]
        assert all(now <= j.next_run_time <= now + j.trigger.interval for j in polls)
        assert len({j.next_run_time for j in polls}) == len(polls)
        assert now <= jobs["audit"].next_run_time <= now + timedelta(seconds=300)
        before = {j.id: j.next_run_time for j in jobs.values()}
    finally:
        scheduler.shutdown(wait=False)
    # a restart resumes from the stored schedule instead of starting every job afresh
    again = daemon.build_scheduler(config, engine, start_paused=True)
    try:
        assert {j.id: j.next_run_time for j in again.get_jobs()} == before
    finally:
        again.shutdown(wait=False)


def test_evaluation_raises_alarms(setup) -> None:  # type: ignore[no-untyped-def]
    _path, config, engine = setup
    save_state(engine, "county01-agg-r1", {"processors": [{"descr": "MPU", "usage_percent": 99}],
                                           "mempools": [{"descr": "MPU", "used_percent": 20}]})
    rt = daemon.Runtime(config=config, engine=engine, manager=AlarmManager(engine, config.alarms),
                        notifier=Notifier(config.notify))
    changes = daemon.evaluate(daemon.LINK_PACKS, rt)
    raised = {(c.alarm["check_id"], c.alarm["device"]) for c in changes if c.action == "raised"}
    assert ("HEALTH-001", "county01-agg-r1") in raised
    assert ("HEALTH-002", "county01-agg-r1") not in raised
    assert daemon.evaluate(daemon.LINK_PACKS, rt) == []  # de-duplicated on the next round


def test_cli_checks_list_and_policy_run(setup) -> None:  # type: ignore[no-untyped-def]
    from nms.cli import cli

    path, _config, engine = setup
    save_state(engine, "county01-agg-r1", {"processors": [{"descr": "MPU", "usage_percent": 99}]})
    runner = CliRunner()
    out = runner.invoke(cli, ["--config", str(path), "checks", "list", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = {r["id"]: r for r in json.loads(out.output)}
    assert rows["IPPLAN-003"]["pack"] == "ip_plan" and rows["IPPLAN-003"]["mlps"] == "8.1.2.1 c"
    assert rows["HEALTH-001"]["severity"] == "major" and rows["LINK-006"]["title_zh"]
    out = runner.invoke(cli, ["--config", str(path), "policy", "run", "--pack", "device_health",
                              "--format", "json"])
    assert out.exit_code == 1, out.output  # a FAIL
    fails = [f for f in json.loads(out.output) if f["status"] == "FAIL"]
    assert [(f["check_id"], f["device"]) for f in fails] == [("HEALTH-001", "county01-agg-r1")]
    out = runner.invoke(cli, ["--config", str(path), "policy", "run", "--check", "IPPLAN-006"])
    assert out.exit_code == 0, out.output  # every lab address is a local endpoint: nothing fails
    out = runner.invoke(cli, ["--config", str(path), "policy", "run", "--check", "NOPE-001"])
    assert out.exit_code == 2


def test_changed_interval_is_applied_and_fires_no_later(setup, make_config) -> None:  # type: ignore[no-untyped-def]
    _path, config, engine = setup
    now = datetime.now(UTC)
    first = daemon.build_scheduler(config, engine, start_paused=True, now=now)
    try:
        old = {j.id: j.next_run_time for j in first.get_jobs()}
    finally:
        first.shutdown(wait=False)
    # the operator shortens the audit interval from a day to ten minutes and restarts
    config2 = load_config(make_config({"polling": {"intervals_s": {"router": 60, "server": 300},
                                                   "jitter_s": 7, "link_health_interval_s": 120,
                                                   "probe_interval_s": 45, "audit_interval_s": 600},
                                       "reports": {"schedule_day": 3, "schedule_time": "06:15"},
                                       "sink": {"type": "memory"}}))
    later = now + timedelta(seconds=30)
    again = daemon.build_scheduler(config2, engine, start_paused=True, now=later)
    try:
        jobs = {j.id: j for j in again.get_jobs()}
        assert jobs["audit"].trigger.interval == timedelta(seconds=600)
        assert jobs["audit"].next_run_time <= min(old["audit"], later + timedelta(seconds=300))
        # untouched jobs keep their stored schedule
        assert jobs["poll:city-core-r1"].next_run_time == old["poll:city-core-r1"]
    finally:
        again.shutdown(wait=False)


def test_the_daemon_finds_its_plugins_in_the_registry() -> None:
    from nms import registry

    assert {"snmp", "ssh", "probe"} <= set(registry.collectors.names())
    assert "traps" in registry.receivers.names()
    assert hasattr(registry.receivers.get("traps"), "from_config")
    assert hasattr(registry.collectors.get("probe")(), "collect_many")
    assert hasattr(registry.collectors.get("ssh")(), "collect_and_store")


def _run_now(scheduler, job_id: str) -> None:  # type: ignore[no-untyped-def]
    """Make a stored job due now and let the scheduler run it (through the job store, by
    reference). Every other job is removed first: their first runs fall within minutes and would
    poll, probe and mail alarm notifications in the middle of the test."""
    for job in scheduler.get_jobs():
        if job.id != job_id:
            job.remove()
    scheduler.get_job(job_id).modify(next_run_time=datetime.now(UTC))
    scheduler.resume()


def _wait(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


@pytest.fixture
def live(make_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The small inventory, a real SQLite sink, and a daemon Runtime the scheduled jobs use."""
    from inventory.io import import_file
    from nms.sink import open_sink

    def build(extra: dict | None = None):  # type: ignore[no-untyped-def]
        data = {"polling": {"jitter_s": 0}, "sink": {"type": "sqlite", "path": str(tmp_path / "samples.db")},
                **(extra or {})}
        config = load_config(make_config(data))
        engine = make_engine(config.database_url)
        migrate(engine)
        with session_scope(engine) as session:
            import_file(session, SMALL, auth_names={"lab-snmp", "fake-ssh"})
        sink = open_sink(config)
        rt = daemon.Runtime(config=config, engine=engine, manager=AlarmManager(engine, config.alarms),
                            notifier=Notifier(config.notify), sink=sink)
        monkeypatch.setattr(daemon, "RUNTIME", rt)
        opened.append((sink, engine))
        return rt

    opened: list = []
    yield build
    for sink, engine in opened:
        sink.close()
        engine.dispose()


def test_probe_job_writes_probe_samples(live) -> None:  # type: ignore[no-untyped-def]
    """A real probe round (scapy ICMP as root, else the unprivileged fallbacks) to the small
    inventory's loopback addresses, run by the scheduler from the job store."""
    rt = live()
    scheduler = daemon.build_scheduler(rt.config, rt.engine, start_paused=True)
    try:
        _run_now(scheduler, "probe")
        assert _wait(lambda: len({s.tags["device"] for s in rt.sink.query("probe")}) == len(DEVICES))
    finally:
        scheduler.shutdown(wait=True)
    samples = rt.sink.query("probe")
    assert {s.tags["device"] for s in samples} == set(DEVICES)
    # every device answered (a busy box may still lose one of the three echoes)
    assert all(s.fields["reachable"] and s.fields["loss_percent"] < 100 for s in samples)
    assert all(s.tags["kind"] == "device" and s.tags["target"].startswith("127.77.") for s in samples)


def test_report_job_mails_last_months_bulletin(live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The monthly job, run by the scheduler, e-mails the bulletin to a real SMTP server once."""
    import email
    import socket

    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rt = live({"notify": {"channels": [{"name": "noc", "type": "email", "smtp_host": "127.0.0.1",
                                            "smtp_port": port, "sender": "nms@example.org",
                                            "recipients": ["noc@example.org"]}]},
                   "reports": {"formats": ["csv"], "output_dir": str(tmp_path / "reports")}})
        scheduler = daemon.build_scheduler(rt.config, rt.engine, start_paused=True)
        try:
            _run_now(scheduler, "report")
            assert _wait(lambda: len(received) == 1, 60)
            # run again (a restarted daemon catching up): the period is not mailed twice
            scheduler.pause()
            _run_now(scheduler, "report")
            assert _wait(lambda: scheduler.get_job("report").next_run_time > datetime.now(UTC)
                         + timedelta(days=1), 30)
        finally:
            scheduler.shutdown(wait=True)
    finally:
        controller.stop()
    assert len(received) == 1
    msg = received[0]
    assert msg["To"] == "noc@example.org"
    (part,) = [p for p in msg.walk() if p.get_filename()]
    period = part.get_filename().split("-uptime-")[1][:7]  # nms-uptime-YYYY-MM-city.csv
    assert (tmp_path / "reports" / period / "city.sent").exists()


FAKENOS = Path(__import__("sys").executable).with_name("fakenos")


@pytest.mark.skipif(not FAKENOS.exists(), reason="fakenos not installed (pip install -e '.[test]')")
def test_audit_job_collects_configs_over_ssh_and_audits_them(live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The audit job reads the running config of the device with an ``ssh_auth`` from a real SSH
    server (FakeNOS), stores it, and the baseline checks judge it: alarms for what fails."""
    from sqlalchemy import update

    from inventory.models import Device
    from nms.configs import history
    from tests.audit.test_collect import FIXTURES, start_fakenos, stop

    proc, port = start_fakenos(tmp_path, (FIXTURES / "cisco_ios" / "weak.cfg").read_text(), "edge")
    try:
        rt = live({"auths": {"lab-snmp": {"type": "snmp", "version": "2c", "community": "test-ro"},
                             "fake-ssh": {"type": "ssh", "username": "netops", "password": "netops123",
                                          "enable_secret": "x", "port": port}},
                   "polling": {"jitter_s": 0, "audit_interval_s": 86400}})
        with session_scope(rt.engine) as session:  # the Cisco township router is managed over SSH
            session.execute(update(Device).where(Device.name == "county02-town01-r1")
                            .values(address="127.0.0.1", ssh_auth="fake-ssh"))
        scheduler = daemon.build_scheduler(rt.config, rt.engine, start_paused=True)
        try:
            _run_now(scheduler, "audit")
            assert _wait(lambda: bool(rt.manager.list(device="county02-town01-r1", check_id="BL-AUTH-001")), 120)
        finally:
            scheduler.shutdown(wait=True)
    finally:
        stop(proc)
    (version,) = history(rt.engine, "county02-town01-r1")
    assert version.collected_by == "scheduler" and version.source == "ssh"
    open_ids = {a["check_id"] for a in rt.manager.list(device="county02-town01-r1")}
    assert {"BL-AUTH-001", "BL-SNMP-001"} <= open_ids  # telnet on the vty lines, community "public"
    # devices without an ssh_auth had nothing collected, so no config-based baseline verdict
    # raises alarms there (the topology checks BL-TOP-*/BL-FW-006 read the plan, not configs)
    assert not [a for a in rt.manager.list() if a["check_id"].startswith("BL-")
                and not a["check_id"].startswith(("BL-TOP-", "BL-FW-006"))
                and a["device"] != "county02-town01-r1"]
