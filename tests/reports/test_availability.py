"""Exact availability figures from constructed histories (issue 9, rules in availability.py).

November 2026 in Beijing time is 30 days = 2,592,000 s; every history polls once a minute, so each
expected figure below is worked out by hand in the test's comment.
"""

from __future__ import annotations

import random

import pytest

from nms.reports.availability import (
    US,
    build_timeline,
    classify,
    combine,
    intersect,
    merge_timelines,
    parents_down,
    poll_state,
    subtract,
    union,
)
from nms.reports.periods import parse_period
from nms.sink import to_us

from .history import polls, us

NOV = parse_period("2026-11")
START, END = to_us(NOV.start), to_us(NOV.end)
PERIOD_S = 30 * 86400
MINUTE = 60 * US
# polls from before the period to after it, so the boundaries are exercised
FIRST, LAST = "2026-10-31 22:00", "2026-12-01 02:00"


def timeline(**kw):  # type: ignore[no-untyped-def]
    return build_timeline(polls(FIRST, LAST, **kw), START, END, MINUTE)


def test_period_is_a_beijing_month() -> None:
    assert NOV.start.isoformat() == "2026-10-31T16:00:00+00:00"
    assert NOV.end.isoformat() == "2026-11-30T16:00:00+00:00"
    assert NOV.seconds == PERIOD_S


def test_all_up() -> None:
    f = classify(timeline(), subject="r1")
    assert (f.period_us, f.up_us, f.outage_us, f.unknown_us) == (PERIOD_S * US, PERIOD_S * US, 0, 0)
    assert f.availability == 1.0 and f.failures == 0 and f.mttr_s is None and f.mtbf_s is None
    assert f.verdict(99.99) == "met"


def test_down_from_first_failed_poll_until_next_good_one() -> None:
    # polls at 07:00, 07:01, 07:02 fail; 07:03 answers -> down 07:00:00..07:03:00 = 180 s
    f = classify(timeline(down=[("2026-11-02 07:00", "2026-11-02 07:03")]))
    assert f.outage_us == 180 * US
    assert f.failures == 1
    (o,) = f.outages
    assert (o.start, o.end, o.duration_us, o.cause) == (
        us("2026-11-02 07:00"), us("2026-11-02 07:03"), 180 * US, "timeout")


def test_outages_across_the_period_boundaries() -> None:
    # down 23:00 (Oct 31) .. 01:00 (Nov 1): 3600 s inside November, flagged as begun before;
    # down 23:30 (Nov 30) .. 00:30 (Dec 1): 1800 s inside November, flagged as ongoing
    f = classify(timeline(down=[("2026-10-31 23:00", "2026-11-01 01:00"),
                                ("2026-11-30 23:30", "2026-12-01 00:30")]))
    assert f.outage_us == 5400 * US
    assert f.unknown_us == 0
    first, last = f.outages
    assert (first.start, first.end, first.began_before, first.ongoing) == (
        START, us("2026-11-01 01:00"), True, False)
    assert (last.start, last.end, last.began_before, last.ongoing) == (
        us("2026-11-30 23:30"), END, False, True)
    assert f.availability == pytest.approx((PERIOD_S - 5400) / PERIOD_S, rel=1e-15)
    assert f.mttr_s == 2700.0
    assert f.mtbf_s == (PERIOD_S - 5400) / 2


def test_state_at_the_start_comes_from_the_poll_before_it() -> None:
    # the poll at 23:59:30 (before the period) failed and the next one at 00:00:30 too; the
    # period starts down, not unknown
    history = [(us("2026-10-31 23:59:30"), "down", "timeout")]
    history += polls("2026-11-01 00:00:30", LAST)
    history[1] = (history[1][0], "down", "timeout")
    f = classify(build_timeline(history, START, END, MINUTE))
    assert f.outage_us == 90 * US  # 00:00:00 .. 00:01:30 (first good poll)
    assert f.unknown_us == 0


def test_overlapping_maintenance_counts_once() -> None:
    # windows 10:00-12:00 and 11:00-13:00 overlap: 3 h of maintenance, not 4. The down run
    # 10:30-12:30 lies inside it; of the run 12:50-13:10 only 13:00-13:10 (600 s) is outage.
    # A window reaching back into October is clipped to the period: 00:00-02:00 = 2 h.
    maint = [(us("2026-11-03 10:00"), us("2026-11-03 12:00")),
             (us("2026-11-03 11:00"), us("2026-11-03 13:00")),
             (us("2026-10-31 22:00"), us("2026-11-01 02:00"))]
    f = classify(timeline(down=[("2026-11-03 10:30", "2026-11-03 12:30"),
                                ("2026-11-03 12:50", "2026-11-03 13:10")]), maint)
    assert f.maintenance_us == (3 + 2) * 3600 * US
    assert f.outage_us == 600 * US
    assert f.up_us == (PERIOD_S - 5 * 3600 - 600) * US
    assert [(o.start, o.end, o.duration_us) for o in f.outages] == [
        (us("2026-11-03 13:00"), us("2026-11-03 13:10"), 600 * US)]
    assert f.measured_us == (PERIOD_S - 5 * 3600) * US
    assert f.availability == pytest.approx(1 - 600 / (PERIOD_S - 5 * 3600), rel=1e-15)


def test_all_maintenance_is_not_applicable() -> None:
    f = classify(timeline(), [(START - 1, END + 1)])
    assert f.availability is None and f.verdict(99.9) == "n/a"


def test_parent_outage_is_reported_apart() -> None:
    # county router down 02:00-03:00; the township router behind it down 02:00-03:30:
    # 3600 s parent-down and 1800 s of its own outage. On Nov 6 both are down 04:00-04:10:
    # that run is all parent-down, listed but not a failure of the township router.
    county = timeline(down=[("2026-11-05 02:00", "2026-11-05 03:00"),
                            ("2026-11-06 04:00", "2026-11-06 04:10")])
    town = timeline(down=[("2026-11-05 02:00", "2026-11-05 03:30"),
                          ("2026-11-06 04:00", "2026-11-06 04:10")])
    c = classify(county, subject="county-r1")
    t = classify(town, parent_down=parents_down([county]), subject="town-r1")
    assert c.outage_us == 4200 * US and c.parent_down_us == 0 and c.failures == 2
    assert t.outage_us == 1800 * US
    assert t.parent_down_us == 4200 * US
    assert t.failures == 1
    first, second = t.outages
    assert (first.start, first.end, first.duration_us, first.parent_down_us) == (
        us("2026-11-05 03:00"), us("2026-11-05 03:30"), 1800 * US, 3600 * US)
    assert (second.cause, second.duration_us, second.counts) == ("parent_down", 0, False)
    assert t.period_us == t.up_us + t.outage_us + t.parent_down_us + t.unknown_us
    # the city total counts the county router's outage once, not again for the township
    city = combine("city", [c, t])
    assert city.outage_us == (4200 + 1800) * US
    assert city.availability == pytest.approx(1 - 6000 / (2 * PERIOD_S), rel=1e-15)


def test_dual_homed_device_is_cut_off_only_when_both_parents_are_down() -> None:
    p1 = timeline(down=[("2026-11-05 02:00", "2026-11-05 03:00")])
    p2 = timeline(down=[("2026-11-05 02:30", "2026-11-05 04:00")])
    child = timeline(down=[("2026-11-05 02:00", "2026-11-05 04:00")])
    f = classify(child, parent_down=parents_down([p1, p2]))
    assert f.parent_down_us == 1800 * US  # 02:30-03:00
    assert f.outage_us == 5400 * US


def test_data_gaps_are_unknown_not_up() -> None:
    # no poll 05:00-05:59: the 04:59 poll holds 2.5 min (until 05:01:30), then unknown until
    # 06:00 = 3510 s. Two missed polls (08:00, 08:01): 180 s gap > 150 s -> 30 s unknown.
    # One missed poll (09:30): 120 s gap <= 150 s -> nothing unknown.
    f = classify(timeline(gaps=[("2026-11-07 05:00", "2026-11-07 06:00"),
                                ("2026-11-07 08:00", "2026-11-07 08:02"),
                                ("2026-11-07 09:30", "2026-11-07 09:31")]))
    assert f.unknown_us == (3510 + 30) * US
    assert f.outage_us == 0 and f.availability == 1.0
    assert f.coverage == pytest.approx(1 - 3540 / PERIOD_S, rel=1e-15)
    # 3540 s unknown could hide an outage of 0.137 %: indeterminate against 99.9, met against 99.5
    assert f.verdict(99.9) == "indeterminate"
    assert f.verdict(99.5) == "met"


def test_down_then_silence() -> None:
    # failing polls 09:00..09:04, then nothing until a good poll at 10:00: down until
    # 09:04 + 150 s = 09:06:30 (390 s), unknown after that (3210 s)
    f = classify(timeline(down=[("2026-11-08 09:00", "2026-11-08 09:05")],
                          gaps=[("2026-11-08 09:05", "2026-11-08 10:00")]))
    assert f.outage_us == 390 * US
    assert f.unknown_us == 3210 * US


def test_no_data_at_all() -> None:
    f = classify(build_timeline([], START, END, MINUTE))
    assert f.unknown_us == PERIOD_S * US
    assert f.coverage == 0.0 and f.verdict(99.5) == "indeterminate"


def test_unjudged_polls_are_unknown() -> None:
    # an auth failure means the device answered: not an outage, but not measured either
    f = classify(timeline(unjudged=[("2026-11-09 01:00", "2026-11-09 01:10")]))
    assert f.outage_us == 0 and f.unknown_us == 600 * US
    assert poll_state("error") == "unknown" and poll_state("unreachable") == "down"
    assert poll_state(None, True) == "up" and poll_state(None, None) == "unknown"


def test_sla_verdicts_and_mttr_mtbf() -> None:
    # 3600 s outage in 30 days: 99.8611 %: township target 99.5 met, county target 99.9 missed
    f = classify(timeline(down=[("2026-11-10 00:00", "2026-11-10 00:01"),
                                ("2026-11-11 00:00", "2026-11-11 00:59")]))
    assert f.outage_us == 3600 * US
    assert f.verdict(99.5) == "met" and f.verdict(99.9) == "missed"
    assert f.mttr_s == 1800.0
    assert f.mtbf_s == (PERIOD_S - 3600) / 2


def test_link_is_down_when_either_end_says_down() -> None:
    a = timeline(down=[("2026-11-12 01:00", "2026-11-12 01:10")])
    b = timeline(down=[("2026-11-12 01:05", "2026-11-12 01:20")],
                 gaps=[("2026-11-13 00:00", "2026-11-13 01:00")])
    f = classify(merge_timelines([a, b]))
    assert f.outage_us == 20 * 60 * US  # 01:00-01:20
    assert f.unknown_us == 0  # end a still reports while b is silent


def test_interval_sets_match_brute_force() -> None:
    rng = random.Random(9)
    for _ in range(300):
        def rand_set():  # type: ignore[no-untyped-def]
            return union((lo, lo + rng.randint(0, 8)) for lo in
                         (rng.randint(0, 40) for _ in range(rng.randint(0, 5))))

        a, b = rand_set(), rand_set()
        pa = {x for lo, hi in a for x in range(lo, hi)}
        pb = {x for lo, hi in b for x in range(lo, hi)}
        assert {x for lo, hi in intersect(a, b) for x in range(lo, hi)} == pa & pb
        assert {x for lo, hi in subtract(a, b) for x in range(lo, hi)} == pa - pb
        got = subtract(a, b)
        assert all(lo < hi for lo, hi in got)
        assert all(x[1] < y[0] for x, y in zip(got, got[1:], strict=False))


def test_timeline_segments_tile_the_period() -> None:
    rng = random.Random(5)
    for _ in range(50):
        history = []
        t = START - 10 * MINUTE
        while t < END:
            history.append((t, rng.choice(["up", "up", "up", "down", "unknown"]), "x"))
            t += rng.choice([1, 30, 60, 61, 200, 3600, 86400]) * US
        tl = build_timeline(history, START, END, MINUTE)
        assert tl.segments[0].start == START and tl.segments[-1].end == END
        for x, y in zip(tl.segments, tl.segments[1:], strict=False):
            assert x.end == y.start and x.state != y.state
