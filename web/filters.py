"""Declared list filters shared by the HTML views and the API (NetBox filtersets).

A filter set names its filters once; the device list page renders them as a form, the API
accepts them as query parameters, and the OpenAPI document lists them, all from the same
declaration, so the three cannot drift apart. Values are validated: an unknown role or site is
an error shown to the user (the API answers 400), never silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from inventory.models import Device, Site
from nms.models import DeviceRole, Zone
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
class DeviceFilterSet:
    """Filters of the device list: ``q``, ``site``, ``role``, ``zone``, ``vendor``."""

    params: Mapping[str, str]
    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (filter, message id)

    filters: ClassVar[tuple[Filter, ...]] = (
        Filter("q", N_("Search"), "Part of the device name or management address."),
        Filter("site", N_("Site"), "Site code: devices at this site or below it."),
        Filter("role", N_("Role"), "Device role.", tuple(DeviceRole)),
        Filter("zone", N_("Zone"), "Network zone.", tuple(Zone)),
        Filter("vendor", N_("Vendor"), "Vendor, exactly."),
    )

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
