"""Build the ``Snapshot`` checks read: inventory plan + latest device state + thresholds (+ sink).

Inputs: the relational store (``inventory.io.export_data`` for sites, devices, interfaces,
links and IP blocks; ``nms.state`` for each device's latest getter results and when they were
collected), the loaded config (``thresholds`` become ``params["thresholds"]``) and, when one is
configured and can be opened, the time-series sink (link health and availability read it).
Output: a ``policies.base.Snapshot``. Reading everything once up front keeps checks free of I/O,
so a check can be tested on a JSON fixture exactly as it runs in production.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select

from inventory.io import export_data
from inventory.models import Device
from nms.db import session_scope
from nms.state import DeviceStateRow, load_state
from policies.base import DeviceState, Snapshot

if TYPE_CHECKING:
    from nms.config import Config

log = logging.getLogger(__name__)


def params_from_config(config: Config | None) -> dict[str, Any]:
    """The snapshot parameters: ``{"thresholds": {...}}`` from config (defaults without one)."""
    from nms.config import Thresholds

    thresholds = config.thresholds if config is not None else Thresholds()
    return {"thresholds": dataclasses.asdict(thresholds)}


def build_snapshot(engine: Engine, config: Config | None = None, *, sink: Any = None,
                   open_sink: bool = True, now: datetime | None = None,
                   devices: list[str] | None = None) -> Snapshot:
    """Read the plan, the state and the thresholds into a ``Snapshot``.

    Args:
        engine: the inventory/state database (already migrated).
        config: the loaded config; thresholds and the sink come from it.
        sink: a ``nms.sink.Sink`` to use (tests, benchmarks); overrides opening one.
        open_sink: open ``config``'s sink when ``sink`` is None. A sink that cannot be opened is
            logged and left out: the checks needing samples then say NEEDS_REVIEW.
        now: the evaluation time (default: now); sample windows end here.
        devices: restrict device state to these names (the plan is always whole).

    Returns:
        The snapshot; ``DeviceState.device`` carries the inventory row plus ``county`` and
        ``township`` codes of its site.
    """
    with session_scope(engine) as session:
        plan = export_data(session)
        collected = dict(session.execute(
            select(Device.name, func.min(DeviceStateRow.collected))
            .join(DeviceStateRow, DeviceStateRow.device_id == Device.id).group_by(Device.name)).all())
    state = load_state(engine, devices)
    sites = {s["code"]: {"name": s["name"], "level": s["level"], "parent": s["parent"],
                         "units": s.get("units") or []} for s in plan["sites"]}
    snap = Snapshot(sites=sites, links=plan["links"], ip_blocks=plan["ip_blocks"],
                    interfaces=plan["interfaces"], params=params_from_config(config))
    if now is not None:
        snap.taken = now
    for row in plan["devices"]:
        if devices is not None and row["name"] not in devices:
            continue
        row = dict(row)
        row["county"] = snap.site_at(row["site"], "county")
        row["township"] = snap.site_at(row["site"], "township")
        snap.devices[row["name"]] = DeviceState(device=row, state=state.get(row["name"], {}),
                                                collected=collected.get(row["name"]))
    if sink is not None:
        snap.sink = sink
    elif open_sink and config is not None:
        try:
            from nms.sink import open_sink as _open

            snap.sink = _open(config, spool=False)
        except Exception as exc:  # noqa: BLE001 - checks without samples say NEEDS_REVIEW
            log.warning("policy snapshot: cannot open the %s sink: %s", config.sink.type, exc)
    return snap
