"""Traps on a real link cut: net-snmp agents in the namespace lab send linkDown/linkUp to
``nms run`` listening in the mgmt namespace, and the alarms follow the cable.

The lab (city-core -> county-a -> town-a1, one county) is built with ``trap_sink`` so every
snmpd sends SNMPv2c notifications to 198.19.0.1:162 from its loopback. The daemon runs as a
user runs it -- ``python -m nms.cli run`` under ``ip netns exec <mgmt>`` (Python 3.11 has no
``os.setns``) -- polling every router over SNMP (which teaches the trap receiver the ifIndex ->
name table: net-snmp's linkDown carries only ifIndex) and receiving traps. Cutting
county-a:eth2 -- town-a1:eth1 makes *both* ends trap (the veth peer loses carrier too); the
test reads the alarms the daemon wrote to the shared SQLite database: both TRAP-LINK alarms
(named like LINK-006, with the planned peer), town-a1's DEVICE-DOWN suppressed behind them, and
all of it cleared by linkUp and the next successful poll.
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
import yaml

from nms.lab.netns import MGMT_ADDRESS, NetnsLab, tree_spec, unavailable_reason

pytestmark = [pytest.mark.lab, pytest.mark.slow]
COMMUNITY = "nmstrap"
# both ends of county-a:eth2 -- town-a1:eth1, keyed like LINK-006 (the planned peer named)
LINK = {("county-a", "eth2 <-> town-a1:eth1"), ("town-a1", "eth1 <-> county-a:eth2")}


@pytest.fixture(scope="module")
def trap_lab() -> Iterator[NetnsLab]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    lab = NetnsLab(tree_spec((1,), firewall=False), prefix=f"nmst{os.getpid() % 100000}t-",
                   community=COMMUNITY, trap_sink=(MGMT_ADDRESS, 162), trap_poll_s=1)
    lab.up(timeout=90)
    try:
        yield lab
    finally:
        lab.down()


def wait(predicate: Callable[[], Any], timeout: float, what: str, proc: subprocess.Popen[bytes],
         log: Path) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    if proc.poll() is None:  # every thread's stack into the log (PYTHONFAULTHANDLER)
        proc.send_signal(signal.SIGABRT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    pytest.fail(f"timed out waiting for {what} (daemon exit {proc.poll()})\n"
                f"{log.read_text(errors='replace')[-6000:]}")


def test_link_cut_raises_trap_alarms_and_restore_clears_them(trap_lab: NetnsLab, tmp_path: Path) -> None:
    from inventory.io import import_file
    from nms.alarms import AlarmManager
    from nms.config import load_config
    from nms.db import make_engine, migrate, session_scope
    from nms.state import load_state

    lab = trap_lab
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(lab.inventory(snmp_auth="lab-snmp"), allow_unicode=True),
                         encoding="utf-8")
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(yaml.safe_dump({
        "data_dir": str(tmp_path / "data"),
        "auths": {"lab-snmp": {"type": "snmp", "version": "2c", "community": COMMUNITY}},
        "snmp": {"timeout_s": 2.0, "retries": 1, "device_budget_s": 20},
        "polling": {"intervals_s": {"router": 3, "firewall": 86400, "switch": 86400, "server": 86400},
                    "jitter_s": 0, "probe_interval_s": 0, "audit_interval_s": 86400,
                    "link_health_interval_s": 86400},
        "sink": {"type": "sqlite", "path": str(tmp_path / "samples.db")},
        "traps": {"enabled": True, "host": MGMT_ADDRESS, "port": 162, "communities": [COMMUNITY]},
    }), encoding="utf-8")
    config = load_config(cfg_path)
    engine = make_engine(config.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, inventory, auth_names={"lab-snmp"})
    manager = AlarmManager(engine, config.alarms)

    def trap_alarms(state: str) -> set[tuple[str, str]]:
        return {(a["device"], a["subject"]) for a in manager.list(check_id="TRAP-LINK", state=state)}

    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["ip", "netns", "exec", lab.mgmt_ns, sys.executable, "-m", "nms.cli",
                                 "--config", str(cfg_path), "-v", "run", "--duration", "240"],
                                stdout=out, stderr=out, cwd=tmp_path,
                                env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    try:
        wait(lambda: f"traps on {MGMT_ADDRESS}:162" in log.read_text(errors="replace"), 60,
             "the trap receiver", proc, log)
        # both ends of the link polled: the receiver now knows their ifIndex -> name tables
        wait(lambda: all(load_state(engine, [d]).get(d, {}).get("interfaces") for d, _ in LINK), 60,
             "state of county-a and town-a1", proc, log)
        assert trap_alarms("all") == set()

        lab.cut("town-a1")  # county-a:eth2 -- town-a1:eth1
        wait(lambda: trap_alarms("open") >= LINK, 30, "TRAP-LINK alarms on both ends", proc, log)
        raised = {(a["device"], a["subject"]): a for a in manager.list(check_id="TRAP-LINK", state="open")}
        for key in LINK:
            alarm = raised[key]
            assert alarm["source"] == "trap" and alarm["severity"] == "major"
            assert "linkDown" in alarm["reason_en"] and "中断" in alarm["reason_zh"]
            assert alarm["details"]["oid"] == "1.3.6.1.6.3.1.1.5.3"
        assert trap_alarms("open") == LINK  # nothing else went down
        # town-a1 is now unreachable in-band: its DEVICE-DOWN (polls time out after 2 x 2 s, the
        # traps came within a second) is raised suppressed behind the cut uplink
        (down,) = wait(lambda: manager.list(check_id="DEVICE-DOWN", device="town-a1", state="open"),
                       30, "DEVICE-DOWN of town-a1", proc, log)
        assert down["suppressed"] and "uplink" in down["suppressed_reason"], down

        lab.restore("town-a1")
        wait(lambda: not trap_alarms("open"), 30, "TRAP-LINK alarms cleared", proc, log)
        wait(lambda: not manager.list(check_id="DEVICE-DOWN", state="open"), 30,
             "DEVICE-DOWN of town-a1 cleared", proc, log)
        for key in LINK:
            actions = [e["action"] for e in manager.history(raised[key]["id"])]
            assert actions[0] == "raised" and actions[-1] == "cleared"
            assert "linkUp" in manager.history(raised[key]["id"])[-1]["note"]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        engine.dispose()
    text = log.read_text(errors="replace")
    assert code == 0, text[-4000:]
    assert "trap counters:" in text and "'unknown_source'" not in text.split("trap counters:")[-1]
