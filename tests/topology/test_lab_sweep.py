"""Integration: sweep the lab's management prefix and propose the device the inventory lacks."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.lab]


def test_sweep_proposes_only_the_unknown_device(netns_lab: Any, lab_agent: Any) -> None:
    inventory = netns_lab.inventory()
    known = [d["name"] for d in inventory["devices"] if d["name"] != "fw-a"]
    known += [netns_lab.spec.oob_address(n) for n in known]
    report = lab_agent.request(op="sweep", prefix="198.19.0.0/24", allowed=["198.19.0.0/24"],
                               auths={"lab-snmp": netns_lab.community}, known=known,
                               timeout_s=0.5)
    expected_alive = {netns_lab.spec.oob_address(h.name) for h in netns_lab.spec.hosts}
    assert expected_alive <= set(report["alive"])  # plus the sweeper's own 198.19.0.1
    assert set(report["alive"]) - expected_alive <= {"198.19.0.1"}
    assert "arp" in report["methods"]  # the mgmt bridge is directly connected
    (proposal,) = report["proposals"]
    assert proposal["name"] == "fw-a"
    assert proposal["address"] == netns_lab.spec.oob_address("fw-a")
    assert proposal["snmp_auth"] == "lab-snmp" and proposal["platform"] == "linux"
    assert proposal["site"] is None  # the operator places it; nothing was imported


def test_sweep_outside_the_allowed_prefix_is_refused(lab_agent: Any) -> None:
    with pytest.raises(AssertionError, match="refusing to sweep 198.19.0.0/16"):
        lab_agent.request(op="sweep", prefix="198.19.0.0/16", allowed=["198.19.0.0/24"], auths={})
