"""Integration tests for nms.lab.snmpsim and the generated lab, against a real snmpsim.

Queries go through net-snmp's ``snmpget``/``snmpbulkwalk`` so that the server is checked by a
client that shares no code with nms.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from nms.config import LabConfig, load_config_data
from nms.lab import service
from nms.lab.generator import LabDevice, LabNetwork, generate, load_profiles
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
from tests.lab import IF_HC_IN, IF_NAME, IF_OPER, LLDP_REM

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "librenms"


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


# --------------------------------------------------------------------------------------------
# The generated lab, served by one snmpsim on many loopback addresses
# --------------------------------------------------------------------------------------------

SMALL = LabConfig(counties=2, townships_per_county=2, seed=7)


@pytest.fixture(scope="module")
def served_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabNetwork, LabConfig]]:
    lab = dataclasses.replace(SMALL, port=free_udp_port())
    network = generate(lab, tmp_path_factory.mktemp("lab"))
    with SnmpsimServer(network.data_dir, network.endpoints) as sim:
        assert sim.pid is not None
        yield network, lab


def _endpoint(device: LabDevice) -> tuple[str, int]:
    return device.address, device.port


def test_every_device_answers_on_its_own_address(served_lab: tuple[LabNetwork, LabConfig]) -> None:
    network, lab = served_lab
    assert len({d.address for d in network.devices}) == len(network.devices)
    for device in network.devices:
        values = snmpget(_endpoint(device), lab.community, "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.2.0")
        assert values["1.3.6.1.2.1.1.5.0"] == f'STRING: "{device.name}"'
        sysobjectid = load_profiles()[device.profile]["sysobjectid"]
        assert values["1.3.6.1.2.1.1.2.0"] == f"OID: .{sysobjectid}"


def test_iftable_rows_match_the_plan(served_lab: tuple[LabNetwork, LabConfig]) -> None:
    network, lab = served_lab
    device = network.device("county01-agg-r1")
    names = snmpbulkwalk(_endpoint(device), lab.community, IF_NAME)
    assert names == {f"{IF_NAME}.{i.index}": f'STRING: "{i.name}"' for i in device.interfaces}
    oper = snmpbulkwalk(_endpoint(device), lab.community, IF_OPER)
    uplink = next(i for i in device.interfaces if i.peer and i.peer[0].startswith("city-core"))
    assert oper[f"{IF_OPER}.{uplink.index}"] == "INTEGER: 1"


def test_lldp_remote_rows_name_the_planned_neighbours(
        served_lab: tuple[LabNetwork, LabConfig]) -> None:
    network, lab = served_lab
    down = next(f["link"] for f in network.faults if f["kind"] == "uplink_down")
    device = network.device("county01-agg-r1")
    expected = {}
    for link in network.links:
        if link.up and device.name in (link.a_device, link.b_device):
            mine, peer = ((link.a_interface, link.b_device) if link.a_device == device.name
                          else (link.b_interface, link.a_device))
            expected[device.interface(mine).index] = peer
    rows = snmpbulkwalk(_endpoint(device), lab.community, f"{LLDP_REM}.9")
    seen = {int(oid.split(".")[-2]): value.split('"')[1] for oid, value in rows.items()}
    assert seen == expected and expected
    # the planted down uplink has no LLDP row at the county end either
    if down["a_device"] == device.name:
        assert device.interface(down["a_interface"]).index not in seen


def test_hc_counter_advances_between_reads(served_lab: tuple[LabNetwork, LabConfig]) -> None:
    network, lab = served_lab
    device = network.device("city-core-r1")
    port = next(i for i in device.interfaces if i.peer and i.in_rate > 0)
    oid = f"{IF_HC_IN}.{port.index}"
    first = int(snmpget(_endpoint(device), lab.community, oid)[oid].split()[-1])
    time.sleep(1.5)
    second = int(snmpget(_endpoint(device), lab.community, oid)[oid].split()[-1])
    assert snmpget(_endpoint(device), lab.community, oid)[oid].startswith("Counter64:")
    assert 0.5 * port.in_rate < (second - first) / 1.5 < 2.0 * port.in_rate


def test_lab_service_start_status_stop(tmp_path: Path) -> None:
    config = load_config_data({"data_dir": str(tmp_path), "lab": {
        "counties": 1, "townships_per_county": 3, "seed": 3, "port": free_udp_port()}},
        environ={})
    assert service.status(config).message == "not generated yet"
    started = service.start(config)
    try:
        assert started.running and started.generated and started.pid is not None
        assert is_snmpsim_process(started.pid, config.lab_path / "data")
        again = service.start(config)  # idempotent: same process, nothing regenerated
        assert again.pid == started.pid and not again.generated
        device = yaml.safe_load((config.lab_path / "inventory.yaml").read_text())["devices"][-1]
        values = snmpget((device["address"], device["snmp_port"]), config.lab.community,
                         "1.3.6.1.2.1.1.5.0")
        assert values["1.3.6.1.2.1.1.5.0"] == f'STRING: "{device["name"]}"'
        assert service.status(config).running
    finally:
        stopped = service.stop(config)
    assert stopped and not process_alive(started.pid)
    assert not service.status(config).running
    assert service.stop(config) is False
