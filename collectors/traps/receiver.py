"""Receive SNMP traps and informs (v1, v2c, v3 USM) with pysnmp 7 and turn them into alarm events.

Input: UDP datagrams on ``traps.host:traps.port`` (162 by default). v1/v2c traps must carry one
of ``traps.communities``; v3 traps must come from a configured USM user with the sender's
engine id (``traps.v3_users``: an ``auths`` profile plus ``engine_id``). Output: ``nms.alarms
.Event`` s handed to ``on_events`` (the daemon passes them to ``AlarmManager.process_events``),
and counters in ``TrapReceiver.stats``.

Why the checks before pysnmp: a trap is spoofable UDP, so

* a datagram that is not an SNMP message is counted as ``malformed`` and dropped before
  pysnmp sees it (pysnmp's own parse-error counter, ``snmpInASNParseErrs``, is added in);
* wrong communities and unknown v3 users are dropped by pysnmp and counted from its MIB
  counters (``snmpInBadCommunityNames``, ``usmStatsUnknownUserNames``, ``usmStatsWrongDigests``);
* a well-formed, authenticated trap from an address that is not a device of the inventory is
  logged and counted as ``unknown_source`` and never becomes an alarm (not trusted).

Decoding is data: ``collectors/traps/traps.yaml`` maps notification OIDs (SNMPv2-MIB
coldStart/warmStart/authenticationFailure, IF-MIB linkDown/linkUp, Huawei and H3C entity traps)
to alarm keys, severities and bilingual reasons.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nms.alarms import Event
from nms.models import Severity, utcnow

log = logging.getLogger(__name__)

TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"  # SNMPv2-MIB::snmpTrapOID.0
IF_INDEX = "1.3.6.1.2.1.2.2.1.1."  # IF-MIB::ifIndex
IF_DESCR = "1.3.6.1.2.1.2.2.1.2."  # IF-MIB::ifDescr
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1."  # IF-MIB::ifName
ENT_NAME = "1.3.6.1.2.1.47.1.1.1.1.7."  # ENTITY-MIB::entPhysicalName
STANDARD_PREFIXES = ("1.3.6.1.2.1.1.3.0", TRAP_OID, "1.3.6.1.6.3.18.1.3.0", "1.3.6.1.6.3.18.1.4.0",
                     "1.3.6.1.6.3.1.1.4.3.0")  # sysUpTime, trap OID, address, community, enterprise

AUTH_PROTOCOLS = {"md5": "USM_AUTH_HMAC96_MD5", "sha": "USM_AUTH_HMAC96_SHA",
                  "sha224": "USM_AUTH_HMAC128_SHA224", "sha256": "USM_AUTH_HMAC192_SHA256",
                  "sha384": "USM_AUTH_HMAC256_SHA384", "sha512": "USM_AUTH_HMAC384_SHA512"}
PRIV_PROTOCOLS = {"des": "USM_PRIV_CBC56_DES", "aes": "USM_PRIV_CFB128_AES", "aes128": "USM_PRIV_CFB128_AES",
                  "aes192": "USM_PRIV_CFB192_AES", "aes256": "USM_PRIV_CFB256_AES"}


@functools.cache
def decoders() -> dict[str, dict[str, Any]]:
    """The trap table from ``traps.yaml`` (notification OID -> decoder)."""
    data = yaml.safe_load(Path(__file__).with_name("traps.yaml").read_text(encoding="utf-8"))
    return {str(oid): spec for oid, spec in data["traps"].items()}


def _text(value: Any) -> str:
    """A varbind value as text: octets as UTF-8 (else GB18030), numbers and OIDs as printed."""
    from pyasn1.type import univ
    from pysnmp.proto.rfc1902 import IpAddress

    if isinstance(value, univ.OctetString) and not isinstance(value, IpAddress):
        raw = value.asOctets()
        for codec in ("utf-8", "gb18030"):
            try:
                return raw.decode(codec).rstrip("\x00")
            except UnicodeDecodeError:
                continue
        return str(raw.hex())
    return value.prettyPrint() if hasattr(value, "prettyPrint") else str(value)


def decode_trap(varbinds: Sequence[tuple[str, str]], device: str,
                if_name: Callable[[str, str], str | None] | None = None,
                link_peer: Callable[[str, str], str | None] | None = None) -> Event | None:
    """The alarm event of one trap, or None when its OID is not in the table.

    Args:
        varbinds: ``(oid, value-as-text)`` pairs in v2 form (v1 traps are converted by pysnmp
            per RFC 3584, so linkDown is 1.3.6.1.6.3.1.1.5.3 whatever the version).
        device: the inventory name of the sender.
        if_name: ``(device, ifIndex) -> interface name`` from the collected state, used when
            the trap carries only ifIndex (net-snmp's linkDown does).
        link_peer: ``(device, interface name) -> "peer:interface"`` of planned links. An
            interface subject on a planned link becomes ``"eth2 <-> town-a1:eth1"``, the
            LINK-006 form, which is what the alarm manager's uplink suppression looks for.
    """
    values = dict(varbinds)
    oid = values.get(TRAP_OID, "")
    spec = decoders().get(oid)
    if spec is None:
        return None
    subject = ""
    if spec["subject"] == "ifname":
        subject = _ifname(varbinds, device, if_name)
        peer = link_peer(device, subject) if link_peer is not None else None
        if peer:
            subject = f"{subject} <-> {peer}"
    elif spec["subject"] == "entity":
        subject = _entity(varbinds)
    action = spec["action"]
    details = {"trap": spec["name"], "oid": oid,
               "varbinds": {k: v for k, v in varbinds if k not in (TRAP_OID,)}}
    return Event(check_id=spec["check_id"], device=device, subject=subject,
                 severity=Severity(spec["severity"]),
                 reason_en=spec["en"].format(subject=subject, source=device),
                 reason_zh=spec["zh"].format(subject=subject, source=device),
                 clears=action == "clear", transient=action == "transient", source="trap",
                 details=details, time=utcnow())


def _ifname(varbinds: Sequence[tuple[str, str]], device: str,
            if_name: Callable[[str, str], str | None] | None) -> str:
    index = None
    for oid, value in varbinds:
        if oid.startswith(IF_NAME) and value:
            return value
    for oid, value in varbinds:
        if oid.startswith(IF_INDEX):
            index = value
    if index is None:
        for oid, _value in varbinds:  # ifAdminStatus.N / ifOperStatus.N also carry the index
            if oid.startswith(("1.3.6.1.2.1.2.2.1.7.", "1.3.6.1.2.1.2.2.1.8.")):
                index = oid.rsplit(".", 1)[1]
    if index is not None and if_name is not None:
        name = if_name(device, str(index))
        if name:
            return name
    for oid, value in varbinds:
        if oid.startswith(IF_DESCR) and value:
            return value
    return f"ifIndex {index}" if index is not None else "?"


def _entity(varbinds: Sequence[tuple[str, str]]) -> str:
    for oid, value in varbinds:
        if oid.startswith(ENT_NAME) and value:
            return value
    for oid, _value in varbinds:
        if not oid.startswith(STANDARD_PREFIXES):
            return f"entity {oid.rsplit('.', 1)[1]}"
    return ""


@dataclass
class V3User:
    """One SNMPv3 trap sender: USM credentials and the sender's (authoritative) engine id."""

    user: str
    engine_id: str  # hex
    auth_protocol: str | None = None
    auth_key: str | None = None
    priv_protocol: str | None = None
    priv_key: str | None = None


@dataclass
class TrapStats:
    """Counters of the receiver (read them any time; they only grow)."""

    counts: Counter[str] = field(default_factory=Counter)
    unknown_sources: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=100))


class TrapReceiver:
    """A trap listener in its own thread with its own asyncio loop.

    Args:
        host, port: where to listen (tests: 127.0.0.1 and a free high port).
        communities: accepted v1/v2c communities.
        v3_users: accepted SNMPv3 senders.
        sources: sender IP address -> inventory device name; anything else is untrusted.
        on_events: called (in the receiver thread) with the events of each decoded trap.
        if_name: ``(device, ifIndex) -> name`` for traps carrying only an ifIndex.
        link_peers: ``{(device, interface): "peer:interface"}`` of planned links (see
            :func:`link_peers`), so link traps name both ends.
    """

    def __init__(self, *, host: str = "0.0.0.0", port: int = 162, communities: Sequence[str] = (),
                 v3_users: Sequence[V3User] = (), sources: Mapping[str, str] | None = None,
                 on_events: Callable[[list[Event]], Any] | None = None,
                 if_name: Callable[[str, str], str | None] | None = None,
                 link_peers: Mapping[tuple[str, str], str] | None = None) -> None:
        self.host, self.port = host, port
        self.communities = list(communities)
        self.v3_users = list(v3_users)
        self.sources = dict(sources or {})
        self.on_events = on_events
        self.if_name = if_name
        self.link_peers = dict(link_peers or {})
        self._learned: dict[tuple[str, str], str] = {}
        self.stats = TrapStats()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.bound: tuple[str, int] | None = None

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Start listening; returns once the socket is bound.

        Raises:
            OSError: the port cannot be bound (in use, or 162 without privileges).
        """
        self._thread = threading.Thread(target=self._run, name=f"traps:{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("trap receiver did not start")
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Stop listening and join the thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> TrapReceiver:
        self.start()
        return self

    @classmethod
    def from_config(cls, config: Any, snapshot: Any = None, *,
                    on_events: Callable[[list[Event]], Any] | None = None,
                    host: str | None = None, port: int | None = None) -> TrapReceiver:
        """The receiver ``nms run`` starts (found through ``nms.registry.receivers``).

        Senders and interface names come from ``snapshot`` (a ``policies.base.Snapshot``: the
        inventory plus collected state); :meth:`learn` keeps them current as polls come in.
        """
        return receiver_from_config(
            config, sources=inventory_sources(snapshot) if snapshot is not None else {},
            on_events=on_events, if_name=interface_namer(snapshot) if snapshot is not None else None,
            link_peers=link_peers(snapshot) if snapshot is not None else None, host=host, port=port)

    def learn(self, device: str, state: Mapping[str, Any]) -> None:
        """Take ``device``'s freshly collected state: its interface addresses become trusted
        sender addresses (an address already known keeps its device) and its ifIndex -> name
        table names the subject of traps that carry only an ifIndex (net-snmp's linkDown)."""
        from policies.views import addresses, interfaces

        for view in interfaces(dict(state)):
            if view.ifindex is not None:
                self._learned[(device, str(view.ifindex))] = view.name
        for _ifname, iface in addresses(dict(state)):
            self.sources.setdefault(str(iface.ip), device)

    def _name_of(self, device: str, index: str) -> str | None:
        learned = self._learned.get((device, str(index)))
        if learned is not None:
            return learned
        return self.if_name(device, index) if self.if_name is not None else None

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- counters ----------------------------------------------------------------------

    def counters(self) -> dict[str, int]:
        """Our counters plus pysnmp's drop counters (parse errors, bad communities, USM)."""
        out = dict(self.stats.counts)
        out.setdefault("malformed", 0)
        if self._engine is not None:
            mib = self._engine.get_mib_builder()
            try:
                (parse,) = mib.import_symbols("__SNMPv2-MIB", "snmpInASNParseErrs")
                (badcomm,) = mib.import_symbols("__SNMPv2-MIB", "snmpInBadCommunityNames")
                (unknown_user, wrong_digest) = mib.import_symbols(
                    "__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownUserNames", "usmStatsWrongDigests")
                out["malformed"] += int(parse.syntax)
                out["bad_community"] = int(badcomm.syntax)
                out["bad_v3_auth"] = int(unknown_user.syntax) + int(wrong_digest.syntax)
            except Exception:  # noqa: BLE001 - counters are best effort, never fatal
                log.debug("cannot read pysnmp counters", exc_info=True)
        return out

    # ---- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            transport = self._setup(loop)
            loop.run_until_complete(transport._lport)
            sock = transport.transport.get_extra_info("sockname") if transport.transport else None
            self.bound = (sock[0], sock[1]) if sock else (self.host, self.port)
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc if isinstance(exc, OSError) else OSError(str(exc))
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        log.info("trap receiver listening on %s:%s", *self.bound)
        try:
            loop.run_forever()
        finally:
            with contextlib.suppress(Exception):  # already closed: nothing to do
                transport.close_transport()
            # pysnmp's dispatcher keeps a timer task; cancel it rather than destroy it pending
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def _setup(self, loop: asyncio.AbstractEventLoop) -> Any:
        from pysnmp.carrier.asyncio.dgram import udp
        from pysnmp.entity import config, engine
        from pysnmp.entity.rfc3413 import ntfrcv
        from pysnmp.proto.api.verdec import decode_message_version
        from pysnmp.proto.rfc1902 import OctetString

        stats = self.stats

        class CountingUdp(udp.UdpAsyncioTransport):  # type: ignore[misc]
            """Drops datagrams that are not SNMP messages, counting them."""

            def datagram_received(self, datagram: bytes, address: Any) -> None:
                stats.counts["datagrams"] += 1
                try:
                    decode_message_version(datagram)
                except Exception:  # noqa: BLE001 - any decode failure is a malformed packet
                    stats.counts["malformed"] += 1
                    log.debug("malformed trap datagram from %s dropped", address)
                    return
                super().datagram_received(datagram, address)

        snmp = engine.SnmpEngine()
        self._engine = snmp
        transport = CountingUdp(loop=loop).open_server_mode((self.host, self.port))
        config.add_transport(snmp, udp.DOMAIN_NAME, transport)
        for i, community in enumerate(self.communities):
            config.add_v1_system(snmp, f"nms-trap-{i}", community)
        for u in self.v3_users:
            kwargs: dict[str, Any] = {"securityEngineId": OctetString(hexValue=u.engine_id.removeprefix("0x"))}
            if u.auth_protocol:
                kwargs["authProtocol"] = getattr(config, AUTH_PROTOCOLS[u.auth_protocol])
                kwargs["authKey"] = u.auth_key
            if u.priv_protocol:
                kwargs["privProtocol"] = getattr(config, PRIV_PROTOCOLS[u.priv_protocol])
                kwargs["privKey"] = u.priv_key
            config.add_v3_user(snmp, u.user, **kwargs)
        ntfrcv.NotificationReceiver(snmp, self._on_trap)
        return transport

    def _on_trap(self, snmp: Any, state_reference: Any, context_engine_id: Any, context_name: Any,
                 varbinds: Any, cb_ctx: Any) -> None:
        """pysnmp callback: one authenticated notification."""
        try:
            _domain, address = snmp.message_dispatcher.get_transport_info(state_reference)
            source = str(address[0])
            pairs = [(str(oid), _text(value)) for oid, value in varbinds]
            self.stats.counts["received"] += 1
            device = self.sources.get(source)
            trap_oid = dict(pairs).get(TRAP_OID, "?")
            if device is None:
                self.stats.counts["unknown_source"] += 1
                self.stats.unknown_sources.append((source, trap_oid))
                log.warning("trap %s from unknown source %s ignored (not in the inventory)", trap_oid, source)
                return
            event = decode_trap(pairs, device, self._name_of,
                                lambda dev, ifname: self.link_peers.get((dev, ifname)))
            if event is None:
                self.stats.counts["unknown_trap"] += 1
                log.info("trap %s from %s (%s) has no decoder; logged only", trap_oid, device, source)
                return
            self.stats.counts["decoded"] += 1
            if self.on_events is not None:
                self.on_events([event])
        except Exception:  # noqa: BLE001 - one bad trap must not stop the receiver
            self.stats.counts["errors"] += 1
            log.exception("trap handling failed")


def receiver_from_config(config: Any, *, sources: Mapping[str, str],
                         on_events: Callable[[list[Event]], Any] | None = None,
                         if_name: Callable[[str, str], str | None] | None = None,
                         port: int | None = None, host: str | None = None,
                         link_peers: Mapping[tuple[str, str], str] | None = None) -> TrapReceiver:
    """A receiver built from ``config.traps`` (v3 users resolved from ``config.auths``).

    Raises:
        ValueError: a v3 user names an auth profile that is missing or not SNMPv3.
    """
    users = []
    for u in config.traps.v3_users:
        auth = config.auths.get(u.auth)
        if auth is None or getattr(auth, "version", None) != "3":
            raise ValueError(f"traps.v3_users: {u.auth!r} is not an SNMPv3 auth profile")
        users.append(V3User(user=auth.user, engine_id=u.engine_id, auth_protocol=auth.auth_protocol,
                            auth_key=auth.auth_key, priv_protocol=auth.priv_protocol, priv_key=auth.priv_key))
    return TrapReceiver(host=host or config.traps.host, port=port or config.traps.port,
                        communities=config.traps.communities, v3_users=users, sources=sources,
                        on_events=on_events, if_name=if_name, link_peers=link_peers)


def inventory_sources(snapshot: Any) -> dict[str, str]:
    """Sender address -> device from a ``Snapshot``: management addresses and interface addresses.

    Agents send traps from the interface facing the receiver, which is not always the
    management address, so observed interface addresses count too (duplicates: first wins).
    """
    from policies.views import addresses

    out: dict[str, str] = {}
    for name, dev in snapshot.devices.items():
        if dev.device.get("address"):
            out.setdefault(str(dev.device["address"]), name)
    for name, dev in snapshot.devices.items():
        for _ifname, iface in addresses(dev.state):
            out.setdefault(str(iface.ip), name)
    return out


def link_peers(snapshot: Any) -> dict[tuple[str, str], str]:
    """``{(device, interface): "peer:interface"}`` for both ends of every planned link."""
    out: dict[tuple[str, str], str] = {}
    for link in snapshot.links:
        a, a_if, b, b_if = (str(link[k]) for k in ("a_device", "a_interface", "b_device", "b_interface"))
        out[(a, a_if)] = f"{b}:{b_if}"
        out[(b, b_if)] = f"{a}:{a_if}"
    return out


def interface_namer(snapshot: Any) -> Callable[[str, str], str | None]:
    """``(device, ifIndex) -> name`` from the snapshot's collected interfaces."""
    from policies.views import interfaces

    table = {(name, v.ifindex): v.name for name, dev in snapshot.devices.items()
             for v in interfaces(dev.state) if v.ifindex is not None}
    return lambda device, index: table.get((device, str(index)))
