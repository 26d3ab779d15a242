"""The map and the device page from ``nms.topology``: discovery, reconciliation, root cause,
region scope, the topology cache and its ETag.

The collected state is ``tests/web/collected.py``: county A's uplink cut on both ends (its
router and townships unreachable), a cable in the wrong port, an unplanned link, an IP phone
outside the inventory, a firewall found by its /30 only.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web import collected
from tests.web.conftest import ALL_DEVICES, COUNTY_A_DEVICES, csrf_of, login

UPLINK_A = "city-core-1:GE0/0/1--ca-r1:GE0/0/0"


@pytest.fixture
def cut_app(app: Flask) -> Flask:
    """The console with the collected state and polls of ``collected`` written."""
    collected.write(app)
    return app


def _client(app: Flask, user: str) -> FlaskClient:
    c = app.test_client()
    assert login(c, user).status_code == 302
    return c


def _topology(c: FlaskClient) -> dict:
    resp = c.get("/api/v1/topology")
    assert resp.status_code == 200, resp.text
    return resp.json


def test_township_behind_a_cut_county_uplink_is_parent_down(cut_app: Flask) -> None:
    topo = _topology(_client(cut_app, "engineer"))
    nodes = {n["id"]: n for n in topo["nodes"]}
    links = {lk["id"]: lk for lk in topo["links"]}
    # one outage: the county router, with the cut link as the reason ...
    county = nodes["ca-r1"]
    assert county["state"] == "down" and county["root_cause"] == "ca-r1"
    assert county["down_link"] == UPLINK_A and UPLINK_A in county["reason"]
    assert "中断" in county["reason_zh"]
    # ... and the townships behind it are parent-down, naming it, not outages of their own
    for town in ("ta1-sw1", "ta2-sw1"):
        assert nodes[town]["state"] == "parent_down", nodes[town]
        assert nodes[town]["root_cause"] == "ca-r1" and nodes[town]["blocked_by"] == "ca-r1"
        assert "ca-r1" in nodes[town]["reason"] and "ca-r1" in nodes[town]["reason_zh"]
    assert {n: nodes[n]["state"] for n in ("city-core-1", "city-fw-1", "cb-r1", "tb1-sw1",
                                           "tb2-sw1")} == dict.fromkeys(
        ("city-core-1", "city-fw-1", "cb-r1", "tb1-sw1", "tb2-sw1"), "up")
    assert topo["summary"]["device_states"] == {"down": 1, "parent_down": 2, "up": 5}
    # the dashboard counts the same root-cause states: one outage, not three
    client = _client(cut_app, "engineer")
    assert client.get("/api/v1/dashboard").json["devices_by_state"] == {
        "up": 5, "down": 1, "parent_down": 2, "unknown": 0}
    assert 'id="parent-down-count">2<' in client.get("/dashboard/").text
    # the cut link is down from both ends' ifOperStatus, still found by its /30
    uplink = links[UPLINK_A]
    assert uplink["state"] == "down" and uplink["a_oper"] == "down" and uplink["b_oper"] == "down"
    assert uplink["reconciliation"] == "ok" and uplink["sources"] == ["subnet"]
    assert uplink["bandwidth_mbps"] == 10000 and uplink["tier"] == "core"
    # reconciliation against the plan
    recon = {lk["id"]: lk["reconciliation"] for lk in topo["links"]}
    assert recon["cb-r1:GE0/0/3--tb1-sw1:Gi0/1"] == "wrong_port"
    moved = links["cb-r1:GE0/0/3--tb1-sw1:Gi0/1"]
    assert (moved["planned_a_interface"], moved["planned_b_interface"]) == ("GE0/0/1", "Gi0/1")
    assert recon["ta1-sw1:Gi0/2--ta2-sw1:Gi0/2"] == "unexpected"
    assert links["city-core-1:GE0/0/9--city-fw-1:GE1/0/0"]["sources"] == ["subnet"]
    assert topo["summary"]["wrong_port"] == 1 and topo["summary"]["unexpected"] == 2
    # the phone outside the inventory is drawn next to the switch that sees it
    phone = nodes["lldp:ip-phone-1"]
    assert phone["managed"] is False and phone["state"] == "unknown"
    switch = nodes["tb2-sw1"]
    assert 0 < ((phone["x"] - switch["x"]) ** 2 + (phone["y"] - switch["y"]) ** 2) ** 0.5 < 150
    assert {n["id"] for n in topo["nodes"] if n["managed"]} == ALL_DEVICES


def test_county_user_sees_only_their_county_and_no_name_outside_it(cut_app: Flask) -> None:
    resp = _client(cut_app, "county_a").get("/api/v1/topology")
    topo = resp.json
    assert {n["id"] for n in topo["nodes"]} == COUNTY_A_DEVICES
    assert {(lk["source"], lk["target"]) for lk in topo["links"]} == {
        ("ca-r1", "ta1-sw1"), ("ca-r1", "ta2-sw1"), ("ta1-sw1", "ta2-sw1")}
    assert {s["code"] for s in topo["sites"]} == {"county-a", "town-a1", "town-a2"}
    nodes = {n["id"]: n for n in topo["nodes"]}
    # the county router's own outage: its uplink lies outside the region, so it is not named
    county = nodes["ca-r1"]
    assert county["state"] == "down" and county["down_link"] is None
    assert county["cause_outside_scope"] is True and county["parent"] is None
    assert "outside your region" in county["reason"] and "管辖范围" in county["reason_zh"]
    assert nodes["ta1-sw1"]["state"] == "parent_down" and nodes["ta1-sw1"]["root_cause"] == "ca-r1"
    assert nodes["ta1-sw1"]["cause_outside_scope"] is False
    assert topo["summary"]["devices"] == 3
    assert topo["summary"]["device_states"] == {"down": 1, "parent_down": 2}
    for name in ALL_DEVICES - COUNTY_A_DEVICES:
        assert name not in resp.text
    assert "ip-phone" not in resp.text
    # county A sits at the centre of its own map
    assert max(abs(nodes["ca-r1"]["x"]), abs(nodes["ca-r1"]["y"])) < 100


def test_county_b_user_does_not_see_county_a_outage(cut_app: Flask) -> None:
    from sqlalchemy import select

    from inventory.models import Site
    from web.models import User

    session = cut_app.extensions["nms"].sessions()
    user = session.scalar(select(User).where(User.username == "county_a"))
    user.site_id = session.scalar(select(Site.id).where(Site.code == "county-b"))
    session.commit()
    session.close()
    topo = _topology(_client(cut_app, "county_a"))
    nodes = {n["id"]: n for n in topo["nodes"]}
    assert set(nodes) == {"cb-r1", "tb1-sw1", "tb2-sw1", "lldp:ip-phone-1"}
    assert {n["state"] for n in topo["nodes"] if n["managed"]} == {"up"}


def test_etag_answers_304_and_changes_with_the_map(cut_app: Flask) -> None:
    c = _client(cut_app, "engineer")
    first = c.get("/api/v1/topology")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and "Accept-Encoding" in first.headers["Vary"]
    assert first.headers["Cache-Control"] == "no-store"
    again = c.get("/api/v1/topology", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    # gzip: the same JSON, its own ETag, and either ETag is "not modified"
    gz = c.get("/api/v1/topology", headers={"Accept-Encoding": "gzip, deflate"})
    assert gz.headers["Content-Encoding"] == "gzip" and gz.headers["ETag"] != etag
    assert json.loads(gzip.decompress(gz.data)) == first.json
    assert c.get("/api/v1/topology", headers={"If-None-Match": gz.headers["ETag"]}).status_code == 304
    assert c.get("/api/v1/topology", headers={"If-None-Match": '"stale", ' + etag}).status_code == 304
    # another scope, another body
    county = _client(cut_app, "county_a").get("/api/v1/topology")
    assert county.headers["ETag"] != etag
    assert _client(cut_app, "county_a").get(
        "/api/v1/topology", headers={"If-None-Match": etag}).status_code == 200
    # the uplink is repaired: once the cache rebuilds, the map and its ETag change
    collected.write(cut_app, cut=False)
    cut_app.extensions["nms"].topology.invalidate()
    fixed = c.get("/api/v1/topology", headers={"If-None-Match": etag})
    assert fixed.status_code == 200 and fixed.headers["ETag"] != etag
    assert {n["state"] for n in fixed.json["nodes"] if n["managed"]} == {"up"}


def test_new_state_rebuilds_the_graph_but_not_on_every_request(cut_app: Flask) -> None:
    from nms.state import save_state

    cache = cut_app.extensions["nms"].topology
    c = _client(cut_app, "engineer")
    _topology(c)
    generation = cache.generation
    _topology(c)
    assert cache.generation == generation  # served from the cache
    # the uplink comes back on both ends: the state version changes ...
    repaired = collected.collected_state(cut=False)
    for device in ("city-core-1", "ca-r1"):
        save_state(cut_app.extensions["nms"].engine, device, repaired[device])
    cache.version_check_s = 0.0
    _topology(c)
    assert cache.generation == generation  # ... but the graph is younger than min_rebuild_s
    cache.min_rebuild_s = 0.0
    links = {lk["id"]: lk for lk in _topology(c)["links"]}
    assert cache.generation == generation + 1
    assert links[UPLINK_A]["state"] == "up" and "lldp" in links[UPLINK_A]["sources"]


def test_an_import_shows_at_once(cut_app: Flask) -> None:
    c = _client(cut_app, "admin")
    cache = cut_app.extensions["nms"].topology
    cache.version_check_s = 3600.0  # the import itself tells the cache
    assert "ta3-sw1" not in {n["id"] for n in _topology(c)["nodes"]}
    body = ("devices:\n  - {name: ta3-sw1, address: 127.77.1.13, role: switch, vendor: ruijie, "
            "site: town-a2, zone: extranet}\n")
    resp = c.post("/api/v1/inventory/import", data=body, headers={"X-CSRF-Token": csrf_of(c)})
    assert resp.status_code == 200, resp.json
    nodes = {n["id"]: n for n in _topology(c)["nodes"]}
    assert nodes["ta3-sw1"]["state"] == "unknown" and nodes["ta3-sw1"]["site"] == "town-a2"


def test_device_page_shows_neighbours_and_reconciliation(cut_app: Flask) -> None:
    c = _client(cut_app, "engineer")
    api = c.get("/api/v1/devices/cb-r1").json["topology"]
    assert api["state"] == "up"
    rows = {n["interface"]: n for n in api["neighbours"]}
    assert rows["GE0/0/3"]["peer"] == "tb1-sw1" and rows["GE0/0/3"]["reconciliation"] == "wrong_port"
    assert rows["GE0/0/3"]["planned_interface"] == "GE0/0/1"
    assert rows["GE0/0/0"]["peer"] == "city-core-1" and rows["GE0/0/0"]["reconciliation"] == "ok"
    page = c.get("/devices/cb-r1").text
    assert 'data-reconciliation="wrong_port"' in page and "GE0/0/3" in page
    town = c.get("/api/v1/devices/ta1-sw1").json["topology"]
    assert town["state"] == "parent_down" and town["root_cause"] == "ca-r1"
    assert {n["reconciliation"] for n in town["neighbours"]} == {"ok", "unexpected"}
    page = c.get("/devices/ta1-sw1").text
    assert 'data-state="parent_down"' in page and 'id="device-root-cause"' in page
    assert 'data-reconciliation="unexpected"' in page
    phone = c.get("/api/v1/devices/tb2-sw1").json["topology"]["neighbours"]
    assert any(n["peer"] == "lldp:ip-phone-1" and not n["peer_managed"] for n in phone)


def test_device_page_of_a_county_user_hides_the_uplink_peer(cut_app: Flask) -> None:
    c = _client(cut_app, "county_a")
    api = c.get("/api/v1/devices/ca-r1").json["topology"]
    uplink = next(n for n in api["neighbours"] if n["interface"] == "GE0/0/0")
    assert uplink["state"] == "down" and uplink["peer"] is None and not uplink["peer_visible"]
    assert uplink["link"] is None and uplink["peer_interface"] is None
    page = c.get("/devices/ca-r1").text
    assert "city-core-1" not in page and 'data-state="down"' in page
    assert "city-core-1" not in c.get("/api/v1/devices/ca-r1").text


def test_planned_link_missing_when_nothing_found(app: Flask) -> None:
    """Without collected state every planned link is drawn, missing, state unknown."""
    topo = _topology(_client(app, "engineer"))
    assert {lk["reconciliation"] for lk in topo["links"]} == {"missing"}
    assert {lk["state"] for lk in topo["links"]} == {"unknown"}
    assert topo["summary"]["missing"] == 7


def test_openapi_describes_the_topology(as_user: Callable[[str], FlaskClient]) -> None:
    doc = as_user("engineer").get("/api/v1/openapi.json").json
    node = doc["paths"]["/topology"]["get"]["responses"]["200"]["content"]["application/json"]
    props = node["schema"]["properties"]["nodes"]["items"]["properties"]
    assert "parent_down" in props["state"]["enum"] and "root_cause" in props
    assert "304" in doc["paths"]["/topology"]["get"]["responses"]
