#!/usr/bin/env python3
"""SNMP poll-cycle benchmark: nms (gufo-snmp and pysnmp engines) vs net-snmp's snmpbulkwalk.

Run as root from the repository root:  ``.venv/bin/python bench/bench_snmp.py``

What it does (one command, ~2-4 min, cleans up on failure and on Ctrl-C):
  1. ``bench/snmpd_lab.py``: 20 network namespaces, each a real ``snmpd`` on 198.18.200.<i>
     with 50 interfaces (24 veth pairs + lo + eth0), plus a management namespace to poll from.
  2. Inside the management namespace (this script re-executes itself there with ``--inner``):
     a full nms poll cycle -- system + ifTable + ifXTable + CPU/memory (HOST-RESOURCES-MIB,
     UCD-SNMP-MIB), state and samples built and handed to a counting sink -- over all agents,
     with each engine; then the same walks with net-snmp ``snmpbulkwalk``/``snmpget``, one
     shell per device, all devices in parallel. CPU is this process's (nms) or the children's
     (net-snmp) user+system time.
  3. Memory: a fresh process loads a generated 5,000-device inventory (SQLite, through the real
     ``nms poll`` target loader), polls one full cycle of all of them (addresses mapped onto the
     20 agents) with results streamed to the counting sink, and reports its peak RSS.

Printed: devices/s, varbinds/s, CPU ms per device per engine and for net-snmp, the ratios,
and the projected CPU for 1,000 devices x 50 interfaces per cycle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PROFILES = ("system", "if_mib", "host_resources", "ucd_snmp")
NETSNMP_WALKS = ("1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1",
                 "1.3.6.1.2.1.25.3.2.1.3", "1.3.6.1.2.1.25.3.3.1.2", "1.3.6.1.2.1.25.2.3")
NETSNMP_GETS = ("1.3.6.1.4.1.2021.11.11.0", "1.3.6.1.4.1.2021.4.5.0", "1.3.6.1.4.1.2021.4.6.0",
                "1.3.6.1.4.1.2021.4.14.0", "1.3.6.1.4.1.2021.4.15.0")


class CountingSink:
    """A sink that counts what it is handed (the benchmark measures the poller, not a store)."""

    def __init__(self) -> None:
        self.samples = 0
        self.writes = 0

    def write(self, samples: list[Any]) -> None:
        self.samples += len(samples)
        self.writes += 1


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# ------------------------------------------------------------------------------ inner: nms
def nms_cycle(engine: str, addresses: list[str], reps: int) -> dict[str, Any]:
    from collectors.snmp.collector import SnmpCollector, SnmpTarget
    from nms.config import SnmpAuth, SnmpConfig
    from nms.models import PollStatus

    snmp = SnmpConfig(engine=engine, timeout_s=2.0, retries=1, max_repetitions=reps,
                      concurrency=64, device_budget_s=60)
    auth = SnmpAuth(community="public")
    targets = [SnmpTarget(f"bench-{i}", a, auth, tags={"site": "bench"}, profiles=PROFILES)
               for i, a in enumerate(addresses)]
    sink = CountingSink()
    collector = SnmpCollector(snmp, engine=engine)

    async def run() -> list[Any]:
        return await collector.poll_many(targets, on_result=lambda r: sink.write(r.samples))

    c0, t0 = cpu_self(), time.perf_counter()
    results = asyncio.run(run())
    wall, cpu = time.perf_counter() - t0, cpu_self() - c0
    bad = [f"{r.device}: {r.error}" for r in results if r.status is not PollStatus.OK]
    return {"engine": engine, "devices": len(results), "wall_s": wall, "cpu_s": cpu,
            "varbinds": sum(r.varbinds for r in results), "samples": sink.samples,
            "interfaces": sum(len(r.state.get("interfaces", [])) for r in results),
            "failed": bad}


# ------------------------------------------------------------------------------ inner: net-snmp
def netsnmp_cycle(addresses: list[str], reps: int) -> dict[str, Any]:
    def script(addr: str) -> str:
        common = f"-v2c -c public -m '' -On -t 2 -r 1 {addr}"
        walks = [f"snmpbulkwalk -Cr{reps} {common} {oid}" for oid in NETSNMP_WALKS]
        return "; ".join([*walks, f"snmpget {common} {' '.join(NETSNMP_GETS)}"])

    c0, t0 = cpu_children(), time.perf_counter()
    procs = [subprocess.Popen(["sh", "-c", script(a)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True) for a in addresses]
    varbinds = 0
    for p in procs:
        out, _ = p.communicate()
        varbinds += sum(1 for line in out.splitlines() if line.startswith("."))
    wall, cpu = time.perf_counter() - t0, cpu_children() - c0
    return {"engine": "net-snmp", "devices": len(addresses), "wall_s": wall, "cpu_s": cpu,
            "varbinds": varbinds}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over rounds of one engine's cycles."""
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    first = runs[0]
    devices = first["devices"]
    wall, cpu, varbinds = med("wall_s"), med("cpu_s"), med("varbinds")
    return {"engine": first["engine"], "rounds": len(runs), "devices": devices,
            "wall_s": wall, "cpu_s": cpu, "varbinds": varbinds,
            "devices_per_s": devices / wall, "varbinds_per_s": varbinds / wall,
            "cpu_ms_per_device": cpu / devices * 1000,
            "devices_per_cpu_s": devices / cpu if cpu else float("inf"),
            "failed": sum((r.get("failed") or [] for r in runs), [])[:5],
            "samples": first.get("samples"), "interfaces": first.get("interfaces")}


def inner(args: argparse.Namespace) -> None:
    addresses = args.addresses.split(",")
    out: dict[str, Any] = {}
    nms_cycle("gufo", addresses, args.reps)  # warm-up: imports, ARP, agent caches
    netsnmp_cycle(addresses, args.reps)
    out["gufo"] = summarize([nms_cycle("gufo", addresses, args.reps) for _ in range(args.rounds)])
    out["net-snmp"] = summarize([netsnmp_cycle(addresses, args.reps) for _ in range(args.rounds)])
    if not args.skip_pysnmp:
        out["pysnmp"] = summarize([nms_cycle("pysnmp", addresses, args.reps)])
    if args.memory_devices:
        r = subprocess.run([sys.executable, __file__, "--memory", "--addresses", args.addresses,
                            "--memory-devices", str(args.memory_devices), "--reps",
                            str(args.reps)], capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            out["memory"] = {"error": r.stderr[-2000:]}
        else:
            out["memory"] = json.loads(r.stdout.splitlines()[-1])
    Path(args.json).write_text(json.dumps(out), encoding="utf-8")


# ------------------------------------------------------------------------------ memory phase
def memory(args: argparse.Namespace) -> None:
    """Load a generated N-device inventory through the real loader, poll it once, peak RSS."""
    from sqlalchemy import insert

    from collectors.snmp.cli import load_targets
    from collectors.snmp.collector import SnmpCollector
    from inventory.models import Device, Site
    from nms.config import load_config_data
    from nms.db import make_engine, migrate

    addresses = args.addresses.split(",")
    n = args.memory_devices
    with tempfile.TemporaryDirectory(prefix="nms-bench-mem-") as tmp:
        config = load_config_data({
            "data_dir": tmp,
            "auths": {"bench": {"type": "snmp", "version": "2c", "community": "public"}},
            "default_snmp_auth": "bench",
            "snmp": {"timeout_s": 2.0, "retries": 1, "max_repetitions": args.reps,
                     "concurrency": 64, "device_budget_s": 120},
        }, path="<bench>", base_dir=Path(tmp))
        engine = make_engine(config.database_url)
        migrate(engine)
        with engine.begin() as conn:
            conn.execute(insert(Site), [{"id": 1, "code": "city", "name": "示范市",
                                         "level": "city", "parent_id": None}])
            conn.execute(insert(Device), [
                {"name": f"dev-{i:05d}", "address": addresses[i % len(addresses)],
                 "snmp_port": None, "role": ("router", "switch", "firewall", "server")[i % 4],
                 "site_id": 1, "zone": "extranet", "tags": []} for i in range(n)])
        engine.dispose()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        targets, problems, _roles = load_targets(config)
        assert not problems and len(targets) == n, problems[:3]
        targets = [t.__class__(**{**t.__dict__, "profiles": PROFILES}) for t in targets]
        sink = CountingSink()
        ok = 0

        def on_result(r: Any) -> None:
            nonlocal ok
            sink.write(r.samples)
            ok += r.ok

        collector = SnmpCollector(config.snmp)
        c0, t0 = cpu_self(), time.perf_counter()
        asyncio.run(collector.poll_many(targets, on_result=on_result, keep_results=False))
        wall, cpu = time.perf_counter() - t0, cpu_self() - c0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"devices": n, "ok": ok, "samples": sink.samples, "wall_s": wall,
                      "cpu_s": cpu, "rss_after_imports_mb": rss_before / 1024,
                      "peak_rss_mb": peak_kb / 1024}))


# ------------------------------------------------------------------------------ outer
def report(data: dict[str, Any], args: argparse.Namespace, lab_s: float) -> int:
    g, ns = data["gufo"], data["net-snmp"]
    p = data.get("pysnmp")
    print(f"\nSNMP poll-cycle benchmark: {g['devices']} snmpd agents x {args.interfaces} "
          f"interfaces, walks: system + ifTable + ifXTable + HOST-RESOURCES CPU/storage + UCD "
          f"memory, max-repetitions {args.reps}; lab up in {lab_s:.1f} s")
    print(f"{'engine':10} {'rounds':>6} {'wall s':>7} {'dev/s':>8} {'varbinds/s':>11} "
          f"{'CPU ms/dev':>11} {'dev/CPU-s':>10} {'vs net-snmp':>12}")
    for r in (g, p, ns):
        if r is None:
            continue
        ratio = r["devices_per_cpu_s"] / ns["devices_per_cpu_s"]
        print(f"{r['engine']:10} {r['rounds']:>6} {r['wall_s']:>7.2f} {r['devices_per_s']:>8.1f} "
              f"{r['varbinds_per_s']:>11.0f} {r['cpu_ms_per_device']:>11.1f} "
              f"{r['devices_per_cpu_s']:>10.1f} {ratio:>11.2f}x")
    print(f"varbinds per device cycle: nms {g['varbinds'] / g['devices']:.0f}, net-snmp "
          f"{ns['varbinds'] / ns['devices']:.0f}; nms samples per cycle {g['samples']}, "
          f"interfaces {g['interfaces']}")
    ratio = g["devices_per_cpu_s"] / ns["devices_per_cpu_s"]
    print(f"gufo whole nms path vs net-snmp throughput per CPU second: {ratio:.2f}x "
          f"(target >= 1.5x: {'PASS' if ratio >= 1.5 else 'FAIL'})")
    if p:
        print(f"pysnmp vs gufo CPU per device: {p['cpu_ms_per_device'] / g['cpu_ms_per_device']:.1f}x")
    projected = g["cpu_ms_per_device"] * 1000 / 1000 * (50 / args.interfaces)
    print(f"projected CPU for 1,000 devices x 50 interfaces per cycle (gufo): {projected:.1f} CPU-s "
          f"(goal < 30: {'PASS' if projected < 30 else 'FAIL'})")
    if p:
        print(f"projected with pysnmp: {p['cpu_ms_per_device'] * (50 / args.interfaces):.0f} CPU-s")
    m = data.get("memory")
    if m:
        if "error" in m:
            print(f"memory phase failed: {m['error']}")
        else:
            print(f"memory: {m['devices']} devices in the inventory, one full cycle "
                  f"({m['ok']} ok, {m['samples']} samples, {m['wall_s']:.1f} s wall, "
                  f"{m['cpu_s']:.1f} CPU-s): peak RSS {m['peak_rss_mb']:.0f} MB "
                  f"(after imports {m['rss_after_imports_mb']:.0f} MB; goal < 300: "
                  f"{'PASS' if m['peak_rss_mb'] < 300 else 'FAIL'})")
    failed = g["failed"] + (p["failed"] if p else [])
    if failed:
        print("failed polls:", *failed, sep="\n  ")
    return 0 if not failed else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--interfaces", type=int, default=50)
    ap.add_argument("--reps", type=int, default=25, help="GETBULK max-repetitions")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--memory-devices", type=int, default=5000)
    ap.add_argument("--skip-pysnmp", action="store_true")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--addresses", help=argparse.SUPPRESS)
    ap.add_argument("--json", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        inner(args)
        return 0
    if args.memory:
        memory(args)
        return 0

    from bench.snmpd_lab import SnmpdLab

    # SIGTERM/SIGHUP -> SystemExit, so the lab's finally-cleanup runs
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))
    t0 = time.perf_counter()
    with SnmpdLab(args.agents, args.interfaces) as lab, \
            tempfile.NamedTemporaryFile(suffix=".json") as out:
        lab_s = time.perf_counter() - t0
        print(f"lab: {args.agents} snmpd agents in namespaces {lab.prefix}*, "
              f"{args.interfaces} interfaces each ({lab_s:.1f} s)", file=sys.stderr)
        cmd = ["ip", "netns", "exec", lab.mgmt, sys.executable, __file__, "--inner",
               "--addresses", ",".join(lab.addresses), "--json", out.name, "--reps",
               str(args.reps), "--rounds", str(args.rounds), "--memory-devices",
               str(args.memory_devices), *(["--skip-pysnmp"] if args.skip_pysnmp else [])]
        print("running:", shlex.join(cmd[:6]), "...", file=sys.stderr)
        subprocess.run(cmd, check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        data = json.loads(Path(out.name).read_text(encoding="utf-8"))
    return report(data, args, lab_s)


if __name__ == "__main__":
    sys.exit(main())
