"""`nms run` against live agents: the simulated network served by snmpsim (`nms.lab.service`).

The daemon runs as a user runs it -- ``python -m nms.cli --config ... run`` in its own process --
and the test watches what it leaves behind: samples in the SQLite sink, state in ``nms.state``,
``DEVICE-DOWN`` alarms raised when snmpsim is stopped and cleared when it is started again,
and a clean exit on SIGTERM. Routers are polled every 4 s, other devices once a day (their first
poll may still fall into the test: new jobs start within five minutes), to keep the CPU cost
small; the lab is 2 counties x 2 townships.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nms.config import load_config
from nms.errors import NmsError

pytestmark = [pytest.mark.snmpsim, pytest.mark.slow]


def wait(predicate: Callable[[], Any], timeout: float, what: str,
         proc: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.25)
    if proc is not None and proc.poll() is None:  # dump every thread's stack into the log
        proc.send_signal(signal.SIGABRT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    tail = log.read_text(errors="replace")[-8000:] if log is not None and log.exists() else ""
    pytest.fail(f"timed out waiting for {what} (daemon exit {proc.poll() if proc else None})\n{tail}")


@pytest.fixture
def lab(make_config, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from inventory.io import import_file
    from nms.db import make_engine, migrate, session_scope
    from nms.lab import service
    from nms.lab.snmpsim import find_snmpsim_command, free_udp_port

    try:
        find_snmpsim_command()
    except NmsError as exc:
        pytest.skip(f"snmpsim not installed: {exc}")
    port = free_udp_port("127.79.0.1")
    cfg_path = make_config({
        "lab": {"counties": 2, "townships_per_county": 2, "port": port, "address_prefix": "127.79.0.0/16",
                "community": "run-lab", "dir": str(tmp_path / "lab")},
        "auths": {"lab-snmp": {"type": "snmp", "version": "2c", "community": "run-lab"}},
        "default_snmp_auth": "lab-snmp",
        "snmp": {"timeout_s": 2.0, "retries": 1, "device_budget_s": 30},
        "polling": {"intervals_s": {"router": 4, "firewall": 86400, "switch": 86400, "server": 86400},
                    "jitter_s": 0, "probe_interval_s": 0, "audit_interval_s": 86400,
                    "link_health_interval_s": 86400},
        "sink": {"type": "sqlite", "path": str(tmp_path / "samples.db")},
        "traps": {"enabled": False},
    })
    config = load_config(cfg_path)
    status = service.start(config)
    assert status.running, status.message
    engine = make_engine(config.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        for name in ("inventory.yaml", "ipplan.yaml"):
            import_file(session, config.lab_path / name, auth_names=set(config.auths))
    try:
        yield cfg_path, config, engine
    finally:
        service.stop(config)
        engine.dispose()


def test_nms_run_polls_stores_and_raises_device_down(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from inventory.models import Device
    from nms.alarms import AlarmManager
    from nms.db import session_scope
    from nms.lab import service
    from nms.sink import open_sink
    from nms.state import load_state

    cfg_path, config, engine = lab
    with session_scope(engine) as session:
        routers = sorted(session.scalars(select(Device.name).where(Device.role == "router")))
    assert len(routers) >= 6  # two city cores, two county aggregation routers, four townships
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nms.cli", "--config", str(cfg_path), "-v", "run",
                                 "--no-traps", "--duration", "180"], stdout=out, stderr=out,
                                cwd=cfg_path.parent, env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    manager = AlarmManager(engine, config.alarms)
    try:
        # every router polled: its state saved (interfaces from IF-MIB, facts from the system group)
        polled = wait(lambda: (s := load_state(engine, routers)) and set(s) == set(routers) and s,
                      60, "state of every router", proc, log)
        assert all(polled[r]["interfaces"] and polled[r]["facts"]["sysName"] == r for r in routers)
        # ... and its samples in the SQLite sink, as another process (the console) reads them
        with open_sink(config, spool=False) as sink:
            wait(lambda: {s.tags["device"] for s in sink.query("poll_status")} >= set(routers),
                 30, "poll_status samples", proc, log)
            assert {s.tags["device"] for s in sink.query("interface")} >= set(routers)
            ok = [s for s in sink.query("poll_status") if s.tags["device"] == routers[0]]
            assert ok and all(s.tags["collector"] == "snmp" for s in ok)
        assert manager.list(check_id="DEVICE-DOWN", state="open") == []

        # the agents go away: every polled router is reported down
        service.stop(config)
        down = wait(lambda: (a := manager.list(check_id="DEVICE-DOWN", state="open")) and
                    {x["device"] for x in a} >= set(routers) and a, 60, "DEVICE-DOWN alarms", proc, log)
        assert all(a["state"] == "raised" and a["severity"] == "critical" for a in down)
        # townships behind their down county router are suppressed, the city core is not
        by_device = {a["device"]: a for a in down}
        assert not by_device["city-core-r1"]["suppressed"]
        assert any(a["suppressed"] for a in down)

        # they come back: the alarms clear
        assert service.start(config).running
        # (a non-router polled for the first time while snmpsim was down stays down until its
        # next poll, a day later: only the routers' alarms are waited for)
        wait(lambda: not {a["device"] for a in manager.list(check_id="DEVICE-DOWN", state="open")} & set(routers),
             60, "DEVICE-DOWN of the routers cleared", proc, log)
        actions = [e["action"] for e in manager.history(by_device["city-core-r1"]["id"])]
        assert actions[0] == "raised" and actions[-1] == "cleared"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert "jobs scheduled" in log.read_text(errors="replace")
