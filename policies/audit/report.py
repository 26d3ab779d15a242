"""Audit outputs: SARIF 2.1.0 for tools, XLSX and PDF for security staff.

The spreadsheet has one sheet of findings (every FAIL/NEEDS_REVIEW with evidence line and the
commands to fix it), one of device scores and one of the MLPS roll-up; the PDF carries the same
per device as a remediation list (整改清单). Chinese text needs an embedded CJK font: reportlab
can embed TrueType only, so the TTC of WenQuanYi Zen Hei (fonts-wqy-zenhei) is preferred and a
TrueType Noto CJK, if one exists, is the fallback; without either the PDF export fails with a
clear error rather than printing empty boxes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nms.errors import NmsError
from nms.models import Finding, FindingStatus
from policies.audit.run import finding_row
from policies.audit.score import device_score, mlps_rollup
from policies.checks.baseline import catalog

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 0),
]
SARIF_LEVEL = {"critical": "error", "major": "error", "minor": "warning", "warning": "warning", "info": "note"}


def to_sarif(findings: Iterable[Finding]) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one rule per check id, one result per FAIL/NEEDS_REVIEW finding."""
    findings = list(findings)
    ids = sorted({f.check_id for f in findings})
    rules = []
    for cid in ids:
        meta = catalog().get(cid, {})
        rules.append({"id": cid, "name": cid.replace("-", ""),
                      "shortDescription": {"text": meta.get("title", {}).get("en", cid)},
                      "fullDescription": {"text": meta.get("title", {}).get("zh", "")},
                      "properties": {"mlps": meta.get("mlps", []), "severity": meta.get("severity")}})
    results = []
    for f in findings:
        if f.status not in (FindingStatus.FAIL, FindingStatus.NEEDS_REVIEW, FindingStatus.ERROR):
            continue
        row = finding_row(f)
        loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": row["file"] or f.device}}}
        if row["line"]:
            loc["physicalLocation"]["region"] = {"startLine": row["line"], "snippet": {"text": row["evidence"]}}
        results.append({
            "ruleId": f.check_id, "ruleIndex": ids.index(f.check_id),
            "level": "note" if f.status is FindingStatus.NEEDS_REVIEW else SARIF_LEVEL.get(f.severity.value, "warning"),
            "message": {"text": f"{f.reason_en} / {f.reason_zh}"},
            "locations": [loc],
            "properties": {"device": f.device, "status": f.status.value, "remediation": row["remediation"]},
        })
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "nms-audit", "informationUri": "https://example.invalid/nms",
                                          "rules": rules}}, "results": results}]}


def write_xlsx(findings: Iterable[Finding], path: Path) -> Path:
    """Findings, scores and the MLPS roll-up as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    findings = list(findings)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改清单 Findings"
    head = ["设备 Device", "检查项 Check", "标题 Title", "状态 Status", "严重性 Severity", "行号 Line",
            "证据 Evidence", "原因 Reason", "整改命令 Remediation", "等保条款 MLPS"]
    ws.append(head)
    fills = {"FAIL": "FFC7CE", "NEEDS_REVIEW": "FFEB9C", "ERROR": "F4B084"}
    for f in sorted(findings, key=lambda x: (x.device, x.check_id)):
        if f.status not in (FindingStatus.FAIL, FindingStatus.NEEDS_REVIEW, FindingStatus.ERROR):
            continue
        r = finding_row(f)
        ws.append([r["device"], r["check_id"], r["title_zh"], f.status.label_zh, f.severity.label_zh, r["line"],
                   r["evidence"], r["reason_zh"], "\n".join(r["remediation"]), ", ".join(r["mlps"])])
        ws.cell(ws.max_row, 4).fill = PatternFill("solid", fgColor=fills.get(f.status.value, "FFFFFF"))
        ws.cell(ws.max_row, 9).alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJ", (18, 13, 30, 10, 9, 6, 40, 40, 50, 24), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ss = wb.create_sheet("设备得分 Scores")
    ss.append(["设备 Device", "得分 Score", "不通过 FAIL", "需复核 REVIEW", "通过 PASS", "不适用 N/A", "不通过项 Failed checks"])
    for device, s in device_score(findings).items():
        c = s["counts"]
        ss.append([device, s["score"], c.get("FAIL", 0), c.get("NEEDS_REVIEW", 0), c.get("PASS", 0),
                   c.get("NOT_APPLICABLE", 0), ", ".join(s["failed"])])
    ms = wb.create_sheet("等保符合性 MLPS")
    ms.append(["条款 Clause", "结论 Verdict", "检查项 Checks", "不符合设备 Failing devices"])
    for row in mlps_rollup(findings):
        ms.append([row["clause"], row["verdict_zh"], ", ".join(row["checks"]), ", ".join(row["failing_devices"])])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "NmsCJK"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            return name
    raise NmsError("no TrueType CJK font found for the PDF (install fonts-wqy-zenhei): "
                   + ", ".join(p for p, _ in FONT_CANDIDATES))


def write_pdf(findings: Iterable[Finding], path: Path, *, title: str = "安全基线核查报告 Security baseline audit") -> Path:
    """A PDF remediation list per device, with the MLPS roll-up; the CJK font is embedded (subset)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    findings = list(findings)
    font = _cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)

    def p(text: Any) -> Paragraph:
        s = "" if text is None else str(text)
        return Paragraph(s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>"), body)

    style = TableStyle([("FONT", (0, 0), (-1, -1), font, 8), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    story: list[Any] = [Paragraph(title, h1)]
    scores = device_score(findings)
    rows = [[p("设备 Device"), p("得分 Score"), p("不通过 FAIL"), p("需复核 REVIEW"), p("通过 PASS")]]
    for device, s in scores.items():
        c = s["counts"]
        rows.append([p(device), p(s["score"]), p(c.get("FAIL", 0)), p(c.get("NEEDS_REVIEW", 0)), p(c.get("PASS", 0))])
    story += [Paragraph("设备得分 Device scores", h2), Table(rows, repeatRows=1, style=style)]
    rows = [[p("条款 Clause"), p("结论 Verdict"), p("检查项 Checks"), p("不符合设备 Failing devices")]]
    for row in mlps_rollup(findings):
        rows.append([p(row["clause"]), p(row["verdict_zh"]), p(", ".join(row["checks"])), p(", ".join(row["failing_devices"]))])
    story += [Paragraph("等保2.0符合性汇总 MLPS roll-up", h2),
              Table(rows, repeatRows=1, style=style, colWidths=[35 * mm, 25 * mm, 120 * mm, 80 * mm])]
    for device in scores:
        items = [f for f in findings if f.device == device
                 and f.status in (FindingStatus.FAIL, FindingStatus.NEEDS_REVIEW, FindingStatus.ERROR)]
        story += [PageBreak(), Paragraph(f"整改清单 Remediation list — {device}", h2)]
        rows = [[p("检查项"), p("状态"), p("严重性"), p("行号"), p("证据 Evidence"), p("原因 Reason"), p("整改命令 Remediation")]]
        for f in sorted(items, key=lambda x: (x.severity.rank, x.check_id)):
            r = finding_row(f)
            rows.append([p(f"{r['check_id']}\n{r['title_zh']}"), p(f.status.label_zh), p(f.severity.label_zh),
                         p(r["line"]), p(r["evidence"]), p(r["reason_zh"]), p("\n".join(r["remediation"]))])
        story.append(Table(rows, repeatRows=1, style=style,
                           colWidths=[38 * mm, 16 * mm, 14 * mm, 11 * mm, 55 * mm, 60 * mm, 76 * mm]))
        story.append(Spacer(1, 4 * mm))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), title="nms audit", leftMargin=10 * mm, rightMargin=10 * mm,
                      topMargin=10 * mm, bottomMargin=10 * mm).build(story)
    return path
