"""``nms audit`` on saved configs, SARIF/XLSX/PDF exports, scores and the MLPS roll-up."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policies.audit.cli import audit
from policies.audit.report import to_sarif, write_pdf, write_xlsx
from policies.audit.run import audit_config
from policies.audit.score import device_score, mlps_rollup

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "configs"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(audit, list(args))
    return result.exit_code, result.stdout


def test_config_json_lists_findings_and_exits_1_on_fail() -> None:
    code, out = run("--config", str(FIXTURES / "huawei_vrp" / "weak.cfg"), "--format", "json")
    assert code == 1
    rows = json.loads(out)
    assert {"check_id", "status", "severity", "line", "evidence", "remediation"} <= set(rows[0])
    telnet = next(r for r in rows if r["check_id"] == "BL-AUTH-001" and r["status"] == "FAIL")
    assert telnet["line"] == 5 and telnet["evidence"] == "telnet server enable"
    assert "undo telnet server enable" in telnet["remediation"]


def test_hardened_config_exits_0_and_platform_flag() -> None:
    code, out = run("--config", str(FIXTURES / "juniper_junos" / "hardened.conf"), "--platform", "juniper_junos")
    assert code == 0, out
    assert "score" in out


def test_check_filter_and_unknown_check() -> None:
    code, out = run("--config", str(FIXTURES / "cisco_ios" / "weak.cfg"), "--check", "BL-SNMP-001", "--format", "json")
    assert code == 1 and {r["check_id"] for r in json.loads(out)} == {"BL-SNMP-001"}
    code, _ = run("--config", str(FIXTURES / "cisco_ios" / "weak.cfg"), "--check", "BL-NOPE-999")
    assert code == 2


def test_garbage_file_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02" * 1000)
    result = CliRunner().invoke(audit, ["--config", str(junk)])
    assert result.exit_code == 1 and "binary" in result.stderr


def test_sarif_shape() -> None:
    findings = audit_config((FIXTURES / "cisco_ios" / "weak.cfg").read_bytes(), source="weak.cfg").findings
    sarif = to_sarif(findings)
    assert sarif["version"] == "2.1.0"
    res = sarif["runs"][0]["results"]
    assert res and all(r["ruleId"].startswith("BL-") for r in res)
    assert any(r["locations"][0]["physicalLocation"].get("region", {}).get("startLine") for r in res)


def test_scores_and_mlps_rollup() -> None:
    good = audit_config((FIXTURES / "cisco_ios" / "hardened.cfg").read_bytes(), source="good").findings
    bad = audit_config((FIXTURES / "cisco_ios" / "weak.cfg").read_bytes(), source="bad").findings
    scores = device_score(good + bad)
    assert scores["good"]["score"] > 90 > 20 > scores["bad"]["score"]
    rollup = {r["clause"]: r for r in mlps_rollup(good + bad)}
    assert rollup["8.1.4.1 c"]["verdict_zh"] == "部分符合"  # good passes, bad fails
    only_bad = {r["clause"]: r["verdict_zh"] for r in mlps_rollup(bad)}
    assert only_bad["8.1.4.1 c"] == "不符合"
    only_good = {r["clause"]: r["verdict_zh"] for r in mlps_rollup(good)}
    assert only_good["8.1.4.1 c"] == "符合"
    assert set(only_good.values()) <= {"符合", "部分符合", "不符合", "不适用"}


def test_xlsx_and_pdf_exports(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    findings = (audit_config((FIXTURES / "huawei_vrp" / "weak.cfg").read_bytes(), source="县政务外网-汇聚01").findings
                + audit_config((FIXTURES / "hp_comware" / "hardened.cfg").read_bytes(), source="h3c-agg").findings)
    xlsx = write_xlsx(findings, tmp_path / "audit.xlsx")
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["整改清单 Findings", "设备得分 Scores", "等保符合性 MLPS"]
    rows = list(wb["整改清单 Findings"].iter_rows(values_only=True))
    assert any(r[0] == "县政务外网-汇聚01" and r[1] == "BL-AUTH-001" and "undo telnet server enable" in r[8]
               for r in rows[1:])
    pdf = write_pdf(findings, tmp_path / "audit.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"FontFile2" in data  # the CJK TrueType font is embedded
