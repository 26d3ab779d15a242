"""LLDP neighbours of real device recordings, checked against what LibreNMS found in them.

The recordings (shared/corpus/librenms, GPL-3.0 test data of the LibreNMS project) are served
by snmpsim; the real SNMP collector polls them; the topology code normalizes its
``lldp_neighbors``. Expected values come from the ``discovery-protocols`` module of the paired
LibreNMS JSON: local port (ifName), remote system name, remote port (``"<port id> (<chassis
MAC>)"`` where LibreNMS shows the MAC).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nms.config import SnmpAuth, SnmpConfig
from nms.lab.snmpsim import SnmpsimError, SnmpsimServer, find_snmpsim_command
from nms.topology import build_topology, to_json
from nms.topology.discovery import DeviceInfo, DeviceView
from nms.topology.ifnames import mac_key

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "librenms"
WITH_LLDP = ["junos_mx5t-isis", "nxos_n3k-3064pq", "ruijie", "vrp_5720"]
PROFILES = ("system", "if_mib", "ip_mib", "lldp_mib")


def _missing() -> str | None:
    if not CORPUS.is_dir():
        return f"no corpus at {CORPUS}"
    try:
        find_snmpsim_command()
    except SnmpsimError as exc:
        return str(exc)
    return None


pytestmark = [pytest.mark.snmpsim,
              pytest.mark.skipif(_missing() is not None, reason=f"needs snmpsim: {_missing()}")]


def expected_lldp(name: str) -> list[dict[str, Any]]:
    data = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    links = (data.get("discovery-protocols") or {}).get("discovery", {}).get("links", [])
    out = []
    for link in links:
        if link["protocol"] != "lldp":
            continue
        m = re.fullmatch(r"(.*) \(([0-9a-f]{12})\)", link["remote_port"])
        port, mac = (m.group(1), m.group(2)) if m else (link["remote_port"], None)
        out.append({"local": link["ifName"], "sysname": link["remote_hostname"], "port": port,
                    "mac": mac})
    return out


@pytest.fixture(scope="module")
def polled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """{recording: PollResult.state} from the real collector against snmpsim."""
    from collectors.snmp.collector import SnmpTarget, poll_device

    data_dir = tmp_path_factory.mktemp("lldp-corpus")
    for name in WITH_LLDP:  # only these four: snmpsim indexes every file it serves
        shutil.copy(CORPUS / f"{name}.snmprec", data_dir / f"{name}.snmprec")
    with SnmpsimServer(data_dir, probe_community=WITH_LLDP[0]) as sim:
        host, port = sim.endpoints[0]

        async def poll_all() -> list[Any]:
            snmp = SnmpConfig(timeout_s=5.0, retries=1)
            return list(await asyncio.gather(*(
                poll_device(SnmpTarget(n, host, SnmpAuth(community=n), port=port,
                                       profiles=PROFILES), snmp) for n in WITH_LLDP)))

        results = asyncio.run(poll_all())
    for r in results:
        assert r.status.value == "ok", r.error
    yield {r.device: r.state for r in results}


@pytest.mark.parametrize("name", WITH_LLDP)
def test_neighbours_match_librenms(polled: dict[str, dict[str, Any]], name: str) -> None:
    view = DeviceView(DeviceInfo(name), polled[name])
    ours = [{"local": view.port_name(view.local_ifindex(n)), "sysname": n.sysname,
             "port": n.port_id, "mac": mac_key(n.chassis_id)} for n in view.neighbours]
    expected = expected_lldp(name)
    assert len(ours) == len(expected)
    for want in expected:
        match = [o for o in ours if o["local"] == want["local"] and o["port"] == want["port"]]
        assert len(match) == 1, (want, ours)
        got = match[0]
        assert got["sysname"] == want["sysname"]
        if want["mac"]:
            assert got["mac"] == want["mac"]


def test_huawei_local_port_number_is_not_the_ifindex(polled: dict[str, dict[str, Any]]) -> None:
    """VRP numbers LLDP ports on its own (lldpRemLocalPortNum 14 = GigabitEthernet0/0/14, while
    ifIndex 14 is GigabitEthernet0/0/9): the local port must come from lldpLocPortTable."""
    view = DeviceView(DeviceInfo("vrp_5720"), polled["vrp_5720"])
    row = next(r for r in polled["vrp_5720"]["lldp_neighbors"] if r["local_port_num"] == 14)
    assert view.port_name(row["local_ifIndex"]) == "GigabitEthernet0/0/14"
    assert view.port_name(14) == "GigabitEthernet0/0/9"


def test_recording_alone_gives_links_to_unmanaged_neighbours(
        polled: dict[str, dict[str, Any]]) -> None:
    graph = build_topology([{"name": "vrp_5720"}], {"vrp_5720": polled["vrp_5720"]})
    links = {(lk["a_port"], lk["target"], lk["b_port"]) for lk in to_json(graph)["links"]}
    assert links == {
        ("GigabitEthernet0/0/14", "lldp:LNS-Huawei", "GigabitEthernet0/0/7"),
        ("XGigabitEthernet0/0/1", "lldp:CE-NG", "10GE1/0/42"),
        ("XGigabitEthernet0/0/4", "lldp:CE-NG", "10GE1/0/41"),
        ("XGigabitEthernet0/0/2", "lldp:Zrih", "XGigabitEthernet0/0/1"),
        ("MEth0/0/1", "lldp:pm-test", "GigabitEthernet0/0/1"),
    }


def test_junos_neighbours_resolve_against_an_inventoried_switch(
        polled: dict[str, dict[str, Any]]) -> None:
    """The EX switch sends port IDs of subtype local (its ifIndex, "612") with the name in
    PortDesc, and is known to us under another name than its LLDP system name: the chassis MAC
    and the description still find the right device and ports."""
    switch = {"facts": {"sysName": "s1-renamed"},
              "interfaces": [{"ifIndex": 612, "ifName": "ge-0/1/2", "ifOperStatus": "up",
                              "ifPhysAddress": "182ad384c247"},
                             {"ifIndex": 514, "ifName": "ge-0/0/0", "ifOperStatus": "up",
                              "ifPhysAddress": "182ad384c247"}],
              "addresses": [], "lldp_neighbors": []}
    state = {"mx": polled["junos_mx5t-isis"], "ex-switch": switch}
    graph = build_topology([{"name": "mx"}, {"name": "ex-switch"}], state)
    links = {}
    for lk in to_json(graph)["links"]:
        ends = {lk["source"]: lk["a_port"], lk["target"]: lk["b_port"]}
        if "ex-switch" in ends:
            links[(ends["mx"], ends["ex-switch"])] = lk
    assert set(links) == {("ge-1/1/0", "ge-0/1/2"), ("ge-1/1/9", "ge-0/0/0")}
    assert all("chassis_mac" in lk["matched_by"] for lk in links.values())
