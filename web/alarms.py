"""Blueprint ``alarms`` (/alarms): the alarm board, one page per alarm, and the operator actions.

The board lists the alarms in the user's region scope, filtered by the declared
``AlarmFilterSet`` (severity, state, site, device, check, text; the API takes the same
parameters), most severe then newest first, a page at a time: counting, sorting and paging
happen in the database, so a storm of 10,000 open alarms costs one page of rows.
``static/js/alarms.js`` refreshes the page's rows every few seconds from ``/api/v1/alarms``
(no inline script: the CSP forbids them).

Acknowledge, clear and comment go through ``nms.alarms.AlarmManager`` -- the same code as
``nms alarms ack`` -- so the alarm's own history (``alarm_events``) records who and when, and
each action, refused or not, is also written to the console's audit log. They need
``alarms.ack`` (administrators and network engineers; report viewers and security staff only
read). An alarm outside the user's scope is answered 404, exactly like one that does not exist.
``perform`` is shared with the API's ``POST /api/v1/alarms/<id>/<action>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from web import auditlog, queries
from web.auth import safe_next
from web.context import db, state
from web.filters import AlarmFilterSet, AlarmStateFilter
from web.i18n import N_, gettext
from web.models import Perm
from web.security import permission

bp = Blueprint("alarms", __name__, url_prefix="/alarms")

PAGE_SIZE = 50
MAX_NOTE = 2000
REFRESH_S = 15
ACTIONS = ("ack", "clear", "comment")
DONE = {"ack": N_("Alarm %(id)s acknowledged."), "clear": N_("Alarm %(id)s cleared."),
        "comment": N_("Comment added to alarm %(id)s.")}


@dataclass
class ActionOutcome:
    """What ``perform`` did: HTTP status, a message id (with ``id``) and the alarm afterwards."""

    status: int
    message: str
    alarm: Any = None


def _manager() -> Any:
    from nms.alarms import AlarmManager

    return AlarmManager(state().engine, state().config.alarms)


def perform(action: str, alarm_id: int, note: str | None) -> ActionOutcome:
    """Acknowledge, clear or comment on an alarm as the signed-in user, and audit it.

    Args:
        action: ``ack``, ``clear`` or ``comment``.
        alarm_id: the alarm.
        note: the operator's note (required for ``comment``; clipped to 2,000 characters).

    Returns:
        200 and the refreshed alarm; 404 when the alarm is missing or outside the scope; 400 for
        an empty comment; 409 when the alarm is already cleared (ack/clear).
    """
    from nms.alarms import AlarmError

    session = db()
    alarm = queries.visible_alarm(session, g.scope, alarm_id)
    if alarm is None:
        return ActionOutcome(404, N_("No such alarm."))
    text = (note or "").strip()[:MAX_NOTE] or None
    target = f"alarm:{alarm.id} {alarm.check_id} {alarm.device}"[:256]
    if action == "comment" and text is None:
        return ActionOutcome(400, N_("Write a comment first."), alarm)
    manager = _manager()
    user = g.user.username
    try:
        if action == "ack":
            manager.acknowledge(alarm.id, user, text)
        elif action == "clear":
            manager.clear(alarm.id, user, text)
        else:
            manager.comment(alarm.id, user, text)
    except AlarmError as exc:
        auditlog.record_now(session, f"alarm.{action}", target=target, success=False,
                            detail={"note": text}, message=str(exc))
        return ActionOutcome(409, N_("Alarm %(id)s is already cleared."), alarm)
    auditlog.record_now(session, f"alarm.{action}", target=target,
                        detail={"note": text, "severity": alarm.severity})
    session.refresh(alarm)  # the manager wrote through its own session
    return ActionOutcome(200, DONE[action], alarm)


def _board_i18n() -> dict[str, Any]:
    """The words ``alarms.js`` needs to draw refreshed rows in the page's language."""
    from nms.alarms import AlarmState
    from nms.models import Severity
    from web.i18n import label

    return {
        "severity": {s.value: label(s) for s in Severity},
        "state": {s.value: label(s) for s in AlarmState},
        "ack": gettext("Acknowledge"), "clear": gettext("Clear"),
        "suppressed": gettext("suppressed"), "empty": gettext("No alarms match."),
        "total": gettext("Alarms: %(n)s"), "error": gettext("Refresh failed; retrying."),
    }


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str | tuple[str, int]:
    """The board: filters, severity counts, one page of alarms, live refresh."""
    if not queries.alarms_ready(state().engine):
        return render_template("alarms/index.html", ready=False)
    filters = AlarmFilterSet(request.args)
    page = _page_number()
    total, rows = (queries.alarm_page(db(), g.scope, filters, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE)
                   if filters.valid else (0, []))
    counts = queries.alarm_counts(db(), g.scope)
    query = {k: v for k, v in filters.values.items()}
    return render_template(
        "alarms/index.html", ready=True, alarms=rows, total=total, page=page,
        page_size=PAGE_SIZE, pages=max(1, -(-total // PAGE_SIZE)), filters=filters,
        query=query, counts=counts, states=list(AlarmStateFilter),
        sites=queries.visible_sites(db(), g.scope), can_act=g.user.can(Perm.ALARMS_ACK),
        refresh_s=REFRESH_S, i18n=_board_i18n(),
        api_url=url_for("api.alarms", **query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
    ), (200 if filters.valid else 400)


@bp.route("/<int:alarm_id>")
@permission(Perm.NETWORK_VIEW)
def detail(alarm_id: int) -> str:
    """One alarm: its facts, evidence and full history, with the action forms."""
    if not queries.alarms_ready(state().engine):
        abort(404)
    alarm = queries.visible_alarm(db(), g.scope, alarm_id)
    if alarm is None:
        abort(404)
    return render_template("alarms/detail.html", alarm=alarm,
                           history=queries.alarm_history(db(), alarm.id),
                           can_act=g.user.can(Perm.ALARMS_ACK), max_note=MAX_NOTE)


def _act(action: str, alarm_id: int) -> Response:
    outcome = perform(action, alarm_id, request.form.get("note"))
    if outcome.status == 404:
        abort(404)
    flash(gettext(outcome.message, id=alarm_id), "ok" if outcome.status == 200 else "error")
    return redirect(safe_next(request.form.get("next"), url_for("alarms.detail", alarm_id=alarm_id)))


@bp.route("/<int:alarm_id>/ack", methods=["POST"])
@permission(Perm.ALARMS_ACK)
def acknowledge(alarm_id: int) -> Response:
    """Acknowledge an open alarm (optional note)."""
    return _act("ack", alarm_id)


@bp.route("/<int:alarm_id>/clear", methods=["POST"])
@permission(Perm.ALARMS_ACK)
def clear(alarm_id: int) -> Response:
    """Clear an open alarm by hand (optional note); a still-failing check raises it again."""
    return _act("clear", alarm_id)


@bp.route("/<int:alarm_id>/comment", methods=["POST"])
@permission(Perm.ALARMS_ACK)
def comment(alarm_id: int) -> Response:
    """Add a note to an alarm's history."""
    return _act("comment", alarm_id)
