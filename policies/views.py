"""Read device state in one shape whatever collector filled it (napalm getters or SNMP).

Why: checks must not care whether ``interfaces`` came from napalm's ``get_interfaces`` (a dict
keyed by interface name with ``is_up``/``is_enabled``/``speed``) or from the SNMP collector (a
list of rows with ``name``/``oper_status``/``speed_bps``), nor whether ``addresses`` came from
``get_interfaces_ip`` (``{ifname: {"ipv4": {addr: {"prefix_length": n}}}}``) or IP-MIB rows
(``{"ifname", "address", "prefix_length"}``). Every accepted input shape is listed in the
function docstrings; anything else yields nothing, and the checks then say NEEDS_REVIEW rather
than guess.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

IpIface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


@dataclass(frozen=True, slots=True)
class IfaceView:
    """One interface as checks see it; None means "not reported"."""

    name: str
    is_up: bool | None = None
    is_enabled: bool | None = None
    speed_bps: int | None = None
    mtu: int | None = None
    description: str | None = None
    ifindex: str | None = None


def _rows(data: Any) -> list[tuple[str | None, dict[str, Any]]]:
    """A dict keyed by name, or a list of rows, as (key-or-None, row) pairs."""
    if isinstance(data, dict):
        return [(str(k), v) for k, v in data.items() if isinstance(v, dict)]
    if isinstance(data, list):
        return [(None, v) for v in data if isinstance(v, dict)]
    return []


def _status(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).lower()
    if text in ("up", "1", "true"):
        return True
    if text in ("down", "2", "false", "lowerlayerdown", "notpresent", "dormant"):
        return False
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _index(row: dict[str, Any]) -> str | None:
    value = row.get("ifIndex", row.get("ifindex"))
    return None if value is None else str(value)


def interfaces(state: dict[str, Any]) -> list[IfaceView]:
    """Interfaces of a device's state.

    Accepts ``state["interfaces"]`` as napalm's dict (``{"Gi0/1": {"is_up": True, "is_enabled":
    True, "speed": 1000.0 (Mbit/s), "mtu": 1500, "description": ""}}``) or a list of SNMP rows
    (``{"name" | "ifname" | "ifName" | "descr", "is_up" | "oper_status", "is_enabled" |
    "admin_status", "speed_bps" | "speed" (Mbit/s), "mtu", "description" | "alias", "ifIndex"}``,
    as ``collectors.snmp.state`` builds them).
    """
    out = []
    for key, row in _rows(state.get("interfaces")):
        name = key or row.get("name") or row.get("ifname") or row.get("ifName") or row.get("descr") \
            or row.get("ifDescr")
        if not name:
            continue
        is_up = _status(row["is_up"]) if "is_up" in row else _status(row.get("oper_status"))
        enabled = (_status(row["is_enabled"]) if "is_enabled" in row
                   else _status(row.get("admin_status")))
        speed = _int(row.get("speed_bps"))
        if speed is None and row.get("speed") is not None:  # napalm: Mbit/s (float)
            mbps = _int(row.get("speed"))
            speed = mbps * 1_000_000 if mbps is not None and mbps >= 0 else None
        if speed is None and row.get("high_speed_mbps") is not None:
            mbps = _int(row.get("high_speed_mbps"))
            speed = mbps * 1_000_000 if mbps is not None else None
        out.append(IfaceView(name=str(name), is_up=is_up, is_enabled=enabled, speed_bps=speed,
                             mtu=_int(row.get("mtu")),
                             description=row.get("description") or row.get("alias"),
                             ifindex=_index(row)))
    return out


def addresses(state: dict[str, Any]) -> list[tuple[str, IpIface]]:
    """``(interface name, address/prefix)`` pairs of a device's state.

    Accepts ``state["addresses"]`` as napalm's ``get_interfaces_ip`` dict (``{"Gi0/1": {"ipv4":
    {"198.18.1.1": {"prefix_length": 30}}}}``) or a list of rows (``{"ifname" | "interface" |
    "name", "address": "198.18.1.1" or "198.18.1.1/30", "prefix_length" | "netmask"}``). Rows
    naming only ``ifindex`` are matched to ``interfaces`` by index. Unparseable rows are skipped.
    """
    data = state.get("addresses")
    by_index = {v.ifindex: v.name for v in interfaces(state) if v.ifindex is not None}
    out: list[tuple[str, IpIface]] = []
    if isinstance(data, dict):
        for ifname, families in data.items():
            if not isinstance(families, dict):
                continue
            for family in ("ipv4", "ipv6"):
                for addr, attrs in (families.get(family) or {}).items():
                    plen = (attrs or {}).get("prefix_length")
                    try:
                        out.append((str(ifname), ipaddress.ip_interface(f"{addr}/{plen}")))
                    except ValueError:
                        continue
        return out
    for _key, row in _rows(data):
        ifname = row.get("ifname") or row.get("interface") or row.get("name")
        index = _index(row)
        if not ifname and index is not None:
            ifname = by_index.get(index, f"ifIndex {index}")
        addr = row.get("address") or row.get("ip")
        if not ifname or not addr:
            continue
        text = str(addr)
        if "/" not in text:
            suffix = row.get("prefix_length") if row.get("prefix_length") is not None else row.get("netmask")
            if suffix is None:
                continue
            text = f"{text}/{suffix}"
        try:
            out.append((str(ifname), ipaddress.ip_interface(text)))
        except ValueError:
            continue
    return out


def lldp_neighbors(state: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(local port, remote system name, remote port)`` of a device's LLDP neighbours.

    Accepts napalm's ``{"Gi0/1": [{"hostname": "r2", "port": "Gi0/2"}]}`` or a list of rows
    (``{"local_port" | "local_ifIndex", "remote_system_name" | "remote_sysname" | "hostname",
    "remote_port" | "remote_port_id" | "port"}``, the SNMP collector's shape).
    """
    data = state.get("lldp_neighbors")
    if isinstance(data, dict):
        for local, peers in data.items():
            for peer in peers or []:
                if isinstance(peer, dict):
                    yield str(local), str(peer.get("hostname", "")), str(peer.get("port", ""))
        return
    by_index = {v.ifindex: v.name for v in interfaces(state) if v.ifindex is not None}
    for _key, row in _rows(data):
        local = row.get("local_port")
        if not local and row.get("local_ifIndex") is not None:
            local = by_index.get(str(row["local_ifIndex"]), f"ifIndex {row['local_ifIndex']}")
        yield (str(local or ""),
               str(row.get("remote_system_name") or row.get("remote_sysname") or row.get("hostname") or ""),
               str(row.get("remote_port") or row.get("remote_port_id") or row.get("port") or ""))
