"""The report over the scenario month: exact figures, from constructed timelines and from the
real stores (SQLite sink file; InfluxDB 1.x when influxd is installed), which must agree."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nms.config import load_config_data
from nms.reports.availability import US
from nms.reports.data import load_inventory, load_maintenance, load_poll_timelines
from nms.reports.report import ReportError, UptimeReport, compute_report, report_from_config
from nms.sink import open_sink, to_us

from . import scenario
from .conftest import base_config

NOW = datetime(2026, 11, 2, tzinfo=UTC)
OCT_S = 31 * 86400


def pure_report(scope: str = "city") -> UptimeReport:
    return compute_report(scenario.inventory(), scenario.PERIOD, scope,
                          device_timelines=scenario.timelines, maintenance=scenario.MAINTENANCE,
                          now=NOW)


def figures(report: UptimeReport) -> dict[str, tuple[int, int, int, int]]:
    return {r.device.name: (r.figures.outage_us // US, r.figures.parent_down_us // US,
                            r.figures.unknown_us // US, r.figures.maintenance_us // US)
            for r in report.devices}


EXPECTED = {
    "city-core-r1": (0, 0, 0, 0), "city-fw1": (0, 0, 0, 0), "city-srv1": (0, 0, 0, 0),
    "county01-agg-r1": (3600, 0, 0, 0),
    "county01-town01-r1": (1800, 3600, 0, 0),
    "county01-town02-r1": (0, 0, 3150, 0),
    "county02-agg-r1": (0, 0, 0, 0),
    "county02-town01-r1": (1800, 0, 0, 7200),
}


def test_device_figures() -> None:
    report = pure_report()
    assert figures(report) == EXPECTED
    verdicts = {r.device.name: r.verdict for r in report.devices}
    assert verdicts["county01-agg-r1"] == "missed"  # 99.8656 % < 99.9 %
    assert verdicts["county01-town02-r1"] == "met"  # 3150 s unknown < 0.5 % of the month
    assert verdicts["city-core-r1"] == "met"


def test_groups_are_device_time_weighted() -> None:
    report = pure_report()
    by_code = {g.code: g for g in report.counties}
    c1 = by_code["county01"]
    # county01 holds the county router and two townships: 3 x 31 days, 5400 s own outage
    assert c1.devices == 3 and c1.figures.outage_us == 5400 * US
    assert c1.figures.availability == pytest.approx(1 - 5400 / (3 * OCT_S), rel=1e-15)
    c2 = by_code["county02"]
    assert c2.figures.availability == pytest.approx(1 - 1800 / (2 * OCT_S - 7200), rel=1e-15)
    assert [g.code for g in report.counties] == ["county02", "county01"]  # best first
    town = {g.code: g for g in report.townships}
    assert town["county01-town01"].figures.parent_down_us == 3600 * US
    assert town["county01-town01"].parent_name == "东城县"
    total = report.total
    assert total is not None and total.devices == 8
    assert total.figures.outage_us == 7200 * US
    assert total.figures.availability == pytest.approx(1 - 7200 / (8 * OCT_S - 7200), rel=1e-15)
    assert total.figures.failures == 3
    assert total.figures.mttr_s == 2400.0


def test_scopes() -> None:
    town = pure_report("township:county01-town01")
    assert [r.device.name for r in town.devices] == ["county01-town01-r1"]
    # its parent is outside the scope but still read: parent-down is recognised
    assert town.devices[0].figures.parent_down_us == 3600 * US
    county = pure_report("county:county02")
    assert {r.device.name for r in county.devices} == {"county02-agg-r1", "county02-town01-r1"}
    assert county.scope_name == "西山县"
    device = pure_report("device:county01-agg-r1")
    assert device.total is not None and device.total.target == 99.9
    with pytest.raises(ReportError, match="no county"):
        pure_report("county:nowhere")
    with pytest.raises(ReportError, match="unknown scope"):
        pure_report("province:x")


def test_outage_list_and_worst() -> None:
    report = pure_report()
    rows = report.outages()
    counted = [(subject, o.duration_us // US) for kind, subject, o in rows if o.counts]
    assert counted == [("county01-agg-r1", 3600), ("county01-town01-r1", 1800),
                       ("county02-town01-r1", 1800)]
    ongoing = [o for _, s, o in rows if s == "county02-town01-r1" and o.counts]
    assert ongoing[0].ongoing and ongoing[0].end == to_us(scenario.PERIOD.end)
    assert report.worst_devices(2)[0].device.name == "county01-agg-r1"


def test_daily_figures() -> None:
    report = pure_report()
    assert len(report.daily) == 31
    day5 = dict(report.daily)[datetime(2026, 10, 5).date()]
    # Oct 5: 8 devices x 86400 s, 3600 + 1800 s own outage
    assert day5 == pytest.approx(100 * (1 - 5400 / (8 * 86400)), rel=1e-12)
    assert dict(report.daily)[datetime(2026, 10, 6).date()] == 100.0


def test_loaders_read_the_real_stores(sqlite_config: Any) -> None:
    inv = load_inventory(sqlite_config)
    assert set(inv.devices) == {d[0] for d in scenario.DEVICES}
    assert inv.parents_source == "topology"
    assert inv.parents["county01-town01-r1"] == ["county01-agg-r1"]
    assert inv.parents["city-srv1"] == ["city-core-r1"]  # no link: hangs off the site router
    windows = load_maintenance(sqlite_config, to_us(scenario.PERIOD.start),
                               to_us(scenario.PERIOD.end))
    assert windows is not None and len(windows) == 2
    start, end = to_us(scenario.PERIOD.start), to_us(scenario.PERIOD.end)
    intervals = {n: scenario.EVERY for n, *_ in scenario.DEVICES}
    with open_sink(sqlite_config, spool=False) as sink:  # chunks of 3 devices per query
        got = load_poll_timelines(sink, intervals, start, end, chunk=3)
    assert got == scenario.timelines(intervals)


def check_store_report(config: Any) -> None:
    report = report_from_config(config, "2026-10", "city", now=NOW)
    assert figures(report) == EXPECTED
    links = {r.link.label: r for r in report.links}
    link = links["county01-agg-r1:GigabitEthernet1/0/2 — county01-town01-r1:gei-0/1/0/1"]
    assert link.source == "interface"
    assert link.figures.outage_us == scenario.EXPECTED_LINK["outage_s"] * US
    assert link.figures.unknown_us == scenario.EXPECTED_LINK["unknown_s"] * US
    up = links["city-core-r1:GigabitEthernet0/0/1 — county01-agg-r1:GigabitEthernet1/0/1"]
    assert up.source == "reachability" and up.figures.outage_us == 3600 * US
    town = links["county01-agg-r1:GigabitEthernet1/0/3 — county01-town02-r1:GE0/0/1"]
    assert town.figures.unknown_us == 3150 * US
    assert report.maintenance_available and not report.notes
    pure = pure_report()
    assert report.total is not None and pure.total is not None
    assert report.total.figures.outage_us == pure.total.figures.outage_us
    assert report.daily == pure.daily


def test_report_from_sqlite(sqlite_config: Any) -> None:
    check_store_report(sqlite_config)


@pytest.mark.influxdb
def test_report_from_influxdb(influx_world: tuple[Path, dict[str, Any]]) -> None:
    tmp, sink_cfg = influx_world
    check_store_report(load_config_data(base_config(tmp, sink_cfg)))


def test_month_to_date_is_clipped_at_now(sqlite_config: Any) -> None:
    now = datetime(2026, 10, 5, 18, 30, tzinfo=UTC)  # 2026-10-06 02:30 Beijing
    report = report_from_config(sqlite_config, "2026-10", "device:county01-agg-r1", now=now)
    assert report.period.partial and report.period.end == now
    f = report.devices[0].figures
    assert f.period_us == to_us(now) - to_us(scenario.PERIOD.start)
    assert f.outage_us == 3600 * US and f.unknown_us == 0
