"""Compare what nms discovered from a LibreNMS recording with LibreNMS's expected results.

The expected results (``<name>.json`` beside ``<name>.snmprec`` in shared/corpus/librenms) are
LibreNMS database rows; nms's state uses its own (napalm-ish) vocabulary. This module maps one
onto the other, field by field, and classifies every disagreement as either a real difference or
a *known* one -- a LibreNMS policy or bug, not device data (the corpus README lists them):

* ``ifAlias``: LibreNMS stores ifDescr when the device's ifAlias is empty; likewise it copies
  ifDescr into a missing ifName (no ifXTable) and ifName into an empty ifDescr (FortiGate).
* an IPv4 address without ipAdEntNetMask: LibreNMS assumes a prefix length, nms reports none.
* ``ifPhysAddress`` in ruijie.json: the LibreNMS bug value "35383a36393a" (hex of "58:69:").
* ports LibreNMS filtered out (``bad_if``/``bad_iftype``: mpls, Null, ...) are extra on our side.
* descriptions LibreNMS capitalises ("System memory" -> "System Memory", "node0" -> "Node0").
* net-snmp's "Swap space" hrStorage row: LibreNMS leaves it out of memory pools, nms keeps it.
* memory totals of -1 (Huawei hwEntityMemSize "unknown"): LibreNMS reads 2^32-1; nms reports none.

A known difference counts as agreement in the per-field percentage and is listed separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: LibreNMS os name for each nms platform id (inventory/platforms.yaml).
LIBRENMS_OS = {
    "huawei_vrp": "vrp", "huawei_vrpv8": "vrp", "hp_comware": "comware", "cisco_ios": "ios",
    "cisco_xe": "iosxe", "cisco_nxos": "nxos", "cisco_asa": "asa", "juniper_junos": "junos",
    "linux": "linux", "windows": "windows", "fortinet": "fortigate", "paloalto_panos": "panos",
    "hp_procurve": "procurve", "ruijie_os": "ruijie", "hillstone_stoneos": "stoneos",
    "zte_zxros": "zxr10",
}
PORT_FIELDS = ("ifName", "ifDescr", "ifAlias", "ifType", "speed", "ifAdminStatus",
               "ifOperStatus", "ifMtu", "ifPhysAddress")


@dataclass
class FieldScore:
    """Agreement of one field on one device."""

    agree: int = 0
    total: int = 0
    known: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    def add(self, ok: bool, why: str = "", known: str | None = None) -> None:
        self.total += 1
        if ok:
            self.agree += 1
        elif known:
            self.agree += 1
            self.known.append(f"{why} [{known}]")
        else:
            self.diffs.append(why)

    @property
    def percent(self) -> float | None:
        return None if self.total == 0 else 100.0 * self.agree / self.total


def _table(module: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    if not module:
        return []
    poller = module.get("poller")
    if isinstance(poller, dict) and poller.get(key) is not None:
        return list(poller[key])
    return list((module.get("discovery") or {}).get(key) or [])


def compare(name: str, expected: dict[str, Any], state: dict[str, Any]) -> dict[str, FieldScore]:
    """Per-field scores for one device."""
    scores: dict[str, FieldScore] = {}

    def s(key: str) -> FieldScore:
        return scores.setdefault(key, FieldScore())

    facts = state.get("facts") or {}
    exp_os = expected["os"]["discovery"]["devices"][0]
    got_os = LIBRENMS_OS.get(str(facts.get("platform")), f"?{facts.get('platform')}")
    s("os").add(got_os == exp_os["os"], f"os {got_os!r} != {exp_os['os']!r}")
    vendor_ok = bool(facts.get("vendor")) and got_os == exp_os["os"]
    s("vendor").add(vendor_ok, f"vendor {facts.get('vendor')!r}")

    # ---- ports
    ours = {p["ifIndex"]: p for p in state.get("interfaces") or []}
    exp_ports = _table(expected.get("ports"), "ports")
    for row in exp_ports:
        idx = row["ifIndex"]
        mine = ours.get(idx)
        s("ports_present").add(mine is not None, f"ifIndex {idx} missing")
        if mine is None:
            continue
        for f in PORT_FIELDS:
            exp_v = row.get("ifSpeed" if f == "speed" else f)
            got = mine.get("speed_bps" if f == "speed" else f)
            if f == "speed" and exp_v is None:
                exp_v = 0
            if f == "speed" and got is None:
                got = 0
            ok = got == exp_v or (got in (None, "") and exp_v in (None, ""))
            why = f"ifIndex {idx} {f}: nms {got!r} vs LibreNMS {exp_v!r}"
            known = None
            if not ok and f == "ifAlias" and not got and exp_v in (mine.get("ifDescr"),
                                                                 mine.get("ifName")):
                known = "LibreNMS stores ifDescr (or ifName) when ifAlias is empty"
            if not ok and f == "ifName" and got is None and exp_v == mine.get("ifDescr"):
                known = "no ifXTable in the recording; LibreNMS copies ifDescr"
            if not ok and f == "ifDescr" and not got and exp_v == mine.get("ifName"):
                known = "ifDescr empty in the recording; LibreNMS copies ifName"
            if not ok and f == "ifPhysAddress" and exp_v == "35383a36393a":
                known = "LibreNMS bug value in old ruijie.json"
            s(f).add(ok, why, known)
    exp_idx = {r["ifIndex"] for r in exp_ports}
    extra = sorted(set(ours) - exp_idx)
    if exp_ports and extra:
        sc = s("ports_extra")
        for idx in extra:
            sc.add(False, f"ifIndex {idx} ({ours[idx].get('ifType')})",
                   known="LibreNMS bad_if/bad_iftype filter")

    # ---- processors
    exp_proc = _table(expected.get("processors"), "processors")
    got_proc = {str(p["index"]): p for p in state.get("processors") or []}
    for row in exp_proc:
        idx = str(row["processor_index"])
        mine = got_proc.get(idx)
        s("processors_present").add(mine is not None, f"processor {idx} missing")
        if mine is None:
            continue
        exp_u = row["processor_usage"]
        s("processor_usage").add(abs(float(mine["usage_percent"]) - float(exp_u)) <= 1,
                                 f"processor {idx} usage {mine['usage_percent']} vs {exp_u}")
        s("processor_descr").add(mine["descr"] == row["processor_descr"],
                                 f"processor {idx} descr {mine['descr']!r} vs "
                                 f"{row['processor_descr']!r}")
    if "processors" in expected or got_proc:
        extra_p = sorted(set(got_proc) - {str(r["processor_index"]) for r in exp_proc})
        for idx in extra_p:
            s("processors_extra").add(False, f"processor {idx} ({got_proc[idx]['descr']}) "
                                      "not in LibreNMS")

    # ---- mempools
    exp_mem = _table(expected.get("mempools"), "mempools")
    got_mem = {str(m["index"]): m for m in state.get("mempools") or []}
    for row in exp_mem:
        idx = str(row["mempool_index"])
        mine = got_mem.get(idx)
        s("mempools_present").add(mine is not None, f"mempool {idx} missing")
        if mine is None:
            continue
        exp_pct = float(row["mempool_perc"])
        got_pct = mine["used_percent"]
        s("mempool_percent").add(got_pct is not None and abs(got_pct - exp_pct) <= 1,
                                 f"mempool {idx} percent {got_pct} vs {exp_pct}")
        exp_total = row.get("mempool_total")
        got_total = mine["total_bytes"]
        # LibreNMS sets total=100/used=percent for pools that only report a percentage
        percent_only = exp_total == 100 and row.get("mempool_used") == row.get("mempool_perc")
        if percent_only:
            s("mempool_total").add(got_total is None,
                                   f"mempool {idx} total {got_total} vs percent-only")
        else:
            known = None
            ok = got_total is not None and abs(got_total - exp_total) <= max(1, exp_total * 0.01)
            if not ok and got_total is None and exp_total == 4294967295:
                known = "device says -1 (unknown); LibreNMS reads it as 2^32-1"
            s("mempool_total").add(ok, f"mempool {idx} total {got_total} vs {exp_total}", known)
            exp_used = row.get("mempool_used")
            got_used = mine["used_bytes"]
            ok = got_used is not None and abs(got_used - exp_used) <= max(1, exp_total * 0.01)
            s("mempool_used").add(ok, f"mempool {idx} used {got_used} vs {exp_used}",
                                  known if got_used is None else None)
        same = mine["descr"] == row["mempool_descr"]
        s("mempool_descr").add(same, f"mempool {idx} descr {mine['descr']!r} vs "
                               f"{row['mempool_descr']!r}",
                               "LibreNMS capitalises words" if not same and
                               mine["descr"].lower() == row["mempool_descr"].lower() else None)
    if "mempools" in expected or got_mem:
        for idx in sorted(set(got_mem) - {str(r["mempool_index"]) for r in exp_mem}):
            known = None
            if got_mem[idx]["descr"] == "Swap space":
                known = "LibreNMS leaves net-snmp's swap out of memory pools; nms reports it"
            s("mempools_extra").add(False, f"mempool {idx} ({got_mem[idx]['descr']}) "
                                    "not in LibreNMS", known)

    # ---- IPv4 addresses and LLDP neighbours (beyond the required fields)
    exp_addr = {(r["ifIndex"], r["ipv4_address"], r["ipv4_prefixlen"])
                for r in _table(expected.get("ipv4-addresses"), "ipv4_addresses")}
    got_addr = {(a["ifIndex"], a["address"], a["prefix_length"])
                for a in state.get("addresses") or [] if a["family"] == 4}
    no_mask = {(a[0], a[1]) for a in got_addr if a[2] is None}
    for key in sorted(exp_addr, key=str):
        known = None
        if key not in got_addr and key[:2] in no_mask:
            known = "no ipAdEntNetMask in the recording; LibreNMS assumes a prefix length"
        s("ipv4_addresses").add(key in got_addr, f"address {key} missing", known)
    exp_links = [r for r in _table(expected.get("discovery-protocols"), "links")
                 if r.get("protocol") == "lldp"]
    by_name = {(i.get("ifName"), n["remote_sysname"]) for n in state.get("lldp_neighbors") or []
               for i in state.get("interfaces") or [] if i["ifIndex"] == n["local_ifIndex"]}
    for link in exp_links:
        key = (link.get("ifName"), link.get("remote_hostname"))
        s("lldp_neighbors").add(key in by_name, f"LLDP {key} missing")
    return scores
