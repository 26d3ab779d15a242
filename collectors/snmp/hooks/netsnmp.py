"""net-snmp (Linux) quirks.

* net-snmp lists buffers, cache and shared memory as hrStorageOther rows whose size equals their
  own usage (always "100 % used"); they are slices of physical memory, so their total is set to
  the physical memory's and their percentage recomputed.
* hrProcessorLoad only appears after the agent has run for a minute (and not at all on some
  builds); then the system-wide UCD-SNMP-MIB ssCpuIdle gives one "System CPU" processor.
"""

from __future__ import annotations

from typing import Any

from collectors.snmp.walker import Collected

SLICES = ("Memory buffers", "Cached memory", "Shared memory")


def normalize(state: dict[str, Any], data: Collected) -> None:
    """Express buffers/cache/shared memory as parts of physical memory; UCD CPU fallback."""
    idle = data.get("ssCpuIdle")
    if not state.get("processors") and isinstance(idle, int) and 0 <= idle <= 100:
        state["processors"] = [{"index": "0", "descr": "System CPU", "usage_percent": 100 - idle,
                                "source": "ssCpuIdle"}]
    pools = state.get("mempools") or []
    physical = next((p for p in pools if p["descr"] == "Physical memory" and p["total_bytes"]),
                    None)
    if physical is None:
        return
    total = physical["total_bytes"]
    for pool in pools:
        if pool["descr"] in SLICES and pool["used_bytes"] is not None:
            pool["total_bytes"] = total
            pool["free_bytes"] = total - pool["used_bytes"]
            pool["used_percent"] = round(pool["used_bytes"] / total * 100, 2)
