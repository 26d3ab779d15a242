"""Benchmark: every check over 5,000 devices with 50 interfaces each and a month of samples.

Run: ``.venv/bin/python bench/bench_policies.py`` (``--devices``/``--days`` shrink it; ``--json``
prints the figures as JSON). Prints what was generated, the time to generate it, and the
evaluation time per pack (IP plan, link health, device health) and in total.

What is generated (synthetic, deterministic, seed 1):

* a city with 2 core routers, ``counties`` county aggregation routers and townships filling
  up to ``--devices`` (50 per county); every device has 50 interfaces in its state (napalm-
  style keys as ``collectors.snmp.state`` builds them), 5 addresses (loopback, uplink /30,
  two LAN subnets, one spare /30), CPU, memory and temperature;
* the IP plan: a management block, one interconnect block per county, one user and one
  service block per township; a planned link per county and per township uplink;
* samples in the memory sink (the real ``collectors.sinks.memory.MemorySink``):
  - ``interface``: 5-minute raw counters for ``--days`` days on both ends of every county
    link, and for the last day (the link window) on the county end of every township link;
  - ``poll_status``: hourly for ``--days`` days for every device (availability);
  - ``probe``: every minute for the last hour (the probe window) to every link's far end;
* planted problems so that FAIL paths run too: 1 % congested township links, 0.5 % hot CPUs,
  a handful of duplicated gateways.

Snapshot construction from the database is not part of the timing: the snapshot is built in
memory (the database round trip is ``policies.snapshot.build_snapshot``'s cost, measured apart
with ``--with-db`` on smaller sizes).
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import json
import random
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nms.config import Thresholds  # noqa: E402
from nms.models import Sample  # noqa: E402
from policies.base import DeviceState, Snapshot  # noqa: E402
from policies.engine import all_checks, run_checks, summarize  # noqa: E402

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
IFACES = 50


def build_network(n_devices: int, rng: random.Random) -> Snapshot:
    """Sites, devices with state, links and the IP plan."""
    snap = Snapshot(taken=NOW, params={"thresholds": dataclasses.asdict(Thresholds())})
    snap.sites["city"] = {"name": "示范市", "level": "city", "parent": None}
    snap.ip_blocks.append({"prefix": "10.255.0.0/16", "site": "city", "zone": "management",
                           "purpose": "management", "allowed_prefix_lengths": [32], "gateway": None})
    n_counties = max(1, -(-(n_devices - 2) // 51))
    mgmt = iter(ipaddress.ip_network("10.255.0.0/16").hosts())

    def device(name: str, site: str, rank: int) -> None:
        ifaces = [{"ifIndex": i + 1, "name": f"GE0/0/{i}", "is_up": True, "is_enabled": True,
                   "speed": 1000, "speed_bps": 1_000_000_000, "mtu": 1500, "description": ""}
                  for i in range(IFACES)]
        loop = next(mgmt)
        state = {
            "interfaces": ifaces,
            "addresses": [{"ifIndex": IFACES, "address": str(loop), "prefix_length": 32, "family": "ipv4"}],
            "processors": [{"descr": "MPU", "usage_percent": 97 if rng.random() < 0.005 else rng.randint(5, 60)}],
            "mempools": [{"descr": "MPU", "used_percent": rng.randint(20, 70)}],
            "temperatures": [{"descr": "MPU", "celsius": rng.randint(30, 55)}],
        }
        snap.devices[name] = DeviceState(device={"name": name, "address": str(loop), "role": "router",
                                                 "site": site, "zone": "extranet"}, state=state)

    def addr(dev: str, ifindex: int, iface: str) -> None:
        ip = ipaddress.ip_interface(iface)
        snap.devices[dev].state["addresses"].append({"ifIndex": ifindex, "address": str(ip.ip),
                                                     "prefix_length": ip.network.prefixlen, "family": "ipv4"})

    for c in ("core-1", "core-2"):
        device(f"city-{c}", "city", 0)
    core_p2p = iter(ipaddress.ip_network("10.254.0.0/16").subnets(new_prefix=30))
    snap.ip_blocks.append({"prefix": "10.254.0.0/16", "site": "city", "zone": "extranet",
                           "purpose": "interconnect", "allowed_prefix_lengths": [30], "gateway": None})
    made = 2
    for k in range(n_counties):
        if made >= n_devices:
            break
        county = f"county{k:03d}"
        snap.sites[county] = {"name": f"县{k}", "level": "county", "parent": "city"}
        agg = f"{county}-agg"
        device(agg, county, 1)
        made += 1
        net = next(core_p2p)
        hosts = list(net.hosts())
        core = f"city-core-{1 + k % 2}"
        addr(core, 1 + k % 40, f"{hosts[0]}/30")
        addr(agg, 1, f"{hosts[1]}/30")
        snap.links.append({"a_device": core, "a_interface": f"GE0/0/{k % 40}", "b_device": agg,
                           "b_interface": "GE0/0/0", "tier": "county", "bandwidth_mbps": 10000})
        base = ipaddress.ip_network(f"10.{k // 2}.{(k % 2) * 128}.0/17")
        inter, *lans = list(base.subnets(new_prefix=24))
        snap.ip_blocks.append({"prefix": str(inter), "site": county, "zone": "extranet",
                               "purpose": "interconnect", "allowed_prefix_lengths": [30], "gateway": None})
        p2p = iter(inter.subnets(new_prefix=30))
        for t in range(50):
            if made >= n_devices:
                break
            town = f"{county}-t{t:02d}"
            snap.sites[town] = {"name": f"镇{t}", "level": "township", "parent": county}
            r = f"{town}-r1"
            device(r, town, 2)
            made += 1
            up = list(next(p2p).hosts())
            addr(agg, 2 + t, f"{up[0]}/30")
            addr(r, 1, f"{up[1]}/30")
            snap.links.append({"a_device": agg, "a_interface": f"GE0/0/{1 + t}", "b_device": r,
                               "b_interface": "GE0/0/0", "tier": "township", "bandwidth_mbps": 100})
            if t < len(lans) - 1:
                lan = lans[t + 1] if t + 1 < len(lans) else lans[t]
                user, service = list(lan.subnets(new_prefix=25))
                for purpose, block in (("user", user), ("service", service)):
                    snap.ip_blocks.append({"prefix": str(block), "site": town, "zone": "extranet",
                                           "purpose": purpose, "allowed_prefix_lengths": [25, 26, 30],
                                           "gateway": "first"})
                gw_user = next(user.hosts())
                if t and rng.random() < 0.002:  # a duplicated gateway: the previous town's
                    gw_user = next(list(lans[t].subnets(new_prefix=25))[0].hosts())
                addr(r, 2, f"{gw_user}/26")
                addr(r, 3, f"{next(service.hosts())}/26")
                addr(r, 4, f"{list(service.hosts())[100]}/30")
    return snap


def fill_sink(snap: Snapshot, days: int, rng: random.Random) -> tuple[Any, dict[str, int]]:
    """Samples into a memory sink; returns it and how many points of each measurement."""
    from collectors.sinks.memory import MemorySink

    sink = MemorySink()
    counts = {"interface": 0, "poll_status": 0, "probe": 0}
    batch: list[Sample] = []

    def flush() -> None:
        sink.write(batch)
        batch.clear()

    def series(device: str, ifname: str, points: int, mbps: float) -> None:
        octets = errors = 0
        for i in range(points):
            t = NOW - timedelta(minutes=5 * (points - 1 - i))
            if i:
                octets += int((mbps * (0.6 + 0.8 * rng.random())) * 1e6 / 8 * 300)
                errors += rng.randint(0, 3)
            batch.append(Sample("interface", {"device": device, "ifname": ifname},
                                {"in_octets": octets, "out_octets": octets // 3, "in_errors": errors,
                                 "out_errors": 0, "in_discards": 0, "out_discards": 0, "counter_bits": 64,
                                 "oper_status": "up", "speed_bps": 1_000_000_000}, t))
            counts["interface"] += 1
            if len(batch) >= 50000:
                flush()

    for link in snap.links:
        if link["tier"] == "county":
            series(link["a_device"], link["a_interface"], days * 288, 2000.0)
            series(link["b_device"], link["b_interface"], days * 288, 2000.0)
        else:
            hot = rng.random() < 0.01
            series(link["a_device"], link["a_interface"], 288, 96.0 if hot else 20.0)
    for name in snap.devices:
        for h in range(days * 24):
            batch.append(Sample("poll_status", {"device": name, "collector": "snmp"},
                                {"reachable": rng.random() > 0.0005, "status": "ok"},
                                NOW - timedelta(hours=h + 1)))
            counts["poll_status"] += 1
            if len(batch) >= 50000:
                flush()
    for link in snap.links:
        for m in range(60):
            batch.append(Sample("probe", {"device": link["b_device"], "source": "nms"},
                                {"loss_percent": 0.0, "rtt_avg_ms": 3.0 + rng.random() * 5},
                                NOW - timedelta(minutes=m)))
            counts["probe"] += 1
        if len(batch) >= 50000:
            flush()
    flush()
    return sink, counts


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Generate, evaluate, print figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=5000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rng = random.Random(1)
    t0 = time.perf_counter()
    snap = build_network(args.devices, rng)
    t1 = time.perf_counter()
    sink, counts = fill_sink(snap, args.days, rng)
    t2 = time.perf_counter()
    snap.sink = sink
    checks = all_checks()
    timings: dict[str, float] = {}
    per_check: dict[str, float] = {}
    findings = []
    for check in checks:
        c0 = time.perf_counter()
        findings += run_checks([check], snap, timings)
        per_check[check.id] = time.perf_counter() - c0
    t3 = time.perf_counter()
    summary = summarize(findings, checks)
    n_ifaces = sum(len(d.state["interfaces"]) for d in snap.devices.values())
    n_addr = sum(len(d.state["addresses"]) for d in snap.devices.values())
    result = {
        "generated": {"devices": len(snap.devices), "interfaces": n_ifaces, "addresses": n_addr,
                      "links": len(snap.links), "ip_blocks": len(snap.ip_blocks), "days": args.days,
                      "samples": counts, "samples_total": sum(counts.values())},
        "seconds": {"build_network": round(t1 - t0, 2), "write_samples": round(t2 - t1, 2),
                    "evaluate_total": round(t3 - t2, 2),
                    "per_pack": {k: round(v, 2) for k, v in sorted(timings.items())},
                    "slowest_checks": {k: round(v, 2) for k, v in
                                       sorted(per_check.items(), key=lambda kv: -kv[1])[:6]}},
        "findings": {"total": len(findings), "by_status": dict(summary.by_status)},
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        g, s = result["generated"], result["seconds"]
        print(f"generated: {g['devices']} devices, {g['interfaces']} interfaces, {g['addresses']} addresses, "
              f"{g['links']} links, {g['ip_blocks']} IP blocks")
        print(f"samples ({g['days']} days): " + ", ".join(f"{k} {v:,}" for k, v in g["samples"].items())
              + f" = {g['samples_total']:,}")
        print(f"generate: network {s['build_network']} s, samples into memory sink {s['write_samples']} s")
        for pack, secs in s["per_pack"].items():
            print(f"pack {pack:14s} {secs:8.2f} s")
        print(f"all checks     {s['evaluate_total']:8.2f} s  ({len(checks)} checks, "
              f"{result['findings']['total']:,} findings: {result['findings']['by_status']})")
        print(f"slowest checks: {s['slowest_checks']}")
        print(f"max RSS: {result['max_rss_mb']} MiB")
    return result


if __name__ == "__main__":
    main()
