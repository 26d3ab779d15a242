"""Loaders for the reports: inventory, state timelines from the sink, windows and statistics.

Why separate from ``availability``: the arithmetic is pure and exact; everything that touches a
database, a sink or another engineer's module lives here, behind small plain dataclasses, so the
report can be assembled from constructed data in tests and from the real stores in production.

Inputs:
  * the inventory (``config.database_url``): sites, devices, planned links;
  * the time-series sink (``nms.sink.open_sink``; core never imports ``collectors``):
    ``poll_status`` samples (tags ``device``, ``collector``; fields ``status``, ``reachable``)
    and ``interface`` samples (tags ``device``, ``ifname``; field ``oper_status``);
  * approved maintenance windows and alarm statistics from ``nms.alarms`` and baseline-audit
    status from ``nms.audit`` -- when those modules exist. Missing ones give ``None`` and the
    report says "not available" instead of failing.

Reading scale: a month of 1-minute polls is 43,200 points per device. ``load_poll_timelines``
reads devices in chunks and folds each chunk's points into run-length timelines at once, so
memory holds one chunk of raw points, never the month of the whole network.
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nms.reports.availability import (
    UP,
    Interval,
    Segment,
    Timeline,
    build_timeline,
    merge_timelines,
    oper_state,
    poll_state,
)

if TYPE_CHECKING:
    from nms.config import Config
    from nms.sink import Sink

log = logging.getLogger(__name__)

__all__ = [
    "AlarmStats", "AuditStatus", "DeviceInfo", "Inventory", "LinkInfo", "MaintenanceWindow",
    "SiteInfo", "load_alarm_stats", "load_audit_status", "load_inventory",
    "load_link_timelines", "load_maintenance", "load_poll_timelines",
]

LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}
DEFAULT_INTERVAL_S = 300
#: devices per sink query: bounds the raw points held at once (200 x 43,200 = 8.6 M for a month)
CHUNK_DEVICES = 200


def _from_us(us: int) -> datetime:
    from nms.sink import from_us

    return from_us(us)


def _to_us(t: datetime) -> int:
    from nms.sink import to_us

    return to_us(t)


# ---- inventory ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """A site of the hierarchy: ``level`` is province, city, county or township."""

    code: str
    name: str
    level: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A device with its place in the hierarchy and its availability tier.

    ``tier`` picks the SLA target (``thresholds.availability_target_percent``): township for
    devices at a township site, county at a county site, core above.
    """

    name: str
    role: str
    site: str
    township: str | None
    county: str | None
    tier: str
    interval_s: int = DEFAULT_INTERVAL_S
    address: str = ""


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """A planned link; ``upper``/``lower`` name the end nearer to / farther from the city."""

    key: str
    a_device: str
    a_ifname: str
    b_device: str
    b_ifname: str
    tier: str
    upper: str
    lower: str

    @property
    def label(self) -> str:
        """``a-dev:if — b-dev:if``."""
        return f"{self.a_device}:{self.a_ifname} — {self.b_device}:{self.b_ifname}"


@dataclass
class Inventory:
    """What the report needs from the inventory, as plain values."""

    sites: dict[str, SiteInfo] = field(default_factory=dict)
    devices: dict[str, DeviceInfo] = field(default_factory=dict)
    links: list[LinkInfo] = field(default_factory=list)
    #: device -> its upstream devices (the ones it cannot be reached without)
    parents: dict[str, list[str]] = field(default_factory=dict)
    parents_source: str = "none"

    def site_chain(self, code: str) -> list[SiteInfo]:
        """The site and its ancestors, nearest first."""
        out = []
        seen = set()
        node = self.sites.get(code)
        while node is not None and node.code not in seen:
            out.append(node)
            seen.add(node.code)
            node = self.sites.get(node.parent) if node.parent else None
        return out

    def in_scope(self, scope_kind: str, scope_value: str) -> list[DeviceInfo]:
        """Devices of a scope: city (all), county:CODE, township:CODE, device:NAME."""
        if scope_kind == "city":
            return sorted(self.devices.values(), key=lambda d: d.name)
        if scope_kind == "device":
            return [self.devices[scope_value]] if scope_value in self.devices else []
        attr = "county" if scope_kind == "county" else "township"
        return sorted((d for d in self.devices.values() if getattr(d, attr) == scope_value),
                      key=lambda d: d.name)


def tier_of(level: str | None) -> str:
    """Availability tier of a site level: township, county, else core (city and above)."""
    if level == "township":
        return "township"
    if level == "county":
        return "county"
    return "core"


def build_inventory(sites: Iterable[SiteInfo], devices: Iterable[tuple[str, str, str, str]],
                    links: Iterable[tuple[str, str, str, str, str]], intervals_s: Mapping[str, int],
                    parents: Mapping[str, list[str]] | None = None) -> Inventory:
    """Assemble an ``Inventory`` from plain rows (the loader and the tests both use this).

    Args:
        sites: every site.
        devices: ``(name, role, site_code, address)``.
        links: ``(a_device, a_ifname, b_device, b_ifname, tier)``.
        intervals_s: poll interval per role (``polling.intervals_s``).
        parents: device -> upstream devices; None derives them from the links (the end at the
            higher site level is the parent of the other).
    """
    inv = Inventory(sites={s.code: s for s in sites})
    for name, role, site, address in devices:
        chain = inv.site_chain(site)
        township = next((s.code for s in chain if s.level == "township"), None)
        county = next((s.code for s in chain if s.level == "county"), None)
        level = chain[0].level if chain else None
        inv.devices[name] = DeviceInfo(name, role, site, township, county, tier_of(level),
                                       int(intervals_s.get(role, DEFAULT_INTERVAL_S)), address)
    derived: dict[str, list[str]] = defaultdict(list)
    for n, (a_dev, a_if, b_dev, b_if, tier) in enumerate(links):
        if a_dev not in inv.devices or b_dev not in inv.devices:
            continue
        a_rank = _rank(inv, a_dev)
        b_rank = _rank(inv, b_dev)
        upper, lower = (a_dev, b_dev) if a_rank <= b_rank else (b_dev, a_dev)
        inv.links.append(LinkInfo(f"L{n + 1}:{a_dev}:{a_if}-{b_dev}:{b_if}", a_dev, a_if, b_dev,
                                  b_if, tier, upper, lower))
        if a_rank != b_rank and upper not in derived[lower]:
            derived[lower].append(upper)
    if parents is not None:
        inv.parents = {k: list(v) for k, v in parents.items()}
        inv.parents_source = "topology"
    else:
        inv.parents = dict(derived)
        inv.parents_source = "links"
    return inv


def _rank(inv: Inventory, device: str) -> int:
    site = inv.sites.get(inv.devices[device].site)
    return LEVEL_RANK.get(site.level, 9) if site else 9


def load_inventory(config: Config) -> Inventory:
    """Read sites, devices and links from the inventory store; parents from nms.topology.

    Raises:
        StoreError: the inventory database cannot be read.
    """
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from inventory.models import Device, Interface, Link, Site
    from nms.db import make_engine, session_scope

    engine = make_engine(config.database_url)
    try:
        with session_scope(engine) as session:
            sites = [SiteInfo(s.code, s.name, s.level, s.parent.code if s.parent else None)
                     for s in session.scalars(select(Site).options(selectinload(Site.parent)))]
            devices = [(d.name, d.role, d.site.code, d.address)
                       for d in session.scalars(select(Device).options(selectinload(Device.site)))]
            links = []
            query = select(Link).options(
                selectinload(Link.a_interface).selectinload(Interface.device),
                selectinload(Link.b_interface).selectinload(Interface.device))
            for link in session.scalars(query):
                links.append((link.a_interface.device.name, link.a_interface.name,
                              link.b_interface.device.name, link.b_interface.name, link.tier))
        state = _device_state(engine)
    finally:
        engine.dispose()
    inv = build_inventory(sites, devices, links, config.polling.intervals_s)
    parents = topology_parents(inv, state)
    if parents is not None:
        inv.parents, inv.parents_source = parents, "topology"
    return inv


def _device_state(engine: Any) -> dict[str, dict[str, Any]]:
    """Latest collected state per device (LLDP neighbours help the topology); {} if none."""
    try:
        from nms.state import load_state

        return load_state(engine)
    except Exception as exc:  # noqa: BLE001 - no state table yet: planned links only
        log.debug("no device state for the topology: %s", exc)
        return {}


def topology_parents(inv: Inventory, state: Mapping[str, Mapping[str, Any]] | None = None
                     ) -> dict[str, list[str]] | None:
    """Each device's upstream device from issue 5's topology (``nms.topology``).

    Why the topology and not only the planned links: it also places devices that have no link
    of their own (a township's firewall or server hangs off the site's router) and uses LLDP
    where the plan is incomplete. Returns None when the topology cannot be built; the caller
    keeps the parents derived from the links.
    """
    try:
        from nms.topology import build_topology
    except ImportError:
        return None
    rows = []
    for d in inv.devices.values():
        site = inv.sites.get(d.site)
        rows.append({"name": d.name, "role": d.role, "site": d.site, "level": site.level if site
                     else None, "county": d.county, "address": d.address or None})
    planned = [{"a_device": k.a_device, "a_interface": k.a_ifname, "b_device": k.b_device,
                "b_interface": k.b_ifname, "tier": k.tier} for k in inv.links]
    try:
        graph = build_topology(rows, dict(state or {}), planned)
    except Exception as exc:  # noqa: BLE001 - the links are a good fallback
        log.warning("cannot build the topology (%s); parents come from the planned links", exc)
        return None
    parents: dict[str, list[str]] = {}
    for name, data in graph.nodes(data=True):
        parent = data.get("parent")
        if name in inv.devices and parent in inv.devices:
            parents[name] = [str(parent)]
    return parents


# ---- timelines from the sink -------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def load_poll_timelines(sink: Sink, intervals_s: Mapping[str, int], start: int, end: int, *,
                        gap_factor: float = 2.5, collector: str | None = None,
                        chunk: int = CHUNK_DEVICES,
                        progress: Callable[[int, int], None] | None = None) -> dict[str, Timeline]:
    """Each device's state timeline over ``[start, end)`` from its ``poll_status`` samples.

    Args:
        sink: the time-series sink.
        intervals_s: device name -> poll interval (seconds); every named device gets a timeline
            (all unknown when it has no sample).
        start: period start, microseconds.
        end: period end, microseconds.
        gap_factor: see ``availability.build_timeline``.
        collector: only this collector's polls; None picks, per device, the collector with the
            most polls in the period (the most frequent one judges reachability; mixing an SNMP
            poll every minute with an SSH poll every hour would make the two disagree).
        chunk: devices per sink query.
        progress: called with (devices done, devices total).

    Returns:
        ``{device: Timeline}``.
    """
    names = sorted(intervals_s)
    out: dict[str, Timeline] = {}
    done = 0
    for group in _chunks(names, max(1, chunk)):
        lookback = max(int(gap_factor * intervals_s[n] * 1_000_000) for n in group)
        samples = sink.query("poll_status", tags={"device": group},
                             fields=["status", "reachable"], start=_from_us(start - lookback),
                             end=_from_us(end))
        polls: dict[str, dict[str, list[tuple[int, str, str]]]] = defaultdict(
            lambda: defaultdict(list))
        for s in samples:
            device = s.tags.get("device")
            if device is None:
                continue
            via = s.tags.get("collector", "")
            if collector is not None and via != collector:
                continue
            status = s.fields.get("status")
            reachable = s.fields.get("reachable")
            state = poll_state(status, reachable)
            cause = status if isinstance(status, str) and status else (
                "ok" if reachable is True else "unreachable" if reachable is False else "no_data")
            polls[device][via].append((_to_us(s.time), state, cause))
        del samples
        for name in group:
            by_collector = polls.get(name)
            interval = int(intervals_s[name] * 1_000_000)
            if not by_collector:
                out[name] = build_timeline((), start, end, interval, gap_factor)
                continue
            best = max(sorted(by_collector), key=lambda c: len(by_collector[c]))
            out[name] = build_timeline(by_collector[best], start, end, interval, gap_factor)
        done += len(group)
        if progress is not None:
            progress(done, len(names))
    return out


#: screening bucket of the screened loader (epoch aligned, like the sinks' aggregates)
SCREEN_US = 3600 * 1_000_000
#: above this many expected polls ``mode="auto"`` screens instead of reading every poll
AUTO_SCREEN_POLLS = 20_000_000


def expected_polls(intervals_s: Mapping[str, int], start: int, end: int) -> int:
    """How many polls the devices should have made in ``[start, end)``."""
    return sum((end - start) // (i * 1_000_000) for i in intervals_s.values())


def _group_polls(samples: Iterable[Any], collector: str | None
                 ) -> dict[str, dict[str, list[tuple[int, str, str]]]]:
    """``{device: {collector: [(time_us, state, cause)]}}`` from poll_status samples."""
    polls: dict[str, dict[str, list[tuple[int, str, str]]]] = defaultdict(
        lambda: defaultdict(list))
    for s in samples:
        device = s.tags.get("device")
        if device is None:
            continue
        via = s.tags.get("collector", "")
        if collector is not None and via != collector:
            continue
        status = s.fields.get("status")
        reachable = s.fields.get("reachable")
        cause = status if isinstance(status, str) and status else (
            "ok" if reachable is True else "unreachable" if reachable is False else "no_data")
        polls[device][via].append((_to_us(s.time), poll_state(status, reachable), cause))
    return polls


def _best(by_collector: Mapping[str, list[tuple[int, str, str]]] | None
          ) -> list[tuple[int, str, str]]:
    if not by_collector:
        return []
    return by_collector[max(sorted(by_collector), key=lambda c: len(by_collector[c]))]


def load_poll_timelines_screened(sink: Sink, intervals_s: Mapping[str, int], start: int,
                                 end: int, *, gap_factor: float = 2.5,
                                 collector: str | None = None, chunk: int = CHUNK_DEVICES,
                                 progress: Callable[[int, int], None] | None = None
                                 ) -> dict[str, Timeline]:
    """Like ``load_poll_timelines``, reading raw polls only where something happened.

    Why: a month of 1-minute polls of 5,000 devices is 216 M points; turning each into a Python
    object costs more than an hour. Most device-hours are uneventful, and the stores can say so
    without shipping the points: ``Sink.availability`` (reachable share) and ``Sink.aggregate``
    (``count``) per device and epoch-aligned hour run inside SQLite / InfluxDB.

    Rule: an hour is *clean* when every poll in it was reachable and it holds at least
    ``3600 / interval - 1`` polls (one fewer allows for scheduler jitter across the hour's edges);
    clean hours are up. Every other hour, the first and the last hour of the period, and ``G``
    (``gap_factor`` x interval) either side of them are read poll by poll and follow the exact
    rules of ``build_timeline``. Down and unjudged polls always make their hour dirty, so outage
    time, parent-down time and the outage list are exactly those of the full read. The one
    difference: a gap longer than G inside an hour that still holds ``expected - 1`` reachable
    polls (polls bunched by a stalled scheduler catching up) is counted as up, where the full
    read calls it unknown. tests/reports/test_screened.py pins the agreement.
    """
    from datetime import timedelta

    names = sorted(intervals_s)
    out: dict[str, Timeline] = {}
    every = timedelta(microseconds=SCREEN_US)
    done = 0
    for group in _chunks(names, max(1, chunk)):
        fractions = sink.availability(_from_us(start), _from_us(end), every, devices=group)
        counts = {series.tags.get("device", ""): series.points for series in sink.aggregate(
            "poll_status", "reachable", "count", every, group_by_tags=["device"],
            tags={"device": group}, start=_from_us(start), end=_from_us(end))}
        windows: dict[tuple[int, int], list[str]] = defaultdict(list)
        plan: dict[str, list[tuple[int, int, bool]]] = {}
        for name in group:
            interval = intervals_s[name] * 1_000_000
            hold = int(gap_factor * interval)
            need = max(1, SCREEN_US // interval - 1)
            rows = fractions.get(name, [])
            tallies = counts.get(name, [])
            spans: list[tuple[int, int, bool]] = []  # (lo, hi, clean) covering [start, end)
            for i, (t, frac) in enumerate(rows):
                lo, hi = max(start, _to_us(t)), min(end, _to_us(t) + SCREEN_US)
                n = tallies[i][1] if i < len(tallies) else 0
                clean = (frac == 1.0 and isinstance(n, int) and n >= need
                         and 0 < i < len(rows) - 1)
                if spans and spans[-1][2] == clean and spans[-1][1] == lo:
                    spans[-1] = (spans[-1][0], hi, clean)
                else:
                    spans.append((lo, hi, clean))
            # a dirty span reaches G into its clean neighbours: the states at its edges depend
            # on the polls just outside it
            grown: list[tuple[int, int, bool]] = []
            for k, (lo, hi, clean) in enumerate(spans):
                if clean:
                    lo2 = lo + hold if k > 0 else lo
                    hi2 = hi - hold if k < len(spans) - 1 else hi
                    if hi2 > lo2:
                        grown.append((lo2, hi2, True))
                    continue
                lo2 = max(start, lo - hold) if k > 0 else lo
                hi2 = min(end, hi + hold) if k < len(spans) - 1 else hi
                if grown and not grown[-1][2] and grown[-1][1] >= lo2:
                    lo2 = grown.pop()[0]
                elif grown and grown[-1][1] > lo2:  # a clean span too short to keep
                    prev = grown.pop()
                    lo2 = min(lo2, prev[0])
                grown.append((lo2, hi2, False))
            plan[name] = grown
            for lo, hi, clean in grown:
                if not clean:
                    windows[(lo, hi)].append(name)
        raw: dict[tuple[str, tuple[int, int]], list[tuple[int, str, str]]] = {}
        for (lo, hi), devices in sorted(windows.items()):
            lookback = max(int(gap_factor * intervals_s[n] * 1_000_000) for n in devices)
            samples = sink.query("poll_status", tags={"device": devices},
                                 fields=["status", "reachable"], start=_from_us(lo - lookback),
                                 end=_from_us(hi))
            grouped = _group_polls(samples, collector)
            for n in devices:
                raw[(n, (lo, hi))] = _best(grouped.get(n))
        for name in group:
            interval = intervals_s[name] * 1_000_000
            segments: list[Segment] = []
            for lo, hi, clean in plan[name]:
                if clean:
                    part = [Segment(lo, hi, UP, "ok")]
                else:
                    part = build_timeline(raw[(name, (lo, hi))], lo, hi, interval,
                                          gap_factor).segments
                for seg in part:
                    if segments and segments[-1].state == seg.state and \
                            segments[-1].end == seg.start:
                        last = segments[-1]
                        segments[-1] = Segment(last.start, seg.end, seg.state, last.cause)
                    else:
                        segments.append(seg)
            out[name] = Timeline(start, end, segments) if segments else \
                build_timeline((), start, end, interval, gap_factor)
        done += len(group)
        if progress is not None:
            progress(done, len(names))
    return out


def _port_key(name: str) -> str:
    try:
        from nms.topology.ifnames import port_key
    except ImportError:  # pragma: no cover - the module is part of nms
        return name.strip().lower()
    return port_key(name)


def load_link_timelines(sink: Sink, links: Sequence[LinkInfo], intervals_s: Mapping[str, int],
                        device_timelines: Mapping[str, Timeline], start: int, end: int, *,
                        gap_factor: float = 2.5, chunk: int = CHUNK_DEVICES
                        ) -> dict[str, tuple[Timeline, str]]:
    """Each link's timeline and where it came from ("interface" or "reachability").

    A link end's state comes from its port's ``oper_status`` in ``interface`` samples of that
    device (names matched vendor-independently: ``Gi0/1`` is ``GigabitEthernet0/1``); the link
    is down when either end says down (``merge_timelines``). A link with no interface sample at
    either end falls back to the reachability of its lower (far) device: for a single-homed
    township that is what "the uplink is available" means to its users.
    """
    ends: dict[str, dict[str, str]] = defaultdict(dict)  # device -> port key -> inventory name
    for link in links:
        ends[link.a_device][_port_key(link.a_ifname)] = link.a_ifname
        ends[link.b_device][_port_key(link.b_ifname)] = link.b_ifname
    polls: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    devices = sorted(ends)
    for group in _chunks(devices, max(1, chunk)):
        lookback = max(int(gap_factor * intervals_s.get(n, DEFAULT_INTERVAL_S) * 1_000_000)
                       for n in group)
        names = sorted({name for d in group for name in ends[d].values()})
        # The ifname tag is the device's own spelling (ifName, else ifDescr), which may differ
        # from the inventory's: learn the spellings from a few short windows (three poll
        # intervals at the end, the start and the middle of the period; every interface of a
        # device is in each poll) instead of reading every interface of the month.
        spellings = set(names)
        wanted = {(d, key) for d in group for key in ends[d]}
        found: set[tuple[str, str]] = set()
        width = 3 * lookback // max(gap_factor, 1.0)
        for probe_end in (end, min(end, start + int(width)), start + (end - start) // 2):
            if found >= wanted:
                break
            probe_start = max(start, probe_end - int(width))
            for s in sink.query("interface", tags={"device": group}, fields=["oper_status"],
                                start=_from_us(probe_start), end=_from_us(probe_end)):
                ifname = s.tags.get("ifname", "")
                device = s.tags.get("device", "")
                if _port_key(ifname) in ends.get(device, {}):
                    spellings.add(ifname)
                    found.add((device, _port_key(ifname)))
        samples = sink.query("interface", tags={"device": group, "ifname": sorted(spellings)},
                             fields=["oper_status"], start=_from_us(start - lookback),
                             end=_from_us(end))
        for s in samples:
            device = s.tags.get("device", "")
            key = _port_key(s.tags.get("ifname", ""))
            if key not in ends.get(device, {}):
                continue
            status = s.fields.get("oper_status")
            polls[(device, key)].append((_to_us(s.time), oper_state(status), str(status)))
    out: dict[str, tuple[Timeline, str]] = {}
    for link in links:
        sides = []
        for device, ifname in ((link.a_device, link.a_ifname), (link.b_device, link.b_ifname)):
            got = polls.get((device, _port_key(ifname)))
            if got:
                got.sort(key=lambda p: p[0])
                interval = int(intervals_s.get(device, DEFAULT_INTERVAL_S) * 1_000_000)
                sides.append(build_timeline(got, start, end, interval, gap_factor))
        if sides:
            out[link.key] = (merge_timelines(sides), "interface")
        elif link.lower in device_timelines:
            out[link.key] = (device_timelines[link.lower], "reachability")
        else:
            out[link.key] = (Timeline(start, end, []), "none")
    for key, (tl, _) in out.items():
        if not tl.segments and tl.end > tl.start:
            out[key] = (build_timeline((), tl.start, tl.end, 1, gap_factor), out[key][1])
    return out


# ---- maintenance, alarms, audit ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """An approved maintenance window and what it covers (times in microseconds).

    ``devices`` are fnmatch patterns on device names and ``sites`` site codes (a site covers
    every device at it or below it) -- the same matching ``nms.alarms`` uses for suppression, so
    a window silences alarms and is excluded from availability alike. A window naming neither
    covers nothing.
    """

    start: int
    end: int
    devices: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    title: str = ""

    def covers(self, device: DeviceInfo, inventory: Inventory) -> bool:
        """True when the window applies to ``device``."""
        if any(fnmatch.fnmatchcase(device.name, pattern) for pattern in self.devices):
            return True
        return bool(self.sites) and any(s.code in self.sites
                                        for s in inventory.site_chain(device.site))


def windows_for(device: DeviceInfo, windows: Sequence[MaintenanceWindow],
                inventory: Inventory) -> list[Interval]:
    """The maintenance intervals covering one device."""
    return [(w.start, w.end) for w in windows if w.covers(device, inventory)]


def load_maintenance(config: Config, start: int, end: int) -> list[MaintenanceWindow] | None:
    """Approved maintenance windows overlapping ``[start, end)``.

    The approved windows are the ones in config.yaml ``alarms.maintenance`` (issue 6): listing a
    window there is the approval, and the alarm manager suppresses alarms inside it. Returns None
    when this config has no such section (the report then says maintenance was not excluded).
    A window with an unreadable time is skipped with a warning, as nms.alarms does.
    """
    alarms_cfg = getattr(config, "alarms", None)
    rows = getattr(alarms_cfg, "maintenance", None)
    if rows is None:
        return None
    out = []
    for row in rows:
        try:
            lo = datetime.fromisoformat(str(row.start))
            hi = datetime.fromisoformat(str(row.end))
        except ValueError:
            log.warning("maintenance window %r: bad start/end, ignored", row.name)
            continue
        if lo.tzinfo is None or hi.tzinfo is None:  # a local time: the configured zone
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(config.timezone)
            lo, hi = lo.replace(tzinfo=lo.tzinfo or zone), hi.replace(tzinfo=hi.tzinfo or zone)
        lo_us, hi_us = _to_us(lo), _to_us(hi)
        if hi_us <= start or lo_us >= end or hi_us <= lo_us:
            continue
        out.append(MaintenanceWindow(lo_us, hi_us, frozenset(row.devices), frozenset(row.sites),
                                     row.name))
    return out


@dataclass
class AlarmStats:
    """Alarm counts over the period for the bulletin's alarm section."""

    raised: int = 0
    cleared: int = 0
    open_at_end: int = 0
    suppressed: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_check: dict[str, int] = field(default_factory=dict)
    top_devices: list[tuple[str, int]] = field(default_factory=list)
    mean_time_to_clear_s: float | None = None


def _alarm_rows(config: Config, lo: datetime, hi: datetime) -> list[Any] | None:
    """Alarms alive at some point in ``[lo, hi)`` from issue 6's table, or None without it."""
    try:
        alarms = importlib.import_module("nms.alarms")
        model = alarms.Alarm
    except (ImportError, AttributeError):
        return None
    from sqlalchemy import or_, select
    from sqlalchemy.exc import SQLAlchemyError

    from nms.db import make_engine, session_scope

    engine = make_engine(config.database_url)
    try:
        with session_scope(engine) as session:
            query = select(model.device, model.check_id, model.original_severity,
                           model.suppressed, model.raised_at, model.cleared_at,
                           model.last_seen).where(
                model.raised_at < hi, or_(model.cleared_at.is_(None), model.cleared_at >= lo))
            return list(session.execute(query))
    except SQLAlchemyError as exc:
        log.info("no alarm table (%s)", exc.__class__.__name__)
        return None
    finally:
        engine.dispose()


def load_alarm_stats(config: Config, start: int, end: int,
                     devices: Iterable[str] | None = None) -> AlarmStats | None:
    """Alarm statistics of the period from issue 6's ``alarms`` table.

    raised: alarms raised in the period; cleared: cleared in it; open at end: raised before the
    end and not cleared by then; severities are the original ones (before escalation); mean time
    to clear over the alarms raised and cleared in the period. Returns None when nms.alarms is
    not installed or its table does not exist yet (the report says "not available").
    """
    lo, hi = _from_us(start), _from_us(end)
    rows = _alarm_rows(config, lo, hi)
    if rows is None:
        return None
    wanted = set(devices) if devices is not None else None
    stats = AlarmStats()
    per_device: dict[str, int] = defaultdict(int)
    clear_times = []
    for device, check_id, severity, suppressed, raised_at, cleared_at, _ in rows:
        if wanted is not None and device not in wanted:
            continue
        if lo <= raised_at < hi:
            stats.raised += 1
            stats.suppressed += bool(suppressed)
            stats.by_severity[severity] = stats.by_severity.get(severity, 0) + 1
            stats.by_check[check_id] = stats.by_check.get(check_id, 0) + 1
            per_device[device] += 1
            if cleared_at is not None and cleared_at < hi:
                clear_times.append((cleared_at - raised_at).total_seconds())
        if cleared_at is not None and lo <= cleared_at < hi:
            stats.cleared += 1
        if cleared_at is None or cleared_at >= hi:
            stats.open_at_end += 1
    stats.top_devices = sorted(per_device.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    if clear_times:
        stats.mean_time_to_clear_s = sum(clear_times) / len(clear_times)
    return stats


#: check-id prefix of the security-baseline checks (policies/checks/baseline*.py)
BASELINE_PREFIX = "BL-"


@dataclass
class AuditStatus:
    """Baseline-audit status for the bulletin, from the baseline checks' alarms (``BL-*``).

    Why alarms: the audit (policies/audit, run by ``nms run``) turns every failing baseline check
    into an alarm, and nms core may not import ``policies``; the alarm table is the shared record.
    It holds failures only, so the section shows what failed and what was fixed, not pass counts.
    """

    open_at_end: int = 0
    devices_failing: int = 0
    raised: int = 0
    cleared: int = 0
    last_seen: datetime | None = None
    by_severity: dict[str, int] = field(default_factory=dict)
    top_checks: list[tuple[str, int]] = field(default_factory=list)


def load_audit_status(config: Config, start: int, end: int,
                      devices: Iterable[str] | None = None) -> AuditStatus | None:
    """Baseline-audit status over the period from the ``BL-*`` alarms; None without them.

    None (the report says "not available") when there is no alarm table or no baseline alarm
    ever -- which is also what an installation without the audit looks like.
    """
    lo, hi = _from_us(start), _from_us(end)
    rows = _alarm_rows(config, lo, hi)
    if rows is None:
        return None
    wanted = set(devices) if devices is not None else None
    rows = [r for r in rows if str(r[1]).startswith(BASELINE_PREFIX)
            and (wanted is None or r[0] in wanted)]
    if not rows:
        return None
    status = AuditStatus()
    failing: set[str] = set()
    checks: dict[str, int] = defaultdict(int)
    for device, check_id, severity, _, raised_at, cleared_at, last_seen in rows:
        if lo <= raised_at < hi:
            status.raised += 1
        if cleared_at is not None and lo <= cleared_at < hi:
            status.cleared += 1
        if cleared_at is None or cleared_at >= hi:
            status.open_at_end += 1
            failing.add(device)
            checks[check_id] += 1
            status.by_severity[severity] = status.by_severity.get(severity, 0) + 1
        seen = min(last_seen, hi) if last_seen else None
        if seen and (status.last_seen is None or seen > status.last_seen):
            status.last_seen = seen
    status.devices_failing = len(failing)
    status.top_checks = sorted(checks.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return status


def unknown_timeline(start: int, end: int) -> Timeline:
    """A timeline that is unknown over the whole span (a device never polled)."""
    return build_timeline((), start, end, 1) if end > start else Timeline(start, end, [])

