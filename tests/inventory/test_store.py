"""The inventory store on SQLite and PostgreSQL: migrations, imports (all or nothing), exports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select, text

from inventory.io import export_csv, export_data, export_yaml, import_file, read_csv
from inventory.models import Device, Interface, IpBlock, Link, Site, Unit
from nms.db import current_revision, head_revision, make_engine, migrate, session_scope, table_names
from nms.errors import ImportRowError, StoreError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "inventory"
SMALL = FIXTURES / "small.yaml"
AUTHS = {"lab-snmp"}


def counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Site, Unit, Device, Interface, Link, IpBlock)}


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


def test_migrate_empty_database_to_head(db_url: str) -> None:
    eng = make_engine(db_url)
    assert current_revision(eng) is None
    assert migrate(eng) == head_revision()
    assert {"sites", "devices", "interfaces", "links", "ip_blocks", "units"} <= set(table_names(eng))
    # Running it again on a current database is a no-op.
    assert migrate(eng) == head_revision()
    eng.dispose()


def test_upgrade_existing_database_keeps_data(db_url: str) -> None:
    """A database created at the first revision, filled, then upgraded step by step to head."""
    from alembic.script import ScriptDirectory

    from nms.db import _alembic_config

    eng = make_engine(db_url)
    script = ScriptDirectory.from_config(_alembic_config(eng))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    migrate(eng, revisions[0])
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO sites (code, name, level) VALUES ('city', '示范市', 'city')"))
        conn.execute(text(
            "INSERT INTO devices (name, address, role, site_id, zone, tags, created, updated) "
            "SELECT 'r1', '127.77.0.1', 'router', id, 'extranet', '[]', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP FROM sites WHERE code = 'city'"))
    for rev in revisions[1:]:
        migrate(eng, rev)
    assert current_revision(eng) == head_revision()
    with session_scope(eng) as s:
        dev = s.scalars(select(Device)).one()
        assert (dev.name, dev.address, dev.site.name) == ("r1", "127.77.0.1", "示范市")
    eng.dispose()


def test_unreachable_database_is_a_clear_error() -> None:
    eng = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot reach the database"):
        migrate(eng)


def test_import_yaml_then_export_round_trips(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        summary = import_file(s, SMALL, auth_names=AUTHS)
    assert summary.created["sites"] == 6
    assert summary.created["devices"] == 8
    # 2 declared interfaces + 4 created implicitly by links
    assert summary.created["interfaces"] == 6
    assert summary.created["links"] == 3
    assert counts(engine) == {"sites": 6, "units": 3, "devices": 8, "interfaces": 6, "links": 3,
                              "ip_blocks": 2}
    with session_scope(engine) as s:
        town = s.scalars(select(Site).where(Site.code == "county01-town01")).one()
        assert [a.code for a in town.ancestors()] == ["county01", "city"]
        assert town.ancestor_at("county").name == "东城县"
        exported = export_yaml(s)
    # Re-importing the export into an empty store gives the same export back.
    out = tmp_path / "export.yaml"
    out.write_text(exported, encoding="utf-8")
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    with session_scope(other) as s:
        import_file(s, out, auth_names=AUTHS)
        again = export_yaml(s)
    assert again == exported
    assert yaml.safe_load(exported)["devices"][0]["name"] == "city-core-r1"


def test_reimport_updates_in_place(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        import_file(s, SMALL, auth_names=AUTHS)
    with session_scope(engine) as s:
        summary = import_file(s, SMALL, auth_names=AUTHS)
    assert sum(summary.created.values()) == 0
    assert summary.updated["devices"] == 8
    assert counts(engine)["devices"] == 8


BAD_ROWS = [
    ("devices", 2, {"address": "300.1.1.1"}, "is not an IP address"),
    ("devices", 0, {"role": "toaster"}, "role 'toaster' is not one of"),
    ("devices", 3, {"site": "atlantis"}, "unknown site 'atlantis'"),
    ("devices", 1, {"snmp_auth": "secret-profile"}, "not an auth profile in the config"),
    ("devices", 4, {"name": "city-core-r1"}, "duplicate device name"),
    ("devices", 5, {"snmp_port": 70000}, "out of range"),
    ("sites", 3, {"parent": "county02-town01"}, "not defined above"),
    ("sites", 1, {"level": "city", "parent": "city"}, "cannot sit under"),
    ("interfaces", 0, {"address": "198.18.0.1"}, "needs a prefix length"),
    ("links", 0, {"tier": "galactic"}, "tier 'galactic'"),
    ("links", 1, {"b_device": "ghost"}, "unknown device 'ghost'"),
    ("ip_blocks", 0, {"prefix": "198.18.0.1/24"}, "is not a network"),
    ("ip_blocks", 1, {"allowed_prefix_lengths": [8]}, "out of range"),
    ("devices", 6, {"colour": "blue"}, "unknown field"),
]


@pytest.mark.parametrize(("kind", "index", "change", "message"), BAD_ROWS,
                         ids=[f"{k}[{i}]-{m.split()[0]}" for k, i, _, m in BAD_ROWS])
def test_bad_row_rejects_whole_file(engine, tmp_path: Path, kind: str, index: int,  # type: ignore[no-untyped-def]
                                    change: dict, message: str) -> None:
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data[kind][index].update(change)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ImportRowError) as err, session_scope(engine) as s:
        import_file(s, bad, auth_names=AUTHS)
    assert message in str(err.value)
    assert f"{kind}[{index}] (line " in str(err.value)
    assert counts(engine) == dict.fromkeys(counts(engine), 0)


def test_bad_rows_listed_together_and_existing_data_untouched(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        import_file(s, SMALL, auth_names=AUTHS)
    before = counts(engine)
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["devices"][0]["address"] = "198.18.0.99"  # a valid change that must not land either
    data["devices"][1]["role"] = "toaster"
    data["devices"][2]["zone"] = "moon"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ImportRowError) as err, session_scope(engine) as s:
        import_file(s, bad, auth_names=AUTHS)
    assert len(err.value.errors) == 2
    assert counts(engine) == before
    with session_scope(engine) as s:
        assert s.scalars(select(Device.address).where(Device.name == "city-core-r1")).one() == "127.77.0.1"


def test_csv_import_reports_line_numbers(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        import_file(s, SMALL, auth_names=AUTHS)
    csv_file = tmp_path / "devices.csv"
    csv_file.write_text(
        "name,address,role,site,zone,vendor,tags\n"
        "town-sw1,127.77.1.21,switch,county01-town01,extranet,ruijie,access;poe\n"
        "town-sw2,not-an-ip,switch,county01-town01,extranet,ruijie,\n"
        "town-sw3,127.77.1.23,switch,nowhere,extranet,,\n",
        encoding="utf-8")
    with pytest.raises(ImportRowError) as err, session_scope(engine) as s:
        import_file(s, csv_file, auth_names=AUTHS)
    assert [e.split(":")[0] for e in err.value.errors] == ["line 3", "line 4"]
    assert counts(engine)["devices"] == 8

    csv_file.write_text("name,address,role,site,zone,vendor,tags\n"
                        "town-sw1,127.77.1.21,switch,county01-town01,extranet,ruijie,access;poe\n",
                        encoding="utf-8")
    with session_scope(engine) as s:
        import_file(s, csv_file, auth_names=AUTHS)
        dev = s.scalars(select(Device).where(Device.name == "town-sw1")).one()
        assert dev.tags == ["access", "poe"]
        exported = export_csv(s, "devices")
    assert "town-sw1,127.77.1.21,,switch,ruijie,,,county01-town01,extranet,,,access;poe" in exported


def test_csv_unknown_header_and_garbage(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportRowError, match="cannot tell the kind"):
        read_csv(f)
    f.write_bytes(b"\xff\xfe\x00garbage\x00")
    with pytest.raises(ImportRowError, match="cannot read"):
        read_csv(f)


@pytest.mark.parametrize("content, message", [
    ("devices: [1, 2", "not valid YAML"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("routers: []\n", "unknown section 'routers'"),
    ("devices: {a: 1}\n", "devices: must be a list"),
    ("devices: [5]\n", "devices[0]: must be a mapping"),
])
def test_malformed_yaml_files(engine, tmp_path: Path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "inv.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRowError) as err, session_scope(engine) as s:
        import_file(s, f)
    assert message in str(err.value)
    assert str(f) in str(err.value)


def test_ipplan_file_format_is_accepted(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        import_file(s, SMALL, auth_names=AUTHS)
    plan = tmp_path / "ipplan.yaml"
    plan.write_text("blocks:\n  - {prefix: 198.18.32.0/20, site: county02, purpose: user, "
                    "allowed_prefix_lengths: [24], gateway: last}\n", encoding="utf-8")
    with session_scope(engine) as s:
        import_file(s, plan)
        assert {b["prefix"] for b in export_data(s)["ip_blocks"]} == {
            "198.18.0.0/24", "198.18.16.0/20", "198.18.32.0/20"}
