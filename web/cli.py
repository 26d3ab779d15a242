"""``nms user``: console accounts from the server's shell (the way in before any account exists).

Registered in setup.cfg under ``nms.commands`` (``user = web.cli:user``), so the core ``nms``
group loads it without importing ``web``. The first account is made here::

    nms user add admin --role administrator            # prompts for the password twice
    NEWPW=... nms user add secadm --role security_admin --password-env NEWPW
    nms user token alice --name backup-script          # prints a token once; only its hash is kept

Passwords follow the console's policy. Every change is written to the audit log with the
actor ``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
import os
from datetime import timedelta
from typing import Any

import click
from sqlalchemy import select

from nms.cli import emit, format_option, get_config
from nms.models import utcnow


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"cli:uid{os.getuid()}"


def _engine(ctx: click.Context) -> Any:
    import web.models  # noqa: F401 - the console's tables on Base.metadata
    from nms.db import make_engine, migrate

    engine = make_engine(get_config(ctx).database_url)
    migrate(engine)
    return engine


def _password(username: str, env: str | None) -> str:
    from web.security import password_problems

    if env:
        if env not in os.environ:
            raise click.UsageError(f"environment variable {env} is not set")
        password = os.environ[env]
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, username)
    if problems:
        raise click.UsageError("password refused: " + " ".join(problems))
    return password


@click.group()
def user() -> None:
    """Manage console accounts (add, passwd, list, token, unlock)."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, help="administrator, network_engineer, security_auditor, "
              "report_viewer, security_admin or audit_admin.")
@click.option("--site", help="Scope the account to this site code and everything below it.")
@click.option("--full-name", default=None, help="Display name.")
@click.option("--language", type=click.Choice(["zh_CN", "en"]), default=None)
@click.option("--password-env", metavar="VAR", help="Read the password from $VAR (no prompt).")
@click.pass_context
def add(ctx: click.Context, username: str, role: str, site: str | None, full_name: str | None,
        language: str | None, password_env: str | None) -> None:
    """Create the account USERNAME."""
    from inventory.models import Site
    from nms.db import session_scope
    from web import auditlog
    from web.auth import USERNAME_CHARS
    from web.models import Role, User
    from web.security import hash_password

    if not set(username) <= USERNAME_CHARS or len(username) > 64:
        raise click.UsageError("user names use letters, digits, dot, dash and underscore (at most 64)")
    if role not in Role.values():
        raise click.UsageError(f"unknown role {role!r} (roles: {', '.join(Role.values())})")
    engine = _engine(ctx)
    with session_scope(engine) as session:
        if session.scalar(select(User).where(User.username == username)):
            raise click.UsageError(f"user {username!r} exists (use `nms user passwd`)")
        site_id = None
        if site:
            site_id = session.scalar(select(Site.id).where(Site.code == site))
            if site_id is None:
                raise click.UsageError(f"no site {site!r} in the inventory")
        password = _password(username, password_env)
        session.add(User(username=username, full_name=full_name, role=role, site_id=site_id,
                         language=language, password_hash=hash_password(password, "scrypt"),
                         active=True, failed_attempts=0))
        auditlog.record(session, "user.create", target=username, actor=_actor(), source="cli",
                        detail={"role": role, "site": site})
    click.echo(f"user {username} created ({role}{', scope ' + site if site else ''})")


@user.command("passwd")
@click.argument("username")
@click.option("--password-env", metavar="VAR", help="Read the password from $VAR (no prompt).")
@click.pass_context
def passwd(ctx: click.Context, username: str, password_env: str | None) -> None:
    """Set a new password for USERNAME (and unlock it)."""
    from nms.db import session_scope
    from web import auditlog
    from web.models import User
    from web.security import hash_password

    engine = _engine(ctx)
    with session_scope(engine) as session:
        account = session.scalar(select(User).where(User.username == username))
        if account is None:
            raise click.UsageError(f"no user {username!r}")
        account.password_hash = hash_password(_password(username, password_env), "scrypt")
        account.password_changed = utcnow()
        account.failed_attempts = 0
        account.locked_until = None
        auditlog.record(session, "user.password", target=username, actor=_actor(), source="cli",
                        message="password set from the command line")
    click.echo(f"password of {username} changed")


@user.command("unlock")
@click.argument("username")
@click.pass_context
def unlock(ctx: click.Context, username: str) -> None:
    """Lift a lockout of USERNAME after failed logins."""
    from nms.db import session_scope
    from web import auditlog
    from web.models import User

    engine = _engine(ctx)
    with session_scope(engine) as session:
        account = session.scalar(select(User).where(User.username == username))
        if account is None:
            raise click.UsageError(f"no user {username!r}")
        account.failed_attempts = 0
        account.locked_until = None
        auditlog.record(session, "user.unlock", target=username, actor=_actor(), source="cli")
    click.echo(f"{username} unlocked")


@user.command("list")
@format_option
@click.pass_context
def list_users(ctx: click.Context, fmt: str) -> None:
    """List accounts with role, scope, state and last sign-in."""
    from sqlalchemy.orm import selectinload

    from nms.db import session_scope
    from web.models import User

    engine = _engine(ctx)
    now = utcnow()
    rows = []
    with session_scope(engine) as session:
        for account in session.scalars(select(User).options(selectinload(User.site))
                                       .order_by(User.username)):
            locked = account.locked_until is not None and account.locked_until > now
            rows.append({
                "username": account.username, "role": account.role,
                "scope": account.site.code if account.site else None,
                "state": "locked" if locked else ("active" if account.active else "disabled"),
                "last_login": account.last_login.isoformat(timespec="seconds")
                if account.last_login else None,
            })
    emit(rows, ["username", "role", "scope", "state", "last_login"], fmt)


@user.command("token")
@click.argument("username")
@click.option("--name", "label", default="script", show_default=True, help="What the token is for.")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
              help="Expire after this many days (default: never).")
@click.pass_context
def token(ctx: click.Context, username: str, label: str, expires_days: int | None) -> None:
    """Create an API token for USERNAME and print it once (only its hash is stored)."""
    from nms.db import session_scope
    from web import auditlog
    from web.models import ApiToken, User
    from web.security import new_token, token_digest

    engine = _engine(ctx)
    secret = new_token()
    with session_scope(engine) as session:
        account = session.scalar(select(User).where(User.username == username))
        if account is None:
            raise click.UsageError(f"no user {username!r}")
        expires = utcnow() + timedelta(days=expires_days) if expires_days else None
        session.add(ApiToken(user=account, name=label[:64], token_hash=token_digest(secret),
                             prefix=secret[:12], expires=expires, revoked=False))
        auditlog.record(session, "token.create", target=username, actor=_actor(), source="cli",
                        detail={"name": label[:64], "prefix": secret[:12],
                                "expires_days": expires_days})
    click.echo(secret)
    click.echo(f"token {label!r} for {username}: store it now, it is not shown again", err=True)
