"""The pages and their data: dashboard, topology, devices, charts, IP plan, inventory import,
hostile input, placeholders, and what every response carries (headers, cookies, no secrets)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from nms.models import Sample, utcnow
from tests.web.conftest import ALL_DEVICES, COMMUNITY, FIXTURES, csrf_of, login, post

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def _upload(client: FlaskClient, path: Path, **form: str):
    with path.open("rb") as fh:
        return post(client, "/inventory/import", {"file": (fh, path.name), **form},
                    content_type="multipart/form-data")


# ---- dashboard and placeholders ---------------------------------------------------------------


def test_dashboard_counts_and_degrades_without_data(app: Flask, as_user) -> None:
    from web.queries import alarms_ready

    page = as_user("viewer").get("/dashboard/").text
    assert 'id="device-count">8<' in page and 'id="site-count">7<' in page
    assert "近期没有采集结果" in page  # the memory sink is empty: states unknown
    if not alarms_ready(app.extensions["nms"].engine):
        assert 'id="no-alarms"' in page
    summary = as_user("viewer").get("/api/v1/dashboard").json
    assert summary["devices_by_role"] == {"router": 3, "firewall": 1, "switch": 4, "server": 0}
    assert summary["devices_by_state"] == {"up": 0, "down": 0, "parent_down": 0, "unknown": 8}
    assert summary["links_by_tier"] == {"core": 3, "county": 4}


def test_pages_work_without_any_sink(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    ts = app.extensions["nms"].timeseries
    ts.sink = lambda: None  # as if the store could not be opened
    c = app.test_client()
    login(c, "engineer")
    assert 'id="no-sink"' in c.get("/dashboard/").text
    metrics = c.get("/api/v1/devices/ca-r1/metrics").json
    assert metrics["has_data"] is False and metrics["sink"] is False
    assert c.get("/devices/ca-r1").status_code == 200


def test_audits_are_for_security_staff(as_user) -> None:
    assert 'id="no-audits"' in as_user("auditor").get("/audits/").text  # nothing collected yet
    assert as_user("engineer").get("/audits/").status_code == 403


# ---- topology ---------------------------------------------------------------------------------


def test_topology_is_drawn_from_the_inventory(as_user) -> None:
    c = as_user("engineer")
    page = c.get("/topology/").text
    assert "vendor/echarts/echarts.min.js" in page and 'data-src="/api/v1/topology"' in page
    topo = c.get("/api/v1/topology").json
    assert {n["id"] for n in topo["nodes"]} == ALL_DEVICES
    assert len(topo["links"]) == 7
    nodes = {n["id"]: n for n in topo["nodes"]}
    radius = {name: (n["x"] ** 2 + n["y"] ** 2) ** 0.5 for name, n in nodes.items()}
    # city at the centre, counties on the first ring, townships on the second
    assert max(radius["city-core-1"], radius["city-fw-1"]) < 100
    assert 250 < radius["ca-r1"] < 400 and 250 < radius["cb-r1"] < 400
    assert all(radius[t] > 550 for t in ("ta1-sw1", "ta2-sw1", "tb1-sw1", "tb2-sw1"))
    assert {n["state"] for n in topo["nodes"]} == {"unknown"}


@pytest.mark.parametrize("sink_type", ["memory", "sqlite"])
def test_states_and_charts_come_from_the_sink(make_app: Callable[..., Flask], tmp_path: Path,
                                              sink_type: str) -> None:
    app = make_app()
    if sink_type == "sqlite":
        from collectors.sinks.sqlite import SqliteSink

        app.extensions["nms"].timeseries.set_sink(SqliteSink(tmp_path / "samples.db"))
    sink = app.extensions["nms"].timeseries.sink()
    now = utcnow().replace(microsecond=0)
    samples = [
        Sample("poll_status", {"device": "city-core-1"}, {"reachable": True}, now - timedelta(seconds=30)),
        Sample("poll_status", {"device": "cb-r1"}, {"reachable": True}, now - timedelta(seconds=90)),
        Sample("poll_status", {"device": "cb-r1"}, {"reachable": False}, now - timedelta(seconds=20)),
    ]
    for i in range(30):  # an hour of 2-minute polls: 1 MB/min in, 2 MB/min out on one port
        t = now - timedelta(minutes=60 - 2 * i)
        samples.append(Sample("interface", {"device": "ca-r1", "ifname": "GE0/0/0"},
                              {"in_octets": 10**9 + i * 2_000_000, "out_octets": 4 * 10**9 + i * 4_000_000}, t))
        samples.append(Sample("device_health", {"device": "ca-r1"},
                              {"cpu_percent": 20.0 + i % 3, "memory_percent": 55.5}, t))
    sink.write(samples)
    c = app.test_client()
    login(c, "engineer")
    nodes = {n["id"]: n["state"] for n in c.get("/api/v1/topology").json["nodes"]}
    assert nodes["city-core-1"] == "up" and nodes["cb-r1"] == "down" and nodes["ca-r1"] == "unknown"
    # link state is the ends' ifOperStatus, not reachability: nothing collected, so unknown,
    # and the planned links are drawn as not (yet) found
    links = {(lk["source"], lk["target"]): lk for lk in c.get("/api/v1/topology").json["links"]}
    assert links[("city-core-1", "cb-r1")]["state"] == "unknown"
    assert {lk["reconciliation"] for lk in links.values()} == {"missing"}
    assert c.get("/api/v1/dashboard").json["devices_by_state"] == {"up": 1, "down": 1, "parent_down": 0,
                                                                   "unknown": 6}

    m = c.get("/api/v1/devices/ca-r1/metrics?range=6h").json
    assert m["has_data"] and m["step_s"] == 120  # two polls of a router (60 s)
    rates_in = [v for _t, v in m["series"]["in_bps"]]
    assert rates_in and all(abs(v - 2_000_000 * 8 / 120) < 1 for v in rates_in)
    assert all(abs(v - 4_000_000 * 8 / 120) < 1 for _t, v in m["series"]["out_bps"])
    assert {v for _t, v in m["series"]["memory_percent"]} == {55.5}
    assert c.get("/api/v1/devices/ca-r1/metrics?range=2y").status_code == 400
    assert c.get("/api/v1/devices/cb-r1/metrics?range=1h").json["has_data"] is False


# ---- devices ----------------------------------------------------------------------------------


def test_device_list_filters(as_user) -> None:
    c = as_user("viewer")
    assert len(c.get("/api/v1/devices?role=switch").json) == 4
    assert {d["name"] for d in c.get("/api/v1/devices?site=county-b").json} == {"cb-r1", "tb1-sw1", "tb2-sw1"}
    assert [d["name"] for d in c.get("/api/v1/devices?q=core").json] == ["city-core-1"]
    assert [d["name"] for d in c.get("/api/v1/devices?q=127.77.2.1").json] == ["cb-r1", "tb1-sw1", "tb2-sw1"]
    assert c.get("/api/v1/devices?role=toaster").status_code == 400
    assert len(c.get("/api/v1/devices?limit=2&offset=1").json) == 2
    page = c.get("/devices/?role=firewall").text
    assert "city-fw-1" in page and "ca-r1" not in page
    assert "无效的取值" in c.get("/devices/?zone=moon").text


def test_device_list_is_paged_by_the_database(as_user, tmp_path: Path) -> None:
    import yaml

    rows = [{"name": f"extra-{i:03d}", "address": f"127.78.{i // 200}.{i % 200 + 1}",
             "role": "switch", "vendor": "ruijie", "platform": "ruijie_os", "site": "town-a1",
             "zone": "extranet"} for i in range(150)]
    admin = as_user("admin")
    resp = admin.post("/api/v1/inventory/import", data=yaml.safe_dump({"devices": rows}),
                      headers={"X-CSRF-Token": csrf_of(admin)})
    assert resp.status_code == 200, resp.json
    first = admin.get("/devices/").text
    assert 'data-total="158"' in first and len(re.findall(r'href="/devices/\w', first)) == 100
    assert 'rel="next"' in first and "第 1 / 2 页" in first
    second = admin.get("/devices/?page=2&q=extra").text
    assert 'data-total="150"' in second and "extra-149" in second and "extra-000" not in second
    assert 'href="/devices/?page=1&amp;q=extra"' in second


def test_device_page(as_user) -> None:
    c = as_user("engineer")
    page = c.get("/devices/ca-r1").text
    for text in ("127.77.1.1", "东城县", "GE0/0/1", "10.1.0.1/30", "city-core-1", "ta1-sw1",
                 "10000 Mbit/s", 'data-src="/api/v1/devices/ca-r1/metrics"'):
        assert text in page
    detail = c.get("/api/v1/devices/ca-r1").json
    assert len(detail["interfaces"]) == 3
    assert {lk["peer"] for lk in detail["links"]} == {"city-core-1", "ta1-sw1", "ta2-sw1"}
    assert c.get("/devices/no-such-device").status_code == 404
    assert c.get("/api/v1/devices/no-such-device").json["status"] == 404


def test_no_secret_is_ever_rendered(app: Flask, as_user) -> None:
    c = as_user("admin")
    key = app.config["SECRET_KEY"]
    for url in ("/dashboard/", "/devices/city-core-1", "/api/v1/devices/city-core-1",
                "/inventory/", "/inventory/export.yaml", "/api/v1/openapi.json", "/auth/profile"):
        body = c.get(url).get_data(as_text=True)
        assert COMMUNITY not in body and key not in body, url
    assert "lab-snmp" in c.get("/devices/city-core-1").text  # the profile's name is fine


# ---- IP plan ----------------------------------------------------------------------------------


def test_ip_plan_utilisation_and_compliance(as_user) -> None:
    plan = as_user("auditor").get("/api/v1/ipplan").json
    blocks = {b["prefix"]: b for b in plan["blocks"]}
    assert blocks["10.0.0.0/24"]["subnets"] == ["10.0.0.0/30", "10.0.0.4/30", "10.0.0.8/30"]
    assert blocks["10.0.0.0/24"]["used_percent"] == round(100 * 12 / 256, 1)
    assert blocks["10.1.0.0/16"]["addresses"] == 4
    assert blocks["10.2.0.0/16"]["disallowed"] == ["10.2.0.0/29"]
    assert blocks["172.16.0.0/24"]["used_percent"] == 0
    assert plan["unplanned"] == [{"device": "tb2-sw1", "interface": "Vlan99", "address": "192.0.2.1/24"}]
    page = as_user("auditor").get("/ipplan/").text
    assert "10.2.0.0/29" in page and "192.0.2.1/24" in page and "县政务服务中心" in page


def test_ip_plan_shows_the_checks_violations_by_block(app: Flask, as_user) -> None:
    from nms.state import save_state

    engine = app.extensions["nms"].engine
    reported = {
        "ca-r1": {"GE0/0/0": "10.0.0.2/30", "GE0/0/1": "10.1.0.1/30", "GE0/0/2": "10.1.0.5/30"},
        "tb2-sw1": {"Gi0/1": "10.2.0.6/29", "Vlan99": "192.0.2.1/24"},
        "tb1-sw1": {"Gi0/1": "10.1.0.2/30"},  # county A's space at a county B township
    }
    for device, addrs in reported.items():
        save_state(engine, device, {"addresses": {
            ifname: {"ipv4": {a.split("/")[0]: {"prefix_length": int(a.split("/")[1])}}}
            for ifname, a in addrs.items()}})
    plan = as_user("auditor").get("/api/v1/ipplan").json
    found = plan["violations"]["by_block"]
    checks = {(v["check_id"], v["device"]) for rows in found.values() for v in rows
              if v["status"] == "FAIL"}
    assert ("IPPLAN-002", "tb2-sw1") in checks  # a /29 where only /30 is allowed
    assert any(v["device"] == "tb2-sw1" and "10.2.0.6/29" in v["subject"]
               for v in found["10.2.0.0/16"])
    assert any(v["device"] == "tb1-sw1" for v in found["10.1.0.0/16"])
    assert any(v["device"] == "tb2-sw1" and "192.0.2.1" in v["subject"]
               for v in plan["violations"]["other"])
    assert plan["violations"]["counts"]["FAIL"] >= 3
    page = as_user("auditor").get("/ipplan/").text
    assert 'id="violations"' in page and 'href="#v-10.2.0.0_16"' in page
    assert 'id="v-10.2.0.0_16"' in page and "IPPLAN-002" in page
    # a county A user sees county A's findings only
    county = as_user("county_a").get("/api/v1/ipplan").json["violations"]
    devices = {v["device"] for rows in county["by_block"].values() for v in rows}
    devices |= {v["device"] for v in county["other"]}
    assert devices and devices <= {"ca-r1", "ta1-sw1", "ta2-sw1", ""}


# ---- inventory import -------------------------------------------------------------------------


def test_import_through_the_page(as_user, db_session) -> None:
    from web.models import AuditEntry

    admin = as_user("admin")
    assert "导入" in admin.get("/inventory/").text
    bad = _upload(admin, FIXTURES / "bad_rows.yaml")
    assert bad.status_code == 422
    errors = re.findall(r"<li>(.*?)</li>", bad.text)
    assert len(errors) == 2
    assert errors[0].startswith("devices[0] (line 5): address") and "not-an-ip" in errors[0]
    assert errors[1].startswith("devices[1] (line 6): role")
    assert admin.get("/api/v1/sites").json[-1]["code"] != "town-a9"  # nothing written
    dry = _upload(admin, FIXTURES / "inventory.yaml", dry_run="on")
    assert dry.status_code == 200 and 'id="import-ok"' in dry.text
    good = admin.post("/api/v1/inventory/import?format=csv", headers={"X-CSRF-Token": csrf_of(admin)},
                      data="code,name,level,parent\ntown-a3,新镇,township,county-a\n".encode())
    assert good.json["created"]["sites"] == 1
    assert "town-a3" in admin.get("/inventory/").text
    refused = admin.post("/api/v1/inventory/import?format=csv", headers={"X-CSRF-Token": csrf_of(admin)},
                         data=b"code,name,level,parent\nx,y,planet,\n")
    assert refused.status_code == 422 and refused.json["rows"][0].startswith("line 2:")
    entries = [(e.target, e.success) for e in db_session.query(AuditEntry)
               .filter(AuditEntry.action == "inventory.import").order_by(AuditEntry.id)]
    assert entries == [("bad_rows.yaml", False), ("inventory.yaml", True), ("api:csv", True),
                       ("api:csv", False)]


def test_import_refuses_other_files(as_user) -> None:
    admin = as_user("admin")
    resp = post(admin, "/inventory/import", {"file": (FIXTURES.parent / "conftest.py").open("rb")},
                content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择 .yaml" in resp.text


def test_scoped_administrators_cannot_import(app: Flask, db_session) -> None:
    from inventory.models import Site
    from web.models import User

    user = db_session.query(User).filter_by(username="admin").one()
    user.site_id = db_session.query(Site).filter_by(code="county-a").one().id
    db_session.commit()
    c = app.test_client()
    login(c, "admin")
    assert 'id="import-submit"' not in c.get("/inventory/").text
    assert _upload(c, FIXTURES / "inventory.yaml").status_code == 403


def test_hostile_names_are_shown_as_text(as_user) -> None:
    admin = as_user("admin")
    assert _upload(admin, FIXTURES / "hostile.yaml").status_code == 200
    name = "<script>alert('dev')</script>"
    pages = [admin.get(u).text for u in ("/devices/", "/inventory/", "/ipplan/", "/devices/ca-r1",
                                         "/devices/%3Cscript%3Ealert('dev')%3C%2Fscript%3E")]
    pages.append(admin.get("/devices/" + name).text)
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page and "<svg onload" not in page and "<b>unit</b>" not in page
    assert "&lt;script&gt;alert(&#39;dev&#39;)&lt;/script&gt;" in pages[0]
    assert "&lt;/td&gt;&lt;script&gt;" in pages[-1]
    topo = admin.get("/api/v1/topology").json
    assert name in {n["id"] for n in topo["nodes"]}  # JSON keeps it verbatim; the map draws text
    assert admin.get("/api/v1/topology").headers["Content-Type"] == "application/json"


# ---- what every response carries --------------------------------------------------------------


def test_security_headers(as_user) -> None:
    resp = as_user("viewer").get("/dashboard/")
    csp = resp.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["Cache-Control"] == "no-store"


def test_no_inline_scripts_or_handlers_in_templates() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "javascript:" not in text, path


@pytest.mark.parametrize("secure", [False, True])
def test_session_cookie_flags(make_app: Callable[..., Flask], secure: bool) -> None:
    app = make_app(secure_cookies=secure)
    c = app.test_client()
    cookie = login(c, "viewer").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_secret_key_is_generated_once_with_mode_0600(tmp_path: Path, template_db: Path) -> None:
    import shutil

    from nms.config import load_config_data
    from tests.web.conftest import config_data
    from web import create_app

    (tmp_path / "data").mkdir()
    shutil.copy(template_db, tmp_path / "data" / "nms.db")
    data = config_data(tmp_path)
    data["web"].pop("secret_key")
    config = load_config_data(data, base_dir=tmp_path)
    first = create_app(config).config["SECRET_KEY"]
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first) >= 64 and create_app(config).config["SECRET_KEY"] == first


def test_openapi_describes_every_api_route(app: Flask, as_user) -> None:
    doc = as_user("viewer").get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert routes == documented
    params = {p["name"] for p in doc["paths"]["/devices"]["get"]["parameters"]}
    assert {"q", "site", "role", "zone", "vendor", "limit", "offset"} <= params


def test_unknown_urls_are_404_and_api_errors_are_json(as_user) -> None:
    c = as_user("viewer")
    assert c.get("/nowhere").status_code == 404
    resp = c.get("/api/v1/nowhere")
    assert resp.status_code == 404 and resp.json["status"] == 404


def test_open_alarms_on_dashboard_map_and_device_page(app: Flask, as_user) -> None:
    from nms.alarms import AlarmManager, Event
    from nms.models import Severity

    manager = AlarmManager(app.extensions["nms"].engine)
    manager.process_events([
        Event("TRAP-LINK", "cb-r1", "GE0/0/1", Severity.MAJOR, "<b>link</b> down", "链路中断"),
        Event("DEVICE-DOWN", "ta1-sw1", "", Severity.CRITICAL, "device down", "设备不可达"),
        Event("TRAP-LINK", "tb1-sw1", "Gi0/1", Severity.MINOR, "flap", "抖动"),
    ])
    manager.process_events([Event("TRAP-LINK", "tb1-sw1", "Gi0/1", Severity.MINOR, "up", "恢复",
                                  clears=True)])
    viewer = as_user("viewer")
    dash = viewer.get("/dashboard/").text
    assert "链路中断" in dash and "设备不可达" in dash and "抖动" not in dash  # cleared
    assert dash.index("设备不可达") < dash.index("链路中断")  # most severe first
    assert viewer.get("/api/v1/dashboard").json["alarms"]["by_severity"]["critical"] == 1
    nodes = {n["id"]: n["alarm"] for n in viewer.get("/api/v1/topology").json["nodes"]}
    assert nodes["ta1-sw1"] == "critical" and nodes["cb-r1"] == "major" and nodes["tb1-sw1"] is None
    assert "GE0/0/1" in viewer.get("/devices/cb-r1").text and 'id="device-alarms"' in \
        viewer.get("/devices/cb-r1").text
    assert 'id="device-alarms"' not in viewer.get("/devices/ca-r1").text
    post(viewer, "/auth/language", {"language": "en"})
    board = viewer.get("/alarms/").text
    assert "&lt;b&gt;link&lt;/b&gt; down" in board and "<b>link</b>" not in board
    county = as_user("county_a")
    assert "cb-r1" not in county.get("/alarms/").text  # outside county A
    assert county.get("/api/v1/dashboard").json["alarms"]["total"] == 1


def test_generated_lab_network_imports_and_maps(as_user, tmp_path: Path) -> None:
    """The simulated city network of ``nms lab``, imported through the API, drawn on the map."""
    import yaml

    from nms.config import LabConfig
    from nms.lab.generator import generate

    generate(LabConfig(), tmp_path / "lab")
    admin = as_user("admin")
    for name in ("inventory.yaml", "ipplan.yaml"):
        resp = admin.post("/api/v1/inventory/import", data=(tmp_path / "lab" / name).read_bytes(),
                          headers={"X-CSRF-Token": csrf_of(admin)})
        assert resp.status_code == 200, resp.json
    inventory = yaml.safe_load((tmp_path / "lab" / "inventory.yaml").read_text(encoding="utf-8"))
    topo = admin.get("/api/v1/topology").json
    assert len(topo["nodes"]) == len(inventory["devices"]) + len(ALL_DEVICES)
    points = {(round(n["x"]), round(n["y"])) for n in topo["nodes"]}
    assert len(points) == len(topo["nodes"])  # no two devices drawn on top of each other
    plan = admin.get("/api/v1/ipplan").json
    assert all(0 <= b["used_percent"] <= 100 for b in plan["blocks"])


def test_reachability_is_read_once_per_ttl(config) -> None:
    """The dashboard, device list and map share one reading of the polls for a few seconds."""
    from collectors.sinks.memory import MemorySink
    from web.timeseries import TimeSeries

    sink = MemorySink()
    series = TimeSeries(config, sink, reachability_ttl_s=60.0)
    now = utcnow()
    sink.write([Sample("poll_status", {"device": "ca-r1"}, {"reachable": True},
                       now - timedelta(seconds=30))])
    assert series.reachability() == {"ca-r1": True}
    sink.write([Sample("poll_status", {"device": "ca-r1"}, {"reachable": False},
                       now - timedelta(seconds=10))])
    assert series.reachability() == {"ca-r1": True}  # within the TTL
    assert series.reachability(now=utcnow()) == {"ca-r1": False}  # an explicit time reads
    series.reachability_ttl_s = 0.0
    assert series.reachability() == {"ca-r1": False}
