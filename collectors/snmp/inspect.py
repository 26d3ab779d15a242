"""The ``nms snmp inspect`` JSON document: one device's discovery and poll, as a stable contract.

Keys (stable; tools and tests rely on them)::

    status, error, duration_s, engine,
    sysDescr, sysObjectID, sysName, uptime_seconds,
    os:             {vendor, platform, model, version, serial}
    ports:          [{ifIndex, ifName, ifDescr, ifAlias, ifType, ifMtu, speed_bps, ifAdminStatus,
                      ifOperStatus, ifPhysAddress}]
    processors:     [{index, descr, usage_percent}]
    mempools:       [{index, descr, used_bytes, total_bytes, used_percent}]
    temperatures:   [{index, descr, celsius}]
    addresses:      [{ifIndex, address, prefix_length}]
    lldp_neighbors: [{local_ifIndex, remote_chassis_id, remote_port_id, remote_sysname,
                      remote_mgmt_address}]

``ifType`` is the IANAifType name, statuses are names (``up``/``down``/...), ``ifPhysAddress``
12 lowercase hex digits, ``speed_bps`` from ifHighSpeed when present. Missing data is ``null`` or
``[]``, never invented.
"""

from __future__ import annotations

from typing import Any

from nms.models import PollResult

PORT_KEYS = ("ifIndex", "ifName", "ifDescr", "ifAlias", "ifType", "ifMtu", "speed_bps",
             "ifAdminStatus", "ifOperStatus", "ifPhysAddress")


def _pick(rows: list[dict[str, Any]] | None, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{k: row.get(k) for k in keys} for row in rows or []]


def inspect_view(result: PollResult, engine: str | None = None) -> dict[str, Any]:
    """Build the inspect document from a poll result (see module docstring)."""
    state = result.state or {}
    facts = state.get("facts") or {}
    return {
        "status": result.status.value,
        "error": result.error,
        "duration_s": round(result.duration_s, 3),
        "engine": engine,
        "sysDescr": facts.get("sysDescr"),
        "sysObjectID": facts.get("sysObjectID"),
        "sysName": facts.get("sysName"),
        "uptime_seconds": facts.get("uptime_seconds"),
        "os": {k: facts.get(k) for k in ("vendor", "platform", "model", "version", "serial")},
        "ports": _pick(state.get("interfaces"), PORT_KEYS),
        "processors": _pick(state.get("processors"), ("index", "descr", "usage_percent")),
        "mempools": _pick(state.get("mempools"),
                          ("index", "descr", "used_bytes", "total_bytes", "used_percent")),
        "temperatures": _pick(state.get("temperatures"), ("index", "descr", "celsius")),
        "addresses": _pick(state.get("addresses"), ("ifIndex", "address", "prefix_length")),
        "lldp_neighbors": _pick(state.get("lldp_neighbors"),
                                ("local_ifIndex", "remote_chassis_id", "remote_port_id",
                                 "remote_sysname", "remote_mgmt_address")),
    }
