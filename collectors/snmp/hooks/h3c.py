"""H3C / HPE Comware quirks.

* The model is the sysDescr's second line on many releases ("H3C S5560X-30C-EI"), and the chassis
  entPhysicalDescr otherwise; the generic regex misses both when the first line is the platform.
"""

from __future__ import annotations

import re
from typing import Any

from collectors.snmp.walker import Collected

_MODEL = re.compile(r"^(?:H3C|HPE|HP)\s+((?!Comware)[\w -]+?)\s*$", re.M)


def normalize(state: dict[str, Any], data: Collected) -> None:
    """Model from the sysDescr product line when detection found none."""
    facts = state["facts"]
    if facts.get("model"):
        return
    m = _MODEL.search(facts.get("sysDescr") or "")
    if m:
        facts["model"] = m.group(1)
