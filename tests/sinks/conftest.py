"""Fixtures for the sink tests: real InfluxDB 1.x and VictoriaMetrics servers, and ``sink``.

``sink`` runs a test once per store -- memory, SQLite, InfluxDB 1.x -- so that every store is held
to one contract (style.md 2.10, contract tests over every registered plugin). The servers are
started once per session on free loopback ports; each InfluxDB test gets its own database.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.sinks.influx import InfluxSink
from collectors.sinks.memory import MemorySink
from collectors.sinks.sqlite import SqliteSink
from nms.sink import Sink
from tests.support.tsdb import InfluxServer, VictoriaMetricsServer

_db_numbers = itertools.count(1)
SINK_KINDS = ["memory", "sqlite", pytest.param("influxdb", marks=pytest.mark.influxdb)]


@pytest.fixture(scope="session")
def influx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """One influxd (1.x) for the session; tests use separate databases."""
    server = InfluxServer(tmp_path_factory.mktemp("influxd"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def vm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VictoriaMetricsServer]:
    """One VictoriaMetrics for the session (InfluxDB v2 write API)."""
    server = VictoriaMetricsServer(tmp_path_factory.mktemp("victoria-metrics"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def influx_database() -> str:
    """A database name no other test of this session uses."""
    return f"nms_test_{next(_db_numbers)}"


def make_sink(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Sink:
    """A fresh, empty store of ``kind``."""
    if kind == "memory":
        return MemorySink()
    if kind == "sqlite":
        return SqliteSink(tmp_path / "samples.db", raw_retention_days=0)
    server: InfluxServer = request.getfixturevalue("influx_server")
    return InfluxSink(server.url, database=influx_database(), raw_retention_days=0)


@pytest.fixture(params=SINK_KINDS)
def sink(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sink]:
    """Every store in turn, empty."""
    store = make_sink(request.param, request, tmp_path)
    try:
        yield store
    finally:
        store.close()
