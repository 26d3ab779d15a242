"""Generate the simulated township-to-city e-government network served by ``nms lab``.

Input: a ``LabConfig`` (counties, townships per county, seed, community, loopback prefix, port)
and the vendor profiles in ``vendors.yaml``. Output, under ``out_dir`` (the same seed always
gives byte-identical files):

  data/<community>.snmprec                 fallback recording; makes snmpsim accept the community
  data/<md5(community)>/1.3.6.1.6.1.1.N.snmprec
                                           one recording per device, answered on the device's
                                           own address (the N-th snmpsim endpoint; see snmpsim.py)
  inventory.yaml                           sites, devices, planned interfaces, links, IP blocks
                                           (the format inventory/io.py imports)
  ipplan.yaml                              {blocks: [...]}, the IP plan alone
  faults.yaml                              the faults planted on purpose, machine-readable
  manifest.yaml                            device -> address, port, endpoint index, recording;
                                           plus the fingerprint of the config that made it

The network: a city (示范市) with a core router pair, a firewall, a data-centre switch and two
Linux servers; counties with an aggregation router, a firewall, a switch and a server; townships
with an access router and, mostly, a switch. Vendors are mixed the way Chinese e-government
networks are (Huawei, H3C, Ruijie, ZTE, Hillstone, Cisco, Linux servers).

Recordings carry SNMPv2-MIB system, IF-MIB ifTable/ifXTable (32- and 64-bit counters that
advance with wall-clock time through snmpsim's ``numeric`` variation module), IP-MIB
ipAddrTable and ipAddressTable (RFC 4293), LLDP-MIB (IEEE 802.1AB) local and remote tables,
ENTITY-MIB (RFC 6933) chassis and board, and each vendor's CPU/memory objects (HUAWEI-ENTITY-
EXTENT-MIB, HH3C-ENTITY-EXT-MIB, CISCO-PROCESS-MIB + CISCO-MEMORY-POOL-MIB, RUIJIE-PROCESS/
MEMORY-MIB, ZXR10-MIB, HILLSTONE-SYSTEM-MIB, HOST-RESOURCES-MIB + UCD-SNMP-MIB).

The IP plan uses 198.18.0.0/15 only. An address is clean when it lies in a block of the device's
own site or of one of that site's ancestors (a township's uplink /30 comes from its county's
interconnect block). Everything is clean except the faults in faults.yaml, which change what the
devices *report*; inventory.yaml always holds the plan.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nms.config import LabConfig
from nms.lab.snmpsim import transport_recording

GENERATOR_VERSION = 1  # bump when the output changes, so `nms lab start` regenerates
VENDORS_FILE = Path(__file__).with_name("vendors.yaml")
LAB_SNMP_AUTH = "lab-snmp"  # auth profile name written into inventory.yaml (see config.yaml)
LAB_EPOCH = 1767225600  # 2026-01-01T00:00:00Z: devices "booted" within 60 days after it
IP_SPACE = ipaddress.ip_network("198.18.0.0/15")  # RFC 2544 benchmarking space, never routed
OUTSIDE_PLAN = ipaddress.ip_network("198.19.250.0/24")  # in IP_SPACE but in no block
MAX_COUNTIES = 30  # county k owns 198.18.0.0 + k*16 /24s; 198.19.240.0/20 stays unplanned
MAX_TOWNSHIPS = 12  # a county's /20 holds management, interconnect, service + 12 townships
TOWNSHIP_USER_VLAN = 10
SERVICE_VLAN = 100

CITY_CODE, CITY_NAME = "city", "示范市"
CITY_UNITS = ["市大数据中心", "市政务服务中心"]
COUNTY_UNITS = ["县政务服务中心"]
COUNTY_NAMES = [
    "东城县", "西山县", "南湖县", "北岭县", "清河县", "石门县", "白沙县", "云溪县", "临江县", "安平县",
    "永宁县", "长乐县", "青阳县", "丰泽县", "桃江县", "平山县", "宁远县", "武陵县", "玉泉县", "兴隆县",
    "嘉禾县", "太和县", "望城县", "龙门县", "福安县", "德化县", "新田县", "绿水县", "金川县", "松阳县",
]
TOWNSHIP_NAMES = [
    "青石镇", "柳林镇", "桃源乡", "金沙镇", "龙泉镇", "松岗镇", "杏花乡", "梅岭镇", "竹溪乡", "枫桥镇",
    "莲塘镇", "石桥镇", "凤山乡", "河口镇", "新集镇", "马坪乡", "黄庄镇", "双河镇", "白马乡", "高桥镇",
    "大湾镇", "小河乡", "三元镇", "古城镇", "花园乡", "东岗镇", "西坪镇", "南岭乡", "北港镇", "安乐镇",
]

# Vendor choice per role, as (profile, weight). City devices are fixed (see _build_city).
COUNTY_ROUTERS = [("huawei_ne8000", 2), ("h3c_5900", 1), ("ruijie_s6220", 2), ("zte_5928", 1)]
COUNTY_SWITCHES = [("huawei_s5720", 2), ("h3c_5900", 1), ("cisco_c3560", 1), ("ruijie_s6220", 1)]
TOWNSHIP_ROUTERS = [("huawei_ar169", 4), ("zte_5928", 1), ("h3c_5900", 1)]
TOWNSHIP_SWITCHES = [("huawei_s5720", 3), ("h3c_5900", 1), ("cisco_c3560", 2), ("zte_5928", 1)]
TOWNSHIP_SWITCH_SHARE = 0.8

LINK_BANDWIDTH = {"core": 10000, "county": 1000, "township": 100}  # Mbit/s of each tier's links

# IF-MIB ifType values used here
IFTYPE_ETHERNET, IFTYPE_LOOPBACK, IFTYPE_VLAN = 6, 24, 136


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


@dataclass
class LabSite:
    """One site of the administrative hierarchy (city, county or township)."""

    code: str
    name: str
    level: str
    parent: str | None
    units: list[str] = field(default_factory=list)


@dataclass
class LabInterface:
    """One interface of a simulated device, as planned and as the device will report it."""

    index: int
    descr: str
    name: str
    if_type: int
    speed_mbps: int
    mtu: int = 1500
    mac: str | None = None
    physical: bool = True
    alias: str = ""
    admin_up: bool = True
    oper_up: bool = False
    address: str | None = None  # planned, "198.18.0.1/30"
    reported_address: str | None = None  # what the device reports, when a fault differs
    in_rate: int = 0  # bytes per second
    out_rate: int = 0
    used: bool = False
    peer: tuple[str, str] | None = None  # (device, interface) at the other end of a link

    @property
    def effective_address(self) -> str | None:
        """The address the device reports on this interface."""
        return self.reported_address or self.address


@dataclass
class LabDevice:
    """One simulated device and how it is reached (its own loopback address, one community)."""

    name: str
    role: str
    site: str
    zone: str
    profile: str
    vendor: str
    platform: str
    model: str
    tags: list[str]
    address: str
    port: int
    transport_index: int
    chassis_mac: str
    serial: str
    booted_at: int
    interfaces: list[LabInterface] = field(default_factory=list)
    mgmt_interface: str | None = None
    recording: Path | None = None

    def interface(self, name: str) -> LabInterface:
        """The interface called ``name`` (KeyError if there is none)."""
        for intf in self.interfaces:
            if intf.name == name:
                return intf
        raise KeyError(f"{self.name} has no interface {name!r}")

    @property
    def mgmt_address(self) -> str | None:
        """The address advertised as LLDP management address (loopback, SVI or eth0)."""
        if self.mgmt_interface is None:
            return None
        addr = self.interface(self.mgmt_interface).effective_address
        return addr.split("/")[0] if addr else None


@dataclass
class LabLink:
    """A planned link between two device interfaces; ``up`` False for the planted down link."""

    a_device: str
    a_interface: str
    b_device: str
    b_interface: str
    tier: str
    bandwidth_mbps: int
    up: bool = True


@dataclass
class LabNetwork:
    """Everything ``generate`` made, and where it wrote it."""

    sites: list[LabSite]
    devices: list[LabDevice]
    links: list[LabLink]
    blocks: list[dict[str, Any]]
    faults: list[dict[str, Any]]
    community: str
    out_dir: Path
    fingerprint: str

    @property
    def data_dir(self) -> Path:
        """Directory snmpsim serves (``--data-dir``)."""
        return self.out_dir / "data"

    @property
    def inventory_path(self) -> Path:
        """inventory.yaml (import with ``nms inventory import``)."""
        return self.out_dir / "inventory.yaml"

    @property
    def ipplan_path(self) -> Path:
        """ipplan.yaml (the IP blocks alone)."""
        return self.out_dir / "ipplan.yaml"

    @property
    def faults_path(self) -> Path:
        """faults.yaml (the deliberate faults)."""
        return self.out_dir / "faults.yaml"

    @property
    def manifest_path(self) -> Path:
        """manifest.yaml (device -> endpoint, recording; config fingerprint)."""
        return self.out_dir / "manifest.yaml"

    @property
    def endpoints(self) -> list[tuple[str, int]]:
        """snmpsim endpoints in transport-index order: the i-th serves ``devices[i]``."""
        return [(d.address, d.port) for d in sorted(self.devices, key=lambda d: d.transport_index)]

    def device(self, name: str) -> LabDevice:
        """The device called ``name`` (KeyError if there is none)."""
        for dev in self.devices:
            if dev.name == name:
                return dev
        raise KeyError(name)


def lab_fingerprint(lab: LabConfig) -> str:
    """A short hash of everything in ``lab`` that changes the generated files.

    ``nms lab start`` regenerates when the fingerprint in manifest.yaml differs.
    """
    key = {"version": GENERATOR_VERSION, "counties": lab.counties,
           "townships": lab.townships_per_county, "seed": lab.seed, "community": lab.community,
           "prefix": lab.address_prefix, "port": lab.port,
           "vendors": hashlib.sha256(VENDORS_FILE.read_bytes()).hexdigest()}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def load_profiles(path: Path = VENDORS_FILE) -> dict[str, dict[str, Any]]:
    """Vendor profiles from vendors.yaml, keyed by profile name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(data["profiles"])


# --------------------------------------------------------------------------------------------
# Planning the network
# --------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    names = [name for name, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(names, weights=weights)[0]


def _subnet_at(index_24: int) -> ipaddress.IPv4Network:
    """The ``index_24``-th /24 of 198.18.0.0/15."""
    base = int(IP_SPACE.network_address) + index_24 * 256
    return ipaddress.IPv4Network((base, 24))


class _Planner:
    """Builds devices, ports, links and addresses; rendering is separate (``_Recorder``)."""

    def __init__(self, lab: LabConfig, profiles: dict[str, dict[str, Any]]) -> None:
        self.lab = lab
        self.rng = random.Random(lab.seed)
        self.profiles = profiles
        self.sites: list[LabSite] = []
        self.devices: dict[str, LabDevice] = {}
        self.links: list[LabLink] = []
        self.blocks: list[dict[str, Any]] = []
        self.faults: list[dict[str, Any]] = []
        self.fault_sites: dict[str, str] = {}  # fault kind -> township code, chosen in build()
        self._hosts = self._loopback_hosts()

    # ---- addressing ---------------------------------------------------------------------
    def _loopback_hosts(self) -> Iterator[str]:
        net = ipaddress.ip_network(self.lab.address_prefix)
        for host in net.hosts():
            if int(host) & 0xFF not in (0, 255):  # x.y.z.0/255 work on lo but read as odd
                yield str(host)

    def block(self, prefix: ipaddress.IPv4Network, site: str, zone: str, purpose: str,
              lengths: list[int], gateway: str | None, unit: str | None = None) -> None:
        self.blocks.append({"prefix": str(prefix), "site": site, "zone": zone, "purpose": purpose,
                            "allowed_prefix_lengths": lengths, "gateway": gateway, "unit": unit})

    # ---- devices and ports --------------------------------------------------------------
    def add_device(self, name: str, profile_name: str, role: str, site: str, zone: str,
                   tags: list[str]) -> LabDevice:
        profile = self.profiles[profile_name]
        number = len(self.devices)
        try:
            address = next(self._hosts)
        except StopIteration:
            raise ValueError(f"lab.address_prefix {self.lab.address_prefix} is too small for "
                             f"{number + 1} devices") from None
        oui = profile["oui"]
        serial_prefix = {"huawei": "2102", "h3c": "210235A", "ruijie": "G1", "zte": "ZTE",
                         "hillstone": "0102", "cisco": "FOC", "inspur": "2185"}
        serial = serial_prefix.get(profile["vendor"], "SN") + "".join(
            self.rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(12))
        dev = LabDevice(
            name=name, role=role, site=site, zone=zone, profile=profile_name,
            vendor=profile["vendor"], platform=profile["platform"], model=profile["model"],
            tags=tags, address=address, port=self.lab.port, transport_index=number,
            chassis_mac=f"{oui}:{((number + 1) >> 8) & 0xFF:02x}:{(number + 1) & 0xFF:02x}:00",
            serial=serial, booted_at=LAB_EPOCH + self.rng.randrange(0, 60 * 86400),
        )
        for group in profile.get("port_groups", []):
            for i in range(group["count"]):
                n = group["first"] + i
                index = group["index"] + i
                dev.interfaces.append(LabInterface(
                    index=index, descr=group["descr"].format(n=n),
                    name=group.get("name", group["descr"]).format(n=n),
                    if_type=IFTYPE_ETHERNET, speed_mbps=group["speed"],
                    mac=self._port_mac(dev, index), admin_up=role != "router",
                ))
        for extra in profile.get("extra", []):
            dev.interfaces.append(LabInterface(
                index=extra["index"], descr=extra["descr"], name=extra.get("name", extra["descr"]),
                if_type=extra.get("type", 1), speed_mbps=0, mtu=extra.get("mtu", 1500),
                physical=False, oper_up=True, used=True,
            ))
        self.devices[name] = dev
        return dev

    @staticmethod
    def _port_mac(dev: LabDevice, index: int) -> str:
        head = dev.chassis_mac.rsplit(":", 1)[0]
        return f"{head}:{(index % 250) + 1:02x}"

    def add_loopback(self, dev: LabDevice, address: str) -> LabInterface:
        spec = self.profiles[dev.profile]["loopback"]
        intf = LabInterface(index=spec["index"], descr=spec["descr"],
                            name=spec.get("name", spec["descr"]), if_type=IFTYPE_LOOPBACK,
                            speed_mbps=0, physical=False, oper_up=True, used=True,
                            address=address, alias="management loopback")
        dev.interfaces.append(intf)
        dev.mgmt_interface = intf.name
        return intf

    def add_svi(self, dev: LabDevice, vlan: int, address: str) -> LabInterface:
        spec = self.profiles[dev.profile]["svi"]
        index = vlan if spec["index"] == "vlan" else spec["index"]
        intf = LabInterface(index=index, descr=spec["descr"].format(vlan=vlan),
                            name=spec.get("name", spec["descr"]).format(vlan=vlan),
                            if_type=IFTYPE_VLAN, speed_mbps=0, mac=dev.chassis_mac,
                            physical=False, oper_up=True, used=True, address=address,
                            alias=f"management VLAN {vlan}")
        intf.in_rate, intf.out_rate = 200 + self.rng.randrange(800), 200 + self.rng.randrange(800)
        dev.interfaces.append(intf)
        dev.mgmt_interface = intf.name
        return intf

    def take_port(self, dev: LabDevice, speed: int) -> LabInterface:
        """The first free physical port, preferring the slowest group that is fast enough."""
        free = [i for i in dev.interfaces if i.physical and not i.used]
        if not free:
            raise ValueError(f"{dev.name} ({dev.model}) has no free port left")
        fast_enough = [i for i in free if i.speed_mbps >= speed]
        if fast_enough:
            slowest = min(i.speed_mbps for i in fast_enough)
            candidates = [i for i in fast_enough if i.speed_mbps == slowest]
        else:
            fastest = max(i.speed_mbps for i in free)
            candidates = [i for i in free if i.speed_mbps == fastest]
        port = candidates[0]
        port.used = True
        port.admin_up = True
        return port

    def connect(self, upper: LabDevice, lower: LabDevice, tier: str,
                subnet: ipaddress.IPv4Network | None = None, bandwidth: int | None = None,
                upper_address: str | None = None) -> LabLink:
        """Plan a link; ``upper`` is the end nearer the city (it gets the first /30 host)."""
        bandwidth = bandwidth or LINK_BANDWIDTH[tier]
        a = self.take_port(upper, bandwidth)
        b = self.take_port(lower, bandwidth)
        speed = min(a.speed_mbps, b.speed_mbps, bandwidth)
        down = int(speed * 1_000_000 / 8 * self.rng.uniform(0.02, 0.30))  # bytes/s to `lower`
        up = int(down * self.rng.uniform(0.2, 0.6))
        for intf, peer, peer_intf, rx, tx in ((a, lower, b, up, down), (b, upper, a, down, up)):
            intf.speed_mbps = speed
            intf.oper_up = True
            intf.alias = f"to {peer.name} {peer_intf.name}"
            intf.peer = (peer.name, peer_intf.name)
            intf.in_rate, intf.out_rate = rx, tx
        if subnet is not None:
            hosts = list(subnet.hosts())
            a.address = upper_address or f"{hosts[0]}/{subnet.prefixlen}"
            b.address = f"{hosts[1]}/{subnet.prefixlen}"
        link = LabLink(upper.name, a.name, lower.name, b.name, tier, bandwidth)
        self.links.append(link)
        return link

    def lan_port(self, dev: LabDevice, address: str | None, alias: str,
                 speed: int = 1000) -> LabInterface:
        """A port facing unmanaged equipment (users, service terminals): up, no LLDP peer."""
        port = self.take_port(dev, speed)
        port.speed_mbps = min(port.speed_mbps, speed)
        port.oper_up = True
        port.alias = alias
        port.address = address
        port.in_rate = int(port.speed_mbps * 1_000_000 / 8 * self.rng.uniform(0.005, 0.05))
        port.out_rate = int(port.in_rate * self.rng.uniform(1.5, 4.0))
        return port

    # ---- the network --------------------------------------------------------------------
    def build(self) -> None:
        lab = self.lab
        if not 1 <= lab.counties <= MAX_COUNTIES:
            raise ValueError(f"lab.counties must be 1..{MAX_COUNTIES}, got {lab.counties}")
        if not 1 <= lab.townships_per_county <= MAX_TOWNSHIPS:
            raise ValueError(f"lab.townships_per_county must be 1..{MAX_TOWNSHIPS}, "
                             f"got {lab.townships_per_county}")
        townships = [f"county{k:02d}-town{m:02d}" for k in range(1, lab.counties + 1)
                     for m in range(1, lab.townships_per_county + 1)]
        if len(townships) < 3:
            raise ValueError("the lab needs at least three townships (counties x "
                             "townships_per_county) to plant its three faults")
        # each planted fault gets its own township; the duplicate-address one needs a switch
        self.fault_sites = dict(zip(("duplicate", "outside", "down"),
                                    self.rng.sample(townships, 3), strict=True))
        county_names = self.rng.sample(COUNTY_NAMES, lab.counties)
        self.sites.append(LabSite(CITY_CODE, CITY_NAME, "city", None, list(CITY_UNITS)))
        core = self._build_city()
        for k in range(1, lab.counties + 1):
            self._build_county(k, county_names[k - 1], core[(k - 1) % len(core)])
        self.sites.sort(key=lambda s: ("city", "county", "township").index(s.level))
        self._plant_faults()

    def _build_city(self) -> list[LabDevice]:
        mgmt, inter, service = _subnet_at(0), _subnet_at(1), _subnet_at(4)
        edge = ipaddress.ip_network("198.18.5.0/29")
        self.block(mgmt, CITY_CODE, "management", "management", [32], None)
        self.block(inter, CITY_CODE, "extranet", "interconnect", [30], "first")
        self.block(service, CITY_CODE, "extranet", "service", [24], "first", CITY_UNITS[0])
        self.block(edge, CITY_CODE, "internet_edge", "interconnect", [29], "first")
        self._city_p2p = inter.subnets(new_prefix=30)
        loopbacks = mgmt.hosts()
        r1, r2 = (self.add_device(f"city-core-r{n}", "huawei_ne8000", "router", CITY_CODE,
                                  "extranet", ["core"]) for n in (1, 2))
        fw = self.add_device("city-core-fw1", "hillstone_e3965", "firewall", CITY_CODE,
                             "internet_edge", ["core"])
        sw = self.add_device("city-core-sw1", "huawei_ce12804", "switch", CITY_CODE, "extranet",
                             ["core", "datacenter"])
        servers = [self.add_device(f"city-srv{i}", "linux_server", "server", CITY_CODE,
                                   "extranet", ["server"]) for i in (1, 2)]
        for dev in (r1, r2, fw):
            self.add_loopback(dev, f"{next(loopbacks)}/32")
        self.connect(r1, r2, "core", next(self._city_p2p))
        self.connect(r1, fw, "core", next(self._city_p2p))
        self.connect(r2, fw, "core", next(self._city_p2p))
        service_hosts = list(service.hosts())
        self.connect(fw, sw, "core", None)
        fw_lan = next(i for i in fw.interfaces if i.peer and i.peer[0] == sw.name)
        fw_lan.address = f"{service_hosts[0]}/24"
        self.add_svi(sw, SERVICE_VLAN, f"{service_hosts[1]}/24")
        for n, srv in enumerate(servers):
            self.connect(sw, srv, "core", None, bandwidth=1000)
            eth = next(i for i in srv.interfaces if i.used and i.physical)
            eth.address = f"{service_hosts[9 + n]}/24"
            srv.mgmt_interface = eth.name
        outside = self.lan_port(fw, f"{list(edge.hosts())[1]}/29", "互联网出口 to ISP", speed=1000)
        outside.in_rate, outside.out_rate = outside.out_rate, outside.in_rate
        return [r1, r2]

    def _build_county(self, k: int, name: str, core: LabDevice) -> None:
        code = f"county{k:02d}"
        base = 16 * k
        mgmt, inter, service = _subnet_at(base), _subnet_at(base + 1), _subnet_at(base + 2)
        self.sites.append(LabSite(code, name, "county", CITY_CODE, list(COUNTY_UNITS)))
        self.block(mgmt, code, "management", "management", [32], None)
        self.block(inter, code, "extranet", "interconnect", [30], "first")
        self.block(service, code, "extranet", "service", [24], "first", COUNTY_UNITS[0])
        p2p = inter.subnets(new_prefix=30)
        loopbacks = mgmt.hosts()
        router = self.add_device(f"{code}-agg-r1", _weighted(self.rng, COUNTY_ROUTERS), "router",
                                 code, "extranet", ["aggregation"])
        fw = self.add_device(f"{code}-fw1", "hillstone_e3965", "firewall", code, "extranet", [])
        sw = self.add_device(f"{code}-sw1", _weighted(self.rng, COUNTY_SWITCHES), "switch", code,
                             "extranet", [])
        srv = self.add_device(f"{code}-srv1", "linux_server", "server", code, "extranet",
                              ["server"])
        self.add_loopback(router, f"{next(loopbacks)}/32")
        self.add_loopback(fw, f"{next(loopbacks)}/32")
        self.connect(core, router, "county", next(self._city_p2p))
        self.connect(router, fw, "county", next(p2p))
        hosts = list(service.hosts())
        self.connect(fw, sw, "county", None)
        fw_lan = next(i for i in fw.interfaces if i.peer and i.peer[0] == sw.name)
        fw_lan.address = f"{hosts[0]}/24"
        self.add_svi(sw, SERVICE_VLAN, f"{hosts[1]}/24")
        self.connect(sw, srv, "county", None)
        eth = next(i for i in srv.interfaces if i.used and i.physical)
        eth.address = f"{hosts[9]}/24"
        srv.mgmt_interface = eth.name
        township_names = self.rng.sample(TOWNSHIP_NAMES, self.lab.townships_per_county)
        for m in range(1, self.lab.townships_per_county + 1):
            self._build_township(code, name, m, township_names[m - 1], base + 3 + m, router, p2p)

    def _build_township(self, county: str, county_name: str, m: int, name: str, index_24: int,
                        agg: LabDevice, p2p: Iterator[ipaddress.IPv4Network]) -> None:
        code = f"{county}-town{m:02d}"
        net = _subnet_at(index_24)
        user, service, mgmt = (ipaddress.ip_network(f"{net.network_address}/25"),
                               ipaddress.ip_network(f"{net.network_address + 128}/26"),
                               ipaddress.ip_network(f"{net.network_address + 224}/27"))
        self.sites.append(LabSite(code, name, "township", county, []))
        self.block(user, code, "extranet", "user", [25], "first")
        self.block(service, code, "extranet", "service", [26], "first")
        self.block(mgmt, code, "management", "management", [32], None)
        router = self.add_device(f"{code}-r1", _weighted(self.rng, TOWNSHIP_ROUTERS), "router",
                                 code, "extranet", ["access"])
        has_switch = (self.rng.random() < TOWNSHIP_SWITCH_SHARE
                      or code == self.fault_sites["duplicate"])
        switch = None
        if has_switch:
            switch = self.add_device(f"{code}-sw1", _weighted(self.rng, TOWNSHIP_SWITCHES),
                                     "switch", code, "extranet", ["access"])
        self.add_loopback(router, f"{next(mgmt.hosts())}/32")
        self.connect(agg, router, "township", next(p2p))
        user_hosts = list(user.hosts())
        if switch is not None:
            self.connect(router, switch, "township", None, bandwidth=1000)
            lan = next(i for i in router.interfaces if i.peer and i.peer[0] == switch.name)
            lan.address = f"{user_hosts[0]}/25"
            self.add_svi(switch, TOWNSHIP_USER_VLAN, f"{user_hosts[1]}/25")
            for _ in range(self.rng.randint(2, 4)):
                self.lan_port(switch, None, f"{name} 办公终端", speed=100)
        else:
            self.lan_port(router, f"{user_hosts[0]}/25", f"{name} 办公网")
        self.lan_port(router, f"{next(service.hosts())}/26", f"{name} 便民服务中心")

    # ---- faults -------------------------------------------------------------------------
    def _plant_faults(self) -> None:
        """Plant exactly three faults, each in its own township (chosen by the seed)."""
        dup_site = self.fault_sites["duplicate"]
        outside_site, down_site = self.fault_sites["outside"], self.fault_sites["down"]

        # 1. an interface address outside every block (the township service LAN)
        router = self.devices[f"{outside_site}-r1"]
        lan = next(i for i in router.interfaces if i.alias.endswith("便民服务中心"))
        planned = ipaddress.ip_interface(lan.address or "")
        wrong = ipaddress.ip_interface(
            f"{OUTSIDE_PLAN.network_address + int(planned.ip) % 256}/{planned.network.prefixlen}")
        lan.reported_address = str(wrong)
        self.faults.append({"kind": "address_outside_block", "device": router.name,
                            "interface": lan.name, "address": str(wrong),
                            "planned_address": lan.address, "site": outside_site})

        # 2. the township switch's management SVI configured with its gateway's address
        switch, router = self.devices[f"{dup_site}-sw1"], self.devices[f"{dup_site}-r1"]
        svi = switch.interface(switch.mgmt_interface or "")
        gateway = next(i for i in router.interfaces if i.peer and i.peer[0] == switch.name)
        svi.reported_address = gateway.address
        self.faults.append({"kind": "duplicate_address", "address": gateway.address,
                            "site": dup_site,
                            "interfaces": [{"device": router.name, "interface": gateway.name},
                                           {"device": switch.name, "interface": svi.name}],
                            "planned_address": {"device": switch.name, "interface": svi.name,
                                                "address": svi.address}})

        # 3. a township uplink down at both ends; LLDP has no neighbour on it either side
        router = self.devices[f"{down_site}-r1"]
        link = next(lk for lk in self.links if lk.b_device == router.name and lk.tier == "township")
        link.up = False
        for dev_name, intf_name in ((link.a_device, link.a_interface),
                                    (link.b_device, link.b_interface)):
            intf = self.devices[dev_name].interface(intf_name)
            intf.oper_up = False
            intf.in_rate = intf.out_rate = 0
        self.faults.append({"kind": "uplink_down", "site": down_site, "tier": link.tier,
                            "link": {"a_device": link.a_device, "a_interface": link.a_interface,
                                     "b_device": link.b_device, "b_interface": link.b_interface},
                            "oper_status": "down", "lldp": "absent"})


# --------------------------------------------------------------------------------------------
# Rendering recordings (.snmprec: one "OID|tag|value" line per object, sorted by OID)
# --------------------------------------------------------------------------------------------

SYS = "1.3.6.1.2.1.1"
IF_TABLE = "1.3.6.1.2.1.2.2.1"
IFX_TABLE = "1.3.6.1.2.1.31.1.1.1"
LLDP_LOC = "1.0.8802.1.1.2.1.3"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
LLDP_REM_MAN = "1.0.8802.1.1.2.1.4.2.1"
ENT_PHYSICAL = "1.3.6.1.2.1.47.1.1.1.1"
LLDP_CAPS = {"router": "2800", "switch": "2800", "firewall": "0800", "server": "0100"}


def _text(value: str) -> tuple[str, str]:
    """snmprec OCTET STRING: plain when safe, hex (``4x``) for UTF-8, '|' or line breaks."""
    if value.isascii() and value.isprintable() and "|" not in value:
        return "4", value
    return "4x", value.encode("utf-8").hex()


def _mac_hex(mac: str) -> str:
    return mac.replace(":", "")


def _oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.split("."))


class _Recorder:
    """Accumulates the objects of one recording and writes them sorted by OID."""

    def __init__(self, booted_at: int) -> None:
        self.booted_at = booted_at
        self.rows: dict[str, tuple[str, str]] = {}

    def add(self, oid: str, tag: str | int, value: object) -> None:
        if oid in self.rows:
            raise ValueError(f"duplicate OID {oid} in recording")
        self.rows[oid] = (str(tag), str(value))

    def text(self, oid: str, value: str) -> None:
        self.add(oid, *_text(value))

    def counter(self, oid: str, tag: int, rate: int, initial: int, wrap: bool = False) -> None:
        """A counter at ``initial`` when the device booted, growing ``rate`` per second since.

        Uses wall-clock time (``atime``) so that restarting snmpsim does not reset counters.
        """
        if rate <= 0:
            self.add(oid, tag, initial)
            return
        spec = f"rate={rate},initial={initial},offset={-rate * self.booted_at},atime=1"
        self.add(oid, f"{tag}:numeric", spec + (",wrap=1" if wrap else ""))

    def gauge_wave(self, oid: str, tag: int, base: int, amplitude: int, period_rate: float) -> None:
        """A value oscillating around ``base`` (CPU load that moves between polls)."""
        spec = (f"function=sin,rate={period_rate},scale={amplitude},initial={base},"
                f"min=0,max=100,atime=1")
        self.add(oid, f"{tag}:numeric", spec)

    def lines(self) -> list[str]:
        return [f"{oid}|{tag}|{value}" for oid, (tag, value) in
                sorted(self.rows.items(), key=lambda item: _oid_key(item[0]))]


def _render_device(dev: LabDevice, net: _Planner, sites: dict[str, LabSite]) -> list[str]:
    rng = random.Random(f"{net.lab.seed}/{dev.name}")
    profile = net.profiles[dev.profile]
    rec = _Recorder(dev.booted_at)
    _render_system(rec, dev, profile, sites)
    _render_interfaces(rec, dev, rng)
    _render_ip(rec, dev)
    _render_lldp(rec, dev, profile, net)
    _render_entity(rec, dev, profile)
    _render_health(rec, dev, profile, rng)
    # snmpSetSerialNo (SNMPv2-MIB) sorts after everything above: without a last object beyond
    # the walked subtrees, snmpsim repeats endOfMibView rows at the end of a GETBULK walk.
    rec.add("1.3.6.1.6.3.1.1.6.1.0", 2, rng.randrange(1, 2**31 - 1))
    return rec.lines()


def _location(dev: LabDevice, sites: dict[str, LabSite]) -> str:
    chain = []
    code: str | None = dev.site
    while code:
        chain.append(sites[code].name)
        code = sites[code].parent
    room = {"city": "市大数据中心机房", "county": "县政务服务中心机房", "township": "镇政府综合楼机柜"}
    return " ".join(reversed(chain)) + " " + room[sites[dev.site].level]


def _render_system(rec: _Recorder, dev: LabDevice, profile: dict[str, Any],
                   sites: dict[str, LabSite]) -> None:
    rec.text(f"{SYS}.1.0", profile["sysdescr"].format(name=dev.name))
    rec.add(f"{SYS}.2.0", 6, profile["sysobjectid"])
    rec.counter(f"{SYS}.3.0", 67, 100, 0, wrap=True)  # sysUpTime ticks since "boot"
    rec.text(f"{SYS}.4.0", "网络运维中心 noc@shifan.gov.cn")
    rec.text(f"{SYS}.5.0", dev.name)
    rec.text(f"{SYS}.6.0", _location(dev, sites))
    rec.add(f"{SYS}.7.0", 2, profile.get("services", 6))


def _render_interfaces(rec: _Recorder, dev: LabDevice, rng: random.Random) -> None:
    rec.add("1.3.6.1.2.1.2.1.0", 2, len(dev.interfaces))
    for intf in dev.interfaces:
        i = intf.index
        speed_bps = min(intf.speed_mbps * 1_000_000, 4_294_967_295)
        rec.add(f"{IF_TABLE}.1.{i}", 2, i)
        rec.text(f"{IF_TABLE}.2.{i}", intf.descr)
        rec.add(f"{IF_TABLE}.3.{i}", 2, intf.if_type)
        rec.add(f"{IF_TABLE}.4.{i}", 2, intf.mtu)
        rec.add(f"{IF_TABLE}.5.{i}", 66, speed_bps)
        rec.add(f"{IF_TABLE}.6.{i}", "4x", _mac_hex(intf.mac) if intf.mac else "")
        rec.add(f"{IF_TABLE}.7.{i}", 2, 1 if intf.admin_up else 2)
        rec.add(f"{IF_TABLE}.8.{i}", 2, 1 if intf.oper_up else 2)
        rec.add(f"{IF_TABLE}.9.{i}", 67, 100 * rng.randrange(30, 3600))
        in_pkts = intf.in_rate // 700 + (1 if intf.in_rate else 0)
        out_pkts = intf.out_rate // 700 + (1 if intf.out_rate else 0)
        base_in, base_out = rng.randrange(10**6, 10**9), rng.randrange(10**6, 10**9)
        bcast = 1 if intf.oper_up and intf.physical else 0
        for column, rate, initial in ((10, intf.in_rate, base_in), (11, in_pkts, base_in // 700),
                                      (12, bcast, 1000), (16, intf.out_rate, base_out),
                                      (17, out_pkts, base_out // 700), (18, bcast, 1000)):
            rec.counter(f"{IF_TABLE}.{column}.{i}", 65, rate, initial % 2**32, wrap=True)
        for column in (13, 14, 15, 19, 20):  # discards, errors, unknown protos: a clean network
            rec.add(f"{IF_TABLE}.{column}.{i}", 65, 0)
        rec.text(f"{IFX_TABLE}.1.{i}", intf.name)
        for column in (2, 3, 4, 5):  # 32-bit multicast/broadcast
            rec.counter(f"{IFX_TABLE}.{column}.{i}", 65, bcast, 1000, wrap=True)
        for column, rate, initial in ((6, intf.in_rate, base_in), (7, in_pkts, base_in // 700),
                                      (8, bcast, 1000), (9, bcast, 1000),
                                      (10, intf.out_rate, base_out),
                                      (11, out_pkts, base_out // 700),
                                      (12, bcast, 1000), (13, bcast, 1000)):
            rec.counter(f"{IFX_TABLE}.{column}.{i}", 70, rate, initial)
        rec.add(f"{IFX_TABLE}.14.{i}", 2, 1 if intf.physical else 2)
        rec.add(f"{IFX_TABLE}.15.{i}", 66, intf.speed_mbps)
        rec.add(f"{IFX_TABLE}.16.{i}", 2, 2)
        rec.add(f"{IFX_TABLE}.17.{i}", 2, 1 if intf.physical else 2)
        rec.text(f"{IFX_TABLE}.18.{i}", intf.alias)
        rec.add(f"{IFX_TABLE}.19.{i}", 67, 0)


def _render_ip(rec: _Recorder, dev: LabDevice) -> None:
    rec.add("1.3.6.1.2.1.4.1.0", 2, 1 if dev.role in ("router", "firewall") else 2)  # ipForwarding
    rec.add("1.3.6.1.2.1.4.2.0", 2, 255 if dev.role != "server" else 64)  # ipDefaultTTL
    for intf in dev.interfaces:
        if not intf.effective_address:
            continue
        iface = ipaddress.ip_interface(intf.effective_address)
        addr, i = str(iface.ip), intf.index
        # ipAddrTable (RFC 4293 deprecated table, still what most pollers read)
        rec.add(f"1.3.6.1.2.1.4.20.1.1.{addr}", 64, addr)
        rec.add(f"1.3.6.1.2.1.4.20.1.2.{addr}", 2, i)
        rec.add(f"1.3.6.1.2.1.4.20.1.3.{addr}", 64, str(iface.netmask))
        rec.add(f"1.3.6.1.2.1.4.20.1.4.{addr}", 2, 1)
        # ipAddressTable, index ipAddressAddrType(1=ipv4).length(4).address
        index = f"1.4.{addr}"
        network = iface.network
        prefix = f"1.3.6.1.2.1.4.32.1.5.{i}.1.4.{network.network_address}.{network.prefixlen}"
        rec.add(f"1.3.6.1.2.1.4.34.1.3.{index}", 2, i)
        rec.add(f"1.3.6.1.2.1.4.34.1.4.{index}", 2, 1)  # unicast
        rec.add(f"1.3.6.1.2.1.4.34.1.5.{index}", 6, prefix)
        rec.add(f"1.3.6.1.2.1.4.34.1.6.{index}", 2, 2)  # manual
        rec.add(f"1.3.6.1.2.1.4.34.1.7.{index}", 2, 1)  # preferred


def _port_id(dev: LabDevice, intf: LabInterface, profile: dict[str, Any]) -> tuple[int, str, str]:
    """LLDP (subtype, snmprec tag, value) identifying ``intf``."""
    if profile["lldp_port_id"] == "macAddress" and intf.mac:
        return 3, "4x", _mac_hex(intf.mac)
    tag, value = _text(intf.name)
    return 5, tag, value


def _render_lldp(rec: _Recorder, dev: LabDevice, profile: dict[str, Any], net: _Planner) -> None:
    rec.add(f"{LLDP_LOC}.1.0", 2, 4)  # chassis id subtype: macAddress
    rec.add(f"{LLDP_LOC}.2.0", "4x", _mac_hex(dev.chassis_mac))
    rec.text(f"{LLDP_LOC}.3.0", dev.name)
    rec.text(f"{LLDP_LOC}.4.0", profile["sysdescr"].format(name=dev.name))
    rec.add(f"{LLDP_LOC}.5.0", "4x", LLDP_CAPS[dev.role])
    rec.add(f"{LLDP_LOC}.6.0", "4x", LLDP_CAPS[dev.role])
    for intf in dev.interfaces:
        if not intf.physical:
            continue
        subtype, tag, value = _port_id(dev, intf, profile)
        rec.add(f"{LLDP_LOC}.7.1.2.{intf.index}", 2, subtype)
        rec.add(f"{LLDP_LOC}.7.1.3.{intf.index}", tag, value)
        rec.text(f"{LLDP_LOC}.7.1.4.{intf.index}", intf.descr)
    if dev.mgmt_address and dev.mgmt_interface:
        man = f"1.4.{dev.mgmt_address}"
        rec.add(f"{LLDP_LOC}.8.1.3.{man}", 2, 2)  # ifIndex
        rec.add(f"{LLDP_LOC}.8.1.4.{man}", 2, dev.interface(dev.mgmt_interface).index)
        rec.add(f"{LLDP_LOC}.8.1.5.{man}", 6, "0.0")
    time_mark = 100 * (60 + dev.transport_index)
    for link in net.links:
        if not link.up:
            continue
        if link.a_device == dev.name:
            local, peer_name, peer_if = link.a_interface, link.b_device, link.b_interface
        elif link.b_device == dev.name:
            local, peer_name, peer_if = link.b_interface, link.a_device, link.a_interface
        else:
            continue
        peer = net.devices[peer_name]
        peer_profile = net.profiles[peer.profile]
        peer_intf = peer.interface(peer_if)
        idx = f"{time_mark}.{dev.interface(local).index}.1"
        subtype, tag, value = _port_id(peer, peer_intf, peer_profile)
        rec.add(f"{LLDP_REM}.4.{idx}", 2, 4)
        rec.add(f"{LLDP_REM}.5.{idx}", "4x", _mac_hex(peer.chassis_mac))
        rec.add(f"{LLDP_REM}.6.{idx}", 2, subtype)
        rec.add(f"{LLDP_REM}.7.{idx}", tag, value)
        rec.text(f"{LLDP_REM}.8.{idx}", peer_intf.descr)
        rec.text(f"{LLDP_REM}.9.{idx}", peer.name)
        rec.text(f"{LLDP_REM}.10.{idx}", peer_profile["sysdescr"].format(name=peer.name))
        rec.add(f"{LLDP_REM}.11.{idx}", "4x", LLDP_CAPS[peer.role])
        rec.add(f"{LLDP_REM}.12.{idx}", "4x", LLDP_CAPS[peer.role])
        if peer.mgmt_address and peer.mgmt_interface:
            man = f"{idx}.1.4.{peer.mgmt_address}"
            rec.add(f"{LLDP_REM_MAN}.3.{man}", 2, 2)
            rec.add(f"{LLDP_REM_MAN}.4.{man}", 2, peer.interface(peer.mgmt_interface).index)
            rec.add(f"{LLDP_REM_MAN}.5.{man}", 6, "0.0")


def _render_entity(rec: _Recorder, dev: LabDevice, profile: dict[str, Any]) -> None:
    entity = profile.get("entity")
    if not entity:
        return
    chassis, board = entity["chassis"], entity["board"]
    for row, klass, contained, serial in ((chassis, 3, 0, dev.serial),
                                          (board, 9, chassis["index"], dev.serial[::-1])):
        i = row["index"]
        rec.text(f"{ENT_PHYSICAL}.2.{i}", row["descr"])
        rec.add(f"{ENT_PHYSICAL}.3.{i}", 6, profile["sysobjectid"] if klass == 3 else "0.0")
        rec.add(f"{ENT_PHYSICAL}.4.{i}", 2, contained)
        rec.add(f"{ENT_PHYSICAL}.5.{i}", 2, klass)
        rec.add(f"{ENT_PHYSICAL}.6.{i}", 2, -1 if klass == 3 else 0)
        rec.text(f"{ENT_PHYSICAL}.7.{i}", row["name"])
        rec.text(f"{ENT_PHYSICAL}.8.{i}", row.get("hardware", ""))
        rec.text(f"{ENT_PHYSICAL}.9.{i}", entity.get("firmware", ""))
        rec.text(f"{ENT_PHYSICAL}.10.{i}", entity.get("software", ""))
        rec.text(f"{ENT_PHYSICAL}.11.{i}", serial)
        rec.text(f"{ENT_PHYSICAL}.12.{i}", entity["mfg"])
        rec.text(f"{ENT_PHYSICAL}.13.{i}", profile["model"] if klass == 3 else row["descr"])
        rec.add(f"{ENT_PHYSICAL}.16.{i}", 2, 2 if klass == 3 else 1)


def _render_health(rec: _Recorder, dev: LabDevice, profile: dict[str, Any],
                   rng: random.Random) -> None:
    """Vendor CPU/memory objects: CPU waves around a base, memory stays put (below limits)."""
    kind = profile["health"]
    cpu = rng.randrange(8, 40)
    wave = rng.randrange(3, 8)
    period = round(rng.uniform(0.001, 0.004), 4)
    mem = rng.randrange(25, 60)
    board = profile.get("entity", {}).get("board", {}).get("index", 1)
    if kind == "huawei":  # HUAWEI-ENTITY-EXTENT-MIB hwEntityStateTable
        base = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1"
        rec.gauge_wave(f"{base}.5.{board}", 2, cpu, wave, period)  # hwEntityCpuUsage
        rec.add(f"{base}.6.{board}", 2, 90)  # hwEntityCpuUsageThreshold
        rec.add(f"{base}.7.{board}", 2, mem)  # hwEntityMemUsage
        rec.add(f"{base}.8.{board}", 2, 90)  # hwEntityMemUsageThreshold
        rec.add(f"{base}.9.{board}", 2, 2_147_483_647)  # hwEntityMemSize (bytes, capped)
        rec.add(f"{base}.11.{board}", 2, rng.randrange(35, 50))  # hwEntityTemperature
    elif kind == "h3c":  # HH3C-ENTITY-EXT-MIB hh3cEntityExtStateTable
        base = "1.3.6.1.4.1.25506.2.6.1.1.1.1"
        rec.gauge_wave(f"{base}.6.{board}", 2, cpu, wave, period)  # hh3cEntityExtCpuUsage
        rec.add(f"{base}.7.{board}", 2, 90)  # hh3cEntityExtCpuUsageThreshold
        rec.add(f"{base}.8.{board}", 2, mem)  # hh3cEntityExtMemUsage
        rec.add(f"{base}.9.{board}", 2, 90)  # hh3cEntityExtMemUsageThreshold
        rec.add(f"{base}.10.{board}", 66, 2_092_855_296)  # hh3cEntityExtMemSize
        rec.add(f"{base}.12.{board}", 2, rng.randrange(35, 50))  # hh3cEntityExtTemperature
    elif kind == "cisco":  # CISCO-PROCESS-MIB cpmCPUTotalTable, CISCO-MEMORY-POOL-MIB
        cpm = "1.3.6.1.4.1.9.9.109.1.1.1.1"
        rec.add(f"{cpm}.2.1", 2, board)  # cpmCPUTotalPhysicalIndex
        for column in (3, 4, 5, 6, 7, 8):  # 5sec/1min/5min, then the *Rev versions
            rec.gauge_wave(f"{cpm}.{column}.1", 66, cpu, wave, period)
        pool = "1.3.6.1.4.1.9.9.48.1.1.1"
        total = 75_351_900
        for i, name, size in ((1, "Processor", total), (2, "I/O", 8_388_608)):
            used = size * mem // 100
            rec.text(f"{pool}.2.{i}", name)
            rec.add(f"{pool}.3.{i}", 2, 0)
            rec.add(f"{pool}.4.{i}", 2, 1)  # ciscoMemoryPoolValid
            rec.add(f"{pool}.5.{i}", 66, used)  # ciscoMemoryPoolUsed
            rec.add(f"{pool}.6.{i}", 66, size - used)  # ciscoMemoryPoolFree
            rec.add(f"{pool}.7.{i}", 66, (size - used) // 3)  # ciscoMemoryPoolLargestFree
    elif kind == "ruijie":  # RUIJIE-PROCESS-MIB, RUIJIE-MEMORY-MIB
        cpu_base = "1.3.6.1.4.1.4881.1.1.10.2.36.1"
        for column in (1, 2, 3):  # ruijieCPUUtilization5Sec/1Min/5Min
            rec.gauge_wave(f"{cpu_base}.1.{column}.0", 2, cpu, wave, period)
        rec.add(f"{cpu_base}.2.1.1.1", 2, 1)  # ruijieNodeCPUTotalIndex
        rec.text(f"{cpu_base}.2.1.2.1", "slot 0")
        for column in (3, 4, 5):  # ruijieNodeCPUTotal5sec/1min/5min
            rec.gauge_wave(f"{cpu_base}.2.1.{column}.1", 2, cpu, wave, period)
        pool = "1.3.6.1.4.1.4881.1.1.10.2.35.1.1.1"
        size_kb = 2_097_152
        rec.add(f"{pool}.1.1", 2, 1)
        rec.text(f"{pool}.2.1", "dram")
        rec.add(f"{pool}.3.1", 2, mem)  # ruijieMemoryPoolCurrentUtilization
        rec.add(f"{pool}.6.1", 2, size_kb)  # ruijieMemoryPoolSize (KB)
        rec.add(f"{pool}.7.1", 2, size_kb * mem // 100)  # ruijieMemoryPoolUsed
        rec.add(f"{pool}.8.1", 2, size_kb - size_kb * mem // 100)  # ruijieMemoryPoolFree
        rec.add(f"{pool}.9.1", 2, 80)
    elif kind == "zte":  # ZXR10-MIB zxr10SystemUnitTable
        unit = "1.3.6.1.4.1.3902.3.3.1.1"
        rec.add(f"{unit}.1.1", 2, 1)  # zxr10SystemUnitIndex
        rec.add(f"{unit}.2.1", 2, 1)  # zxr10SystemUnitRunStatus: up
        rec.add(f"{unit}.3.1", 2, 512)  # zxr10SystemMemSize (MB)
        rec.add(f"{unit}.4.1", 2, mem)  # zxr10SystemMemUsed (percent)
        for column in (5, 6, 7, 11, 12):  # CpuUtility 2m/5s/30s/1m/5m
            rec.gauge_wave(f"{unit}.{column}.1", 2, cpu, wave, period)
        rec.add(f"{unit}.8.1", 2, min(100, cpu + 20))  # zxr10SystemPeakCpuUtility
    elif kind == "hillstone":  # HILLSTONE-SYSTEM-MIB
        base = "1.3.6.1.4.1.28557.2.2.1"
        total_kb = 8_388_608
        rec.text(f"{base}.1.0", dev.serial)  # sysSerialNumber
        rec.text(f"{base}.2.0", profile.get("software_version", ""))
        rec.gauge_wave(f"{base}.3.0", 2, cpu, wave, period)  # sysCPU (percent)
        rec.add(f"{base}.4.0", 66, total_kb)  # sysTotalMemory (KB)
        rec.add(f"{base}.5.0", 66, total_kb * mem // 100)  # sysCurMemory (KB)
    elif kind == "linux":
        _render_linux(rec, dev, rng, cpu, wave, period, mem)
    else:
        raise ValueError(f"vendors.yaml: unknown health kind {kind!r}")


def _render_linux(rec: _Recorder, dev: LabDevice, rng: random.Random, cpu: int, wave: int,
                  period: float, mem: int) -> None:
    """HOST-RESOURCES-MIB (RFC 2790) and UCD-SNMP-MIB, as net-snmp's snmpd reports them."""
    hr = "1.3.6.1.2.1.25"
    total_kb = 16_303_440
    cores = 4
    rec.counter(f"{hr}.1.1.0", 67, 100, 0, wrap=True)  # hrSystemUptime
    rec.add(f"{hr}.1.5.0", 66, rng.randrange(0, 4))  # hrSystemNumUsers
    rec.add(f"{hr}.1.6.0", 66, rng.randrange(150, 400))  # hrSystemProcesses
    rec.add(f"{hr}.2.2.0", 2, total_kb)  # hrMemorySize (KB)
    used_kb = total_kb * mem // 100
    storage = [  # index, type, descr, allocation unit, size, used (hrStorageTable)
        (1, "1.3.6.1.2.1.25.2.1.2", "Physical memory", 1024, total_kb, used_kb),
        (3, "1.3.6.1.2.1.25.2.1.3", "Virtual memory", 1024, total_kb + 4_194_300, used_kb),
        (6, "1.3.6.1.2.1.25.2.1.1", "Memory buffers", 1024, total_kb, 210_000),
        (7, "1.3.6.1.2.1.25.2.1.1", "Cached memory", 1024, 3_100_000, 3_100_000),
        (10, "1.3.6.1.2.1.25.2.1.3", "Swap space", 1024, 4_194_300, 0),
        (31, "1.3.6.1.2.1.25.2.1.4", "/", 4096, 12_835_960, 128_359 * rng.randrange(20, 60)),
        (32, "1.3.6.1.2.1.25.2.1.4", "/var", 4096, 25_671_920, 256_719 * rng.randrange(10, 60)),
    ]
    for i, kind, descr, unit, size, used in storage:
        rec.add(f"{hr}.2.3.1.1.{i}", 2, i)
        rec.add(f"{hr}.2.3.1.2.{i}", 6, kind)
        rec.text(f"{hr}.2.3.1.3.{i}", descr)
        rec.add(f"{hr}.2.3.1.4.{i}", 2, unit)
        rec.add(f"{hr}.2.3.1.5.{i}", 2, size)
        rec.add(f"{hr}.2.3.1.6.{i}", 2, used)
    for n in range(cores):  # hrDeviceTable rows for the processors, then hrProcessorTable
        i = 196608 + n
        rec.add(f"{hr}.3.2.1.1.{i}", 2, i)
        rec.add(f"{hr}.3.2.1.2.{i}", 6, "1.3.6.1.2.1.25.3.1.3")
        rec.text(f"{hr}.3.2.1.3.{i}", "GenuineIntel: Intel(R) Xeon(R) Silver 4310 CPU @ 2.10GHz")
        rec.add(f"{hr}.3.2.1.5.{i}", 2, 2)  # running
        rec.add(f"{hr}.3.3.1.1.{i}", 6, "0.0")
        rec.gauge_wave(f"{hr}.3.3.1.2.{i}", 2, cpu, wave, period)
    ucd = "1.3.6.1.4.1.2021"
    rec.add(f"{ucd}.4.1.0", 2, 0)
    rec.text(f"{ucd}.4.2.0", "swap")
    rec.add(f"{ucd}.4.3.0", 2, 4_194_300)  # memTotalSwap
    rec.add(f"{ucd}.4.4.0", 2, 4_194_300)  # memAvailSwap
    rec.add(f"{ucd}.4.5.0", 2, total_kb)  # memTotalReal
    rec.add(f"{ucd}.4.6.0", 2, total_kb - used_kb)  # memAvailReal
    rec.add(f"{ucd}.4.11.0", 2, total_kb - used_kb + 4_194_300)  # memTotalFree
    rec.add(f"{ucd}.4.13.0", 2, 0)  # memShared
    rec.add(f"{ucd}.4.14.0", 2, 210_000)  # memBuffer
    rec.add(f"{ucd}.4.15.0", 2, 3_100_000)  # memCached
    for n, minutes in enumerate(("1", "5", "15"), start=1):
        load = f"{cores * cpu / 100 + 0.05 * n:.2f}"
        rec.add(f"{ucd}.10.1.1.{n}", 2, n)
        rec.text(f"{ucd}.10.1.2.{n}", f"Load-{minutes}")
        rec.text(f"{ucd}.10.1.3.{n}", load)
    rec.add(f"{ucd}.11.9.0", 2, cpu * 3 // 4)  # ssCpuUser
    rec.add(f"{ucd}.11.10.0", 2, cpu // 4)  # ssCpuSystem
    rec.add(f"{ucd}.11.11.0", 2, 100 - cpu)  # ssCpuIdle
    ticks = 100 * cores  # ssCpuRaw* count 1/100 s per core
    rec.counter(f"{ucd}.11.50.0", 65, ticks * cpu * 3 // 400, 0, wrap=True)  # ssCpuRawUser
    rec.counter(f"{ucd}.11.52.0", 65, ticks * cpu // 400, 0, wrap=True)  # ssCpuRawSystem
    rec.counter(f"{ucd}.11.53.0", 65, ticks * (100 - cpu) // 100, 0, wrap=True)  # ssCpuRawIdle


def _fallback_recording(community: str) -> list[str]:
    rec = _Recorder(LAB_EPOCH)
    rec.text(f"{SYS}.1.0", "nms lab: no simulated device is bound to this address")
    rec.add(f"{SYS}.2.0", 6, "1.3.6.1.4.1.8072.3.2.10")
    rec.counter(f"{SYS}.3.0", 67, 100, 0, wrap=True)
    rec.text(f"{SYS}.5.0", f"nms-lab-{community}")
    rec.add("1.3.6.1.6.3.1.1.6.1.0", 2, 1)
    return rec.lines()


# --------------------------------------------------------------------------------------------
# Writing the files
# --------------------------------------------------------------------------------------------


def _flow_rows(rows: list[dict[str, Any]]) -> str:
    """YAML list with one flow mapping per line (diff-friendly, like the documented format)."""
    out = []
    for row in rows:
        text = yaml.safe_dump(row, default_flow_style=True, allow_unicode=True, sort_keys=False,
                              width=10_000).strip()
        out.append(f"  - {text}")
    return "\n".join(out) + "\n" if out else "  []\n"


def _inventory_rows(net: _Planner) -> dict[str, list[dict[str, Any]]]:
    sites = [{"code": s.code, "name": s.name, "level": s.level, "parent": s.parent,
              **({"units": s.units} if s.units else {})} for s in net.sites]
    devices = [{"name": d.name, "address": d.address, "snmp_port": d.port, "role": d.role,
                "vendor": d.vendor, "platform": d.platform, "model": d.model, "site": d.site,
                "zone": d.zone, "snmp_auth": LAB_SNMP_AUTH, "ssh_auth": None, "tags": d.tags}
               for d in net.devices.values()]
    interfaces = [{"device": d.name, "name": i.name, "description": i.alias, "address": i.address}
                  for d in net.devices.values() for i in d.interfaces
                  if i.address or i.peer]
    links = [{"a_device": lk.a_device, "a_interface": lk.a_interface, "b_device": lk.b_device,
              "b_interface": lk.b_interface, "tier": lk.tier, "bandwidth_mbps": lk.bandwidth_mbps}
             for lk in net.links]
    return {"sites": sites, "devices": devices, "interfaces": interfaces, "links": links,
            "ip_blocks": net.blocks}


def _write_yaml_files(net: _Planner, out_dir: Path, fingerprint: str) -> None:
    rows = _inventory_rows(net)
    head = (f"# nms lab: the simulated township-to-city network (seed {net.lab.seed}, "
            f"{net.lab.counties} counties x {net.lab.townships_per_county} townships).\n"
            "# Generated by nms.lab.generator; regenerated by `nms lab start` when lab config "
            "changes.\n# This is the plan: the faults in faults.yaml are in what devices report, "
            "not here.\n")
    parts = [head]
    notes = {"sites": "parents before children", "interfaces": "planned interfaces",
             "links": "planned links", "ip_blocks": "the IP plan (also ipplan.yaml)"}
    for kind, items in rows.items():
        parts.append(f"{kind}:  # {notes.get(kind, '')}\n".replace("  # \n", "\n"))
        parts.append(_flow_rows(items))
    (out_dir / "inventory.yaml").write_text("".join(parts), encoding="utf-8")
    (out_dir / "ipplan.yaml").write_text(
        "# IP plan of the nms lab network (198.18.0.0/15). An address is in plan when it lies\n"
        "# in a block of the device's site or of one of that site's ancestors.\nblocks:\n"
        + _flow_rows(net.blocks), encoding="utf-8")
    faults_doc = {
        "description": "Faults planted on purpose in the nms lab network. They change what the "
                       "devices report over SNMP; inventory.yaml holds the plan. Everything "
                       "not listed here is clean.",
        "faults": net.faults,
    }
    (out_dir / "faults.yaml").write_text(
        yaml.safe_dump(faults_doc, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8")
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "fingerprint": fingerprint,
        "community": net.lab.community,
        "data_dir": "data",
        "devices": [{"name": d.name, "address": d.address, "port": d.port,
                     "transport_index": d.transport_index,
                     "recording": str(d.recording.relative_to(out_dir)) if d.recording else None}
                    for d in sorted(net.devices.values(), key=lambda d: d.transport_index)],
    }
    (out_dir / "manifest.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


def generate(lab: LabConfig, out_dir: Path) -> LabNetwork:
    """Generate the simulated network into ``out_dir`` (replacing a previous one there).

    Deterministic: the same ``lab`` settings and vendors.yaml give byte-identical files, so
    tests and bug reports can name a seed.

    Args:
        lab: the ``lab`` section of config.yaml (counties, townships, seed, community,
            loopback prefix, port).
        out_dir: directory to write; ``data/``, inventory.yaml, ipplan.yaml, faults.yaml and
            manifest.yaml in it are replaced.

    Returns:
        The network that was written (devices with addresses and recordings, links, sites,
        blocks, faults).

    Raises:
        ValueError: the settings cannot make a valid network (too many counties, a loopback
            prefix too small for the devices...).
    """
    profiles = load_profiles()
    planner = _Planner(lab, profiles)
    planner.build()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = out_dir / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir()
    sites = {s.code: s for s in planner.sites}
    (data_dir / f"{lab.community}.snmprec").write_text(
        "\n".join(_fallback_recording(lab.community)) + "\n", encoding="ascii")
    for dev in planner.devices.values():
        path = transport_recording(data_dir, lab.community, dev.transport_index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(_render_device(dev, planner, sites)) + "\n", encoding="ascii")
        dev.recording = path
    fingerprint = lab_fingerprint(lab)
    _write_yaml_files(planner, out_dir, fingerprint)
    return LabNetwork(sites=planner.sites, devices=list(planner.devices.values()),
                      links=planner.links, blocks=planner.blocks, faults=planner.faults,
                      community=lab.community, out_dir=out_dir, fingerprint=fingerprint)


def network_summary(network: LabNetwork) -> dict[str, Any]:
    """Counts by role and vendor, for ``nms lab status`` and logs."""
    by_role: dict[str, int] = {}
    by_vendor: dict[str, int] = {}
    for dev in network.devices:
        by_role[dev.role] = by_role.get(dev.role, 0) + 1
        by_vendor[dev.vendor] = by_vendor.get(dev.vendor, 0) + 1
    return {"devices": len(network.devices), "links": len(network.links),
            "by_role": by_role, "by_vendor": by_vendor, "faults": len(network.faults)}


