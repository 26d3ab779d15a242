"""``nms report uptime`` / ``nms report send`` end to end: config file, inventory database,
SQLite sink, a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from nms.cli import cli
from nms.reports.delivery import run_scheduled, schedule
from nms.reports.periods import parse_period

from .conftest import base_config


def _config_file(config_dir: Path, **extra: Any) -> Path:
    data = base_config(config_dir, {"type": "sqlite", "path": str(config_dir / "samples.db"),
                                    "raw_retention_days": 0}, **extra)
    path = config_dir / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_uptime_pdf_xlsx_csv(sqlite_config: Any, tmp_path: Path) -> None:
    cfg = _config_file(tmp_path)
    runner = CliRunner()
    out = tmp_path / "c1.pdf"
    result = runner.invoke(cli, ["--config", str(cfg), "report", "uptime", "--period", "2026-10",
                                 "--scope", "county:county01", "--format", "pdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    xlsx = tmp_path / "city.xlsx"
    result = runner.invoke(cli, ["--config", str(cfg), "report", "uptime", "--period", "2026-10",
                                 "--format", "xlsx", "-o", str(xlsx), "--lang", "en"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Devices"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "county01-agg-r1")
    assert row[header.index("Outage (min)")] == 60.0
    result = runner.invoke(cli, ["--config", str(cfg), "report", "uptime", "--period", "2026-10",
                                 "--scope", "township:county01-town01", "--format", "csv",
                                 "--table", "outages", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "county01-town01-r1" in result.output and "2026-10-05 03:00:00" in result.output


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-13"], "2026-13"),
    (["--period", "2026-10", "--scope", "county:nowhere"], "no county"),
    (["--period", "2026-10", "--scope", "region:x"], "unknown scope"),
])
def test_usage_errors_exit_2(sqlite_config: Any, tmp_path: Path, args: list[str],
                             message: str) -> None:
    cfg = _config_file(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(cfg), "report", "uptime", *args,
                                      "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2, result.output
    assert message in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[Message]]]:
    """A real SMTP server (aiosmtpd) on loopback collecting what it receives."""
    from aiosmtpd.controller import Controller

    received: list[Message] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_monthly_job_mails_once(sqlite_config: Any, tmp_path: Path,
                                smtp_server: tuple[int, list[Message]]) -> None:
    port, received = smtp_server
    cfg_path = _config_file(
        tmp_path,
        notify={"channels": [{"name": "info-center", "type": "email", "smtp_host": "127.0.0.1",
                              "smtp_port": port, "sender": "nms@example.org",
                              "recipients": ["noc@example.org"]}]},
        reports={"scopes": ["township:county02-town01", "county:county01"], "formats": ["pdf", "xlsx"],
                 "schedule_day": 2, "schedule_time": "07:30",
                 "output_dir": str(tmp_path / "out")})
    from nms.config import load_config

    config = load_config(cfg_path)
    assert schedule(config) == {"day": 2, "hour": 7, "minute": 30, "timezone": "Asia/Shanghai"}
    from datetime import UTC, datetime

    now = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 08:00 Beijing on 2 November
    results = run_scheduled(config, now)
    assert [(r.scope, r.period, r.sent, r.error) for r in results] == [
        ("township:county02-town01", "2026-10", True, None),
        ("county:county01", "2026-10", True, None)]
    assert len(received) == 2
    msg = received[0]
    assert msg["To"] == "noc@example.org" and "2026-10" in str(
        email.header.make_header(email.header.decode_header(msg["Subject"])))
    parts = [p for p in msg.walk() if p.get_filename()]
    assert [p.get_filename() for p in parts] == [
        "nms-uptime-2026-10-township_county02-town01.pdf",
        "nms-uptime-2026-10-township_county02-town01.xlsx"]
    assert parts[0].get_payload(decode=True).startswith(b"%PDF-")
    body = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    assert "可用率" in body.get_payload(decode=True).decode("utf-8")
    # a second run (scheduler restart) does not send again; force does
    again = run_scheduled(config, now)
    assert all(r.skipped for r in again) and len(received) == 2
    run_scheduled(config, now, period=parse_period("2026-10"), force=True)
    assert len(received) == 4
    assert (tmp_path / "out" / "2026-10" / "nms-uptime-2026-10-county_county01.xlsx").exists()
