"""Fetch a :class:`~collectors.snmp.profile.Plan` from one agent and decode it into columns.

Input: an open :class:`~collectors.snmp.engine.SnmpSession` and a plan. Output:
:class:`Collected` -- ``scalars`` (name -> value) and ``columns`` (name -> {index: value}), with
values already decoded to the profile's declared type (strings as ``str``, MACs as 12 hex digits,
enums as names).

A table that fails (a garbled or illegal reply, a wrong type) is recorded in
``Collected.problems`` and the poll goes on with the other tables; a timeout or an auth failure
ends the device's poll (the agent is gone or refuses us) and propagates. Strings are decoded as
UTF-8, then GB18030 (Chinese devices send GBK interface descriptions), then Latin-1.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from collectors.snmp.engine import SnmpSession, Value
from collectors.snmp.profile import Column, Plan
from nms.errors import DeviceAuthError, DeviceTimeoutError, DeviceUnreachableError, ProtocolError

Decoded = str | int | float | None
#: Tables that may fail (unanswered or garbled) before a poll that has not yet walked any table
#: successfully skips the rest. Once one table came through, the agent is alive and each
#: failing table costs only its own timeouts (bounded by the device budget).
MAX_FAILED_TABLES = 3


@dataclass
class Collected:
    """What one poll fetched, decoded, by column name."""

    scalars: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    raw_scalars: dict[str, Value] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def col(self, name: str) -> dict[str, Any]:
        """Values of column ``name`` by index ({} when absent)."""
        return self.columns.get(name, {})

    def get(self, name: str, index: str | None = None) -> Any:
        """A scalar (``index`` None) or one cell of a column; None when absent."""
        if index is None:
            return self.scalars.get(name)
        return self.columns.get(name, {}).get(index)


_TRAILING = " \t\r\n\x00"


def decode_string(raw: bytes) -> str:
    """Octets -> text: UTF-8, else GB18030, else Latin-1; trailing NULs and blanks dropped."""
    raw = raw.rstrip(b"\x00")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec).rstrip(_TRAILING)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1").rstrip(_TRAILING)


def decode_mac(raw: Value) -> str | None:
    """ifPhysAddress-like value -> 12 lowercase hex digits (None when empty).

    Some agents send the MAC as text ("58:69:6c:..."); that form is parsed too.
    """
    if isinstance(raw, str):
        raw = raw.encode()
    if not isinstance(raw, bytes):
        raise TypeError("expected OCTET STRING")
    if not raw:
        return None
    if len(raw) in (12, 14, 17) and all(chr(b) in "0123456789abcdefABCDEF:-. " for b in raw):
        digits = "".join(ch for ch in raw.decode() if ch in "0123456789abcdefABCDEF").lower()
        if len(digits) == 12:
            return digits
    return raw.hex()


def decode(col: Column, raw: Value) -> Decoded:
    """Decode one raw value to ``col.type``.

    Raises:
        TypeError: the agent sent a value of the wrong SNMP type for this column.
    """
    t = col.type
    if t in ("int", "gauge", "counter32", "counter64", "timeticks", "enum"):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError(f"expected an integer, got {type(raw).__name__}")
        if t == "enum":
            assert col.enum is not None
            return col.enum.get(raw, str(raw))
        return raw
    if t == "string":
        if isinstance(raw, bytes):
            return decode_string(raw)
        if isinstance(raw, str):  # an OID or IpAddress where text was expected: keep its text
            return raw
        raise TypeError(f"expected OCTET STRING, got {type(raw).__name__}")
    if t == "mac":
        return decode_mac(raw)
    if t in ("hex", "bytes"):
        if not isinstance(raw, bytes):
            raise TypeError(f"expected OCTET STRING, got {type(raw).__name__}")
        return raw.hex()
    if t == "oid":
        if not isinstance(raw, str):
            raise TypeError(f"expected OBJECT IDENTIFIER, got {type(raw).__name__}")
        return raw
    if t == "ipv4":
        if isinstance(raw, str):
            return raw
        if isinstance(raw, bytes) and len(raw) == 4:
            return ".".join(str(b) for b in raw)
        raise TypeError(f"expected IpAddress, got {type(raw).__name__}")
    raise TypeError(f"unknown column type {t}")


async def fetch(session: SnmpSession, plan: Plan, *, max_repetitions: int | None = None,
                skip_scalars: set[str] | None = None) -> Collected:
    """Fetch every scalar and walk every table of ``plan``.

    Args:
        session: an open session.
        plan: what to fetch.
        max_repetitions: GETBULK max-repetitions (default: the session's).
        skip_scalars: scalar OIDs already fetched (and put in ``prefetched``) by the caller.

    Raises:
        DeviceTimeoutError, DeviceAuthError, DeviceUnreachableError: the agent is gone.
    """
    out = Collected()
    scalars = [c for c in plan.scalars if not skip_scalars or c.oid not in skip_scalars]
    if scalars:
        await fetch_scalars(session, scalars, out)
    failed = 0  # tables that failed before any table succeeded
    succeeded = False
    for root, cols in plan.walks:
        if failed >= MAX_FAILED_TABLES and not succeeded:
            out.problems.append(f"the first {failed} tables failed: remaining walks skipped")
            break
        t0 = time.perf_counter()
        try:
            rows = await session.walk(root, max_repetitions)
        except DeviceTimeoutError as exc:
            # One table the agent never answers (it cannot encode a row, or drops the reply)
            # must not cost the whole poll: if the agent still answers a GET, note and go on.
            if not await _alive(session):
                raise
            failed += 1
            out.problems.append(f"{exc}; the agent answers other requests, table skipped")
            continue
        except (DeviceAuthError, DeviceUnreachableError):
            raise
        except ProtocolError as exc:
            failed += 1
            out.problems.append(f"{exc}; table skipped")
            continue
        succeeded = True
        out.timings[root] = time.perf_counter() - t0
        _distribute(root, cols, rows, out)
    return out


async def _alive(session: SnmpSession) -> bool:
    """True when the agent still answers a GET of sysUpTime.0."""
    try:
        return bool(await session.get(["1.3.6.1.2.1.1.3.0"]))
    except (DeviceTimeoutError, ProtocolError):
        return False


async def fetch_scalars(session: SnmpSession, cols: list[Column], out: Collected) -> None:
    """GET ``cols`` and store them decoded in ``out.scalars``."""
    got = await session.get([c.oid for c in cols])
    for c in cols:
        if c.oid not in got:
            continue
        raw = got[c.oid]
        out.raw_scalars[c.name] = raw
        try:
            out.scalars[c.name] = decode(c, raw)
        except TypeError as exc:
            out.problems.append(f"{c.name} ({c.oid}): wrong type: {exc}")


def _distribute(root: str, cols: list[Column], rows: list[tuple[str, Value]],
                out: Collected) -> None:
    by_oid = {c.oid: c for c in cols}
    if len(cols) == 1 and cols[0].oid == root:
        col = cols[0]
        prefix_len = len(root) + 1
        cells = out.columns.setdefault(col.name, {})
        bad = 0
        for oid, raw in rows:
            try:
                cells[oid[prefix_len:]] = decode(col, raw)
            except TypeError as exc:
                bad += 1
                if bad == 1:
                    out.problems.append(f"{col.name} ({oid}): wrong type: {exc}")
        return
    # a whole entry: <entry>.<column>.<index>
    prefix_len = len(root) + 1
    errors: dict[str, int] = {}
    for oid, raw in rows:
        rest = oid[prefix_len:]
        sub, _, index = rest.partition(".")
        col = by_oid.get(f"{root}.{sub}")
        if col is None or not index:
            continue
        try:
            out.columns.setdefault(col.name, {})[index] = decode(col, raw)
        except TypeError as exc:
            if col.name not in errors:
                out.problems.append(f"{col.name} ({oid}): wrong type: {exc}")
            errors[col.name] = errors.get(col.name, 0) + 1
