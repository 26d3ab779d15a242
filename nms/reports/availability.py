"""Availability arithmetic: poll results -> state timelines -> figures. Pure, no I/O.

Why pure: these are the figures the information center publishes and holds counties to, so each
rule is written down here once and pinned by tests with histories whose answer is known to the
second (tests/reports/test_availability.py). All times are integer microseconds since the Unix
epoch (``nms.sink.to_us``), so sums are exact; seconds are derived for display only.

Rules (docs/reports.md repeats them for readers of the bulletin):

1. **State of a poll.** Every poll of a device emits a ``poll_status`` sample. ``status`` ``ok``
   means up; ``timeout`` and ``unreachable`` mean down; ``auth_failure`` and ``error`` mean the
   device answered or the collector failed, so availability cannot be judged: unknown. Without a
   ``status`` field, ``reachable`` true/false means up/down. For links the poll is an
   ``interface`` sample: ``oper_status`` ``up`` is up, anything else (``down``,
   ``lowerLayerDown``, ``notPresent``...) is down.
2. **Timeline.** A poll's state holds from its time until the next poll, but for at most
   ``G = gap_factor x poll interval`` (2.5 x by default); past that the state is unknown until
   the next poll. So a device is down from the first failed poll until the next good one, and a
   gap in the data longer than G is unknown time, not up time. Before the first poll the state
   is unknown; the poll just before the period (looked up to G back) gives the state at its start.
3. **Maintenance.** Approved maintenance windows covering the subject are merged (overlaps count
   once) and removed from the period: the *measured period* is P = period - maintenance.
4. **Parent down.** Down time while the subject's parent (its upstream device; with several
   parents, all of them) is down is *parent-down* time: reported apart and not counted as the
   subject's outage. The parent's own down time counts against the parent.
5. **Availability** = (P - outage) / P, where outage is the subject's own down time outside
   maintenance and parent-down time. Parent-down time and unknown time are reported apart and do
   not count as outage. ``coverage`` = (P - unknown) / P says how much of P was measured.
6. **SLA verdict** against the tier target: *missed* when availability < target; *met* when even
   counting all unknown time as outage it is >= target; otherwise *indeterminate* (not enough
   data to say). No measured period at all (all maintenance): *n/a*.
7. **Outages** are the maximal down runs of the timeline (the device was down the whole time)
   that hold own outage time; each is listed with its first and last instant of own outage, its
   own outage duration, the parent-down time inside it and the cause (the poll status that
   started it). A run cut by the period's edge is clipped and flagged. A run that is all
   parent-down is listed with cause ``parent_down`` but is not a failure.
8. **MTTR** = outage / failures; **MTBF** = up time / failures (None with no failure).
9. **Aggregates** (a township, a county, the city) add up their devices' seconds: availability is
   device-time weighted, so a county router's outage counts once, not once per township behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DOWN", "UNKNOWN", "UP", "Availability", "Interval", "Outage", "Segment", "Timeline",
    "Verdict", "build_timeline", "classify", "combine", "intersect", "merge_timelines",
    "poll_state", "subtract", "total", "union",
]

UP, DOWN, UNKNOWN = "up", "down", "unknown"
State = Literal["up", "down", "unknown"]
Verdict = Literal["met", "missed", "indeterminate", "n/a"]
Interval = tuple[int, int]  # [start_us, end_us)
US = 1_000_000

_DOWN_STATUS = frozenset({"timeout", "unreachable"})
_UNJUDGED_STATUS = frozenset({"auth_failure", "error"})


def poll_state(status: object, reachable: object = None) -> State:
    """The state of one ``poll_status`` sample (rule 1).

    >>> poll_state("ok"), poll_state("timeout"), poll_state("auth_failure"), poll_state(None, False)
    ('up', 'down', 'unknown', 'down')
    """
    if isinstance(status, str) and status:
        if status == "ok":
            return UP
        if status in _DOWN_STATUS:
            return DOWN
        if status in _UNJUDGED_STATUS:
            return UNKNOWN
        return UNKNOWN  # a status this version does not know: do not guess
    if isinstance(reachable, bool):
        return UP if reachable else DOWN
    return UNKNOWN


def oper_state(oper_status: object) -> State:
    """The state of one ``interface`` sample's ``oper_status`` (rule 1, links)."""
    if not isinstance(oper_status, str) or not oper_status:
        return UNKNOWN
    return UP if oper_status == "up" else DOWN


# ---- interval sets -----------------------------------------------------------------------------
# An interval set is a list of disjoint, non-adjacent [start, end) pairs in ascending order.


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping and touching intervals; drops empty ones."""
    out: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[1] > i[0]):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """The intersection of two interval sets (linear merge)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """``a`` minus ``b`` for interval sets."""
    out: list[Interval] = []
    j = 0
    for lo, hi in a:
        cur = lo
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < hi:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            if cur >= hi:
                break
            k += 1
        if cur < hi:
            out.append((cur, hi))
    return out


def total(intervals: Iterable[Interval]) -> int:
    """Summed length of an interval set (microseconds)."""
    return sum(hi - lo for lo, hi in intervals)


# ---- timelines ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of one state: ``[start, end)`` in microseconds, with the poll status that set it."""

    start: int
    end: int
    state: str
    cause: str = ""


@dataclass(slots=True)
class Timeline:
    """Contiguous segments covering ``[start, end)`` exactly, adjacent segments differing.

    Example: ``Timeline(0, 600_000_000, [Segment(0, 120_000_000, "up", "ok"),
    Segment(120_000_000, 600_000_000, "down", "timeout")])``.
    """

    start: int
    end: int
    segments: list[Segment] = field(default_factory=list)

    def intervals(self, state: str) -> list[Interval]:
        """The interval set where the timeline is in ``state``."""
        return [(s.start, s.end) for s in self.segments if s.state == state]

    def seconds(self, state: str) -> float:
        """Seconds spent in ``state``."""
        return total(self.intervals(state)) / US


class _Builder:
    """Appends runs to a timeline, merging a run into the previous one of the same state."""

    __slots__ = ("segments",)

    def __init__(self) -> None:
        self.segments: list[Segment] = []

    def add(self, start: int, end: int, state: str, cause: str) -> None:
        if end <= start:
            return
        segs = self.segments
        if segs and segs[-1].state == state and segs[-1].end == start:
            last = segs[-1]
            # keep the cause of the poll that *started* the run (the first failed poll)
            segs[-1] = Segment(last.start, end, state, last.cause)
        else:
            segs.append(Segment(start, end, state, cause))


def build_timeline(polls: Iterable[tuple[int, str, str]], start: int, end: int, interval_us: int,
                   gap_factor: float = 2.5) -> Timeline:
    """Build the state timeline of one subject over ``[start, end)`` (rule 2).

    Args:
        polls: ``(time_us, state, cause)`` in ascending time; polls up to ``G`` before ``start``
            give the state at ``start``; polls at or after ``end`` are ignored. Two polls at the
            same instant: the later in the sequence wins.
        start: period start (microseconds, inclusive).
        end: period end (microseconds, exclusive).
        interval_us: the subject's poll interval.
        gap_factor: a poll's state holds for at most ``gap_factor * interval_us``.

    Returns:
        A ``Timeline`` whose segments cover ``[start, end)`` exactly.
    """
    if interval_us <= 0:
        raise ValueError("poll interval must be positive")
    hold = int(gap_factor * interval_us)
    out = _Builder()
    prev_t: int | None = None
    prev_state = UNKNOWN
    prev_cause = ""
    cursor = start  # everything before cursor is already on the timeline
    for t, state, cause in polls:
        if t >= end:
            break
        if prev_t is not None and t > prev_t:
            stop = min(t, prev_t + hold)
            out.add(max(cursor, prev_t), max(cursor, stop), prev_state, prev_cause)
            cursor = max(cursor, stop)
        if t > cursor:  # no poll vouches for [cursor, t): unknown (first poll, or a long gap)
            out.add(cursor, t, UNKNOWN, "no_data")
            cursor = t
        prev_t, prev_state, prev_cause = t, state, cause
    if prev_t is not None:
        stop = min(end, prev_t + hold)
        out.add(max(cursor, prev_t), max(cursor, stop), prev_state, prev_cause)
        cursor = max(cursor, stop)
    out.add(cursor, end, UNKNOWN, "no_data")
    return Timeline(start, end, out.segments)


def merge_timelines(timelines: Sequence[Timeline], rule: str = "any_down") -> Timeline:
    """Combine several timelines over the same span into one (used for a link's two ends).

    ``any_down``: down when any is down, else up when any is up, else unknown. A link is down as
    soon as one end says its port is down; one end answering "up" is enough to call it up.
    """
    if not timelines:
        raise ValueError("no timelines to merge")
    if rule != "any_down":
        raise ValueError(f"unknown merge rule {rule!r}")
    start, end = timelines[0].start, timelines[0].end
    cuts = sorted({start, end, *(s.start for tl in timelines for s in tl.segments)})
    idx = [0] * len(timelines)
    out = _Builder()
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        states: list[Segment] = []
        for n, tl in enumerate(timelines):
            segs = tl.segments
            while idx[n] < len(segs) and segs[idx[n]].end <= lo:
                idx[n] += 1
            if idx[n] < len(segs):
                states.append(segs[idx[n]])
        down = [s for s in states if s.state == DOWN]
        if down:
            out.add(lo, hi, DOWN, down[0].cause)
        elif any(s.state == UP for s in states):
            out.add(lo, hi, UP, "ok")
        else:
            out.add(lo, hi, UNKNOWN, "no_data")
    return Timeline(start, end, out.segments)


# ---- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outage:
    """One down run of a subject inside the period (rule 7). Times in microseconds.

    ``duration_us`` is own outage time (what counts against availability); ``parent_down_us`` the
    part explained by the parent; ``start``/``end`` bound the own outage (the whole run when it
    was all parent-down).
    """

    subject: str
    start: int
    end: int
    duration_us: int
    parent_down_us: int
    cause: str
    began_before: bool = False
    ongoing: bool = False

    @property
    def duration_s(self) -> float:
        """Own outage in seconds."""
        return self.duration_us / US

    @property
    def counts(self) -> bool:
        """True when this run is a failure of the subject itself (MTTR/MTBF count it)."""
        return self.duration_us > 0


@dataclass(slots=True)
class Availability:
    """The figures of one subject (or of an aggregate) over one period. Times in microseconds.

    ``period_us = maintenance_us + up_us + outage_us + parent_down_us + unknown_us`` always holds.
    """

    subject: str
    period_us: int
    maintenance_us: int = 0
    up_us: int = 0
    outage_us: int = 0
    parent_down_us: int = 0
    unknown_us: int = 0
    outages: list[Outage] = field(default_factory=list)
    #: own outage time as an interval set (for per-day figures)
    outage_intervals: list[Interval] = field(default_factory=list)
    #: measured period (period minus maintenance) as an interval set; empty for aggregates
    measured_intervals: list[Interval] = field(default_factory=list)
    members: int = 1

    @property
    def measured_us(self) -> int:
        """P: the period minus maintenance."""
        return self.period_us - self.maintenance_us

    @property
    def failures(self) -> int:
        """Down runs holding own outage time."""
        return sum(1 for o in self.outages if o.counts)

    @property
    def availability(self) -> float | None:
        """(P - outage) / P as a fraction, None when nothing was measured (all maintenance)."""
        p = self.measured_us
        return None if p <= 0 else (p - self.outage_us) / p

    @property
    def availability_percent(self) -> float | None:
        """``availability`` x 100."""
        a = self.availability
        return None if a is None else 100.0 * a

    @property
    def worst_case(self) -> float | None:
        """Availability if all unknown time had been outage (bound for the SLA verdict)."""
        p = self.measured_us
        return None if p <= 0 else (p - self.outage_us - self.unknown_us) / p

    @property
    def coverage(self) -> float | None:
        """Measured share of P: (P - unknown) / P."""
        p = self.measured_us
        return None if p <= 0 else (p - self.unknown_us) / p

    @property
    def mttr_s(self) -> float | None:
        """Mean time to repair: own outage seconds per failure."""
        n = self.failures
        return None if n == 0 else self.outage_us / US / n

    @property
    def mtbf_s(self) -> float | None:
        """Mean time between failures: up seconds per failure."""
        n = self.failures
        return None if n == 0 else self.up_us / US / n

    def verdict(self, target_percent: float) -> Verdict:
        """SLA verdict against ``target_percent`` (rule 6)."""
        a = self.availability
        if a is None:
            return "n/a"
        target = target_percent / 100.0
        if a < target:
            return "missed"
        worst = self.worst_case
        assert worst is not None
        return "met" if worst >= target else "indeterminate"

    def seconds(self, name: str) -> float:
        """One of the ``*_us`` totals in seconds: ``seconds("outage")``."""
        return float(getattr(self, f"{name}_us")) / US


def classify(timeline: Timeline, maintenance: Iterable[Interval] = (),
             parent_down: Sequence[Interval] | None = None, subject: str = "") -> Availability:
    """Split a subject's timeline into maintenance, up, outage, parent-down and unknown time.

    Args:
        timeline: the subject's state timeline over the period.
        maintenance: approved maintenance windows covering the subject (any order, may overlap,
            may reach outside the period).
        parent_down: the interval set where the subject's parent(s) were down, or None when it has
            no parent (see ``parents_down``).
        subject: the subject's name, copied into the figures and the outages.

    Returns:
        ``Availability`` with the totals, the outage list and the interval sets behind them.
    """
    span = [(timeline.start, timeline.end)] if timeline.end > timeline.start else []
    maint = intersect(union(maintenance), span)
    down = subtract(timeline.intervals(DOWN), maint)
    parent = list(parent_down or [])
    parent_part = intersect(down, parent) if parent else []
    own = subtract(down, parent) if parent else down
    figures = Availability(
        subject=subject,
        period_us=timeline.end - timeline.start,
        maintenance_us=total(maint),
        up_us=total(subtract(timeline.intervals(UP), maint)),
        outage_us=total(own),
        parent_down_us=total(parent_part),
        unknown_us=total(subtract(timeline.intervals(UNKNOWN), maint)),
        outage_intervals=own,
        measured_intervals=subtract(span, maint),
    )
    for seg in timeline.segments:
        if seg.state != DOWN:
            continue
        run = [(seg.start, seg.end)]
        run_own = intersect(own, run)
        run_parent = intersect(parent_part, run)
        if not run_own and not run_parent:
            continue  # all of it inside maintenance
        bounds = run_own or run_parent
        figures.outages.append(Outage(
            subject=subject, start=bounds[0][0], end=bounds[-1][1], duration_us=total(run_own),
            parent_down_us=total(run_parent),
            cause=seg.cause if run_own else "parent_down",
            began_before=seg.start == timeline.start, ongoing=seg.end == timeline.end,
        ))
    return figures


def parents_down(parent_timelines: Sequence[Timeline]) -> list[Interval] | None:
    """Where *all* of a subject's parents were down (None without parents).

    A township router dual-homed to two county routers is cut off only when both are down.
    """
    if not parent_timelines:
        return None
    result = parent_timelines[0].intervals(DOWN)
    for tl in parent_timelines[1:]:
        result = intersect(result, tl.intervals(DOWN))
    return result


def combine(subject: str, figures: Iterable[Availability]) -> Availability:
    """Aggregate figures of many subjects over the same period (rule 9): seconds add up."""
    out = Availability(subject=subject, period_us=0, members=0)
    for f in figures:
        out.period_us += f.period_us
        out.maintenance_us += f.maintenance_us
        out.up_us += f.up_us
        out.outage_us += f.outage_us
        out.parent_down_us += f.parent_down_us
        out.unknown_us += f.unknown_us
        out.outages.extend(f.outages)
        out.members += f.members
    return out


def window_figures(figures: Iterable[Availability], lo: int, hi: int) -> tuple[int, int]:
    """(measured, own outage) microseconds of ``figures`` inside ``[lo, hi)`` (daily charts)."""
    window = [(lo, hi)]
    measured = outage = 0
    for f in figures:
        measured += total(intersect(f.measured_intervals, window))
        outage += total(intersect(f.outage_intervals, window))
    return measured, outage
