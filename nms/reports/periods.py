"""Report periods: what "2026-10" means, exactly, as a half-open UTC interval.

Why: the information center's month is a Beijing-time month. October 2026 runs from
2026-10-01 00:00 +08:00 (2026-09-30 16:00 UTC) up to, but not including, 2026-11-01 00:00 +08:00.
Samples are stored in UTC, so every period is converted once, here, and everything downstream
works on ``[start, end)`` in UTC.

Accepted forms (all in the configured time zone, ``Config.timezone``):

  ``2026-10``                     a calendar month
  ``2026-10-07``                  one day
  ``2026-Q4``                     a quarter
  ``2026``                        a year
  ``2026-10-01..2026-10-15``      a range of days, both days included
  ``2026-10-01T08:00..2026-10-01T20:00``   a range of local times, end excluded

A period that has not ended yet is reported month-to-date: ``Period.clip(now)`` ends it at
``now`` so unseen future time is never counted as available.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nms.errors import NmsError

__all__ = ["Period", "PeriodError", "parse_period", "previous_month"]


class PeriodError(NmsError, ValueError):
    """A period string that cannot be understood (the message says which forms are accepted)."""


@dataclass(frozen=True)
class Period:
    """A half-open interval ``[start, end)`` of aware UTC datetimes with its label.

    Attributes:
        label: what the user asked for, normalized ("2026-10", "2026-Q4", "2026-10-01..2026-10-15").
        start: inclusive start (UTC).
        end: exclusive end (UTC).
        timezone: the zone the label is read in ("Asia/Shanghai").
        nominal_end: the end before ``clip`` (equal to ``end`` for a finished period).
    """

    label: str
    start: datetime
    end: datetime
    timezone: str = "Asia/Shanghai"
    nominal_end: datetime | None = None

    @property
    def seconds(self) -> float:
        """Length of the period in seconds."""
        return (self.end - self.start).total_seconds()

    @property
    def partial(self) -> bool:
        """True when the period was clipped at "now" (a month-to-date report)."""
        return self.nominal_end is not None and self.end < self.nominal_end

    def local(self, t: datetime) -> datetime:
        """``t`` in the period's time zone (for display)."""
        return t.astimezone(ZoneInfo(self.timezone))

    def clip(self, now: datetime) -> Period:
        """The period ended at ``now`` when it has not finished yet (never before ``start``)."""
        nominal = self.nominal_end or self.end
        if now >= nominal:
            return self
        return replace(self, end=max(self.start, now), nominal_end=nominal)

    def days(self) -> list[tuple[date, datetime, datetime]]:
        """Local calendar days overlapping the period: ``(day, start_utc, end_utc)``, clipped."""
        zone = ZoneInfo(self.timezone)
        out = []
        day = self.start.astimezone(zone).date()
        while True:
            lo = datetime.combine(day, time(0), zone).astimezone(UTC)
            hi = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
            if lo >= self.end:
                break
            out.append((day, max(lo, self.start), min(hi, self.end)))
            day += timedelta(days=1)
        return out


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def _local(d: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), zone).astimezone(UTC)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _parse_point(text: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """A local date or date-time -> (UTC instant, was it a bare date)."""
    if _DAY.match(text):
        y, m, d = (int(x) for x in text.split("-"))
        return _local(date(y, m, d), zone), True
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(f"cannot read {text!r} as a date or date-time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC), False


def parse_period(text: str, timezone: str = "Asia/Shanghai") -> Period:
    """Parse a period string (forms in the module docstring) in ``timezone``.

    Raises:
        PeriodError: the text matches no form, names an impossible date, or ends before it starts.
    """
    zone = ZoneInfo(timezone)
    raw = text.strip()
    try:
        if m := _MONTH.match(raw):
            year, month = int(m.group(1)), int(m.group(2))
            first = date(year, month, 1)
            return Period(f"{year:04d}-{month:02d}", _local(first, zone),
                          _local(_month_start(year, month + 1), zone), timezone)
        if m := _QUARTER.match(raw):
            year, q = int(m.group(1)), int(m.group(2))
            first = date(year, 3 * q - 2, 1)
            return Period(f"{year:04d}-Q{q}", _local(first, zone),
                          _local(_month_start(year, 3 * q + 1), zone), timezone)
        if m := _YEAR.match(raw):
            year = int(m.group(1))
            return Period(f"{year:04d}", _local(date(year, 1, 1), zone),
                          _local(date(year + 1, 1, 1), zone), timezone)
        if _DAY.match(raw):
            start, _ = _parse_point(raw, zone)
            day = start.astimezone(zone).date()
            return Period(day.isoformat(), start, _local(day + timedelta(days=1), zone), timezone)
        if ".." in raw:
            left, right = (part.strip() for part in raw.split("..", 1))
            start, _ = _parse_point(left, zone)
            end, bare = _parse_point(right, zone)
            if bare:  # a bare end date is included: the range runs to the end of that day
                end = _local(end.astimezone(zone).date() + timedelta(days=1), zone)
            if end <= start:
                raise PeriodError(f"period {text!r} ends before it starts")
            return Period(f"{left}..{right}", start, end, timezone)
    except ValueError as exc:  # date(2026, 13, 1) and friends
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"period {text!r}: {exc}") from exc
    raise PeriodError(f"cannot read period {text!r}: use 2026-10, 2026-10-07, 2026-Q4, 2026 "
                      "or 2026-10-01..2026-10-15")


def previous_month(now: datetime, timezone: str = "Asia/Shanghai") -> Period:
    """The last complete local calendar month before ``now`` (what the monthly job reports)."""
    local = now.astimezone(ZoneInfo(timezone))
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return parse_period(f"{year:04d}-{month:02d}", timezone)
