"""Write tests/fixtures/policies/<check_id>/<case>/{snapshot.json, expected_findings.json}.

Run ``.venv/bin/python -m tests.policies.build_fixtures`` after changing a scenario. Every case is
one small network (a city core, a county aggregation router, two township routers) plus one
deliberate fault; its expected findings are written out *here, by hand* -- device, subject and
status of every finding the check must give -- never copied from what the check returns, so
the fixtures are a specification and not a recording.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
TAKEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ANY = "..."


def _iface(name: str, up: bool = True, speed_mbps: int = 1000, index: int = 1) -> dict[str, Any]:
    return {"ifIndex": index, "name": name, "is_up": up, "is_enabled": True, "speed": speed_mbps,
            "speed_bps": speed_mbps * 1_000_000, "mtu": 1500, "description": ""}


ADDR = {  # device -> [(ifname, address/len)]
    "city-core": [("Gi0/1", "10.0.0.1/30"), ("Lo0", "10.255.0.1/32")],
    "k1-agg": [("Gi0/0", "10.0.0.2/30"), ("Gi0/1", "10.1.0.1/30"), ("Gi0/2", "10.1.0.5/30"),
               ("Lo0", "10.255.1.1/32")],
    "t1-acc": [("Gi0/0", "10.1.0.2/30"), ("Vlan10", "10.1.1.1/24"), ("Lo0", "10.255.2.1/32")],
    "t2-acc": [("Gi0/0", "10.1.0.6/30"), ("Vlan10", "10.1.2.1/24"), ("Lo0", "10.255.2.2/32")],
}
LINKS = [
    {"a_device": "city-core", "a_interface": "Gi0/1", "b_device": "k1-agg", "b_interface": "Gi0/0",
     "tier": "county", "bandwidth_mbps": 1000},
    {"a_device": "k1-agg", "a_interface": "Gi0/1", "b_device": "t1-acc", "b_interface": "Gi0/0",
     "tier": "township", "bandwidth_mbps": 100},
    {"a_device": "k1-agg", "a_interface": "Gi0/2", "b_device": "t2-acc", "b_interface": "Gi0/0",
     "tier": "township", "bandwidth_mbps": 100},
]
LINK_SUBJECTS = {"city-core": "Gi0/1 <-> k1-agg:Gi0/0", "k1-agg#1": "Gi0/1 <-> t1-acc:Gi0/0",
                 "k1-agg#2": "Gi0/2 <-> t2-acc:Gi0/0"}
DEVICES = ["city-core", "k1-agg", "t1-acc", "t2-acc"]


def base() -> dict[str, Any]:
    """The clean network: every check passes on it."""
    import dataclasses

    from nms.config import Thresholds

    sites = {
        "C": {"name": "市中心", "level": "city", "parent": None},
        "K1": {"name": "一县", "level": "county", "parent": "C"},
        "T1": {"name": "一镇", "level": "township", "parent": "K1"},
        "T2": {"name": "二镇", "level": "township", "parent": "K1"},
    }
    mgmt = {"city-core": "10.255.0.1", "k1-agg": "10.255.1.1", "t1-acc": "10.255.2.1",
            "t2-acc": "10.255.2.2"}
    site_of = {"city-core": "C", "k1-agg": "K1", "t1-acc": "T1", "t2-acc": "T2"}
    devices = {}
    for name in DEVICES:
        ifaces = [_iface(ifname, index=i + 1) for i, (ifname, _a) in enumerate(ADDR[name])]
        devices[name] = {
            "device": {"name": name, "address": mgmt[name], "role": "router", "vendor": "huawei",
                       "platform": "huawei_vrp", "site": site_of[name], "zone": "extranet"},
            "state": {
                "interfaces": ifaces,
                "addresses": [{"ifIndex": i + 1, "address": a.split("/")[0],
                               "prefix_length": int(a.split("/")[1]), "family": "ipv4"}
                              for i, (_n, a) in enumerate(ADDR[name])],
                "processors": [{"index": "1", "descr": "MPU 0 Processor", "usage_percent": 23}],
                "mempools": [{"index": "1", "descr": "MPU 0 Memory", "used_percent": 41.5}],
                "temperatures": [{"index": "1", "descr": "MPU 0", "celsius": 44}],
            },
        }
    blocks = [
        {"prefix": "10.255.0.0/16", "site": "C", "zone": "management", "purpose": "management",
         "allowed_prefix_lengths": [32, 24], "gateway": None, "unit": None},
        {"prefix": "10.0.0.0/24", "site": "C", "zone": "extranet", "purpose": "interconnect",
         "allowed_prefix_lengths": [30, 31], "gateway": None, "unit": None},
        {"prefix": "10.1.0.0/24", "site": "K1", "zone": "extranet", "purpose": "interconnect",
         "allowed_prefix_lengths": [30, 31], "gateway": None, "unit": None},
        {"prefix": "10.1.1.0/24", "site": "T1", "zone": "extranet", "purpose": "service",
         "allowed_prefix_lengths": [24, 25, 26], "gateway": "first", "unit": "一镇政务服务中心"},
        {"prefix": "10.1.2.0/24", "site": "T2", "zone": "extranet", "purpose": "service",
         "allowed_prefix_lengths": [24, 25, 26], "gateway": "first", "unit": "二镇政务服务中心"},
        {"prefix": "172.16.0.0/16", "site": "C", "zone": "intranet", "purpose": "service",
         "allowed_prefix_lengths": [24], "gateway": "first", "unit": None},
    ]
    thresholds = dataclasses.asdict(Thresholds())
    return {"taken": TAKEN.isoformat(), "params": {"thresholds": thresholds}, "sites": sites,
            "devices": devices, "interfaces": [], "links": copy.deepcopy(LINKS), "ip_blocks": blocks,
            "samples": []}


def set_addr(snap: dict[str, Any], device: str, ifname: str, address: str) -> None:
    """Replace (or add) the address of ``device``'s interface ``ifname``."""
    state = snap["devices"][device]["state"]
    index = next(i["ifIndex"] for i in state["interfaces"] if i["name"] == ifname)
    state["addresses"] = [a for a in state["addresses"] if a["ifIndex"] != index]
    ip, plen = address.split("/")
    state["addresses"].append({"ifIndex": index, "address": ip, "prefix_length": int(plen),
                               "family": "ipv4"})


def add_iface(snap: dict[str, Any], device: str, ifname: str, address: str) -> None:
    """Give ``device`` a new interface holding ``address``."""
    state = snap["devices"][device]["state"]
    index = max(i["ifIndex"] for i in state["interfaces"]) + 1
    state["interfaces"].append(_iface(ifname, index=index))
    set_addr(snap, device, ifname, address)


def subj(ifname: str, address: str) -> str:
    return f"{ifname} {address}"


def f(check: str, device: str, subject: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"check_id": check, "device": device, "subject": subject, "status": status, **extra}


# ---- samples ---------------------------------------------------------------------------------

def if_samples(device: str, ifname: str, *, mbps: float = 10.0, speed_mbps: int = 1000, points: int = 13,
               step_s: int = 300, errors_per_s: float = 0.0, discards_per_s: float = 0.0,
               oper: list[str] | None = None, burst: dict[int, float] | None = None) -> list[dict[str, Any]]:
    """``interface`` samples ending at TAKEN: a steady rate (``burst``: interval -> Mbit/s)."""
    out = []
    octets = errors = discards = 0
    ticks = 1000
    start = TAKEN - timedelta(seconds=step_s * (points - 1))
    for i in range(points):
        if i:
            rate = (burst or {}).get(i, mbps)
            octets += int(rate * 1e6 / 8 * step_s)
            errors += int(errors_per_s * step_s)
            discards += int(discards_per_s * step_s)
        status = (oper or [])[i] if oper and i < len(oper) else "up"
        if oper and i and oper[i] != oper[i - 1]:
            ticks += 100
        out.append({"measurement": "interface", "tags": {"device": device, "ifname": ifname},
                    "time": (start + timedelta(seconds=step_s * i)).isoformat(),
                    "fields": {"in_octets": octets, "out_octets": octets // 2, "in_errors": errors,
                               "out_errors": 0, "in_discards": discards, "out_discards": 0,
                               "counter_bits": 64, "oper_status": status,
                               "speed_bps": speed_mbps * 1_000_000, "last_change_ticks": ticks}})
    return out


def all_if_samples(**overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """Clean samples on both ends of every link; ``overrides[device:ifname]`` changes one end."""
    out = []
    for link in LINKS:
        for d, i in ((link["a_device"], link["a_interface"]), (link["b_device"], link["b_interface"])):
            kw = overrides.get(f"{d}:{i}", {})
            out += if_samples(d, i, **kw)
    return out


def probe_samples(loss: dict[str, float] | None = None, rtt: dict[str, float] | None = None,
                  points: int = 6) -> list[dict[str, Any]]:
    out = []
    for target in ("k1-agg", "t1-acc", "t2-acc"):
        for i in range(points):
            out.append({"measurement": "probe", "tags": {"device": target, "kind": "device", "method": "icmp"},
                        "time": (TAKEN - timedelta(minutes=5 * i)).isoformat(),
                        "fields": {"loss_percent": (loss or {}).get(target, 0.0),
                                   "rtt_avg_ms": (rtt or {}).get(target, 4.0)}})
    return out


def poll_samples(down_fraction: dict[str, float] | None = None, days: int = 30,
                 step_s: int = 3600) -> list[dict[str, Any]]:
    out = []
    n = days * 86400 // step_s
    for dev in DEVICES:
        down = int(n * (down_fraction or {}).get(dev, 0.0))
        for i in range(n):
            out.append({"measurement": "poll_status", "tags": {"device": dev, "collector": "snmp"},
                        "time": (TAKEN - timedelta(seconds=step_s * (i + 1))).isoformat(),
                        "fields": {"reachable": i >= down, "status": "ok" if i >= down else "timeout"}})
    return out


# ---- cases -----------------------------------------------------------------------------------

Case = tuple[str, str, Callable[[dict[str, Any]], None], list[dict[str, Any]]]
CASES: list[Case] = []


def case(check: str, name: str, expected: list[dict[str, Any]]) -> Callable[[Callable[..., None]], None]:
    def register(mutate: Callable[[dict[str, Any]], None]) -> None:
        CASES.append((check, name, mutate, expected))
    return register


def all_addresses(check: str, status: str = "PASS", skip: Callable[[str, str, str], bool] = lambda *a: False,
                  ) -> list[dict[str, Any]]:
    return [f(check, d, subj(i, a), status) for d in DEVICES for i, a in ADDR[d] if not skip(d, i, a)]


def per_device(check: str, status: str = "PASS", devices: list[str] = DEVICES) -> list[dict[str, Any]]:
    return [f(check, d, "", status) for d in devices]


def noop(snap: dict[str, Any]) -> None:
    """The clean network."""


# IPPLAN-001: address inside its site's block
case("IPPLAN-001", "normal", all_addresses("IPPLAN-001"))(noop)


@case("IPPLAN-001", "other_township_block", [
    *all_addresses("IPPLAN-001", skip=lambda d, i, a: (d, i) == ("t1-acc", "Vlan10")),
    f("IPPLAN-001", "t1-acc", subj("Vlan10", "10.1.2.65/26"), "FAIL",
      observed={"address": "10.1.2.65/26", "block": "10.1.2.0/24", "block_site": "T2"})])
def _(snap: dict[str, Any]) -> None:
    set_addr(snap, "t1-acc", "Vlan10", "10.1.2.65/26")  # T2's service block on a T1 router


# IPPLAN-002: prefix length allowed
case("IPPLAN-002", "normal", all_addresses("IPPLAN-002", skip=lambda d, i, a: i == "Lo0"))(noop)


@case("IPPLAN-002", "wrong_mask", [
    *all_addresses("IPPLAN-002", skip=lambda d, i, a: i == "Lo0" or (d, i) == ("t2-acc", "Vlan10")),
    f("IPPLAN-002", "t2-acc", subj("Vlan10", "10.1.2.1/28"), "FAIL", observed=28,
      expected={"in": [24, 25, 26]})])
def _(snap: dict[str, Any]) -> None:
    set_addr(snap, "t2-acc", "Vlan10", "10.1.2.1/28")


# IPPLAN-003: duplicates
case("IPPLAN-003", "normal", per_device("IPPLAN-003"))(noop)


@case("IPPLAN-003", "duplicate_gateway", [
    *per_device("IPPLAN-003", devices=["city-core", "k1-agg"]),
    f("IPPLAN-003", "t1-acc", "10.1.1.1", "FAIL"), f("IPPLAN-003", "t2-acc", "10.1.1.1", "FAIL")])
def _(snap: dict[str, Any]) -> None:
    set_addr(snap, "t2-acc", "Vlan10", "10.1.1.1/24")


# IPPLAN-004: overlapping subnets
case("IPPLAN-004", "normal", per_device("IPPLAN-004"))(noop)


@case("IPPLAN-004", "overlap", [
    *per_device("IPPLAN-004", devices=["city-core", "k1-agg", "t2-acc"]),
    f("IPPLAN-004", "t1-acc", subj("Vlan10", "10.1.1.1/24"), "FAIL"),
    f("IPPLAN-004", "t1-acc", subj("Vlan20", "10.1.1.129/25"), "FAIL")])
def _(snap: dict[str, Any]) -> None:
    add_iface(snap, "t1-acc", "Vlan20", "10.1.1.129/25")


@case("IPPLAN-004", "p2p_shared_by_three", [
    *per_device("IPPLAN-004", devices=["city-core", "t2-acc"]),
    f("IPPLAN-004", "k1-agg", subj("Gi0/1", "10.1.0.1/30"), "FAIL"),
    f("IPPLAN-004", "t1-acc", subj("Gi0/0", "10.1.0.2/30"), "FAIL"),
    f("IPPLAN-004", "k1-agg", subj("Gi0/3", "10.1.0.3/30"), "FAIL")])
def _(snap: dict[str, Any]) -> None:
    add_iface(snap, "k1-agg", "Gi0/3", "10.1.0.3/30")


# IPPLAN-005: unplanned subnets
case("IPPLAN-005", "normal", per_device("IPPLAN-005"))(noop)


@case("IPPLAN-005", "unplanned", [
    *per_device("IPPLAN-005", devices=["city-core", "k1-agg", "t2-acc"]),
    f("IPPLAN-005", "t1-acc", subj("Vlan99", "192.0.2.1/24"), "FAIL", observed="192.0.2.0/24")])
def _(snap: dict[str, Any]) -> None:
    add_iface(snap, "t1-acc", "Vlan99", "192.0.2.1/24")


@case("IPPLAN-005", "no_address_data", [
    *per_device("IPPLAN-005", devices=["city-core", "k1-agg", "t2-acc"]),
    f("IPPLAN-005", "t1-acc", "", "NEEDS_REVIEW")])
def _(snap: dict[str, Any]) -> None:
    del snap["devices"]["t1-acc"]["state"]["addresses"]


# IPPLAN-006: management address
case("IPPLAN-006", "normal", per_device("IPPLAN-006"))(noop)


@case("IPPLAN-006", "mgmt_outside", [
    *per_device("IPPLAN-006", devices=["city-core", "k1-agg", "t1-acc"]),
    f("IPPLAN-006", "t2-acc", "", "FAIL", observed="10.1.2.1")])
def _(snap: dict[str, Any]) -> None:
    snap["devices"]["t2-acc"]["device"]["address"] = "10.1.2.1"


@case("IPPLAN-006", "no_mgmt_block", per_device("IPPLAN-006", "NOT_APPLICABLE"))
def _(snap: dict[str, Any]) -> None:
    snap["ip_blocks"] = [b for b in snap["ip_blocks"] if b["purpose"] != "management"]


# IPPLAN-007: extranet device with intranet space
case("IPPLAN-007", "normal", per_device("IPPLAN-007"))(noop)


@case("IPPLAN-007", "intranet_on_extranet", [
    *per_device("IPPLAN-007", devices=["city-core", "k1-agg", "t1-acc"]),
    f("IPPLAN-007", "t2-acc", subj("Vlan30", "172.16.5.1/24"), "FAIL")])
def _(snap: dict[str, Any]) -> None:
    add_iface(snap, "t2-acc", "Vlan30", "172.16.5.1/24")


# IPPLAN-008: gateway convention
case("IPPLAN-008", "normal", [
    *per_device("IPPLAN-008", "NOT_APPLICABLE", devices=["city-core", "k1-agg"]),
    f("IPPLAN-008", "t1-acc", subj("Vlan10", "10.1.1.1/24"), "PASS"),
    f("IPPLAN-008", "t2-acc", subj("Vlan10", "10.1.2.1/24"), "PASS")])(noop)


@case("IPPLAN-008", "gateway_last", [
    *per_device("IPPLAN-008", "NOT_APPLICABLE", devices=["city-core", "k1-agg"]),
    f("IPPLAN-008", "t1-acc", subj("Vlan10", "10.1.1.254/24"), "FAIL", observed="10.1.1.254",
      expected="10.1.1.1"),
    f("IPPLAN-008", "t2-acc", subj("Vlan10", "10.1.2.1/24"), "PASS")])
def _(snap: dict[str, Any]) -> None:
    set_addr(snap, "t1-acc", "Vlan10", "10.1.1.254/24")


# IPPLAN-009: mask mismatch across a link
LINK9 = [f("IPPLAN-009", "city-core", LINK_SUBJECTS["city-core"], "PASS"),
         f("IPPLAN-009", "k1-agg", LINK_SUBJECTS["k1-agg#1"], "PASS"),
         f("IPPLAN-009", "k1-agg", LINK_SUBJECTS["k1-agg#2"], "PASS")]
case("IPPLAN-009", "normal", LINK9)(noop)


@case("IPPLAN-009", "mask_mismatch", [LINK9[0], LINK9[1],
                                     f("IPPLAN-009", "k1-agg", LINK_SUBJECTS["k1-agg#2"], "FAIL")])
def _(snap: dict[str, Any]) -> None:
    set_addr(snap, "t2-acc", "Gi0/0", "10.1.0.6/31")


def _one_end_l2(snap: dict[str, Any]) -> None:
    state = snap["devices"]["t2-acc"]["state"]
    state["addresses"] = [a for a in state["addresses"] if a["ifIndex"] != 1]  # Gi0/0 a switch port


case("IPPLAN-009", "one_end_layer2", [LINK9[0], LINK9[1],
                                      f("IPPLAN-009", "k1-agg", LINK_SUBJECTS["k1-agg#2"], "NOT_APPLICABLE")])(
    _one_end_l2)


@case("IPPLAN-006", "local_endpoint", [*per_device("IPPLAN-006", devices=["city-core", "k1-agg", "t1-acc"]),
                                       f("IPPLAN-006", "t2-acc", "", "NOT_APPLICABLE")])
def _(snap: dict[str, Any]) -> None:
    snap["devices"]["t2-acc"]["device"]["address"] = "127.77.0.4"  # served by the simulator


@case("IPPLAN-008", "interconnect_not_judged", [
    *per_device("IPPLAN-008", "NOT_APPLICABLE", devices=["city-core", "k1-agg"]),
    f("IPPLAN-008", "t1-acc", subj("Vlan10", "10.1.1.1/24"), "PASS"),
    f("IPPLAN-008", "t2-acc", subj("Vlan10", "10.1.2.1/24"), "PASS")])
def _(snap: dict[str, Any]) -> None:
    for block in snap["ip_blocks"]:
        if block["purpose"] == "interconnect":
            block["gateway"] = "first"  # as nms lab writes it: /30 ends are not host gateways


# IPPLAN-010: block utilisation
BLOCKS = ["10.0.0.0/24", "10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24", "10.255.0.0/16", "172.16.0.0/16"]
def _util_normal(snap: dict[str, Any]) -> None:
    set_addr(snap, "t1-acc", "Vlan10", "10.1.1.1/26")  # a quarter of T1's block


def _util_full(snap: dict[str, Any]) -> None:
    set_addr(snap, "t1-acc", "Vlan10", "10.1.1.1/25")  # T1's block carved to the last address
    add_iface(snap, "t1-acc", "Vlan11", "10.1.1.129/26")
    add_iface(snap, "t1-acc", "Vlan12", "10.1.1.193/26")
    set_addr(snap, "t2-acc", "Vlan10", "10.1.2.1/24")  # T2's block is one LAN: not judged


def _util_quarter(snap: dict[str, Any]) -> None:
    _util_normal(snap)
    set_addr(snap, "t2-acc", "Vlan10", "10.1.2.1/26")


CASES.append(("IPPLAN-010", "normal", _util_quarter, [f("IPPLAN-010", "", b, "PASS") for b in BLOCKS]))
CASES.append(("IPPLAN-010", "block_full", _util_full,
              [*[f("IPPLAN-010", "", b, "PASS") for b in BLOCKS if b not in ("10.1.1.0/24", "10.1.2.0/24")],
               f("IPPLAN-010", "", "10.1.1.0/24", "FAIL", observed=100.0),
               f("IPPLAN-010", "", "10.1.2.0/24", "NOT_APPLICABLE")]))


# ---- link health -------------------------------------------------------------------------------

def links(check: str, status: str = "PASS", **per: str) -> list[dict[str, Any]]:
    """One finding per link; ``per`` maps a LINK_SUBJECTS key to another status."""
    devices = {"city-core": "city-core", "k1-agg#1": "k1-agg", "k1-agg#2": "k1-agg"}
    return [f(check, devices[k], s, per.get(k.replace("#", "_").replace("-", "_"), status)) for k, s in LINK_SUBJECTS.items()]


def with_samples(samples: Callable[[], list[dict[str, Any]]]) -> Callable[[dict[str, Any]], None]:
    def mutate(snap: dict[str, Any]) -> None:
        snap["samples"] = samples()
    return mutate


for check in ("LINK-001", "LINK-002", "LINK-003", "LINK-004", "LINK-005"):
    CASES.append((check, "normal", with_samples(all_if_samples), links(check)))
    CASES.append((check, "no_samples", noop, links(check, "NEEDS_REVIEW")))

CASES.append(("LINK-001", "congested_township", with_samples(lambda: all_if_samples(
    **{"k1-agg:Gi0/1": {"mbps": 95.0}})), links("LINK-001", k1_agg_1="FAIL")))
# 10 of 12 intervals at 10 Mbit/s, two at 99: mean 24.8 % passes; p95 (nearest rank: the 11th
# of 12 sorted values) is 99 % and fails
CASES.append(("LINK-001", "one_burst", with_samples(lambda: all_if_samples(
    **{"k1-agg:Gi0/2": {"burst": {5: 99.0, 9: 99.0}}})), links("LINK-001")))
CASES.append(("LINK-002", "one_burst", with_samples(lambda: all_if_samples(
    **{"k1-agg:Gi0/2": {"burst": {5: 99.0, 9: 99.0}}})), links("LINK-002", k1_agg_2="FAIL")))
CASES.append(("LINK-003", "crc_errors", with_samples(lambda: all_if_samples(
    **{"t1-acc:Gi0/0": {"errors_per_s": 5.0}})), links("LINK-003", k1_agg_1="FAIL")))
CASES.append(("LINK-004", "discards", with_samples(lambda: all_if_samples(
    **{"city-core:Gi0/1": {"discards_per_s": 50.0}})), links("LINK-004", city_core="FAIL")))
FLAP = ["up", "up", "up", "up", "up", "up", "up", "down", "up", "down", "up", "down", "up"]
CASES.append(("LINK-005", "flapping", with_samples(lambda: all_if_samples(
    **{"t2-acc:Gi0/0": {"step_s": 60, "oper": FLAP}})), links("LINK-005", k1_agg_2="FAIL")))


def _down(snap: dict[str, Any]) -> None:
    for i in snap["devices"]["t1-acc"]["state"]["interfaces"]:
        if i["name"] == "Gi0/0":
            i["is_up"] = False


CASES.append(("LINK-006", "normal", noop, links("LINK-006")))
CASES.append(("LINK-006", "uplink_down", _down, links("LINK-006", k1_agg_1="FAIL")))


def _no_state_down_sample(snap: dict[str, Any]) -> None:
    for d in ("k1-agg", "t2-acc"):
        del snap["devices"][d]["state"]["interfaces"]
    snap["samples"] = all_if_samples(**{"t2-acc:Gi0/0": {"oper": ["up"] * 12 + ["down"]}})


CASES.append(("LINK-006", "down_in_samples_only", _no_state_down_sample,
              [f("LINK-006", "city-core", LINK_SUBJECTS["city-core"], "PASS"),
               f("LINK-006", "k1-agg", LINK_SUBJECTS["k1-agg#1"], "PASS"),
               f("LINK-006", "k1-agg", LINK_SUBJECTS["k1-agg#2"], "FAIL")]))

CASES.append(("LINK-007", "normal", with_samples(probe_samples), links("LINK-007")))
CASES.append(("LINK-007", "township_loss", with_samples(lambda: probe_samples(loss={"t1-acc": 5.0})),
              links("LINK-007", k1_agg_1="FAIL")))
CASES.append(("LINK-007", "no_samples", noop, links("LINK-007", "NEEDS_REVIEW")))
CASES.append(("LINK-008", "normal", with_samples(probe_samples), links("LINK-008")))
# 25 ms: within the county SLA (30 ms) for k1-agg, over nothing; 60 ms to t2 breaks township 50 ms
CASES.append(("LINK-008", "slow_township", with_samples(lambda: probe_samples(rtt={"k1-agg": 25.0,
                                                                                   "t2-acc": 60.0})),
              links("LINK-008", k1_agg_2="FAIL")))
CASES.append(("LINK-009", "normal", with_samples(poll_samples), per_device("LINK-009")))
CASES.append(("LINK-009", "township_outage", with_samples(lambda: poll_samples({"t2-acc": 0.02})),
              [*per_device("LINK-009", devices=["city-core", "k1-agg", "t1-acc"]),
               f("LINK-009", "t2-acc", "", "FAIL")]))
CASES.append(("LINK-009", "no_samples", noop, per_device("LINK-009", "NEEDS_REVIEW")))


# ---- device health pack --------------------------------------------------------------------------

HEALTH = {"HEALTH-001": ("processors", "usage_percent", "MPU 0 Processor", 97),
          "HEALTH-002": ("mempools", "used_percent", "MPU 0 Memory", 92.5),
          "HEALTH-003": ("temperatures", "celsius", "MPU 0", 78)}
for check, (key, field_name, descr, bad) in HEALTH.items():
    CASES.append((check, "normal", noop, [f(check, d, descr, "PASS") for d in DEVICES]))

    def _hot(snap: dict[str, Any], key: str = key, field_name: str = field_name, bad: Any = bad) -> None:
        snap["devices"]["k1-agg"]["state"][key][0][field_name] = bad

    CASES.append((check, "over_threshold", _hot,
                  [f(check, d, descr, "FAIL" if d == "k1-agg" else "PASS") for d in DEVICES]))

    def _missing(snap: dict[str, Any], key: str = key) -> None:
        del snap["devices"]["t1-acc"]["state"][key]
        snap["devices"]["t2-acc"]["state"][key] = []

    CASES.append((check, "missing_data", _missing,
                  [f(check, "city-core", descr, "PASS"), f(check, "k1-agg", descr, "PASS"),
                   f(check, "t1-acc", "", "NEEDS_REVIEW"), f(check, "t2-acc", "", "NOT_APPLICABLE")]))


def main() -> None:
    """Rewrite every case folder."""
    for check in sorted({c for c, *_rest in CASES}):  # only the folders of these checks
        if (OUT / check).exists():
            shutil.rmtree(OUT / check)
    for check, name, mutate, expected in CASES:
        snap = base()
        mutate(snap)
        folder = OUT / check / name
        folder.mkdir(parents=True)
        (folder / "snapshot.json").write_text(json.dumps(snap, ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")
        (folder / "expected_findings.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases under {OUT}")


if __name__ == "__main__":
    main()
