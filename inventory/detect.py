"""Recognise a device's platform from sysObjectID and sysDescr (netmiko's SNMP_MAPPER idea).

Input: the two MIB-2 system strings. Output: a :class:`Platform` from ``inventory/platforms.yaml``
(vendor, OS, napalm driver, SNMP profiles, hooks) plus the version and model parsed from
sysDescr. The rules are data; this module only scores them: the most specific matching rule wins
(a longer sysObjectID prefix beats a shorter one; a rule that also matches sysDescr beats one that
does not), so ``cisco_nxos`` (1.3.6.1.4.1.9.12.3.) wins over ``cisco_ios`` (1.3.6.1.4.1.9.1.).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nms.errors import ConfigError

PLATFORMS_FILE = Path(__file__).with_name("platforms.yaml")
GENERIC = "generic"


@dataclass(frozen=True)
class Rule:
    """One detection rule: every key given must match."""

    sysobjectid: str | None = None
    sysdescr: re.Pattern[str] | None = None

    def score(self, sys_object_id: str, sys_descr: str) -> int:
        """0 when the rule does not match, else a specificity score."""
        if self.sysobjectid is None and self.sysdescr is None:
            return 0
        points = 0
        if self.sysobjectid is not None:
            oid = sys_object_id.strip(".")
            prefix = self.sysobjectid
            if not (oid == prefix.rstrip(".") or oid.startswith(prefix if prefix.endswith(".")
                                                                   else prefix + ".")):
                return 0
            points += len(prefix.split("."))
        if self.sysdescr is not None:
            if not self.sysdescr.search(sys_descr):
                return 0
            points += 100
        return points


@dataclass(frozen=True)
class Platform:
    """A platform entry of platforms.yaml, with ``extends`` resolved."""

    id: str
    vendor: str | None
    os: str | None
    snmp_profiles: tuple[str, ...]
    hooks: str | None = None
    napalm_driver: str | None = None
    rules: tuple[Rule, ...] = ()
    version_patterns: tuple[re.Pattern[str], ...] = ()
    model_patterns: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Detection:
    """What detection found for one device."""

    platform: Platform
    version: str | None = None
    model: str | None = None
    score: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _compile(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if patterns is None:
        return ()
    if isinstance(patterns, str):
        patterns = [patterns]
    try:
        return tuple(re.compile(p, re.S) for p in patterns)
    except re.error as exc:
        raise ConfigError(f"bad regex: {exc}", path=str(PLATFORMS_FILE), key=where) from exc


@functools.cache
def load_platforms(path: str | None = None) -> dict[str, Platform]:
    """Parse platforms.yaml (cached) into ``{platform id: Platform}``.

    Raises:
        ConfigError: unknown ``extends`` target or a bad regex.
    """
    file = Path(path) if path else PLATFORMS_FILE
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    raw: dict[str, dict[str, Any]] = data.get("platforms", {})

    def resolved(pid: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        entry = dict(raw[pid])
        base = entry.pop("extends", None)
        if base is None:
            return entry
        if base not in raw or base in seen:
            raise ConfigError(f"bad extends {base!r}", path=str(file), key=f"platforms.{pid}")
        merged = resolved(base, (*seen, pid))
        merged.update(entry)
        return merged

    out: dict[str, Platform] = {}
    for pid in raw:
        e = resolved(pid)
        rules = []
        for i, r in enumerate(e.get("detect") or []):
            unknown = set(r) - {"sysobjectid", "sysdescr"}
            if unknown:
                raise ConfigError(f"unknown detect keys {sorted(unknown)}", path=str(file),
                                  key=f"platforms.{pid}.detect[{i}]")
            oid = str(r["sysobjectid"]).lstrip(".") if r.get("sysobjectid") else None
            rules.append(Rule(oid, re.compile(r["sysdescr"]) if r.get("sysdescr") else None))
        base_profiles = list(defaults.get("snmp_profiles", []))
        profiles = base_profiles + [p for p in e.get("snmp_profiles") or [] if p not in base_profiles]
        out[pid] = Platform(
            id=pid, vendor=e.get("vendor"), os=e.get("os"), snmp_profiles=tuple(profiles),
            hooks=e.get("hooks"), napalm_driver=e.get("napalm_driver"), rules=tuple(rules),
            version_patterns=_compile(e.get("version"), f"platforms.{pid}.version"),
            model_patterns=_compile(e.get("model"), f"platforms.{pid}.model"),
        )
    if GENERIC not in out:
        out[GENERIC] = Platform(GENERIC, None, None, tuple(defaults.get("snmp_profiles", [])))
    return out


def _first_group(patterns: tuple[re.Pattern[str], ...], text: str) -> str | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return (m.group(1) if m.groups() else m.group(0)).strip() or None
    return None


def detect(sys_object_id: str | None, sys_descr: str | None,
           platforms: dict[str, Platform] | None = None) -> Detection:
    """The best-matching platform for these system values (``generic`` when none matches).

    Args:
        sys_object_id: SNMPv2-MIB::sysObjectID, numeric (leading dot allowed).
        sys_descr: SNMPv2-MIB::sysDescr.
        platforms: the table to use (default: inventory/platforms.yaml).
    """
    table = platforms or load_platforms()
    oid = (sys_object_id or "").strip(".")
    descr = sys_descr or ""
    best, best_score = table[GENERIC], 0
    for platform in table.values():
        for rule in platform.rules:
            s = rule.score(oid, descr)
            if s > best_score:
                best, best_score = platform, s
    return Detection(best, _first_group(best.version_patterns, descr),
                     _first_group(best.model_patterns, descr), best_score)
