"""The topology model: a networkx graph of devices and links, reconciled against the plan.

Input: the inventory's devices (:class:`~nms.topology.discovery.DeviceInfo` or dicts), the
latest collected state per device (``{device: {getter: data}}``, :func:`nms.state.load_state`),
the planned links (dicts in the inventory's import format: ``a_device``, ``a_interface``,
``b_device``, ``b_interface``, ``tier``, ``bandwidth_mbps``), optionally interface rates and
reachability. Output: an ``nx.MultiGraph`` (parallel links are normal between a county and its
city) whose

* nodes are devices, keyed by name, with ``name role site site_name county county_name level
  vendor platform address managed sys_name parent parent_via state``, and
* edges are links, keyed by link id, with ``a_device a_port a_ifindex b_device b_port b_ifindex
  state a_oper b_oper admin_down speed_bps utilisation_percent in_bps out_bps tier planned
  discovered reconciliation sources confirmed matched_by planned_a_port planned_b_port``.

Why a graph and not tables: root cause (``nms.topology.rootcause``) walks it, the console draws
it (``nms.topology.export.to_json``), and networkx gives GraphML for free.

Reconciliation of discovered against planned links, per planned link:
  ``ok``          found on the planned ports (``discovered`` and ``planned`` both true);
  ``wrong_port``  the two devices are linked, but on other ports than planned;
  ``missing``     not found (state still comes from ifOperStatus of the planned ports, which is
                  how a cut link shows as *down* rather than vanishing);
and ``unexpected`` for a discovered link that no plan explains.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import networkx as nx

from nms.rates import Reading, counter_rate
from nms.topology.discovery import (
    DeviceInfo,
    DeviceView,
    DiscoveredLink,
    Endpoint,
    build_views,
    discover_links,
    level_rank,
)
from nms.topology.ifnames import port_key

DOWN_OPER = {"down", "lowerLayerDown", "notPresent"}
LINK_STATES = ("up", "down", "unknown")
TIER_BY_LEVELS = {("city", "city"): "core", ("city", "county"): "county",
                  ("county", "county"): "county", ("county", "township"): "township",
                  ("township", "township"): "township", ("city", "township"): "township"}


@dataclass(frozen=True)
class PlannedLink:
    """A link of the plan (inventory ``links`` row)."""

    a_device: str
    a_interface: str
    b_device: str
    b_interface: str
    tier: str | None = None
    bandwidth_mbps: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PlannedLink:
        """Build from an inventory row (extra keys ignored)."""
        bw = data.get("bandwidth_mbps")
        return cls(str(data["a_device"]), str(data["a_interface"]), str(data["b_device"]),
                   str(data["b_interface"]), data.get("tier"), int(bw) if bw else None)


def link_state(a_oper: str | None, b_oper: str | None) -> str:
    """Link state from both ends' ifOperStatus.

    ``down`` when either end is down (a cable cut shows on both ends, a shut port on one);
    ``up`` when every known end is up; ``unknown`` when no end is known or an end is in
    ``testing``/``unknown``/``dormant``.
    """
    known = [s for s in (a_oper, b_oper) if s is not None]
    if not known:
        return "unknown"
    if any(s in DOWN_OPER for s in known):
        return "down"
    if all(s == "up" for s in known):
        return "up"
    return "unknown"


def _same_endpoint(x: Endpoint, y: Endpoint) -> bool:
    if x.device != y.device:
        return False
    if x.ifindex is not None and y.ifindex is not None:
        return x.ifindex == y.ifindex
    return bool(x.port) and bool(y.port) and port_key(x.port) == port_key(y.port)


def _resolve_planned(view: DeviceView | None, device: str, name: str) -> Endpoint:
    if view is None:
        return Endpoint(device, None, name)
    idx = view.resolve_name(name)
    return Endpoint(device, idx, view.port_name(idx) if idx is not None else name)


def _orient(link: DiscoveredLink, first: str, views: Mapping[str, DeviceView]) -> DiscoveredLink:
    """The same link with ``first`` (a device name) as its a-end."""
    if link.a.device == first:
        return link
    return DiscoveredLink(link.b, link.a, link.sources, link.confirmed, link.matched_by,
                          link.managed, link.remote)


def _upstream_first(link: DiscoveredLink, views: Mapping[str, DeviceView]) -> DiscoveredLink:
    def rank(ep: Endpoint) -> tuple[int, str]:
        view = views.get(ep.device)
        return (level_rank(view.info.level if view else None), ep.device)

    if not link.managed:
        return link
    return link if rank(link.a) <= rank(link.b) else _orient(link, link.b.device, views)


def _match_score(link: DiscoveredLink, pa: Endpoint, pb: Endpoint,
                 views: Mapping[str, DeviceView]) -> int | None:
    """How well a discovered link fits a planned one: 3 both ports, 2 one port and the other
    unknown, 1 one port, 0 same devices only, None not the same devices."""
    if not link.managed or {link.a.device, link.b.device} != {pa.device, pb.device}:
        return None
    if pa.device == pb.device:
        return None
    d = _orient(link, pa.device, views)
    a_ok, b_ok = _same_endpoint(d.a, pa), _same_endpoint(d.b, pb)
    a_unknown = d.a.ifindex is None and not d.a.port
    b_unknown = d.b.ifindex is None and not d.b.port
    if (a_ok or a_unknown) and (b_ok or b_unknown):
        return 3 if a_ok and b_ok else 2
    return 1 if a_ok or b_ok else 0


def reconcile(discovered: Iterable[DiscoveredLink], planned: Iterable[PlannedLink],
              views: Mapping[str, DeviceView]) -> list[dict[str, Any]]:
    """Pair planned links with discovered ones, best fits first.

    Returns:
        One record per link: ``{"link": DiscoveredLink (oriented as planned when planned),
        "plan": PlannedLink | None, "reconciliation": ok|wrong_port|missing|unexpected,
        "discovered": bool}``.
    """
    found = list(discovered)
    plans = list(planned)
    ends = [(_resolve_planned(views.get(p.a_device), p.a_device, p.a_interface),
             _resolve_planned(views.get(p.b_device), p.b_device, p.b_interface)) for p in plans]
    by_pair: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, link in enumerate(found):
        by_pair[frozenset((link.a.device, link.b.device))].append(i)
    candidates: list[tuple[int, int, int]] = []  # (-score, plan index, link index)
    for j, (pa, pb) in enumerate(ends):
        for i in by_pair.get(frozenset((pa.device, pb.device)), ()):
            score = _match_score(found[i], pa, pb, views)
            if score is not None:
                candidates.append((-score, j, i))
    candidates.sort()
    plan_match: dict[int, tuple[int, int]] = {}
    claimed: set[int] = set()
    for neg, j, i in candidates:
        if j in plan_match or i in claimed:
            continue
        plan_match[j] = (i, -neg)
        claimed.add(i)
    records: list[dict[str, Any]] = []
    for j, plan in enumerate(plans):
        pa, pb = ends[j]
        if j not in plan_match:
            records.append({"link": DiscoveredLink(pa, pb, set(), False, []), "plan": plan,
                            "reconciliation": "missing", "discovered": False})
            continue
        i, score = plan_match[j]
        d = _orient(found[i], pa.device, views)
        if score >= 2:  # fill a port LLDP could not name from the plan
            a = d.a if (d.a.ifindex is not None or d.a.port) else pa
            b = d.b if (d.b.ifindex is not None or d.b.port) else pb
            d = DiscoveredLink(a, b, d.sources, d.confirmed, d.matched_by, d.managed, d.remote)
        records.append({"link": d, "plan": plan,
                        "reconciliation": "ok" if score >= 2 else "wrong_port",
                        "discovered": True})
    for i, link in enumerate(found):
        if i not in claimed:
            records.append({"link": _upstream_first(link, views), "plan": None,
                            "reconciliation": "unexpected", "discovered": True})
    return records


def _rate(rates: Mapping[str, Mapping[Any, Mapping[str, float]]] | None, ep: Endpoint
          ) -> Mapping[str, float] | None:
    if not rates or ep.device not in rates:
        return None
    per_if = rates[ep.device]
    for key in (ep.ifindex, str(ep.ifindex) if ep.ifindex is not None else None, ep.port):
        if key is not None and key in per_if:
            return per_if[key]
    return None


def link_id(a: Endpoint, b: Endpoint) -> str:
    """Readable, stable id of a link: ``dev:port--dev:port`` (a-end first)."""
    return f"{a.device}:{a.port or '?'}--{b.device}:{b.port or '?'}"


def build_topology(devices: Iterable[DeviceInfo | Mapping[str, Any]],
                   state: Mapping[str, Mapping[str, Any]],
                   planned_links: Iterable[PlannedLink | Mapping[str, Any]] = (), *,
                   rates: Mapping[str, Mapping[Any, Mapping[str, float]]] | None = None,
                   reachability: Mapping[str, Any] | None = None,
                   roots: Iterable[str] | None = None,
                   use_subnets: bool = True) -> nx.MultiGraph:
    """Build the topology graph (see the module docstring for its attributes).

    Args:
        devices: inventory devices.
        state: latest state per device (``facts``, ``interfaces``, ``addresses``,
            ``lldp_neighbors``).
        planned_links: the plan; empty means "report everything as unexpected".
        rates: ``{device: {ifIndex or ifName: {"in_bps": x, "out_bps": y}}}``, e.g. from
            :func:`rates_from_samples`; utilisation is left None without it.
        reachability: ``{device: True/False/None or a probe dict}``; when given, node ``state``
            is the root-cause verdict (``up``/``down``/``parent_down``/``unknown``).
        roots: devices nearest the poller (default: the top-level routers, see
            :func:`default_roots`).
        use_subnets: add IP-MIB /30 and /31 adjacency for ports without LLDP.

    Returns:
        The graph; ``graph.graph`` holds ``roots`` and a ``summary`` of reconciliation counts.
    """
    views = build_views(devices, state)
    plans = [p if isinstance(p, PlannedLink) else PlannedLink.from_mapping(p) for p in planned_links]
    graph = nx.MultiGraph()
    for name, view in views.items():
        info = view.info
        graph.add_node(name, name=name, role=info.role, site=info.site, site_name=info.site_name,
                       county=info.county, county_name=info.county_name, level=info.level,
                       vendor=info.vendor, platform=info.platform, address=info.address,
                       managed=True, has_state=view.has_state,
                       sys_name=view.facts.get("sysName"), state="unknown")
    records = reconcile(discover_links(views, use_subnets=use_subnets), plans, views)
    summary: dict[str, int] = defaultdict(int)
    for rec in records:
        link: DiscoveredLink = rec["link"]
        plan: PlannedLink | None = rec["plan"]
        a, b = link.a, link.b
        if not link.managed and b.device not in graph:
            graph.add_node(b.device, name=link.remote.get("sysname") or b.device, role="unknown",
                           site=None, site_name=None, county=None, county_name=None, level=None,
                           vendor=None, platform=None, address=link.remote.get("mgmt_address"),
                           managed=False, has_state=False, sys_name=link.remote.get("sysname"),
                           state="unknown", lldp=link.remote)
        for ep in (a, b):
            if ep.device not in graph:  # a planned device missing from the inventory view
                graph.add_node(ep.device, name=ep.device, role="unknown", managed=False,
                               has_state=False, state="unknown", level=None, site=None,
                               county=None)
        va, vb = views.get(a.device), views.get(b.device)
        a_oper = va.oper_status(a.ifindex) if va else None
        b_oper = vb.oper_status(b.ifindex) if vb else None
        admin_down = any(v is not None and v.admin_status(ep.ifindex) == "down"
                         for v, ep in ((va, a), (vb, b)))
        speeds = [s for s in ((va.speed_bps(a.ifindex) if va else None),
                              (vb.speed_bps(b.ifindex) if vb else None)) if s]
        speed = min(speeds) if speeds else (plan.bandwidth_mbps * 1_000_000
                                            if plan and plan.bandwidth_mbps else None)
        util, in_bps, out_bps = _utilisation(rates, a, b, speed)
        tier = plan.tier if plan and plan.tier else _tier(graph, a.device, b.device)
        key = link_id(a, b)
        graph.add_edge(
            a.device, b.device, key=key, id=key,
            a_device=a.device, a_port=a.port, a_ifindex=a.ifindex,
            b_device=b.device, b_port=b.port, b_ifindex=b.ifindex,
            state=link_state(a_oper, b_oper), a_oper=a_oper, b_oper=b_oper, admin_down=admin_down,
            speed_bps=speed, utilisation_percent=util, in_bps=in_bps, out_bps=out_bps, tier=tier,
            planned=plan is not None, discovered=rec["discovered"],
            reconciliation=rec["reconciliation"], sources=sorted(link.sources),
            confirmed=link.confirmed, matched_by=list(link.matched_by),
            planned_a_port=plan.a_interface if plan else None,
            planned_b_port=plan.b_interface if plan else None,
            managed=link.managed)
        summary[rec["reconciliation"]] += 1
    root_list = list(roots) if roots is not None else default_roots(graph)
    graph.graph["roots"] = root_list
    graph.graph["summary"] = dict(summary)
    assign_parents(graph, root_list)
    if reachability is not None:
        from nms.topology.rootcause import apply_root_cause, root_cause

        for device, value in reachability.items():
            if device in graph and isinstance(value, Mapping):
                for key in ("loss_percent", "rtt_avg_ms"):
                    if key in value:
                        graph.nodes[device][key] = value[key]
        apply_root_cause(graph, root_cause(graph, reachability, roots=root_list))
    return graph


def _tier(graph: nx.MultiGraph, a: str, b: str) -> str | None:
    la, lb = graph.nodes[a].get("level"), graph.nodes[b].get("level")
    if la is None or lb is None:
        return None
    pair = tuple(sorted((la, lb), key=level_rank))
    return TIER_BY_LEVELS.get(pair)  # type: ignore[arg-type]


def _utilisation(rates: Mapping[str, Mapping[Any, Mapping[str, float]]] | None, a: Endpoint,
                 b: Endpoint, speed: int | None
                 ) -> tuple[float | None, float | None, float | None]:
    """(utilisation %, in_bps, out_bps) seen from the a-end.

    Utilisation is the busier direction over the *link* speed (the slower end: a 1G port
    facing a 100M one carries at most 100M), taken from whichever end has samples.
    """
    if not rates:
        return None, None, None
    busiest: float | None = None
    in_bps = out_bps = None
    for ep, is_a in ((a, True), (b, False)):
        r = _rate(rates, ep)
        if r is None:
            continue
        rx, tx = r.get("in_bps"), r.get("out_bps")
        if is_a:
            in_bps, out_bps = rx, tx
        elif in_bps is None and out_bps is None:  # only the far end is sampled: its out is our in
            in_bps, out_bps = tx, rx
        if rx is not None or tx is not None:
            peak = max(rx or 0.0, tx or 0.0)
            busiest = peak if busiest is None else max(busiest, peak)
    util = round(busiest * 100.0 / speed, 2) if busiest is not None and speed else None
    return util, in_bps, out_bps


def default_roots(graph: nx.MultiGraph) -> list[str]:
    """The devices nearest the poller: managed routers at the topmost site level present.

    Falls back to every managed device at that level, then to the best-connected device.
    """
    managed = [n for n, d in graph.nodes(data=True) if d.get("managed")]
    if not managed:
        return []
    top = min(level_rank(graph.nodes[n].get("level")) for n in managed)
    at_top = [n for n in managed if level_rank(graph.nodes[n].get("level")) == top]
    routers = [n for n in at_top if graph.nodes[n].get("role") == "router"]
    chosen = routers or at_top
    if top == level_rank(None):  # no levels at all: the best-connected device
        chosen = [max(managed, key=lambda n: (graph.degree(n), n))]
    return sorted(chosen)


def assign_parents(graph: nx.MultiGraph, roots: Iterable[str]) -> None:
    """Set each node's ``parent`` (next device towards the roots) and ``parent_via``.

    ``parent_via`` is ``link`` when the parent is a neighbour in the graph, ``site`` when the
    device has no links and hangs off its site's router (servers and firewalls without LLDP
    or a /30), and None for roots and orphans. Ties between equally near parents go to the
    higher site level, then the name, so the tree is stable from poll to poll.
    """
    roots = [r for r in roots if r in graph]
    dist: dict[str, int] = {r: 0 for r in roots}
    queue = deque(sorted(roots))
    while queue:
        node = queue.popleft()
        for nb in sorted(graph.neighbors(node)):
            if nb not in dist:
                dist[nb] = dist[node] + 1
                queue.append(nb)
    for node in graph.nodes:
        graph.nodes[node]["parent"] = None
        graph.nodes[node]["parent_via"] = None
        graph.nodes[node]["depth"] = dist.get(node)
    for node, d in dist.items():
        if d == 0:
            continue
        ups = [nb for nb in graph.neighbors(node) if dist.get(nb) == d - 1]
        parent = min(ups, key=lambda n: (level_rank(graph.nodes[n].get("level")), n))
        graph.nodes[node]["parent"] = parent
        graph.nodes[node]["parent_via"] = "link"
    # devices with no path: attach to a router of their site, else of their county
    routers_at: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data.get("role") == "router" and data.get("site") and node in dist:
            routers_at[data["site"]].append(node)
    for node, data in graph.nodes(data=True):
        if node in dist or not data.get("managed"):
            continue
        for site in (data.get("site"), data.get("county")):
            candidates = sorted(r for r in routers_at.get(site or "", []) if r != node)
            if candidates:
                graph.nodes[node]["parent"] = candidates[0]
                graph.nodes[node]["parent_via"] = "site"
                break
        else:
            if roots and node not in roots and data.get("level") is not None:
                graph.nodes[node]["parent"] = sorted(roots)[0]
                graph.nodes[node]["parent_via"] = "site"


# ------------------------------------------------------------------------------ rates
def rates_from_samples(samples: Iterable[Any]) -> dict[str, dict[Any, dict[str, float]]]:
    """Interface bit rates from the last two ``interface`` samples per (device, ifIndex).

    Accepts ``nms.models.Sample`` objects or dicts with ``measurement``, ``tags``, ``fields``,
    ``time``. Counters are raw (style.md 2.3); :func:`nms.rates.counter_rate` turns them into
    rates, so a 32-bit wrap is handled and a reset or an implausible jump (faster than
    ``speed_bps``) gives no rate rather than a wrong one.

    Returns:
        ``{device: {ifindex (int) and ifname: {"in_bps", "out_bps"}}}``.
    """
    series: dict[tuple[str, str], list[tuple[datetime, Mapping[str, Any], Mapping[str, str]]]] = (
        defaultdict(list))
    for s in samples:
        if isinstance(s, Mapping):
            measurement, tags, fields, when = s.get("measurement"), s["tags"], s["fields"], s["time"]
        else:
            measurement, tags, fields, when = s.measurement, s.tags, s.fields, s.time
        if measurement != "interface":
            continue
        ifindex = tags.get("ifindex") or tags.get("ifIndex") or tags.get("ifname")
        if not tags.get("device") or ifindex is None:
            continue
        series[(tags["device"], str(ifindex))].append((when, fields, tags))
    out: dict[str, dict[Any, dict[str, float]]] = defaultdict(dict)
    for (device, ifindex), points in series.items():
        if len(points) < 2:
            continue
        points.sort(key=lambda p: p[0])
        (t0, f0, _), (t1, f1, tags) = points[-2], points[-1]
        bits = 32 if f1.get("counter_bits") == 32 else 64
        speed = f1.get("speed_bps")
        max_rate = speed / 8.0 if isinstance(speed, int | float) and speed > 0 else None
        rate: dict[str, float] = {}
        for name, key in (("in_octets", "in_bps"), ("out_octets", "out_bps")):
            a, b = f0.get(name), f1.get(name)
            if not isinstance(a, int) or not isinstance(b, int):
                continue
            per_s = counter_rate(Reading(a, t0), Reading(b, t1), bits=bits, max_rate=max_rate)
            if per_s is not None:
                rate[key] = per_s * 8.0
        if rate:
            key_idx: Any = int(ifindex) if ifindex.isdigit() else ifindex
            out[device][key_idx] = rate
            if tags.get("ifname"):
                out[device][tags["ifname"]] = rate
    return dict(out)
