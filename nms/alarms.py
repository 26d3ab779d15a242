"""Alarms: findings and events become alarms with a lifecycle, kept forever.

Why a state machine and not "one row per failing finding": operators act on alarms, so an
alarm must be *one* thing per problem (de-duplicated by the key ``(check_id, device,
subject)``), must not spam while a link flaps (hysteresis: ``raise_after`` failing and
``clear_after`` passing evaluations; a key failing again within ``reopen_within_s`` of clearing
reopens the same alarm), must stay quiet behind a failed parent (a township router's alarms
when its county uplink or the county router is down) and during maintenance windows (raised
*suppressed*, so nothing is lost), must get louder when nobody looks (severity escalation after
``escalate_after_s`` unacknowledged) and must never be deleted (``alarm_events`` is the
append-only history of who did what when).

Inputs: ``Finding`` s (``AlarmManager.process``) and ``Event`` s (traps, poll failures:
``AlarmManager.process_events``). Outputs: rows in ``alarms`` / ``alarm_events`` and the list
of ``AlarmChange`` s of each call, which ``nms.notify`` turns into messages.

Lifecycle: raised -> acknowledged (by a user) -> cleared (by a passing evaluation, a clearing
event such as linkUp, or a user). Only FAIL findings raise; PASS clears; NEEDS_REVIEW, ERROR
and NOT_APPLICABLE do neither (no data is not good news). A batch of findings also clears the
open alarms of the same ``(check_id, device)`` whose subject no longer fails -- unless the
batch says the device could not be judged (NEEDS_REVIEW/ERROR on the device as a whole).
"""

from __future__ import annotations

import fnmatch
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, Engine, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from nms.config import AlarmsConfig, MaintenanceWindow
from nms.db import Base, UtcDateTime, session_scope
from nms.models import ChoiceEnum, Finding, FindingStatus, Severity, utcnow

log = logging.getLogger(__name__)

#: alarms whose presence means "this device is down" (for parent-down suppression)
DEVICE_DOWN_CHECKS = frozenset({"DEVICE-DOWN"})
#: alarms whose presence means "this link is down"; their subject names the peer ``<-> dev:if``
LINK_DOWN_CHECKS = frozenset({"LINK-006", "TRAP-LINK"})


class AlarmState(ChoiceEnum):
    """Where an alarm is in its lifecycle."""

    RAISED = "raised", "Raised", "告警中"
    ACKNOWLEDGED = "acknowledged", "Acknowledged", "已确认"
    CLEARED = "cleared", "Cleared", "已清除"


OPEN_STATES = (AlarmState.RAISED.value, AlarmState.ACKNOWLEDGED.value)


class Alarm(Base):
    """One problem on one subject, from first failure to clearing. Never deleted."""

    __tablename__ = "alarms"
    __table_args__ = (Index("ix_alarms_key", "check_id", "device", "subject"),
                      Index("ix_alarms_state", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(128), default="")
    subject: Mapped[str] = mapped_column(String(256), default="")
    source: Mapped[str] = mapped_column(String(16), default="check")  # check | trap | event
    state: Mapped[str] = mapped_column(String(16), default=AlarmState.RAISED.value)
    severity: Mapped[str] = mapped_column(String(16))
    original_severity: Mapped[str] = mapped_column(String(16))
    reason_en: Mapped[str] = mapped_column(Text, default="")
    reason_zh: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[Any] = mapped_column(JSON, nullable=True, default=dict)  # observed / expected / evidence
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    suppressed_reason: Mapped[str | None] = mapped_column(String(256))
    count: Mapped[int] = mapped_column(Integer, default=1)  # failing observations
    reopened: Mapped[int] = mapped_column(Integer, default=0)  # times it flapped back
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(128))

    @property
    def key(self) -> tuple[str, str, str]:
        """The de-duplication key."""
        return (self.check_id, self.device, self.subject)

    @property
    def is_open(self) -> bool:
        """Raised or acknowledged (not cleared)."""
        return self.state in OPEN_STATES

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (CLI, console, notifications)."""
        return {c.name: (v.isoformat() if isinstance(v := getattr(self, c.name), datetime) else v)
                for c in self.__table__.columns}


class AlarmEvent(Base):
    """One entry of an alarm's history (append-only)."""

    __tablename__ = "alarm_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms.id", ondelete="RESTRICT"), index=True)
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(32))  # raised, reopened, acknowledged, cleared, ...
    user: Mapped[str | None] = mapped_column(String(128))
    severity: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "alarm_id": self.alarm_id, "time": self.time.isoformat(),
                "action": self.action, "user": self.user, "severity": self.severity, "note": self.note}


class AlarmCounter(Base):
    """Consecutive failing / passing observations per key: the hysteresis memory."""

    __tablename__ = "alarm_counters"

    check_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device: Mapped[str] = mapped_column(String(128), primary_key=True)
    subject: Mapped[str] = mapped_column(String(256), primary_key=True)
    fails: Mapped[int] = mapped_column(Integer, default=0)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class Event:
    """Something that happened (a trap, a failed poll) that raises or clears an alarm.

    ``clears`` True means "the condition is over" (linkUp clears the linkDown alarm of the same
    key). ``transient`` events (coldStart, authenticationFailure) are recorded raised and
    cleared at once: history without an open alarm nobody can clear.
    """

    check_id: str
    device: str
    subject: str
    severity: Severity
    reason_en: str
    reason_zh: str
    clears: bool = False
    transient: bool = False
    source: str = "trap"
    details: dict[str, Any] = field(default_factory=dict)
    time: datetime | None = None


@dataclass(frozen=True)
class AlarmChange:
    """What one call did to one alarm: ``action`` and the alarm as a dict afterwards."""

    action: str  # raised | reopened | cleared | escalated | acknowledged | suppressed
    alarm: dict[str, Any]


class AlarmError(LookupError):
    """No such alarm, or the transition is not allowed (acknowledging a cleared alarm)."""


_ESCALATE = {Severity.INFO: Severity.WARNING, Severity.WARNING: Severity.MINOR,
             Severity.MINOR: Severity.MAJOR, Severity.MAJOR: Severity.CRITICAL}


class AlarmManager:
    """Turns findings and events into alarm transitions in the relational store.

    Args:
        engine: the nms database (migrated: tables ``alarms``, ``alarm_events``,
            ``alarm_counters``).
        config: ``config.alarms`` (hysteresis, suppression, maintenance, escalation).
        parents: device -> its upstream device (``Snapshot.upstream``), for suppression.
        sites: device -> site code; ``site_parents``: site code -> parent code (maintenance
            windows naming a county cover its townships).

    Thread-safe: the trap receiver and the scheduler share one manager.
    """

    def __init__(self, engine: Engine, config: AlarmsConfig | None = None, *,
                 parents: Mapping[str, str] | None = None, sites: Mapping[str, str | None] | None = None,
                 site_parents: Mapping[str, str | None] | None = None) -> None:
        self.engine = engine
        self.config = config or AlarmsConfig()
        self.parents = dict(parents or {})
        self.sites = dict(sites or {})
        self.site_parents = dict(site_parents or {})
        self._lock = threading.Lock()

    # ---- inputs ---------------------------------------------------------------------------

    def process(self, findings: Iterable[Finding], now: datetime | None = None) -> list[AlarmChange]:
        """Apply one evaluation's findings; returns what changed (for notifications).

        FAIL raises (after ``raise_after`` in a row), PASS clears (after ``clear_after`` in a
        row), and open alarms of a judged ``(check_id, device)`` whose subject is absent from
        the batch count as passing (see the module docstring).
        """
        now = now or utcnow()
        findings = list(findings)
        by_key: dict[tuple[str, str, str], Finding] = {}
        judged: set[tuple[str, str]] = set()
        unjudged: set[tuple[str, str]] = set()
        for f in findings:
            by_key[(f.check_id, f.device, f.subject)] = f
            judged.add((f.check_id, f.device))
            if f.subject == "" and f.status in (FindingStatus.NEEDS_REVIEW, FindingStatus.ERROR):
                unjudged.add((f.check_id, f.device))
        changes: list[AlarmChange] = []
        with self._lock, session_scope(self.engine) as session:
            open_alarms = {a.key: a for a in session.scalars(
                select(Alarm).where(Alarm.state.in_(OPEN_STATES), Alarm.source == "check"))}
            for key, f in by_key.items():
                if f.status is FindingStatus.FAIL:
                    change = self._fail(session, key, f.severity, f.reason_en, f.reason_zh,
                                        {"observed": f.observed, "expected": f.expected,
                                         "evidence": f.evidence}, "check", now, open_alarms.get(key))
                    if change:
                        changes.append(change)
                elif f.status is FindingStatus.PASS:
                    change = self._pass(session, key, now, open_alarms.get(key))
                    if change:
                        changes.append(change)
            for key, alarm in open_alarms.items():
                if key in by_key or key[:2] not in judged or key[:2] in unjudged:
                    continue
                change = self._pass(session, key, now, alarm)  # the subject no longer fails
                if change:
                    changes.append(change)
            changes.extend(self._escalate(session, now))
        return changes

    def process_events(self, events: Iterable[Event], now: datetime | None = None) -> list[AlarmChange]:
        """Apply events (traps, poll failures): raising events raise at once, clearing ones clear.

        Events skip the ``raise_after``/``clear_after`` counting (a linkDown trap *is* the
        news); flapping is absorbed by reopening the same alarm within ``reopen_within_s``.
        """
        changes: list[AlarmChange] = []
        with self._lock, session_scope(self.engine) as session:
            for ev in events:
                when = ev.time or now or utcnow()
                key = (ev.check_id, ev.device, ev.subject)
                alarm = self._open(session, key)
                if ev.clears:
                    if alarm is not None:
                        changes.append(self._clear(session, alarm, when, "auto", ev.reason_en))
                    continue
                change = self._fail(session, key, ev.severity, ev.reason_en, ev.reason_zh, ev.details,
                                    ev.source, when, alarm, immediate=True)
                if change:
                    changes.append(change)
                if ev.transient:
                    alarm = self._open(session, key)
                    if alarm is not None:
                        self._clear(session, alarm, when, "auto", "transient event")
                        if change:  # report the raise with its final state
                            changes[-1] = AlarmChange(change.action, alarm.as_dict())
        return changes

    # ---- operator actions -------------------------------------------------------------------

    def acknowledge(self, alarm_id: int, user: str, note: str | None = None,
                    now: datetime | None = None) -> AlarmChange:
        """Mark an open alarm as being handled by ``user``.

        Raises:
            AlarmError: no such alarm, or it is already cleared.
        """
        now = now or utcnow()
        with self._lock, session_scope(self.engine) as session:
            alarm = session.get(Alarm, alarm_id)
            if alarm is None:
                raise AlarmError(f"no alarm {alarm_id}")
            if not alarm.is_open:
                raise AlarmError(f"alarm {alarm_id} is cleared; nothing to acknowledge")
            alarm.state = AlarmState.ACKNOWLEDGED.value
            alarm.acknowledged_at, alarm.acknowledged_by = now, user
            self._event(session, alarm, now, "acknowledged", user, note)
            return AlarmChange("acknowledged", alarm.as_dict())

    def clear(self, alarm_id: int, user: str, note: str | None = None,
              now: datetime | None = None) -> AlarmChange:
        """Clear an open alarm by hand (it is raised again if its check still fails).

        Raises:
            AlarmError: no such alarm, or it is already cleared.
        """
        now = now or utcnow()
        with self._lock, session_scope(self.engine) as session:
            alarm = session.get(Alarm, alarm_id)
            if alarm is None:
                raise AlarmError(f"no alarm {alarm_id}")
            if not alarm.is_open:
                raise AlarmError(f"alarm {alarm_id} is already cleared")
            counter = session.get(AlarmCounter, alarm.key)
            if counter is not None:
                counter.fails = 0
            return self._clear(session, alarm, now, user, note)

    def comment(self, alarm_id: int, user: str, note: str,
                now: datetime | None = None) -> AlarmChange:
        """Add ``user``'s note to an alarm's history (open or cleared; the state is unchanged).

        Raises:
            AlarmError: no such alarm.
            ValueError: an empty note.
        """
        if not note or not note.strip():
            raise ValueError("a comment needs some text")
        now = now or utcnow()
        with self._lock, session_scope(self.engine) as session:
            alarm = session.get(Alarm, alarm_id)
            if alarm is None:
                raise AlarmError(f"no alarm {alarm_id}")
            self._event(session, alarm, now, "commented", user, note)
            return AlarmChange("commented", alarm.as_dict())

    def escalate(self, now: datetime | None = None) -> list[AlarmChange]:
        """Raise the severity of alarms left unacknowledged too long (run it periodically)."""
        with self._lock, session_scope(self.engine) as session:
            return self._escalate(session, now or utcnow())

    # ---- reads ------------------------------------------------------------------------------

    def list(self, *, state: str | Sequence[str] | None = None, device: str | None = None,
             check_id: str | None = None, include_suppressed: bool = True,
             limit: int = 500) -> list[dict[str, Any]]:
        """Alarms newest first; ``state`` "open" means raised or acknowledged, "all" or None any."""
        query = select(Alarm).order_by(Alarm.id.desc()).limit(limit)
        if state == "all":
            state = None
        if state == "open":
            query = query.where(Alarm.state.in_(OPEN_STATES))
        elif isinstance(state, str):
            query = query.where(Alarm.state == state)
        elif state is not None:
            query = query.where(Alarm.state.in_(list(state)))
        if device is not None:
            query = query.where(Alarm.device == device)
        if check_id is not None:
            query = query.where(Alarm.check_id == check_id)
        if not include_suppressed:
            query = query.where(Alarm.suppressed.is_(False))
        with session_scope(self.engine) as session:
            return [a.as_dict() for a in session.scalars(query)]

    def history(self, alarm_id: int) -> list[dict[str, Any]]:
        """Every event of one alarm, oldest first."""
        with session_scope(self.engine) as session:
            return [e.as_dict() for e in session.scalars(
                select(AlarmEvent).where(AlarmEvent.alarm_id == alarm_id).order_by(AlarmEvent.id))]

    # ---- internals --------------------------------------------------------------------------

    @staticmethod
    def _open(session: Session, key: tuple[str, str, str]) -> Alarm | None:
        return session.scalars(select(Alarm).where(
            Alarm.check_id == key[0], Alarm.device == key[1], Alarm.subject == key[2],
            Alarm.state.in_(OPEN_STATES)).order_by(Alarm.id.desc()).limit(1)).first()

    @staticmethod
    def _counter(session: Session, key: tuple[str, str, str], now: datetime) -> AlarmCounter:
        counter = session.get(AlarmCounter, key)
        if counter is None:
            counter = AlarmCounter(check_id=key[0], device=key[1], subject=key[2], fails=0, passes=0,
                                   updated=now)
            session.add(counter)
        counter.updated = now
        return counter

    @staticmethod
    def _event(session: Session, alarm: Alarm, now: datetime, action: str, user: str | None = None,
               note: str | None = None) -> None:
        session.flush()
        session.add(AlarmEvent(alarm_id=alarm.id, time=now, action=action, user=user,
                               severity=alarm.severity, note=note))

    def _fail(self, session: Session, key: tuple[str, str, str], severity: Severity, reason_en: str,
              reason_zh: str, details: dict[str, Any], source: str, now: datetime,
              alarm: Alarm | None, immediate: bool = False) -> AlarmChange | None:
        counter = self._counter(session, key, now)
        counter.fails += 1
        counter.passes = 0
        suppressed, why = self._suppression(session, key[1], now)
        if alarm is not None:  # still failing: update, never duplicate
            alarm.last_seen, alarm.count = now, alarm.count + 1
            alarm.reason_en, alarm.reason_zh, alarm.details = reason_en, reason_zh, _jsonable(details)
            if Severity(alarm.severity).rank > severity.rank:
                alarm.severity = severity.value
            if alarm.suppressed != suppressed:
                alarm.suppressed, alarm.suppressed_reason = suppressed, why
                self._event(session, alarm, now, "suppressed" if suppressed else "unsuppressed", note=why)
            return None
        if not immediate and counter.fails < self.config.raise_after:
            return None
        recent = session.scalars(select(Alarm).where(
            Alarm.check_id == key[0], Alarm.device == key[1], Alarm.subject == key[2],
            Alarm.state == AlarmState.CLEARED.value).order_by(Alarm.id.desc()).limit(1)).first()
        if recent is not None and recent.cleared_at is not None and \
                now - recent.cleared_at <= timedelta(seconds=self.config.reopen_within_s):
            recent.state = AlarmState.RAISED.value
            recent.cleared_at = recent.cleared_by = None
            recent.acknowledged_at = recent.acknowledged_by = None
            recent.last_seen, recent.count, recent.reopened = now, recent.count + 1, recent.reopened + 1
            recent.reason_en, recent.reason_zh, recent.details = reason_en, reason_zh, _jsonable(details)
            recent.suppressed, recent.suppressed_reason = suppressed, why
            self._event(session, recent, now, "reopened", note=why)
            return AlarmChange("reopened", recent.as_dict())
        alarm = Alarm(check_id=key[0], device=key[1], subject=key[2], source=source,
                      state=AlarmState.RAISED.value, severity=severity.value,
                      original_severity=severity.value, reason_en=reason_en, reason_zh=reason_zh,
                      details=_jsonable(details), suppressed=suppressed, suppressed_reason=why,
                      count=1, reopened=0, escalations=0, raised_at=now, last_seen=now)
        session.add(alarm)
        self._event(session, alarm, now, "raised", note=why)
        return AlarmChange("raised", alarm.as_dict())

    def _pass(self, session: Session, key: tuple[str, str, str], now: datetime,
              alarm: Alarm | None) -> AlarmChange | None:
        counter = session.get(AlarmCounter, key)
        if counter is None and alarm is None:
            return None  # passing and never failed: nothing to remember
        counter = counter or self._counter(session, key, now)
        counter.passes += 1
        counter.fails = 0
        counter.updated = now
        if alarm is not None and counter.passes >= self.config.clear_after:
            return self._clear(session, alarm, now, "auto", None)
        return None

    def _clear(self, session: Session, alarm: Alarm, now: datetime, user: str,
               note: str | None) -> AlarmChange:
        alarm.state = AlarmState.CLEARED.value
        alarm.cleared_at, alarm.cleared_by = now, user
        self._event(session, alarm, now, "cleared", user, note)
        return AlarmChange("cleared", alarm.as_dict())

    def _escalate(self, session: Session, now: datetime) -> list[AlarmChange]:
        after = timedelta(seconds=self.config.escalate_after_s)
        if after.total_seconds() <= 0:
            return []
        changes = []
        for alarm in session.scalars(select(Alarm).where(Alarm.state == AlarmState.RAISED.value,
                                                         Alarm.suppressed.is_(False))):
            since = alarm.escalated_at or alarm.raised_at
            nxt = _ESCALATE.get(Severity(alarm.severity))
            if nxt is None or now - since < after:
                continue
            alarm.severity = nxt.value
            alarm.escalated_at, alarm.escalations = now, alarm.escalations + 1
            self._event(session, alarm, now, "escalated",
                        note=f"unacknowledged for {int((now - since).total_seconds())} s")
            changes.append(AlarmChange("escalated", alarm.as_dict()))
        return changes

    def _suppression(self, session: Session, device: str, now: datetime) -> tuple[bool, str | None]:
        """Whether a new alarm of ``device`` is suppressed now, and why."""
        window = self._maintenance(device, now)
        if window is not None:
            return True, f"maintenance: {window.name or window.start}"
        if not self.config.suppress_behind_parent or not device:
            return False, None
        child, seen = device, {device}
        while child in self.parents and self.parents[child] not in seen:
            parent = self.parents[child]
            seen.add(parent)
            down = session.scalars(select(Alarm).where(
                Alarm.state.in_(OPEN_STATES),
                Alarm.check_id.in_(sorted(DEVICE_DOWN_CHECKS | LINK_DOWN_CHECKS)),
                Alarm.device.in_([parent, child]))).all()
            for a in down:
                if a.check_id in DEVICE_DOWN_CHECKS and a.device == parent:
                    return True, f"parent {parent} down"
                if a.check_id in LINK_DOWN_CHECKS and a.device == parent and f"<-> {child}:" in a.subject:
                    return True, f"uplink {parent} - {child} down"
                if a.check_id in LINK_DOWN_CHECKS and a.device == child and a.device != device \
                        and f"<-> {parent}:" in a.subject:
                    return True, f"uplink {child} - {parent} down"
            child = parent
        return False, None

    def _maintenance(self, device: str, now: datetime) -> MaintenanceWindow | None:
        for window in self.config.maintenance:
            try:
                start, end = datetime.fromisoformat(window.start), datetime.fromisoformat(window.end)
            except ValueError:
                log.warning("maintenance window %r: bad start/end, ignored", window.name)
                continue
            if not start <= now < end:
                continue
            if any(fnmatch.fnmatchcase(device, pat) for pat in window.devices):
                return window
            if window.sites and set(window.sites) & set(self._site_chain(self.sites.get(device))):
                return window
        return None

    def _site_chain(self, code: str | None) -> list[str]:
        chain: list[str] = []
        while code and code not in chain:
            chain.append(code)
            code = self.site_parents.get(code)
        return chain


def _jsonable(value: Any) -> Any:
    """Finding evidence as JSON (sets, tuples and odd objects become lists/strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
