"""Core value types that flow through nms: samples, poll results, findings and their vocabularies.

Data flows one way: device -> collector -> ``PollResult`` (with ``Sample`` s) -> sink, and
state -> check -> ``Finding`` -> alarm. These types are plain frozen dataclasses so that every
component (and every test) can build them without a database or a network.

Sample schema (maps 1:1 to an InfluxDB point, see docs in README "Samples"):
  measurement  snake_case noun: ``interface``, ``device_health``, ``system``, ``poll_status``...
  tags         identity with few distinct values: ``device``, ``site``, ``county``, ``ifname``...
  fields       values; names carry units (``in_octets``, ``cpu_percent``, ``duration_seconds``)
  time         timezone-aware UTC datetime
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FieldValue = int | float | str | bool


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (the only clock nms code should read)."""
    return datetime.now(UTC)


class ChoiceEnum(enum.StrEnum):
    """A str enum whose members carry an English and a Chinese label (NetBox ``ChoiceSet``)."""

    def __new__(cls, value: str, label_en: str = "", label_zh: str = "") -> ChoiceEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label_en = label_en or value  # type: ignore[attr-defined]
        obj.label_zh = label_zh or value  # type: ignore[attr-defined]
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        """All member values, in declaration order."""
        return [m.value for m in cls]


class DeviceRole(ChoiceEnum):
    """What a device does in the network."""

    ROUTER = "router", "Router", "路由器"
    FIREWALL = "firewall", "Firewall", "防火墙"
    SWITCH = "switch", "Switch", "交换机"
    SERVER = "server", "Server", "服务器"


class Zone(ChoiceEnum):
    """Network zone of the e-government network (电子政务外网 / 互联网边界 / 内网)."""

    EXTRANET = "extranet", "E-government extranet", "政务外网"
    INTERNET_EDGE = "internet_edge", "Internet edge", "互联网边界"
    INTRANET = "intranet", "Intranet", "政务内网"
    MANAGEMENT = "management", "Management", "管理网"


class SiteLevel(ChoiceEnum):
    """Level of a site in the administrative hierarchy."""

    PROVINCE = "province", "Province", "省"
    CITY = "city", "City", "市"
    COUNTY = "county", "County", "县/区"
    TOWNSHIP = "township", "Township", "乡镇/街道"


SITE_LEVEL_ORDER = [SiteLevel.PROVINCE, SiteLevel.CITY, SiteLevel.COUNTY, SiteLevel.TOWNSHIP]


class Severity(ChoiceEnum):
    """Severity of a finding or alarm, most severe first."""

    CRITICAL = "critical", "Critical", "紧急"
    MAJOR = "major", "Major", "重要"
    MINOR = "minor", "Minor", "次要"
    WARNING = "warning", "Warning", "提示"
    INFO = "info", "Info", "信息"

    @property
    def rank(self) -> int:
        """0 for critical ... 4 for info, for sorting."""
        return list(Severity).index(self)


class PollStatus(ChoiceEnum):
    """Outcome of one poll of one device."""

    OK = "ok", "Reachable", "可达"
    TIMEOUT = "timeout", "Timeout", "超时"
    AUTH_FAILURE = "auth_failure", "Authentication failure", "认证失败"
    UNREACHABLE = "unreachable", "Unreachable", "不可达"
    ERROR = "error", "Error", "错误"


class FindingStatus(ChoiceEnum):
    """Result of one check on one subject. Only PASS is a pass."""

    PASS = "PASS", "Pass", "通过"
    FAIL = "FAIL", "Fail", "不通过"
    NOT_APPLICABLE = "NOT_APPLICABLE", "Not applicable", "不适用"
    NEEDS_REVIEW = "NEEDS_REVIEW", "Needs review", "需人工复核"
    ERROR = "ERROR", "Error", "错误"


@dataclass(frozen=True, slots=True)
class Sample:
    """One measurement of one subject at one time; maps 1:1 to an InfluxDB point."""

    measurement: str
    tags: dict[str, str]
    fields: dict[str, FieldValue]
    time: datetime

    def __post_init__(self) -> None:
        if not self.measurement:
            raise ValueError("sample has no measurement")
        if not self.fields:
            raise ValueError(f"sample {self.measurement!r} has no fields")
        if self.time.tzinfo is None:
            raise ValueError(f"sample {self.measurement!r} time must be timezone-aware (UTC)")


@dataclass(slots=True)
class PollResult:
    """What one collector got from one device in one poll. Errors are values, never raised.

    ``state`` is keyed by getter name, napalm style: ``{"facts": {...}, "interfaces": [...]}``.
    """

    device: str
    collector: str
    started: datetime
    duration_s: float = 0.0
    status: PollStatus = PollStatus.OK
    samples: list[Sample] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    varbinds: int = 0

    @property
    def ok(self) -> bool:
        """True when the device answered and nothing failed."""
        return self.status is PollStatus.OK and self.error is None

    def status_sample(self, tags: dict[str, str] | None = None) -> Sample:
        """The ``poll_status`` sample every poll emits, so reachability is ordinary data."""
        return Sample(
            measurement="poll_status",
            tags={"device": self.device, "collector": self.collector, **(tags or {})},
            fields={
                "status": self.status.value,
                "reachable": self.status is PollStatus.OK,
                "duration_seconds": round(self.duration_s, 6),
                "varbinds": self.varbinds,
                **({"error": self.error[:500]} if self.error else {}),
            },
            time=self.started,
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's verdict on one subject, with the evidence behind it."""

    check_id: str
    device: str
    subject: str
    status: FindingStatus
    severity: Severity
    reason_en: str
    reason_zh: str
    observed: Any = None
    expected: Any = None
    evidence: dict[str, Any] = field(default_factory=dict)
