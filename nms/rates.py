"""Rates from raw counters: 32/64-bit wrap, counter resets after a reboot, missing polls.

Samples store counters raw (style.md 2.3); anything that shows a rate (console graphs, link
utilisation checks) turns two readings into a per-second rate with :func:`counter_rate`. The rules
(RFC 2863 section 3.1.6 on counter discontinuities):

* A counter that went down wrapped once if the wrap explains it (32-bit: modulo 2^32; 64-bit:
  2^64) -- unless the device rebooted in between (sysUpTime went down, or ``discontinuity``
  says so), in which case the interval has no rate (``None``): the counter restarted from 0
  at an unknown moment.
* A 64-bit counter practically never wraps; a decrease there is a reset, not a wrap.
* A gap (missing polls) still gives the mean rate over the gap, unless the gap is so long that a
  32-bit counter could have wrapped more than once unseen (``max_gap_s``), then ``None``.
* A rate above ``max_rate`` (e.g. faster than the link) is impossible: ``None``.

Pure functions, no I/O; nms core, so it imports nothing from ``collectors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WRAP = {32: 1 << 32, 64: 1 << 64}
#: sysUpTime is a 32-bit TimeTicks (1/100 s) and wraps after ~497 days.
TIMETICKS_WRAP = 1 << 32


@dataclass(frozen=True)
class Reading:
    """One counter value at one time, with the agent's sysUpTime (ticks) when known."""

    value: int
    time: datetime
    uptime_ticks: int | None = None


def rebooted(prev_ticks: int | None, prev_time: datetime | None, ticks: int | None,
             time: datetime | None, *, tolerance_s: float = 60.0) -> bool:
    """True when sysUpTime shows the agent restarted between two polls.

    A decrease is a reboot unless it is the 497-day TimeTicks wrap, recognised because the
    wall-clock time elapsed matches the wrapped difference (within ``tolerance_s``).

    Args:
        prev_ticks: sysUpTime at the previous poll (1/100 s), None if unknown.
        prev_time: wall-clock time of the previous poll.
        ticks: sysUpTime now.
        time: wall-clock time now.
        tolerance_s: slack between wall-clock and uptime differences.
    """
    if prev_ticks is None or ticks is None:
        return False
    if ticks >= prev_ticks:
        if prev_time is not None and time is not None:
            # uptime advanced much less than the wall clock: restarted and ran for a while
            elapsed = (time - prev_time).total_seconds()
            return (ticks - prev_ticks) / 100 + tolerance_s < elapsed and ticks / 100 < elapsed
        return False
    if prev_time is not None and time is not None:
        elapsed = (time - prev_time).total_seconds()
        wrapped = (ticks + TIMETICKS_WRAP - prev_ticks) / 100
        if abs(wrapped - elapsed) <= tolerance_s:
            return False
    return True


def counter_delta(prev: int, cur: int, bits: int = 64) -> int | None:
    """Increase of a counter between two readings, or None for a reset.

    A decrease of a 32-bit counter is taken as one wrap; of a 64-bit counter, as a reset.
    """
    if cur >= prev:
        return cur - prev
    if bits == 32:
        return cur + WRAP[32] - prev
    return None


def counter_rate(prev: Reading, cur: Reading, *, bits: int = 64, max_rate: float | None = None,
                 max_gap_s: float | None = None, discontinuity: bool = False) -> float | None:
    """Per-second rate between two readings of one counter (None when it cannot be known).

    Args:
        prev: the earlier reading.
        cur: the later reading.
        bits: counter width, 32 or 64 (Counter32 / Counter64).
        max_rate: highest plausible rate (units/s), e.g. link speed / 8 for octets.
        max_gap_s: longest interval accepted; default for 32-bit counters is the time the
            counter needs to wrap at ``max_rate`` (if given), so a double wrap cannot hide.
        discontinuity: the caller knows the counter was reset (ifCounterDiscontinuityTime).

    Returns:
        units per second, or None (reboot/reset, bad interval, implausible value).
    """
    if bits not in WRAP:
        raise ValueError("bits must be 32 or 64")
    dt = (cur.time - prev.time).total_seconds()
    if dt <= 0 or discontinuity:
        return None
    if rebooted(prev.uptime_ticks, prev.time, cur.uptime_ticks, cur.time):
        return None
    if max_gap_s is None and bits == 32 and max_rate:
        max_gap_s = WRAP[32] / max_rate
    if max_gap_s is not None and dt > max_gap_s:
        return None
    delta = counter_delta(prev.value, cur.value, bits)
    if delta is None:
        return None
    rate = delta / dt
    if max_rate is not None and rate > max_rate * 1.05:  # 5 % slack for timing jitter
        return None
    return rate


def rates(series: list[Reading], *, bits: int = 64, max_rate: float | None = None
          ) -> list[tuple[datetime, float | None]]:
    """Rates for consecutive readings of one counter (one entry per interval, at its end)."""
    ordered = sorted(series, key=lambda r: r.time)
    return [(b.time, counter_rate(a, b, bits=bits, max_rate=max_rate))
            for a, b in zip(ordered, ordered[1:], strict=False)]
