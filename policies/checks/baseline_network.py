"""Security-baseline checks: boundary policy, routing authentication, layer 2 and hygiene (BL-*).

Firewall checks apply where the config holds a zone policy (USG ``security-policy``, Comware
``security-policy ip``, IOS zone-based firewall, SRX ``security policies``) or, for the
any-any check, an interface ACL; elsewhere they are NOT_APPLICABLE. Layer-2 checks apply where
there are access/edge ports. BL-HYG-002 spans devices (duplicate addresses fleet-wide) and so
overrides ``evaluate``. BL-HYG-003 reads ``state["config_backup"]`` filled by the audit runner
from the config store; BL-HYG-004 can only show the version (no advisory feed here).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from nms.models import Finding, FindingStatus
from policies.base import Snapshot
from policies.checks.baseline import (
    IOS_LIKE,
    AuditParams,
    Live,
    Result,
    baseline,
    config_of,
    fail,
    na,
    ok,
    review,
    warn,
)
from policies.parsers import ParsedConfig
from policies.parsers.model import FwRule

FW_PLATFORMS = ("huawei_vrp", "hp_comware", "cisco_ios", "juniper_junos")


def _is_any(values: list[str]) -> bool:
    return not values or any(v.strip().lower() in ("any", "any-ipv4", "0.0.0.0/0", "0.0.0.0 0") for v in values)


def _live_rules(cfg: ParsedConfig) -> list[FwRule]:
    return [r for r in cfg.firewall.rules if not r.disabled]


# ------------------------------------------------------------------------------- BL-FW


@baseline("BL-FW-001", platforms=FW_PLATFORMS)
def DefaultDeny(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Boundary default action is deny and no final rule permits everything."""
    fw = cfg.firewall
    if not fw.present:
        yield na("no zone firewall policy in this config", "配置中无安全策略")
        return
    if fw.default_action.value == "permit":
        yield fail("default action permits traffic", "默认动作为允许", fw.default_action.line)
        return
    rules = _live_rules(cfg)
    last = rules[-1] if rules else None
    if last and last.action == "permit" and _is_any(last.sources) and _is_any(last.destinations) \
            and _is_any(last.services):
        yield fail(f"final rule {last.name} permits any to any", f"末条规则 {last.name} 允许全部流量", last.line)
        return
    yield ok("default deny", "默认拒绝", fw.default_action.line)


@baseline("BL-FW-002", platforms=FW_PLATFORMS)
def NoAnyAnyPermit(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """No permit rule with any source, any destination and any service (policy rules and interface ACLs)."""
    applied = {i.acl_in for i in cfg.interfaces.values() if i.acl_in} | \
              {i.acl_out for i in cfg.interfaces.values() if i.acl_out}
    if not cfg.firewall.present and not applied:
        yield na("no firewall policy or interface ACL", "无安全策略或接口ACL")
        return
    bad = False
    for r in _live_rules(cfg):
        if r.action == "permit" and _is_any(r.sources) and _is_any(r.destinations) and _is_any(r.services):
            if cfg.platform == "cisco_ios" and r.services and r.services != ["any"]:
                continue
            bad = True
            yield fail(f"rule {r.name} permits any/any/any", f"规则 {r.name} 源、目的、服务均为any", r.line,
                       subject=r.name)
    for name in sorted(applied):
        acl = cfg.acls.get(name)
        for rule in acl.rules if acl else []:
            if rule.action == "permit" and rule.source == "any" and rule.destination == "any" \
                    and rule.protocol in ("ip", "ipv4", "any") and not rule.ports:
                bad = True
                yield fail(f"interface ACL {name} permits ip any any", f"接口ACL {name} 允许 ip any any", rule.line,
                           subject=name)
    if not bad:
        yield ok("no any-any-any permit rules", "无any到any的放行规则", cfg.firewall.line)


@baseline("BL-FW-003", platforms=FW_PLATFORMS)
def RulesAreSpecific(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Permit rules name source, destination and service."""
    if not cfg.firewall.present:
        yield na("no zone firewall policy", "无安全策略")
        return
    bad = False
    for r in _live_rules(cfg):
        if r.action != "permit":
            continue
        if cfg.platform == "cisco_ios" and r.services != ["any"]:  # ZBF: the class-map carries the match
            continue
        vague = [n for n, v in (("source", r.sources), ("destination", r.destinations), ("service", r.services))
                 if _is_any(v)]
        if vague:
            bad = True
            yield fail(f"rule {r.name}: any {'/'.join(vague)}", f"规则 {r.name}：{'/'.join(vague)} 为any", r.line,
                       subject=r.name)
    if not bad:
        yield ok("permit rules name addresses and services", "放行规则均指定地址与服务", cfg.firewall.line)


def _rule_key(r: FwRule) -> tuple[str, ...]:
    return (",".join(sorted(r.source_zones)), ",".join(sorted(r.destination_zones)), ",".join(sorted(r.sources)),
            ",".join(sorted(r.destinations)), ",".join(sorted(r.services)))


@baseline("BL-FW-004")
def NoRedundantRules(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """No unused ACLs, duplicate ACL entries, or policy rules shadowed by an earlier catch-all."""
    used = {r.name for r in cfg.refs if r.kind == "acl"}
    bad = False
    for name, acl in cfg.acls.items():
        if name not in used:
            bad = True
            yield fail(f"ACL {name} is defined but never used", f"ACL {name} 已定义但未被引用", acl.line, subject=name)
        seen: dict[tuple[str, ...], int] = {}
        for rule in acl.rules:
            key = (rule.action, rule.protocol, rule.source, rule.destination, rule.ports or "")
            if key in seen and rule.text.split()[0:1] != ["remark"]:
                bad = True
                yield fail(f"ACL {name}: rule duplicates line {seen[key]}", f"ACL {name}：规则与第 {seen[key]} 行重复",
                           rule.line, subject=name)
            seen.setdefault(key, rule.line)
    rules = _live_rules(cfg)
    catch_all: dict[tuple[str, str], FwRule] = {}
    seen_rules: dict[tuple[str, ...], FwRule] = {}
    for r in rules:
        zones = (",".join(sorted(r.source_zones)), ",".join(sorted(r.destination_zones)))
        shadow = catch_all.get(zones) or catch_all.get(("any", "any")) or catch_all.get(("", ""))
        if shadow is not None:
            bad = True
            yield fail(f"rule {r.name} is shadowed by {shadow.name}", f"规则 {r.name} 被规则 {shadow.name} 遮蔽", r.line,
                       subject=r.name)
        elif _rule_key(r) in seen_rules:
            bad = True
            yield fail(f"rule {r.name} duplicates {seen_rules[_rule_key(r)].name}",
                       f"规则 {r.name} 与 {seen_rules[_rule_key(r)].name} 重复", r.line, subject=r.name)
        seen_rules.setdefault(_rule_key(r), r)
        if _is_any(r.sources) and _is_any(r.destinations) and _is_any(r.services) and cfg.platform != "cisco_ios":
            catch_all.setdefault(zones, r)
    if not bad:
        if not cfg.acls and not rules:
            yield na("no ACLs or policy rules", "无ACL或安全策略")
        else:
            yield ok("no unused, duplicate or shadowed rules", "无冗余、重复或被遮蔽的规则",
                     next(iter(cfg.acls.values())).line if cfg.acls else cfg.firewall.line)


@baseline("BL-FW-005", platforms=FW_PLATFORMS)
def RulesLogged(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Every boundary policy rule logs its matches."""
    if not cfg.firewall.present:
        yield na("no zone firewall policy", "无安全策略")
        return
    silent = [r for r in _live_rules(cfg) if not r.log]
    for r in silent:
        yield fail(f"rule {r.name} does not log", f"规则 {r.name} 未开启日志", r.line, subject=r.name)
    if not silent:
        yield ok("every policy rule logs", "所有安全策略规则均记录日志", cfg.firewall.line)


@baseline("BL-FW-007")
def UplinkIngressFilter(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Uplinks (description matches ``uplink_keywords``) filter ingress: an inbound ACL or uRPF."""
    words = [w.lower() for w in p.uplink_keywords]
    uplinks = [i for i in cfg.interfaces.values() if not i.shutdown and i.description
               and any(w in i.description.lower() for w in words)]
    if not uplinks:
        yield review("no uplink identified (describe uplinks or set audit.uplink_keywords)",
                     "未识别上联接口（请在接口描述中标明上联）")
        return
    bad = [i for i in uplinks if not i.acl_in and not i.urpf.value]
    for i in bad:
        yield fail(f"uplink {i.name} has no inbound filter or uRPF", f"上联接口 {i.name} 未配置入方向过滤或uRPF",
                   i.line, subject=i.name)
    if not bad:
        yield ok(f"{len(uplinks)} uplinks filter ingress", f"{len(uplinks)} 个上联接口已配置入方向过滤", uplinks[0].line)


@baseline("BL-FW-008", platforms=("huawei_vrp", "hp_comware", "juniper_junos"))
def ThreatProfiles(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Permit rules of the boundary firewall carry IPS/AV profiles."""
    if not cfg.firewall.present:
        yield na("no zone firewall policy", "无安全策略")
        return
    bare = [r for r in _live_rules(cfg) if r.action == "permit" and not r.profiles]
    for r in bare:
        yield fail(f"permit rule {r.name} has no IPS/AV profile", f"放行规则 {r.name} 未引用IPS/AV配置文件", r.line,
                   subject=r.name)
    if not bare:
        yield ok("permit rules carry IPS/AV profiles (check signature updates on the device)",
                 "放行规则均引用IPS/AV（特征库更新需另行确认）", cfg.firewall.line)


# ------------------------------------------------------------------------------- BL-RT


def _auth_verdict(mode: str) -> str:
    m = mode.lower()
    if m in ("none", "simple", "null", "plain"):
        return "fail"
    if "md5" in m:
        return "warn"
    return "pass"


@baseline("BL-RT-001")
def OspfAuth(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """OSPF adjacencies are authenticated with HMAC-SHA (MD5 is a warning, none/simple a failure)."""
    if not cfg.ospf:
        yield na("OSPF is not configured", "未配置OSPF")
        return
    modes = [(f"area {a}", f.value, f.line) for proc in cfg.ospf for a, f in proc.area_auth.items() if f.value]
    modes += [(i.name, i.ospf_auth.value, i.ospf_auth.line) for i in cfg.interfaces.values() if i.ospf_auth.value]
    if not modes:
        yield fail("OSPF runs without authentication", "OSPF未配置认证", cfg.ospf[0].line)
        return
    bad = False
    for where, mode, line in modes:
        verdict = _auth_verdict(mode)
        if verdict == "fail":
            bad = True
            yield fail(f"OSPF {where}: {mode} authentication", f"OSPF {where}：认证方式 {mode}", line, subject=where)
        elif verdict == "warn":
            bad = True
            yield warn(f"OSPF {where}: MD5 authentication (use HMAC-SHA)", f"OSPF {where}：使用MD5认证", line,
                       subject=where)
    if not bad:
        yield ok("OSPF uses HMAC-SHA / key-chain authentication", "OSPF已启用HMAC-SHA认证", modes[0][2])


@baseline("BL-RT-002")
def BgpAuth(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Every BGP peer is authenticated (TCP MD5/AO or keychain)."""
    if not cfg.bgp_peers:
        yield na("BGP is not configured", "未配置BGP")
        return
    bad = [peer for peer in cfg.bgp_peers if not peer.auth.value]
    for peer in bad:
        yield fail(f"BGP peer {peer.address} is not authenticated", f"BGP邻居 {peer.address} 未配置认证", peer.line,
                   subject=peer.address)
    if not bad:
        yield ok(f"{len(cfg.bgp_peers)} BGP peers authenticated", f"{len(cfg.bgp_peers)} 个BGP邻居均已认证",
                 cfg.bgp_peers[0].auth.line)


@baseline("BL-RT-003")
def IgpPassiveDefault(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """OSPF interfaces are passive by default (adjacencies only where intended)."""
    if not cfg.ospf:
        yield na("OSPF is not configured", "未配置OSPF")
        return
    for proc in cfg.ospf:
        if not proc.passive_default.value:
            yield fail(f"OSPF {proc.pid}: interfaces are not passive by default", f"OSPF {proc.pid} 未默认静默接口",
                       proc.line, subject=proc.pid)
            return
    yield ok("OSPF passive by default", "OSPF默认静默接口", cfg.ospf[0].passive_default.line)


# ------------------------------------------------------------------------------- BL-L2


def _access_ports(cfg: ParsedConfig) -> list:  # type: ignore[type-arg]
    return [i for i in cfg.interfaces.values() if not i.shutdown and i.physical and i.mode == "access"]


def _trunks(cfg: ParsedConfig) -> list:  # type: ignore[type-arg]
    return [i for i in cfg.interfaces.values() if not i.shutdown and i.mode == "trunk"]


@baseline("BL-L2-001")
def BpduProtection(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Edge/access ports are BPDU-protected (globally or per port)."""
    ports = _access_ports(cfg)
    if not ports:
        yield na("no access ports", "无接入端口")
        return
    g = cfg.l2.get("bpdu_protection")
    if g and g.value:
        missing_edge = [i for i in ports if cfg.platform != "juniper_junos" and not i.stp_edge.value]
        for i in missing_edge:
            yield fail(f"access port {i.name} is not an edge port (BPDU protection skips it)",
                       f"接入端口 {i.name} 未设为边缘端口", i.line, subject=i.name)
        if not missing_edge:
            yield ok("global BPDU protection and edge ports", "已启用全局BPDU保护", g.line)
        return
    bad = [i for i in ports if not i.bpdu_guard.value]
    for i in bad:
        yield fail(f"access port {i.name} has no BPDU protection", f"接入端口 {i.name} 未启用BPDU保护", i.line,
                   subject=i.name)
    if not bad:
        yield ok("every access port has BPDU guard", "所有接入端口已启用BPDU保护", ports[0].bpdu_guard.line)


@baseline("BL-L2-002")
def DhcpSnooping(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """DHCP snooping is on where users attach, with trusted uplinks only."""
    ports = _access_ports(cfg)
    if not ports:
        yield na("no access ports", "无接入端口")
        return
    g = cfg.l2.get("dhcp_snooping")
    if not (g and g.value):
        yield fail("DHCP snooping is not enabled", "未启用DHCP Snooping", g.line if g else None)
        return
    trusted = [i for i in cfg.interfaces.values() if i.dhcp_trust.value]
    user_trusted = [i for i in trusted if i.mode == "access"]
    if not trusted:
        yield fail("DHCP snooping without a trusted uplink", "未配置DHCP信任端口", g.line)
    elif user_trusted:
        yield fail(f"user port {user_trusted[0].name} is DHCP-trusted", f"用户端口 {user_trusted[0].name} 被设为DHCP信任",
                   user_trusted[0].dhcp_trust.line, subject=user_trusted[0].name)
    else:
        yield ok(f"DHCP snooping on, trusted: {', '.join(i.name for i in trusted)}", "已启用DHCP Snooping", g.line)


@baseline("BL-L2-003")
def ArpInspection(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """ARP inspection or IP source guard protects the access VLANs."""
    if not _access_ports(cfg):
        yield na("no access ports", "无接入端口")
        return
    for key in ("arp_inspection", "ip_source_guard"):
        f = cfg.l2.get(key)
        if f and f.value:
            yield ok(f"{key.replace('_', ' ')} enabled", "已启用ARP检测/IP源防护", f.line)
            return
    yield fail("no ARP inspection or IP source guard", "未启用ARP检测或IP源防护")


@baseline("BL-L2-004")
def PortAccessControl(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """User (access) ports run port security or 802.1X."""
    ports = _access_ports(cfg)
    if not ports:
        yield na("no access ports", "无接入端口")
        return
    bad = [i for i in ports if not i.port_security.value and not i.dot1x.value]
    for i in bad:
        yield fail(f"access port {i.name} has neither port security nor 802.1X",
                   f"接入端口 {i.name} 未启用端口安全或802.1X", i.line, subject=i.name)
    if not bad:
        yield ok(f"{len(ports)} access ports controlled", f"{len(ports)} 个接入端口已启用接入控制", ports[0].line)


@baseline("BL-L2-005")
def TrunkPruning(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Trunks carry an explicit VLAN list; Cisco-like trunks use a native VLAN other than 1."""
    trunks = _trunks(cfg)
    if not trunks:
        yield na("no trunks", "无Trunk端口")
        return
    bad = False
    for i in trunks:
        if i.trunk_all.value or (i.trunk_all.value is None and cfg.platform in IOS_LIKE):
            bad = True
            yield fail(f"trunk {i.name} allows all VLANs", f"Trunk {i.name} 允许所有VLAN通过", i.trunk_all.line or i.line,
                       subject=i.name)
        if cfg.platform in IOS_LIKE and (i.native_vlan.value in (None, 1)):
            bad = True
            yield fail(f"trunk {i.name} uses native VLAN 1", f"Trunk {i.name} 本征VLAN为1", i.native_vlan.line or i.line,
                       subject=i.name)
    if not bad:
        yield ok(f"{len(trunks)} trunks pruned", f"{len(trunks)} 个Trunk已裁剪VLAN", trunks[0].line)


# ------------------------------------------------------------------------------- BL-HYG

_BUILTIN = {
    "zone": {"trust", "untrust", "dmz", "local", "self", "any", "junos-host", "management"},
    "aaa-list": {"default"},
    "vrf": {"mgmt_junos", "Mgmt-intf", "default"},
}


@baseline("BL-HYG-001")
def NoUndefinedReferences(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Every referenced ACL, route-map/policy, policy-map, VRF, key chain or AAA list is defined."""
    bad = False
    seen = set()
    for ref in cfg.refs:
        if ref.name in cfg.defined.get(ref.kind, set()) or ref.name in _BUILTIN.get(ref.kind, set()):
            continue
        if (ref.kind, ref.name) in seen:
            continue
        seen.add((ref.kind, ref.name))
        bad = True
        yield fail(f"{ref.kind} {ref.name} is referenced but not defined", f"{ref.kind} {ref.name} 被引用但未定义",
                   ref.line or None, subject=f"{ref.kind}:{ref.name}")
    if not bad:
        yield ok(f"{len(cfg.refs)} references, all defined", f"{len(cfg.refs)} 处引用均已定义",
                 cfg.refs[0].line if cfg.refs else None)


@baseline("BL-HYG-002")
def DuplicateAddresses(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """No IPv4 address is configured twice, on this device or across the fleet; addresses lie in the plan."""
    fleet = live.get("_fleet_addresses") or {}
    blocks = [ipaddress.ip_network(b, strict=False) for b in live.get("_ip_blocks") or []]
    bad = False
    mine: dict[str, str] = {}
    for intf in cfg.interfaces.values():
        for addr in intf.addresses:
            try:
                ip = str(ipaddress.ip_interface(addr.replace(" ", "/")).ip)
            except ValueError:
                continue
            where = f"{intf.name}"
            if ip in mine:
                bad = True
                yield fail(f"{ip} on both {mine[ip]} and {where}", f"{ip} 同时配置在 {mine[ip]} 和 {where}", intf.line,
                           subject=ip)
            mine.setdefault(ip, where)
            others = [d for d in fleet.get(ip, []) if d != live.get("_device")]
            if others:
                bad = True
                yield fail(f"{ip} ({where}) is also configured on {', '.join(others)}",
                           f"{ip}（{where}）与设备 {'、'.join(others)} 地址冲突", intf.line, subject=ip)
            if blocks and not any(ipaddress.ip_address(ip) in b for b in blocks):
                bad = True
                yield fail(f"{ip} ({where}) is outside the IP plan", f"{ip}（{where}）不在地址规划内", intf.line,
                           subject=ip)
    if not bad:
        if not mine:
            yield na("no interface addresses", "无接口地址")
        else:
            yield ok(f"{len(mine)} addresses, no duplicates", f"{len(mine)} 个地址无冲突")


def _fleet_evaluate(self, snapshot: Snapshot) -> Iterable[Finding]:  # type: ignore[no-untyped-def]
    """Collect every device's addresses first so each device's findings can name its twins."""
    params = AuditParams.from_snapshot(snapshot)
    fleet: dict[str, list[str]] = {}
    for dev in snapshot.devices.values():
        try:
            cfg = config_of(dev, params)
        except Exception:  # noqa: BLE001 - the per-device pass reports the parse error
            continue
        for intf in (cfg.interfaces.values() if cfg else []):
            for addr in intf.addresses:
                try:
                    ip = str(ipaddress.ip_interface(addr.replace(" ", "/")).ip)
                except ValueError:
                    continue
                if dev.name not in fleet.setdefault(ip, []):
                    fleet[ip].append(dev.name)
    blocks = [b.get("prefix") for b in snapshot.ip_blocks if isinstance(b, dict) and b.get("prefix")]
    for dev in snapshot.devices.values():
        dev.state.setdefault("baseline_probes", {})
        probes = dict(dev.state["baseline_probes"])
        probes.update(_fleet_addresses=fleet, _ip_blocks=blocks, _device=dev.name)
        saved = dev.state["baseline_probes"]
        dev.state["baseline_probes"] = probes
        try:
            if self.applies(dev):
                yield from self.evaluate_device(dev, snapshot)
        finally:
            dev.state["baseline_probes"] = saved


DuplicateAddresses.evaluate = _fleet_evaluate  # type: ignore[method-assign]


@baseline("BL-HYG-003")
def ConfigBackedUp(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """The running config is saved and was backed up within ``max_backup_age_days`` (config store)."""
    info = live.get("config_backup")
    if not info:
        yield review("no backup history for this device (nms configs collect)", "无配置备份记录")
        return
    last = info.get("last_collected")
    age_days = None
    if isinstance(last, str):
        try:
            last = datetime.fromisoformat(last)
        except ValueError:
            last = None
    if isinstance(last, datetime):
        now = info.get("now") or datetime.now(last.tzinfo)
        age_days = (now - last).total_seconds() / 86400
    if age_days is None or age_days > p.max_backup_age_days:
        yield fail(f"last backup {age_days:.1f} days ago" if age_days is not None else "no backup date",
                   f"最近备份为 {age_days:.1f} 天前" if age_days is not None else "无备份时间",
                   observed=age_days, expected=p.max_backup_age_days)
    elif info.get("startup_equals_running") is False:
        yield fail("running config differs from the saved (startup) config", "运行配置与已保存配置不一致")
    else:
        yield ok(f"backed up {age_days:.1f} days ago", f"{age_days:.1f} 天前已备份", observed=age_days)


def version_key(text: str) -> tuple[int, ...]:
    """Numbers of a version string for ordering (``V200R019C10SPC500`` -> (200, 19, 10, 500))."""
    return tuple(int(n) for n in re.findall(r"\d+", text))


@baseline("BL-HYG-004")
def SoftwareCurrent(cfg: ParsedConfig, p: AuditParams, live: Live) -> Iterator[Result]:
    """Software is at least ``audit.min_software_versions[platform]`` (a floor security staff set
    from vendor advisories); without a floor, show the version for a manual comparison."""
    version = cfg.version or live.get("software_version")
    floor = p.min_software_versions.get(cfg.platform)
    if floor and version:
        if version_key(version) < version_key(floor):
            yield fail(f"software {version} is older than the approved floor {floor}",
                       f"软件版本 {version} 低于要求的 {floor}", None, observed=version, expected=floor)
        else:
            yield ok(f"software {version} is at or above {floor}", f"软件版本 {version} 不低于 {floor}", None,
                     observed=version, expected=floor)
        return
    yield review(f"software version {version or 'unknown'}: compare with vendor advisories",
                 f"软件版本 {version or '未知'}：需对照厂商安全公告人工确认", None, observed=version)


__all__ = ["FindingStatus"]
