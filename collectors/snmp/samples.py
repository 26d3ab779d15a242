"""Build :class:`~nms.models.Sample` s from one SNMP poll (the schema below is the contract).

Every sample carries the base tags ``device`` (inventory name) plus whatever the caller adds
(``site``, ``role``...), and the poll's start time (UTC). Counters are raw (rates: nms.rates).

=============  ==============================  ===============================================
measurement    extra tags                      fields (unit in the name)
=============  ==============================  ===============================================
system         platform, vendor                uptime_seconds (s), uptime_ticks (1/100 s),
                                               rebooted (bool: sysUpTime went down)
interface      ifindex, ifname                 in_octets, out_octets (octets),
                                               in/out_ucast/multicast/broadcast_packets,
                                               in/out_errors, in/out_discards (packets),
                                               counter_bits (32|64: width of those counters),
                                               admin_status, oper_status (names), speed_bps,
                                               last_change_ticks
processor      index, descr                    usage_percent
mempool        index, descr                    used_bytes, total_bytes, free_bytes,
                                               used_percent
temperature    index, descr                    celsius
device_health  (none)                          cpu_percent (mean over processors),
                                               memory_percent (used / total over the pools
                                               reporting bytes, else their mean percent;
                                               swap / virtual memory left out)
poll_status    collector                       status, reachable, duration_seconds, varbinds,
                                               error  (from PollResult.status_sample())
=============  ==============================  ===============================================

Interface samples are declared in the IF-MIB profile (``samples:``), so another counter table
is a YAML change; the state-derived measurements are built here from normalized state.

``_percent`` fields are always floats: a field keeps the type of its first write in every sink,
and agents report usage as INTEGER on one box and a parsed string on another. Tag values lose
backslashes and control characters (Windows volume labels such as ``C:\\ Label``), which line
protocol cannot carry.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from collectors.snmp.profile import Plan
from collectors.snmp.state import sort_indexes, speed_bps
from collectors.snmp.walker import Collected
from nms.models import FieldValue, Sample

# Swap and virtual-memory pools (HOST-RESOURCES hrStorageVirtualMemory, "Swap space") are not
# the device's memory pressure: device_health.memory_percent leaves them out.
_SWAP = re.compile(r"swap|virtual memory", re.I)


def _tag(value: Any) -> str:
    """A tag value line protocol can carry: no backslashes or control characters."""
    text = str(value).replace("\\", "/")
    return "".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text).strip()


def _percent(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def _field(spec: Any, data: Collected, index: str) -> Any:
    if isinstance(spec, list):
        for alt in spec:
            v = _field(alt, data, index)
            if v is not None:
                return v
        return None
    if spec == "@index":
        return index
    if spec == "@speed_bps":
        return speed_bps(data, index)
    return data.get(spec, index)


def declared_samples(plan: Plan, data: Collected, base: dict[str, str], time: datetime
                     ) -> list[Sample]:
    """Samples declared by the profiles' ``samples:`` sections (one per table row)."""
    out: list[Sample] = []
    for profile in plan.profiles:
        for decl in profile.samples:
            for index in sort_indexes(data.col(decl["index"])):
                tags = dict(base)
                for tag, spec in (decl.get("tags") or {}).items():
                    v = _field(spec, data, index)
                    if v is not None and v != "":
                        tags[tag] = _tag(v)
                fields: dict[str, FieldValue] = {}
                for name, spec in decl["fields"].items():
                    v = _field(spec, data, index)
                    if isinstance(v, int | float | str | bool):
                        fields[name] = v
                bits_col = decl.get("counter_bits_from")
                if bits_col and fields:
                    fields["counter_bits"] = 64 if data.get(bits_col, index) is not None else 32
                if fields:
                    out.append(Sample(decl["measurement"], tags, fields, time))
    return out


def state_samples(state: dict[str, Any], base: dict[str, str], time: datetime,
                  rebooted: bool) -> list[Sample]:
    """system / processor / mempool / temperature samples from normalized state."""
    out: list[Sample] = []
    facts = state.get("facts") or {}
    sys_fields: dict[str, FieldValue] = {}
    if facts.get("sysUpTime") is not None:
        sys_fields["uptime_ticks"] = facts["sysUpTime"]
        sys_fields["uptime_seconds"] = facts["uptime_seconds"]
        sys_fields["rebooted"] = rebooted
    if sys_fields:
        tags = dict(base)
        for key in ("platform", "vendor"):
            if facts.get(key):
                tags[key] = str(facts[key])
        out.append(Sample("system", tags, sys_fields, time))
    cpu: list[float] = []
    for p in state.get("processors") or []:
        usage = _percent(p.get("usage_percent"))
        if usage is None:
            continue
        cpu.append(usage)
        out.append(Sample("processor", {**base, "index": _tag(p["index"]), "descr": _tag(p["descr"])},
                          {"usage_percent": usage}, time))
    used = total = 0
    mem_percent: list[float] = []
    for m in state.get("mempools") or []:
        fields: dict[str, FieldValue] = {k: m[k] for k in ("used_bytes", "total_bytes", "free_bytes")
                                         if m.get(k) is not None}
        main_memory = not _SWAP.search(str(m.get("descr") or ""))
        if m.get("used_percent") is not None:
            fields["used_percent"] = float(m["used_percent"])
            if main_memory:
                mem_percent.append(float(m["used_percent"]))
        if main_memory and m.get("used_bytes") is not None and m.get("total_bytes"):
            used += m["used_bytes"]
            total += m["total_bytes"]
        if fields:
            out.append(Sample("mempool", {**base, "index": _tag(m["index"]), "descr": _tag(m["descr"])},
                              fields, time))
    for t in state.get("temperatures") or []:
        if t.get("celsius") is None:
            continue
        out.append(Sample("temperature", {**base, "index": _tag(t["index"]), "descr": _tag(t["descr"])},
                          {"celsius": float(t["celsius"])}, time))
    health: dict[str, FieldValue] = {}
    if cpu:
        health["cpu_percent"] = round(sum(cpu) / len(cpu), 2)
    if total:
        health["memory_percent"] = round(100.0 * used / total, 2)
    elif mem_percent:
        health["memory_percent"] = round(sum(mem_percent) / len(mem_percent), 2)
    if health:
        out.append(Sample("device_health", dict(base), health, time))
    return out
