"""Blueprint ``reports`` (/reports): uptime and availability reports to download.

The user picks a period ("2026-10", "2026-Q4", "2026-10-01..2026-10-15": the forms of
``nms.reports.periods``, read in the configured time zone), a scope and a format; the file is
made by ``nms.reports.build_report`` -- the same bytes ``nms report uptime`` writes -- and sent
as a download. Everyone who may see the network may download reports (the report viewer role
exists for this), but only of their own region: a county account is offered its county and
townships, and any other scope is refused. Each download is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, render_template, request

from nms.errors import NmsError
from nms.models import utcnow
from web import auditlog, queries
from web.context import db, state
from web.i18n import N_, current_language, gettext
from web.models import Perm
from web.security import permission

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}
TABLE_LABELS = {"devices": N_("Devices"), "links": N_("Links"), "townships": N_("Townships"),
                "counties": N_("Counties"), "outages": N_("Outages")}


def scopes() -> list[tuple[str, str]]:
    """(report scope, label) the user may ask for: the city, counties and townships in scope."""
    out: list[tuple[str, str]] = []
    if g.scope.unrestricted:
        out.append(("city", gettext("Whole network")))
    for site in queries.visible_sites(db(), g.scope):
        if site.level in ("county", "township"):
            out.append((f"{site.level}:{site.code}", f"{site.name} ({site.code})"))
    return out


def _allowed(scope: str) -> bool:
    """Whether the user may have a report of ``scope`` (a listed site, or a visible device)."""
    if scope in {s for s, _ in scopes()}:
        return True
    if scope.startswith("device:"):
        return queries.visible_device(db(), g.scope, scope.split(":", 1)[1]) is not None
    return False


def _default_period() -> str:
    from nms.reports.periods import previous_month

    return previous_month(utcnow(), state().config.timezone).label


def _form(**extra: Any) -> str:
    from nms.reports.tables import TABLES

    values = {"period": request.args.get("period") or _default_period(),
              "scope": request.args.get("scope", ""), "fmt": request.args.get("fmt", "pdf"),
              "table": request.args.get("table", "devices"),
              "device": request.args.get("device", "")}
    return render_template("reports/index.html", scopes=scopes(), formats=list(FORMATS),
                           tables=[(t, TABLE_LABELS.get(t, t)) for t in TABLES], values=values,
                           **extra)


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """The report form."""
    return _form()


@bp.route("/download")
@permission(Perm.NETWORK_VIEW)
def download() -> Response | tuple[str, int]:
    """Make the report asked for and send it as a file; a bad request shows the form again."""
    from nms.reports import build_report

    period = (request.args.get("period") or "").strip()[:64]
    device = (request.args.get("device") or "").strip()[:128]
    scope = f"device:{device}" if device else (request.args.get("scope") or "").strip()[:128]
    fmt = request.args.get("fmt", "pdf")
    table = request.args.get("table", "devices")
    target = f"{scope} {period} {fmt}"[:256]
    if fmt not in FORMATS:
        return _form(error=gettext("Choose PDF, XLSX or CSV.")), 400
    if not period:
        return _form(error=gettext("Give a period, for example 2026-10.")), 400
    if not _allowed(scope):
        auditlog.record_now(db(), "report.download", target=target, success=False,
                            message="scope not allowed or unknown")
        return _form(error=gettext("You cannot have a report of that scope.")), 400
    lang = "en" if current_language() == "en" else "zh_CN"
    try:
        data = build_report(state().config, period, scope, fmt, lang=lang, table=table,
                            sink=state().timeseries.sink())
    except (NmsError, ValueError) as exc:  # a bad period, table, font or an unreadable store
        auditlog.record_now(db(), "report.download", target=target, success=False,
                            message=str(exc)[:500])
        return _form(error=gettext("The report could not be made: %(error)s", error=str(exc))), 400
    auditlog.record_now(db(), "report.download", target=target,
                        detail={"bytes": len(data), "table": table if fmt == "csv" else None})
    safe_scope = scope.replace(":", "-").replace("/", "_")
    suffix = f"-{table}" if fmt == "csv" else ""
    filename = f"uptime-{safe_scope}-{period.replace('..', '_to_')}{suffix}.{fmt}"
    return Response(data, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
