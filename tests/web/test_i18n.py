"""Both languages, complete: the catalog covers every message and the user's choice sticks."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.web.conftest import FIXTURES, login, post
from web.i18n import CATALOG_DIR, catalog, extract_messages, localtime
from web.models import User


def test_catalog_is_complete_and_has_no_stale_entries() -> None:
    messages = extract_messages()
    zh = json.loads((CATALOG_DIR / "zh_CN.json").read_text(encoding="utf-8"))
    assert len(messages) > 150
    assert sorted(messages - set(zh)) == []  # untranslated
    assert sorted(set(zh) - messages) == []  # no longer used
    for msgid, text in zh.items():
        assert text.strip(), msgid
        # placeholders survive translation
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", text)), msgid


def test_default_language_is_the_configured_one(client: FlaskClient) -> None:
    page = client.get("/auth/login").text
    assert '<html lang="zh-CN">' in page and "登录" in page


def test_language_switch_on_the_login_page(client: FlaskClient) -> None:
    client.get("/auth/login")
    resp = post(client, "/auth/language", {"language": "en", "next": "/auth/login"})
    assert resp.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").text
    assert '<html lang="en">' in page and "Sign in" in page
    assert post(client, "/auth/language", {"language": "en", "next": "https://evil.example/"}) \
        .headers["Location"] == "/"


def test_users_choice_is_kept_on_the_account(app: Flask, client: FlaskClient, db_session) -> None:
    login(client, "engineer")
    assert "设备" in client.get("/devices/").text
    post(client, "/auth/language", {"language": "en", "next": "/devices/"})
    page = client.get("/devices/").text
    assert "Devices" in page and "设备" not in page.split("<main>")[1]
    user = db_session.scalar(select(User).where(User.username == "engineer"))
    assert user.language == "en"
    other = app.test_client()  # a new browser follows the account, not the config
    login(other, "engineer")
    assert "Dashboard" in other.get("/dashboard/").text
    post(other, "/auth/language", {"language": "zh_CN"})
    assert "总览" in other.get("/dashboard/").text


def test_english_pages_have_no_chinese_ui_text(app: Flask, client: FlaskClient) -> None:
    inventory = yaml.safe_load((FIXTURES / "inventory.yaml").read_text(encoding="utf-8"))
    inventory_text = {s["name"] for s in inventory["sites"]} | {
        u for s in inventory["sites"] for u in s.get("units", [])} | {
        b["unit"] for b in inventory["ip_blocks"] if b.get("unit")}
    login(client, "admin")
    post(client, "/auth/language", {"language": "en"})
    for url in ("/dashboard/", "/topology/", "/devices/ca-r1", "/ipplan/", "/inventory/",
                "/alarms/", "/audits/", "/reports/", "/auth/profile", "/auth/password"):
        page = client.get(url).text
        # the switch names each language in itself, and inventory data may be Chinese;
        # the rest of the interface must not be
        ui = re.sub(r'<form[^>]*class="lang-switch".*?</form>', "", page, flags=re.S)
        for data in sorted(inventory_text, key=len, reverse=True):
            ui = ui.replace(data, "")
        assert not re.search(r"[\u4e00-\u9fff]", ui), (url, re.findall(r".{20}[\u4e00-\u9fff]+.{5}", ui))


def test_enum_labels_follow_the_language(app: Flask, client: FlaskClient) -> None:
    login(client, "viewer")
    assert "路由器" in client.get("/devices/").text
    post(client, "/auth/language", {"language": "en"})
    assert "Router" in client.get("/devices/").text


def test_times_are_shown_in_the_configured_zone(app: Flask) -> None:
    with app.test_request_context():
        assert localtime(datetime(2026, 1, 1, 0, 0, tzinfo=UTC)) == "2026-01-01 08:00:00"
        assert localtime(datetime(2026, 1, 1, 0, 0)) == "2026-01-01 08:00:00"  # naive = UTC
        assert localtime(None) == "-"
    assert catalog("en") == {}
