"""The console's topology: one ``nms.topology`` graph of the whole network, cached, cut per scope.

Inputs (:func:`load_inputs`):

* the inventory -- devices with their site, the site's level and county, the planned links and
  the sites -- read as plain columns (5,000 devices in tens of milliseconds; ORM objects, as
  ``nms.topology.store.load_inventory`` reads them for the CLI, cost seconds);
* the latest collected state (``nms.state.load_state``): interfaces with ifOperStatus,
  addresses, LLDP neighbours;
* recent samples from the sink (``web.timeseries``): ``probe`` results and ``poll_status`` give
  reachability -- a probe wins where both exist, because it travels in-band through the links
  as root cause assumes, while SNMP may come out-of-band -- and ``interface`` counters give rates.

``nms.topology.build_topology`` discovers links (LLDP, /30-/31 subnets), reconciles them with the
plan (``ok``, ``wrong_port``, ``missing``, ``unexpected``), takes link state from both ends'
ifOperStatus and utilisation from the rates; its root cause gives each device ``up``, ``down``,
``parent_down`` (unreachable because something upstream is down, naming the root cause) or
``unknown``. ``nms.topology.to_json`` is the contract the rows here are cut from.

Output: :meth:`TopologyCache.view` -- the map of one region scope: nodes placed by
``web.layout`` (the site hierarchy), links whose two ends are both visible, the worst open alarm
per device -- serialised once per (scope, graph generation, alarms), with an ETag, and gzipped
once for clients that accept it. A device outside the caller's scope is never named: a county
user whose county router is cut off sees "its uplink, outside your region, is down".
:meth:`TopologyCache.device` gives one device's verdict and discovered neighbours.

Caching, and why: building the graph of 5,000 devices takes seconds of CPU (discovery and
reconciliation over every LLDP row), and every open console asks for the map. One graph per
process is kept:

* the *state version* -- row counts and newest change of the inventory tables and of
  ``device_state`` -- is read at most every ``version_check_s``;
* the graph is rebuilt when it is older than ``ttl_s`` (samples age), or when the state version
  changed and the graph is at least ``min_rebuild_s`` old (pollers write state all the time;
  rebuilding on every write would never stop). The rebuild runs in a background thread while
  the previous graph is served;
* a request waits for a build only when there is no graph yet or the inventory itself changed
  (an import: new devices must appear at once); requests arriving meanwhile wait for the same
  build (single flight).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from inventory.models import Device, Interface, Link, Site
from nms.state import DeviceStateRow, load_state
from web.layout import SiteNode, device_positions, site_positions
from web.scope import Scope

log = logging.getLogger(__name__)

#: seconds a graph is served before it is rebuilt from fresh samples
TTL_S = 30.0
#: at most one rebuild this often because collected state changed
MIN_REBUILD_S = 5.0
#: the stores' state version is read at most this often
VERSION_CHECK_S = 2.0
#: the worst open alarm per device is read at most this often
ALARMS_TTL_S = 5.0
#: serialised views kept (one per scope and graph generation)
MAX_VIEWS = 32
#: ``interface`` samples further back than this many longest polling intervals are not read
RATE_WINDOW_POLLS = 2.5

NODE_KEYS = ("id", "name", "role", "vendor", "address", "site", "site_name", "level", "managed",
             "state", "parent", "root_cause", "blocked_by", "down_link", "reason", "reason_zh",
             "loss_percent", "rtt_avg_ms")
#: ``to_json`` link keys renamed to the API's names (``a_port`` is the interface name)
LINK_KEYS = {"id": "id", "source": "source", "target": "target", "a_port": "a_interface",
             "b_port": "b_interface", "state": "state", "tier": "tier",
             "speed_bps": "speed_bps", "utilisation_percent": "utilisation_percent",
             "in_bps": "in_bps", "out_bps": "out_bps", "reconciliation": "reconciliation",
             "planned_a_port": "planned_a_interface", "planned_b_port": "planned_b_interface",
             "sources": "sources", "confirmed": "confirmed", "a_oper": "a_oper",
             "b_oper": "b_oper"}
RECONCILIATIONS = ("ok", "wrong_port", "missing", "unexpected")
#: distance of an unmanaged LLDP neighbour from the device that sees it, on the map
NEIGHBOUR_GAP = 110.0

#: (English, Chinese) reasons when the cause lies outside the caller's region
HIDDEN_REASONS = {
    "parent_down": ("unreachable because a device upstream, outside your region, is down",
                    "上游设备（不在您的管辖范围内）故障导致不可达"),
    "down": ("unreachable: its uplink, outside your region, is down",
             "设备不可达：上联链路（不在您的管辖范围内）中断"),
}


# ------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class SiteRow:
    """A site as plain data."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


@dataclass
class Inputs:
    """Everything ``build_topology`` needs, plus the sites for layout and scope."""

    devices: list[Any] = field(default_factory=list)  # nms.topology.DeviceInfo
    links: list[dict[str, Any]] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    site_of: dict[str, int] = field(default_factory=dict)  # device name -> site id
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    reachability: dict[str, Any] = field(default_factory=dict)
    rates: dict[str, Any] = field(default_factory=dict)


def planned_link_rows(session: Session, scope: Scope | None = None) -> list[Any]:
    """Planned links (both ends in ``scope``) as plain rows, in one query without ORM objects.

    Columns: ``tier``, ``bandwidth_mbps``, ``a_device``, ``a_interface``, ``b_device``,
    ``b_interface`` (thousands of them; objects would cost ten times more).
    """
    from sqlalchemy.orm import aliased

    a_if, a_dev, b_if, b_dev = aliased(Interface), aliased(Device), aliased(Interface), aliased(Device)
    stmt = (select(Link.tier, Link.bandwidth_mbps, a_dev.name.label("a_device"),
                   a_if.name.label("a_interface"), b_dev.name.label("b_device"),
                   b_if.name.label("b_interface"))
            .join(a_if, Link.a_interface_id == a_if.id).join(a_dev, a_if.device_id == a_dev.id)
            .join(b_if, Link.b_interface_id == b_if.id).join(b_dev, b_if.device_id == b_dev.id)
            .order_by(Link.id))
    if scope is not None and scope.site_ids is not None:  # both ends must be visible
        stmt = stmt.where(a_dev.site_id.in_(scope.site_ids), b_dev.site_id.in_(scope.site_ids))
    return list(session.execute(stmt))


def load_inventory(session: Session, inputs: Inputs) -> None:
    """Devices (with site level and county), planned links and sites, into ``inputs``."""
    from nms.topology import DeviceInfo

    sites = [SiteRow(*row) for row in session.execute(
        select(Site.id, Site.code, Site.name, Site.level, Site.parent_id))]
    by_id = {s.id: s for s in sites}

    def county_of(site: SiteRow) -> SiteRow | None:
        node: SiteRow | None = site
        seen: set[int] = set()
        while node is not None and node.level != "county" and node.id not in seen:
            seen.add(node.id)
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
        return node if node is not None and node.level == "county" else None

    counties = {s.id: county_of(s) for s in sites}
    for name, address, role, vendor, platform, site_id in session.execute(
            select(Device.name, Device.address, Device.role, Device.vendor, Device.platform,
                   Device.site_id).order_by(Device.name)):
        site, county = by_id.get(site_id), counties.get(site_id)
        inputs.devices.append(DeviceInfo(
            name=name, address=address, role=role, vendor=vendor, platform=platform,
            site=site.code if site else None, site_name=site.name if site else None,
            level=site.level if site else None, county=county.code if county else None,
            county_name=county.name if county else None))
        inputs.site_of[name] = site_id
    inputs.links = [row._asdict() for row in planned_link_rows(session)]
    inputs.sites = sites


def reachability(timeseries: Any) -> dict[str, Any]:
    """Per device: the latest probe result (a dict with ``loss_percent``), else the latest
    ``poll_status.reachable`` (a bool); devices with neither are absent (unknown)."""
    from nms.topology import reachability_from_samples

    config = timeseries.config
    merged: dict[str, Any] = dict(timeseries.reachability())
    probes = timeseries.recent("probe", None, 3 * max(config.polling.probe_interval_s, 60))
    merged.update(reachability_from_samples(probes))
    return merged


def rates(timeseries: Any) -> dict[str, Any]:
    """Interface bit rates from the last two ``interface`` samples of each port."""
    from nms.topology import rates_from_samples

    longest = max(timeseries.config.polling.intervals_s.values(), default=300)
    samples = timeseries.recent("interface", ["in_octets", "out_octets", "counter_bits",
                                              "speed_bps"], RATE_WINDOW_POLLS * longest)
    return rates_from_samples(samples)


def load_inputs(engine: Engine, timeseries: Any) -> Inputs:
    """Read the inventory, the collected state and the recent samples."""
    from nms.db import session_scope

    inputs = Inputs()
    with session_scope(engine) as session:
        load_inventory(session, inputs)
    inputs.state = load_state(engine)
    inputs.reachability = reachability(timeseries)
    inputs.rates = rates(timeseries)
    return inputs


def state_version(engine: Engine) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(inventory version, collected-state version): counts and newest changes, one query.

    Any import, edit or deletion of devices, interfaces, links or sites changes the first; any
    collected state written changes the second.
    """
    columns = [
        select(func.count(), func.max(Device.updated)).select_from(Device),
        select(func.count(), func.max(Interface.id)).select_from(Interface),
        select(func.count(), func.max(Link.id)).select_from(Link),
        select(func.count(), func.max(Site.id)).select_from(Site),
        select(func.count(), func.max(DeviceStateRow.collected)).select_from(DeviceStateRow),
    ]
    values: list[Any] = []
    with engine.connect() as conn:
        for stmt in columns:
            values.extend(conn.execute(stmt).one())
    return tuple(str(v) for v in values[:8]), tuple(str(v) for v in values[8:])


# ------------------------------------------------------------------------------ the graph
@dataclass
class Built:
    """One build of the whole network's graph, as rows ready to cut per scope."""

    generation: int
    version: tuple[Any, ...]
    built_at: float  # time.monotonic()
    seconds: float
    nodes: dict[str, dict[str, Any]]  # id -> node row (NODE_KEYS)
    links: list[dict[str, Any]]  # link rows (LINK_KEYS values + planned, bandwidth_mbps)
    sites: list[SiteRow]
    site_of: dict[str, int]
    roots: list[str]
    incident: dict[str, list[int]] = field(default_factory=dict)  # device -> link row indexes


def device_states(built: Built) -> dict[str, str]:
    """Root-cause state of every managed device by name (up / down / parent_down / unknown)."""
    return {row["name"]: row["state"] for row in built.nodes.values() if row.get("managed")}


def build(inputs: Inputs, generation: int = 1, version: tuple[Any, ...] = ()) -> Built:
    """Build the graph with ``nms.topology`` and cut it into the console's rows.

    ``root_cause`` is called here rather than through ``build_topology(reachability=...)``
    (which does the same) because its verdicts also carry the reason in Chinese.
    """
    from nms.topology import apply_root_cause, build_topology, root_cause, to_json

    t0 = time.perf_counter()
    graph = build_topology(inputs.devices, inputs.state, inputs.links,
                           rates=inputs.rates or None)
    for device, value in inputs.reachability.items():
        if device in graph and isinstance(value, Mapping):
            for key in ("loss_percent", "rtt_avg_ms"):
                if key in value:
                    graph.nodes[device][key] = value[key]
    verdicts = root_cause(graph, inputs.reachability)
    apply_root_cause(graph, verdicts)
    data = to_json(graph)
    bandwidth = {(lk["a_device"], lk["a_interface"], lk["b_device"], lk["b_interface"]):
                 lk["bandwidth_mbps"] for lk in inputs.links}
    nodes: dict[str, dict[str, Any]] = {}
    for entry in data["nodes"]:
        row = {key: entry.get(key) for key in NODE_KEYS}
        row["down_link"] = graph.nodes[entry["id"]].get("down_link")
        verdict = verdicts.get(entry["id"])
        row["reason_zh"] = verdict.reason_zh if verdict is not None else ""
        nodes[row["id"]] = row
    links: list[dict[str, Any]] = []
    incident: dict[str, list[int]] = defaultdict(list)
    for entry in data["links"]:
        row = {name: entry.get(key) for key, name in LINK_KEYS.items()}
        row["planned"] = entry.get("planned")
        plan_key = (row["source"], row["planned_a_interface"], row["target"],
                    row["planned_b_interface"])
        row["bandwidth_mbps"] = bandwidth.get(plan_key) if entry.get("planned") else None
        incident[row["source"]].append(len(links))
        incident[row["target"]].append(len(links))
        links.append(row)
    seconds = time.perf_counter() - t0
    return Built(generation, version, time.monotonic(), seconds, nodes, links, inputs.sites,
                 inputs.site_of, list(data["roots"]), dict(incident))


# ------------------------------------------------------------------------------ scoped views
@dataclass
class View:
    """One scope's map, serialised: the bytes, their ETag, and the gzip of them (made once)."""

    body: bytes
    etag: str
    gzipped: bytes | None = None

    def gzip(self) -> bytes:
        """The body gzipped (computed on first use, then kept)."""
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, compresslevel=5, mtime=0)
        return self.gzipped


def _visible_nodes(built: Built, scope: Scope) -> set[str]:
    """Ids of the nodes a scope sees: devices of its sites, and LLDP neighbours outside the
    inventory that one of those devices sees."""
    if scope.site_ids is None:
        return set(built.nodes)
    visible = {name for name, site_id in built.site_of.items() if site_id in scope.site_ids}
    for link in built.links:
        for here, there in ((link["source"], link["target"]), (link["target"], link["source"])):
            if here in visible and there not in built.site_of and there in built.nodes:
                visible.add(there)
    return visible


def _node_view(row: dict[str, Any], visible: set[str], links_by_id: Mapping[str, Any]
               ) -> dict[str, Any]:
    """A node row with every device outside ``visible`` removed from it."""
    out = dict(row)
    hidden = False
    if out["parent"] is not None and out["parent"] not in visible:
        out["parent"] = None
    for key in ("root_cause", "blocked_by"):
        if out[key] is not None and out[key] not in visible:
            out[key] = None
            hidden = True
    link = links_by_id.get(out["down_link"]) if out["down_link"] else None
    if out["down_link"] and (link is None or link["source"] not in visible
                             or link["target"] not in visible):
        out["down_link"] = None
        hidden = True
    if hidden:
        out["reason"], out["reason_zh"] = HIDDEN_REASONS.get(out["state"], ("", ""))
    out["cause_outside_scope"] = hidden
    return out


def scoped_view(built: Built, scope: Scope, alarms: Mapping[str, str]) -> dict[str, Any]:
    """The map of ``scope``: placed nodes, links with both ends visible, sites, summary.

    Returns:
        ``{"nodes": [...], "links": [...], "sites": [{"code", "name", "level", "x", "y"}],
        "roots": [...], "summary": {...}}`` -- see docs/web.md for the keys.
    """
    visible = _visible_nodes(built, scope)
    sites = [s for s in built.sites if scope.allows(s.id)]
    pos = site_positions([SiteNode(s.id, s.parent_id, s.code) for s in sites])
    links_by_id = {lk["id"]: lk for lk in built.links}
    per_site: dict[int, list[str]] = defaultdict(list)
    for name in sorted(visible):
        site_id = built.site_of.get(name)
        if site_id is not None and site_id in pos:
            per_site[site_id].append(name)
    placed: dict[str, tuple[float, float]] = {}
    for site_id, names in per_site.items():
        for name, xy in zip(names, device_positions(pos[site_id], len(names)), strict=True):
            placed[name] = xy
    links = [lk for lk in built.links if lk["source"] in visible and lk["target"] in visible]
    # LLDP neighbours outside the inventory: a little further out than the device seeing them
    seen_by: dict[str, list[str]] = defaultdict(list)
    for link in links:
        for here, there in ((link["source"], link["target"]), (link["target"], link["source"])):
            if there not in placed and here in placed and there not in built.site_of:
                seen_by[there].append(here)
    offsets: Counter[str] = Counter()
    for name in sorted(seen_by):
        anchor = sorted(seen_by[name])[0]
        ax, ay = placed[anchor]
        offsets[anchor] += 1
        dist = (ax * ax + ay * ay) ** 0.5
        step = NEIGHBOUR_GAP * offsets[anchor]
        placed[name] = ((ax + ax / dist * step, ay + ay / dist * step) if dist >= 1.0
                        else (ax, ay + step))  # the centre site: below it
    nodes = []
    for name in sorted(visible):
        if name not in placed:  # a device of a site outside the layout (cannot happen) or orphan
            continue
        row = _node_view(built.nodes[name], visible, links_by_id)
        row["x"], row["y"] = round(placed[name][0], 1), round(placed[name][1], 1)
        row["alarm"] = alarms.get(name)
        nodes.append(row)
    managed = [n for n in nodes if n["managed"]]
    summary = {"devices": len(managed), "unmanaged_neighbours": len(nodes) - len(managed),
               "links": len(links),
               "device_states": dict(sorted(Counter(n["state"] for n in managed).items())),
               "link_states": dict(sorted(Counter(lk["state"] for lk in links).items())),
               **{k: sum(1 for lk in links if lk["reconciliation"] == k) for k in RECONCILIATIONS}}
    return {
        "nodes": nodes, "links": links,
        "sites": [{"code": s.code, "name": s.name, "level": s.level,
                   "x": round(pos[s.id][0], 1), "y": round(pos[s.id][1], 1)} for s in sites],
        "roots": [r for r in built.roots if r in visible],
        "summary": summary,
    }


def device_view(built: Built, scope: Scope, name: str) -> dict[str, Any] | None:
    """One device's verdict and its discovered neighbours, as the device page shows them.

    Returns:
        None when the graph does not know the device; else ``{"state", "parent",
        "root_cause", "blocked_by", "down_link", "reason", "reason_zh", "cause_outside_scope",
        "neighbours": [{"interface", "peer", "peer_interface", "peer_managed",
        "peer_visible", "state", "reconciliation", "planned_interface",
        "planned_peer_interface", "sources", "speed_bps", "utilisation_percent", "oper",
        "peer_oper", "confirmed", "link"}]}``. A peer outside ``scope`` is not named
        (``peer`` and ``link`` None, ``peer_visible`` false).
    """
    row = built.nodes.get(name)
    if row is None:
        return None
    visible = _visible_nodes(built, scope)
    links_by_id = {lk["id"]: lk for lk in built.links}
    out = _node_view(row, visible | {name}, links_by_id)
    neighbours = []
    for index in built.incident.get(name, []):
        link = built.links[index]
        local = link["source"] == name
        peer = link["target"] if local else link["source"]
        side, other = ("a", "b") if local else ("b", "a")
        shown = peer in visible
        neighbours.append({
            "interface": link[f"{side}_interface"],
            "peer": peer if shown else None,
            "peer_interface": link[f"{other}_interface"] if shown else None,
            "peer_managed": bool(built.nodes.get(peer, {}).get("managed")),
            "peer_visible": shown,
            "state": link["state"], "reconciliation": link["reconciliation"],
            "planned_interface": link[f"planned_{side}_interface"],
            "planned_peer_interface": link[f"planned_{other}_interface"] if shown else None,
            "sources": link["sources"], "speed_bps": link["speed_bps"],
            "utilisation_percent": link["utilisation_percent"],
            "oper": link[f"{side}_oper"], "peer_oper": link[f"{other}_oper"],
            "confirmed": link["confirmed"], "link": link["id"] if shown else None,
        })
    neighbours.sort(key=lambda n: (n["interface"] or n["planned_interface"] or "",
                                   n["peer"] or ""))
    out["neighbours"] = neighbours
    return out


def encode(data: Any) -> View:
    """Serialise ``data`` (compact JSON, Chinese kept readable) with a strong ETag."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return View(body, hashlib.blake2b(body, digest_size=16).hexdigest())


# ------------------------------------------------------------------------------ the cache
class TopologyCache:
    """The whole network's graph, rebuilt as the module docstring says, and views of it.

    Args:
        ttl_s: a graph older than this is rebuilt (in the background).
        min_rebuild_s: a changed state version rebuilds a graph at least this old.
        version_check_s: the state version is read at most this often.
        alarms_ttl_s: the worst open alarm per device is read at most this often.
        background: rebuild in a thread while serving the old graph (False: the request
            that finds the graph due rebuilds it, as the tests need).
    """

    def __init__(self, *, ttl_s: float = TTL_S, min_rebuild_s: float = MIN_REBUILD_S,
                 version_check_s: float = VERSION_CHECK_S, alarms_ttl_s: float = ALARMS_TTL_S,
                 background: bool = True) -> None:
        self.ttl_s = ttl_s
        self.min_rebuild_s = min_rebuild_s
        self.version_check_s = version_check_s
        self.alarms_ttl_s = alarms_ttl_s
        self.background = background
        self._lock = threading.Lock()  # guards the fields below
        self._build_lock = threading.Lock()  # one build at a time
        self._built: Built | None = None
        self._version: tuple[float, Any] | None = None
        self._alarms: tuple[float, dict[str, str], int] | None = None
        self._views: OrderedDict[Any, View] = OrderedDict()
        self._generation = 0
        self._refreshing = False

    @property
    def generation(self) -> int:
        """How many graphs this cache has built (0: none yet)."""
        return self._built.generation if self._built is not None else 0

    def stores_changed(self) -> None:
        """The console itself just wrote to the stores (an import): read the version again at
        the next request instead of trusting the last reading for ``version_check_s``."""
        with self._lock:
            self._version = None

    def invalidate(self) -> None:
        """Forget everything: the next request reads the stores and builds again."""
        with self._lock:
            self._built, self._version, self._alarms = None, None, None
            self._views.clear()

    # -- the graph
    def _current_version(self, engine: Engine) -> Any:
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._version[0] < self.version_check_s:
                return self._version[1]
        version = state_version(engine)
        with self._lock:
            self._version = (now, version)
        return version

    def graph(self, engine: Engine, timeseries: Any) -> Built:
        """The current graph: built now if there is none or the inventory changed, else the
        cached one (a due rebuild started in the background)."""
        version = self._current_version(engine)
        built = self._built
        if built is None or built.version[0] != version[0]:
            return self._build(engine, timeseries, version)
        age = time.monotonic() - built.built_at
        due = age >= self.ttl_s or (built.version != version and age >= self.min_rebuild_s)
        if due:
            if not self.background:
                return self._build(engine, timeseries, version)
            with self._lock:
                start = not self._refreshing
                self._refreshing = True
            if start:
                threading.Thread(target=self._refresh, args=(engine, timeseries, version),
                                 name="nms-topology-build", daemon=True).start()
        return built

    def _refresh(self, engine: Engine, timeseries: Any, version: Any) -> None:
        try:
            self._build(engine, timeseries, version)
        except Exception:  # noqa: BLE001 - the old graph stays; the next due request retries
            log.exception("topology: background rebuild failed")
        finally:
            with self._lock:
                self._refreshing = False

    def _build(self, engine: Engine, timeseries: Any, version: Any) -> Built:
        with self._build_lock:
            current = self._built
            if (current is not None and current.version == version
                    and time.monotonic() - current.built_at < min(self.min_rebuild_s, self.ttl_s)):
                return current  # built by the thread we waited for
            t0 = time.perf_counter()
            inputs = load_inputs(engine, timeseries)
            read_s = time.perf_counter() - t0
            with self._lock:
                self._generation += 1
                generation = self._generation
            built = build(inputs, generation, version)
            log.info("topology: %d devices, %d links read in %.2f s, built in %.2f s "
                     "(generation %d)", len(inputs.devices), len(built.links), read_s,
                     built.seconds, generation)
            with self._lock:
                self._built = built
                for key in [k for k in self._views if k[1] != generation]:
                    del self._views[key]
            return built

    # -- alarms
    def worst_alarms(self, read: Callable[[], dict[str, str]]) -> tuple[dict[str, str], int]:
        """Worst open alarm per device (``read()``, reused for ``alarms_ttl_s``) and a digest."""
        now = time.monotonic()
        with self._lock:
            cached = self._alarms
        if cached is not None and now - cached[0] < self.alarms_ttl_s:
            return cached[1], cached[2]
        worst = read()
        digest = hash(frozenset(worst.items()))
        with self._lock:
            self._alarms = (now, worst, digest)
        return worst, digest

    # -- views
    def view(self, engine: Engine, timeseries: Any, scope: Scope,
             alarms: Callable[[], dict[str, str]]) -> View:
        """The serialised map of ``scope`` (built, or taken from the cache)."""
        built = self.graph(engine, timeseries)
        worst, digest = self.worst_alarms(alarms)
        key = (scope.site_ids, built.generation, digest)
        with self._lock:
            cached = self._views.get(key)
            if cached is not None:
                self._views.move_to_end(key)
                return cached
        view = encode(scoped_view(built, scope, worst))
        with self._lock:
            self._views[key] = view
            while len(self._views) > MAX_VIEWS:
                self._views.popitem(last=False)
        return view

    def device(self, engine: Engine, timeseries: Any, scope: Scope, name: str
               ) -> dict[str, Any] | None:
        """One device's verdict and discovered neighbours (see :func:`device_view`)."""
        return device_view(self.graph(engine, timeseries), scope, name)
