"""The small interface both SNMP engines implement, plus the walk logic they share.

Why an interface: nms polls with gufo-snmp (a Rust core, ~17 ms CPU per device walk) by default and
keeps pysnmp 7 as a second engine for what gufo does not do (and as a cross-check). Everything above
this module (profiles, state builders, samples) sees only :class:`SnmpSession`:

* ``await session.get(oids)``        -> ``{oid: value}`` (missing OIDs are simply absent)
* ``await session.walk(oid)``        -> ``[(oid, value), ...]`` in lexicographic order
* ``await session.close()``

Values are plain Python, identical for both engines (RFC 3416 types mapped here):
OCTET STRING -> ``bytes``; OBJECT IDENTIFIER -> ``str`` (dotted, no leading dot); IpAddress ->
``str`` dotted quad; INTEGER, Counter32/64, Gauge32, TimeTicks, Unsigned32 -> ``int``;
Opaque float -> ``float``.

Walk safety lives here, not in the engines, so both behave the same against a hostile agent
(RFC 3416 4.2.3 says the manager must stop on a non-increasing OID): a walk raises
:class:`~nms.errors.ProtocolError` on a non-increasing OID, on more than ``max_rows`` varbinds (an
endless GETBULK loop) or on a value bigger than ``max_value_bytes``. Engines translate their
library's exceptions into the ``nms.errors`` family at this boundary.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from nms.config import SnmpAuth
from nms.errors import ProtocolError

Value = bytes | str | int | float
VarBind = tuple[str, Value]

#: Largest value accepted from an agent; an SNMP string is at most 65535 bytes (SMIv2), and no
#: object we collect is legitimately bigger than a few KiB (sysDescr, ifAlias, lldpRemSysDesc).
MAX_VALUE_BYTES = 16384
#: Most varbinds accepted from one walk; a 4096-port chassis' ifXTable has ~80k.
MAX_ROWS = 200_000


@dataclass(frozen=True)
class SessionOptions:
    """Per-device transport settings (from ``config.snmp``, overridable per call)."""

    address: str
    port: int = 161
    timeout_s: float = 2.0
    retries: int = 1
    max_repetitions: int = 25
    max_rows: int = MAX_ROWS
    max_value_bytes: int = MAX_VALUE_BYTES


def oid_tuple(oid: str) -> tuple[int, ...]:
    """``"1.3.6.1"`` -> ``(1, 3, 6, 1)``; tolerates a leading dot.

    Raises:
        ProtocolError: the text is not a numeric OID.
    """
    try:
        return tuple(int(part) for part in oid.strip(".").split("."))
    except ValueError:
        raise ProtocolError(f"not a numeric OID: {oid[:80]!r}") from None


class WalkGuard:
    """Checks one walk's varbinds as they arrive (shared by both engines).

    Args:
        root: the subtree being walked.
        options: limits (``max_rows``, ``max_value_bytes``).
    """

    def __init__(self, root: str, options: SessionOptions) -> None:
        self.root = root.strip(".")
        self.prefix = self.root + "."
        self._skip = len(self.prefix)
        # OIDs of one walk share the root, so only their suffix is parsed and compared
        self.last: tuple[int, ...] = ()
        self.rows = 0
        self.options = options

    def in_tree(self, oid: str) -> bool:
        """True while ``oid`` is still inside the walked subtree."""
        return oid.startswith(self.prefix)

    def accept(self, oid: str, value: Value) -> None:
        """Validate one varbind of the subtree (``in_tree(oid)`` must hold).

        Raises:
            ProtocolError: non-increasing OID, too many rows or an oversized value.
            asyncio.CancelledError: the task was cancelled (time budget) -- see below.
        """
        try:
            current = tuple(map(int, oid[self._skip:].split(".")))
        except ValueError:
            raise ProtocolError(f"not a numeric OID: {oid[:80]!r}") from None
        if current <= self.last:
            raise ProtocolError(
                f"agent returned a non-increasing OID while walking {self.root}: "
                f"{oid} after {self.prefix}{'.'.join(map(str, self.last))}"
            )
        self.last = current
        self.rows += 1
        if self.rows > self.options.max_rows:
            raise ProtocolError(
                f"walk of {self.root} exceeded {self.options.max_rows} varbinds (endless table?)"
            )
        if self.rows % 64 == 0:
            raise_if_cancelling()
        if isinstance(value, bytes | str) and len(value) > self.options.max_value_bytes:
            check_value_size(oid, value, self.options.max_value_bytes)


def raise_if_cancelling() -> None:
    """Re-raise a pending cancellation that ``asyncio.wait_for`` swallowed.

    On Python 3.11, ``wait_for`` returns the result instead of raising when the awaited reply
    and the cancellation arrive together; against a fast agent that is nearly always, so an
    ``asyncio.timeout`` budget around a long walk would never fire. Walk loops call this.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def check_value_size(oid: str, value: Value, limit: int) -> None:
    """Raise ProtocolError when a string value is larger than ``limit`` bytes."""
    if isinstance(value, bytes | str) and len(value) > limit:
        raise ProtocolError(f"value of {oid} is {len(value)} bytes (limit {limit})")


class UndecodableReplyError(ProtocolError):
    """A reply that could not be decoded (truncated, garbled or too big for the engine)."""


def smaller_repetitions(reps: int) -> int | None:
    """The next max-repetitions to try after a GETBULK went unanswered (None: give up).

    25 -> 5 -> 1: a reply that was too big, or that would have carried an object the agent
    cannot encode (seen in the wild: an anonymised index such as ``10.xx.xx.100`` right after
    the table), gets through with fewer repetitions.
    """
    if reps > 5:
        return 5
    if reps > 1:
        return 1
    return None


class SnmpSession(abc.ABC):
    """One SNMP conversation with one agent. Use as ``async with``.

    Implementations raise only ``nms.errors`` exceptions: ``DeviceTimeoutError`` (no answer
    after retries), ``DeviceAuthError`` (v3 USM refusal), ``DeviceUnreachableError`` (ICMP /
    socket errors) and ``ProtocolError`` (garbled or illegal replies).
    """

    engine_name: str = ""

    def __init__(self, options: SessionOptions, auth: SnmpAuth) -> None:
        self.options = options
        self.auth = auth
        self.requests = 0  # PDUs sent, for statistics
        self.varbinds = 0  # varbinds received

    async def __aenter__(self) -> SnmpSession:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Prepare the session (v3 engine discovery happens here)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets."""

    @abc.abstractmethod
    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """GET ``oids`` (split into PDUs as needed); absent objects are left out."""

    @abc.abstractmethod
    async def walk(self, oid: str, max_repetitions: int | None = None) -> list[VarBind]:
        """Walk the subtree under ``oid`` (GETBULK on v2c/v3, GETNEXT on v1)."""


def open_session(engine: str, options: SessionOptions, auth: SnmpAuth) -> SnmpSession:
    """The session class for ``config.snmp.engine`` (``gufo`` or ``pysnmp``).

    Raises:
        ValueError: unknown engine name.
    """
    if engine == "gufo":
        from collectors.snmp.gufo_engine import GufoSession

        return GufoSession(options, auth)
    if engine == "pysnmp":
        from collectors.snmp.pysnmp_engine import PysnmpSession

        return PysnmpSession(options, auth)
    raise ValueError(f"unknown SNMP engine {engine!r} (use gufo or pysnmp)")


ENGINES = ("gufo", "pysnmp")
