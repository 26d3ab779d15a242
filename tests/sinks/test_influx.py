"""InfluxDB specifics against real servers: 1.x schema management, server-side refusals, version
detection, rollup backfill, and the v2 write path (VictoriaMetrics' ``/api/v2/write``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.sinks.influx import InfluxSink, LineRenderer, api_generation, to_point
from nms.config import Config, SinkConfig
from nms.errors import SinkError
from nms.models import PollResult, PollStatus, Sample, utcnow
from nms.sink import SamplesRejectedError, SinkUnavailableError, open_sink
from nms.spool import Spool, SpooledSink
from tests.sinks.conftest import influx_database
from tests.support.tsdb import InfluxServer, VictoriaMetricsServer

pytestmark = pytest.mark.influxdb

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def policies(server: InfluxServer, db: str) -> dict[str, tuple[str, bool]]:
    rows = server.rows(f'SHOW RETENTION POLICIES ON "{db}"', db)
    return {r["name"]: (r["duration"], r["default"]) for _, r in rows}


def test_version_strings() -> None:
    assert api_generation("1.6.7~rc0") == 1
    assert api_generation("1.8.10") == 1
    assert api_generation("v2.7.11") == 2
    assert api_generation("3.0.1-abc") == 2
    with pytest.raises(SinkError, match="cannot understand"):
        api_generation("OSS")


def test_cached_series_prefix_renders_exactly_what_point_renders() -> None:
    from tests.sinks.test_bad_input import AWKWARD

    render = LineRenderer(limit=3)  # small: the cache is also cleared on the way
    extra = [Sample("m", {"b": "2", "a": "1", "empty": ""}, {"f": 1.0, "i": -5, "s": "x y"}, T0),
             Sample("m", {"a": "1", "b": "2"}, {"f": 2.5}, T0), Sample("m", {}, {"b": False}, T0)]
    for sample in [*AWKWARD, *extra, *AWKWARD]:
        assert render(sample) == to_point(sample).to_line_protocol().encode()


def test_1x_schema_retention_and_continuous_queries(influx_server: InfluxServer) -> None:
    db = influx_database()
    config = Config(sink=SinkConfig(type="influxdb", url=influx_server.url, database=db,
                                    raw_retention_days=30, rollup_retention_days=365))
    now = utcnow()
    sink = open_sink(config, spool=False)
    try:
        sink.write([Sample("probe", {"device": "r1"}, {"rtt_ms": 1.0}, now)])
        # older than the raw retention: InfluxDB refuses it, and says so
        with pytest.raises(SamplesRejectedError, match="beyond retention policy"):
            sink.write([Sample("probe", {"device": "r1"}, {"rtt_ms": 1.0},
                               now - timedelta(days=31))])
    finally:
        sink.close()
    assert policies(influx_server, db) == {"autogen": ("0s", False), "raw": ("720h0m0s", True),
                                           "rollup_5m": ("8760h0m0s", False)}
    cqs = {row["name"]: row["query"] for _, row in influx_server.rows("SHOW CONTINUOUS QUERIES",
                                                                      db) if "name" in row}
    assert "GROUP BY time(5m), *" in cqs["nms_rollup_5m"]
    assert "up_count" in cqs["nms_poll_status_up_5m"]
    # config changed: managed policies follow it
    InfluxSink(influx_server.url, database=db, raw_retention_days=7,
               rollup_retention_days=0).write([Sample("probe", {}, {"rtt_ms": 2.0}, now)])
    assert policies(influx_server, db)["raw"] == ("168h0m0s", True)
    assert policies(influx_server, db)["rollup_5m"] == ("0s", False)
    # a policy named in the config is the operator's: created when missing, never altered
    InfluxSink(influx_server.url, database=db, retention_policy="autogen",
               raw_retention_days=3).write([Sample("probe", {}, {"rtt_ms": 3.0}, now)])
    assert policies(influx_server, db)["autogen"] == ("0s", False)
    assert influx_server.rows('SELECT * FROM "autogen"."probe"', db)[0][1]["rtt_ms"] == 3.0


def test_server_side_type_conflict_is_rejected_not_spooled(influx_server: InfluxServer,
                                                           tmp_path: Path) -> None:
    db = influx_database()
    first = InfluxSink(influx_server.url, database=db, raw_retention_days=0)
    other = InfluxSink(influx_server.url, database=db, raw_retention_days=0)
    other.write([Sample("unrelated", {}, {"x": 1}, T0)])  # has read the (empty) field list
    first.write([Sample("device_health", {"device": "r1"}, {"cpu_percent": 5}, T0)])
    config = Config(data_dir=str(tmp_path),
                    sink=SinkConfig(type="influxdb", url=influx_server.url, database=db))
    spooled = SpooledSink(other, Spool.from_config(config),
                          background=False)
    try:
        with pytest.raises(SamplesRejectedError, match="field type conflict"):
            spooled.write([Sample("device_health", {"device": "r2"}, {"cpu_percent": 5.5}, T0),
                           Sample("device_health", {"device": "r3"}, {"cpu_percent": 0.5}, T0),
                           Sample("probe", {"device": "r2"}, {"rtt_ms": 1.5}, T0)])
        assert not spooled.spooling and spooled.spool_status.queued_samples == 0
        # the server kept the rest of the batch
        assert influx_server.rows('SELECT * FROM "raw"."probe"', db)[0][1]["rtt_ms"] == 1.5
    finally:
        spooled.close()
        first.close()


def test_dropped_database_is_created_again(influx_server: InfluxServer) -> None:
    db = influx_database()
    sink = InfluxSink(influx_server.url, database=db, raw_retention_days=0)
    sink.write([Sample("probe", {"device": "r1"}, {"rtt_ms": 1.0}, T0)])
    influx_server.query(f'DROP DATABASE "{db}"')
    sink.write([Sample("probe", {"device": "r1"}, {"rtt_ms": 2.0}, T0 + timedelta(1))])
    assert [r["rtt_ms"] for _, r in influx_server.rows('SELECT * FROM "raw"."probe"', db)] == [2.0]
    sink.close()


def test_after_replay_recomputes_rollups_of_late_samples(influx_server: InfluxServer) -> None:
    db = influx_database()
    sink = InfluxSink(influx_server.url, database=db, raw_retention_days=0,
                      rollup_retention_days=0)
    polls = []
    for minute in range(10):
        status = PollStatus.OK if minute not in (1, 7, 8) else PollStatus.TIMEOUT
        polls.append(PollResult(device="r1", collector="snmp", started=T0 + timedelta(minutes=minute),
                                duration_s=0.5, status=status).status_sample())
    sink.write(polls)
    # March is far outside the continuous query's one-hour window: only the backfill sees it
    sink.after_replay(T0, T0 + timedelta(minutes=9))
    rows = influx_server.rows('SELECT up_count, count_reachable, mean_duration_seconds '
                              'FROM "rollup_5m"."poll_status" GROUP BY "device"', db)
    assert [(tags["device"], r["up_count"], r["count_reachable"], r["mean_duration_seconds"])
            for tags, r in rows] == [("r1", 4, 5, 0.5), ("r1", 3, 5, 0.5)]
    sink.close()


def test_unreachable_server_is_unavailable_not_an_error(tmp_path: Path) -> None:
    server = InfluxServer(tmp_path)  # never started
    sink = InfluxSink(server.url, timeout_s=1)
    with pytest.raises(SinkUnavailableError, match="Connection refused"):
        sink.write([Sample("probe", {}, {"rtt_ms": 1.0}, T0)])
    with pytest.raises(SinkUnavailableError):
        sink.query("probe")


# ---- v2 write path: VictoriaMetrics ------------------------------------------------------------


def test_v2_write_api_round_trip_through_victoria_metrics(vm_server: VictoriaMetricsServer) -> None:
    sink = InfluxSink(vm_server.url, version="2", token="unused", org="county", bucket="nms",
                      batch_size=7)
    t = T0 + timedelta(milliseconds=250)  # VictoriaMetrics keeps milliseconds
    batch = [Sample("interface", {"device": f"县局 核心,{n}=a", "ifname": "Gi0/1"},
                    {"in_octets": 10**12 + n, "util_percent": n / 4, "is_up": n % 2 == 0},
                    t + timedelta(seconds=n)) for n in range(20)]
    sink.write(batch)
    sink.write(batch)  # a replay: stored once
    got = {}
    for line in vm_server.export('{__name__=~"interface_.*"}'):
        metric = line["metric"]
        for ts, value in zip(line["timestamps"], line["values"], strict=True):
            key = (metric["__name__"], metric["device"], metric["ifname"], ts)
            assert key not in got, f"duplicate {key}"
            got[key] = value
    expected = {}
    for s in batch:
        ts = int(s.time.timestamp() * 1000)
        expected[("interface_in_octets", s.tags["device"], "Gi0/1", ts)] = s.fields["in_octets"]
        expected[("interface_util_percent", s.tags["device"], "Gi0/1", ts)] = \
            s.fields["util_percent"]
        expected[("interface_is_up", s.tags["device"], "Gi0/1", ts)] = int(s.fields["is_up"])
    assert got == expected
    # no InfluxQL there: reads fail clearly instead of returning "no data"
    with pytest.raises(SinkError, match="InfluxQL|field types"):
        sink.query("interface", fields=["in_octets"])
    with pytest.raises(SinkError, match="InfluxQL"):
        sink.query("interface")
    sink.close()


def test_auto_version_needs_an_influxdb_ping_header(vm_server: VictoriaMetricsServer) -> None:
    sink = InfluxSink(vm_server.url)
    with pytest.raises(SinkUnavailableError, match="X-Influxdb-Version.*sink.version"):
        sink.write([Sample("probe", {}, {"rtt_ms": 1.0}, T0)])


def test_v2_outage_spools_and_replays_through_the_write_api(tmp_path: Path) -> None:
    """The WriteApi path fails over to the spool like the 1.x path (VictoriaMetrics down, up)."""
    server = VictoriaMetricsServer(tmp_path / "vm")  # port chosen, nothing listening yet
    store = InfluxSink(server.url, version="2", token="unused", org="county", bucket="nms",
                       timeout_s=2, max_retries=0)
    sink = SpooledSink(store, Spool(tmp_path / "spool.db"), background=False)
    batch = [Sample("probe", {"device": f"r{n}"}, {"rtt_ms": n + 0.5}, T0) for n in range(50)]
    try:
        sink.write(batch)
        assert sink.spooling and sink.spool_status.queued_samples >= 50
        server.start()
        assert sink.replay() >= 50
        assert not sink.spooling
        got = {line["metric"]["device"]: line["values"]
               for line in server.export('{__name__="probe_rtt_ms"}')}
        assert got == {f"r{n}": [n + 0.5] for n in range(50)}
    finally:
        sink.close()
        server.stop()
