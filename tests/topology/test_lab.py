"""Integration: discovery, link state, probes and root cause on the real namespace lab.

The lab (tests/topology/conftest.py) runs real snmpd + lldpd (LLDP-MIB over AgentX) + FRR OSPF
per router; the SNMP collector and the scapy probes run inside its mgmt namespace. Every packet
stays inside the lab's namespaces (198.19.0.0/16).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from nms.topology import build_topology, reachability_from_samples, to_json

pytestmark = [pytest.mark.lab]


def _ends(link: dict[str, Any]) -> frozenset[tuple[str, str]]:
    return frozenset({(link["source"], link["a_port"]), (link["target"], link["b_port"])})


def _probe_round(lab: Any, agent: Any) -> list[dict[str, Any]]:
    """One scheduled-probe round from the mgmt namespace: every device and link endpoint."""
    samples = agent.request(op="probe_round", inventory=lab.inventory(), count=2, timeout_s=0.5,
                            allowed=["198.19.0.0/16"])["samples"]
    for s in samples:
        s["time"] = datetime.fromisoformat(s["time"])
    return samples


def _snapshot(lab: Any, agent: Any, *, planned: bool = True) -> dict[str, Any]:
    """Poll every device, run a probe round, build the topology from the state and the probe
    samples, return its JSON (plus the raw samples under ``"probe_samples"``)."""
    polled = agent.poll()
    assert polled["errors"] == {}, polled["errors"]
    samples = _probe_round(lab, agent)
    reach = reachability_from_samples(samples)
    links = lab.inventory()["links"] if planned else []
    graph = build_topology(lab.topology_devices(), polled["state"], links, reachability=reach)
    return {**to_json(graph), "probe_samples": samples}


def _wait_for(fn: Callable[[], dict[str, Any]], ok: Callable[[dict[str, Any]], bool],
              timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        data = fn()
        if ok(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.5)


def test_discovers_exactly_the_links_that_exist(netns_lab: Any, lab_agent: Any) -> None:
    data = _snapshot(netns_lab, lab_agent, planned=False)
    cabled = {frozenset({(lk.a, lk.a_if), (lk.b, lk.b_if)}) for lk in netns_lab.spec.links}
    found = {_ends(link) for link in data["links"]}
    assert found == cabled
    assert all(link["discovered"] and link["reconciliation"] == "unexpected"
               for link in data["links"])
    by_ends = {_ends(link): link for link in data["links"]}
    for lk in netns_lab.spec.links:
        link = by_ends[frozenset({(lk.a, lk.a_if), (lk.b, lk.b_if)})]
        if netns_lab.spec.host(lk.b).lldp:
            assert "lldp" in link["sources"] and link["confirmed"], link
        else:  # the firewall speaks no LLDP: found by its /31 alone
            assert link["sources"] == ["subnet"], link
        assert link["state"] == "up"
        assert link["speed_bps"] == 10_000_000_000  # veth ifHighSpeed


def test_reconciles_against_the_plan_and_all_up(netns_lab: Any, lab_agent: Any) -> None:
    data = _snapshot(netns_lab, lab_agent)
    assert data["summary"]["ok"] == len(netns_lab.spec.links)
    assert data["summary"]["missing"] == data["summary"]["unexpected"] == 0
    assert {n["id"]: n["state"] for n in data["nodes"]} == {h.name: "up" for h in netns_lab.spec.hosts}
    assert all(n["loss_percent"] == 0.0 for n in data["nodes"])
    # hierarchy: each township hangs off its county, the county off the city
    parents = {n["id"]: n["parent"] for n in data["nodes"]}
    assert parents["town-a1"] == parents["town-a2"] == parents["fw-a"] == "county-a"
    assert parents["town-b1"] == "county-b"
    assert parents["county-a"] == parents["county-b"] == "city-core"
    # the FQDN LLDP name and MAC port IDs of county-b were matched
    uplink_b = next(link for link in data["links"] if link["target"] == "county-b")
    assert "sysname" in uplink_b["matched_by"] and "port_mac" in uplink_b["matched_by"]


def test_cut_shows_link_down_parent_down_and_loss_then_restore(netns_lab: Any,
                                                               lab_agent: Any) -> None:
    uplink = netns_lab.link("county-a")  # city-core eth1 -- county-a eth1
    behind = {"town-a1", "town-a2", "fw-a"}

    def cut_seen(d: dict[str, Any]) -> bool:
        # net-snmp caches ifTable for up to ~1 s, so the probes may see the cut first
        states = {n["id"]: n["state"] for n in d["nodes"]}
        link_states = {lk["target"]: lk["state"] for lk in d["links"]}
        return (link_states["county-a"] == "down" and states["county-a"] == "down"
                and all(states[b] == "parent_down" for b in behind))

    netns_lab.cut(uplink)
    try:
        data = _wait_for(lambda: _snapshot(netns_lab, lab_agent), cut_seen)
        nodes = {n["id"]: n for n in data["nodes"]}
        link = next(lk for lk in data["links"] if _ends(lk) == frozenset(
            {(uplink.a, uplink.a_if), (uplink.b, uplink.b_if)}))
        assert link["state"] == "down", link
        assert link["a_oper"] == "down" and link["b_oper"] == "down"
        assert link["planned"]
        assert nodes["county-a"]["state"] == "down"
        assert nodes["county-a"]["root_cause"] == "county-a"
        assert "is down" in nodes["county-a"]["reason"]
        for name in behind:
            assert nodes[name]["state"] == "parent_down", nodes[name]
            assert nodes[name]["blocked_by"] == "county-a"
            assert nodes[name]["root_cause"] == "county-a"
            assert nodes[name]["loss_percent"] == 100.0
        assert nodes["county-a"]["loss_percent"] == 100.0
        for name in ("city-core", "county-b", "town-b1"):
            assert nodes[name]["state"] == "up"
            assert nodes[name]["loss_percent"] == 0.0
        # the link-endpoint probes say which link lost its far side
        endpoints = {(s["tags"]["device"], s["tags"]["ifname"]): s["fields"]
                     for s in data["probe_samples"] if s["tags"]["kind"] == "link_endpoint"}
        assert endpoints[(uplink.b, uplink.b_if)]["loss_percent"] == 100.0
        assert endpoints[("county-b", "eth1")]["loss_percent"] == 0.0
        assert endpoints[("town-b1", "eth1")]["rtt_avg_ms"] > 0
        others = [lk for lk in data["links"] if lk["id"] != link["id"]]
        assert all(lk["state"] == "up" for lk in others)
        assert data["summary"]["device_states"] == {"down": 1, "parent_down": 3, "up": 3}
    finally:
        netns_lab.restore(uplink)

    def healed(d: dict[str, Any]) -> bool:
        return (all(n["state"] == "up" for n in d["nodes"])
                and all(lk["state"] == "up" and lk["reconciliation"] == "ok"
                        and (lk["sources"] == ["subnet"] or "lldp" in lk["sources"])
                        for lk in d["links"]))

    data = _wait_for(lambda: _snapshot(netns_lab, lab_agent), healed)
    assert healed(data), data
    assert all(n["loss_percent"] == 0.0 for n in data["nodes"])
    restored = next(lk for lk in data["links"] if lk["target"] == "county-a")
    assert "lldp" in restored["sources"]


def test_stored_inventory_and_state_give_the_same_topology(netns_lab: Any, lab_agent: Any,
                                                           tmp_path: Any) -> None:
    """The lab's inventory imports as is; with the polled state saved in the store,
    ``load_topology`` (what `nms topology show` runs) finds every planned link."""
    import yaml

    from collectors.sinks.memory import MemorySink
    from inventory.io import import_file
    from nms.db import make_engine, migrate, session_scope
    from nms.models import Sample
    from nms.state import save_state
    from nms.topology.store import load_inventory, load_topology

    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump(netns_lab.inventory(), allow_unicode=True), encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'nms.db'}")
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, path)
    for name, st in lab_agent.poll()["state"].items():
        save_state(engine, name, st)
    inv = load_inventory(engine)
    levels = {d.name: (d.level, d.county) for d in inv.devices}
    assert levels["town-a1"] == ("township", "countya") and levels["city-core"] == ("city", None)
    sink = MemorySink()
    sink.write([Sample(s["measurement"], s["tags"], s["fields"], s["time"])
                for s in _probe_round(netns_lab, lab_agent)])
    data = to_json(load_topology(engine, sink=sink))
    assert data["summary"]["ok"] == len(netns_lab.spec.links)
    assert all(n["state"] == "up" for n in data["nodes"])
    sink.close()
