"""ICMP/TCP probes on loopback, packet round-trips, and the unprivileged paths.

Every packet goes to 127.0.0.0/8. Tests needing raw sockets skip where they are not permitted.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from collectors.probe.icmp import (
    ProbeResult,
    icmp_probe,
    ping_program_probe,
    probe,
    tcp_connect_probe,
    tcp_syn_probe,
)
from collectors.probe.policy import TargetNotAllowedError

LOOPBACK = ["127.0.0.0/8"]


def _raw_allowed() -> bool:
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    except (PermissionError, AttributeError, OSError):
        return False
    return True


needs_raw = pytest.mark.skipif(not _raw_allowed(), reason="raw sockets not permitted here")


@needs_raw
def test_icmp_echo_on_loopback() -> None:
    results = icmp_probe(["127.0.0.1", "127.0.0.2"], count=3, timeout_s=1.0, allowed=LOOPBACK)
    for res in results.values():
        f = res.fields()
        assert f["sent"] == 3 and f["received"] == 3 and f["loss_percent"] == 0.0
        assert f["reachable"] is True
        assert 0 < f["rtt_min_ms"] <= f["rtt_avg_ms"] <= f["rtt_max_ms"] < 1000


@needs_raw
def test_tcp_syn_counts_rst_from_a_closed_port_as_alive() -> None:
    with socket.socket() as s:  # find a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = tcp_syn_probe(["127.0.0.1"], port=port, count=2, allowed=LOOPBACK)["127.0.0.1"]
    assert res.received == 2 and res.method == "tcp" and res.port == port


@needs_raw
def test_scapy_packets_round_trip_on_real_bytes() -> None:
    from scapy.layers.inet import ICMP, IP, TCP

    echo = IP(dst="127.0.0.1") / ICMP(type=8, id=0x1234, seq=7) / b"nms-probe"
    raw = bytes(echo)
    back = IP(raw)
    assert back[ICMP].type == 8 and back[ICMP].id == 0x1234 and back[ICMP].seq == 7
    assert bytes(back) == raw
    # checksums are computed on build and verify on the wire bytes
    assert IP(raw)[ICMP].chksum == ICMP(bytes(IP(raw)[ICMP]))[ICMP].chksum
    syn = IP(dst="127.0.0.1") / TCP(sport=40000, dport=22, flags="S", seq=1)
    assert TCP(bytes(syn)[20:]).flags == "S"


def test_ping_program_fallback_on_loopback() -> None:
    if shutil.which("ping") is None:
        pytest.skip("ping program not installed (iputils-ping)")
    res = ping_program_probe("127.0.0.1", count=2)
    assert (res.sent, res.received, res.method) == (2, 2, "ping")
    assert res.fields()["rtt_avg_ms"] >= 0


def test_tcp_connect_fallback_open_and_refused() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        assert tcp_connect_probe("127.0.0.1", port=port, count=2).received == 2
    refused = tcp_connect_probe("127.0.0.1", port=port, count=2)  # closed now: RST = alive
    assert refused.received == 2 and refused.loss_percent == 0.0


def test_result_fields_without_answers() -> None:
    res = ProbeResult("127.0.0.9", "icmp", sent=3, received=0, errors=["destination unreachable"])
    f = res.fields()
    assert f["loss_percent"] == 100.0 and f["reachable"] is False
    assert "rtt_avg_ms" not in f and f["error"] == "destination unreachable"
    sample = res.sample({"device": "r1", "kind": "device"})
    assert sample.measurement == "probe"
    assert sample.tags == {"device": "r1", "kind": "device", "target": "127.0.0.9",
                           "method": "icmp"}
    assert ProbeResult("x", "icmp").loss_percent == 100.0


def test_probe_refuses_targets_outside_allow_list() -> None:
    with pytest.raises(TargetNotAllowedError):
        probe(["192.0.2.1"], method="connect", allowed=LOOPBACK)
    with pytest.raises(ValueError, match="unknown probe method"):
        probe(["127.0.0.1"], method="smoke-signals")


def _can_drop_net_raw() -> str | None:
    if os.geteuid() != 0:
        return "needs root to drop CAP_NET_RAW from the bounding set"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) not installed"
    return None


@pytest.mark.skipif(_can_drop_net_raw() is not None, reason=str(_can_drop_net_raw()))
def test_without_raw_sockets_clear_error_and_fallback() -> None:
    """A process without CAP_NET_RAW: icmp says what to do; auto falls back and still works."""
    code = (
        "from collectors.probe.icmp import icmp_probe, probe\n"
        "from collectors.probe.policy import RawSocketPermissionError\n"
        "try:\n"
        "    icmp_probe(['127.0.0.1'])\n"
        "    print('NO ERROR')\n"
        "except RawSocketPermissionError as exc:\n"
        "    print('ERROR', exc)\n"
        "r = probe(['127.0.0.1'], method='auto', count=2)['127.0.0.1']\n"
        "print('FALLBACK', r.method, r.received)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw",
                           sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("ERROR ICMP probing with scapy needs raw sockets")
    assert "CAP_NET_RAW" in lines[0] and "--method ping" in lines[0]
    method, received = lines[1].split()[1:]
    assert method in ("ping", "connect") and received == "2"
