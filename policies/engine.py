"""Run checks over a snapshot and collect findings, never letting one check stop the rest.

Class checks come from ``nms.registry.checks`` (entry-point group ``nms.checks``), rule checks
from the YAML packs. A check that raises yields one ERROR finding naming the exception; the
others still run. ``summarize`` counts findings per status, pack and device for the CLI.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nms.models import Finding, FindingStatus
from nms.registry import checks as check_registry
from policies.base import Check, Snapshot
from policies.rules import builtin_packs

log = logging.getLogger(__name__)


def all_checks() -> list[Check]:
    """Every registered class check (instantiated) and every rule of the built-in packs."""
    found: list[Check] = []
    for _name, plugin in check_registry.items():
        found.append(plugin() if isinstance(plugin, type) else plugin)  # type: ignore[arg-type]
    found.extend(builtin_packs())
    ids = Counter(c.id for c in found)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise ValueError(f"duplicate check ids: {', '.join(sorted(dupes))}")
    return sorted(found, key=lambda c: c.id)


def select_checks(checks: Iterable[Check], *, pack: str | None = None,
                  ids: Iterable[str] | None = None) -> list[Check]:
    """Filter by pack and/or check ids (unknown ids are an error, not silently nothing)."""
    chosen = [c for c in checks if pack is None or c.pack == pack]
    if ids:
        wanted = set(ids)
        unknown = wanted - {c.id for c in chosen}
        if unknown:
            raise KeyError(f"unknown check id(s): {', '.join(sorted(unknown))}")
        chosen = [c for c in chosen if c.id in wanted]
    return chosen


def run_checks(checks: Iterable[Check], snapshot: Snapshot,
               timings: dict[str, float] | None = None) -> list[Finding]:
    """Evaluate every check; a crashing check gives an ERROR finding instead of stopping the run.

    Findings a check yielded before it crashed are kept (they were judged); the ERROR finding
    says the rest could not be. ``timings``, when given, receives seconds spent per pack.
    """
    findings: list[Finding] = []
    for check in checks:
        t0 = time.perf_counter()
        produced: list[Finding] = []
        try:
            for finding in check.evaluate(snapshot):
                produced.append(finding)
        except Exception as exc:  # noqa: BLE001 - per-check failure is a value (style.md 2.8)
            log.exception("check %r failed", check.id)
            produced.append(check.finding("", "", FindingStatus.ERROR,
                                          f"check failed: {type(exc).__name__}: {exc}",
                                          f"检查执行失败：{type(exc).__name__}: {exc}"))
        findings.extend(produced)
        if timings is not None:
            timings[check.pack or "?"] = timings.get(check.pack or "?", 0.0) + time.perf_counter() - t0
    return findings


@dataclass
class Summary:
    """Counts of findings for a run."""

    by_status: Counter[str] = field(default_factory=Counter)
    by_check: dict[str, Counter[str]] = field(default_factory=dict)
    by_pack: dict[str, Counter[str]] = field(default_factory=dict)
    failing_devices: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"by_status": dict(self.by_status),
                "by_check": {k: dict(v) for k, v in sorted(self.by_check.items())},
                "by_pack": {k: dict(v) for k, v in self.by_pack.items()},
                "failing_devices": sorted(self.failing_devices)}


def summarize(findings: Iterable[Finding], checks: Iterable[Check]) -> Summary:
    """Count findings per status and per pack."""
    pack_of = {c.id: c.pack for c in checks}
    summary = Summary()
    for f in findings:
        summary.by_status[f.status.value] += 1
        summary.by_pack.setdefault(pack_of.get(f.check_id, "?"), Counter())[f.status.value] += 1
        summary.by_check.setdefault(f.check_id, Counter())[f.status.value] += 1
        if f.status is FindingStatus.FAIL:
            summary.failing_devices.add(f.device)
    return summary


def exit_code(findings: Iterable[Finding]) -> int:
    """1 when any finding is FAIL or ERROR (the CLI's exit code), else 0."""
    bad = (FindingStatus.FAIL, FindingStatus.ERROR)
    return 1 if any(f.status in bad for f in findings) else 0


def finding_dict(f: Finding) -> dict[str, Any]:
    """A finding as a JSON-friendly dict (CLI ``--format json``, fixtures, the console)."""
    return {"check_id": f.check_id, "device": f.device, "subject": f.subject,
            "status": f.status.value, "severity": f.severity.value,
            "reason_en": f.reason_en, "reason_zh": f.reason_zh,
            "observed": f.observed, "expected": f.expected, "evidence": f.evidence}
