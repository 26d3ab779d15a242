"""Import and export the inventory as YAML (everything) or CSV (one kind of row per file).

An import is all or nothing: every row of the file is validated first, and a file with any bad
row writes nothing and raises ``ImportRowError`` listing each bad row by number (YAML: the list
item and its line; CSV: the line number). Rows are upserted by their natural key (site code,
device name, interface device+name, link endpoints, block prefix), so re-importing is harmless.

The YAML format (``sites``, ``devices``, ``interfaces``, ``links``, ``ip_blocks``) is documented
in README.md and is what ``nms lab`` generates.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inventory.models import Device, Interface, IpBlock, Link, Site, Unit
from nms.errors import ImportRowError
from nms.models import SITE_LEVEL_ORDER, DeviceRole, SiteLevel, Zone

KINDS = ("sites", "devices", "interfaces", "links", "ip_blocks")
LINK_TIERS = ("core", "county", "township")
BLOCK_PURPOSES = ("management", "interconnect", "service", "user")
GATEWAYS = ("first", "last")

FIELDS: dict[str, tuple[str, ...]] = {
    "sites": ("code", "name", "level", "parent", "units"),
    "devices": ("name", "address", "snmp_port", "role", "vendor", "platform", "model", "site",
                "zone", "snmp_auth", "ssh_auth", "tags"),
    "interfaces": ("device", "name", "description", "address"),
    "links": ("a_device", "a_interface", "b_device", "b_interface", "tier", "bandwidth_mbps"),
    "ip_blocks": ("prefix", "site", "zone", "purpose", "unit", "allowed_prefix_lengths", "gateway"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "sites": ("code", "name", "level"),
    "devices": ("name", "address", "role", "site", "zone"),
    "interfaces": ("device", "name"),
    "links": ("a_device", "a_interface", "b_device", "b_interface", "tier"),
    "ip_blocks": ("prefix", "purpose"),
}
LIST_FIELDS = {"units", "tags", "allowed_prefix_lengths"}


@dataclass
class Row:
    """One input row with where it came from (for error messages)."""

    kind: str
    data: dict[str, Any]
    where: str


@dataclass
class ImportSummary:
    """What an import created and updated, per kind."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def total(self) -> int:
        """Rows written."""
        return sum(self.created.values()) + sum(self.updated.values())


# --------------------------------------------------------------------------------------------
# Reading files into rows
# --------------------------------------------------------------------------------------------


class _LineDict(dict):  # type: ignore[type-arg]
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings remember their line, so errors can point at the row."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> list[Row]:
    """Rows of an inventory YAML file; ImportRowError for a file that is not that format."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ImportRowError([f"{where}not valid YAML: {getattr(exc, 'problem', exc)}"], path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRowError([f"cannot read: {exc}"], path=str(path)) from exc
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ImportRowError(["top level must be a mapping of sites/devices/interfaces/links/ip_blocks"],
                             path=str(path))
    if set(data) == {"blocks"}:  # an IP-plan file
        data = {"ip_blocks": data["blocks"]}
    errors = [f"unknown section {k!r} (sections: {', '.join(KINDS)})" for k in data if k not in KINDS]
    rows: list[Row] = []
    for kind in KINDS:
        items = data.get(kind) or []
        if not isinstance(items, list):
            errors.append(f"{kind}: must be a list")
            continue
        for i, item in enumerate(items):
            line = getattr(item, "line", 0)
            where = f"{kind}[{i}] (line {line})" if line else f"{kind}[{i}]"
            if not isinstance(item, dict):
                errors.append(f"{where}: must be a mapping")
                continue
            rows.append(Row(kind, dict(item), where))
    if errors:
        raise ImportRowError(errors, path=str(path))
    return rows


def detect_csv_kind(header: Iterable[str]) -> str | None:
    """Which kind of row a CSV header describes (by its distinctive columns)."""
    cols = set(header)
    if {"a_device", "b_device"} <= cols:
        return "links"
    if "prefix" in cols:
        return "ip_blocks"
    if "level" in cols and "code" in cols:
        return "sites"
    if {"address", "role"} <= cols:
        return "devices"
    if {"device", "name"} <= cols:
        return "interfaces"
    return None


def read_csv(path: Path, kind: str | None = None) -> list[Row]:
    """Rows of a CSV file with a header line; lists are ';'-separated; empty cells are null."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRowError([f"cannot read: {exc}"], path=str(path)) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    kind = kind or detect_csv_kind(header)
    if kind not in KINDS:
        raise ImportRowError([f"line 1: cannot tell the kind of rows from the header {header} "
                              f"(use --kind {'|'.join(KINDS)})"], path=str(path))
    unknown = [h for h in header if h not in FIELDS[kind]]
    if unknown:
        raise ImportRowError([f"line 1: unknown column(s) {unknown} for {kind} "
                              f"(columns: {', '.join(FIELDS[kind])})"], path=str(path))
    rows = []
    for record in reader:
        line = reader.line_num
        if None in record:
            rows.append(Row(kind, {"__extra__": record[None]}, f"line {line}"))  # type: ignore[index]
            continue
        data: dict[str, Any] = {}
        for key, value in record.items():
            key = key.strip()
            value = (value or "").strip()
            if value == "":
                data[key] = None
            elif key in LIST_FIELDS:
                data[key] = [v.strip() for v in value.split(";") if v.strip()]
            else:
                data[key] = value
        rows.append(Row(kind, data, f"line {line}"))
    return rows


def read_file(path: Path, kind: str | None = None) -> list[Row]:
    """Rows of a YAML or CSV inventory file, by its extension."""
    if path.suffix.lower() == ".csv":
        return read_csv(path, kind)
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = read_yaml(path)
        return [r for r in rows if kind is None or r.kind == kind]
    raise ImportRowError(["unknown file type (use .yaml, .yml or .csv)"], path=str(path))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _as_int(value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected an integer, got {value!r}") from None
    if not lo <= n <= hi:
        raise ValueError(f"{n} is out of range {lo}..{hi}")
    return n


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    raise ValueError(f"expected a list, got {value!r}")


def _choice(value: Any, choices: Iterable[str], what: str) -> str:
    options = list(choices)
    if value not in options:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(options)}")
    return str(value)


def _text(value: Any, max_len: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise ValueError(f"expected text, got {value!r}")
    s = str(value).strip()
    if len(s) > max_len:
        raise ValueError(f"longer than {max_len} characters")
    return s or None


class _Validator:
    """Checks rows against the file's other rows and what the database already holds."""

    def __init__(self, session: Session, auth_names: set[str] | None) -> None:
        self.session = session
        self.auth_names = auth_names
        self.sites = {s.code: s.level for s in session.scalars(select(Site))}
        self.devices = set(session.scalars(select(Device.name)))
        self.seen: dict[str, set[Any]] = {k: set() for k in KINDS}

    def clean(self, row: Row) -> dict[str, Any]:
        data = row.data
        if "__extra__" in data:
            raise ValueError("more cells than columns")
        unknown = sorted(set(data) - set(FIELDS[row.kind]))
        if unknown:
            raise ValueError(f"unknown field(s) {unknown} (fields: {', '.join(FIELDS[row.kind])})")
        missing = [f for f in REQUIRED[row.kind] if data.get(f) in (None, "")]
        if missing:
            raise ValueError(f"missing required field(s): {', '.join(missing)}")
        return getattr(self, f"_clean_{row.kind}")(data)

    def _unique(self, kind: str, key: Any, label: str) -> None:
        if key in self.seen[kind]:
            raise ValueError(f"duplicate {label} in this file")
        self.seen[kind].add(key)

    def _clean_sites(self, d: dict[str, Any]) -> dict[str, Any]:
        code = _text(d["code"], 64)
        level = _choice(d["level"], SiteLevel.values(), "level")
        parent = _text(d.get("parent"), 64)
        if parent is not None:
            if parent not in self.sites:
                raise ValueError(f"parent site {parent!r} is not defined above or in the database")
            if SITE_LEVEL_ORDER.index(SiteLevel(self.sites[parent])) >= SITE_LEVEL_ORDER.index(SiteLevel(level)):
                raise ValueError(f"a {level} cannot sit under a {self.sites[parent]} ({parent!r})")
        self._unique("sites", code, f"site code {code!r}")
        self.sites[code] = level  # type: ignore[index]
        units = [_text(u, 128) for u in _as_list(d.get("units"))]
        return {"code": code, "name": _text(d["name"], 128), "level": level, "parent": parent,
                "units": [u for u in units if u]}

    def _site(self, code: Any) -> str:
        code = _text(code, 64)
        if code not in self.sites:
            raise ValueError(f"unknown site {code!r}")
        return code  # type: ignore[return-value]

    def _auth(self, value: Any, field_name: str) -> str | None:
        name = _text(value, 64)
        if name is not None and self.auth_names is not None and name not in self.auth_names:
            raise ValueError(f"{field_name} {name!r} is not an auth profile in the config "
                             f"(have: {', '.join(sorted(self.auth_names)) or 'none'})")
        return name

    def _clean_devices(self, d: dict[str, Any]) -> dict[str, Any]:
        name = _text(d["name"], 128)
        try:
            address = str(ipaddress.ip_address(str(d["address"]).strip()))
        except ValueError:
            raise ValueError(f"address {d['address']!r} is not an IP address") from None
        port = d.get("snmp_port")
        self._unique("devices", name, f"device name {name!r}")
        self.devices.add(name)  # type: ignore[arg-type]
        return {
            "name": name, "address": address,
            "snmp_port": _as_int(port, 1, 65535) if port not in (None, "") else None,
            "role": _choice(d["role"], DeviceRole.values(), "role"),
            "vendor": _text(d.get("vendor"), 64), "platform": _text(d.get("platform"), 64),
            "model": _text(d.get("model"), 128), "site": self._site(d["site"]),
            "zone": _choice(d["zone"], Zone.values(), "zone"),
            "snmp_auth": self._auth(d.get("snmp_auth"), "snmp_auth"),
            "ssh_auth": self._auth(d.get("ssh_auth"), "ssh_auth"),
            "tags": [str(t) for t in _as_list(d.get("tags"))],
        }

    def _device(self, name: Any) -> str:
        name = _text(name, 128)
        if name not in self.devices:
            raise ValueError(f"unknown device {name!r}")
        return name  # type: ignore[return-value]

    def _clean_interfaces(self, d: dict[str, Any]) -> dict[str, Any]:
        device = self._device(d["device"])
        name = _text(d["name"], 128)
        address = d.get("address")
        if address not in (None, ""):
            try:
                address = str(ipaddress.ip_interface(str(address).strip()))
            except ValueError:
                raise ValueError(f"address {address!r} is not an address with prefix length "
                                 "(e.g. 198.18.0.1/30)") from None
            if "/" not in str(d["address"]):
                raise ValueError(f"address {d['address']!r} needs a prefix length (e.g. /30)")
        self._unique("interfaces", (device, name), f"interface {device}:{name}")
        return {"device": device, "name": name, "description": _text(d.get("description"), 256),
                "address": address or None}

    def _clean_links(self, d: dict[str, Any]) -> dict[str, Any]:
        a = (self._device(d["a_device"]), _text(d["a_interface"], 128))
        b = (self._device(d["b_device"]), _text(d["b_interface"], 128))
        if a == b:
            raise ValueError("a link cannot join an interface to itself")
        self._unique("links", frozenset([a, b]), f"link {a[0]}:{a[1]} - {b[0]}:{b[1]}")
        bw = d.get("bandwidth_mbps")
        return {"a_device": a[0], "a_interface": a[1], "b_device": b[0], "b_interface": b[1],
                "tier": _choice(d["tier"], LINK_TIERS, "tier"),
                "bandwidth_mbps": _as_int(bw, 1, 10_000_000) if bw not in (None, "") else None}

    def _clean_ip_blocks(self, d: dict[str, Any]) -> dict[str, Any]:
        try:
            net = ipaddress.ip_network(str(d["prefix"]).strip(), strict=True)
        except ValueError as exc:
            raise ValueError(f"prefix {d['prefix']!r} is not a network ({exc})") from None
        lengths = [_as_int(n, net.prefixlen, net.max_prefixlen) for n in _as_list(d.get("allowed_prefix_lengths"))]
        gateway = d.get("gateway")
        self._unique("ip_blocks", str(net), f"block {net}")
        return {
            "prefix": str(net), "site": self._site(d["site"]) if d.get("site") else None,
            "zone": _choice(d["zone"], Zone.values(), "zone") if d.get("zone") else None,
            "purpose": _choice(d["purpose"], BLOCK_PURPOSES, "purpose"),
            "unit": _text(d.get("unit"), 128), "allowed_prefix_lengths": lengths,
            "gateway": _choice(gateway, GATEWAYS, "gateway") if gateway else None,
        }


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def import_rows(session: Session, rows: list[Row], *, auth_names: set[str] | None = None,
                path: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Validate every row, then upsert them all in the caller's transaction.

    Raises:
        ImportRowError: any row is invalid; nothing has been added to the session then.
    """
    order = {k: i for i, k in enumerate(KINDS)}
    rows = sorted(rows, key=lambda r: order[r.kind])  # parents before children
    validator = _Validator(session, auth_names)
    cleaned: list[tuple[str, dict[str, Any]]] = []
    errors: list[str] = []
    for row in rows:
        try:
            cleaned.append((row.kind, validator.clean(row)))
        except ValueError as exc:
            errors.append(f"{row.where}: {exc}")
    if errors:
        raise ImportRowError(errors, path=path)

    summary = ImportSummary()
    sites = {s.code: s for s in session.scalars(select(Site).options(selectinload(Site.units)))}
    devices = {d.name: d for d in session.scalars(select(Device))}
    ifaces = {(i.device.name, i.name): i for i in session.scalars(select(Interface).options(
        selectinload(Interface.device)))}
    blocks = {b.prefix: b for b in session.scalars(select(IpBlock))}
    links = {frozenset([lk.a_interface_id, lk.b_interface_id]): lk for lk in session.scalars(select(Link))}

    def interface(device: str, name: str, *, count: bool = True) -> Interface:
        """The interface, created (and counted, for implicit ones from links) if new."""
        iface = ifaces.get((device, name))
        if iface is None:
            iface = Interface(device=devices[device], name=name)
            session.add(iface)
            ifaces[(device, name)] = iface
            if count:
                summary.created["interfaces"] += 1
        return iface

    for n, (kind, d) in enumerate(cleaned, 1):
        if progress:
            progress(n, len(cleaned))
        if kind == "sites":
            site = sites.get(d["code"])
            is_new = site is None
            if site is None:
                site = Site(code=d["code"])
                session.add(site)
                sites[d["code"]] = site
            site.name, site.level = d["name"], d["level"]
            site.parent = sites[d["parent"]] if d["parent"] else None
            have = {u.name for u in site.units}
            for unit in d["units"]:
                if unit not in have:
                    site.units.append(Unit(name=unit))
        elif kind == "devices":
            dev = devices.get(d["name"])
            is_new = dev is None
            if dev is None:
                dev = Device(name=d["name"])
                session.add(dev)
                devices[d["name"]] = dev
            for key in ("address", "snmp_port", "role", "vendor", "platform", "model", "zone",
                        "snmp_auth", "ssh_auth", "tags"):
                setattr(dev, key, d[key])
            dev.site = sites[d["site"]]
        elif kind == "interfaces":
            is_new = (d["device"], d["name"]) not in ifaces
            iface = interface(d["device"], d["name"], count=False)
            iface.description, iface.address = d["description"], d["address"]
        elif kind == "links":
            a = interface(d["a_device"], d["a_interface"])
            b = interface(d["b_device"], d["b_interface"])
            session.flush()
            key = frozenset([a.id, b.id])
            lk = links.get(key)
            is_new = lk is None
            if lk is None:
                lk = Link(a_interface=a, b_interface=b)
                session.add(lk)
                links[key] = lk
            lk.tier, lk.bandwidth_mbps = d["tier"], d["bandwidth_mbps"]
        else:
            blk = blocks.get(d["prefix"])
            is_new = blk is None
            if blk is None:
                blk = IpBlock(prefix=d["prefix"])
                session.add(blk)
                blocks[d["prefix"]] = blk
            blk.site = sites[d["site"]] if d["site"] else None
            for key in ("zone", "purpose", "unit", "allowed_prefix_lengths", "gateway"):
                setattr(blk, key, d[key])
        (summary.created if is_new else summary.updated)[kind] += 1
        if kind in ("sites", "devices"):
            session.flush()
    session.flush()
    return summary


def import_file(session: Session, path: Path, *, kind: str | None = None,
                auth_names: set[str] | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Read and import one YAML or CSV file (all or nothing, see ``import_rows``)."""
    return import_rows(session, read_file(path, kind), auth_names=auth_names, path=str(path),
                       progress=progress)


def export_data(session: Session) -> dict[str, list[dict[str, Any]]]:
    """The whole inventory in the YAML import format (parents before children)."""
    sites = list(session.scalars(select(Site).options(selectinload(Site.units), selectinload(Site.parent))))
    by_id = {s.id: s for s in sites}
    depth: dict[int, int] = {}

    def level(s: Site) -> int:
        if s.id not in depth:
            depth[s.id] = 0 if s.parent_id is None else level(by_id[s.parent_id]) + 1
        return depth[s.id]

    sites.sort(key=lambda s: (level(s), s.code))
    devices = session.scalars(select(Device).options(selectinload(Device.site)).order_by(Device.name))
    ifaces = session.scalars(select(Interface).join(Device).order_by(Device.name, Interface.name))
    links = session.scalars(select(Link).order_by(Link.id))
    blocks = session.scalars(select(IpBlock).order_by(IpBlock.prefix))
    return {
        "sites": [{"code": s.code, "name": s.name, "level": s.level,
                   "parent": s.parent.code if s.parent else None,
                   "units": [u.name for u in s.units]} for s in sites],
        "devices": [d.as_dict() for d in devices],
        "interfaces": [{"device": i.device.name, "name": i.name, "description": i.description,
                        "address": i.address} for i in ifaces],
        "links": [lk.as_dict() for lk in links],
        "ip_blocks": [b.as_dict() for b in blocks],
    }


def export_yaml(session: Session) -> str:
    """The inventory as YAML text that ``import_file`` reads back unchanged."""
    return yaml.safe_dump(export_data(session), allow_unicode=True, sort_keys=False, width=120)


def export_csv(session: Session, kind: str) -> str:
    """One kind of row as CSV text (lists ';'-separated)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FIELDS[kind]), lineterminator="\n")
    writer.writeheader()
    for row in export_data(session)[kind]:
        writer.writerow({k: ";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                         for k, v in row.items()})
    return out.getvalue()
