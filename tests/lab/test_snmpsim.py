"""Integration tests for nms.lab.snmpsim and the generated lab, against a real snmpsim.

Queries go through net-snmp's ``snmpget``/``snmpbulkwalk`` so that the server is checked by a
client that shares no code with nms.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from nms.lab.snmpsim import (
    SnmpsimError,
    SnmpsimServer,
    find_snmpsim_command,
    free_udp_port,
    is_snmpsim_process,
    process_alive,
    snmp_answers,
    transport_recording,
)

CORPUS = Path("/work/shared/corpus/librenms")


def _snmpsim_missing() -> str | None:
    try:
        find_snmpsim_command()
    except SnmpsimError as exc:
        return str(exc)
    return None


_missing = _snmpsim_missing()
pytestmark = [
    pytest.mark.snmpsim,
    pytest.mark.skipif(_missing is not None, reason=f"snmpsim unavailable: {_missing}"),
    pytest.mark.skipif(shutil.which("snmpget") is None,
                       reason="net-snmp client tools (snmpget) missing: apt-get install snmp"),
]


def snmpget(endpoint: tuple[str, int], community: str, *oids: str) -> dict[str, str]:
    """Run net-snmp snmpget; returns {oid: 'TYPE: value'}."""
    host, port = endpoint
    out = subprocess.run(
        ["snmpget", "-v2c", "-c", community, "-On", "-m", "", "-t", "2", "-r", "1",
         f"{host}:{port}", *oids],
        capture_output=True, text=True, check=True, timeout=20,
    ).stdout
    return _parse(out)


def snmpbulkwalk(endpoint: tuple[str, int], community: str, oid: str) -> dict[str, str]:
    """Run net-snmp snmpbulkwalk under ``oid``; returns {oid: 'TYPE: value'}."""
    host, port = endpoint
    out = subprocess.run(
        ["snmpbulkwalk", "-v2c", "-c", community, "-On", "-m", "", "-t", "2", "-r", "1",
         "-Cr25", f"{host}:{port}", oid],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    return _parse(out)


def _parse(out: str) -> dict[str, str]:
    result: dict[str, str] = {}
    last = None
    for line in out.splitlines():
        if line.startswith(".") and " = " in line:
            last, value = line.split(" = ", 1)
            result[last.lstrip(".")] = value
        elif last is not None:  # continuation of a multi-line string
            result[last.lstrip(".")] += "\n" + line
    return result


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} missing")
def test_serves_corpus_recording_by_community(tmp_path: Path) -> None:
    log_path = tmp_path / "snmpsim.log"
    with SnmpsimServer(CORPUS, log_path=log_path) as sim:
        assert sim.pid is not None and is_snmpsim_process(sim.pid, CORPUS)
        values = snmpget(sim.endpoints[0], "vrp_5720", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.1.0")
        assert values["1.3.6.1.2.1.1.2.0"] == "OID: .1.3.6.1.4.1.2011.2.23.291"
        assert "Huawei Versatile Routing Platform" in values["1.3.6.1.2.1.1.1.0"]
        other = snmpget(sim.endpoints[0], "ios_c3560", "1.3.6.1.2.1.1.2.0")
        assert other["1.3.6.1.2.1.1.2.0"].startswith("OID: .1.3.6.1.4.1.9.1.")
        pid = sim.pid
    assert not process_alive(pid)
    assert log_path.exists()


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.snmprec").write_text("1.3.6.1.2.1.1.5.0|4|x\n")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        server = SnmpsimServer(tmp_path, [taken.getsockname()])
        with pytest.raises(SnmpsimError, match="cannot listen on UDP 127.0.0.1"):
            server.start(timeout=10)
    assert server.pid is None


def test_exit_during_start_shows_log_tail(tmp_path: Path) -> None:
    (tmp_path / "x.snmprec").write_text("1.3.6.1.2.1.1.5.0|4|x\n")
    server = SnmpsimServer(tmp_path, command=shutil.which("false"), select_by_endpoint=False)
    with pytest.raises(SnmpsimError, match="exited during start-up"):
        server.start(timeout=10)
    assert server.pid is None


def test_probe_gets_no_answer_from_closed_port() -> None:
    assert not snmp_answers("127.0.0.1", free_udp_port(), "public", timeout=0.2)


def test_one_community_selects_recording_by_endpoint(tmp_path: Path) -> None:
    # <community>.snmprec makes snmpsim accept the community; per-endpoint files override it
    (tmp_path / "lab.snmprec").write_text("1.3.6.1.2.1.1.5.0|4|fallback\n")
    for index in range(2):
        path = transport_recording(tmp_path, "lab", index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"1.3.6.1.2.1.1.5.0|4|device-{index}\n")
    port = free_udp_port()
    endpoints = [("127.77.254.1", port), ("127.77.254.2", port)]
    with SnmpsimServer(tmp_path, endpoints) as sim:
        for index, endpoint in enumerate(sim.endpoints):
            assert snmpget(endpoint, "lab", "1.3.6.1.2.1.1.5.0") == {
                "1.3.6.1.2.1.1.5.0": f'STRING: "device-{index}"'}
