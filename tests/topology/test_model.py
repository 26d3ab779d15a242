"""The topology graph: reconciliation, link state, speed, utilisation, hierarchy, export."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
import pytest

from nms.models import Sample
from nms.topology import build_topology, link_state, rates_from_samples, to_graphml, to_json
from nms.topology.synth import cut_link, generate_network
from tests.topology.helpers import device, iface, nbr

DEVICES = [
    {"name": "core", "role": "router", "site": "city", "level": "city"},
    {"name": "cty", "role": "router", "site": "c1", "county": "c1", "level": "county"},
    {"name": "twn", "role": "router", "site": "t1", "county": "c1", "level": "township"},
    {"name": "srv", "role": "server", "site": "c1", "county": "c1", "level": "county"},
]


def state(**overrides: Any) -> dict[str, Any]:
    """core GE0/0/1 -- cty Gi0/1 (1G/10G), cty Gi0/2 -- twn eth1 (100M), both seen by LLDP."""
    st = {
        "core": device("core", [iface(1, "GigabitEthernet0/0/1", speed=10_000_000_000),
                                iface(2, "GigabitEthernet0/0/2")],
                       lldp=[nbr(1, port="Gi0/1", sysname="cty")]),
        "cty": device("cty", [iface(1, "Gi0/1", descr="GigabitEthernet0/1"),
                              iface(2, "Gi0/2", descr="GigabitEthernet0/2"),
                              iface(3, "Gi0/3", descr="GigabitEthernet0/3")],
                      lldp=[nbr(1, port="GigabitEthernet0/0/1", sysname="core"),
                            nbr(2, port="eth1", sysname="twn")]),
        "twn": device("twn", [iface(1, "eth1", speed=100_000_000)],
                      lldp=[nbr(1, port="Gi0/2", sysname="cty")]),
    }
    for name, st_dev in overrides.items():
        st[name] = st_dev
    return st


PLAN = [
    {"a_device": "core", "a_interface": "GE0/0/1", "b_device": "cty",
     "b_interface": "GigabitEthernet0/1", "tier": "county", "bandwidth_mbps": 1000},
    {"a_device": "cty", "a_interface": "GigabitEthernet0/2", "b_device": "twn",
     "b_interface": "eth1", "tier": "township", "bandwidth_mbps": 100},
]


def edges(graph: nx.MultiGraph) -> dict[str, dict[str, Any]]:
    return {link["id"]: link for link in to_json(graph)["links"]}


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("up", "up", "up"), ("up", "down", "down"), ("lowerLayerDown", "up", "down"),
    ("up", None, "up"), (None, None, "unknown"), ("notPresent", None, "down"),
    ("testing", "up", "unknown"),
])
def test_link_state_from_both_ends(a: str | None, b: str | None, expected: str) -> None:
    assert link_state(a, b) == expected


def test_planned_links_found_with_other_spellings_are_ok() -> None:
    graph = build_topology(DEVICES, state(), PLAN)
    links = edges(graph)
    assert set(links) == {"core:GigabitEthernet0/0/1--cty:Gi0/1", "cty:Gi0/2--twn:eth1"}
    assert all(lk["reconciliation"] == "ok" and lk["planned"] and lk["discovered"]
               for lk in links.values())
    assert all(lk["confirmed"] for lk in links.values())
    assert to_json(graph)["summary"]["ok"] == 2


def test_wrong_port_missing_and_unexpected() -> None:
    plan = [
        # cabled on cty Gi0/1 but planned on Gi0/3
        {"a_device": "core", "a_interface": "GE0/0/1", "b_device": "cty", "b_interface": "Gi0/3",
         "tier": "county"},
        # planned, never cabled
        {"a_device": "core", "a_interface": "GE0/0/2", "b_device": "twn", "b_interface": "eth2",
         "tier": "township", "bandwidth_mbps": 100},
    ]
    links = edges(build_topology(DEVICES, state(), plan))
    wrong = links["core:GigabitEthernet0/0/1--cty:Gi0/1"]
    assert wrong["reconciliation"] == "wrong_port"
    assert wrong["planned_b_port"] == "Gi0/3" and wrong["b_port"] == "Gi0/1"
    missing = links["core:GigabitEthernet0/0/2--twn:eth2"]
    assert missing["reconciliation"] == "missing" and not missing["discovered"]
    assert missing["speed_bps"] == 1_000_000_000  # core's GE0/0/2 is known; twn eth2 is not
    unexpected = links["cty:Gi0/2--twn:eth1"]
    assert unexpected["reconciliation"] == "unexpected" and not unexpected["planned"]
    assert unexpected["tier"] == "township"  # inferred from the site levels


def test_missing_link_takes_its_state_from_the_planned_ports() -> None:
    st = state()
    st["cty"]["interfaces"][1]["ifOperStatus"] = "down"
    st["twn"]["interfaces"][0]["ifOperStatus"] = "lowerLayerDown"
    st["cty"]["lldp_neighbors"] = st["cty"]["lldp_neighbors"][:1]
    st["twn"]["lldp_neighbors"] = []
    links = edges(build_topology(DEVICES, st, PLAN))
    cut = links["cty:Gi0/2--twn:eth1"]
    assert cut["reconciliation"] == "missing" and cut["state"] == "down"
    assert (cut["a_oper"], cut["b_oper"]) == ("down", "lowerLayerDown")


def test_speed_is_the_slower_end_and_plan_fills_in() -> None:
    links = edges(build_topology(DEVICES, state(), PLAN))
    assert links["core:GigabitEthernet0/0/1--cty:Gi0/1"]["speed_bps"] == 1_000_000_000
    assert links["cty:Gi0/2--twn:eth1"]["speed_bps"] == 100_000_000
    no_state = edges(build_topology(DEVICES, {}, PLAN))
    assert no_state["core:GE0/0/1--cty:GigabitEthernet0/1"]["speed_bps"] == 1_000_000_000
    assert no_state["core:GE0/0/1--cty:GigabitEthernet0/1"]["state"] == "unknown"


def test_utilisation_from_rates_either_end() -> None:
    rates = {"cty": {2: {"in_bps": 20e6, "out_bps": 60e6}}, "core": {"GigabitEthernet0/0/1":
                                                                     {"in_bps": 1e8, "out_bps": 5e8}}}
    links = edges(build_topology(DEVICES, state(), PLAN, rates=rates))
    down = links["cty:Gi0/2--twn:eth1"]
    assert down["utilisation_percent"] == 60.0  # 60 Mbit/s on a link limited to 100 Mbit/s
    up = links["core:GigabitEthernet0/0/1--cty:Gi0/1"]
    assert up["utilisation_percent"] == 50.0  # 500 Mbit/s on a link as fast as its 1G end
    assert (up["in_bps"], up["out_bps"]) == (1e8, 5e8)
    assert edges(build_topology(DEVICES, state(), PLAN))["cty:Gi0/2--twn:eth1"][
        "utilisation_percent"] is None


def test_rates_from_interface_samples_handles_wrap_and_resets() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    t1 = t0 + timedelta(seconds=60)

    def s(t: datetime, ifindex: str, inn: int, out: int, bits: int = 64) -> Sample:
        # 100 Mbit/s: a 32-bit octet counter needs 343 s to wrap, so one wrap in 60 s is certain
        return Sample("interface", {"device": "r", "ifindex": ifindex, "ifname": f"if{ifindex}"},
                      {"in_octets": inn, "out_octets": out, "counter_bits": bits,
                       "speed_bps": 100_000_000}, t)

    rates = rates_from_samples([
        s(t0, "1", 1000, 0), s(t1, "1", 1000 + 7_500_000, 750_000),  # 1 Mbit/s in, 0.1 out
        s(t0, "2", 2**32 - 750_000, 10, 32), s(t1, "2", 6_750_000, 10, 32),  # 32-bit wrap
        s(t0, "3", 5000, 0), s(t1, "3", 10, 0),  # 64-bit counter went down: a reset, no rate
        Sample("probe", {"device": "r"}, {"loss_percent": 0.0}, t1),
    ])
    assert rates["r"][1] == {"in_bps": pytest.approx(1e6), "out_bps": pytest.approx(1e5)}
    assert rates["r"]["if1"] is rates["r"][1]
    assert rates["r"][2]["in_bps"] == pytest.approx(1e6)
    assert "in_bps" not in rates["r"][3]


def test_hierarchy_parents_and_site_parent_for_devices_without_links() -> None:
    graph = build_topology(DEVICES, state(), PLAN)
    assert graph.graph["roots"] == ["core"]
    nodes = {n["id"]: n for n in to_json(graph)["nodes"]}
    assert nodes["cty"]["parent"] == "core" and nodes["cty"]["parent_via"] == "link"
    assert nodes["twn"]["parent"] == "cty"
    assert nodes["srv"]["parent"] == "cty" and nodes["srv"]["parent_via"] == "site"
    assert nodes["core"]["parent"] is None


def test_links_are_oriented_upstream_first() -> None:
    st = state()
    graph = build_topology(DEVICES, st, [])  # no plan: orientation from the site levels
    assert {(lk["source"], lk["target"]) for lk in to_json(graph)["links"]} == {
        ("core", "cty"), ("cty", "twn")}


def test_to_json_contract() -> None:
    data = to_json(build_topology(DEVICES, state(), PLAN, reachability={"core": True}))
    node_keys = {"id", "name", "role", "site", "county", "level", "state"}
    link_keys = {"source", "target", "a_port", "b_port", "state", "speed_bps",
                 "utilisation_percent", "tier", "planned", "discovered"}
    assert all(node_keys <= set(n) for n in data["nodes"])
    assert all(link_keys <= set(lk) for lk in data["links"])
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["cty"]["county"] == "c1" and nodes["cty"]["level"] == "county"
    assert nodes["core"]["state"] == "up" and nodes["twn"]["state"] == "unknown"
    import json

    json.dumps(data)  # plain JSON only


def test_graphml_round_trip() -> None:
    graph = build_topology(DEVICES, state(), PLAN)
    text = to_graphml(graph)
    back = nx.read_graphml(io.BytesIO(text.encode()), force_multigraph=True)
    assert set(back.nodes) == set(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()
    keyed = {d["id"]: d for _, _, d in back.edges(data=True)}
    assert keyed["cty:Gi0/2--twn:eth1"]["sources"] == "lldp"


def test_generated_network_is_found_as_planned_and_cut_is_explained() -> None:
    net = generate_network(3, 4)
    graph = build_topology(net.devices, net.state, net.links)
    summary = to_json(graph)["summary"]
    assert summary["links"] == len(net.links) == summary["ok"]
    assert summary["missing"] == summary["unexpected"] == summary["wrong_port"] == 0
    uplink = next(lk for lk in net.links if lk["b_device"] == "county02-agg-r1")
    cut_link(net, uplink)
    reach = {d["name"]: not d["name"].startswith("county02") for d in net.devices}
    data = to_json(build_topology(net.devices, net.state, net.links, reachability=reach))
    states = {n["id"]: n["state"] for n in data["nodes"]}
    assert states["county02-agg-r1"] == "down"
    assert {n for n, s in states.items() if s == "parent_down"} == {
        d["name"] for d in net.devices if d["name"].startswith("county02-")
        and d["name"] != "county02-agg-r1"}
    cut = next(lk for lk in data["links"] if lk["target"] == "county02-agg-r1")
    assert cut["state"] == "down" and cut["reconciliation"] == "ok"  # still seen by its /30
