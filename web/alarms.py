"""Blueprint ``alarms`` (/alarms): the alarm board — a placeholder until the alarms issue lands.

The route, its permission (``network.view`` to read; acknowledging will need ``alarms.ack``)
and its template exist so navigation, access control and the security tests already cover
it. The alarms engineer replaces the body of ``index`` and ``templates/alarms/index.html``.
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
    """The alarm board (placeholder): shows the newest rows once an alarms table exists."""
    ready = queries.alarms_table_present(state().engine)
    rows = queries.recent_alarms(db(), g.scope, limit=100) if ready else []
    return render_template("alarms/index.html", ready=ready, alarms=rows)
