"""A small city network with a constructed month of polls (October 2026, Beijing time).

One city, two counties, three townships, eight devices (tests/fixtures/inventory/small.yaml),
polled every 5 minutes (300 s: a month is 8,928 polls a device, cheap to write into real stores).
Outages, maintenance and gaps are chosen so that the figures are known exactly:

  county01-agg-r1     down 2026-10-05 02:00-03:00 (3600 s own outage)
  county01-town01-r1  down 2026-10-05 02:00-03:30: 3600 s parent-down, 1800 s own
  county01-town02-r1  no data 2026-10-07 05:00-06:00: the 04:55 poll holds 2.5 x 300 s, so
                      05:07:30-06:00 = 3150 s unknown
  county02-town01-r1  down 2026-10-10 10:00-10:20 inside maintenance 09:00-11:00 (overlapping
                      windows 09:00-10:30 and 10:00-11:00), and 2026-10-31 23:30 into November:
                      1800 s own outage, ongoing
  everything else     up the whole month

Link county01-agg-r1 GigabitEthernet1/0/2 -- county01-town01-r1 gei-0/1/0/1 has interface samples
(the county router spells its port "GE1/0/2"): oper_status down on both ends 2026-10-20
14:00-14:45 (2700 s outage). While both routers are silent on 2026-10-05 the link is unknown from
02:07:30 (last samples at 01:55, held 750 s) until the county end reports again at 03:00: 3150 s. The other links have no interface samples and follow their far router.
"""

from __future__ import annotations

from collections.abc import Mapping

from nms.models import Sample
from nms.reports.availability import Timeline, build_timeline
from nms.reports.data import MaintenanceWindow, SiteInfo, build_inventory
from nms.reports.periods import parse_period
from nms.sink import to_us

from .history import iface_samples, polls, us
from .history import samples as poll_samples

PERIOD = parse_period("2026-10")
START, END = to_us(PERIOD.start), to_us(PERIOD.end)
FIRST, LAST = "2026-09-30 23:00", "2026-11-01 01:00"

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
EVERY = 300
INTERVALS = {"router": EVERY, "firewall": EVERY, "switch": EVERY, "server": EVERY}

HISTORY_ARGS: dict[str, dict] = {
    "county01-agg-r1": {"down": [("2026-10-05 02:00", "2026-10-05 03:00")]},
    "county01-town01-r1": {"down": [("2026-10-05 02:00", "2026-10-05 03:30")]},
    "county01-town02-r1": {"gaps": [("2026-10-07 05:00", "2026-10-07 06:00")]},
    "county02-town01-r1": {"down": [("2026-10-10 10:00", "2026-10-10 10:20"),
                                    ("2026-10-31 23:30", "2026-11-01 00:30")]},
}
MAINTENANCE = [
    MaintenanceWindow(us("2026-10-10 09:00"), us("2026-10-10 10:30"),
                      devices=frozenset({"county02-town01-r1"}), title="割接"),
    MaintenanceWindow(us("2026-10-10 10:00"), us("2026-10-10 11:00"),
                      sites=frozenset({"county02-town01"}), title="割接（延长）"),
]
#: own outage seconds per device, as worked out above
EXPECTED_OUTAGE_S = {"county01-agg-r1": 3600, "county01-town01-r1": 1800,
                     "county02-town01-r1": 1800}


LINK_IFACES = {("county01-agg-r1", "GE1/0/2"), ("county01-town01-r1", "gei-0/1/0/1")}
LINK_DOWN = ("2026-10-20 14:00", "2026-10-20 14:45")
EXPECTED_LINK = {"outage_s": 2700, "unknown_s": 3150}


def inventory():  # type: ignore[no-untyped-def]
    """The scenario's inventory (parents derived from the links, like the plan says)."""
    return build_inventory(SITES, DEVICES, LINKS, INTERVALS)


def history(device: str) -> list[tuple[int, str, str]]:
    """The device's polls over the scenario month (and an hour either side)."""
    return polls(FIRST, LAST, every=EVERY, **HISTORY_ARGS.get(device, {}))


def samples() -> list[Sample]:
    """Every sample the poller would have written for the scenario month."""
    out: list[Sample] = []
    for name, *_ in DEVICES:
        out.extend(poll_samples(name, history(name)))
    for device, ifname in sorted(LINK_IFACES):
        # interface samples exist only for answered polls, with the link's own down time
        answered = [(t, "up", c) for t, st, c in history(device) if st == "up"]
        down = (us(LINK_DOWN[0]), us(LINK_DOWN[1]))
        marked = [(t, "down" if down[0] <= t < down[1] else "up", c) for t, _, c in answered]
        out.extend(iface_samples(device, ifname, marked))
    return out


def timelines(intervals: Mapping[str, int]) -> dict[str, Timeline]:
    """Timelines built straight from the histories (no sink)."""
    return {name: build_timeline(history(name), START, END, intervals[name] * 1_000_000)
            for name in intervals}
