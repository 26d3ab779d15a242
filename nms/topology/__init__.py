"""Topology: links discovered from collected state, reconciled against the plan, and root cause.

Public API (everything works on plain state dicts; no device I/O happens in this package)::

    from nms.topology import build_topology, root_cause, to_json
    graph = build_topology(devices, state, planned_links, reachability=probe_results)
    verdicts = root_cause(graph, reachability)          # {device: DeviceStatus}
    data = to_json(graph)                               # what the console draws

Modules: ``ifnames`` (vendor-neutral port names), ``discovery`` (LLDP + /30-/31 links),
``model`` (the networkx graph, reconciliation, link state/speed/utilisation), ``rootcause``,
``export`` (JSON, GraphML), ``store`` (reads the inventory and state store), ``synth``
(generated networks for tests and the benchmark), ``cli`` (``nms topology``, ``nms netlab``).

The names below are imported on first use: the ``nms`` command loads every plugin command
group to list them, and networkx alone costs more than half a second to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nms.topology.discovery import DeviceInfo, DiscoveredLink, Endpoint, discover_links
    from nms.topology.export import to_graphml, to_json
    from nms.topology.model import PlannedLink, build_topology, link_state, rates_from_samples
    from nms.topology.rootcause import (
        DeviceStatus,
        apply_root_cause,
        is_reachable,
        reachability_from_samples,
        root_cause,
    )

_EXPORTS = {
    "DeviceInfo": "discovery", "DiscoveredLink": "discovery", "Endpoint": "discovery",
    "discover_links": "discovery", "to_graphml": "export", "to_json": "export",
    "PlannedLink": "model", "build_topology": "model", "link_state": "model",
    "rates_from_samples": "model", "DeviceStatus": "rootcause", "apply_root_cause": "rootcause",
    "is_reachable": "rootcause", "reachability_from_samples": "rootcause",
    "root_cause": "rootcause",
}
__all__ = [
    "DeviceInfo", "DeviceStatus", "DiscoveredLink", "Endpoint", "PlannedLink", "apply_root_cause",
    "build_topology", "discover_links", "is_reachable", "link_state", "rates_from_samples",
    "reachability_from_samples", "root_cause", "to_graphml", "to_json",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nms.topology' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"nms.topology.{module}"), name)
    globals()[name] = value
    return value
