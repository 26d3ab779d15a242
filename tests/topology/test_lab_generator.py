"""The simulated network of ``nms lab`` (nms.lab.generator): its recordings, read by the SNMP
collector's state builder, give back exactly the planned links, and its planted ``uplink_down``
fault shows as a down link with the township behind it parent_down."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any

import yaml

from nms.config import LabConfig
from nms.lab.generator import generate
from nms.topology import build_topology, to_json

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_topology.py"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_topology", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_lab_network_is_discovered_as_planned(tmp_path: Path) -> None:
    bench = _bench()
    network = generate(LabConfig(counties=4, townships_per_county=2), tmp_path)
    inventory = yaml.safe_load((tmp_path / "inventory.yaml").read_text(encoding="utf-8"))
    faults = yaml.safe_load((tmp_path / "faults.yaml").read_text(encoding="utf-8"))["faults"]

    async def extract() -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(bench.state_from_recording(d.recording)
                                           for d in network.devices)))

    state = dict(zip([d.name for d in network.devices], asyncio.run(extract()), strict=True))
    levels = {s["code"]: s["level"] for s in inventory["sites"]}
    devices = [{"name": d["name"], "role": d["role"], "site": d["site"],
                "level": levels[d["site"]]} for d in inventory["devices"]]
    down = [f["link"] for f in faults if f["kind"] == "uplink_down"]
    reach = {d["name"]: True for d in devices}
    sites = {d["name"]: d["site"] for d in devices}
    for link in down:  # the township behind a cut uplink stops answering, switch and all
        for d in devices:
            if d["site"] == sites[link["b_device"]]:
                reach[d["name"]] = False
    data = to_json(build_topology(devices, state, inventory["links"], reachability=reach))
    summary = data["summary"]
    assert summary["links"] == len(inventory["links"])
    assert summary["wrong_port"] == summary["unexpected"] == summary["unmanaged_neighbours"] == 0
    links = {(lk["source"], lk["a_port"], lk["target"], lk["b_port"]): lk for lk in data["links"]}
    for link in down:
        found = links[(link["a_device"], link["a_interface"], link["b_device"],
                       link["b_interface"])]
        assert found["state"] == "down" and found["planned"]
    assert summary["link_states"].get("down", 0) == len(down)
    assert summary["ok"] + summary["missing"] == summary["links"]
    assert all(lk["discovered"] for lk in data["links"] if lk["state"] == "up")
    nodes = {n["id"]: n for n in data["nodes"]}
    for link in down:
        assert nodes[link["b_device"]]["state"] == "down"
        behind = [n for n in nodes.values() if n["parent"] == link["b_device"]]
        assert behind and all(n["state"] == "parent_down" for n in behind)
