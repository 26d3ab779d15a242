"""Access control for the console: who is asking, may they, and is the request genuine.

The rules, and why they are enforced where they are:

* **Fail closed, in one place.** A ``before_request`` guard looks up the permission the view
  declared with ``@permission(...)``. A view that declares none is refused to everyone, so a
  new route cannot be left open by forgetting a decorator; the test suite enumerates
  ``app.url_map`` to prove that anonymous requests are refused everywhere but the login page
  and static files.
* **Two ways in.** Browsers use the signed session cookie set at login; scripts send
  ``Authorization: Bearer <token>`` to ``/api/``. Tokens are looked up by their SHA-256 digest.
* **Sessions** expire after ``web.session_timeout_min`` idle minutes and die when the password
  changes or the account is disabled (the session carries a stamp of the password hash).
* **Passwords**: salted werkzeug hashes (scrypt), a policy (≥10 characters, three of four
  character classes, not containing the user name), and lockout for ``web.lockout_min``
  minutes after ``web.lockout_attempts`` consecutive failures. Every login, good or bad, is
  written to the audit log.
* **CSRF**: every POST/PUT/PATCH/DELETE with a session carries the session's token (form field
  ``csrf_token`` or header ``X-CSRF-Token``); bearer-token requests are exempt because a
  browser never adds that header cross-site.
* **Headers**: a CSP that allows no inline script and no framing, nosniff, a strict referrer
  policy and ``no-store`` on every page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from nms.config import Config
from nms.models import utcnow
from web import auditlog, i18n
from web.context import db, state
from web.i18n import N_
from web.models import ApiToken, Perm, User
from web.scope import Scope, scope_for_site

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
TOKEN_PREFIX = "nms_"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# ECharts writes style attributes into its tooltips, so inline *styles* are allowed; inline
# *scripts* never are (every script is a file under /static).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# A real hash to compare against for unknown users, so their failures take as long as others.
_DUMMY_HASH = generate_password_hash("not a password", method="pbkdf2:sha256:1000")


# --------------------------------------------------------------------------------------------
# Passwords and tokens
# --------------------------------------------------------------------------------------------


def password_problems(password: str, username: str) -> list[str]:
    """Why ``password`` fails the policy (English message ids; empty when it passes).

    Args:
        password: the proposed password.
        username: the account's name, which the password may not contain.

    Returns:
        Message ids for ``web.i18n.gettext`` (translated by the caller).
    """
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(N_("The password must have at least 10 characters."))
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(N_("The password must have at most 128 characters."))
    classes = sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < 3:
        problems.append(N_("The password must mix three of: lower case, upper case, digits, symbols."))
    if username and username.casefold() in password.casefold():
        problems.append(N_("The password must not contain the user name."))
    return problems


def hash_password(password: str, method: str | None = None) -> str:
    """A salted hash of ``password`` (scrypt unless the app or caller says otherwise)."""
    if method is None:
        try:
            method = current_app.config.get("NMS_PASSWORD_METHOD", "scrypt")
        except RuntimeError:  # outside an application (the CLI)
            method = "scrypt"
    return generate_password_hash(password, method=method)


def new_token() -> str:
    """A fresh API token (shown once; only its digest is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_secret_key(config: Config) -> str:
    """``web.secret_key`` from the config, else the key generated once into the data directory.

    The generated file is created with mode 0600 and never rewritten, so sessions survive a
    restart and the key is readable only by the service account.
    """
    if config.web.secret_key:
        return config.web.secret_key
    path = Path(config.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


# --------------------------------------------------------------------------------------------
# Logging in
# --------------------------------------------------------------------------------------------


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Whether the account is locked out (after failed logins) at ``now``."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


@dataclass
class LoginResult:
    """The outcome of a login attempt: the user, or why not (an English message id)."""

    user: User | None
    error: str | None = None
    params: dict[str, Any] | None = None


def authenticate(session: Session, config: Config, username: str, password: str,
                 source: str | None) -> LoginResult:
    """Check a user name and password, apply lockout, and audit the attempt.

    The caller commits. Unknown users, wrong passwords and disabled accounts get the same
    answer; a locked account says so (with the minutes left), as MLPS expects users to be told.

    Args:
        session: database session (the audit entry and counters are added to it).
        config: for ``web.lockout_attempts`` and ``web.lockout_min``.
        username: as typed.
        password: as typed.
        source: client address, for the audit log.

    Returns:
        A ``LoginResult``.
    """
    now = utcnow()
    bad = N_("Invalid user name or password.")
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        auditlog.record(session, "login", actor=username[:128] or "-", target=username[:128],
                        success=False, source=source,
                        message="unknown user" if user is None else "account disabled")
        return LoginResult(None, bad)
    if is_locked(user, now):
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1  # type: ignore[operator]
        auditlog.record(session, "login", actor=username, target=username, success=False,
                        source=source, message="account locked")
        return LoginResult(None, N_("The account is locked. Try again in %(minutes)s minutes."),
                           {"minutes": minutes})
    if not check_password_hash(user.password_hash, password):
        user.failed_attempts = (user.failed_attempts or 0) + 1
        auditlog.record(session, "login", actor=username, target=username, success=False,
                        source=source, message="wrong password",
                        detail={"failed_attempts": user.failed_attempts})
        if user.failed_attempts >= config.web.lockout_attempts:
            user.locked_until = now + timedelta(minutes=config.web.lockout_min)
            user.failed_attempts = 0
            auditlog.record(session, "account.lock", actor=username, target=username,
                            source=source, detail={"minutes": config.web.lockout_min},
                            message=f"locked after {config.web.lockout_attempts} failed logins")
            return LoginResult(None, N_("The account is locked. Try again in %(minutes)s minutes."),
                               {"minutes": config.web.lockout_min})
        return LoginResult(None, bad)
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login = now
    auditlog.record(session, "login", actor=username, target=username, success=True, source=source)
    return LoginResult(user)


def start_session(user: User) -> None:
    """Begin a fresh browser session for ``user`` (a new CSRF token too)."""
    language = session.get("language")
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["stamp"] = user.session_stamp()
    session["seen"] = int(time.time())
    if language:
        session["language"] = language
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def end_session() -> None:
    """Forget the signed-in user (the language choice stays)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


# --------------------------------------------------------------------------------------------
# Declaring and enforcing permissions
# --------------------------------------------------------------------------------------------


def permission(perm: str) -> Callable[[F], F]:
    """Declare what a view needs: a ``Perm`` name, ``Perm.PUBLIC`` or ``Perm.AUTHENTICATED``."""

    def decorate(view: F) -> F:
        view.nms_permission = perm  # type: ignore[attr-defined]
        return view

    return decorate


def required_permission(endpoint: str | None) -> str | None:
    """The permission the view behind ``endpoint`` declared (None: none, so refused)."""
    if endpoint is None:
        return Perm.PUBLIC  # no route matched: let Flask answer 404/405
    if endpoint == "static":
        return Perm.PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "nms_permission", None)


def is_api_request() -> bool:
    """True for ``/api/`` URLs, which answer JSON rather than redirects."""
    return request.path.startswith("/api/")


def csrf_token() -> str:
    """The session's CSRF token (created on first use); forms and fetch() send it back."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return str(token)


def _deny(status: int, message: str) -> Response:
    """Refuse the request: JSON for the API, the login page or an error page otherwise.

    Refusals of a signed-in user (403) and CSRF failures (400) are security events and go to
    the audit log; anonymous refusals (401) do not, or every expired bookmark would.
    """
    if status in (400, 403):
        user = g.get("user")
        auditlog.record_now(db(), "access.denied" if status == 403 else "csrf.reject",
                            target=f"{request.method} {request.path}"[:256], success=False,
                            actor=user.username if user is not None else "-", message=message)
    if is_api_request():
        resp = jsonify({"error": message, "status": status})
        resp.status_code = status
        if status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="nms"'
        return resp
    if status == 401:
        target = request.full_path if request.method == "GET" else None
        next_arg = {"next": target.rstrip("?")} if target and target != "/?" else {}
        return redirect(url_for("auth.login", **next_arg))
    abort(status)


def _bearer_user(session_db: Session) -> User | None | bool:
    """The user of a bearer token; False when the header is there but the token is bad."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    digest = token_digest(header[7:].strip())
    token = session_db.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    now = utcnow()
    if (token is None or token.revoked or not token.user.active
            or (token.expires is not None and token.expires <= now)):
        return False
    if token.last_used is None or now - token.last_used > timedelta(minutes=1):
        token.last_used = now  # at most one write a minute per token
        session_db.commit()
    g.token = token
    return token.user


def _session_user(session_db: Session, config: Config) -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    now = int(time.time())
    seen = int(session.get("seen", 0))
    user = session_db.get(User, uid)
    if user is None or not user.active or session.get("stamp") != user.session_stamp():
        end_session()
        return None
    if now - seen > config.web.session_timeout_min * 60:
        auditlog.record_now(session_db, "session.expire", actor=user.username, target=user.username,
                            message="idle session timed out")
        end_session()
        session["expired"] = True  # the login page says why
        return None
    session["seen"] = now
    return user


def _before_request() -> Response | None:
    config = state().config
    g.user = None
    g.token = None
    g.scope = Scope(frozenset())
    session_db = db()
    user: User | None | bool = None
    if is_api_request():
        user = _bearer_user(session_db)
        if user is False:
            g.language = i18n.choose_language(None)
            auditlog.record_now(session_db, "token.reject", target=request.path[:256],
                                success=False, message="invalid, expired or revoked token")
            return _deny(401, "invalid, expired or revoked token")
    if user is None:
        user = _session_user(session_db, config)
    g.user = user
    g.language = i18n.choose_language(user.language if user else None)
    if user is not None:
        g.scope = scope_for_site(session_db, user.site_id)

    perm = required_permission(request.endpoint)
    if perm is None:
        log.error("view %r declares no permission: refused to everyone", request.endpoint)
        return _deny(403, "forbidden")
    if perm != Perm.PUBLIC:
        if g.user is None:
            return _deny(401, "authentication required")
        if not g.user.can(perm):
            return _deny(403, "forbidden")
    if request.method in UNSAFE_METHODS and g.token is None:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        expected = session.get(CSRF_FIELD, "")
        if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
            return _deny(400, "missing or wrong CSRF token")
    return None


def _security_headers(response: Response) -> Response:
    config = state().config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if config.web.secure_cookies:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask, config: Config) -> None:
    """Install the guard, CSRF check, cookie flags and security headers on ``app``."""
    app.config.update(
        SESSION_COOKIE_NAME="nms_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.web.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.web.session_timeout_min),
    )
    app.before_request(_before_request)
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token

