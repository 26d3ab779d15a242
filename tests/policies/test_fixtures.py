"""One test per fixture case: tests/fixtures/policies/<check_id>/<case>/ (napalm-style).

``snapshot.json`` is a ``Snapshot.to_dict()`` plus ``samples`` (loaded into the real memory
sink); ``expected_findings.json`` lists every finding the check must give, compared on the keys
it names, ``"..."`` matching anything. Also the contract over every registered check: id,
severity, titles, docstring, and at least one PASS and one FAIL case.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from nms.models import Sample
from nms.registry import sinks
from policies.base import Snapshot
from policies.engine import all_checks, finding_dict, run_checks, select_checks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
MY_PACKS = ("ip_plan", "link_health", "device_health")
CASES = sorted(p for p in FIXTURES.glob("*/*") if (p / "snapshot.json").exists())


def load_snapshot(folder: Path) -> Snapshot:
    """The case's snapshot, its samples written into a fresh memory sink."""
    data = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    sink = sinks.get("memory").from_config(None)  # type: ignore[attr-defined]
    samples = [Sample(s["measurement"], s["tags"], s["fields"], datetime.fromisoformat(s["time"]))
               for s in data.pop("samples", [])]
    if samples:
        sink.write(samples)
    return Snapshot.from_dict(data, sink=sink)


def matches(expected: Any, actual: Any) -> bool:
    if expected == "...":
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, float | int) and isinstance(actual, float | int):
        return abs(expected - actual) < 1e-6
    return bool(expected == actual)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])


def test_case(case: Path) -> None:
    check_id = case.parent.name
    snapshot = load_snapshot(case)
    (check,) = select_checks(all_checks(), ids=[check_id])
    got = [finding_dict(f) for f in run_checks([check], snapshot)]
    expected = json.loads((case / "expected_findings.json").read_text(encoding="utf-8"))
    key = lambda d: (d["device"], d["subject"])  # noqa: E731
    got_keys = sorted(map(key, got))
    assert got_keys == sorted(map(key, expected)), json.dumps(got, ensure_ascii=False, indent=1)
    by_key = {key(g): g for g in got}
    for want in expected:
        have = by_key[key(want)]
        assert matches(want, have), (want, have)
        assert have["reason_en"] and have["reason_zh"], have


def test_every_check_has_pass_and_fail_cases() -> None:
    statuses: dict[str, set[str]] = {}
    for case in CASES:
        for f in json.loads((case / "expected_findings.json").read_text(encoding="utf-8")):
            statuses.setdefault(case.parent.name, set()).add(f["status"])
    for check in all_checks():
        if check.pack not in MY_PACKS:
            continue  # the baseline pack keeps its cases with its config fixtures
        assert {"PASS", "FAIL"} <= statuses.get(check.id, set()), f"{check.id} lacks a PASS or FAIL case"


def test_check_contract() -> None:
    import re

    for check in all_checks():
        assert re.fullmatch(r"[A-Z]+(-[A-Z0-9]+)*-\d{3}", check.id), check.id
        assert check.title_en and check.title_zh and check.pack, check.id
        assert check.severity is not None
        entry = check.describe()
        assert set(entry) >= {"id", "title_en", "title_zh", "severity", "pack", "mlps"}
        if not hasattr(check, "op"):
            assert (type(check).__doc__ or "").strip(), f"{check.id} has no docstring"
