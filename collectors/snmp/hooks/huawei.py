"""Huawei VRP quirks.

* VRP 8 (CE/NE) sysDescr has no model line: take the chassis model from ENTITY-MIB, else the
  product name in the version text ("Version 8.150 (CE12800 V200R002C50SPC800)").
* Version is reported as "<VRP version> (<release>)", e.g. "5.170 (V200R010C00SPC600)", the form
  engineers use when they read ``display version``.
"""

from __future__ import annotations

import re
from typing import Any

from collectors.snmp.walker import Collected

_VERSION = re.compile(r"Version (\d+\.\d+) \((?:([\w ]+?) )?(V\d+R\d+\w*)\)")


def normalize(state: dict[str, Any], data: Collected) -> None:
    """Fill model and version from sysDescr's version line."""
    facts = state["facts"]
    m = _VERSION.search(facts.get("sysDescr") or "")
    if m:
        facts["version"] = f"{m.group(1)} ({m.group(3)})"
        if not facts.get("model") and m.group(2):
            facts["model"] = m.group(2)
