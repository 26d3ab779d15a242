"""Export a topology graph: the JSON the console draws from, GraphML for yEd/Gephi, text tables.

``to_json(graph)`` is the contract with the web console (and anything else that draws or
reports the network)::

    {"nodes": [{"id", "name", "role", "site", "site_name", "county", "county_name", "level",
                "state", "parent", "parent_via", "managed", "address", "vendor", "platform",
                "root_cause", "reason", "blocked_by", "loss_percent", "rtt_avg_ms"}],
     "links": [{"id", "source", "target", "a_port", "b_port", "state", "speed_bps",
                "utilisation_percent", "in_bps", "out_bps", "tier", "planned", "discovered",
                "reconciliation", "sources", "confirmed", "a_oper", "b_oper",
                "planned_a_port", "planned_b_port"}],
     "roots": [...], "summary": {"devices": n, "links": n, "ok": n, "missing": n, ...}}

``source``/``target`` are node ids (device names; ``lldp:<name>`` for neighbours outside the
inventory). Everything is plain JSON (no sets, no datetimes), sorted for stable diffs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

NODE_KEYS = ("name", "role", "site", "site_name", "county", "county_name", "level", "state",
             "parent", "parent_via", "managed", "address", "vendor", "platform", "root_cause",
             "reason", "blocked_by", "loss_percent", "rtt_avg_ms")
LINK_KEYS = ("a_port", "b_port", "state", "speed_bps", "utilisation_percent", "in_bps", "out_bps",
             "tier", "planned", "discovered", "reconciliation", "sources", "confirmed", "a_oper",
             "b_oper", "admin_down", "planned_a_port", "planned_b_port", "a_ifindex", "b_ifindex",
             "matched_by")


def to_json(graph: nx.MultiGraph) -> dict[str, Any]:
    """The JSON-able view of ``graph`` (see the module docstring for the schema)."""
    nodes = []
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        entry: dict[str, Any] = {"id": node}
        for key in NODE_KEYS:
            entry[key] = data.get(key)
        if entry["name"] is None:
            entry["name"] = node
        nodes.append(entry)
    links = []
    for _, _, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: str(e[2])):
        entry = {"id": key, "source": data.get("a_device"), "target": data.get("b_device")}
        for k in LINK_KEYS:
            value = data.get(k)
            entry[k] = list(value) if isinstance(value, list | tuple | set) else value
        links.append(entry)
    states = Counter(n["state"] for n in nodes if n.get("managed"))
    link_states = Counter(link["state"] for link in links)
    recon = Counter(link["reconciliation"] for link in links)
    summary = {"devices": sum(1 for n in nodes if n.get("managed")),
               "unmanaged_neighbours": sum(1 for n in nodes if not n.get("managed")),
               "links": len(links),
               "device_states": dict(sorted(states.items())),
               "link_states": dict(sorted(link_states.items())),
               **{k: recon.get(k, 0) for k in ("ok", "wrong_port", "missing", "unexpected")}}
    return {"nodes": nodes, "links": links, "roots": list(graph.graph.get("roots", [])),
            "summary": summary}


def _graphml_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items() if v is not None)
    return str(value)


def to_graphml(graph: nx.MultiGraph) -> str:
    """GraphML text (None attributes dropped, lists joined with commas: GraphML has no lists)."""
    clean = nx.MultiGraph()
    for node, data in graph.nodes(data=True):
        clean.add_node(node, **{k: _graphml_value(v) for k, v in data.items() if v is not None})
    for a, b, key, data in graph.edges(keys=True, data=True):
        clean.add_edge(a, b, key=key, **{k: _graphml_value(v) for k, v in data.items()
                                         if v is not None})
    return "\n".join(nx.generate_graphml(clean, named_key_ids=True)) + "\n"


def link_rows(graph: nx.MultiGraph) -> list[dict[str, Any]]:
    """One flat row per link, for the CLI table."""
    rows = []
    for link in to_json(graph)["links"]:
        util = link["utilisation_percent"]
        rows.append({
            "a": f"{link['source']}:{link['a_port'] or '?'}",
            "b": f"{link['target']}:{link['b_port'] or '?'}",
            "state": link["state"], "tier": link["tier"],
            "speed": _speed(link["speed_bps"]),
            "util%": None if util is None else f"{util:.1f}",
            "plan": link["reconciliation"], "via": ",".join(link["sources"]) or "plan",
        })
    return rows


def device_rows(graph: nx.MultiGraph) -> list[dict[str, Any]]:
    """One flat row per managed device, for the CLI table."""
    return [{"device": n["id"], "level": n["level"], "site": n["site"], "role": n["role"],
             "state": n["state"], "parent": n["parent"], "cause": n["root_cause"]}
            for n in to_json(graph)["nodes"] if n.get("managed")]


def _speed(bps: int | None) -> str | None:
    if not bps:
        return None
    for unit, size in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if bps >= size:
            value = bps / size
            return f"{value:g}{unit}"
    return str(bps)
