"""nms.rates: counter wrap (32/64-bit), resets on reboot, missing polls, implausible rates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nms.rates import Reading, counter_delta, counter_rate, rates, rebooted

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_plain_rate() -> None:
    r = counter_rate(Reading(1000, at(0), 100), Reading(7000, at(60), 6100), bits=64)
    assert r == pytest.approx(100.0)


def test_32bit_wrap() -> None:
    prev = Reading(2**32 - 1000, at(0), 0)
    cur = Reading(500, at(10), 1000)
    assert counter_rate(prev, cur, bits=32) == pytest.approx(150.0)


def test_64bit_decrease_is_a_reset_not_a_wrap() -> None:
    assert counter_delta(10_000, 5, bits=64) is None
    assert counter_rate(Reading(10_000, at(0), 0), Reading(5, at(10), 1000), bits=64) is None


def test_reboot_between_polls_gives_no_rate_even_if_counter_grew() -> None:
    # uptime went from 5 days to 30 s: the counter restarted from 0 and grew past the old value
    prev = Reading(100, at(0), 5 * 86400 * 100)
    cur = Reading(900, at(60), 3000)
    assert rebooted(prev.uptime_ticks, prev.time, cur.uptime_ticks, cur.time)
    assert counter_rate(prev, cur, bits=32) is None


def test_reboot_seen_with_a_missing_poll() -> None:
    # polls at 0 and 600 s (several missed); the device rebooted 100 s before the second poll
    assert rebooted(1_000_000, at(0), 100 * 100, at(600))


def test_timeticks_wrap_is_not_a_reboot() -> None:
    prev_ticks = 2**32 - 3000  # 30 s before the 497-day wrap
    assert not rebooted(prev_ticks, at(0), 3000, at(60))
    assert rebooted(prev_ticks, at(0), 3000, at(3600))  # wall clock does not match the wrap


def test_missing_polls_give_the_mean_rate() -> None:
    prev = Reading(0, at(0), 0)
    cur = Reading(30_000, at(300), 30_000)  # 5 polls of 60 s missed
    assert counter_rate(prev, cur, bits=64) == pytest.approx(100.0)


def test_gap_too_long_for_a_32bit_counter() -> None:
    # at 125 MB/s (1 Gbit/s) a Counter32 of octets wraps every ~34 s: a 120 s gap is unknowable
    prev = Reading(0, at(0), 0)
    cur = Reading(1000, at(120), 12_000)
    assert counter_rate(prev, cur, bits=32, max_rate=125_000_000) is None
    assert counter_rate(prev, cur, bits=64, max_rate=125_000_000) is not None


def test_implausible_rate_and_bad_interval() -> None:
    prev = Reading(0, at(0), 0)
    assert counter_rate(prev, Reading(10**12, at(1), 100), bits=64, max_rate=1e6) is None
    assert counter_rate(prev, Reading(10, at(0), 0)) is None  # dt = 0
    assert counter_rate(prev, Reading(10, at(10), 1000), discontinuity=True) is None
    with pytest.raises(ValueError):
        counter_rate(prev, Reading(10, at(10), 1000), bits=16)


def test_series() -> None:
    series = [Reading(v, at(t), int(t * 100)) for t, v in ((0, 0), (60, 600), (120, 1800))]
    assert [r for _, r in rates(series)] == [pytest.approx(10.0), pytest.approx(20.0)]
