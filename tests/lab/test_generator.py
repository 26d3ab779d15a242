"""nms.lab.generator: determinism, size and vendor mix, and that the network is consistent.

Consistency is checked on the generated *recordings* (what a poller will read), not on the
generator's own objects: every planned link has both interfaces, LLDP agrees with the links,
addresses sit inside the IP plan, masks match across links. The only exceptions allowed are
the faults listed in faults.yaml.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from nms.config import LabConfig
from nms.lab.generator import generate, lab_fingerprint
from tests.lab import IF_ADMIN, IF_OPER, IF_PHYS, load_lab, oid_key

REPO = Path(__file__).resolve().parents[2]
SMALL = LabConfig(counties=2, townships_per_county=2, seed=7)


@pytest.fixture(scope="module")
def default_lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("default-lab")
    generate(LabConfig(), out)
    return load_lab(out)


@pytest.fixture(scope="module")
def small_lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("small-lab")
    generate(SMALL, out)
    return load_lab(out)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    generate(SMALL, tmp_path / "a")
    generate(SMALL, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    generate(LabConfig(counties=2, townships_per_county=2, seed=8), tmp_path / "c")
    assert _files(tmp_path / "a")["inventory.yaml"] != _files(tmp_path / "c")["inventory.yaml"]


def test_fingerprint_follows_the_settings_that_change_files() -> None:
    assert lab_fingerprint(SMALL) == lab_fingerprint(LabConfig(counties=2, townships_per_county=2,
                                                               seed=7, dir="/elsewhere"))
    assert lab_fingerprint(SMALL) != lab_fingerprint(LabConfig(counties=2, townships_per_county=2,
                                                               seed=7, port=2161))


def test_default_lab_size_and_vendor_mix(default_lab: dict[str, Any]) -> None:
    devices = default_lab["inventory"]["devices"]
    assert 75 <= len(devices) <= 110
    roles = Counter(d["role"] for d in devices)
    assert roles["router"] == 2 + 6 + 30 and roles["firewall"] == 1 + 6
    assert roles["server"] == 2 + 6 and roles["switch"] >= 1 + 6
    assert {d["vendor"] for d in devices} >= {"huawei", "h3c", "ruijie", "zte", "hillstone",
                                              "cisco", "inspur"}
    platforms = yaml.safe_load((REPO / "inventory" / "platforms.yaml").read_text())["platforms"]
    assert {d["platform"] for d in devices} <= set(platforms)


def test_names_sites_and_addresses(default_lab: dict[str, Any]) -> None:
    inventory = default_lab["inventory"]
    sites = inventory["sites"]
    seen: set[str] = set()
    for site in sites:  # parents before children
        assert site["parent"] is None or site["parent"] in seen
        seen.add(site["code"])
        assert re.search(r"[\u4e00-\u9fff]+[市县镇乡]$", site["name"])
    assert [s["level"] for s in sites].count("county") == 6
    names = {d["name"]: d for d in inventory["devices"]}
    assert names["city-core-r1"]["address"] == "127.77.0.1"
    pattern = re.compile(r"^(city-(core-(r|fw|sw)\d|srv\d)|county\d\d-(agg-r1|fw1|sw1|srv1)"
                         r"|county\d\d-town\d\d-(r1|sw1))$")
    assert all(pattern.match(n) for n in names), [n for n in names if not pattern.match(n)]
    addresses = [d["address"] for d in inventory["devices"]]
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("127.77.0.0/16") for a in addresses)
    assert {d["snmp_port"] for d in inventory["devices"]} == {1161}
    assert {d["snmp_auth"] for d in inventory["devices"]} == {"lab-snmp"}


def test_ipplan_is_the_inventory_blocks_inside_198_18_0_0_15(small_lab: dict[str, Any]) -> None:
    blocks = small_lab["ipplan"]["blocks"]
    assert blocks == small_lab["inventory"]["ip_blocks"]
    space = ipaddress.ip_network("198.18.0.0/15")
    nets = [ipaddress.ip_network(b["prefix"]) for b in blocks]
    assert all(n.subnet_of(space) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


def test_recordings_are_sorted_and_complete(small_lab: dict[str, Any]) -> None:
    for name, rec in small_lab["recordings"].items():
        keys = [oid_key(o) for o in rec.order]
        assert keys == sorted(keys) and len(set(keys)) == len(keys), name
        assert rec.value("1.3.6.1.2.1.1.5.0") == name
        assert rec.rows["1.3.6.1.2.1.1.3.0"][0] == "67:numeric"
        assert any(tag == "70:numeric" for tag, _ in rec.rows.values()), name
        assert rec.column("1.0.8802.1.1.2.1.3.7.1.3"), f"{name}: no lldpLocPortTable"


def test_vendor_health_objects_present(default_lab: dict[str, Any]) -> None:
    prefixes = {"huawei": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.",  # hwEntityCpuUsage
                "h3c": "1.3.6.1.4.1.25506.2.6.1.1.1.1.6.",  # hh3cEntityExtCpuUsage
                "cisco": "1.3.6.1.4.1.9.9.109.1.1.1.1.8.",  # cpmCPUTotal5minRev
                "ruijie": "1.3.6.1.4.1.4881.1.1.10.2.36.1.2.1.5.",  # ruijieNodeCPUTotal5min
                "zte": "1.3.6.1.4.1.3902.3.3.1.1.12.", "hillstone": "1.3.6.1.4.1.28557.2.2.1.3.0",
                "inspur": "1.3.6.1.2.1.25.3.3.1.2."}
    for device in default_lab["inventory"]["devices"]:
        rec = default_lab["recordings"][device["name"]]
        assert any(o.startswith(prefixes[device["vendor"]]) for o in rec.rows), device["name"]


def _ends(link: dict[str, Any]) -> frozenset[tuple[str, str]]:
    return frozenset([(link["a_device"], link["a_interface"]),
                      (link["b_device"], link["b_interface"])])


def _reported(lab: dict[str, Any]) -> dict[tuple[str, str], ipaddress.IPv4Interface]:
    return {(name, ifname): addr for name, rec in lab["recordings"].items()
            for ifname, addr in rec.addresses()}


@pytest.mark.parametrize("which", ["small_lab", "default_lab"])
def test_links_have_both_interfaces_and_matching_masks(which: str,
                                                       request: pytest.FixtureRequest) -> None:
    lab = request.getfixturevalue(which)
    planned = {(i["device"], i["name"]) for i in lab["inventory"]["interfaces"]}
    reported = _reported(lab)
    for link in lab["inventory"]["links"]:
        ends = [(link["a_device"], link["a_interface"]), (link["b_device"], link["b_interface"])]
        for device, ifname in ends:
            assert (device, ifname) in planned
            assert ifname in lab["recordings"][device].if_names().values(), (device, ifname)
        a, b = (reported.get(end) for end in ends)
        if a is not None and b is not None:  # routed link: one /30 (or LAN) for both ends
            assert a.network == b.network and a.ip != b.ip, link
        elif a is not None or b is not None:  # L2 port: the switch's SVI is in the same subnet
            routed, switched = (a, ends[1][0]) if a is not None else (b, ends[0][0])
            svi = [addr for (dev, _), addr in reported.items() if dev == switched]
            assert any(addr.network == routed.network for addr in svi), link
        else:
            pytest.fail(f"no address at either end of {link}")


@pytest.mark.parametrize("which", ["small_lab", "default_lab"])
def test_lldp_agrees_with_links_except_the_down_uplink(which: str,
                                                       request: pytest.FixtureRequest) -> None:
    lab = request.getfixturevalue(which)
    macs = {}
    for name, rec in lab["recordings"].items():
        names = rec.if_names()
        for index, mac in rec.column(IF_PHYS).items():
            if mac:
                macs[mac.lower()] = (name, names[int(index)])
    seen = set()
    for name, rec in lab["recordings"].items():
        for local, peer, peer_port in rec.lldp_neighbours(macs):
            seen.add(frozenset([(name, local), (peer, peer_port)]))
            assert (peer, peer_port) != (name, local)
    down = [_ends(f["link"]) for f in lab["faults"]["faults"] if f["kind"] == "uplink_down"]
    assert len(down) == 1
    expected = {_ends(lk) for lk in lab["inventory"]["links"]} - set(down)
    assert len(expected) == len(lab["inventory"]["links"]) - 1
    assert seen == expected
    # both ends of every LLDP adjacency report it (each side has its own row)
    rows = sum(len(rec.column("1.0.8802.1.1.2.1.4.1.1.9")) for rec in lab["recordings"].values())
    assert rows == 2 * len(expected)


@pytest.mark.parametrize("which", ["small_lab", "default_lab"])
def test_addresses_in_plan_except_planted_faults(which: str,
                                                 request: pytest.FixtureRequest) -> None:
    lab = request.getfixturevalue(which)
    inventory = lab["inventory"]
    parents = {s["code"]: s["parent"] for s in inventory["sites"]}
    site_of = {d["name"]: d["site"] for d in inventory["devices"]}
    blocks: dict[str, list[ipaddress.IPv4Network]] = {}
    for block in inventory["ip_blocks"]:
        blocks.setdefault(block["site"], []).append(ipaddress.ip_network(block["prefix"]))

    def allowed(site: str | None) -> list[ipaddress.IPv4Network]:
        nets: list[ipaddress.IPv4Network] = []
        while site:
            nets += blocks.get(site, [])
            site = parents[site]
        return nets

    reported = _reported(lab)
    outside = {key for key, addr in reported.items()
               if not any(addr.ip in net for net in allowed(site_of[key[0]]))}
    by_ip: dict[ipaddress.IPv4Address, set[tuple[str, str]]] = {}
    for key, addr in reported.items():
        by_ip.setdefault(addr.ip, set()).add(key)
    duplicates = {ip: keys for ip, keys in by_ip.items() if len(keys) > 1}

    faults = {f["kind"]: f for f in lab["faults"]["faults"]}
    assert set(faults) == {"address_outside_block", "duplicate_address", "uplink_down"}
    fault = faults["address_outside_block"]
    assert outside == {(fault["device"], fault["interface"])}
    assert str(reported[(fault["device"], fault["interface"])]) == fault["address"]
    dup = faults["duplicate_address"]
    assert duplicates == {ipaddress.ip_interface(dup["address"]).ip:
                          {(i["device"], i["interface"]) for i in dup["interfaces"]}}
    sites = {f["site"] for f in faults.values()}
    assert len(sites) == 3, "each fault sits in its own township"
    # the inventory keeps the plan: planned addresses are all clean and unique
    planned = [ipaddress.ip_interface(i["address"])
               for i in inventory["interfaces"] if i["address"]]
    assert len({p.ip for p in planned}) == len(planned)


def test_down_uplink_is_oper_down_at_both_ends(small_lab: dict[str, Any]) -> None:
    fault = next(f for f in small_lab["faults"]["faults"] if f["kind"] == "uplink_down")
    link = fault["link"]
    assert fault["tier"] == "township"
    for device, ifname in ((link["a_device"], link["a_interface"]),
                           (link["b_device"], link["b_interface"])):
        rec = small_lab["recordings"][device]
        index = next(i for i, n in rec.if_names().items() if n == ifname)
        assert rec.value(f"{IF_ADMIN}.{index}") == "1" and rec.value(f"{IF_OPER}.{index}") == "2"
    up_links = [lk for lk in small_lab["inventory"]["links"] if _ends(lk) != _ends(link)]
    assert len(up_links) == len(small_lab["inventory"]["links"]) - 1
    for lk in up_links:
        rec = small_lab["recordings"][lk["a_device"]]
        index = next(i for i, n in rec.if_names().items() if n == lk["a_interface"])
        assert rec.value(f"{IF_OPER}.{index}") == "1", lk


def test_inventory_imports_into_the_store(small_lab: dict[str, Any], tmp_path: Path) -> None:
    from inventory.io import import_file
    from nms.db import make_engine, migrate, session_scope

    engine = make_engine(f"sqlite:///{tmp_path / 'nms.db'}")
    migrate(engine)
    out_dir = small_lab["recordings"]["city-core-r1"].path.parents[2]
    with session_scope(engine) as session:
        summary = import_file(session, out_dir / "inventory.yaml", auth_names={"lab-snmp"})
        assert summary.total() > 0
        import_file(session, out_dir / "ipplan.yaml")
    engine.dispose()


def test_smallest_lab_still_has_its_three_faults(tmp_path: Path) -> None:
    network = generate(LabConfig(counties=1, townships_per_county=3, seed=1), tmp_path)
    assert sorted(f["kind"] for f in network.faults) == ["address_outside_block",
                                                         "duplicate_address", "uplink_down"]
    with pytest.raises(ValueError, match="three townships"):
        generate(LabConfig(counties=1, townships_per_county=2), tmp_path / "x")


def test_impossible_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="counties"):
        generate(LabConfig(counties=31), tmp_path)
    with pytest.raises(ValueError, match="too small"):
        generate(LabConfig(counties=2, townships_per_county=2, address_prefix="127.77.0.0/28"),
                 tmp_path)
