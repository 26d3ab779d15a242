"""SNMP profiles: *what* to collect, as data (snmp_exporter's "module" idea).

A profile is one YAML file in ``collectors/snmp/profiles/``. OIDs are numeric with the MIB name
in a comment, so the poller needs no MIB compiler at run time. Schema (all keys but ``profile``
optional)::

    profile: huawei_entity                  # = file stem
    description: one sentence
    scalars:                                # fetched with GET
      sysUpTime: {oid: 1.3.6.1.2.1.1.3.0, type: timeticks}        # SNMPv2-MIB::sysUpTime
    tables:                                 # walked with GETBULK (GETNEXT on v1)
      hwEntityStateTable:
        entry: 1.3.6.1.4.1.2011.5.25.31.1.1.1.1   # optional: walk the whole entry at once
        columns:                            # column name -> oid, type, optional enum
          hwEntityCpuUsage: {oid: 1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5, type: gauge}
    processors: [...]                       # optional state declarations, see collectors.snmp.state
    mempools: [...]
    temperatures: [...]
    samples: [...]                          # measurements built from columns, see samples.py

Column names are global (``ifDescr``, ``hwEntityCpuUsage``): collected data is a map
``column -> {index: value}``, so declarations of any profile can use columns of any other
(``{entPhysicalName}`` in a Huawei processor description). Without ``entry`` each column is
walked on its own, which is cheaper when only a few columns of a wide table are wanted
(ENTITY-MIB). Types: ``string``, ``bytes``, ``hex``, ``mac``, ``int``, ``gauge``, ``counter32``,
``counter64``, ``timeticks``, ``oid``, ``ipv4``, ``enum`` (``enum:`` a mapping or the name of a
table in ``enums.yaml``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nms.errors import ConfigError

PROFILE_DIR = Path(__file__).with_name("profiles")
TYPES = {"string", "bytes", "hex", "mac", "int", "gauge", "counter32", "counter64", "timeticks",
         "oid", "ipv4", "enum"}
STATE_KEYS = ("processors", "mempools", "temperatures")
_OID = re.compile(r"^\d+(\.\d+)+$")


@dataclass(frozen=True)
class Column:
    """One object to fetch: a scalar instance or a table column."""

    name: str
    oid: str
    type: str
    enum: dict[int, str] | None = None


@dataclass(frozen=True)
class Table:
    """A table: its columns and, optionally, the entry OID to walk in one go."""

    name: str
    columns: tuple[Column, ...]
    entry: str | None = None


@dataclass(frozen=True)
class Profile:
    """A loaded, validated profile."""

    name: str
    description: str
    scalars: tuple[Column, ...] = ()
    tables: tuple[Table, ...] = ()
    state: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    samples: tuple[dict[str, Any], ...] = ()

    def columns(self) -> list[Column]:
        """Every scalar and column of the profile."""
        return [*self.scalars, *(c for t in self.tables for c in t.columns)]


@functools.cache
def enums() -> dict[str, dict[int, str]]:
    """Named enum tables (IANAifType, ifOperStatus...) from ``profiles/enums.yaml``."""
    data = yaml.safe_load((PROFILE_DIR / "enums.yaml").read_text(encoding="utf-8"))
    return {name: {int(k): str(v) for k, v in table.items()} for name, table in data.items()}


def _column(name: str, spec: Any, where: str) -> Column:
    if not isinstance(spec, dict) or "oid" not in spec:
        raise ConfigError("column needs a mapping with 'oid'", path=where, key=name)
    oid = str(spec["oid"]).strip(".")
    if not _OID.match(oid):
        raise ConfigError(f"oid must be numeric, got {oid!r}", path=where, key=name)
    typ = spec.get("type", "int")
    if typ not in TYPES:
        raise ConfigError(f"unknown type {typ!r} (known: {', '.join(sorted(TYPES))})", path=where,
                          key=name)
    enum = spec.get("enum")
    if typ == "enum":
        if isinstance(enum, str):
            if enum not in enums():
                raise ConfigError(f"unknown enum table {enum!r}", path=where, key=name)
            enum = enums()[enum]
        elif isinstance(enum, dict):
            enum = {int(k): str(v) for k, v in enum.items()}
        else:
            raise ConfigError("type enum needs 'enum' (mapping or enums.yaml name)", path=where,
                              key=name)
    unknown = set(spec) - {"oid", "type", "enum"}
    if unknown:
        raise ConfigError(f"unknown keys {sorted(unknown)}", path=where, key=name)
    return Column(name, oid, typ, enum)


def parse_profile(data: Any, where: str) -> Profile:
    """Validate a profile mapping (from YAML) into a :class:`Profile`.

    Raises:
        ConfigError: unknown keys, non-numeric OIDs, unknown types or enum tables.
    """
    if not isinstance(data, dict) or "profile" not in data:
        raise ConfigError("a profile is a mapping with a 'profile' name", path=where)
    allowed = {"profile", "description", "scalars", "tables", "samples", *STATE_KEYS}
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"unknown keys {sorted(unknown)}", path=where)
    scalars = tuple(_column(n, s, where) for n, s in (data.get("scalars") or {}).items())
    tables = []
    for tname, tspec in (data.get("tables") or {}).items():
        cols = tuple(_column(n, s, where) for n, s in (tspec.get("columns") or {}).items())
        entry = str(tspec["entry"]).strip(".") if tspec.get("entry") else None
        if entry:
            for c in cols:
                if not c.oid.startswith(entry + "."):
                    raise ConfigError(f"column {c.name} is not under entry {entry}", path=where,
                                      key=tname)
        tables.append(Table(tname, cols, entry))
    state = {k: list(data.get(k) or []) for k in STATE_KEYS if data.get(k)}
    return Profile(str(data["profile"]), str(data.get("description", "")), scalars, tuple(tables),
                   state, tuple(data.get("samples") or ()))


@functools.cache
def load_profile(name: str) -> Profile:
    """Load ``profiles/<name>.yaml`` (cached).

    Raises:
        ConfigError: no such profile or invalid content.
    """
    path = PROFILE_DIR / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(f"no SNMP profile {name!r}", path=str(path))
    profile = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    if profile.name != name:
        raise ConfigError(f"profile name {profile.name!r} differs from file name", path=str(path))
    return profile


def available_profiles() -> list[str]:
    """Names of every profile shipped (file stems, ``enums`` excluded)."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml") if p.stem != "enums")


@dataclass
class Plan:
    """The union of several profiles: what one poll fetches, de-duplicated."""

    profiles: list[Profile]
    scalars: list[Column] = field(default_factory=list)
    walks: list[tuple[str, list[Column]]] = field(default_factory=list)  # (walk root, columns)

    @classmethod
    def build(cls, names: list[str]) -> Plan:
        """Plan the fetches of ``names`` (profile names), each OID fetched once."""
        plan = cls([load_profile(n) for n in names])
        seen: set[str] = set()
        for p in plan.profiles:
            for c in p.scalars:
                if c.oid not in seen:
                    seen.add(c.oid)
                    plan.scalars.append(c)
            for t in p.tables:
                if t.entry:
                    if t.entry not in seen:
                        seen.add(t.entry)
                        plan.walks.append((t.entry, list(t.columns)))
                    continue
                for c in t.columns:
                    if c.oid not in seen:
                        seen.add(c.oid)
                        plan.walks.append((c.oid, [c]))
        return plan

    def state_decls(self, key: str) -> list[dict[str, Any]]:
        """All declarations of state ``key`` (e.g. ``processors``) across the profiles."""
        return [d for p in self.profiles for d in p.state.get(key, [])]
