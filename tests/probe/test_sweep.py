"""Sweeps on loopback, and proposals that never reach the inventory unreviewed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from collectors.probe.sweep import SweepResult, guess_role, proposals, proposals_yaml, sweep
from inventory.io import import_rows, read_yaml
from nms.db import make_engine, migrate
from nms.errors import ImportRowError


def _raw_allowed() -> bool:
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _raw_allowed(), reason="raw sockets not permitted here")
def test_icmp_sweep_of_a_loopback_prefix() -> None:
    result = sweep("127.0.0.0/29", allowed=["127.0.0.0/8"], methods=("icmp",), rate_pps=200,
                   timeout_s=0.5)
    assert list(result.alive) == [f"127.0.0.{i}" for i in range(1, 7)]
    assert all(v["method"] == "icmp" for v in result.alive.values())
    assert result.methods == ["icmp"]


def test_proposals_skip_known_and_local_addresses() -> None:
    result = SweepResult("198.19.0.0/24", alive={
        "198.19.0.11": {"method": "icmp"},               # known by address
        "198.19.0.12": {"method": "arp", "mac": "02:00:00:00:00:12"},  # known by sysName
        "198.19.0.20": {"method": "arp", "mac": "02:00:00:00:00:20"},  # new, SNMP answered
        "198.19.0.21": {"method": "icmp", "rtt_ms": 0.2},               # new, SNMP silent
        "127.0.0.1": {"method": "icmp"},                 # ourselves
    })
    identities = {
        "198.19.0.12": {"sysName": "county-a", "platform": "huawei_vrp", "auth": "ro"},
        "198.19.0.20": {"sysName": "new-fw", "platform": "hillstone_stoneos", "vendor": "Hillstone",
                        "auth": "ro", "sysDescr": "Hillstone StoneOS", "sysObjectID": "1.3.6.1.4.1.28557"},
    }
    rows = proposals(result, identities, known=["198.19.0.11", "county-a"])
    assert [(r["name"], r["address"], r["role"]) for r in rows] == [
        ("new-fw", "198.19.0.20", "firewall"), ("new-198-19-0-21", "198.19.0.21", "router")]
    assert rows[0]["snmp_auth"] == "ro" and rows[0]["site"] is None
    assert rows[1]["evidence"]["snmp"] == "no answer with the configured auths"
    assert guess_role("linux") == "server"


def test_proposal_file_cannot_be_imported_until_reviewed(tmp_path: Path) -> None:
    rows = proposals(SweepResult("198.19.0.0/24", alive={"198.19.0.20": {"method": "icmp"}}),
                     {"198.19.0.20": {"sysName": "new-fw", "platform": "fortinet", "auth": "ro"}},
                     known=[])
    path = tmp_path / "proposals.yaml"
    path.write_text(proposals_yaml(rows, "198.19.0.0/24"), encoding="utf-8")
    parsed = read_yaml(path)
    assert [r.data["name"] for r in parsed] == ["new-fw"]
    engine = make_engine(f"sqlite:///{tmp_path / 'nms.db'}")
    migrate(engine)
    with Session(engine) as session, pytest.raises(ImportRowError, match="site"):
        import_rows(session, parsed)
    assert "# found_by: icmp" in path.read_text(encoding="utf-8")
