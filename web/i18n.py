"""Chinese and English for the console: a small message catalog, per-user language, local times.

Why not gettext/Babel: the console has two languages and a few hundred short messages, so a
JSON catalog (English text → Simplified Chinese, ``web/translations/zh_CN.json``) needs no
extraction or compile step and a test can prove it complete: every literal ``_()`` message in the
templates and the Python code of ``web`` must have a Chinese entry, and every entry must be
used. English is the message id itself.

Placeholders are Python ``%(name)s`` style: ``_("%(n)s devices", n=3)``.

The language of a request is the signed-in user's choice, else the one picked on the login
page (kept in the session), else ``web.language`` of the config. Times are stored in UTC and
shown in the configured ``timezone`` (default Asia/Shanghai).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, session

LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
CATALOG_DIR = Path(__file__).with_name("translations")
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of ``language`` (English → that language); empty for English."""
    path = CATALOG_DIR / f"{language}.json"
    if language == "en" or not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def current_language() -> str:
    """The language of the current request (``DEFAULT_LANGUAGE`` outside a request)."""
    if has_request_context():
        lang = g.get("language")
        if lang:
            return str(lang)
    return DEFAULT_LANGUAGE


def choose_language(user_language: str | None) -> str:
    """The language of a request: the user's, else the session's, else the configured one."""
    for lang in (user_language, session.get("language"), current_app.extensions["nms"].config.web.language):
        if lang in LANGUAGES:
            return str(lang)
    return DEFAULT_LANGUAGE


def gettext(message: str, **params: Any) -> str:
    """``message`` in the request's language, with ``%(name)s`` placeholders filled in."""
    text = catalog(current_language()).get(message, message)
    return text % params if params else text


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalog without translating it (translated where it is shown)."""
    return message


def label(choice: Any) -> str:
    """The label of a ``ChoiceEnum`` member (``Severity.MAJOR`` → 重要 / Major)."""
    if choice is None:
        return "-"
    attr = "label_zh" if current_language() == "zh_CN" else "label_en"
    return str(getattr(choice, attr, choice))


def aware(value: datetime) -> datetime:
    """``value`` with a time zone: plain DateTime columns read back naive on SQLite (UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def timezone() -> ZoneInfo:
    """The configured display time zone."""
    return ZoneInfo(current_app.extensions["nms"].config.timezone)


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """``value`` formatted in the configured time zone ("-" for None)."""
    if value is None:
        return "-"
    return aware(value).astimezone(timezone()).strftime(fmt)


_MSG = re.compile(r"""(?<![\w.])(?:_|N_|gettext)\(\s*(?P<q>["'])(?P<msg>(?:\\.|(?!(?P=q)).)*)(?P=q)""", re.S)


def extract_messages(root: Path | None = None) -> set[str]:
    """Every literal message id in the templates and Python modules under ``root`` (``web``)."""
    root = root or Path(__file__).parent
    found: set[str] = set()
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.py")]):
        for m in _MSG.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group("msg").replace("\\'", "'").replace('\\"', '"'))
    return found


def init_app(app: Flask) -> None:
    """Make ``_``, ``label``, ``localtime`` and the language list available to templates."""
    app.jinja_env.globals.update(_=gettext, label=label, LANGUAGES=LANGUAGES,
                                 current_language=current_language, html_lang=HTML_LANG)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["label"] = label
