"""``nms run``: the all-in-one daemon -- polls, audits, link-health evaluation, traps, alarms.

Scheduling is APScheduler 3 (``BackgroundScheduler``):

* one job per device (``poll:<device>``) every ``polling.intervals_s[role]`` seconds, so a slow
  device never delays another and never overlaps itself (``max_instances=1``, missed runs
  ``coalesce`` into one);
* ``audit`` every ``polling.audit_interval_s`` (all packs) and ``link-health`` every
  ``polling.link_health_interval_s`` (link_health and device_health packs, plus escalation);
* every job is jittered by ``polling.jitter_s`` so hundreds of devices do not fire at once;
* jobs live in an ``SQLAlchemyJobStore`` in the nms database (table ``apscheduler_jobs``), so a
  restart resumes each job at its stored next run time instead of firing everything at once.

Jobs are module-level functions referenced by name (the job store persists references, not
closures); they read the running daemon's ``Runtime`` from ``RUNTIME``. Every job catches its
own errors: a failing poll or check is logged and the schedule goes on (style.md 2.8). Probes are
not scheduled here yet (``collectors/probe`` has its own loop, ``nms probe run``); link checks
read the ``probe`` samples it writes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import Any

import click

from nms.cli import get_config
from nms.config import Config

log = logging.getLogger(__name__)

RUNTIME: Runtime | None = None
LINK_PACKS = ("link_health", "device_health")


@dataclass
class Runtime:
    """What jobs share in one daemon: config, database, sink, alarms, notifications."""

    config: Config
    engine: Any
    manager: Any  # nms.alarms.AlarmManager
    notifier: Any  # nms.notify.Notifier
    sink: Any = None
    uptimes: dict[str, tuple[int, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def build_scheduler(config: Config, engine: Any, *, start_paused: bool = False) -> Any:
    """A ``BackgroundScheduler`` with the persistent job store and every job from config.

    Jobs already stored keep their next run time (a restart resumes); their interval and
    jitter are updated from config. Devices no longer in the inventory lose their poll job.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger
    from sqlalchemy import select

    from inventory.models import Device
    from nms.db import session_scope

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC")
    scheduler.start(paused=True)
    polling = config.polling
    wanted: dict[str, tuple[str, int, list[Any]]] = {
        "audit": ("policies.daemon:audit_job", polling.audit_interval_s, []),
        "link-health": ("policies.daemon:link_health_job", polling.link_health_interval_s, []),
    }
    with session_scope(engine) as session:
        for name, role in session.execute(select(Device.name, Device.role)):
            interval = polling.intervals_s.get(role, 300)
            wanted[f"poll:{name}"] = ("policies.daemon:poll_job", interval, [name])
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    for job_id, (func, interval, args) in wanted.items():
        existing = scheduler.get_job(job_id)
        trigger = IntervalTrigger(seconds=interval, jitter=int(polling.jitter_s) or None, timezone="UTC")
        if existing is not None:
            # modify (not reschedule): the stored next run time stays, so a restart resumes
            old = existing.trigger
            if getattr(old, "interval", None) != trigger.interval or getattr(old, "jitter", None) != trigger.jitter:
                existing.modify(trigger=trigger)
            continue
        scheduler.add_job(func, trigger, id=job_id, name=job_id, args=args, replace_existing=True)
    if not start_paused:
        scheduler.resume()
    return scheduler


# ---- jobs (module level: the job store keeps "policies.daemon:<name>") ----------------------


def _runtime() -> Runtime:
    if RUNTIME is None:
        raise RuntimeError("no daemon runtime: jobs run only inside `nms run`")
    return RUNTIME


def evaluate(packs: tuple[str, ...] | None, rt: Runtime | None = None) -> list[Any]:
    """Run the checks of ``packs`` (all when None), feed alarms and notifications; returns changes."""
    from policies.engine import all_checks, run_checks
    from policies.snapshot import build_snapshot

    rt = rt or _runtime()
    snapshot = build_snapshot(rt.engine, rt.config, sink=rt.sink, open_sink=False)
    rt.manager.parents = snapshot.upstream
    checks = [c for c in all_checks() if packs is None or c.pack in packs]
    findings = run_checks(checks, snapshot)
    changes = rt.manager.process(findings)
    changes += rt.manager.escalate()
    rt.notifier.send(changes)
    log.info("evaluated %d checks: %d findings, %d alarm changes", len(checks), len(findings), len(changes))
    return changes


def audit_job() -> None:
    """Every pack (IP plan, link health, device health, baselines)."""
    try:
        evaluate(None)
    except Exception:  # noqa: BLE001 - the schedule goes on
        log.exception("audit job failed")


def link_health_job() -> None:
    """Link and device health from samples and the latest state."""
    try:
        evaluate(LINK_PACKS)
    except Exception:  # noqa: BLE001
        log.exception("link-health job failed")


def poll_job(device: str) -> None:
    """Poll one device over SNMP, store its state and samples, raise/clear DEVICE-DOWN."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from collectors.snmp.collector import SnmpTarget, poll_device
    from inventory.models import Device
    from nms.alarms import Event
    from nms.config import SnmpAuth
    from nms.db import session_scope
    from nms.models import Severity
    from nms.state import save_state

    rt = _runtime()
    try:
        with session_scope(rt.engine) as session:
            dev = session.scalar(select(Device).options(selectinload(Device.site)).where(Device.name == device))
            if dev is None:
                return
            auth = rt.config.auths.get(dev.snmp_auth or rt.config.default_snmp_auth or "")
            if not isinstance(auth, SnmpAuth):
                log.warning("poll %s: no SNMP auth profile", device)
                return
            target = SnmpTarget.from_device(dev, auth)
        result = asyncio.run(poll_device(target, rt.config.snmp, previous_uptime=rt.uptimes.get(device)))
        if result.state:
            save_state(rt.engine, device, result.state, result.started)
        if rt.sink is not None and result.samples:
            rt.sink.write(result.samples)
        down = not result.ok and result.status.value in ("timeout", "unreachable")
        event = Event("DEVICE-DOWN", device, "", Severity.CRITICAL,
                      f"{device} does not answer SNMP ({result.status.value})" if down else f"{device} answers",
                      f"{device} SNMP 无响应（{result.status.value}）" if down else f"{device} 恢复响应",
                      clears=not down, source="event")
        rt.notifier.send(rt.manager.process_events([event]))
    except Exception:  # noqa: BLE001
        log.exception("poll job %s failed", device)


# ---- the command -------------------------------------------------------------------------------


@click.command("run")
@click.option("--traps/--no-traps", "with_traps", default=None,
              help="Run the trap receiver too (default: traps.enabled).")
@click.option("--duration", type=float, help="Stop after this many seconds (default: until stopped).")
@click.pass_context
def run_command(ctx: click.Context, with_traps: bool | None, duration: float | None) -> None:
    """Run everything: scheduled polls, audits, link-health evaluation, traps, alarms, notifications."""
    global RUNTIME
    from nms.notify import Notifier
    from policies.cli import alarm_manager

    config = get_config(ctx)
    manager = alarm_manager(config)
    sink = None
    try:
        from nms.sink import open_sink

        sink = open_sink(config)
    except Exception as exc:  # noqa: BLE001 - run without samples rather than not at all
        log.warning("no time-series sink (%s): link health will say NEEDS_REVIEW", exc)
    RUNTIME = Runtime(config=config, engine=manager.engine, manager=manager, notifier=Notifier(config.notify),
                      sink=sink)
    scheduler = build_scheduler(config, manager.engine)
    receiver = None
    if with_traps if with_traps is not None else config.traps.enabled:
        from collectors.traps.receiver import (
            interface_namer,
            inventory_sources,
            receiver_from_config,
        )
        from policies.snapshot import build_snapshot

        snap = build_snapshot(manager.engine, config, open_sink=False)
        rt = RUNTIME

        def on_events(events: list[Any]) -> None:
            rt.notifier.send(rt.manager.process_events(events))

        receiver = receiver_from_config(config, sources=inventory_sources(snap), on_events=on_events,
                                        if_name=interface_namer(snap))
        try:
            receiver.start()
        except OSError as exc:
            log.error("trap receiver not started: %s", exc)
            receiver = None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"nms run: {len(scheduler.get_jobs())} jobs scheduled"
               + (f", traps on {receiver.bound}" if receiver else ""), err=True)
    stop.wait(duration)
    scheduler.shutdown(wait=True)
    if receiver is not None:
        receiver.stop()
    if sink is not None:
        sink.close()
    RUNTIME = None
