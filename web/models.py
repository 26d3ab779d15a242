"""Console accounts, API tokens and the audit log (tables of revision 0002).

Why these shapes:

* **Roles and the three-role separation (三员分立, MLPS 2.0 / GB/T 22239-2019 8.1.4.2).** A user has
  exactly one role, so one account can never hold two of the three separated duties: the
  *administrator* (系统管理员) runs the network side, the *security administrator* (安全管理员)
  manages accounts and roles and nothing else, the *audit administrator* (审计管理员) reads the
  audit log and nothing else. Network engineers, security auditors (baseline/IP-plan checks)
  and report viewers are the operational roles under them. What a role may do is the
  ``ROLE_PERMISSIONS`` table: views declare the permission they need, never a role.
* **Region scope.** ``User.site_id`` scopes an account to a site and everything below it: a
  county's staff see only their county (pages and API alike, see ``web.scope``).
* **Passwords and tokens are never stored.** Passwords are salted werkzeug hashes (scrypt by
  default); API tokens are stored as their SHA-256 digest (a token is 256 random bits, so a
  fast digest is enough and makes lookup by token possible).
* **The audit log is append-only.** ``AuditEntry`` rows are refused on update or delete by
  the ORM (events below) and by database triggers created in migration 0002; the console has
  no route that edits them. ``actor`` is the user name as text, not a foreign key, so the
  record outlives any change to the account.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from inventory.models import Site
from nms.db import Base, UtcDateTime
from nms.models import ChoiceEnum, utcnow


class Role(ChoiceEnum):
    """What an account is for. One role per account (separation of duties)."""

    ADMINISTRATOR = "administrator", "Administrator", "系统管理员"
    NETWORK_ENGINEER = "network_engineer", "Network engineer", "网络运维工程师"
    SECURITY_AUDITOR = "security_auditor", "Security auditor", "安全检查员"
    REPORT_VIEWER = "report_viewer", "Report viewer", "报表查看员"
    SECURITY_ADMIN = "security_admin", "Security administrator", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "Audit administrator", "审计管理员"


class Perm:
    """Permission names. Views declare one of these (or PUBLIC / AUTHENTICATED)."""

    PUBLIC = "public"  # login page, static files: no account needed
    AUTHENTICATED = "authenticated"  # any signed-in account (own profile, language, logout)
    NETWORK_VIEW = "network.view"  # dashboard, topology, devices, IP plan, inventory, alarms
    INVENTORY_EDIT = "inventory.edit"  # import into the inventory
    ALARMS_ACK = "alarms.ack"  # acknowledge / clear alarms (alarms issue)
    AUDITS_VIEW = "audits.view"  # baseline audit results
    AUDITS_RUN = "audits.run"  # start a baseline audit
    USERS_MANAGE = "users.manage"  # accounts, roles, scopes, unlock (security administrator)
    AUDITLOG_VIEW = "auditlog.view"  # read the audit log (audit administrator)


ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({Perm.NETWORK_VIEW, Perm.INVENTORY_EDIT, Perm.ALARMS_ACK,
                                   Perm.AUDITS_VIEW, Perm.AUDITS_RUN}),
    Role.NETWORK_ENGINEER: frozenset({Perm.NETWORK_VIEW, Perm.ALARMS_ACK}),
    Role.SECURITY_AUDITOR: frozenset({Perm.NETWORK_VIEW, Perm.AUDITS_VIEW, Perm.AUDITS_RUN}),
    Role.REPORT_VIEWER: frozenset({Perm.NETWORK_VIEW}),
    Role.SECURITY_ADMIN: frozenset({Perm.USERS_MANAGE}),
    Role.AUDIT_ADMIN: frozenset({Perm.AUDITLOG_VIEW}),
}


class User(Base):
    """A console account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login: Mapped[datetime | None] = mapped_column(UtcDateTime)
    password_changed: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    site: Mapped[Site | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def __repr__(self) -> str:  # never the hash
        return f"User({self.username!r}, {self.role!r})"

    @property
    def permissions(self) -> frozenset[str]:
        """What this account may do (none when disabled)."""
        if not self.active:
            return frozenset()
        try:
            return ROLE_PERMISSIONS[Role(self.role)]
        except ValueError:  # a role this version does not know grants nothing
            return frozenset()

    def can(self, permission: str) -> bool:
        """True when the account holds ``permission`` (PUBLIC/AUTHENTICATED always)."""
        if permission in (Perm.PUBLIC, Perm.AUTHENTICATED):
            return self.active
        return permission in self.permissions

    def session_stamp(self) -> str:
        """A value that changes when the password changes: sessions carry it and die with it.

        A digest of the stored hash, not a piece of it: the (signed, readable) session cookie
        then holds nothing that would help guess the password.
        """
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a token
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="tokens")


class AuditEntry(Base):
    """One line of the audit log: who did what to what, from where, and whether it worked."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))  # user name, "cli:<os user>" or "-"
    action: Mapped[str] = mapped_column(String(64), index=True)  # login, user.create, ...
    target: Mapped[str | None] = mapped_column(String(256))
    success: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str | None] = mapped_column(String(64))  # client address or "cli"
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)


class AuditLogReadOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit log entry."""


@event.listens_for(Session, "before_flush")
def _audit_log_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogReadOnlyError("the audit log is append-only")
