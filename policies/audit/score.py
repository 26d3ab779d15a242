"""Per-device scores and the MLPS 2.0 roll-up of baseline findings.

Score: each applicable check (its worst status on the device) earns its weight when it passes,
half when it needs review, nothing on FAIL/ERROR; weights follow the catalog severity
(H 3, M 2, L 1); NOT_APPLICABLE checks are left out. 100 = every applicable check passes.

MLPS roll-up (GB/T 22239-2019 clause or GB/T 28448 unit, as the catalog lists them): over every
device and every check mapped to the clause — all NOT_APPLICABLE -> 不适用; all PASS -> 符合;
FAIL/ERROR and no PASS -> 不符合; anything mixed (or review only) -> 部分符合. This mirrors how
an assessor writes 符合/部分符合/不符合/不适用 per 测评项.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nms.models import Finding, FindingStatus
from policies.checks.baseline import catalog

ORDER = [FindingStatus.ERROR, FindingStatus.FAIL, FindingStatus.NEEDS_REVIEW, FindingStatus.PASS,
         FindingStatus.NOT_APPLICABLE]
WEIGHT = {"H": 3, "M": 2, "L": 1}
CREDIT = {FindingStatus.PASS: 1.0, FindingStatus.NEEDS_REVIEW: 0.5, FindingStatus.FAIL: 0.0,
          FindingStatus.ERROR: 0.0}
VERDICTS = {"compliant": "符合", "partial": "部分符合", "noncompliant": "不符合", "na": "不适用"}


def worst(statuses: Iterable[FindingStatus]) -> FindingStatus:
    """The most severe status (ERROR > FAIL > NEEDS_REVIEW > PASS > NOT_APPLICABLE)."""
    found = set(statuses)
    return next((s for s in ORDER if s in found), FindingStatus.NOT_APPLICABLE)


def check_statuses(findings: Iterable[Finding]) -> dict[tuple[str, str], FindingStatus]:
    """(device, check_id) -> worst status."""
    grouped: dict[tuple[str, str], list[FindingStatus]] = {}
    for f in findings:
        grouped.setdefault((f.device, f.check_id), []).append(f.status)
    return {k: worst(v) for k, v in grouped.items()}


def device_score(findings: Iterable[Finding]) -> dict[str, dict[str, Any]]:
    """device -> {score (0-100 or None), counts by status of checks, failed check ids}."""
    per = check_statuses(findings)
    out: dict[str, dict[str, Any]] = {}
    for (device, cid), status in sorted(per.items()):
        entry = out.setdefault(device, {"earned": 0.0, "possible": 0.0, "counts": {}, "failed": []})
        entry["counts"][status.value] = entry["counts"].get(status.value, 0) + 1
        if status is FindingStatus.NOT_APPLICABLE:
            continue
        w = WEIGHT.get(catalog().get(cid, {}).get("severity", "M"), 2)
        entry["possible"] += w
        entry["earned"] += w * CREDIT.get(status, 0.0)
        if status in (FindingStatus.FAIL, FindingStatus.ERROR):
            entry["failed"].append(cid)
    for entry in out.values():
        possible = entry.pop("possible")
        earned = entry.pop("earned")
        entry["score"] = round(100 * earned / possible, 1) if possible else None
    return out


def mlps_rollup(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """One row per MLPS clause: verdict (符合/部分符合/不符合/不适用), checks, devices failing."""
    per = check_statuses(findings)
    clauses: dict[str, dict[str, Any]] = {}
    for (device, cid), status in per.items():
        for clause in catalog().get(cid, {}).get("mlps") or []:
            row = clauses.setdefault(clause, {"clause": clause, "checks": set(), "statuses": [],
                                              "failing_devices": set()})
            row["checks"].add(cid)
            row["statuses"].append(status)
            if status in (FindingStatus.FAIL, FindingStatus.ERROR):
                row["failing_devices"].add(device)
    out = []
    for clause in sorted(clauses, key=_clause_key):
        row = clauses[clause]
        sts = [s for s in row["statuses"] if s is not FindingStatus.NOT_APPLICABLE]
        if not sts:
            key = "na"
        elif all(s is FindingStatus.PASS for s in sts):
            key = "compliant"
        elif not any(s is FindingStatus.PASS for s in sts) and \
                any(s in (FindingStatus.FAIL, FindingStatus.ERROR) for s in sts):
            key = "noncompliant"
        else:
            key = "partial"
        out.append({"clause": clause, "verdict": key, "verdict_zh": VERDICTS[key],
                    "checks": sorted(row["checks"]), "failing_devices": sorted(row["failing_devices"]),
                    "counts": {s.value: sum(1 for x in row["statuses"] if x is s) for s in set(row["statuses"])}})
    return out


def _clause_key(clause: str) -> tuple[int, str]:
    return (1 if clause.startswith("L3-") else 0, clause)
