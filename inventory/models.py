"""Inventory tables: the network in its own words (NetBox-style models for one app).

Sites form the administrative hierarchy province → city → county → township, with units
(departments such as 县政务服务中心) attached to a site. Devices sit at a site in a network zone and
name their auth profiles (never the secrets). Interfaces and links are the *planned* network;
discovery compares against them. IP blocks are the IP plan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nms.db import Base, UtcDateTime
from nms.models import utcnow


class Site(Base):
    """A place in the hierarchy: province, city, county (县/区) or township (乡镇/街道)."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))

    parent: Mapped[Site | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Site]] = relationship(back_populates="parent")
    units: Mapped[list[Unit]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                             order_by="Unit.name")
    devices: Mapped[list[Device]] = relationship(back_populates="site")

    def __repr__(self) -> str:
        return f"Site({self.code!r}, {self.level!r})"

    def ancestors(self) -> list[Site]:
        """Parents from the nearest upwards (township → county → city)."""
        out: list[Site] = []
        node = self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def ancestor_at(self, level: str) -> Site | None:
        """This site or the ancestor at ``level`` ("county" of a township), if any."""
        for node in [self, *self.ancestors()]:
            if node.level == level:
                return node
        return None


class Unit(Base):
    """A department or unit attached to a site (单位/部门)."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))

    site: Mapped[Site] = relationship(back_populates="units")


class Device(Base):
    """A managed device. ``snmp_auth``/``ssh_auth`` are names of config.yaml auth profiles."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    address: Mapped[str] = mapped_column(String(64))
    snmp_port: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    vendor: Mapped[str | None] = mapped_column(String(64))
    platform: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    zone: Mapped[str] = mapped_column(String(32))
    snmp_auth: Mapped[str | None] = mapped_column(String(64))
    ssh_auth: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship(back_populates="devices")
    interfaces: Mapped[list[Interface]] = relationship(back_populates="device",
                                                       cascade="all, delete-orphan",
                                                       order_by="Interface.name")

    def __repr__(self) -> str:
        return f"Device({self.name!r}, {self.address!r})"

    def as_dict(self) -> dict[str, Any]:
        """The device as an import/export row (the YAML inventory format)."""
        return {
            "name": self.name, "address": self.address, "snmp_port": self.snmp_port,
            "role": self.role, "vendor": self.vendor, "platform": self.platform,
            "model": self.model, "site": self.site.code, "zone": self.zone,
            "snmp_auth": self.snmp_auth, "ssh_auth": self.ssh_auth, "tags": list(self.tags or []),
        }


class Interface(Base):
    """A planned interface of a device (discovered state lives in samples, not here)."""

    __tablename__ = "interfaces"
    __table_args__ = (UniqueConstraint("device_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(256))
    address: Mapped[str | None] = mapped_column(String(64))  # CIDR, e.g. 198.18.0.1/30

    device: Mapped[Device] = relationship(back_populates="interfaces")


class Link(Base):
    """A planned link between two interfaces; ``tier`` is core, county or township."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("a_interface_id", "b_interface_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    a_interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    b_interface_id: Mapped[int] = mapped_column(ForeignKey("interfaces.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(16))
    bandwidth_mbps: Mapped[int | None] = mapped_column(Integer)

    a_interface: Mapped[Interface] = relationship(foreign_keys=[a_interface_id])
    b_interface: Mapped[Interface] = relationship(foreign_keys=[b_interface_id])

    def as_dict(self) -> dict[str, Any]:
        """The link as an import/export row."""
        return {
            "a_device": self.a_interface.device.name, "a_interface": self.a_interface.name,
            "b_device": self.b_interface.device.name, "b_interface": self.b_interface.name,
            "tier": self.tier, "bandwidth_mbps": self.bandwidth_mbps,
        }


class IpBlock(Base):
    """A block of the IP plan: where it belongs and how it may be subnetted."""

    __tablename__ = "ip_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    zone: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(128))
    allowed_prefix_lengths: Mapped[list[int]] = mapped_column(JSON, default=list)
    gateway: Mapped[str | None] = mapped_column(String(16))

    site: Mapped[Site | None] = relationship()

    def as_dict(self) -> dict[str, Any]:
        """The block as an import/export row."""
        return {
            "prefix": self.prefix, "site": self.site.code if self.site else None, "zone": self.zone,
            "purpose": self.purpose, "unit": self.unit,
            "allowed_prefix_lengths": list(self.allowed_prefix_lengths or []), "gateway": self.gateway,
        }
