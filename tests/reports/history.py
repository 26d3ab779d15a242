"""Constructed poll histories whose availability is known exactly (helpers for tests/reports).

A history is a regular poll cadence with down ranges (failed polls) and gaps (no poll at all),
given in Beijing local time, so each test can state its expected figures in plain seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from nms.models import Sample
from nms.sink import from_us, to_us

TZ = ZoneInfo("Asia/Shanghai")
Range = tuple[str, str]


def local(text: str) -> datetime:
    """'2026-11-03 02:00' (Beijing time) -> aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(ZoneInfo("UTC"))


def us(text: str) -> int:
    """Local time string -> microseconds since the epoch."""
    return to_us(local(text))


def _inside(t: datetime, ranges: Sequence[tuple[datetime, datetime]]) -> bool:
    return any(lo <= t < hi for lo, hi in ranges)


def polls(start: str, end: str, *, every: int = 60, down: Iterable[Range] = (),
          gaps: Iterable[Range] = (), unjudged: Iterable[Range] = (),
          status: str = "timeout") -> list[tuple[int, str, str]]:
    """``(time_us, state, cause)`` every ``every`` s in ``[start, end)``.

    A poll inside a ``down`` range fails with ``status``; one inside a ``gaps`` range is missing;
    one inside ``unjudged`` is an auth_failure (state unknown).
    """
    down_r = [(local(a), local(b)) for a, b in down]
    gap_r = [(local(a), local(b)) for a, b in gaps]
    unj_r = [(local(a), local(b)) for a, b in unjudged]
    out = []
    t, stop = local(start), local(end)
    while t < stop:
        if not _inside(t, gap_r):
            if _inside(t, down_r):
                out.append((to_us(t), "down", status))
            elif _inside(t, unj_r):
                out.append((to_us(t), "unknown", "auth_failure"))
            else:
                out.append((to_us(t), "up", "ok"))
        t += timedelta(seconds=every)
    return out


def samples(device: str, history: Iterable[tuple[int, str, str]],
            collector: str = "snmp") -> list[Sample]:
    """The ``poll_status`` samples a poller would have written for ``history``."""
    out = []
    for t, state, cause in history:
        fields = {"status": cause, "reachable": state == "up", "duration_seconds": 0.05}
        out.append(Sample("poll_status", {"device": device, "collector": collector}, fields,
                          from_us(t)))
    return out


def iface_samples(device: str, ifname: str, history: Iterable[tuple[int, str, str]]
                  ) -> list[Sample]:
    """``interface`` samples with ``oper_status`` up/down following ``history``."""
    return [Sample("interface", {"device": device, "ifname": ifname, "ifindex": "1"},
                   {"oper_status": "up" if state == "up" else "down", "in_octets": 0},
                   from_us(t)) for t, state, _ in history]
