"""Link health (``LINK-0xx``): planned links judged from stored samples against per-tier limits.

Inputs:
  * planned links (``a_device``/``a_interface``/``b_device``/``b_interface``, ``tier`` core /
    county / township, ``bandwidth_mbps`` -- the contracted rate, which beats the port speed
    for utilisation because a township line is often 20 Mbit/s on a GE port);
  * ``interface`` samples (``collectors/snmp/samples.py``: tags ``device``, ``ifname``; raw
    counters ``in_octets``/``out_octets``/``in_errors``/``out_errors``/``in_discards``/
    ``out_discards``, ``counter_bits``, ``oper_status``, ``speed_bps``, ``last_change_ticks``);
  * ``probe`` samples (``collectors/probe``: tags ``device`` = the probed device, ``kind``...;
    fields ``loss_percent``, ``rtt_avg_ms``) and ``poll_status`` samples (``Sink.availability``);
  * thresholds (``nms.config.Thresholds``): per-tier utilisation, probe loss and latency SLA,
    availability target; error/discard rates; flap count and window; the windows below.

Rates come from counter deltas (``nms.rates``: 32-bit wraps, resets give no rate). Each link
gets one finding per check, attributed to its ``a_device`` with subject
``"<a_if> <-> <b_device>:<b_if>"``; without a sink or without samples a link is NEEDS_REVIEW,
never PASS. MLPS 2.0 8.1.2.1 b (bandwidth for peak demand) and 8.1.10.2 c (central monitoring
of links and devices).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from nms.models import Finding, FindingStatus, Sample, Severity
from nms.rates import counter_delta
from nms.registry import checks
from policies.base import Check, Snapshot
from policies.views import interfaces

PACK = "link_health"
IF_FIELDS = ("in_octets", "out_octets", "in_errors", "out_errors", "in_discards", "out_discards",
             "counter_bits", "oper_status", "speed_bps", "last_change_ticks")
DEFAULT_WINDOW_S = 86400
DEFAULT_PROBE_WINDOW_S = 3600


def p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile (InfluxQL ``percentile(f, 95)``, as the sinks compute it)."""
    if not values:
        return None
    ordered = sorted(values)
    i = math.floor(len(ordered) * 0.95 + 0.5) - 1
    return ordered[min(max(i, 0), len(ordered) - 1)]


@dataclass
class IfaceSeries:
    """Derived per-interval figures of one interface over the window."""

    points: int = 0
    util: list[float] = field(default_factory=list)  # percent per interval (max of in/out)
    error_rate: float | None = None  # (in+out) errors per second over the window
    discard_rate: float | None = None
    oper: list[tuple[Any, str]] = field(default_factory=list)  # (time, oper_status)
    last_changes: list[tuple[Any, int]] = field(default_factory=list)
    last_oper: str | None = None


def _series(samples: list[Sample], capacity_bps: float | None) -> IfaceSeries:
    """Turn one interface's raw samples (time-sorted) into utilisation and rates."""
    out = IfaceSeries(points=len(samples))
    errors = discards = 0
    span = 0.0
    prev: Sample | None = None
    for s in samples:
        f = s.fields
        if "oper_status" in f:
            out.oper.append((s.time, str(f["oper_status"])))
            out.last_oper = str(f["oper_status"])
        if "last_change_ticks" in f:
            out.last_changes.append((s.time, int(f["last_change_ticks"])))  # type: ignore[arg-type]
        if prev is not None:
            dt = (s.time - prev.time).total_seconds()
            bits = int(f.get("counter_bits", 64))  # type: ignore[arg-type]
            pf = prev.fields
            if dt > 0:
                cap = capacity_bps or float(f.get("speed_bps") or 0) or None  # type: ignore[arg-type]
                port = float(f.get("speed_bps") or 0)  # type: ignore[arg-type]
                rates = []
                for key in ("in_octets", "out_octets"):
                    if key in f and key in pf:
                        d = counter_delta(int(pf[key]), int(f[key]), bits)  # type: ignore[arg-type]
                        if d is not None and (not port or d * 8 / dt <= port * 1.05):
                            rates.append(d * 8 / dt)
                if rates and cap:
                    out.util.append(100.0 * max(rates) / cap)
                ok = True
                e = dd = 0
                for key in ("in_errors", "out_errors", "in_discards", "out_discards"):
                    if key in f and key in pf:
                        d = counter_delta(int(pf[key]), int(f[key]), 32)  # type: ignore[arg-type]
                        if d is None or d > (1 << 31):  # a reset, not traffic
                            ok = False
                            break
                        if key.endswith("errors"):
                            e += d
                        else:
                            dd += d
                if ok:
                    errors += e
                    discards += dd
                    span += dt
        prev = s
    if span > 0:
        out.error_rate = errors / span
        out.discard_rate = discards / span
    return out


def link_key(link: dict[str, Any]) -> tuple[str, str, str, str]:
    """``(a_device, a_interface, b_device, b_interface)``."""
    return (str(link["a_device"]), str(link["a_interface"]), str(link["b_device"]),
            str(link["b_interface"]))


def subject_of(link: dict[str, Any]) -> str:
    """The finding subject of a link: ``"<a_if> <-> <b_device>:<b_if>"``."""
    a_dev, a_if, b_dev, b_if = link_key(link)
    return f"{a_if} <-> {b_dev}:{b_if}"


def interface_series(snapshot: Snapshot) -> dict[tuple[str, str], IfaceSeries] | None:
    """Per linked ``(device, ifname)``, the figures over ``thresholds.link_window_s`` (memoised).

    One sink query covers every linked device, so thousands of links cost one read. None when
    the snapshot has no sink.
    """

    def compute() -> dict[tuple[str, str], IfaceSeries] | None:
        if snapshot.sink is None:
            return None
        window = int(snapshot.param("thresholds.link_window_s", DEFAULT_WINDOW_S))
        flap_window = int(snapshot.param("thresholds.flap_window_s", 600))
        start = snapshot.taken - timedelta(seconds=max(window, flap_window))
        wanted: dict[tuple[str, str], float | None] = {}
        for link in snapshot.links:
            a_dev, a_if, b_dev, b_if = link_key(link)
            cap = float(link["bandwidth_mbps"]) * 1e6 if link.get("bandwidth_mbps") else None
            wanted[(a_dev, a_if)] = cap
            wanted[(b_dev, b_if)] = cap
        devices = sorted({d for d, _i in wanted})
        grouped: dict[tuple[str, str], list[Sample]] = defaultdict(list)
        if devices:
            for s in snapshot.sink.query("interface", tags={"device": devices}, fields=list(IF_FIELDS),
                                         start=start, end=snapshot.taken + timedelta(microseconds=1)):
                key = (s.tags.get("device", ""), s.tags.get("ifname", ""))
                if key in wanted:
                    grouped[key].append(s)
        return {key: _series(sorted(rows, key=lambda s: s.time), wanted[key])
                for key, rows in grouped.items()}

    return snapshot.memo("link.series", compute)  # type: ignore[no-any-return]


class LinkCheck(Check):
    """One finding per planned link; subclasses judge the two ends' series."""

    pack = PACK
    mlps = "8.1.10.2 c"
    needs = ("samples: interface",)

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        table = interface_series(snapshot)
        for link in snapshot.links:
            a_dev, a_if, b_dev, b_if = link_key(link)
            subject = subject_of(link)
            tier = str(link.get("tier", "township"))
            if table is None:
                yield self.finding(a_dev, subject, FindingStatus.NEEDS_REVIEW,
                                   "no time-series store configured: no samples to judge",
                                   "未配置时序数据库，没有可供判断的采样数据", tier=tier)
                continue
            ends = {f"{d}:{i}": table[(d, i)] for d, i in ((a_dev, a_if), (b_dev, b_if))
                    if (d, i) in table}
            yield from self.judge(link, a_dev, subject, tier, ends, snapshot)

    def judge(self, link: dict[str, Any], device: str, subject: str, tier: str,
              ends: dict[str, IfaceSeries], snapshot: Snapshot) -> Iterator[Finding]:
        """Findings for one link from the series of the ends that have samples."""
        raise NotImplementedError
        yield  # pragma: no cover

    def no_data(self, device: str, subject: str, what_en: str, what_zh: str) -> Finding:
        """NEEDS_REVIEW: too few samples at either end."""
        return self.finding(device, subject, FindingStatus.NEEDS_REVIEW,
                            f"not enough samples for {what_en} at either end of the link",
                            f"链路两端均无足够的{what_zh}采样数据")

    def tier_limit(self, snapshot: Snapshot, name: str, tier: str) -> float:
        """A per-tier threshold (``thresholds.<name>.<tier>``), KeyError naming it when unset."""
        limits = snapshot.param(f"thresholds.{name}") or {}
        if tier not in limits:
            raise KeyError(f"thresholds.{name} has no value for tier {tier!r}")
        return float(limits[tier])


class _Utilisation(LinkCheck):
    statistic = "mean"
    severity = Severity.MAJOR
    mlps = "8.1.2.1 b"

    def judge(self, link: dict[str, Any], device: str, subject: str, tier: str,
              ends: dict[str, IfaceSeries], snapshot: Snapshot) -> Iterator[Finding]:
        limit = self.tier_limit(snapshot, "link_utilisation_percent", tier)
        values = {}
        for end, series in ends.items():
            if series.util:
                v = (sum(series.util) / len(series.util)) if self.statistic == "mean" else p95(series.util)
                values[end] = round(float(v), 2)  # type: ignore[arg-type]
        if not values:
            yield self.no_data(device, subject, "utilisation", "利用率")
            return
        worst_end = max(values, key=lambda k: values[k])
        worst = values[worst_end]
        label = "average" if self.statistic == "mean" else "95th percentile"
        label_zh = "平均" if self.statistic == "mean" else "95 百分位"
        status = FindingStatus.PASS if worst <= limit else FindingStatus.FAIL
        yield self.finding(device, subject, status,
                           f"{label} utilisation {worst}% at {worst_end} ({tier} limit {limit}%)",
                           f"{worst_end} {label_zh}利用率 {worst}%（{tier} 级阈值 {limit}%）",
                           observed=values, expected={"max": limit}, tier=tier)


@checks.register
class LinkUtilisationAverage(_Utilisation):
    """Average utilisation of a link over the window exceeds its tier's threshold."""

    id = "LINK-001"
    title_en = "Link average utilisation within tier threshold"
    title_zh = "链路平均利用率未超过分级阈值"
    statistic = "mean"


@checks.register
class LinkUtilisationP95(_Utilisation):
    """95th-percentile utilisation of a link over the window exceeds its tier's threshold."""

    id = "LINK-002"
    title_en = "Link 95th-percentile utilisation within tier threshold"
    title_zh = "链路 95 百分位利用率未超过分级阈值"
    statistic = "p95"
    severity = Severity.MINOR


class _Rate(LinkCheck):
    attr = "error_rate"
    threshold = "error_rate_per_s"
    what_en, what_zh = "errors", "错包"

    def judge(self, link: dict[str, Any], device: str, subject: str, tier: str,
              ends: dict[str, IfaceSeries], snapshot: Snapshot) -> Iterator[Finding]:
        limit = float(snapshot.param(f"thresholds.{self.threshold}"))
        values = {end: round(getattr(s, self.attr), 4) for end, s in ends.items()
                  if getattr(s, self.attr) is not None}
        if not values:
            yield self.no_data(device, subject, self.what_en, self.what_zh)
            return
        worst_end = max(values, key=lambda k: values[k])
        worst = values[worst_end]
        status = FindingStatus.PASS if worst <= limit else FindingStatus.FAIL
        yield self.finding(device, subject, status,
                           f"{self.what_en} {worst}/s at {worst_end} (limit {limit}/s)",
                           f"{worst_end} {self.what_zh}速率 {worst}/秒（阈值 {limit}/秒）",
                           observed=values, expected={"max": limit}, tier=tier)


@checks.register
class LinkErrorRate(_Rate):
    """Input plus output errors per second on either end of a link exceed the threshold."""

    id = "LINK-003"
    title_en = "Link error rate within threshold"
    title_zh = "链路错包率未超过阈值"
    severity = Severity.MAJOR


@checks.register
class LinkDiscardRate(_Rate):
    """Input plus output discards per second on either end of a link exceed the threshold."""

    id = "LINK-004"
    title_en = "Link discard rate within threshold"
    title_zh = "链路丢弃率未超过阈值"
    severity = Severity.MINOR
    attr = "discard_rate"
    threshold = "discard_rate_per_s"
    what_en, what_zh = "discards", "丢弃"


@checks.register
class LinkFlapping(LinkCheck):
    """An end of a link changed operational state N times within the flap window."""

    id = "LINK-005"
    title_en = "Link not flapping"
    title_zh = "链路无频繁振荡"
    severity = Severity.MAJOR

    def judge(self, link: dict[str, Any], device: str, subject: str, tier: str,
              ends: dict[str, IfaceSeries], snapshot: Snapshot) -> Iterator[Finding]:
        limit = int(snapshot.param("thresholds.flap_changes", 4))
        window = int(snapshot.param("thresholds.flap_window_s", 600))
        since = snapshot.taken - timedelta(seconds=window)
        counts: dict[str, int] = {}
        for end, s in ends.items():
            states = [st for t, st in s.oper if t >= since]
            seen = sum(1 for a, b in zip(states, states[1:], strict=False) if a != b)
            ticks = [v for t, v in s.last_changes if t >= since]
            # ifLastChange moves on every change, also between polls where oper looks the same
            moved = sum(1 for a, b in zip(ticks, ticks[1:], strict=False) if a != b)
            if states or ticks:
                counts[end] = max(seen, moved)
        if not counts:
            yield self.no_data(device, subject, "state changes", "状态")
            return
        worst_end = max(counts, key=lambda k: counts[k])
        worst = counts[worst_end]
        status = FindingStatus.PASS if worst < limit else FindingStatus.FAIL
        yield self.finding(device, subject, status,
                           f"{worst} state changes at {worst_end} in {window} s (limit {limit})",
                           f"{worst_end} 在 {window} 秒内状态变化 {worst} 次（阈值 {limit} 次）",
                           observed=counts, expected={"max": limit - 1}, tier=tier)


@checks.register
class LinkDown(Check):
    """A planned link is down: either end reports oper status down (state first, else the last sample)."""

    id = "LINK-006"
    title_en = "Planned link is up"
    title_zh = "规划链路处于 up 状态"
    severity = Severity.CRITICAL
    pack = PACK
    mlps = "8.1.2.1 e"
    needs = ("interfaces",)

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        by_dev: dict[str, dict[str, bool | None]] = {}
        for name, dev in snapshot.devices.items():
            if dev.state.get("interfaces") is not None:
                by_dev[name] = {v.name: v.is_up for v in interfaces(dev.state)}
        table = interface_series(snapshot) if snapshot.sink is not None else None
        for link in snapshot.links:
            a_dev, a_if, b_dev, b_if = link_key(link)
            subject = subject_of(link)
            status_of: dict[str, str] = {}
            for d, i in ((a_dev, a_if), (b_dev, b_if)):
                up = by_dev.get(d, {}).get(i)
                if up is not None:
                    status_of[f"{d}:{i}"] = "up" if up else "down"
                elif table is not None and (d, i) in table and table[(d, i)].last_oper:
                    status_of[f"{d}:{i}"] = str(table[(d, i)].last_oper)
            if not status_of:
                yield self.finding(a_dev, subject, FindingStatus.NEEDS_REVIEW,
                                   "no interface status from either end", "两端均无接口状态数据",
                                   tier=link.get("tier"))
                continue
            down = sorted(end for end, st in status_of.items() if st != "up")
            if down:
                yield self.finding(a_dev, subject, FindingStatus.FAIL,
                                   f"link down: {', '.join(f'{e} {status_of[e]}' for e in down)}",
                                   f"链路中断：{'、'.join(f'{e} {status_of[e]}' for e in down)}",
                                   observed=status_of, expected="up", tier=link.get("tier"))
            else:
                yield self.finding(a_dev, subject, FindingStatus.PASS, "both ends up", "两端均为 up",
                                   observed=status_of, expected="up", tier=link.get("tier"))


def probe_stats(snapshot: Snapshot) -> dict[str, dict[str, float]] | None:
    """Per probed device, mean ``loss_percent`` and ``rtt_ms`` over the probe window (memoised)."""

    def compute() -> dict[str, dict[str, float]] | None:
        if snapshot.sink is None:
            return None
        window = int(snapshot.param("thresholds.probe_window_s", DEFAULT_PROBE_WINDOW_S))
        targets = sorted({str(lk["b_device"]) for lk in snapshot.links}
                         | {str(lk["a_device"]) for lk in snapshot.links})
        sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"loss_percent": [], "rtt_ms": []})
        if targets:
            for s in snapshot.sink.query("probe", tags={"device": targets},
                                         fields=["loss_percent", "rtt_avg_ms", "rtt_ms"],
                                         start=snapshot.taken - timedelta(seconds=window),
                                         end=snapshot.taken + timedelta(microseconds=1)):
                for key, field_name in (("loss_percent", "loss_percent"), ("rtt_ms", "rtt_avg_ms"),
                                        ("rtt_ms", "rtt_ms")):
                    value = s.fields.get(field_name)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        sums[s.tags.get("device", "")][key].append(float(value))
        return {dev: {k: round(sum(v) / len(v), 3) for k, v in stats.items() if v}
                for dev, stats in sums.items()}

    return snapshot.memo("link.probes", compute)  # type: ignore[no-any-return]


class _Probe(LinkCheck):
    field_name = "loss_percent"
    threshold = "probe_loss_percent"
    what_en, what_zh, unit = "probe loss", "探测丢包率", "%"
    needs = ("samples: probe",)

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        stats = probe_stats(snapshot)
        for link in snapshot.links:
            a_dev, _a_if, b_dev, _b_if = link_key(link)
            subject = subject_of(link)
            tier = str(link.get("tier", "township"))
            if stats is None:
                yield self.finding(a_dev, subject, FindingStatus.NEEDS_REVIEW,
                                   "no time-series store configured: no probe results",
                                   "未配置时序数据库，没有探测结果", tier=tier)
                continue
            # the far (downstream) end is what the probe across this link reaches
            value = (stats.get(b_dev) or {}).get(self.field_name)
            if value is None:
                yield self.no_data(a_dev, subject, self.what_en, self.what_zh)
                continue
            limit = self.tier_limit(snapshot, self.threshold, tier)
            status = FindingStatus.PASS if value <= limit else FindingStatus.FAIL
            yield self.finding(a_dev, subject, status,
                               f"{self.what_en} to {b_dev} {value}{self.unit} ({tier} SLA {limit}{self.unit})",
                               f"到 {b_dev} 的{self.what_zh} {value}{self.unit}（{tier} 级 SLA {limit}{self.unit}）",
                               observed=value, expected={"max": limit}, tier=tier, target=b_dev)


@checks.register
class ProbeLoss(_Probe):
    """Packet loss of probes across a link exceeds its tier's SLA."""

    id = "LINK-007"
    title_en = "Probe loss within tier SLA"
    title_zh = "探测丢包率满足分级 SLA"
    severity = Severity.MAJOR


@checks.register
class ProbeLatency(_Probe):
    """Round-trip time of probes across a link exceeds its tier's SLA."""

    id = "LINK-008"
    title_en = "Probe latency within tier SLA"
    title_zh = "探测时延满足分级 SLA"
    severity = Severity.MINOR
    field_name = "rtt_ms"
    threshold = "probe_latency_ms"
    what_en, what_zh, unit = "probe latency", "探测时延", " ms"


@checks.register
class DeviceAvailability(Check):
    """A device's reachability (poll_status) over the availability window is below its tier's target."""

    id = "LINK-009"
    title_en = "Device availability meets tier target"
    title_zh = "设备可用率达到分级目标"
    severity = Severity.MAJOR
    pack = PACK
    mlps = "8.1.10.2 c"
    needs = ("samples: poll_status",)

    def evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:
        tier_of: dict[str, str] = {}
        for link in snapshot.links:
            a_dev, _ai, b_dev, _bi = link_key(link)
            tier = str(link.get("tier", "township"))
            up = snapshot.upstream
            for dev in (a_dev, b_dev):
                if dev in up and (up[dev] in (a_dev, b_dev)):
                    tier_of[dev] = tier  # the tier of its uplink
            tier_of.setdefault(a_dev, tier)
        names = sorted(n for n in snapshot.devices if n in tier_of)
        if snapshot.sink is None:
            for n in names:
                yield self.finding(n, "", FindingStatus.NEEDS_REVIEW,
                                   "no time-series store configured", "未配置时序数据库")
            return
        window = int(snapshot.param("thresholds.availability_window_s", 30 * 86400))
        start = snapshot.taken - timedelta(seconds=window)
        every = timedelta(seconds=max(window // 288, 300))
        table = snapshot.sink.availability(start, snapshot.taken, every, devices=names) if names else {}
        targets = snapshot.param("thresholds.availability_target_percent") or {}
        for n in names:
            values = [v for _t, v in table.get(n, []) if v is not None]
            if not values:
                yield self.finding(n, "", FindingStatus.NEEDS_REVIEW,
                                   "no poll results in the window", "窗口内没有轮询结果")
                continue
            pct = round(100.0 * sum(values) / len(values), 3)
            target = float(targets.get(tier_of[n], 99.0))
            status = FindingStatus.PASS if pct >= target else FindingStatus.FAIL
            yield self.finding(n, "", status,
                               f"available {pct}% over {window // 86400} d ({tier_of[n]} target {target}%)",
                               f"{window // 86400} 天可用率 {pct}%（{tier_of[n]} 级目标 {target}%）",
                               observed=pct, expected={"min": target}, tier=tier_of[n])
