"""Blueprint ``audits`` (/audits): security-baseline audit results and configuration history.

For security staff (``audits.view``: security auditors and administrators), limited to their
region scope like everything else:

* ``/audits/`` -- the latest audit of every device with a stored running configuration
  (``web.baseline``: ``policies.audit`` over ``nms.configs``): per-device score and counts, the
  MLPS 2.0 roll-up per clause (符合 / 部分符合 / 不符合 / 不适用), devices never backed up, and
  XLSX/PDF downloads made by ``policies.audit.report`` (the files ``nms audit --xlsx/--pdf``
  writes);
* ``/audits/devices/<name>`` -- the device's findings with evidence (file and line, linked to
  the stored configuration) and the vendor's remediation commands, and the device's
  configuration history (who collected what, when) with diffs;
* ``/audits/devices/<name>/configs/<id>`` and ``.../diff/<old>/<new>`` -- a version and a
  unified diff, always with secrets masked (``nms.configs.mask_secrets``): the console never
  shows a password, key or community.

Every export and every re-run is written to the audit log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from nms.errors import NmsError
from nms.models import FindingStatus
from web import auditlog, queries
from web.baseline import DeviceAudit, latest_audits
from web.context import db, state
from web.i18n import N_, gettext
from web.models import Perm
from web.security import permission

bp = Blueprint("audits", __name__, url_prefix="/audits")

VERDICT_LABELS = {"compliant": N_("Compliant"), "partial": N_("Partly compliant"),
                  "noncompliant": N_("Not compliant"), "na": N_("Not applicable")}
EXPORTS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pdf": "application/pdf"}


def _overview(devices: list[str] | None = None) -> Any:
    st = state()
    return latest_audits(db(), st.config, g.scope, st.audit_cache, devices)


def _device_or_404(name: str) -> Any:
    dev = queries.visible_device(db(), g.scope, name)
    if dev is None:
        abort(404)
    return dev


def device_summary(d: DeviceAudit) -> dict[str, Any]:
    """One device's audit as the page and the API list it (JSON-ready, times local)."""
    from web.i18n import localtime

    counts = d.score.get("counts", {})
    return {"device": d.device, "site": d.site, "site_name": d.site_name, "platform": d.platform,
            "score": d.score.get("score"), "failed": list(d.score.get("failed", [])),
            "counts": {s.value: counts.get(s.value, 0) for s in FindingStatus},
            "config": {"id": d.config.id, "collected": localtime(d.config.collected, queries.ISO_LOCAL),
                       "last_seen": localtime(d.config.last_seen, queries.ISO_LOCAL),
                       "collected_by": d.config.collected_by, "source": d.config.source}}


@bp.route("/")
@permission(Perm.AUDITS_VIEW)
def index() -> str:
    """Scores per device, the MLPS roll-up, exports."""
    from policies.audit.score import mlps_rollup

    overview = _overview()
    rows = sorted((device_summary(d) for d in overview.devices),
                  key=lambda r: (r["score"] is None, r["score"] if r["score"] is not None else 0,
                                 r["device"]))
    return render_template("audits/index.html", rows=rows, mlps=mlps_rollup(overview.findings),
                           without_config=overview.without_config, verdicts=VERDICT_LABELS,
                           can_run=g.user.can(Perm.AUDITS_RUN), statuses=list(FindingStatus))


@bp.route("/devices/<path:name>")
@permission(Perm.AUDITS_VIEW)
def device(name: str) -> str:
    """One device's findings with evidence and remediation, and its configuration history."""
    from nms.configs import history

    dev = _device_or_404(name)
    overview = _overview([dev.name])
    audit = overview.devices[0] if overview.devices else None
    show_all = request.args.get("all") == "1"
    findings = []
    if audit is not None:
        from policies.audit.run import finding_row

        chosen = audit.findings if show_all else audit.attention
        if show_all:
            chosen = audit.attention + [f for f in audit.findings if f not in audit.attention]
        findings = [finding_row(f) for f in chosen]
    versions = history(state().engine, dev.name)
    return render_template("audits/device.html", device=dev, audit=audit,
                           summary=device_summary(audit) if audit else None, findings=findings,
                           versions=versions, show_all=show_all)


def _version_of(dev: Any, version_id: int) -> tuple[Any, str]:
    from nms.configs import get_version

    try:
        info, text = get_version(state().engine, version_id, masked=True)
    except KeyError:
        abort(404)
    if info.device != dev.name:  # a version of another device: not under this URL
        abort(404)
    return info, text


@bp.route("/devices/<path:name>/configs/<int:version_id>")
@permission(Perm.AUDITS_VIEW)
def config_version(name: str, version_id: int) -> str:
    """One stored configuration, secrets masked, with line numbers to link evidence to."""
    dev = _device_or_404(name)
    info, text = _version_of(dev, version_id)
    return render_template("audits/config.html", device=dev, info=info,
                           lines=text.splitlines())


@bp.route("/devices/<path:name>/diff/<int:old_id>/<int:new_id>")
@permission(Perm.AUDITS_VIEW)
def config_diff(name: str, old_id: int, new_id: int) -> str:
    """Unified diff of two versions of the device's configuration, secrets masked."""
    from nms.configs import diff

    dev = _device_or_404(name)
    old, _ = _version_of(dev, old_id)
    new, _ = _version_of(dev, new_id)
    text = diff(state().engine, old_id, new_id, masked=True)
    return render_template("audits/diff.html", device=dev, old=old, new=new,
                           lines=text.splitlines())


@bp.route("/export.<fmt>")
@permission(Perm.AUDITS_VIEW)
def export(fmt: str) -> Response:
    """The latest audit of the devices in scope as XLSX or PDF (``policies.audit.report``)."""
    from policies.audit.report import write_pdf, write_xlsx

    if fmt not in EXPORTS:
        abort(404)
    overview = _overview()
    findings = overview.findings
    writer = write_xlsx if fmt == "xlsx" else write_pdf
    scope = g.scope.root_code or "all"
    with tempfile.TemporaryDirectory(prefix="nms-audit-") as tmp:
        try:
            path = writer(findings, Path(tmp) / f"audit.{fmt}")
        except NmsError as exc:  # no CJK font for the PDF: say so rather than fail
            auditlog.record_now(db(), "audit.export", target=f"{fmt}:{scope}", success=False,
                                message=str(exc))
            flash(gettext("The file could not be made: %(error)s", error=str(exc)), "error")
            return redirect(url_for("audits.index"))
        data = Path(path).read_bytes()
    auditlog.record_now(db(), "audit.export", target=f"{fmt}:{scope}",
                        detail={"devices": len(overview.devices), "findings": len(findings)})
    filename = f"baseline-audit-{scope}.{fmt}"
    return Response(data, mimetype=EXPORTS[fmt],
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/run", methods=["POST"])
@permission(Perm.AUDITS_RUN)
def run() -> Response:
    """Audit every device in scope again now (the cached results are dropped)."""
    state().audit_cache.clear()
    overview = _overview()
    auditlog.record_now(db(), "audit.run", target=g.scope.root_code or "all",
                        detail={"devices": len(overview.devices),
                                "audited": overview.audited_now})
    flash(gettext("Audited %(n)s devices.", n=overview.audited_now), "ok")
    return redirect(url_for("audits.index"))
