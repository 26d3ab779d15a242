"""Notifications received by a real SMTP server (aiosmtpd) and a real local HTTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from nms.alarms import AlarmChange
from nms.config import NotifyChannel, NotifyConfig
from nms.notify import Notifier


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def http() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "body": json.loads(body.decode("utf-8")),
                             "type": self.headers["Content-Type"]})
            answer = b'{"errcode": 1, "errmsg": "bad"}' if "refuse" in self.path else b'{"errcode": 0}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def change(action: str = "raised", severity: str = "major", device: str = "t1-acc", n: int = 1,
           **extra: Any) -> AlarmChange:
    return AlarmChange(action, {"id": n, "check_id": "LINK-006", "device": device,
                                "subject": "Gi0/1 <-> t1-acc:Gi0/0", "severity": severity,
                                "reason_en": "link down", "reason_zh": "链路中断",
                                "raised_at": "2026-11-20T08:00:00+00:00", "suppressed": False, **extra})


def subject_of(msg: Any) -> str:
    return str(make_header(decode_header(msg["Subject"])))


def test_email_in_chinese_and_english(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    config = NotifyConfig(channels=[
        NotifyChannel(name="noc-zh", type="email", smtp_port=port, recipients=["noc@gov.example"]),
        NotifyChannel(name="vendor-en", type="email", smtp_port=port, recipients=["ops@vendor.example"],
                      language="en")])
    deliveries = Notifier(config).send([change()])
    assert all(d.ok for d in deliveries), deliveries
    assert len(inbox.messages) == 2
    by_rcpt = {tuple(r): m for r, m in inbox.messages}
    zh = by_rcpt[("noc@gov.example",)]
    assert subject_of(zh) == "[nms][重要] 告警产生：t1-acc Gi0/1 <-> t1-acc:Gi0/0"
    assert "原因：链路中断" in zh.get_payload(decode=True).decode("utf-8")
    en = by_rcpt[("ops@vendor.example",)]
    assert subject_of(en).startswith("[nms][Major] Alarm raised: t1-acc")
    assert "Reason: link down" in en.get_payload(decode=True).decode("utf-8")


def test_webhook_dingtalk_wecom(http: tuple[list[dict[str, Any]], str]) -> None:
    received, base = http
    config = NotifyConfig(channels=[
        NotifyChannel(name="hook", type="webhook", url=f"{base}/hook"),
        NotifyChannel(name="ding", type="dingtalk", url=f"{base}/robot/send?access_token=abc", secret="SECxyz"),
        NotifyChannel(name="wx", type="wecom", url=f"{base}/cgi-bin/webhook/send?key=k", language="en")])
    deliveries = Notifier(config).send([change(), change("cleared", n=1, cleared_by="auto")])
    assert all(d.ok for d in deliveries) and len(deliveries) == 6
    hook = [r for r in received if r["path"] == "/hook"]
    assert hook[0]["body"]["changes"][0]["alarm"]["check_id"] == "LINK-006"
    assert hook[0]["type"].startswith("application/json")
    ding = [r for r in received if r["path"].startswith("/robot/send")]
    assert ding[0]["body"]["msgtype"] == "markdown" and "链路中断" in ding[0]["body"]["markdown"]["text"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(ding[0]["path"]).query)
    ts, sign = query["timestamp"][0], query["sign"][0]
    expect = base64.b64encode(hmac.new(b"SECxyz", f"{ts}\nSECxyz".encode(), hashlib.sha256).digest()).decode()
    assert sign == expect and query["access_token"] == ["abc"]
    wx = [r for r in received if r["path"].startswith("/cgi-bin")]
    assert wx[1]["body"]["markdown"]["content"].startswith("**[nms][Major] Alarm cleared")


def test_filters_and_failures_are_values(http: tuple[list[dict[str, Any]], str]) -> None:
    received, base = http
    config = NotifyConfig(channels=[
        NotifyChannel(name="critical-only", type="webhook", url=f"{base}/c", min_severity="critical"),
        NotifyChannel(name="refused", type="dingtalk", url=f"{base}/refuse"),
        NotifyChannel(name="dead", type="webhook", url=f"http://127.0.0.1:{free_port()}/x", timeout_s=2)])
    n = Notifier(config)
    out = n.send([change(severity="minor"), change(severity="critical", n=2),
                  change(severity="critical", n=3, suppressed=True)])
    by = {}
    for d in out:
        by.setdefault(d.channel, []).append(d)
    assert len(by["critical-only"]) == 1 and by["critical-only"][0].ok
    assert not by["refused"][0].ok and "robot refused" in str(by["refused"][0].error)
    assert not by["dead"][0].ok
    assert [r["path"] for r in received].count("/c") == 1


def test_rate_limit_folds_into_a_digest(http: tuple[list[dict[str, Any]], str]) -> None:
    received, base = http
    now = [1000.0]
    config = NotifyConfig(channels=[NotifyChannel(name="hook", type="webhook", url=f"{base}/h")],
                          max_per_minute=3)
    n = Notifier(config, clock=lambda: now[0])
    out = n.send([change(n=i, device=f"t{i}") for i in range(10)])  # a county uplink takes 10 down
    assert len(out) == 3 and all(d.ok for d in out)
    assert "(digest)" not in received[1]["body"]["title"]
    assert "8" in received[2]["body"]["title"] and len(received[2]["body"]["changes"]) == 8
    out = n.send([change(n=11, device="t11")])  # window full: held
    assert out == []
    now[0] += 61
    out = n.flush()
    assert len(out) == 1 and len(received[-1]["body"]["changes"]) == 1
