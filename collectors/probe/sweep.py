"""Find devices in a prefix (ping/ARP sweep + SNMP identity) and *propose* them for the inventory.

Why: township networks grow without anyone updating the inventory. A sweep finds what answers,
an SNMP GET of the system group with the configured credentials says what it is, and the
result is a list of proposed inventory rows for an operator to review -- nothing is ever
written to the inventory here (``nms probe sweep`` writes a YAML file that ``nms inventory
import`` takes after the operator has filled in the site).

Safety: :func:`sweep` refuses a prefix outside the caller's explicit allow-list and prefixes
larger than ``max_hosts`` (:func:`collectors.probe.policy.check_prefix`), and sends at most
``rate_pps`` packets per second. ICMP echo is sent to every host address; ARP requests only when
the prefix is on a directly connected interface (ARP does not cross routers), which finds hosts
that drop ICMP. Without raw sockets the ``ping`` program is used per address (no ARP then).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import yaml

from collectors.probe.icmp import _raise_permission, _scapy, ping_program_probe, send_receive
from collectors.probe.policy import RawSocketPermissionError, check_prefix
from collectors.snmp.engine import SessionOptions, open_session
from inventory.detect import detect
from nms.config import SnmpAuth, SnmpConfig
from nms.errors import DeviceError

OID_SYSDESCR = "1.3.6.1.2.1.1.1.0"
OID_SYSOBJECTID = "1.3.6.1.2.1.1.2.0"
OID_SYSNAME = "1.3.6.1.2.1.1.5.0"
FIREWALL_PLATFORMS = {"hillstone_stoneos", "fortinet", "paloalto_panos", "cisco_asa"}
SERVER_PLATFORMS = {"linux", "windows"}


@dataclass
class SweepResult:
    """Addresses that answered, how, and what could not be done."""

    prefix: str
    alive: dict[str, dict[str, Any]] = field(default_factory=dict)
    methods: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0


def _icmp_sweep(hosts: list[str], rate_pps: float, timeout_s: float) -> dict[str, dict[str, Any]]:
    _, _, inet = _scapy()
    packets = [inet.IP(dst=h) / inet.ICMP(type=8, id=0x6E6D, seq=i) for i, h in enumerate(hosts)]
    answered = send_receive(packets, timeout_s=timeout_s, rate_pps=rate_pps,
                            what="an ICMP sweep with scapy")
    out: dict[str, dict[str, Any]] = {}
    for query, answer in answered:
        if inet.ICMP in answer and answer[inet.ICMP].type == 0:
            out[query[inet.IP].dst] = {"method": "icmp", "rtt_ms": round(
                (answer.time - query.sent_time) * 1000.0, 3)}
    return out


def _arp_sweep(net: ipaddress.IPv4Network, hosts: list[str], rate_pps: float,
               timeout_s: float) -> tuple[dict[str, dict[str, Any]], str | None]:
    """ARP who-has for every host when ``net`` is directly connected; (found, note)."""
    conf, sendrecv, inet = _scapy()
    from scapy.layers.l2 import ARP, Ether

    iface, _src, gateway = conf.route.route(hosts[0])
    if gateway not in ("0.0.0.0", None):
        return {}, f"ARP skipped: {net} is not directly connected (route via {gateway})"
    packets = [Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(pdst=h) for h in hosts]
    try:
        answered, _ = sendrecv.srp(packets, iface=iface, timeout=timeout_s, inter=1.0 / rate_pps,
                                   verbose=0, retry=0, threaded=True)
    except OSError as exc:
        _raise_permission(exc, "an ARP sweep with scapy")
        raise
    out = {}
    for _query, answer in answered:
        ip = answer[ARP].psrc
        if ip in hosts:
            out[ip] = {"method": "arp", "mac": answer[ARP].hwsrc}
    return out, None


def sweep(prefix: str, *, allowed: Sequence[str], methods: Sequence[str] = ("icmp", "arp"),
          rate_pps: float = 100.0, timeout_s: float = 1.0, max_hosts: int = 4096) -> SweepResult:
    """Sweep ``prefix`` for live hosts.

    Args:
        prefix: e.g. ``198.19.0.0/24``.
        allowed: networks the caller explicitly permits; ``prefix`` must lie inside one.
        methods: ``icmp`` and/or ``arp``.
        rate_pps: packets per second, all methods together.
        timeout_s: wait after the last packet.
        max_hosts: refuse larger prefixes.

    Raises:
        TargetNotAllowedError: prefix outside ``allowed`` (or none given) or too large.
    """
    t0 = time.perf_counter()
    net = check_prefix(prefix, allowed, max_hosts=max_hosts)
    hosts = [str(h) for h in net.hosts()] if net.num_addresses > 1 else [str(net.network_address)]
    result = SweepResult(str(net))
    try:
        if "icmp" in methods:
            result.alive.update(_icmp_sweep(hosts, rate_pps, timeout_s))
            result.methods.append("icmp")
        if "arp" in methods and net.version == 4:
            found, note = _arp_sweep(net, hosts, rate_pps, timeout_s)  # type: ignore[arg-type]
            for ip, info in found.items():
                result.alive.setdefault(ip, {}).update(
                    {"mac": info["mac"], "method": result.alive.get(ip, {}).get("method", "arp")})
            if note:
                result.notes.append(note)
            else:
                result.methods.append("arp")
    except RawSocketPermissionError as exc:
        result.notes.append(f"{exc}; falling back to the ping program (no ARP)")
        result.methods.append("ping")
        with ThreadPoolExecutor(max_workers=32) as pool:
            futures = {}
            for h in hosts:
                futures[h] = pool.submit(ping_program_probe, h, count=1, timeout_s=timeout_s)
                time.sleep(1.0 / rate_pps)
            for h, fut in futures.items():
                res = fut.result()
                if res.reachable:
                    result.alive[h] = {"method": "ping", "rtt_ms": round(res.rtts_ms[0], 3)}
    result.alive = dict(sorted(result.alive.items(), key=lambda kv: ipaddress.ip_address(kv[0])))
    result.duration_s = time.perf_counter() - t0
    return result


async def snmp_identify(addresses: Iterable[str], auths: Mapping[str, SnmpAuth],
                        snmp: SnmpConfig | None = None, *, concurrency: int = 32
                        ) -> dict[str, dict[str, Any]]:
    """GET sysName/sysDescr/sysObjectID from each address, trying each auth profile in order.

    Returns:
        ``{address: {"auth", "sysName", "sysDescr", "sysObjectID", "platform", "vendor",
        "model", "version"}}`` for addresses that answered; others are absent.
    """
    snmp = snmp or SnmpConfig()
    sem = asyncio.Semaphore(concurrency)

    async def one(address: str) -> tuple[str, dict[str, Any] | None]:
        async with sem:
            for name, auth in auths.items():
                options = SessionOptions(address=address, port=snmp.port, timeout_s=snmp.timeout_s,
                                         retries=snmp.retries)
                try:
                    async with open_session(snmp.engine, options, auth) as session:
                        got = await session.get([OID_SYSNAME, OID_SYSDESCR, OID_SYSOBJECTID])
                except DeviceError:
                    continue
                if not got:
                    continue
                oid, descr = _text(got, OID_SYSOBJECTID), _text(got, OID_SYSDESCR)
                found = detect(oid, descr)
                return address, {"auth": name, "sysName": _text(got, OID_SYSNAME),
                                 "sysDescr": descr, "sysObjectID": oid,
                                 "platform": found.platform.id, "vendor": found.platform.vendor,
                                 "model": found.model, "version": found.version}
        return address, None

    pairs = await asyncio.gather(*(one(a) for a in addresses))
    return {a: info for a, info in pairs if info is not None}


def _text(got: Mapping[str, Any], oid: str) -> str | None:
    value = got.get(oid)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return None if value is None else str(value)


def is_local_address(address: str) -> bool:
    """True when ``address`` belongs to this host (namespace): the sweeper must not propose
    itself. Binding succeeds only for local addresses."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, 0))
        except OSError:
            return False
    return True


def guess_role(platform: str | None) -> str:
    """Router unless the platform says firewall or server (the operator confirms anyway)."""
    if platform in FIREWALL_PLATFORMS:
        return "firewall"
    if platform in SERVER_PLATFORMS:
        return "server"
    return "router"


def proposals(result: SweepResult, identities: Mapping[str, Mapping[str, Any]],
              known: Iterable[str]) -> list[dict[str, Any]]:
    """Proposed inventory rows for live addresses that are not known yet.

    ``known`` holds inventory device names and every address already accounted for (device
    addresses and interface addresses). A device found on an address that is not its
    inventory address is still known when its sysName is an inventory name.
    """
    known_set = {k.lower() for k in known}
    out = []
    for address, seen in result.alive.items():
        ident = identities.get(address) or {}
        sys_name = ident.get("sysName")
        if address in known_set or (sys_name and sys_name.lower() in known_set):
            continue
        if is_local_address(address):
            continue
        name = sys_name or f"new-{address.replace('.', '-').replace(':', '-')}"
        out.append({
            "name": name, "address": address, "role": guess_role(ident.get("platform")),
            "vendor": ident.get("vendor"), "platform": ident.get("platform"),
            "model": ident.get("model"), "site": None, "zone": "extranet",
            "snmp_auth": ident.get("auth"), "tags": ["proposed"],
            "evidence": {"found_by": seen.get("method"), "mac": seen.get("mac"),
                         "rtt_ms": seen.get("rtt_ms"), "sysDescr": ident.get("sysDescr"),
                         "sysObjectID": ident.get("sysObjectID"),
                         "snmp": "answered" if ident else "no answer with the configured auths"},
        })
    return out


def proposals_yaml(rows: Sequence[Mapping[str, Any]], prefix: str) -> str:
    """The proposals as an inventory import file; the evidence goes in comments.

    ``site`` is left empty on purpose: the import refuses the file until the operator has
    placed every device, so nothing lands in the inventory unreviewed.
    """
    lines = [f"# Devices found by `nms probe sweep {prefix}` that the inventory does not know.",
             "# Review each one, set its site (and fix role/name), then: nms inventory import FILE",
             "devices:"]
    if not rows:
        lines[-1] = "devices: []"
    for row in rows:
        for key, value in row["evidence"].items():
            if value is not None:
                lines.append(f"  # {key}: {str(value).splitlines()[0][:100]}")
        entry = {k: v for k, v in row.items() if k != "evidence"}
        lines.append("  - " + yaml.safe_dump(entry, default_flow_style=True, allow_unicode=True,
                                             sort_keys=False, width=1000).strip())
    return "\n".join(lines) + "\n"


def propose_devices(prefix: str, *, allowed: Sequence[str], auths: Mapping[str, SnmpAuth],
                    known: Iterable[str], snmp: SnmpConfig | None = None,
                    rate_pps: float = 100.0, timeout_s: float = 1.0,
                    methods: Sequence[str] = ("icmp", "arp")) -> dict[str, Any]:
    """Sweep, SNMP-identify what answered, and propose unknown devices (nothing is stored).

    Returns:
        ``{"prefix", "alive", "identified", "proposals", "notes", "duration_s"}``.
    """
    result = sweep(prefix, allowed=allowed, methods=methods, rate_pps=rate_pps,
                   timeout_s=timeout_s)
    identities = asyncio.run(snmp_identify(result.alive, auths, snmp)) if auths else {}
    rows = proposals(result, identities, known)
    return {"prefix": result.prefix, "alive": result.alive, "identified": identities,
            "proposals": rows, "notes": result.notes, "methods": result.methods,
            "duration_s": round(result.duration_s, 3)}
