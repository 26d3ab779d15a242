"""Blueprint ``api`` (/api/v1): the console's data as JSON, for its own pages and for scripts.

Same authentication, permissions and region scope as the pages (``web.security``): a browser
session (state-changing calls then need the ``X-CSRF-Token`` header) or
``Authorization: Bearer <token>`` from ``nms user token NAME``. Errors are JSON
``{"error": ..., "status": ...}``. ``/api/v1/openapi.json`` describes every endpoint; a test
checks that each route here is in it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inventory.io import KINDS, import_file
from inventory.models import Device
from nms import __version__
from nms.errors import ImportRowError
from nms.models import Severity, utcnow
from web import auditlog, queries
from web.context import db, state
from web.filters import AlarmFilterSet, DeviceFilterSet
from web.i18n import localtime
from web.models import AuditEntry, Perm
from web.scope import Scope
from web.security import permission
from web.timeseries import DEFAULT_RANGE, RANGES
from web.topograph import device_states

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_LIMIT = 1000


def _paging() -> tuple[int, int]:
    try:
        limit = min(max(int(request.args.get("limit", "200")), 1), MAX_LIMIT)
        offset = max(int(request.args.get("offset", "0")), 0)
    except ValueError:
        abort(400, description="limit and offset must be integers")
    return limit, offset


def _states() -> dict[str, bool]:
    return state().timeseries.reachability()


@bp.route("/me")
@permission(Perm.AUTHENTICATED)
def me() -> Response:
    """The caller: name, role, permissions, scope, language."""
    user = g.user
    return jsonify({"username": user.username, "full_name": user.full_name, "role": user.role,
                    "permissions": sorted(user.permissions), "scope": g.scope.root_code,
                    "language": g.language, "auth": "token" if g.token is not None else "session"})


@bp.route("/dashboard")
@permission(Perm.NETWORK_VIEW)
def dashboard() -> Response:
    """Counts of devices by role and state, sites by level, links by tier, open alarms."""
    st = state()
    summary = queries.dashboard(db(), g.scope, device_states(st.topology.graph(st.engine, st.timeseries)))
    if queries.alarms_ready(state().engine):
        counts = queries.alarm_counts(db(), g.scope)
        summary["alarms"] = {"total": counts["total"], "by_severity": counts["by_severity"]}
    else:
        summary["alarms"] = None
    return jsonify(summary)


@bp.route("/sites")
@permission(Perm.NETWORK_VIEW)
def sites() -> Response:
    """Sites in scope with their parent and units."""
    rows = [{"code": s.code, "name": s.name, "level": s.level,
             "parent": s.parent.code if s.parent else None, "units": [u.name for u in s.units]}
            for s in queries.visible_sites(db(), g.scope)]
    return jsonify(rows)


@bp.route("/devices")
@permission(Perm.NETWORK_VIEW)
def devices() -> Response | tuple[Response, int]:
    """Devices in scope, filtered like the device list page."""
    filters = DeviceFilterSet(request.args)
    limit, offset = _paging()
    stmt = filters.apply(db(), select(Device).options(selectinload(Device.site)).order_by(Device.name),
                         g.scope)
    if not filters.valid:
        return jsonify({"error": "invalid filter", "status": 400,
                        "fields": {name: msg for name, msg in filters.errors}}), 400
    states = _states()
    rows = [queries.device_row(d, states) for d in db().scalars(stmt.limit(limit).offset(offset))]
    return jsonify(rows)


@bp.route("/devices/<path:name>")
@permission(Perm.NETWORK_VIEW)
def device(name: str) -> Response:
    """One device with its interfaces, planned links, topology state and discovered neighbours."""
    dev = queries.visible_device(db(), g.scope, name)
    if dev is None:
        abort(404, description="no such device")
    row = queries.device_row(dev, _states())
    row["interfaces"] = [{"name": i.name, "description": i.description, "address": i.address}
                         for i in dev.interfaces]
    row["links"] = queries.device_links(db(), g.scope, dev)
    row["topology"] = state().topology.device(state().engine, state().timeseries, g.scope,
                                              dev.name)
    return jsonify(row)


@bp.route("/devices/<path:name>/metrics")
@permission(Perm.NETWORK_VIEW)
def device_metrics(name: str) -> Response:
    """Traffic, CPU and memory series of one device over ``range`` (1h, 6h, 24h, 7d, 30d)."""
    dev = queries.visible_device(db(), g.scope, name)
    if dev is None:
        abort(404, description="no such device")
    range_key = request.args.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        abort(400, description=f"range must be one of {', '.join(RANGES)}")
    interval = state().config.polling.intervals_s.get(dev.role, 300)
    return jsonify(state().timeseries.device_metrics(dev.name, range_key, interval_s=interval))


@bp.route("/links")
@permission(Perm.NETWORK_VIEW)
def links() -> Response:
    """Planned links with both ends in scope."""
    return jsonify(queries.links(db(), g.scope))


def _worst_alarms() -> dict[str, str]:
    """Worst open alarm per device, whole network (the topology cache cuts it per scope)."""
    if not queries.alarms_ready(state().engine):
        return {}
    worst: dict[str, str] = queries.alarm_counts(db(), Scope(), per_device=True)["worst_by_device"]
    return worst


def topology_map() -> Any:
    """The caller's scoped map from the topology cache (``web.topograph.View``)."""
    st = state()
    return st.topology.view(st.engine, st.timeseries, g.scope, _worst_alarms)


@bp.route("/topology")
@permission(Perm.NETWORK_VIEW)
def topology() -> Response:
    """The map: discovered and planned links, root-cause states, placed nodes, sites.

    Served from the topology cache with a strong ETag: ``If-None-Match`` with the current one
    is answered 304 without a body. Gzipped when the client accepts it.
    """
    view = topology_map()
    gz = "gzip" in request.accept_encodings
    etag = view.etag + ("-gz" if gz else "")
    if request.if_none_match.contains(view.etag) or request.if_none_match.contains(
            view.etag + "-gz") or request.if_none_match.star_tag:
        resp = Response(status=304)
    else:
        resp = Response(view.gzip() if gz else view.body, mimetype="application/json")
        if gz:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    resp.vary.add("Accept-Encoding")
    return resp


@bp.route("/ipplan")
@permission(Perm.NETWORK_VIEW)
def ipplan() -> Response:
    """IP blocks with utilisation, disallowed subnets, unplanned addresses and violations."""
    plan = queries.ip_plan(db(), g.scope)
    plan["violations"] = queries.ip_plan_violations(db(), state().engine, state().config,
                                                    g.scope, plan["blocks"])
    return jsonify(plan)


@bp.route("/alarms")
@permission(Perm.NETWORK_VIEW)
def alarms() -> Response | tuple[Response, int]:
    """One page of alarms in scope, filtered like the alarm board, most severe first."""
    if not queries.alarms_ready(state().engine):
        abort(404, description="the alarm subsystem is not installed")
    filters = AlarmFilterSet(request.args)
    limit, offset = _paging()
    total, rows = (queries.alarm_page(db(), g.scope, filters, limit=limit, offset=offset)
                   if filters.valid else (0, []))
    if not filters.valid:
        return jsonify({"error": "invalid filter", "status": 400,
                        "fields": {name: msg for name, msg in filters.errors}}), 400
    return jsonify({"total": total, "limit": limit, "offset": offset,
                    "time": localtime(utcnow(), queries.ISO_LOCAL),
                    "items": [queries.alarm_row(a) for a in rows]})


@bp.route("/alarms/<int:alarm_id>")
@permission(Perm.NETWORK_VIEW)
def alarm(alarm_id: int) -> Response:
    """One alarm with its history (who did what when)."""
    found = (queries.visible_alarm(db(), g.scope, alarm_id)
             if queries.alarms_ready(state().engine) else None)
    if found is None:
        abort(404, description="no such alarm")
    row = queries.alarm_row(found)
    row["details"] = found.details
    row["history"] = [queries.alarm_event_row(e) for e in queries.alarm_history(db(), found.id)]
    return jsonify(row)


def _alarm_action(action: str, alarm_id: int) -> Response | tuple[Response, int]:
    from web.alarms import perform

    if not queries.alarms_ready(state().engine):
        abort(404, description="the alarm subsystem is not installed")
    body = request.get_json(silent=True) if request.is_json else None
    note = (body or {}).get("note") if isinstance(body, dict) else request.form.get("note")
    if note is not None and not isinstance(note, str):
        abort(400, description="note must be a string")
    outcome = perform(action, alarm_id, note)
    if outcome.status == 404:
        abort(404, description="no such alarm")
    if outcome.status != 200:
        with_id = outcome.message.replace("%(id)s", str(alarm_id))
        return jsonify({"error": with_id, "status": outcome.status}), outcome.status
    return jsonify(queries.alarm_row(outcome.alarm))


@bp.route("/alarms/<int:alarm_id>/ack", methods=["POST"])
@permission(Perm.ALARMS_ACK)
def alarm_ack(alarm_id: int) -> Response | tuple[Response, int]:
    """Acknowledge an open alarm; body ``{"note": "..."}`` (optional)."""
    return _alarm_action("ack", alarm_id)


@bp.route("/alarms/<int:alarm_id>/clear", methods=["POST"])
@permission(Perm.ALARMS_ACK)
def alarm_clear(alarm_id: int) -> Response | tuple[Response, int]:
    """Clear an open alarm by hand; body ``{"note": "..."}`` (optional)."""
    return _alarm_action("clear", alarm_id)


@bp.route("/alarms/<int:alarm_id>/comment", methods=["POST"])
@permission(Perm.ALARMS_ACK)
def alarm_comment(alarm_id: int) -> Response | tuple[Response, int]:
    """Add a note to an alarm's history; body ``{"note": "..."}`` (required)."""
    return _alarm_action("comment", alarm_id)


@bp.route("/audits")
@permission(Perm.AUDITS_VIEW)
def audits() -> Response:
    """The latest baseline audit per device in scope (score, counts) and the MLPS roll-up."""
    from policies.audit.score import mlps_rollup
    from web.audits import device_summary
    from web.baseline import latest_audits

    overview = latest_audits(db(), state().config, g.scope, state().audit_cache)
    return jsonify({"devices": [device_summary(d) for d in overview.devices],
                    "mlps": mlps_rollup(overview.findings),
                    "without_config": overview.without_config})


@bp.route("/audits/devices/<path:name>")
@permission(Perm.AUDITS_VIEW)
def audit_device(name: str) -> Response:
    """One device's latest audit: every finding with evidence and remediation."""
    from policies.audit.run import finding_row
    from web.audits import device_summary
    from web.baseline import latest_audits

    dev = queries.visible_device(db(), g.scope, name)
    if dev is None:
        abort(404, description="no such device")
    overview = latest_audits(db(), state().config, g.scope, state().audit_cache, [dev.name])
    if not overview.devices:
        abort(404, description="no stored running configuration for this device")
    audit = overview.devices[0]
    row = device_summary(audit)
    row["findings"] = [finding_row(f) for f in audit.findings]
    return jsonify(row)


@bp.route("/inventory/import", methods=["POST"])
@permission(Perm.INVENTORY_EDIT)
def inventory_import() -> Response | tuple[Response, int]:
    """Import a YAML (default) or CSV body; all or nothing, bad rows listed by number."""
    if not g.scope.unrestricted:
        abort(403, description="importing needs an account without a region scope")
    fmt = request.args.get("format", "yaml")
    kind = request.args.get("kind") or None
    dry_run = request.args.get("dry_run") in ("1", "true", "yes")
    if fmt not in ("yaml", "csv") or (kind and kind not in KINDS):
        abort(400, description="format must be yaml or csv; kind one of " + ", ".join(KINDS))
    session = db()
    with tempfile.TemporaryDirectory(prefix="nms-import-") as tmp:
        path = Path(tmp) / f"body.{fmt}"
        path.write_bytes(request.get_data(cache=False))
        try:
            summary = import_file(session, path, kind=kind, auth_names=set(state().config.auths))
        except ImportRowError as exc:
            session.rollback()
            auditlog.record_now(session, "inventory.import", target=f"api:{fmt}", success=False,
                                detail={"errors": exc.errors[:50], "error_count": len(exc.errors)},
                                message="refused: invalid rows")
            return jsonify({"error": "invalid rows, nothing imported", "status": 422,
                            "rows": exc.errors}), 422
    if dry_run:
        session.rollback()
    result = {"created": summary.created, "updated": summary.updated, "dry_run": dry_run}
    auditlog.record(session, "inventory.import", target=f"api:{fmt}", detail=result)
    session.commit()
    state().topology.stores_changed()  # the map shows the new devices at its next request
    return jsonify(result)


@bp.route("/audit-log")
@permission(Perm.AUDITLOG_VIEW)
def audit_log() -> Response:
    """Audit log entries, newest first (read only: the API has no way to change them)."""
    limit, offset = _paging()
    outcome = request.args.get("outcome")
    stmt = auditlog.query(actor=request.args.get("actor") or None,
                          action=request.args.get("action") or None,
                          success={"ok": True, "failed": False}.get(outcome or ""))
    entries: list[AuditEntry] = list(db().scalars(stmt.limit(limit).offset(offset)))
    return jsonify([{"id": e.id, "time": localtime(e.time, "%Y-%m-%dT%H:%M:%S%z"), "actor": e.actor,
                     "action": e.action, "target": e.target, "success": e.success,
                     "source": e.source, "detail": e.detail, "message": e.message}
                    for e in entries])


@bp.route("/openapi.json")
@permission(Perm.AUTHENTICATED)
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


# --------------------------------------------------------------------------------------------
# OpenAPI
# --------------------------------------------------------------------------------------------


def _get(summary: str, perm: str, schema: dict[str, Any], params: list[dict[str, Any]] | None = None,
         errors: tuple[int, ...] = ()) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {
        "schema": schema}}}}
    for code in (401, 403, *errors):
        responses[str(code)] = {"$ref": f"#/components/responses/E{code}"}
    return {"get": {"summary": summary, "description": f"Needs permission `{perm}`.",
                    "parameters": params or [], "responses": responses}}


def _post(summary: str, perm: str, schema: dict[str, Any], params: list[dict[str, Any]],
          body: dict[str, Any], errors: tuple[int, ...] = ()) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {
        "schema": schema}}}}
    for code in (400, 401, 403, *errors):
        responses[str(code)] = {"$ref": f"#/components/responses/E{code}"}
    return {"post": {"summary": summary,
                     "description": f"Needs permission `{perm}`. With a session, send the "
                                    "X-CSRF-Token header.",
                     "parameters": params,
                     "requestBody": {"required": False, "content": {"application/json": {
                         "schema": body}}},
                     "responses": responses}}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


_S = {"type": "string"}
_I = {"type": "integer"}
_NAME = {"name": "name", "in": "path", "required": True, "schema": _S, "description": "Device name."}
_ALARM_ID = {"name": "alarm_id", "in": "path", "required": True, "schema": _I,
             "description": "Alarm id."}
_PAGING = [{"name": "limit", "in": "query", "schema": {**_I, "minimum": 1, "maximum": MAX_LIMIT,
                                                       "default": 200}},
           {"name": "offset", "in": "query", "schema": {**_I, "minimum": 0, "default": 0}}]


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``/api/v1`` (paths relative to the server URL)."""
    device = _obj(name=_S, address=_S, role=_S, vendor=_S, platform=_S, model=_S, site=_S,
                  site_name=_S, zone=_S, tags={"type": "array", "items": _S},
                  state={"type": "string", "enum": ["up", "down", "unknown"]})
    series = {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
    when = {"type": "string", "format": "date-time", "nullable": True,
            "description": "In the configured time zone, with its offset."}
    alarm = _obj(id=_I, check_id=_S, device=_S, subject=_S, source=_S,
                 state={"type": "string", "enum": ["raised", "acknowledged", "cleared"]},
                 severity={"type": "string", "enum": [s.value for s in Severity]},
                 original_severity=_S, reason_en=_S, reason_zh=_S,
                 suppressed={"type": "boolean"}, suppressed_reason=_S, count=_I, reopened=_I,
                 escalations=_I, raised_at=when, last_seen=when, acknowledged_at=when,
                 acknowledged_by=_S, cleared_at=when, cleared_by=_S)
    event = _obj(id=_I, time=when, action=_S, user=_S, severity=_S, note=_S)
    note = _obj(note={"type": "string", "maxLength": 2000})
    violation = _obj(check_id=_S, device=_S, subject=_S, status=_S, severity=_S, reason_en=_S,
                     reason_zh=_S, block={"type": "string", "nullable": True})
    audit_device = _obj(device=_S, site=_S, site_name=_S, platform=_S,
                        score={"type": "number", "nullable": True},
                        failed={"type": "array", "items": _S},
                        counts={"type": "object", "additionalProperties": _I},
                        config=_obj(id=_I, collected=when, last_seen=when, collected_by=_S,
                                    source=_S))
    null_s = {"type": "string", "nullable": True}
    null_n = {"type": "number", "nullable": True}
    node_state = {"type": "string", "enum": ["up", "down", "parent_down", "unknown"]}
    link_state = {"type": "string", "enum": ["up", "down", "unknown"]}
    reconciliation = {"type": "string", "enum": ["ok", "wrong_port", "missing", "unexpected"]}
    topology_node = _obj(
        id=_S, name=_S, role=_S, vendor=null_s, address=null_s, site=null_s, site_name=null_s,
        level=null_s, managed={"type": "boolean"}, state=node_state, parent=null_s,
        root_cause=null_s, blocked_by=null_s, down_link=null_s, reason=_S, reason_zh=_S,
        cause_outside_scope={"type": "boolean"}, loss_percent=null_n, rtt_avg_ms=null_n,
        x={"type": "number"}, y={"type": "number"}, alarm=null_s)
    topology_link = _obj(
        id=_S, source=_S, target=_S, a_interface=null_s, b_interface=null_s, state=link_state,
        tier=null_s, speed_bps={"type": "integer", "nullable": True}, utilisation_percent=null_n,
        in_bps=null_n, out_bps=null_n, reconciliation=reconciliation,
        planned_a_interface=null_s, planned_b_interface=null_s,
        sources={"type": "array", "items": _S}, confirmed={"type": "boolean"}, a_oper=null_s,
        b_oper=null_s, planned={"type": "boolean"}, bandwidth_mbps={"type": "integer",
                                                                   "nullable": True})
    topology_path = _get("The network map: discovered links reconciled with the plan, "
                         "root-cause device states", Perm.NETWORK_VIEW, _obj(
        nodes={"type": "array", "items": topology_node},
        links={"type": "array", "items": topology_link},
        sites={"type": "array", "items": _obj(code=_S, name=_S, level=_S, x={"type": "number"},
                                              y={"type": "number"})},
        roots={"type": "array", "items": _S}, summary=_obj()),
        [{"name": "If-None-Match", "in": "header", "schema": _S,
          "description": "The ETag of a previous answer."}])
    topology_path["get"]["responses"]["304"] = {"description": "Not modified (same ETag)"}
    neighbour = _obj(interface=null_s, peer=null_s, peer_interface=null_s,
                     peer_managed={"type": "boolean"}, peer_visible={"type": "boolean"},
                     state=link_state, reconciliation=reconciliation,
                     planned_interface=null_s, planned_peer_interface=null_s,
                     sources={"type": "array", "items": _S}, speed_bps={"type": "integer",
                                                                       "nullable": True},
                     utilisation_percent=null_n, oper=null_s, peer_oper=null_s,
                     confirmed={"type": "boolean"}, link=null_s)
    device_detail = {**device, "properties": {
        **device["properties"],
        "topology": {**_obj(state=node_state, parent=null_s, root_cause=null_s,
                            blocked_by=null_s, down_link=null_s, reason=_S, reason_zh=_S,
                            cause_outside_scope={"type": "boolean"},
                            neighbours={"type": "array", "items": neighbour}),
                     "nullable": True}}}
    paths: dict[str, Any] = {
        "/me": _get("The caller", Perm.AUTHENTICATED, _obj(username=_S, role=_S, scope=_S,
                                                            permissions={"type": "array", "items": _S})),
        "/dashboard": _get("Counts by role, state, level and tier", Perm.NETWORK_VIEW, _obj()),
        "/sites": _get("Sites in scope", Perm.NETWORK_VIEW, {"type": "array", "items": _obj(
            code=_S, name=_S, level=_S, parent=_S, units={"type": "array", "items": _S})}),
        "/devices": _get("Devices in scope", Perm.NETWORK_VIEW, {"type": "array", "items": device},
                         DeviceFilterSet.openapi_parameters() + _PAGING, (400,)),
        "/devices/{name}": _get("One device with interfaces, planned links, and its topology "
                                "state and discovered neighbours", Perm.NETWORK_VIEW,
                                device_detail, [_NAME], (404,)),
        "/devices/{name}/metrics": _get(
            "Traffic (bit/s), CPU and memory series", Perm.NETWORK_VIEW,
            _obj(range=_S, has_data={"type": "boolean"}, series=_obj(
                in_bps=series, out_bps=series, cpu_percent=series, memory_percent=series)),
            [_NAME, {"name": "range", "in": "query",
                     "schema": {"type": "string", "enum": list(RANGES), "default": DEFAULT_RANGE}}],
            (400, 404)),
        "/links": _get("Planned links in scope", Perm.NETWORK_VIEW, {"type": "array", "items": _obj(
            a_device=_S, a_interface=_S, b_device=_S, b_interface=_S, tier=_S,
            bandwidth_mbps=_I)}),
        "/topology": topology_path,
        "/ipplan": _get("IP blocks with utilisation and the IP-plan checks' violations",
                        Perm.NETWORK_VIEW, _obj(
            blocks={"type": "array", "items": _obj(prefix=_S, site=_S, purpose=_S,
                                                    used_percent={"type": "number"})},
            unplanned={"type": "array", "items": _obj(device=_S, interface=_S, address=_S)},
            violations=_obj(
                by_block={"type": "object", "additionalProperties": {
                    "type": "array", "items": violation}},
                other={"type": "array", "items": violation},
                counts={"type": "object", "additionalProperties": _I},
                checked_devices=_I))),
        "/alarms": _get("Alarms in scope, most severe then newest first (one page)",
                        Perm.NETWORK_VIEW, _obj(total=_I, limit=_I, offset=_I, time=when,
                                                items={"type": "array", "items": alarm}),
                        AlarmFilterSet.openapi_parameters() + _PAGING, (400, 404)),
        "/alarms/{alarm_id}": _get("One alarm with its history", Perm.NETWORK_VIEW,
                                   {**alarm, "properties": {**alarm["properties"],
                                                            "details": {"type": "object"},
                                                            "history": {"type": "array",
                                                                        "items": event}}},
                                   [_ALARM_ID], (404,)),
        "/alarms/{alarm_id}/ack": _post("Acknowledge an open alarm", Perm.ALARMS_ACK, alarm,
                                        [_ALARM_ID], note, (404, 409)),
        "/alarms/{alarm_id}/clear": _post("Clear an open alarm by hand", Perm.ALARMS_ACK, alarm,
                                          [_ALARM_ID], note, (404, 409)),
        "/alarms/{alarm_id}/comment": _post("Add a note to an alarm's history (note required)",
                                            Perm.ALARMS_ACK, alarm, [_ALARM_ID], note, (404,)),
        "/audits": _get("Latest baseline audit per device and the MLPS 2.0 roll-up",
                        Perm.AUDITS_VIEW, _obj(
                            devices={"type": "array", "items": audit_device},
                            mlps={"type": "array", "items": _obj(
                                clause=_S, verdict={"type": "string", "enum": [
                                    "compliant", "partial", "noncompliant", "na"]},
                                verdict_zh=_S, checks={"type": "array", "items": _S},
                                failing_devices={"type": "array", "items": _S})},
                            without_config={"type": "array", "items": _S})),
        "/audits/devices/{name}": _get(
            "One device's latest baseline audit with every finding", Perm.AUDITS_VIEW,
            {**audit_device, "properties": {**audit_device["properties"], "findings": {
                "type": "array", "items": _obj(
                    check_id=_S, status=_S, severity=_S, line={"type": "integer", "nullable": True},
                    evidence=_S, remediation={"type": "array", "items": _S}, subject=_S,
                    reason_en=_S, reason_zh=_S, title_en=_S, title_zh=_S,
                    mlps={"type": "array", "items": _S}, file=_S, default={"type": "boolean"})}}},
            [_NAME], (404,)),
        "/audit-log": _get("Audit log, newest first", Perm.AUDITLOG_VIEW, {"type": "array", "items": _obj(
            id=_I, time=_S, actor=_S, action=_S, target=_S, success={"type": "boolean"})},
            [{"name": "actor", "in": "query", "schema": _S},
             {"name": "action", "in": "query", "schema": _S, "description": "Action prefix."},
             {"name": "outcome", "in": "query", "schema": {"type": "string", "enum": ["ok", "failed"]}},
             *_PAGING]),
        "/openapi.json": _get("This document", Perm.AUTHENTICATED, {"type": "object"}),
        "/inventory/import": {"post": {
            "summary": "Import inventory rows (all or nothing)",
            "description": f"Needs permission `{Perm.INVENTORY_EDIT}` and no region scope. With a "
                           "session, send the X-CSRF-Token header.",
            "parameters": [
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["yaml", "csv"],
                                                             "default": "yaml"}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
                {"name": "dry_run", "in": "query", "schema": {"type": "boolean"}}],
            "requestBody": {"required": True, "content": {
                "application/yaml": {"schema": _S}, "text/csv": {"schema": _S}}},
            "responses": {
                "200": {"description": "Imported", "content": {"application/json": {"schema": _obj(
                    created=_obj(), updated=_obj(), dry_run={"type": "boolean"})}}},
                "400": {"$ref": "#/components/responses/E400"},
                "401": {"$ref": "#/components/responses/E401"},
                "403": {"$ref": "#/components/responses/E403"},
                "422": {"description": "Invalid rows; nothing imported", "content": {
                    "application/json": {"schema": _obj(error=_S, rows={"type": "array", "items": _S})}}},
            }}},
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "nms console API", "version": __version__,
                 "description": "Read the inventory, topology, IP plan and alarms of the "
                                "e-government network; acknowledge, clear and comment on alarms; "
                                "import inventory. Results are limited to the caller's region "
                                "scope."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A token from `nms user token NAME`."},
                "session": {"type": "apiKey", "in": "cookie", "name": "nms_session"},
            },
            "schemas": {"Error": _obj(error=_S, status=_I)},
            "responses": {f"E{code}": {"description": text, "content": error} for code, text in (
                (400, "Bad request"), (401, "Not signed in, or a bad token"),
                (403, "Not allowed for this role"), (404, "Not found (or outside your scope)"),
                (409, "Not possible in the object's state (the alarm is already cleared)"))},
        },
    }
