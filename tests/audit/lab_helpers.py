"""Shared pieces of the audit lab tests: the two-router spec, its login, device dicts."""

from __future__ import annotations

from typing import Any

from nms.lab.netns import LabHost, LabLink, LabSpec, NetnsLab

LOGIN = ("netops", "netops123")


def cli_spec() -> LabSpec:
    """Two FRR routers joined by one link; no LLDP (not needed here, and faster to start)."""
    return LabSpec([LabHost("r1", "city", "示范市", "city", lldp=False),
                    LabHost("r2", "countya", "A县", "county", county="countya", lldp=False)],
                   [LabLink("r1", "eth1", "198.19.1.1/30", "r2", "eth1", "198.19.1.2/30", "county")])


def lab_device(lab: NetnsLab, host: str) -> dict[str, Any]:
    """Inventory-style device dict for a lab router, addressed out-of-band."""
    return {"name": host, "address": lab.spec.oob_address(host), "platform": "cisco_ios"}
