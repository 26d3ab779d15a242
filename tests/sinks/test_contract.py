"""One contract for every sink: memory, SQLite and InfluxDB 1.x must store and read alike.

The expected values are computed by hand in each test (not by nms code), so a shared bug in
``nms.sink.reduce_values`` cannot hide behind agreement between the stores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nms import registry
from nms.config import Config, SinkConfig
from nms.errors import SinkError
from nms.models import PollResult, PollStatus, Sample
from nms.sink import SamplesRejectedError, Series, Sink, open_sink
from nms.spool import SpooledSink

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
FIVE = timedelta(minutes=5)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def health(device: str, minute: float, cpu: int, temp: float, site: str = "城关镇") -> Sample:
    return Sample("device_health", {"device": device, "site": site},
                  {"cpu_percent": cpu, "temperature_celsius": temp}, at(minute))


def values(series: Series) -> list[object]:
    return [v for _, v in series.points]


# ---- round trip ------------------------------------------------------------------------------


def test_round_trip_keeps_types_tags_and_microseconds(sink: Sink) -> None:
    t = T0 + timedelta(microseconds=123457)
    original = Sample(
        "interface",
        {"device": "县局 core-1", "ifname": "GigabitEthernet0/0/1", "ifalias": "to 乡镇, uplink=a"},
        {"in_octets": 2**62 + 1, "speed_bps": 1.0, "big": 1e16, "small": 1.25e-7,
         "is_up": True, "is_enabled": False, "descr": 'line1\nline2 "quoted" \\ back, =,',
         "name_zh": "上联 千兆"},
        t,
    )
    sink.write([original])
    got = sink.query("interface")
    assert got == [original]
    for key, value in original.fields.items():
        assert type(got[0].fields[key]) is type(value), key


def test_rewriting_a_point_is_idempotent_and_merges_fields(sink: Sink) -> None:
    batch = [health("r1", m, cpu=m, temp=40.5) for m in range(5)]
    sink.write(batch)
    sink.write(batch)  # a spool replay of an already stored batch
    assert sink.query("device_health") == batch
    # same identity (measurement + tags + time): fields merge, later values win
    sink.write([Sample("device_health", {"device": "r1", "site": "城关镇"},
                       {"cpu_percent": 99, "memory_percent": 12.5}, at(0))])
    first = sink.query("device_health", end=at(1))
    assert first == [Sample("device_health", {"device": "r1", "site": "城关镇"},
                            {"cpu_percent": 99, "temperature_celsius": 40.5,
                             "memory_percent": 12.5}, at(0))]


def test_empty_tag_value_is_the_same_as_no_tag(sink: Sink) -> None:
    sink.write([Sample("interface", {"device": "r1", "ifname": "eth0", "ifalias": ""},
                       {"in_octets": 1}, T0)])
    sink.write([Sample("interface", {"device": "r1", "ifname": "eth0"}, {"out_octets": 2}, T0)])
    assert sink.query("interface") == [
        Sample("interface", {"device": "r1", "ifname": "eth0"}, {"in_octets": 1, "out_octets": 2},
               T0)]


# ---- query filters ---------------------------------------------------------------------------


def test_query_filters_by_tags_fields_and_half_open_time_range(sink: Sink) -> None:
    batch = [health(d, m, cpu=m, temp=30.0 + m) for d in ("r1", "r2", "r3") for m in range(6)]
    batch.append(Sample("device_health", {"device": "r4"}, {"uptime_seconds": 5}, at(2)))
    sink.write(batch)

    got = sink.query("device_health", tags={"device": "r2"}, start=at(1), end=at(3))
    assert got == [health("r2", 1, 1, 31.0), health("r2", 2, 2, 32.0)]

    got = sink.query("device_health", tags={"device": ["r1", "r3"]}, fields=["cpu_percent"],
                     start=at(5))
    assert got == [Sample("device_health", {"device": d, "site": "城关镇"}, {"cpu_percent": 5},
                          at(5)) for d in ("r1", "r3")]
    # r4's point has none of the requested fields: left out, not returned empty
    got = sink.query("device_health", fields=["cpu_percent"], start=at(2), end=at(2.5))
    assert [s.tags["device"] for s in got] == ["r1", "r2", "r3"]
    assert sink.query("device_health", tags={"device": []}) == []
    assert sink.query("device_health", tags={"device": "nope"}) == []
    assert sink.query("no_such_measurement") == []
    assert sink.query("device_health", fields=["no_such_field"]) == []
    # results come sorted by time, then tags
    everything = sink.query("device_health")
    assert len(everything) == 19
    assert everything == sorted(everything, key=lambda s: (s.time, sorted(s.tags.items())))


# ---- aggregates ------------------------------------------------------------------------------


@pytest.fixture
def cpu_data(sink: Sink) -> Sink:
    """cpu_percent of r1 and r2 every minute for 12 minutes, plus a late r1 point.

    r1: 0, 10, 20, ... 110 at minutes 0..11; r2: 5 at even minutes; a string field 'state'.
    """
    batch = [Sample("device_health", {"device": "r1", "site": "a"},
                    {"cpu_percent": 10 * m, "state": "ok"}, at(m)) for m in range(12)]
    batch += [Sample("device_health", {"device": "r2", "site": "a"},
                     {"cpu_percent": 5, "state": "ok"}, at(m)) for m in range(0, 12, 2)]
    sink.write(batch)
    return sink


@pytest.mark.parametrize(("fn", "r1", "r2"), [
    # r1 buckets [0,5) [5,10) [10,15) -- the query starts at minute 1, so minute 0 is out
    ("mean", [25.0, 70.0, 105.0, None], [5.0, 5.0, 5.0, None]),
    ("max", [40, 90, 110, None], [5, 5, 5, None]),
    ("min", [10, 50, 100, None], [5, 5, 5, None]),
    ("sum", [100, 350, 210, None], [10, 10, 5, None]),
    ("count", [4, 5, 2, 0], [2, 2, 1, 0]),
    ("last", [40, 90, 110, None], [5, 5, 5, None]),
    # nearest rank: n=4 -> index round(3.8)-1 = 3; n=5 -> index round(4.75)-1 = 4
    ("p95", [40, 90, 110, None], [5, 5, 5, None]),
])
def test_aggregate_per_group_matches_influxql_semantics(cpu_data: Sink, fn: str, r1: list[object],
                                                        r2: list[object]) -> None:
    got = cpu_data.aggregate("device_health", "cpu_percent", fn, FIVE,  # type: ignore[arg-type]
                             group_by_tags=["device"], start=at(1), end=at(20))
    assert [s.tags for s in got] == [{"device": "r1"}, {"device": "r2"}]
    assert [t for t, _ in got[0].points] == [at(0), at(5), at(10), at(15)]
    assert values(got[0]) == r1
    assert values(got[1]) == r2
    for series in got:
        for v in values(series):
            if v is not None and fn == "mean":
                assert isinstance(v, float)
            elif v is not None:
                assert isinstance(v, int) and not isinstance(v, bool)


def test_aggregate_over_all_series_and_missing_group_tag(cpu_data: Sink) -> None:
    cpu_data.write([Sample("device_health", {"device": "r3"}, {"cpu_percent": 1}, at(3))])
    got = cpu_data.aggregate("device_health", "cpu_percent", "sum", FIVE, start=at(0), end=at(10))
    assert got == [Series({}, [(at(0), 0 + 10 + 20 + 30 + 40 + 15 + 1), (at(5), 350 + 10)])]
    got = cpu_data.aggregate("device_health", "cpu_percent", "count", FIVE,
                             group_by_tags=["site"], start=at(0), end=at(10))
    assert got == [Series({"site": ""}, [(at(0), 1), (at(5), 0)]),
                   Series({"site": "a"}, [(at(0), 8), (at(5), 7)])]
    got = cpu_data.aggregate("device_health", "cpu_percent", "max", timedelta(hours=1),
                             tags={"device": ["r2", "r3"]}, start=at(0), end=at(60))
    assert got == [Series({}, [(at(0), 5)])]


def test_aggregate_float_field_and_bucket_alignment(sink: Sink) -> None:
    sink.write([Sample("device_health", {"device": "r1"}, {"temperature_celsius": float(v)},
                       at(m)) for m, v in ((7, 40), (8, 41), (14, 50))])
    got = sink.aggregate("device_health", "temperature_celsius", "max", timedelta(minutes=10),
                         start=at(7), end=at(15))
    # buckets are epoch aligned: 08:00 and 08:10, not 08:07 and 08:17
    assert got == [Series({}, [(at(0), 41.0), (at(10), 50.0)])]
    assert all(isinstance(v, float) for v in values(got[0]))
    got = sink.aggregate("device_health", "temperature_celsius", "mean", timedelta(minutes=10),
                         start=at(7), end=at(15))
    assert values(got[0]) == [pytest.approx(40.5), pytest.approx(50.0)]


def test_aggregate_rejects_what_it_cannot_compute(cpu_data: Sink) -> None:
    for fn in ("mean", "sum", "min", "max", "p95"):
        with pytest.raises(SinkError, match="numeric"):
            cpu_data.aggregate("device_health", "state", fn, FIVE,  # type: ignore[arg-type]
                               start=at(0), end=at(10))
    with pytest.raises(SinkError, match="unknown aggregate"):
        cpu_data.aggregate("device_health", "cpu_percent", "median",  # type: ignore[arg-type]
                           FIVE, start=at(0), end=at(10))
    with pytest.raises(SinkError, match="positive"):
        cpu_data.aggregate("device_health", "cpu_percent", "mean", timedelta(0),
                           start=at(0), end=at(10))
    got = cpu_data.aggregate("device_health", "state", "count", FIVE, start=at(0), end=at(10))
    assert values(got[0]) == [8, 7]
    got = cpu_data.aggregate("device_health", "state", "last", FIVE, start=at(0), end=at(10))
    assert values(got[0]) == ["ok", "ok"]
    assert cpu_data.aggregate("device_health", "nope", "mean", FIVE, start=at(0),
                              end=at(10)) == []


# ---- availability ----------------------------------------------------------------------------


def poll(device: str, minute: float, status: PollStatus) -> Sample:
    result = PollResult(device=device, collector="snmp", started=at(minute), duration_s=0.2,
                        status=status, varbinds=10 if status is PollStatus.OK else 0,
                        error=None if status is PollStatus.OK else "timeout after 2 s")
    return result.status_sample({"site": "城关镇"})


def test_availability_fractions_none_without_data(sink: Sink) -> None:
    ok, down = PollStatus.OK, PollStatus.TIMEOUT
    sink.write([
        # r1 polled every minute: bucket 0 all up, bucket 1 three of five up
        *[poll("r1", m, ok) for m in range(5)],
        *[poll("r1", m, down if m in (6, 8) else ok) for m in range(5, 10)],
        # r2 polled every 5 minutes, down in the second bucket, silent in the third
        poll("r2", 0, ok), poll("r2", 5, down),
        # another collector on r2 counts too
        Sample("poll_status", {"device": "r2", "collector": "ssh"}, {"reachable": True}, at(6)),
        # before the range: never counted
        poll("r1", -1, down),
    ])
    got = sink.availability(at(0), at(15))
    assert got == {
        "r1": [(at(0), 1.0), (at(5), 0.6), (at(10), None)],
        "r2": [(at(0), 1.0), (at(5), 0.5), (at(10), None)],
    }
    got = sink.availability(at(0), at(10), every=timedelta(minutes=10), devices=["r2", "gone"])
    assert got == {"gone": [(at(0), None)], "r2": [(at(0), 2 / 3)]}
    # coarse buckets (many polls each): InfluxDB counts on the server instead of fetching polls
    got = sink.availability(at(0), at(60), every=timedelta(hours=1))
    assert got == {"r1": [(at(0), 0.8)], "r2": [(at(0), 2 / 3)]}
    assert sink.availability(at(60), at(70)) == {}


# ---- field types -----------------------------------------------------------------------------


def test_a_field_keeps_its_first_type(sink: Sink) -> None:
    sink.write([Sample("device_health", {"device": "r1"}, {"cpu_percent": 5}, at(0))])
    conflicting = Sample("device_health", {"device": "r2"}, {"cpu_percent": 5.5}, at(1))
    fine = Sample("device_health", {"device": "r3"}, {"cpu_percent": 7}, at(1))
    with pytest.raises(SamplesRejectedError, match="cpu_percent") as info:
        sink.write([conflicting, fine])
    assert [s for s, _ in info.value.rejected] == [conflicting]
    assert [s.tags["device"] for s in sink.query("device_health")] == ["r1", "r3"]


# ---- plugins and open_sink -------------------------------------------------------------------


def test_every_registered_sink_follows_the_plugin_contract() -> None:
    names = registry.sinks.names()
    assert {"influxdb", "memory", "sqlite"} <= set(names)
    for name, plugin in registry.sinks.items():
        assert isinstance(plugin, type) and issubclass(plugin, Sink), name
        assert plugin.name == name
        assert plugin.__doc__ and plugin.__module__.startswith("collectors.sinks.")
        assert callable(plugin.from_config)


def test_open_sink_wraps_stores_in_the_spool(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path / "data"))
    sink = open_sink(config)
    try:
        assert isinstance(sink, SpooledSink) and sink.name == "sqlite"
        sink.write([health("r1", 0, 1, 2.0)])
        assert sink.query("device_health") == [health("r1", 0, 1, 2.0)]
        assert (tmp_path / "data" / "samples.db").exists()
        assert (tmp_path / "data" / "spool.db").exists()
        assert not sink.spooling and sink.spool_status.queued_samples == 0
    finally:
        sink.close()
    memory = open_sink(Config(data_dir=str(tmp_path), sink=SinkConfig(type="memory")))
    assert memory.name == "memory" and not isinstance(memory, SpooledSink)
    with pytest.raises(SinkError, match="no plugin 'nope'"):
        open_sink(Config(sink=SinkConfig(type="nope")))  # type: ignore[arg-type]
