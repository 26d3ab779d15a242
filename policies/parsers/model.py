"""The normalized device-configuration model every vendor parser fills.

Baseline checks read this model, never vendor text, so one check serves Huawei VRP, H3C Comware,
Cisco IOS/IOS-XE, Ruijie RGOS and Juniper Junos alike (the Batfish idea, without its
no-Huawei/no-H3C gap). Every fact keeps the 1-based line it came from so a finding can point
security staff at the exact line; a fact that comes from a vendor default instead of a line has
``line=None`` and ``default=True`` (absence is not always a failure: Huawei's 10-minute idle
timeout and login lockout are on by default).

Conventions:
  * ``Fact.value`` is ``None`` when the configuration says nothing and the vendor has no known
    default: checks then answer NEEDS_REVIEW or FAIL as the catalog says;
  * ``undo``/``no``/``delete`` lines set the value they negate, and the last line wins;
  * a section that appears twice (``interface X`` … ``interface X``) is merged, last line wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PLATFORMS = ("huawei_vrp", "hp_comware", "cisco_ios", "ruijie_os", "juniper_junos")


@dataclass(slots=True)
class Fact:
    """One configured (or default) value and where it came from."""

    value: Any = None
    line: int | None = None
    default: bool = False

    @property
    def known(self) -> bool:
        """True when the config or a vendor default gives a value."""
        return self.value is not None


def fact(value: Any, line: int | None) -> Fact:
    """A fact read from ``line``."""
    return Fact(value, line, False)


@dataclass(slots=True)
class User:
    """A local account. ``secret`` is irreversible | reversible | plain | none | unknown."""

    name: str
    line: int
    secret: str = "none"
    privilege: int | None = None
    roles: list[str] = field(default_factory=list)
    services: set[str] = field(default_factory=set)  # ssh, telnet, ftp, http, terminal...
    password: str | None = None  # clear or type-7 text, kept only to test against weak words


@dataclass(slots=True)
class MgmtLine:
    """A console/vty/aux line (Cisco ``line vty 0 4``, Huawei ``user-interface vty 0 4``)."""

    kind: str  # console | vty | aux
    name: str
    line: int
    transport: Fact = field(default_factory=Fact)  # set of protocols accepted inbound
    auth: Fact = field(default_factory=Fact)  # aaa | local | password | none
    acl_in: Fact = field(default_factory=Fact)
    idle_timeout_s: Fact = field(default_factory=Fact)
    privilege: Fact = field(default_factory=Fact)
    exec_enabled: Fact = field(default_factory=Fact)
    command_accounting: Fact = field(default_factory=Fact)


@dataclass(slots=True)
class Community:
    """An SNMP v1/v2c community."""

    name: str
    line: int
    write: bool = False
    acl: str | None = None
    hidden: bool = False  # stored ciphered: the name is not readable from the config


@dataclass(slots=True)
class SnmpUser:
    """An SNMPv3 USM user (or group, when ``is_group``)."""

    name: str
    line: int
    auth: str | None = None  # md5 | sha | sha2-256 ...
    priv: str | None = None  # des | 3des | aes128 | aes256 ...
    level: str | None = None  # noauth | auth | priv (groups)
    acl: str | None = None


@dataclass(slots=True)
class Server:
    """A remote server (syslog, NTP, AAA, trap receiver) and its options."""

    address: str
    line: int
    key: str | None = None
    kind: str = ""


@dataclass(slots=True)
class Interface:
    """An interface with the security-relevant settings of all vendors."""

    name: str
    line: int
    shutdown: bool = False
    description: str = ""
    addresses: list[str] = field(default_factory=list)
    acl_in: str | None = None
    acl_out: str | None = None
    redirects: Fact = field(default_factory=Fact)
    proxy_arp: Fact = field(default_factory=Fact)
    ospf_auth: Fact = field(default_factory=Fact)  # hmac-sha* | md5 | simple | none
    mode: str | None = None  # access | trunk | routed | None
    trunk_all: Fact = field(default_factory=Fact)
    native_vlan: Fact = field(default_factory=Fact)
    stp_edge: Fact = field(default_factory=Fact)
    bpdu_guard: Fact = field(default_factory=Fact)
    root_guard: Fact = field(default_factory=Fact)
    port_security: Fact = field(default_factory=Fact)
    dot1x: Fact = field(default_factory=Fact)
    dhcp_trust: Fact = field(default_factory=Fact)
    urpf: Fact = field(default_factory=Fact)
    lldp: Fact = field(default_factory=Fact)  # False when disabled on the port
    cdp: Fact = field(default_factory=Fact)
    vrf: str | None = None
    lines: list[int] = field(default_factory=list)  # every line of the (merged) section

    @property
    def physical(self) -> bool:
        """Ethernet-like ports (not VLAN, loopback, tunnel, NULL or aggregate interfaces)."""
        low = self.name.lower()
        return not low.startswith(("vlan", "loop", "lo0", "lo", "null", "tunnel", "nve", "vbdif",
                                   "eth-trunk", "bridge-aggregation", "route-aggregation",
                                   "port-channel", "ae", "irb", "fxp", "em", "meth", "dialer",
                                   "virtual", "bdi", "mgmt"))


@dataclass(slots=True)
class AclRule:
    """One rule (ACE) of an ACL or filter term."""

    action: str  # permit | deny
    line: int
    text: str = ""
    protocol: str = "ip"
    source: str = "any"
    destination: str = "any"
    ports: str | None = None
    log: bool = False


@dataclass(slots=True)
class Acl:
    """A named or numbered ACL (Juniper: a firewall filter)."""

    name: str
    line: int
    rules: list[AclRule] = field(default_factory=list)


@dataclass(slots=True)
class FwRule:
    """One security-policy rule of a zone firewall."""

    name: str
    line: int
    action: str = ""  # permit | deny
    source_zones: list[str] = field(default_factory=list)
    destination_zones: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    log: bool = False
    profiles: list[str] = field(default_factory=list)  # ips / av profiles attached
    disabled: bool = False


@dataclass(slots=True)
class Firewall:
    """Zone-firewall policy (USG / Comware security-policy / IOS ZBF / SRX security policies)."""

    present: bool = False
    line: int | None = None
    rules: list[FwRule] = field(default_factory=list)
    default_action: Fact = field(default_factory=Fact)  # permit | deny


@dataclass(slots=True)
class OspfProcess:
    """An OSPF process and its area-level authentication."""

    pid: str
    line: int
    area_auth: dict[str, Fact] = field(default_factory=dict)
    passive_default: Fact = field(default_factory=Fact)


@dataclass(slots=True)
class BgpPeer:
    """A BGP neighbour and whether it is authenticated."""

    address: str
    line: int
    auth: Fact = field(default_factory=Fact)


@dataclass(slots=True)
class Ref:
    """A use of a named object (ACL, route-policy, VRF...) that must be defined somewhere."""

    kind: str
    name: str
    line: int


@dataclass
class ParsedConfig:
    """One device's configuration in the normalized model (see the module docstring)."""

    platform: str
    source: str = ""
    lines: list[str] = field(default_factory=list)
    hostname: Fact = field(default_factory=Fact)
    version: str | None = None
    unknown: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    services: dict[str, Fact] = field(default_factory=dict)
    ssh: dict[str, Fact] = field(default_factory=dict)  # v1_compat, ciphers, macs, retries, version
    users: list[User] = field(default_factory=list)
    enable: list[User] = field(default_factory=list)
    password_encryption: Fact = field(default_factory=Fact)
    password_policy: dict[str, Fact] = field(default_factory=dict)  # min_length, complexity, aging_days
    lockout: dict[str, Fact] = field(default_factory=dict)  # enabled, attempts, lock_minutes
    mgmt_lines: list[MgmtLine] = field(default_factory=list)
    aaa: dict[str, Fact] = field(default_factory=dict)  # new_model, login_methods, accounting_commands
    aaa_servers: list[Server] = field(default_factory=list)
    snmp: dict[str, Fact] = field(default_factory=dict)  # enabled, versions, acl
    communities: list[Community] = field(default_factory=list)
    snmp_users: list[SnmpUser] = field(default_factory=list)
    snmp_groups: list[SnmpUser] = field(default_factory=list)
    trap_hosts: list[Server] = field(default_factory=list)
    logging: dict[str, Fact] = field(default_factory=dict)
    log_hosts: list[Server] = field(default_factory=list)
    ntp: dict[str, Fact] = field(default_factory=dict)  # enabled, authenticate, keys, trusted
    ntp_servers: list[Server] = field(default_factory=list)
    banner: Fact = field(default_factory=Fact)
    interfaces: dict[str, Interface] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)
    firewall: Firewall = field(default_factory=Firewall)
    ospf: list[OspfProcess] = field(default_factory=list)
    bgp_peers: list[BgpPeer] = field(default_factory=list)
    l2: dict[str, Fact] = field(default_factory=dict)
    control_plane: Fact = field(default_factory=Fact)
    mgmt_plane: dict[str, Fact] = field(default_factory=dict)  # ssh_source, mgmt_vrf
    refs: list[Ref] = field(default_factory=list)
    defined: dict[str, set[str]] = field(default_factory=dict)

    def text(self, line: int | None) -> str:
        """The source text of a 1-based line ('' for None or out of range)."""
        if line is None or line < 1 or line > len(self.lines):
            return ""
        return self.lines[line - 1].strip()

    def define(self, kind: str, name: str) -> None:
        """Record that an object of ``kind`` called ``name`` exists."""
        self.defined.setdefault(kind, set()).add(name)

    def refer(self, kind: str, name: str | None, line: int) -> None:
        """Record a use of an object of ``kind`` (checked by BL-HYG-001)."""
        if name:
            self.refs.append(Ref(kind, name, line))

    def interface(self, name: str, line: int) -> Interface:
        """The interface ``name``, created on first sight (repeated sections merge)."""
        intf = self.interfaces.get(name)
        if intf is None:
            intf = self.interfaces[name] = Interface(name, line)
        intf.lines.append(line)
        return intf

    def acl(self, name: str, line: int) -> Acl:
        """The ACL ``name``, created on first sight (rules of repeated sections append)."""
        acl = self.acls.get(name)
        if acl is None:
            acl = self.acls[name] = Acl(name, line)
            self.define("acl", name)
        return acl
