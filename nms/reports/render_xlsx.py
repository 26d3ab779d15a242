"""XLSX output (openpyxl): one sheet per table, numbers kept as numbers, native Excel charts.

Why numbers and not formatted strings: the information center re-sorts, filters and sums these
sheets; a percentage stored as "99.95%" text would defeat that. Formatting is done with Excel
number formats, so the cell still holds 99.9537... and shows 99.954.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from nms.reports.i18n import t
from nms.reports.report import UptimeReport
from nms.reports.summary import scope_label, summary_pairs
from nms.reports.tables import Column, table

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MISSED_FILL = PatternFill("solid", fgColor="F8CBAD")
FORMATS = {"pct": "0.000", "num": "0.00", "int": "0"}


def _sheet_table(ws: Worksheet, columns: list[Column], rows: list[Any], lang: str) -> None:
    ws.append([t(c.key, lang) for c in columns])
    for cell in ws[1]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    verdict_col = next((i for i, c in enumerate(columns) if c.key == "verdict"), None)
    missed = t("missed", lang)
    # row numbers are counted here: openpyxl's ws.max_row scans every cell (quadratic in a loop)
    for r, row in enumerate(rows, start=2):
        values = [c.get(row) for c in columns]
        ws.append(values)
        for i, c in enumerate(columns):
            if c.kind in FORMATS:
                ws.cell(r, i + 1).number_format = FORMATS[c.kind]
        if verdict_col is not None and values[verdict_col] == missed:
            ws.cell(r, verdict_col + 1).fill = MISSED_FILL
    for i, c in enumerate(columns):
        width = 14 if c.kind != "text" else 18
        if c.key in ("link", "subject"):
            width = 48
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def render_xlsx(report: UptimeReport, *, lang: str = "zh_CN") -> bytes:
    """The whole report as an XLSX workbook (bytes)."""
    wb = Workbook()
    ws = wb.active
    ws.title = t("sheet_summary", lang)
    ws.append([t("title_period", lang), scope_label(report, lang)])
    ws["A1"].font = Font(bold=True, size=14)
    for key, value in summary_pairs(report, lang):
        ws.append([key, value])
        if isinstance(value, float):
            ws.cell(ws.max_row, 2).number_format = "0.000"
    ws.append([])
    ws.append([t("rules", lang), t("rules_text", lang).format(gap=report.gap_factor,
                                                             tz=report.timezone)])
    ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100

    # daily trend on the summary sheet
    start_row = ws.max_row + 2
    ws.cell(start_row, 1, t("start", lang))
    ws.cell(start_row, 2, t("daily_chart", lang))
    for i, (day, value) in enumerate(report.daily, start=1):
        ws.cell(start_row + i, 1, day.isoformat())
        ws.cell(start_row + i, 2, value).number_format = "0.000"
    if report.daily:
        chart = LineChart()
        chart.title = t("daily_chart", lang)
        chart.height, chart.width = 7, 18
        chart.legend = None
        data = Reference(ws, min_col=2, min_row=start_row, max_row=start_row + len(report.daily))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=start_row + 1,
                                       max_row=start_row + len(report.daily)))
        ws.add_chart(chart, f"D{start_row}")

    for name in ("counties", "townships", "devices", "links", "outages"):
        columns, rows = table(report, name, lang)
        sheet = wb.create_sheet(title=t(f"sheet_{name}", lang))
        _sheet_table(sheet, columns, rows, lang)
        if name == "counties" and rows:
            chart = BarChart()
            chart.title = t("county_chart", lang)
            chart.legend = None
            col = next(i for i, c in enumerate(columns) if c.key == "availability_pct") + 1
            name_col = next(i for i, c in enumerate(columns) if c.key == "name") + 1
            chart.add_data(Reference(sheet, min_col=col, min_row=1, max_row=len(rows) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=name_col, min_row=2,
                                           max_row=len(rows) + 1))
            sheet.add_chart(chart, f"B{len(rows) + 4}")

    alarms = wb.create_sheet(title=t("sheet_alarms", lang))
    if report.alarms is None:
        alarms.append([t("not_available", lang)])
    else:
        a = report.alarms
        for key, value in (("raised", a.raised), ("cleared", a.cleared),
                           ("open_at_end", a.open_at_end),
                           ("mean_clear_min", None if a.mean_time_to_clear_s is None
                            else a.mean_time_to_clear_s / 60.0)):
            alarms.append([t(key, lang), value])
        alarms.append([])
        alarms.append([t("severity", lang), t("count", lang)])
        for sev, n in sorted(a.by_severity.items()):
            alarms.append([sev, n])
    audit = wb.create_sheet(title=t("sheet_audit", lang))
    if report.audit is None:
        audit.append([t("not_available", lang)])
    else:
        au = report.audit
        last = report.period.local(au.last_seen).strftime("%Y-%m-%d %H:%M") if au.last_seen \
            else None
        for key, value in (("audit_open", au.open_at_end), ("audit_devices", au.devices_failing),
                           ("audit_raised", au.raised), ("audit_cleared", au.cleared),
                           ("audit_last_seen", last)):
            audit.append([t(key, lang), value])
        audit.append([])
        audit.append([t("check", lang), t("count", lang)])
        for check_id, n in au.top_checks:
            audit.append([check_id, n])
        audit.append([t("audit_source", lang)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
