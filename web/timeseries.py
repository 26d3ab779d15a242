"""Read measurements for the console from the time-series sink, degrading to "no data yet".

The sink (``nms.sink.open_sink(config)``, another component) is opened lazily on first use. The
console must keep working when it cannot be opened, fails a read, or holds nothing: every
method here returns an empty answer then, and pages say "no data yet".

What is read (sample schema of style.md 2.3):

* ``device_health`` ``cpu_percent`` / ``memory_percent``: ``Sink.aggregate(..., "mean")`` per
  bucket, so a 30-day chart is a few hundred points whatever the store holds;
* ``interface`` ``in_octets`` / ``out_octets``: raw counters, so the last value per bucket and
  interface (``"last"``, grouped by ``ifname``) is read and the rate is computed here between
  consecutive buckets with data, skipping counter resets; the device's traffic is the sum
  over its interfaces. The rate divides by the distance between bucket starts, which is only
  right when every bucket holds the same number of polls: buckets are therefore a whole
  multiple (at least two) of the device's polling interval, leaving an error of about
  jitter / bucket width;
* ``poll_status`` ``reachable``: the newest poll of each device within three polling
  intervals gives its state; older or missing means unknown, never "down".
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from nms.config import Config
from nms.models import utcnow

log = logging.getLogger(__name__)

RANGES: dict[str, int] = {"1h": 3600, "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400,
                          "30d": 30 * 86400}
DEFAULT_RANGE = "6h"
MAX_POINTS = 240
REOPEN_AFTER_S = 60.0
#: seconds one reading of every device's latest poll is reused (see ``reachability``)
REACHABILITY_TTL_S = 5.0
HEALTH_FIELDS = ("cpu_percent", "memory_percent")
COUNTERS = (("in_octets", "in_bps"), ("out_octets", "out_bps"))


def _ms(t: datetime) -> float:
    return t.timestamp() * 1000.0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class TimeSeries:
    """The console's view of the sink: opened lazily, failures become "no data"."""

    def __init__(self, config: Config, sink: Any = None, *,
                 reachability_ttl_s: float = REACHABILITY_TTL_S) -> None:
        self.config = config
        self._sink = sink
        self._next_try = 0.0
        self.reachability_ttl_s = reachability_ttl_s
        self._reachability: tuple[float, dict[str, bool]] | None = None
        self._lock = threading.Lock()

    def set_sink(self, sink: Any) -> None:
        """Use ``sink`` from now on (tests; an application that already holds a sink)."""
        self._sink = sink
        self._reachability = None

    def sink(self) -> Any | None:
        """The sink, opened on first use; None while it cannot be opened (retried each minute)."""
        if self._sink is not None or time.monotonic() < self._next_try:
            return self._sink
        try:
            from nms.sink import open_sink

            self._sink = open_sink(self.config, spool=False)  # the console only reads
        except Exception as exc:  # noqa: BLE001 - any sink failure means "no data yet"
            self._next_try = time.monotonic() + REOPEN_AFTER_S
            log.warning("cannot open the time-series sink (%s): %s", self.config.sink.type, exc)
        return self._sink

    @property
    def available(self) -> bool:
        """Whether a sink could be opened."""
        return self.sink() is not None

    def _read(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        sink = self.sink()
        if sink is None:
            return []
        try:
            return list(getattr(sink, method)(*args, **kwargs) or [])
        except Exception as exc:  # noqa: BLE001 - a failing read is "no data", never a 500
            log.warning("sink %s%s failed: %s", method, args[:2], exc)
            return []

    def device_metrics(self, device: str, range_key: str = DEFAULT_RANGE, *, interval_s: int = 300,
                       now: datetime | None = None) -> dict[str, Any]:
        """Traffic (bit/s, summed over interfaces), CPU and memory of ``device`` over a range.

        Args:
            device: device name (the ``device`` tag).
            range_key: one of ``RANGES``.
            interval_s: the device's polling interval; buckets are whole multiples of it.
            now: end of the range (default: now).

        Returns:
            ``{"range": "6h", "start": ms, "end": ms, "step_s": 90, "series": {"in_bps":
            [[ms, v], ...], "out_bps": [...], "cpu_percent": [...], "memory_percent": [...]},
            "has_data": bool, "sink": bool}``; times are epoch milliseconds (bucket starts).
        """
        range_key = range_key if range_key in RANGES else DEFAULT_RANGE
        seconds = RANGES[range_key]
        end = now or utcnow()
        start = end - timedelta(seconds=seconds)
        interval_s = max(int(interval_s), 1)
        polls_per_bucket = max(2, math.ceil(seconds / MAX_POINTS / interval_s))
        every = timedelta(seconds=polls_per_bucket * interval_s)
        where = {"device": device}
        series: dict[str, list[list[float]]] = {}

        for name in HEALTH_FIELDS:
            points: list[list[float]] = []
            for group in self._read("aggregate", "device_health", name, "mean", every,
                                    tags=where, start=start, end=end):
                points += [[_ms(t), round(v, 2)] for t, raw in group.points
                           if (v := _number(raw)) is not None]
            series[name] = sorted(points)

        for counter, out in COUNTERS:
            totals: dict[datetime, float] = defaultdict(float)
            for group in self._read("aggregate", "interface", counter, "last", every,
                                    group_by_tags=["ifname"], tags=where, start=start, end=end):
                prev: tuple[datetime, float] | None = None
                for t, raw in group.points:
                    value = _number(raw)
                    if value is None:
                        continue
                    if prev is not None and value >= prev[1]:  # lower: counter reset, skip
                        totals[t] += (value - prev[1]) * 8.0 / (t - prev[0]).total_seconds()
                    prev = (t, value)
            series[out] = [[_ms(t), round(v, 1)] for t, v in sorted(totals.items())]

        return {"range": range_key, "start": _ms(start), "end": _ms(end),
                "step_s": int(every.total_seconds()), "series": series,
                "has_data": any(series.values()), "sink": self.available}

    def recent(self, measurement: str, fields: list[str] | None, seconds: float,
               now: datetime | None = None) -> list[Any]:
        """Raw samples of ``measurement`` from the last ``seconds`` (``[]`` without a sink)."""
        end = now or utcnow()
        return self._read("query", measurement, fields=fields,
                          start=end - timedelta(seconds=seconds), end=end + timedelta(seconds=1))

    def reachability(self, now: datetime | None = None) -> dict[str, bool]:
        """Latest ``poll_status.reachable`` per device name, from recent polls only.

        Devices with no recent poll are absent (their state is unknown, not down). The answer
        for "now" is reused for ``reachability_ttl_s`` seconds: it scans every device's recent
        polls (hundreds of milliseconds for thousands of devices), and the dashboard, the
        device list and the topology all ask for it; polls come minutes apart.
        """
        if now is None and self.reachability_ttl_s > 0:
            with self._lock:  # one reader at a time; those waiting take its answer
                cached = self._reachability
                if cached is None or time.monotonic() - cached[0] >= self.reachability_ttl_s:
                    cached = (time.monotonic(), self._reachability_at(utcnow()))
                    self._reachability = cached
            return cached[1]
        return self._reachability_at(now or utcnow())

    def _reachability_at(self, end: datetime) -> dict[str, bool]:
        window = 3 * max(self.config.polling.intervals_s.values(), default=300)
        latest: dict[str, tuple[datetime, bool]] = {}
        for sample in self._read("query", "poll_status", fields=["reachable"],
                                 start=end - timedelta(seconds=window), end=end + timedelta(seconds=1)):
            name = sample.tags.get("device")
            if name and "reachable" in sample.fields and (
                    name not in latest or latest[name][0] <= sample.time):
                latest[name] = (sample.time, bool(sample.fields["reachable"]))
        return {name: up for name, (_t, up) in latest.items()}
