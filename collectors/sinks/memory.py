"""In-memory sink for the web console's tests and for unit tests of anything that writes samples.

Why: web and pipeline tests need a real ``Sink`` (same input rules, same aggregation semantics as
SQLite and InfluxDB -- the contract suite in tests/sinks runs over it) without files or servers.
Everything lives in dicts and is gone at ``close``; ``needs_spool`` is False because it cannot be
unreachable.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from nms import registry
from nms.models import FieldValue, Sample
from nms.sink import (
    AggregateFn,
    FieldTypes,
    SamplesRejectedError,
    Series,
    Sink,
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

_Key = tuple[tuple[str, str], ...]


@registry.sinks.register
class MemorySink(Sink):
    """Samples in a dict: measurement -> tag set -> time (us) -> fields."""

    name = "memory"
    needs_spool = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, dict[_Key, dict[int, dict[str, FieldValue]]]] = {}
        self._types = FieldTypes()

    @classmethod
    def from_config(cls, config: Config) -> MemorySink:
        """A fresh empty store; nothing in ``config`` applies."""
        return cls()

    def write(self, samples: Sequence[Sample]) -> None:
        """Store samples, merging fields of points with the same identity."""
        good, bad = partition(samples)
        with self._lock:
            ok, conflicts, new = self._types.split(good)
            for s in ok:
                key = tuple(normalize_tags(s.tags).items())
                points = self._data.setdefault(s.measurement, {}).setdefault(key, {})
                points.setdefault(to_us(s.time), {}).update(s.fields)
            self._types.learn(new)
        bad.extend(conflicts)
        if bad:
            raise SamplesRejectedError.from_rejected(bad, self.name)

    def close(self) -> None:
        """Drop everything."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        """Number of stored points (all measurements)."""
        with self._lock:
            return sum(len(p) for series in self._data.values() for p in series.values())

    def _series(self, measurement: str, tags: TagFilter | None
                ) -> list[tuple[dict[str, str], dict[int, dict[str, FieldValue]]]]:
        with self._lock:
            found = []
            for key, points in self._data.get(measurement, {}).items():
                tagdict = dict(key)
                if tag_matches(tagdict, tags):
                    found.append((tagdict, dict(points)))
            return found

    def query(self, measurement: str, *, tags: TagFilter | None = None,
              fields: Sequence[str] | None = None, start: datetime | None = None,
              end: datetime | None = None) -> list[Sample]:
        """See ``Sink.query``."""
        lo = to_us(start) if start is not None else None
        hi = to_us(end) if end is not None else None
        out: list[Sample] = []
        for tagdict, points in self._series(measurement, tags):
            for t, values in points.items():
                if (lo is not None and t < lo) or (hi is not None and t >= hi):
                    continue
                picked = dict(values) if fields is None else {
                    f: values[f] for f in fields if f in values}
                if picked:
                    out.append(Sample(measurement, dict(tagdict), picked, from_us(t)))
        return sort_samples(out)

    def aggregate(self, measurement: str, field: str, fn: AggregateFn, every: timedelta, *,
                  group_by_tags: Sequence[str] = (), tags: TagFilter | None = None,
                  start: datetime, end: datetime) -> list[Series]:
        """See ``Sink.aggregate``."""
        check_aggregate(fn, self._types.get(measurement, field), measurement, field)
        width = every_us(every)
        lo, hi = to_us(start), to_us(end)
        buckets = bucket_starts(lo, hi, width)
        groups: dict[tuple[str, ...], dict[int, list[tuple[int, FieldValue]]]] = {}
        for tagdict, points in self._series(measurement, tags):
            gkey = tuple(tagdict.get(k, "") for k in group_by_tags)
            for t, values in points.items():
                if lo <= t < hi and field in values:
                    b = (t - buckets.start) // width
                    groups.setdefault(gkey, {}).setdefault(b, []).append((t, values[field]))
        result = []
        for gkey in sorted(groups):
            per_bucket = groups[gkey]
            points_out = [(from_us(b), reduce_values(fn, per_bucket.get(i, [])))
                          for i, b in enumerate(buckets)]
            result.append(Series(dict(zip(group_by_tags, gkey, strict=True)), points_out))
        return result

    def _reachable_counts(self, start_us: int, buckets: range, devices: Sequence[str] | None
                          ) -> dict[str, tuple[list[int], list[int]]]:
        wanted = set(devices) if devices is not None else None
        n = len(buckets)
        counts: dict[str, tuple[list[int], list[int]]] = {}
        for tagdict, points in self._series("poll_status", None):
            device = tagdict.get("device")
            if not device or (wanted is not None and device not in wanted):
                continue
            for t, values in points.items():
                reachable = values.get("reachable")
                if reachable is None or not start_us <= t < buckets.stop:
                    continue
                pair = counts.get(device)
                if pair is None:  # not setdefault: that would build the lists for every point
                    pair = counts[device] = ([0] * n, [0] * n)
                up, total = pair
                i = (t - buckets.start) // buckets.step
                total[i] += 1
                up[i] += 1 if reachable else 0
        return counts
