"""A recorded walk as an SNMP peer: replays ``snmpwalk -On`` output through the engine interface.

``RecordedSession`` implements :class:`collectors.snmp.engine.SnmpSession` over a ``walk.txt``
(net-snmp's ``snmpbulkwalk -On -Oe`` output: ``.OID = TYPE: value``), so the fixture tests run
the real collector -- planning, walking with the shared WalkGuard, decoding, state, hooks,
samples -- without a network. Types map to the engine value contract (STRING/Hex-STRING ->
bytes, OID/IpAddress -> str, numbers -> int).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from pathlib import Path

from collectors.snmp.engine import SessionOptions, SnmpSession, Value, VarBind, WalkGuard
from nms.config import SnmpAuth

_LINE = re.compile(r"^\.?(\d+(?:\.\d+)+) = (?:([\w-]+): ?)?(.*)$")


def _unquote(text: str) -> bytes:
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        text = text[1:-1]
    return text.replace('\\"', '"').replace("\\\\", "\\").encode("utf-8")


def parse_walk(text: str) -> dict[str, Value]:
    """``snmpwalk -On`` output -> {oid: value} (continuation lines joined)."""
    rows: list[tuple[str, str | None, str]] = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3)))
        elif rows:  # a multi-line string or hex dump continues
            oid, kind, value = rows[-1]
            rows[-1] = (oid, kind, value + ("\n" if kind == "STRING" else " ") + line.strip())
    out: dict[str, Value] = {}
    for oid, kind, raw in rows:
        if kind in ("STRING", None):
            out[oid] = _unquote(raw)
        elif kind == "Hex-STRING":
            out[oid] = bytes.fromhex(raw.replace(" ", ""))
        elif kind == "OID":
            out[oid] = raw.lstrip(".")
        elif kind == "IpAddress":
            out[oid] = raw
        elif kind == "Timeticks":
            out[oid] = int(raw.split("(", 1)[1].split(")", 1)[0])
        elif kind in ("INTEGER", "Counter32", "Counter64", "Gauge32", "Unsigned32"):
            out[oid] = int(raw.split("(")[-1].rstrip(")")) if "(" in raw else int(raw.split()[0])
        else:
            raise ValueError(f"unsupported type {kind} at {oid}")
    return out


class RecordedSession(SnmpSession):
    """Serves GET and walks from a recorded walk."""

    engine_name = "recorded"

    def __init__(self, path: Path, options: SessionOptions, auth: SnmpAuth) -> None:
        super().__init__(options, auth)
        self.values = parse_walk(path.read_text(encoding="utf-8"))
        self.keys = sorted(self.values, key=lambda o: tuple(map(int, o.split("."))))
        self._sort = [tuple(map(int, o.split("."))) for o in self.keys]

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        got = {o: self.values[o] for o in oids if o in self.values}
        self.varbinds += len(got)
        return got

    async def walk(self, oid: str, max_repetitions: int | None = None) -> list[VarBind]:
        guard = WalkGuard(oid, self.options)
        start = bisect.bisect_right(self._sort, tuple(map(int, oid.split("."))))
        rows: list[VarBind] = []
        for key in self.keys[start:]:
            if not guard.in_tree(key):
                break
            guard.accept(key, self.values[key])
            rows.append((key, self.values[key]))
        self.varbinds += len(rows)
        return rows
