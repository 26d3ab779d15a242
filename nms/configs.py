"""Configuration backups: full history per device, diffs, search, secrets masked for display.

What Oxidized does, kept in the relational store so history, "who/when" and search are SQL:

* a collection stores a new ``ConfigVersion`` only when the text changed (SHA-256 of the text);
  an unchanged collection just moves ``last_seen`` forward, so "backed up within N days"
  (BL-HYG-003) is one read;
* every version keeps who collected it (user or ``scheduler``), how (ssh/netconf/file) and when;
* ``diff`` is a unified diff of two versions with secrets masked; ``search`` narrows with SQL
  ``LIKE`` before scanning lines in Python, so a fleet search touches only matching rows;
* nothing partial is ever stored: collectors hand over a complete text or an error (a dropped
  session never becomes a version).

Core module: imports no collectors/policies (tests/test_architecture.py).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models import Device
from nms.db import Base, UtcDateTime, session_scope
from nms.models import utcnow


class ConfigVersion(Base):
    """One distinct text of one kind of config (running, startup, a show command, NETCONF) of a device."""

    __tablename__ = "config_versions"
    __table_args__ = (Index("ix_config_versions_device_kind", "device_id", "kind", "collected"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64), default="running")
    source: Mapped[str] = mapped_column(String(16), default="ssh")
    collected_by: Mapped[str] = mapped_column(String(64), default="scheduler")
    collected: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    lines: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class VersionInfo:
    """A version without its text (history listings)."""

    id: int
    device: str
    kind: str
    source: str
    collected_by: str
    collected: datetime
    last_seen: datetime
    sha256: str
    size: int
    lines: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


def _info(row: ConfigVersion, device: str) -> VersionInfo:
    return VersionInfo(row.id, device, row.kind, row.source, row.collected_by, row.collected, row.last_seen,
                       row.sha256, row.size, row.lines)


def _device_id(session: Any, device: str) -> int:
    device_id = session.scalar(select(Device.id).where(Device.name == device))
    if device_id is None:
        raise KeyError(f"no device {device!r} in the inventory")
    return int(device_id)


def store_config(engine: Any, device: str, text: str, *, kind: str = "running", source: str = "ssh",
                 by: str = "scheduler", when: datetime | None = None) -> tuple[VersionInfo, bool]:
    """Record a complete config text; returns (version, created) — created False when unchanged.

    Raises:
        KeyError: no such device.
        ValueError: empty text (a failed collection must not look like an empty config).
    """
    if not text or not text.strip():
        raise ValueError(f"{device}: refusing to store an empty {kind} config")
    when = when or utcnow()
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    with session_scope(engine) as session:
        device_id = _device_id(session, device)
        last = session.scalars(select(ConfigVersion).where(ConfigVersion.device_id == device_id,
                                                           ConfigVersion.kind == kind)
                               .order_by(ConfigVersion.collected.desc(), ConfigVersion.id.desc()).limit(1)).first()
        if last is not None and last.sha256 == digest:
            last.last_seen = when
            session.flush()
            return _info(last, device), False
        row = ConfigVersion(device_id=device_id, kind=kind, source=source, collected_by=by, collected=when,
                            last_seen=when, sha256=digest, size=len(text), lines=text.count("\n") + 1, text=text)
        session.add(row)
        session.flush()
        return _info(row, device), True


def history(engine: Any, device: str, kind: str | None = "running") -> list[VersionInfo]:
    """Versions of ``device`` newest first (all kinds when ``kind`` is None)."""
    with session_scope(engine) as session:
        device_id = _device_id(session, device)
        q = select(ConfigVersion).where(ConfigVersion.device_id == device_id)
        if kind is not None:
            q = q.where(ConfigVersion.kind == kind)
        rows = session.scalars(q.order_by(ConfigVersion.collected.desc(), ConfigVersion.id.desc()))
        return [_info(r, device) for r in rows]


def latest(engine: Any, device: str, kind: str = "running") -> tuple[VersionInfo, str] | None:
    """(info, text) of the newest version, or None if never collected."""
    with session_scope(engine) as session:
        device_id = _device_id(session, device)
        row = session.scalars(select(ConfigVersion).where(ConfigVersion.device_id == device_id,
                                                          ConfigVersion.kind == kind)
                              .order_by(ConfigVersion.collected.desc(), ConfigVersion.id.desc()).limit(1)).first()
        return (_info(row, device), row.text) if row is not None else None


def get_version(engine: Any, version_id: int, *, masked: bool = False) -> tuple[VersionInfo, str]:
    """(info, text) of one version; ``masked`` hides secrets for display.

    Raises:
        KeyError: no such version.
    """
    with session_scope(engine) as session:
        row = session.get(ConfigVersion, version_id)
        if row is None:
            raise KeyError(f"no config version {version_id}")
        device = session.scalar(select(Device.name).where(Device.id == row.device_id)) or "?"
        return _info(row, device), (mask_secrets(row.text) if masked else row.text)


def diff(engine: Any, old_id: int, new_id: int, *, masked: bool = True, context: int = 3) -> str:
    """Unified diff between two versions (secrets masked by default)."""
    a_info, a = get_version(engine, old_id, masked=masked)
    b_info, b = get_version(engine, new_id, masked=masked)
    return "".join(difflib.unified_diff(
        a.splitlines(keepends=True), b.splitlines(keepends=True),
        fromfile=f"{a_info.device}@{a_info.id} {a_info.collected.isoformat()} ({a_info.collected_by})",
        tofile=f"{b_info.device}@{b_info.id} {b_info.collected.isoformat()} ({b_info.collected_by})", n=context))


def search(engine: Any, pattern: str, *, regex: bool = False, latest_only: bool = True, kind: str = "running",
           limit: int = 1000) -> list[dict[str, Any]]:
    """Lines matching ``pattern`` across configs: [{device, version, line, text}] (text masked).

    Plain patterns are pushed to SQL as a case-insensitive ``LIKE``; regexes scan every version
    of ``kind`` (latest only by default).
    """
    rx = re.compile(pattern if regex else re.escape(pattern), re.I)
    out: list[dict[str, Any]] = []
    with session_scope(engine) as session:
        q = select(ConfigVersion.id, ConfigVersion.device_id, ConfigVersion.text, ConfigVersion.collected) \
            .where(ConfigVersion.kind == kind)
        if not regex:
            q = q.where(ConfigVersion.text.ilike(f"%{pattern}%"))
        rows = list(session.execute(q.order_by(ConfigVersion.device_id, ConfigVersion.collected.desc(),
                                               ConfigVersion.id.desc())))
        names = dict(session.execute(select(Device.id, Device.name)).all())
    seen: set[int] = set()
    for vid, device_id, text, _when in rows:
        if latest_only:
            if device_id in seen:
                continue
            seen.add(device_id)
        for no, line in enumerate(text.splitlines(), 1):
            if rx.search(line):
                out.append({"device": names.get(device_id, "?"), "version": vid, "line": no,
                            "text": mask_secrets(line)})
                if len(out) >= limit:
                    return out
    return out


# Values that follow these words are secrets on at least one of our platforms. The optional
# encryption-type word/number before the value stays visible (it says how the value is stored).
_SECRET_RX = re.compile(
    r"(?P<key>\b(?:password|secret|key-string|authentication-key|privacy-key|encrypted-password"
    r"|irreversible-cipher|hash|community(?:\s+(?:read|write))?|shared-key|key|cipher|simple"
    r"|authentication-mode\s+\S+|privacy-mode\s+\S+|value)\b)"
    r"(?P<sep>\s+)(?P<type>(?:[0-9]\s+|(?:cipher|simple|hash|plain|irreversible-cipher)\s+)?)"
    r"(?P<val>\"[^\"]*\"|\S+)", re.I)
# ntp authentication-key 1 md5|hmac-sha2-256 [7] VALUE (IOS) / authentication-keyid 1 authentication-mode X cipher V
_NTP_KEY_RX = re.compile(r"(\bauthentication-key\s+\d+\s+(?!type\b)\S+\s+(?:[0-9]\s+)?)(\S+)", re.I)
# snmp-server user U G v3 auth sha KEY priv aes 128 KEY (IOS/RGOS)
_SNMPV3_RX = re.compile(r"(\b(?:auth\s+(?:md5|sha\S*)|priv\s+(?:des|3des|aes(?:\s+\d+)?))\s+)(\S+)", re.I)
# VRP/Comware usm-user: authentication-mode sha [cipher|simple] KEY privacy-mode aes128 [cipher|simple] KEY
_USM_RX = re.compile(r"(\b(?:authentication|privacy)-mode\s+(?!\*)\S+\s+(?:(?:cipher|simple)\s+)?)(?!\*)(\S+)", re.I)
_KEEP_WORDS = {"authentication-mode", "privacy-mode", "0", "5", "7", "8", "9", "type", "enable", "chain", "read", "write", "cipher", "simple", "hash",
               "policy", "expire", "complexity-check", "min-length", "control", "md5", "sha", "sha2-256",
               "hmac-sha256", "hmac-sha2-256", "aes128", "aes256", "des", "3des", "authentication", "ro", "rw"}


def mask_secrets(text: str) -> str:
    """``text`` with passwords, keys and SNMP communities replaced by ``******`` (display only)."""

    def repl(m: re.Match[str]) -> str:
        val = m.group("val")
        if val.lower() in _KEEP_WORDS or val.lower().startswith(("level", "policy")):
            return m.group(0)
        return f"{m.group('key')}{m.group('sep')}{m.group('type')}******"

    text = _NTP_KEY_RX.sub(lambda m: m.group(1) + "******", text)
    text = _SNMPV3_RX.sub(lambda m: m.group(1) + "******", text)
    text = _USM_RX.sub(lambda m: m.group(1) + "******", text)
    return _SECRET_RX.sub(repl, text)
