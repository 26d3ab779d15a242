"""Fortinet FortiGate quirks: sysDescr is the hostname, so the version comes from fgSysVersion."""

from __future__ import annotations

from typing import Any

from collectors.snmp.walker import Collected


def normalize(state: dict[str, Any], data: Collected) -> None:
    """Version from FORTINET-FORTIGATE-MIB::fgSysVersion."""
    version = data.get("fgSysVersion")
    if version:
        state["facts"]["version"] = version
