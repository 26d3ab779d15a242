"""The live probes against real listeners on 127.0.0.1, and what the baseline checks make of them.

* BL-SNMP-001: net-snmp's ``snmpd`` on a high UDP port answering community ``public`` -> FAIL;
  another ``snmpd`` whose only community is something else -> PASS (and it does answer that
  community, so the PASS is not a dead agent).
* BL-AUTH-001: a listening TCP socket on a test port stands for telnet -> FAIL; a closed port
  (the kernel answers RST) -> PASS.
* BL-AUTH-002: a tiny server that sends ``SSH-1.5-test`` -> FAIL; OpenSSH ``sshd`` -> PASS.

The TCP probe has two paths and both run: scapy's SYN (needs CAP_NET_RAW: this process, as
root) and the plain ``connect()`` fallback, in a child process whose capability bounding set
lacks CAP_NET_RAW (``setpriv --bounding-set -net_raw``), i.e. exactly what an unprivileged
console gets.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from policies.audit.probes import probe_snmp, run_probes
from policies.audit.run import audit_config

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("probe_runner.py")
HARDENED = REPO / "tests/fixtures/configs/cisco_ios/hardened.cfg"
OTHER_COMMUNITY = "nms-Audit-7f3q"
PROBED = ("BL-SNMP-001", "BL-AUTH-001", "BL-AUTH-002")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], int]]:
    """Start net-snmp agents on 127.0.0.1 high ports: ``start(community) -> port``."""
    if shutil.which("snmpd") is None or shutil.which("snmpget") is None:
        pytest.skip("needs net-snmp's snmpd and snmpget (apt-get install snmpd snmp)")
    procs: list[subprocess.Popen[bytes]] = []

    def start(community: str) -> int:
        d = tmp_path_factory.mktemp("snmpd")
        port = free_port(socket.SOCK_DGRAM)
        (d / "snmpd.conf").write_text(f"rocommunity {community} 127.0.0.1\nsysDescr nms probe test agent\n")
        proc = subprocess.Popen(["snmpd", "-f", "-m", "", "-M", "/nonexistent", "-C", "-c", str(d / "snmpd.conf"),
                                 "-p", str(d / "snmpd.pid"), "-Lf", str(d / "snmpd.log"), f"udp:127.0.0.1:{port}"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "SNMP_PERSISTENT_DIR": str(d)})
        procs.append(proc)
        deadline = time.monotonic() + 15
        while subprocess.run(["snmpget", "-m", "", "-v2c", "-c", community, "-t", "0.3", "-r", "0",
                              f"127.0.0.1:{port}", "1.3.6.1.2.1.1.1.0"], capture_output=True).returncode:
            assert proc.poll() is None and time.monotonic() < deadline, (d / "snmpd.log").read_text()
        return port

    yield start
    for proc in procs:
        stop(proc)


class TinyServer:
    """Accepts on 127.0.0.1 and, per connection, sends ``greeting`` (if any) and closes."""

    def __init__(self, greeting: bytes | None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.greeting = greeting
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                if self.greeting:
                    conn.sendall(self.greeting)

    def close(self) -> None:
        self.done.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """OpenSSH's sshd on 127.0.0.1, a high port (only its banner is read)."""
    if os.geteuid() != 0 or not Path("/usr/sbin/sshd").exists():
        pytest.skip("needs root and openssh-server for a real sshd")
    d = tmp_path_factory.mktemp("sshd")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "key")], check=True)
    port = free_port()
    (d / "sshd_config").write_text(f"ListenAddress 127.0.0.1:{port}\nHostKey {d / 'key'}\nPidFile {d / 'sshd.pid'}\n"
                                   "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation directory
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", str(d / "sshd_config"), "-E", str(d / "sshd.log")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, (d / "sshd.log").read_text()
            time.sleep(0.05)
    yield port
    stop(proc)


@pytest.fixture(scope="module")
def targets(snmpd: Callable[[str], int], sshd: int) -> Iterator[dict[str, dict[str, Any]]]:
    """run_probes keyword arguments of a device failing all three probes and of a clean one."""
    ssh1 = TinyServer(b"SSH-1.5-test\r\n")
    telnet = TinyServer(None)  # anything listening on "23"
    closed = free_port()
    public, other = snmpd("public"), snmpd(OTHER_COMMUNITY)
    assert probe_snmp("127.0.0.1", [OTHER_COMMUNITY], port=other, timeout_s=2) == OTHER_COMMUNITY
    common = {"address": "127.0.0.1", "timeout_s": 0.5, "communities": ["public", "private"]}
    yield {"bad": {**common, "snmp_port": public, "ssh_port": ssh1.port, "telnet_port": telnet.port},
           "good": {**common, "snmp_port": other, "ssh_port": sshd, "telnet_port": closed}}
    ssh1.close()
    telnet.close()


def verdicts(live: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """(status, subject) of the probe-backed checks on a config that is clean by itself."""
    audit = audit_config(HARDENED.read_text(), "cisco_ios", live=live)
    return {f.check_id: (f.status.value, f.subject) for f in audit.findings if f.check_id in PROBED}


def check_bad(live: dict[str, Any], method: str) -> None:
    assert live == {"snmp_default_community": "public", "telnet_open": True, "telnet_probe_method": method,
                    "ssh_banner": "SSH-1.5-test"}
    assert verdicts(live) == {"BL-SNMP-001": ("FAIL", "probe"), "BL-AUTH-001": ("FAIL", "tcp/23"),
                              "BL-AUTH-002": ("FAIL", "ssh banner")}


def check_good(live: dict[str, Any], method: str) -> None:
    assert live["snmp_default_community"] is False and live["telnet_open"] is False
    assert live["telnet_probe_method"] == method
    assert live["ssh_banner"].startswith("SSH-2.0-OpenSSH_"), live
    assert verdicts(live) == {"BL-SNMP-001": ("PASS", ""), "BL-AUTH-001": ("PASS", ""), "BL-AUTH-002": ("PASS", "")}


def test_scapy_syn_path(targets: dict[str, dict[str, Any]]) -> None:
    # root here: the TCP probe is a scapy SYN (the test runs as root, see the sshd fixture)
    bad, good = (dict(targets[k]) for k in ("bad", "good"))
    check_bad(run_probes(bad.pop("address"), **bad), "syn")
    check_good(run_probes(good.pop("address"), **good), "syn")


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_connect_fallback_without_raw_sockets(targets: dict[str, dict[str, Any]]) -> None:
    out = subprocess.run(["setpriv", "--bounding-set", "-net_raw", sys.executable, str(RUNNER),
                          json.dumps([targets["bad"], targets["good"]])],
                         capture_output=True, text=True, timeout=60, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr[-2000:]
    bad, good = json.loads(out.stdout.strip().splitlines()[-1])
    check_bad(bad, "connect")
    check_good(good, "connect")
