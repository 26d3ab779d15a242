"""Security-baseline checks over the whole topology (BL-FW-006, BL-TOP-001…003).

Unlike the per-config BL-* checks (``policies.checks.baseline``), these judge the network as a
graph: the topology of ``nms.topology.build_topology`` (planned links reconciled with links
discovered from ``lldp_neighbors`` and /30-/31 subnets in ``addresses``), the device rows
(``role``, ``zone``, ``site``), the IP plan's blocks (``zone``), planned interface addresses and,
for BL-FW-006, the parsed configs (an ACL bound to a link's interface). So they override
``Check.evaluate``, take their titles, severity, MLPS clauses and remediation from the
``catalog:`` of ``policies/packs/baseline.yaml``, and are registered only through setup.cfg
(``nms.checks``): ``policies.audit.run.baseline_checks`` (``nms audit`` of one config file)
does not run them, since a single config has no topology. ``nms policy run --pack baseline``
and the daemon's audit job do.

Where the data to judge is missing (no state collected, no config, no routing table) the
verdict is NEEDS_REVIEW, never PASS.

Optional parameters (``Snapshot.params``, under ``topology`` or ``audit``):
``approved_egress`` — next hops (addresses or prefixes) allowed for default routes (BL-TOP-003;
addresses of the device's planned link peers are always allowed).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from nms.models import Finding, FindingStatus, Severity
from nms.topology.ifnames import port_key
from policies.base import Check, DeviceState, Snapshot
from policies.checks.baseline import SEVERITY, AuditParams, catalog, config_of
from policies.views import addresses

PASS, FAIL = FindingStatus.PASS, FindingStatus.FAIL
REVIEW, NA = FindingStatus.NEEDS_REVIEW, FindingStatus.NOT_APPLICABLE

LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}
IMPORTANT_ZONES = ("intranet", "management")
BOUNDARY_ZONES = ("internet_edge", "extranet")
NETWORK_ROLES = ("router", "switch", "firewall")
CORE_ROLES = ("router", "switch")  # county aggregation / city core candidates
LINK_STATE_KEYS = ("lldp_neighbors", "addresses", "interfaces")
DEFAULTS = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


# ------------------------------------------------------------------------------- shared view


@dataclass(frozen=True)
class End:
    """One end of a link as these checks see it."""

    device: str
    port: str | None
    managed: bool
    role: str | None
    if_zone: str | None  # zone of the plan block holding the interface's address
    device_zone: str | None
    level: str | None


@dataclass(frozen=True)
class Link:
    """A planned and/or discovered link of the topology graph."""

    id: str
    a: End
    b: End
    planned: bool
    discovered: bool
    reconciliation: str
    state: str

    def ends(self) -> tuple[End, End]:
        return self.a, self.b

    def other(self, device: str) -> End:
        return self.b if self.a.device == device else self.a

    def end(self, device: str) -> End:
        return self.a if self.a.device == device else self.b

    def zones(self) -> tuple[str, str] | None:
        """The two zones when the link joins different zones (by device, else by plan block)."""
        a, b = self.a, self.b
        if a.device_zone and b.device_zone and a.device_zone != b.device_zone:
            return a.device_zone, b.device_zone
        if a.if_zone and b.if_zone and a.if_zone != b.if_zone:
            return a.if_zone, b.if_zone
        return None


def _level(snapshot: Snapshot, dev: DeviceState | None) -> str | None:
    if dev is None:
        return None
    return (snapshot.sites.get(str(dev.device.get("site"))) or {}).get("level")


def has_link_state(dev: DeviceState) -> bool:
    """Whether the device reported anything links are discovered from."""
    return any(dev.state.get(k) for k in LINK_STATE_KEYS)


def _interface_zones(snapshot: Snapshot) -> dict[tuple[str, str], str]:
    """``(device, port key) -> zone`` of the plan block holding the interface's address."""
    zones: dict[tuple[str, str], str] = {}

    def put(device: str, ifname: str, addr: Any) -> None:
        try:
            block = snapshot.block_of(addr)
        except ValueError:
            return
        if block and block.get("zone"):
            zones.setdefault((device, port_key(ifname)), str(block["zone"]))

    for row in snapshot.interfaces:
        if row.get("address") and row.get("device") and row.get("name"):
            put(str(row["device"]), str(row["name"]), row["address"])
    for name, dev in snapshot.devices.items():
        for ifname, iface in addresses(dev.state):
            put(name, ifname, iface)
    return zones


def _build_links(snapshot: Snapshot) -> list[Link]:
    from nms.topology.model import build_topology

    infos = []
    for name, dev in snapshot.devices.items():
        site = dev.device.get("site")
        infos.append({**dev.device, "name": name, "level": _level(snapshot, dev),
                      "site_name": (snapshot.sites.get(str(site)) or {}).get("name")})
    state = {name: dev.state for name, dev in snapshot.devices.items()}
    graph = build_topology(infos, state, snapshot.links)
    if_zone = _interface_zones(snapshot)

    def end(device: str, port: str | None) -> End:
        dev = snapshot.devices.get(device)
        dzone = dev.device.get("zone") if dev else None
        zone = if_zone.get((device, port_key(port))) if port else None
        return End(device, port, dev is not None, dev.device.get("role") if dev else None,
                   zone, dzone, _level(snapshot, dev))

    links = []
    for _a, _b, data in graph.edges(data=True):
        links.append(Link(str(data["id"]), end(data["a_device"], data.get("a_port")),
                          end(data["b_device"], data.get("b_port")), bool(data.get("planned")),
                          bool(data.get("discovered")), str(data.get("reconciliation")),
                          str(data.get("state"))))
    links.sort(key=lambda lk: lk.id)
    return links


def topology_links(snapshot: Snapshot) -> list[Link]:
    """The links of the snapshot's topology (computed once per snapshot)."""
    return snapshot.memo("baseline_topology.links", lambda: _build_links(snapshot))  # type: ignore[no-any-return]


def links_by_device(snapshot: Snapshot) -> dict[str, list[Link]]:
    """Links per device name (each link under both its ends)."""
    out: dict[str, list[Link]] = defaultdict(list)
    for link in topology_links(snapshot):
        out[link.a.device].append(link)
        if link.b.device != link.a.device:
            out[link.b.device].append(link)
    return out


class TopologyCheck(Check):
    """A BL-* check over the whole snapshot; metadata from the baseline catalog."""

    pack = "baseline"
    check_id = ""

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        meta = catalog()[cls.check_id]
        cls.id = cls.check_id
        cls.title_en, cls.title_zh = meta["title"]["en"], meta["title"]["zh"]
        cls.severity = SEVERITY[meta["severity"]]
        cls.mlps = ", ".join(meta.get("mlps") or []) or None
        cls.mlps_clauses = list(meta.get("mlps") or [])
        cls.remediation_table = dict(meta.get("remediation") or {})

    mlps_clauses: list[str] = []
    remediation_table: dict[str, list[str]] = {}

    def topo_finding(self, device: str, subject: str, status: FindingStatus, en: str, zh: str, *,
                     observed: Any = None, expected: Any = None, severity: Severity | None = None,
                     **evidence: Any) -> Finding:
        """A finding with the catalog's MLPS clauses and (for FAIL/REVIEW) its remediation."""
        remediation = self.remediation_table.get("any", []) if status in (FAIL, REVIEW) else []
        return self.finding(device, subject, status, en, zh, observed=observed, expected=expected,
                            severity=severity, mlps=list(self.mlps_clauses),
                            remediation=list(remediation), **evidence)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Catalogue entry with MLPS clauses and remediation."""
        out = super().describe()
        out.update(mlps=list(cls.mlps_clauses), remediation=dict(cls.remediation_table))
        return out


# ------------------------------------------------------------------------------- BL-FW-006


class InterZoneLinksControlled(TopologyCheck):
    """Every inter-zone link ends on a firewall or on an interface with an ACL bound.

    A link is inter-zone when its ends' devices are in different zones, or when the IP-plan
    blocks holding its two interface addresses (planned or reported) have different zones.
    Links to devices outside the inventory have no zone and are left to BL-TOP-003. When
    neither end is a firewall and no ACL is seen, a missing config (or an interface not found
    in it) makes the verdict NEEDS_REVIEW rather than FAIL.
    """

    check_id = "BL-FW-006"

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        params = AuditParams.from_snapshot(snapshot)
        judged = 0
        for link in topology_links(snapshot):
            a, b = link.ends()
            pair = link.zones() if a.managed and b.managed else None
            if pair is None:
                continue
            judged += 1
            zones = f"{pair[0]} / {pair[1]}"
            fw = [e.device for e in (a, b) if e.role == "firewall"]
            if fw:
                yield self.topo_finding(a.device, link.id, PASS, f"inter-zone link ({zones}) ends on firewall "
                                        f"{fw[0]}", f"跨区域链路（{zones}）终结于防火墙 {fw[0]}",
                                        observed={"zones": list(pair), "firewall": fw[0]})
                continue
            acl_ends: dict[str, str] = {}
            unknown: list[str] = []
            for e in (a, b):
                acl, why = self._acl_of(snapshot, params, e)
                if acl:
                    acl_ends[f"{e.device}:{e.port}"] = acl
                elif why:
                    unknown.append(why)
            observed = {"zones": list(pair), "acls": acl_ends}
            if acl_ends:
                where, acl = next(iter(acl_ends.items()))
                yield self.topo_finding(a.device, link.id, PASS,
                                        f"inter-zone link ({zones}): ACL {acl} bound on {where}",
                                        f"跨区域链路（{zones}）：{where} 已绑定ACL {acl}", observed=observed)
            elif unknown:
                yield self.topo_finding(a.device, link.id, REVIEW,
                                        f"inter-zone link {link.id} ({zones}) ends on no firewall; cannot see an "
                                        f"ACL: {'; '.join(unknown)}",
                                        f"跨区域链路 {link.id}（{zones}）未终结于防火墙，无法确认ACL："
                                        f"{'；'.join(unknown)}", observed=observed)
            else:
                yield self.topo_finding(a.device, link.id, FAIL,
                                        f"inter-zone link {link.id} ({zones}) ends on no firewall and neither "
                                        f"interface has an ACL bound",
                                        f"跨区域链路 {link.id}（{zones}）未经防火墙，两端接口均未绑定ACL",
                                        observed=observed, expected="firewall end or ACL-bound interface")
        if not judged:
            yield self.topo_finding("", "", NA, "no inter-zone links between inventory devices",
                                    "资产设备之间无跨区域链路")

    @staticmethod
    def _acl_of(snapshot: Snapshot, params: AuditParams, e: End) -> tuple[str | None, str | None]:
        """(ACL bound on the end's interface, or None; why it cannot be told, or None)."""
        dev = snapshot.devices.get(e.device)
        if dev is None:
            return None, f"{e.device} not in inventory"
        try:
            cfg = config_of(dev, params)
        except Exception as exc:  # noqa: BLE001 - an unparsable config is "cannot tell"
            return None, f"{e.device} config cannot be parsed ({exc})"
        if cfg is None:
            return None, f"no configuration of {e.device} collected"
        if not e.port:
            return None, f"port on {e.device} unknown"
        key = port_key(e.port)
        intf = next((i for i in cfg.interfaces.values() if port_key(i.name) == key), None)
        if intf is None:
            return None, f"{e.device}: interface {e.port} not in its configuration"
        if intf.acl_in or intf.acl_out:
            return str(intf.acl_in or intf.acl_out), None
        return None, None


# ------------------------------------------------------------------------------- BL-TOP-001


class CoreRedundancy(TopologyCheck):
    """County aggregation and city core devices have two or more uplinks toward the core.

    An uplink is a planned or discovered link to a device at a higher site level (county → city,
    city → province). The county (city) devices judged are the routers/switches of county
    (city) sites that have an uplink, or, where none of a site's devices has one, all of them.
    PASS needs two uplinks not down and collected link state; a plan with two uplinks but no
    state says NEEDS_REVIEW. A city site with no higher level in the plan is the top of the
    hierarchy: NOT_APPLICABLE.
    """

    check_id = "BL-TOP-001"

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        per_dev = links_by_device(snapshot)
        has_province = any(s.get("level") == "province" for s in snapshot.sites.values())
        by_site: dict[str, list[DeviceState]] = defaultdict(list)
        for dev in snapshot.devices.values():
            if dev.device.get("role") in CORE_ROLES and _level(snapshot, dev) in ("county", "city"):
                by_site[str(dev.device.get("site"))].append(dev)
        for site in sorted(by_site):
            level = (snapshot.sites.get(site) or {}).get("level")
            ups = {d.name: self._uplinks(d.name, level, per_dev) for d in by_site[site]}
            chosen = [d for d in by_site[site] if ups[d.name]] or by_site[site]
            for dev in sorted(chosen, key=lambda d: d.name):
                if level == "city" and not ups[dev.name] and not has_province:
                    yield self.topo_finding(dev.name, "uplinks", NA, "city core at the top of the plan "
                                            "(no province level): no uplink to judge",
                                            "市级核心为规划最高层级（无省级），无上联可判断")
                    continue
                yield self._judge(dev, level, ups[dev.name])

    @staticmethod
    def _uplinks(device: str, level: str | None, per_dev: dict[str, list[Link]]) -> list[Link]:
        rank = LEVEL_RANK.get(level or "", 9)
        return [lk for lk in per_dev.get(device, [])
                if LEVEL_RANK.get(lk.other(device).level or "", 9) < rank]

    def _judge(self, dev: DeviceState, level: str | None, uplinks: list[Link]) -> Finding:
        kind_en = "county aggregation" if level == "county" else "city core"
        kind_zh = "县级汇聚" if level == "county" else "市级核心"
        observed = {"uplinks": [lk.id for lk in uplinks], "down": [lk.id for lk in uplinks if lk.state == "down"],
                    "peers": sorted({lk.other(dev.name).device for lk in uplinks})}
        live = [lk for lk in uplinks if lk.state != "down"]
        if len(uplinks) < 2:
            if not uplinks and not has_link_state(dev):
                return self.topo_finding(dev.name, "uplinks", REVIEW,
                                         f"{kind_en} device: no planned uplink and no LLDP/interface state collected",
                                         f"{kind_zh}设备：无规划上联且未采集LLDP/接口状态", observed=observed)
            n = len(uplinks)
            return self.topo_finding(dev.name, "uplinks", FAIL,
                                     f"{kind_en} device has {n} uplink toward the core"
                                     + (f" ({uplinks[0].id})" if uplinks else "") + ": no redundancy",
                                     f"{kind_zh}设备仅有 {n} 条上联" + (f"（{uplinks[0].id}）" if uplinks else "")
                                     + "，无冗余", observed=observed, expected=">= 2 uplinks")
        if not has_link_state(dev):
            return self.topo_finding(dev.name, "uplinks", REVIEW,
                                     f"{len(uplinks)} uplinks planned, none verified: no LLDP/interface state collected",
                                     f"规划 {len(uplinks)} 条上联，但未采集LLDP/接口状态，无法核实", observed=observed)
        if len(live) < 2:
            return self.topo_finding(dev.name, "uplinks", FAIL,
                                     f"{kind_en} device: {len(uplinks) - len(live)} of {len(uplinks)} uplinks down, "
                                     "redundancy lost", f"{kind_zh}设备 {len(uplinks)} 条上联中 "
                                     f"{len(uplinks) - len(live)} 条中断，冗余失效", observed=observed,
                                     expected=">= 2 uplinks up")
        return self.topo_finding(dev.name, "uplinks", PASS,
                                 f"{len(uplinks)} uplinks toward the core to {', '.join(observed['peers'])}",
                                 f"{len(uplinks)} 条上联至 {'、'.join(observed['peers'])}", observed=observed)


# ------------------------------------------------------------------------------- BL-TOP-002


class ImportantZonesIsolated(TopologyCheck):
    """Intranet and management devices have no direct link to internet-edge or extranet devices.

    A link between a device of an important zone (intranet, management) and one of a boundary
    zone (internet_edge, extranet) FAILs unless either end is a firewall. Judged per device of
    an important zone from its planned and discovered links; without either, NEEDS_REVIEW.
    """

    check_id = "BL-TOP-002"

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        per_dev = links_by_device(snapshot)
        for name in sorted(snapshot.devices):
            dev = snapshot.devices[name]
            if dev.device.get("zone") not in IMPORTANT_ZONES or dev.device.get("role") not in NETWORK_ROLES:
                continue
            links = per_dev.get(name, [])
            bad = []
            for lk in links:
                me, peer = lk.end(name), lk.other(name)
                if peer.device_zone in BOUNDARY_ZONES and "firewall" not in (me.role, peer.role):
                    bad.append((lk, peer))
            for lk, peer in bad:
                yield self.topo_finding(name, lk.id, FAIL,
                                        f"{dev.device.get('zone')} device {name} links directly to {peer.device_zone} "
                                        f"device {peer.device} ({lk.id}) without a firewall",
                                        f"{dev.device.get('zone')} 区设备 {name} 与 {peer.device_zone} 区设备 "
                                        f"{peer.device} 直连（{lk.id}），未经防火墙隔离",
                                        observed={"link": lk.id, "peer_zone": peer.device_zone},
                                        expected="a firewall between the zones")
            if bad:
                continue
            if not links and not has_link_state(dev):
                yield self.topo_finding(name, "", REVIEW, "no planned links and no LLDP/interface state collected",
                                        "无规划链路且未采集LLDP/接口状态")
            else:
                yield self.topo_finding(name, "", PASS,
                                        f"no direct link to internet-edge/extranet devices ({len(links)} links)",
                                        f"未与互联网边界/政务外网区设备直连（共 {len(links)} 条链路）",
                                        observed={"links": len(links)})


# ------------------------------------------------------------------------------- BL-TOP-003


def _param(snapshot: Snapshot, name: str) -> Any:
    for section in ("topology", "audit"):
        node = snapshot.params.get(section)
        value = node.get(name) if isinstance(node, dict) else getattr(node, name, None)
        if value is not None:
            return value
    return None


def default_routes(state: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Default routes of ``state["routes"]`` as ``{"next_hop", "interface"}``; None without route state.

    Accepts a list of rows (``destination`` | ``prefix`` | ``dest`` | ``network``, ``next_hop`` |
    ``nexthop`` | ``gateway``, ``interface`` | ``ifname`` | ``outgoing_interface``) or napalm's
    ``get_route_to`` shape (``{prefix: [{"next_hop", "outgoing_interface"}]}``).
    """
    data = state.get("routes")
    if data is None:
        return None
    rows: list[tuple[Any, dict[str, Any]]] = []
    if isinstance(data, dict):
        for prefix, entries in data.items():
            for e in entries if isinstance(entries, list) else [entries]:
                if isinstance(e, dict):
                    rows.append((prefix, e))
    elif isinstance(data, list):
        rows = [(r.get("destination") or r.get("prefix") or r.get("dest") or r.get("network"), r)
                for r in data if isinstance(r, dict)]
    else:
        return None
    out = []
    for prefix, row in rows:
        try:
            net = ipaddress.ip_network(str(prefix), strict=False)
        except ValueError:
            continue
        if net in DEFAULTS:
            out.append({"next_hop": row.get("next_hop") or row.get("nexthop") or row.get("gateway"),
                        "interface": row.get("interface") or row.get("ifname") or row.get("outgoing_interface")})
    return out


class NoUnauthorizedEgress(TopologyCheck):
    """No link to a neighbour outside the plan and no default route via an unapproved next hop.

    Links: a discovered, unplanned link to a device not in the inventory, or to a managed device
    at a higher site level (an extra uplink), FAILs. Routes (``state["routes"]``, when a
    collector provides it): a default route whose next hop is neither an address of a planned
    link peer nor in ``approved_egress`` FAILs. Without route state the route part cannot be
    judged, so a device with no unexpected link is NEEDS_REVIEW, not PASS.
    """

    check_id = "BL-TOP-003"

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        per_dev = links_by_device(snapshot)
        approved = self._approved(snapshot)
        peer_addrs = self._peer_addresses(snapshot)
        for name in sorted(snapshot.devices):
            dev = snapshot.devices[name]
            if dev.device.get("role") not in NETWORK_ROLES:
                continue
            yield from self._judge(snapshot, dev, per_dev.get(name, []), approved, peer_addrs.get(name, set()))

    @staticmethod
    def _approved(snapshot: Snapshot) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        out = []
        for item in _param(snapshot, "approved_egress") or []:
            try:
                out.append(ipaddress.ip_network(str(item), strict=False))
            except ValueError:
                continue
        return out

    @staticmethod
    def _peer_addresses(snapshot: Snapshot) -> dict[str, set[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
        """Per device, every known address of its planned link peers (approved next hops)."""
        own: dict[str, set[Any]] = defaultdict(set)
        for row in snapshot.interfaces:
            try:
                own[str(row["device"])].add(ipaddress.ip_interface(str(row["address"])).ip)
            except (KeyError, ValueError):
                continue
        for name, dev in snapshot.devices.items():
            own[name].update(iface.ip for _n, iface in addresses(dev.state))
        peers: dict[str, set[Any]] = defaultdict(set)
        for link in snapshot.links:
            a, b = str(link["a_device"]), str(link["b_device"])
            peers[a] |= own.get(b, set())
            peers[b] |= own.get(a, set())
        return peers

    def _judge(self, snapshot: Snapshot, dev: DeviceState, links: list[Link], approved: list[Any],
               peer_addrs: set[Any]) -> Iterator[Finding]:
        name = dev.name
        my_rank = LEVEL_RANK.get(_level(snapshot, dev) or "", 9)
        bad_links = []
        for lk in links:
            if lk.planned or not lk.discovered:
                continue
            peer = lk.other(name)
            if not peer.managed:
                bad_links.append((lk, "neighbour not in the inventory", "邻居不在资产清单中"))
            elif LEVEL_RANK.get(peer.level or "", 9) < my_rank:
                bad_links.append((lk, f"unplanned uplink to {peer.device}", f"未规划的上联至 {peer.device}"))
        for lk, en, zh in bad_links:
            yield self.topo_finding(name, lk.id, FAIL, f"unplanned link {lk.id}: {en}", f"未规划链路 {lk.id}：{zh}",
                                    observed={"link": lk.id, "peer": lk.other(name).device}, expected="planned links only")
        routes = default_routes(dev.state)
        bad_routes = []
        for r in routes or []:
            try:
                hop = ipaddress.ip_address(str(r["next_hop"]))
            except ValueError:
                bad_routes.append(r)  # no next hop (interface route) or unreadable: not approved
                continue
            if hop not in peer_addrs and not any(hop.version == n.version and hop in n for n in approved):
                bad_routes.append(r)
        for r in bad_routes:
            hop = r.get("next_hop") or f"interface {r.get('interface') or '?'}"
            yield self.topo_finding(name, f"default via {hop}", FAIL,
                                    f"default route via {hop}: not a planned peer nor an approved egress",
                                    f"默认路由下一跳 {hop} 既非规划对端也非批准的出口", observed=r,
                                    expected="next hop of a planned peer or audit/topology approved_egress")
        if bad_links or bad_routes:
            return
        if not has_link_state(dev) and routes is None:
            yield self.topo_finding(name, "", REVIEW, "no LLDP/interface state and no routing table collected",
                                    "未采集LLDP/接口状态及路由表，无法判断")
        elif routes is None:
            yield self.topo_finding(name, "", REVIEW,
                                    "no unexpected links; default routes not checked: no routing table "
                                    "(state 'routes') collected",
                                    "未发现未规划链路；未采集路由表（routes），默认路由未检查，需人工复核",
                                    observed={"links": len(links)})
        elif not has_link_state(dev):
            yield self.topo_finding(name, "", REVIEW,
                                    f"{len(routes)} default routes approved; links not checked: no LLDP/interface "
                                    "state collected", f"{len(routes)} 条默认路由合规；未采集LLDP/接口状态，链路未检查",
                                    observed={"default_routes": routes})
        else:
            yield self.topo_finding(name, "", PASS,
                                    f"no unplanned links; {len(routes)} default routes via approved next hops",
                                    f"无未规划链路；{len(routes)} 条默认路由均经批准的下一跳",
                                    observed={"links": len(links), "default_routes": routes})
