"""The outputs: the PDF renders Chinese (text extracted back, fonts embedded, a page image made),
the XLSX opens with openpyxl and holds the numbers, the CSV parses; labels in both languages."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from nms.reports.i18n import LABELS, t
from nms.reports.report import ReportError, UptimeReport, compute_report, render

from . import scenario

NOW = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def report() -> UptimeReport:
    def links(chosen, tls):  # type: ignore[no-untyped-def]
        return {k.key: (tls[k.lower], "reachability") for k in chosen}

    return compute_report(scenario.inventory(), scenario.PERIOD, "city",
                          device_timelines=scenario.timelines, link_timelines=links,
                          maintenance=scenario.MAINTENANCE, now=NOW)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (Debian poppler-utils; scripts/bootstrap --test)")
    return path


def test_every_label_has_both_languages() -> None:
    for key, (zh, en) in LABELS.items():
        assert zh and en, key
    assert t("availability", "en") == "Availability" and t("availability") == "可用率"


def test_pdf_renders_chinese(report: UptimeReport, tmp_path: Path) -> None:
    data = render(report, "pdf")
    assert data.startswith(b"%PDF-")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for phrase in ("网络运行月度报告", "一、总体情况", "各县/区可用性排名", "东城县", "青石镇",
                   "county01-agg-r1", "未达标", "中断明细", "统计口径", "第1页",
                   "2026-10-05 02:00:00"):
        assert phrase in text, phrase
    assert "99.866" in text  # county01-agg-r1: 1 - 3600 / (31 x 86400)
    fonts = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    for line in fonts:  # every font embedded (emb = yes), none left to the viewer
        assert " yes " in line and "Helvetica" not in line, line
    subprocess.run([_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_pdf_in_english(report: UptimeReport, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(report, "pdf", lang="en"))
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Network Operations Monthly Report" in text and "东城县" in text
    assert "Page 1" in text


def test_pdf_without_a_font_says_what_to_install(report: UptimeReport, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="fonts-wqy-zenhei"):
        render(report, "pdf", font=str(tmp_path / "missing.ttf"))


def test_xlsx_holds_the_numbers(report: UptimeReport) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    assert wb.sheetnames == ["概要", "县区排名", "乡镇排名", "设备", "链路", "中断明细",
                             "告警统计", "基线核查"]
    ws = wb["设备"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2,
                                                                          values_only=True)}
    agg = rows["county01-agg-r1"]
    assert agg["可用率(%)"] == pytest.approx(100 * (1 - 3600 / (31 * 86400)), rel=1e-12)
    assert agg["中断时长(分钟)"] == 60.0 and agg["达标情况"] == "未达标"
    town = rows["county01-town01-r1"]
    assert town["上级中断(分钟)"] == 60.0 and town["中断时长(分钟)"] == 30.0
    assert rows["county02-town01-r1"]["维护时长(h)"] == 2.0
    assert ws.cell(2, header.index("可用率(%)") + 1).number_format == "0.000"
    outages = {r[1]: r for r in wb["中断明细"].iter_rows(min_row=2, values_only=True)}
    assert outages["county01-agg-r1"][4] == 60.0
    assert wb["告警统计"]["A1"].value == t("not_available")  # alarms given as None here
    assert len(wb["概要"]._charts) == 1 and len(wb["县区排名"]._charts) == 1


def test_csv_tables(report: UptimeReport) -> None:
    data = render(report, "csv", table="townships", lang="en")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["Name"] for r in rows] == ["白沙镇", "青石镇", "南湖乡"]
    assert rows[1]["Parent down (min)"] == "60"
    outages = list(csv.reader(io.StringIO(render(report, "csv", table="outages")
                                          .decode("utf-8-sig"))))
    assert outages[0][:4] == ["类别", "对象", "开始", "结束"]
    with pytest.raises(ReportError, match="unknown table"):
        render(report, "csv", table="nope")
    with pytest.raises(ReportError, match="unknown format"):
        render(report, "docx")


def test_the_font_has_every_label_character() -> None:
    """A character missing from the embedded font prints as an empty box (tofu)."""
    from reportlab.pdfbase import pdfmetrics

    from nms.reports.fonts import register_cjk_font

    face = pdfmetrics.getFont(register_cjk_font()).face
    missing = {ch for zh, en in LABELS.values() for ch in zh + en
               if ord(ch) not in face.charToGlyph}
    assert missing == set()


def test_alarm_and_audit_sections(tmp_path: Path) -> None:
    from nms.reports.data import AlarmStats, AuditStatus

    report = compute_report(scenario.inventory(), scenario.PERIOD, "county:county01",
                            device_timelines=scenario.timelines, maintenance=None, now=NOW,
                            alarms=AlarmStats(raised=7, cleared=5, open_at_end=2,
                                              by_severity={"critical": 3}),
                            audit=AuditStatus(open_at_end=4, devices_failing=3, raised=6,
                                              cleared=2, top_checks=[("BL-AUTH-005", 3)]))
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(render(report, "pdf"))
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for phrase in ("新增告警", "期末未整改基线问题", "BL-AUTH-005", "未扣除维护时间"):
        assert phrase in text, phrase
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    assert [r for r in wb["告警统计"].iter_rows(values_only=True)][0] == ("新增告警", 7)
    assert ("期末未整改基线问题", 4) in list(wb["基线核查"].iter_rows(values_only=True))
