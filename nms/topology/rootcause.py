"""Root cause of unreachability: one outage, not one per device behind it.

Input: a topology graph (``nms.topology.model.build_topology``: nodes with ``parent``, edges with
``state``) and reachability per device -- ``True``/``False``/``None``, a loss percentage, or a
probe result dict with ``loss_percent`` (``collectors.probe`` samples). Output: per device a
:class:`DeviceStatus`: ``up``, ``down``, ``parent_down`` (unreachable because something upstream
is down; ``parent`` names the nearest upstream device that is not up, ``root_cause`` the topmost
one) or ``unknown`` (no reachability data).

Why: when a county's uplink to the city is cut, the county router and every township router,
firewall and server behind it stop answering. Alarms and reports must show one outage (the
county, with the cut link as the reason) and mark the rest ``parent_down``, the way Nagios host
dependencies and most NMS "root cause" features do.

The rule: the *up region* is what the poller can still reach -- starting at the roots, through
devices that answer (or whose state is unknown) over links that are not down. An unreachable
device next to the up region over a working link is ``down`` itself; one whose only way to the
up region is a down link is ``down`` with that link as the reason (its uplink failed); one not
next to the up region at all is ``parent_down``. Devices without links (``parent_via == "site"``)
follow their site router.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

STATES = ("up", "down", "parent_down", "unknown")


@dataclass(frozen=True)
class DeviceStatus:
    """The verdict for one device.

    Attributes:
        device: device name.
        state: ``up`` / ``down`` / ``parent_down`` / ``unknown``.
        parent: for ``parent_down``, the nearest upstream device that is not up; otherwise the
            device's topology parent (None for roots and orphans).
        root_cause: for ``parent_down``, the device whose outage explains this one (the
            topmost down device upstream); for ``down``, the device itself.
        link: for ``down``, the id of the down link that cuts it off, when that is the reason.
        reason: one readable sentence (English).
        reason_zh: the same in Chinese, for the console.
    """

    device: str
    state: str
    parent: str | None = None
    root_cause: str | None = None
    link: str | None = None
    reason: str = ""
    reason_zh: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


def is_reachable(value: Any) -> bool | None:
    """Normalize one reachability value: bool, None, a loss percentage or a probe dict.

    A device is reachable when at least one probe answered (loss below 100 %).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value < 100.0
    if isinstance(value, Mapping):
        if "reachable" in value and isinstance(value["reachable"], bool):
            return value["reachable"]
        loss = value.get("loss_percent")
        if isinstance(loss, int | float):
            return loss < 100.0
    return None


def root_cause(graph: nx.MultiGraph, reachability: Mapping[str, Any],
               roots: Iterable[str] | None = None) -> dict[str, DeviceStatus]:
    """Classify every managed device of ``graph`` as up / down / parent_down / unknown.

    Args:
        graph: a topology graph (node ``parent`` set by ``assign_parents``).
        reachability: per device, see :func:`is_reachable`; devices absent are ``unknown``.
        roots: devices nearest the poller (default ``graph.graph["roots"]``).

    Returns:
        ``{device: DeviceStatus}`` for every managed node.
    """
    root_list = [r for r in (roots if roots is not None else graph.graph.get("roots", []))
                 if r in graph]
    reach = {n: is_reachable(reachability.get(n)) for n in graph.nodes}

    def passable(node: str) -> bool:
        return reach.get(node) is not False

    up_region: set[str] = set()
    queue = deque(r for r in root_list if passable(r))
    up_region.update(queue)
    while queue:
        node = queue.popleft()
        for _, nb, data in graph.edges(node, data=True):
            if nb in up_region or not passable(nb) or data.get("state") == "down":
                continue
            up_region.add(nb)
            queue.append(nb)

    out: dict[str, DeviceStatus] = {}
    managed = [n for n, d in graph.nodes(data=True) if d.get("managed", True)]
    for node in managed:
        out[node] = _classify(graph, node, reach, up_region, root_list)
    # second pass: parent_down chains need their ancestors' verdicts
    for node in managed:
        status = out[node]
        if status.state == "parent_down":
            out[node] = _blame(graph, status, out)
    return out


def _classify(graph: nx.MultiGraph, node: str, reach: Mapping[str, bool | None],
              up_region: set[str], roots: list[str]) -> DeviceStatus:
    parent = graph.nodes[node].get("parent")
    r = reach.get(node)
    if r is None:
        return DeviceStatus(node, "unknown", parent, None, None, "no reachability data",
                            "无可达性数据")
    if r:
        return DeviceStatus(node, "up", parent)
    if node in roots:
        return DeviceStatus(node, "down", None, node, None,
                            "unreachable, and it is next to the poller", "设备不可达（靠近网管）")
    down_links: list[str] = []
    for _, nb, data in graph.edges(node, data=True):
        if nb not in up_region:
            continue
        if data.get("state") != "down":
            return DeviceStatus(node, "down", parent, node, None,
                                f"unreachable although its neighbour {nb} is up",
                                f"设备不可达（邻居 {nb} 正常）")
        down_links.append(str(data.get("id")))
    if down_links:
        link = sorted(down_links)[0]
        return DeviceStatus(node, "down", parent, node, link,
                            f"unreachable: link {link} is down", f"设备不可达：链路 {link} 中断")
    if graph.nodes[node].get("parent_via") == "site" and parent is not None:
        if parent in up_region:
            return DeviceStatus(node, "down", parent, node, None,
                                f"unreachable although its site router {parent} is up",
                                f"设备不可达（本站点路由器 {parent} 正常）")
        return DeviceStatus(node, "parent_down", parent, None, None, "", "")
    if parent is None:
        return DeviceStatus(node, "down", None, node, None,
                            "unreachable and no path to it is known", "设备不可达（无已知路径）")
    return DeviceStatus(node, "parent_down", parent, None, None, "", "")


def _blame(graph: nx.MultiGraph, status: DeviceStatus,
           verdicts: Mapping[str, DeviceStatus]) -> DeviceStatus:
    """Walk up the parents to the nearest device that is not up and the topmost down one."""
    nearest: str | None = None
    top: str | None = None
    seen = {status.device}
    node = status.parent
    while node is not None and node not in seen:
        seen.add(node)
        verdict = verdicts.get(node)
        state = verdict.state if verdict else "unknown"
        if state in ("down", "parent_down"):
            nearest = nearest or node
            if state == "down":
                top = node
                break
        elif state == "up":
            break
        node = graph.nodes[node].get("parent") if node in graph else None
    nearest = nearest or status.parent
    top = top or nearest
    return DeviceStatus(status.device, "parent_down", nearest, top, None,
                        f"unreachable because {top} upstream is down",
                        f"上游设备 {top} 故障导致不可达")


def apply_root_cause(graph: nx.MultiGraph, verdicts: Mapping[str, DeviceStatus]) -> None:
    """Write the verdicts onto the graph: node ``state``, ``root_cause``, ``reason``; a
    ``parent_down`` node's ``blocked_by`` is the nearest upstream device that is not up."""
    for node, status in verdicts.items():
        if node not in graph:
            continue
        attrs = graph.nodes[node]
        attrs["state"] = status.state
        attrs["root_cause"] = status.root_cause
        attrs["reason"] = status.reason
        attrs["blocked_by"] = status.parent if status.state == "parent_down" else None
        if status.link:
            attrs["down_link"] = status.link


def reachability_from_samples(samples: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Latest ``probe`` sample fields per device (``kind`` ``device`` or untagged).

    Accepts ``nms.models.Sample`` objects or dicts (``measurement``, ``tags``, ``fields``,
    ``time``), e.g. what ``Sink.query("probe", ...)`` returns. Link-endpoint probes are left
    out: a device is reachable if its own address answers.
    """
    latest: dict[str, tuple[Any, dict[str, Any]]] = {}
    for s in samples:
        if isinstance(s, Mapping):
            measurement, tags, fields, when = s.get("measurement"), s["tags"], s["fields"], s["time"]
        else:
            measurement, tags, fields, when = s.measurement, s.tags, s.fields, s.time
        if measurement != "probe" or tags.get("kind", "device") != "device" or not tags.get("device"):
            continue
        device = tags["device"]
        if device not in latest or when >= latest[device][0]:
            latest[device] = (when, dict(fields))
    return {device: fields for device, (_, fields) in latest.items()}
