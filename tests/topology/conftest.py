"""Fixtures for topology tests: the real namespace lab and a poller living inside it.

``netns_lab`` (session) builds :class:`nms.lab.netns.NetnsLab` once -- 6 routers running
snmpd + lldpd (AgentX) + FRR OSPF, a firewall without LLDP, and the mgmt namespace -- and tears
it down at the end, also when tests fail. Where it cannot run (not root, daemons missing) the
tests using it skip with the reason. ``lab_agent`` runs ``tests/topology/lab_agent.py`` inside
the mgmt namespace (the poller's vantage point) and returns a client for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nms.lab.netns import NetnsLab, unavailable_reason

AGENT = Path(__file__).with_name("lab_agent.py")


@pytest.fixture(scope="session")
def netns_lab() -> Iterator[NetnsLab]:
    """The namespace lab, up and ready (SNMP, LLDP-MIB, OSPF routes) for the whole session."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    lab = NetnsLab(prefix=f"nmst{os.getpid() % 100000}-")
    lab.up(timeout=90)
    try:
        yield lab
    finally:
        lab.down()


class LabAgent:
    """Client of ``lab_agent.py`` running in the lab's mgmt namespace (JSON lines)."""

    def __init__(self, lab: NetnsLab) -> None:
        self.lab = lab
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", lab.mgmt_ns, sys.executable, str(AGENT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            cwd=str(AGENT.parents[2]))

    def request(self, **req: Any) -> dict[str, Any]:
        """Send one request and return the reply; raises AssertionError on an agent error."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"lab agent exited ({self.proc.poll()})"
        reply: dict[str, Any] = json.loads(line)
        assert reply.get("ok"), reply.get("traceback") or reply.get("error")
        return reply

    def poll(self) -> dict[str, Any]:
        """SNMP-poll every lab device out-of-band; ``{device: state}``."""
        spec = self.lab.spec
        targets = [{"name": h.name, "address": spec.oob_address(h.name)} for h in spec.hosts]
        return self.request(op="poll", targets=targets, community=self.lab.community)

    def probe(self, addresses: list[str], **kw: Any) -> dict[str, dict[str, Any]]:
        """Probe addresses from the mgmt namespace (only inside the lab network)."""
        return self.request(op="probe", targets=addresses, allowed=["198.19.0.0/16"],
                            **kw)["results"]

    def close(self) -> None:
        """Ask the agent to quit (kill it if it will not), and close the pipes."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write('{"op": "quit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


@pytest.fixture(scope="session")
def lab_agent(netns_lab: NetnsLab) -> Iterator[LabAgent]:
    """A poller process inside the lab's mgmt namespace."""
    agent = LabAgent(netns_lab)
    try:
        yield agent
    finally:
        agent.close()
