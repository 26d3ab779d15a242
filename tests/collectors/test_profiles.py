"""Contracts of the data files and the pure parts: profiles, platforms.yaml, detection, decoding,
state builders. No network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from collectors.base import Collector
from collectors.snmp.collector import SnmpCollector
from collectors.snmp.profile import (
    STATE_KEYS,
    Plan,
    available_profiles,
    load_profile,
    parse_profile,
)
from collectors.snmp.state import addresses, lldp_id, mempools, processors
from collectors.snmp.walker import Collected, decode_mac, decode_string
from inventory.detect import detect, load_platforms
from nms.errors import ConfigError
from nms.registry import collectors

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "librenms"


def _columns_in(spec: object) -> set[str]:
    if isinstance(spec, str):
        return {spec}
    if isinstance(spec, list):
        return set().union(*(_columns_in(s) for s in spec)) if spec else set()
    if isinstance(spec, dict) and "column" in spec:
        return {spec["column"]}
    return set()


def test_every_profile_loads_and_names_match() -> None:
    names = available_profiles()
    assert {"system", "if_mib", "ip_mib", "lldp_mib", "entity_mib", "host_resources"} <= set(names)
    for name in names:
        assert load_profile(name).name == name


def test_platform_profiles_exist_and_state_declarations_use_known_columns() -> None:
    known = {c.name for n in available_profiles() for c in load_profile(n).columns()}
    for pid, platform in load_platforms().items():
        plan = Plan.build(list(platform.snmp_profiles))  # raises on a missing profile
        for key in STATE_KEYS:
            for decl in plan.state_decls(key):
                for field in ("usage", "percent", "value", "used", "free", "total", "units",
                              "index_from"):
                    missing = _columns_in(decl.get(field)) - known
                    assert not missing, f"{pid} {key}.{field}: unknown columns {missing}"
                for col in re.findall(r"\{(\w+)(?:@[\w.]+)?\}", str(decl.get("descr", ""))):
                    assert col in known, f"{pid} {key} descr uses unknown column {col}"


def test_profile_validation_errors_name_the_problem() -> None:
    with pytest.raises(ConfigError, match="numeric"):
        parse_profile({"profile": "x", "scalars": {"a": {"oid": "IF-MIB::ifDescr"}}}, "x.yaml")
    with pytest.raises(ConfigError, match="unknown type"):
        parse_profile({"profile": "x", "scalars": {"a": {"oid": "1.3.6", "type": "float"}}}, "x")
    with pytest.raises(ConfigError, match="not under entry"):
        parse_profile({"profile": "x", "tables": {"t": {"entry": "1.3.6.1", "columns": {
            "a": {"oid": "1.3.7.1"}}}}}, "x")


@pytest.mark.parametrize(("oid", "descr", "platform"), [
    ("1.3.6.1.4.1.2011.2.23.291", "S5720-56C-PWR-EI-AC\nHuawei Versatile Routing Platform", "huawei_vrp"),
    ("1.3.6.1.4.1.2011.2.239.1", "Huawei Versatile Routing Platform Software\nVRP (R) software, "
     "Version 8.150 (CE12800 V200R002C50SPC800)", "huawei_vrpv8"),
    ("1.3.6.1.4.1.25506.11.1.172", "H3C Comware Platform Software", "hp_comware"),
    ("1.3.6.1.4.1.4881.1.1.10.1.150", "Ruijie 10G Routing Switch", "ruijie_os"),
    ("1.3.6.1.4.1.3902.3.100.20", "ZXR10 ROS Version V4.08.23", "zte_zxros"),
    ("1.3.6.1.4.1.28557.1.126", "Hillstone Security Appliance SG-6000-E3965", "hillstone_stoneos"),
    ("1.3.6.1.4.1.9.1.634", "Cisco IOS Software, C3560 Software", "cisco_ios"),
    ("1.3.6.1.4.1.9.12.3.1.3.1163", "Cisco NX-OS(tm) nxos.7.0.3", "cisco_nxos"),
    ("1.3.6.1.4.1.2636.1.1.1.2.90", "Juniper Networks, Inc. mx5-t internet router, kernel JUNOS",
     "juniper_junos"),
    ("1.3.6.1.4.1.8072.3.2.10", "Linux web01 6.1.0-18-amd64", "linux"),
    ("1.3.6.1.4.1.311.1.1.3.1.2", "Hardware: Intel64 - Software: Windows Version 6.3", "windows"),
    ("1.3.6.1.4.1.99999.1", "Some appliance", "generic"),
])
def test_detect(oid: str, descr: str, platform: str) -> None:
    assert detect(oid, descr).platform.id == platform


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"LibreNMS corpus not found at {CORPUS}")
def test_detect_every_corpus_device() -> None:
    from tests.collectors.corpus_compare import LIBRENMS_OS

    for path in sorted(CORPUS.glob("*.json")):
        dev = json.loads(path.read_text(encoding="utf-8"))["os"]["discovery"]["devices"][0]
        got = detect(dev["sysObjectID"], dev["sysDescr"]).platform.id
        assert LIBRENMS_OS.get(got) == dev["os"], (path.stem, got)


def test_decode_strings_and_macs() -> None:
    assert decode_string("到县政务中心".encode("gb18030")) == "到县政务中心"
    assert decode_string("上联".encode()) == "上联"
    assert decode_string(b"eth0\x00\x00 ") == "eth0"
    assert decode_mac(b"\x00\x16\x3e\x00\x00\x02") == "00163e000002"
    assert decode_mac(b"58:69:6C:06:82:3B") == "58696c06823b"
    assert decode_mac(b"") is None


def test_addresses_from_both_ip_tables() -> None:
    data = Collected(columns={
        "ipAddressIfIndex": {"1.4.10.0.0.1": 3, "2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1": 3},
        "ipAddressPrefix": {"1.4.10.0.0.1": "1.3.6.1.2.1.4.32.1.5.3.1.4.10.0.0.0.24",
                            "2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1": "0.0"},
        "ipAdEntIfIndex": {"10.0.0.1": 3, "192.0.2.1": 4},
        "ipAdEntNetMask": {"10.0.0.1": "255.255.255.0", "192.0.2.1": "255.255.255.252"},
    })
    assert addresses(data) == [
        {"ifIndex": 3, "address": "10.0.0.1", "prefix_length": 24, "family": 4},
        {"ifIndex": 3, "address": "2001:db8::1", "prefix_length": None, "family": 6},
        {"ifIndex": 4, "address": "192.0.2.1", "prefix_length": 30, "family": 4},
    ]


def test_lldp_ids_by_subtype() -> None:
    assert lldp_id("14a0f8cfaf39", "macAddress") == "14:a0:f8:cf:af:39"
    assert lldp_id("01c6120001", "networkAddress") == "198.18.0.1"
    assert lldp_id("476967616269744574686572", "interfaceName") == "GigabitEther"
    assert lldp_id("00ff10", "local") == "00ff10"


def test_mempool_math_and_processor_filters() -> None:
    plan = Plan.build(["system", "entity_mib", "huawei_entity"])
    data = Collected(columns={
        "entPhysicalName": {"9": "MPU Board 0", "10": "Fan"},
        "hwEntityCpuUsage": {"9": 24, "10": 0},
        "hwEntityMemUsage": {"9": 58, "10": 0},
        "hwEntityMemSize": {"9": 197133632, "10": 0},
        "hwEntityMemSizeMega": {"9": 414, "10": 0},
    })
    assert processors(plan, data) == [{"index": "9", "descr": "MPU Board 0 Processor",
                                       "usage_percent": 24, "source": "hwEntityCpuUsage"}]
    (pool,) = mempools(plan, data)
    assert pool["total_bytes"] == 414 * 1048576  # MiB column preferred over the byte column
    assert pool["used_bytes"] == round(414 * 1048576 * 0.58)
    assert pool["used_percent"] == 58.0


def test_collector_is_registered_and_never_raises() -> None:
    assert collectors.get("snmp") is SnmpCollector
    collector = SnmpCollector()
    assert isinstance(collector, Collector)

    class Dev:  # an inventory Device look-alike pointing at a closed port
        name, address, snmp_port, role, site = "nobody", "127.0.0.1", 9, "router", None

    from nms.config import SnmpAuth, SnmpConfig

    collector = SnmpCollector(SnmpConfig(timeout_s=0.2, retries=0, device_budget_s=2))
    result = collector.collect(Dev(), SnmpAuth(community="x"))
    assert result.status.value in ("timeout", "unreachable") and result.error
    assert result.samples[-1].measurement == "poll_status"
