"""The nms web console: a Flask application factory and one blueprint per area.

``create_app(config)`` is what ``nms serve`` runs (through the ``nms.apps`` entry point). It opens
the inventory database and brings it to the newest schema, prepares the time-series reader
(opened lazily; pages say "no data yet" without it), and installs access control
(``web.security``) before any blueprint, so every route is guarded the same way.

Blueprints and their URL prefixes (style.md: blueprint name = URL prefix = template folder):
``auth`` (/auth: login, profile, users, audit log), ``dashboard`` (/dashboard), ``topology``,
``alarms``, ``devices``, ``audits``, ``ipplan``, ``inventory``, ``reports`` and ``api``
(/api/v1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, redirect, url_for
from sqlalchemy.orm import sessionmaker
from werkzeug.wrappers import Response

from nms.config import Config, load_config
from nms.db import make_engine, migrate

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _default_config() -> Config:
    """config.yaml ($NMS_CONFIG or ./config.yaml) when there is one, else the defaults."""
    import os

    path = os.environ.get("NMS_CONFIG") or "config.yaml"
    return load_config(path) if Path(path).exists() else Config()


def create_app(config: Config | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the console.

    Args:
        config: the loaded nms configuration (``load_config``); default: config.yaml if present.
        test_config: Flask settings applied last (``TESTING``, ``NMS_PASSWORD_METHOD``...).

    Returns:
        The Flask application.
    """
    from web import (
        alarms,
        api,
        audits,
        auth,
        context,
        dashboard,
        devices,
        i18n,
        inventory,
        ipplan,
        reports,
        security,
        templating,
        topology,
    )
    from web.context import WebState
    from web.models import Perm  # also puts the console's tables on Base.metadata
    from web.timeseries import REACHABILITY_TTL_S, TimeSeries
    from web.topograph import TTL_S, TopologyCache

    config = config or _default_config()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=security.load_secret_key(config),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        NMS_PASSWORD_METHOD="scrypt",
    )
    security.init_app(app, config)
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented key order


    engine = make_engine(config.database_url)
    migrate(engine)
    app.extensions["nms"] = WebState(
        config=config, engine=engine,
        sessions=sessionmaker(bind=engine, expire_on_commit=False, future=True),
        # tests read what they have just written; a running console reuses reads briefly
        timeseries=TimeSeries(config, reachability_ttl_s=0.0 if app.testing
                              else REACHABILITY_TTL_S),
        # tests rebuild in the request that finds the graph due, so what they wrote is drawn
        topology=TopologyCache(ttl_s=float(app.config.get("NMS_TOPOLOGY_TTL_S", TTL_S)),
                               background=not app.testing),
    )
    context.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)

    for blueprint in (auth.bp, dashboard.bp, topology.bp, alarms.bp, devices.bp, audits.bp,
                      ipplan.bp, inventory.bp, reports.bp, api.bp):
        app.register_blueprint(blueprint)

    @app.route("/")
    @security.permission(Perm.AUTHENTICATED)
    def index() -> Response:
        """The signed-in user's home page: the first area their role may use."""
        for perm, endpoint in ((Perm.NETWORK_VIEW, "dashboard.index"),
                               (Perm.USERS_MANAGE, "auth.users"),
                               (Perm.AUDITLOG_VIEW, "auth.audit_log")):
            if g.user.can(perm):
                return redirect(url_for(endpoint))
        return redirect(url_for("auth.profile"))

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(413)
    def error_page(exc: Any) -> Any:
        from flask import jsonify, render_template

        if security.is_api_request():
            return jsonify({"error": exc.description, "status": exc.code}), exc.code
        return render_template("error.html", code=exc.code), exc.code

    return app
