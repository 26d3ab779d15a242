"""Blueprint ``inventory`` (/inventory): the site hierarchy, import and export.

Import goes through ``inventory.io.import_file``, the same all-or-nothing code as
``nms inventory import``: a file with any bad row writes nothing, and the page lists every bad
row by number (YAML list item and line, CSV line). Importing needs ``inventory.edit`` and an
unscoped account, since one file can touch every county; exporting needs an unscoped account.
Each import, good or refused, is written to the audit log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, g, render_template, request
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from inventory.io import KINDS, export_csv, export_yaml, import_file
from inventory.models import Device
from nms.errors import ImportRowError
from web import auditlog, queries
from web.context import db, state
from web.i18n import gettext
from web.models import Perm
from web.security import permission

bp = Blueprint("inventory", __name__, url_prefix="/inventory")

SUFFIXES = (".yaml", ".yml", ".csv")


def _page(**extra: object) -> str:
    sites = queries.visible_sites(db(), g.scope)
    stmt = select(Device.site_id, func.count()).group_by(Device.site_id)
    counts = {site_id: n for site_id, n in db().execute(stmt)}
    return render_template("inventory/index.html", sites=sites, counts=counts, kinds=KINDS,
                           can_import=g.user.can(Perm.INVENTORY_EDIT) and g.scope.unrestricted,
                           can_export=g.scope.unrestricted, **extra)


@bp.route("/")
@permission(Perm.NETWORK_VIEW)
def index() -> str:
    """Sites (with units and device counts), the import form and export links."""
    return _page()


@bp.route("/import", methods=["POST"])
@permission(Perm.INVENTORY_EDIT)
def upload() -> tuple[str, int] | str:
    """Import an uploaded YAML or CSV file; show the summary or every bad row."""
    if not g.scope.unrestricted:
        abort(403)
    upload = request.files.get("file")
    filename = secure_filename(upload.filename or "") if upload else ""
    suffix = Path(filename).suffix.lower()
    kind = request.form.get("kind") or None
    dry_run = request.form.get("dry_run") == "on"
    if upload is None or not filename or suffix not in SUFFIXES or (kind and kind not in KINDS):
        auditlog.record_now(db(), "inventory.import", target=filename or None, success=False,
                            message="refused: no file or not .yaml/.yml/.csv")
        return _page(import_errors=[gettext("Choose a .yaml, .yml or .csv file.")],
                     filename=filename), 400
    session = db()
    with tempfile.TemporaryDirectory(prefix="nms-import-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        upload.save(path)
        try:
            summary = import_file(session, path, kind=kind, auth_names=set(state().config.auths))
        except ImportRowError as exc:
            session.rollback()
            auditlog.record_now(session, "inventory.import", target=filename, success=False,
                                detail={"errors": exc.errors[:50], "error_count": len(exc.errors)},
                                message="refused: invalid rows")
            return _page(import_errors=exc.errors, filename=filename), 422
    detail = {"created": summary.created, "updated": summary.updated, "dry_run": dry_run}
    if dry_run:
        session.rollback()
    auditlog.record(session, "inventory.import", target=filename, detail=detail,
                    message="dry run: nothing written" if dry_run else None)
    session.commit()
    state().topology.stores_changed()  # the map shows the new devices at its next request
    return _page(summary=summary, filename=filename, dry_run=dry_run)


@bp.route("/export.yaml")
@permission(Perm.NETWORK_VIEW)
def export_all() -> Response:
    """The whole inventory as YAML (the import format)."""
    if not g.scope.unrestricted:
        abort(403)
    return Response(export_yaml(db()), mimetype="application/yaml",
                    headers={"Content-Disposition": "attachment; filename=inventory.yaml"})


@bp.route("/export/<kind>.csv")
@permission(Perm.NETWORK_VIEW)
def export_kind(kind: str) -> Response:
    """One kind of row as CSV."""
    if not g.scope.unrestricted:
        abort(403)
    if kind not in KINDS:
        abort(404)
    return Response(export_csv(db(), kind), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={kind}.csv"})
