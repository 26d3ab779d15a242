"""Probe targets from the inventory, rounds as ``probe`` samples, the schedule, the collector."""

from __future__ import annotations

import asyncio
import socket
import threading
from types import SimpleNamespace

import pytest

from collectors.probe.runner import ProbeCollector, ProbeRunner, ProbeTarget, targets_from_inventory
from collectors.sinks.memory import MemorySink
from nms.models import PollStatus
from nms.topology import reachability_from_samples


def _method() -> str:
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
        return "icmp"
    except OSError:
        return "connect"


INVENTORY = {
    "devices": [{"name": "r1", "address": "127.0.0.1", "site": "city"},
                {"name": "r2", "address": "127.0.0.2", "site": "county01"},
                {"name": "noaddr", "address": None}],
    "interfaces": [{"device": "r1", "name": "Gi0/1", "address": "127.0.1.1/30"},
                   {"device": "r2", "name": "Gi0/2", "address": "127.0.1.2/30"},
                   {"device": "r2", "name": "Gi0/3", "address": None}],
    "links": [{"a_device": "r1", "a_interface": "Gi0/1", "b_device": "r2", "b_interface": "Gi0/2"},
              {"a_device": "r2", "a_interface": "Gi0/3", "b_device": "r1", "b_interface": "Gi0/9"}],
}


def test_targets_are_devices_and_planned_link_endpoints() -> None:
    targets = targets_from_inventory(INVENTORY["devices"], INVENTORY["interfaces"],
                                     INVENTORY["links"])
    assert [(t.device, t.address, t.kind) for t in targets] == [
        ("r1", "127.0.0.1", "device"), ("r2", "127.0.0.2", "device"),
        ("r1", "127.0.1.1", "link_endpoint"), ("r2", "127.0.1.2", "link_endpoint")]
    endpoint = targets[2]
    assert endpoint.sample_tags() == {"device": "r1", "kind": "link_endpoint", "site": "city",
                                      "link": "r1:Gi0/1--r2:Gi0/2", "ifname": "Gi0/1"}


def test_one_round_gives_one_sample_per_target() -> None:
    targets = targets_from_inventory(INVENTORY["devices"], INVENTORY["interfaces"],
                                     INVENTORY["links"])
    runner = ProbeRunner(targets, method=_method(), count=2, allowed=["127.0.0.0/8"])
    samples = runner.run_once()
    assert len(samples) == 4
    assert {s.measurement for s in samples} == {"probe"}
    assert all(s.fields["loss_percent"] == 0.0 and s.fields["received"] == 2 for s in samples)
    assert all("rtt_avg_ms" in s.fields for s in samples)
    assert runner.reachability().keys() == {"r1", "r2"}
    assert reachability_from_samples(samples)["r2"]["reachable"] is True


def test_schedule_writes_rounds_to_the_sink() -> None:
    sink = MemorySink()
    runner = ProbeRunner([ProbeTarget("r1", "127.0.0.1")], method=_method(), count=1,
                         allowed=["127.0.0.0/8"])
    seen: list[int] = []
    rounds = runner.run(0.05, sink=sink, rounds=3, on_samples=lambda s: seen.append(len(s)))
    assert rounds == 3 and seen == [1, 1, 1]
    stored = sink.query("probe")
    assert len(stored) == 3 and all(s.tags["device"] == "r1" for s in stored)
    sink.close()


def test_schedule_survives_a_failing_round_and_stops_on_event() -> None:
    runner = ProbeRunner([ProbeTarget("x", "192.0.2.1")], method="connect",
                         allowed=["127.0.0.0/8"])  # refused every round, never sent
    stop = threading.Event()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    rounds = runner.run(0.05, stop=stop)
    timer.cancel()
    assert rounds >= 2


def test_collector_never_raises_and_follows_the_protocol() -> None:
    from collectors.base import Collector

    collector = ProbeCollector(method=_method(), count=1)
    assert isinstance(collector, Collector)
    result = asyncio.run(collector.collect_async(SimpleNamespace(name="r1", address="127.0.0.1")))
    assert result.ok
    ok = collector.collect(SimpleNamespace(name="r1", address="127.0.0.1"))
    assert ok.ok and ok.state["probe"]["reachable"] is True
    assert ok.samples[0].tags["kind"] == "device"
    bad = ProbeCollector(method="no-such").collect(SimpleNamespace(name="r9", address="127.0.0.1"))
    assert bad.status is PollStatus.ERROR and "unknown probe method" in (bad.error or "")


@pytest.mark.parametrize("method", ["connect", "ping"])
def test_unprivileged_methods_keep_the_sample_shape(method: str) -> None:
    runner = ProbeRunner([ProbeTarget("r1", "127.0.0.1")], method=method, count=1)
    (sample,) = runner.run_once()
    assert sample.tags["method"] in ("connect", "ping")
    assert {"loss_percent", "sent", "received", "reachable"} <= set(sample.fields)


def test_collector_round_over_many_devices_never_raises() -> None:
    devices = [SimpleNamespace(name="r1", address="127.0.0.1"),
               SimpleNamespace(name="r2", address="127.0.0.2"),
               SimpleNamespace(name="noaddr", address=None)]
    results = ProbeCollector(method=_method(), count=1, allowed=["127.0.0.0/8"]).collect_many(devices)
    assert [r.device for r in results] == ["r1", "r2", "noaddr"]
    assert [r.status for r in results] == [PollStatus.OK, PollStatus.OK, PollStatus.ERROR]
    assert [len(r.samples) for r in results] == [1, 1, 0]
    assert results[0].samples[0].tags == {"device": "r1", "kind": "device", "target": "127.0.0.1",
                                          "method": results[0].samples[0].tags["method"]}
    # a round refused by the allow-list is an error on every device, not an exception
    refused = ProbeCollector(method="connect", allowed=["198.19.0.0/16"]).collect_many(devices[:2])
    assert all(r.status is PollStatus.ERROR and "refusing to probe" in (r.error or "") for r in refused)
