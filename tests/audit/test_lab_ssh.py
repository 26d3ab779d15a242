"""Config collection through a real OpenSSH server whose login shell is FRR vtysh (lab README 4b).

netmiko ``cisco_ios`` logs in to ``r1#`` (vtysh is already "enabled"), reads ``show running-config``
-- FRR's real configuration, ending in ``end`` -- and ``collect_and_store`` keeps it as a version.
The router's configuration is then changed through vtysh itself and collected again: a new
version whose diff shows the change. Failures are real too: a wrong password refused by sshd,
an sshd that stops answering (SIGSTOP of the listener: TCP still connects, no SSH banner), and a
session that dies in the middle of a ``show running-config`` that is being sent slowly (a token
bucket on r2's eth0): its sshd processes are killed and the TCP connection reset, or the
management link is cut. In no failure case is anything stored.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from typing import Any

import pytest

from collectors.ssh import collect_and_store, collect_config, collect_config_napalm, normalize
from nms.config import SshAuth
from nms.configs import diff, get_version, history, search, store_config
from nms.models import PollStatus
from policies.audit.probes import ssh_banner
from tests.audit.lab_helpers import lab_device

pytestmark = pytest.mark.lab
BIG_ACL_ENTRIES = 800  # ~40 KB of running config on r2: seconds to send through the bucket


def test_collect_store_change_and_diff(cli_lab: Any, lab_engine: Any, lab_auth: SshAuth) -> None:
    dev = lab_device(cli_lab, "r1")
    result, stored = cli_lab.mgmt_call(collect_and_store, lab_engine, dev, lab_auth, by="alice", timeout_s=10)
    assert result.ok, result.error
    running = result.texts["running"]
    assert "hostname r1" in running and "router ospf" in running
    assert running.strip().splitlines()[-1] == "end"
    assert "FRRouting" in result.texts["show:show version"] and "(r1)" in result.texts["show:show version"]
    (v1, created1), = [s for s in stored if s[0].kind == "running"]
    assert created1 and v1.collected_by == "alice" and v1.source == "ssh"

    # nothing changed on the router: no new version, the old one was seen again
    _, again = cli_lab.mgmt_call(collect_and_store, lab_engine, dev, lab_auth, by="scheduler", timeout_s=10)
    assert [(i.id, c) for i, c in again if i.kind == "running"] == [(v1.id, False)]
    assert history(lab_engine, "r1")[0].last_seen > v1.last_seen

    # an operator changes the interface description on the router's own CLI
    cli_lab.vtysh("r1", "configure terminal", "interface eth1", "description 上联 to r2 (change 7)")
    _, stored2 = cli_lab.mgmt_call(collect_and_store, lab_engine, dev, lab_auth, by="bob", timeout_s=10)
    (v2, created2), = [s for s in stored2 if s[0].kind == "running"]
    assert created2 and v2.id != v1.id
    assert [v.id for v in history(lab_engine, "r1")] == [v2.id, v1.id]
    patch = diff(lab_engine, v1.id, v2.id)
    changed = [ln for ln in patch.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == ["+ description 上联 to r2 (change 7)"], patch  # under "interface eth1"
    assert " interface eth1\n+ description" in patch
    assert "(bob)" in patch
    # what was stored is what the router shows (minus "Building configuration...")
    assert get_version(lab_engine, v2.id)[1] == normalize("cisco_ios", cli_lab.vtysh("r1", "show running-config"))
    assert [h["text"] for h in search(lab_engine, "change 7")] == [" description 上联 to r2 (change 7)"]


def test_napalm_ios_get_config_against_vtysh(cli_lab: Any, lab_auth: SshAuth) -> None:
    dev = lab_device(cli_lab, "r1")
    via_napalm = cli_lab.mgmt_call(collect_config_napalm, dev, lab_auth, timeout_s=10)
    assert via_napalm.ok, via_napalm.error
    via_netmiko = cli_lab.mgmt_call(collect_config, dev, lab_auth, timeout_s=10, extra=False)
    assert via_netmiko.ok, via_netmiko.error
    # both paths store the same text: "Building configuration..." is dropped (startup: "" from FRR)
    assert via_napalm.texts["running"] == via_netmiko.texts["running"]
    assert "startup" not in via_napalm.texts


def test_wrong_password_is_a_clear_error_and_stores_nothing(cli_lab: Any, lab_engine: Any) -> None:
    before = history(lab_engine, "r2")
    bad = SshAuth(username="netops", password="not-the-password")
    result, stored = cli_lab.mgmt_call(collect_and_store, lab_engine, lab_device(cli_lab, "r2"), bad,
                                       timeout_s=5)
    assert result.status is PollStatus.AUTH_FAILURE and stored == [] and result.texts == {}
    assert result.error and result.error.startswith("r2: authentication failed")
    napalm = cli_lab.mgmt_call(collect_config_napalm, lab_device(cli_lab, "r2"), bad, timeout_s=5)
    assert napalm.status is PollStatus.AUTH_FAILURE and napalm.texts == {}
    assert history(lab_engine, "r2") == before


def test_timeout_when_sshd_stops_answering(cli_lab: Any, lab_engine: Any, lab_auth: SshAuth) -> None:
    pid = cli_lab.sshd_pid("r2")
    os.kill(pid, signal.SIGSTOP)  # the kernel still completes the TCP handshake; no banner comes
    try:
        t0 = time.monotonic()
        result, stored = cli_lab.mgmt_call(collect_and_store, lab_engine, lab_device(cli_lab, "r2"),
                                           lab_auth, timeout_s=2)
        elapsed = time.monotonic() - t0
    finally:
        os.kill(pid, signal.SIGCONT)
    assert result.status is PollStatus.TIMEOUT, result
    assert result.error and result.error.startswith("r2: timed out") and stored == []
    assert elapsed < 15


def test_real_sshd_banner_is_ssh2(cli_lab: Any) -> None:
    banner = cli_lab.mgmt_call(ssh_banner, cli_lab.spec.oob_address("r1"), 22, timeout_s=2)
    assert banner and banner.startswith("SSH-2.0-OpenSSH_")


# ---------------------------------------------------------------- dropped mid-transfer
def _bytes_acked(lab: Any, host: str) -> int | None:
    """TCP bytes the management station acknowledged on the SSH session of ``host``."""
    out = subprocess.run(["ip", "netns", "exec", lab.ns(host), "ss", "-Htni", "state", "established",
                          "( sport = :22 )"], capture_output=True, text=True, timeout=10).stdout
    counts = [int(n) for n in re.findall(r"bytes_acked:(\d+)", out)]
    return max(counts) if counts else None


@pytest.fixture(scope="module")
def big_r2(cli_lab: Any, lab_engine: Any, tmp_path_factory: pytest.TempPathFactory) -> int:
    """r2 with a last good version stored, then given a ~40 KB running config (access lists)."""
    store_config(lab_engine, "r2", normalize("cisco_ios", cli_lab.vtysh("r2", "show running-config")),
                 by="earlier")
    script = tmp_path_factory.mktemp("acl") / "acl.conf"
    # lists of 100 entries: FRR inserts an entry in time linear in its list's length
    script.write_text("".join(f"access-list nms-bulk-{i // 100} seq {i * 5} permit 10.{i // 250}.{i % 250}.0/24\n"
                              for i in range(1, BIG_ACL_ENTRIES + 1)))
    # one daemon (zebra) and a file: much faster than one vtysh -c per line to every daemon
    subprocess.run(["ip", "netns", "exec", cli_lab.ns("r2"), "vtysh", "--vty_socket",
                    str(cli_lab.run_dir / "r2" / "frr"), "-d", "zebra", "-f", str(script)],
                   check=True, capture_output=True, timeout=60)
    size = len(cli_lab.vtysh("r2", "show running-config"))
    assert size > 35_000
    return size


@pytest.mark.parametrize("how", ["session_reset", "link_cut"])
def test_session_dropped_mid_transfer_stores_no_partial_version(
        how: str, cli_lab: Any, lab_engine: Any, lab_auth: SshAuth, big_r2: int) -> None:
    ns = cli_lab.ns("r2")
    before = history(lab_engine, "r2")
    assert [v.collected_by for v in before] == ["earlier"]
    # ~6 KB/s out of r2's management port: the config takes several seconds to arrive
    subprocess.run(["ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf",
                    "rate", "48kbit", "burst", "1600", "latency", "400ms"], check=True, timeout=10)
    box: dict[str, Any] = {}

    def collect() -> None:
        box["result"] = cli_lab.mgmt_call(collect_and_store, lab_engine, lab_device(cli_lab, "r2"),
                                          lab_auth, timeout_s=3)

    worker = threading.Thread(target=collect)
    try:
        worker.start()
        deadline = time.monotonic() + 30
        acked = None
        # login and prompt handling are ~3 KB; past 8 KB the running config is on its way
        while time.monotonic() < deadline:
            acked = _bytes_acked(cli_lab, "r2")
            if acked is not None and acked > 8_000:
                break
            time.sleep(0.05)
        assert acked is not None and 8_000 < acked < big_r2, (acked, big_r2)
        if how == "session_reset":
            sessions = cli_lab.ssh_session_pids("r2")
            assert sessions
            for pid in sessions:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            # the killed sshd's socket would still drain its send buffer through the bucket and
            # then close politely; reset it so the client sees the connection die now
            killed = subprocess.run(["ip", "netns", "exec", ns, "ss", "-K", "-Htn", "( sport = :22 )"],
                                    check=True, capture_output=True, text=True, timeout=10).stdout
            if not killed.strip():
                pytest.skip("this kernel cannot reset sockets (ss -K needs CONFIG_INET_DIAG_DESTROY)")
        else:
            subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "down"], check=True, timeout=10)
        worker.join(30)
        assert not worker.is_alive()
    finally:
        subprocess.run(["ip", "-n", ns, "link", "set", "eth0", "up"], check=False, timeout=10)
        subprocess.run(["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "eth0", "root"],
                       check=False, capture_output=True, timeout=10)
        worker.join(30)
    result, stored = box["result"]
    assert stored == [] and result.texts == {} and not result.ok
    if how == "session_reset":
        assert result.status is PollStatus.ERROR, result
        assert result.error == "r2: connection dropped while reading 'show running-config' " \
                               "(session closed by the peer)"
    else:
        assert result.status is PollStatus.TIMEOUT, result
        assert result.error == "r2: timed out: no complete answer to 'show running-config'"
    assert history(lab_engine, "r2") == before
