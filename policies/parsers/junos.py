"""Juniper Junos configurations (``set`` commands or the hierarchical ``{}`` form) into the model.

Hierarchical text is first flattened into ``set`` statements, each keeping the line number of
its leaf, so both forms go through one interpreter. ``delete``/``deactivate`` statements remove
every earlier statement under their path (``inactive:`` sections are skipped the same way), then
the surviving statements are read in order, the last one winning.

Junos defaults (``defaults.yaml``): no service runs unless listed under ``system services``; no
idle timeout unless a login class sets one; the predefined classes (super-user, operator,
read-only, unauthorized) have none.
"""

from __future__ import annotations

import shlex

from policies.parsers.model import (
    AclRule,
    BgpPeer,
    Community,
    FwRule,
    MgmtLine,
    OspfProcess,
    ParsedConfig,
    Server,
    SnmpUser,
    User,
    fact,
)


def _strip_comment(text: str) -> str:
    if "#" not in text and "/*" not in text:
        return text
    out, quote = [], False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quote = not quote
        elif not quote and ch == "#":
            break
        elif not quote and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                break
            i = end + 2
            continue
        out.append(ch)
        i += 1
    return "".join(out).strip()


def flatten(lines: list[str]) -> list[tuple[list[str], int, bool]]:
    """(words, line, is_delete) statements of a Junos config in either form."""
    out: list[tuple[list[str], int, bool]] = []
    path: list[list[str]] = []
    inactive_depth: int | None = None
    for no, raw in enumerate(lines, 1):
        text = raw.strip()
        if not text or text.startswith(("#", "/*", "version ")) and not text.startswith("version {"):
            if text.startswith("version ") and not path:
                out.append((["version", text[8:].rstrip(";").strip()], no, False))
            continue
        if text.startswith(("set ", "delete ", "deactivate ", "activate ")):
            verb, _, rest = text.partition(" ")
            words = _split(_strip_comment(rest))
            if verb == "activate":
                continue
            out.append((words, no, verb in ("delete", "deactivate")))
            continue
        text = _strip_comment(text)
        if not text:
            continue
        if text == "}":
            if path:
                path.pop()
            if inactive_depth is not None and len(path) < inactive_depth:
                inactive_depth = None
            continue
        inactive = text.startswith("inactive:")
        if inactive:
            text = text[len("inactive:"):].strip()
        if text.endswith("{"):
            path.append(_split(text[:-1].strip()))
            if inactive and inactive_depth is None:
                inactive_depth = len(path)
            continue
        if inactive_depth is not None or inactive:
            continue
        if text.endswith(";"):
            text = text[:-1].rstrip()
        words = [w for part in path for w in part] + _split(text)
        out.append((words, no, False))
    return out


def _split(text: str) -> list[str]:
    if '"' not in text:
        return text.replace("[", " [ ").replace("]", " ] ").split()
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _hash_kind(value: str) -> str:
    if value.startswith(("$6$", "$5$", "$sha2")):
        return "irreversible"
    if value.startswith("$1$"):
        return "weak-hash"
    if value.startswith("$9$"):
        return "reversible"
    return "unknown"


class JunosParser:
    """Interpret flattened Junos statements into a ``ParsedConfig``."""

    def __init__(self, cfg: ParsedConfig) -> None:
        self.cfg = cfg
        self.classes: dict[str, MgmtLine] = {}
        self.user_class: dict[str, tuple[str, int]] = {}
        self.bgp_groups: dict[str, list[BgpPeer]] = {}
        self.bgp_group_auth: dict[str, int] = {}
        self.fw_rules: dict[tuple[str, str, str], FwRule] = {}
        self.trusted_groups: set[str] = set()
        self.group_ifs: dict[str, list[tuple[str, int]]] = {}

    def parse(self) -> None:
        """Fill ``self.cfg``."""
        statements = flatten(self.cfg.lines)
        live: list[tuple[list[str], int]] = []
        for words, line, is_delete in statements:
            if is_delete:
                n = len(words)
                live = [(w, ln) for w, ln in live if w[:n] != words]
            else:
                live.append((words, line))
        for words, line in live:
            if not words:
                continue
            handler = getattr(self, "_" + words[0].replace("-", "_"), None)
            try:
                known = handler is not None and handler(words[1:], line) is not False
            except (IndexError, ValueError, KeyError, TypeError, AttributeError) as exc:
                self.cfg.warnings.append(f"line {line}: not understood ({type(exc).__name__})")
                known = False
            if not known:
                self.cfg.unknown.append(line)
        self._finish()

    # ---------------------------------------------------------------- top-level words
    def _version(self, w: list[str], line: int) -> None:
        self.cfg.version = " ".join(w)

    def _system(self, w: list[str], line: int) -> bool:
        cfg = self.cfg
        if not w:
            return False
        k = w[0]
        if k == "host-name" and len(w) > 1:
            cfg.hostname = fact(w[1], line)
        elif k == "services":
            return self._services(w[1:], line)
        elif k == "login":
            return self._login(w[1:], line)
        elif k == "root-authentication":
            if "encrypted-password" in w:
                u = self._user("root", line)
                u.secret, u.privilege = _hash_kind(w[-1]), 15
        elif k in ("tacplus-server", "radius-server") and len(w) > 1:
            if not any(s.address == w[1] for s in cfg.aaa_servers):
                cfg.aaa_servers.append(Server(w[1], line, kind=k.split("-")[0]))
        elif k == "authentication-order":
            cfg.aaa["login_methods"] = fact([x for x in w[1:] if x not in "[]"], line)
        elif k == "accounting":
            if "interactive-commands" in w or "command" in w:
                cfg.aaa["accounting_commands"] = fact(True, line)
        elif k == "syslog":
            return self._syslog(w[1:], line)
        elif k == "ntp":
            return self._ntp(w[1:], line)
        elif k == "management-instance":
            cfg.mgmt_plane["mgmt_vrf"] = fact("mgmt_junos", line)
        elif k in ("domain-name", "name-server", "time-zone", "archival", "ports", "commit", "processes",
                   "max-configurations-on-flash", "host-name", "backup-router", "static-host-mapping",
                   "domain-search", "location", "internet-options", "scripts", "license"):
            if k == "internet-options" and "source-route" in w:
                cfg.services["source_route"] = fact(True, line)
            if k == "ports" and "console" in w and "insecure" in w:
                console = MgmtLine("console", "console", line)
                console.auth = fact("none", line)
                cfg.mgmt_lines.append(console)
        else:
            return False
        return True

    def _services(self, w: list[str], line: int) -> bool:
        svc = self.cfg.services
        if not w:
            return False
        k = w[0]
        names = {"telnet": "telnet", "ftp": "ftp", "finger": "finger", "rlogin": "rcmd", "rsh": "rcmd",
                 "tftp-server": "tftp", "xnm-clear-text": "xnm_clear"}
        if k in names:
            svc[names[k]] = fact(True, line)
        elif k == "ssh":
            svc["ssh"] = fact(True, line)
            rest = w[1:]
            if rest[:1] == ["protocol-version"]:
                svc["ssh1_compat"] = fact("v1" in rest, line)
                self.cfg.ssh["version"] = fact(" ".join(rest[1:]), line)
            elif rest[:1] == ["root-login"]:
                self.cfg.ssh["root_login"] = fact(rest[-1], line)
            elif rest[:1] == ["ciphers"]:
                self.cfg.ssh.setdefault("ciphers", fact([], line)).value.extend(x for x in rest[1:] if x not in "[]")
            elif rest[:1] == ["macs"]:
                self.cfg.ssh.setdefault("macs", fact([], line)).value.extend(x for x in rest[1:] if x not in "[]")
            elif rest[:1] == ["max-sessions-per-connection"] or rest[:1] == ["connection-limit"]:
                pass
        elif k == "web-management" and len(w) > 1:
            if w[1] == "http":
                svc["http"] = fact(True, line)
            elif w[1] == "https":
                svc["https"] = fact(True, line)
        return k in ("netconf", "dhcp-local-server", "extension-service", "outbound-ssh", "rest")
        return True

    def _user(self, name: str, line: int) -> User:
        for u in self.cfg.users:
            if u.name == name:
                return u
        u = User(name, line)
        self.cfg.users.append(u)
        return u

    def _line(self, name: str, line: int) -> MgmtLine:
        ml = self.classes.get(name)
        if ml is None:
            ml = self.classes[name] = MgmtLine("class", name, line)
        return ml

    def _login(self, w: list[str], line: int) -> bool:
        cfg = self.cfg
        if not w:
            return False
        k = w[0]
        if k == "user" and len(w) > 1:
            u = self._user(w[1], line)
            rest = w[2:]
            if rest[:1] == ["class"] and len(rest) > 1:
                self.user_class[w[1]] = (rest[1], line)
                u.roles = [rest[1]]
                u.privilege = 15 if rest[1] == "super-user" else 1
            elif "encrypted-password" in rest:
                u.secret = _hash_kind(rest[-1])
                u.line = line
            elif "plain-text-password-value" in rest:
                u.secret, u.password = "plain", rest[-1]
        elif k == "class" and len(w) > 2:
            ml = self._line(w[1], line)
            if w[2] == "idle-timeout" and len(w) > 3:
                ml.idle_timeout_s = fact(int(w[3]) * 60 if w[3].isdigit() else None, line)
            elif w[2] == "permissions":
                ml.privilege = fact(15 if "all" in w else 1, line)
        elif k == "retry-options":
            lo = cfg.lockout
            lo["enabled"] = fact(True, line)
            if "tries-before-disconnect" in w:
                lo["attempts"] = fact(int(w[-1]), line)
            if "lockout-period" in w:
                lo["lock_minutes"] = fact(int(w[-1]), line)
        elif k == "password":
            pp = cfg.password_policy
            if "minimum-length" in w:
                pp["min_length"] = fact(int(w[-1]), line)
            elif "minimum-changes" in w or "minimum-character-changes" in w:
                n = int(w[-1])
                pp["complexity_classes"] = fact(n, line)
                pp["complexity"] = fact(n >= 3, line)
            elif "maximum-lifetime" in w:
                pp["aging_days"] = fact(int(w[-1]), line)
        elif k in ("message", "announcement") and len(w) > 1:
            cfg.banner = fact(" ".join(w[1:]).replace("\\n", "\n"), line)
        else:
            return False
        return True

    def _syslog(self, w: list[str], line: int) -> bool:
        lg = self.cfg.logging
        if not w:
            return False
        if w[0] == "host" and len(w) > 1:
            if not any(h.address == w[1] for h in self.cfg.log_hosts):
                self.cfg.log_hosts.append(Server(w[1], line))
            if "authorization" in w:
                lg["login_events"] = fact(True, line)
            if "interactive-commands" in w:
                lg["command_log"] = fact(True, line)
            if w[2:3] == ["any"] or w[2:3] == ["source-address"]:
                if w[2:3] == ["any"] and len(w) > 3:
                    lg["trap_level"] = fact(w[3], line)
                if w[2:3] == ["source-address"] and len(w) > 3:
                    lg["source"] = fact(w[3], line)
        elif w[0] == "time-format":
            lg["timestamps"] = fact(" ".join(w[1:]) or "default", line)
        elif w[0] == "source-address" and len(w) > 1:
            lg["source"] = fact(w[1], line)
        elif w[0] == "file":
            if "interactive-commands" in w:
                lg["command_log"] = fact(True, line)
            if "authorization" in w:
                lg["login_events"] = fact(True, line)
        return w[0] in ("user", "console", "archive")
        return True

    def _ntp(self, w: list[str], line: int) -> bool:
        ntp = self.cfg.ntp
        if not w:
            return False
        if w[0] in ("server", "peer") and len(w) > 1:
            key = w[w.index("key") + 1] if "key" in w and w.index("key") + 1 < len(w) else None
            existing = next((s for s in self.cfg.ntp_servers if s.address == w[1]), None)
            if existing is None:
                self.cfg.ntp_servers.append(Server(w[1], line, key))
            elif key:
                existing.key = key
        elif w[0] == "authentication-key" and len(w) > 1:
            keys = ntp.setdefault("keys", fact({}, line)).value
            keys[w[1]] = w[w.index("type") + 1] if "type" in w and w.index("type") + 1 < len(w) else ""
            ntp["authenticate"] = fact(True, line)
        elif w[0] == "trusted-key":
            ntp.setdefault("trusted", fact(set(), line)).value.update(x for x in w[1:] if x not in "[]")
        return w[0] in ("boot-server", "source-address", "threshold")
        return True

    def _snmp(self, w: list[str], line: int) -> bool:
        cfg = self.cfg
        if not w:
            return False
        cfg.snmp["enabled"] = fact(True, line)
        if w[0] == "community" and len(w) > 1:
            name = w[1]
            c = next((c for c in cfg.communities if c.name == name), None)
            if c is None:
                c = Community(name, line)
                cfg.communities.append(c)
            if "authorization" in w:
                c.write = w[-1] == "read-write"
            elif "clients" in w or "client-list-name" in w:
                c.acl = w[-1]
        elif w[0] == "v3":
            if "usm" in w and "user" in w:
                name = w[w.index("user") + 1]
                u = next((u for u in cfg.snmp_users if u.name == name), None)
                if u is None:
                    u = SnmpUser(name, line)
                    cfg.snmp_users.append(u)
                for x in w:
                    if x.startswith("authentication-") and x not in ("authentication-key", "authentication-password"):
                        u.auth = x[len("authentication-"):]
                    elif x.startswith("privacy-") and x not in ("privacy-key", "privacy-password"):
                        u.priv = x[len("privacy-"):].replace("aes128", "aes128")
            if "security-level" in w:
                level = w[w.index("security-level") + 1]
                cfg.snmp_groups.append(SnmpUser("vacm", line, level={"privacy": "priv"}.get(level, level)))
        elif w[0] == "trap-group" and "targets" in w:
            cfg.trap_hosts.append(Server(w[-1], line))
        return w[0] in ("location", "contact", "description", "client-list", "view", "trap-options", "name", "filter-interfaces", "interface")
        return True

    # ---------------------------------------------------------------- interfaces
    def _interfaces(self, w: list[str], line: int) -> bool:
        cfg = self.cfg
        if not w:
            return False
        if w[0] == "interface-range":
            return True
        name = w[0]
        rest = w[1:]
        if rest[:1] == ["unit"] and len(rest) > 1:
            unit = rest[1]
            rest = rest[2:]
            if unit != "0" or name.startswith(("lo0", "irb", "vlan")):
                name = f"{name}.{unit}"
        intf = cfg.interface(name, line)
        if not rest:
            return True
        k = rest[0]
        if k == "disable":
            intf.shutdown = True
        elif k == "description":
            intf.description = " ".join(rest[1:])
        elif k == "family" and len(rest) > 1:
            fam = rest[2:]
            if fam[:1] == ["address"] and len(fam) > 1:
                intf.addresses.append(fam[1])
                intf.mode = "routed"
            elif fam[:1] == ["filter"] and len(fam) > 2:
                if fam[1] == "input":
                    intf.acl_in = fam[2]
                    if name.startswith("lo0"):
                        cfg.control_plane = fact(fam[2], line)
                        cfg.mgmt_plane["lo0_filter"] = fact(fam[2], line)
                elif fam[1] == "output":
                    intf.acl_out = fam[2]
                cfg.refer("acl", fam[2], line)
            elif fam[:1] == ["no-redirects"]:
                intf.redirects = fact(False, line)
            elif fam[:1] == ["rpf-check"]:
                intf.urpf = fact(True, line)
            elif rest[1] == "ethernet-switching":
                if fam[:1] in (["interface-mode"], ["port-mode"]) and len(fam) > 1:
                    intf.mode = fam[1]
                elif fam[:2] == ["vlan", "members"]:
                    intf.trunk_all = fact("all" in fam, line)
                    intf.mode = intf.mode or "access"
        elif k == "proxy-arp":
            intf.proxy_arp = fact(True, line)
        elif k == "native-vlan-id" and len(rest) > 1:
            intf.native_vlan = fact(int(rest[1]) if rest[1].isdigit() else None, line)
        return True

    def _firewall(self, w: list[str], line: int) -> bool:
        if w[:1] == ["family"]:
            w = w[2:]
        if w[:1] != ["filter"] or len(w) < 2:
            return w[:1] in (["policer"], ["family"])
        acl = self.cfg.acl(w[1], line)
        rest = w[2:]
        if rest[:1] == ["term"] and len(rest) > 2:
            term = rest[1]
            key = f"{w[1]}/{term}"
            rule = next((r for r in acl.rules if r.text == key), None)
            if rule is None:
                rule = AclRule("", line, key)
                acl.rules.append(rule)
            sub = rest[2:]
            if sub[:1] == ["from"] and len(sub) > 2:
                if sub[1] in ("source-address", "source-prefix-list"):
                    rule.source = sub[2] if rule.source == "any" else rule.source + "," + sub[2]
                elif sub[1] in ("destination-address", "destination-prefix-list"):
                    rule.destination = sub[2]
                elif sub[1] in ("protocol",):
                    rule.protocol = sub[2]
                elif sub[1] in ("destination-port", "port"):
                    rule.ports = sub[2]
                if sub[1].endswith("prefix-list"):
                    self.cfg.refer("prefix-list", sub[2], line)
            elif sub[:1] == ["then"] and len(sub) > 1:
                if sub[1] == "accept":
                    rule.action = "permit"
                elif sub[1] in ("discard", "reject"):
                    rule.action = "deny"
                elif sub[1] in ("log", "syslog"):
                    rule.log = True
        return True

    def _protocols(self, w: list[str], line: int) -> bool:
        cfg = self.cfg
        if not w:
            return False
        k = w[0]
        if k in ("ospf", "ospf3"):
            proc = cfg.ospf[0] if cfg.ospf else None
            if proc is None:
                proc = OspfProcess("0", line)
                cfg.ospf.append(proc)
            if w[1:2] == ["area"] and len(w) > 4 and w[3] == "interface":
                ifname = w[4]
                rest = w[5:]
                if ifname == "all" and rest[:1] == ["passive"]:
                    proc.passive_default = fact(True, line)
                elif rest[:1] == ["authentication"] and len(rest) > 1:
                    mode = {"md5": "md5", "simple-password": "simple", "keychain": "key-chain"}.get(rest[1], rest[1])
                    cfg.interface(ifname if not ifname.endswith(".0") else ifname[:-2], line).ospf_auth = \
                        fact(mode, line)
                elif rest[:1] == ["passive"]:
                    pass
                else:
                    cfg.interface(ifname if not ifname.endswith(".0") else ifname[:-2], line)
            return True
        if k == "bgp":
            if w[1:2] == ["group"] and len(w) > 2:
                group = w[2]
                rest = w[3:]
                peers = self.bgp_groups.setdefault(group, [])
                if rest[:1] == ["neighbor"] and len(rest) > 1:
                    peer = next((p for p in peers if p.address == rest[1]), None)
                    if peer is None:
                        peer = BgpPeer(rest[1], line)
                        peers.append(peer)
                    if rest[2:3] == ["authentication-key"]:
                        peer.auth = fact(True, line)
                elif rest[:1] == ["authentication-key"]:
                    self.bgp_group_auth[group] = line
                elif rest[:1] in (["import"], ["export"]) and len(rest) > 1:
                    cfg.refer("route-policy", rest[1], line)
            return True
        if k == "lldp":
            if w[1:2] == ["disable"]:
                cfg.services["lldp"] = fact(False, line)
            elif w[1:2] == ["interface"] and len(w) > 2:
                if w[2] == "all" and w[3:4] != ["disable"]:
                    cfg.services["lldp"] = fact(True, line)
                elif w[2] != "all":
                    cfg.interface(w[2], line).lldp = fact(w[3:4] != ["disable"], line)
            return True
        if k in ("rstp", "mstp", "stp", "vstp"):
            if "bpdu-block-on-edge" in w:
                cfg.l2["bpdu_protection"] = fact(True, line)
            if "interface" in w and "edge" in w:
                cfg.interface(w[w.index("interface") + 1], line).stp_edge = fact(True, line)
            return True
        if k == "layer2-control" and "bpdu-block" in w:
            cfg.l2["bpdu_protection"] = fact(True, line)
            return True
        if k == "dot1x" and "interface" in w:
            name = w[w.index("interface") + 1]
            if name != "all":
                cfg.interface(name.removesuffix(".0"), line).dot1x = fact(True, line)
            return True
        return k in ("router-advertisement", "igmp-snooping", "pim", "isis", "mpls", "rsvp", "ldp", "lacp")

    def _ethernet_switching_options(self, w: list[str], line: int) -> bool:
        if "bpdu-block" in w:
            self.cfg.l2["bpdu_protection"] = fact(True, line)
        if "examine-dhcp" in w or "dhcp-snooping" in w:
            self.cfg.l2["dhcp_snooping"] = fact(True, line)
        if "arp-inspection" in w:
            self.cfg.l2["arp_inspection"] = fact(True, line)
        if "dhcp-trusted" in w and "interface" in w:
            self.cfg.interface(w[w.index("interface") + 1], line).dhcp_trust = fact(True, line)
        return True

    def _vlans(self, w: list[str], line: int) -> bool:
        if "group" in w and w.index("group") + 1 < len(w):
            group = w[w.index("group") + 1]
            if "trusted" in w:
                self.trusted_groups.add(group)
            if "interface" in w and w.index("interface") + 1 < len(w):
                self.group_ifs.setdefault(group, []).append((w[w.index("interface") + 1], line))
        if "dhcp-security" in w:
            self.cfg.l2["dhcp_snooping"] = fact(True, line)
        if "arp-inspection" in w:
            self.cfg.l2["arp_inspection"] = fact(True, line)
        if "trusted" in w and "interface" in w:
            self.cfg.interface(w[w.index("interface") + 1], line).dhcp_trust = fact(True, line)
        return True

    def _security(self, w: list[str], line: int) -> bool:
        cfg = self.cfg
        if w[:1] == ["zones"] and len(w) > 2 and w[1] == "security-zone":
            cfg.define("zone", w[2])
            return True
        if w[:1] != ["policies"]:
            return w[:1] in (["screen"], ["nat"], ["flow"], ["log"], ["idp"], ["address-book"], ["utm"],
                             ["forwarding-options"], ["alg"], ["application-tracking"], ["ike"], ["ipsec"])
        fw = cfg.firewall
        fw.present = True
        fw.line = fw.line or line
        rest = w[1:]
        if rest[:1] == ["default-policy"] and len(rest) > 1:
            fw.default_action = fact("permit" if rest[1] == "permit-all" else "deny", line)
            return True
        if rest[:1] == ["global"]:
            rest = ["from-zone", "any", "to-zone", "any"] + rest[1:]
        if rest[:1] == ["from-zone"] and len(rest) > 5 and rest[4] == "policy":
            src, dst, name = rest[1], rest[3], rest[5]
            key = (src, dst, name)
            rule = self.fw_rules.get(key)
            if rule is None:
                rule = self.fw_rules[key] = FwRule(name, line, "", [src], [dst])
                fw.rules.append(rule)
                cfg.refer("zone", src, line) if src != "any" else None
                cfg.refer("zone", dst, line) if dst != "any" else None
            sub = rest[6:]
            if sub[:1] == ["match"] and len(sub) > 2:
                vals = [x for x in sub[2:] if x not in "[]"]
                if sub[1] == "source-address":
                    rule.sources.extend(vals)
                elif sub[1] == "destination-address":
                    rule.destinations.extend(vals)
                elif sub[1] == "application":
                    rule.services.extend(vals)
            elif sub[:1] == ["then"] and len(sub) > 1:
                if sub[1] == "permit":
                    rule.action = "permit"
                    if "idp" in sub or "utm-policy" in sub or "idp-policy" in sub:
                        rule.profiles.append(" ".join(sub[2:]))
                elif sub[1] in ("deny", "reject"):
                    rule.action = "deny"
                elif sub[1] in ("log", "count"):
                    rule.log = rule.log or sub[1] == "log"
        return True

    def _policy_options(self, w: list[str], line: int) -> bool:
        if len(w) > 1 and w[0] in ("policy-statement", "prefix-list", "community", "as-path"):
            self.cfg.define("route-policy" if w[0] == "policy-statement" else w[0], w[1])
        return True

    def _routing_instances(self, w: list[str], line: int) -> bool:
        if w:
            self.cfg.define("vrf", w[0])
            if w[0].startswith("mgmt"):
                self.cfg.mgmt_plane["mgmt_vrf"] = fact(w[0], line)
        return True

    def _routing_options(self, w: list[str], line: int) -> bool:
        return True

    def _chassis(self, w: list[str], line: int) -> bool:
        return True

    def _groups(self, w: list[str], line: int) -> bool:
        return True

    def _apply_groups(self, w: list[str], line: int) -> bool:
        return True

    def _class_of_service(self, w: list[str], line: int) -> bool:
        return True

    def _applications(self, w: list[str], line: int) -> bool:
        return True

    def _access(self, w: list[str], line: int) -> bool:
        return True

    def _forwarding_options(self, w: list[str], line: int) -> bool:
        return True

    # ---------------------------------------------------------------- finishing
    def _finish(self) -> None:
        cfg = self.cfg
        for _name, (cls, line) in self.user_class.items():
            ml = self.classes.get(cls)
            if ml is None:
                ml = self._line(cls, line)
        for group in self.trusted_groups:
            for ifname, line in self.group_ifs.get(group, []):
                self.cfg.interface(ifname.removesuffix(".0"), line).dhcp_trust = fact(True, line)
        for user in cfg.users:
            cls = self.classes.get(self.user_class.get(user.name, ("", 0))[0])
            if cls is not None and cls.privilege.value == 15:
                user.privilege = 15
        for ml in self.classes.values():
            used = any(c == ml.name for c, _ in self.user_class.values())
            if used or ml.idle_timeout_s.value is not None:
                ml.auth = fact("aaa", ml.line)
                cfg.mgmt_lines.append(ml)
        if not any(m.kind == "console" for m in cfg.mgmt_lines):
            pass
        for group, peers in self.bgp_groups.items():
            for peer in peers:
                if group in self.bgp_group_auth and peer.auth.value is None:
                    peer.auth = fact(True, self.bgp_group_auth[group])
            cfg.bgp_peers.extend(peers)
        for intf in cfg.interfaces.values():
            if intf.mode == "routed" and intf.redirects.value is None:
                intf.redirects = fact(True, None)  # Junos sends redirects unless no-redirects
                intf.redirects.default = True
        ssh_on = cfg.services.get("ssh")
        telnet_on = cfg.services.get("telnet")
        transports = set()
        if ssh_on and ssh_on.value:
            transports.add("ssh")
        if telnet_on and telnet_on.value:
            transports.add("telnet")
        vty = MgmtLine("vty", "system services", (ssh_on or telnet_on).line if (ssh_on or telnet_on) else 1)
        vty.transport = fact(transports or {"none"}, (telnet_on or ssh_on).line if (telnet_on or ssh_on) else None)
        if "lo0_filter" in cfg.mgmt_plane:
            vty.acl_in = cfg.mgmt_plane["lo0_filter"]
        vty.auth = fact("aaa", vty.line)
        cfg.mgmt_lines.append(vty)


def parse_junos(cfg: ParsedConfig) -> None:
    """Fill ``cfg`` (platform juniper_junos) from its lines."""
    JunosParser(cfg).parse()
