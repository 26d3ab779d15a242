"""Recorded walks through the real collector: one test per ``tests/fixtures/snmp/<platform>/<case>``.

Each case folder holds ``walk.txt`` (``snmpbulkwalk -On -Oe`` output) and ``expected.json``:
``{"state": {...}, "sample_counts": {"interface": 2, ...}}``. ``state`` is compared partially
(only the keys given; lists element by element); the string ``"..."`` matches any value.
The walk is replayed by ``tests/collectors/replay.py`` (no network).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from collectors.snmp.collector import SnmpTarget, poll_device
from nms.config import SnmpAuth, SnmpConfig
from nms.models import PollStatus
from tests.collectors.replay import RecordedSession

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "snmp"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case_dir" in metafunc.fixturenames:
        cases = sorted(p.parent for p in FIXTURES.glob("*/*/walk.txt"))
        metafunc.parametrize("case_dir", cases, ids=[f"{c.parent.name}/{c.name}" for c in cases])


def match(expected: Any, got: Any, path: str = "") -> list[str]:
    """Differences between a partial expectation and a value ("..." matches anything)."""
    if expected == "...":
        return []
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected a mapping, got {got!r}"]
        return [d for k, v in expected.items()
                for d in (match(v, got[k], f"{path}.{k}") if k in got else [f"{path}.{k}: missing"])]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {got!r}"[:300]]
        return [d for i, (e, g) in enumerate(zip(expected, got, strict=True))
                for d in match(e, g, f"{path}[{i}]")]
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]


def test_recorded_case(case_dir: Path) -> None:
    expected = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
    target = SnmpTarget(case_dir.name, "192.0.2.1", SnmpAuth(community="public"))
    result = asyncio.run(poll_device(
        target, SnmpConfig(),
        session_factory=lambda options, auth: RecordedSession(case_dir / "walk.txt", options, auth)))
    assert result.status is PollStatus.OK, result.error
    problems = match(expected["state"], result.state, "state")
    assert not problems, "\n".join(problems)
    counts = Counter(s.measurement for s in result.samples)
    assert dict(counts) == expected["sample_counts"]
