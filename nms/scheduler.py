"""Run periodic jobs (one per device) on APScheduler 3, without overlap, reporting overruns.

Core and generic: it schedules *callables* (sync or async) under a key (a device name) and knows
nothing about collectors, so ``nms`` keeps pointing inward. ``nms poll`` builds one job per
device with the interval of its role (``config.polling.intervals_s``).

Guarantees:
  * ``max_instances=1`` per key: a poll still running when its next turn comes is *not* started
    twice; APScheduler skips that turn, and it is counted and logged as an overrun
    (``Overrun``, ``on_overrun`` callback).
  * ``coalesce=True``: turns missed while the process was busy collapse into one run.
  * jitter: each job's first run is spread uniformly over its interval and every later run is
    shifted by up to ``jitter_s`` so a thousand devices do not fire in the same second.
  * a job that raises is logged and counted; the schedule goes on.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from nms.models import utcnow

log = logging.getLogger(__name__)

JobFunc = Callable[[], Awaitable[Any] | Any]


def interval_for(role: str | None, intervals: Mapping[str, int], default: int = 300) -> int:
    """Polling interval (s) of a device role, ``default`` for roles the config does not name."""
    return int(intervals.get(role or "", default))


@dataclass(frozen=True)
class Overrun:
    """A turn skipped because the previous run of the same job was still going."""

    key: str
    time: datetime
    running_for_s: float


@dataclass
class JobStats:
    """Counters of one job."""

    runs: int = 0
    errors: int = 0
    overruns: int = 0
    last_duration_s: float | None = None
    started_at: float | None = None  # monotonic start of the run in progress


@dataclass
class Scheduler:
    """Periodic, non-overlapping jobs keyed by name.

    Args:
        jitter_s: up to this many seconds added to every run time (APScheduler's jitter).
        on_overrun: called with an :class:`Overrun` when a turn is skipped.
        spread_start: spread first runs over each job's interval (else all start now).
    """

    jitter_s: float = 0.0
    on_overrun: Callable[[Overrun], None] | None = None
    spread_start: bool = True
    stats: dict[str, JobStats] = field(default_factory=dict)
    overruns: list[Overrun] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_listener(self._on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR
                                     | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
        self._rng = random.Random()
        self._running: set[asyncio.Task[Any]] = set()

    def add(self, key: str, interval_s: float, func: JobFunc) -> None:
        """Schedule ``func`` every ``interval_s`` seconds under ``key`` (unique)."""
        if key in self.stats:
            raise ValueError(f"job {key!r} is already scheduled")
        self.stats[key] = JobStats()
        offset = self._rng.uniform(0, interval_s) if self.spread_start else 0.0
        trigger = IntervalTrigger(seconds=interval_s, jitter=self.jitter_s or None,
                                  start_date=utcnow() + timedelta(seconds=offset))
        self._scheduler.add_job(self._wrap(key, func), trigger, id=key, name=key,
                                max_instances=1, coalesce=True,
                                misfire_grace_time=max(1, int(interval_s)),
                                next_run_time=utcnow() + timedelta(seconds=offset))

    def _wrap(self, key: str, func: JobFunc) -> Callable[[], Awaitable[None]]:
        stats = self.stats[key]

        async def run() -> None:
            stats.started_at = time.monotonic()
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            try:
                result = func()
                if inspect.isawaitable(result):
                    await result
            finally:
                stats.last_duration_s = time.monotonic() - stats.started_at
                stats.started_at = None
                stats.runs += 1

        return run

    def _on_event(self, event: JobEvent) -> None:
        key = event.job_id
        stats = self.stats.get(key)
        if stats is None:
            return
        if event.code == EVENT_JOB_MAX_INSTANCES:
            running = time.monotonic() - stats.started_at if stats.started_at else 0.0
            overrun = Overrun(key, utcnow(), running)
            stats.overruns += 1
            self.overruns.append(overrun)
            log.warning("job %r overran its interval (still running after %.1f s); turn skipped",
                        key, running)
            if self.on_overrun is not None:
                self.on_overrun(overrun)
        elif event.code == EVENT_JOB_ERROR:
            stats.errors += 1
            log.error("job %r failed: %r", key, getattr(event, "exception", None))
        elif event.code == EVENT_JOB_MISSED:
            log.warning("job %r missed its run time (event loop busy)", key)

    def start(self) -> None:
        """Start firing jobs (needs a running asyncio loop)."""
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop firing jobs; runs in progress are not waited for."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def drain(self, timeout_s: float) -> int:
        """Wait up to ``timeout_s`` for runs in progress, then cancel the rest.

        Returns:
            how many runs had to be cancelled.
        """
        pending = set(self._running)
        if not pending:
            return 0
        _done, still = await asyncio.wait(pending, timeout=timeout_s)
        for task in still:
            task.cancel()
        if still:
            await asyncio.wait(still, timeout=1)
        return len(still)

    async def stop(self, grace_s: float = 0.0) -> int:
        """Stop firing, let runs in progress finish for up to ``grace_s``, then shut down.

        (APScheduler's asyncio executor cancels running jobs at shutdown, so they are drained
        first.) Returns how many runs had to be cancelled.
        """
        if self._scheduler.running:
            self._scheduler.pause()
        cancelled = await self.drain(grace_s)
        self.shutdown()
        return cancelled

    async def run_for(self, seconds: float | None = None) -> None:
        """Start, run ``seconds`` (forever when None), then shut down."""
        self.start()
        try:
            if seconds is None:
                await asyncio.Event().wait()
            else:
                await asyncio.sleep(seconds)
        finally:
            await self.stop(0)
