"""The console in a real browser: Debian's headless chromium driven through chromedriver.

Starts the real application on waitress (the server of ``nms serve``) on a free 127.0.0.1 port,
signs in through the form, waits for the ECharts topology map to draw the inventory's devices --
with county A's uplink cut (``tests/web/collected.py``), so its townships are drawn parent-down
and the tooltip names the root cause -- sees the map's refresh answered 304, acknowledges an
alarm on the alarm board (and sees the live refresh redraw it), clicks a device on the map, sees
its neighbours and charts, switches the language to English and back. Screenshots go to
``test-artifacts/screenshots/``. The browser's console must stay free of errors, so a CSP
violation (an inline script, a blocked resource) fails the test.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from nms.models import Sample, utcnow
from tests.web import collected
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROME_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage", "--window-size=1440,900", "--lang=zh-CN")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served by waitress (as ``nms serve`` does) in a thread on a free loopback port."""
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="nms")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()  # the loop ends once the browser's connections are gone too
        server.task_dispatcher.shutdown()
        thread.join(5)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless chromium; skipped (with the reason) only when chromium is not installed."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER})")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, condition: Any, timeout: float = 15) -> Any:
    """Wait for ``condition``, riding over the page being replaced meanwhile."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(
        NoSuchElementException, StaleElementReferenceException)).until(condition)


def _shot(driver: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def _errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _write_samples(app: Flask) -> None:
    """Collected state and polls with county A's uplink cut; an hour of ca-r1's traffic and
    health, so its charts have something to draw; an alarm on tb2-sw1."""
    collected.write(app)
    now = utcnow().replace(microsecond=0)
    samples = []
    for i in range(60):
        t = now - timedelta(minutes=60 - i)
        wave = (i % 20) * 150_000_000
        samples.append(Sample("interface", {"device": "ca-r1", "ifname": "GE0/0/1"},
                              {"in_octets": i * 3_000_000_000 + wave, "out_octets": i * 1_000_000_000}, t))
        samples.append(Sample("device_health", {"device": "ca-r1"},
                              {"cpu_percent": 20.0 + (i * 7) % 25, "memory_percent": 61.0 + i % 5}, t))
    app.extensions["nms"].timeseries.sink().write(samples)
    from nms.alarms import AlarmManager, Event
    from nms.models import Severity

    AlarmManager(app.extensions["nms"].engine).process_events([
        Event("DEVICE-DOWN", "tb2-sw1", "", Severity.CRITICAL, "tb2-sw1 does not answer",
              "tb2-sw1 无响应", source="event")])


def test_console_in_chromium(app: Flask, live_server: str, browser: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _write_samples(app)
    d = browser
    d.get(live_server + "/topology/")  # anonymous: sent to the login form
    _wait(d, lambda d: "/auth/login" in d.current_url)
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    _shot(d, "01-login-zh")
    d.find_element(By.ID, "username").send_keys("engineer")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.ID, "login-submit").click()

    # back on the map it asked for, drawn by ECharts from /api/v1/topology
    _wait(d, lambda d: d.current_url.endswith("/topology/"))
    _wait(d, lambda d: d.find_element(By.ID, "topology").get_attribute("data-rendered") == "1")
    topo = d.find_element(By.ID, "topology")
    assert topo.get_attribute("data-node-count") == "9"  # 8 devices and an IP phone seen by LLDP
    assert d.execute_script("return window.nmsTopology.data.nodes.length") == 9
    assert d.execute_script("return window.nmsTopology.chart.getOption().series[0].data.length") == 9
    # county A's townships: parent-down, in their own colour, the tooltip naming the root cause
    drawn = d.execute_script("""
        const o = window.nmsTopology.chart.getOption();
        const n = o.series[0].data.find(n => n.id === 'ta1-sw1');
        return [n.raw.state, n.itemStyle.color, o.tooltip[0].formatter({dataType: 'node', data: n}),
                o.legend[0].data];""")
    assert drawn[0] == "parent_down" and drawn[1] == "#8a63d2", drawn
    assert "上游中断" in drawn[2] and "根因: ca-r1" in drawn[2], drawn[2]
    assert "上游中断" in drawn[3]
    assert "上游中断" in d.find_element(By.ID, "topology-legend").text
    edge = d.execute_script("""
        const o = window.nmsTopology.chart.getOption();
        const l = o.series[0].links.find(l => l.raw.id === 'cb-r1:GE0/0/3--tb1-sw1:Gi0/1');
        return [l.lineStyle.type, o.tooltip[0].formatter({dataType: 'edge', data: l})];""")
    assert edge[0] == "solid" and "端口与规划不符" in edge[1] and "GE0/0/1" in edge[1], edge
    # the refresh sends the ETag back: unchanged, so 304 and no redraw
    d.execute_script("window.nmsTopology.refresh()")
    _wait(d, lambda d: topo.get_attribute("data-not-modified") == "1")
    assert topo.get_attribute("data-refreshed") is None
    painted = d.execute_script("""
        const c = document.querySelector('#topology canvas');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) { if (px[i + 3] > 0) n++; }
        return [c.width, c.height, n];""")
    assert painted[0] > 600 and painted[1] > 300 and painted[2] > 2000, painted
    assert "8" in d.find_element(By.ID, "topology-summary").text
    _shot(d, "02-topology-zh")
    d.execute_script("""
        const t = window.nmsTopology;
        const i = t.chart.getOption().series[0].data.findIndex(n => n.id === 'ta1-sw1');
        t.chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i});""")
    _shot(d, "02a-topology-parent-down-tooltip-zh")

    # the alarm board: tb2-sw1's alarm is raised; acknowledge it with the row's button
    d.get(live_server + "/alarms/")
    row = _wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#alarm-board tr[data-id]"))
    assert "tb2-sw1" in row.text and "告警中" in row.text
    # live refresh redraws the rows from /api/v1/alarms (the same alarm, still raised)
    d.execute_script("window.nmsAlarms.refresh()")
    _wait(d, lambda d: d.find_element(By.ID, "alarm-board").get_attribute("data-refreshed") == "1")
    _shot(d, "02b-alarm-board-zh")
    d.find_element(By.CSS_SELECTOR, '#alarm-board tr[data-id] button[data-action="ack"]').click()
    _wait(d, lambda d: "已确认" in d.find_element(By.CSS_SELECTOR, "#alarm-board tr[data-id]").text)
    assert "(engineer)" in d.find_element(By.CSS_SELECTOR, "#alarm-board tr[data-id] td.state").text
    assert "已确认" in d.find_element(By.CSS_SELECTOR, "p.flash.ok").text
    assert not d.find_elements(By.CSS_SELECTOR, '#alarm-board button[data-action="ack"]')
    _shot(d, "02c-alarm-acknowledged-zh")
    d.find_element(By.CSS_SELECTOR, "#alarm-board tr[data-id] td a").click()  # its history
    _wait(d, lambda d: d.find_element(By.ID, "alarm-history"))
    assert "engineer" in d.find_element(By.ID, "alarm-history").text
    d.get(live_server + "/topology/")
    _wait(d, lambda d: d.find_element(By.ID, "topology").get_attribute("data-rendered") == "1")
    topo = d.find_element(By.ID, "topology")

    # zoom buttons work, then click ca-r1 on the map to open its page
    d.find_element(By.ID, "zoom-in").click()
    d.find_element(By.ID, "zoom-reset").click()
    x, y = d.execute_script("""
        const t = window.nmsTopology;
        const n = t.data.nodes.find(n => n.id === 'ca-r1');
        return t.chart.convertToPixel({seriesIndex: 0}, [n.x, n.y]);""")
    width, height = topo.size["width"], topo.size["height"]
    ActionChains(d).move_to_element_with_offset(topo, int(x - width / 2), int(y - height / 2)) \
        .click().perform()
    _wait(d, lambda d: d.current_url.endswith("/devices/ca-r1"))
    assert d.find_element(By.ID, "device-state").get_attribute("data-state") == "down"
    uplink = d.find_element(By.CSS_SELECTOR, '#neighbours tr[data-state="down"]')
    assert "city-core-1" in uplink.text and "GE0/0/0" in uplink.text
    charts = d.find_element(By.ID, "charts")
    _wait(d, lambda d: charts.get_attribute("data-has-data") == "1"
          and charts.get_attribute("data-loading") is None)
    assert d.find_element(By.ID, "chart-traffic").find_element(By.TAG_NAME, "canvas").size["width"] > 300
    d.find_element(By.CSS_SELECTOR, '#ranges button[data-range="1h"]').click()
    _wait(d, lambda d: charts.get_attribute("data-loading") is None)
    assert "详细信息" in d.page_source
    d.execute_script("document.getElementById('charts').scrollIntoView()")
    _shot(d, "03-device-charts-zh")

    # English, and back
    d.find_element(By.ID, "lang-en").click()
    _wait(d, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert d.current_url.endswith("/devices/ca-r1")
    assert "Details" in d.page_source and "Planned links" in d.page_source
    _wait(d, lambda d: d.find_element(By.ID, "charts").get_attribute("data-has-data") == "1")
    _shot(d, "04-device-en")
    d.execute_script("document.getElementById('charts').scrollIntoView()")
    _shot(d, "04-device-charts-en")
    d.get(live_server + "/topology/")
    _wait(d, lambda d: d.find_element(By.ID, "topology").get_attribute("data-rendered") == "1")
    _shot(d, "05-topology-en")
    d.get(live_server + "/alarms/?state=all")
    assert "Acknowledged" in d.find_element(By.CSS_SELECTOR, "#alarm-board tr[data-id]").text
    _shot(d, "05b-alarms-en")
    d.find_element(By.ID, "lang-zh_CN").click()
    _wait(d, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")
    assert "网络拓扑" in d.page_source
    d.get(live_server + "/dashboard/")
    _shot(d, "06-dashboard-zh")

    assert _errors(d) == []  # no CSP violation, no failed script, no failed request
