"""Hillstone StoneOS quirks: the version is only in HILLSTONE-SYSTEM-MIB's software string
("Version 5.5 SG6000-M-2-5.5R3P7.bin 2017/11/08 15:33:42")."""

from __future__ import annotations

import re
from typing import Any

from collectors.snmp.walker import Collected


def normalize(state: dict[str, Any], data: Collected) -> None:
    """Version from the software string."""
    text = data.get("hillstoneVersion")
    if isinstance(text, str):
        m = re.search(r"Version (\S+)", text)
        if m:
            state["facts"]["version"] = m.group(1)
