"""Alarm notifications: e-mail (SMTP), a generic JSON webhook, DingTalk and WeCom robots.

Input: the ``AlarmChange`` s an ``AlarmManager`` call returned. Output: one message per change
and channel, in the channel's language (``zh_CN`` or ``en``), filtered by the channel's
``events`` (raised, reopened, escalated, cleared, acknowledged) and ``min_severity``; suppressed
alarms (behind a down parent, in maintenance) are not notified. Delivery failures are values
(``Delivery.error``), logged and never raised: a dead mail server must not stop alarm handling.

Rate limit (why: a county uplink failing takes dozens of townships with it, and nobody reads
fifty robot messages a minute): at most ``notify.max_per_minute`` messages per channel in any
60 s; changes beyond that are held and sent as *one* digest message when the window allows
(``Notifier.flush`` or the next ``send``).

Robot formats: DingTalk custom robot (``msgtype: markdown``; with a ``secret``, the URL gets
``timestamp`` and ``sign`` = base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))); WeCom group
robot (``msgtype: markdown``, ``markdown.content``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import threading
import time
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from nms.config import NotifyChannel, NotifyConfig
from nms.models import Severity

log = logging.getLogger(__name__)

SEVERITY_LABEL = {s.value: (s.label_en, s.label_zh) for s in Severity}  # type: ignore[attr-defined]
ACTION_LABEL = {
    "raised": ("Alarm raised", "告警产生"), "reopened": ("Alarm raised again", "告警再次产生"),
    "escalated": ("Alarm escalated", "告警升级"), "cleared": ("Alarm cleared", "告警清除"),
    "acknowledged": ("Alarm acknowledged", "告警已确认"),
}
TEMPLATES = {
    "en": {"title": "[nms][{severity}] {action}: {device} {subject}",
           "body": "{action}\nSeverity: {severity}\nDevice: {device}\nSubject: {subject}\n"
                   "Check: {check_id}\nReason: {reason}\nRaised: {raised_at}\n{extra}Alarm #{id}"},
    "zh_CN": {"title": "[nms][{severity}] {action}：{device} {subject}",
              "body": "{action}\n级别：{severity}\n设备：{device}\n对象：{subject}\n"
                      "检查项：{check_id}\n原因：{reason}\n产生时间：{raised_at}\n{extra}告警编号 #{id}"},
}


@dataclass(frozen=True)
class Message:
    """One rendered notification."""

    title: str
    body: str
    changes: tuple[dict[str, Any], ...]  # (action + alarm) of each change it covers


@dataclass
class Delivery:
    """The outcome of one message on one channel."""

    channel: str
    title: str
    ok: bool
    error: str | None = None


def render(change: Any, language: str) -> Message:
    """The message of one ``AlarmChange`` in ``language`` (``zh_CN`` or ``en``)."""
    zh = language == "zh_CN"
    alarm = change.alarm
    sev = SEVERITY_LABEL.get(alarm["severity"], (alarm["severity"], alarm["severity"]))[1 if zh else 0]
    action = ACTION_LABEL.get(change.action, (change.action, change.action))[1 if zh else 0]
    extra = ""
    if change.action == "cleared" and alarm.get("cleared_by"):
        extra = (f"清除人：{alarm['cleared_by']}\n" if zh else f"Cleared by: {alarm['cleared_by']}\n")
    if change.action == "acknowledged" and alarm.get("acknowledged_by"):
        extra = (f"确认人：{alarm['acknowledged_by']}\n" if zh else f"Acknowledged by: {alarm['acknowledged_by']}\n")
    values = {"severity": sev, "action": action, "device": alarm.get("device") or "-",
              "subject": alarm.get("subject") or "", "check_id": alarm["check_id"],
              "reason": alarm.get("reason_zh" if zh else "reason_en") or "", "raised_at": alarm.get("raised_at"),
              "extra": extra, "id": alarm.get("id")}
    t = TEMPLATES["zh_CN" if zh else "en"]
    return Message(t["title"].format(**values).strip(), t["body"].format(**values),
                   ({"action": change.action, "alarm": alarm},))


def digest(messages: list[Message], language: str) -> Message:
    """Several held messages folded into one (the rate limit's overflow)."""
    zh = language == "zh_CN"
    title = (f"[nms] {len(messages)} 条告警变化（已合并）" if zh
             else f"[nms] {len(messages)} alarm changes (digest)")
    body = "\n".join(f"- {m.title}" for m in messages)
    return Message(title, body, tuple(c for m in messages for c in m.changes))


class Notifier:
    """Sends alarm changes to the configured channels, rate-limited per channel.

    Args:
        config: ``config.notify``.
        clock: seconds, monotonic (tests pass a fake to step through the rate window).
    """

    def __init__(self, config: NotifyConfig | None = None, *, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.config = config or NotifyConfig()
        self.clock = clock
        self._sent: dict[str, deque[float]] = {c.name: deque() for c in self.config.channels}
        self._held: dict[str, list[Message]] = {c.name: [] for c in self.config.channels}
        self._lock = threading.Lock()

    def send(self, changes: Iterable[Any]) -> list[Delivery]:
        """Notify each channel of the changes it subscribes to; returns every delivery attempt."""
        changes = [c for c in changes if not c.alarm.get("suppressed")]
        deliveries: list[Delivery] = []
        for channel in self.config.channels:
            wanted = [c for c in changes if self._wants(channel, c)]
            with self._lock:
                outbox = self._admit(channel, [render(c, channel.language) for c in wanted])
            deliveries.extend(self._deliver(channel, m) for m in outbox)
        return deliveries

    def flush(self) -> list[Delivery]:
        """Send held (rate-limited) messages as digests where the window now allows."""
        return self.send([])

    @staticmethod
    def _wants(channel: NotifyChannel, change: Any) -> bool:
        if change.action not in channel.events and not (
                change.action == "reopened" and "raised" in channel.events):
            return False
        return Severity(change.alarm["severity"]).rank <= Severity(channel.min_severity).rank

    def _admit(self, channel: NotifyChannel, messages: list[Message]) -> list[Message]:
        """Messages allowed out now; the rest are held for a digest."""
        now = self.clock()
        sent = self._sent.setdefault(channel.name, deque())
        held = self._held.setdefault(channel.name, [])
        while sent and now - sent[0] >= 60.0:
            sent.popleft()
        budget = max(self.config.max_per_minute - len(sent), 0)
        out: list[Message] = []
        if held and budget:
            out.append(digest(held, channel.language))
            held.clear()
            budget -= 1
        for i, m in enumerate(messages):
            if budget == 0:
                held.extend(messages[i:])
                log.info("notify %s: rate limit reached, %d message(s) held for a digest",
                         channel.name, len(held))
                break
            if budget == 1 and len(messages) - i > 1:  # last slot: fold the rest into one digest
                out.append(digest(messages[i:], channel.language))
                budget = 0
                break
            out.append(m)
            budget -= 1
        for _ in out:
            sent.append(now)
        return out

    def _deliver(self, channel: NotifyChannel, message: Message) -> Delivery:
        try:
            if channel.type == "email":
                self._email(channel, message)
            elif channel.type == "webhook":
                _post(channel, channel.url, {"title": message.title, "text": message.body,
                                             "changes": list(message.changes)})
            elif channel.type == "dingtalk":
                _post(channel, _dingtalk_url(channel), {
                    "msgtype": "markdown",
                    "markdown": {"title": message.title,
                                 "text": f"#### {message.title}\n\n" + message.body.replace("\n", "\n\n")}})
            elif channel.type == "wecom":
                _post(channel, channel.url, {"msgtype": "markdown", "markdown": {
                    "content": f"**{message.title}**\n" + message.body}})
            else:  # pragma: no cover - the config schema allows no other type
                raise ValueError(f"unknown channel type {channel.type!r}")
        except Exception as exc:  # noqa: BLE001 - a failed delivery is a value (style.md 2.8)
            log.warning("notify %s (%s): %s", channel.name, channel.type, exc)
            return Delivery(channel.name, message.title, False, f"{type(exc).__name__}: {exc}")
        return Delivery(channel.name, message.title, True)

    @staticmethod
    def _email(channel: NotifyChannel, message: Message) -> None:
        if not channel.recipients:
            raise ValueError("no recipients")
        msg = EmailMessage()
        msg["Subject"] = message.title
        msg["From"] = channel.sender
        msg["To"] = ", ".join(channel.recipients)
        msg.set_content(message.body, charset="utf-8")
        with smtplib.SMTP(channel.smtp_host, channel.smtp_port, timeout=channel.timeout_s) as smtp:
            if channel.starttls:
                smtp.starttls()
            if channel.username:
                smtp.login(channel.username, channel.password or "")
            smtp.send_message(msg)


def _dingtalk_url(channel: NotifyChannel) -> str | None:
    if not channel.url or not channel.secret:
        return channel.url
    timestamp = str(int(time.time() * 1000))
    to_sign = f"{timestamp}\n{channel.secret}".encode()
    sign = base64.b64encode(hmac.new(channel.secret.encode(), to_sign, hashlib.sha256).digest()).decode()
    sep = "&" if "?" in channel.url else "?"
    return f"{channel.url}{sep}timestamp={timestamp}&sign={urllib.parse.quote_plus(sign)}"


def _post(channel: NotifyChannel, url: str | None, payload: dict[str, Any]) -> None:
    if not url:
        raise ValueError("no url")
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=channel.timeout_s) as resp:  # noqa: S310 - configured URL
        body = resp.read(65536)
    if channel.type in ("dingtalk", "wecom"):
        # both robots answer HTTP 200 with {"errcode": N} on failure
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            return
        if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
            raise RuntimeError(f"robot refused: {answer.get('errcode')} {answer.get('errmsg', '')}")
