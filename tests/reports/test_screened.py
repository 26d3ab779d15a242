"""The screened loader (hourly screening in the store, raw reads where something happened) gives
the same timelines as reading every poll -- and the one documented difference."""

from __future__ import annotations

import random
from typing import Any

from nms.config import load_config_data
from nms.reports.availability import US, classify
from nms.reports.data import load_poll_timelines, load_poll_timelines_screened
from nms.sink import open_sink, to_us

from . import scenario
from .history import samples, us

MIN = 60 * US


def jittered(rng: random.Random, first: str, last: str, *, down: list[tuple[str, str]] = (),
             skip: list[tuple[str, str]] = (), unjudged: list[tuple[str, str]] = ()
             ) -> list[tuple[int, str, str]]:
    """1-minute polls with +-5 s jitter; some single polls lost (a 2-minute gap is not unknown)."""
    out = []
    t = us(first)
    stop = us(last)
    down_r = [(us(a), us(b)) for a, b in down]
    skip_r = [(us(a), us(b)) for a, b in skip]
    unj_r = [(us(a), us(b)) for a, b in unjudged]
    while t < stop:
        at = t + rng.randint(-5, 5) * US
        lost = rng.random() < 0.01 or any(a <= t < b for a, b in skip_r)
        if not lost:
            if any(a <= t < b for a, b in down_r):
                out.append((at, "down", "timeout"))
            elif any(a <= t < b for a, b in unj_r):
                out.append((at, "unknown", "auth_failure"))
            else:
                out.append((at, "up", "ok"))
        t += MIN
    out.sort()
    # never two lost polls in a row outside the deliberate gaps: keep the test about screening
    return out


def _memory_sink(tmp_path: Any) -> Any:
    return open_sink(load_config_data({"data_dir": str(tmp_path), "sink": {"type": "memory"}}))


def test_same_timelines_on_the_scenario_store(sqlite_config: Any) -> None:
    start, end = to_us(scenario.PERIOD.start), to_us(scenario.PERIOD.end)
    intervals = {n: scenario.EVERY for n, *_ in scenario.DEVICES}
    with open_sink(sqlite_config, spool=False) as sink:
        screened = load_poll_timelines_screened(sink, intervals, start, end)
    assert screened == scenario.timelines(intervals)


def test_same_timelines_with_jitter_outages_and_gaps(tmp_path: Any) -> None:
    rng = random.Random(2026)
    start, end = us("2026-10-01 00:00"), us("2026-10-04 00:00")
    histories = {
        "quiet": jittered(rng, "2026-09-30 23:50", "2026-10-04 00:10"),
        "flappy": jittered(rng, "2026-09-30 23:50", "2026-10-04 00:10",
                           down=[("2026-09-30 23:55", "2026-10-01 00:07"),
                                 ("2026-10-02 09:59", "2026-10-02 10:01"),
                                 ("2026-10-03 23:58", "2026-10-04 00:10")]),
        "gappy": jittered(rng, "2026-09-30 23:50", "2026-10-04 00:10",
                          skip=[("2026-10-01 13:20", "2026-10-01 15:45")],
                          unjudged=[("2026-10-02 04:00", "2026-10-02 04:03")]),
        "silent": [],
    }
    with _memory_sink(tmp_path) as sink:
        for name, history in histories.items():
            sink.write(samples(name, history))
            # a second collector polling every 5 minutes must not confuse the screening
            sink.write(samples(name, history[::5], collector="ssh"))
        intervals = dict.fromkeys(histories, 60)
        exact = load_poll_timelines(sink, intervals, start, end)
        screened = load_poll_timelines_screened(sink, intervals, start, end)
    assert screened == exact
    flappy = classify(exact["flappy"])
    assert flappy.failures == 3 and flappy.outage_us > 0
    assert classify(exact["gappy"]).unknown_us > 0


def test_the_documented_difference(tmp_path: Any) -> None:
    """Polls bunched inside one hour (a stalled scheduler catching up) hide a gap from the
    screen: 61 reachable polls, but none between 10:20 and 10:24:30."""
    start, end = us("2026-10-01 00:00"), us("2026-10-01 23:00")
    history = [(t, "up", "ok") for t in range(us("2026-10-01 00:00"), us("2026-10-01 23:00"),
                                              MIN) if not us("2026-10-01 10:20") < t < us(
        "2026-10-01 10:25")]
    history += [(us("2026-10-01 10:40") + k * US, "up", "ok") for k in range(1, 6)]
    history.sort()
    with _memory_sink(tmp_path) as sink:
        sink.write(samples("r1", history))
        exact = load_poll_timelines(sink, {"r1": 60}, start, end)["r1"]
        screened = load_poll_timelines_screened(sink, {"r1": 60}, start, end)["r1"]
    assert classify(exact).unknown_us == 150 * US  # 10:22:30 .. 10:25:00
    assert classify(screened).unknown_us == 0
    assert classify(screened).outage_us == classify(exact).outage_us == 0


def test_report_in_screened_mode(sqlite_config: Any) -> None:
    from nms.reports.report import report_from_config

    from .test_report import EXPECTED, NOW, figures

    report = report_from_config(sqlite_config, "2026-10", "city", now=NOW, mode="screened")
    assert figures(report) == EXPECTED
    assert report.notes == ["loader_screened"]
