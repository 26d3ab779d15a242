"""NETCONF collection against a real NETCONF server (PyPI ``netconf`` 2.x, RFC 6241 over SSH).

The server binds every address of its network namespace, so the test makes a namespace of its
own (loopback only) and runs server and client inside it with ``ip netns exec``; it skips
without root. The server answers ``<get>`` of ``/interfaces-state`` from the namespace's
/proc/net/dev (the lab README §5.3 recipe) and ``<get-config>`` with an ietf-interfaces tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = r'''
import json, os, socket, sys, threading, time
from lxml import etree
from netconf import server, util
IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"

def iface_state():
    root = etree.Element("{%s}interfaces-state" % IF_NS, nsmap={None: IF_NS})
    for line in open("/proc/net/dev").read().splitlines()[2:]:
        name, rest = line.split(":", 1); c = rest.split()
        e = etree.SubElement(root, "{%s}interface" % IF_NS)
        etree.SubElement(e, "{%s}name" % IF_NS).text = name.strip()
        etree.SubElement(e, "{%s}oper-status" % IF_NS).text = "up"
        s = etree.SubElement(e, "{%s}statistics" % IF_NS)
        etree.SubElement(s, "{%s}in-octets" % IF_NS).text = c[0]
        etree.SubElement(s, "{%s}out-octets" % IF_NS).text = c[8]
        etree.SubElement(s, "{%s}in-errors" % IF_NS).text = c[2]
    return root

class Methods(server.NetconfMethods):
    def rpc_get(self, session, rpc, filter_or_none):
        data = util.elm("nc:data"); data.append(iface_state()); return data
    def rpc_get_config(self, session, rpc, source_elm, filter_or_none):
        data = util.elm("nc:data")
        ifs = etree.SubElement(data, "{%s}interfaces" % IF_NS, nsmap={None: IF_NS})
        i = etree.SubElement(ifs, "{%s}interface" % IF_NS)
        etree.SubElement(i, "{%s}name" % IF_NS).text = "lo"
        etree.SubElement(i, "{%s}description" % IF_NS).text = "loopback 环回"
        return data

port, hostkey = int(sys.argv[1]), sys.argv[2]
srv = server.NetconfSSHServer(server_ctl=server.SSHUserPassController(username="netops", password="netops123"),
                              server_methods=Methods(), port=port, host_key=hostkey)
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close(); break
    except OSError:
        time.sleep(0.1)
from collectors.netconf import NetconfCollector, get_config_xml
from nms.config import SshAuth
dev = {"name": "nc1", "address": "127.0.0.1", "netconf_port": port}
good = SshAuth(username="netops", password="netops123")
r = NetconfCollector(timeout_s=5).collect(dev, good)
xml, status, err = get_config_xml(dev, good, timeout_s=5)
bad = NetconfCollector(timeout_s=5).collect(dev, SshAuth(username="netops", password="nope"))
closed = NetconfCollector(timeout_s=2).collect({"name": "nc2", "address": "127.0.0.1", "netconf_port": port + 1}, good)
print(json.dumps({
    "status": r.status.value, "error": r.error,
    "samples": [{"m": s.measurement, "tags": s.tags, "fields": s.fields} for s in r.samples],
    "config": xml, "config_status": status.value,
    "bad": bad.status.value, "closed": closed.status.value}, default=str))
os._exit(0)
'''


@pytest.fixture(scope="module")
def netns() -> str:  # type: ignore[misc]
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2 to make a network namespace")
    name = f"nmsaud-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    yield name
    for pid in subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split():
        subprocess.run(["kill", "-9", pid], check=False)
    subprocess.run(["ip", "netns", "del", name], check=False)


def test_netconf_state_samples_and_get_config(netns: str, tmp_path: Path) -> None:
    pytest.importorskip("netconf")
    key = tmp_path / "hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", str(key)], check=True)
    script = tmp_path / "nc.py"
    script.write_text(SCRIPT)
    out = subprocess.run(["ip", "netns", "exec", netns, sys.executable, str(script), "8300", str(key)],
                         capture_output=True, text=True, timeout=120, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["status"] == "ok", got["error"]
    lo = [s for s in got["samples"] if s["m"] == "interface" and s["tags"]["ifname"] == "lo"]
    assert lo and lo[0]["tags"]["device"] == "nc1"
    assert set(lo[0]["fields"]) >= {"in_octets", "out_octets", "oper_status", "in_errors", "counter_bits"}
    assert any(s["m"] == "poll_status" for s in got["samples"])
    assert got["config_status"] == "ok" and "loopback 环回" in got["config"]
    assert got["bad"] == "auth_failure"
    assert got["closed"] in ("unreachable", "error")
