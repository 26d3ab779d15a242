"""Read what the topology needs from the stores: inventory, latest state, recent samples.

Input: the inventory database (``inventory.models``: sites with levels, devices, planned links),
the device-state store (:func:`nms.state.load_state`) and, optionally, a time-series sink for
the latest ``probe`` samples (reachability) and ``interface`` samples (rates). Output: the
arguments of :func:`nms.topology.model.build_topology`, or the graph itself.

Why a separate module: the model stays pure (dicts in, graph out) so tests and the benchmark
never need a database; this is the only place that knows where the data lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import networkx as nx
from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from inventory.models import Device, Interface, Link, Site
from nms.db import session_scope
from nms.models import utcnow
from nms.state import load_state
from nms.topology.discovery import DeviceInfo
from nms.topology.model import build_topology, rates_from_samples
from nms.topology.rootcause import reachability_from_samples


@dataclass
class InventoryView:
    """The inventory as plain data."""

    devices: list[DeviceInfo] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    interfaces: list[dict[str, Any]] = field(default_factory=list)


def load_inventory(engine: Engine) -> InventoryView:
    """Devices (with site level and county), planned links and planned interfaces."""
    view = InventoryView()
    with session_scope(engine) as session:
        sites = {s.id: s for s in session.scalars(select(Site))}
        for dev in session.scalars(select(Device).order_by(Device.name)):
            site = sites.get(dev.site_id)
            county = None
            if site is not None:
                node: Site | None = site
                while node is not None and node.level != "county":
                    node = sites.get(node.parent_id) if node.parent_id else None
                county = node
            view.devices.append(DeviceInfo(
                name=dev.name, address=dev.address, role=dev.role,
                site=site.code if site else None, site_name=site.name if site else None,
                county=county.code if county else None, county_name=county.name if county else None,
                level=site.level if site else None, vendor=dev.vendor, platform=dev.platform))
        links = session.scalars(select(Link).options(
            selectinload(Link.a_interface).selectinload(Interface.device),
            selectinload(Link.b_interface).selectinload(Interface.device)))
        view.links = [lk.as_dict() for lk in links]
        for iface in session.scalars(select(Interface).options(selectinload(Interface.device))):
            view.interfaces.append({"device": iface.device.name, "name": iface.name,
                                    "address": iface.address, "description": iface.description})
    return view


def load_topology(engine: Engine, *, sink: Any = None, window: timedelta = timedelta(minutes=15),
                  roots: list[str] | None = None) -> nx.MultiGraph:
    """Build the topology from the stores.

    Args:
        engine: the inventory/state database.
        sink: a ``nms.sink.Sink``; when given, the latest ``probe`` samples in ``window`` give
            reachability (and root cause) and the last two ``interface`` samples give rates.
        window: how far back samples count as current.
        roots: devices nearest the poller (default: top-level routers).
    """
    inv = load_inventory(engine)
    state = load_state(engine)
    reach = rates = None
    if sink is not None:
        start = utcnow() - window
        reach = reachability_from_samples(sink.query("probe", start=start)) or None
        rates = rates_from_samples(sink.query("interface", fields=["in_octets", "out_octets",
                                                                   "counter_bits", "speed_bps"],
                                              start=start)) or None
    return build_topology(inv.devices, state, inv.links, rates=rates, reachability=reach,
                          roots=roots)
