"""Fixtures for the report tests: the scenario month written into real stores.

The scenario (scenario.py) is written once per session into an SQLite sink file and, for the
``influxdb`` tests, into a real influxd on a free loopback port (tests/support/tsdb.py), and an
inventory database is created from the same sites, devices and links. Tests read them through
``nms.sink.open_sink`` and ``nms.reports.data.load_inventory`` -- the code paths production uses.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from nms.config import Config, load_config_data
from nms.sink import open_sink
from tests.support.tsdb import InfluxServer

from . import scenario

_dbs = itertools.count(1)


def inventory_yaml() -> dict[str, Any]:
    """The scenario's inventory in the import format (nms inventory import)."""
    sites = [{"code": s.code, "name": s.name, "level": s.level, "parent": s.parent}
             for s in scenario.SITES]
    devices = [{"name": n, "address": a, "role": r, "site": site, "zone": "extranet",
                "vendor": "huawei", "platform": "huawei_vrp"}
               for n, r, site, a in scenario.DEVICES]
    links = []
    for a_dev, a_if, b_dev, b_if, tier in scenario.LINKS:  # links create their interfaces
        links.append({"a_device": a_dev, "a_interface": a_if, "b_device": b_dev,
                      "b_interface": b_if, "tier": tier})
    return {"sites": sites, "devices": devices, "links": links}


def base_config(tmp: Path, sink: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A config mapping for the scenario: 60 s polls, the scenario's maintenance windows."""
    windows = [{"name": w.title, "start": _iso(w.start), "end": _iso(w.end),
                "devices": sorted(w.devices), "sites": sorted(w.sites)}
               for w in scenario.MAINTENANCE]
    data: dict[str, Any] = {
        "data_dir": str(tmp / "data"),
        "inventory": {"database": f"sqlite:///{tmp / 'nms.db'}"},
        "polling": {"intervals_s": dict(scenario.INTERVALS)},
        "sink": sink,
        "alarms": {"maintenance": windows},
    }
    data.update(extra)
    return data


def _iso(us: int) -> str:
    from nms.sink import from_us

    return from_us(us).isoformat()


def make_inventory_db(tmp: Path) -> None:
    """Create ``tmp/nms.db`` holding the scenario's inventory (migrations + import)."""
    from inventory.io import import_rows, read_yaml
    from nms.db import make_engine, migrate, session_scope

    path = tmp / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory_yaml(), allow_unicode=True), encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp / 'nms.db'}")
    migrate(engine)
    with session_scope(engine) as session:
        import_rows(session, read_yaml(path))
    engine.dispose()


@pytest.fixture(scope="session")
def scenario_samples() -> list[Any]:
    """All samples of the scenario month (~450k)."""
    return scenario.samples()


@pytest.fixture(scope="session")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory, scenario_samples: list[Any]) -> Path:
    """A directory with nms.db (inventory) and samples.db (the scenario in the SQLite sink)."""
    tmp = tmp_path_factory.mktemp("reports-sqlite")
    make_inventory_db(tmp)
    cfg = load_config_data(base_config(tmp, {"type": "sqlite", "path": str(tmp / "samples.db"),
                                             "raw_retention_days": 0}))
    with open_sink(cfg, spool=False) as sink:
        sink.write(scenario_samples)
    return tmp


@pytest.fixture
def sqlite_config(sqlite_world: Path, tmp_path: Path) -> Config:
    """A config reading a private copy of the SQLite world."""
    for name in ("nms.db", "samples.db"):
        shutil.copy(sqlite_world / name, tmp_path / name)
    return load_config_data(base_config(tmp_path, {"type": "sqlite",
                                                   "path": str(tmp_path / "samples.db"),
                                                   "raw_retention_days": 0}))


@pytest.fixture(scope="session")
def influx_world(tmp_path_factory: pytest.TempPathFactory,
                 scenario_samples: list[Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A real influxd holding the scenario, and the inventory database beside it."""
    tmp = tmp_path_factory.mktemp("reports-influx")
    server = InfluxServer(tmp / "influxd")
    server.start()
    try:
        make_inventory_db(tmp)
        sink_cfg = {"type": "influxdb", "url": server.url, "database": f"nms_reports_{next(_dbs)}",
                    "raw_retention_days": 0, "version": "1"}
        cfg = load_config_data(base_config(tmp, sink_cfg))
        with open_sink(cfg, spool=False) as sink:
            sink.write(scenario_samples)
            sink.flush()
        yield tmp, sink_cfg
    finally:
        server.stop()
