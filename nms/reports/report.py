"""Assemble one uptime report (period x scope) and render it: ``build_report``.

Why one model for every format: the PDF bulletin, the XLSX workbook and the CSV tables must show
the same numbers, so they are computed once into an ``UptimeReport`` and the renderers only lay
them out. ``compute_report`` takes its inputs as arguments (inventory, timelines' sink,
maintenance windows...) so tests can hand in constructed data; ``build_report`` wires it to the
real stores from the config.

Scopes: ``city`` (everything), ``county:CODE``, ``township:CODE``, ``device:NAME``. Parents
outside the scope are still read, so a township's parent-down time is recognised even when its
county router is not part of the report.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from nms.errors import NmsError
from nms.models import utcnow
from nms.reports.availability import (
    Availability,
    Outage,
    Timeline,
    classify,
    combine,
    parents_down,
    window_figures,
)
from nms.reports.data import (
    AUTO_SCREEN_POLLS,
    AlarmStats,
    AuditStatus,
    DeviceInfo,
    Inventory,
    LinkInfo,
    MaintenanceWindow,
    expected_polls,
    load_alarm_stats,
    load_audit_status,
    load_inventory,
    load_link_timelines,
    load_maintenance,
    load_poll_timelines,
    load_poll_timelines_screened,
    windows_for,
)
from nms.reports.periods import Period, parse_period

if TYPE_CHECKING:
    from nms.config import Config
    from nms.sink import Sink

log = logging.getLogger(__name__)

__all__ = [
    "DeviceRow", "FORMATS", "GroupRow", "LinkRow", "ReportError", "UptimeReport", "build_report",
    "compute_report", "parse_scope", "render",
]

FORMATS = ("pdf", "xlsx", "csv")
SCOPE_KINDS = ("city", "county", "township", "device")
DEFAULT_TARGETS = {"core": 99.99, "county": 99.9, "township": 99.5}


class ReportError(NmsError):
    """The report cannot be produced as asked (bad scope, unknown format, no CJK font...)."""


def parse_scope(scope: str) -> tuple[str, str]:
    """``"county:GZ01"`` -> ``("county", "GZ01")``; ``"city"`` -> ``("city", "")``.

    Raises:
        ReportError: an unknown kind or a missing code.
    """
    text = (scope or "city").strip()
    kind, _, value = text.partition(":")
    kind = kind.strip().lower()
    value = value.strip()
    if kind not in SCOPE_KINDS:
        raise ReportError(f"unknown scope {scope!r}: use city, county:CODE, township:CODE or "
                          "device:NAME")
    if kind != "city" and not value:
        raise ReportError(f"scope {scope!r} needs a code or name after ':'")
    return kind, value


# ---- the model ---------------------------------------------------------------------------------


@dataclass
class DeviceRow:
    """One device's figures."""

    device: DeviceInfo
    figures: Availability
    target: float
    township_name: str = ""
    county_name: str = ""

    @property
    def verdict(self) -> str:
        """met / missed / indeterminate / n/a."""
        return self.figures.verdict(self.target)


@dataclass
class LinkRow:
    """One link's figures; ``source`` says where its state came from."""

    link: LinkInfo
    figures: Availability
    target: float
    source: str

    @property
    def verdict(self) -> str:
        """met / missed / indeterminate / n/a."""
        return self.figures.verdict(self.target)


@dataclass
class GroupRow:
    """A township, a county or the city: device-time weighted figures of its devices."""

    level: str
    code: str
    name: str
    figures: Availability
    target: float
    devices: int
    devices_missed: int
    devices_indeterminate: int
    parent_name: str = ""

    @property
    def verdict(self) -> str:
        """met / missed / indeterminate / n/a."""
        return self.figures.verdict(self.target)


@dataclass
class UptimeReport:
    """Everything the bulletin shows, computed once for all output formats."""

    period: Period
    scope: str
    scope_kind: str
    scope_name: str
    generated: datetime
    timezone: str
    gap_factor: float
    targets: dict[str, float]
    devices: list[DeviceRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    townships: list[GroupRow] = field(default_factory=list)
    counties: list[GroupRow] = field(default_factory=list)
    total: GroupRow | None = None
    links_total: Availability | None = None
    daily: list[tuple[date, float | None]] = field(default_factory=list)
    alarms: AlarmStats | None = None
    audit: AuditStatus | None = None
    maintenance_available: bool = True
    notes: list[str] = field(default_factory=list)

    def outages(self) -> list[tuple[str, str, Outage]]:
        """Every listed outage: ``(kind, subject label, outage)``, longest own outage first."""
        rows: list[tuple[str, str, Outage]] = []
        for d in self.devices:
            rows.extend(("device", d.device.name, o) for o in d.figures.outages)
        for link in self.links:
            rows.extend(("link", link.link.label, o) for o in link.figures.outages)
        rows.sort(key=lambda r: (-r[2].duration_us, r[2].start, r[1]))
        return rows

    def worst_devices(self, n: int = 10) -> list[DeviceRow]:
        """The ``n`` devices with the lowest availability that had any outage or unknown time."""
        rows = [d for d in self.devices if d.figures.availability is not None
                and (d.figures.outage_us or d.figures.unknown_us)]
        rows.sort(key=lambda d: (d.figures.availability or 0.0, -d.figures.outage_us,
                                 d.device.name))
        return rows[:n]

    def worst_links(self, n: int = 10) -> list[LinkRow]:
        """The ``n`` links with the lowest availability that had any outage or unknown time."""
        rows = [r for r in self.links if r.figures.availability is not None
                and (r.figures.outage_us or r.figures.unknown_us)]
        rows.sort(key=lambda r: (r.figures.availability or 0.0, -r.figures.outage_us,
                                 r.link.label))
        return rows[:n]


# ---- computation -------------------------------------------------------------------------------


def _ranked(rows: list[GroupRow]) -> list[GroupRow]:
    """Best first; groups with nothing measured last."""
    return sorted(rows, key=lambda g: (g.figures.availability is None,
                                       -(g.figures.availability or 0.0), g.code))


def _group(level: str, code: str, name: str, rows: Sequence[DeviceRow], target: float,
           parent_name: str = "") -> GroupRow:
    figures = combine(code, (r.figures for r in rows))
    verdicts = [r.verdict for r in rows]
    return GroupRow(level, code, name, figures, target, len(rows), verdicts.count("missed"),
                    verdicts.count("indeterminate"), parent_name)


def compute_report(inventory: Inventory, period: Period, scope: str, *,
                   device_timelines: Callable[[Mapping[str, int]], Mapping[str, Timeline]],
                   link_timelines: Callable[[Sequence[LinkInfo], Mapping[str, Timeline]],
                                            Mapping[str, tuple[Timeline, str]]] | None = None,
                   maintenance: Sequence[MaintenanceWindow] | None = (),
                   targets: Mapping[str, float] | None = None, gap_factor: float = 2.5,
                   timezone: str = "Asia/Shanghai", alarms: AlarmStats | None = None,
                   audit: AuditStatus | None = None, now: datetime | None = None) -> UptimeReport:
    """Compute the report of ``scope`` over ``period`` from already-loaded inputs.

    Args:
        inventory: sites, devices, links and parents.
        period: the (clipped) period.
        scope: ``city``, ``county:CODE``, ``township:CODE`` or ``device:NAME``.
        device_timelines: called with ``{device: poll interval s}`` (scope devices plus their
            parents), returns their timelines over the period.
        link_timelines: called with the scope's links and the device timelines, returns
            ``{link.key: (timeline, source)}``; None leaves links out.
        maintenance: approved windows; None means "not available" (noted in the report).
        targets: SLA target percent per tier (``thresholds.availability_target_percent``).
        gap_factor: the unknown-gap rule's factor, shown in the rules section.
        timezone: display zone.
        alarms: alarm statistics or None (not available).
        audit: baseline-audit status or None (not available).
        now: generation time (UTC).

    Raises:
        ReportError: the scope names no county, township or device of the inventory.
    """
    kind, value = parse_scope(scope)
    targets = dict(targets or DEFAULT_TARGETS)
    if kind in ("county", "township"):
        site = inventory.sites.get(value)
        if site is None or site.level != kind:
            raise ReportError(f"scope {scope!r}: no {kind} with code {value!r} in the inventory")
        scope_name = site.name
    elif kind == "device":
        if value not in inventory.devices:
            raise ReportError(f"scope {scope!r}: no device {value!r} in the inventory")
        scope_name = value
    else:
        city = next((s for s in inventory.sites.values() if s.level == "city"), None)
        scope_name = city.name if city else ""
    members = inventory.in_scope(kind, value)
    wanted = {d.name for d in members}
    for d in members:
        wanted.update(p for p in inventory.parents.get(d.name, []) if p in inventory.devices)
    timelines = device_timelines({n: inventory.devices[n].interval_s for n in sorted(wanted)})
    windows = list(maintenance or [])
    report = UptimeReport(period=period, scope=scope if kind == "city" else f"{kind}:{value}",
                          scope_kind=kind, scope_name=scope_name, generated=now or utcnow(),
                          timezone=timezone, gap_factor=gap_factor, targets=targets,
                          maintenance_available=maintenance is not None)

    def figures_of(name: str, timeline: Timeline, extra_windows: Iterable[tuple[int, int]] = (),
                   parents: Sequence[str] = ()) -> Availability:
        device = inventory.devices.get(name)
        maint = windows_for(device, windows, inventory) if device else []
        parent_tls = [timelines[p] for p in parents if p in timelines]
        return classify(timeline, [*maint, *extra_windows], parents_down(parent_tls), name)

    sites = inventory.sites
    for d in members:
        tl = timelines[d.name]
        figures = figures_of(d.name, tl, parents=inventory.parents.get(d.name, []))
        report.devices.append(DeviceRow(
            d, figures, targets.get(d.tier, 100.0),
            sites[d.township].name if d.township and d.township in sites else "",
            sites[d.county].name if d.county and d.county in sites else ""))

    # links: a township uplink belongs to the scope of its township device (the lower end)
    if link_timelines is not None:
        if kind == "device":
            scope_links = [k for k in inventory.links if value in (k.a_device, k.b_device)]
        else:
            member_names = {d.name for d in members}
            scope_links = [k for k in inventory.links if k.lower in member_names]
        got = link_timelines(scope_links, timelines)
        for link in scope_links:
            tl, source = got[link.key]
            lower = inventory.devices[link.lower]
            upper = inventory.devices[link.upper]
            maint = [*windows_for(lower, windows, inventory), *windows_for(upper, windows, inventory)]
            # down time while the upper (nearer the city) device is down is that device's
            # outage, whichever source the link's state came from
            parent = [timelines[link.upper]] if link.upper in timelines else []
            figures = classify(tl, maint, parents_down(parent), link.label)
            report.links.append(LinkRow(link, figures, targets.get(link.tier, 100.0), source))
        report.links_total = combine("links", (r.figures for r in report.links))

    # groups: townships and counties of the scope's devices, and the scope as a whole
    by_township: dict[str, list[DeviceRow]] = defaultdict(list)
    by_county: dict[str, list[DeviceRow]] = defaultdict(list)
    for row in report.devices:
        if row.device.township:
            by_township[row.device.township].append(row)
        if row.device.county:
            by_county[row.device.county].append(row)
    report.townships = _ranked([
        _group("township", code, sites[code].name if code in sites else code, rows,
               targets.get("township", 100.0),
               sites[sites[code].parent].name if code in sites and sites[code].parent in sites
               else "")
        for code, rows in by_township.items()])
    report.counties = _ranked([
        _group("county", code, sites[code].name if code in sites else code, rows,
               targets.get("county", 100.0))
        for code, rows in by_county.items()])
    total_target = {"city": "core", "county": "county", "township": "township"}.get(kind)
    if kind == "device" and report.devices:
        total_target = report.devices[0].device.tier
    report.total = _group(kind, value or "city", scope_name, report.devices,
                          targets.get(total_target or "core", 100.0))

    for day, lo, hi in period.days():
        measured, outage = window_figures((r.figures for r in report.devices), _us(lo), _us(hi))
        report.daily.append((day, None if measured == 0 else 100.0 * (measured - outage) / measured))
    report.alarms = alarms
    report.audit = audit
    if maintenance is None:
        report.notes.append("maint_missing")
    return report


def _us(t: datetime) -> int:
    from nms.sink import to_us

    return to_us(t)


# ---- wiring to the stores ------------------------------------------------------------------


def report_from_config(config: Config, period: str | Period, scope: str = "city", *,
                       sink: Sink | None = None, inventory: Inventory | None = None,
                       now: datetime | None = None, mode: str = "auto",
                       progress: Callable[[int, int], None] | None = None) -> UptimeReport:
    """Load everything from the configured stores and compute the report.

    Args:
        config: the loaded config.
        period: a period string (read in ``config.timezone``) or a ``Period``.
        scope: see ``parse_scope``.
        sink: an open sink to read (default: ``open_sink(config, spool=False)``, closed after).
        inventory: the inventory (default: read from ``config.database_url``).
        now: "now" for clipping a running period (default: the clock).
        mode: how polls are read: ``exact`` (every poll), ``screened`` (hourly screening in
            the store, raw polls where something happened; see
            ``data.load_poll_timelines_screened``) or ``auto`` (screened above
            ``data.AUTO_SCREEN_POLLS`` expected polls).
        progress: device-loading progress callback ``(done, total)``.
    """
    if mode not in ("auto", "exact", "screened"):
        raise ReportError(f"unknown loader mode {mode!r} (auto, exact, screened)")
    now = now or utcnow()
    per = period if isinstance(period, Period) else parse_period(period, config.timezone)
    per = per.clip(now)
    inv = inventory if inventory is not None else load_inventory(config)
    rcfg = _reports_config(config)
    gap = float(getattr(rcfg, "gap_factor", 2.5))
    collector = getattr(rcfg, "collector", None)
    start, end = _us(per.start), _us(per.end)
    own_sink = sink is None
    if sink is None:
        from nms.sink import open_sink

        sink = open_sink(config, spool=False)
    try:
        used: list[str] = []

        def devices(intervals: Mapping[str, int]) -> Mapping[str, Timeline]:
            screened = mode == "screened" or (
                mode == "auto" and expected_polls(intervals, start, end) > AUTO_SCREEN_POLLS)
            used.append("screened" if screened else "exact")
            loader = load_poll_timelines_screened if screened else load_poll_timelines
            return loader(sink, intervals, start, end, gap_factor=gap, collector=collector,
                          progress=progress)

        def links(chosen: Sequence[LinkInfo], tls: Mapping[str, Timeline]
                  ) -> Mapping[str, tuple[Timeline, str]]:
            intervals = {n: d.interval_s for n, d in inv.devices.items()}
            return load_link_timelines(sink, chosen, intervals, tls, start, end, gap_factor=gap)

        kind, value = parse_scope(scope)
        names = [d.name for d in inv.in_scope(kind, value)]
        report = compute_report(
            inv, per, scope, device_timelines=devices, link_timelines=links,
            maintenance=load_maintenance(config, start, end),
            targets=config.thresholds.availability_target_percent, gap_factor=gap,
            timezone=config.timezone, alarms=load_alarm_stats(config, start, end, names),
            audit=load_audit_status(config, start, end, names), now=now)
        if "screened" in used:
            report.notes.append("loader_screened")
        return report
    finally:
        if own_sink:
            sink.close()


def _reports_config(config: Config) -> Any:
    """``config.reports`` when this config version has that section, else None."""
    return getattr(config, "reports", None)


def render(report: UptimeReport, fmt: str, *, lang: str = "zh_CN", table: str = "devices",
           font: str | None = None) -> bytes:
    """Lay an ``UptimeReport`` out as ``fmt``.

    Raises:
        ReportError: unknown format or table, or no usable CJK font for the PDF.
    """
    if fmt == "pdf":
        from nms.reports.render_pdf import render_pdf

        return render_pdf(report, lang=lang, font=font)
    if fmt == "xlsx":
        from nms.reports.render_xlsx import render_xlsx

        return render_xlsx(report, lang=lang)
    if fmt == "csv":
        from nms.reports.render_csv import render_csv

        return render_csv(report, table=table, lang=lang)
    raise ReportError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


def build_report(config: Config, period: str | Period, scope: str = "city", fmt: str = "pdf", *,
                 lang: str | None = None, table: str = "devices", sink: Sink | None = None,
                 inventory: Inventory | None = None, now: datetime | None = None,
                 mode: str = "auto") -> bytes:
    """The console's and the CLI's entry point: compute and render one report.

    Args:
        config: the loaded config.
        period: "2026-10", "2026-Q4", "2026-10-01..2026-10-15"... (see ``nms.reports.periods``).
        scope: city, county:CODE, township:CODE or device:NAME.
        fmt: pdf, xlsx or csv.
        lang: zh_CN or en (default: ``reports.language``, else zh_CN).
        table: for csv, which table: devices, links, townships, counties or outages.
        sink: an open sink (default: opened from the config).
        inventory: a loaded inventory (default: read from the config).
        now: generation time (default: the clock).
        mode: poll loader, auto / exact / screened (see ``report_from_config``).

    Returns:
        The file's bytes.

    Raises:
        ReportError: bad scope/format/table or no CJK font; PeriodError: bad period;
        SinkError / StoreError: the stores cannot be read.
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    rcfg = _reports_config(config)
    language = lang or getattr(rcfg, "language", None) or "zh_CN"
    report = report_from_config(config, period, scope, sink=sink, inventory=inventory, now=now,
                                mode=mode)
    return render(report, fmt, lang=language, table=table, font=getattr(rcfg, "font", None))
