"""Per-vendor quirks, one small module per vendor (SuzieQ's ``_clean_<nos>_data`` idea).

A hook module is named by ``hooks:`` in ``inventory/platforms.yaml`` and may define
``normalize(state, data) -> None``, which edits the state dict built by
:mod:`collectors.snmp.state` in place. Platforms without a hook get the generic state unchanged,
so no ``if vendor == ...`` spreads through the collector.
"""

from __future__ import annotations

import importlib
from typing import Any

from collectors.snmp.walker import Collected


def apply(name: str | None, state: dict[str, Any], data: Collected) -> None:
    """Run hook module ``name``'s ``normalize`` (no-op when ``name`` is None or has none)."""
    if not name:
        return
    module = importlib.import_module(f"collectors.snmp.hooks.{name}")
    normalize = getattr(module, "normalize", None)
    if normalize is not None:
        normalize(state, data)
