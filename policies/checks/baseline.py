"""Security-baseline checks (BL-*): the framework, and the authentication/access checks.

Each check is a small function over the normalized config model (``policies.parsers.model``),
wrapped by ``@baseline(ID)`` into a ``policies.base.Check`` subclass with the title, severity,
MLPS clauses and per-vendor remediation read from ``policies/packs/baseline.yaml``. Why classes
and not YAML rules: each check needs vendor defaults, undo/last-wins, and several objects at once
(a vty line, the ACL it names, and that ACL's rules), which no rule operator expresses.

A check function yields ``Result`` s; the wrapper turns them into ``Finding`` s whose
``evidence`` carries ``file``, ``line``, ``text``, ``platform``, ``default`` (the verdict rests on
a vendor default, not a line) and ``remediation`` (commands for the device's platform).

Live evidence: ``DeviceState.state["baseline_probes"]`` (filled by ``policies.audit.probes``)
holds what config text cannot prove: ``snmp_default_community`` (bool), ``telnet_open`` (bool),
``ssh_banner`` (str). Checks use it when present.

Severity: catalog H/M/L map to critical/major/minor; a "warn" case (MD5, Huawei ``cipher``)
is a FAIL at severity ``warning``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from nms.config import AuditConfig
from nms.errors import ParseError
from nms.models import Finding, FindingStatus, Severity
from policies.base import Check, DeviceState, Snapshot
from policies.parsers import PLATFORMS, ParsedConfig, parse_config
from policies.parsers.model import Acl, MgmtLine

CATALOG_FILE = Path(__file__).resolve().parent.parent / "packs" / "baseline.yaml"
SEVERITY = {"H": Severity.CRITICAL, "M": Severity.MAJOR, "L": Severity.MINOR}
IOS_LIKE = ("cisco_ios", "ruijie_os")
VRP_LIKE = ("huawei_vrp", "hp_comware")

PASS, FAIL = FindingStatus.PASS, FindingStatus.FAIL
REVIEW, NA = FindingStatus.NEEDS_REVIEW, FindingStatus.NOT_APPLICABLE


@cache
def catalog() -> dict[str, dict[str, Any]]:
    """The BL-* catalog entries keyed by id (titles, severity, mlps, remediation)."""
    data = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    return dict(data["catalog"])


@dataclass(frozen=True)
class AuditParams:
    """Parameters of the audit: config.yaml's ``audit:`` section (``nms.config.AuditConfig``)."""

    values: AuditConfig = field(default_factory=AuditConfig)

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> AuditParams:
        """Read ``snapshot.params["audit"]`` (a mapping or an AuditConfig); defaults otherwise."""
        raw = snapshot.params.get("audit")
        if isinstance(raw, AuditConfig):
            return cls(raw)
        if isinstance(raw, dict):
            known = {f.name for f in fields(AuditConfig)}
            return cls(AuditConfig(**{k: v for k, v in raw.items() if k in known}))
        return cls()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.values, name)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain mapping (for reports)."""
        return asdict(self.values)


@dataclass(slots=True)
class Result:
    """One verdict of a check function before it becomes a Finding."""

    status: FindingStatus
    reason_en: str
    reason_zh: str
    line: int | None = None
    subject: str = ""
    observed: Any = None
    expected: Any = None
    severity: Severity | None = None
    default: bool = False


def ok(en: str, zh: str, line: int | None = None, **kw: Any) -> Result:
    """A PASS."""
    return Result(PASS, en, zh, line, **kw)


def fail(en: str, zh: str, line: int | None = None, **kw: Any) -> Result:
    """A FAIL."""
    return Result(FAIL, en, zh, line, **kw)


def warn(en: str, zh: str, line: int | None = None, **kw: Any) -> Result:
    """A FAIL at severity warning (catalog "warn" cases)."""
    return Result(FAIL, en, zh, line, severity=Severity.WARNING, **kw)


def review(en: str, zh: str, line: int | None = None, **kw: Any) -> Result:
    """NEEDS_REVIEW: config alone cannot prove it."""
    return Result(REVIEW, en, zh, line, **kw)


def na(en: str, zh: str, **kw: Any) -> Result:
    """NOT_APPLICABLE."""
    return Result(NA, en, zh, None, **kw)


Live = dict[str, Any]
CheckFunc = Callable[[ParsedConfig, AuditParams, Live], Iterable[Result]]


def config_of(dev: DeviceState, params: AuditParams | None = None) -> ParsedConfig | None:
    """The device's parsed config: ``dev.config`` or a parse of ``dev.config_text`` (cached).

    Raises:
        ParseError: the text cannot be parsed (the engine turns it into an ERROR finding).
    """
    if isinstance(dev.config, ParsedConfig):
        return dev.config
    if dev.config_text is None:
        return None
    limit = (params.max_config_mb if params else 32) * 1024 * 1024
    dev.config = parse_config(dev.config_text, dev.device.get("platform"), source=dev.name,
                              max_bytes=limit)
    return dev.config


class BaselineCheck(Check):
    """A BL-* check: metadata from the catalog, logic in ``func``."""

    pack = "baseline"
    platforms: ClassVar[tuple[str, ...]] = PLATFORMS
    func: ClassVar[CheckFunc]
    mlps_clauses: ClassVar[list[str]] = []
    remediation_table: ClassVar[dict[str, list[str]]] = {}

    def evaluate_device(self, dev: DeviceState, snapshot: Snapshot) -> Iterator[Finding]:
        params = AuditParams.from_snapshot(snapshot)
        try:
            cfg = config_of(dev, params)
        except ParseError as exc:
            yield self.finding(dev.name, "", FindingStatus.ERROR, f"config cannot be parsed: {exc}",
                               f"配置无法解析：{exc}")
            return
        if cfg is None:
            yield self.finding(dev.name, "", REVIEW, "no configuration collected",
                               "未采集到设备配置", remediation=[])
            return
        if cfg.platform not in self.platforms:
            yield self.finding(dev.name, "", NA, f"not applicable to {cfg.platform}",
                               f"不适用于 {cfg.platform}", platform=cfg.platform, remediation=[])
            return
        live = dev.state.get("baseline_probes") or {}
        results = list(type(self).func(cfg, params, live))
        if not results:
            results = [ok("nothing to flag", "未发现问题")]
        for r in results:
            yield self.result_finding(dev.name, cfg, r)

    def result_finding(self, device: str, cfg: ParsedConfig, r: Result) -> Finding:
        """A Finding with evidence (file, line, text) and the platform's remediation."""
        remediation = self.remediation_table.get(cfg.platform, []) if r.status in (FAIL, REVIEW) else []
        return self.finding(device, r.subject, r.status, r.reason_en, r.reason_zh, observed=r.observed,
                            expected=r.expected, severity=r.severity, file=cfg.source, line=r.line,
                            text=cfg.text(r.line), platform=cfg.platform, default=r.default,
                            remediation=list(remediation), mlps=list(self.mlps_clauses))

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Catalogue entry with platforms and MLPS clauses."""
        out = super().describe()
        out.update(platforms=list(cls.platforms), mlps=list(cls.mlps_clauses),
                   remediation=dict(cls.remediation_table))
        return out


REGISTRY: dict[str, type[BaselineCheck]] = {}


def baseline(check_id: str, platforms: Iterable[str] = PLATFORMS) -> Callable[[CheckFunc], type[BaselineCheck]]:
    """Turn a check function into a registered ``BaselineCheck`` subclass named like the function."""

    def wrap(func: CheckFunc) -> type[BaselineCheck]:
        meta = catalog()[check_id]
        attrs = {
            "__doc__": func.__doc__, "__module__": func.__module__, "id": check_id,
            "title_en": meta["title"]["en"], "title_zh": meta["title"]["zh"],
            "severity": SEVERITY[meta["severity"]], "mlps": ", ".join(meta.get("mlps") or []) or None,
            "mlps_clauses": list(meta.get("mlps") or []), "platforms": tuple(platforms),
            "remediation_table": dict(meta.get("remediation") or {}), "func": staticmethod(func),
        }
        cls = type(func.__name__, (BaselineCheck,), attrs)
        REGISTRY[check_id] = cls
        return cls

    return wrap


# ------------------------------------------------------------------------------- helpers


def remote_lines(cfg: ParsedConfig) -> list[MgmtLine]:
    """vty lines (Junos: the ``system services`` pseudo line)."""
    return [m for m in cfg.mgmt_lines if m.kind == "vty"]


def session_lines(cfg: ParsedConfig) -> list[MgmtLine]:
    """Lines that hold interactive sessions (Junos: login classes in use)."""
    if cfg.platform == "juniper_junos":
        return [m for m in cfg.mgmt_lines if m.kind == "class"]
    return [m for m in cfg.mgmt_lines if m.kind in ("console", "vty", "aux")]


def svc(cfg: ParsedConfig, name: str) -> tuple[bool | None, int | None, bool]:
    """(enabled, line, from_default) of a service."""
    f = cfg.services.get(name)
    if f is None:
        return None, None, False
    return f.value, f.line, f.default


def acl_any_permit(acl: Acl) -> int | None:
    """Line of the first rule permitting any source, or None."""
    for rule in acl.rules:
        if rule.action == "permit" and rule.source in ("any", "0.0.0.0 255.255.255.255", "0.0.0.0/0"):
            return rule.line
    return None


def _source_net(source: str) -> ipaddress.IPv4Network | None:
    try:
        if "/" in source:
            return ipaddress.ip_network(source, strict=False)  # type: ignore[return-value]
        parts = source.split()
        if len(parts) == 2:
            mask = parts[1]
            first = int(mask.split(".")[0]) if mask[0].isdigit() else 0
            if first < 128 and mask != "255.255.255.255":  # wildcard -> netmask
                mask = ".".join(str(255 - int(o)) for o in mask.split("."))
            return ipaddress.ip_network(f"{parts[0]}/{mask}", strict=False)  # type: ignore[return-value]
        return ipaddress.ip_network(f"{parts[0]}/32", strict=False)  # type: ignore[return-value]
    except (ValueError, IndexError):
        return None


def acl_outside(acl: Acl, prefixes: list[str]) -> list[int]:
    """Lines of permit rules whose source is not inside any of ``prefixes``."""
    nets = [ipaddress.ip_network(p, strict=False) for p in prefixes]
    bad = []
    for rule in acl.rules:
        if rule.action != "permit":
            continue
        for src in rule.source.split(","):
            net = _source_net(src)
            if net is None or not any(net.version == n.version and net.subnet_of(n) for n in nets):  # type: ignore[arg-type]
                bad.append(rule.line)
                break
    return bad


def find_acl(cfg: ParsedConfig, name: str | None) -> Acl | None:
    """The ACL called ``name`` (None when absent)."""
    return cfg.acls.get(name) if name else None


# ------------------------------------------------------------------------------- BL-AUTH

_TELNET_WORDS = {"telnet", "all"}


@baseline("BL-AUTH-001")
def TelnetDisabled(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Telnet must be off and remote management use SSH only (MLPS 8.1.4.1 c)."""
    bad = False
    on, line, dflt = svc(cfg, "telnet")
    if on:
        bad = True
        yield fail("telnet server is enabled" + (" (vendor default)" if dflt else ""),
                   "Telnet服务已开启" + ("（厂商默认）" if dflt else ""), line, subject="telnet", default=dflt)
    vtys = remote_lines(cfg)
    for ml in vtys:
        tr = ml.transport.value
        if tr is not None and tr & _TELNET_WORDS:
            bad = True
            yield fail(f"{ml.name} accepts telnet ({' '.join(sorted(tr))})",
                       f"{ml.name} 允许Telnet登录（{' '.join(sorted(tr))}）", ml.transport.line, subject=ml.name)
        elif tr is None and cfg.platform in IOS_LIKE:
            bad = True
            yield fail(f"{ml.name} has no 'transport input ssh' (older trains accept telnet)",
                       f"{ml.name} 未配置 transport input ssh（旧版本默认允许Telnet）", ml.line, subject=ml.name)
    if live.get("telnet_open"):
        bad = True
        yield fail("TCP/23 answers on the management address (live probe)",
                   "管理地址TCP/23端口开放（实时探测）", None, subject="tcp/23", observed="open")
    if not bad:
        yield ok("telnet is off and remote lines accept SSH only", "Telnet已关闭，远程仅允许SSH",
                 line if line else (vtys[0].transport.line if vtys else None), default=dflt)


_WEAK_CIPHERS = ("cbc", "3des", "des", "arcfour", "rc4", "blowfish")
_WEAK_MACS = ("md5", "sha1-96", "md5-96")


@baseline("BL-AUTH-002")
def SshV2Strong(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """SSH must be v2 only, with no CBC/3DES/RC4 ciphers or MD5 MACs."""
    bad = False
    v1, line, dflt = svc(cfg, "ssh1_compat")
    if v1:
        bad = True
        yield fail("SSHv1 compatibility is on" + (" (default: 'ip ssh version 2' missing)" if dflt else ""),
                   "SSHv1兼容已开启" + ("（未配置 ip ssh version 2）" if dflt else ""), line, default=dflt)
    ciphers = cfg.ssh.get("ciphers")
    if ciphers and ciphers.value:
        weak = [c for c in ciphers.value if any(w in c.lower() for w in _WEAK_CIPHERS)]
        if weak:
            bad = True
            yield fail(f"weak SSH ciphers allowed: {', '.join(weak)}", f"允许弱SSH加密算法：{', '.join(weak)}",
                       ciphers.line, observed=weak)
    macs = cfg.ssh.get("macs")
    if macs and macs.value:
        weak = [m for m in macs.value if any(w in m.lower() for w in _WEAK_MACS)]
        if weak:
            bad = True
            yield fail(f"weak SSH MACs allowed: {', '.join(weak)}", f"允许弱SSH完整性算法：{', '.join(weak)}",
                       macs.line, observed=weak)
    banner = live.get("ssh_banner")
    if banner and banner.startswith("SSH-1."):  # SSH-1.5 (v1 only) and SSH-1.99 (v1 + v2)
        bad = True
        yield fail(f"the SSH server offers protocol 1 ({banner})", f"SSH服务支持协议版本1（{banner}）",
                   None, subject="ssh banner", observed=banner)
    if not bad:
        yield ok("SSH is version 2 only with no weak algorithms configured", "SSH仅v2且未配置弱算法",
                 line, default=dflt)


@baseline("BL-AUTH-003")
def PasswordsIrreversible(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Local and enable passwords must be stored as irreversible hashes (MLPS 8.1.4.1 a, 8.1.4.8)."""
    bad = False
    for u in cfg.users + cfg.enable:
        label = "enable " + u.name if u in cfg.enable else f"user {u.name}"
        if u.secret == "plain":
            bad = True
            yield fail(f"{label}: password stored in clear text", f"{label}：口令明文存储", u.line, subject=u.name)
        elif u.secret == "reversible":
            bad = True
            if cfg.platform in VRP_LIKE:
                yield warn(f"{label}: reversible 'cipher' password (use irreversible-cipher/hash)",
                           f"{label}：口令为可逆加密（应使用不可逆加密）", u.line, subject=u.name)
            else:
                yield fail(f"{label}: reversible password (type 7 / enable password)",
                           f"{label}：口令为可逆加密（type 7 / enable password）", u.line, subject=u.name)
        elif u.secret == "weak-hash":
            bad = True
            yield warn(f"{label}: MD5-crypt ($1$) password hash", f"{label}：口令使用MD5哈希", u.line, subject=u.name)
    if cfg.platform == "cisco_ios" and cfg.password_encryption.value is False:
        bad = True
        yield fail("'no service password-encryption': line passwords stay in clear text",
                   "未启用 service password-encryption", cfg.password_encryption.line)
    if not bad:
        first = (cfg.users + cfg.enable)[0].line if cfg.users or cfg.enable else None
        yield ok("every stored password is an irreversible hash", "所有口令均为不可逆存储", first)


_DEFAULT_ACCOUNTS = {
    "huawei_vrp": {"admin", "huawei", "root", "super"},
    "hp_comware": {"admin", "h3c", "root"},
    "cisco_ios": {"cisco", "admin", "root"},
    "ruijie_os": {"admin", "ruijie", "root"},
    "juniper_junos": {"admin", "juniper"},
}

_TYPE7_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def decrypt_type7(value: str) -> str | None:
    """Clear text of a Cisco type-7 password (it is an obfuscation, not encryption)."""
    try:
        seed = int(value[:2])
        data = bytes.fromhex(value[2:])
    except ValueError:
        return None
    return "".join(chr(b ^ ord(_TYPE7_KEY[(seed + i) % len(_TYPE7_KEY)])) for i, b in enumerate(data))


@baseline("BL-AUTH-004")
def NoDefaultAccounts(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """No vendor default account names and no password from the weak-password list."""
    bad = False
    defaults = _DEFAULT_ACCOUNTS.get(cfg.platform, set())
    weak = {w.lower() for w in p.weak_passwords}
    for u in cfg.users:
        if u.name.lower() in defaults:
            bad = True
            yield fail(f"default account name '{u.name}' in use", f"使用默认账户名 {u.name}", u.line, subject=u.name)
        clear = u.password
        if clear and u.secret == "reversible" and cfg.platform in IOS_LIKE:
            clear = decrypt_type7(clear)
        if clear and clear.lower() in weak:
            bad = True
            yield fail(f"user {u.name} has a weak password", f"用户 {u.name} 使用弱口令", u.line, subject=u.name)
    root_login = cfg.ssh.get("root_login")
    ssh_on = cfg.services.get("ssh") is not None and cfg.services["ssh"].value
    if cfg.platform == "juniper_junos" and ssh_on and (root_login is None or root_login.value != "deny"):
        bad = True
        yield fail("SSH root login is not denied (shared root use)", "未禁止root通过SSH登录",
                   root_login.line if root_login else None, subject="root")
    if not bad:
        yield ok("no default account names or weak passwords found", "未发现默认账户或弱口令",
                 cfg.users[0].line if cfg.users else None)


@baseline("BL-AUTH-005")
def PasswordPolicy(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Password length/complexity and aging at most ``max_password_age_days`` (MLPS 8.1.4.1 a)."""
    pp = cfg.password_policy
    bad = False
    if cfg.platform == "hp_comware" and not (pp.get("enabled") and pp["enabled"].value):
        yield fail("password-control is not enabled", "未启用 password-control",
                   pp["enabled"].line if pp.get("enabled") else None)
        return
    length = pp.get("min_length")
    too_short = length is None or length.value is None or length.value < p.min_password_length
    if (cfg.platform != "huawei_vrp" or length is not None) and too_short:
        bad = True
        yield fail(f"minimum password length is {length.value if length else 'not set'} "
                   f"(need >= {p.min_password_length})",
                   f"口令最小长度为 {length.value if length else '未设置'}（应≥{p.min_password_length}）",
                   length.line if length else None, subject="min_length")
    cx = pp.get("complexity")
    if cx is None or not cx.value:
        bad = True
        yield fail("password complexity is not enforced", "未强制口令复杂度", cx.line if cx else None,
                   subject="complexity", default=bool(cx and cx.default))
    age = pp.get("aging_days")
    if age is None or age.value is None or age.value > p.max_password_age_days or age.value <= 0:
        if cfg.platform == "juniper_junos" and age is None:
            yield review("password aging is not configured (older Junos cannot age passwords)",
                         "未配置口令有效期（部分Junos版本不支持）", None, subject="aging")
        else:
            bad = True
            yield fail(f"password aging is {age.value if age else 'not set'} days "
                       f"(need <= {p.max_password_age_days})",
                       f"口令有效期为 {age.value if age else '未设置'} 天（应≤{p.max_password_age_days}）",
                       age.line if age else None, subject="aging")
    if not bad:
        yield ok("password length, complexity and aging meet the policy", "口令长度、复杂度和有效期符合要求",
                 (length or cx).line if (length or cx) else None, default=bool(cx and cx.default))


@baseline("BL-AUTH-006")
def LoginLockout(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Lock out (or block) after at most ``max_login_attempts`` failed logins (MLPS 8.1.4.1 b)."""
    lo = cfg.lockout
    enabled = lo.get("enabled")
    if enabled is None or not enabled.value:
        yield fail("no login-failure lockout" + (" ('undo' of the default)" if enabled else ""),
                   "未配置登录失败处理" + ("（默认已被关闭）" if enabled else ""),
                   enabled.line if enabled else None)
        return
    attempts = lo.get("attempts")
    n = attempts.value if attempts else None
    if n is None or n > p.max_login_attempts:
        yield fail(f"lockout after {n if n is not None else '?'} attempts (need <= {p.max_login_attempts})",
                   f"登录失败 {n if n is not None else '?'} 次后锁定（应≤{p.max_login_attempts}）",
                   attempts.line if attempts else enabled.line, default=enabled.default)
        return
    minutes = lo.get("lock_minutes")
    if minutes is not None and minutes.value is not None and minutes.value <= 0:
        yield fail("lockout period is zero", "锁定时间为0", minutes.line)
        return
    yield ok(f"lockout after {n} failed attempts" + (" (vendor default)" if enabled.default else ""),
             f"登录失败 {n} 次后锁定" + ("（厂商默认）" if enabled.default else ""), enabled.line,
             default=enabled.default)


@baseline("BL-AUTH-007")
def IdleTimeout(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Console/vty sessions time out after at most ``max_idle_timeout_min`` minutes (MLPS 8.1.4.1 b)."""
    limit = p.max_idle_timeout_min * 60
    lines = session_lines(cfg)
    if not lines:
        yield review("no console/vty lines or login classes found", "未发现console/vty或登录类配置")
        return
    bad = False
    for ml in lines:
        t = ml.idle_timeout_s
        if t.value is None:
            bad = True
            yield fail(f"{ml.name}: no idle timeout", f"{ml.name}：未配置超时退出", ml.line, subject=ml.name)
        elif t.value == 0 or t.value > limit:
            bad = True
            shown = "disabled" if t.value == 0 else f"{t.value // 60} min"
            yield fail(f"{ml.name}: idle timeout {shown} (need <= {p.max_idle_timeout_min} min)",
                       f"{ml.name}：超时时间 {'已禁用' if t.value == 0 else str(t.value // 60) + ' 分钟'}"
                       f"（应≤{p.max_idle_timeout_min}分钟）", t.line or ml.line, subject=ml.name)
    if not bad:
        dflt = any(m.idle_timeout_s.default for m in lines)
        yield ok(f"all {len(lines)} lines time out within {p.max_idle_timeout_min} min"
                 + (" (some by vendor default)" if dflt else ""),
                 f"所有 {len(lines)} 个登录通道均在 {p.max_idle_timeout_min} 分钟内超时" + ("（部分为默认值）" if dflt else ""),
                 lines[0].idle_timeout_s.line or lines[0].line, default=dflt)


@baseline("BL-AUTH-008")
def LinesAuthenticated(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Every console/vty/aux line requires authentication (AAA or local users)."""
    bad = False
    lines = [m for m in cfg.mgmt_lines if m.kind in ("console", "vty", "aux")]
    for ml in lines:
        if cfg.platform == "juniper_junos" and ml.kind == "vty":
            continue
        mode = ml.auth.value
        if mode == "none":
            bad = True
            yield fail(f"{ml.name}: no authentication", f"{ml.name}：未配置身份鉴别", ml.auth.line or ml.line,
                       subject=ml.name)
        elif mode == "password":
            bad = True
            if cfg.platform == "hp_comware":
                yield fail(f"{ml.name}: shared line password only", f"{ml.name}：仅使用共享口令", ml.auth.line,
                           subject=ml.name)
            else:
                yield warn(f"{ml.name}: shared line password instead of AAA", f"{ml.name}：使用共享口令而非AAA",
                           ml.auth.line, subject=ml.name)
        elif mode is None:
            bad = True
            yield review(f"{ml.name}: authentication mode not configured", f"{ml.name}：未配置认证方式",
                         ml.line, subject=ml.name)
    if not bad:
        yield ok("every line requires user authentication", "所有登录通道均需用户鉴别",
                 lines[0].auth.line if lines else None)


@baseline("BL-AUTH-009")
def CentralAaa(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Central AAA (TACACS+/HWTACACS/RADIUS) with >= 2 servers and a local fallback."""
    servers = sorted({s.address for s in cfg.aaa_servers})
    methods = cfg.aaa.get("login_methods")
    m = [x.lower() for x in (methods.value or [])] if methods else []
    central = any(("tacacs" in x or "radius" in x or x == "tacplus") for x in m)
    local = any(x in ("local", "password") for x in m)
    first = cfg.aaa_servers[0].line if cfg.aaa_servers else (methods.line if methods else None)
    if not servers:
        yield fail("no AAA servers configured", "未配置集中认证服务器", first)
    elif not central:
        yield fail("AAA servers exist but logins do not use them", "已配置AAA服务器但登录未使用",
                   methods.line if methods else first)
    elif len(servers) < 2:
        yield fail(f"only one AAA server ({servers[0]})", f"仅配置一台AAA服务器（{servers[0]}）", first)
    elif not local:
        yield fail("no local fallback after the AAA servers", "AAA服务器后未配置本地应急认证",
                   methods.line if methods else first)
    else:
        yield ok(f"central AAA with {len(servers)} servers and local fallback",
                 f"集中认证：{len(servers)} 台服务器并保留本地认证", methods.line if methods else first)


@baseline("BL-AUTH-010")
def TwoFactorAdmin(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Two-factor admin login: config shows only the prerequisite (central AAA); the rest is manual."""
    methods = cfg.aaa.get("login_methods")
    m = [x.lower() for x in (methods.value or [])] if methods else []
    if not cfg.aaa_servers or not any("tacacs" in x or "radius" in x or x == "tacplus" for x in m):
        yield fail("no central AAA: two-factor login is impossible", "未配置集中认证，无法实现双因素鉴别",
                   methods.line if methods else None)
    else:
        yield review("central AAA present: confirm the AAA back end uses OTP or certificates",
                     "已配置集中认证：需人工确认认证服务器使用动态口令或证书", methods.line if methods else None)


# ------------------------------------------------------------------------------- BL-ACC


@baseline("BL-ACC-001")
def MgmtAcl(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Remote management only from management subnets: every vty has an ACL that is not 'any'."""
    vtys = remote_lines(cfg)
    global_acl = cfg.ssh.get("acl")
    bad = False
    if not vtys and not global_acl:
        yield review("no vty lines found", "未发现vty配置")
        return
    for ml in vtys:
        name = ml.acl_in.value or (global_acl.value if global_acl else None)
        where = ml.acl_in.line if ml.acl_in.value else (global_acl.line if global_acl else ml.line)
        if not name:
            bad = True
            yield fail(f"{ml.name}: no inbound ACL", f"{ml.name}：未配置访问控制列表", ml.line, subject=ml.name)
            continue
        acl = find_acl(cfg, name)
        if acl is None:
            bad = True
            yield fail(f"{ml.name}: ACL {name} is not defined (permits everything)",
                       f"{ml.name}：引用的ACL {name} 未定义", where, subject=ml.name)
            continue
        any_line = acl_any_permit(acl)
        if any_line:
            bad = True
            yield fail(f"ACL {name} permits any source", f"ACL {name} 允许任意源地址", any_line, subject=ml.name)
            continue
        if p.mgmt_prefixes:
            outside = acl_outside(acl, list(p.mgmt_prefixes))
            if outside:
                bad = True
                yield fail(f"ACL {name} permits sources outside the management prefixes",
                           f"ACL {name} 允许管理网段以外的源地址", outside[0], subject=ml.name,
                           expected=list(p.mgmt_prefixes))
    if not bad:
        yield ok("management lines are restricted by ACL", "管理通道已由ACL限制",
                 vtys[0].acl_in.line if vtys and vtys[0].acl_in.line else (global_acl.line if global_acl else None))


@baseline("BL-ACC-002")
def SnmpAcl(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Every SNMP community and v3 user/group is limited by an ACL (or a global SNMP ACL)."""
    if not cfg.communities and not cfg.snmp_users and not cfg.snmp_groups:
        yield na("SNMP is not configured", "未配置SNMP")
        return
    global_acl = cfg.snmp.get("acl")
    if global_acl and global_acl.value:
        yield ok(f"SNMP agent ACL {global_acl.value}", f"SNMP已由ACL {global_acl.value} 限制", global_acl.line)
        return
    bad = False
    for c in cfg.communities:
        if not c.acl:
            bad = True
            yield fail(f"community {'<ciphered>' if c.hidden else c.name} has no ACL", "SNMP团体名未绑定ACL",
                       c.line, subject="community")
    v3 = cfg.snmp_groups if cfg.snmp_groups else cfg.snmp_users
    if cfg.platform != "juniper_junos":
        for u in v3:
            if not u.acl and not any(g.acl for g in cfg.snmp_groups):
                bad = True
                yield fail(f"SNMPv3 {u.name} has no ACL", f"SNMPv3 {u.name} 未绑定ACL", u.line, subject=u.name)
    if not bad:
        yield ok("SNMP access is limited by ACLs", "SNMP访问已由ACL限制",
                 (cfg.communities or cfg.snmp_groups or cfg.snmp_users)[0].line)  # type: ignore[operator]


@baseline("BL-ACC-003")
def FewAdmins(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """At most ``max_privileged_users`` accounts with full privilege (level 15 / network-admin / super-user)."""
    admins = [u for u in cfg.users if (u.privilege or 0) >= 15 and u.name != "root"]
    if len(admins) > p.max_privileged_users:
        yield fail(f"{len(admins)} full-privilege accounts (max {p.max_privileged_users}): "
                   + ", ".join(u.name for u in admins),
                   f"最高权限账户 {len(admins)} 个（上限 {p.max_privileged_users}）：" + "、".join(u.name for u in admins),
                   admins[p.max_privileged_users].line, observed=[u.name for u in admins])
    elif cfg.users and len(admins) == len(cfg.users) and len(cfg.users) > 1:
        yield fail("every account has full privilege: no separation of duties",
                   "所有账户均为最高权限，未实现权限分离", admins[0].line, observed=[u.name for u in admins])
    else:
        yield ok(f"{len(admins)} full-privilege account(s)", f"最高权限账户 {len(admins)} 个",
                 admins[0].line if admins else None)


@baseline("BL-ACC-004")
def ApprovedAccounts(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Local accounts match the approved roster (``audit.admin_roster``); no roster = review."""
    names = [u.name for u in cfg.users]
    if not p.admin_roster:
        yield review("no approved roster configured (audit.admin_roster): review accounts "
                     + (", ".join(names) or "(none)"),
                     "未配置授权账户清单：需人工复核账户 " + ("、".join(names) or "（无）"),
                     cfg.users[0].line if cfg.users else None, observed=names)
        return
    extra = [u for u in cfg.users if u.name not in p.admin_roster and u.name != "root"]
    for u in extra:
        yield fail(f"account {u.name} is not on the approved roster", f"账户 {u.name} 不在授权清单中", u.line,
                   subject=u.name)
    if not extra:
        yield ok("all accounts are on the approved roster", "所有账户均在授权清单中",
                 cfg.users[0].line if cfg.users else None)


@baseline("BL-ACC-005", platforms=VRP_LIKE)
def UserServiceTypes(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Local users must not be granted telnet/ftp/http service types."""
    bad = False
    for u in cfg.users:
        insecure = sorted(u.services & {"telnet", "ftp", "http"})
        if insecure:
            bad = True
            yield fail(f"user {u.name} may use {', '.join(insecure)}", f"用户 {u.name} 被授予 {'、'.join(insecure)}",
                       u.line, subject=u.name)
    if not bad:
        yield ok("no local user is granted telnet/ftp/http", "本地用户未授予Telnet/FTP/HTTP",
                 cfg.users[0].line if cfg.users else None)
