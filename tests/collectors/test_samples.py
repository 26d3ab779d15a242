"""State-derived samples: the per-device health summary the console charts, types and tags."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.snmp.samples import state_samples
from nms.models import Sample

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def by_measurement(samples: list[Sample]) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = {}
    for s in samples:
        out.setdefault(s.measurement, []).append(s)
    return out


def test_device_health_summarises_processors_and_memory_without_swap() -> None:
    state = {
        "processors": [{"index": "1", "descr": "cpu0", "usage_percent": 10},
                       {"index": "2", "descr": "cpu1", "usage_percent": 31.5},
                       {"index": "3", "descr": "cpu2", "usage_percent": None}],
        "mempools": [{"index": "1", "descr": "Physical memory", "used_bytes": 300,
                      "total_bytes": 1000, "used_percent": 30},
                     {"index": "3", "descr": "Swap space", "used_bytes": 900, "total_bytes": 1000,
                      "used_percent": 90}],
    }
    got = by_measurement(state_samples(state, {"device": "r1"}, NOW, False))
    health = got["device_health"][0]
    assert health.tags == {"device": "r1"}
    assert health.fields == {"cpu_percent": 20.75, "memory_percent": 30.0}
    # Percent fields are floats whatever the agent sent, so every sink keeps one field type.
    assert all(isinstance(s.fields["usage_percent"], float) for s in got["processor"])
    assert len(got["processor"]) == 2  # a processor without a reading gives no sample
    assert {s.tags["descr"] for s in got["mempool"]} == {"Physical memory", "Swap space"}


def test_memory_percent_falls_back_to_pool_percentages() -> None:
    state = {"mempools": [{"index": "1", "descr": "main", "used_percent": 40},
                          {"index": "2", "descr": "io", "used_percent": 60}]}
    health = by_measurement(state_samples(state, {"device": "r1"}, NOW, False))["device_health"][0]
    assert health.fields == {"memory_percent": 50.0}


def test_tags_lose_backslashes_and_control_characters() -> None:
    state = {"mempools": [{"index": "2", "descr": "C:\\ Label:OS  Serial Number 1a2b\x00",
                           "used_bytes": 1, "total_bytes": 2}]}
    pool = by_measurement(state_samples(state, {"device": "w"}, NOW, False))["mempool"][0]
    assert pool.tags["descr"] == "C:/ Label:OS  Serial Number 1a2b"


def test_no_health_sample_without_readings() -> None:
    assert "device_health" not in by_measurement(state_samples({}, {"device": "r1"}, NOW, False))
