"""The durable spool: order, persistence, bounds, warning state, and a real crash of the writer.

The "unavailable store" here is always real: an ``InfluxSink`` pointed at a loopback port where
nothing listens (connection refused), or an influxd that is started later on that port.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.sinks.influx import InfluxSink
from nms.models import Sample
from nms.spool import ROW_SAMPLES, Spool, SpooledSink, SpoolFullError
from tests.support.tsdb import InfluxServer, free_port

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def samples(n: int, start: int = 0, device: str = "r1") -> list[Sample]:
    return [Sample("interface", {"device": device, "ifname": "Gi0/1"},
                   {"in_octets": i, "rate": i / 3, "up": i % 2 == 0, "note": f"第{i}"},
                   T0 + timedelta(microseconds=i)) for i in range(start, start + n)]


def dead_sink() -> InfluxSink:
    return InfluxSink(f"http://127.0.0.1:{free_port()}", version="1", timeout_s=1)


def test_spool_is_fifo_exact_and_survives_reopening(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db")
    first, second = samples(2500), samples(10, start=5000)
    spool.append(first)
    spool.append(second)
    spool.close()

    spool = Spool(tmp_path / "spool.db")
    assert len(spool) == 2510
    ids, batch = spool.peek(2000)
    # whole rows of at most ROW_SAMPLES: memory per replay step is bounded
    assert len(batch) == 2000 and len(ids) == 2000 // ROW_SAMPLES
    assert batch == first[:2000]
    spool.remove(ids)
    ids, batch = spool.peek(100_000)
    assert batch == first[2000:] + second
    spool.remove(ids)
    assert len(spool) == 0 and spool.peek(10) == ([], [])
    spool.compact()
    spool.close()


def test_damaged_row_is_quarantined_not_blocking(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    spool = Spool(tmp_path / "spool.db")
    spool.append(samples(10))
    spool.append(samples(10, start=10))
    spool.append(samples(10, start=20))
    spool._db.execute("UPDATE batch SET payload = x'00ff' WHERE id = 2")
    ids, batch = spool.peek(100)
    assert batch == samples(10) + samples(10, start=20)
    assert "batch 2 is unreadable" in caplog.text
    assert spool._db.execute("SELECT id FROM quarantine").fetchall() == [(2,)]
    spool.remove(ids)
    assert len(spool) == 0
    spool.close()


def test_full_spool_refuses_loudly_and_keeps_what_it_has(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db", max_mb=0.3, warn_percent=50)
    spool.append(samples(1000))
    queued = spool.status()
    assert 0 < queued.queued_bytes < spool.capacity_bytes
    with pytest.raises(SpoolFullError, match=r"is full .* 5000 sample\(s\) NOT stored"):
        for i in range(1, 100):
            spool.append(samples(5000, start=i * 10_000))
    status = spool.status()
    assert status.warning and status.queued_samples >= 1000
    _, batch = spool.peek(1000)
    assert batch == samples(1000)


def test_spooled_sink_warns_and_records_spool_status(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    sink = SpooledSink(dead_sink(), Spool(tmp_path / "spool.db", max_mb=0.2, warn_percent=30),
                       background=False)
    try:
        caplog.set_level(logging.WARNING, logger="nms.spool")
        sink.write(samples(10))
        assert sink.spooling and "Connection refused" in (sink.last_error or "")
        assert "unavailable, spooling" in caplog.text
        assert not sink.spool_status.warning
        for i in range(1, 40):
            sink.write(samples(1000, start=i * 1000))
            if sink.spool_status.warning:
                break
        assert sink.spool_status.warning
        assert "% full" in caplog.text
        _, queued = sink.spool.peek(10**6)
        statuses = [s for s in queued if s.measurement == "spool_status"]
        assert statuses[0].fields["warning"] is False
        assert statuses[-1].fields["warning"] is True
        assert statuses[-1].fields["capacity_bytes"] == int(0.2 * 1024 * 1024)
        # the store is still down: flush keeps the samples instead of failing
        sink.flush()
        assert sink.spooling
    finally:
        sink.close()


@pytest.mark.influxdb
def test_spool_replays_in_order_when_influxdb_comes_up(tmp_path: Path) -> None:
    server = InfluxServer(tmp_path / "influx")  # port chosen, nothing listening yet
    store = InfluxSink(server.url, database="late", raw_retention_days=0, timeout_s=2)
    sink = SpooledSink(store, Spool(tmp_path / "spool.db"), background=False, replay_chunk=700)
    try:
        sink.write(samples(3000))
        # the same points again with other values: replay order decides who wins
        sink.write([Sample(s.measurement, s.tags, {"in_octets": -1}, s.time)
                    for s in samples(3000)[:10]])
        assert sink.spooling
        server.start()
        assert sink.replay() > 3010
        assert not sink.spooling and sink.spool_status.queued_samples == 0
        rows = server.rows('SELECT * FROM "raw"."interface"', "late")
        assert len(rows) == 3000
        assert [r["in_octets"] for _, r in rows[:10]] == [-1] * 10
        assert [r["in_octets"] for _, r in rows[10:]] == list(range(10, 3000))
        # the state while spooling and the drain are on record
        status = server.rows('SELECT * FROM "raw"."spool_status" GROUP BY *', "late")
        assert status[0][0] == {"sink": "influxdb"} and status[-1][1]["queued_samples"] == 0
        # later writes go straight through again
        sink.write(samples(5, start=9000))
        assert not sink.spooling and len(server.rows('SELECT * FROM "raw"."interface"',
                                                     "late")) == 3005
    finally:
        sink.close()
        server.stop()


_WRITER = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime, timedelta
    from collectors.sinks.influx import InfluxSink
    from nms.models import Sample
    from nms.spool import Spool, SpooledSink

    url, path = sys.argv[1], sys.argv[2]
    sink = SpooledSink(InfluxSink(url, version="1", timeout_s=1), Spool(path), background=False)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(10**9):
        batch = [Sample("probe", {"device": f"r{d}"}, {"seq": i}, t0 + timedelta(seconds=i))
                 for d in range(20)]
        sink.write(batch)
        print(i, flush=True)  # acknowledged
""")


def test_crash_of_the_writer_loses_nothing_acknowledged(tmp_path: Path) -> None:
    """SIGKILL the nms process mid-stream: every acknowledged batch is in the spool file."""
    url = f"http://127.0.0.1:{free_port()}"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, url, str(tmp_path / "spool.db")],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acked = -1
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while acked < 50 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked = int(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.stderr is not None
        err = proc.stderr.read()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()
    assert acked >= 50, err[-2000:]
    spool = Spool(tmp_path / "spool.db")
    _, queued = spool.peek(10**7)
    seqs = {s.fields["seq"] for s in queued if s.measurement == "probe"}
    assert set(range(acked + 1)) <= seqs
    spool.close()
