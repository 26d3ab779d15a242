"""Per-application and per-request state shared by the blueprints.

The application holds the loaded ``Config``, the inventory engine, the time-series adapter, the
cache of baseline audit results and the topology cache in ``app.extensions["nms"]``; each
request gets one SQLAlchemy session (``db()``), closed when the request ends. Views commit explicitly, so a
failed request leaves nothing half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from nms.config import Config
from web.baseline import AuditCache
from web.topograph import TopologyCache

if TYPE_CHECKING:
    from web.timeseries import TimeSeries


@dataclass
class WebState:
    """What the console shares between requests."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    timeseries: TimeSeries
    audit_cache: AuditCache = field(default_factory=AuditCache)
    #: the whole network's topology graph and the scoped maps cut from it (``web.topograph``)
    topology: TopologyCache = field(default_factory=TopologyCache)
    #: (monotonic time, findings) of the last IP-plan check run (``queries.ip_plan_violations``)
    ipplan_findings: tuple[float, list[Any]] | None = None


def state() -> WebState:
    """The state of the current application."""
    return current_app.extensions["nms"]  # type: ignore[no-any-return]


def db() -> Session:
    """The request's database session (opened on first use)."""
    if "db" not in g:
        g.db = state().sessions()
    return g.db  # type: ignore[no-any-return]


def _close_db(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Close the request's session when the request ends."""
    app.teardown_appcontext(_close_db)
