"""Blueprint ``alarms`` (/alarms): the alarm board — still a placeholder.

For now it lists the open alarms in the user's scope, read only, most severe first. The board
proper (filters, history, acknowledge/clear through ``nms.alarms.AlarmManager`` with the
``alarms.ack`` permission, every action in the audit log) is left to the alarms work; the
route, its permission and its template exist so navigation, access control and the security
tests already cover it.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from web import queries
from web.context import db, state
from web.models import Perm
from web.security import permission

bp = Blueprint("alarms", __name__, url_prefix="/alarms")


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """The alarm board (placeholder): the open alarms in scope, read only."""
    ready = queries.alarms_ready(state().engine)
    rows = queries.open_alarms(db(), g.scope, limit=200) if ready else []
    return render_template("alarms/index.html", ready=ready, alarms=rows)
