"""Bad and awkward input: stored exactly, or rejected with a clear SinkError -- never dropped.

Each bad sample is written in a batch with a good one: the good one must be stored, the bad one
named in ``SamplesRejectedError.rejected`` with a reason a collector author can act on.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.sinks.influx import InfluxSink
from nms.models import Sample
from nms.sink import MAX_STRING_BYTES, SamplesRejectedError, Sink
from nms.spool import Spool, SpooledSink

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
GOOD = Sample("probe", {"device": "r1"}, {"rtt_ms": 1.5}, T0)


def _with_empty_fields() -> Sample:
    # Sample() refuses empty fields, but its dict is mutable: a collector can empty it later
    sample = Sample("probe", {"device": "r1"}, {"x": 1}, T0 + timedelta(seconds=1))
    sample.fields.clear()
    return sample


def bad(fields: dict[str, object] | None = None, tags: dict[str, object] | None = None,
        measurement: str = "probe", time: datetime | None = None) -> Sample:
    return Sample(measurement, tags if tags is not None else {"device": "r2"},  # type: ignore[arg-type]
                  fields if fields is not None else {"rtt_ms": 1.0},  # type: ignore[arg-type]
                  time or T0 + timedelta(seconds=1))


BAD = {
    "nan": (bad({"rtt_ms": math.nan}), "NaN"),
    "inf": (bad({"rtt_ms": math.inf}), "inf"),
    "-inf": (bad({"rtt_ms": -math.inf}), "inf"),
    "none": (bad({"rtt_ms": None}), "unsupported type NoneType"),
    "list": (bad({"rtt_ms": [1, 2]}), "unsupported type list"),
    "empty_fields": (_with_empty_fields(), "no fields"),
    "int_overflow": (bad({"in_octets": 2**64 - 1}), "64-bit"),
    "string_5mb": (bad({"text": "x" * 5_000_000}), "5000000 bytes"),
    "tag_newline": (bad(tags={"device": "r2\nDROP"}), "control character"),
    "tag_backslash": (bad(tags={"device": "C:\\"}), "backslash"),
    "tag_not_str": (bad(tags={"vlan": 10}), "must be a string"),
    "tag_huge": (bad(tags={"device": "x" * 5000}), "longer than"),
    "field_key_time": (bad({"time": 1}), "reserved"),
    "tag_key_underscore": (bad(tags={"_measurement": "x"}), "reserved"),
    "tag_and_field": (bad({"device": 1.0}), "both a tag and a field"),
    "measurement_underscore": (bad(measurement="_internal"), "reserved"),
    "measurement_tab": (bad(measurement="pro\tbe"), "control character"),
    "too_old": (bad(time=datetime(1500, 1, 1, tzinfo=UTC)), "outside"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_sample_is_rejected_by_name_and_the_rest_stored(sink: Sink, case: str) -> None:
    sample, reason = BAD[case]
    with pytest.raises(SamplesRejectedError) as info:
        sink.write([GOOD, sample])
    assert [s for s, _ in info.value.rejected] == [sample]
    assert reason in info.value.rejected[0][1]
    assert reason in str(info.value)
    assert sink.query("probe") == [GOOD]


AWKWARD = [
    Sample("probe", {"device": "r 1", "site": "a,b=c", "county": "城关镇 \"东\" 片区"},
           {"rtt_ms": 0.0}, T0),
    Sample("probe", {"device": "r1"}, {"max_string": "字" * (MAX_STRING_BYTES // 3)}, T0),
    Sample("probe", {"device": "r1"}, {"neg": -(2**63), "pos": 2**63 - 1, "tiny": 5e-324,
                                       "huge": 1.7976931348623157e308}, T0 + timedelta(1)),
    Sample("探测 测量", {"设备": "核心 交换机"}, {"时延 毫秒": 3.25}, T0),
    Sample("probe", {"device": "r1"}, {"s": "", "quote": '"', "backslash_end": "x\\"},
           T0 + timedelta(2)),
    Sample("probe", {"device": "r1"}, {"early": True}, datetime(1970, 1, 1, tzinfo=UTC)),
    Sample("probe", {"device": "r1"}, {"pre_epoch": 1},
           datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
]


@pytest.mark.parametrize("sample", AWKWARD, ids=lambda s: next(iter(s.fields)))
def test_awkward_but_valid_samples_round_trip_exactly(sink: Sink, sample: Sample) -> None:
    sink.write([sample])
    assert sink.query(sample.measurement) == [sample]


def test_rejected_samples_never_reach_the_spool(tmp_path: Path) -> None:
    # a real InfluxDB client pointed at a closed port: the store is genuinely unavailable
    from tests.support.tsdb import free_port

    dead = InfluxSink(f"http://127.0.0.1:{free_port()}", version="1", timeout_s=1)
    sink = SpooledSink(dead, Spool(tmp_path / "spool.db"), background=False)
    try:
        with pytest.raises(SamplesRejectedError, match="NaN"):
            sink.write([GOOD, BAD["nan"][0]])
        _, queued = sink.spool.peek(100)
        assert [s for s in queued if s.measurement == "probe"] == [GOOD]
    finally:
        sink.close()
