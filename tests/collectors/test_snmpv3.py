"""SNMPv3 authPriv (SHA/SHA-256 + AES) against real net-snmp snmpd, both engines.

snmpd runs in a network namespace this test creates (listening on its own 127.0.0.1); the
poll runs inside that namespace through ``nms snmp inspect`` (``ip netns exec``). Wrong keys
must give ``auth_failure``, not crashes. Needs root and snmpd (else skipped).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.lab]

USERS = {  # user: (auth proto for snmpd, for nms, priv for snmpd, for nms)
    "shaaes": ("SHA", "sha", "AES", "aes"),
    "sha256aes": ("SHA-256", "sha256", "AES", "aes"),
}
AUTH_KEY, PRIV_KEY = "authpass-123", "privpass-456"


@pytest.fixture(scope="module")
def v3_namespace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.geteuid() != 0 or not shutil.which("snmpd"):
        pytest.skip("needs root and net-snmp snmpd (network namespace lab)")
    ns = f"nmsv3test{os.getpid()}"
    d = tmp_path_factory.mktemp("snmpv3")
    (d / "persist").mkdir()
    conf = ["agentAddress udp:127.0.0.1:161", "sysName v3-agent"]
    for user, (auth, _, priv, _) in USERS.items():
        conf += [f"createUser {user} {auth} {AUTH_KEY} {priv} {PRIV_KEY}", f"rouser {user} priv"]
    (d / "snmpd.conf").write_text("\n".join(conf) + "\n", encoding="utf-8")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        agent = subprocess.Popen(["ip", "netns", "exec", ns, "snmpd", "-f", "-Lf", str(d / "log"), "-m",
                          "", "-M", "/nonexistent", "-C", "-c", str(d / "snmpd.conf")],
                         env={**os.environ, "SNMP_PERSISTENT_DIR": str(d / "persist")},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        for _ in range(100):
            r = subprocess.run(["ip", "netns", "exec", ns, "snmpget", "-v3", "-l", "authPriv",
                                "-u", "shaaes", "-a", "SHA", "-A", AUTH_KEY, "-x", "AES", "-X",
                                PRIV_KEY, "-m", "", "-t", "0.3", "-r", "0", "127.0.0.1",
                                "1.3.6.1.2.1.1.5.0"], capture_output=True)
            if r.returncode == 0:
                break
            time.sleep(0.1)
        yield ns
    finally:
        for pid in subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                  text=True).stdout.split():
            os.kill(int(pid), signal.SIGTERM)
        if "agent" in locals():
            try:
                agent.wait(5)
            except subprocess.TimeoutExpired:
                agent.kill()
                agent.wait()
        subprocess.run(["ip", "netns", "del", ns], check=False)


def inspect(ns: str, *args: str) -> subprocess.CompletedProcess[str]:
    repo = Path(__file__).resolve().parents[2]
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-m", "nms.cli", "snmp",
                           "inspect", "127.0.0.1", "--timeout", "1", *args],
                          capture_output=True, text=True, timeout=60, cwd=repo)


@pytest.mark.parametrize("engine", ["gufo", "pysnmp"])
@pytest.mark.parametrize("user", sorted(USERS))
def test_v3_authpriv(v3_namespace: str, engine: str, user: str) -> None:
    _, auth, _, priv = USERS[user]
    r = inspect(v3_namespace, "--engine", engine, "--v3-user", user, "--v3-auth-proto", auth,
                "--v3-auth-key", AUTH_KEY, "--v3-priv-proto", priv, "--v3-priv-key", PRIV_KEY)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["sysName"] == "v3-agent"
    assert doc["os"]["platform"] == "linux"
    assert any(p["ifName"] == "lo" for p in doc["ports"])


@pytest.mark.parametrize("engine", ["gufo", "pysnmp"])
def test_v3_wrong_key_is_a_clear_error(v3_namespace: str, engine: str) -> None:
    r = inspect(v3_namespace, "--engine", engine, "--v3-user", "shaaes", "--v3-auth-proto", "sha",
                "--v3-auth-key", "wrong-key-999", "--v3-priv-proto", "aes", "--v3-priv-key",
                PRIV_KEY)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["status"] == "auth_failure", doc
    assert "authentication failed" in doc["error"]
