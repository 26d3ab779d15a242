"""`nms lab start|status|stop` as a user runs it: a small simulated network, really served."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nms.errors import NmsError
from nms.lab.snmpsim import find_snmpsim_command, free_udp_port


def nms(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=180, cwd=config.parent)


@pytest.fixture
def lab_config(make_config):  # type: ignore[no-untyped-def]
    try:
        find_snmpsim_command()
    except NmsError as exc:
        pytest.skip(f"snmpsim not installed: {exc}")
    if not shutil.which("snmpget"):
        pytest.skip("net-snmp's snmpget is not installed (apt-get install snmp)")
    port = free_udp_port("127.78.0.1")
    cfg = make_config({"lab": {"counties": 2, "townships_per_county": 2, "port": port,
                               "address_prefix": "127.78.0.0/16", "community": "cli-lab"},
                       "auths": {"lab-snmp": {"type": "snmp", "version": "2c", "community": "cli-lab"}}})
    yield cfg
    nms(cfg, "lab", "stop")


@pytest.mark.snmpsim
def test_lab_start_import_answer_stop(lab_config: Path) -> None:
    started = nms(lab_config, "lab", "start")
    assert started.returncode == 0, started.stderr
    assert "running: True" in started.stdout
    assert "imported inventory.yaml" in started.stdout

    listed = json.loads(nms(lab_config, "inventory", "list", "--format", "json").stdout)
    core = next(d for d in listed if d["name"] == "city-core-r1")
    assert core["address"].startswith("127.78.")
    port = str(core["snmp_port"])
    answer = subprocess.run(["snmpget", "-v2c", "-c", "cli-lab", "-m", "", "-On", "-Oqv", "-t", "2",
                             f"{core['address']}:{port}", "1.3.6.1.2.1.1.5.0"],
                            capture_output=True, text=True, timeout=30)
    assert answer.stdout.strip().strip('"') == "city-core-r1", answer.stderr

    assert "running: True" in nms(lab_config, "lab", "status").stdout
    stopped = nms(lab_config, "lab", "stop")
    assert stopped.stdout.strip() == "stopped"
    assert "running: False" in nms(lab_config, "lab", "status").stdout
    assert nms(lab_config, "lab", "stop").stdout.strip() == "not running"
