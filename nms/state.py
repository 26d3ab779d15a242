"""The latest collected state of each device, kept in the relational store.

Samples (numbers over time) go to the time-series sink; *state* — the interface list, addresses,
LLDP neighbours, facts, the running config's parse — is what topology, policies and the console
read as "now". Collectors' ``PollResult.state`` (keyed by getter name) is saved here per device
and getter, replacing the previous value, so a partial poll never erases what another getter
found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models import Device
from nms.db import Base, UtcDateTime, session_scope
from nms.models import utcnow


class DeviceStateRow(Base):
    """One getter's latest result for one device."""

    __tablename__ = "device_state"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    getter: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)
    collected: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def save_state(engine: Engine, device: str, state: dict[str, Any], collected: datetime | None = None) -> int:
    """Store each getter of ``state`` for ``device`` (by name); returns how many were stored.

    Raises:
        KeyError: no device of that name in the inventory.
    """
    when = collected or utcnow()
    with session_scope(engine) as session:
        device_id = session.scalar(select(Device.id).where(Device.name == device))
        if device_id is None:
            raise KeyError(f"no device {device!r} in the inventory")
        for getter, data in state.items():
            row = session.get(DeviceStateRow, (device_id, getter))
            if row is None:
                session.add(DeviceStateRow(device_id=device_id, getter=getter, data=data, collected=when))
            else:
                row.data, row.collected = data, when
    return len(state)


def load_state(engine: Engine, devices: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """``{device: {getter: data}}`` for the named devices (all when None)."""
    with session_scope(engine) as session:
        query = select(Device.name, DeviceStateRow.getter, DeviceStateRow.data).join(
            DeviceStateRow, DeviceStateRow.device_id == Device.id)
        if devices is not None:
            query = query.where(Device.name.in_(devices))
        out: dict[str, dict[str, Any]] = {}
        for name, getter, data in session.execute(query):
            out.setdefault(name, {})[getter] = data
        return out


def collected_at(engine: Engine, device: str) -> dict[str, datetime]:
    """When each getter of ``device`` was last collected."""
    with session_scope(engine) as session:
        rows = session.execute(select(DeviceStateRow.getter, DeviceStateRow.collected).join(
            Device, DeviceStateRow.device_id == Device.id).where(Device.name == device))
        return {getter: when for getter, when in rows}


def clear_state(engine: Engine, device: str) -> None:
    """Forget everything collected from ``device`` (e.g. after it was replaced)."""
    with session_scope(engine) as session:
        device_id = session.scalar(select(Device.id).where(Device.name == device))
        if device_id is not None:
            session.execute(delete(DeviceStateRow).where(DeviceStateRow.device_id == device_id))
