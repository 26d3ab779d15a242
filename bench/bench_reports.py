"""Benchmark: a month's uptime report for 5,000 devices at 1-minute polls, from SQLite and InfluxDB.

    .venv/bin/python bench/bench_reports.py [--devices 5000] [--sample 50] [--skip-influx]

A month of 1-minute polls of 5,000 devices is 216 M ``poll_status`` points (30 days). Writing
that many points on a 2-core machine takes over an hour per store (both sinks took ~50 k
points/s here) and ~10 GB of disk each, so this benchmark does not pretend to. What it does, and what each figure means:

1. **Full scale, no store.** The whole network (5,000 devices in 10 counties and ~500 townships)
   gets a month of events (outages, a county outage cascading to its townships, data gaps,
   maintenance) and its timelines are built from those events directly. Timed: computing the
   report (classification, parent-down, aggregates, outage list, daily figures) and rendering
   the PDF and the XLSX -- everything except reading the store.
2. **A representative subset through the real stores.** ``--sample`` devices (whole townships
   of one county, with their county router and the core router as parents, same event model)
   are written at real 1-minute resolution, with +-5 s jitter, for the whole month into the
   SQLite sink and into a real influxd on a loopback port (tests/support/tsdb.py). Timed: the
   full report for that subset read from each store, with the exact loader (every poll) and the
   screened loader (hourly screening in the store, raw polls only where something happened).
   Both must give the same figures; that is checked.
3. **Extrapolation.** Reading is linear in devices for a fixed event density (the exact loader
   touches every point; the screened loader scans every point inside the store and reads raw
   polls of dirty hours, whose number grows with devices), so the subset's read time x
   (5,000 / subset devices) estimates the store part of the full report. The printed estimate is
   that, plus part 1's full-scale compute and render time. It is an estimate, labelled as one.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nms.config import load_config_data  # noqa: E402
from nms.models import Sample  # noqa: E402
from nms.reports.availability import DOWN, UNKNOWN, UP, US, Segment, Timeline, union  # noqa: E402
from nms.reports.data import Inventory, MaintenanceWindow, SiteInfo, build_inventory  # noqa: E402
from nms.reports.periods import parse_period  # noqa: E402
from nms.reports.report import compute_report, render, report_from_config  # noqa: E402
from nms.sink import from_us, open_sink, to_us  # noqa: E402

PERIOD = parse_period("2026-09")  # 30 days: 43,200 one-minute polls per device
START, END = to_us(PERIOD.start), to_us(PERIOD.end)
NOW = PERIOD.end + timedelta(hours=1)
MIN = 60 * US
G = int(2.5 * MIN)


@dataclass
class Events:
    """One device's month: own down ranges and data gaps (microseconds)."""

    down: list[tuple[int, int]] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)


def network(n_devices: int, counties: int = 10, towns_per_county: int = 50
            ) -> tuple[list[SiteInfo], list[tuple[str, str, str, str]], list[tuple[str, ...]],
                       dict[str, list[str]]]:
    """Sites, devices, links and parents of a city: core, county and township routers, and
    switches behind each township router (what nms.topology places by site)."""
    sites = [SiteInfo("city", "示范市", "city")]
    devices = [("core-r1", "router", "city", "10.0.0.1")]
    links: list[tuple[str, ...]] = []
    towns = []
    for c in range(counties):
        code = f"c{c:02d}"
        sites.append(SiteInfo(code, f"第{c + 1}县", "county", "city"))
        devices.append((f"{code}-r1", "router", code, f"10.{c}.0.1"))
        links.append(("core-r1", f"Gi0/{c}", f"{code}-r1", "Gi0/0", "county"))
        for t in range(towns_per_county):
            tcode = f"{code}-t{t:02d}"
            sites.append(SiteInfo(tcode, f"第{c + 1}县{t + 1}镇", "township", code))
            towns.append(tcode)
    parents: dict[str, list[str]] = {f"c{c:02d}-r1": ["core-r1"] for c in range(counties)}
    k = 0
    while len(devices) < n_devices:
        tcode = towns[k % len(towns)]
        n = k // len(towns)
        if n == 0:
            devices.append((f"{tcode}-r1", "router", tcode, "10.1.1.1"))
            county = tcode.split("-")[0]
            links.append((f"{county}-r1", f"Gi1/{k % 50}", f"{tcode}-r1", "Gi0/0", "township"))
            parents[f"{tcode}-r1"] = [f"{county}-r1"]
        else:
            devices.append((f"{tcode}-s{n}", "switch", tcode, "10.1.1.2"))
            parents[f"{tcode}-s{n}"] = [f"{tcode}-r1"]
        k += 1
    return sites, devices, links, parents


def events_for(devices: list[tuple[str, str, str, str]], seed: int = 9) -> dict[str, Events]:
    """The event model (documented in the module docstring)."""
    rng = random.Random(seed)
    out: dict[str, Events] = {}
    span = END - START
    for name, role, site, _ in devices:
        ev = Events()
        if name == "core-r1":
            pass
        elif site.count("-") == 0 and site != "city":  # county router: two outages
            for minutes in (40, 15):
                at = START + rng.randrange(span - 3 * 3600 * US)
                ev.down.append((at, at + minutes * MIN))
        elif role == "router":  # township router: 0-3 outages of 2-120 min
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                at = START + rng.randrange(span - 3 * 3600 * US)
                ev.down.append((at, at + rng.randint(2, 120) * MIN))
        elif rng.random() < 0.10:  # other devices: 10 % have one outage of 5-60 min
            at = START + rng.randrange(span - 3 * 3600 * US)
            ev.down.append((at, at + rng.randint(5, 60) * MIN))
        if name != "core-r1" and rng.random() < 0.03:  # 3 % lose data for 1-3 hours
            at = START + rng.randrange(span - 4 * 3600 * US)
            ev.gaps.append((at, at + rng.randint(60, 180) * MIN))
        ev.down = union(ev.down)
        out[name] = ev
    return out


def effective_down(name: str, events: dict[str, Events], parents: dict[str, list[str]]
                   ) -> list[tuple[int, int]]:
    """A device fails its polls while it or any ancestor is down."""
    ranges = list(events[name].down)
    for parent in parents.get(name, []):
        ranges += effective_down(parent, events, parents)
    return union(ranges)


def timeline_from_events(down: list[tuple[int, int]], gaps: list[tuple[int, int]]) -> Timeline:
    """The timeline the rules give for 1-minute polls (down ranges on minute marks; a gap keeps
    the last state 2.5 minutes, then unknown)."""
    marks = []
    for lo, hi in down:
        marks.append((lo, hi, DOWN))
    for lo, hi in gaps:
        marks.append((lo - MIN + G, hi, UNKNOWN))  # last poll one minute before the gap
    marks.sort()
    segs: list[Segment] = []
    cursor = START
    for lo, hi, state in marks:
        lo, hi = max(lo, cursor, START), min(hi, END)
        if hi <= lo:
            continue
        if lo > cursor:
            segs.append(Segment(cursor, lo, UP, "ok"))
        segs.append(Segment(lo, hi, state, "timeout" if state == DOWN else "no_data"))
        cursor = hi
    if cursor < END:
        segs.append(Segment(cursor, END, UP, "ok"))
    merged: list[Segment] = []
    for s in segs:
        if merged and merged[-1].state == s.state and merged[-1].end == s.start:
            merged[-1] = Segment(merged[-1].start, s.end, s.state, merged[-1].cause)
        else:
            merged.append(s)
    return Timeline(START, END, merged)


def maintenance() -> list[MaintenanceWindow]:
    """Three approved windows: one county, one township, one overlapping the first."""
    d3 = to_us(datetime(2026, 9, 3, 17, tzinfo=UTC))
    return [MaintenanceWindow(d3, d3 + 2 * 3600 * US, sites=frozenset({"c01"}), title="割接"),
            MaintenanceWindow(d3 + 3600 * US, d3 + 3 * 3600 * US, sites=frozenset({"c01"})),
            MaintenanceWindow(d3 + 86400 * US, d3 + 86400 * US + 3600 * US,
                              devices=frozenset({"c00-t0*"}))]


def timed(label: str, fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = fn(*args, **kw)
    dt = time.perf_counter() - t0
    print(f"  {label:<44} {dt:9.2f} s", flush=True)
    return result, dt


def full_scale(n_devices: int) -> tuple[Inventory, dict[str, Events], float]:
    """Part 1: compute and render the report of the whole network from constructed timelines."""
    sites, devices, links, parents = network(n_devices)
    inv = build_inventory(sites, devices, links, {"router": 60, "switch": 60}, parents=parents)
    events = events_for(devices)
    print(f"\n[1] full scale, timelines built from events (no store): {len(inv.devices)} devices, "
          f"{len(inv.links)} links, {sum(1 for s in sites if s.level == 'township')} townships")
    tls = {n: timeline_from_events(effective_down(n, events, inv.parents), events[n].gaps)
           for n in inv.devices}

    def link_tls(chosen: Any, dev: Any) -> Any:
        return {k.key: (dev[k.lower], "reachability") for k in chosen}

    report, t_compute = timed("compute report (city scope)", compute_report, inv, PERIOD, "city",
                              device_timelines=lambda names: {n: tls[n] for n in names},
                              link_timelines=link_tls, maintenance=maintenance(), now=NOW)
    pdf, t_pdf = timed("render PDF", render, report, "pdf")
    xlsx, t_xlsx = timed("render XLSX (all devices, links, outages)", render, report, "xlsx")
    f = report.total.figures if report.total else None
    print(f"  -> {len(pdf) / 1e6:.2f} MB PDF, {len(xlsx) / 1e6:.2f} MB XLSX; city availability "
          f"{f.availability_percent if f else 0:.4f} %, {f.failures if f else 0} outages")
    return inv, events, t_compute + t_pdf + t_xlsx


def subset(inv: Inventory, n: int) -> list[str]:
    """Whole townships of county c00 (router first), plus their parents, about ``n`` devices."""
    chosen: list[str] = []
    towns = sorted({d.township for d in inv.devices.values() if d.county == "c00" and d.township})
    for town in towns:
        members = sorted((d.name for d in inv.devices.values() if d.township == town),
                         key=lambda x: (not x.endswith("-r1"), x))
        if len(chosen) + len(members) > n and chosen:
            break
        chosen += members
    return ["core-r1", "c00-r1", *chosen]


def poll_samples(name: str, down: list[tuple[int, int]], gaps: list[tuple[int, int]],
                 rng: random.Random) -> list[Sample]:
    """One device's month of 1-minute polls with +-5 s jitter (and 10 minutes either side)."""
    out = []
    t = START - 10 * MIN
    di = gi = 0
    ok = {"status": "ok", "reachable": True, "duration_seconds": 0.05}
    bad = {"status": "timeout", "reachable": False, "duration_seconds": 2.0}
    tags = {"device": name, "collector": "snmp"}
    while t < END + 10 * MIN:
        while di < len(down) and down[di][1] <= t:
            di += 1
        while gi < len(gaps) and gaps[gi][1] <= t:
            gi += 1
        if not (gi < len(gaps) and gaps[gi][0] <= t):
            failed = di < len(down) and down[di][0] <= t
            at = t + rng.randint(-5, 5) * US
            out.append(Sample("poll_status", tags, bad if failed else ok, from_us(at)))
        t += MIN
    return out


def through_stores(inv: Inventory, events: dict[str, Events], names: list[str], n_total: int,
                   skip_influx: bool, work: Path) -> dict[str, dict[str, float]]:
    """Part 2: write the subset into each store and time the report from it."""
    keep = set(names)
    sub = Inventory(sites=inv.sites, devices={n: inv.devices[n] for n in names},
                    links=[k for k in inv.links if k.a_device in keep and k.b_device in keep],
                    parents={n: [p for p in inv.parents.get(n, []) if p in keep] for n in names},
                    parents_source=inv.parents_source)
    rng = random.Random(5)
    points = 0
    batches = []
    for name in names:
        batch = poll_samples(name, effective_down(name, events, inv.parents), events[name].gaps,
                             rng)
        points += len(batch)
        batches.append(batch)
    print(f"\n[2] subset through the real stores: {len(names)} devices (whole townships of one "
          f"county + parents), {points:,} poll_status points (1-minute polls, 30 days)")
    stores: list[tuple[str, dict[str, Any], Any]] = [
        ("SQLite", {"type": "sqlite", "path": str(work / "samples.db"), "raw_retention_days": 0},
         None)]
    server = None
    if not skip_influx:
        from tests.support.tsdb import INFLUXD, InfluxServer

        if INFLUXD:
            server = InfluxServer(work / "influxd").start()
            stores.append(("InfluxDB 1.x", {"type": "influxdb", "url": server.url,
                                            "database": "bench", "version": "1",
                                            "raw_retention_days": 0}, server))
        else:
            print("  influxd not installed: InfluxDB skipped")
    results: dict[str, dict[str, float]] = {}
    try:
        for label, sink_cfg, _ in stores:
            cfg = load_config_data({"data_dir": str(work / "data"),
                                    "inventory": {"database": f"sqlite:///{work / 'nms.db'}"},
                                    "sink": sink_cfg})
            print(f" {label}")
            with open_sink(cfg, spool=False) as sink:
                t0 = time.perf_counter()
                for batch in batches:
                    sink.write(batch)
                sink.flush()
                t_write = time.perf_counter() - t0
                print(f"  {'write (not part of the report)':<44} {t_write:9.2f} s  "
                      f"({points / t_write:,.0f} points/s)")
                exact, t_exact = timed("report, exact loader (every poll)", report_from_config,
                                       cfg, PERIOD, "city", sink=sink, inventory=sub, now=NOW,
                                       mode="exact")
                screened, t_screened = timed("report, screened loader", report_from_config, cfg,
                                             PERIOD, "city", sink=sink, inventory=sub, now=NOW,
                                             mode="screened")
            same = [(d.device.name, d.figures.outage_us, d.figures.parent_down_us,
                     d.figures.unknown_us) for d in exact.devices] == \
                   [(d.device.name, d.figures.outage_us, d.figures.parent_down_us,
                     d.figures.unknown_us) for d in screened.devices]
            print(f"  exact and screened figures identical: {same}")
            if not same:
                raise SystemExit("screened loader disagrees with the exact one")
            scale = n_total / len(names)
            results[label] = {"write": t_write, "exact": t_exact, "screened": t_screened,
                              "points": points, "scale": scale}
    finally:
        if server is not None:
            server.stop()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=5000)
    ap.add_argument("--sample", type=int, default=50, help="devices written into the stores")
    ap.add_argument("--skip-influx", action="store_true")
    args = ap.parse_args()
    total_points = args.devices * (END - START) // MIN
    # the figures are wall-clock times: other work on this 2-core machine inflates them
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"month {PERIOD.label} (30 days, Beijing time), {args.devices} devices polled every "
          f"minute: {total_points:,} poll_status points in full")
    inv, events, t_full = full_scale(args.devices)
    with tempfile.TemporaryDirectory(prefix="nms-bench-reports-") as tmp:
        results = through_stores(inv, events, subset(inv, args.sample), len(inv.devices),
                                 args.skip_influx, Path(tmp))
    n_sub = round(len(inv.devices) / next(iter(results.values()))["scale"]) if results else 0
    print(f"\n[3] estimate for the month report of {len(inv.devices)} devices = subset read time "
          f"x {len(inv.devices)}/{n_sub} devices + full-scale compute and render "
          f"({t_full:.1f} s)")
    for label, r in results.items():
        for mode in ("exact", "screened"):
            est = r[mode] * r["scale"] + t_full
            print(f"  {label:<13} {mode:<9} {r[mode]:7.2f} s for {r['points']:,} points -> "
                  f"~{est / 60:6.1f} min for {total_points:,} points "
                  f"({r[mode] / r['points'] * 1e6:.2f} us/point)")
    print(f"load average at end: {os.getloadavg()[0]:.2f} (2 cores)")


if __name__ == "__main__":
    main()
