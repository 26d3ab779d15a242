"""The report's tables as rows of plain values, shared by the CSV, XLSX and PDF renderers.

Why: one definition of each column (label key, unit, how the value is derived) keeps the three
formats in agreement; renderers only format. Values are numbers (or None) in the column's unit:
availability and coverage in percent, outage/parent-down/unknown/MTTR in minutes, period,
maintenance and MTBF in hours; times are local ISO strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nms.reports.availability import US, Availability, Outage
from nms.reports.i18n import cause_label, t
from nms.reports.report import GroupRow, UptimeReport

TABLES = ("devices", "links", "townships", "counties", "outages")


@dataclass(frozen=True)
class Column:
    """A column: label key (nms.reports.i18n), value getter, and its kind for formatting."""

    key: str
    get: Callable[[Any], Any]
    kind: str = "text"  # text | pct | num | int


def _pct(v: float | None) -> float | None:
    return None if v is None else 100.0 * v


def _min(us: int) -> float:
    return us / US / 60.0


def _hours(us: int) -> float:
    return us / US / 3600.0


def figure_columns(lang: str) -> list[Column]:
    """The columns every subject and group shares, from its ``Availability``."""

    def fig(fn: Callable[[Availability], Any]) -> Callable[[Any], Any]:
        return lambda row: fn(row.figures)

    return [
        Column("availability_pct", fig(lambda f: f.availability_percent), "pct"),
        Column("target_pct", lambda row: row.target, "pct"),
        Column("verdict", lambda row: t(row.verdict, lang)),
        Column("period_h", fig(lambda f: _hours(f.period_us)), "num"),
        Column("maintenance_h", fig(lambda f: _hours(f.maintenance_us)), "num"),
        Column("outage_min", fig(lambda f: _min(f.outage_us)), "num"),
        Column("parent_down_min", fig(lambda f: _min(f.parent_down_us)), "num"),
        Column("unknown_min", fig(lambda f: _min(f.unknown_us)), "num"),
        Column("coverage_pct", fig(lambda f: _pct(f.coverage)), "pct"),
        Column("failures", fig(lambda f: f.failures), "int"),
        Column("mttr_min", fig(lambda f: None if f.mttr_s is None else f.mttr_s / 60.0), "num"),
        Column("mtbf_h", fig(lambda f: None if f.mtbf_s is None else f.mtbf_s / 3600.0), "num"),
    ]


def device_columns(lang: str) -> list[Column]:
    """Columns of the device table."""
    return [
        Column("device", lambda r: r.device.name),
        Column("role", lambda r: r.device.role),
        Column("county", lambda r: r.county_name),
        Column("township", lambda r: r.township_name),
        Column("tier", lambda r: t(f"tier_{r.device.tier}", lang)),
        *figure_columns(lang),
    ]


def link_columns(lang: str) -> list[Column]:
    """Columns of the link table."""
    return [
        Column("link", lambda r: r.link.label),
        Column("tier", lambda r: t(f"tier_{r.link.tier}", lang)),
        Column("source", lambda r: t(f"source_{r.source}", lang)),
        *figure_columns(lang),
    ]


def group_columns(lang: str, level: str) -> list[Column]:
    """Columns of the township or county ranking."""
    cols = [Column("rank", lambda r: r.rank, "int"), Column("code", lambda r: r.row.code),
            Column("name", lambda r: r.row.name)]
    if level == "township":
        cols.append(Column("county", lambda r: r.row.parent_name))
    cols += [Column("devices", lambda r: r.row.devices, "int"),
             Column("missed_count", lambda r: r.row.devices_missed, "int")]
    return cols + [Column(c.key, (lambda g: (lambda r: g(r.row)))(c.get), c.kind)
                   for c in figure_columns(lang)]


@dataclass(frozen=True)
class Ranked:
    """A group row with its rank (1 = best)."""

    rank: int
    row: GroupRow

    @property
    def figures(self) -> Availability:
        """The group's figures."""
        return self.row.figures


def outage_columns(report: UptimeReport, lang: str) -> list[Column]:
    """Columns of the outage details."""

    def when(us: int) -> str:
        from nms.sink import from_us

        return report.period.local(from_us(us)).strftime("%Y-%m-%d %H:%M:%S")

    def flags(o: Outage) -> str:
        parts = []
        if o.began_before:
            parts.append(t("began_before", lang))
        if o.ongoing:
            parts.append(t("ongoing", lang))
        return "; ".join(parts)

    return [
        Column("kind", lambda r: t(f"kind_{r[0]}", lang)),
        Column("subject", lambda r: r[1]),
        Column("start", lambda r: when(r[2].start)),
        Column("end", lambda r: when(r[2].end)),
        Column("duration_min", lambda r: r[2].duration_us / US / 60.0, "num"),
        Column("parent_down_min", lambda r: r[2].parent_down_us / US / 60.0, "num"),
        Column("cause", lambda r: cause_label(r[2].cause, lang)),
        Column("other", lambda r: flags(r[2])),
    ]


def table(report: UptimeReport, name: str, lang: str = "zh_CN"
          ) -> tuple[list[Column], list[Any]]:
    """The columns and row objects of table ``name`` (one of ``TABLES``).

    Raises:
        KeyError: unknown table name.
    """
    if name == "devices":
        return device_columns(lang), sorted(report.devices, key=lambda r: r.device.name)
    if name == "links":
        return link_columns(lang), sorted(report.links, key=lambda r: r.link.label)
    if name == "townships":
        return group_columns(lang, "township"), [Ranked(i + 1, g)
                                                 for i, g in enumerate(report.townships)]
    if name == "counties":
        return group_columns(lang, "county"), [Ranked(i + 1, g)
                                               for i, g in enumerate(report.counties)]
    if name == "outages":
        return outage_columns(report, lang), report.outages()
    raise KeyError(f"unknown table {name!r} (tables: {', '.join(TABLES)})")


def values(columns: list[Column], rows: list[Any]) -> list[list[Any]]:
    """Evaluate ``columns`` over ``rows``."""
    return [[c.get(r) for c in columns] for r in rows]

