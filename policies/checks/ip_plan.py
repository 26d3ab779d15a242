"""IP-plan compliance (``IPPLAN-0xx``): observed addresses against the plan's blocks.

Inputs: each device's ``addresses`` state (see ``policies.views.addresses``), the inventory's
device rows (management address, site, zone, role), planned links, and the plan's ``ip_blocks``
(``prefix``, ``site``, ``zone``, ``purpose`` management/interconnect/service/user, ``unit``,
``allowed_prefix_lengths``, ``gateway`` first/last). Outputs: findings per address, per
device, per link or per block.

Address ownership rule (why ancestors and link peers count): a township router's uplink /30
is usually carved from its county's interconnect block, and the county end of that link holds an
address of the same /30; so an address may sit in a block of the device's own site, of any
ancestor site, or of the site of the device at the other end of a planned link on that
interface. Anything else is another site's space. MLPS 2.0 (GB/T 22239-2019) 8.1.2.1 c asks
that network areas be given addresses by plan; 8.1.10.2 a asks for a separate management area.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from nms.models import Finding, FindingStatus, Severity
from nms.registry import checks
from policies.base import Check, DeviceState, Snapshot
from policies.views import IpIface, addresses

PACK = "ip_plan"
GATEWAY_PURPOSES = ("service", "user")
_SPECIAL = [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "169.254.0.0/16", "fe80::/10", "::1/128")]


@dataclass(frozen=True, slots=True)
class Addr:
    """One observed interface address and the block holding it."""

    device: str
    ifname: str
    iface: IpIface
    block: dict[str, Any] | None

    @property
    def subject(self) -> str:
        return f"{self.ifname} {self.iface}"


def _special(iface: IpIface) -> bool:
    return any(iface.ip.version == n.version and iface.ip in n for n in _SPECIAL)


def observed(snapshot: Snapshot) -> dict[str, list[Addr]]:
    """Per device with ``addresses`` state, its addresses with their plan block (memoised).

    Loopback and link-local addresses outside every block are left out: they are host-local
    and never part of a plan (127.0.0.0/8 inside a block -- the lab's management range -- stays).
    """

    def compute() -> dict[str, list[Addr]]:
        out: dict[str, list[Addr]] = {}
        for name, dev in snapshot.devices.items():
            if dev.state.get("addresses") is None:
                continue
            rows = []
            for ifname, iface in addresses(dev.state):
                block = snapshot.block_of(iface)
                if block is None and _special(iface):
                    continue
                rows.append(Addr(name, ifname, iface, block))
            out[name] = rows
        return out

    return snapshot.memo("ipplan.observed", compute)  # type: ignore[no-any-return]


class IpPlanCheck(Check):
    """Shared plumbing: NEEDS_REVIEW for devices without address data, NOT_APPLICABLE without a plan."""

    pack = PACK
    mlps = "8.1.2.1 c"
    needs = ("addresses",)

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        if not snapshot.ip_blocks:
            for dev in snapshot.devices.values():
                if self.applies(dev):
                    yield self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                                       "no IP plan loaded", "未导入 IP 地址规划")
            return
        table = observed(snapshot)
        for name, dev in snapshot.devices.items():
            if not self.applies(dev):
                continue
            if name not in table:
                yield self.finding(name, "", FindingStatus.NEEDS_REVIEW,
                                   "no address data collected from this device",
                                   "未采集到该设备的接口地址")
                continue
            yield from self.evaluate_addresses(dev, table[name], snapshot)

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        """Findings for one device's addresses."""
        raise NotImplementedError
        yield  # pragma: no cover

    def no_addresses(self, dev: DeviceState) -> Finding:
        """The NOT_APPLICABLE finding of a device reporting no routable address."""
        return self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                            "the device reports no interface address", "设备未配置接口地址")


def _allowed_sites(dev: DeviceState, ifname: str, snapshot: Snapshot) -> set[str]:
    sites = set(snapshot.site_chain(dev.device.get("site")))
    peer = snapshot.link_ends.get((dev.name, ifname))
    if peer is not None and peer[0] in snapshot.devices:
        sites |= set(snapshot.site_chain(snapshot.devices[peer[0]].device.get("site")))
    return sites


@checks.register
class AddressOutsideSiteBlock(IpPlanCheck):
    """An interface address lies in a block of another site (not the device's, an ancestor's or a link peer's)."""

    id = "IPPLAN-001"
    title_en = "Interface address inside its site's block"
    title_zh = "接口地址位于本站点地址块内"
    severity = Severity.MAJOR

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        if not addrs:
            yield self.no_addresses(dev)
            return
        for a in addrs:
            if a.block is None:
                yield self.finding(dev.name, a.subject, FindingStatus.NOT_APPLICABLE,
                                   f"{a.iface} is in no plan block (see IPPLAN-005)",
                                   f"{a.iface} 不在任何规划地址块内（见 IPPLAN-005）", observed=str(a.iface))
                continue
            block_site = a.block.get("site")
            allowed = _allowed_sites(dev, a.ifname, snapshot)
            if block_site is None or block_site in allowed:
                yield self.finding(dev.name, a.subject, FindingStatus.PASS,
                                   f"{a.iface} is in {a.block['prefix']} of site {block_site or 'any'}",
                                   f"{a.iface} 位于站点 {block_site or '全局'} 的地址块 {a.block['prefix']}",
                                   observed={"address": str(a.iface), "block": a.block["prefix"],
                                             "block_site": block_site},
                                   expected={"sites": sorted(allowed)})
            else:
                yield self.finding(
                    dev.name, a.subject, FindingStatus.FAIL,
                    f"{a.ifname} {a.iface} is in block {a.block['prefix']} of site {block_site}, "
                    f"but the device is at {dev.device.get('site')}",
                    f"{a.ifname} 地址 {a.iface} 属于站点 {block_site} 的地址块 {a.block['prefix']}，"
                    f"而设备位于 {dev.device.get('site')}",
                    observed={"address": str(a.iface), "block": a.block["prefix"], "block_site": block_site},
                    expected={"sites": sorted(allowed)})


@checks.register
class PrefixLengthNotAllowed(IpPlanCheck):
    """A subnet's prefix length is not one its block allows (e.g. a /24 in a block of /30s)."""

    id = "IPPLAN-002"
    title_en = "Subnet prefix length allowed by its block"
    title_zh = "子网掩码长度符合地址块规定"
    severity = Severity.MINOR

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        checked = 0
        for a in addrs:
            allowed = [int(n) for n in (a.block or {}).get("allowed_prefix_lengths") or []]
            host_route = a.iface.network.prefixlen == a.iface.max_prefixlen
            if not allowed or (host_route and (a.block or {}).get("purpose") == "management"):
                continue  # loopback /32s in the management block are not subnets
            checked += 1
            plen = a.iface.network.prefixlen
            status = FindingStatus.PASS if plen in allowed else FindingStatus.FAIL
            yield self.finding(
                dev.name, a.subject, status,
                f"{a.iface}: prefix length /{plen}, block {a.block['prefix']} allows "  # type: ignore[index]
                f"{', '.join('/' + str(n) for n in allowed)}",
                f"{a.iface}：掩码长度 /{plen}，地址块 {a.block['prefix']} 允许 "  # type: ignore[index]
                f"{'、'.join('/' + str(n) for n in allowed)}",
                observed=plen, expected={"in": allowed})
        if not checked:
            yield self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                               "no address in a block with prefix-length rules",
                               "没有位于规定掩码长度的地址块内的地址")


@checks.register
class DuplicateAddress(IpPlanCheck):
    """The same IP address is configured on more than one device (or interface)."""

    id = "IPPLAN-003"
    title_en = "No duplicate addresses across devices"
    title_zh = "设备间无重复 IP 地址"
    severity = Severity.CRITICAL

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        owners = snapshot.memo("ipplan.owners", lambda: _owners(observed(snapshot)))
        dupes = 0
        for a in addrs:
            others = [o for o in owners[a.iface.ip] if o != (dev.name, a.ifname)]
            if others:
                dupes += 1
                where = ", ".join(f"{d}:{i}" for d, i in others)
                yield self.finding(dev.name, str(a.iface.ip), FindingStatus.FAIL,
                                   f"{a.iface.ip} on {a.ifname} is also configured on {where}",
                                   f"{a.ifname} 的地址 {a.iface.ip} 同时配置在 {where}",
                                   observed=[f"{d}:{i}" for d, i in [(dev.name, a.ifname), *others]],
                                   expected="unique")
        if not dupes:
            yield self.finding(dev.name, "", FindingStatus.PASS,
                               f"all {len(addrs)} addresses are unique", f"{len(addrs)} 个地址均无重复",
                               observed=len(addrs))


def _owners(table: dict[str, list[Addr]]) -> dict[Any, list[tuple[str, str]]]:
    owners: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for rows in table.values():
        for a in rows:
            owners[a.iface.ip].append((a.device, a.ifname))
    return owners


def _overlaps(table: dict[str, list[Addr]]) -> dict[tuple[str, str], list[str]]:
    """(device, subject) -> descriptions of the subnets it conflicts with.

    Conflicts: a subnet strictly containing another one (sorted sweep, O(n log n)), and a
    point-to-point subnet (/30, /31; /126, /127) used by more than two interfaces.
    """
    entries = []
    for rows in table.values():
        for a in rows:
            net = a.iface.network
            if net.prefixlen == net.max_prefixlen:
                continue  # host routes (loopbacks) overlap nothing meaningfully
            entries.append((net.version, int(net.network_address), -net.prefixlen, net, a))
    entries.sort(key=lambda e: e[:3])
    conflicts: dict[tuple[str, str], list[str]] = defaultdict(list)
    stack: list[tuple[Any, Addr]] = []  # enclosing subnets still open
    by_net: dict[Any, list[Addr]] = defaultdict(list)
    for _v, _start, _neg, net, a in entries:
        by_net[net].append(a)
        while stack and not (stack[-1][0].version == net.version and net.subnet_of(stack[-1][0])):
            stack.pop()
        for outer, owner in stack:
            if outer != net:  # strictly containing: two allocations collide
                conflicts[(a.device, a.subject)].append(f"{owner.device}:{owner.ifname} {outer}")
                conflicts[(owner.device, owner.subject)].append(f"{a.device}:{a.ifname} {net}")
        stack.append((net, a))
    for net, owners in by_net.items():
        if net.max_prefixlen - net.prefixlen <= 2 and len({(o.device, o.ifname) for o in owners}) > 2:
            for o in owners:
                others = [f"{p.device}:{p.ifname}" for p in owners if p is not o]
                conflicts[(o.device, o.subject)].append(f"{net} shared with {', '.join(others)}")
    return conflicts


@checks.register
class OverlappingSubnets(IpPlanCheck):
    """Two interfaces hold subnets that overlap without being the same subnet (or a /30 shared by 3+)."""

    id = "IPPLAN-004"
    title_en = "No overlapping subnets"
    title_zh = "子网之间无重叠"
    severity = Severity.MAJOR

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        conflicts = snapshot.memo("ipplan.overlaps", lambda: _overlaps(observed(snapshot)))
        bad = 0
        for a in addrs:
            with_ = conflicts.get((dev.name, a.subject))
            if with_:
                bad += 1
                yield self.finding(dev.name, a.subject, FindingStatus.FAIL,
                                   f"{a.iface.network} on {a.ifname} overlaps {'; '.join(sorted(set(with_)))}",
                                   f"{a.ifname} 的子网 {a.iface.network} 与 {'；'.join(sorted(set(with_)))} 重叠",
                                   observed=str(a.iface.network), expected="no overlap",
                                   conflicts=sorted(set(with_)))
        if not bad:
            yield self.finding(dev.name, "", FindingStatus.PASS,
                               "no subnet of this device overlaps another", "该设备的子网与其他子网无重叠")


@checks.register
class UnplannedSubnet(IpPlanCheck):
    """An interface address lies in no block of the plan (a subnet nobody allocated)."""

    id = "IPPLAN-005"
    title_en = "Every subnet is planned"
    title_zh = "所有子网均在地址规划内"
    severity = Severity.MAJOR

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        bad = 0
        for a in addrs:
            if a.block is None:
                bad += 1
                yield self.finding(dev.name, a.subject, FindingStatus.FAIL,
                                   f"{a.iface.network} on {a.ifname} is in no block of the IP plan",
                                   f"{a.ifname} 的子网 {a.iface.network} 不在 IP 地址规划的任何地址块内",
                                   observed=str(a.iface.network), expected="inside a plan block")
        if not bad:
            yield self.finding(dev.name, "", FindingStatus.PASS,
                               f"all {len(addrs)} addresses are in plan blocks",
                               f"{len(addrs)} 个地址均在规划地址块内", observed=len(addrs))


@checks.register
class ManagementAddressOutsideBlock(Check):
    """A device's management address (the inventory address) is not in a management block of its site.

    An inventory address in 127.0.0.0/8 is a local proxy or simulator endpoint, not the
    device's address: NOT_APPLICABLE.
    """

    id = "IPPLAN-006"
    title_en = "Management address inside the management block"
    title_zh = "管理地址位于管理地址块内"
    severity = Severity.MAJOR
    pack = PACK
    mlps = "8.1.10.2 a"

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        mgmt = [(net, b) for net, b in snapshot.blocks if b.get("purpose") == "management"]
        for dev in snapshot.devices.values():
            if not self.applies(dev):
                continue
            addr = dev.device.get("address")
            if not mgmt:
                yield self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                                   "the IP plan has no management block", "地址规划中没有管理地址块")
                continue
            try:
                ip = ipaddress.ip_address(str(addr))
            except ValueError:
                yield self.finding(dev.name, "", FindingStatus.NEEDS_REVIEW,
                                   f"management address {addr!r} is not an IP address",
                                   f"管理地址 {addr!r} 不是 IP 地址", observed=addr)
                continue
            if ip.is_loopback:
                # a local proxy or simulator endpoint (nms lab): not the device's own address
                yield self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                                   f"managed through the local endpoint {ip}, not a network address",
                                   f"通过本机端点 {ip} 管理，不是网络地址", observed=str(ip))
                continue
            chain = set(snapshot.site_chain(dev.device.get("site")))
            mine = [(net, b) for net, b in mgmt if b.get("site") is None or b.get("site") in chain]
            hit = next((b for net, b in mine if ip.version == net.version and ip in net), None)
            expected = [b["prefix"] for _n, b in mine]
            if hit is not None:
                yield self.finding(dev.name, "", FindingStatus.PASS,
                                   f"management address {ip} is in {hit['prefix']}",
                                   f"管理地址 {ip} 位于管理地址块 {hit['prefix']}",
                                   observed=str(ip), expected={"within_prefix": expected})
            else:
                yield self.finding(dev.name, "", FindingStatus.FAIL,
                                   f"management address {ip} is outside the management block(s) "
                                   f"{', '.join(expected) or '(none for this site)'}",
                                   f"管理地址 {ip} 不在管理地址块 {'、'.join(expected) or '（本站点无）'} 内",
                                   observed=str(ip), expected={"within_prefix": expected})


@checks.register
class ExtranetHoldsIntranetSpace(IpPlanCheck):
    """A device outside the intranet zone holds an address of an intranet block (zones must not mix)."""

    id = "IPPLAN-007"
    title_en = "Extranet device holds no intranet address space"
    title_zh = "外网设备未使用内网地址"
    severity = Severity.CRITICAL
    mlps = "8.1.3.1 a"

    def applies(self, dev: DeviceState) -> bool:
        return dev.device.get("zone") != "intranet"

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        bad = 0
        for a in addrs:
            if a.block is not None and a.block.get("zone") == "intranet":
                bad += 1
                yield self.finding(
                    dev.name, a.subject, FindingStatus.FAIL,
                    f"{dev.device.get('zone')} device holds intranet address {a.iface} "
                    f"(block {a.block['prefix']})",
                    f"{dev.device.get('zone')} 区设备使用了政务内网地址 {a.iface}（地址块 {a.block['prefix']}）",
                    observed={"zone": dev.device.get("zone"), "address": str(a.iface)},
                    expected={"block_zone": "not intranet"})
        if not bad:
            yield self.finding(dev.name, "", FindingStatus.PASS,
                               "no intranet address space on this device", "该设备未使用内网地址")


@checks.register
class GatewayConvention(IpPlanCheck):
    """A router's or firewall's address in a service/user subnet is not the gateway the block prescribes.

    Only service and user blocks have a gateway for hosts; interconnect and management blocks
    are skipped even when they carry a ``gateway`` value.
    """

    id = "IPPLAN-008"
    title_en = "Gateway address follows the plan's convention"
    title_zh = "网关地址符合规划约定"
    severity = Severity.MINOR
    applies_to = {"role": ["router", "firewall"]}

    def evaluate_addresses(self, dev: DeviceState, addrs: list[Addr],
                           snapshot: Snapshot) -> Iterator[Finding]:
        checked = 0
        for a in addrs:
            rule = (a.block or {}).get("gateway")
            net = a.iface.network
            if rule not in ("first", "last") or net.max_prefixlen - net.prefixlen < 2:
                continue
            if (a.block or {}).get("purpose") not in GATEWAY_PURPOSES:
                continue  # interconnect /30s and management loopbacks have no hosts to route
            checked += 1
            want = net.network_address + 1 if rule == "first" else net.broadcast_address - 1
            status = FindingStatus.PASS if a.iface.ip == want else FindingStatus.FAIL
            yield self.finding(dev.name, a.subject, status,
                               f"{a.ifname}: gateway of {net} is {a.iface.ip}, the plan says the {rule} "
                               f"usable address {want}",
                               f"{a.ifname}：子网 {net} 的网关为 {a.iface.ip}，规划约定为"
                               f"{'首个' if rule == 'first' else '最后一个'}可用地址 {want}",
                               observed=str(a.iface.ip), expected=str(want))
        if not checked:
            yield self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                               "no address in a block with a gateway convention",
                               "没有位于约定网关的地址块内的地址")


@checks.register
class LinkMaskMismatch(Check):
    """The two ends of a planned link are not in the same subnet with the same mask."""

    id = "IPPLAN-009"
    title_en = "Both ends of a link share subnet and mask"
    title_zh = "链路两端子网与掩码一致"
    severity = Severity.MAJOR
    pack = PACK
    mlps = "8.1.2.1 c"
    needs = ("addresses",)

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        table = observed(snapshot)
        by_iface: dict[tuple[str, str], list[IpIface]] = defaultdict(list)
        for rows in table.values():
            for a in rows:
                by_iface[(a.device, a.ifname)].append(a.iface)
        for link in snapshot.links:
            a_dev, a_if, b_dev, b_if = (str(link[k]) for k in ("a_device", "a_interface", "b_device",
                                                                "b_interface"))
            subject = f"{a_if} <-> {b_dev}:{b_if}"
            missing = [d for d in (a_dev, b_dev) if d not in table]
            if missing:
                yield self.finding(a_dev, subject, FindingStatus.NEEDS_REVIEW,
                                   f"no address data from {', '.join(missing)}",
                                   f"未采集到 {'、'.join(missing)} 的地址", missing=missing)
                continue
            a_addrs, b_addrs = by_iface.get((a_dev, a_if), []), by_iface.get((b_dev, b_if), [])
            observed_ = {f"{a_dev}:{a_if}": [str(x) for x in a_addrs],
                         f"{b_dev}:{b_if}": [str(x) for x in b_addrs]}
            if not a_addrs or not b_addrs:
                # a switch port facing a router, or an unnumbered link: no mask to compare
                yield self.finding(a_dev, subject, FindingStatus.NOT_APPLICABLE,
                                   "not both ends have an address (layer-2 port or unnumbered link)",
                                   "链路并非两端都有地址（二层端口或借用地址）", observed=observed_)
                continue
            shared = {x.network for x in a_addrs} & {x.network for x in b_addrs}
            if shared:
                yield self.finding(a_dev, subject, FindingStatus.PASS,
                                   f"both ends in {', '.join(map(str, sorted(shared)))}",
                                   f"两端同处子网 {'、'.join(map(str, sorted(shared)))}", observed=observed_)
            else:
                yield self.finding(a_dev, subject, FindingStatus.FAIL,
                                   f"link ends disagree: {a_dev}:{a_if} {', '.join(map(str, a_addrs)) or 'none'}"
                                   f" vs {b_dev}:{b_if} {', '.join(map(str, b_addrs)) or 'none'}",
                                   f"链路两端子网或掩码不一致：{a_dev}:{a_if} {'、'.join(map(str, a_addrs)) or '无'}"
                                   f"，{b_dev}:{b_if} {'、'.join(map(str, b_addrs)) or '无'}",
                                   observed=observed_, expected="same subnet and prefix length")


@checks.register
class BlockUtilisation(Check):
    """How much of each plan block observed subnets use; above the threshold it is time to plan more.

    A block configured whole as one subnet is NOT_APPLICABLE: its fill is host usage, which
    interface addresses do not show.
    """

    id = "IPPLAN-010"
    title_en = "Address block utilisation below threshold"
    title_zh = "地址块使用率低于阈值"
    severity = Severity.WARNING
    pack = PACK
    mlps = "8.1.2.1 c"

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        table = observed(snapshot)
        limit = float(snapshot.param("thresholds.block_utilisation_percent", 80.0))
        if not table:
            for _net, block in snapshot.blocks:
                yield self.finding("", block["prefix"], FindingStatus.NEEDS_REVIEW,
                                   "no address data collected from any device", "未采集到任何设备的地址")
            return
        used = {4: [], 6: []}  # type: dict[int, list[tuple[int, int]]]
        nets = {a.iface.network for rows in table.values() for a in rows}
        for version in (4, 6):
            collapsed = ipaddress.collapse_addresses([n for n in nets if n.version == version])  # type: ignore[misc]
            used[version] = [(int(n.network_address), int(n.broadcast_address)) for n in collapsed]
        starts = {v: [s for s, _e in used[v]] for v in used}
        for net, block in sorted(snapshot.blocks, key=lambda nb: (nb[0].version, nb[0])):
            if net in nets:
                # the block *is* one subnet (a department LAN): how many of its hosts are in use
                # is not visible in interface addresses, so the block's share says nothing
                yield self.finding("", block["prefix"], FindingStatus.NOT_APPLICABLE,
                                   f"block {block['prefix']} is a single subnet; host usage is not collected",
                                   f"地址块 {block['prefix']} 整体为一个子网，未采集主机使用情况",
                                   observed=str(net))
                continue
            lo, hi = int(net.network_address), int(net.broadcast_address)
            ranges, first = used[net.version], starts[net.version]
            i = max(bisect.bisect_right(first, lo) - 1, 0)
            total = 0
            while i < len(ranges) and ranges[i][0] <= hi:
                s, e = ranges[i]
                if e >= lo:
                    total += min(e, hi) - max(s, lo) + 1
                i += 1
            pct = round(100.0 * total / net.num_addresses, 2)
            status = FindingStatus.PASS if pct <= limit else FindingStatus.FAIL
            yield self.finding("", block["prefix"], status,
                               f"block {block['prefix']} ({block.get('purpose')}, site "
                               f"{block.get('site') or '-'}) is {pct}% used",
                               f"地址块 {block['prefix']}（{block.get('purpose')}，站点 "
                               f"{block.get('site') or '-'}）使用率 {pct}%",
                               observed=pct, expected={"max": limit}, used_addresses=total,
                               size=net.num_addresses)
