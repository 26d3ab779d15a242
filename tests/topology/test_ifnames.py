"""Port-name normalization across vendors (nms.topology.ifnames)."""

from __future__ import annotations

import pytest
import yaml

from nms.topology.ifnames import TABLE_FILE, host_key, loose_port_key, mac_key, port_key, same_port

SAME = [
    ("Gi0/1", "GigabitEthernet0/1"),                      # Cisco IOS LLDP vs ifDescr
    ("Gi0/1", "GigabitEthernet 0/1"),                     # Ruijie puts a space in ifName
    ("GE0/0/1", "GigabitEthernet0/0/1"),                  # Huawei display abbreviation
    ("gei-0/1/0/1", "gei_0/1/0/1"),                       # ZTE ZXROS separators
    ("XGE1/0/1", "Ten-GigabitEthernet1/0/1"),             # H3C Comware
    ("XGigabitEthernet0/0/1", "Te0/0/1"),                 # Huawei S vs Cisco abbreviation
    ("10GE1/0/42", "TenGigabitEthernet1/0/42"),           # Huawei CE
    ("TenGigE0/0/0/20", "Te0/0/0/20"),                    # IOS-XR
    ("Eth1/49", "Ethernet1/49"),                          # NX-OS
    ("Po1", "Port-channel1"),
    ("Eth-Trunk1", "eth-trunk 1"),
    ("Vlanif10", "Vlan-interface10"),                     # Huawei vs H3C SVI
    ("MEth0/0/1", "M-GigabitEthernet0/0/1"),              # management ports
    ("Mg 0", "mgmt0"),
    ("FGE1/0/49", "FortyGigE1/0/49"),
    ("HundredGigE0/0/1", "100GE0/0/1"),
]
DIFFERENT = [
    ("GigabitEthernet0/0/1", "GigabitEthernet0/0/10"),
    ("Gi0/1", "Te0/1"),
    ("ge-0/0/1", "ge-0/0/1.100"),                         # a sub-interface is another port
    ("Ethernet0/0/1", "GigabitEthernet0/0/1"),            # VRP AR routers have both
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_port_across_spellings(a: str, b: str) -> None:
    assert same_port(a, b), (port_key(a), port_key(b))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_ports_stay_different(a: str, b: str) -> None:
    assert not same_port(a, b)


def test_loose_key_drops_junos_unit_zero_only() -> None:
    assert loose_port_key("ge-0/0/1.0") == port_key("ge-0/0/1")
    assert loose_port_key("Gi0/1.100") != port_key("Gi0/1")


def test_table_spellings_are_unique() -> None:
    data = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for canonical, spellings in data.items():
        for spelling in spellings:
            assert spelling not in seen, f"{spelling!r} under {seen.get(spelling)} and {canonical}"
            seen[str(spelling)] = canonical


def test_unknown_words_match_only_themselves() -> None:
    assert port_key("xethernet0/1") == "xethernet0/1"
    assert port_key("") == "" and not same_port("", "")


@pytest.mark.parametrize("mac", ["a8:d0:e5:55:c6:d0", "A8-D0-E5-55-C6-D0", "a8d0.e555.c6d0",
                                 "A8D0E555C6D0"])
def test_mac_notations(mac: str) -> None:
    assert mac_key(mac) == "a8d0e555c6d0"


def test_mac_rejects_non_macs() -> None:
    assert mac_key("00:00:00:00:00:00") is None
    assert mac_key("GigabitEthernet0/0/1") is None
    assert mac_key(None) is None


def test_host_key() -> None:
    assert host_key("lab-er100.lab.local") == "lab-er100"
    assert host_key("COUNTY-B") == "county-b"
    assert host_key("10.1.2.3") == "10.1.2.3"
