"""Link discovery from LLDP rows and /30-/31 subnets, across vendor quirks (nms.topology.discovery)."""

from __future__ import annotations

from typing import Any

from nms.topology.discovery import DiscoveredLink, build_views, discover_links
from tests.topology.helpers import addr, device, iface, nbr


def links_of(state: dict[str, Any], devices: list[str] | None = None,
             subnets: bool = True) -> list[DiscoveredLink]:
    names = devices if devices is not None else list(state)
    return discover_links(build_views([{"name": n} for n in names], state), use_subnets=subnets)


def ends(link: DiscoveredLink) -> frozenset[tuple[str, str | None]]:
    return frozenset({(link.a.device, link.a.port), (link.b.device, link.b.port)})


def test_abbreviated_port_and_fqdn_sysname() -> None:
    state = {
        "a": device("a", [iface(1, "GigabitEthernet0/0/1")],
                    lldp=[nbr(1, port="Gi0/2", sysname="b.zwww.gov.cn", chassis="02:aa:00:00:00:01")]),
        "b": device("b", [iface(1, "Gi0/1", descr="GigabitEthernet0/1"),
                          iface(2, "Gi0/2", descr="GigabitEthernet0/2")]),
    }
    (link,) = links_of(state)
    assert ends(link) == {("a", "GigabitEthernet0/0/1"), ("b", "Gi0/2")}
    assert "sysname" in link.matched_by and "port_name" in link.matched_by
    assert not link.confirmed  # only one side speaks LLDP here


def test_ruijie_spaced_names_match_abbreviation() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")], lldp=[nbr(1, port="Gi0/3", sysname="rj")]),
        "rj": device("rj", [iface(3, "GigabitEthernet 0/3"), iface(4, "GigabitEthernet 0/30")]),
    }
    (link,) = links_of(state)
    assert link.b.port == "GigabitEthernet 0/3"


def test_identity_by_chassis_mac_when_sysname_is_anonymised() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")],
                    lldp=[nbr(1, port="Ethernet1/49", sysname="<private>",
                              chassis="18:E7:28:92:28:78")]),
        "nx": device("nx-core", [iface(436404224, "Ethernet1/49", mac="18e728922878")]),
    }
    (link,) = links_of(state)
    assert link.b.device == "nx" and link.b.ifindex == 436404224
    assert link.matched_by[0] == "chassis_mac"


def test_identity_by_management_address() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")],
                    lldp=[nbr(1, port="xe-0/0/1", sysname="lab-er2", chassis=None, csub=None,
                              mgmt="10.99.204.52")]),
        "er2": device("er-two", [iface(5, "xe-0/0/1"), iface(6, "lo0")],
                      [addr(6, "10.99.204.52", 32)]),
    }
    (link,) = links_of(state)
    assert link.b.device == "er2" and "mgmt_address" in link.matched_by


def test_identity_by_chassis_network_address_and_uppercase_name() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")],
                    lldp=[nbr(1, port="1003", psub="local", desc="gei-0/1/0/3",
                              chassis="198.18.0.9", csub="networkAddress", sysname="ZTE-T1")]),
        "zte-t1": device("ZTE-T1", [iface(1003, "gei-0/1/0/3")], [addr(1003, "198.18.0.9", 32)]),
    }
    (link,) = links_of(state)
    assert link.b.port == "gei-0/1/0/3"
    assert {"chassis_address", "sysname"} <= set(link.matched_by)


def test_shared_mac_does_not_vote() -> None:
    """A MAC on two devices (VRRP, a default MAC) proves nothing; the name decides."""
    shared = "00005e000101"
    state = {
        "a": device("a", [iface(1, "eth1")],
                    lldp=[nbr(1, port="eth1", sysname="c", chassis="00:00:5e:00:01:01")]),
        "b": device("b", [iface(1, "eth1", mac=shared)]),
        "c": device("c", [iface(1, "eth1", mac=shared)]),
    }
    (link,) = links_of(state)
    assert link.b.device == "c" and link.matched_by[0] == "sysname"


def test_port_mac_shared_by_all_ports_uses_description() -> None:
    mac = "488eef716160"
    state = {
        "a": device("a", [iface(1, "eth1")],
                    lldp=[nbr(1, port="48:8e:ef:71:61:60", psub="macAddress", sysname="vrp",
                              desc="GigabitEthernet0/0/3 Interface")]),
        "vrp": device("vrp", [iface(i, f"GigabitEthernet0/0/{i}",
                                    descr=f"GigabitEthernet0/0/{i} Interface", mac=mac)
                              for i in range(1, 5)]),
    }
    (link,) = links_of(state)
    assert link.b.ifindex == 3 and "port_mac+description" in link.matched_by


def test_port_mac_unique() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")],
                    lldp=[nbr(1, port="02:00:00:00:00:07", psub=3, sysname="srv", csub=4,
                              chassis="02:00:00:00:00:07")]),
        "srv": device("srv", [iface(7, "eth0", mac="020000000007"), iface(8, "eth1")]),
    }
    (link,) = links_of(state)
    assert link.b.port == "eth0" and "port_mac" in link.matched_by


def test_junos_local_port_id_is_an_ifindex_with_name_in_description() -> None:
    state = {
        "mx": device("mx", [iface(526, "ge-1/1/0")],
                     lldp=[nbr(526, port="612", psub="local", desc="ge-0/1/2", sysname="lab-s1",
                               chassis="18:2a:d3:84:c2:47")]),
        "s1": device("lab-s1", [iface(612, "ge-0/1/2"), iface(613, "ge-0/1/2.0")]),
    }
    (link,) = links_of(state)
    assert link.b.ifindex == 612 and link.b.port == "ge-0/1/2"


def test_local_port_id_number_only() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")], lldp=[nbr(1, port="612", psub="local", sysname="s1")]),
        "s1": device("s1", [iface(612, "ge-0/1/2")]),
    }
    (link,) = links_of(state)
    assert link.b.ifindex == 612 and "port_ifindex" in link.matched_by


def test_interface_alias_and_network_address_subtypes() -> None:
    state = {
        "a": device("a", [iface(1, "eth1"), iface(2, "eth2")],
                    lldp=[nbr(1, port="uplink to a", psub="interfaceAlias", sysname="b"),
                          nbr(2, port="198.18.0.6", psub="networkAddress", sysname="b")]),
        "b": device("b", [iface(1, "Gi0/1", alias="uplink to a"), iface(2, "Gi0/2")],
                    [addr(2, "198.18.0.6", 30)]),
    }
    found = {ends(lk) for lk in links_of(state, subnets=False)}
    assert found == {frozenset({("a", "eth1"), ("b", "Gi0/1")}),
                     frozenset({("a", "eth2"), ("b", "Gi0/2")})}


def test_both_halves_merge_into_one_confirmed_link() -> None:
    state = {
        "a": device("a", [iface(1, "eth1")], lldp=[nbr(1, port="eth9", sysname="b")]),
        "b": device("b", [iface(9, "eth9")], lldp=[nbr(9, port="eth1", sysname="a")]),
    }
    (link,) = links_of(state)
    assert link.confirmed and ends(link) == {("a", "eth1"), ("b", "eth9")}


def test_far_port_filled_from_the_other_ends_table() -> None:
    state = {  # a cannot name b's port ("x99" is nothing on b), but b knows its own port
        "a": device("a", [iface(1, "eth1")], lldp=[nbr(1, port="x99", psub="local", sysname="b")]),
        "b": device("b", [iface(9, "eth9")], lldp=[nbr(9, port="eth1", sysname="a")]),
    }
    (link,) = links_of(state)
    assert link.confirmed and ends(link) == {("a", "eth1"), ("b", "eth9")}


def test_parallel_links_with_unknown_far_ports_are_not_doubled() -> None:
    state = {
        "a": device("a", [iface(1, "eth1"), iface(2, "eth2")],
                    lldp=[nbr(1, port="?1", psub="local", sysname="b"),
                          nbr(2, port="?2", psub="local", sysname="b")]),
        "b": device("b", [iface(8, "eth8"), iface(9, "eth9")],
                    lldp=[nbr(8, port="?8", psub="local", sysname="a"),
                          nbr(9, port="?9", psub="local", sysname="a")]),
    }
    links = links_of(state)
    assert len(links) == 2
    assert {lk.a.device for lk in links} == {"a"}


def test_unmanaged_neighbour_becomes_an_lldp_node() -> None:
    state = {"a": device("a", [iface(1, "eth1")],
                         lldp=[nbr(1, port="Port 1", sysname="ip-phone-7", chassis="02:99:00:00:00:01")])}
    (link,) = links_of(state)
    assert not link.managed and link.b.device == "lldp:ip-phone-7" and link.b.port == "Port 1"


def test_own_frames_looped_back_are_ignored() -> None:
    state = {"a": device("a", [iface(1, "eth1"), iface(2, "eth2")],
                         lldp=[nbr(1, port="eth2", sysname="a")])}
    assert links_of(state) == []


def test_subnet_fallback_for_30_and_31() -> None:
    state = {
        "r": device("r", [iface(1, "eth1"), iface(2, "eth2"), iface(3, "eth3")],
                    [addr(1, "198.18.0.1", 30), addr(2, "198.18.0.8", 31),
                     addr(3, "198.18.0.65", 26)]),
        "fw": device("fw", [iface(1, "port1")], [addr(1, "198.18.0.2", 30)]),
        "srv": device("srv", [iface(1, "eth0")], [addr(1, "198.18.0.9", 31)]),
        "pc": device("pc", [iface(1, "eth0")], [addr(1, "198.18.0.66", 26)]),  # a LAN, not p2p
    }
    found = {ends(lk) for lk in links_of(state)}
    assert found == {frozenset({("r", "eth1"), ("fw", "port1")}),
                     frozenset({("r", "eth2"), ("srv", "eth0")})}
    assert all(lk.sources == {"subnet"} for lk in links_of(state))


def test_subnet_seen_on_one_side_only_is_no_link() -> None:
    state = {"r": device("r", [iface(1, "eth1")], [addr(1, "198.18.0.1", 30)])}
    assert links_of(state) == []


def test_subnet_corroborates_lldp_and_never_overrides_it() -> None:
    state = {
        "a": device("a", [iface(1, "eth1"), iface(2, "eth2")],
                    [addr(1, "198.18.0.1", 30), addr(2, "198.18.0.5", 30)],
                    lldp=[nbr(1, port="eth1", sysname="b"), nbr(2, port="eth1", sysname="d")]),
        "b": device("b", [iface(1, "eth1")], [addr(1, "198.18.0.2", 30)]),
        # c claims the other end of a's eth2 subnet, but LLDP saw d on that cable
        "c": device("c", [iface(1, "eth1")], [addr(1, "198.18.0.6", 30)]),
        "d": device("d", [iface(1, "eth1")]),
    }
    links = {ends(lk): lk for lk in links_of(state)}
    assert set(links) == {frozenset({("a", "eth1"), ("b", "eth1")}),
                          frozenset({("a", "eth2"), ("d", "eth1")})}
    assert links[frozenset({("a", "eth1"), ("b", "eth1")})].sources == {"lldp", "subnet"}


def test_napalm_lldp_shape() -> None:
    state = {
        "a": device("a", [iface(1, "GigabitEthernet0/1")],
                    lldp={"GigabitEthernet0/1": [{"hostname": "b.lab", "port": "Te1/0/1"}]}),
        "b": device("b", [iface(5, "TenGigabitEthernet1/0/1")]),
    }
    (link,) = links_of(state)
    assert ends(link) == {("a", "GigabitEthernet0/1"), ("b", "TenGigabitEthernet1/0/1")}


def test_integer_subtypes_and_missing_state() -> None:
    state = {"a": device("a", [iface(1, "eth1")],
                         lldp=[nbr(1, port="eth3", psub=5, sysname="b", csub=4,
                                   chassis="02:bb:00:00:00:01")])}
    # b is in the inventory but was never polled: identity by name, port unknown
    links = discover_links(build_views([{"name": "a"}, {"name": "b"}], state))
    (link,) = links
    assert link.b.device == "b" and link.b.ifindex is None and link.managed
