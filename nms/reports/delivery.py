"""The monthly bulletin job: make last month's reports, keep them, and e-mail them.

Why a plain function: the scheduler (apscheduler, ``nms run``) only needs something to call on
``reports.schedule_day`` at ``reports.schedule_time``; ``schedule()`` says when, and
``run_scheduled(config)`` does the work. It is idempotent per period: a ``.sent`` marker next to
the saved files means a restarted scheduler (or a catch-up run) does not mail the same bulletin
twice; ``force=True`` re-sends.

Mail goes through a ``notify`` channel of type email (issue 6's SMTP settings: host, port,
STARTTLS, login, sender, recipients); ``reports.channel`` picks one by name and
``reports.recipients`` overrides its recipients. Each scope gets one message with its files
attached and the summary paragraph as the body.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nms.models import utcnow
from nms.reports.periods import Period, previous_month
from nms.reports.report import ReportError, render, report_from_config

if TYPE_CHECKING:
    from nms.config import Config

log = logging.getLogger(__name__)

MIME = {"pdf": ("application", "pdf"),
        "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "csv": ("text", "csv")}


@dataclass(frozen=True)
class Delivery:
    """What one scheduled run did for one scope."""

    scope: str
    period: str
    files: list[Path]
    recipients: list[str]
    sent: bool
    skipped: bool = False
    error: str | None = None


def schedule(config: Config) -> dict[str, Any]:
    """Cron fields for the scheduler: ``{"day": 1, "hour": 8, "minute": 0, "timezone": ...}``."""
    rcfg = config.reports
    hour, minute = (int(x) for x in rcfg.schedule_time.split(":"))
    return {"day": rcfg.schedule_day, "hour": hour, "minute": minute, "timezone": config.timezone}


def output_dir(config: Config) -> Path:
    """Where scheduled reports are kept (``reports.output_dir``, default <data_dir>/reports)."""
    return Path(config.reports.output_dir) if config.reports.output_dir else \
        config.data_path / "reports"


def mail_channel(config: Config) -> Any | None:
    """The notify channel of type email to send with, or None when there is none."""
    channels = [c for c in getattr(getattr(config, "notify", None), "channels", [])
                if c.type == "email"]
    wanted = config.reports.channel
    if wanted:
        for channel in channels:
            if channel.name == wanted:
                return channel
        raise ReportError(f"reports.channel {wanted!r}: no notify channel of type email by "
                          f"that name (have: {', '.join(c.name for c in channels) or 'none'})")
    return channels[0] if channels else None


def _safe(scope: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in scope)


def send_mail(channel: Any, recipients: Sequence[str], subject: str, body: str,
              attachments: Sequence[Path]) -> None:
    """Send one message with attachments through ``channel``'s SMTP server.

    Raises:
        OSError / smtplib.SMTPException: the server cannot be reached or refuses the message.
    """
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = channel.sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="nms")
    msg.set_content(body)
    for path in attachments:
        maintype, subtype = MIME.get(path.suffix.lstrip("."), ("application", "octet-stream"))
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=path.name)
    with smtplib.SMTP(channel.smtp_host, channel.smtp_port, timeout=channel.timeout_s) as smtp:
        if channel.starttls:
            smtp.starttls()
        if channel.username:
            smtp.login(channel.username, channel.password or "")
        smtp.send_message(msg, to_addrs=list(recipients))


def run_scheduled(config: Config, now: datetime | None = None, *, period: Period | None = None,
                  force: bool = False, send: bool = True) -> list[Delivery]:
    """Make, save and mail the bulletin of the previous month (or ``period``) for each scope.

    Args:
        config: the loaded config (``reports`` and ``notify`` sections).
        now: the run time (default: the clock); the period is the month before it.
        period: report this period instead.
        force: make and send again even when the period was already sent.
        send: False only saves the files (no mail).

    Returns:
        One ``Delivery`` per scope. Errors of one scope are recorded in its ``Delivery`` and the
        other scopes still run.
    """
    now = now or utcnow()
    per = period or previous_month(now, config.timezone)
    rcfg = config.reports
    out_dir = output_dir(config) / per.label
    out_dir.mkdir(parents=True, exist_ok=True)
    channel = mail_channel(config) if send else None
    recipients = list(rcfg.recipients or (channel.recipients if channel else []))
    results: list[Delivery] = []
    for scope in rcfg.scopes:
        marker = out_dir / f"{_safe(scope)}.sent"
        if marker.exists() and not force:
            results.append(Delivery(scope, per.label, [], recipients, sent=False, skipped=True))
            continue
        files: list[Path] = []
        try:
            report = report_from_config(config, per, scope, now=now)
            for fmt in rcfg.formats:
                data = render(report, fmt, lang=rcfg.language, font=rcfg.font)
                path = out_dir / f"nms-uptime-{per.label}-{_safe(scope)}.{fmt}"
                path.write_bytes(data)
                files.append(path)
            sent = False
            if send and channel is not None and recipients:
                from nms.reports.i18n import t
                from nms.reports.summary import scope_label, summary_text

                subject = f"[nms] {t('title_period', rcfg.language)} {per.label} " \
                          f"{scope_label(report, rcfg.language)}"
                send_mail(channel, recipients, subject, summary_text(report, rcfg.language),
                          files)
                sent = True
                marker.write_text(now.isoformat() + "\n", encoding="utf-8")
            elif send:
                log.warning("reports: no e-mail channel or recipients; %s saved only", per.label)
            results.append(Delivery(scope, per.label, files, recipients, sent))
        except Exception as exc:  # noqa: BLE001 - one scope's failure must not stop the others
            log.error("reports: scope %r, period %s failed: %s", scope, per.label, exc)
            results.append(Delivery(scope, per.label, files, recipients, False, error=str(exc)))
    return results
