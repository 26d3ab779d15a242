"""The trap receiver against net-snmp's real ``snmptrap`` (v1, v2c, v3) on 127.0.0.1.

Traps raise and clear alarms through the real ``AlarmManager`` on SQLite; unknown senders and
wrong communities are counted and ignored; malformed datagrams are counted and dropped while
the receiver keeps working.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from collectors.traps.receiver import TrapReceiver, V3User, decode_trap, decoders
from nms.alarms import AlarmManager
from nms.config import AlarmsConfig
from nms.db import make_engine, migrate

pytestmark = pytest.mark.skipif(shutil.which("snmptrap") is None, reason="net-snmp snmptrap not installed")

COMMUNITY = "trap-secret"
ENGINE_ID = "8000000001020304"
V3 = V3User(user="nmstrap", engine_id=ENGINE_ID, auth_protocol="sha", auth_key="authpass123",
            priv_protocol="aes", priv_key="privpass123")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def manager(tmp_path: Path) -> AlarmManager:
    engine = make_engine(f"sqlite:///{tmp_path / 'nms.db'}")
    migrate(engine)
    return AlarmManager(engine, AlarmsConfig(escalate_after_s=0))


@pytest.fixture
def receiver(manager: AlarmManager) -> Iterator[TrapReceiver]:
    names = {("t1-acc", "2"): "GigabitEthernet0/0/1"}
    rx = TrapReceiver(host="127.0.0.1", port=free_port(), communities=[COMMUNITY], v3_users=[V3],
                      sources={"127.0.0.1": "t1-acc"}, on_events=manager.process_events,
                      if_name=lambda d, i: names.get((d, i)))
    rx.start()
    yield rx
    rx.stop()


def snmptrap(rx: TrapReceiver, *args: str, version: str = "2c", client: str | None = None) -> None:
    cmd = ["snmptrap", "-m", "", "-M", "/nonexistent", "-r", "0", "-t", "1"]
    if client:
        cmd.append(f"--clientaddr={client}")
    if version == "3":
        cmd += ["-v", "3", "-e", ENGINE_ID, "-u", V3.user, "-l", "authPriv", "-a", "SHA", "-A",
                str(V3.auth_key), "-x", "AES", "-X", str(V3.priv_key)]
    else:
        cmd += ["-v", version, "-c", COMMUNITY]
    subprocess.run([*cmd, f"127.0.0.1:{rx.port}", *args], check=True, capture_output=True, timeout=10)


def wait(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


LINK_DOWN = ["", "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.2", "i", "2",
             "1.3.6.1.2.1.2.2.1.7.2", "i", "1", "1.3.6.1.2.1.2.2.1.8.2", "i", "2"]
LINK_UP = ["", "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.2.1.2.2.1.1.2", "i", "2",
           "1.3.6.1.2.1.2.2.1.7.2", "i", "1", "1.3.6.1.2.1.2.2.1.8.2", "i", "1"]


def test_v2c_linkdown_raises_and_linkup_clears(receiver: TrapReceiver, manager: AlarmManager) -> None:
    snmptrap(receiver, *LINK_DOWN)
    assert wait(lambda: len(manager.list(state="open")) == 1), receiver.counters()
    (alarm,) = manager.list(state="open")
    assert (alarm["check_id"], alarm["device"], alarm["subject"]) == ("TRAP-LINK", "t1-acc",
                                                                      "GigabitEthernet0/0/1")
    assert alarm["source"] == "trap" and "linkDown" in alarm["reason_en"]
    snmptrap(receiver, *LINK_DOWN)  # repeated: the same alarm
    assert wait(lambda: receiver.counters().get("decoded") == 2)
    assert len(manager.list(state="all")) == 1
    snmptrap(receiver, *LINK_UP)
    assert wait(lambda: manager.list(state="open") == [])
    assert [e["action"] for e in manager.history(alarm["id"])] == ["raised", "cleared"]


def test_v1_linkdown_and_coldstart(receiver: TrapReceiver, manager: AlarmManager) -> None:
    # v1 generic trap 2 (linkDown) is converted to 1.3.6.1.6.3.1.1.5.3 (RFC 3584)
    snmptrap(receiver, "1.3.6.1.4.1.8072.3.2.10", "127.0.0.1", "2", "0", "",
             "1.3.6.1.2.1.2.2.1.1.2", "i", "2", version="1")
    assert wait(lambda: len(manager.list(state="open")) == 1), receiver.counters()
    snmptrap(receiver, "", "1.3.6.1.6.3.1.1.5.1")  # coldStart: history, not an open alarm
    assert wait(lambda: len(manager.list(state="all")) == 2)
    restart = manager.list(check_id="TRAP-RESTART", state="all")[0]
    assert restart["state"] == "cleared" and restart["severity"] == "warning"


def test_v3_authpriv_authentication_failure(receiver: TrapReceiver, manager: AlarmManager) -> None:
    snmptrap(receiver, "", "1.3.6.1.6.3.1.1.5.5", version="3")
    assert wait(lambda: len(manager.list(check_id="TRAP-AUTHFAIL", state="all")) == 1), receiver.counters()


def test_huawei_cpu_trap_raises_and_resume_clears(receiver: TrapReceiver, manager: AlarmManager) -> None:
    name = "1.3.6.1.2.1.47.1.1.1.1.7.16842753"
    snmptrap(receiver, "", "1.3.6.1.4.1.2011.5.25.219.2.14.1", name, "s", "MPU Board 0")
    assert wait(lambda: len(manager.list(state="open")) == 1)
    assert manager.list(state="open")[0]["subject"] == "MPU Board 0"
    snmptrap(receiver, "", "1.3.6.1.4.1.2011.5.25.219.2.14.2", name, "s", "MPU Board 0")
    assert wait(lambda: manager.list(state="open") == [])


def test_untrusted_and_unauthenticated_traps_raise_nothing(receiver: TrapReceiver,
                                                          manager: AlarmManager) -> None:
    snmptrap(receiver, *LINK_DOWN, client="127.0.0.2")  # a sender not in the inventory
    assert wait(lambda: receiver.counters().get("unknown_source") == 1), receiver.counters()
    assert receiver.stats.unknown_sources[0] == ("127.0.0.2", "1.3.6.1.6.3.1.1.5.3")
    cmd = ["snmptrap", "-m", "", "-M", "/nonexistent", "-v", "2c", "-c", "wrong-community",
           f"127.0.0.1:{receiver.port}", *LINK_DOWN]
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)
    assert wait(lambda: receiver.counters().get("bad_community", 0) >= 1), receiver.counters()
    assert manager.list(state="all") == []


def test_malformed_packets_are_counted_and_dropped(receiver: TrapReceiver, manager: AlarmManager) -> None:
    junk = [b"", b"\x00", b"hello, not snmp", b"\x30\x82\xff\xff\x02\x01\x01",  # truncated BER
            b"\x30\x0b\x02\x01\x01\x04\x03abc\xa7\x01",  # v2c header, cut-off PDU
            bytes(range(256)) * 4]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for packet in junk:
            s.sendto(packet, ("127.0.0.1", receiver.port))
    assert wait(lambda: receiver.counters()["malformed"] >= len(junk) - 1), receiver.counters()
    snmptrap(receiver, *LINK_DOWN)  # still alive and decoding
    assert wait(lambda: len(manager.list(state="open")) == 1), receiver.counters()


def test_decoder_table_and_unknown_oids() -> None:
    assert {"1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.6.3.1.1.5.1",
            "1.3.6.1.6.3.1.1.5.2", "1.3.6.1.6.3.1.1.5.5"} <= set(decoders())
    for spec in decoders().values():
        assert spec["action"] in ("raise", "clear", "transient")
        assert spec["check_id"].startswith("TRAP-")
    assert decode_trap([("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.4.1.99999.1")], "r1") is None
    ev = decode_trap([("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.6.3.1.1.5.3"),
                      ("1.3.6.1.2.1.2.2.1.2.7", "eth1")], "r1")
    assert ev is not None and ev.subject == "eth1" and not ev.clears


# Vendor notification OIDs as defined in the published MIB modules (NOTIFICATION-TYPE descriptor
# -> OID), read from lextudio/mibs.pysnmp.com's compiled HUAWEI-BASE-TRAP-MIB,
# HUAWEI-ENTITY-TRAP-MIB and HH3C-ENTITY-EXT-MIB. A decoder whose OID and name disagree with
# this table decodes the wrong event (the H3C entries once mapped 0.1 -- the temperature
# notification -- to CPU, and 0.3 -- voltage -- to memory).
VENDOR_MIB_OIDS = {
    # HUAWEI-BASE-TRAP-MIB: hwBaseTrapMIB 1.3.6.1.4.1.2011.5.25.129, hwBaseTraps .2
    "hwEntityRemove": "1.3.6.1.4.1.2011.5.25.129.2.1.1",
    "hwEntityInsert": "1.3.6.1.4.1.2011.5.25.129.2.1.2",
    "hwTempRisingAlarm": "1.3.6.1.4.1.2011.5.25.129.2.2.1",
    "hwTempRisingResume": "1.3.6.1.4.1.2011.5.25.129.2.2.2",
    "hwCPUUtilizationRisingAlarm": "1.3.6.1.4.1.2011.5.25.129.2.4.1",
    # HUAWEI-ENTITY-TRAP-MIB: hwEntityTrapMIB 1.3.6.1.4.1.2011.5.25.219, hwEntityTraps .2
    "hwBoardRemove": "1.3.6.1.4.1.2011.5.25.219.2.2.1",
    "hwBoardInsert": "1.3.6.1.4.1.2011.5.25.219.2.2.2",
    "hwPowerRemove": "1.3.6.1.4.1.2011.5.25.219.2.5.1",
    "hwPowerInsert": "1.3.6.1.4.1.2011.5.25.219.2.5.2",
    "hwCPUUtilizationRising": "1.3.6.1.4.1.2011.5.25.219.2.14.1",
    "hwMemUtilizationRising": "1.3.6.1.4.1.2011.5.25.219.2.15.1",
    "hwMemUtilizationResume": "1.3.6.1.4.1.2011.5.25.219.2.15.2",
    # HH3C-ENTITY-EXT-MIB: hh3cEntityExtend 1.3.6.1.4.1.25506.2.6, hh3cEntityExtTrapsPrefix .2.0
    "hh3cEntityExtTemperatureThresholdNotification": "1.3.6.1.4.1.25506.2.6.2.0.1",
    "hh3cEntityExtCpuUsageThresholdNotfication": "1.3.6.1.4.1.25506.2.6.2.0.4",
    "hh3cEntityExtMemUsageThresholdNotification": "1.3.6.1.4.1.25506.2.6.2.0.5",
    "hh3cEntityExtTemperatureNormal": "1.3.6.1.4.1.25506.2.6.2.0.22",
    "hh3cEntityExtCpuUsageThresholdRecover": "1.3.6.1.4.1.25506.2.6.2.0.25",
    "hh3cEntityExtMemUsageThresholdRecover": "1.3.6.1.4.1.25506.2.6.2.0.26",
}
# hwCPUUtilizationResume has the same name in both Huawei MIBs (.129.2.4.2 and .219.2.14.2).
HW_CPU_RESUME = {"1.3.6.1.4.1.2011.5.25.129.2.4.2", "1.3.6.1.4.1.2011.5.25.219.2.14.2"}


def test_vendor_decoders_match_the_mibs() -> None:
    vendor = {oid: spec for oid, spec in decoders().items()
              if oid.startswith(("1.3.6.1.4.1.2011.", "1.3.6.1.4.1.25506."))}
    for oid, spec in vendor.items():
        if spec["name"] == "hwCPUUtilizationResume":
            assert oid in HW_CPU_RESUME
        else:
            assert VENDOR_MIB_OIDS.get(spec["name"]) == oid, (spec["name"], oid)
    # every raise has a clear of the same alarm key
    raises = {s["check_id"] for s in vendor.values() if s["action"] == "raise"}
    clears = {s["check_id"] for s in vendor.values() if s["action"] == "clear"}
    assert raises == clears


def test_huawei_base_trap_mib_cpu_alarm_and_entity_mib_resume_share_a_key(
        receiver: TrapReceiver, manager: AlarmManager) -> None:
    name = "1.3.6.1.2.1.47.1.1.1.1.7.16842753"  # entPhysicalName.<index>, as both MIBs send it
    snmptrap(receiver, "", "1.3.6.1.4.1.2011.5.25.129.2.4.1",
             "1.3.6.1.4.1.2011.5.25.129.1.1", "i", "4", name, "s", "SRU Board 1")
    assert wait(lambda: len(manager.list(state="open")) == 1), receiver.counters()
    (alarm,) = manager.list(state="open")
    assert (alarm["check_id"], alarm["subject"]) == ("TRAP-HW-CPU", "SRU Board 1")
    assert alarm["details"]["trap"] == "hwCPUUtilizationRisingAlarm"
    snmptrap(receiver, "", "1.3.6.1.4.1.2011.5.25.219.2.14.2", name, "s", "SRU Board 1")
    assert wait(lambda: manager.list(state="open") == [])


def test_h3c_cpu_threshold_notification_and_recover(receiver: TrapReceiver,
                                                    manager: AlarmManager) -> None:
    # hh3cEntityExtPhysicalIndex.<i>, hh3cEntityExtCpuUsage.<i>, hh3cEntityExtCpuUsageThreshold.<i>
    index = "1.3.6.1.4.1.25506.2.6.1.1.1.1.1.212"
    usage = ["1.3.6.1.4.1.25506.2.6.1.1.1.1.6.212", "i", "93",
             "1.3.6.1.4.1.25506.2.6.1.1.1.1.7.212", "i", "80"]
    snmptrap(receiver, "", "1.3.6.1.4.1.25506.2.6.2.0.4", index, "i", "212", *usage)
    assert wait(lambda: len(manager.list(state="open")) == 1), receiver.counters()
    (alarm,) = manager.list(state="open")
    assert (alarm["check_id"], alarm["subject"]) == ("TRAP-H3C-CPU", "entity 212")
    # the temperature notification (0.1) is not a CPU alarm
    snmptrap(receiver, "", "1.3.6.1.4.1.25506.2.6.2.0.1", index, "i", "212")
    assert wait(lambda: len(manager.list(state="open")) == 2)
    assert {a["check_id"] for a in manager.list(state="open")} == {"TRAP-H3C-CPU", "TRAP-H3C-TEMP"}
    snmptrap(receiver, "", "1.3.6.1.4.1.25506.2.6.2.0.25", index, "i", "212", *usage)
    assert wait(lambda: [a["check_id"] for a in manager.list(state="open")] == ["TRAP-H3C-TEMP"])


def test_link_trap_on_a_planned_link_names_the_peer_and_suppresses_what_is_behind_it(
        manager: AlarmManager) -> None:
    """A linkDown on a township's uplink is keyed like LINK-006 ("<if> <-> <peer>:<if>"), so
    the township's DEVICE-DOWN that follows is suppressed as "uplink down"; linkUp clears it."""
    from nms.alarms import Event
    from nms.models import Severity

    manager.parents = {"t1-acc": "c1-agg"}  # t1-acc hangs off c1-agg
    peers = {("t1-acc", "GigabitEthernet0/0/1"): "c1-agg:GigabitEthernet1/0/3",
             ("c1-agg", "GigabitEthernet1/0/3"): "t1-acc:GigabitEthernet0/0/1"}
    names = {("t1-acc", "2"): "GigabitEthernet0/0/1", ("c1-agg", "3"): "GigabitEthernet1/0/3"}
    rx = TrapReceiver(host="127.0.0.1", port=free_port(), communities=[COMMUNITY],
                      sources={"127.0.0.1": "t1-acc", "127.0.0.2": "c1-agg"},
                      on_events=manager.process_events, if_name=lambda d, i: names.get((d, i)),
                      link_peers=peers)
    def on_index_3(trap_oid: str, oper: str) -> list[str]:  # net-snmp's linkDown/Up for ifIndex 3
        return ["", trap_oid, "1.3.6.1.2.1.2.2.1.1.3", "i", "3", "1.3.6.1.2.1.2.2.1.7.3", "i", "1",
                "1.3.6.1.2.1.2.2.1.8.3", "i", oper]

    parent_down = on_index_3("1.3.6.1.6.3.1.1.5.3", "2")
    parent_up = on_index_3("1.3.6.1.6.3.1.1.5.4", "1")
    with rx:
        snmptrap(rx, *parent_down, client="127.0.0.2")  # the county end of the cable ...
        snmptrap(rx, *LINK_DOWN)  # ... and the township end
        assert wait(lambda: len(manager.list(state="open")) == 2), rx.counters()
        assert {(a["device"], a["subject"]) for a in manager.list(state="open")} == {
            ("c1-agg", "GigabitEthernet1/0/3 <-> t1-acc:GigabitEthernet0/0/1"),
            ("t1-acc", "GigabitEthernet0/0/1 <-> c1-agg:GigabitEthernet1/0/3")}
        (down,) = manager.process_events([Event("DEVICE-DOWN", "t1-acc", "", Severity.CRITICAL,
                                                "t1-acc does not answer", "无响应", source="event")])
        assert down.alarm["suppressed"] and "uplink" in down.alarm["suppressed_reason"]
        snmptrap(rx, *parent_up, client="127.0.0.2")
        snmptrap(rx, *LINK_UP)
        assert wait(lambda: [a["check_id"] for a in manager.list(state="open")] == ["DEVICE-DOWN"])
    # an interface that is on no planned link keeps its bare name
    ev = decode_trap([("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.6.3.1.1.5.3"),
                      ("1.3.6.1.2.1.31.1.1.1.1.9", "Vlanif9")],
                     "t1-acc", link_peer=lambda d, n: peers.get((d, n)))
    assert ev is not None and ev.subject == "Vlanif9"
