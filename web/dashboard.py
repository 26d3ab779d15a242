"""Blueprint ``dashboard`` (/dashboard): the state of the network at a glance.

Device counts by role and by reachability (from the sink's latest polls; "unknown" until the
poller has written any), sites by level, planned links by tier, and the open alarms (most
severe first) when the alarms subsystem (``nms.alarms``) is installed. Everything is limited to
the user's region scope.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from web import queries
from web.context import db, state
from web.models import Perm
from web.security import permission
from web.topograph import device_states

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """The dashboard page."""
    st = state()
    states = device_states(st.topology.graph(st.engine, st.timeseries))
    summary = queries.dashboard(db(), g.scope, states)
    ready = queries.alarms_ready(st.engine)
    alarms = queries.open_alarms(db(), g.scope) if ready else []
    counts = queries.alarm_counts(db(), g.scope) if ready else None
    return render_template("dashboard/index.html", summary=summary, alarms_ready=ready,
                           alarms=alarms, alarm_counts=counts, sink=st.timeseries.available,
                           states_known=any(v != "unknown" for v in states.values()))
