"""Blueprint ``topology`` (/topology): the network map.

The page is a frame; ``static/js/topology.js`` fetches ``/api/v1/topology`` (the same scoped
data the API gives scripts) and draws it with ECharts, served from ``static/vendor`` because
the e-government network has no Internet access. Nodes are placed server-side by the site
hierarchy (``web.layout``) and coloured by reachability when the sink knows it.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from web.models import Perm
from web.security import permission

bp = Blueprint("topology", __name__, url_prefix="/topology")


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """The map page."""
    return render_template("topology/index.html")
