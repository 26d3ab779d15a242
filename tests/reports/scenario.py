"""A small city network with a constructed month of polls (November 2026, Beijing time).

One city, two counties, three townships, eight devices (tests/fixtures/inventory/small.yaml).
Outages, maintenance and gaps are chosen so that the figures are known exactly:

  county01-agg-r1     down 2026-11-05 02:00-03:00 (3600 s own outage)
  county01-town01-r1  down 2026-11-05 02:00-03:30: 3600 s parent-down, 1800 s own
  county01-town02-r1  no data 2026-11-07 05:00-06:00: 3510 s unknown (60 s polls, 2.5x rule)
  county02-town01-r1  down 2026-11-10 10:00-10:20 inside maintenance 09:00-11:00 (overlapping
                      windows 09:00-10:30 and 10:00-11:00), and 2026-11-30 23:30 into December:
                      1800 s own outage, ongoing
  everything else     up the whole month
"""

from __future__ import annotations

from collections.abc import Mapping

from nms.reports.availability import Timeline, build_timeline
from nms.reports.data import MaintenanceWindow, SiteInfo, build_inventory
from nms.reports.periods import parse_period
from nms.sink import to_us

from .history import polls, us

PERIOD = parse_period("2026-11")
START, END = to_us(PERIOD.start), to_us(PERIOD.end)
FIRST, LAST = "2026-10-31 23:00", "2026-12-01 01:00"

SITES = [
    SiteInfo("city", "示范市", "city"),
    SiteInfo("county01", "东城县", "county", "city"),
    SiteInfo("county02", "西山县", "county", "city"),
    SiteInfo("county01-town01", "青石镇", "township", "county01"),
    SiteInfo("county01-town02", "白沙镇", "township", "county01"),
    SiteInfo("county02-town01", "南湖乡", "township", "county02"),
]
DEVICES = [
    ("city-core-r1", "router", "city", "127.77.0.1"),
    ("city-fw1", "firewall", "city", "127.77.0.2"),
    ("county01-agg-r1", "router", "county01", "127.77.1.1"),
    ("county02-agg-r1", "router", "county02", "127.77.2.1"),
    ("county01-town01-r1", "router", "county01-town01", "127.77.1.11"),
    ("county01-town02-r1", "router", "county01-town02", "127.77.1.12"),
    ("county02-town01-r1", "router", "county02-town01", "127.77.2.11"),
    ("city-srv1", "server", "city", "127.77.0.10"),
]
LINKS = [
    ("city-core-r1", "GigabitEthernet0/0/1", "county01-agg-r1", "GigabitEthernet1/0/1", "county"),
    ("city-core-r1", "GigabitEthernet0/0/2", "county02-agg-r1", "GigabitEthernet0/1", "county"),
    ("county01-agg-r1", "GigabitEthernet1/0/2", "county01-town01-r1", "gei-0/1/0/1", "township"),
    ("county01-agg-r1", "GigabitEthernet1/0/3", "county01-town02-r1", "GE0/0/1", "township"),
    ("county02-agg-r1", "GigabitEthernet0/2", "county02-town01-r1", "Gi0/0", "township"),
]
INTERVALS = {"router": 60, "firewall": 60, "switch": 60, "server": 60}

HISTORY_ARGS: dict[str, dict] = {
    "county01-agg-r1": {"down": [("2026-11-05 02:00", "2026-11-05 03:00")]},
    "county01-town01-r1": {"down": [("2026-11-05 02:00", "2026-11-05 03:30")]},
    "county01-town02-r1": {"gaps": [("2026-11-07 05:00", "2026-11-07 06:00")]},
    "county02-town01-r1": {"down": [("2026-11-10 10:00", "2026-11-10 10:20"),
                                    ("2026-11-30 23:30", "2026-12-01 00:30")]},
}
MAINTENANCE = [
    MaintenanceWindow(us("2026-11-10 09:00"), us("2026-11-10 10:30"),
                      devices=frozenset({"county02-town01-r1"}), title="割接"),
    MaintenanceWindow(us("2026-11-10 10:00"), us("2026-11-10 11:00"),
                      sites=frozenset({"county02-town01"}), title="割接（延长）"),
]
#: own outage seconds per device, as worked out above
EXPECTED_OUTAGE_S = {"county01-agg-r1": 3600, "county01-town01-r1": 1800,
                     "county02-town01-r1": 1800}


def inventory():  # type: ignore[no-untyped-def]
    """The scenario's inventory (parents derived from the links, like the plan says)."""
    return build_inventory(SITES, DEVICES, LINKS, INTERVALS)


def history(device: str) -> list[tuple[int, str, str]]:
    """The device's polls over the scenario month (and an hour either side)."""
    return polls(FIRST, LAST, **HISTORY_ARGS.get(device, {}))


def timelines(intervals: Mapping[str, int]) -> dict[str, Timeline]:
    """Timelines built straight from the histories (no sink)."""
    return {name: build_timeline(history(name), START, END, intervals[name] * 1_000_000)
            for name in intervals}
