"""Turn collected SNMP columns into normalized device state (napalm-ish getter names).

Input: :class:`~collectors.snmp.walker.Collected` plus the platform detection. Output: the
``PollResult.state`` dict, one key per getter::

    facts           {sysDescr, sysObjectID, sysName, sysContact, sysLocation, uptime_seconds,
                     hostname, vendor, platform, os, model, version, serial}
    interfaces      [{ifIndex, ifName, ifDescr, ifAlias, ifType, ifMtu, speed_bps, ifAdminStatus,
                      ifOperStatus, ifPhysAddress, ifLastChange,
                      # napalm get_interfaces keys, same data:
                      name, description, is_enabled, is_up, speed (Mbit/s), mtu, mac_address}]
    addresses       [{ifIndex, address, prefix_length, family}]         (IP-MIB)
    lldp_neighbors  [{local_ifIndex, local_port_num, remote_chassis_id, remote_chassis_id_subtype,
                      remote_port_id, remote_port_id_subtype, remote_port_description,
                      remote_sysname, remote_system_description, remote_mgmt_address}]
    processors      [{index, descr, usage_percent, source}]
    mempools        [{index, descr, used_bytes, free_bytes, total_bytes, used_percent, source}]
    temperatures    [{index, descr, celsius, source}]

Missing data is ``None`` or an empty list, never invented. Which rows become processors,
memory pools and temperatures is declared in the profiles (``processors:``, ``mempools:``,
``temperatures:``, see below); vendor quirks go to ``collectors/snmp/hooks/<vendor>.py``.

Declaration vocabulary (one mapping per source)::

    usage / percent / value / used / free / total:   a value spec --
        "column"  |  {column: c, scale: 1024}  |  [spec, spec, ...]  (first positive wins)
    units:            a value spec multiplying used/free/total (hrStorageAllocationUnits)
    descr:            template: {column} at the row's index, {column@ptrcolumn} at the index
                      another column points to, {column@index.0} at the first index component,
                      {@index} the row index
    default_descr:    used when the template renders empty
    index_from:       column whose indexes enumerate the rows (default: the first value column)
    require_nonzero / require_nonzero_any:  columns that must (all / any) be non-zero
    where:            {column: [allowed values]}
    descr_match / descr_exclude:  regex the rendered description must / must not match
    group:            declarations sharing a group: only the first that yields rows is used
    clean_descr: cpu  tidy CPU brand strings ("Intel(R) Xeon(R) CPU" -> "Intel Xeon")
    max_valid:        drop values above this (65535 = "no sensor" on Comware)
"""

from __future__ import annotations

import ipaddress
import re
import string
from typing import Any

from collectors.snmp.profile import Plan
from collectors.snmp.walker import Collected
from inventory.detect import Detection

_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_PRINTABLE = set(string.printable) - set("\x0b\x0c")


# ------------------------------------------------------------------------------ helpers
def render(template: str, data: Collected, index: str) -> str:
    """Fill a descr template (see module docstring) for one row."""

    def repl(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr == "@index":
            return index
        col, _, ptr = expr.partition("@")
        at = index
        if ptr.startswith("index."):
            parts = index.split(".")
            k = int(ptr[6:])
            at = parts[k] if k < len(parts) else ""
        elif ptr:
            pointed = data.get(ptr, index)
            at = "" if pointed is None else str(pointed)
        value = data.get(col, at)
        if value is None:
            value = data.get(col)  # a scalar
        return "" if value is None else str(value)

    return _TEMPLATE.sub(repl, template).strip()


def value(spec: Any, data: Collected, index: str | None) -> float | int | None:
    """Evaluate a value spec for one row (None when absent, not a number or not positive
    in a list of alternatives)."""
    if spec is None:
        return None
    if isinstance(spec, list):
        for alt in spec:
            v = value(alt, data, index)
            if v is not None and v > 0:
                return v
        return None
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return spec
    scale: float = 1
    if isinstance(spec, dict):
        scale = spec.get("scale", 1)
        spec = spec["column"]
    raw = data.get(spec, index) if index is not None else None
    if raw is None:
        raw = data.get(spec)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return raw * scale


def _indexes(decl: dict[str, Any], data: Collected, first_key: str) -> list[str]:
    col = decl.get("index_from")
    if col is None:
        spec = decl.get(first_key)
        while isinstance(spec, list):
            spec = spec[0] if spec else None
        if isinstance(spec, dict):
            spec = spec.get("column")
        col = spec
    if not isinstance(col, str):
        return []
    if col in data.scalars:
        return ["0"]
    return sort_indexes(data.col(col))


def sort_indexes(keys: Any) -> list[str]:
    """Indexes in numeric OID order ("2" before "10")."""

    def key(k: str) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in k.split("."))
        except ValueError:
            return (1 << 62,)

    return sorted(keys, key=key)


def _cell(data: Collected, col: str, index: str) -> Any:
    if col in data.scalars:
        return data.scalars[col]
    return data.get(col, index)


def _passes(decl: dict[str, Any], data: Collected, index: str) -> bool:
    for col in decl.get("require_nonzero", []):
        v = _cell(data, col, index)
        if not v or not isinstance(v, int | float):
            return False
    any_cols = decl.get("require_nonzero_any")
    if any_cols and not any(isinstance(_cell(data, c, index), int | float)
                            and _cell(data, c, index) for c in any_cols):
        return False
    for col, allowed in (decl.get("where") or {}).items():
        if str(_cell(data, col, index)) not in {str(a) for a in allowed}:
            return False
    return True


def _descr(decl: dict[str, Any], data: Collected, index: str) -> str:
    text = render(str(decl.get("descr", "")), data, index) if "descr" in decl else ""
    if decl.get("clean_descr") == "cpu":
        text = clean_cpu_descr(text)
    return text or render(str(decl.get("default_descr", "")), data, index)


def _excluded(decl: dict[str, Any], descr: str) -> bool:
    pattern = decl.get("descr_match")
    if pattern and not re.search(pattern, descr):
        return True
    pattern = decl.get("descr_exclude")
    return bool(pattern and re.search(pattern, descr))


def clean_cpu_descr(text: str) -> str:
    """Tidy a CPU brand string; generic family/model strings become "Processor"."""
    text = re.sub(r"^(GenuineIntel|AuthenticAMD):\s*", "", text)
    text = re.sub(r"\((R|TM|tm|r)\)", "", text)
    text = re.sub(r"\bCPU\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text or re.search(r"Family \d+ Model \d+|^Unknown Processor Type$", text):
        return "Processor"
    return text


# ------------------------------------------------------------------------------ getters
def processors(plan: Plan, data: Collected) -> list[dict[str, Any]]:
    """CPU load per processor from every ``processors:`` declaration of the plan."""
    out = []
    for decl in plan.state_decls("processors"):
        for index in _indexes(decl, data, "usage"):
            if not _passes(decl, data, index):
                continue
            usage = value(decl["usage"], data, index)
            descr = _descr(decl, data, index)
            if usage is None or _excluded(decl, descr):
                continue
            out.append({"index": index, "descr": descr,
                        "usage_percent": usage, "source": _source(decl, "usage")})
    return out


def _source(decl: dict[str, Any], key: str) -> str:
    spec = decl.get(key)
    while isinstance(spec, list):
        spec = spec[0] if spec else None
    if isinstance(spec, dict):
        spec = spec.get("column")
    return str(spec)


def mempools(plan: Plan, data: Collected) -> list[dict[str, Any]]:
    """Memory pools from every ``mempools:`` declaration (bytes and percent)."""
    out: list[dict[str, Any]] = []
    done_groups: set[str] = set()
    for decl in plan.state_decls("mempools"):
        group = decl.get("group")
        if group and group in done_groups:
            continue
        first = next(k for k in ("percent", "used", "total", "free") if k in decl)
        rows = []
        for index in _indexes(decl, data, first):
            if not _passes(decl, data, index):
                continue
            row = _mempool_row(decl, data, index)
            if row is None:
                continue
            if _excluded(decl, row["descr"]):
                continue
            rows.append(row)
        if rows and group:
            done_groups.add(group)
        out.extend(rows)
    return out


def _mempool_row(decl: dict[str, Any], data: Collected, index: str) -> dict[str, Any] | None:
    units = value(decl.get("units"), data, index) if "units" in decl else 1
    if units is None:
        units = 1

    def scaled(key: str) -> float | None:
        v = value(decl.get(key), data, index)
        return None if v is None else v * units

    used, free, total = scaled("used"), scaled("free"), scaled("total")
    percent = value(decl.get("percent"), data, index)
    if total is not None and total <= 0:
        total = None
    if total is None and used is not None and free is not None:
        total = used + free
    if used is None and total is not None and free is not None:
        used = total - free
    if used is None and total is not None and percent is not None:
        used = total * percent / 100
    if percent is None and used is not None and total:
        percent = used / total * 100
    if free is None and used is not None and total is not None:
        free = total - used
    if percent is None and used is None:
        return None

    def whole(v: float | None) -> int | None:
        return None if v is None else int(round(v))

    return {"index": index, "descr": _descr(decl, data, index), "used_bytes": whole(used),
            "free_bytes": whole(free), "total_bytes": whole(total),
            "used_percent": None if percent is None else round(float(percent), 2),
            "source": _source(decl, "percent" if "percent" in decl else "used")}


def temperatures(plan: Plan, data: Collected) -> list[dict[str, Any]]:
    """Temperature sensors (Celsius) from every ``temperatures:`` declaration."""
    out = []
    for decl in plan.state_decls("temperatures"):
        for index in _indexes(decl, data, "value"):
            if not _passes(decl, data, index):
                continue
            v = value(decl["value"], data, index)
            if v is None or v > decl.get("max_valid", 1000):
                continue
            out.append({"index": index, "descr": _descr(decl, data, index), "celsius": v,
                        "source": _source(decl, "value")})
    return out


def speed_bps(data: Collected, index: str) -> int | None:
    """Interface speed in bit/s: ifHighSpeed x 10^6 when non-zero, else ifSpeed."""
    high = data.get("ifHighSpeed", index)
    low = data.get("ifSpeed", index)
    if isinstance(high, int) and high > 0:
        return high * 1_000_000
    if isinstance(low, int):
        return low
    if isinstance(high, int):
        return 0
    return None


def interfaces(data: Collected) -> list[dict[str, Any]]:
    """One dict per ifIndex seen in ifTable or ifXTable, in ifIndex order."""
    keys: set[str] = set()
    for col in ("ifDescr", "ifType", "ifOperStatus", "ifName", "ifAdminStatus"):
        keys.update(data.col(col))
    out = []
    for idx in sort_indexes(keys):
        try:
            if_index = int(idx)
        except ValueError:
            continue
        mac = data.get("ifPhysAddress", idx)
        speed = speed_bps(data, idx)
        name = data.get("ifName", idx) or data.get("ifDescr", idx)
        out.append({
            "ifIndex": if_index,
            "ifName": data.get("ifName", idx),
            "ifDescr": data.get("ifDescr", idx),
            "ifAlias": data.get("ifAlias", idx),
            "ifType": data.get("ifType", idx),
            "ifMtu": data.get("ifMtu", idx),
            "speed_bps": speed,
            "ifAdminStatus": data.get("ifAdminStatus", idx),
            "ifOperStatus": data.get("ifOperStatus", idx),
            "ifPhysAddress": mac,
            "ifLastChange": data.get("ifLastChange", idx),
            "name": name,
            "description": data.get("ifAlias", idx) or "",
            "is_enabled": data.get("ifAdminStatus", idx) == "up",
            "is_up": data.get("ifOperStatus", idx) == "up",
            "speed": None if speed is None else speed / 1e6,
            "mtu": data.get("ifMtu", idx),
            "mac_address": ":".join(mac[i:i + 2] for i in range(0, 12, 2)) if mac and len(mac) == 12 else mac,
        })
    return out


def _mask_len(mask: Any) -> int | None:
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except (ValueError, TypeError):
        return None


def _inet_from_index(parts: list[int]) -> tuple[str, list[int]] | None:
    """InetAddressType + InetAddress (length-prefixed) at the start of an index."""
    if len(parts) < 2:
        return None
    kind, rest = parts[0], parts[1:]
    sizes = {1: 4, 2: 16, 3: 8, 4: 20}
    size = sizes.get(kind)
    if size is None:
        return None
    if rest[0] == size and len(rest) >= size + 1:
        octets, tail = rest[1:size + 1], rest[size + 1:]
    elif len(rest) >= size:  # some agents leave the length out
        octets, tail = rest[:size], rest[size:]
    else:
        return None
    if any(o > 255 for o in octets):
        return None
    raw = bytes(octets)
    if kind in (1, 3):
        return str(ipaddress.IPv4Address(raw[:4])), tail
    return str(ipaddress.IPv6Address(raw[:16])), tail


def addresses(data: Collected) -> list[dict[str, Any]]:
    """Interface addresses: ipAddressTable (v4+v6) and the legacy ipAddrTable, de-duplicated."""
    seen: set[tuple[int, str]] = set()
    out: list[dict[str, Any]] = []
    for idx, if_index in data.col("ipAddressIfIndex").items():
        try:
            parsed = _inet_from_index([int(p) for p in idx.split(".")])
        except ValueError:
            continue
        if parsed is None or not isinstance(if_index, int):
            continue
        address = parsed[0]
        kind = data.get("ipAddressType", idx)
        if kind not in (None, "unicast"):
            continue
        prefix = data.get("ipAddressPrefix", idx)
        plen: int | None = None
        if isinstance(prefix, str) and prefix not in ("0.0", "0"):
            try:
                plen = int(prefix.rsplit(".", 1)[-1])
            except ValueError:
                plen = None
        key = (if_index, address)
        if key not in seen:
            seen.add(key)
            out.append({"ifIndex": if_index, "address": address, "prefix_length": plen,
                        "family": 6 if ":" in address else 4})
    for idx, if_index in data.col("ipAdEntIfIndex").items():
        if not isinstance(if_index, int):
            continue
        try:
            address = str(ipaddress.IPv4Address(idx))
        except ValueError:
            continue
        key = (if_index, address)
        if key in seen:
            continue
        seen.add(key)
        out.append({"ifIndex": if_index, "address": address,
                    "prefix_length": _mask_len(data.get("ipAdEntNetMask", idx)), "family": 4})
    out.sort(key=lambda r: (r["ifIndex"], r["family"], r["address"]))
    return out


def _printable(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.rstrip("\x00")
    return text if text and all(ch in _PRINTABLE or ord(ch) > 127 for ch in text) else None


def _mac(hexstr: str) -> str:
    return ":".join(hexstr[i:i + 2] for i in range(0, len(hexstr), 2))


def lldp_id(hexstr: Any, subtype: Any) -> str | None:
    """Render an LLDP chassis/port id (hex from the walker) by its subtype."""
    if not isinstance(hexstr, str) or not hexstr:
        return None
    raw = bytes.fromhex(hexstr)
    if subtype == "macAddress" and len(raw) == 6:
        return _mac(hexstr)
    if subtype == "networkAddress" and len(raw) in (5, 17):
        try:
            return str(ipaddress.ip_address(raw[1:]))
        except ValueError:
            pass
    text = _printable(raw)
    if text is not None:
        return text
    return _mac(hexstr) if len(raw) == 6 else hexstr


def lldp_neighbors(data: Collected) -> list[dict[str, Any]]:
    """LLDP remote systems with the local ifIndex resolved (see ``_local_ifindex``)."""
    mgmt: dict[str, str] = {}
    for idx in sort_indexes(data.col("lldpRemManAddrIfSubtype")):
        parts = idx.split(".")
        if len(parts) < 5:
            continue
        rem = ".".join(parts[:3])
        try:
            parsed = _inet_from_index([int(p) for p in parts[3:]])
        except ValueError:
            continue
        if parsed and (rem not in mgmt or (":" in mgmt[rem] and ":" not in parsed[0])):
            mgmt[rem] = parsed[0]
    ifaces = interfaces(data)
    out = []
    for idx in sort_indexes(set(data.col("lldpRemChassisId")) | set(data.col("lldpRemSysName"))
                            | set(data.col("lldpRemPortId"))):
        parts = idx.split(".")
        if len(parts) != 3:
            continue
        port_num = int(parts[1])
        out.append({
            "local_ifIndex": _local_ifindex(data, port_num, ifaces),
            "local_port_num": port_num,
            "remote_chassis_id": lldp_id(data.get("lldpRemChassisId", idx),
                                         data.get("lldpRemChassisIdSubtype", idx)),
            "remote_chassis_id_subtype": data.get("lldpRemChassisIdSubtype", idx),
            "remote_port_id": lldp_id(data.get("lldpRemPortId", idx),
                                      data.get("lldpRemPortIdSubtype", idx)),
            "remote_port_id_subtype": data.get("lldpRemPortIdSubtype", idx),
            "remote_port_description": data.get("lldpRemPortDesc", idx),
            "remote_sysname": data.get("lldpRemSysName", idx) or None,
            "remote_system_description": data.get("lldpRemSysDesc", idx),
            "remote_mgmt_address": mgmt.get(idx),
        })
    return out


def _local_ifindex(data: Collected, port_num: int, ifaces: list[dict[str, Any]]) -> int | None:
    """lldpRemLocalPortNum -> ifIndex.

    The LLDP port number is only an ifIndex by convention (many agents, not all), so first match
    lldpLocPortId / lldpLocPortDesc against ifName, ifDescr and the MAC, then fall back to the
    number itself when such an ifIndex exists.
    """
    key = str(port_num)
    loc_id = data.get("lldpLocPortId", key)
    subtype = data.get("lldpLocPortIdSubtype", key)
    desc = data.get("lldpLocPortDesc", key)
    candidates = []
    if isinstance(loc_id, str) and loc_id:
        if subtype == "macAddress":
            candidates.append(("ifPhysAddress", loc_id))
        text = _printable(bytes.fromhex(loc_id))
        if text:
            candidates += [("ifName", text), ("ifDescr", text)]
    if desc:
        candidates += [("ifName", desc), ("ifDescr", desc), ("ifAlias", desc)]
    for field, wanted in candidates:
        hits = [i["ifIndex"] for i in ifaces if i.get(field) == wanted]
        if len(hits) == 1:
            return hits[0]
    if any(i["ifIndex"] == port_num for i in ifaces):
        return port_num
    return None


def entity_facts(data: Collected) -> dict[str, str | None]:
    """Model, serial and firmware of the first chassis (else first module) in ENTITY-MIB."""
    classes = data.col("entPhysicalClass")
    order = [i for i in sort_indexes(classes) if classes[i] == "chassis"]
    order += [i for i in sort_indexes(classes) if classes[i] == "module"]
    if not order:
        order = sort_indexes(data.col("entPhysicalSerialNum"))[:1]
    out: dict[str, str | None] = {"model": None, "serial": None, "firmware": None,
                                  "software": None, "hardware_rev": None}
    for idx in order:
        for key, col in (("model", "entPhysicalModelName"), ("serial", "entPhysicalSerialNum"),
                         ("firmware", "entPhysicalFirmwareRev"),
                         ("software", "entPhysicalSoftwareRev"),
                         ("hardware_rev", "entPhysicalHardwareRev")):
            v = data.get(col, idx)
            if out[key] is None and isinstance(v, str) and v.strip():
                out[key] = v.strip()
    return out


def facts(data: Collected, detection: Detection) -> dict[str, Any]:
    """System identity: MIB-2 system group + platform detection + ENTITY-MIB chassis."""
    ent = entity_facts(data)
    uptime = data.get("sysUpTime")
    p = detection.platform
    return {
        "sysDescr": data.get("sysDescr"),
        "sysObjectID": data.get("sysObjectID"),
        "sysName": data.get("sysName"),
        "sysContact": data.get("sysContact"),
        "sysLocation": data.get("sysLocation"),
        "sysUpTime": uptime,
        "uptime_seconds": uptime / 100 if isinstance(uptime, int) else None,
        "hostname": data.get("sysName"),
        "vendor": p.vendor,
        "platform": p.id,
        "os": p.os,
        "model": detection.model or ent["model"],
        "version": detection.version or ent["software"],
        "serial": ent["serial"],
        "firmware": ent["firmware"],
    }


def build_state(plan: Plan, data: Collected, detection: Detection) -> dict[str, Any]:
    """Every getter's state for one poll (before vendor hooks)."""
    return {
        "facts": facts(data, detection),
        "interfaces": interfaces(data),
        "addresses": addresses(data),
        "lldp_neighbors": lldp_neighbors(data),
        "processors": processors(plan, data),
        "mempools": mempools(plan, data),
        "temperatures": temperatures(plan, data),
    }
