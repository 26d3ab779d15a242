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
poll_status    collector                       status, reachable, duration_seconds, varbinds,
                                               error  (from PollResult.status_sample())
=============  ==============================  ===============================================

Interface samples are declared in the IF-MIB profile (``samples:``), so another counter table
is a YAML change; the state-derived measurements are built here from normalized state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from collectors.snmp.profile import Plan
from collectors.snmp.state import sort_indexes, speed_bps
from collectors.snmp.walker import Collected
from nms.models import FieldValue, Sample


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
                        tags[tag] = str(v)
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
    for p in state.get("processors") or []:
        out.append(Sample("processor", {**base, "index": p["index"], "descr": p["descr"]},
                          {"usage_percent": p["usage_percent"]}, time))
    for m in state.get("mempools") or []:
        fields = {k: m[k] for k in ("used_bytes", "total_bytes", "free_bytes", "used_percent")
                  if m.get(k) is not None}
        if fields:
            out.append(Sample("mempool", {**base, "index": m["index"], "descr": m["descr"]},
                              fields, time))
    for t in state.get("temperatures") or []:
        out.append(Sample("temperature", {**base, "index": t["index"], "descr": t["descr"]},
                          {"celsius": t["celsius"]}, time))
    return out
