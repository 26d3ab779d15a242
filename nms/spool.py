"""Durable on-disk spool: samples wait here while the time-series store is unreachable.

Why: a county network keeps polling when the InfluxDB server (or its link) is down, restarting
or refusing our credentials. Losing those samples would leave holes exactly where operators look
("what happened during the outage?"). So ``SpooledSink`` -- what ``nms.sink.open_sink`` returns --
writes through to the store while it answers, and on ``SinkUnavailableError`` appends the batch to
a local SQLite file instead, then replays it in order, with the samples' original timestamps, once
the store is back.

Guarantees:
  * A sample is *acknowledged* when ``write`` returns without error: it is then either in the
    store or committed to the spool file (WAL, ``synchronous=FULL``), so neither a crash of the
    nms process nor a power cut loses it.
  * Replay is at-least-once and the stores are idempotent (point identity = measurement + tags +
    time), so the database holds every sample exactly once afterwards. A batch is removed from
    the spool only after the store acknowledged it.
  * Order is kept: while anything is spooled, new samples queue behind it (so a later value of the
    same point still wins).
  * Memory is bounded: replay streams ``replay_chunk`` samples at a time, whatever the spool size.
  * The spool is bounded by ``sink.spool.max_mb`` (compressed payload bytes). Above
    ``warn_percent`` it logs a warning, ``SpooledSink.spool_status.warning`` turns true and a
    ``spool_status`` sample is written; when full, new batches are refused with
    ``SpoolFullError`` (logged) -- never dropped silently. What was spooled is never evicted.

Layout: one table ``batch(id AUTOINCREMENT, spooled_us, n, bytes, payload)``; ``payload`` is
zlib-compressed JSON ``[[measurement, tags, fields, time_us], ...]`` of at most ``ROW_SAMPLES``
samples. ``id`` order is replay order. A row that cannot be decoded is moved to ``quarantine``
(and logged) instead of blocking the rows behind it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from nms.errors import SinkError
from nms.models import Sample, utcnow
from nms.sink import (
    FIVE_MINUTES,
    AggregateFn,
    SamplesRejectedError,
    Series,
    Sink,
    SinkUnavailableError,
    TagFilter,
    from_us,
    partition,
    to_us,
)

if TYPE_CHECKING:
    from nms.config import Config

log = logging.getLogger(__name__)

#: samples per spool row; a replay reads whole rows
ROW_SAMPLES = 1000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spooled_us INTEGER NOT NULL,
    n INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    spooled_us INTEGER NOT NULL,
    n INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    payload BLOB NOT NULL
);
"""


class SpoolFullError(SinkError):
    """The spool reached ``max_mb``; the batch was NOT stored anywhere."""


@dataclass(frozen=True, slots=True)
class SpoolStatus:
    """How full the spool is. ``warning`` is the state operators must see."""

    queued_samples: int
    queued_bytes: int
    capacity_bytes: int
    warn_percent: int
    oldest: datetime | None = None  # when the oldest queued batch was spooled

    @property
    def used_percent(self) -> float:
        """Queued bytes as a percentage of the capacity."""
        return 100.0 * self.queued_bytes / self.capacity_bytes if self.capacity_bytes else 100.0

    @property
    def warning(self) -> bool:
        """True above ``warn_percent``: the outage is long and the spool will soon refuse data."""
        return self.used_percent >= self.warn_percent

    def sample(self, sink: str, when: datetime | None = None) -> Sample:
        """The ``spool_status`` sample recording this state (see docs/schema.md)."""
        fields: dict[str, int | float | bool] = {
            "queued_samples": self.queued_samples,
            "queued_bytes": self.queued_bytes,
            "capacity_bytes": self.capacity_bytes,
            "used_percent": round(self.used_percent, 3),
            "warning": self.warning,
        }
        if self.oldest is not None:
            fields["oldest_age_seconds"] = round(max(0.0, (utcnow() - self.oldest).total_seconds()), 3)
        return Sample("spool_status", {"sink": sink}, fields, when or utcnow())


def _encode(samples: Sequence[Sample]) -> bytes:
    rows = [[s.measurement, s.tags, s.fields, to_us(s.time)] for s in samples]
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return zlib.compress(text.encode(), 1)


def _decode(payload: bytes) -> list[Sample]:
    rows = json.loads(zlib.decompress(payload))
    # checked again when replayed: the file may come from an nms with other rules
    return [Sample(m, tags, fields, from_us(t)) for m, tags, fields, t in rows]


class Spool:
    """A FIFO of sample batches in a SQLite file; safe for several threads and processes.

    Example::

        spool = Spool("data/spool.db", max_mb=512)
        spool.append(samples)            # durable when it returns
        for ids, batch in [spool.peek(5000)]: sink.write(batch); spool.remove(ids)
    """

    def __init__(self, path: str | Path, *, max_mb: float = 512, warn_percent: int = 80) -> None:
        self.path = Path(path)
        self.capacity_bytes = int(max_mb * 1024 * 1024)
        self.warn_percent = warn_percent
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                       isolation_level=None)
            # auto_vacuum must be chosen before the first table exists; it lets a drained
            # spool give its pages back to the file system
            self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # acknowledged = on disk
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise SinkError(f"cannot open spool {self.path}: {exc}") from exc

    @classmethod
    def from_config(cls, config: Config) -> Spool:
        """The spool at ``sink.spool.path`` (default ``<data_dir>/spool.db``)."""
        sp = config.sink.spool
        path = Path(sp.path) if sp.path else config.data_path / "spool.db"
        return cls(path, max_mb=sp.max_mb, warn_percent=sp.warn_percent)

    def status(self) -> SpoolStatus:
        """Current fill level, read from the file (so other processes' batches count too)."""
        with self._lock:
            n, size, oldest = self._db.execute(
                "SELECT coalesce(sum(n), 0), coalesce(sum(bytes), 0), min(spooled_us) FROM batch"
            ).fetchone()
        return SpoolStatus(n, size, self.capacity_bytes, self.warn_percent,
                           from_us(oldest) if oldest is not None else None)

    def __len__(self) -> int:
        return self.status().queued_samples

    def append(self, samples: Sequence[Sample]) -> None:
        """Queue ``samples`` after everything already spooled; durable when this returns.

        Raises:
            SpoolFullError: the batch would take the spool past ``max_mb``; nothing was queued.
            SinkError: the spool file cannot be written (disk full, permissions).
        """
        if not samples:
            return
        rows = []
        now_us = to_us(utcnow())
        for i in range(0, len(samples), ROW_SAMPLES):
            chunk = samples[i : i + ROW_SAMPLES]
            payload = _encode(chunk)
            rows.append((now_us, len(chunk), len(payload), payload))
        new_bytes = sum(r[2] for r in rows)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    (queued,) = self._db.execute(
                        "SELECT coalesce(sum(bytes), 0) FROM batch").fetchone()
                    if queued + new_bytes > self.capacity_bytes:
                        raise SpoolFullError(
                            f"spool {self.path} is full ({queued / 1048576:.1f} of "
                            f"{self.capacity_bytes / 1048576:.0f} MB): {len(samples)} sample(s) "
                            "NOT stored; raise sink.spool.max_mb or bring the sink back")
                    self._db.executemany(
                        "INSERT INTO batch (spooled_us, n, bytes, payload) VALUES (?, ?, ?, ?)", rows)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise SinkError(f"cannot write spool {self.path}: {exc}") from exc

    def peek(self, max_samples: int) -> tuple[list[int], list[Sample]]:
        """The oldest rows holding about ``max_samples`` samples (at least one row), in order.

        Returns:
            ``(row_ids, samples)``; pass ``row_ids`` to ``remove`` once the store has them.
        """
        ids: list[int] = []
        samples: list[Sample] = []
        last = 0
        with self._lock:
            while len(samples) < max_samples:
                row = self._db.execute(
                    "SELECT id, payload FROM batch WHERE id > ? ORDER BY id LIMIT 1", (last,)
                ).fetchone()
                if row is None:
                    break
                last = row[0]
                try:
                    batch = _decode(row[1])
                except (zlib.error, ValueError, TypeError) as exc:
                    # a damaged row (disk error, manual edit) must not block every row behind
                    # it; it is kept in the quarantine table for a human to look at
                    log.error("spool %s: batch %d is unreadable (%s); moved to table "
                              "'quarantine'", self.path, row[0], exc)
                    self._db.execute("BEGIN IMMEDIATE")
                    self._db.execute("INSERT OR REPLACE INTO quarantine SELECT * FROM batch "
                                     "WHERE id = ?", (row[0],))
                    self._db.execute("DELETE FROM batch WHERE id = ?", (row[0],))
                    self._db.execute("COMMIT")
                    continue
                ids.append(row[0])
                samples.extend(batch)
        return ids, samples

    def remove(self, ids: Sequence[int]) -> None:
        """Forget rows the store has acknowledged."""
        if not ids:
            return
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = list(ids[i : i + 500])
                self._db.execute(f"DELETE FROM batch WHERE id IN ({','.join('?' * len(chunk))})",
                                 chunk)

    def compact(self) -> None:
        """Give the pages of replayed rows back to the file system (after a drain)."""
        with self._lock:
            self._db.execute("PRAGMA incremental_vacuum")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the file; queued batches stay for the next start."""
        with self._lock:
            self._db.close()


class SpooledSink(Sink):
    """A ``Sink`` that spools to disk whenever the wrapped one is unavailable.

    Reads go straight to the wrapped sink (spooled samples are not visible until replayed).
    A background thread retries every ``retry_interval_s``; ``replay()`` does it on demand.

    Args:
        inner: the real store.
        spool: where samples wait.
        retry_interval_s: pause between replay attempts while the store is down.
        replay_chunk: samples per replayed write (bounds replay memory).
        background: run the replay thread (tests of ordering may drive ``replay`` themselves).
        status_every_s: while spooling, write a ``spool_status`` sample at most this often.
    """

    def __init__(self, inner: Sink, spool: Spool, *, retry_interval_s: float = 5.0,
                 replay_chunk: int = 10_000, background: bool = True,
                 status_every_s: float = 60.0) -> None:
        self.inner = inner
        self.spool = spool
        self.retry_interval_s = retry_interval_s
        self.replay_chunk = replay_chunk
        self.status_every_s = status_every_s
        self._lock = threading.Lock()  # decides write-through vs spool; held for spool appends
        self._replay_lock = threading.Lock()  # one replay at a time
        self._backlog = len(spool) > 0
        self._warned = False
        self._last_status = 0.0
        self._last_error: str | None = None
        self.rejected_on_replay = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        if self._backlog:
            log.warning("%s sink: %d sample(s) left in spool %s from an earlier run; replaying",
                        inner.name, len(spool), spool.path)
        if background:
            self._thread = threading.Thread(target=self._run, name=f"spool-{inner.name}",
                                            daemon=True)
            self._thread.start()

    @property
    def name(self) -> str:  # type: ignore[override]
        """The wrapped sink's name."""
        return self.inner.name

    @classmethod
    def from_config(cls, config: Config) -> Sink:
        """Same as ``nms.sink.open_sink(config)``."""
        from nms.sink import open_sink

        return open_sink(config)

    # ---- state ---------------------------------------------------------------------------

    @property
    def spooling(self) -> bool:
        """True while samples wait in the spool (the store was or is unavailable)."""
        return self._backlog

    @property
    def spool_status(self) -> SpoolStatus:
        """Fill level of the spool; ``.warning`` is true above ``warn_percent``."""
        return self.spool.status()

    @property
    def last_error(self) -> str | None:
        """Why the store was last unavailable (None once a replay drained the spool)."""
        return self._last_error

    # ---- writes --------------------------------------------------------------------------

    def write(self, samples: Sequence[Sample]) -> None:
        """Write through to the store, or spool when it is unavailable or a backlog exists.

        Raises:
            SamplesRejectedError: samples breaking an input rule (the others are stored/spooled).
            SpoolFullError: the store is down and the spool is full; the batch is not stored.
        """
        good, bad = partition(samples)
        if good:
            spooled = False
            with self._lock:
                if self._backlog:
                    self._spool_locked(good)
                    spooled = True
            if not spooled:
                try:
                    self.inner.write(good)
                except SinkUnavailableError as exc:
                    self._on_unavailable(exc)
                    with self._lock:
                        self._spool_locked(good)
                except SamplesRejectedError as exc:
                    bad.extend(exc.rejected)
                    if not exc.rejected:
                        raise
        if bad:
            raise SamplesRejectedError.from_rejected(bad, self.inner.name)

    def _spool_locked(self, samples: Sequence[Sample]) -> None:
        try:
            self.spool.append(samples)
        except SpoolFullError as exc:
            log.error("%s sink: %s", self.inner.name, exc)
            raise
        first = not self._backlog
        self._backlog = True
        self._report(first)
        self._wake.set()

    def _on_unavailable(self, exc: SinkError) -> None:
        if self._last_error is None:
            log.warning("%s sink unavailable, spooling samples to %s: %s",
                        self.inner.name, self.spool.path, exc)
        self._last_error = str(exc)

    def _report(self, force: bool) -> None:
        """Log crossings of ``warn_percent``; queue a ``spool_status`` sample on changes and
        every ``status_every_s`` while spooling (it is replayed with the rest, so the database
        keeps a record of the outage)."""
        status = self.spool.status()
        crossed = status.warning != self._warned
        if crossed and status.warning:
            log.warning("%s sink: spool %s is %.0f%% full (%d samples, warning at %d%%); the "
                        "sink has been unavailable since %s", self.inner.name, self.spool.path,
                        status.used_percent, status.queued_samples, status.warn_percent,
                        status.oldest.isoformat() if status.oldest else "?")
        self._warned = status.warning
        now = time.monotonic()
        if not (force or crossed) and now - self._last_status < self.status_every_s:
            return
        self._last_status = now
        try:
            self.spool.append([status.sample(self.inner.name)])
        except SinkError as exc:  # full: the status sample cannot be kept either
            log.error("%s sink: cannot record spool_status: %s", self.inner.name, exc)

    def replay(self) -> int:
        """Push spooled samples to the store, oldest first, until the spool is empty.

        Returns:
            The number of samples the store acknowledged.

        Raises:
            SinkUnavailableError: the store is still down; the rest stays spooled.
        """
        done = 0
        was_backlogged = False
        first_us: int | None = None
        last_us: int | None = None
        with self._replay_lock:
            while True:
                ids, batch = self.spool.peek(self.replay_chunk)
                if not ids:
                    with self._lock:
                        if len(self.spool) == 0:
                            was_backlogged = self._backlog
                            self._backlog = False
                            break
                    continue
                try:
                    self.inner.write(batch)
                except SinkUnavailableError as exc:
                    self._on_unavailable(exc)
                    raise
                except SamplesRejectedError as exc:
                    # These can never be stored (type conflict, beyond retention...). They are
                    # not silently lost: the error is logged and counted in rejected_on_replay.
                    count = len(exc.rejected) or 1
                    self.rejected_on_replay += count
                    log.error("%s sink: store rejected spooled samples, removing them from the "
                              "spool: %s", self.inner.name, exc)
                self.spool.remove(ids)
                done += len(batch)
                times = [to_us(sample.time) for sample in batch]
                lo, hi = min(times), max(times)
                first_us = lo if first_us is None else min(first_us, lo)
                last_us = hi if last_us is None else max(last_us, hi)
        if was_backlogged:
            log.warning("%s sink is back: replayed %d spooled sample(s)", self.inner.name, done)
            self._last_error = None
            self._warned = False
            self.spool.compact()
            self._write_quietly([self.spool.status().sample(self.inner.name)])
            if first_us is not None and last_us is not None:
                self.inner.after_replay(from_us(first_us), from_us(last_us))
        return done

    def _write_quietly(self, samples: list[Sample]) -> None:
        try:
            self.write(samples)
        except SinkError as exc:
            log.error("%s sink: cannot record spool_status: %s", self.inner.name, exc)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry_interval_s if self._backlog else None)
            self._wake.clear()
            if self._stop.is_set():
                break
            if not self._backlog:
                continue
            try:
                self.replay()
            except SinkUnavailableError:
                with self._lock:
                    if self._backlog:
                        self._report(False)
                self._stop.wait(self.retry_interval_s)
            except Exception:  # the thread must survive anything; the next attempt may work
                log.exception("%s sink: spool replay failed", self.inner.name)
                self._stop.wait(self.retry_interval_s)

    def flush(self) -> None:
        """Flush the store and try a replay now; a still-unavailable store is not an error."""
        self.inner.flush()
        if self._backlog:
            try:
                self.replay()
            except SinkUnavailableError as exc:
                log.info("%s sink: still unavailable, %d sample(s) stay spooled: %s",
                         self.inner.name, len(self.spool), exc)

    def close(self) -> None:
        """Stop the replay thread and close store and spool; spooled samples stay on disk."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        try:
            self.inner.close()
        finally:
            self.spool.close()

    # ---- reads: the store's ------------------------------------------------------------

    def query(self, measurement: str, *, tags: TagFilter | None = None,
              fields: Sequence[str] | None = None, start: datetime | None = None,
              end: datetime | None = None) -> list[Sample]:
        """See ``Sink.query``; spooled samples are not included until replayed."""
        return self.inner.query(measurement, tags=tags, fields=fields, start=start, end=end)

    def aggregate(self, measurement: str, field: str, fn: AggregateFn, every: timedelta, *,
                  group_by_tags: Sequence[str] = (), tags: TagFilter | None = None,
                  start: datetime, end: datetime) -> list[Series]:
        """See ``Sink.aggregate``."""
        return self.inner.aggregate(measurement, field, fn, every, group_by_tags=group_by_tags,
                                    tags=tags, start=start, end=end)

    def availability(self, start: datetime, end: datetime, every: timedelta = FIVE_MINUTES,
                     devices: Sequence[str] | None = None
                     ) -> dict[str, list[tuple[datetime, float | None]]]:
        """See ``Sink.availability``."""
        return self.inner.availability(start, end, every, devices)

    def _reachable_counts(self, start_us: int, buckets: range, devices: Sequence[str] | None
                          ) -> dict[str, tuple[list[int], list[int]]]:
        return self.inner._reachable_counts(start_us, buckets, devices)
