"""The time-series sink contract: how samples are stored and read back, and how nms opens a sink.

Why this module exists: collectors produce ``Sample`` s; the console, reports and alarms read raw
series, bucketed aggregates and device availability back. Three very different stores sit behind
that (SQLite by default, InfluxDB 1.x/2.x/3.x for larger networks, an in-memory store for tests),
so the contract is written down once here -- the ``Sink`` base class, the input rules every sink
enforces identically, and the aggregation semantics -- and ``tests/sinks`` runs one contract suite
over every implementation.

Inputs and outputs:
  * ``Sink.write(samples)`` stores ``Sample`` s. Point identity is measurement + tag set + time
    (InfluxDB's rule); writing the same identity again merges the fields, later values winning.
    That makes every write, and every spool replay, idempotent.
  * ``Sink.query`` returns raw ``Sample`` s, ``Sink.aggregate`` returns ``Series`` of
    ``(bucket_start, value)``, ``Sink.availability`` returns per-device reachable fractions
    computed from ``poll_status`` samples (field ``reachable``, tag ``device``).
  * ``open_sink(config)`` looks the implementation up in ``nms.registry.sinks`` (entry-point group
    ``nms.sinks``; nms core never imports ``collectors``) and wraps it in the durable spool
    (``nms.spool``) so that an unreachable store never loses samples.

Input rules (``check_sample``), the same for every sink so that a collector tested against the
memory sink behaves the same against InfluxDB. A sample breaking one is rejected with
``SamplesRejectedError`` naming it and the reason; the other samples of the batch are stored.
Nothing is ever dropped silently (influxdb-client's ``Point``, for one, silently skips NaN and
``None`` fields -- which is why these checks run before it):

  * float fields must be finite (InfluxDB's line protocol has no NaN/Inf);
  * integers must fit in int64 (InfluxDB's integer type); ``bool`` is its own type;
  * string fields are at most ``MAX_STRING_BYTES`` (64 KiB, InfluxDB's documented limit);
  * names (measurement, tag and field keys) and tag values may contain spaces, commas, ``=``,
    quotes and any Unicode (Chinese site names are normal here) but no control characters and no
    backslash (line protocol cannot round-trip a backslash before a special character);
  * a tag with an empty value is the same as no tag (InfluxDB cannot store empty tag values);
  * ``time`` and names starting with ``_`` are reserved (InfluxDB 1.x/2.x);
  * a field keeps the type of its first write within a measurement (InfluxDB rejects a float
    written into an integer field; the SQLite and memory sinks enforce the same rule);
  * times must lie in InfluxDB's int64-nanosecond range (1677-09-22 .. 2262-04-11) and are stored
    with microsecond precision (Python's ``datetime`` resolution).

Aggregation semantics (InfluxQL's, so all sinks agree): buckets are aligned to the Unix epoch,
``start`` is inclusive and ``end`` exclusive, every bucket from the one holding ``start`` up to
``end`` is returned for every group that has data in the range; empty buckets are ``None``
(``count``: 0). ``p95`` is the nearest-rank percentile InfluxQL's ``percentile(f, 95)`` uses.
"""

from __future__ import annotations

import abc
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

from nms import registry
from nms.errors import SinkError
from nms.models import FieldValue, Sample

if TYPE_CHECKING:
    from nms.config import Config

__all__ = [
    "AggregateFn", "CheckedSamples", "FieldTypes", "MAX_STRING_BYTES", "SamplesRejectedError", "Series", "Sink",
    "SinkUnavailableError", "TagFilter", "check_sample", "from_us", "open_sink", "reduce_values",
    "to_us",
]

AggregateFn = Literal["mean", "max", "min", "sum", "last", "count", "p95"]
AGGREGATE_FNS: tuple[str, ...] = get_args(AggregateFn)
NUMERIC_FNS = frozenset({"mean", "max", "min", "sum", "p95"})

#: tag filter for reads: exact value, or any of several values
TagFilter = Mapping[str, str | Sequence[str]]

MAX_STRING_BYTES = 64 * 1024
MAX_NAME_BYTES = 256
MAX_TAG_VALUE_BYTES = 4096
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
#: InfluxDB stores int64 nanoseconds; keep a day of margin on both ends
MIN_TIME = datetime(1677, 9, 22, tzinfo=UTC)
MAX_TIME = datetime(2262, 4, 10, tzinfo=UTC)
FIVE_MINUTES = timedelta(minutes=5)

#: InfluxDB type names, used by every sink for field types
FieldType = Literal["float", "integer", "string", "boolean"]


class SinkUnavailableError(SinkError):
    """The store cannot take the write now (down, timing out, refusing us); retry later.

    Nothing of the batch, or not all of it, is known to be stored. The spool catches this one.
    """


class SamplesRejectedError(SinkError):
    """Some samples can never be stored as they are; every other sample of the batch was stored.

    Attributes:
        rejected: ``(sample, reason)`` pairs; empty when the store did not say which ones
            (an InfluxDB "partial write" names only the first offending point).
    """

    def __init__(self, message: str, rejected: Sequence[tuple[Sample, str]] = ()) -> None:
        self.rejected = list(rejected)
        super().__init__(message)

    @classmethod
    def from_rejected(cls, rejected: Sequence[tuple[Sample, str]], sink: str) -> SamplesRejectedError:
        """Build the error for ``rejected`` with a message quoting the first few reasons."""
        head = "; ".join(reason for _, reason in rejected[:3])
        more = f" (and {len(rejected) - 3} more)" if len(rejected) > 3 else ""
        return cls(f"{sink} sink rejected {len(rejected)} sample(s): {head}{more}", rejected)


# ---- time helpers ----------------------------------------------------------------------------


def to_us(t: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (no float rounding)."""
    return (t - EPOCH) // _US


def from_us(us: int) -> datetime:
    """The aware UTC datetime ``us`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=us)


def every_us(every: timedelta) -> int:
    """``every`` in whole microseconds; SinkError unless positive."""
    us = every // _US
    if us <= 0:
        raise SinkError(f"bucket width must be positive, got {every!r}")
    return us


def bucket_starts(start_us: int, end_us: int, width_us: int) -> range:
    """Epoch-aligned bucket starts from the bucket holding ``start_us`` up to ``end_us``."""
    first = (start_us // width_us) * width_us
    return range(first, end_us, width_us)


# ---- input rules -----------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _bad_name(kind: str, name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return f"{kind} must be a non-empty string, got {name!r}"
    if len(name.encode()) > MAX_NAME_BYTES:
        return f"{kind} {name[:40]!r}... is longer than {MAX_NAME_BYTES} bytes"
    if "\\" in name:
        return f"{kind} {name!r} contains a backslash"
    if _CONTROL.search(name):
        return f"{kind} {name!r} contains a control character"
    return None


_EXACT_TYPES: dict[type, FieldType] = {bool: "boolean", int: "integer", float: "float", str: "string"}


def field_type(value: object) -> FieldType | None:
    """The InfluxDB type name of ``value``, or None when no sink can store it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


# Names and tag values that passed once: the same few hundred device names, interface names and
# field keys come back in every polling round, and checking them again costs more than writing
# (the bench's ingest figures depend on it). Cleared when large; a miss only means a slow check.
_GOOD_MEASUREMENTS: set[str] = set()
_GOOD_KEYS: set[str] = set()
_GOOD_TAG_VALUES: set[str] = set()
_CACHE_LIMIT = 100_000
_MAX_FAST_STRING = MAX_STRING_BYTES // 4  # a str this long has at most MAX_STRING_BYTES in UTF-8


def _remember(sample: Sample) -> None:
    for cache in (_GOOD_MEASUREMENTS, _GOOD_KEYS, _GOOD_TAG_VALUES):
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
    _GOOD_MEASUREMENTS.add(sample.measurement)
    _GOOD_KEYS.update(sample.tags)
    _GOOD_KEYS.update(sample.fields)
    _GOOD_TAG_VALUES.update(sample.tags.values())


def _looks_fine(sample: Sample) -> bool:
    """True when every part of ``sample`` is of a kind already known to pass."""
    if sample.measurement not in _GOOD_MEASUREMENTS:
        return False
    tags, fields = sample.tags, sample.fields
    if type(tags) is not dict or type(fields) is not dict or not fields:
        return False
    if not MIN_TIME <= sample.time <= MAX_TIME:
        return False
    for key, value in tags.items():
        if key not in _GOOD_KEYS or value not in _GOOD_TAG_VALUES:
            return False
    for key, value in fields.items():
        if key not in _GOOD_KEYS or key in tags:
            return False
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                return False
        elif kind is int:
            if not INT64_MIN <= value <= INT64_MAX:
                return False
        elif kind is str:
            if len(value) > _MAX_FAST_STRING:
                return False
        elif kind is not bool:
            return False
    return True


def check_sample(sample: Sample) -> str | None:
    """Why ``sample`` cannot be stored by any sink, or None when it can.

    The rules are listed in this module's docstring.

    Returns:
        A readable reason naming the measurement and the offending key, e.g.
        ``"interface,device=r1: field 'in_octets' is NaN (InfluxDB cannot store NaN/Inf)"``.
    """
    try:
        if _looks_fine(sample):
            return None
    except (TypeError, AttributeError):  # e.g. a naive or non-datetime time: explained below
        pass
    return _explain(sample)


def _explain(sample: Sample) -> str | None:
    """The slow, thorough check behind ``check_sample``; remembers names that passed."""
    where = sample.measurement if isinstance(sample.measurement, str) else repr(sample.measurement)
    reason = _bad_name("measurement", sample.measurement)
    if reason:
        return reason
    if where.startswith("_"):
        return f"measurement {where!r} starts with '_' (reserved)"
    if not isinstance(sample.tags, Mapping):
        return f"{where}: tags must be a mapping"
    if sample.tags:
        pairs = sorted(sample.tags.items(), key=lambda kv: str(kv[0]))
        where += ("," + ",".join(f"{k}={v}" for k, v in pairs))[:200]
    if not isinstance(sample.time, datetime) or sample.time.tzinfo is None:
        return f"{where}: time must be an aware datetime"
    if not MIN_TIME <= sample.time <= MAX_TIME:
        return f"{where}: time {sample.time.isoformat()} is outside 1677-09-22..2262-04-10"
    for key, value in sample.tags.items():
        reason = _bad_name("tag key", key)
        if reason:
            return f"{where}: {reason}"
        if key == "time" or key.startswith("_"):
            return f"{where}: tag key {key!r} is reserved"
        if not isinstance(value, str):
            return f"{where}: tag {key!r} must be a string, got {type(value).__name__}"
        if value == "":
            continue  # the same as no tag, see normalize_tags
        if len(value.encode()) > MAX_TAG_VALUE_BYTES:
            return f"{where}: tag {key!r} is longer than {MAX_TAG_VALUE_BYTES} bytes"
        if "\\" in value:
            return f"{where}: tag {key!r} value {value!r} contains a backslash"
        if _CONTROL.search(value):
            return f"{where}: tag {key!r} value {value!r} contains a control character"
    if not isinstance(sample.fields, Mapping) or not sample.fields:
        return f"{where}: sample has no fields"
    for key, value in sample.fields.items():
        reason = _bad_name("field key", key)
        if reason:
            return f"{where}: {reason}"
        if key == "time" or key.startswith("_"):
            return f"{where}: field key {key!r} is reserved"
        if key in sample.tags:
            return f"{where}: {key!r} is both a tag and a field"
        kind = field_type(value)
        if kind is None:
            return (f"{where}: field {key!r} has unsupported type {type(value).__name__} "
                    "(use int, float, str or bool)")
        if kind == "float" and not math.isfinite(value):  # type: ignore[arg-type]
            return f"{where}: field {key!r} is {value!r} (InfluxDB cannot store NaN/Inf)"
        if kind == "integer" and not INT64_MIN <= value <= INT64_MAX:  # type: ignore[operator]
            return f"{where}: field {key!r} = {value} does not fit in a signed 64-bit integer"
        if kind == "string" and len(value.encode()) > MAX_STRING_BYTES:  # type: ignore[union-attr]
            size = len(value.encode())  # type: ignore[union-attr]
            return f"{where}: field {key!r} is {size} bytes, more than {MAX_STRING_BYTES}"
    _remember(sample)
    return None


def normalize_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags sorted by key with empty values removed (an empty tag is no tag, as in InfluxDB)."""
    return {k: tags[k] for k in sorted(tags) if tags[k] != ""}


class CheckedSamples(list[Sample]):
    """A batch whose samples all passed ``check_sample`` (``partition`` does not check again).

    ``SpooledSink`` checks every batch before it writes through or spools; handing the store a
    ``CheckedSamples`` saves the second check, a tenth of the CPU an InfluxDB write costs.
    """


def partition(samples: Iterable[Sample]) -> tuple[list[Sample], list[tuple[Sample, str]]]:
    """Split ``samples`` into those every sink can store and ``(sample, reason)`` rejects."""
    if isinstance(samples, CheckedSamples):
        return samples, []
    good: list[Sample] = CheckedSamples()
    bad: list[tuple[Sample, str]] = []
    for sample in samples:
        reason = check_sample(sample)
        if reason is None:
            good.append(sample)
        else:
            bad.append((sample, reason))
    return good, bad


class FieldTypes:
    """Remembers each field's type per measurement and rejects conflicting writes.

    InfluxDB refuses to write a float into a field that already holds integers (per shard); the
    SQLite and memory sinks use this to behave the same, the InfluxDB sink to reject a conflicting
    sample before the server drops it from a batch.
    """

    def __init__(self) -> None:
        self._types: dict[str, dict[str, FieldType]] = {}

    def get(self, measurement: str, key: str) -> FieldType | None:
        """The recorded type of ``measurement.key``, or None when never written."""
        return self._types.get(measurement, {}).get(key)

    def set(self, measurement: str, key: str, kind: FieldType) -> None:
        """Record a type learned elsewhere (a database's catalogue)."""
        self._types.setdefault(measurement, {})[key] = kind

    def conflict(self, sample: Sample, pending: Mapping[tuple[str, str], FieldType] | None = None
                 ) -> str | None:
        """Why ``sample`` conflicts with a recorded (or ``pending``) field type, or None."""
        known = self._types.get(sample.measurement, {})
        for key, value in sample.fields.items():
            kind = field_type(value)
            have = known.get(key) or (pending or {}).get((sample.measurement, key))
            if have is not None and have != kind:
                return (f"{sample.measurement}: field {key!r} is {kind} but already holds {have} "
                        "values (a field keeps the type of its first write)")
        return None

    def split(self, samples: Iterable[Sample]
              ) -> tuple[list[Sample], list[tuple[Sample, str]], dict[tuple[str, str], FieldType]]:
        """Split samples by type conflicts; returns (ok, rejected, new types to ``learn``)."""
        ok: list[Sample] = []
        bad: list[tuple[Sample, str]] = []
        new: dict[tuple[str, str], FieldType] = {}
        empty: dict[str, FieldType] = {}
        for sample in samples:
            known = self._types.get(sample.measurement, empty)
            # fast path: every field already known with this exact type
            for key, value in sample.fields.items():
                if known.get(key) != _EXACT_TYPES.get(type(value)):
                    break
            else:
                ok.append(sample)
                continue
            reason = self.conflict(sample, new)
            if reason:
                bad.append((sample, reason))
                continue
            ok.append(sample)
            for key, value in sample.fields.items():
                if key not in known:
                    new.setdefault((sample.measurement, key), field_type(value))  # type: ignore[arg-type]
        return ok, bad, new

    def learn(self, new: Mapping[tuple[str, str], FieldType]) -> None:
        """Record the types returned by ``split`` once the write succeeded."""
        for (measurement, key), kind in new.items():
            self._types.setdefault(measurement, {}).setdefault(key, kind)


# ---- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Series:
    """One group of an aggregate: its tag values and ``(bucket_start, value)`` points.

    Example: ``Series(tags={"device": "r1"}, points=[(datetime(2026, 1, 1, tzinfo=UTC), 41.5),
    (datetime(2026, 1, 1, 0, 5, tzinfo=UTC), None)])``.
    """

    tags: dict[str, str]
    points: list[tuple[datetime, FieldValue | None]] = field(default_factory=list)


def reduce_values(fn: str, values: Sequence[tuple[int, Any]]) -> Any:
    """Apply aggregate ``fn`` to ``(time_us, value)`` pairs of one bucket, InfluxQL style.

    Returns None for an empty bucket, except ``count`` (0). ``mean`` is a float; ``sum``, ``min``,
    ``max``, ``last`` and ``p95`` keep the field's type; ``p95`` is the nearest-rank percentile
    (``values[floor(n * 0.95 + 0.5) - 1]`` of the sorted values).
    """
    if fn == "count":
        return len(values)
    if not values:
        return None
    if fn == "last":
        return max(values, key=lambda tv: tv[0])[1]
    nums = [v for _, v in values]
    if fn == "mean":
        return float(sum(nums)) / len(nums)
    if fn == "sum":
        return sum(nums)
    if fn == "min":
        return min(nums)
    if fn == "max":
        return max(nums)
    if fn == "p95":
        ordered = sorted(nums)
        i = math.floor(len(ordered) * 95 / 100 + 0.5) - 1
        return ordered[i] if 0 <= i < len(ordered) else None
    raise SinkError(f"unknown aggregate {fn!r} (known: {', '.join(AGGREGATE_FNS)})")


def check_aggregate(fn: str, kind: FieldType | None, measurement: str, field_key: str) -> None:
    """SinkError unless ``fn`` applies to a field of type ``kind`` (None: no data yet)."""
    if fn not in AGGREGATE_FNS:
        raise SinkError(f"unknown aggregate {fn!r} (known: {', '.join(AGGREGATE_FNS)})")
    if fn in NUMERIC_FNS and kind not in (None, "integer", "float"):
        raise SinkError(f"aggregate {fn!r} needs a numeric field; {measurement}.{field_key} "
                        f"holds {kind} values")


def tag_matches(tags: Mapping[str, str], wanted: TagFilter | None) -> bool:
    """True when ``tags`` satisfy the read filter ``wanted`` (absent tag = empty value)."""
    if not wanted:
        return True
    for key, want in wanted.items():
        have = tags.get(key, "")
        if isinstance(want, str):
            if have != want:
                return False
        elif have not in want:
            return False
    return True


def sort_samples(samples: list[Sample]) -> list[Sample]:
    """Sort read results the one way every sink returns them: by time, then tag set."""
    samples.sort(key=lambda s: (s.time, sorted(s.tags.items())))
    return samples


class Sink(abc.ABC):
    """Base class of every time-series store. Subclasses set ``name`` and register themselves.

    Plugins are listed in setup.cfg's ``nms.sinks`` entry-point group and built with
    ``from_config(config)``. Writes raise ``SinkUnavailableError`` (retry later; ``open_sink``'s
    spool does) or ``SamplesRejectedError`` (never storable; the rest of the batch was stored).
    Reads raise ``SinkError``. All methods are safe to call from several threads.
    """

    name: ClassVar[str] = ""
    #: False for stores that cannot be unreachable (memory): ``open_sink`` adds no spool
    needs_spool: ClassVar[bool] = True

    @classmethod
    @abc.abstractmethod
    def from_config(cls, config: Config) -> Sink:
        """Build the sink from the loaded config (``config.sink`` and ``config.data_path``)."""

    @abc.abstractmethod
    def write(self, samples: Sequence[Sample]) -> None:
        """Store ``samples`` (idempotently: point identity is measurement + tags + time).

        Raises:
            SinkUnavailableError: the store is down or refused us; retry the batch later.
            SamplesRejectedError: the named samples break an input rule; the rest were stored.
        """

    def flush(self) -> None:  # noqa: B027 - optional hook, most sinks write through
        """Push anything buffered to the store (sinks without a buffer do nothing)."""

    def after_replay(self, start: datetime, end: datetime) -> None:  # noqa: B027 - optional hook
        """Called after the spool replayed samples timed ``start``..``end`` (inclusive).

        Stores that derive data on arrival (InfluxDB continuous queries) recompute it here,
        because replayed samples arrive late. Default: nothing.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release connections and files; the sink is unusable afterwards."""

    @abc.abstractmethod
    def query(self, measurement: str, *, tags: TagFilter | None = None,
              fields: Sequence[str] | None = None, start: datetime | None = None,
              end: datetime | None = None) -> list[Sample]:
        """Raw points of ``measurement`` with ``start <= time < end``, sorted by time then tags.

        Args:
            measurement: e.g. ``"interface"``.
            tags: keep series whose tags match: ``{"device": "r1"}`` or ``{"device": ["r1", "r2"]}``.
            fields: keep only these fields; points holding none of them are left out.
            start: inclusive lower bound, or None for no bound.
            end: exclusive upper bound, or None for no bound.

        Returns:
            ``Sample`` s with the stored tags (empty tags are absent) and field types.
        """

    @abc.abstractmethod
    def aggregate(self, measurement: str, field: str, fn: AggregateFn, every: timedelta, *,
                  group_by_tags: Sequence[str] = (), tags: TagFilter | None = None,
                  start: datetime, end: datetime) -> list[Series]:
        """``fn`` of ``field`` per epoch-aligned bucket of width ``every``, per tag group.

        Example: ``aggregate("device_health", "cpu_percent", "p95", timedelta(hours=1),
        group_by_tags=["device"], start=t0, end=t1)`` returns one ``Series`` per device, sorted
        by tags, each with every hourly bucket from the one holding ``t0`` to ``t1`` (empty
        buckets None). A group's missing tag shows as ``""``.

        Raises:
            SinkError: unknown ``fn``, a numeric ``fn`` on a string or boolean field, or a read
                failure.
        """

    def availability(self, start: datetime, end: datetime, every: timedelta = FIVE_MINUTES,
                     devices: Sequence[str] | None = None
                     ) -> dict[str, list[tuple[datetime, float | None]]]:
        """Fraction of ``poll_status`` samples with ``reachable`` true, per device and bucket.

        Args:
            start: inclusive start; buckets are epoch aligned, the first holds ``start``.
            end: exclusive end.
            every: bucket width (5 minutes by default, the polling interval of most devices).
            devices: only these devices, each present in the result even without data; None
                means every device with a ``poll_status`` sample in the range.

        Returns:
            ``{"r1": [(bucket_start, 1.0), (bucket_start + every, None), ...], ...}``, sorted by
            device; a bucket without any poll of the device is None, not 0.
        """
        width = every_us(every)
        start_us = to_us(start)
        buckets = bucket_starts(start_us, to_us(end), width)
        counts = self._reachable_counts(start_us, buckets, devices)
        names = sorted(set(devices) if devices is not None else counts)
        times = [from_us(b) for b in buckets]
        fractions: dict[tuple[int, int], float] = {}  # share float objects: most are 1.0 or 0.0
        result: dict[str, list[tuple[datetime, float | None]]] = {}
        for device in names:
            if device not in counts:
                result[device] = [(t, None) for t in times]
                continue
            up, total = counts[device]
            row: list[tuple[datetime, float | None]] = []
            for i, t in enumerate(times):
                n = total[i]
                if n == 0:
                    row.append((t, None))
                    continue
                key = (up[i], n)
                value = fractions.get(key)
                if value is None:
                    value = fractions[key] = key[0] / n
                row.append((t, value))
            result[device] = row
        return result

    @abc.abstractmethod
    def _reachable_counts(self, start_us: int, buckets: range, devices: Sequence[str] | None
                          ) -> dict[str, tuple[list[int], list[int]]]:
        """Per device, ``(reachable_counts, poll_counts)`` indexed like ``buckets``.

        Counts ``poll_status`` points with ``start_us <= time < buckets.stop``; ``buckets`` holds
        the epoch-aligned bucket starts in microseconds (``buckets.step`` is the width), so a
        point's index is ``(time - buckets.start) // buckets.step``. Lists, not dicts: 500 devices
        x 30 days of 5-minute buckets is 4.3M slots. ``devices`` None means every device.
        """

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_sink(config: Config, *, spool: bool = True) -> Sink:
    """Open the sink named by ``config.sink.type``, wrapped in the durable spool.

    Args:
        config: the loaded config; ``config.sink`` selects and configures the store.
        spool: False returns the bare store (tools that must see write errors directly).

    Returns:
        A ``Sink``; unless the store cannot fail (memory) or ``spool`` is False, a
        ``nms.spool.SpooledSink`` that queues samples on disk while the store is unreachable.

    Raises:
        SinkError: no plugin of that name, or the store cannot be opened.
    """
    try:
        factory: Any = registry.sinks.get(config.sink.type)
    except registry.RegistryError as exc:
        raise SinkError(f"sink.type {config.sink.type!r}: {exc}") from exc
    inner = factory.from_config(config) if hasattr(factory, "from_config") else factory(config)
    if not isinstance(inner, Sink):
        raise SinkError(f"sink plugin {config.sink.type!r} built {inner!r}, not a nms.sink.Sink")
    if not spool or not inner.needs_spool:
        return inner
    from nms.spool import Spool, SpooledSink  # spool imports this module

    return SpooledSink(inner, Spool.from_config(config))
