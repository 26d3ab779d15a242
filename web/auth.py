"""Blueprint ``auth`` (/auth): sign in and out, language, own profile and password, accounts, audit log.

Account management belongs to the security administrator and the audit log to the audit
administrator (三员分立); neither page is open to the system administrator. A security
administrator scoped to a site manages only accounts inside that site, and can only give
scopes inside it. Every change made here is written to the audit log in the same transaction.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from inventory.models import Site
from nms.models import utcnow
from web import auditlog
from web.context import db, state
from web.i18n import LANGUAGES, N_, gettext
from web.models import AuditEntry, Perm, Role, User
from web.queries import visible_sites
from web.security import (
    authenticate,
    end_session,
    hash_password,
    password_problems,
    permission,
    start_session,
)

bp = Blueprint("auth", __name__, url_prefix="/auth")

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
AUDIT_PAGE_SIZE = 50


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
@permission(Perm.PUBLIC)
def login() -> Response | str | tuple[str, int]:
    """The sign-in form; a good password starts a session, every attempt is audited."""
    if g.user is not None and request.method == "GET":
        return redirect(url_for("index"))
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:64]
        password = request.form.get("password", "")
        session_db = db()
        result = authenticate(session_db, state().config, username, password, request.remote_addr)
        session_db.commit()
        if result.user is not None:
            start_session(result.user)
            return redirect(safe_next(request.args.get("next"), url_for("index")))
        error = gettext(result.error or "", **(result.params or {}))
    expired = session.pop("expired", False)
    return render_template("auth/login.html", error=error, expired=expired), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@permission(Perm.AUTHENTICATED)
def logout() -> Response:
    """End the session."""
    auditlog.record_now(db(), "logout", target=g.user.username)
    end_session()
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@permission(Perm.PUBLIC)
def language() -> Response:
    """Switch the language (kept on the account when signed in, else in the session)."""
    lang = request.form.get("language", "")
    if lang in LANGUAGES:
        session["language"] = lang
        if g.user is not None and g.user.language != lang:
            g.user.language = lang
            auditlog.record(db(), "user.language", target=g.user.username, detail={"language": lang})
            db().commit()
    return redirect(safe_next(request.form.get("next"), url_for("index")))


@bp.route("/profile")
@permission(Perm.AUTHENTICATED)
def profile() -> str:
    """The signed-in account: role, scope, permissions, last sign-in."""
    return render_template("auth/profile.html", user=g.user, role=_role(g.user.role))


@bp.route("/password", methods=["GET", "POST"])
@permission(Perm.AUTHENTICATED)
def password() -> Response | str | tuple[str, int]:
    """Change one's own password (the current one is asked for again)."""
    from werkzeug.security import check_password_hash

    errors: list[str] = []
    if request.method == "POST":
        user: User = g.user
        current = request.form.get("current", "")
        new = request.form.get("new", "")
        if not check_password_hash(user.password_hash, current):
            errors.append(gettext("The current password is wrong."))
        elif new != request.form.get("confirm", ""):
            errors.append(gettext("The two new passwords differ."))
        else:
            errors = [gettext(p) for p in password_problems(new, user.username)]
        if not errors:
            user.password_hash = hash_password(new)
            user.password_changed = utcnow()
            auditlog.record(db(), "user.password", target=user.username, message="own password changed")
            db().commit()
            start_session(user)  # the stamp changed: keep this session, end all others
            flash(gettext("Password changed."), "ok")
            return redirect(url_for("auth.profile"))
        auditlog.record_now(db(), "user.password", target=user.username, success=False,
                            message="password change refused")
    return render_template("auth/password.html", errors=errors), (400 if errors else 200)


# --------------------------------------------------------------------------------------------
# Accounts (security administrator)
# --------------------------------------------------------------------------------------------


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def _managed_user(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None or not g.scope.allows(user.site_id):
        abort(404)
    return user


def _site_choices() -> list[Site]:
    return visible_sites(db(), g.scope)


def _parse_site(code: str) -> tuple[int | None, str | None]:
    """(site id, error message id) for a scope picked in the form."""
    if not code:
        if not g.scope.unrestricted:
            return None, N_("Choose a site inside your own scope.")
        return None, None
    site_id = db().scalar(select(Site.id).where(Site.code == code))
    if site_id is None or not g.scope.allows(site_id):
        return None, N_("Unknown site.")
    return site_id, None


@bp.route("/users")
@permission(Perm.USERS_MANAGE)
def users() -> str:
    """Accounts (those inside the manager's scope)."""
    stmt = select(User).order_by(User.username)
    if not g.scope.unrestricted:
        stmt = stmt.where(User.site_id.in_(g.scope.site_ids or []))
    rows = list(db().scalars(stmt))
    return render_template("auth/users.html", users=rows, roles=list(Role), now=utcnow())


@bp.route("/users/new", methods=["GET", "POST"])
@permission(Perm.USERS_MANAGE)
def user_new() -> Response | str | tuple[str, int]:
    """Create an account with a role, an optional scope and an initial password."""
    errors: list[str] = []
    form = request.form
    if request.method == "POST":
        username = form.get("username", "").strip()
        role = _role(form.get("role", ""))
        site_id, site_error = _parse_site(form.get("site", ""))
        new = form.get("password", "")
        if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
            errors.append(gettext("User names use letters, digits, dot, dash and underscore (at most 64)."))
        elif db().scalar(select(func.count()).select_from(User).where(User.username == username)):
            errors.append(gettext("That user name is taken."))
        if role is None:
            errors.append(gettext("Choose a role."))
        if site_error:
            errors.append(gettext(site_error))
        if new != form.get("confirm", ""):
            errors.append(gettext("The two new passwords differ."))
        errors += [gettext(p) for p in password_problems(new, username)]
        if not errors:
            user = User(username=username, full_name=form.get("full_name", "").strip()[:128] or None,
                        role=role.value, site_id=site_id,  # type: ignore[union-attr]
                        password_hash=hash_password(new), active=True, failed_attempts=0,
                        language=form.get("language") if form.get("language") in LANGUAGES else None)
            db().add(user)
            auditlog.record(db(), "user.create", target=username,
                            detail={"role": user.role, "site": form.get("site") or None})
            db().commit()
            flash(gettext("Account %(name)s created.", name=username), "ok")
            return redirect(url_for("auth.users"))
        auditlog.record_now(db(), "user.create", target=username[:64], success=False,
                            message="refused: invalid form")
    return (render_template("auth/user_form.html", user=None, errors=errors, roles=list(Role),
                            sites=_site_choices(), form=form), 400 if errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission(Perm.USERS_MANAGE)
def user_edit(user_id: int) -> Response | str | tuple[str, int]:
    """Change an account's role, scope, state or password, or unlock it."""
    user = _managed_user(user_id)
    errors: list[str] = []
    form = request.form
    if request.method == "POST":
        changes: dict[str, Any] = {}
        action = form.get("action", "save")
        is_self = user.id == g.user.id
        if action == "unlock":
            user.locked_until = None
            user.failed_attempts = 0
            changes["unlocked"] = True
        elif action == "password":
            new = form.get("password", "")
            if new != form.get("confirm", ""):
                errors.append(gettext("The two new passwords differ."))
            errors += [gettext(p) for p in password_problems(new, user.username)]
            if not errors:
                user.password_hash = hash_password(new)
                user.password_changed = utcnow()
                changes["password"] = "reset"
        else:
            role = _role(form.get("role", ""))
            site_id, site_error = _parse_site(form.get("site", ""))
            active = form.get("active") == "on"
            if role is None:
                errors.append(gettext("Choose a role."))
            if site_error:
                errors.append(gettext(site_error))
            if is_self and (role is not None and role.value != user.role or not active
                            or site_id != user.site_id):
                errors.append(gettext("You cannot change your own role, scope or state."))
            if not errors:
                full_name = form.get("full_name", "").strip()[:128] or None
                for attr, value in (("role", role.value), ("site_id", site_id),  # type: ignore[union-attr]
                                    ("active", active), ("full_name", full_name)):
                    if getattr(user, attr) != value:
                        changes[attr] = value
                        setattr(user, attr, value)
        if not errors:
            if changes:
                auditlog.record(db(), f"user.{action if action != 'save' else 'update'}",
                                target=user.username, detail=changes)
                db().commit()
                flash(gettext("Account %(name)s saved.", name=user.username), "ok")
            return redirect(url_for("auth.user_edit", user_id=user.id))
        db().rollback()
        user = _managed_user(user_id)
        auditlog.record_now(db(), f"user.{action if action != 'save' else 'update'}",
                            target=user.username, success=False, message="refused: invalid form")
    return (render_template("auth/user_form.html", user=user, errors=errors, roles=list(Role),
                            sites=_site_choices(), form=form, now=utcnow()),
            400 if errors else 200)


# --------------------------------------------------------------------------------------------
# Audit log (audit administrator): read only, there is no route that changes it
# --------------------------------------------------------------------------------------------


@bp.route("/audit-log")
@permission(Perm.AUDITLOG_VIEW)
def audit_log() -> str:
    """The audit log, newest first, filtered by actor, action and outcome."""
    actor = request.args.get("actor", "").strip() or None
    action = request.args.get("action", "").strip() or None
    outcome = request.args.get("outcome", "")
    success = {"ok": True, "failed": False}.get(outcome)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    stmt = auditlog.query(actor=actor, action=action, success=success)
    entries: list[AuditEntry] = list(db().scalars(stmt.limit(AUDIT_PAGE_SIZE + 1)
                                                  .offset((page - 1) * AUDIT_PAGE_SIZE)))
    more = len(entries) > AUDIT_PAGE_SIZE
    return render_template("auth/audit_log.html", entries=entries[:AUDIT_PAGE_SIZE], page=page,
                           more=more, actor=actor or "", action=action or "", outcome=outcome)
