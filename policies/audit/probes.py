"""Live probes for what config text cannot prove (BL-SNMP-001, BL-AUTH-001, BL-AUTH-002).

* ``snmp_default_community``: one SNMPv2c GET of sysDescr.0 per candidate community, the packet
  built with scapy's SNMP layers (no MIB compiler); an answer means the community works.
* ``telnet_open``: a scapy SYN to TCP/23 when raw sockets are allowed (root/CAP_NET_RAW), else a
  plain ``connect()``; the result says which method ran.
* ``ssh_banner``: the server's identification string (``SSH-1.99-…`` means SSHv1 is offered).

Probes only target the device address they are given; callers pass inventory addresses.
"""

from __future__ import annotations

import socket
from typing import Any

SYS_DESCR = "1.3.6.1.2.1.1.1.0"


def snmp_get_packet(community: str, request_id: int = 4242) -> bytes:
    """Bytes of an SNMPv2c GetRequest for sysDescr.0 (scapy layers, RFC 3416)."""
    from scapy.asn1.asn1 import ASN1_OID
    from scapy.layers.snmp import SNMP, SNMPget, SNMPvarbind

    pkt = SNMP(version=1, community=community,
               PDU=SNMPget(id=request_id, varbindlist=[SNMPvarbind(oid=ASN1_OID(SYS_DESCR))]))
    return bytes(pkt)


def probe_snmp(address: str, communities: list[str], *, port: int = 161, timeout_s: float = 2.0) -> str | None:
    """The first community the agent answers (a GetResponse with the same request id), or None."""
    from scapy.layers.snmp import SNMP

    for i, community in enumerate(communities):
        req_id = 4242 + i
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout_s)
            try:
                s.sendto(snmp_get_packet(community, req_id), (address, port))
                data, _ = s.recvfrom(65535)
            except OSError:
                continue
        try:
            reply = SNMP(data)
            if int(reply.PDU.id.val) == req_id and int(reply.PDU.error.val) == 0:
                return community
        except Exception:  # noqa: BLE001 - garbage reply = no answer
            continue
    return None


def probe_tcp(address: str, port: int = 23, *, timeout_s: float = 2.0) -> tuple[bool, str]:
    """(open, method): SYN probe with scapy if raw sockets are permitted, else connect()."""
    try:
        from scapy.all import IP, TCP, conf, sr1

        conf.verb = 0
        ans = sr1(IP(dst=address) / TCP(dport=port, flags="S"), timeout=timeout_s, verbose=0)
        if ans is not None and ans.haslayer(TCP):
            return (int(ans[TCP].flags) & 0x12) == 0x12, "syn"
        return False, "syn"
    except PermissionError:
        pass  # not root / no CAP_NET_RAW: fall back below
    except OSError as exc:
        if "Operation not permitted" not in str(exc):
            raise
    try:
        with socket.create_connection((address, port), timeout=timeout_s):
            return True, "connect"
    except OSError:
        return False, "connect"


def ssh_banner(address: str, port: int = 22, *, timeout_s: float = 2.0) -> str | None:
    """The SSH identification line of the server (``SSH-2.0-OpenSSH_9.2p1``) or None."""
    try:
        with socket.create_connection((address, port), timeout=timeout_s) as s:
            s.settimeout(timeout_s)
            data = s.recv(256)
    except OSError:
        return None
    line = data.split(b"\n", 1)[0].strip().decode("ascii", "replace")
    return line if line.startswith("SSH-") else None


def run_probes(address: str, *, timeout_s: float = 2.0, communities: list[str] | None = None,
               snmp_port: int = 161, ssh_port: int = 22, telnet_port: int = 23) -> dict[str, Any]:
    """Every probe against ``address``: the ``baseline_probes`` state the checks read."""
    telnet, method = probe_tcp(address, telnet_port, timeout_s=timeout_s)
    return {
        "snmp_default_community": probe_snmp(address, communities or ["public", "private"], port=snmp_port,
                                             timeout_s=timeout_s) or False,  # False: probed, none answered
        "telnet_open": telnet,
        "telnet_probe_method": method,
        "ssh_banner": ssh_banner(address, ssh_port, timeout_s=timeout_s),
    }
