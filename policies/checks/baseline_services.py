"""Security-baseline checks: SNMP, logging, NTP, services, banner and management plane (BL-*).

See ``policies.checks.baseline`` for the framework (``@baseline``, ``Result``, live probes) and
``policies/packs/baseline.yaml`` for titles, MLPS clauses and remediation. Vendor defaults come
from the parsers' ``defaults.yaml`` (e.g. Huawei/H3C log login events to the loghost by default,
Cisco keeps CDP, bootp and pad on until told otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator

from policies.checks.baseline import (
    IOS_LIKE,
    VRP_LIKE,
    AuditParams,
    Live,
    Result,
    baseline,
    fail,
    na,
    ok,
    review,
    svc,
    warn,
)
from policies.parsers import ParsedConfig

# ------------------------------------------------------------------------------- BL-SNMP


def _snmp_on(cfg: ParsedConfig) -> bool:
    enabled = cfg.snmp.get("enabled")
    if enabled is not None and enabled.value is False:
        return False
    return bool(cfg.communities or cfg.snmp_users or cfg.snmp_groups or cfg.trap_hosts)


@baseline("BL-SNMP-001")
def NoDefaultCommunity(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """No SNMP community 'public'/'private' or from the weak list; ciphered ones need the live probe."""
    weak = {w.lower() for w in p.weak_passwords} | {c.lower() for c in p.probe_communities}
    bad, hidden = False, []
    for c in cfg.communities:
        if c.hidden:
            hidden.append(c)
        elif c.name.lower() in weak:
            bad = True
            yield fail(f"default/guessable community '{c.name}'", f"使用默认或易猜测的团体名 {c.name}", c.line,
                       subject=c.name)
    probe = live.get("snmp_default_community")
    if probe:
        bad = True
        yield fail(f"the device answers SNMP with community '{probe}' (live probe)",
                   f"设备以团体名 {probe} 响应SNMP（实时探测）", None, subject="probe", observed=probe)
    if bad:
        return
    if hidden and probe is None:
        yield review(f"{len(hidden)} ciphered communities: run the live probe to rule out public/private",
                     f"{len(hidden)} 个团体名为密文，需实时探测确认不是public/private", hidden[0].line)
    elif not cfg.communities:
        yield ok("no SNMP v1/v2c communities", "未配置SNMP v1/v2c团体名",
                 None if probe is None else None)
    else:
        yield ok("no default or guessable communities", "无默认或易猜测团体名", cfg.communities[0].line)


@baseline("BL-SNMP-002")
def NoWriteCommunity(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """No read-write SNMP communities."""
    rw = [c for c in cfg.communities if c.write]
    for c in rw:
        yield fail(f"write community {'<ciphered>' if c.hidden else c.name}", "存在SNMP写团体名", c.line,
                   subject="community")
    if not rw:
        yield ok("no write communities", "无SNMP写团体名", cfg.communities[0].line if cfg.communities else None)


_WEAK_PRIV = ("des", "3des")


@baseline("BL-SNMP-003")
def SnmpV3AuthPriv(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """SNMP is v3 with authentication and privacy (AES); v1/v2c are off."""
    if not _snmp_on(cfg):
        yield na("SNMP is not configured", "未配置SNMP")
        return
    bad = False
    versions = cfg.snmp.get("versions")
    if cfg.communities:
        bad = True
        yield fail(f"SNMP v1/v2c communities configured ({len(cfg.communities)})",
                   f"配置了SNMP v1/v2c团体名（{len(cfg.communities)} 个）", cfg.communities[0].line)
    elif versions and versions.value and versions.value & {"v1", "v2c"}:
        bad = True
        yield fail(f"SNMP versions {' '.join(sorted(versions.value))} enabled", "启用了SNMP v1/v2c", versions.line)
    for g in cfg.snmp_groups:
        if g.level and g.level not in ("priv", "privacy"):
            bad = True
            yield fail(f"SNMPv3 group {g.name} is {g.level}, not authPriv", f"SNMPv3组 {g.name} 未启用加密",
                       g.line, subject=g.name)
    for u in cfg.snmp_users:
        if not u.priv or not u.auth:
            if cfg.platform == "cisco_ios" and not u.priv and any(g.level == "priv" for g in cfg.snmp_groups):
                continue
            bad = True
            yield fail(f"SNMPv3 user {u.name} lacks authentication or privacy", f"SNMPv3用户 {u.name} 未认证加密",
                       u.line, subject=u.name)
        elif u.priv.lower() in _WEAK_PRIV or u.auth.lower() == "md5":
            bad = True
            yield warn(f"SNMPv3 user {u.name} uses {u.auth}/{u.priv} (use SHA-2 and AES)",
                       f"SNMPv3用户 {u.name} 使用弱算法 {u.auth}/{u.priv}", u.line, subject=u.name)
    if not cfg.snmp_users and not cfg.snmp_groups and not bad:
        bad = True
        yield fail("no SNMPv3 users", "未配置SNMPv3用户")
    if not bad:
        first = (cfg.snmp_users or cfg.snmp_groups)[0].line
        yield ok("SNMPv3 authPriv only", "仅使用SNMPv3认证加密", first)


@baseline("BL-SNMP-004")
def SnmpTraps(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """SNMP traps are sent to the NMS."""
    if not _snmp_on(cfg):
        yield na("SNMP is not configured", "未配置SNMP")
    elif cfg.trap_hosts:
        yield ok(f"traps to {', '.join(h.address for h in cfg.trap_hosts)}", "已配置告警上报", cfg.trap_hosts[0].line)
    else:
        yield fail("no trap receiver configured", "未配置SNMP告警接收主机")


# ------------------------------------------------------------------------------- BL-LOG


@baseline("BL-LOG-001")
def SyslogServers(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Logging is on and sent to at least ``min_log_servers`` servers (all of ``log_servers``)."""
    enabled = cfg.logging.get("enabled")
    if enabled is not None and enabled.value is False:
        yield fail("logging is disabled", "日志功能被关闭", enabled.line)
        return
    hosts = [h.address for h in cfg.log_hosts]
    missing = [s for s in p.log_servers if s not in hosts]
    if len(hosts) < max(1, p.min_log_servers):
        yield fail(f"{len(hosts)} syslog server(s) configured (need {max(1, p.min_log_servers)})",
                   f"配置了 {len(hosts)} 台日志服务器（应≥{max(1, p.min_log_servers)}）",
                   cfg.log_hosts[0].line if cfg.log_hosts else None, observed=hosts)
    elif missing:
        yield fail(f"expected syslog servers missing: {', '.join(missing)}", f"缺少规定的日志服务器：{'、'.join(missing)}",
                   cfg.log_hosts[0].line, observed=hosts, expected=list(p.log_servers))
    else:
        yield ok(f"logging to {', '.join(hosts)}", f"日志发送至 {'、'.join(hosts)}", cfg.log_hosts[0].line,
                 observed=hosts)


@baseline("BL-LOG-002")
def LogTimestamps(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Log timestamps carry the date and time (not uptime)."""
    ts = cfg.logging.get("timestamps")
    value = (ts.value or "") if ts else ""
    if cfg.platform in VRP_LIKE:
        if ts is None or ts.value is None:
            if ts is not None and ts.line:
                yield fail("timestamps removed", "日志时间戳被取消", ts.line)
            else:
                yield ok("date timestamps (vendor default)", "日志时间戳包含日期（默认）", None, default=True)
        elif value in ("boot", "none"):
            yield fail(f"log timestamps are '{value}'", f"日志时间戳为 {value}", ts.line)
        else:
            yield ok(f"log timestamps '{value}'", f"日志时间戳为 {value}", ts.line)
        return
    if cfg.platform == "juniper_junos":
        if ts and "year" in value:
            yield ok("syslog time-format includes the year", "日志时间格式包含年份", ts.line)
        else:
            yield fail("syslog time-format lacks the year", "日志时间格式不含年份", ts.line if ts else None)
        return
    if ts and value.startswith("datetime"):
        yield ok(f"service timestamps log {value}", "日志时间戳为日期时间", ts.line)
    else:
        yield fail("log timestamps are uptime or unset", "日志时间戳为运行时长或未配置", ts.line if ts else None)


@baseline("BL-LOG-003")
def LoginEventsLogged(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Login success and failure events reach the log."""
    lg = cfg.logging
    if cfg.platform in VRP_LIKE:
        events = lg.get("login_events")
        if not cfg.log_hosts:
            yield fail("no loghost: login events stay on the device", "未配置日志主机，登录事件未外送")
        elif events and events.value:
            yield ok("login events go to the loghost (vendor default)", "登录事件默认发送至日志主机",
                     cfg.log_hosts[0].line, default=events.default)
        else:
            yield fail("login events are not logged", "未记录登录事件")
        return
    if cfg.platform == "juniper_junos":
        events = lg.get("login_events")
        if events and events.value:
            yield ok("authorization facility is logged", "已记录认证授权日志", events.line)
        else:
            yield fail("no syslog of the authorization facility", "未记录authorization日志")
        return
    failure, success = lg.get("login_failure"), lg.get("login_success")
    if failure and failure.value and success and success.value:
        yield ok("login on-failure/on-success log", "已记录登录成功与失败", failure.line)
    else:
        missing = [n for n, f in (("on-failure", failure), ("on-success", success)) if not (f and f.value)]
        yield fail(f"login {' and '.join(missing)} not logged", f"未记录登录{'与'.join(missing)}事件",
                   (failure or success).line if (failure or success) else None)


@baseline("BL-LOG-004")
def CommandAccounting(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Commands and config changes are accounted (AAA command accounting or config-change logging)."""
    acct = cfg.aaa.get("accounting_commands")
    if acct and acct.value:
        yield ok("command accounting configured", "已配置命令审计", acct.line)
        return
    change = cfg.logging.get("config_change")
    if change and change.value:
        yield ok("configuration changes are logged (archive log config)", "已记录配置变更", change.line)
        return
    cmdlog = cfg.logging.get("command_log")
    if cmdlog and cmdlog.value:
        yield ok("interactive commands are logged", "已记录交互命令", cmdlog.line)
        return
    per_line = [m for m in cfg.mgmt_lines if m.command_accounting.value]
    vtys = [m for m in cfg.mgmt_lines if m.kind == "vty"]
    if per_line and all(m.command_accounting.value for m in vtys):
        yield ok("command accounting on every vty", "所有vty已配置命令审计", per_line[0].command_accounting.line)
        return
    yield fail("commands and configuration changes are not accounted", "未配置命令及配置变更审计")


_INFO_LEVELS = {"informational", "info", "debugging", "debug", "any", "6", "7", "notice"}


@baseline("BL-LOG-005")
def LogLevelAndSource(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Logs at informational (or more) leave from the management/loopback interface."""
    if not cfg.log_hosts:
        yield fail("no loghost configured", "未配置日志主机")
        return
    level = cfg.logging.get("trap_level")
    source = cfg.logging.get("source")
    bad = False
    if cfg.platform in IOS_LIKE and (level is None or (level.value or "").lower() not in _INFO_LEVELS):
        bad = True
        yield fail(f"logging trap level is {level.value if level else 'default (warnings on older IOS)'}",
                   f"日志级别为 {level.value if level else '默认'}", level.line if level else None)
    elif level is not None and level.value and level.value.lower() not in _INFO_LEVELS:
        bad = True
        yield fail(f"log level {level.value} is below informational", f"日志级别 {level.value} 低于informational",
                   level.line)
    if source is None or not source.value:
        bad = True
        yield fail("no log source interface/address", "未配置日志源接口", cfg.log_hosts[0].line)
    if not bad:
        yield ok(f"log level {level.value if level else 'informational'} from {source.value}",  # type: ignore[union-attr]
                 "日志级别与源接口符合要求", source.line)  # type: ignore[union-attr]


# ------------------------------------------------------------------------------- BL-NTP


@baseline("BL-NTP-001")
def NtpServers(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """NTP is on with at least ``min_ntp_servers`` sources (all of ``ntp_servers``)."""
    enabled = cfg.ntp.get("enabled")
    servers = [s.address for s in cfg.ntp_servers]
    first = cfg.ntp_servers[0].line if cfg.ntp_servers else None
    if cfg.platform == "hp_comware" and servers and not (enabled and enabled.value):
        yield fail("ntp-service is not enabled (Comware 7 default off)", "未启用ntp-service（Comware 7默认关闭）",
                   enabled.line if enabled else first)
        return
    if enabled is not None and enabled.value is False:
        yield fail("NTP is disabled", "NTP被关闭", enabled.line)
        return
    missing = [s for s in p.ntp_servers if s not in servers]
    if len(servers) < p.min_ntp_servers:
        yield fail(f"{len(servers)} NTP server(s) (need {p.min_ntp_servers})",
                   f"配置了 {len(servers)} 个NTP服务器（应≥{p.min_ntp_servers}）", first, observed=servers)
    elif missing:
        yield fail(f"expected NTP servers missing: {', '.join(missing)}", f"缺少规定的NTP服务器：{'、'.join(missing)}",
                   first, observed=servers, expected=list(p.ntp_servers))
    else:
        yield ok(f"NTP servers {', '.join(servers)}", f"NTP服务器：{'、'.join(servers)}", first, observed=servers)


@baseline("BL-NTP-002")
def NtpAuth(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """NTP is authenticated: authentication on, trusted keys, every server bound to a key."""
    if not cfg.ntp_servers:
        yield fail("no NTP servers (nothing to authenticate)", "未配置NTP服务器")
        return
    auth = cfg.ntp.get("authenticate")
    keys = cfg.ntp.get("keys")
    trusted = cfg.ntp.get("trusted")
    if not (auth and auth.value):
        yield fail("NTP authentication is not enabled", "未启用NTP认证", auth.line if auth else cfg.ntp_servers[0].line)
        return
    if not keys or not keys.value:
        yield fail("no NTP authentication keys", "未配置NTP认证密钥", auth.line)
        return
    if cfg.platform != "juniper_junos" and (not trusted or not trusted.value):
        yield fail("no trusted NTP key", "未配置可信NTP密钥", keys.line)
        return
    unkeyed = [s for s in cfg.ntp_servers if not s.key]
    if unkeyed:
        yield fail(f"NTP server {unkeyed[0].address} has no key", f"NTP服务器 {unkeyed[0].address} 未绑定密钥",
                   unkeyed[0].line, subject=unkeyed[0].address)
        return
    if any("md5" in (algo or "").lower() for algo in keys.value.values()):
        yield warn("NTP keys use MD5 (use HMAC-SHA256)", "NTP密钥使用MD5（应使用HMAC-SHA256）", keys.line)
        return
    yield ok("NTP authenticated with trusted keys", "NTP已启用认证", auth.line)


# ------------------------------------------------------------------------------- BL-SVC


def _service_off(cfg: ParsedConfig, names: list[str], label_en: str, label_zh: str) -> Iterator[Result]:
    bad = False
    unknown = []
    for name in names:
        on, line, dflt = svc(cfg, name)
        if on:
            bad = True
            yield fail(f"{name} server enabled" + (" (vendor default)" if dflt else ""),
                       f"{name} 服务已开启" + ("（厂商默认）" if dflt else ""), line, subject=name, default=dflt)
        elif on is None:
            unknown.append(name)
    if not bad:
        if unknown and len(unknown) == len(names):
            yield ok(f"{label_en}: not enabled in the configuration", f"{label_zh}：配置中未开启")
        else:
            lines = [svc(cfg, n)[1] for n in names if svc(cfg, n)[1]]
            yield ok(f"{label_en}: off", f"{label_zh}：已关闭", lines[0] if lines else None,
                     default=not lines)


@baseline("BL-SVC-001")
def HttpOff(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Plain-HTTP management is off (HTTPS allowed)."""
    yield from _service_off(cfg, ["http"], "HTTP management", "HTTP管理")


@baseline("BL-SVC-002")
def FtpTftpOff(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """FTP and TFTP servers are off."""
    yield from _service_off(cfg, ["ftp", "tftp"], "FTP/TFTP servers", "FTP/TFTP服务")


@baseline("BL-SVC-003", platforms=("cisco_ios", "ruijie_os", "juniper_junos"))
def LegacyServicesOff(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """pad, finger, small servers, bootp, identd, rcmd and 'service config' are off."""
    names = ["pad", "finger", "small_servers", "bootp", "identd", "rcmd", "service_config"]
    if cfg.platform == "juniper_junos":
        names = ["finger", "rcmd"]
    yield from _service_off(cfg, names, "legacy services", "传统服务")


def _edge_ports(cfg: ParsedConfig) -> list:  # type: ignore[type-arg]
    return [i for i in cfg.interfaces.values()
            if not i.shutdown and i.physical and (i.mode == "access" or i.stp_edge.value)]


@baseline("BL-SVC-004")
def DiscoveryOffOnEdge(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """LLDP/CDP do not run on edge (user) ports."""
    edges = _edge_ports(cfg)
    if not edges:
        yield na("no edge/access ports", "无边缘/接入端口")
        return
    cdp_global, cdp_line, _ = svc(cfg, "cdp")
    lldp_global, lldp_line, _ = svc(cfg, "lldp")
    bad = []
    for i in edges:
        cdp = i.cdp.value if i.cdp.value is not None else cdp_global
        lldp = i.lldp.value if i.lldp.value is not None else lldp_global
        if cdp or lldp:
            bad.append((i, "CDP" if cdp else "LLDP"))
    for i, proto in bad:
        yield fail(f"{proto} runs on edge port {i.name}", f"边缘端口 {i.name} 运行{proto}", i.line, subject=i.name)
    if not bad:
        yield ok(f"discovery protocols off on {len(edges)} edge ports", f"{len(edges)} 个边缘端口已关闭LLDP/CDP",
                 cdp_line or lldp_line or edges[0].line)


@baseline("BL-SVC-005", platforms=("cisco_ios", "ruijie_os"))  # Junos drops source-routed packets
def SourceRouteOff(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """IP source routing is off."""
    yield from _service_off(cfg, ["source_route"], "IP source routing", "IP源路由")


def _l3(cfg: ParsedConfig) -> list:  # type: ignore[type-arg]
    return [i for i in cfg.interfaces.values() if i.addresses and not i.shutdown
            and not i.name.lower().startswith(("loop", "lo0", "null"))]


@baseline("BL-SVC-006")
def RedirectsOff(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """ICMP redirects are not sent."""
    if cfg.platform in VRP_LIKE:
        on, line, dflt = svc(cfg, "ip_redirects")
        if on:
            yield fail("ICMP redirects are sent" + (" (vendor default)" if dflt else ""),
                       "发送ICMP重定向" + ("（厂商默认）" if dflt else ""), line, default=dflt)
        else:
            yield ok("ICMP redirects off" + (" (vendor default)" if not line else ""), "已关闭ICMP重定向", line,
                     default=not line)
        return
    ifs = _l3(cfg)
    if not ifs:
        yield na("no routed interfaces", "无三层接口")
        return
    bad = [i for i in ifs if i.redirects.value is None or i.redirects.value]
    for i in bad:
        yield fail(f"{i.name} sends ICMP redirects" + (" (default)" if i.redirects.value is None or
                                                      i.redirects.default else ""),
                   f"{i.name} 发送ICMP重定向", i.redirects.line or i.line, subject=i.name)
    if not bad:
        yield ok(f"redirects off on {len(ifs)} routed interfaces", f"{len(ifs)} 个三层接口已关闭ICMP重定向",
                 ifs[0].redirects.line)


@baseline("BL-SVC-007")
def ProxyArpOff(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Proxy-ARP is off on routed interfaces (Cisco: on by default)."""
    ifs = _l3(cfg)
    if not ifs:
        yield na("no routed interfaces", "无三层接口")
        return
    default_on = cfg.platform in IOS_LIKE
    bad = [i for i in ifs if i.proxy_arp.value or (i.proxy_arp.value is None and default_on)]
    for i in bad:
        yield fail(f"proxy-ARP on {i.name}" + (" (default)" if i.proxy_arp.value is None else ""),
                   f"{i.name} 启用代理ARP", i.proxy_arp.line or i.line, subject=i.name)
    if not bad:
        yield ok(f"proxy-ARP off on {len(ifs)} routed interfaces", f"{len(ifs)} 个三层接口未启用代理ARP",
                 ifs[0].proxy_arp.line, default=not default_on)


@baseline("BL-SVC-008")
def UnusedPortsDown(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Ports with no configuration at all (no description, address, VLAN or mode) are shut down.

    Config text cannot see traffic; with SNMP state (``live['oper_down']``, a list of names) ports
    that are down but administratively up fail too.
    """
    oper_down = set(live.get("oper_down") or [])
    bad = []
    physical = [i for i in cfg.interfaces.values() if i.physical]
    for i in physical:
        if i.shutdown:
            continue
        empty = len(i.lines) <= 1 and not i.description and not i.addresses and i.mode is None
        if empty or i.name in oper_down:
            bad.append(i)
    for i in bad:
        yield fail(f"{i.name} looks unused but is not shut down", f"{i.name} 未使用但未关闭", i.line, subject=i.name)
    if not bad:
        if not physical:
            yield na("no physical ports in the configuration", "配置中无物理端口")
        else:
            yield ok(f"{len(physical)} ports are configured or shut down", f"{len(physical)} 个端口均已配置或关闭",
                     physical[0].line)


# ------------------------------------------------------------------------------- BL-BAN, BL-MPP


@baseline("BL-BAN-001")
def LoginBanner(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """A legal login banner is shown (containing one of ``banner_keywords`` when set)."""
    text = cfg.banner.value or ""
    if not text.strip():
        yield fail("no login banner", "未配置登录警示横幅", cfg.banner.line)
    elif p.banner_keywords and not any(k.lower() in text.lower() for k in p.banner_keywords):
        yield fail("the banner lacks the required wording", "警示横幅未包含规定内容", cfg.banner.line,
                   expected=list(p.banner_keywords))
    else:
        yield ok("login banner present", "已配置登录警示横幅", cfg.banner.line)


@baseline("BL-MPP-001")
def ControlPlaneProtection(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """A control-plane policy (CoPP / cpu-defend / lo0 filter) is applied."""
    if cfg.control_plane.value:
        yield ok(f"control-plane policy {cfg.control_plane.value}", f"已应用控制平面策略 {cfg.control_plane.value}",
                 cfg.control_plane.line)
    else:
        yield fail("no control-plane protection applied", "未应用控制平面保护策略", cfg.control_plane.line)


@baseline("BL-MPP-002")
def MgmtPlaneIsolated(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Management is bound to a management VRF or source interface."""
    mp = cfg.mgmt_plane
    for key in ("mgmt_vrf", "ssh_source", "lo0_filter"):
        f = mp.get(key)
        if f is not None and f.value:
            yield ok(f"management plane bound ({key} {f.value})", f"管理平面已隔离（{key} {f.value}）", f.line)
            return
    if cfg.platform == "hp_comware" and cfg.ssh.get("acl") and cfg.ssh["acl"].value:
        yield ok(f"SSH restricted by ssh server acl {cfg.ssh['acl'].value}", "SSH已由ACL限制", cfg.ssh["acl"].line)
        return
    yield fail("no management VRF or SSH source interface", "未配置管理VRF或SSH源接口")

