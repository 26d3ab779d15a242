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

import functools
import ipaddress
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
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
    """The latest state of every device plus the plan, so checks can read peers and the plan.

    ``interfaces`` are the *planned* interfaces (import format: ``device``, ``name``,
    ``description``, ``address``); what devices report is in each ``DeviceState.state``.
    The indexes below (``site_chain``, ``link_ends``...) are computed once per snapshot, so
    checks over thousands of devices stay linear.
    """

    devices: dict[str, DeviceState] = field(default_factory=dict)
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> {name, level, parent}
    links: list[dict[str, Any]] = field(default_factory=list)  # planned links (import format)
    ip_blocks: list[dict[str, Any]] = field(default_factory=list)  # IP plan (import format)
    params: dict[str, Any] = field(default_factory=dict)  # thresholds and audit parameters
    sink: Any = None  # time-series reads for link health and availability, when available
    taken: datetime = field(default_factory=utcnow)
    interfaces: list[dict[str, Any]] = field(default_factory=list)  # planned interfaces
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per snapshot under ``key``: shared work of a family of checks."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def param(self, dotted: str, default: Any = None) -> Any:
        """A parameter by dotted path (``thresholds.cpu_percent``)."""
        node: Any = self.params
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    # ---- plan indexes (read-only views; cached per snapshot) -----------------------------

    def site_chain(self, code: str | None) -> list[str]:
        """``code`` and its ancestors' codes, nearest first (township → county → city)."""
        chain: list[str] = []
        seen: set[str] = set()
        while code and code not in seen:
            chain.append(code)
            seen.add(code)
            code = (self.sites.get(code) or {}).get("parent")
        return chain

    def site_at(self, code: str | None, level: str) -> str | None:
        """The code of ``code``'s site or ancestor at ``level`` (``county`` of a township)."""
        for c in self.site_chain(code):
            if (self.sites.get(c) or {}).get("level") == level:
                return c
        return None

    @cached_property
    def blocks(self) -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, dict[str, Any]]]:
        """IP-plan blocks parsed, most specific first (longest-prefix match order)."""
        parsed = []
        for block in self.ip_blocks:
            try:
                parsed.append((ipaddress.ip_network(str(block["prefix"]), strict=False), block))
            except (KeyError, ValueError):
                continue
        parsed.sort(key=lambda nb: -nb[0].prefixlen)
        return parsed

    @cached_property
    def _block_index(self) -> list[tuple[int, int, dict[int, dict[str, Any]]]]:
        """(version, prefix length, {network as int: block}), longest prefixes first."""
        index: dict[tuple[int, int], dict[int, dict[str, Any]]] = {}
        for net, block in self.blocks:
            index.setdefault((net.version, net.prefixlen), {}).setdefault(int(net.network_address), block)
        return [(v, plen, table) for (v, plen), table in sorted(index.items(), key=lambda kv: -kv[0][1])]

    def block_of(self, addr: Any) -> dict[str, Any] | None:
        """The most specific plan block holding ``addr`` (an address or interface), or None.

        One dict lookup per distinct prefix length of the plan (at most 33 for IPv4), so
        30,000 addresses against 10,000 blocks cost milliseconds, not a scan each.
        """
        ip = ipaddress.ip_interface(str(addr)).ip
        value, bits = int(ip), ip.max_prefixlen
        for version, plen, table in self._block_index:
            if version != ip.version:
                continue
            block = table.get(value >> (bits - plen) << (bits - plen) if plen else 0)
            if block is not None:
                return block
        return None

    @cached_property
    def link_ends(self) -> dict[tuple[str, str], tuple[str, str, dict[str, Any]]]:
        """``(device, interface) -> (peer device, peer interface, link)`` for planned links."""
        ends: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {}
        for link in self.links:
            a = (str(link["a_device"]), str(link["a_interface"]))
            b = (str(link["b_device"]), str(link["b_interface"]))
            ends[a] = (b[0], b[1], link)
            ends[b] = (a[0], a[1], link)
        return ends

    @cached_property
    def upstream(self) -> dict[str, str]:
        """Device -> its parent device: the link peer at a higher site (for suppression)."""
        level_rank = {"province": 0, "city": 1, "county": 2, "township": 3}
        parent: dict[str, str] = {}

        def rank(device: str) -> int:
            dev = self.devices.get(device)
            site = dev.device.get("site") if dev else None
            return level_rank.get((self.sites.get(str(site)) or {}).get("level", ""), 9)

        for link in self.links:
            a, b = str(link["a_device"]), str(link["b_device"])
            if rank(a) < rank(b):
                parent.setdefault(b, a)
            elif rank(b) < rank(a):
                parent.setdefault(a, b)
        return parent

    # ---- serialisation (test fixtures: tests/fixtures/policies/<id>/<case>/snapshot.json) -

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form without the sink (samples are exported by the caller)."""
        return {
            "taken": self.taken.isoformat(),
            "params": self.params,
            "sites": self.sites,
            "devices": {name: {"device": d.device, "state": d.state,
                               **({"config_text": d.config_text} if d.config_text else {}),
                               **({"collected": d.collected.isoformat()} if d.collected else {})}
                        for name, d in self.devices.items()},
            "interfaces": self.interfaces,
            "links": self.links,
            "ip_blocks": self.ip_blocks,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], sink: Any = None) -> Snapshot:
        """Rebuild a snapshot written by ``to_dict`` (``taken`` defaults to now)."""
        devices = {}
        for name, d in (data.get("devices") or {}).items():
            device = {"name": name, **(d.get("device") or {})}
            collected = d.get("collected")
            devices[name] = DeviceState(device=device, state=d.get("state") or {},
                                        config_text=d.get("config_text"),
                                        collected=datetime.fromisoformat(collected) if collected else None)
        taken = data.get("taken")
        return cls(devices=devices, sites=data.get("sites") or {}, links=data.get("links") or [],
                   ip_blocks=data.get("ip_blocks") or [], params=data.get("params") or {},
                   interfaces=data.get("interfaces") or [], sink=sink,
                   taken=datetime.fromisoformat(taken) if taken else utcnow())


class _class_or_instance:  # noqa: N801 - used as a decorator, like classmethod
    """Bind a method to the instance when called on one, else to the class (a hybrid)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> Callable[..., Any]:
        target = obj if obj is not None else owner
        return functools.partial(self.func, target)


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

    @_class_or_instance
    def describe(self) -> dict[str, Any]:
        """The catalogue entry (`nms checks list`): id, titles, severity, pack, clause, data.

        Callable on the class (``IpCheck.describe()``, as subclasses' classmethods do through
        ``super()``) and on an instance (rule checks keep their attributes per instance).
        """
        return {"id": self.id, "title_en": self.title_en, "title_zh": self.title_zh,
                "severity": self.severity.value, "pack": self.pack, "mlps": self.mlps,
                "needs": list(self.needs), "kind": "rule" if hasattr(self, "op") else "class",
                "description": (type(self).__doc__ or "").strip().split("\n")[0]
                if not hasattr(self, "op") else self.title_en}
