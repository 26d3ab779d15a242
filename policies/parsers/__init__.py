"""Vendor configuration parsers into one normalized model (``policies.parsers.model``).

Entry point: ``parse_config(data, platform=None)``. Platforms are netmiko device_type strings:
``huawei_vrp``, ``hp_comware``, ``cisco_ios`` (also IOS-XE; ``cisco_xe`` is accepted as an
alias), ``ruijie_os`` and ``juniper_junos`` (set or hierarchical). With no platform the text
is sniffed (``detect_platform``). Unknown lines are kept (their numbers in
``ParsedConfig.unknown``) and never stop the parse; undecodable or oversized input raises
``ParseError`` with a reason security staff can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nms.errors import ParseError
from policies.parsers.base import DEFAULT_MAX_BYTES, apply_defaults, decode
from policies.parsers.ios import parse_ios
from policies.parsers.junos import parse_junos
from policies.parsers.model import PLATFORMS, ParsedConfig
from policies.parsers.vrp import parse_vrp

__all__ = ["PLATFORMS", "ParsedConfig", "detect_platform", "parse_config", "normalize_platform"]

PARSERS: dict[str, Callable[[ParsedConfig], None]] = {
    "huawei_vrp": parse_vrp, "hp_comware": parse_vrp, "cisco_ios": parse_ios,
    "ruijie_os": parse_ios, "juniper_junos": parse_junos,
}

ALIASES = {
    "huawei": "huawei_vrp", "huawei_vrpv8": "huawei_vrp", "vrp": "huawei_vrp",
    "h3c": "hp_comware", "comware": "hp_comware", "hp_comware_telnet": "hp_comware",
    "cisco_xe": "cisco_ios", "ios": "cisco_ios", "ios-xe": "cisco_ios", "cisco": "cisco_ios",
    "ruijie": "ruijie_os", "rgos": "ruijie_os", "juniper": "juniper_junos", "junos": "juniper_junos",
}

# (platform, marker regex, weight). Markers seen in the first lines decide; ties go to the
# more specific platform (Comware over VRP, RGOS over IOS), since each shares its parent's words.
_MARKERS: list[tuple[str, re.Pattern[str], int]] = [
    (p, re.compile(rx, re.M), w) for p, rx, w in [
        ("juniper_junos", r"^set (system|interfaces|protocols|security|snmp|firewall) ", 3),
        ("juniper_junos", r"^(system|interfaces|protocols|security|snmp|routing-options) \{", 5),
        ("juniper_junos", r"^## Last (commit|changed)", 5),
        ("huawei_vrp", r"^sysname ", 2),
        ("huawei_vrp", r"^user-interface (con|vty|maximum-vty)", 3),
        ("huawei_vrp", r"^!Software Version V\d", 6),
        ("huawei_vrp", r"^ local-user \S+ password irreversible-cipher", 4),
        ("huawei_vrp", r"^stelnet server enable|^ssh server-source|^ traffic-filter |^ port trunk allow-pass", 3),
        ("huawei_vrp", r"^hwtacacs-server template|^local-aaa-user|^info-center loghost", 2),
        ("hp_comware", r"^ version 7\.\d|^ version 5\.\d", 6),
        ("hp_comware", r"^password-control |^local-user \S+ class (manage|network)|^line class ", 5),
        ("hp_comware", r"^ password hash \$h\$|^ authorization-attribute user-role|^ packet-filter ", 4),
        ("hp_comware", r"^hwtacacs scheme |^domain system|^ port trunk permit vlan|^irf ", 4),
        ("cisco_ios", r"^version \d+\.\d+", 3),
        ("cisco_ios", r"^hostname ", 1),
        ("cisco_ios", r"^line (con|vty|aux) \d", 2),
        ("cisco_ios", r"^service timestamps|^boot-start-marker|^ip cef|^Building configuration", 3),
        ("cisco_ios", r"^ ip address \d+\.\d+\.\d+\.\d+ \d+\.\d+\.\d+\.\d+", 1),
        ("ruijie_os", r"^enable service (telnet|ssh|web)-server|Ruijie|RGOS", 8),
        ("ruijie_os", r"^webmaster |^install \d|^vlan range ", 4),
    ]
]


_HASH_LINE = re.compile(r"^#\s*$", re.M)
_BANG_LINE = re.compile(r"^!\s*$", re.M)


def normalize_platform(platform: str | None) -> str | None:
    """A supported platform id for ``platform`` (aliases resolved); None if unsupported."""
    if not platform:
        return None
    p = platform.strip().lower()
    p = ALIASES.get(p, p)
    return p if p in PARSERS else None


def detect_platform(text: str) -> str | None:
    """The most likely platform of ``text`` (first 64 KiB), or None when nothing matched."""
    head = text[:65536]
    scores: dict[str, int] = {}
    for platform, rx, weight in _MARKERS:
        hits = len(rx.findall(head))
        if hits:
            scores[platform] = scores.get(platform, 0) + weight * min(hits, 3)
    if not scores:
        return None
    # Separator lines tell the families apart where their words overlap (``line vty 0 4``):
    # VRP/Comware print "#" between sections, IOS/RGOS print "!".
    hashes = len(_HASH_LINE.findall(head))
    bangs = len(_BANG_LINE.findall(head))
    if scores.get("juniper_junos", 0) < 5:
        family = ("huawei_vrp", "hp_comware") if hashes > bangs else ("cisco_ios", "ruijie_os") \
            if bangs > hashes else None
        if family is not None:
            scores = {p: s for p, s in scores.items() if p in family} or {family[0]: 1}
    if "hp_comware" in scores and "huawei_vrp" in scores and scores["hp_comware"] >= 4:
        scores["hp_comware"] += scores["huawei_vrp"]
    if "ruijie_os" in scores and "cisco_ios" in scores:
        scores["ruijie_os"] += scores["cisco_ios"]
    return max(scores.items(), key=lambda kv: kv[1])[0]


def parse_config(data: bytes | str, platform: str | None = None, *, source: str = "",
                 max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedConfig:
    """Parse one configuration into the normalized model.

    Args:
        data: the configuration as bytes (any of UTF-8/GBK/Latin-1, mixed per line) or text.
        platform: netmiko device_type (or alias); detected from the text when None.
        source: a label for evidence (file name or ``device@version``).
        max_bytes: input larger than this is refused with ParseError.

    Returns:
        The ParsedConfig; its ``warnings`` say what was guessed (platform, encodings).

    Raises:
        ParseError: binary or oversized input, or a platform that is neither given nor detectable.
    """
    text, warnings = decode(data, max_bytes=max_bytes)
    wanted = normalize_platform(platform)
    if platform and wanted is None:
        raise ParseError(f"unsupported platform {platform!r} (supported: {', '.join(PLATFORMS)})")
    if wanted is None:
        wanted = detect_platform(text)
        if wanted is None:
            raise ParseError("cannot tell the platform of this config; pass --platform "
                             f"({', '.join(PLATFORMS)})")
        warnings.append(f"platform detected as {wanted}")
    lines = text.splitlines()
    cfg = ParsedConfig(platform=wanted, source=source, lines=lines, warnings=warnings)
    try:
        PARSERS[wanted](cfg)
    except RecursionError as exc:  # pathological nesting: report, never crash the audit
        raise ParseError(f"config nesting too deep to parse: {exc}") from exc
    apply_defaults(cfg)
    return cfg
