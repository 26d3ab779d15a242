"""The lab's own hygiene: stale labs and orphan ``nmst*`` namespaces are removed, nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from nms.lab.netns import STATE_ROOT, cleanup_stale, list_namespaces, namespace_pids

pytestmark = [pytest.mark.lab]


def _netns_with_sleeper(name: str) -> subprocess.Popen[bytes]:
    subprocess.run(["ip", "netns", "add", name], check=True)
    proc = subprocess.Popen(["ip", "netns", "exec", name, "sleep", "60"])
    deadline = time.monotonic() + 5
    while not namespace_pids(name) and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc


def test_stale_and_orphan_namespaces_are_removed_live_ones_kept(netns_lab: Any) -> None:
    orphan = f"nmst-orphan{os.getpid()}"
    stale = f"nmst-dead{os.getpid()}-x"
    foreign = f"zz-not-ours{os.getpid()}"
    dead = subprocess.Popen(["true"])
    dead.wait()  # a PID whose process is gone: the "owner" of the stale lab
    stale_dir = STATE_ROOT / f"nmst-dead{os.getpid()}"
    stale_dir.mkdir(parents=True, exist_ok=True)
    (stale_dir / "lab.json").write_text(json.dumps({"owner": dead.pid, "namespaces": [stale]}))
    sleepers = [_netns_with_sleeper(orphan), _netns_with_sleeper(stale)]
    subprocess.run(["ip", "netns", "add", foreign], check=True)
    try:
        removed = cleanup_stale()
        assert orphan in removed and stale in removed
        left = set(list_namespaces())
        assert orphan not in left and stale not in left and not stale_dir.exists()
        assert foreign in left  # not ours: never touched
        assert set(netns_lab.namespaces) <= left  # the live session lab is claimed
        for proc in sleepers:  # "sleep 60" ended long before its time: stopped by PID
            proc.wait(timeout=10)
            assert not Path(f"/proc/{proc.pid}").exists()
    finally:
        for proc in sleepers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for ns in (orphan, stale, foreign):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def test_netlab_status_of_the_running_lab(netns_lab: Any, make_config: Any) -> None:
    cfg: Path = make_config()
    proc = subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(cfg), "netlab",
                           "status", "--prefix", netns_lab.prefix, "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = {r["namespace"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == set(netns_lab.namespaces)
    assert all(r["present"] for r in rows.values())
    assert rows[netns_lab.ns("county-a")]["processes"] >= 4  # snmpd, lldpd (x2), zebra, ospfd
