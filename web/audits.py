"""Blueprint ``audits`` (/audits): baseline audit results — a placeholder until the audits issue.

The route and template exist, guarded by ``audits.view`` (security auditors and administrators),
so access control covers them from the start. The policies engineer fills in findings by
check, device and status (PASS/FAIL/NOT_APPLICABLE/NEEDS_REVIEW/ERROR) here.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from nms.models import FindingStatus
from web.models import Perm
from web.security import permission

bp = Blueprint("audits", __name__, url_prefix="/audits")


@bp.route("/")
@permission(Perm.AUDITS_VIEW)
def index() -> str:
    """The baseline audit page (placeholder)."""
    return render_template("audits/index.html", statuses=list(FindingStatus))
