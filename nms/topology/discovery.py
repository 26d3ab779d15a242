"""Discover links from collected state: LLDP-MIB neighbours first, IP-MIB /30 and /31 as fallback.

Input: ``state`` as :func:`nms.state.load_state` returns it -- ``{device: {getter: data}}`` with
the getters the SNMP collector fills (``facts``, ``interfaces``, ``addresses``,
``lldp_neighbors``; see ``collectors/snmp/state.py``) -- and the inventory's devices
(:class:`DeviceInfo`). Output: :class:`DiscoveredLink` s between (device, ifIndex) endpoints,
each saying how it was found and how sure we are.

Why this is more than a join on lldpRemSysName: across vendors the two ends of a link describe
each other differently.

* The neighbour's *identity* arrives as a chassis ID (a MAC on most gear, a name or an address on
  some), a system name that may carry a domain (``lab-er100.lab.local``) or be anonymised, and a
  management address that may be an in-band or out-of-band one. Each is tried
  (:meth:`NetworkIndex.identify`) and the candidates vote; the winning method is recorded.
* The neighbour's *port* arrives with a subtype (LLDP-MIB ``LldpPortIdSubtype``):
  ``interfaceName`` (often abbreviated: ``Gi0/1``), ``interfaceAlias`` (the ifAlias text),
  ``macAddress`` (shared by every port of many routers), ``networkAddress``, or ``local`` (Junos
  EX sends the ifIndex, ``"612"``, with the real name in lldpRemPortDesc). :meth:`DeviceView.
  resolve_remote_port` tries what the subtype means first, then the port description, then
  loose name forms (``ifnames.port_key``); a port that stays ambiguous is left unknown rather
  than guessed, and may still be filled from the other end's own LLDP table when the two half
  links are merged.
* Devices without LLDP (firewalls, servers, older CPE) still share a /30 or /31 with their
  neighbour: two interfaces of two different devices in one such subnet are a link
  (``sources == ("subnet",)``), unless one of those ports already has an LLDP link.

Nothing here does I/O; it only reads the state dicts, so it runs the same on live polls, stored
state, recordings and the benchmark's generated networks.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nms.topology.ifnames import host_key, loose_port_key, mac_key, port_key

# LLDP-MIB LldpChassisIdSubtype / LldpPortIdSubtype, for agents (or tests) giving numbers
CHASSIS_SUBTYPES = {1: "chassisComponent", 2: "interfaceAlias", 3: "portComponent",
                    4: "macAddress", 5: "networkAddress", 6: "interfaceName", 7: "local"}
PORT_SUBTYPES = {1: "interfaceAlias", 2: "portComponent", 3: "macAddress", 4: "networkAddress",
                 5: "interfaceName", 6: "agentCircuitId", 7: "local"}
LEVEL_ORDER = {"province": 0, "city": 1, "county": 2, "township": 3}
P2P_PREFIX_LENGTHS = (30, 31)
# names LibreNMS and vendors use when a value was scrubbed; never an identity
_ANONYMOUS = {"", "<private>", "private", "unknown", "none", "(none)", "localhost"}


@dataclass(frozen=True)
class DeviceInfo:
    """What the inventory says about a device (plain data; see ``nms.topology.store``).

    ``level`` is the level of the device's site (city / county / township), ``county`` the code
    of the county the site belongs to (None at city level).
    """

    name: str
    address: str | None = None
    role: str = "router"
    site: str | None = None
    site_name: str | None = None
    county: str | None = None
    county_name: str | None = None
    level: str | None = None
    vendor: str | None = None
    platform: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DeviceInfo:
        """Build from a dict with at least ``name`` (unknown keys are ignored)."""
        known: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        known["name"] = str(data["name"])
        if known.get("role") is None:
            known.pop("role", None)
        return cls(**known)


@dataclass(frozen=True)
class Endpoint:
    """One end of a link: a device and its interface (ifIndex when known, and a display name)."""

    device: str
    ifindex: int | None = None
    port: str | None = None

    def key(self) -> tuple[str, str]:
        """Identity of the endpoint: the ifIndex when known, else the normalized port name."""
        if self.ifindex is not None:
            return (self.device, f"#{self.ifindex}")
        return (self.device, f"~{port_key(self.port)}" if self.port else "?")


@dataclass
class DiscoveredLink:
    """A link found in collected state.

    Attributes:
        a, b: the endpoints (``b.ifindex``/``b.port`` may be None when the far port could not be
            resolved without guessing).
        sources: ``lldp`` and/or ``subnet``.
        confirmed: both ends reported each other by LLDP.
        matched_by: how the neighbour was identified (``mgmt_address``, ``chassis_mac``,
            ``sysname``...) -- evidence for the operator.
        managed: False when ``b`` is a neighbour that is not in the inventory.
    """

    a: Endpoint
    b: Endpoint
    sources: set[str] = field(default_factory=set)
    confirmed: bool = False
    matched_by: list[str] = field(default_factory=list)
    managed: bool = True
    remote: dict[str, Any] = field(default_factory=dict)

    def key(self) -> frozenset[tuple[str, str]]:
        """Order-free identity of the link."""
        return frozenset((self.a.key(), self.b.key()))


@dataclass(frozen=True)
class Neighbour:
    """One LLDP remote-table row, normalized (subtypes as LLDP-MIB names)."""

    local_device: str
    local_ifindex: int | None
    local_port: str | None
    chassis_id: str | None
    chassis_subtype: str | None
    port_id: str | None
    port_subtype: str | None
    port_description: str | None
    sysname: str | None
    mgmt_address: str | None
    system_description: str | None = None


def _subtype(value: Any, table: Mapping[int, str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return table.get(int(value), str(value))
    return str(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def neighbours_of(device: str, data: Any) -> list[Neighbour]:
    """Normalize a device's ``lldp_neighbors`` state.

    Accepts the SNMP collector's list of rows (``local_ifIndex``, ``remote_chassis_id``,
    ``remote_port_id``, ``..._subtype``, ``remote_port_description``, ``remote_sysname``,
    ``remote_mgmt_address``) and napalm's ``get_lldp_neighbors`` shape
    (``{local_port: [{"hostname", "port"}]}``), so SSH collectors feed the same discovery.
    """
    out: list[Neighbour] = []
    if isinstance(data, Mapping):  # napalm get_lldp_neighbors / get_lldp_neighbors_detail
        for local_port, rows in data.items():
            for row in rows or []:
                out.append(Neighbour(
                    local_device=device, local_ifindex=None, local_port=_text(local_port),
                    chassis_id=_text(row.get("remote_chassis_id")),
                    chassis_subtype=None,
                    port_id=_text(row.get("port") or row.get("remote_port")),
                    port_subtype=None,
                    port_description=_text(row.get("remote_port_description")),
                    sysname=_text(row.get("hostname") or row.get("remote_system_name")),
                    mgmt_address=None,
                    system_description=_text(row.get("remote_system_description"))))
        return out
    for row in data or []:
        if not isinstance(row, Mapping):
            continue
        local_ifindex = _int(row.get("local_ifIndex"))
        out.append(Neighbour(
            local_device=device,
            local_ifindex=local_ifindex,
            local_port=_text(row.get("local_port")),
            chassis_id=_text(row.get("remote_chassis_id")),
            chassis_subtype=_subtype(row.get("remote_chassis_id_subtype"), CHASSIS_SUBTYPES),
            port_id=_text(row.get("remote_port_id")),
            port_subtype=_subtype(row.get("remote_port_id_subtype"), PORT_SUBTYPES),
            port_description=_text(row.get("remote_port_description")
                                   or row.get("remote_port_desc")),
            sysname=_text(row.get("remote_sysname")),
            mgmt_address=_text(row.get("remote_mgmt_address")),
            system_description=_text(row.get("remote_system_description"))))
    return out


def _ipv4_network(address: str, plen: int) -> tuple[int, int] | None:
    """(network address as int, prefix length) of an IPv4 interface address; None otherwise.

    Plain integer arithmetic: ``ipaddress`` objects cost ~40 us each, too slow for 10^5 rows.
    """
    try:
        value = int.from_bytes(socket.inet_aton(address), "big") if address.count(".") == 3 else None
    except OSError:
        return None
    if value is None or not 0 <= plen <= 32:
        return None
    mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF
    return (value & mask, plen)


def _unique(values: Iterable[int]) -> int | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None


class DeviceView:
    """One device's interfaces, indexed every way a neighbour may name them."""

    def __init__(self, info: DeviceInfo, state: Mapping[str, Any] | None) -> None:
        self.info = info
        self.name = info.name
        state = state or {}
        self.facts: Mapping[str, Any] = state.get("facts") or {}
        self.interfaces: dict[int, Mapping[str, Any]] = {}
        for row in state.get("interfaces") or []:
            idx = _int(row.get("ifIndex"))
            if idx is not None:
                self.interfaces[idx] = row
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._key: dict[str, set[int]] = defaultdict(set)
        self._loose: dict[str, set[int]] = defaultdict(set)
        self._alias: dict[str, set[int]] = defaultdict(set)
        self.macs: dict[str, set[int]] = defaultdict(set)
        for idx, row in self.interfaces.items():
            for col in ("ifName", "ifDescr", "name"):
                value = _text(row.get(col))
                if value:
                    self._exact[value.lower()].add(idx)
                    self._key[port_key(value)].add(idx)
                    self._loose[loose_port_key(value)].add(idx)
            alias = _text(row.get("ifAlias"))
            if alias:
                self._alias[alias.lower()].add(idx)
            mac = mac_key(row.get("ifPhysAddress") or row.get("mac_address"))
            if mac:
                self.macs[mac].add(idx)
        self.addresses: dict[str, int] = {}
        self.subnets: list[tuple[tuple[int, int], int]] = []  # ((network as int, length), ifIndex)
        for row in state.get("addresses") or []:
            idx = _int(row.get("ifIndex"))
            addr = _text(row.get("address"))
            if idx is None or not addr:
                continue
            self.addresses[addr] = idx
            plen = _int(row.get("prefix_length"))
            if plen in P2P_PREFIX_LENGTHS:  # only point-to-point subnets are ever used
                net = _ipv4_network(addr, plen)
                if net is not None:
                    self.subnets.append((net, idx))
        self.neighbours = neighbours_of(info.name, state.get("lldp_neighbors"))
        self.has_state = bool(state)

    # ------------------------------------------------------------------ names
    def port_name(self, ifindex: int | None) -> str | None:
        """Display name of an interface: ifName, else ifDescr, else the ifIndex."""
        if ifindex is None:
            return None
        row = self.interfaces.get(ifindex)
        if row is None:
            return str(ifindex)
        return _text(row.get("ifName")) or _text(row.get("ifDescr")) or str(ifindex)

    def oper_status(self, ifindex: int | None) -> str | None:
        """ifOperStatus of an interface (``up``, ``down``, ``lowerLayerDown``...), None if unknown."""
        row = self.interfaces.get(ifindex) if ifindex is not None else None
        if row is None:
            return None
        status = row.get("ifOperStatus")
        if status is None and "is_up" in row:
            status = "up" if row["is_up"] else "down"
        return None if status is None else str(status)

    def admin_status(self, ifindex: int | None) -> str | None:
        """ifAdminStatus of an interface, None if unknown."""
        row = self.interfaces.get(ifindex) if ifindex is not None else None
        return None if row is None or row.get("ifAdminStatus") is None else str(row["ifAdminStatus"])

    def speed_bps(self, ifindex: int | None) -> int | None:
        """Interface speed in bit/s (None when unknown or 0)."""
        row = self.interfaces.get(ifindex) if ifindex is not None else None
        if row is None:
            return None
        speed = _int(row.get("speed_bps"))
        return speed or None

    def resolve_name(self, name: str | None, *, alias: bool = True) -> int | None:
        """ifIndex of the interface called ``name`` in any spelling; None if none or ambiguous."""
        text = _text(name)
        if not text:
            return None
        for table, key in ((self._exact, text.lower()), (self._key, port_key(text))):
            hit = _unique(table.get(key, ()))
            if hit is not None:
                return hit
        if alias:
            hit = _unique(self._alias.get(text.lower(), ()))
            if hit is not None:
                return hit
        return _unique(self._loose.get(loose_port_key(text), ()))

    def resolve_remote_port(self, n: Neighbour) -> tuple[int | None, str]:
        """Which of *our* interfaces the neighbour row ``n`` (seen by another device) names.

        Returns:
            (ifIndex or None, the method that found it or why not).
        """
        subtype = n.port_subtype
        pid = n.port_id
        if pid:
            if subtype == "macAddress":
                mac = mac_key(pid)
                hits = self.macs.get(mac, set()) if mac else set()
                if len(hits) == 1:
                    return next(iter(hits)), "port_mac"
                if len(hits) > 1 and n.port_description:  # routers share one MAC on all ports
                    hit = self.resolve_name(n.port_description)
                    if hit in hits:
                        return hit, "port_mac+description"
            elif subtype == "networkAddress":
                hit = self.addresses.get(pid)
                if hit is not None:
                    return hit, "port_address"
            elif subtype == "interfaceAlias":
                hit = _unique(self._alias.get(pid.lower(), ()))
                if hit is not None:
                    return hit, "port_alias"
                hit = self.resolve_name(pid)
                if hit is not None:
                    return hit, "port_name"
            else:  # interfaceName, local, portComponent, agentCircuitId, unknown
                hit = self.resolve_name(pid, alias=False)
                if hit is not None:
                    return hit, "port_name"
                number = _int(pid)
                if subtype in ("local", None) and number is not None and number in self.interfaces:
                    return number, "port_ifindex"
        if n.port_description:
            hit = self.resolve_name(n.port_description)
            if hit is not None:
                return hit, "port_description"
        if pid and subtype not in ("macAddress", "networkAddress"):
            hit = self.resolve_name(pid)
            if hit is not None:
                return hit, "port_alias"
        return None, "port_unresolved"

    def local_ifindex(self, n: Neighbour) -> int | None:
        """Our port of one of our own neighbour rows."""
        if n.local_ifindex is not None:
            return n.local_ifindex
        return self.resolve_name(n.local_port)


class NetworkIndex:
    """Every managed device, indexed by the identities an LLDP neighbour can present."""

    def __init__(self, views: Mapping[str, DeviceView]) -> None:
        self.views = views
        self._names: dict[str, set[str]] = defaultdict(set)
        self._addresses: dict[str, set[str]] = defaultdict(set)
        self._macs: dict[str, set[str]] = defaultdict(set)
        for name, view in views.items():
            self._names[host_key(name)].add(name)
            for key in ("sysName", "hostname", "fqdn"):
                value = _text(view.facts.get(key))
                if value and host_key(value) not in _ANONYMOUS:
                    self._names[host_key(value)].add(name)
            if view.info.address:
                self._addresses[view.info.address].add(name)
            for addr in view.addresses:
                self._addresses[addr].add(name)
            for mac in view.macs:
                self._macs[mac].add(name)
            chassis = mac_key(view.facts.get("lldpLocChassisId") or view.facts.get("chassis_id"))
            if chassis:
                self._macs[chassis].add(name)

    def identify(self, n: Neighbour) -> tuple[str | None, list[str]]:
        """The managed device an LLDP row describes, and the methods that agree on it.

        Votes: management address, chassis ID (as MAC, as address, as name), system name. A
        method whose answer is ambiguous (the same MAC on two devices, say) does not vote. The
        device with most votes wins; a tie goes to the stronger method (address, then MAC,
        then name). None when nothing matches.
        """
        votes: list[tuple[str, str]] = []

        def vote(method: str, candidates: set[str] | None) -> None:
            if candidates and len(candidates) == 1:
                votes.append((method, next(iter(candidates))))

        if n.mgmt_address:
            vote("mgmt_address", self._addresses.get(n.mgmt_address))
        if n.chassis_id:
            mac = mac_key(n.chassis_id) if n.chassis_subtype in ("macAddress", None) else None
            if mac:
                vote("chassis_mac", self._macs.get(mac))
            elif n.chassis_subtype == "networkAddress":
                vote("chassis_address", self._addresses.get(n.chassis_id))
            elif host_key(n.chassis_id) not in _ANONYMOUS:
                vote("chassis_name", self._names.get(host_key(n.chassis_id)))
        if n.sysname and host_key(n.sysname) not in _ANONYMOUS:
            vote("sysname", self._names.get(host_key(n.sysname)))
        if not votes:
            return None, []
        tally: dict[str, list[str]] = defaultdict(list)
        for method, device in votes:
            tally[device].append(method)
        best = max(tally.items(), key=lambda item: (len(item[1]), -_rank(item[1][0])))
        return best[0], best[1]


def _rank(method: str) -> int:
    order = ("mgmt_address", "chassis_address", "chassis_mac", "chassis_name", "sysname")
    return order.index(method) if method in order else len(order)


def build_views(devices: Iterable[DeviceInfo | Mapping[str, Any]],
                state: Mapping[str, Mapping[str, Any]]) -> dict[str, DeviceView]:
    """A :class:`DeviceView` per inventory device, plus one per device that only has state."""
    views: dict[str, DeviceView] = {}
    for dev in devices:
        info = dev if isinstance(dev, DeviceInfo) else DeviceInfo.from_mapping(dev)
        views[info.name] = DeviceView(info, state.get(info.name))
    for name, data in state.items():
        if name not in views:
            views[name] = DeviceView(DeviceInfo(name=name), data)
    return views


def unmanaged_id(n: Neighbour) -> str:
    """Node id for an LLDP neighbour that is not in the inventory (stable across polls)."""
    if n.sysname and host_key(n.sysname) not in _ANONYMOUS:
        return f"lldp:{n.sysname}"
    if n.chassis_id:
        return f"lldp:{mac_key(n.chassis_id) or n.chassis_id}"
    return f"lldp:{n.local_device}:{n.local_ifindex}"


def _half_links(views: Mapping[str, DeviceView], index: NetworkIndex) -> list[DiscoveredLink]:
    halves: list[DiscoveredLink] = []
    for view in views.values():
        for n in view.neighbours:
            lif = view.local_ifindex(n)
            local = Endpoint(view.name, lif, view.port_name(lif) if lif is not None else n.local_port)
            remote_name, matched_by = index.identify(n)
            remote_info = {"sysname": n.sysname, "chassis_id": n.chassis_id,
                           "chassis_subtype": n.chassis_subtype, "port_id": n.port_id,
                           "port_subtype": n.port_subtype, "port_description": n.port_description,
                           "mgmt_address": n.mgmt_address,
                           "system_description": n.system_description}
            if remote_name is None:
                halves.append(DiscoveredLink(
                    local, Endpoint(unmanaged_id(n), None, n.port_id or n.port_description),
                    {"lldp"}, False, [], managed=False, remote=remote_info))
                continue
            if remote_name == view.name:
                continue  # our own frames looped back (a hub, a misconfigured bridge)
            remote = views[remote_name]
            rif, how = remote.resolve_remote_port(n)
            port = remote.port_name(rif) if rif is not None else None
            halves.append(DiscoveredLink(local, Endpoint(remote_name, rif, port), {"lldp"},
                                         False, [*matched_by, how], remote=remote_info))
    return halves


def _merge(halves: list[DiscoveredLink]) -> list[DiscoveredLink]:
    """Join the two half links of each link (A saw B and B saw A) into one."""
    merged: dict[frozenset[tuple[str, str]], DiscoveredLink] = {}
    pending: list[DiscoveredLink] = []
    for h in halves:
        if h.a.ifindex is None or h.b.ifindex is None or not h.managed:
            pending.append(h)
            continue
        key = h.key()
        if key in merged:
            merged[key].confirmed = True
            merged[key].matched_by = sorted(set(merged[key].matched_by) | set(h.matched_by))
        else:
            merged[key] = h
    used = {ep for link in merged.values() for ep in (link.a.key(), link.b.key())}
    # A half whose far port is unknown: the far device may have told us its port in its own
    # table (its row pointing back at our port). Fill it from there when exactly one matches.
    for h in pending:
        if not h.managed or h.a.ifindex is None:
            continue
        if h.a.key() in used:
            for link in merged.values():  # already covered by a resolved half from the far side
                ends = {link.a.key(): link.b, link.b.key(): link.a}
                if h.a.key() in ends and ends[h.a.key()].device == h.b.device:
                    link.confirmed = True
                    link.matched_by = sorted(set(link.matched_by) | set(h.matched_by))
            continue
        reverse = [o for o in pending if o.managed and o is not h and o.a.device == h.b.device
                   and o.b.device == h.a.device and o.a.ifindex is not None
                   and o.b.ifindex in (None, h.a.ifindex)]
        exact = [o for o in reverse if o.b.ifindex == h.a.ifindex]
        chosen = exact if exact else reverse
        if len(chosen) == 1 and chosen[0].a.key() not in used:
            far = chosen[0].a
            link = DiscoveredLink(h.a, far, {"lldp"}, True,
                                  sorted(set(h.matched_by) | set(chosen[0].matched_by)),
                                  remote=h.remote)
            merged[link.key()] = link
            used.update((h.a.key(), far.key()))
    leftovers = [h for h in pending if not (
        h.a.key() in used or (h.managed and h.b.ifindex is not None and h.b.key() in used))]
    # Parallel links whose far ports stay unknown from both sides cannot be paired; keep the
    # halves of one side only (the one that sees more), so each cable is counted once.
    sides: dict[frozenset[str], dict[str, list[DiscoveredLink]]] = defaultdict(
        lambda: defaultdict(list))
    for h in leftovers:
        if h.managed and h.b.ifindex is None:
            sides[frozenset((h.a.device, h.b.device))][h.a.device].append(h)
    dropped: set[int] = set()
    for by_side in sides.values():
        if len(by_side) == 2:
            ranked = sorted(by_side.items(), key=lambda item: (-len(item[1]), item[0]))
            dropped.update(id(h) for h in ranked[1][1])
    for h in leftovers:
        if id(h) in dropped:
            continue
        key = h.key()
        if key not in merged:
            merged[key] = h
            if h.a.ifindex is not None:
                used.add(h.a.key())
    return list(merged.values())


def subnet_links(views: Mapping[str, DeviceView],
                 prefix_lengths: tuple[int, ...] = P2P_PREFIX_LENGTHS) -> list[DiscoveredLink]:
    """Links implied by two devices' interfaces sharing one point-to-point subnet (/30, /31)."""
    members: dict[tuple[int, int], set[tuple[str, int]]] = defaultdict(set)
    for view in views.values():
        for network, ifindex in view.subnets:
            if network[1] in prefix_lengths:
                members[network].add((view.name, ifindex))
    links = []
    for network, ends in sorted(members.items()):
        devices = {d for d, _ in ends}
        if len(ends) != 2 or len(devices) != 2:
            continue  # a subnet seen on one device only, or three parties: not a p2p link
        (da, ia), (db, ib) = sorted(ends)
        text = f"{ipaddress.IPv4Address(network[0])}/{network[1]}"
        links.append(DiscoveredLink(
            Endpoint(da, ia, views[da].port_name(ia)), Endpoint(db, ib, views[db].port_name(ib)),
            {"subnet"}, False, [f"subnet {text}"]))
    return links


def discover_links(views: Mapping[str, DeviceView], *, use_subnets: bool = True) -> list[DiscoveredLink]:
    """Every link the state shows: LLDP links, then subnet links on ports LLDP left unexplained.

    A subnet link on exactly the ports of an LLDP link adds ``subnet`` to that link's sources
    (two independent witnesses); one touching a port that already has an LLDP link elsewhere is
    dropped, because LLDP saw the actual cable.
    """
    index = NetworkIndex(views)
    links = _merge(_half_links(views, index))
    if not use_subnets:
        return links
    by_key = {link.key(): link for link in links}
    taken = {ep for link in links if link.managed for ep in (link.a.key(), link.b.key())
             if not ep[1].startswith("?")}
    for link in subnet_links(views):
        if link.key() in by_key:
            by_key[link.key()].sources.add("subnet")
            continue
        if link.a.key() in taken or link.b.key() in taken:
            continue
        links.append(link)
    return links


def level_rank(level: str | None) -> int:
    """Sort key of a site level: city before county before township; unknown last."""
    return LEVEL_ORDER.get(level or "", len(LEVEL_ORDER))
