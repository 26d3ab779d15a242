"""``nms run``: the all-in-one daemon -- polls, probes, config collection and audits, link-health
evaluation, the monthly report, traps, alarms and notifications.

Scheduling is APScheduler 3 (``BackgroundScheduler``), one job per kind of work:

==================  ======================================  =====================================
job                 trigger (config.yaml)                   does
==================  ======================================  =====================================
``poll:<device>``   every ``polling.intervals_s[role]``     SNMP poll -> state, samples, DEVICE-DOWN
``probe``           every ``polling.probe_interval_s``      one ICMP/TCP round over every device
                                                            -> ``probe`` samples
``audit``           every ``polling.audit_interval_s``      running configs over SSH (devices with
                                                            an ``ssh_auth``), then every pack
``link-health``     every ``polling.link_health_interval_s``  link_health + device_health packs
``report``          cron ``reports.schedule_day`` at        last month's bulletin, saved and mailed
                    ``reports.schedule_time``
==================  ======================================  =====================================

* A device is polled by its own job, so a slow device never delays another and never overlaps
  itself (``max_instances=1``; missed runs ``coalesce`` into one). Probes run as one round per
  interval (one scapy send at a packet-rate limit instead of a raw socket and a timeout per
  device); ``max_instances=1`` means a round never overlaps the next, so no device is probed
  twice at once either.
* Every trigger is jittered by ``polling.jitter_s``, and a job created fresh starts at a random
  point of its first interval (at most five minutes away), so hundreds of devices do not fire at
  once after a start.
* Jobs live in an ``SQLAlchemyJobStore`` in the nms database (table ``apscheduler_jobs``), so a
  restart resumes each job at its stored next run time. A trigger changed in config.yaml is
  updated in place and fires no later than the new trigger would.
* SNMP polls run on one asyncio loop owned by the daemon (``Runtime.run_async``); the job
  thread waits for its poll there. The SNMP collector's concurrency bound (``snmp.concurrency``)
  therefore holds across all poll jobs.
* The trap receiver runs in the same process; each poll teaches it the device's interface
  addresses and ifIndex names (``TrapReceiver.learn``).

Collectors and the trap receiver are found through ``nms.registry`` (``collectors``: ``snmp``,
``ssh``, ``probe``; ``receivers``: ``traps``) -- this package never imports ``collectors``
(tests/test_architecture.py). Jobs are module-level functions referenced by name (the job store
persists references, not closures); they read the running daemon's ``Runtime`` from ``RUNTIME``.
Every job catches its own errors: a failing poll or check is logged and the schedule goes on
(style.md 2.8).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
import signal
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import click

from nms import registry
from nms.cli import get_config
from nms.config import Config, SnmpAuth, SshAuth
from nms.models import utcnow

log = logging.getLogger(__name__)

RUNTIME: Runtime | None = None
LINK_PACKS = ("link_health", "device_health")
#: a job created fresh first runs at a random point of its interval, but at most this far away
FIRST_RUN_SPREAD_S = 300.0
#: a monthly report missed while the daemon was down is still made this long afterwards
REPORT_GRACE_S = 7 * 86400
#: parallel SSH sessions of the audit job's config collection
SSH_WORKERS = 4


@dataclass
class Runtime:
    """What jobs share in one daemon: config, database, sink, alarms, notifications, receiver."""

    config: Config
    engine: Any
    manager: Any  # nms.alarms.AlarmManager
    notifier: Any  # nms.notify.Notifier
    sink: Any = None
    receiver: Any = None  # the trap receiver, when running
    lock: threading.Lock = field(default_factory=threading.Lock)
    _collectors: dict[str, Any] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _loop_thread: threading.Thread | None = None

    def collector(self, name: str) -> Any:
        """The daemon's one instance of the registered collector ``name`` (it keeps state:
        the SNMP collector remembers sysUpTime per device for reboot detection)."""
        with self.lock:
            if name not in self._collectors:
                factory = registry.collectors.get(name)
                self._collectors[name] = factory(self.config.snmp) if name == "snmp" else factory()
            return self._collectors[name]

    def run_async(self, coro: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """Run ``coro`` on the daemon's one asyncio loop (its own thread, started on first use)
        and wait for the result.

        Why one loop: the SNMP collector's concurrency bound is an asyncio semaphore and its
        engines keep per-loop state; one ``asyncio.run`` per job thread (a fresh loop each time,
        several at once) left polls hanging forever inside the engine's receive wait.

        Raises:
            TimeoutError: no result within ``timeout`` (the coroutine is cancelled).
        """
        with self.lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="nms-run-asyncio", daemon=True)
                thread.start()
                self._loop, self._loop_thread = loop, thread
            loop = self._loop
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result after {timeout} s") from None

    def close(self) -> None:
        """Stop the asyncio loop thread (after the scheduler has shut down)."""
        with self.lock:
            loop, thread = self._loop, self._loop_thread
            self._loop = self._loop_thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            if not thread.is_alive():
                loop.close()


# ---- the schedule -------------------------------------------------------------------------------


def _interval(seconds: float, jitter: float) -> Any:
    from apscheduler.triggers.interval import IntervalTrigger

    return IntervalTrigger(seconds=seconds, jitter=int(jitter) or None, timezone="UTC")


def wanted_jobs(config: Config, engine: Any) -> dict[str, tuple[str, Any, list[Any], dict[str, Any]]]:
    """``{job id: (function reference, trigger, args, extra job options)}`` from config and the
    inventory. An interval of 0 or less switches that job off."""
    from apscheduler.triggers.cron import CronTrigger
    from sqlalchemy import select

    from inventory.models import Device
    from nms.db import session_scope
    from nms.reports.delivery import schedule

    polling = config.polling
    jitter = polling.jitter_s
    wanted: dict[str, tuple[str, Any, list[Any], dict[str, Any]]] = {}
    for job_id, func, seconds in (("audit", "audit_job", polling.audit_interval_s),
                                  ("link-health", "link_health_job", polling.link_health_interval_s),
                                  ("probe", "probe_job", polling.probe_interval_s)):
        if seconds > 0:
            wanted[job_id] = (f"policies.daemon:{func}", _interval(seconds, jitter), [], {})
    cron = schedule(config)
    wanted["report"] = ("policies.daemon:report_job",
                        CronTrigger(day=cron["day"], hour=cron["hour"], minute=cron["minute"],
                                    timezone=cron["timezone"], jitter=int(jitter) or None),
                        [], {"misfire_grace_time": REPORT_GRACE_S})
    with session_scope(engine) as session:
        for name, role, address in session.execute(select(Device.name, Device.role, Device.address)):
            seconds = polling.intervals_s.get(role, 300)
            if address and seconds > 0:
                wanted[f"poll:{name}"] = ("policies.daemon:poll_job", _interval(seconds, jitter), [name], {})
    return wanted


def _same_trigger(old: Any, new: Any) -> bool:
    if type(old) is not type(new) or getattr(old, "jitter", None) != getattr(new, "jitter", None):
        return False
    if hasattr(new, "interval"):
        return bool(old.interval == new.interval)
    return str(old) == str(new) and str(old.timezone) == str(new.timezone)


def _first_run(trigger: Any, now: datetime) -> datetime:
    """When a job created now first runs: a random point of its first interval (spread), or
    the trigger's own next fire time for calendar triggers."""
    interval = getattr(trigger, "interval", None)
    if interval is None:
        nxt = trigger.get_next_fire_time(None, now)
        return nxt if nxt is not None else now
    spread = min(interval.total_seconds(), FIRST_RUN_SPREAD_S)
    return now + timedelta(seconds=random.uniform(0.0, spread))


def build_scheduler(config: Config, engine: Any, *, start_paused: bool = False,
                    now: datetime | None = None) -> Any:
    """A ``BackgroundScheduler`` with the persistent job store and every job from config.

    Jobs already stored keep their next run time (a restart resumes); a trigger changed in
    config is replaced and the job fires no later than the new trigger would. Devices no longer
    in the inventory (or without an address) lose their poll job.

    Args:
        config: the loaded config (``polling``, ``reports``, ``snmp.concurrency``).
        engine: the nms database (jobs are stored in its ``apscheduler_jobs`` table).
        start_paused: leave the scheduler paused (tests; ``nms run`` resumes it once the trap
            receiver listens).
        now: the clock (tests).
    """
    from apscheduler.executors.pool import ThreadPoolExecutor as PoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    now = now or utcnow()
    # one thread per concurrent poll, never more than the SNMP collector's concurrency bound
    workers = max(4, min(config.snmp.concurrency, 32))
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        executors={"default": PoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC")
    scheduler.start(paused=True)
    wanted = wanted_jobs(config, engine)
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    for job_id, (func, trigger, args, options) in wanted.items():
        existing = scheduler.get_job(job_id)
        if existing is not None:
            if not _same_trigger(existing.trigger, trigger):
                first = _first_run(trigger, now)
                nxt = existing.next_run_time
                existing.modify(trigger=trigger, next_run_time=min(nxt, first) if nxt else first,
                                **options)
            continue
        scheduler.add_job(func, trigger, id=job_id, name=job_id, args=args,
                          next_run_time=_first_run(trigger, now), replace_existing=True, **options)
    if not start_paused:
        scheduler.resume()
    return scheduler


# ---- jobs (module level: the job store keeps "policies.daemon:<name>") ----------------------


def _runtime() -> Runtime:
    if RUNTIME is None:
        raise RuntimeError("no daemon runtime: jobs run only inside `nms run`")
    return RUNTIME


def attach_configs(snapshot: Any, engine: Any, config: Config) -> int:
    """Give each device of ``snapshot`` its latest stored running config and backup age (what
    the BL-* baseline checks read), and the ``audit`` parameters. Returns how many had one."""
    from nms.configs import latest

    snapshot.params["audit"] = config.audit
    found = 0
    for name, dev in snapshot.devices.items():
        got = latest(engine, name)
        if got is None:
            continue
        info, text = got
        dev.config_text = text
        probes = dev.state.setdefault("baseline_probes", {})
        probes["config_backup"] = {"last_collected": info.last_seen.isoformat()}
        found += 1
    return found


def evaluate(packs: tuple[str, ...] | None, rt: Runtime | None = None) -> list[Any]:
    """Run the checks of ``packs`` (all when None), feed alarms and notifications; returns changes.

    With every pack (the audit), devices carry their latest collected config so the baseline
    checks judge it instead of saying NEEDS_REVIEW.
    """
    from policies.engine import all_checks, run_checks
    from policies.snapshot import build_snapshot

    rt = rt or _runtime()
    snapshot = build_snapshot(rt.engine, rt.config, sink=rt.sink, open_sink=False)
    checks = [c for c in all_checks() if packs is None or c.pack in packs]
    if any(c.pack == "baseline" for c in checks):
        attach_configs(snapshot, rt.engine, rt.config)
    rt.manager.parents = snapshot.upstream
    findings = run_checks(checks, snapshot)
    changes = rt.manager.process(findings)
    changes += rt.manager.escalate()
    rt.notifier.send(changes)
    log.info("evaluated %d checks: %d findings, %d alarm changes", len(checks), len(findings), len(changes))
    return changes


def collect_configs(rt: Runtime | None = None) -> dict[str, str]:
    """Read the running config of every device with an ``ssh_auth`` over SSH (the registered
    ``ssh`` collector) and store the changed ones. Returns ``{device: status}``."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from inventory.models import Device
    from nms.db import session_scope

    rt = rt or _runtime()
    with session_scope(rt.engine) as session:
        rows = [d.as_dict() for d in session.scalars(
            select(Device).options(selectinload(Device.site)).where(Device.ssh_auth.is_not(None))
            .order_by(Device.name))]
    todo: list[tuple[dict[str, Any], SshAuth]] = []
    outcome: dict[str, str] = {}
    for row in rows:
        auth = rt.config.auths.get(row["ssh_auth"])
        if not isinstance(auth, SshAuth):
            log.warning("config collection %s: %r is not an ssh auth profile", row["name"], row["ssh_auth"])
            outcome[row["name"]] = "no_auth"
            continue
        todo.append((row, auth))
    if not todo:
        return outcome
    collector = rt.collector("ssh")

    def one(item: tuple[dict[str, Any], SshAuth]) -> tuple[str, str]:
        row, auth = item
        try:
            result, stored = collector.collect_and_store(rt.engine, row, auth, by="scheduler")
        except Exception as exc:  # noqa: BLE001 - one device must not stop the others
            log.exception("config collection %s failed", row["name"])
            return row["name"], f"error: {exc}"
        if not result.ok:
            log.warning("config collection %s: %s: %s", row["name"], result.status.value, result.error)
            return row["name"], result.status.value
        new = sum(1 for _info, created in stored if created)
        log.info("config collection %s: %d texts, %d new versions", row["name"], len(stored), new)
        return row["name"], "ok"

    with ThreadPoolExecutor(max_workers=min(SSH_WORKERS, len(todo))) as pool:
        outcome.update(pool.map(one, todo))
    return outcome


def audit_job() -> None:
    """Collect configs over SSH, then run every pack (IP plan, link and device health, baselines)."""
    try:
        collect_configs()
    except Exception:  # noqa: BLE001 - audit what was collected before
        log.exception("config collection failed")
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


def _device_target(dev: Any) -> SimpleNamespace:
    """The attributes collectors read, detached from the database session."""
    site = SimpleNamespace(code=dev.site.code) if dev.site is not None else None
    return SimpleNamespace(name=dev.name, address=dev.address, role=dev.role, platform=dev.platform,
                           snmp_port=dev.snmp_port, site=site)


def poll_job(device: str) -> None:
    """Poll one device over SNMP, store its state and samples, raise/clear DEVICE-DOWN."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from inventory.models import Device
    from nms.alarms import Event
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
            target = _device_target(dev)
        budget = rt.config.snmp.device_budget_s
        result = rt.run_async(rt.collector("snmp").collect_async(target, auth), timeout=budget + 30)
        if result.state:
            save_state(rt.engine, device, result.state, result.started)
            if rt.receiver is not None:
                rt.receiver.learn(device, result.state)
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


def probe_job() -> None:
    """One probe round over every device with an address; ``probe`` samples to the sink."""
    from sqlalchemy import select

    from inventory.models import Device
    from nms.db import session_scope

    rt = _runtime()
    try:
        with session_scope(rt.engine) as session:
            devices = [SimpleNamespace(name=name, address=address) for name, address in
                       session.execute(select(Device.name, Device.address).where(Device.address.is_not(None))
                                       .order_by(Device.name))]
        if not devices:
            return
        results = rt.collector("probe").collect_many(devices)
        samples = [s for r in results for s in r.samples]
        if rt.sink is not None and samples:
            rt.sink.write(samples)
        failed = [r for r in results if not r.ok]
        log.info("probe round: %d devices, %d without answer", len(results), len(failed))
        for r in failed[:5]:
            log.debug("probe %s: %s", r.device, r.error)
    except Exception:  # noqa: BLE001
        log.exception("probe job failed")


def report_job() -> None:
    """Make, keep and mail last month's uptime bulletin (idempotent per period)."""
    from nms.reports.delivery import run_scheduled

    rt = _runtime()
    try:
        for d in run_scheduled(rt.config):
            if d.error:
                log.error("report %s %s failed: %s", d.period, d.scope, d.error)
            else:
                log.info("report %s %s: %d files, %s", d.period, d.scope, len(d.files),
                         "already sent" if d.skipped else ("mailed" if d.sent else "saved"))
    except Exception:  # noqa: BLE001
        log.exception("report job failed")


# ---- the command -------------------------------------------------------------------------------


def start_receiver(rt: Runtime) -> Any:
    """Start the registered ``traps`` receiver feeding ``rt``'s alarms; None if it cannot bind."""
    from policies.snapshot import build_snapshot

    snap = build_snapshot(rt.engine, rt.config, open_sink=False)

    def on_events(events: list[Any]) -> None:
        rt.notifier.send(rt.manager.process_events(events))

    receiver = registry.receivers.get("traps").from_config(rt.config, snap, on_events=on_events)
    try:
        receiver.start()
    except OSError as exc:
        log.error("trap receiver not started: %s", exc)
        return None
    return receiver


@click.command("run")
@click.option("--traps/--no-traps", "with_traps", default=None,
              help="Run the trap receiver too (default: traps.enabled).")
@click.option("--duration", type=float, help="Stop after this many seconds (default: until stopped).")
@click.pass_context
def run_command(ctx: click.Context, with_traps: bool | None, duration: float | None) -> None:
    """Run everything: polls, probes, config collection and audits, link health, the monthly
    report, traps, alarms and notifications."""
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
    rt = Runtime(config=config, engine=manager.engine, manager=manager, notifier=Notifier(config.notify),
                 sink=sink)
    RUNTIME = rt
    scheduler = build_scheduler(config, manager.engine, start_paused=True)
    if with_traps if with_traps is not None else config.traps.enabled:
        rt.receiver = start_receiver(rt)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.resume()
    click.echo(f"nms run: {len(scheduler.get_jobs())} jobs scheduled"
               + (f", traps on {rt.receiver.bound[0]}:{rt.receiver.bound[1]}" if rt.receiver else ""),
               err=True)
    try:
        stop.wait(duration)
    finally:
        scheduler.shutdown(wait=True)
        if rt.receiver is not None:
            rt.receiver.stop()
            click.echo(f"trap counters: {rt.receiver.counters()}", err=True)
        rt.close()
        if sink is not None:
            sink.close()
        RUNTIME = None
