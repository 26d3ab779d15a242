"""Generate a city → county → township network as *polled-shaped* state (no devices needed).

Why: the topology code must be tested and benchmarked on networks far larger than any lab, with
the vendor mix that makes discovery hard. ``generate_network`` returns exactly what the SNMP
collector stores per device (``facts``, ``interfaces``, ``addresses``, ``lldp_neighbors``; the
shapes of ``collectors/snmp/state.py``), the inventory devices and the planned links. Each vendor
advertises itself over LLDP the way that vendor does:

=========  ==========================  ===========================================================
vendor     interface names             LLDP it sends about its own ports
=========  ==========================  ===========================================================
huawei     GigabitEthernet0/0/N        interfaceName, full name; chassis = MAC; FQDN sysName
h3c        GigabitEthernet1/0/N        interfaceName, full name; chassis = MAC
cisco      Gi0/N (ifDescr full)        interfaceName, abbreviated; chassis = MAC; no mgmt address
ruijie     GigabitEthernet 0/N         interfaceName *abbreviated* ("Gi0/N"); chassis = MAC
zte        gei-0/1/0/N                 local = ifIndex ("1003"), name in PortDesc; chassis = its
                                       address (networkAddress); upper-case sysName
linux      ethN (servers)              macAddress, name in PortDesc (lldpd defaults)
=========  ==========================  ===========================================================

Firewalls and half of the servers speak no LLDP: they are linked by /30 or /31 only, which
exercises the IP-MIB fallback. Deterministic for a given seed.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ROUTER_VENDORS = ("huawei", "h3c", "cisco", "ruijie", "zte")


def _ifname(vendor: str, n: int) -> tuple[str, str]:
    """(ifName, ifDescr) of port ``n`` for a vendor."""
    if vendor == "huawei":
        return f"GigabitEthernet0/0/{n}", f"GigabitEthernet0/0/{n}"
    if vendor == "h3c":
        return f"GigabitEthernet1/0/{n}", f"GigabitEthernet1/0/{n} Interface"
    if vendor == "cisco":
        return f"Gi0/{n}", f"GigabitEthernet0/{n}"
    if vendor == "ruijie":
        return f"GigabitEthernet 0/{n}", f"GigabitEthernet 0/{n}"
    if vendor == "zte":
        return f"gei-0/1/0/{n}", f"gei-0/1/0/{n}"
    return f"eth{n}", f"eth{n}"


@dataclass
class _Dev:
    name: str
    vendor: str
    role: str
    site: str
    address: str
    lldp: bool
    base_mac: int
    ports: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    neighbours: list[dict[str, Any]] = field(default_factory=list)

    def new_port(self, speed_bps: int) -> dict[str, Any]:
        n = len(self.ports) + 1
        name, descr = _ifname(self.vendor, n)
        mac = self.base_mac if self.vendor in ("huawei", "zte") else self.base_mac + n
        port = {"ifIndex": 1000 + n if self.vendor == "zte" else n, "ifName": name,
                "ifDescr": descr, "ifAlias": "", "speed_bps": speed_bps, "ifAdminStatus": "up",
                "ifOperStatus": "up", "ifPhysAddress": f"{mac:012x}", "ifType": "ethernetCsmacd"}
        self.ports.append(port)
        return port

    def lldp_port_id(self, port: dict[str, Any]) -> tuple[str, str, str | None]:
        """(port id, subtype, port description) this device advertises for ``port``."""
        if self.vendor == "cisco":
            return port["ifName"], "interfaceName", port["ifDescr"]
        if self.vendor == "ruijie":
            return port["ifName"].replace("GigabitEthernet ", "Gi"), "interfaceName", None
        if self.vendor == "zte":
            return str(port["ifIndex"]), "local", port["ifName"]
        if self.vendor == "linux":
            mac = port["ifPhysAddress"]
            return ":".join(mac[i:i + 2] for i in range(0, 12, 2)), "macAddress", port["ifName"]
        return port["ifName"], "interfaceName", port["ifDescr"]

    def chassis(self) -> tuple[str, str]:
        if self.vendor == "zte":
            return self.address, "networkAddress"
        mac = f"{self.base_mac:012x}"
        return ":".join(mac[i:i + 2] for i in range(0, 12, 2)), "macAddress"

    def sysname(self) -> str:
        if self.vendor == "huawei":
            return f"{self.name}.zwww.gov.cn"
        if self.vendor == "zte":
            return self.name.upper()
        return self.name


@dataclass
class Network:
    """A generated network: inventory devices, planned links and collected state."""

    devices: list[dict[str, Any]]
    links: list[dict[str, Any]]
    state: dict[str, dict[str, Any]]
    sites: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.devices)


def _addresses(base: str) -> Iterator[ipaddress.IPv4Address]:
    yield from ipaddress.IPv4Network(base).hosts()


def generate_network(counties: int = 6, townships_per_county: int = 5, *, seed: int = 2026,
                     servers: bool = True, firewalls: bool = True,
                     prefix: str = "198.18.0.0/15") -> Network:
    """Generate a network of 1 city core + ``counties`` county routers + townships.

    Args:
        counties: county aggregation routers, each linked to the city core.
        townships_per_county: township access routers per county.
        seed: vendor mix and link speeds are drawn from ``random.Random(seed)``.
        servers: a server at the city and at every county site (every other one without LLDP,
            linked by /31).
        firewalls: a firewall at the city and at every county (no LLDP, linked by /30).
        prefix: where loopbacks and /30s come from (no traffic is ever sent to them).

    Returns:
        The :class:`Network`.
    """
    rng = random.Random(seed)
    pool = _addresses(prefix)
    mac_counter = [0x0200_0000_0000]
    devs: dict[str, _Dev] = {}
    sites: list[dict[str, Any]] = [{"code": "city", "name": "示范市", "level": "city", "parent": None}]
    device_rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def add(name: str, vendor: str, role: str, site: str, level: str, county: str | None,
            lldp: bool) -> _Dev:
        mac_counter[0] += 0x100
        dev = _Dev(name, vendor, role, site, str(next(pool)), lldp, mac_counter[0])
        dev.addresses.append({"ifIndex": 0, "address": dev.address, "prefix_length": 32,
                              "family": 4})
        devs[name] = dev
        device_rows.append({"name": name, "address": dev.address, "role": role, "vendor": vendor,
                            "site": site, "level": level, "county": county,
                            "site_name": site, "zone": "extranet"})
        return dev

    def connect(a: _Dev, b: _Dev, tier: str, speed: int, plen: int = 30) -> None:
        pa, pb = a.new_port(speed), b.new_port(speed)
        size = 2 if plen == 31 else 4
        first = next(pool)
        while int(first) % size != 0:
            first = next(pool)
        for _ in range(size - 1):
            next(pool)
        ips = list(ipaddress.ip_network(f"{first}/{plen}").hosts())
        a.addresses.append({"ifIndex": pa["ifIndex"], "address": str(ips[0]), "prefix_length": plen,
                            "family": 4})
        b.addresses.append({"ifIndex": pb["ifIndex"], "address": str(ips[1]), "prefix_length": plen,
                            "family": 4})
        links.append({"a_device": a.name, "a_interface": pa["ifName"], "b_device": b.name,
                      "b_interface": pb["ifName"], "tier": tier, "bandwidth_mbps": speed // 10**6})
        for here, hp, there, tp in ((a, pa, b, pb), (b, pb, a, pa)):
            if not (here.lldp and there.lldp):
                continue
            pid, subtype, desc = there.lldp_port_id(tp)
            chassis, csub = there.chassis()
            here.neighbours.append({
                "local_ifIndex": hp["ifIndex"], "local_port_num": hp["ifIndex"],
                "remote_chassis_id": chassis, "remote_chassis_id_subtype": csub,
                "remote_port_id": pid, "remote_port_id_subtype": subtype,
                "remote_port_description": desc, "remote_sysname": there.sysname(),
                "remote_system_description": f"{there.vendor} device",
                "remote_mgmt_address": None if there.vendor == "cisco" else there.address})

    core = add("city-core-r1", "huawei", "router", "city", "city", None, True)
    if firewalls:
        connect(core, add("city-fw1", "hillstone", "firewall", "city", "city", None, False),
                "core", 10**10)
    if servers:
        connect(core, add("city-srv1", "linux", "server", "city", "city", None, True), "core",
                10**10, 31)
    for c in range(1, counties + 1):
        code = f"county{c:02d}"
        sites.append({"code": code, "name": f"县{c:02d}", "level": "county", "parent": "city"})
        county = add(f"{code}-agg-r1", rng.choice(ROUTER_VENDORS), "router", code, "county",
                     code, True)
        connect(core, county, "county", rng.choice((10**9, 10**10)))
        if firewalls:
            connect(county, add(f"{code}-fw1", "hillstone", "firewall", code, "county", code,
                                False), "county", 10**9)
        if servers:
            lldp = c % 2 == 0
            connect(county, add(f"{code}-srv1", "linux", "server", code, "county", code, lldp),
                    "county", 10**9, 31)
        for t in range(1, townships_per_county + 1):
            tcode = f"{code}-town{t:03d}"
            sites.append({"code": tcode, "name": f"镇{c:02d}-{t:03d}", "level": "township",
                          "parent": code})
            town = add(f"{tcode}-r1", rng.choice(ROUTER_VENDORS), "router", tcode, "township",
                       code, True)
            connect(county, town, "township", rng.choice((10**8, 10**9)))
    state: dict[str, dict[str, Any]] = {}
    for name, dev in devs.items():
        state[name] = {
            "facts": {"sysName": dev.sysname(), "sysDescr": f"{dev.vendor} {dev.role}",
                      "vendor": dev.vendor},
            "interfaces": dev.ports,
            "addresses": dev.addresses,
            "lldp_neighbors": dev.neighbours,
        }
    return Network(device_rows, links, state, sites)


def network_of_size(devices: int, *, seed: int = 2026) -> Network:
    """A generated network with about ``devices`` devices (20 townships per county)."""
    per_county = 20
    extras_per_county = 2  # firewall + server
    counties = max(1, round((devices - 3) / (per_county + 1 + extras_per_county)))
    return generate_network(counties, per_county, seed=seed)


def cut_link(net: Network, link: dict[str, Any]) -> None:
    """Simulate a cable cut on a planned link: both ports oper-down, LLDP rows on them gone."""
    for device, port in ((link["a_device"], link["a_interface"]),
                         (link["b_device"], link["b_interface"])):
        dev_state = net.state[device]
        for row in dev_state["interfaces"]:
            if row["ifName"] == port:
                row["ifOperStatus"] = "down"
                dev_state["lldp_neighbors"] = [n for n in dev_state["lldp_neighbors"]
                                               if n["local_ifIndex"] != row["ifIndex"]]
