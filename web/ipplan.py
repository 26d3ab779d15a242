"""Blueprint ``ipplan`` (/ipplan): the IP plan, how much of it is used, and what breaks it.

Blocks by site with their purpose, allowed prefix lengths and utilisation computed from the
planned interface addresses (``web.queries.ip_plan``); subnets of a length the block does not
allow, and interface addresses in no block, are listed for the security staff. Next to each
block are the violations the IP-plan checks (``policies`` pack ``ip_plan``, IPPLAN-001...010)
find in the addresses the devices actually report (``web.queries.ip_plan_violations``).
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from web import queries
from web.context import db, state
from web.models import Perm
from web.security import permission

bp = Blueprint("ipplan", __name__, url_prefix="/ipplan")


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """The IP plan page."""
    plan = queries.ip_plan(db(), g.scope)
    violations = queries.ip_plan_violations(db(), state().engine, state().config, g.scope,
                                            plan["blocks"])
    return render_template("ipplan/index.html", plan=plan, violations=violations)
