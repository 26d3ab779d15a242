"""Small builders of polled-shaped state (the SNMP collector's getters) for unit tests."""

from __future__ import annotations

from typing import Any


def iface(idx: int, name: str, *, descr: str | None = None, alias: str = "",
          mac: str | None = None, oper: str = "up", admin: str = "up",
          speed: int | None = 1_000_000_000) -> dict[str, Any]:
    """One ``interfaces`` row."""
    return {"ifIndex": idx, "ifName": name, "ifDescr": descr or name, "ifAlias": alias,
            "speed_bps": speed, "ifAdminStatus": admin, "ifOperStatus": oper,
            "ifPhysAddress": mac or f"02000000{idx:04x}"}


def addr(idx: int, address: str, plen: int) -> dict[str, Any]:
    """One ``addresses`` row."""
    return {"ifIndex": idx, "address": address, "prefix_length": plen, "family": 4}


def nbr(local: int, *, port: str | None, psub: str | int | None = "interfaceName",
        chassis: str | None = None, csub: str | int | None = "macAddress",
        sysname: str | None = None, desc: str | None = None,
        mgmt: str | None = None) -> dict[str, Any]:
    """One ``lldp_neighbors`` row as collectors/snmp/state.py builds it."""
    return {"local_ifIndex": local, "local_port_num": local, "remote_chassis_id": chassis,
            "remote_chassis_id_subtype": csub, "remote_port_id": port,
            "remote_port_id_subtype": psub, "remote_port_description": desc,
            "remote_sysname": sysname, "remote_system_description": None,
            "remote_mgmt_address": mgmt}


def device(sysname: str, interfaces: list[dict[str, Any]], addresses: list[dict[str, Any]] = (),  # type: ignore[assignment]
           lldp: Any = ()) -> dict[str, Any]:
    """One device's state."""
    return {"facts": {"sysName": sysname}, "interfaces": list(interfaces),
            "addresses": list(addresses), "lldp_neighbors": lldp if isinstance(lldp, dict) else list(lldp)}
