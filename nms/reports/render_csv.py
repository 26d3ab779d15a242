"""CSV output: one of the report's raw tables, UTF-8 with a byte-order mark.

Why the BOM: the information center opens these files in Excel, which reads BOM-less UTF-8 as
GBK and garbles every Chinese name. Numbers are written unrounded beyond 6 decimals so that the
CSV can be re-aggregated; the PDF is where numbers are rounded for reading.
"""

from __future__ import annotations

import csv
import io

from nms.reports.i18n import t
from nms.reports.report import ReportError, UptimeReport
from nms.reports.tables import TABLES
from nms.reports.tables import table as build_table


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value == value else ""
    return value


def render_csv(report: UptimeReport, *, table: str = "devices", lang: str = "zh_CN") -> bytes:
    """The table ``table`` (devices, links, townships, counties, outages) as CSV bytes.

    Raises:
        ReportError: unknown table name.
    """
    if table not in TABLES:
        raise ReportError(f"unknown table {table!r} (tables: {', '.join(TABLES)})")
    columns, rows = build_table(report, table, lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([t(c.key, lang) for c in columns])
    for row in rows:
        writer.writerow([_cell(c.get(row)) for c in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")

