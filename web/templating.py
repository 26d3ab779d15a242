"""Helpers the templates share: navigation by permission, labels of stored codes, safe "here".

Stored values (``router``, ``county``, ``management``) are shown through labels: enum members
carry their own Chinese and English (``nms.models``), the rest are message ids marked with
``N_`` so the catalog test sees them.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, g, request

from nms.models import DeviceRole, FindingStatus, Severity, SiteLevel, Zone
from web.i18n import N_
from web.models import Perm, Role
from web.security import is_locked

NAV: tuple[tuple[str, str, str], ...] = (
    ("dashboard.index", Perm.NETWORK_VIEW, N_("Dashboard")),
    ("topology.index", Perm.NETWORK_VIEW, N_("Topology")),
    ("alarms.index", Perm.NETWORK_VIEW, N_("Alarms")),
    ("devices.index", Perm.NETWORK_VIEW, N_("Devices")),
    ("ipplan.index", Perm.NETWORK_VIEW, N_("IP plan")),
    ("audits.index", Perm.AUDITS_VIEW, N_("Audits")),
    ("reports.index", Perm.NETWORK_VIEW, N_("Reports")),
    ("inventory.index", Perm.NETWORK_VIEW, N_("Inventory")),
    ("auth.users", Perm.USERS_MANAGE, N_("Accounts")),
    ("auth.audit_log", Perm.AUDITLOG_VIEW, N_("Audit log")),
)
TIER_LABELS = {"core": N_("Core"), "county": N_("County"), "township": N_("Township")}
STATE_LABELS = {"up": N_("Up"), "down": N_("Down"), "parent_down": N_("Parent down"),
                "unknown": N_("Unknown")}
#: how a link compares with the plan (``nms.topology`` reconciliation)
RECONCILIATION_LABELS = {"ok": N_("As planned"), "wrong_port": N_("Other ports than planned"),
                         "missing": N_("Planned, not found"),
                         "unexpected": N_("Found, not planned")}
SOURCE_LABELS = {"lldp": N_("LLDP"), "subnet": N_("Shared /30 or /31")}
PURPOSE_LABELS = {"management": N_("Management"), "interconnect": N_("Interconnect"),
                  "service": N_("Services"), "user": N_("User access")}
#: ``alarm_events.action`` values (nms.alarms) as shown in an alarm's history
ALARM_ACTION_LABELS = {"raised": N_("Raised"), "reopened": N_("Reopened"),
                       "acknowledged": N_("Acknowledged"), "cleared": N_("Cleared"),
                       "escalated": N_("Escalated"), "suppressed": N_("Suppressed"),
                       "unsuppressed": N_("Unsuppressed"), "commented": N_("Commented")}


def _member(enum: Any, value: str | None) -> Any:
    try:
        return enum(value)
    except ValueError:
        return value  # an unknown stored value is shown as it is


def nav_items() -> list[tuple[str, str]]:
    """(endpoint, label message id) of the areas the signed-in user may open."""
    user = g.get("user")
    return [(endpoint, text) for endpoint, perm, text in NAV if user is not None and user.can(perm)]


def here() -> str:
    """The current page for "come back here" forms (the start page after a POST)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return "/"


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON text (autoescaped by the template like any other text)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def now_local() -> str:
    """The current time in the configured zone (when a page was rendered)."""
    from nms.models import utcnow
    from web.i18n import localtime

    return localtime(utcnow())


def _alarm_state(value: str) -> Any:
    try:
        from nms.alarms import AlarmState
    except ImportError:
        return value
    return _member(AlarmState, value)


def init_app(app: Flask) -> None:
    """Register the helpers as template globals."""
    from web.context import state

    app.jinja_env.globals.update(
        nav_items=nav_items, here=here, is_locked=is_locked,
        user_role=lambda user: _member(Role, user.role),
        device_role=lambda value: _member(DeviceRole, value),
        site_level=lambda value: _member(SiteLevel, value),
        zone=lambda value: _member(Zone, value),
        severity=lambda value: _member(Severity, value),
        finding_status=lambda value: _member(FindingStatus, value),
        alarm_state=_alarm_state,
        tier_label=lambda value: TIER_LABELS.get(value, value),
        state_label=lambda value: STATE_LABELS.get(value, value),
        reconciliation_label=lambda value: RECONCILIATION_LABELS.get(value, value),
        source_label=lambda value: SOURCE_LABELS.get(value, value),
        purpose_label=lambda value: PURPOSE_LABELS.get(value, value),
        config_timezone=lambda: state().config.timezone,
        alarm_action_label=lambda value: ALARM_ACTION_LABELS.get(value, value),
        now_local=now_local,
    )
    app.jinja_env.filters["pretty_json"] = pretty_json
