"""Compare interface names across vendors: ``Gi0/1`` == ``GigabitEthernet0/1`` == ``GE0/1``.

Why: LLDP tells us the neighbour's port as *the neighbour* spells it (often abbreviated, sometimes
with a space, sometimes the ifAlias), planned links in the inventory are typed by people, and
ifName/ifDescr differ per vendor. Matching strings exactly is where existing tools lose links.

Input: interface names. Output: comparison keys. ``port_key`` maps the type word through the
table in ``ifnames.yaml`` (data, one line per canonical type) and keeps the numbering, so two
names that mean the same port of the same device get the same key; ``loose_port_key`` also drops
a Junos-style ``.0`` logical unit for a last-resort match. ``mac_key`` does the same for MAC
addresses in any notation (``aa:bb:..``, ``aabb.cc..``, ``AA-BB-..``, 12 hex digits).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

TABLE_FILE = Path(__file__).with_name("ifnames.yaml")

# type word (letters, or "10ge"-style speed prefixes), separators, then the numbering
_NAME = re.compile(r"^(?P<type>\d{2,3}gei?|[a-z][a-z_\- ]*?)[\s_\-]*(?P<num>\d[\w/:.\-]*)$")
_PUNCT = re.compile(r"[\s_\-]+")
_UNIT0 = re.compile(r"\.0+$")
_HEX = re.compile(r"[^0-9a-f]")


@functools.cache
def type_table() -> dict[str, str]:
    """Spelling (lower case, punctuation dropped) -> canonical type, from ``ifnames.yaml``."""
    data = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for canonical, spellings in data.items():
        for spelling in spellings:
            table[str(spelling)] = str(canonical)
    return table


@functools.lru_cache(maxsize=65536)
def port_key(name: str | None) -> str:
    """A key equal for every spelling of the same port name ("" for an empty name).

    >>> port_key("Gi0/1") == port_key("GigabitEthernet 0/1") == port_key("GE0/1")
    True
    >>> port_key("XGE1/0/1") == port_key("Ten-GigabitEthernet1/0/1")
    True
    """
    if not name:
        return ""
    text = str(name).strip().lower()
    match = _NAME.match(text)
    if match is None:
        return _PUNCT.sub("", text)
    word = _PUNCT.sub("", match.group("type"))
    number = match.group("num").replace(" ", "")
    return type_table().get(word, word) + number


def loose_port_key(name: str | None) -> str:
    """``port_key`` without a trailing ``.0`` unit (Junos reports ``ge-0/0/1.0`` at times)."""
    return _UNIT0.sub("", port_key(name))


def same_port(a: str | None, b: str | None) -> bool:
    """True when two names denote the same port of one device (see ``port_key``)."""
    return bool(a) and bool(b) and port_key(a) == port_key(b)


def mac_key(value: str | None) -> str | None:
    """12 lower-case hex digits for a MAC in any common notation, else None."""
    if not value:
        return None
    digits = _HEX.sub("", str(value).lower())
    if len(digits) != 12 or digits in ("000000000000", "ffffffffffff"):
        return None
    return digits


def host_key(name: str | None) -> str:
    """A system name compared loosely: lower case, domain dropped ("R1.lab.local" -> "r1")."""
    if not name:
        return ""
    text = str(name).strip().lower()
    if not text or text.replace(".", "").isdigit():  # an IP address is not a host name
        return text
    return text.split(".", 1)[0]
