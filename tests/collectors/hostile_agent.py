"""A real SNMP v1/v2c agent over UDP that misbehaves on purpose (for the hostile-agent tests).

It is an asyncio ``DatagramProtocol`` that decodes requests and encodes replies with scapy's SNMP
layers (BER, RFC 3416), serving a small MIB (system group + a 3-port ifTable/ifXTable). The
community chooses the behaviour, so one agent serves every scenario:

=============  =================================================================================
community      behaviour
=============  =================================================================================
good           a correct agent
wrongtype      ifInOctets as OCTET STRING, ifMtu as OBJECT IDENTIFIER
truncated      every reply after the system GET is cut in half (bad BER)
garbage        replies to walks with random bytes
loop           GETBULK/GETNEXT in ifTable always answer the same OID (non-increasing)
endless        ifTable never ends: each reply carries ever larger ifDescr indexes
huge           ifAlias.1 is 30 000 bytes
silent         never answers
slowwalk       answers GETs, but never a GETBULK/GETNEXT (stops mid-poll)
badoid         sysObjectID is an INTEGER, sysDescr a Counter32
=============  =================================================================================
"""

from __future__ import annotations

import asyncio
import os
from bisect import bisect_right
from typing import Any

from scapy.asn1.asn1 import (
    ASN1_COUNTER32,
    ASN1_COUNTER64,
    ASN1_GAUGE32,
    ASN1_INTEGER,
    ASN1_NULL,
    ASN1_OID,
    ASN1_STRING,
    ASN1_TIME_TICKS,
)
from scapy.layers.snmp import SNMP, SNMPbulk, SNMPget, SNMPnext, SNMPresponse, SNMPvarbind

IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"


def _key(oid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in oid.split("."))


def base_mib() -> dict[str, Any]:
    """The correct agent's objects (scapy ASN1 values by OID)."""
    mib: dict[str, Any] = {
        "1.3.6.1.2.1.1.1.0": ASN1_STRING(b"Linux hostile 6.1.0 #1 SMP x86_64"),
        "1.3.6.1.2.1.1.2.0": ASN1_OID("1.3.6.1.4.1.8072.3.2.10"),
        "1.3.6.1.2.1.1.3.0": ASN1_TIME_TICKS(123456),
        "1.3.6.1.2.1.1.4.0": ASN1_STRING(b"noc@example.invalid"),
        "1.3.6.1.2.1.1.5.0": ASN1_STRING(b"hostile"),
        "1.3.6.1.2.1.1.6.0": ASN1_STRING(b"lab"),
    }
    for i, name in ((1, b"lo"), (2, b"eth0"), (3, b"eth1")):
        mib[f"{IF}.1.{i}"] = ASN1_INTEGER(i)
        mib[f"{IF}.2.{i}"] = ASN1_STRING(name)
        mib[f"{IF}.3.{i}"] = ASN1_INTEGER(24 if i == 1 else 6)
        mib[f"{IF}.4.{i}"] = ASN1_INTEGER(1500)
        mib[f"{IF}.5.{i}"] = ASN1_GAUGE32(1_000_000_000)
        mib[f"{IF}.6.{i}"] = ASN1_STRING(b"" if i == 1 else bytes([0, 0x16, 0x3E, 0, 0, i]))
        mib[f"{IF}.7.{i}"] = ASN1_INTEGER(1)
        mib[f"{IF}.8.{i}"] = ASN1_INTEGER(1 if i < 3 else 2)
        mib[f"{IF}.10.{i}"] = ASN1_COUNTER32(1000 * i)
        mib[f"{IF}.16.{i}"] = ASN1_COUNTER32(2000 * i)
        mib[f"{IFX}.1.{i}"] = ASN1_STRING(name)
        mib[f"{IFX}.6.{i}"] = ASN1_COUNTER64(2**40 + i)
        mib[f"{IFX}.10.{i}"] = ASN1_COUNTER64(2**41 + i)
        mib[f"{IFX}.15.{i}"] = ASN1_GAUGE32(1000)
        mib[f"{IFX}.18.{i}"] = ASN1_STRING(b"uplink" if i == 2 else b"")
    return mib


class HostileAgent(asyncio.DatagramProtocol):
    """The agent; ``requests`` counts datagrams received per community."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.requests: dict[str, int] = {}
        self.mibs: dict[str, dict[str, Any]] = {}
        self.sorted: dict[str, list[str]] = {}
        for community in ("good", "wrongtype", "truncated", "garbage", "loop", "endless", "huge",
                          "silent", "slowwalk", "badoid"):
            mib = base_mib()
            if community == "wrongtype":
                for i in (1, 2, 3):
                    mib[f"{IF}.10.{i}"] = ASN1_STRING(b"lots")
                    mib[f"{IF}.4.{i}"] = ASN1_OID("1.3.6")
            elif community == "huge":
                mib[f"{IFX}.18.1"] = ASN1_STRING(b"A" * 30000)
            elif community == "badoid":
                mib["1.3.6.1.2.1.1.2.0"] = ASN1_INTEGER(42)
                mib["1.3.6.1.2.1.1.1.0"] = ASN1_COUNTER32(7)
            self.mibs[community] = mib
            self.sorted[community] = sorted(mib, key=_key)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    # ---- MIB navigation
    def _next(self, community: str, oid: str) -> tuple[str, Any]:
        keys = self.sorted[community]
        pos = bisect_right([_key(k) for k in keys], _key(oid))
        if pos >= len(keys):
            return "1.3.6.1.6.3.1.1.4.1.0", ASN1_INTEGER(0)  # beyond our MIB: out of any walk
        return keys[pos], self.mibs[community][keys[pos]]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            req = SNMP(data)
            community = req.community.val.decode()
            pdu = req.PDU
        except Exception:  # noqa: BLE001 - a test agent ignores what it cannot parse
            return
        self.requests[community] = self.requests.get(community, 0) + 1
        if community not in self.mibs or community == "silent":
            return
        oids = [vb.oid.val for vb in pdu.varbindlist]
        walking = isinstance(pdu, SNMPnext | SNMPbulk)
        if community == "slowwalk" and walking:
            return
        out: list[tuple[str, Any]] = []
        mib = self.mibs[community]
        if isinstance(pdu, SNMPget):
            for oid in oids:
                out.append((oid, mib.get(oid, ASN1_NULL(0))))
        elif walking:
            reps = pdu.max_repetitions.val if isinstance(pdu, SNMPbulk) else 1
            reps = max(1, min(reps, 50))
            cursor = oids[0]
            for _ in range(reps):
                if community == "loop" and cursor.startswith(IF):
                    out.append((f"{IF}.2.1", ASN1_STRING(b"again")))
                    continue
                if community == "endless" and cursor.startswith(IF):
                    last = int(cursor.rsplit(".", 1)[1]) if cursor.startswith(f"{IF}.2.") else 0
                    cursor = f"{IF}.2.{last + 1}"
                    out.append((cursor, ASN1_STRING(b"x")))
                    continue
                cursor, value = self._next(community, cursor)
                out.append((cursor, value))
        else:
            return
        reply = SNMP(version=req.version.val, community=req.community.val,
                     PDU=SNMPresponse(id=pdu.id.val, varbindlist=[
                         SNMPvarbind(oid=ASN1_OID(o), value=v) for o, v in out]))
        raw = bytes(reply)
        if community == "truncated" and walking:
            raw = raw[: len(raw) // 2]
        if community == "garbage" and walking:
            raw = os.urandom(len(raw))
        assert self.transport is not None
        self.transport.sendto(raw, addr)


async def start_agent(host: str = "127.0.0.1", port: int = 0
                      ) -> tuple[asyncio.DatagramTransport, HostileAgent, int]:
    """Start the agent in the running loop; returns (transport, agent, bound port)."""
    loop = asyncio.get_running_loop()
    transport, agent = await loop.create_datagram_endpoint(HostileAgent, local_addr=(host, port))
    bound = transport.get_extra_info("sockname")[1]
    return transport, agent, bound
