"""Outage of a real influxd while samples flow, and a restart of the nms side: nothing lost.

influxd is SIGKILLed by PID (a crash, not a clean stop), samples keep flowing into the spool,
influxd restarts on the same data directory, the spool replays, and the database then holds
every acknowledged sample exactly once. Then the same across a restart of nms: a new
``SpooledSink`` over the same spool file finishes the job. The database is read back with plain
HTTP InfluxQL (``InfluxServer.rows``), not through the sink under test.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.sinks.influx import InfluxSink
from nms.models import PollResult, PollStatus, Sample
from nms.spool import Spool, SpooledSink
from tests.support.tsdb import InfluxServer

pytestmark = pytest.mark.influxdb

DB = "outage"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
DEVICES = [f"县{n:03d}-sw" for n in range(40)]


def poll_batch(seq: int) -> list[Sample]:
    """One polling round: a poll_status and an interface sample per device, stamped by seq."""
    started = T0 + timedelta(seconds=seq)
    batch = []
    for device in DEVICES:
        result = PollResult(device=device, collector="snmp", started=started, duration_s=0.05,
                            status=PollStatus.OK, varbinds=seq)
        batch.append(result.status_sample())
        batch.append(Sample("interface", {"device": device, "ifname": "Gi0/1"},
                            {"in_octets": seq * 1000, "seq": seq}, started))
    return batch


class Writer(threading.Thread):
    """Writes one polling round every few milliseconds, recording what was acknowledged."""

    def __init__(self, sink: SpooledSink, first_seq: int) -> None:
        super().__init__(daemon=True)
        self.sink = sink
        self.seq = first_seq
        self.acked: list[int] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.sink.write(poll_batch(self.seq))
                self.acked.append(self.seq)
            except BaseException as exc:  # recorded; the test fails on any
                self.errors.append(exc)
            self.seq += 1
            time.sleep(0.005)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def assert_exactly_once(server: InfluxServer, acked: list[int]) -> None:
    for measurement, field in (("interface", "seq"), ("poll_status", "varbinds")):
        rows = server.rows(f'SELECT "{field}" FROM "raw"."{measurement}" GROUP BY "device"', DB)
        per_device = Counter(tags["device"] for tags, _ in rows)
        assert set(per_device) == set(DEVICES)
        assert set(per_device.values()) == {len(acked)}, measurement
        seqs = Counter(values[field] for _, values in rows)
        assert set(seqs) == set(acked), measurement
        assert set(seqs.values()) == {len(DEVICES)}, measurement


def test_influxd_crash_and_restart_lose_nothing(tmp_path: Path) -> None:
    server = InfluxServer(tmp_path / "influx").start()

    def open_sink() -> SpooledSink:
        store = InfluxSink(server.url, database=DB, raw_retention_days=0, timeout_s=2)
        return SpooledSink(store, Spool(tmp_path / "spool.db"), retry_interval_s=0.1)

    sink = open_sink()
    try:
        # 1. samples flow; influxd is killed and restarted underneath them
        writer = Writer(sink, first_seq=0)
        writer.start()
        wait_for(lambda: len(writer.acked) >= 20, 10, "writes before the outage")
        server.kill()
        wait_for(lambda: sink.spooling, 10, "the sink to notice the outage")
        acked_at_kill = len(writer.acked)
        wait_for(lambda: len(writer.acked) >= acked_at_kill + 40, 10, "writes into the spool")
        assert sink.spool_status.queued_samples > 0
        server.start()
        wait_for(lambda: not sink.spooling, 20, "the replay after influxd restarted")
        time.sleep(0.1)
        writer.stop.set()
        writer.join(timeout=10)
        assert writer.errors == []
        sink.flush()
        wait_for(lambda: not sink.spooling, 20, "the last replay")
        assert_exactly_once(server, writer.acked)
        acked = list(writer.acked)

        # 2. influxd down again; nms shuts down with samples still spooled
        server.kill()
        writer = Writer(sink, first_seq=acked[-1] + 1)
        writer.start()
        wait_for(lambda: len(writer.acked) >= 30, 10, "writes into the spool")
        writer.stop.set()
        writer.join(timeout=10)
        assert writer.errors == []
        assert sink.spooling
        sink.close()
        acked += writer.acked

        # 3. nms starts again (new objects, same spool file), then influxd comes back
        sink = open_sink()
        assert sink.spooling and sink.spool_status.queued_samples >= 30 * 2 * len(DEVICES)
        server.start()
        wait_for(lambda: not sink.spooling, 20, "the replay by the restarted nms")
        assert_exactly_once(server, acked)
    finally:
        sink.close()
        server.stop()
