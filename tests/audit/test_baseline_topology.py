"""Topology baseline checks (BL-FW-006, BL-TOP-001…003) on small inline snapshots.

Links are discovered the way the SNMP collector's state gives them: IP-MIB /30 adjacency
(``interfaces`` + ``addresses`` rows) and LLDP rows; planned links come from ``Snapshot.links``.
Each check gets PASS, FAIL and NEEDS_REVIEW cases (NEEDS_REVIEW where state/config is missing).
"""

from __future__ import annotations

from typing import Any

from nms.models import FindingStatus
from policies.audit.run import baseline_checks, finding_row
from policies.base import DeviceState, Snapshot
from policies.checks.baseline_topology import (
    CoreRedundancy,
    ImportantZonesIsolated,
    InterZoneLinksControlled,
    NoUnauthorizedEgress,
    default_routes,
)
from policies.engine import all_checks, run_checks

SITES = {
    "city": {"name": "市", "level": "city", "parent": None},
    "cty": {"name": "A县", "level": "county", "parent": "city"},
    "twn": {"name": "A镇", "level": "township", "parent": "cty"},
}


def ports(*rows: tuple[int, str, str | None, str]) -> dict[str, Any]:
    """SNMP-collector state from (ifIndex, ifName, address/len or None, oper status) rows."""
    interfaces = [{"ifIndex": i, "ifName": n, "name": n, "ifOperStatus": oper, "ifAdminStatus": "up"}
                  for i, n, _a, oper in rows]
    addresses = []
    for i, _n, addr, _oper in rows:
        if addr:
            ip, plen = addr.split("/")
            addresses.append({"ifIndex": i, "address": ip, "prefix_length": int(plen), "family": "ipv4"})
    return {"interfaces": interfaces, "addresses": addresses, "lldp_neighbors": []}


def device(name: str, site: str, *, role: str = "router", zone: str = "extranet", state: dict[str, Any] | None = None,
           config: str | None = None, platform: str = "cisco_ios") -> DeviceState:
    return DeviceState(device={"name": name, "site": site, "role": role, "zone": zone, "platform": platform,
                               "address": f"192.0.2.{abs(hash(name)) % 200 + 1}"},
                       state=state or {}, config_text=config)


def link(a: str, ai: str, b: str, bi: str) -> dict[str, Any]:
    return {"a_device": a, "a_interface": ai, "b_device": b, "b_interface": bi}


def snap(devices: list[DeviceState], links: list[dict[str, Any]] = (), **kw: Any) -> Snapshot:  # type: ignore[assignment]
    return Snapshot(devices={d.name: d for d in devices}, sites=SITES, links=list(links), **kw)


def run(check: Any, snapshot: Snapshot) -> list[Any]:
    return run_checks([check], snapshot)


def by_device(findings: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in findings:
        out.setdefault(f.device, []).append(f)
    return out


def ios(acl_on: str | None = None) -> str:
    lines = ["hostname r", "interface GigabitEthernet0/1", " ip address 10.1.0.1 255.255.255.252"]
    if acl_on:
        lines.append(f" ip access-group {acl_on} in")
    lines += ["!", "ip access-list extended EDGE", " permit tcp 10.2.0.0 0.0.0.255 any eq 443",
              " deny ip any any log", "!", "end", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- BL-FW-006


def fw006_case(*, b_role: str = "router", a_cfg: str | None = None, b_cfg: str | None = None) -> Snapshot:
    a = device("r-intra", "cty", zone="intranet", state=ports((1, "Gi0/1", "10.1.0.1/30", "up")), config=a_cfg)
    b = device("r-ext", "cty", role=b_role, zone="extranet", state=ports((1, "Gi0/1", "10.1.0.2/30", "up")),
               config=b_cfg)
    return snap([a, b], [link("r-intra", "Gi0/1", "r-ext", "Gi0/1")])


def test_fw006_fails_uncontrolled_inter_zone_link() -> None:
    (f,) = run(InterZoneLinksControlled(), fw006_case(a_cfg=ios(), b_cfg=ios()))
    assert f.status is FindingStatus.FAIL
    assert "r-intra" in f.subject and "r-ext" in f.subject and f.subject in f.reason_en
    assert f.observed["zones"] == ["intranet", "extranet"] and f.reason_zh
    assert f.evidence["remediation"] and "8.1.3.1 a" in f.evidence["mlps"]


def test_fw006_passes_with_acl_or_firewall() -> None:
    (f,) = run(InterZoneLinksControlled(), fw006_case(a_cfg=ios(), b_cfg=ios(acl_on="EDGE")))
    assert f.status is FindingStatus.PASS and "EDGE" in f.reason_en and f.observed["acls"] == {"r-ext:Gi0/1": "EDGE"}
    (f,) = run(InterZoneLinksControlled(), fw006_case(b_role="firewall"))
    assert f.status is FindingStatus.PASS and "firewall" in f.reason_en


def test_fw006_needs_review_without_configs() -> None:
    (f,) = run(InterZoneLinksControlled(), fw006_case())
    assert f.status is FindingStatus.NEEDS_REVIEW and "no configuration" in f.reason_en
    (f,) = run(InterZoneLinksControlled(), fw006_case(a_cfg=ios()))  # one end still unknown
    assert f.status is FindingStatus.NEEDS_REVIEW and "r-ext" in f.reason_en


def test_fw006_zone_from_ip_plan_blocks() -> None:
    a = device("r1", "cty", zone="intranet", config=ios())
    b = device("r2", "cty", zone="intranet", config=ios())
    s = snap([a, b], [link("r1", "Gi0/1", "r2", "Gi0/1")],
             interfaces=[{"device": "r1", "name": "GigabitEthernet0/1", "address": "10.9.0.1/24"},
                         {"device": "r2", "name": "Gi0/1", "address": "10.8.0.1/24"}],
             ip_blocks=[{"prefix": "10.9.0.0/16", "zone": "intranet"}, {"prefix": "10.8.0.0/16", "zone": "management"}])
    (f,) = run(InterZoneLinksControlled(), s)
    assert f.status is FindingStatus.FAIL and f.observed["zones"] == ["intranet", "management"]


def test_fw006_same_zone_is_not_applicable() -> None:
    s = fw006_case()
    s.devices["r-ext"].device["zone"] = "intranet"
    (f,) = run(InterZoneLinksControlled(), s)
    assert f.status is FindingStatus.NOT_APPLICABLE


# ------------------------------------------------------------------------------- BL-TOP-001


def top001_case(n_uplinks: int, *, down: int = 0, state: bool = True) -> Snapshot:
    core = [device(f"c-core{i}", "city", state=ports((1, "Gi0/1", f"10.0.{i}.1/30", "up")))
            for i in range(1, n_uplinks + 1)] or [device("c-core1", "city")]
    rows = [(i, f"Gi0/{i}", f"10.0.{i}.2/30", "down" if i <= down else "up") for i in range(1, n_uplinks + 1)]
    agg = device("k-agg", "cty", state=ports(*rows) if state else None)
    access = device("k-acc", "cty", role="switch")  # behind the aggregation: not judged
    links = [link(f"c-core{i}", "Gi0/1", "k-agg", f"Gi0/{i}") for i in range(1, n_uplinks + 1)]
    links.append(link("k-agg", "Gi0/9", "k-acc", "Gi0/1"))
    return snap([*core, agg, access], links)


def top001(s: Snapshot) -> dict[str, Any]:
    return {f.device: f for f in run(CoreRedundancy(), s)}


def test_top001_single_uplink_fails() -> None:
    got = top001(top001_case(1))
    assert got["k-agg"].status is FindingStatus.FAIL and "1 uplink" in got["k-agg"].reason_en
    assert "k-acc" not in got
    assert got["c-core1"].status is FindingStatus.NOT_APPLICABLE  # city at the top of the plan


def test_top001_two_uplinks_pass() -> None:
    f = top001(top001_case(2))["k-agg"]
    assert f.status is FindingStatus.PASS and f.observed["peers"] == ["c-core1", "c-core2"]


def test_top001_down_uplink_loses_redundancy() -> None:
    f = top001(top001_case(2, down=1))["k-agg"]
    assert f.status is FindingStatus.FAIL and "down" in f.reason_en


def test_top001_plan_only_needs_review() -> None:
    f = top001(top001_case(2, state=False))["k-agg"]
    assert f.status is FindingStatus.NEEDS_REVIEW
    s = snap([device("k-agg", "cty")])
    assert top001(s)["k-agg"].status is FindingStatus.NEEDS_REVIEW


def test_top001_discovered_uplinks_count() -> None:
    s = top001_case(2)
    s.links = []  # nothing planned: the /30 adjacency alone shows both uplinks
    assert top001(s)["k-agg"].status is FindingStatus.PASS


# ------------------------------------------------------------------------------- BL-TOP-002


def test_top002_direct_link_to_internet_edge_fails() -> None:
    sw = device("intra-sw", "cty", role="switch", zone="intranet", state=ports((1, "Gi0/1", "10.5.0.1/30", "up")))
    edge = device("edge-r", "cty", zone="internet_edge", state=ports((1, "Gi0/1", "10.5.0.2/30", "up")))
    got = by_device(run(ImportantZonesIsolated(), snap([sw, edge])))
    (f,) = got["intra-sw"]
    assert f.status is FindingStatus.FAIL and "edge-r" in f.reason_en and f.subject == f.observed["link"]
    assert "edge-r" not in got  # only important-zone devices are judged


def test_top002_through_firewall_passes() -> None:
    sw = device("mgmt-sw", "cty", role="switch", zone="management", state=ports((1, "Gi0/1", "10.5.0.1/30", "up")))
    fw = device("fw", "cty", role="firewall", zone="internet_edge",
                state=ports((1, "g1", "10.5.0.2/30", "up"), (2, "g2", "10.6.0.1/30", "up")))
    edge = device("edge-r", "cty", zone="internet_edge", state=ports((1, "Gi0/1", "10.6.0.2/30", "up")))
    (f,) = run(ImportantZonesIsolated(), snap([sw, fw, edge]))
    assert f.device == "mgmt-sw" and f.status is FindingStatus.PASS


def test_top002_no_data_needs_review() -> None:
    (f,) = run(ImportantZonesIsolated(), snap([device("lonely", "cty", zone="intranet")]))
    assert f.status is FindingStatus.NEEDS_REVIEW


# ------------------------------------------------------------------------------- BL-TOP-003


def top003_case(routes: list[dict[str, Any]] | None = None, lldp: list[dict[str, Any]] | None = None,
                **params: Any) -> Snapshot:
    state = ports((1, "Gi0/1", "10.3.0.2/30", "up"), (2, "Gi0/2", None, "up"))
    if routes is not None:
        state["routes"] = routes
    if lldp:
        state["lldp_neighbors"] = lldp
    t = device("t-r", "twn", state=state)
    k = device("k-r", "cty", state=ports((1, "Gi0/1", "10.3.0.1/30", "up")))
    return snap([t, k], [link("k-r", "Gi0/1", "t-r", "Gi0/1")], params=params)


ROGUE = {"local_ifIndex": 2, "remote_sysname": "rogue-4g-router", "remote_chassis_id": "02:aa:bb:cc:dd:ee",
         "remote_chassis_id_subtype": "macAddress", "remote_port_id": "eth0", "remote_port_id_subtype": "interfaceName"}


def top003(s: Snapshot) -> list[Any]:
    return by_device(run(NoUnauthorizedEgress(), s))["t-r"]


def test_top003_unplanned_neighbour_fails() -> None:
    (f,) = top003(top003_case(lldp=[ROGUE]))
    assert f.status is FindingStatus.FAIL and "not in the inventory" in f.reason_en and "rogue" in f.subject


def test_top003_without_routes_needs_review_and_says_so() -> None:
    (f,) = top003(top003_case())
    assert f.status is FindingStatus.NEEDS_REVIEW
    assert "routing table" in f.reason_en and "路由表" in f.reason_zh


def test_top003_default_route_via_planned_peer_passes() -> None:
    (f,) = top003(top003_case(routes=[{"destination": "0.0.0.0/0", "next_hop": "10.3.0.1"}]))
    assert f.status is FindingStatus.PASS


def test_top003_default_route_via_unapproved_hop_fails() -> None:
    routes = [{"destination": "0.0.0.0/0", "next_hop": "203.0.113.9"}]
    (f,) = top003(top003_case(routes=routes))
    assert f.status is FindingStatus.FAIL and "203.0.113.9" in f.subject
    (f,) = top003(top003_case(routes=routes, topology={"approved_egress": ["203.0.113.0/28"]}))
    assert f.status is FindingStatus.PASS


def test_top003_unplanned_uplink_between_managed_devices_fails() -> None:
    s = top003_case()
    s.links = []  # the /30 to the county is discovered but not planned
    (f,) = top003(s)
    assert f.status is FindingStatus.FAIL and "unplanned uplink to k-r" in f.reason_en


def test_default_routes_shapes() -> None:
    assert default_routes({}) is None
    assert default_routes({"routes": {"0.0.0.0/0": [{"next_hop": "1.1.1.1", "outgoing_interface": "e0"}],
                                      "10.0.0.0/8": [{"next_hop": "2.2.2.2"}]}}) == [
        {"next_hop": "1.1.1.1", "interface": "e0"}]


# ------------------------------------------------------------------------------- registration


def test_registered_in_baseline_pack_but_not_in_single_config_audit() -> None:
    ids = {"BL-FW-006", "BL-TOP-001", "BL-TOP-002", "BL-TOP-003"}
    found = {c.id: c for c in all_checks() if c.id in ids}
    assert set(found) == ids
    assert all(c.pack == "baseline" and c.title_en and c.title_zh and c.mlps for c in found.values())
    assert not ids & {c.id for c in baseline_checks()}  # one config file has no topology


def test_finding_row_has_catalog_titles() -> None:
    (f,) = run(InterZoneLinksControlled(), fw006_case(a_cfg=ios(), b_cfg=ios()))
    row = finding_row(f)
    assert row["title_zh"] and row["mlps"] and row["remediation"] and row["status"] == "FAIL"
