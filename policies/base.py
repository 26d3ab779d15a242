"""The policy engine's vocabulary: checks, the snapshot they read, and rule packs.

A check turns state into findings. It is registered by id (``IPPLAN-001``, ``LINK-003``,
``BL-AUTH-001``) in ``nms.registry.checks`` with a title in English and Chinese, a severity, the
pack it belongs to, the state it needs and, where it supports one, the MLPS 2.0 (GB/T
22239-2019) clause. Two kinds (style.md 2.4):

* **rules** — plain data in a YAML rule pack (``policies/packs/*.yaml``): a source path into a
  device's snapshot and an operator from ``policies.rules.OPERATORS``;
* **small classes** — logic spanning objects (a prefix outside its site's block, a mask
  mismatch across a link): subclass ``Check`` and implement ``evaluate``.

A check that cannot prove its point says NEEDS_REVIEW; one that does not apply says
NOT_APPLICABLE; one that crashes becomes ERROR (the engine sees to that). None of them is a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from nms.models import Finding, FindingStatus, Severity, utcnow


@dataclass
class DeviceState:
    """Everything known about one device when checks run.

    ``device`` is the inventory row (``Device.as_dict()`` plus ``county``/``township`` site
    codes); ``state`` is keyed by getter name as collectors fill ``PollResult.state``
    (``facts``, ``interfaces``, ``addresses``, ``lldp_neighbors``, ``processors``, ``mempools``…);
    ``config`` is the device's parsed configuration when one was collected (baseline audits).
    """

    device: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    config: Any = None
    config_text: str | None = None
    collected: datetime | None = None

    @property
    def name(self) -> str:
        """The device name."""
        return str(self.device["name"])


@dataclass
class Snapshot:
    """The latest state of every device plus the plan, so checks can read peers and the plan."""

    devices: dict[str, DeviceState] = field(default_factory=dict)
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {name, level, parent}
    links: list[dict[str, Any]] = field(default_factory=list)  # planned links (import format)
    ip_blocks: list[dict[str, Any]] = field(default_factory=list)  # IP plan (import format)
    params: dict[str, Any] = field(default_factory=dict)  # thresholds and audit parameters
    sink: Any = None  # time-series reads for link health and availability, when available
    taken: datetime = field(default_factory=utcnow)

    def param(self, dotted: str, default: Any = None) -> Any:
        """A parameter by dotted path (``thresholds.cpu_percent``)."""
        node: Any = self.params
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


class Check:
    """Base class of every check. Subclasses set the class attributes and ``evaluate``.

    ``evaluate`` yields one finding per subject (a device, an interface, a prefix, a link);
    use ``self.finding(...)`` so id, severity and wording stay consistent.
    """

    id: ClassVar[str] = ""
    title_en: ClassVar[str] = ""
    title_zh: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MINOR
    pack: ClassVar[str] = ""
    mlps: ClassVar[str | None] = None  # e.g. "8.1.2.1 c" (GB/T 22239-2019)
    needs: ClassVar[tuple[str, ...]] = ()  # state keys each device must have
    applies_to: ClassVar[dict[str, list[str]]] = {}  # device field -> allowed values

    def applies(self, dev: DeviceState) -> bool:
        """Whether this check concerns ``dev`` (by role, vendor, platform, zone...)."""
        return all(dev.device.get(k) in allowed for k, allowed in self.applies_to.items())

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        """Yield findings; the default runs ``evaluate_device`` over devices it applies to."""
        for dev in snapshot.devices.values():
            if not self.applies(dev):
                continue
            missing = [k for k in self.needs if dev.state.get(k) is None]
            if missing:
                yield self.finding(dev.name, "", FindingStatus.NEEDS_REVIEW,
                                   f"no data to check: {', '.join(missing)} not collected",
                                   f"缺少检查所需数据：{', '.join(missing)} 未采集")
                continue
            yield from self.evaluate_device(dev, snapshot)

    def evaluate_device(self, dev: DeviceState, snapshot: Snapshot) -> Iterator[Finding]:
        """Findings for one device; checks spanning devices override ``evaluate`` instead."""
        raise NotImplementedError(f"{type(self).__name__} implements neither evaluate nor evaluate_device")
        yield  # pragma: no cover

    def finding(self, device: str, subject: str, status: FindingStatus, reason_en: str,
                reason_zh: str, *, observed: Any = None, expected: Any = None,
                severity: Severity | None = None, **evidence: Any) -> Finding:
        """A finding of this check (severity defaults to the check's)."""
        return Finding(check_id=self.id, device=device, subject=subject, status=status,
                       severity=severity or self.severity, reason_en=reason_en, reason_zh=reason_zh,
                       observed=observed, expected=expected, evidence=evidence)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The catalogue entry (`nms checks list`)."""
        return {"id": cls.id, "title_en": cls.title_en, "title_zh": cls.title_zh,
                "severity": cls.severity.value, "pack": cls.pack, "mlps": cls.mlps}
