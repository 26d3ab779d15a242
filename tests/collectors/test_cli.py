"""`nms poll` and `nms snmp inspect` as a user runs them (subprocess, real agent, real DB)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

INSPECT_KEYS = {"sysDescr", "sysObjectID", "sysName", "os", "ports", "processors", "mempools",
                "addresses", "lldp_neighbors"}
PORT_KEYS = {"ifIndex", "ifName", "ifDescr", "ifAlias", "ifType", "ifMtu", "speed_bps",
             "ifAdminStatus", "ifOperStatus", "ifPhysAddress"}


def nms(config: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    pre = ["--config", str(config)] if config else []
    return subprocess.run([sys.executable, "-m", "nms.cli", *pre, *args], capture_output=True,
                          text=True, timeout=120, cwd=config.parent if config else None)


def test_inspect_json_contract(agent_port: int) -> None:
    r = nms(None, "snmp", "inspect", "127.0.0.1", "--port", str(agent_port), "--community",
            "good", "--format", "json", "--timeout", "1")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= INSPECT_KEYS
    assert doc["os"] == {"vendor": "Linux", "platform": "linux", "model": None,
                         "version": "6.1.0", "serial": None}
    assert set(doc["ports"][0]) == PORT_KEYS
    eth0 = next(p for p in doc["ports"] if p["ifName"] == "eth0")
    assert eth0 == {"ifIndex": 2, "ifName": "eth0", "ifDescr": "eth0", "ifAlias": "uplink",
                    "ifType": "ethernetCsmacd", "ifMtu": 1500, "speed_bps": 1_000_000_000,
                    "ifAdminStatus": "up", "ifOperStatus": "up",
                    "ifPhysAddress": "00163e000002"}
    assert doc["processors"] == [] and doc["lldp_neighbors"] == []


def test_inspect_failure_exits_1_and_usage_2(agent_port: int) -> None:
    r = nms(None, "snmp", "inspect", "127.0.0.1", "--port", str(agent_port), "--community",
            "silent", "--timeout", "0.3")
    assert r.returncode == 1
    assert json.loads(r.stdout)["status"] == "timeout"
    assert "timeout" in r.stderr
    r = nms(None, "snmp", "inspect", "127.0.0.1")
    assert r.returncode == 2 and "--community or --v3-user" in r.stderr


def test_poll_once(make_config, tmp_path: Path, agent_port: int) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config({
        "auths": {"good": {"type": "snmp", "version": "2c", "community": "good"},
                  "silent": {"type": "snmp", "version": "2c", "community": "silent"}},
        "default_snmp_auth": "good",
        "snmp": {"timeout_s": 0.5, "retries": 0, "device_budget_s": 10},
    })
    inv = {"sites": [{"code": "city", "name": "示范市", "level": "city", "parent": None}],
           "devices": [
               {"name": "srv-good", "address": "127.0.0.1", "snmp_port": agent_port,
                "role": "server", "site": "city", "zone": "intranet"},
               {"name": "srv-silent", "address": "127.0.0.1", "snmp_port": agent_port,
                "role": "server", "site": "city", "zone": "intranet", "snmp_auth": "silent"}]}
    inv_file = tmp_path / "inv.yaml"
    inv_file.write_text(yaml.safe_dump(inv, allow_unicode=True), encoding="utf-8")
    assert nms(cfg, "init").returncode == 0
    imp = nms(cfg, "inventory", "import", str(inv_file))
    assert imp.returncode == 0, imp.stderr

    dry = nms(cfg, "poll", "--once", "--dry-run")
    assert dry.returncode == 1, dry.stderr  # srv-silent failed
    samples = [json.loads(line) for line in dry.stdout.splitlines()]
    by_device = {(s["tags"]["device"], s["measurement"]) for s in samples}
    assert ("srv-good", "interface") in by_device
    status = {s["tags"]["device"]: s["fields"]["status"] for s in samples
              if s["measurement"] == "poll_status"}
    assert status == {"srv-good": "ok", "srv-silent": "timeout"}
    assert "polled 2/2" in dry.stderr and "srv-silent" in dry.stderr

    one = nms(cfg, "poll", "--once", "--device", "srv-good")
    assert one.returncode == 0, one.stderr
    assert "1 devices (ok 1)" in one.stderr
    missing = nms(cfg, "poll", "--once", "--device", "nope")
    assert missing.returncode == 1 and "no such device" in missing.stderr


def test_poll_scheduled_until_sigterm(make_config, tmp_path: Path, agent_port: int) -> None:  # type: ignore[no-untyped-def]
    import signal
    import time

    cfg = make_config({
        "auths": {"good": {"type": "snmp", "version": "2c", "community": "good"}},
        "default_snmp_auth": "good",
        "snmp": {"timeout_s": 0.5, "retries": 0},
        "polling": {"intervals_s": {"server": 1}, "jitter_s": 0.1},
    })
    inv = {"sites": [{"code": "city", "name": "city", "level": "city", "parent": None}],
           "devices": [{"name": "srv", "address": "127.0.0.1", "snmp_port": agent_port,
                        "role": "server", "site": "city", "zone": "intranet"}]}
    inv_file = tmp_path / "inv.yaml"
    inv_file.write_text(yaml.safe_dump(inv), encoding="utf-8")
    assert nms(cfg, "init").returncode == 0
    assert nms(cfg, "inventory", "import", str(inv_file)).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "nms.cli", "--config", str(cfg), "poll"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cfg.parent)
    time.sleep(4.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "scheduling 1 devices" in err
    runs = int(err.split("stopped after ")[1].split()[0])
    assert runs >= 2, err
