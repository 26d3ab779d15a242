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
"""

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

__all__ = [
    "DeviceInfo", "DeviceStatus", "DiscoveredLink", "Endpoint", "PlannedLink", "apply_root_cause",
    "build_topology", "discover_links", "is_reachable", "link_state", "rates_from_samples",
    "reachability_from_samples",
    "root_cause", "to_graphml", "to_json",
]
