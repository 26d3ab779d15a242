"""Blueprint ``devices`` (/devices): the device list and one page per device.

The list uses the declared ``DeviceFilterSet`` (the API's ``/api/v1/devices`` takes the same
parameters) and shows 100 devices a page. A device page shows the inventory record, its state
from the topology's root cause (``web.topograph``: up, down, or down because of an upstream
device, named), its neighbours as discovered from collected LLDP/subnet state next to the plan
(as planned, on another port, missing, unexpected), its planned interfaces and links, and
charts of traffic, CPU and memory that ``static/js/device.js`` loads from
``/api/v1/devices/<name>/metrics`` for the chosen range; without sink data they say so.
A device outside the user's scope is answered 404, exactly like one that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inventory.models import Device
from nms.models import DeviceRole, Zone
from web import queries
from web.context import db, state
from web.filters import DeviceFilterSet
from web.models import Perm
from web.security import permission
from web.timeseries import DEFAULT_RANGE, RANGES

bp = Blueprint("devices", __name__, url_prefix="/devices")

PAGE_SIZE = 100


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """Devices in scope, filtered, a page at a time (counted and paged by the database)."""
    filters = DeviceFilterSet(request.args)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    stmt = filters.apply(db(), select(Device), g.scope)
    rows: list[dict[str, object]] = []
    total = 0
    if filters.valid:
        total = db().scalar(select(func.count()).select_from(stmt.subquery())) or 0
        states = state().timeseries.reachability()
        page_stmt = (stmt.options(selectinload(Device.site)).order_by(Device.name)
                     .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
        rows = [queries.device_row(d, states) for d in db().scalars(page_stmt)]
    return render_template("devices/index.html", devices=rows, filters=filters, total=total,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           query=dict(filters.values), roles=list(DeviceRole), zones=list(Zone),
                           sites=queries.visible_sites(db(), g.scope))


@bp.route("/<path:name>")
@permission(Perm.NETWORK_VIEW)
def detail(name: str) -> str:
    """One device: record, topology state, neighbours, interfaces, planned links, charts."""
    dev = queries.visible_device(db(), g.scope, name)
    if dev is None:
        abort(404)
    states = state().timeseries.reachability()
    alarms = (queries.open_alarms(db(), g.scope, device=dev.name, limit=50)
              if queries.alarms_ready(state().engine) else None)
    st = state()
    topo = st.topology.device(st.engine, st.timeseries, g.scope, dev.name)
    return render_template("devices/detail.html", device=dev, alarms=alarms,
                           row=queries.device_row(dev, states), topo=topo,
                           links=queries.device_links(db(), g.scope, dev),
                           ranges=list(RANGES), default_range=DEFAULT_RANGE)
