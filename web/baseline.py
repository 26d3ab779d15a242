"""The latest baseline audit of each device, as the console shows it (policies.audit, cached).

Audit results are not stored anywhere: an audit is a pure function of a device's configuration
text, the inventory row and the ``audit:`` parameters (style.md: checks are free of I/O). So
"the latest audit of a device" is the audit of its latest stored running configuration
(``nms.configs``), run here through ``policies.audit.run.audit_devices`` -- the same code as
``nms audit`` -- and kept in a per-process cache keyed by the configuration version. A version
never changes, so a cached result stays right until a new version is collected, the backup age
moves (``last_seen``, read by BL-HYG-003) or ``CACHE_TTL_S`` passes (the backup-age check depends
on the clock); "Run the audit again" empties the cache.

Scores and the MLPS 2.0 roll-up come from ``policies.audit.score``, exports from
``policies.audit.report`` -- the console adds only scope, caching and presentation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inventory.models import Device
from nms.config import Config
from nms.models import Finding, FindingStatus
from web.scope import Scope

CACHE_TTL_S = 600.0
RUNNING = "running"
STARTUP_KIND = "show:show startup-config"
#: statuses that need someone's attention, in the order they are listed
ATTENTION = (FindingStatus.ERROR, FindingStatus.FAIL, FindingStatus.NEEDS_REVIEW)


@dataclass(frozen=True)
class ConfigRef:
    """The configuration version an audit was run on (no text)."""

    id: int
    collected: datetime
    last_seen: datetime
    collected_by: str
    source: str
    lines: int


@dataclass
class DeviceAudit:
    """One device's latest audit: the version audited, its findings and score."""

    device: str
    site: str
    site_name: str
    platform: str | None
    config: ConfigRef
    findings: list[Finding]
    score: dict[str, Any] = field(default_factory=dict)

    @property
    def attention(self) -> list[Finding]:
        """ERROR, FAIL and NEEDS_REVIEW findings, worst status then most severe first."""
        order = {s: i for i, s in enumerate(ATTENTION)}
        return sorted((f for f in self.findings if f.status in order),
                      key=lambda f: (order[f.status], f.severity.rank, f.check_id, f.subject))


@dataclass
class AuditOverview:
    """The latest audit of every device in a scope that has a stored configuration."""

    devices: list[DeviceAudit]
    without_config: list[str]
    audited_now: int = 0  # devices audited for this answer (cache misses)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every device (for the roll-up and the exports)."""
        return [f for d in self.devices for f in d.findings]


class AuditCache:
    """Findings per configuration version, shared by the requests of one process."""

    def __init__(self, ttl_s: float = CACHE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[float, datetime, list[Finding]]] = {}

    def get(self, ref: ConfigRef) -> list[Finding] | None:
        """The cached findings of ``ref`` if still valid."""
        with self._lock:
            hit = self._entries.get(ref.id)
        if hit is None or hit[1] != ref.last_seen or time.monotonic() - hit[0] > self.ttl_s:
            return None
        return hit[2]

    def put(self, ref: ConfigRef, findings: list[Finding]) -> None:
        """Remember the findings of ``ref``."""
        with self._lock:
            self._entries[ref.id] = (time.monotonic(), ref.last_seen, findings)

    def clear(self) -> None:
        """Forget everything (the next page audits again)."""
        with self._lock:
            self._entries.clear()


def _latest_versions(session: Session, device_ids: list[int]) -> dict[int, ConfigRef]:
    """device id -> newest running configuration version (one query, no texts)."""
    from nms.configs import ConfigVersion

    if not device_ids:
        return {}
    rows = session.execute(
        select(ConfigVersion.id, ConfigVersion.device_id, ConfigVersion.collected,
               ConfigVersion.last_seen, ConfigVersion.collected_by, ConfigVersion.source,
               ConfigVersion.lines)
        .where(ConfigVersion.kind == RUNNING, ConfigVersion.device_id.in_(device_ids))
        .order_by(ConfigVersion.device_id, ConfigVersion.collected.desc(), ConfigVersion.id.desc()))
    latest: dict[int, ConfigRef] = {}
    for vid, device_id, collected, last_seen, by, source, lines in rows:
        if device_id not in latest:
            latest[device_id] = ConfigRef(vid, collected, last_seen, by, source, lines)
    return latest


def latest_audits(session: Session, config: Config, scope: Scope, cache: AuditCache,
                  devices: list[str] | None = None) -> AuditOverview:
    """Audit (or take from the cache) the latest running config of every device in scope.

    Args:
        session: database session.
        config: the loaded config (``audit:`` parameters).
        scope: the caller's region scope.
        cache: the application's ``AuditCache``.
        devices: only these device names (default: every device in scope).

    Returns:
        The overview; devices without a stored running configuration are listed by name.
    """
    from nms.configs import ConfigVersion
    from policies.audit.run import audit_devices, baseline_checks
    from policies.audit.score import device_score
    from policies.base import DeviceState, Snapshot

    stmt = select(Device).options(selectinload(Device.site)).order_by(Device.name)
    if scope.site_ids is not None:
        stmt = stmt.where(Device.site_id.in_(scope.site_ids))
    if devices is not None:
        stmt = stmt.where(Device.name.in_(devices))
    rows = list(session.scalars(stmt))
    refs = _latest_versions(session, [d.id for d in rows])
    found: dict[str, list[Finding]] = {}
    missing = [d for d in rows if d.id in refs and cache.get(refs[d.id]) is None]
    if missing:
        texts = dict(session.execute(select(ConfigVersion.id, ConfigVersion.text).where(
            ConfigVersion.id.in_([refs[d.id].id for d in missing]))).all())
        with_startup = set(session.scalars(select(ConfigVersion.device_id).distinct().where(
            ConfigVersion.kind == STARTUP_KIND, ConfigVersion.device_id.in_([d.id for d in missing]))))
        snap = Snapshot(params={"audit": config.audit})
        for dev in missing:
            ref = refs[dev.id]
            backup: dict[str, Any] = {"last_collected": ref.last_seen.isoformat()}
            if dev.id in with_startup:  # as `nms audit` does: a startup copy exists, not compared
                backup["startup_equals_running"] = None
            snap.devices[dev.name] = DeviceState(
                device=dev.as_dict(), state={"baseline_probes": {"config_backup": backup}},
                config_text=texts[ref.id])
        for name, result in audit_devices(snap, baseline_checks()).items():
            found[name] = result.findings
        for dev in missing:
            cache.put(refs[dev.id], found.get(dev.name, []))
    out: list[DeviceAudit] = []
    for dev in rows:
        ref = refs.get(dev.id)
        if ref is None:
            continue
        findings = found.get(dev.name)
        if findings is None:
            findings = cache.get(ref) or []
        score = device_score(findings).get(dev.name, {"score": None, "counts": {}, "failed": []})
        out.append(DeviceAudit(dev.name, dev.site.code, dev.site.name, dev.platform, ref, findings,
                               score))
    return AuditOverview(out, [d.name for d in rows if d.id not in refs], len(missing))
