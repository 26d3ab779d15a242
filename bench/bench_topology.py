"""Benchmark: build the topology of the simulated city network and of a 10,000-device network.

    .venv/bin/python bench/bench_topology.py [--counties 30] [--townships 12] [--devices 10000]
                                             [--repeat 3]

What is measured, and from what:

1. **The simulated city network** -- the one ``nms lab`` serves (``nms.lab.generator``, mixed
   Huawei/H3C/Ruijie/ZTE/Cisco/Hillstone/Linux, several hundred devices at the largest
   settings). Its per-device SNMP recordings are turned into *polled-shaped state* by the real
   SNMP collector pipeline (platform detection, profile walks, ``collectors.snmp.state``,
   vendor hooks) reading the recordings through an in-memory session instead of UDP -- the
   same ``facts``/``interfaces``/``addresses``/``lldp_neighbors`` the poller stores. That
   extraction is reported but not part of the build time. Timed: ``build_topology`` (LLDP +
   subnet discovery, reconciliation against inventory.yaml's planned links, link state,
   hierarchy), ``root_cause`` for a county outage, and ``to_json``.
2. **A generated 10,000-device network** (``nms.topology.synth``: 1 city core, counties of 20
   townships plus a firewall and a server each, five router vendors' LLDP quirks, firewalls
   and half the servers without LLDP). Timed: the same three steps.

Times are the best of ``--repeat`` runs (wall clock, one process, this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from collectors.snmp import hooks  # noqa: E402
from collectors.snmp.engine import SessionOptions, SnmpSession, Value, VarBind, oid_tuple  # noqa: E402
from collectors.snmp.profile import Plan, load_profile  # noqa: E402
from collectors.snmp.state import build_state  # noqa: E402
from collectors.snmp.walker import Collected, fetch, fetch_scalars  # noqa: E402
from inventory.detect import detect  # noqa: E402
from nms.config import LabConfig, SnmpAuth  # noqa: E402
from nms.lab.generator import generate  # noqa: E402
from nms.topology import build_topology, root_cause, to_json  # noqa: E402
from nms.topology.synth import network_of_size  # noqa: E402

SYSTEM = "system"
TOPOLOGY_PROFILES = ("system", "if_mib", "ip_mib", "lldp_mib")


# ------------------------------------------------------------------------------ recordings
def _value(tag: str, text: str, now: float) -> Value:
    """One snmprec value as the engines return it (strings as bytes, OIDs as text)."""
    base, _, variation = tag.partition(":")
    if variation == "numeric":  # snmpsim's numeric module: initial + rate * time + offset
        spec = dict(item.split("=", 1) for item in text.split(","))
        value = float(spec.get("initial", 0))
        if spec.get("function") is None:
            value += float(spec.get("rate", 0)) * now + float(spec.get("offset", 0))
        bits = 64 if base == "70" else 32
        return int(value) % (1 << bits)
    if base == "4x":
        return bytes.fromhex(text)
    if base == "4":
        return text.encode()
    if base == "6":
        return text.strip(".")
    if base in ("64", "64x"):
        return ".".join(str(b) for b in bytes.fromhex(text)) if base == "64x" else text
    return int(text)


class RecordingSession(SnmpSession):
    """An ``SnmpSession`` answering from a ``.snmprec`` file: the poll without the UDP."""

    engine_name = "recording"

    def __init__(self, path: Path) -> None:
        super().__init__(SessionOptions(address="recording"), SnmpAuth(community="recording"))
        now = time.time()
        rows: list[tuple[tuple[int, ...], str, Value]] = []
        for line in path.read_text(encoding="ascii").splitlines():
            oid, tag, text = line.split("|", 2)
            rows.append((oid_tuple(oid), oid, _value(tag, text, now)))
        rows.sort()
        self.keys = [r[0] for r in rows]
        self.rows = rows
        self.by_oid = {r[1]: r[2] for r in rows}

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        return {o: self.by_oid[o] for o in oids if o in self.by_oid}

    async def walk(self, oid: str, max_repetitions: int | None = None) -> list[VarBind]:
        root = oid_tuple(oid)
        out = []
        for key, text, value in self.rows[bisect.bisect_right(self.keys, root):]:
            if key[:len(root)] != root:
                break
            out.append((text, value))
        return out


async def state_from_recording(path: Path) -> dict[str, Any]:
    """Polled-shaped state of one recording, through the SNMP collector's own steps."""
    session = RecordingSession(path)
    system = Collected()
    await fetch_scalars(session, list(load_profile(SYSTEM).scalars), system)
    detection = detect(system.get("sysObjectID"), system.get("sysDescr"))
    plan = Plan.build(list(TOPOLOGY_PROFILES))
    data = await fetch(session, plan, skip_scalars={c.oid for c in load_profile(SYSTEM).scalars})
    data.scalars.update(system.scalars)
    state = build_state(plan, data, detection)
    hooks.apply(detection.platform.hooks, state, data)
    return state


# ------------------------------------------------------------------------------ timing
def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def measure(label: str, devices: list[Any], state: dict[str, Any], links: list[Any],
            outage_county: str, repeat: int) -> None:
    build_s, graph = best_of(repeat, lambda: build_topology(devices, state, links))
    reach = {d["name"]: d.get("county") != outage_county for d in devices}
    rc_s, verdicts = best_of(repeat, lambda: root_cause(graph, reach))
    json_s, data = best_of(repeat, lambda: to_json(graph))
    s = data["summary"]
    states: dict[str, int] = {}
    for v in verdicts.values():
        states[v.state] = states.get(v.state, 0) + 1
    print(f"{label}")
    print(f"  {s['devices']} devices, {s['links']} links "
          f"(ok {s['ok']}, wrong_port {s['wrong_port']}, missing {s['missing']}, "
          f"unexpected {s['unexpected']}), {s['unmanaged_neighbours']} unmanaged neighbours; "
          f"link states {s['link_states']}")
    print(f"  build_topology      {build_s * 1000:9.1f} ms")
    print(f"  root_cause          {rc_s * 1000:9.1f} ms   ({outage_county} unreachable: "
          f"{', '.join(f'{k} {v}' for k, v in sorted(states.items()))})")
    print(f"  to_json             {json_s * 1000:9.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=30)
    parser.add_argument("--townships", type=int, default=12)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs; other jobs on the machine slow every figure below)")
    with tempfile.TemporaryDirectory(prefix="bench-topology-") as tmp:
        t0 = time.perf_counter()
        lab = LabConfig(counties=args.counties, townships_per_county=args.townships)
        network = generate(lab, Path(tmp))
        gen_s = time.perf_counter() - t0
        inventory = yaml.safe_load((Path(tmp) / "inventory.yaml").read_text(encoding="utf-8"))
        t0 = time.perf_counter()

        async def extract() -> dict[str, Any]:
            states = await asyncio.gather(*(state_from_recording(d.recording)
                                            for d in network.devices))
            return {d.name: s for d, s in zip(network.devices, states, strict=True)}

        state = asyncio.run(extract())
        extract_s = time.perf_counter() - t0
        sites = {s["code"]: s for s in inventory["sites"]}

        def county_of(code: str) -> str | None:
            site = sites.get(code)
            while site is not None and site["level"] != "county":
                site = sites.get(site.get("parent"))
            return site["code"] if site else None

        devices = [{"name": d["name"], "address": d["address"], "role": d["role"],
                    "site": d["site"], "level": sites[d["site"]]["level"],
                    "county": county_of(d["site"]), "vendor": d.get("vendor")}
                   for d in inventory["devices"]]
        print(f"simulated city network: generated in {gen_s:.1f} s; polled-shaped state of "
              f"{len(state)} devices extracted from their recordings by the SNMP collector's "
              f"state builder in {extract_s:.1f} s (not part of the build)")
        measure(f"simulated city network (nms lab generator, {args.counties} counties x "
                f"{args.townships} townships)", devices, state, inventory["links"],
                "county01", args.repeat)

    t0 = time.perf_counter()
    big = network_of_size(args.devices)
    print(f"\ngenerated network: {len(big.devices)} devices made in "
          f"{time.perf_counter() - t0:.1f} s")
    measure(f"generated {len(big.devices):,}-device network (nms.topology.synth)", big.devices,
            big.state, big.links, "county01", args.repeat)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
