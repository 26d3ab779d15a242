"""pysnmp 7 engine: the :class:`~collectors.snmp.engine.SnmpSession` on pysnmp's asyncio hlapi.

The second engine: slower (~30x gufo's CPU per walk) but pure Python and complete (every USM
protocol, contexts, odd agents). One ``SnmpEngine`` is shared by the whole process and MIB
lookups are off (``lookupMib=False``): with pysmi importable each new SnmpEngine costs ~1 s of CPU
building a MIB parser, which is why pysmi must not be installed next to the poller.

pysnmp does its own retries (``UdpTransportTarget(retries=...)``) and its own non-increasing
check; the shared :class:`~collectors.snmp.engine.WalkGuard` still runs so both engines report
hostile agents the same way. Values are converted to the engine contract's plain types here.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import Any

from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pysnmp.error import PySnmpError
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    next_cmd,
)
from pysnmp.hlapi.v3arch.asyncio import auth as _auth
from pysnmp.proto import errind, rfc1902, rfc1905

from collectors.snmp.engine import (
    SessionOptions,
    SnmpSession,
    UndecodableReplyError,
    Value,
    VarBind,
    WalkGuard,
    raise_if_cancelling,
    smaller_repetitions,
)
from nms.config import SnmpAuth
from nms.errors import (
    DeviceAuthError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnreachableError,
    ProtocolError,
)

_AUTH = {"md5": _auth.usmHMACMD5AuthProtocol, "sha": _auth.usmHMACSHAAuthProtocol,
         "sha224": _auth.usmHMAC128SHA224AuthProtocol, "sha256": _auth.usmHMAC192SHA256AuthProtocol,
         "sha384": _auth.usmHMAC256SHA384AuthProtocol, "sha512": _auth.usmHMAC384SHA512AuthProtocol}
_PRIV = {"des": _auth.usmDESPrivProtocol, "aes": _auth.usmAesCfb128Protocol,
         "aes128": _auth.usmAesCfb128Protocol, "aes192": _auth.usmAesBlumenthalCfb192Protocol,
         "aes256": _auth.usmAesBlumenthalCfb256Protocol}
GET_CHUNK = 24
_END = (rfc1905.NoSuchObject, rfc1905.NoSuchInstance, rfc1905.EndOfMibView)
_AUTH_ERRORS = (errind.AuthenticationError, errind.AuthenticationFailure, errind.UnknownUserName,
                errind.WrongDigest, errind.UnsupportedSecurityLevel, errind.NotInTimeWindow,
                errind.DecryptionError, errind.UnknownSecurityName, errind.UnknownEngineID)

_ENGINES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SnmpEngine] = (
    weakref.WeakKeyDictionary())


def shared_engine() -> SnmpEngine:
    """The pysnmp SnmpEngine of the running event loop (creating one is expensive).

    pysnmp binds its transport dispatcher to the loop it first runs in, so an engine is shared
    by everything in one loop (the poller has one) but never across loops.
    """
    loop = asyncio.get_running_loop()
    engine = _ENGINES.get(loop)
    if engine is None:
        engine = _ENGINES[loop] = SnmpEngine()
    return engine


def plain(value: Any) -> Value | None:
    """pysnmp/pyasn1 value -> engine contract type; None for the v2 exception values."""
    if isinstance(value, _END):
        return None
    if isinstance(value, univ.Null):  # before OctetString: pyasn1's Null subclasses it
        return None
    if isinstance(value, rfc1902.IpAddress):
        return ".".join(str(b) for b in bytes(value.asOctets()))
    if isinstance(value, univ.OctetString):  # OctetString, Opaque, Bits
        return bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return ".".join(str(x) for x in value.asTuple())
    if isinstance(value, univ.Integer):  # Integer32, Counter32/64, Gauge32, TimeTicks, Unsigned32
        return int(value)
    raise ProtocolError(f"unexpected SNMP value type {type(value).__name__}")


def _error_indication(ind: Any, where: str) -> DeviceError:
    text = str(ind)
    if isinstance(ind, errind.RequestTimedOut):
        return DeviceTimeoutError(f"no SNMP answer ({where})")
    if isinstance(ind, _AUTH_ERRORS):
        return DeviceAuthError(f"SNMPv3 authentication failed ({where}): {text}")
    if isinstance(ind, errind.OidNotIncreasing):
        return ProtocolError(f"agent returned a non-increasing OID ({where})")
    return ProtocolError(f"SNMP error ({where}): {text}")


class PysnmpSession(SnmpSession):
    """SNMP v1/v2c/v3 session over pysnmp 7's asyncio hlapi."""

    engine_name = "pysnmp"

    def __init__(self, options: SessionOptions, auth: SnmpAuth) -> None:
        super().__init__(options, auth)
        self._engine: SnmpEngine | None = None
        self._target: UdpTransportTarget | None = None
        self._ctx = ContextData(contextName=auth.context or "")
        a = auth
        if a.version == "3":
            self._auth: CommunityData | UsmUserData = UsmUserData(
                a.user or "",
                authKey=a.auth_key, privKey=a.priv_key,
                authProtocol=_AUTH[a.auth_protocol] if a.auth_protocol else _auth.usmNoAuthProtocol,
                privProtocol=_PRIV[a.priv_protocol] if a.priv_protocol else _auth.usmNoPrivProtocol,
            )
        else:
            self._auth = CommunityData(a.community or "", mpModel=0 if a.version == "1" else 1)

    async def open(self) -> None:
        """Resolve the transport target."""
        o = self.options
        self._engine = shared_engine()
        try:
            self._target = await UdpTransportTarget.create(
                (o.address, o.port), timeout=o.timeout_s, retries=o.retries)
        except (PySnmpError, OSError) as exc:
            raise DeviceUnreachableError(f"cannot open UDP transport to {o.address}: {exc}") from exc

    def _t(self) -> UdpTransportTarget:
        if self._target is None:
            raise RuntimeError("session not open (use 'async with')")
        return self._target

    async def _call(self, fn: Any, *args: Any, where: str) -> tuple[Any, ...]:
        raise_if_cancelling()
        self.requests += 1
        try:
            ind, status, index, vbs = await fn(self._engine, self._auth, self._t(), self._ctx,
                                               *args, lookupMib=False)
        except DeviceError:
            raise
        except (PySnmpError, PyAsn1Error, ValueError, TypeError, KeyError, IndexError) as exc:
            raise UndecodableReplyError(f"bad SNMP reply ({where}): {type(exc).__name__}: {exc}"
                                        ) from exc
        except OSError as exc:
            raise DeviceUnreachableError(f"{exc} ({where})") from exc
        if ind:
            raise _error_indication(ind, where)
        return status, index, vbs

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """GET in chunks; v1 noSuchName (status 2) falls back to one OID per PDU."""
        out: dict[str, Value] = {}
        for i in range(0, len(oids), GET_CHUNK):
            chunk = [o.strip(".") for o in oids[i:i + GET_CHUNK]]
            status, _index, vbs = await self._call(
                get_cmd, *[ObjectType(ObjectIdentity(o)) for o in chunk], where=f"get {chunk[0]}")
            if status and int(status) == 2 and len(chunk) > 1:
                for oid in chunk:
                    out.update(await self.get([oid]))
                continue
            if status:
                if int(status) == 2:  # noSuchName on one OID
                    continue
                raise ProtocolError(f"agent error-status {status} (get {chunk[0]})")
            for name, value in vbs:
                v = plain(value)
                if v is None:
                    continue
                self.varbinds += 1
                out[str(name)] = v
        return out

    async def walk(self, oid: str, max_repetitions: int | None = None) -> list[VarBind]:
        """Walk with GETBULK (v2c/v3) or GETNEXT (v1) until the subtree ends."""
        root = oid.strip(".")
        guard = WalkGuard(root, self.options)
        reps = max_repetitions or self.options.max_repetitions
        rows: list[VarBind] = []
        cursor = root
        while True:
            where = f"walk {root}"
            if self.auth.version == "1":
                status, _i, vbs = await self._call(next_cmd, ObjectType(ObjectIdentity(cursor)),
                                                   where=where)
                if status and int(status) == 2:  # noSuchName = end of MIB on v1
                    break
            else:
                try:
                    status, _i, vbs = await self._call(bulk_cmd, 0, reps,
                                                       ObjectType(ObjectIdentity(cursor)),
                                                       where=where)
                except (DeviceTimeoutError, UndecodableReplyError):
                    # the agent answered before: retry this step with fewer repetitions
                    smaller = smaller_repetitions(reps)
                    if smaller is None or not rows:
                        raise
                    reps = smaller
                    continue
            if status:
                raise ProtocolError(f"agent error-status {status} ({where})")
            if not vbs:
                break
            done = False
            for name, value in vbs:
                got = str(name)
                v = plain(value)
                if v is None or not guard.in_tree(got):
                    done = True
                    break
                guard.accept(got, v)
                rows.append((got, v))
                cursor = got
            if done:
                break
        self.varbinds += len(rows)
        return rows
