"""Declared list filters shared by the HTML views and the API (NetBox filtersets).

A filter set names its filters once; the list page renders them as a form, the API accepts
them as query parameters, and the OpenAPI document lists them, all from the same declaration,
so the three cannot drift apart. Values are validated: an unknown role or site is an error
shown to the user (the API answers 400), never silently ignored.

``DeviceFilterSet`` filters the device list (``/devices/``, ``/api/v1/devices``);
``AlarmFilterSet`` the alarm board (``/alarms/``, ``/api/v1/alarms``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session

from inventory.models import Device, Site
from nms.models import ChoiceEnum, DeviceRole, Severity, Zone
from web.i18n import N_
from web.scope import Scope, subtree_ids


@dataclass(frozen=True)
class Filter:
    """One declared filter: query parameter name, label message id, allowed values."""

    name: str
    label: str  # English message id
    description: str
    choices: tuple[Any, ...] = ()  # ChoiceEnum members; empty = free text


@dataclass
class FilterSet:
    """What every filter set shares: validation of the query values and the OpenAPI form.

    Subclasses declare ``filters`` and implement ``apply``.
    """

    params: Mapping[str, str]
    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (filter, message id)

    filters: ClassVar[tuple[Filter, ...]] = ()

    def __post_init__(self) -> None:
        for flt in self.filters:
            raw = (self.params.get(flt.name) or "").strip()
            if not raw:
                continue
            if flt.choices and raw not in [c.value for c in flt.choices]:
                self.errors.append((flt.name, N_("Unknown value.")))
                continue
            self.values[flt.name] = raw[:128]

    @property
    def valid(self) -> bool:
        """True when every given value is allowed."""
        return not self.errors

    @classmethod
    def openapi_parameters(cls) -> list[dict[str, Any]]:
        """The filters as OpenAPI query parameters."""
        params = []
        for flt in cls.filters:
            schema: dict[str, Any] = {"type": "string"}
            if flt.choices:
                schema["enum"] = [c.value for c in flt.choices]
            params.append({"name": flt.name, "in": "query", "required": False,
                           "description": flt.description, "schema": schema})
        return params


@dataclass
class DeviceFilterSet(FilterSet):
    """Filters of the device list: ``q``, ``site``, ``role``, ``zone``, ``vendor``."""

    filters: ClassVar[tuple[Filter, ...]] = (
        Filter("q", N_("Search"), "Part of the device name or management address."),
        Filter("site", N_("Site"), "Site code: devices at this site or below it."),
        Filter("role", N_("Role"), "Device role.", tuple(DeviceRole)),
        Filter("zone", N_("Zone"), "Network zone.", tuple(Zone)),
        Filter("vendor", N_("Vendor"), "Vendor, exactly."),
    )

    def apply(self, session: Session, stmt: Select[tuple[Device]], scope: Scope) -> Select[tuple[Device]]:
        """Narrow a ``select(Device)`` to the filters' values (and the user's scope).

        An unknown site code is recorded in ``errors`` and matches nothing.
        """
        if scope.site_ids is not None:
            stmt = stmt.where(Device.site_id.in_(scope.site_ids))
        appliers: dict[str, Callable[[Select[tuple[Device]], str], Select[tuple[Device]]]] = {
            "q": lambda s, v: s.where(or_(Device.name.contains(v, autoescape=True),
                                          Device.address.contains(v, autoescape=True))),
            "role": lambda s, v: s.where(Device.role == v),
            "zone": lambda s, v: s.where(Device.zone == v),
            "vendor": lambda s, v: s.where(Device.vendor == v),
        }
        for name, value in self.values.items():
            if name == "site":
                site_id = session.scalar(select(Site.id).where(Site.code == value))
                if site_id is None or not scope.allows(site_id):
                    self.errors.append(("site", N_("Unknown site.")))
                    stmt = stmt.where(Device.id.is_(None))
                    continue
                stmt = stmt.where(Device.site_id.in_(subtree_ids(session, site_id)))
            else:
                stmt = appliers[name](stmt, value)
        return stmt


class AlarmStateFilter(ChoiceEnum):
    """The alarm board's state filter: the lifecycle states plus "open" and "all"."""

    OPEN = "open", "Open", "未清除"
    RAISED = "raised", "Raised", "告警中"
    ACKNOWLEDGED = "acknowledged", "Acknowledged", "已确认"
    CLEARED = "cleared", "Cleared", "已清除"
    ALL = "all", "All", "全部"


DEFAULT_ALARM_STATE = AlarmStateFilter.OPEN.value


@dataclass
class AlarmFilterSet(FilterSet):
    """Filters of the alarm board: ``q``, ``severity``, ``state``, ``site``, ``device``, ``check``.

    ``state`` defaults to ``open`` (raised or acknowledged). Alarms name their device by name,
    so the site filter and the region scope select alarms of the devices at those sites; a
    scoped user never sees an alarm that names no device of theirs.
    """

    filters: ClassVar[tuple[Filter, ...]] = (
        Filter("q", N_("Search"), "Text in the device name, check id, subject or reason."),
        Filter("severity", N_("Severity"), "Current severity.", tuple(Severity)),
        Filter("state", N_("State"), "Lifecycle state; open = raised or acknowledged (default).",
               tuple(AlarmStateFilter)),
        Filter("site", N_("Site"), "Site code: alarms of devices at this site or below it."),
        Filter("device", N_("Device"), "Device name, exactly."),
        Filter("check", N_("Check"), "Check id or its beginning (IPPLAN-, LINK-006)."),
    )

    @property
    def state(self) -> str:
        """The chosen state filter (``open`` unless another was asked for)."""
        return self.values.get("state", DEFAULT_ALARM_STATE)

    def apply(self, session: Session, stmt: Select[Any], scope: Scope) -> Select[Any]:
        """Narrow a select over ``nms.alarms.Alarm`` to the filters' values and the scope.

        An unknown or out-of-scope site is recorded in ``errors`` and matches nothing.
        """
        from nms.alarms import OPEN_STATES, Alarm

        if scope.site_ids is not None:
            visible = select(Device.name).where(Device.site_id.in_(scope.site_ids))
            stmt = stmt.where(Alarm.device.in_(visible))
        state = self.state
        if state == AlarmStateFilter.OPEN.value:
            stmt = stmt.where(Alarm.state.in_(OPEN_STATES))
        elif state != AlarmStateFilter.ALL.value:
            stmt = stmt.where(Alarm.state == state)
        for name, value in self.values.items():
            if name == "q":
                stmt = stmt.where(or_(*(column.contains(value, autoescape=True) for column in (
                    Alarm.device, Alarm.check_id, Alarm.subject, Alarm.reason_en, Alarm.reason_zh))))
            elif name == "severity":
                stmt = stmt.where(Alarm.severity == value)
            elif name == "device":
                stmt = stmt.where(Alarm.device == value)
            elif name == "check":
                stmt = stmt.where(Alarm.check_id.startswith(value, autoescape=True))
            elif name == "site":
                site_id = session.scalar(select(Site.id).where(Site.code == value))
                if site_id is None or not scope.allows(site_id):
                    self.errors.append(("site", N_("Unknown site.")))
                    stmt = stmt.where(Alarm.id.is_(None))
                    continue
                at_site = select(Device.name).where(Device.site_id.in_(subtree_ids(session, site_id)))
                stmt = stmt.where(Alarm.device.in_(at_site))
        return stmt

    @staticmethod
    def order(stmt: Select[Any]) -> Select[Any]:
        """Most severe first, then newest first (the board's order, done by the database)."""
        from nms.alarms import Alarm

        rank = case({sev.value: sev.rank for sev in Severity}, value=Alarm.severity,
                    else_=len(Severity))
        return stmt.order_by(rank, Alarm.raised_at.desc(), Alarm.id.desc())
