"""Embedded SQLite sink: the default store, sized for a county of a few hundred devices.

Why: most county sites run nms on one small server without an InfluxDB to look after. One
SQLite file in WAL mode (readers -- the console -- never block the poller) holds the raw samples
for ``sink.raw_retention_days``.

Schema (version 1; docs/schema.md has the sample schema itself):
  ``series(id, measurement, tags)``   one row per measurement + canonical tag set (sorted JSON,
                                      empty tags dropped), UNIQUE(measurement, tags)
  ``points(series_id, time_us, fields)``  one row per point, PRIMARY KEY(series_id, time_us),
                                      WITHOUT ROWID: the table *is* the (series, time) index, so
                                      a series' range scan is one B-tree walk. ``fields`` is a
                                      JSON object keeping int/float/bool/str apart. The key gives
                                      InfluxDB's point identity: re-writing a point merges fields
                                      (``json_patch``), so spool replays are idempotent.
  ``field_types(measurement, field, type)``  first-write type of each field (InfluxDB's rule).
  ``meta(key, value)``                schema version.

Retention: points older than ``raw_retention_days`` are deleted at most once an hour during
writes (``enforce_retention`` does it on demand). There are no rollups here; reports over longer
periods need the InfluxDB sink.

Sizing: 500 devices x 60 interfaces x one point a minute is 43 M rows per 30 days, roughly
3-4 GB. Inserts are batched (``executemany`` in one transaction per ``batch_size`` samples).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nms import registry
from nms.errors import SinkError
from nms.models import FieldValue, Sample, utcnow
from nms.sink import (
    AggregateFn,
    FieldTypes,
    SamplesRejectedError,
    Series,
    Sink,
    SinkUnavailableError,
    TagFilter,
    bucket_starts,
    check_aggregate,
    every_us,
    from_us,
    normalize_tags,
    partition,
    reduce_values,
    sort_samples,
    tag_matches,
    to_us,
)

if TYPE_CHECKING:
    from nms.config import Config

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    measurement TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (measurement, tags)
);
CREATE TABLE IF NOT EXISTS points (
    series_id INTEGER NOT NULL REFERENCES series (id),
    time_us INTEGER NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (series_id, time_us)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS field_types (
    measurement TEXT NOT NULL,
    field TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (measurement, field)
) WITHOUT ROWID;
"""
_UPSERT = ("INSERT INTO points (series_id, time_us, fields) VALUES (?, ?, ?) "
           "ON CONFLICT (series_id, time_us) DO UPDATE SET fields = json_patch(fields, excluded.fields)")
#: SQLite's bound-parameter limit is 32766; stay well below for IN lists
_IDS_PER_QUERY = 500
_RETENTION_EVERY_S = 3600.0


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      sort_keys=True)


#: fields are encoded for every point: json.dumps with default arguments uses a cached encoder
#: and is the fastest way (non-ASCII text is stored as \\u escapes; NaN never gets this far)
_fields_json = json.dumps


def _translate(exc: sqlite3.Error, what: str, path: Path) -> SinkError:
    """Locked or full databases are transient (spool and retry); anything else is a SinkError."""
    text = str(exc)
    transient = isinstance(exc, sqlite3.OperationalError) and any(
        word in text for word in ("locked", "busy", "disk", "full", "unable to open", "I/O"))
    cls = SinkUnavailableError if transient else SinkError
    return cls(f"sqlite sink {path}: {what} failed: {text}")


@registry.sinks.register
class SqliteSink(Sink):
    """Samples in one SQLite file (WAL). See the module docstring for the schema.

    Args:
        path: the database file; its directory is created.
        raw_retention_days: points older than this are deleted (0 keeps everything).
        batch_size: samples per insert transaction.
    """

    name = "sqlite"

    def __init__(self, path: str | Path, *, raw_retention_days: int = 30,
                 batch_size: int = 5000) -> None:
        self.path = Path(path)
        self.raw_retention_days = raw_retention_days
        self.batch_size = max(1, batch_size)
        self._lock = threading.RLock()
        self._series_ids: dict[tuple[Any, ...], int] = {}
        self._types = FieldTypes()
        self._last_retention = time.monotonic()  # first pass an hour after start
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives process crashes; the spool (FULL) covers the rest
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-65536")  # 64 MB page cache
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                             (SCHEMA_VERSION,))
            for measurement, key, kind in self._db.execute("SELECT * FROM field_types"):
                self._types.set(measurement, key, kind)
        except sqlite3.Error as exc:
            raise _translate(exc, "open", self.path) from exc
        except OSError as exc:
            raise SinkError(f"sqlite sink {self.path}: cannot create directory: {exc}") from exc

    @classmethod
    def from_config(cls, config: Config) -> SqliteSink:
        """The file at ``sink.path`` (default ``<data_dir>/samples.db``)."""
        path = Path(config.sink.path) if config.sink.path else config.data_path / "samples.db"
        return cls(path, raw_retention_days=config.sink.raw_retention_days,
                   batch_size=config.sink.batch_size)

    # ---- writes --------------------------------------------------------------------------

    def write(self, samples: Sequence[Sample]) -> None:
        """Insert samples in ``batch_size`` transactions; re-written points merge fields."""
        good, bad = partition(samples)
        with self._lock:
            ok, conflicts, new_types = self._types.split(good)
            bad.extend(conflicts)
            try:
                for i in range(0, len(ok), self.batch_size):
                    self._insert(ok[i : i + self.batch_size], new_types if i == 0 else {})
            except sqlite3.Error as exc:
                raise _translate(exc, "write", self.path) from exc
            self._types.learn(new_types)
            if self.raw_retention_days and (
                    time.monotonic() - self._last_retention > _RETENTION_EVERY_S):
                self._last_retention = time.monotonic()
                try:
                    self.enforce_retention()
                except SinkError as exc:
                    log.warning("%s", exc)
        if bad:
            raise SamplesRejectedError.from_rejected(bad, self.name)

    def _insert(self, batch: Sequence[Sample], new_types: dict[tuple[str, str], str]) -> None:
        db = self._db
        cached: list[tuple[Any, ...]] = []  # cache keys added in this transaction
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = []
            for s in batch:
                # the tags as given are the cache key; canonical JSON only on a miss
                key = (s.measurement, *s.tags.items())
                sid = self._series_ids.get(key)
                if sid is None:
                    canonical = (s.measurement, _json(normalize_tags(s.tags)))
                    db.execute("INSERT OR IGNORE INTO series (measurement, tags) VALUES (?, ?)",
                               canonical)
                    (sid,) = db.execute("SELECT id FROM series WHERE measurement = ? AND tags = ?",
                                        canonical).fetchone()
                    self._series_ids[key] = sid
                    cached.append(key)
                rows.append((sid, to_us(s.time), _fields_json(s.fields)))
            db.executemany(_UPSERT, rows)
            if new_types:
                db.executemany("INSERT OR IGNORE INTO field_types VALUES (?, ?, ?)",
                               [(m, f, t) for (m, f), t in new_types.items()])
            db.execute("COMMIT")
        except BaseException:
            # ids of series inserted by the rolled-back transaction must not stay cached
            for key in cached:
                self._series_ids.pop(key, None)
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        if len(self._series_ids) > 200_000:  # tag orders or churn: start over, it is a cache
            self._series_ids.clear()

    def enforce_retention(self, now: datetime | None = None) -> int:
        """Delete points older than ``raw_retention_days``; returns how many were deleted."""
        if not self.raw_retention_days:
            return 0
        cutoff = to_us((now or utcnow()) - timedelta(days=self.raw_retention_days))
        deleted = 0
        with self._lock:
            try:
                ids = [r[0] for r in self._db.execute("SELECT id FROM series")]
                # one series at a time: each DELETE is a short range on the primary key, so the
                # console's readers and the next write are never held up for long
                for sid in ids:
                    cur = self._db.execute(
                        "DELETE FROM points WHERE series_id = ? AND time_us < ?", (sid, cutoff))
                    deleted += cur.rowcount
            except sqlite3.Error as exc:
                raise _translate(exc, "retention delete", self.path) from exc
        if deleted:
            log.info("sqlite sink %s: deleted %d point(s) older than %d days", self.path, deleted,
                     self.raw_retention_days)
        return deleted

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()

    # ---- reads ---------------------------------------------------------------------------

    def _find_series(self, measurement: str, tags: TagFilter | None
                     ) -> dict[int, dict[str, str]]:
        with self._lock:
            try:
                rows = self._db.execute("SELECT id, tags FROM series WHERE measurement = ?",
                                        (measurement,)).fetchall()
            except sqlite3.Error as exc:
                raise _translate(exc, "read", self.path) from exc
        found = {}
        for sid, text in rows:
            tagdict = json.loads(text)
            if tag_matches(tagdict, tags):
                found[sid] = tagdict
        return found

    def _per_series(self, sql: str, ids: Iterable[int], params: Sequence[Any]
                    ) -> Iterator[tuple[int, list[Any]]]:
        """Run ``sql`` once per series id, which is bound after ``params``; yields (id, rows).

        One series at a time: each query is a range scan of the primary key, and a GROUP BY
        over one series' rows stays small (grouping many series at once spills into a large
        temporary B-tree, about twice as slow).
        """
        for sid in ids:
            with self._lock:
                try:
                    rows = self._db.execute(sql, (*params, sid)).fetchall()
                except sqlite3.Error as exc:
                    raise _translate(exc, "read", self.path) from exc
            yield sid, rows

    def query(self, measurement: str, *, tags: TagFilter | None = None,
              fields: Sequence[str] | None = None, start: datetime | None = None,
              end: datetime | None = None) -> list[Sample]:
        """See ``Sink.query``."""
        series = self._find_series(measurement, tags)
        lo = to_us(start) if start is not None else -(2**63)
        hi = to_us(end) if end is not None else 2**63 - 1
        out = []
        sql = "SELECT time_us, fields FROM points WHERE time_us >= ?1 AND time_us < ?2 AND series_id = ?3"
        for sid, rows in self._per_series(sql, sorted(series), (lo, hi)):
            for t, text in rows:
                values: dict[str, FieldValue] = json.loads(text)
                if fields is not None:
                    values = {f: values[f] for f in fields if f in values}
                    if not values:
                        continue
                out.append(Sample(measurement, dict(series[sid]), values, from_us(t)))
        return sort_samples(out)

    def aggregate(self, measurement: str, field: str, fn: AggregateFn, every: timedelta, *,
                  group_by_tags: Sequence[str] = (), tags: TagFilter | None = None,
                  start: datetime, end: datetime) -> list[Series]:
        """See ``Sink.aggregate``; sums and counts run in SQL, p95 in Python."""
        check_aggregate(fn, self._field_type(measurement, field), measurement, field)
        width = every_us(every)
        lo, hi = to_us(start), to_us(end)
        buckets = bucket_starts(lo, hi, width)
        series = self._find_series(measurement, tags)
        path = "$." + json.dumps(field, ensure_ascii=False)
        params = (path, lo, hi, buckets.start, width)
        # numbered parameters: ?1 JSON path, ?2/?3 time range, ?4/?5 bucket origin and width,
        # ?6 the series. The index is non-negative: buckets.start <= lo <= time_us.
        inner = ("SELECT time_us, json_extract(fields, ?1) AS v FROM points "
                 "WHERE series_id = ?6 AND time_us >= ?2 AND time_us < ?3")
        index = "(time_us - ?4) / ?5"
        group = {sid: tuple(t.get(k, "") for k in group_by_tags) for sid, t in series.items()}
        # per group and bucket index: the state needed to combine partial results of series
        acc: dict[tuple[str, ...], dict[int, Any]] = {}
        finish: Callable[[Any], Any]
        if fn in ("mean", "sum", "count", "min", "max"):
            sql = (f"SELECT {index} AS i, sum(v), count(v), min(v), max(v) "
                   f"FROM ({inner}) WHERE v IS NOT NULL GROUP BY i")
            for sid, rows in self._per_series(sql, sorted(series), params):
                if not rows:
                    continue
                cells = acc.setdefault(group[sid], {})
                for i, total, count, low, high in rows:
                    cell = cells.get(i)
                    if cell is None:
                        cells[i] = [total, count, low, high]
                    else:
                        cell[0] += total
                        cell[1] += count
                        cell[2] = min(cell[2], low)
                        cell[3] = max(cell[3], high)
            pick = {"sum": 0, "count": 1, "min": 2, "max": 3}

            def finish(cell: Any) -> Any:
                if cell is None:
                    return 0 if fn == "count" else None
                if fn == "mean":
                    return float(cell[0]) / cell[1]
                return cell[pick[fn]]
        elif fn == "last":
            # SQLite takes the bare column v from the row holding max(time_us)
            sql = f"SELECT {index} AS i, max(time_us), v FROM ({inner}) WHERE v IS NOT NULL GROUP BY i"
            for sid, rows in self._per_series(sql, sorted(series), params):
                if not rows:
                    continue
                cells = acc.setdefault(group[sid], {})
                for i, t, v in rows:
                    if i not in cells or t > cells[i][0]:
                        cells[i] = (t, v)

            def finish(cell: Any) -> Any:
                return None if cell is None else cell[1]
        else:  # p95 needs every value of the bucket
            sql = f"SELECT {index} AS i, time_us, v FROM ({inner}) WHERE v IS NOT NULL"
            for sid, rows in self._per_series(sql, sorted(series), params):
                if not rows:
                    continue
                cells = acc.setdefault(group[sid], {})
                for i, t, v in rows:
                    cells.setdefault(i, []).append((t, v))

            def finish(cell: Any) -> Any:
                return reduce_values(fn, cell or [])
        result = []
        times = [from_us(b) for b in buckets]
        for gkey in sorted(acc):
            cells = acc[gkey]
            result.append(Series(dict(zip(group_by_tags, gkey, strict=True)),
                                 [(t, finish(cells.get(i))) for i, t in enumerate(times)]))
        return self._typed(result, measurement, field, fn)

    def _field_type(self, measurement: str, field: str) -> str | None:
        """The field's type; re-read from the file on a miss (another process may have
        written it since this one opened the database)."""
        kind = self._types.get(measurement, field)
        if kind is None:
            with self._lock:
                try:
                    row = self._db.execute("SELECT type FROM field_types WHERE measurement = ? "
                                           "AND field = ?", (measurement, field)).fetchone()
                except sqlite3.Error as exc:
                    raise _translate(exc, "read", self.path) from exc
            if row is not None:
                kind = row[0]
                self._types.set(measurement, field, kind)
        return kind

    def _typed(self, result: list[Series], measurement: str, field: str, fn: str) -> list[Series]:
        """json_extract turns booleans into 0/1; give ``last`` of a boolean field its type."""
        if fn == "last" and self._field_type(measurement, field) == "boolean":
            for series in result:
                series.points[:] = [(t, None if v is None else bool(v)) for t, v in series.points]
        return result

    def _reachable_counts(self, start_us: int, buckets: range, devices: Sequence[str] | None
                          ) -> dict[str, tuple[list[int], list[int]]]:
        wanted: TagFilter | None = {"device": list(devices)} if devices is not None else None
        series = self._find_series("poll_status", wanted)
        n = len(buckets)
        origin, step = buckets.start, buckets.step
        counts: dict[str, tuple[list[int], list[int]]] = {}
        # rows counted in Python: cheaper than SQLite's GROUP BY when, as usual, a bucket holds
        # only one or a few polls (json_extract gives 1/0 for true/false)
        sql = ("SELECT time_us, json_extract(fields, '$.reachable') FROM points "
               "WHERE time_us >= ?1 AND time_us < ?2 AND series_id = ?3")
        for sid, rows in self._per_series(sql, sorted(series), (start_us, buckets.stop)):
            device = series[sid].get("device")
            if not device or not rows:
                continue
            pair = counts.get(device)
            if pair is None:
                pair = counts[device] = ([0] * n, [0] * n)
            ups, totals = pair
            for t, up in rows:
                if up is not None:
                    i = (t - origin) // step
                    ups[i] += up
                    totals[i] += 1
        return counts
