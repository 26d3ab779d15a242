"""Root cause: one outage per failure, everything behind it parent_down (nms.topology.rootcause)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nms.models import Sample
from nms.topology import build_topology, reachability_from_samples, root_cause
from nms.topology.rootcause import is_reachable
from tests.topology.helpers import addr, device, iface, nbr


def tree(*, cut: set[str] = frozenset(), extra_links: list[tuple[str, str]] = ()  # type: ignore[assignment]
         ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """city core -> c1, c2 -> c1 has t1, t2 (t2 has v1 below it); c2 has t3; server s1 at c1.

    Each link is ``parent:ethN -- child:ethM`` on its own /30; a name in ``cut`` has its
    uplink down (LLDP gone, the /30 still there, as on a real cut).
    """
    parents = {"c1": "core", "c2": "core", "t1": "c1", "t2": "c1", "t3": "c2", "v1": "t2"}
    levels = {"core": "city", "c1": "county", "c2": "county", "t1": "township",
              "t2": "township", "t3": "township", "v1": "township"}
    devices = [{"name": n, "role": "router", "site": n, "county": None, "level": lv}
               for n, lv in levels.items()]
    devices.append({"name": "s1", "role": "server", "site": "c1", "county": "c1",
                    "level": "county"})
    ifs: dict[str, list[dict[str, Any]]] = {n: [] for n in levels}
    lldp: dict[str, list[dict[str, Any]]] = {n: [] for n in levels}
    addrs: dict[str, list[dict[str, Any]]] = {n: [] for n in levels}
    pairs = [(p, c) for c, p in parents.items()] + list(extra_links)
    for k, (p, c) in enumerate(pairs):
        pi, ci = len(ifs[p]) + 1, len(ifs[c]) + 1
        addrs[p].append(addr(pi, f"198.18.0.{4 * k + 1}", 30))
        addrs[c].append(addr(ci, f"198.18.0.{4 * k + 2}", 30))
        oper = "down" if c in cut else "up"
        ifs[p].append(iface(pi, f"eth{pi}", oper=oper))
        ifs[c].append(iface(ci, f"eth{ci}", oper=oper))
        if c not in cut:
            lldp[p].append(nbr(pi, port=f"eth{ci}", sysname=c))
            lldp[c].append(nbr(ci, port=f"eth{pi}", sysname=p))
    return devices, {n: device(n, ifs[n], addrs[n], lldp=lldp[n]) for n in levels}


def verdicts(reach: dict[str, Any], **kw: Any) -> dict[str, Any]:
    devices, st = tree(**kw)
    graph = build_topology(devices, st)
    return {k: v.as_dict() for k, v in root_cause(graph, reach).items()}


ALL = ["core", "c1", "c2", "t1", "t2", "t3", "v1", "s1"]


def test_county_uplink_down_is_one_outage() -> None:
    behind = {"c1", "t1", "t2", "v1", "s1"}
    out = verdicts({n: n not in behind for n in ALL}, cut={"c1"})
    assert out["c1"]["state"] == "down"
    assert out["c1"]["link"] == "core:eth1--c1:eth1" and out["c1"]["root_cause"] == "c1"
    for name in ("t1", "t2", "s1"):
        assert out[name]["state"] == "parent_down"
        assert out[name]["parent"] == "c1" and out[name]["root_cause"] == "c1"
    # two levels down: blocked by t2, caused by c1
    assert out["v1"]["state"] == "parent_down"
    assert (out["v1"]["parent"], out["v1"]["root_cause"]) == ("t2", "c1")
    assert {n for n, v in out.items() if v["state"] == "up"} == {"core", "c2", "t3"}
    assert out["t3"]["parent"] == "c2"


def test_device_failure_with_links_still_up() -> None:
    """A crashed county router: its links read up (stale), nothing answers behind it."""
    behind = {"c1", "t1", "t2", "v1", "s1"}
    out = verdicts({n: n not in behind for n in ALL})
    assert out["c1"]["state"] == "down" and out["c1"]["link"] is None
    assert "neighbour core is up" in out["c1"]["reason"]
    assert all(out[n]["state"] == "parent_down" for n in ("t1", "t2", "v1", "s1"))


def test_single_township_down() -> None:
    out = verdicts({n: n != "t1" for n in ALL})
    assert out["t1"]["state"] == "down"
    assert [n for n, v in out.items() if v["state"] != "up"] == ["t1"]


def test_server_without_links_follows_its_site_router() -> None:
    out = verdicts({n: n != "s1" for n in ALL})
    assert out["s1"]["state"] == "down" and out["s1"]["parent"] == "c1"
    out = verdicts({n: n not in {"c1", "s1", "t1", "t2", "v1"} for n in ALL})
    assert out["s1"]["state"] == "parent_down" and out["s1"]["root_cause"] == "c1"


def test_redundant_path_keeps_township_up_and_blames_nobody() -> None:
    """t1 also hangs off c2: with c1 cut off, t1 still answers via c2."""
    reach = {n: n not in {"c1", "t2", "v1", "s1"} for n in ALL}
    out = verdicts(reach, cut={"c1"}, extra_links=[("c2", "t1")])
    assert out["t1"]["state"] == "up"
    # c1 is next to t1, which is up: c1 itself is the outage
    assert out["c1"]["state"] == "down"
    assert out["t2"]["state"] == "parent_down" and out["t2"]["root_cause"] == "c1"


def test_core_down_takes_everything() -> None:
    out = verdicts({n: False for n in ALL})
    assert out["core"]["state"] == "down"
    assert all(out[n]["state"] == "parent_down" and out[n]["root_cause"] == "core"
               for n in ALL if n != "core")


def test_unknown_reachability_is_not_blamed_and_not_blocking() -> None:
    reach: dict[str, Any] = {n: True for n in ALL}
    reach["c1"] = None
    reach["t1"] = False
    out = verdicts(reach)
    assert out["c1"]["state"] == "unknown"
    assert out["t1"]["state"] == "down"  # c1 is passable: t1's own outage


def test_probe_values_are_understood() -> None:
    assert is_reachable({"loss_percent": 100.0}) is False
    assert is_reachable({"loss_percent": 66.7}) is True
    assert is_reachable({"reachable": False, "loss_percent": 0.0}) is False
    assert is_reachable(100) is False and is_reachable(0.0) is True
    assert is_reachable(None) is None and is_reachable("?") is None


def test_reachability_from_probe_samples_takes_latest_device_sample() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    samples = [
        Sample("probe", {"device": "c1", "kind": "device"}, {"loss_percent": 0.0}, t0),
        Sample("probe", {"device": "c1", "kind": "device"}, {"loss_percent": 100.0},
               t0 + timedelta(minutes=1)),
        Sample("probe", {"device": "c1", "kind": "link_endpoint"}, {"loss_percent": 0.0},
               t0 + timedelta(minutes=2)),
        {"measurement": "probe", "tags": {"device": "t1"}, "fields": {"loss_percent": 0.0},
         "time": t0},
    ]
    assert reachability_from_samples(samples) == {"c1": {"loss_percent": 100.0},
                                                  "t1": {"loss_percent": 0.0}}


def test_graph_without_levels_uses_best_connected_root() -> None:
    devices, st = tree()
    plain = [{"name": d["name"]} for d in devices]
    g = build_topology(plain, st)
    assert g.graph["roots"] in (["c1"], ["core"], ["t2"])
    out = root_cause(g, {n: True for n in ALL})
    assert all(v.state == "up" for v in out.values())
