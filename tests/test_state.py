"""Latest device state in the relational store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from inventory.io import import_file
from nms.db import make_engine, migrate, session_scope
from nms.state import clear_state, collected_at, load_state, save_state

SMALL = Path(__file__).resolve().parent / "fixtures" / "inventory" / "small.yaml"


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    migrate(eng)
    with session_scope(eng) as s:
        import_file(s, SMALL)
    yield eng
    eng.dispose()


def test_save_replaces_per_getter(engine) -> None:  # type: ignore[no-untyped-def]
    t1 = datetime(2026, 11, 1, tzinfo=UTC)
    save_state(engine, "city-core-r1", {"facts": {"sysName": "core"}, "interfaces": [{"ifIndex": 1}]}, t1)
    save_state(engine, "city-core-r1", {"interfaces": [{"ifIndex": 1}, {"ifIndex": 2}]})
    state = load_state(engine)
    assert state["city-core-r1"]["facts"] == {"sysName": "core"}  # untouched by the partial poll
    assert len(state["city-core-r1"]["interfaces"]) == 2
    assert collected_at(engine, "city-core-r1")["facts"] == t1
    assert load_state(engine, ["city-fw1"]) == {}
    clear_state(engine, "city-core-r1")
    assert load_state(engine) == {}


def test_unknown_device_is_an_error(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KeyError, match="no device 'ghost'"):
        save_state(engine, "ghost", {"facts": {}})
