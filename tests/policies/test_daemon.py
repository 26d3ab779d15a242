"""`nms run` scheduling: jobs from config, jitter, no overlap, persisted across a restart; the
evaluation job turning findings into alarms and notifications; `nms checks list` / `nms policy run`."""

from __future__ import annotations

import json
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


@pytest.fixture
def setup(make_config):  # type: ignore[no-untyped-def]
    from inventory.io import import_file

    cfg_path = make_config({"polling": {"intervals_s": {"router": 60, "server": 300}, "jitter_s": 7,
                                        "link_health_interval_s": 120},
                            "sink": {"type": "memory"}})
    config = load_config(cfg_path)
    engine = make_engine(config.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, SMALL, auth_names={"lab-snmp"})
    return cfg_path, config, engine


def test_jobs_from_config_with_jitter_and_no_overlap(setup) -> None:  # type: ignore[no-untyped-def]
    _path, config, engine = setup
    scheduler = daemon.build_scheduler(config, engine, start_paused=True)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert {"audit", "link-health", "poll:city-core-r1", "poll:city-srv1"} <= set(jobs)
        assert jobs["poll:city-core-r1"].trigger.interval.total_seconds() == 60
        assert jobs["poll:city-srv1"].trigger.interval.total_seconds() == 300
        assert jobs["link-health"].trigger.interval.total_seconds() == 120
        assert all(j.trigger.jitter == 7 and j.max_instances == 1 and j.coalesce for j in jobs.values())
        assert jobs["poll:city-core-r1"].args == ("city-core-r1",)
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
