"""Writing and reading the audit log (安全审计记录): every login and every change.

``record`` adds one ``AuditEntry`` to a session; the caller commits it together with the change
it describes, so the log and the data never disagree. A failed change is recorded after its
rollback (``record_now``), because a refused attempt matters as much as a successful one.
Nothing here, or anywhere else, updates or deletes an entry (see ``web.models``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from web.models import AuditEntry

MAX_DETAIL_TEXT = 2000


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
        return value[:MAX_DETAIL_TEXT] + "…"
    if isinstance(value, list):
        return [_clip(v) for v in value[:200]]
    if isinstance(value, dict):
        return {str(k): _clip(v) for k, v in value.items()}
    return value


def client_address() -> str | None:
    """The client's address as the server saw it (no proxy headers are trusted)."""
    return request.remote_addr if has_request_context() else None


def record(session: Session, action: str, *, target: str | None = None, success: bool = True,
           detail: Mapping[str, Any] | None = None, message: str | None = None,
           actor: str | None = None, source: str | None = None) -> AuditEntry:
    """Add an audit entry to ``session`` (committed by the caller with the change).

    Args:
        session: the session the change is made in.
        action: dotted verb, e.g. ``login``, ``user.create``, ``inventory.import``.
        target: what was acted on (a user name, a file name).
        success: False for refused or failed attempts.
        detail: structured facts (never secrets).
        message: one readable sentence.
        actor: who; defaults to the signed-in user of the request.
        source: where from; defaults to the client address of the request.

    Returns:
        The new entry.
    """
    if actor is None:
        user = g.get("user") if has_request_context() else None
        actor = user.username if user is not None else "-"
    entry = AuditEntry(actor=actor[:128], action=action, target=(target or None) and target[:256],
                       success=success, source=source or client_address(),
                       detail=_clip(dict(detail or {})), message=message)
    session.add(entry)
    return entry


def record_now(session: Session, action: str, **kwargs: Any) -> None:
    """Record and commit at once (after a rollback, or when nothing else is written)."""
    record(session, action, **kwargs)
    session.commit()


def query(*, actor: str | None = None, action: str | None = None,
          success: bool | None = None) -> Select[tuple[AuditEntry]]:
    """Entries newest first, optionally filtered by actor, action prefix and outcome."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if success is not None:
        stmt = stmt.where(AuditEntry.success == success)
    return stmt
