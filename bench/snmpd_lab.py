"""Network-namespace lab of real net-snmp agents for the SNMP benchmark (root only).

``SnmpdLab(n_agents, interfaces)`` creates a management namespace with a bridge and
``n_agents`` agent namespaces, each with a veth to the bridge, ``interfaces - 2`` veth
interfaces (pairs; this kernel has no dummy driver) (so ifTable has ``interfaces`` rows with lo and eth0) and its own ``snmpd``
(community ``public``) on 198.18.200.<i>. Everything is created under a unique name prefix and
destroyed by ``close()`` -- every process living in our namespaces is killed by PID
(``ip netns pids``), then the namespaces are deleted -- also when setup fails half-way.
Addresses stay inside our namespaces (198.18.0.0/15, see shared/lab/README.md).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SUBNET = "198.18.200"
MGMT_IP = f"{SUBNET}.254"


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command, raising with its stderr on failure."""
    r = subprocess.run(list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r


class SnmpdLab:
    """N snmpd agents in their own namespaces plus a management namespace to poll from."""

    def __init__(self, n_agents: int = 20, interfaces: int = 50, prefix: str | None = None) -> None:
        if os.geteuid() != 0:
            raise PermissionError("the snmpd lab needs root (network namespaces)")
        if not shutil.which("snmpd"):
            raise FileNotFoundError("snmpd not installed (apt-get install snmpd)")
        self.n = n_agents
        self.interfaces = interfaces
        self.prefix = prefix or f"nmsbench{os.getpid()}-"
        self.mgmt = f"{self.prefix}mgmt"
        self.dir = Path(tempfile.mkdtemp(prefix="nms-snmpd-lab-"))
        self.namespaces: list[str] = []
        self.addresses: list[str] = []

    # ---- lifecycle
    def __enter__(self) -> SnmpdLab:
        try:
            self.up()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ns(self, name: str) -> str:
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def up(self) -> None:
        """Create namespaces, links and agents; wait until every agent answers."""
        self._ns(self.mgmt)
        sh("ip", "-n", self.mgmt, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.mgmt, "addr", "add", f"{MGMT_IP}/24", "dev", "br0")
        sh("ip", "-n", self.mgmt, "link", "set", "br0", "up")
        # an unprivileged-friendly mgmt namespace is not needed: the poller runs as root there
        for i in range(1, self.n + 1):
            ns = self._ns(f"{self.prefix}a{i}")
            addr = f"{SUBNET}.{i}"
            sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", f"v{i}",
               "netns", self.mgmt)
            sh("ip", "-n", self.mgmt, "link", "set", f"v{i}", "master", "br0", "up")
            sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            # the kernel here has no dummy driver: veth pairs inside the namespace instead
            pairs = (self.interfaces - 2 + 1) // 2
            batch = "".join(f"link add p{k}a type veth peer name p{k}b\n"
                            f"link set p{k}a up\nlink set p{k}b up\n" for k in range(pairs))
            subprocess.run(["ip", "netns", "exec", ns, "ip", "-batch", "-"], input=batch, text=True, check=True,
                           capture_output=True)
            d = self.dir / ns
            (d / "persist").mkdir(parents=True)
            (d / "snmpd.conf").write_text(
                f"agentAddress udp:{addr}:161\nrocommunity public default\n"
                f"sysName bench-{i}\nsysLocation namespace {ns}\nsysContact noc@bench.invalid\n",
                encoding="utf-8")
            env = {**os.environ, "SNMP_PERSISTENT_DIR": str(d / "persist")}
            subprocess.Popen(["ip", "netns", "exec", ns, "snmpd", "-f", "-Lf", str(d / "log"),
                              "-m", "", "-M", "/nonexistent", "-C", "-c", str(d / "snmpd.conf"),
                              "-p", str(d / "pid")], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            self.addresses.append(addr)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until every agent answers an SNMP GET from the management namespace."""
        deadline = time.monotonic() + timeout
        pending = list(self.addresses)
        while pending:
            addr = pending[0]
            r = sh("ip", "netns", "exec", self.mgmt, "snmpget", "-v2c", "-c", "public", "-m", "",
                   "-t", "0.5", "-r", "0", addr, "1.3.6.1.2.1.1.5.0", check=False)
            if r.returncode == 0:
                pending.pop(0)
                continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"snmpd at {addr} did not answer within {timeout:g} s")
            time.sleep(0.1)

    def agent_pids(self) -> list[int]:
        """PIDs of every process in our agent namespaces (the snmpd daemons)."""
        pids: list[int] = []
        for ns in self.namespaces:
            if ns == self.mgmt:
                continue
            out = sh("ip", "netns", "pids", ns, check=False).stdout.split()
            pids += [int(p) for p in out]
        return pids

    def close(self) -> None:
        """Kill our namespaces' processes by PID, delete the namespaces and the temp dir."""
        for ns in self.namespaces:
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGTERM)
        deadline = time.monotonic() + 5
        for ns in self.namespaces:
            while sh("ip", "netns", "pids", ns, check=False).stdout.split():
                if time.monotonic() > deadline:
                    for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(int(pid), signal.SIGKILL)
                    break
                time.sleep(0.05)
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        self.namespaces.clear()
        shutil.rmtree(self.dir, ignore_errors=True)
