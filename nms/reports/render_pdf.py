"""PDF output (reportlab): the monthly bulletin, Chinese font embedded, vector charts.

Why reportlab: it writes PDF directly (no browser, no LaTeX on the server), embeds a TrueType
subset with a ToUnicode map (so the text can be searched and extracted, which the tests do), and
draws charts as PDF vectors with the same font. Layout: title block, summary paragraph and key
figures, daily trend and county charts, county and township rankings, the worst devices and
links, the longest outages (the XLSX has all of them), alarm and audit sections, and the rules
behind the figures.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from nms.models import Severity
from nms.reports.fonts import register_cjk_font
from nms.reports.i18n import t
from nms.reports.report import UptimeReport
from nms.reports.summary import period_label, scope_label, summary_pairs, summary_text
from nms.reports.tables import Column, device_columns, link_columns, table

MAX_OUTAGES = 60
WORST = 10
BLUE = colors.HexColor("#1F4E79")
RED = colors.HexColor("#C00000")
GRID = colors.HexColor("#A6A6A6")
STRIPE = colors.HexColor("#F2F2F2")
_GRAPHICS_FONT_LOCK = threading.Lock()


class _Styles:
    def __init__(self, font: str) -> None:
        self.title = ParagraphStyle("title", fontName=font, fontSize=20, leading=26,
                                    alignment=TA_CENTER, textColor=BLUE, spaceAfter=4)
        self.subtitle = ParagraphStyle("subtitle", fontName=font, fontSize=12, leading=16,
                                       alignment=TA_CENTER, spaceAfter=10)
        self.h1 = ParagraphStyle("h1", fontName=font, fontSize=13, leading=18, textColor=BLUE,
                                 spaceBefore=10, spaceAfter=6)
        self.body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=15,
                                   wordWrap="CJK", firstLineIndent=0)
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5,
                                   wordWrap="CJK")
        self.head = ParagraphStyle("head", parent=self.cell, textColor=colors.white)
        self.note = ParagraphStyle("note", parent=self.body, fontSize=8, leading=12,
                                   textColor=colors.HexColor("#595959"))


def _esc(text: Any) -> str:
    s = "" if text is None else str(text)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{value:.3f}"
    if kind == "num":
        return f"{value:.1f}"
    if kind == "int":
        return str(int(value))
    return str(value)


def _table(columns: Sequence[Column], rows: Sequence[Any], st: _Styles, lang: str,
           widths: Sequence[float] | None = None, font: str = "") -> Table:
    data: list[list[Any]] = [[Paragraph(_esc(t(c.key, lang)), st.head) for c in columns]]
    missed_cells = []
    missed = t("missed", lang)
    for r, row in enumerate(rows, start=1):
        line = []
        for i, c in enumerate(columns):
            value = c.get(row)
            text = _fmt(value, c.kind)
            line.append(Paragraph(_esc(text), st.cell) if c.kind == "text" else text)
            if c.key == "verdict" and value == missed:
                missed_cells.append((i, r))
        data.append(line)
    tbl = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), font, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), BLUE),
        ("GRID", (0, 0), (-1, -1), 0.3, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for r in range(2, len(data), 2):
        style.append(("BACKGROUND", (0, r), (-1, r), STRIPE))
    for i, r in missed_cells:
        style.append(("TEXTCOLOR", (i, r), (i, r), RED))
    tbl.setStyle(TableStyle(style))
    return tbl


def _pick(columns: Sequence[Column], keys: Sequence[str]) -> list[Column]:
    by_key = {c.key: c for c in columns}
    return [by_key[k] for k in keys if k in by_key]


def _daily_chart(report: UptimeReport, font: str, lang: str, width: float) -> Drawing | None:
    points = [(i + 1, v) for i, (_, v) in enumerate(report.daily) if v is not None]
    if not points:
        return None
    height = 55 * mm
    d = Drawing(width, height)
    d.add(String(0, height - 10, t("daily_chart", lang), fontName=font, fontSize=9))
    plot = LinePlot()
    plot.x, plot.y = 30, 20
    plot.width, plot.height = width - 45, height - 40
    plot.data = [points]
    low = min(v for _, v in points)
    target = report.total.target if report.total else None
    floor = min(low, target if target is not None else low)
    plot.yValueAxis.valueMin = max(0.0, floor - max(0.05, (100 - floor) * 0.2))
    plot.yValueAxis.valueMax = 100.0
    plot.xValueAxis.valueMin = 1
    plot.xValueAxis.valueMax = max(2, len(report.daily))
    plot.xValueAxis.valueStep = 5 if len(report.daily) > 10 else 1
    plot.xValueAxis.labels.fontName = font
    plot.yValueAxis.labels.fontName = font
    plot.xValueAxis.labels.fontSize = plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.labelTextFormat = "%.2f"
    plot.lines[0].strokeColor = BLUE
    plot.lines[0].strokeWidth = 1.2
    d.add(plot)
    return d


def _county_chart(report: UptimeReport, font: str, lang: str, width: float) -> Drawing | None:
    rows = [g for g in report.counties if g.figures.availability_percent is not None][:20]
    if len(rows) < 2:
        return None
    height = max(45 * mm, 12 * len(rows) + 40)
    d = Drawing(width, height)
    d.add(String(0, height - 10, t("county_chart", lang), fontName=font, fontSize=9))
    chart = HorizontalBarChart()
    chart.x, chart.y = 90, 15
    chart.width, chart.height = width - 110, height - 35
    values = [g.figures.availability_percent or 0.0 for g in reversed(rows)]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [g.name for g in reversed(rows)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    low = min(values)
    chart.valueAxis.valueMin = max(0.0, low - max(0.05, (100 - low) * 0.2))
    chart.valueAxis.valueMax = 100.0
    chart.valueAxis.labelTextFormat = "%.2f"
    chart.bars[0].fillColor = BLUE
    for i, g in enumerate(reversed(rows)):
        if g.verdict == "missed":
            chart.bars[(0, i)].fillColor = RED
    d.add(chart)
    return d


def render_pdf(report: UptimeReport, *, lang: str = "zh_CN", font: str | None = None) -> bytes:
    """The bulletin as PDF bytes.

    Raises:
        ReportError: no embeddable CJK font (see ``nms.reports.fonts``).
    """
    font_name = register_cjk_font(font)
    # reportlab's charts take their label fonts from its graphics defaults (Helvetica, never
    # embedded) when they are constructed and start each drawing in it, even where no text uses
    # it. Point the default at the CJK font while this PDF is made, so it references embedded
    # fonts only; the lock keeps concurrent renders from seeing each other's setting.
    with _GRAPHICS_FONT_LOCK:
        saved = STATE_DEFAULTS["fontName"]
        STATE_DEFAULTS["fontName"] = font_name
        try:
            return _render(report, lang, font_name)
        finally:
            STATE_DEFAULTS["fontName"] = saved


def _render(report: UptimeReport, lang: str, font_name: str) -> bytes:
    st = _Styles(font_name)
    buf = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm,
                            title=f"{t('title_period', lang)} {report.period.label}",
                            author=t("issuer", lang), subject=scope_label(report, lang),
                            creator="nms", initialFontName=font_name)
    width = page[0] - 28 * mm
    story: list[Any] = []
    title_key = "title" if len(report.period.label) == 7 and report.period.label[4] == "-" \
        else "title_period"
    story.append(Paragraph(_esc(t(title_key, lang)), st.title))
    story.append(Paragraph(_esc(f"{t('subtitle', lang)} · {scope_label(report, lang)}"),
                           st.subtitle))
    colon = ": " if lang == "en" else "："
    story.append(Paragraph(_esc(f"{t('period', lang)}{colon}{period_label(report, lang)}"),
                           st.body))

    # 1. summary
    story.append(Paragraph(_esc(t("summary", lang)), st.h1))
    story.append(Paragraph(_esc(summary_text(report, lang)), st.body))
    for note in report.notes:
        story.append(Paragraph(_esc("※ " + t(note, lang)), st.note))
    story.append(Spacer(1, 4))
    pairs = [(k, v) for k, v in summary_pairs(report, lang)[3:-1] if k != "!"]
    cells = []
    for k, v in pairs:
        text = f"{v:.3f}" if isinstance(v, float) else ("—" if v is None else str(v))
        cells.append([Paragraph(_esc(k), st.cell), text])
    half = (len(cells) + 1) // 2
    grid = [a + b for a, b in zip(cells[:half], cells[half:] + [["", ""]], strict=False)]
    key_tbl = Table(grid, colWidths=[width * 0.22, width * 0.18, width * 0.22, width * 0.18])
    key_tbl.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font_name, 8),
                                 ("GRID", (0, 0), (-1, -1), 0.3, GRID),
                                 ("BACKGROUND", (0, 0), (0, -1), STRIPE),
                                 ("BACKGROUND", (2, 0), (2, -1), STRIPE),
                                 ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                 ("ALIGN", (3, 0), (3, -1), "RIGHT")]))
    story.append(key_tbl)
    charts = [c for c in (_daily_chart(report, font_name, lang, width / 2 - 6),
                          _county_chart(report, font_name, lang, width / 2 - 6)) if c]
    if charts:
        story.append(Spacer(1, 6))
        holder = Table([charts], colWidths=[width / 2] * len(charts))
        holder.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font_name, 8)]))
        story.append(holder)

    group_keys = ["rank", "name", "county", "devices", "missed_count", "availability_pct",
                  "target_pct", "verdict", "outage_min", "parent_down_min", "unknown_min",
                  "failures", "mttr_min"]
    # 2./3. rankings
    for name, key in (("counties", "by_county"), ("townships", "by_township")):
        columns, rows = table(report, name, lang)
        story.append(Paragraph(_esc(t(key, lang)), st.h1))
        if rows:
            story.append(_table(_pick(columns, group_keys), rows, st, lang, font=font_name))
        else:
            story.append(Paragraph(_esc(t("none", lang)), st.body))

    # 4./5. worst devices and links
    dev_keys = ["device", "county", "township", "tier", "availability_pct", "target_pct",
                "verdict", "outage_min", "parent_down_min", "unknown_min", "failures",
                "mttr_min", "mtbf_h"]
    story.append(Paragraph(_esc(t("worst_devices", lang)), st.h1))
    worst = report.worst_devices(WORST)
    story.append(_table(_pick(device_columns(lang), dev_keys), worst, st, lang, font=font_name)
                 if worst else Paragraph(_esc(t("no_outage", lang)), st.body))
    link_keys = ["link", "tier", "source", "availability_pct", "target_pct", "verdict",
                 "outage_min", "parent_down_min", "unknown_min", "failures", "mttr_min"]
    story.append(Paragraph(_esc(t("worst_links", lang)), st.h1))
    worst_links = report.worst_links(WORST)
    story.append(_table(_pick(link_columns(lang), link_keys), worst_links, st, lang,
                        widths=[width * 0.30] + [None] * (len(link_keys) - 1), font=font_name)
                 if worst_links else Paragraph(_esc(t("no_outage", lang)), st.body))

    # 6. outages
    story.append(PageBreak())
    story.append(Paragraph(_esc(t("outages", lang)), st.h1))
    columns, rows = table(report, "outages", lang)
    if rows:
        story.append(_table(columns, rows[:MAX_OUTAGES], st, lang,
                            widths=[width * 0.06, width * 0.30, width * 0.12, width * 0.12,
                                    width * 0.08, width * 0.08, width * 0.12, width * 0.12],
                            font=font_name))
        if len(rows) > MAX_OUTAGES:
            more = (f"另有 {len(rows) - MAX_OUTAGES} 条中断记录，详见 XLSX 附件。" if lang != "en"
                    else f"{len(rows) - MAX_OUTAGES} more outages are listed in the XLSX file.")
            story.append(Paragraph(_esc(more), st.note))
    else:
        story.append(Paragraph(_esc(t("no_outage", lang)), st.body))

    # 7. alarms, 8. audit
    story.append(Paragraph(_esc(t("alarms", lang)), st.h1))
    if report.alarms is None:
        story.append(Paragraph(_esc(t("not_available", lang)), st.body))
    else:
        a = report.alarms
        lines = [(t("raised", lang), a.raised), (t("cleared", lang), a.cleared),
                 (t("open_at_end", lang), a.open_at_end),
                 (t("mean_clear_min", lang), "—" if a.mean_time_to_clear_s is None
                  else f"{a.mean_time_to_clear_s / 60:.1f}")]
        lines += [(f"{t('severity', lang)}: {_severity(k, lang)}", v)
                  for k, v in sorted(a.by_severity.items(), key=lambda kv: _rank(kv[0]))]
        lines += [(k, v) for k, v in a.top_devices[:5]]
        story.append(_kv_table(lines, font_name, width))
    story.append(Paragraph(_esc(t("audit", lang)), st.h1))
    if report.audit is None:
        story.append(Paragraph(_esc(t("not_available", lang)), st.body))
    else:
        au = report.audit
        lines = [(t("audit_open", lang), au.open_at_end),
                 (t("audit_devices", lang), au.devices_failing),
                 (t("audit_raised", lang), au.raised), (t("audit_cleared", lang), au.cleared),
                 (t("audit_last_seen", lang), report.period.local(au.last_seen)
                  .strftime("%Y-%m-%d %H:%M") if au.last_seen else "—")]
        lines += [(f"{t('check', lang)} {k}", v) for k, v in au.top_checks[:5]]
        story.append(_kv_table(lines, font_name, width))
        story.append(Paragraph(_esc(t("audit_source", lang)), st.note))

    # 9. rules
    story.append(KeepTogether([
        Paragraph(_esc(t("rules", lang)), st.h1),
        Paragraph(_esc(t("rules_text", lang).format(gap=report.gap_factor, tz=report.timezone)),
                  st.note)]))

    footer = f"{t('issuer', lang)} · {t('title_period', lang)} {report.period.label} · " \
             f"{scope_label(report, lang)}"

    def on_page(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(font_name, 7.5)
        canvas.setFillColor(colors.HexColor("#7F7F7F"))
        canvas.drawString(14 * mm, 8 * mm, footer)
        number = f"第 {doc_.page} 页" if lang != "en" else f"Page {doc_.page}"
        canvas.drawRightString(page[0] - 14 * mm, 8 * mm, number)
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def _severity(value: str, lang: str) -> str:
    """A severity's label ("紧急" / "Critical"); unknown values as they are."""
    try:
        sev = Severity(value)
    except ValueError:
        return value
    return str(sev.label_en if lang == "en" else sev.label_zh)  # type: ignore[attr-defined]


def _rank(value: str) -> int:
    try:
        return Severity(value).rank
    except ValueError:
        return 99


def _kv_table(lines: Sequence[tuple[str, Any]], font: str, width: float) -> Table:
    tbl = Table([[k, str(v)] for k, v in lines], colWidths=[width * 0.3, width * 0.15],
                hAlign="LEFT")
    tbl.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8),
                             ("GRID", (0, 0), (-1, -1), 0.3, GRID),
                             ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    return tbl

