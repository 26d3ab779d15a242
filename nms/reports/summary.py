"""The summary of a report in words and key figures, shared by the PDF, XLSX and e-mail body.

Why here: the bulletin's first paragraph is quoted in e-mails and in the console; writing it once
keeps the wording (and the rounding) the same everywhere.
"""

from __future__ import annotations

from typing import Any

from nms.reports.availability import US
from nms.reports.i18n import t
from nms.reports.report import UptimeReport


def fmt_pct(value: float | None, digits: int = 3) -> str:
    """``99.95372`` -> ``"99.954%"``; None -> ``"—"``."""
    return "—" if value is None else f"{value:.{digits}f}%"


def fmt_duration(seconds: float | None, lang: str = "zh_CN") -> str:
    """Seconds as "2小时5分" / "2 h 5 min" (whole minutes; under a minute as seconds)."""
    if seconds is None:
        return "—"
    total = int(round(seconds))
    if total < 60:
        return f"{total}秒" if lang != "en" else f"{total} s"
    minutes = total // 60
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if lang == "en":
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
                 f"{mins} min" if mins else ""]
    else:
        parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "",
                 f"{mins}分钟" if mins else ""]
    return (" " if lang == "en" else "").join(p for p in parts if p) or ("0 min" if lang == "en"
                                                                          else "0分钟")


def scope_label(report: UptimeReport, lang: str = "zh_CN") -> str:
    """"全市（示范市）" / "County 东城县 (county01)"..."""
    kind = report.scope_kind
    if kind == "city":
        return t("scope_city", lang) + (f"（{report.scope_name}）" if report.scope_name and lang != "en"
                                         else f" ({report.scope_name})" if report.scope_name else "")
    code = report.scope.partition(":")[2]
    label = t(f"scope_{kind}", lang)
    if kind == "device":
        return f"{label} {code}"
    return f"{label} {report.scope_name}（{code}）" if lang != "en" else \
        f"{label} {report.scope_name} ({code})"


def period_label(report: UptimeReport, lang: str = "zh_CN") -> str:
    """"2026-10（2026-10-01 00:00 至 2026-11-01 00:00）"."""
    p = report.period
    lo = p.local(p.start).strftime("%Y-%m-%d %H:%M")
    hi = p.local(p.end).strftime("%Y-%m-%d %H:%M")
    text = f"{p.label}（{lo} 至 {hi}）" if lang != "en" else f"{p.label} ({lo} to {hi})"
    if p.partial:
        text += t("partial", lang)
    return text


def summary_text(report: UptimeReport, lang: str = "zh_CN") -> str:
    """The bulletin's summary paragraph."""
    total = report.total
    figures = total.figures if total else None
    links = report.links_total
    return t("summary_line", lang).format(
        scope=scope_label(report, lang),
        devices=len(report.devices),
        links=len(report.links),
        availability=fmt_pct(figures.availability_percent if figures else None),
        target=fmt_pct(total.target if total else None, 2),
        missed=total.devices_missed if total else 0,
        indeterminate=total.devices_indeterminate if total else 0,
        failures=figures.failures if figures else 0,
        outage=fmt_duration(figures.outage_us / US if figures else 0, lang),
        mttr=fmt_duration(figures.mttr_s if figures else None, lang),
        link_availability=fmt_pct(links.availability_percent if links else None),
    )


def summary_pairs(report: UptimeReport, lang: str = "zh_CN") -> list[tuple[str, Any]]:
    """Key figures as (label, value) pairs; percentages are numbers (XLSX keeps them so)."""
    total = report.total
    f = total.figures if total else None
    links = report.links_total
    pairs: list[tuple[str, Any]] = [
        (t("period", lang), period_label(report, lang)),
        (t("scope", lang), scope_label(report, lang)),
        (t("generated", lang), report.period.local(report.generated).strftime("%Y-%m-%d %H:%M")),
        (t("devices", lang), len(report.devices)),
        (t("links", lang), len(report.links)),
        (t("availability_pct", lang), f.availability_percent if f else None),
        (t("target_pct", lang), total.target if total else None),
        (t("verdict", lang), t(total.verdict, lang) if total else ""),
        (t("missed_count", lang), total.devices_missed if total else 0),
        (t("failures", lang), f.failures if f else 0),
        (t("outage_min", lang), f.outage_us / US / 60.0 if f else 0.0),
        (t("parent_down_min", lang), f.parent_down_us / US / 60.0 if f else 0.0),
        (t("unknown_min", lang), f.unknown_us / US / 60.0 if f else 0.0),
        (t("mttr_min", lang), None if not f or f.mttr_s is None else f.mttr_s / 60.0),
        (t("mtbf_h", lang), None if not f or f.mtbf_s is None else f.mtbf_s / 3600.0),
        (t("link", lang) + " " + t("availability_pct", lang),
         links.availability_percent if links else None),
        ("summary", summary_text(report, lang)),
    ]
    pairs[-1] = (t("summary", lang).split("、")[-1].split(". ")[-1], pairs[-1][1])
    for note in report.notes:
        pairs.append(("!", t(note, lang)))
    return pairs
