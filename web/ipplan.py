"""Blueprint ``ipplan`` (/ipplan): the IP plan and how much of it the planned network uses.

Blocks by site with their purpose, allowed prefix lengths and utilisation computed from the
planned interface addresses (``web.queries.ip_plan``); subnets of a length the block does not
allow, and interface addresses in no block, are listed for the security staff.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from web import queries
from web.context import db
from web.models import Perm
from web.security import permission

bp = Blueprint("ipplan", __name__, url_prefix="/ipplan")


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """The IP plan page."""
    plan = queries.ip_plan(db(), g.scope)
    return render_template("ipplan/index.html", plan=plan)
