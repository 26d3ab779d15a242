"""`nms topology show|export`, `nms netlab`, `nms probe` as a user runs them (subprocesses)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from inventory.io import import_file
from nms.db import make_engine, migrate, session_scope
from nms.state import save_state
from nms.topology.synth import generate_network


def nms(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, cwd=config.parent)


def _store_network(cfg: Path, tmp_path: Path) -> Any:
    """Import a generated network's inventory and save its polled state into the store."""
    net = generate_network(2, 2, servers=False)
    inventory = {
        "sites": net.sites,
        "devices": [{k: d[k] for k in ("name", "address", "role", "vendor", "site", "zone")}
                    for d in net.devices],
        "links": net.links,
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'nms.db'}")
    (tmp_path / "data").mkdir(exist_ok=True)
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, path)
    for name, st in net.state.items():
        save_state(engine, name, st)
    return net


def test_show_and_export(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config({"sink": {"type": "memory"}})
    net = _store_network(cfg, tmp_path)

    shown = nms(cfg, "topology", "show", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["summary"]["links"] == len(net.links) == data["summary"]["ok"]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["county01-town001-r1"]["parent"] == "county01-agg-r1"
    assert nodes["county01-agg-r1"]["level"] == "county"
    assert nodes["county01-agg-r1"]["county"] == "county01"

    table = nms(cfg, "topology", "show", "--no-samples")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["a", "b", "state", "tier", "speed", "util%",
                                                    "plan", "via"]
    assert f"{len(net.links)} as planned" in table.stderr

    out = tmp_path / "topo.graphml"
    exported = nms(cfg, "topology", "export", "--format", "graphml", "-o", str(out),
                   "--no-samples")
    assert exported.returncode == 0, exported.stderr
    graph = nx.read_graphml(io.BytesIO(out.read_bytes()), force_multigraph=True)
    assert graph.number_of_edges() == len(net.links)


def test_netlab_status_without_a_lab(make_config) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config()
    proc = nms(cfg, "netlab", "status", "--prefix", "nmst-nothing-here-")
    assert proc.returncode == 1 and "no netns lab" in proc.stderr


def test_probe_sweep_refuses_outside_allow_list(make_config) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config()
    proc = nms(cfg, "probe", "sweep", "192.0.2.0/24", "--allow", "127.0.0.0/8")
    assert proc.returncode == 1
    assert "refusing to sweep 192.0.2.0/24" in proc.stderr
    missing = nms(cfg, "probe", "sweep", "127.0.0.0/30")
    assert missing.returncode == 2 and "--allow" in missing.stderr


def test_probe_run_on_loopback_devices(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config({"sink": {"type": "memory"}})
    inv = tmp_path / "lo.yaml"
    inv.write_text(yaml.safe_dump({
        "sites": [{"code": "city", "name": "示范市", "level": "city"}],
        "devices": [{"name": "lo1", "address": "127.0.0.1", "role": "router", "site": "city",
                     "zone": "extranet"}]}), encoding="utf-8")
    (tmp_path / "data").mkdir(exist_ok=True)
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'nms.db'}")
    migrate(engine)
    with session_scope(engine) as session:
        import_file(session, inv)
    proc = nms(cfg, "probe", "run", "--method", "connect", "--count", "2", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)
    assert row["device"] == "lo1" and row["loss%"] == 0.0 and row["method"] == "connect"
