"""nms.scheduler: no overlapping runs per key, overruns reported, errors contained, jitter."""

from __future__ import annotations

import asyncio

from nms.scheduler import Overrun, Scheduler, interval_for


def test_interval_for_roles() -> None:
    intervals = {"router": 60, "switch": 300}
    assert interval_for("router", intervals) == 60
    assert interval_for("server", intervals, default=120) == 120
    assert interval_for(None, intervals) == 300


def test_slow_job_never_overlaps_and_overruns_are_reported() -> None:
    running = 0
    peak = 0
    seen: list[Overrun] = []

    async def slow() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.55)
        running -= 1

    async def main() -> Scheduler:
        s = Scheduler(on_overrun=seen.append, spread_start=False)
        s.add("slow-device", 0.2, slow)
        await s.run_for(1.5)
        return s

    s = asyncio.run(main())
    assert peak == 1
    assert s.stats["slow-device"].runs >= 2
    assert s.stats["slow-device"].overruns >= 2
    assert seen and seen[0].key == "slow-device" and seen[0].running_for_s > 0


def test_failing_job_is_counted_and_schedule_goes_on() -> None:
    calls = {"bad": 0, "good": 0}

    def bad() -> None:
        calls["bad"] += 1
        raise RuntimeError("device exploded")

    def good() -> None:
        calls["good"] += 1

    async def main() -> Scheduler:
        s = Scheduler(spread_start=False)
        s.add("bad", 0.2, bad)
        s.add("good", 0.2, good)
        await s.run_for(0.9)
        return s

    s = asyncio.run(main())
    assert calls["bad"] >= 3 and calls["good"] >= 3
    assert s.stats["bad"].errors >= 3 and s.stats["good"].errors == 0


def test_jitter_and_spread_start() -> None:
    async def main() -> list[float]:
        s = Scheduler(jitter_s=5.0)
        for i in range(20):
            s.add(f"d{i}", 60, lambda: None)
        s.start()
        times = [job.next_run_time.timestamp() for job in s._scheduler.get_jobs()]
        s.shutdown()
        return times

    times = asyncio.run(main())
    assert max(times) - min(times) > 10  # first runs spread over the 60 s interval
