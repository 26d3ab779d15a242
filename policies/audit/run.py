"""Run the security-baseline audit: over saved config text, or over the inventory's devices.

Public API (what the CLI, the scheduler and the web console call):

* ``baseline_checks(ids=None)`` — the BL-* check instances (optionally only some ids);
* ``audit_config(data, platform=None, ...)`` — audit one config file/text -> ``DeviceAudit``;
* ``audit_devices(snapshot, checks)`` — audit every device of a ``policies.base.Snapshot``;
* ``finding_row(finding)`` — the flat dict the CLI/JSON/console show: ``check_id``, ``status``,
  ``severity``, ``line``, ``evidence``, ``remediation`` (+ titles, reasons, MLPS clauses);
* ``device_score`` / ``mlps_rollup`` (in ``policies.audit.score``).

Per-device failure is a value: a config that cannot be parsed gives one ERROR finding per
check instead of stopping the run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nms.config import AuditConfig
from nms.models import Finding, FindingStatus, utcnow
from policies.base import DeviceState, Snapshot
from policies.checks.baseline import REGISTRY, BaselineCheck, catalog
from policies.engine import run_checks
from policies.parsers import ParsedConfig, parse_config

CHECK_MODULES = ("policies.checks.baseline", "policies.checks.baseline_services",
                 "policies.checks.baseline_network")


def baseline_checks(ids: Iterable[str] | None = None) -> list[BaselineCheck]:
    """Instances of the BL-* checks, sorted by id; ``ids`` selects some (KeyError on unknown)."""
    for module in CHECK_MODULES:
        importlib.import_module(module)
    wanted = list(ids or [])
    unknown = [i for i in wanted if i not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown check id(s): {', '.join(unknown)} (known: BL-AUTH-001 … see `nms audit --list`)")
    chosen = wanted or sorted(REGISTRY)
    return [REGISTRY[i]() for i in sorted(chosen)]


@dataclass
class DeviceAudit:
    """The audit of one device (or one saved config)."""

    device: str
    platform: str | None
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed: ParsedConfig | None = None

    @property
    def failed(self) -> bool:
        """True when any finding is FAIL."""
        return any(f.status is FindingStatus.FAIL for f in self.findings)


def params_dict(audit: AuditConfig | dict[str, Any] | None) -> dict[str, Any]:
    """``Snapshot.params`` carrying the audit parameters."""
    return {"audit": audit if audit is not None else AuditConfig()}


def audit_config(data: bytes | str, platform: str | None = None, *, source: str = "config",
                 audit: AuditConfig | None = None, checks: list[BaselineCheck] | None = None,
                 live: dict[str, Any] | None = None, role: str | None = None) -> DeviceAudit:
    """Audit one configuration text.

    Raises:
        nms.errors.ParseError: binary/oversized input or an undetectable platform (the CLI
            prints it; use ``audit_devices`` to get ERROR findings instead).
    """
    audit = audit or AuditConfig()
    parsed = parse_config(data, platform, source=source, max_bytes=audit.max_config_mb * 1024 * 1024)
    dev = DeviceState(device={"name": source, "platform": parsed.platform, "role": role},
                      state={"baseline_probes": dict(live or {})}, config=parsed)
    snap = Snapshot(devices={source: dev}, params=params_dict(audit))
    findings = run_checks(checks if checks is not None else baseline_checks(), snap)
    return DeviceAudit(source, parsed.platform, findings, list(parsed.warnings), parsed)


def audit_devices(snapshot: Snapshot, checks: list[BaselineCheck] | None = None) -> dict[str, DeviceAudit]:
    """Audit every device of ``snapshot`` (``DeviceState.config_text`` or ``.config`` set)."""
    findings = run_checks(checks if checks is not None else baseline_checks(), snapshot)
    out = {name: DeviceAudit(name, dev.device.get("platform")) for name, dev in snapshot.devices.items()}
    for f in findings:
        out.setdefault(f.device or "?", DeviceAudit(f.device or "?", None)).findings.append(f)
    for name, dev in snapshot.devices.items():
        if isinstance(dev.config, ParsedConfig):
            out[name].platform = dev.config.platform
            out[name].warnings = list(dev.config.warnings)
            out[name].parsed = dev.config
    return out


def finding_row(f: Finding) -> dict[str, Any]:
    """The flat, JSON-ready form of a finding (``nms audit --format json`` prints a list of these)."""
    ev = f.evidence or {}
    meta = catalog().get(f.check_id, {})
    return {
        "check_id": f.check_id,
        "device": f.device,
        "status": f.status.value,
        "severity": f.severity.value,
        "line": ev.get("line"),
        "evidence": ev.get("text") or "",
        "remediation": list(ev.get("remediation") or []),
        "subject": f.subject,
        "reason_en": f.reason_en,
        "reason_zh": f.reason_zh,
        "title_en": meta.get("title", {}).get("en", ""),
        "title_zh": meta.get("title", {}).get("zh", ""),
        "mlps": list(ev.get("mlps") or meta.get("mlps") or []),
        "file": ev.get("file"),
        "platform": ev.get("platform"),
        "default": bool(ev.get("default")),
        "observed": f.observed,
        "expected": f.expected,
    }


def run_id() -> str:
    """A timestamp id for one audit run (report file names)."""
    return utcnow().strftime("%Y%m%dT%H%M%SZ")
