"""config.yaml validation: clear errors naming file and key path, exit code 2, env handling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nms.config import SnmpAuth, load_config
from nms.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_shipped_config_is_valid() -> None:
    cfg = load_config(REPO / "config.yaml", environ={})
    assert cfg.snmp.engine == "gufo"
    assert cfg.sink.type == "sqlite"
    assert cfg.auths["lab-snmp"].community == "nms-lab"  # ${NMS_LAB_COMMUNITY:-nms-lab}
    assert cfg.database_url == f"sqlite:///{REPO / 'data' / 'nms.db'}"
    assert cfg.polling.intervals_s["switch"] == 300


MALFORMED = [
    ("snmp: {engin: gufo}\n", "snmp.engin", "unknown key"),
    ("web: {port: abc}\n", "web.port", "expected an integer"),
    ("web: {port: 0}\n", "web.port", "must be positive"),
    ("snmp: {timeout_s: [1]}\n", "snmp.timeout_s", "expected a number"),
    ("auths: {x: {type: snmp, version: 2c, community: '${NMS_TEST_UNSET_SECRET}'}}\n",
     "auths.x.community", "environment variable ${NMS_TEST_UNSET_SECRET} is not set"),
    ("auths: {v3: {type: snmp, version: 3, user: u, auth_protocol: sha, auth_key: short}}\n",
     "auths.v3.auth_key", "at least 8 characters"),
    ("auths: {v3: {type: snmp, version: 3}}\n", "auths.v3", "needs 'user'"),
    ("auths: {s: {type: ssh, username: ops}}\n", "auths.s", "needs 'password' or 'key_file'"),
    ("auths: {x: {type: telnet}}\n", "auths.x.type", "must be one of"),
    ("sink: {type: mongo}\n", "sink.type", "must be one of 'sqlite', 'influxdb', 'memory'"),
    ("sink: {type: influxdb}\n", "sink.url", "influxdb sink needs 'url'"),
    ("polling: {intervals_s: {routr: 5}}\n", "polling.intervals_s.routr", "unknown device role"),
    ("web: {secure_cookies: maybe}\n", "web.secure_cookies", "expected true or false"),
    ("default_snmp_auth: nope\n", "default_snmp_auth", "unknown auth profile 'nope'"),
    ("lab: 5\n", "lab", "expected a mapping"),
    ("- a\n- b\n", None, "top level must be a mapping"),
    ("snmp: [1, 2\n", None, "not valid YAML at line 2"),
]


@pytest.mark.parametrize(("content", "key", "message"), MALFORMED, ids=[m[2][:30] for m in MALFORMED])
def test_malformed_config_names_file_and_key(tmp_path: Path, content: str, key: str | None,
                                             message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    text = str(err.value)
    assert text.startswith(f"{path}: ")
    if key:
        assert f": {key}: " in text
    assert message in text


@pytest.mark.parametrize(("content", "message"), [(c, m) for c, _, m in MALFORMED[:3] + MALFORMED[-2:]])
def test_config_check_exits_2_with_message(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(path), "config", "check"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "configuration error" in proc.stderr and message in proc.stderr and str(path) in proc.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "nms.cli", "--config", str(tmp_path / "nope.yaml"),
                           "config", "check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "nope.yaml: file not found" in proc.stderr


def test_env_secrets_defaults_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "auths:\n"
        "  ro: {type: snmp, version: '3', user: nms, auth_protocol: sha256, auth_key: '${AK}',\n"
        "       priv_protocol: aes128, priv_key: '${PK:-fallback-key}'}\n"
        "web: {port: 8080}\n", encoding="utf-8")
    cfg = load_config(path, environ={"AK": "auth-secret-1", "NMS_WEB_PORT": "9001",
                                     "NMS_SNMP_ENGINE": "pysnmp", "NMS_DATA_DIR": "/var/lib/nms"})
    auth = cfg.auths["ro"]
    assert isinstance(auth, SnmpAuth)
    assert (auth.auth_key, auth.priv_key) == ("auth-secret-1", "fallback-key")
    assert cfg.web.port == 9001 and cfg.snmp.engine == "pysnmp"
    assert cfg.data_dir == "/var/lib/nms"
    assert "auth-secret-1" not in repr(cfg)  # secrets never printed


def test_relative_paths_resolve_against_config_dir(tmp_path: Path) -> None:
    sub = tmp_path / "etc"
    sub.mkdir()
    (sub / "config.yaml").write_text("data_dir: ../var\ninventory: {source: inv.yaml, "
                                     "database: 'sqlite:///db/x.db'}\n", encoding="utf-8")
    cfg = load_config(sub / "config.yaml", environ={})
    assert Path(cfg.data_dir) == sub / ".." / "var"
    assert cfg.inventory.source == str(sub / "inv.yaml")
    assert cfg.database_url == f"sqlite:///{sub / 'db' / 'x.db'}"
