"""The `nms` command line as a user runs it: init, inventory import/list/export, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "inventory"


def nms(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, cwd=config.parent)


def test_init_import_list_export(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config()
    first = nms(cfg, "init")
    assert first.returncode == 0, first.stderr
    assert "created (revision" in first.stdout
    again = nms(cfg, "init")
    assert "already current" in again.stdout

    imp = nms(cfg, "inventory", "import", str(FIXTURES / "small.yaml"))
    assert imp.returncode == 0, imp.stderr
    assert "devices: +8 ~0" in imp.stdout
    assert "importing small.yaml: 21/21 (100%)" in imp.stderr  # progress on stderr

    listed = nms(cfg, "inventory", "list", "--format", "json", "--site", "county01")
    assert listed.returncode == 0, listed.stderr
    names = sorted(d["name"] for d in json.loads(listed.stdout))
    assert names == ["county01-agg-r1", "county01-town01-r1", "county01-town02-r1"]

    table = nms(cfg, "inventory", "list", "--role", "server")
    assert table.stdout.splitlines()[0].split()[:3] == ["name", "address", "role"]
    assert "city-srv1" in table.stdout and "示范市" in table.stdout

    out = tmp_path / "export.yaml"
    exp = nms(cfg, "inventory", "export", "-o", str(out))
    assert exp.returncode == 0, exp.stderr
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["links"]) == 3
    csv_out = nms(cfg, "inventory", "export", "--format", "csv", "--kind", "sites")
    assert csv_out.stdout.splitlines()[0] == "code,name,level,parent,units"


def test_bad_import_exits_1_and_writes_nothing(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config()
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent\ncity,示范市,city,\ncounty9,某县,county,atlantis\n",
                   encoding="utf-8")
    proc = nms(cfg, "inventory", "import", str(bad))
    assert proc.returncode == 1
    assert "line 3: parent site 'atlantis' is not defined" in proc.stderr
    listed = nms(cfg, "inventory", "export", "--format", "csv", "--kind", "sites")
    assert listed.stdout.strip() == "code,name,level,parent,units"


def test_usage_errors_exit_2(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config()
    assert nms(cfg, "inventory", "import", str(tmp_path / "missing.yaml")).returncode == 2
    assert nms(cfg, "inventory", "export", "--format", "csv").returncode == 2
    assert nms(cfg, "no-such-command").returncode == 2


def test_unreachable_database_exits_1(make_config) -> None:  # type: ignore[no-untyped-def]
    cfg = make_config({"inventory": {"database": "postgresql://nobody@127.0.0.1:1/x?connect_timeout=2"}})
    proc = nms(cfg, "inventory", "list")
    assert proc.returncode == 1
    assert "cannot reach the database" in proc.stderr


def test_module_invocation_passes_config_to_plugin_commands(make_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`python -m nms.cli --config X <plugin command>` must use X, not ./config.yaml.

    Regression: run as ``-m``, nms/cli.py was a second module (``__main__``); plugin commands
    (``nms run``, ``nms alarms``...) imported ``nms.cli`` and looked for its CliState, missed
    the one ``__main__`` made and loaded ./config.yaml from the working directory instead.
    """
    cfg = make_config()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "config.yaml").write_text("data_dir: 1\nnot_a_key: true\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(cfg), "alarms", "list",
                          "--format", "json"], capture_output=True, text=True, timeout=120, cwd=elsewhere)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
