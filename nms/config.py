"""Load and validate config.yaml into frozen dataclasses.

One file configures everything (style.md 2.7). The loader:
  * rejects unknown keys and wrong types, naming the file and the key path (``snmp.timeout_s``);
  * resolves ``${ENV_VAR}`` secrets at load time (unset -> error) and ``${ENV_VAR:-default}``;
  * applies ``NMS_<SECTION>_<KEY>`` environment overrides (``NMS_WEB_PORT=9000``);
  * resolves relative paths against the directory holding the config file.

The schema *is* the dataclasses below: a field's type hint says what the key accepts, its default
is the documented default. ``nms config check`` runs this loader alone.
"""

from __future__ import annotations

import contextvars
import os
import re
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml

from nms.errors import ConfigError

DEFAULT_CONFIG = "config.yaml"
ROLES = ("router", "firewall", "switch", "server")


# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnmpAuth:
    """SNMP credentials. v1/v2c use ``community``; v3 uses user + auth/priv keys (authPriv)."""

    type: Literal["snmp"] = "snmp"
    version: Literal["1", "2c", "3"] = "2c"
    community: str | None = None
    user: str | None = None
    auth_protocol: Literal["md5", "sha", "sha224", "sha256", "sha384", "sha512"] | None = None
    auth_key: str | None = None
    priv_protocol: Literal["des", "aes", "aes128", "aes192", "aes256"] | None = None
    priv_key: str | None = None
    context: str = ""

    def validate(self, key: str, path: str | None) -> None:
        if self.version in ("1", "2c") and not self.community:
            raise ConfigError("SNMP v1/v2c profile needs 'community'", path=path, key=key)
        if self.version == "3":
            if not self.user:
                raise ConfigError("SNMPv3 profile needs 'user'", path=path, key=key)
            if bool(self.auth_protocol) != bool(self.auth_key):
                raise ConfigError("'auth_protocol' and 'auth_key' go together", path=path, key=key)
            if bool(self.priv_protocol) != bool(self.priv_key):
                raise ConfigError("'priv_protocol' and 'priv_key' go together", path=path, key=key)
            if self.priv_protocol and not self.auth_protocol:
                raise ConfigError("SNMPv3 privacy needs authentication too", path=path, key=key)
            for name in ("auth_key", "priv_key"):
                value = getattr(self, name)
                if value is not None and len(value) < 8:
                    raise ConfigError("SNMPv3 keys must be at least 8 characters", path=path,
                                      key=f"{key}.{name}")

    def __repr__(self) -> str:  # never print secrets
        return f"SnmpAuth(version={self.version!r}, user={self.user!r})"


@dataclass(frozen=True)
class SshAuth:
    """SSH/NETCONF credentials for config collection (netmiko, napalm, ncclient)."""

    type: Literal["ssh"] = "ssh"
    username: str = ""
    password: str | None = None
    key_file: str | None = None
    enable_secret: str | None = None
    port: int = 22
    netconf_port: int = 830

    def validate(self, key: str, path: str | None) -> None:
        if not self.username:
            raise ConfigError("SSH profile needs 'username'", path=path, key=key)
        if not self.password and not self.key_file:
            raise ConfigError("SSH profile needs 'password' or 'key_file'", path=path, key=key)

    def __repr__(self) -> str:
        return f"SshAuth(username={self.username!r})"


AuthProfile = SnmpAuth | SshAuth
AUTH_TYPES: dict[str, type] = {"snmp": SnmpAuth, "ssh": SshAuth}


@dataclass(frozen=True)
class InventoryConfig:
    """Where the inventory lives and where it is imported from."""

    database: str | None = None  # SQLAlchemy URL; default sqlite:///<data_dir>/nms.db
    source: str | None = None  # YAML or CSV file imported by `nms inventory import` with no FILE
    ipplan: str | None = None  # IP-plan YAML


@dataclass(frozen=True)
class SnmpConfig:
    """SNMP polling engine and its limits."""

    engine: Literal["gufo", "pysnmp"] = "gufo"
    port: int = 161
    timeout_s: float = 2.0
    retries: int = 1
    max_repetitions: int = 25
    concurrency: int = 64
    device_budget_s: float = 60.0


def _default_intervals() -> dict[str, int]:
    return {"router": 60, "firewall": 60, "switch": 300, "server": 300}


@dataclass(frozen=True)
class PollingConfig:
    """How often each device role is polled, probed and audited (seconds)."""

    intervals_s: dict[str, int] = field(default_factory=_default_intervals)
    jitter_s: float = 5.0
    probe_interval_s: int = 60
    audit_interval_s: int = 86400
    link_health_interval_s: int = 300  # link-health and device-health evaluation


@dataclass(frozen=True)
class SpoolConfig:
    """Local on-disk queue used while the time-series sink is unreachable."""

    path: str | None = None  # default <data_dir>/spool.db
    max_mb: int = 512
    warn_percent: int = 80


@dataclass(frozen=True)
class SinkConfig:
    """The time-series store samples are written to."""

    type: Literal["sqlite", "influxdb", "memory"] = "sqlite"
    path: str | None = None  # sqlite: default <data_dir>/samples.db
    url: str | None = None  # influxdb: http://127.0.0.1:8086
    version: Literal["auto", "1", "2"] = "auto"
    database: str = "nms"  # 1.x database
    retention_policy: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None  # 2.x/3.x
    org: str | None = None
    bucket: str | None = None
    batch_size: int = 5000
    flush_interval_s: float = 1.0
    timeout_s: float = 10.0
    raw_retention_days: int = 30
    rollup_retention_days: int = 365
    spool: SpoolConfig = field(default_factory=SpoolConfig)

    def validate(self, key: str, path: str | None) -> None:
        if self.type == "influxdb" and not self.url:
            raise ConfigError("influxdb sink needs 'url'", path=path, key=f"{key}.url")


def _default_util() -> dict[str, float]:
    return {"core": 70.0, "county": 80.0, "township": 90.0}


def _default_loss() -> dict[str, float]:
    return {"core": 0.5, "county": 1.0, "township": 2.0}


def _default_latency() -> dict[str, float]:
    return {"core": 10.0, "county": 30.0, "township": 50.0}


@dataclass(frozen=True)
class Thresholds:
    """Limits that turn measurements into findings; link limits are per link tier."""

    cpu_percent: float = 80.0
    memory_percent: float = 85.0
    temperature_celsius: float = 70.0
    link_utilisation_percent: dict[str, float] = field(default_factory=_default_util)
    error_rate_per_s: float = 1.0
    discard_rate_per_s: float = 10.0
    flap_changes: int = 4
    flap_window_s: int = 600
    probe_loss_percent: dict[str, float] = field(default_factory=_default_loss)
    probe_latency_ms: dict[str, float] = field(default_factory=_default_latency)
    availability_target_percent: dict[str, float] = field(
        default_factory=lambda: {"core": 99.99, "county": 99.9, "township": 99.5}
    )
    link_window_s: int = 86400  # window of link utilisation (average, p95), error/discard rates
    probe_window_s: int = 3600  # window of probe loss/latency
    availability_window_s: int = 2592000  # 30 days
    block_utilisation_percent: float = 80.0  # IP-plan block usage warning


@dataclass(frozen=True)
class MaintenanceWindow:
    """Planned work: alarms of matching devices raised inside the window are marked suppressed."""

    name: str = ""
    start: str = ""  # ISO 8601 with offset, e.g. 2026-12-01T01:00:00+08:00
    end: str = ""
    devices: list[str] = field(default_factory=list)  # fnmatch patterns on device names
    sites: list[str] = field(default_factory=list)  # site codes (the devices at and below them)


@dataclass(frozen=True)
class AlarmsConfig:
    """Alarm lifecycle: hysteresis, suppression, maintenance windows and escalation."""

    raise_after: int = 1  # consecutive failing evaluations before an alarm is raised
    clear_after: int = 2  # consecutive passing evaluations before it clears (hysteresis)
    reopen_within_s: int = 900  # a key failing again this soon after clearing reopens its alarm
    escalate_after_s: int = 3600  # unacknowledged this long: severity goes up one level
    suppress_behind_parent: bool = True  # alarms of devices behind a down parent are suppressed
    maintenance: list[MaintenanceWindow] = field(default_factory=list)


@dataclass(frozen=True)
class TrapV3User:
    """An SNMPv3 trap sender: an ``auths`` profile (version 3) and the sender's engine id (hex)."""

    auth: str = ""
    engine_id: str = ""


@dataclass(frozen=True)
class TrapsConfig:
    """The SNMP trap receiver (`nms traps listen`, and inside `nms run`)."""

    enabled: bool = True
    host: str = "0.0.0.0"  # address to listen on
    port: int = 162
    communities: list[str] = field(default_factory=list)  # accepted v1/v2c communities
    v3_users: list[TrapV3User] = field(default_factory=list)


@dataclass(frozen=True)
class NotifyChannel:
    """Where alarm notifications go: e-mail, a generic webhook, a DingTalk or WeCom robot."""

    name: str = ""
    type: Literal["email", "webhook", "dingtalk", "wecom"] = "webhook"
    url: str | None = None  # webhook / robot URL
    secret: str | None = None  # DingTalk robot signing secret
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "nms@localhost"
    recipients: list[str] = field(default_factory=list)
    language: Literal["zh_CN", "en"] = "zh_CN"
    min_severity: Literal["critical", "major", "minor", "warning", "info"] = "major"
    events: list[str] = field(default_factory=lambda: ["raised", "escalated", "cleared"])
    timeout_s: float = 10.0

    def __repr__(self) -> str:  # never print secrets
        return f"NotifyChannel(name={self.name!r}, type={self.type!r})"


@dataclass(frozen=True)
class NotifyConfig:
    """Alarm notifications and their rate limit (per channel)."""

    channels: list[NotifyChannel] = field(default_factory=list)
    max_per_minute: int = 20  # beyond this, messages are folded into one digest


@dataclass(frozen=True)
class WebConfig:
    """The console."""

    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str | None = None  # default: generated once into <data_dir>/secret_key
    session_timeout_min: int = 30
    language: Literal["zh_CN", "en"] = "zh_CN"
    lockout_attempts: int = 5
    lockout_min: int = 15
    secure_cookies: bool = False  # set true behind HTTPS
    threads: int = 8  # waitress worker threads for `nms serve`


@dataclass(frozen=True)
class LabConfig:
    """The simulated township-to-city network (`nms lab`)."""

    dir: str | None = None  # default <data_dir>/lab
    counties: int = 6
    townships_per_county: int = 5
    seed: int = 2026
    community: str = "nms-lab"
    address_prefix: str = "127.77.0.0/16"  # one loopback address per device
    port: int = 1161
    snmpsim_command: str | None = None  # default: .venv-lab/bin/snmpsim-command-responder


def _default_weak_passwords() -> list[str]:
    return ["admin", "admin123", "Admin@123", "Admin@huawei", "Huawei@123", "huawei", "h3c", "H3C@123",
            "cisco", "Cisco123", "ruijie", "Juniper", "juniper123", "password", "Password1", "123456",
            "12345678", "root", "test", "public", "private"]


@dataclass(frozen=True)
class AuditConfig:
    """Parameters of the security-baseline audit (policies/checks/baseline*.py).

    The defaults follow MLPS 2.0 level 3 practice as described in docs/audit.md: 10-minute idle
    timeout (STIG asks 5), lockout after at most 5 failures, 8-character passwords aged at most
    90 days, two NTP sources, one syslog server at least. Empty lists mean "not checked against
    a list" (the check then says NEEDS_REVIEW where the list is the only proof).
    """

    max_idle_timeout_min: int = 10
    min_log_servers: int = 1
    log_servers: list[str] = field(default_factory=list)  # expected syslog servers (all must be set)
    min_ntp_servers: int = 2
    ntp_servers: list[str] = field(default_factory=list)  # expected NTP servers
    mgmt_prefixes: list[str] = field(default_factory=list)  # allowed management source prefixes
    min_password_length: int = 8
    max_password_age_days: int = 90
    max_login_attempts: int = 5
    max_privileged_users: int = 3
    admin_roster: list[str] = field(default_factory=list)  # approved local accounts
    weak_passwords: list[str] = field(default_factory=_default_weak_passwords)
    banner_keywords: list[str] = field(default_factory=list)  # the banner must contain one of these
    uplink_keywords: list[str] = field(
        default_factory=lambda: ["uplink", "wan", "internet", "isp", "上联", "互联网", "外网", "出口"])
    max_backup_age_days: int = 7
    max_config_mb: int = 32
    probe_timeout_s: float = 2.0
    probe_communities: list[str] = field(default_factory=lambda: ["public", "private"])
    min_software_versions: dict[str, str] = field(default_factory=dict)  # BL-HYG-004: platform -> floor

    def validate(self, key: str, path: str | None) -> None:
        import ipaddress

        for i, prefix in enumerate(self.mgmt_prefixes):
            try:
                ipaddress.ip_network(prefix, strict=False)
            except ValueError:
                raise ConfigError(f"not an IP prefix: {prefix!r}", path=path,
                                  key=f"{key}.mgmt_prefixes[{i}]") from None
        for name in ("max_idle_timeout_min", "max_login_attempts", "max_config_mb"):
            if getattr(self, name) <= 0:
                raise ConfigError("must be positive", path=path, key=f"{key}.{name}")


@dataclass(frozen=True)
class ReportsConfig:
    """Uptime reports (nms.reports): counting rules, the PDF font, the monthly e-mailed bulletin.

    Mail goes through a ``notify`` channel of type email (its SMTP settings); ``recipients``
    overrides that channel's list for the bulletin.
    """

    language: Literal["zh_CN", "en"] = "zh_CN"
    gap_factor: float = 2.5  # polls further apart than this x the interval leave unknown time
    collector: str | None = None  # collector whose polls judge reachability; None: most frequent
    font: str | None = None  # TrueType CJK font for the PDF ("path" or "path.ttc#0"); None: search
    output_dir: str | None = None  # scheduled reports are saved here; default <data_dir>/reports
    schedule_day: int = 1  # day of the month the previous month's bulletin is made
    schedule_time: str = "08:00"  # local time (config timezone)
    scopes: list[str] = field(default_factory=lambda: ["city"])  # city, county:CODE, township:CODE
    formats: list[str] = field(default_factory=lambda: ["pdf", "xlsx"])
    channel: str | None = None  # notify channel (type email); None: the first email channel
    recipients: list[str] = field(default_factory=list)

    def validate(self, key: str, path: str | None) -> None:
        if self.gap_factor < 1.0:
            raise ConfigError("must be at least 1", path=path, key=f"{key}.gap_factor")
        if not 1 <= self.schedule_day <= 28:
            raise ConfigError("must be 1..28", path=path, key=f"{key}.schedule_day")
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", self.schedule_time):
            raise ConfigError("must be HH:MM", path=path, key=f"{key}.schedule_time")
        for i, fmt in enumerate(self.formats):
            if fmt not in ("pdf", "xlsx", "csv"):
                raise ConfigError("must be pdf, xlsx or csv", path=path, key=f"{key}.formats[{i}]")
        for i, scope in enumerate(self.scopes):
            kind, _, code = scope.partition(":")
            if kind not in ("city", "county", "township", "device") or (kind != "city" and not code):
                raise ConfigError("must be city, county:CODE, township:CODE or device:NAME",
                                  path=path, key=f"{key}.scopes[{i}]")


@dataclass(frozen=True)
class Config:
    """The whole config.yaml."""

    data_dir: str = "data"
    timezone: str = "Asia/Shanghai"
    auths: dict[str, AuthProfile] = field(default_factory=dict)
    default_snmp_auth: str | None = None  # profile used for devices naming none
    inventory: InventoryConfig = field(default_factory=InventoryConfig)
    snmp: SnmpConfig = field(default_factory=SnmpConfig)
    polling: PollingConfig = field(default_factory=PollingConfig)
    sink: SinkConfig = field(default_factory=SinkConfig)
    thresholds: Thresholds = field(default_factory=Thresholds)
    web: WebConfig = field(default_factory=WebConfig)
    lab: LabConfig = field(default_factory=LabConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    alarms: AlarmsConfig = field(default_factory=AlarmsConfig)
    traps: TrapsConfig = field(default_factory=TrapsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    source_path: str | None = field(default=None, compare=False)

    # ---- derived locations -------------------------------------------------------------
    @property
    def data_path(self) -> Path:
        """The data directory (created on demand by the components that write there)."""
        return Path(self.data_dir)

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the inventory store."""
        return self.inventory.database or f"sqlite:///{self.data_path / 'nms.db'}"

    @property
    def lab_path(self) -> Path:
        """Directory of the simulated network (recordings, inventory, IP plan)."""
        return Path(self.lab.dir) if self.lab.dir else self.data_path / "lab"

    def auth(self, name: str) -> AuthProfile:
        """The auth profile ``name``; ConfigError if there is none."""
        try:
            return self.auths[name]
        except KeyError:
            raise ConfigError(f"no auth profile {name!r} (have: {', '.join(sorted(self.auths)) or 'none'})",
                              path=self.source_path, key="auths") from None


PATH_KEYS = {
    "data_dir", "inventory.source", "inventory.ipplan", "sink.path", "sink.spool.path", "lab.dir",
    "web.secret_key_file",
    "reports.output_dir", "reports.font",
}


# --------------------------------------------------------------------------------------------
# Loader
# --------------------------------------------------------------------------------------------

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# The environment ${VAR} references are resolved from, for the load in progress.
_ENVIRON: contextvars.ContextVar[typing.Mapping[str, str]] = contextvars.ContextVar("environ")


def _resolve_env(value: str, key: str, path: str | None) -> str:
    def repl(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        environ = _ENVIRON.get(os.environ)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        raise ConfigError(f"environment variable ${{{name}}} is not set", path=path, key=key)

    return _ENV_REF.sub(repl, value)


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp))
    if origin is dict:
        return "mapping"
    if origin is list:
        return "list"
    if tp is type(None):
        return "null"
    if is_dataclass(tp):
        return "mapping"
    return getattr(tp, "__name__", str(tp))


def _coerce(value: Any, tp: Any, key: str, path: str | None) -> Any:
    """Check ``value`` against the type hint ``tp``; returns the converted value."""
    origin = get_origin(tp)
    if isinstance(value, str):
        value = _resolve_env(value, key, path)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        if set(args) >= {SnmpAuth, SshAuth}:
            return _build_auth(value, key, path)
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key, path)
            except ConfigError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise ConfigError(f"expected {_type_name(tp)}, got {value!r}", path=path, key=key)
    if origin is Literal:
        allowed = get_args(tp)
        if isinstance(value, int | float) and not isinstance(value, bool) and str(value) in allowed:
            return str(value)
        if value not in allowed:
            raise ConfigError(f"must be one of {', '.join(map(repr, allowed))}, got {value!r}",
                              path=path, key=key)
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"expected a mapping, got {type(value).__name__}", path=path, key=key)
        _, vt = get_args(tp)
        return {str(k): _coerce(v, vt, f"{key}.{k}", path) for k, v in value.items()}
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"expected a list, got {type(value).__name__}", path=path, key=key)
        (it,) = get_args(tp)
        return [_coerce(v, it, f"{key}[{i}]", path) for i, v in enumerate(value)]
    if is_dataclass(tp):
        return _build(tp, value, key, path)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ConfigError(f"expected true or false, got {value!r}", path=path, key=key)
    if tp is int:
        if isinstance(value, bool):
            raise ConfigError(f"expected an integer, got {value!r}", path=path, key=key)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise ConfigError(f"expected an integer, got {value!r}", path=path, key=key)
    if tp is float:
        if isinstance(value, bool):
            raise ConfigError(f"expected a number, got {value!r}", path=path, key=key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"expected a number, got {value!r}", path=path, key=key)
    if tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise ConfigError(f"expected a string, got {type(value).__name__}", path=path, key=key)
    raise ConfigError(f"unsupported type {tp!r}", path=path, key=key)  # a schema bug


def _build_auth(value: Any, key: str, path: str | None) -> AuthProfile:
    if not isinstance(value, dict):
        raise ConfigError("expected a mapping", path=path, key=key)
    kind = value.get("type")
    if kind not in AUTH_TYPES:
        raise ConfigError(f"'type' must be one of {', '.join(map(repr, AUTH_TYPES))}, got {kind!r}",
                          path=path, key=f"{key}.type")
    return _build(AUTH_TYPES[kind], value, key, path)


def _build(cls: Any, data: Any, prefix: str, path: str | None) -> Any:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping, got {type(data).__name__}", path=path, key=prefix or None)
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls) if f.name != "source_path"}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        where = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
        raise ConfigError(f"unknown key (allowed: {', '.join(sorted(known))})", path=path, key=where)
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ConfigError("missing required key", path=path, key=f"{prefix}.{f.name}".strip("."))
            continue
        key = f"{prefix}.{f.name}" if prefix else f.name
        kwargs[f.name] = _coerce(data[f.name], hints[f.name], key, path)
    obj = cls(**kwargs)
    if hasattr(obj, "validate"):
        obj.validate(prefix, path)
    return obj


def _env_overrides(data: dict[str, Any], environ: typing.Mapping[str, str]) -> None:
    """Apply NMS_<SECTION>_<KEY>=value on top of the file (one level of nesting)."""
    sections = {f.name: f for f in fields(Config)}
    for name, value in environ.items():
        if not name.startswith("NMS_") or name in ("NMS_CONFIG",):
            continue
        rest = name[4:].lower()
        if rest in sections and not is_dataclass(typing.get_type_hints(Config)[rest]):
            data[rest] = value
            continue
        for section in sections:
            hint = typing.get_type_hints(Config)[section]
            if is_dataclass(hint) and rest.startswith(section + "_"):
                sub = rest[len(section) + 1 :]
                if sub in {g.name for g in fields(hint)}:
                    block = data.setdefault(section, {}) or {}
                    if not isinstance(block, dict):
                        break
                    block[sub] = value
                    data[section] = block
                break


def _resolve_paths(cfg: Config, base: Path) -> Config:
    import dataclasses

    def fix(p: str | None) -> str | None:
        if p is None or p.startswith(("sqlite:", "postgresql", "http")):
            return p
        q = Path(p).expanduser()
        return str(q if q.is_absolute() else (base / q))

    inv = cfg.inventory
    db = inv.database
    if db and db.startswith("sqlite:///") and not db.startswith("sqlite:////"):
        rel = db[len("sqlite:///"):]
        if rel and rel != ":memory:":
            db = "sqlite:///" + str(base / rel)
    return dataclasses.replace(
        cfg,
        data_dir=fix(cfg.data_dir) or cfg.data_dir,
        inventory=dataclasses.replace(inv, database=db, source=fix(inv.source), ipplan=fix(inv.ipplan)),
        sink=dataclasses.replace(cfg.sink, path=fix(cfg.sink.path),
                                 spool=dataclasses.replace(cfg.sink.spool, path=fix(cfg.sink.spool.path))),
        lab=dataclasses.replace(cfg.lab, dir=fix(cfg.lab.dir)),
        reports=dataclasses.replace(cfg.reports, output_dir=fix(cfg.reports.output_dir),
                                    font=fix(cfg.reports.font)),
    )


def load_config_data(data: Any, *, path: str | None = None, base_dir: Path | None = None,
                     environ: typing.Mapping[str, str] | None = None) -> Config:
    """Validate an already-parsed mapping (tests and `create_app(test_config=...)` use this)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"top level must be a mapping, got {type(data).__name__}", path=path)
    data = dict(data)
    env = os.environ if environ is None else environ
    _env_overrides(data, env)
    token = _ENVIRON.set(env)
    try:
        cfg = _build(Config, data, "", path)
    finally:
        _ENVIRON.reset(token)
    if cfg.default_snmp_auth and cfg.default_snmp_auth not in cfg.auths:
        raise ConfigError(f"names unknown auth profile {cfg.default_snmp_auth!r}", path=path,
                          key="default_snmp_auth")
    for role in cfg.polling.intervals_s:
        if role not in ROLES:
            raise ConfigError(f"unknown device role (roles: {', '.join(ROLES)})", path=path,
                              key=f"polling.intervals_s.{role}")
    for role, secs in cfg.polling.intervals_s.items():
        if secs <= 0:
            raise ConfigError("interval must be positive", path=path, key=f"polling.intervals_s.{role}")
    for key, value in (("snmp.timeout_s", cfg.snmp.timeout_s), ("snmp.concurrency", cfg.snmp.concurrency),
                       ("snmp.max_repetitions", cfg.snmp.max_repetitions), ("web.port", cfg.web.port),
                       ("web.threads", cfg.web.threads)):
        if value <= 0:
            raise ConfigError("must be positive", path=path, key=key)
    import dataclasses

    cfg = dataclasses.replace(cfg, source_path=path)
    return _resolve_paths(cfg, base_dir or Path.cwd())


def load_config(path: str | os.PathLike[str] | None = None, *,
                environ: typing.Mapping[str, str] | None = None) -> Config:
    """Load config.yaml from ``path``, ``$NMS_CONFIG`` or ./config.yaml.

    Raises:
        ConfigError: the file is missing, not YAML, or does not match the schema.
    """
    env = os.environ if environ is None else environ
    p = Path(path or env.get("NMS_CONFIG") or DEFAULT_CONFIG)
    if not p.exists():
        raise ConfigError("file not found", path=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(p)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"not valid YAML{where}: {problem}", path=str(p)) from exc
    return load_config_data(data, path=str(p), base_dir=p.resolve().parent, environ=env)
