"""Huawei VRP and H3C Comware configurations into the normalized model.

Comware grew out of VRP, so the two share one parser: ``#`` separates sections, ``undo`` negates,
``return`` ends the file. Differences handled here (see baseline-reference.md §2 and §4):

  * accounts: VRP nests ``local-user`` lines under ``aaa``; Comware has ``local-user X class
    manage`` sections with ``password hash|cipher|simple``;
  * lines: VRP ``user-interface vty 0 4``; Comware 7 ``line vty 0 63`` / ``line class vty``;
  * lockout: VRP ``local-aaa-user wrong-password …`` (on by default); Comware
    ``password-control login-attempt N exceed lock-time M``;
  * filters: VRP ``traffic-filter inbound acl N``; Comware ``packet-filter N inbound``;
  * trunks: VRP ``port trunk allow-pass vlan all``; Comware ``port trunk permit vlan all``;
  * zone firewalls: USG ``security-policy`` / ``rule name``; Comware ``security-policy ip`` /
    ``rule N name``, with ``action pass|drop``.
"""

from __future__ import annotations

from policies.parsers.base import Node, after, build_tree, dispatch_sections, to_int, words_of
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


def _header_start(text: str) -> str | None:
    if not text.startswith("header "):
        return None
    parts = text.split(None, 3)
    # VRP: header login information "text" ; Comware: header motd %text%
    if len(parts) >= 3 and parts[2] == "information" and len(parts) > 3:
        token = parts[3]
    elif len(parts) >= 3:
        token = parts[2] if len(parts) == 3 else " ".join(parts[2:])
    else:
        return None
    return token[0] if token else None


def _password_kind(words: list[str]) -> tuple[str, str | None]:
    """Classify VRP/Comware password words -> (kind, clear text for weak-password tests)."""
    for i, w in enumerate(words):
        if w in ("irreversible-cipher", "hash"):
            return "irreversible", None
        if w == "cipher":
            value = words[i + 1] if i + 1 < len(words) else ""
            # Comware 7 prints hashed passwords as "$h$6$..." even under 'cipher' in some releases
            return ("irreversible" if value.startswith("$h$") else "reversible"), None
        if w == "simple":
            return "plain", words[i + 1] if i + 1 < len(words) else None
    return "none", None


def _acl_rule(words: list[str], line: int, text: str) -> AclRule | None:
    # rule [id] permit|deny [protocol] [source A W] [destination B W] [destination-port eq N] [logging]
    if not words or words[0] != "rule":
        return None
    rest = words[1:]
    if rest and rest[0].isdigit():
        rest = rest[1:]
    if rest[:1] == ["name"]:
        rest = rest[2:]
    if not rest or rest[0] not in ("permit", "deny"):
        return None
    action = rest[0]
    proto = "ip"
    if len(rest) > 1 and rest[1] not in ("source", "destination", "logging", "vpn-instance", "time-range"):
        proto = rest[1]

    def addr(key: str) -> str:
        if key not in rest:
            return "any"
        i = rest.index(key)
        a = rest[i + 1] if i + 1 < len(rest) else "any"
        if a == "any":
            return "any"
        w = rest[i + 2] if i + 2 < len(rest) and rest[i + 2][0].isdigit() else None
        if w in ("0", "0.0.0.0") or w is None:
            return f"{a}/32" if w is not None or "." in a else a
        return f"{a} {w}"

    ports = None
    if "destination-port" in rest:
        i = rest.index("destination-port")
        ports = " ".join(rest[i + 1: i + 3])
    return AclRule(action, line, text, proto, addr("source"), addr("destination"), ports,
                   "logging" in rest)


class VrpParser:
    """Parse VRP-family text into a ``ParsedConfig``."""

    def __init__(self, cfg: ParsedConfig) -> None:
        self.cfg = cfg
        self.h3c = cfg.platform == "hp_comware"

    def parse(self) -> None:
        """Fill ``self.cfg`` from ``self.cfg.lines``."""
        root = build_tree(self.cfg.lines, multiline=_header_start)
        for text in self.cfg.lines[:5]:  # "!Software Version V200R019C10SPC500" heads VRP saves
            if text.startswith("!Software Version "):
                self.cfg.version = text[len("!Software Version "):].strip()
        dispatch_sections(self.cfg, root, self._handlers())  # type: ignore[arg-type]

    def _handlers(self) -> dict[str, object]:
        return {
            "sysname": self._sysname, "version": self._version, "telnet": self._telnet,
            "stelnet": self._stelnet, "ssh": self._ssh, "http": self._http, "ip": self._ip,
            "ftp": self._ftp, "tftp-server": self._tftp, "aaa": self._aaa, "local-user": self._local_user,
            "local-aaa-user": self._local_aaa_user, "password-control": self._password_control,
            "user-password": self._user_password, "user-interface": self._line, "line": self._line,
            "snmp-agent": self._snmp, "info-center": self._info_center, "ntp-service": self._ntp,
            "header": self._header, "interface": self._interface, "acl": self._acl,
            "ospf": self._ospf, "bgp": self._bgp, "stp": self._stp, "dhcp": self._dhcp,
            "arp": self._arp, "lldp": self._lldp, "icmp": self._icmp,
            "hwtacacs-server": self._aaa_template, "radius-server": self._aaa_template,
            "hwtacacs": self._h3c_scheme, "radius": self._h3c_scheme, "domain": self._domain,
            "cpu-defend": self._ignore, "cpu-defend-policy": self._cpu_defend,
            "control-plane": self._control_plane, "security-policy": self._security_policy,
            "firewall": self._firewall_zone, "security-zone": self._zone, "route-policy": self._define(
                "route-policy"), "ip-prefix": self._ignore, "vlan": self._vlan, "clock": self._ignore,
            "return": self._ignore, "quit": self._ignore, "undo": self._ignore, "set": self._set,
            "irf": self._ignore, "role": self._ignore, "user-group": self._ignore,
            "drv": self._ignore, "super": self._ignore, "password-recovery": self._ignore,
            "command": self._command, "cmd": self._ignore, "recording-scheme": self._ignore,
            "dns": self._ignore, "undo-info": self._ignore, "lacp": self._ignore,
            "scp": self._scp, "sftp": self._sftp, "rsa": self._ignore, "dsa": self._ignore,
            "public-key": self._ignore, "pki": self._ignore, "ike": self._ignore, "ipsec": self._ignore,
            "rsa-key": self._ignore, "mac-address": self._ignore, "port-group": self._ignore,
            "ip-pool": self._ignore, "vlanif": self._ignore, "object-group": self._define("object-group"),
            "ip-vpn-instance": self._ignore,
        }

    def _ignore(self, node: Node, negated: bool, words: list[str]) -> None:
        return None

    def _define(self, kind: str):  # type: ignore[no-untyped-def]
        def handler(node: Node, negated: bool, words: list[str]) -> None:
            if len(words) > 1:
                name = words[2] if words[1] in ("ip", "ipv4") and len(words) > 2 else words[1]
                self.cfg.define(kind, name)
        return handler

    def _svc(self, name: str, value: bool, line: int) -> None:
        self.cfg.services[name] = fact(value, line)

    # ---------------------------------------------------------------- globals
    def _sysname(self, node: Node, negated: bool, words: list[str]) -> None:
        if len(words) > 1:
            self.cfg.hostname = fact(words[1], node.line)

    def _version(self, node: Node, negated: bool, words: list[str]) -> None:
        self.cfg.version = " ".join(words[1:])

    def _telnet(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["server", "enable"]:
            self._svc("telnet", not negated, node.line)
            return True
        return words[1:2] in (["server-source"], ["server"])

    def _stelnet(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["server", "enable"]:
            self._svc("ssh", not negated, node.line)
            return True
        return False

    def _scp(self, node: Node, negated: bool, words: list[str]) -> bool:
        self._svc("scp", not negated, node.line)
        return True

    def _sftp(self, node: Node, negated: bool, words: list[str]) -> bool:
        self._svc("sftp", not negated, node.line)
        return True

    def _ssh(self, node: Node, negated: bool, words: list[str]) -> bool:
        ssh = self.cfg.ssh
        if words[1:2] == ["server-source"]:
            self.cfg.mgmt_plane["ssh_source"] = fact(None if negated else words[-1], node.line)
            return True
        if words[1:2] == ["client"]:
            return True
        if words[1:2] == ["user"]:
            return True
        if words[1:2] != ["server"] or len(words) < 3:
            return False
        key = words[2]
        if key == "enable":
            self._svc("ssh", not negated, node.line)
        elif key.startswith("compatible-ssh1x") or key == "compatible_ssh1x":
            self._svc("ssh1_compat", not negated and (len(words) < 4 or words[3] == "enable"), node.line)
        elif key == "cipher":
            ssh["ciphers"] = fact(words[3:], node.line)
        elif key == "hmac":
            ssh["macs"] = fact(words[3:], node.line)
        elif key == "authentication-retries":
            ssh["retries"] = fact(to_int(words[3]) if len(words) > 3 else None, node.line)
        elif key == "acl" or (key == "ipv4" and "acl" in words):
            acl = words[-1]
            self.cfg.ssh["acl"] = fact(None if negated else acl, node.line)
            if not negated:
                self.cfg.refer("acl", acl, node.line)
        elif key in ("timeout", "rekey-interval", "key-exchange", "dh-exchange", "port", "publickey"):
            if key == "timeout":
                ssh["timeout_s"] = fact(to_int(words[-1]), node.line)
        else:
            return False
        return True

    def _http(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["server", "enable"]:
            self._svc("http", not negated, node.line)
        elif words[1:3] == ["secure-server", "enable"]:
            self._svc("https", not negated, node.line)
        return words[1:2] in (["server"], ["secure-server"], ["acl"], ["timeout"])
        return True

    def _ip(self, node: Node, negated: bool, words: list[str]) -> bool:
        rest = words[1:]
        if rest[:2] == ["http", "enable"]:
            self._svc("http", not negated, node.line)
        elif rest[:2] == ["https", "enable"]:
            self._svc("https", not negated, node.line)
        elif rest[:2] == ["http", "acl"] or rest[:2] == ["https", "acl"]:
            return True
        elif rest[:2] == ["redirects", "enable"]:
            self._svc("ip_redirects", not negated, node.line)
        elif rest[:1] == ["vpn-instance"] and len(rest) > 1:
            self.cfg.define("vrf", rest[1])
            if rest[1].lower().startswith(("mgmt", "manage", "oob")):
                self.cfg.mgmt_plane["mgmt_vrf"] = fact(rest[1], node.line)
        elif rest[:1] in (["route-static"], ["prefix-list"], ["ttl-expires"], ["unreachables"]):
            if rest[:1] == ["prefix-list"] and len(rest) > 1:
                self.cfg.define("ip-prefix", rest[1])
        elif rest[:3] == ["source", "check", "user-bind"]:
            self.cfg.l2["ip_source_guard"] = fact(not negated, node.line)
        else:
            return False
        return True

    def _icmp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["redirect", "send"]:
            self._svc("ip_redirects", not negated, node.line)
            return True
        return False

    def _ftp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["server", "enable"] or words[1:2] == ["server"] and len(words) == 2:
            self._svc("ftp", not negated, node.line)
            return True
        return words[1:2] in (["server"], ["client"], ["timeout"])

    def _tftp(self, node: Node, negated: bool, words: list[str]) -> bool:
        self._svc("tftp", not negated, node.line)
        return True

    def _lldp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["enable"] or words[1:2] == ["global"]:
            self._svc("lldp", not negated, node.line)
            return True
        if words[1:2] == ["disable"]:
            self._svc("lldp", False, node.line)
            return True
        return True

    def _set(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["password", "min-length"]:
            self.cfg.password_policy["min_length"] = fact(to_int(words[-1]), node.line)
            return True
        return words[1:2] in (["device"], ["save-configuration"], ["insecure-protocol"])

    def _command(self, node: Node, negated: bool, words: list[str]) -> bool:
        return True

    # ---------------------------------------------------------------- AAA and accounts
    def _user(self, name: str, line: int) -> User:
        for u in self.cfg.users:
            if u.name == name:
                return u
        user = User(name, line)
        self.cfg.users.append(user)
        return user

    def _local_user_line(self, w: list[str], line: int, negated: bool) -> None:
        # local-user NAME password irreversible-cipher X | privilege level N | service-type a b
        name = w[1]
        if negated and len(w) == 2:
            self.cfg.users = [u for u in self.cfg.users if u.name != name]
            return
        user = self._user(name, line)
        rest = w[2:]
        if rest[:1] == ["password"]:
            user.secret, user.password = _password_kind(rest)
            user.line = line
        elif rest[:1] == ["privilege"]:
            user.privilege = to_int(rest[-1])
        elif rest[:1] == ["service-type"]:
            user.services = set() if negated else set(rest[1:])
        elif rest[:1] == ["state"] and rest[1:2] == ["block"]:
            user.roles.append("blocked")

    def _aaa(self, node: Node, negated: bool, words: list[str]) -> None:
        cfg = self.cfg
        for child in node.children:
            neg, w = words_of(child.text)
            if not w:
                continue
            k = w[0]
            if k == "local-user" and len(w) > 2:
                self._local_user_line(w, child.line, neg)
            elif k == "local-aaa-user":
                self._local_aaa_user(child, neg, w)
            elif k == "authentication-scheme" and len(w) > 1:
                cfg.define("authentication-scheme", w[1])
                for sub in child.children:
                    sw = sub.text.split()
                    if sw[:1] == ["authentication-mode"]:
                        methods = sw[1:]
                        cfg.aaa.setdefault("method_lists", fact({}, sub.line)).value[w[1]] = methods
                        if w[1] == "default" or "hwtacacs" in methods or "radius" in methods:
                            cfg.aaa["login_methods"] = fact(methods, sub.line)
            elif k == "domain" and len(w) > 1:
                cfg.define("domain", w[1])
                for sub in child.children:
                    sw = sub.text.split()
                    if sw[:1] in (["authentication-scheme"], ["accounting-scheme"], ["authorization-scheme"]):
                        kind = sw[0]
                        if kind == "authentication-scheme":
                            cfg.refer(kind, sw[-1], sub.line)
                    elif sw[:1] == ["hwtacacs-server"] or sw[:1] == ["radius-server"]:
                        cfg.refer("aaa-template", sw[-1], sub.line)
            elif k == "cmd" and w[1:2] == ["recording-scheme"]:
                cfg.aaa["accounting_commands"] = fact(not neg, child.line)
            elif k == "recording-scheme" and len(w) > 1:
                cfg.define("recording-scheme", w[1])
            elif k in ("accounting-scheme", "authorization-scheme") and len(w) > 1:
                cfg.define(k, w[1])
            elif k == "local-user" and neg and len(w) == 2:
                self._local_user_line(w, child.line, True)

    def _local_user(self, node: Node, negated: bool, words: list[str]) -> bool:
        """Comware ``local-user NAME class manage`` section (or a VRP one-liner at top level)."""
        if len(words) < 2:
            return False
        name = words[1]
        if negated:
            self.cfg.users = [u for u in self.cfg.users if u.name != name]
            return True
        if len(words) > 2 and words[2] != "class":
            self._local_user_line(words, node.line, False)
            return True
        user = self._user(name, node.line)
        user.line = node.line
        for child in node.children:
            neg, w = words_of(child.text)
            if w[:1] == ["password"]:
                user.secret, user.password = _password_kind(w)
                user.line = child.line
            elif w[:1] == ["service-type"]:
                if neg:
                    user.services -= set(w[1:])
                else:
                    user.services |= set(w[1:])
            elif w[:2] == ["authorization-attribute", "user-role"] and len(w) > 2:
                if neg:
                    user.roles = [r for r in user.roles if r != w[2]]
                else:
                    user.roles.append(w[2])
                if w[2] in ("network-admin", "level-15"):
                    user.privilege = 15
                elif w[2].startswith("level-"):
                    user.privilege = to_int(w[2][6:])
        return True

    def _local_aaa_user(self, node: Node, negated: bool, words: list[str]) -> bool:
        lo = self.cfg.lockout
        if words[1:2] == ["wrong-password"]:
            lo["enabled"] = fact(not negated, node.line)
            if not negated:
                lo["attempts"] = fact(to_int(after(words, "retry-time")), node.line)
                lo["lock_minutes"] = fact(to_int(after(words, "block-time")), node.line)
            return True
        if words[1:3] == ["password", "policy"]:
            for child in node.children:
                w = child.text.split()
                if w[:2] == ["password", "expire"] and len(w) > 2:
                    self.cfg.password_policy["aging_days"] = fact(to_int(w[2]), child.line)
            return True
        return False

    def _password_control(self, node: Node, negated: bool, words: list[str]) -> bool:
        pp, lo = self.cfg.password_policy, self.cfg.lockout
        rest = words[1:]
        if rest[:1] == ["enable"]:
            pp["enabled"] = fact(not negated, node.line)
            if not negated:
                # Comware defaults once password-control is on (HPE FlexFabric 5940 guide)
                for key, value in (("min_length", 10), ("aging_days", 90)):
                    if key not in pp:
                        pp[key] = fact(value, node.line)
                if "enabled" not in lo:
                    lo["enabled"] = fact(True, node.line)
                    lo["attempts"] = fact(3, node.line)
                    lo["lock_minutes"] = fact(1, node.line)
        elif rest[:1] == ["length"]:
            pp["min_length"] = fact(None if negated else to_int(rest[-1]), node.line)
        elif rest[:1] == ["aging"]:
            pp["aging_days"] = fact(None if negated else to_int(rest[-1]), node.line)
        elif rest[:1] == ["composition"]:
            n = to_int(after(rest, "type-number"))
            pp["complexity_classes"] = fact(n, node.line)
            pp["complexity"] = fact(not negated and (n or 0) >= 3, node.line)
        elif rest[:1] == ["login-attempt"]:
            lo["enabled"] = fact(not negated, node.line)
            lo["attempts"] = fact(to_int(rest[1]) if len(rest) > 1 else None, node.line)
            mins = to_int(after(rest, "lock-time"))
            if "lock" in rest:
                mins = 10 ** 6  # locked until an administrator unlocks
            lo["lock_minutes"] = fact(mins, node.line)
        elif rest[:1] in (["history"], ["login"], ["update-interval"], ["complexity"], ["expired-user-login"],
                          ["super"], ["login-idle-time"], ["change-password"]):
            pass
        else:
            return False
        return True

    def _user_password(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["complexity-check"]:
            self.cfg.password_policy["complexity"] = fact(not negated, node.line)
            return True
        if words[1:2] == ["min-length"]:
            self.cfg.password_policy["min_length"] = fact(to_int(words[-1]), node.line)
            return True
        return False

    def _aaa_template(self, node: Node, negated: bool, words: list[str]) -> bool:
        # hwtacacs-server template NAME { hwtacacs-server authentication IP [secondary] }
        if words[1:2] != ["template"] or len(words) < 3:
            return words[1:2] in (["shared-key"], ["timer"], ["source-ip"])
        self.cfg.define("aaa-template", words[2])
        kind = "tacacs" if words[0].startswith("hwtacacs") else "radius"
        for child in node.children:
            w = child.text.split()
            if len(w) > 2 and w[1] == "authentication" and w[2][0].isdigit():
                self.cfg.aaa_servers.append(Server(w[2], child.line, kind=kind))
        return True

    def _h3c_scheme(self, node: Node, negated: bool, words: list[str]) -> bool:
        # hwtacacs scheme NAME { primary authentication IP / secondary authentication IP }
        if words[1:2] != ["scheme"] or len(words) < 3:
            return False
        self.cfg.define("aaa-scheme", words[2])
        kind = "tacacs" if words[0] == "hwtacacs" else "radius"
        for child in node.children:
            w = child.text.split()
            if len(w) > 2 and w[0] in ("primary", "secondary") and w[1] == "authentication":
                self.cfg.aaa_servers.append(Server(w[2], child.line, kind=kind))
        return True

    def _domain(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        if words[1] == "default":
            return True
        self.cfg.define("domain", words[1])
        for child in node.children:
            w = child.text.split()
            if w[:2] == ["authentication", "login"] and len(w) > 2:
                methods = [x for x in w[2:] if x not in ("hwtacacs-scheme", "radius-scheme")]
                kinds = ["hwtacacs" if "hwtacacs-scheme" in w else "", "radius" if "radius-scheme" in w else "",
                         "local" if "local" in w else ""]
                self.cfg.aaa["login_methods"] = fact([k for k in kinds if k], child.line)
                for scheme in ("hwtacacs-scheme", "radius-scheme"):
                    name = after(w, scheme)
                    if name:
                        self.cfg.refer("aaa-scheme", name, child.line)
                del methods
            elif w[:2] == ["accounting", "command"]:
                self.cfg.aaa["accounting_commands"] = fact(True, child.line)
        return True

    # ---------------------------------------------------------------- lines
    def _line(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        rest = words[1:]
        if rest[0] == "class":
            rest = rest[1:]
        if rest[:1] == ["maximum-vty"] or rest[:1] == ["current"]:
            return True
        kind = {"con": "console", "console": "console", "vty": "vty", "aux": "aux"}.get(rest[0] if rest else "")
        if kind is None:
            return False
        name = " ".join(rest)
        ml = next((m for m in self.cfg.mgmt_lines if m.name == name), None)
        if ml is None:
            ml = MgmtLine(kind, name, node.line)
            self.cfg.mgmt_lines.append(ml)
        for child in node.children:
            neg, w = words_of(child.text)
            if not w:
                continue
            k = w[0]
            if k == "authentication-mode" and len(w) > 1:
                mode = {"scheme": "aaa", "aaa": "aaa", "password": "password", "none": "none"}.get(w[1], w[1])
                ml.auth = fact(mode, child.line)
            elif k == "protocol" and w[1:2] == ["inbound"]:
                ml.transport = fact({"all"} if neg else set(w[2:]), child.line)
            elif k == "idle-timeout":
                minutes = to_int(w[1]) if len(w) > 1 else 10
                secs = to_int(w[2]) if len(w) > 2 else 0
                ml.idle_timeout_s = fact(600 if neg else (minutes or 0) * 60 + (secs or 0), child.line)
            elif k == "acl" and len(w) > 1 and "inbound" in w:
                acl = w[-2] if w[1] in ("ipv6",) else w[1]
                ml.acl_in = fact(None if neg else acl, child.line)
                if not neg:
                    self.cfg.refer("acl", acl, child.line)
            elif k == "user" and w[1:3] == ["privilege", "level"]:
                ml.privilege = fact(to_int(w[-1]), child.line)
            elif k == "user-role" and len(w) > 1:
                ml.privilege = fact(15 if w[1] == "network-admin" else 1, child.line)
            elif k == "command" and w[1:2] == ["accounting"]:
                ml.command_accounting = fact(not neg, child.line)
            elif k == "shell":
                ml.exec_enabled = fact(not neg, child.line)
        return True

    # ---------------------------------------------------------------- SNMP
    def _snmp(self, node: Node, negated: bool, words: list[str]) -> bool:
        rest = words[1:]
        if not rest:
            self.cfg.snmp["enabled"] = fact(not negated, node.line)
            return True
        key = rest[0]
        if key == "community" and len(rest) > 1:
            access = rest[1] if rest[1] in ("read", "write") else "read"
            tail = rest[2:] if rest[1] in ("read", "write") else rest[1:]
            hidden = False
            if tail and tail[0] in ("cipher", "simple"):
                hidden = tail[0] == "cipher"
                tail = tail[1:]
            if not tail:
                return False
            name = tail[0]
            self.cfg.communities = [c for c in self.cfg.communities if c.name != name]
            if not negated:
                acl = after(tail, "acl")
                self.cfg.communities.append(Community(name, node.line, access == "write", acl, hidden))
                if acl:
                    self.cfg.refer("acl", acl, node.line)
                self.cfg.snmp.setdefault("enabled", fact(True, node.line))
        elif key == "sys-info" and rest[1:2] == ["version"]:
            versions = set(rest[2:])
            if "all" in versions:
                versions = {"v1", "v2c", "v3"}
            if negated:
                current = self.cfg.snmp.get("versions")
                base = set(current.value) if current and current.value else {"v1", "v2c", "v3"}
                versions = base - versions
            self.cfg.snmp["versions"] = fact(versions, node.line)
        elif key == "group" and len(rest) > 2:
            level = {"privacy": "priv", "authentication": "auth", "noauthentication": "noauth"}.get(
                rest[3] if len(rest) > 3 else "", "noauth")
            acl = after(rest, "acl")
            self.cfg.snmp_groups.append(SnmpUser(rest[2], node.line, level=level, acl=acl))
            if acl:
                self.cfg.refer("acl", acl, node.line)
        elif key == "usm-user" and len(rest) > 2:
            auth = after(rest, "authentication-mode")
            priv = after(rest, "privacy-mode")
            acl = after(rest, "acl")
            self.cfg.snmp_users.append(SnmpUser(rest[2], node.line, auth, priv, acl=acl))
            if acl:
                self.cfg.refer("acl", acl, node.line)
        elif key == "target-host" and "address" in rest:
            addr = after(rest, "udp-domain") or after(rest, "address")
            if addr:
                self.cfg.trap_hosts.append(Server(addr, node.line))
        elif key == "acl" and len(rest) > 1:
            self.cfg.snmp["acl"] = fact(None if negated else rest[-1], node.line)
            if not negated:
                self.cfg.refer("acl", rest[-1], node.line)
        elif key == "trap" and rest[1:2] == ["enable"]:
            self.cfg.snmp["traps"] = fact(not negated, node.line)
        return key in ("local-engineid", "sys-info", "mib-view", "trap", "packet", "protocol", "target-host", "notification-log", "source")
        return True

    # ---------------------------------------------------------------- logging
    def _info_center(self, node: Node, negated: bool, words: list[str]) -> bool:
        lg = self.cfg.logging
        rest = words[1:]
        if rest == ["enable"]:
            lg["enabled"] = fact(not negated, node.line)
        elif rest[:1] == ["loghost"] and len(rest) > 1:
            if rest[1] == "source":
                lg["source"] = fact(None if negated else rest[-1], node.line)
            else:
                addr = rest[1] if rest[1] not in ("vpn-instance", "ipv6") else (rest[3] if len(rest) > 3 else "")
                if rest[1] == "ipv6" and len(rest) > 2:
                    addr = rest[2]
                self.cfg.log_hosts = [h for h in self.cfg.log_hosts if h.address != addr]
                if not negated and addr:
                    self.cfg.log_hosts.append(Server(addr, node.line))
                level = after(rest, "level")
                if level and not negated:
                    lg["trap_level"] = fact(level, node.line)
                if "source-ip" in rest and not negated:
                    lg["source"] = fact(after(rest, "source-ip"), node.line)
        elif rest[:1] == ["timestamp"] and len(rest) > 2:
            if rest[1] in ("log", "loghost"):
                lg["timestamps"] = fact(None if negated else rest[2], node.line)
        elif rest[:1] == ["source"] and "loghost" in rest:
            level = after(rest, "level")
            if level:
                lg["trap_level"] = fact(level, node.line)
        elif rest[:1] in (["logbuffer"], ["trapbuffer"], ["channel"], ["source"], ["console"], ["monitor"],
                          ["logfile"], ["statistic-suppress"], ["rate-limit"], ["format"], ["security-logfile"]):
            if rest[:1] == ["logbuffer"]:
                lg["buffered"] = fact(not negated, node.line)
        else:
            return False
        return True

    # ---------------------------------------------------------------- NTP
    def _ntp(self, node: Node, negated: bool, words: list[str]) -> bool:
        ntp = self.cfg.ntp
        rest = words[1:]
        if not rest:
            return False
        key = rest[0]
        if key == "enable":
            ntp["enabled"] = fact(not negated, node.line)
        elif key in ("unicast-server", "unicast-peer") and len(rest) > 1:
            addr = rest[1] if rest[1] not in ("ipv6", "ip") else (rest[2] if len(rest) > 2 else "")
            self.cfg.ntp_servers = [s for s in self.cfg.ntp_servers if s.address != addr]
            if not negated:
                self.cfg.ntp_servers.append(Server(addr, node.line, after(rest, "authentication-keyid")))
        elif key == "authentication" and rest[1:2] == ["enable"]:
            ntp["authenticate"] = fact(not negated, node.line)
        elif key == "authentication-keyid" and len(rest) > 1:
            keys = ntp.setdefault("keys", fact({}, node.line)).value
            keys[rest[1]] = after(rest, "authentication-mode") or ""
        elif key == "reliable" and "authentication-keyid" in rest:
            ntp.setdefault("trusted", fact(set(), node.line)).value.add(rest[-1])
        return key in ("source-interface", "refclock-master", "server", "ipv6", "access", "max-dynamic-sessions", "in-interface", "port")
        return True

    def _header(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        if negated:
            self.cfg.banner = fact(None, node.line)
            return True
        text = "\n".join(node.body or []).strip()
        if words[1] in ("login", "motd", "shell", "legal") and (words[1] != "shell" or not self.cfg.banner.value):
            self.cfg.banner = fact(text, node.line)
        return True

    # ---------------------------------------------------------------- interfaces
    def _interface(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2 or negated:
            return False
        intf = self.cfg.interface("".join(words[1:]), node.line)
        for child in node.children:
            neg, w = words_of(child.text)
            if not w:
                continue
            intf.lines.append(child.line)
            k = w[0]
            if k == "shutdown":
                intf.shutdown = not neg
            elif k == "description":
                intf.description = " ".join(w[1:])
            elif k == "ip" and len(w) > 1:
                self._intf_ip(intf, child, neg, w[1:])
            elif k == "traffic-filter" and len(w) > 2:
                acl = after(w, "acl") or after(w, "name") or w[-1]
                if w[1] == "inbound":
                    intf.acl_in = None if neg else acl
                else:
                    intf.acl_out = None if neg else acl
                if not neg:
                    self.cfg.refer("acl", acl, child.line)
            elif k == "packet-filter" and len(w) > 2:
                acl = w[2] if w[1] in ("name", "ipv6") else w[1]
                if "inbound" in w:
                    intf.acl_in = None if neg else acl
                else:
                    intf.acl_out = None if neg else acl
                if not neg:
                    self.cfg.refer("acl", acl, child.line)
            elif k in ("arp-proxy", "proxy-arp") and w[1:2] == ["enable"]:
                intf.proxy_arp = fact(not neg, child.line)
            elif k == "ospf" and w[1:2] == ["authentication-mode"] and len(w) > 2:
                intf.ospf_auth = fact("none" if neg else w[2], child.line)
            elif k == "port" and len(w) > 1:
                self._port(intf, child, neg, w[1:])
            elif k == "stp":
                if w[1:2] == ["edged-port"]:
                    intf.stp_edge = fact(not neg and "disable" not in w, child.line)
                elif w[1:2] == ["root-protection"]:
                    intf.root_guard = fact(not neg, child.line)
                elif w[1:2] == ["bpdu-protection"]:
                    intf.bpdu_guard = fact(not neg, child.line)
            elif k == "port-security" and (w[1:2] == ["enable"] or len(w) == 1 or w[1:2] == ["port-mode"]):
                intf.port_security = fact(not neg, child.line)
            elif k == "dot1x" and (len(w) == 1 or w[1:2] in (["enable"], ["authentication-method"])) or k == "authentication-profile" or (k == "mac-authentication" and len(w) == 1):
                intf.dot1x = fact(not neg, child.line)
            elif k == "dhcp" and w[1:2] == ["snooping"] and len(w) > 2 and w[2] in ("trusted", "trust"):
                intf.dhcp_trust = fact(not neg, child.line)
            elif k == "urpf" and len(w) > 1:
                intf.urpf = fact(not neg, child.line)
            elif k == "lldp" and w[1:2] == ["enable"]:
                intf.lldp = fact(not neg, child.line)
            elif k == "lldp" and w[1:2] == ["disable"]:
                intf.lldp = fact(False, child.line)
            elif k == "arp" and "user-bind" in w:
                self.cfg.l2["arp_inspection"] = fact(not neg, child.line)
            elif k == "undo" and w[1:3] == ["icmp", "redirect"]:
                intf.redirects = fact(False, child.line)
        return True

    def _intf_ip(self, intf, child: Node, neg: bool, w: list[str]) -> None:  # type: ignore[no-untyped-def]
        if w[0] == "address" and len(w) > 2 and w[1][0].isdigit():
            addr = f"{w[1]}/{w[2]}"
            if neg:
                intf.addresses = [a for a in intf.addresses if a != addr]
            elif "sub" in w:
                intf.addresses.append(addr)
            else:
                intf.addresses = [addr] + intf.addresses[1:]
            intf.mode = intf.mode or "routed"
        elif w[0] == "binding" and w[1:2] == ["vpn-instance"] and len(w) > 2:
            intf.vrf = w[2]
            self.cfg.refer("vrf", w[2], child.line)
        elif w[0] == "redirects":
            intf.redirects = fact(not neg and "disable" not in w, child.line)
        elif w[0] == "urpf" and len(w) > 1:
            intf.urpf = fact(not neg, child.line)
        elif w[0] == "source" and "check" in w:
            self.cfg.l2["ip_source_guard"] = fact(not neg, child.line)
        elif w[0] in ("verify",):
            intf.urpf = fact(not neg, child.line)

    def _port(self, intf, child: Node, neg: bool, w: list[str]) -> None:  # type: ignore[no-untyped-def]
        if w[:1] == ["link-type"] and len(w) > 1:
            intf.mode = "trunk" if w[1] in ("trunk", "hybrid") else w[1]
        elif w[:1] == ["trunk"] and len(w) > 2 and w[1] in ("allow-pass", "permit"):
            if "all" in w:
                intf.trunk_all = fact(not neg, child.line)
            elif not neg and intf.trunk_all.value is None:
                intf.trunk_all = fact(False, child.line)
        elif w[:2] == ["trunk", "pvid"] and len(w) > 3:
            intf.native_vlan = fact(1 if neg else to_int(w[3]), child.line)
        elif w[:1] == ["default"] and intf.mode is None:
            intf.mode = "access"

    # ---------------------------------------------------------------- ACLs, routing, L2
    def _acl(self, node: Node, negated: bool, words: list[str]) -> bool:
        if negated or len(words) < 2:
            return negated
        rest = words[1:]
        name = None
        if rest[0] in ("number", "basic", "advanced", "mac", "ipv6", "name"):
            if rest[0] == "ipv6" and len(rest) > 1:
                rest = rest[1:]
            if rest[0] == "name" and len(rest) > 1:
                name = rest[1]
            elif len(rest) > 1:
                name = rest[1] if rest[1] != "name" else (rest[2] if len(rest) > 2 else None)
        else:
            name = rest[0]
        if not name:
            return False
        acl = self.cfg.acl(name, node.line)
        number = after(rest, "number") if rest[0] == "name" else None
        if number:
            self.cfg.define("acl", number)
        for child in node.children:
            rule = _acl_rule(child.text.split(), child.line, child.text)
            if rule is not None:
                acl.rules.append(rule)
        return True

    def _ospf(self, node: Node, negated: bool, words: list[str]) -> bool:
        if negated:
            return True
        proc = OspfProcess(words[1] if len(words) > 1 else "1", node.line)
        for child in node.children:
            neg, w = words_of(child.text)
            if w[:1] == ["silent-interface"] and w[1:2] == ["all"]:
                proc.passive_default = fact(not neg, child.line)
            elif w[:1] == ["area"] and len(w) > 1:
                for sub in child.children:
                    sneg, sw = words_of(sub.text)
                    if sw[:1] == ["authentication-mode"] and len(sw) > 1:
                        proc.area_auth[w[1]] = fact("none" if sneg else sw[1], sub.line)
        self.cfg.ospf.append(proc)
        return True

    def _bgp(self, node: Node, negated: bool, words: list[str]) -> bool:
        peers: dict[str, BgpPeer] = {}
        for child in node.walk():
            neg, w = words_of(child.text)
            if w[:1] == ["peer"] and len(w) > 2:
                addr = w[1]
                peer = peers.get(addr)
                if peer is None and w[2] in ("as-number", "group"):
                    peer = peers[addr] = BgpPeer(addr, child.line)
                if peer is not None and w[2] in ("password", "keychain", "tcp-ao"):
                    peer.auth = fact(not neg, child.line)
                if peer is not None and w[2] == "route-policy" and len(w) > 3:
                    self.cfg.refer("route-policy", w[3], child.line)
            elif w[:1] == ["group"] and len(w) > 1:
                peers.setdefault(w[1], BgpPeer(w[1], child.line))
        self.cfg.bgp_peers.extend(p for p in peers.values() if p.address[0].isdigit() or p.auth.value)
        return True

    def _stp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["bpdu-protection"]:
            self.cfg.l2["bpdu_protection"] = fact(not negated, node.line)
            return True
        return True

    def _dhcp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["snooping", "enable"] or words[1:2] == ["enable"]:
            if words[1] == "snooping":
                self.cfg.l2["dhcp_snooping"] = fact(not negated, node.line)
            return True
        return words[1:2] in (["snooping"], ["server"], ["select"], ["relay"])

    def _arp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if "user-bind" in words or words[1:2] == ["detection"]:
            self.cfg.l2["arp_inspection"] = fact(not negated, node.line)
        return True

    def _vlan(self, node: Node, negated: bool, words: list[str]) -> bool:
        for child in node.children:
            neg, w = words_of(child.text)
            if w[:2] == ["arp", "detection"] or "user-bind" in w:
                key = "ip_source_guard" if w[:1] == ["ip"] else "arp_inspection"
                self.cfg.l2[key] = fact(not neg, child.line)
        return True

    def _cpu_defend(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) > 1:
            self.cfg.control_plane = fact(None if negated else words[1], node.line)
            return True
        return False

    def _control_plane(self, node: Node, negated: bool, words: list[str]) -> bool:
        for child in node.children:
            w = child.text.split()
            if w[:3] == ["qos", "apply", "policy"] and len(w) > 3:
                self.cfg.control_plane = fact(w[3], child.line)
        return True

    # ---------------------------------------------------------------- zone firewall
    def _zone(self, node: Node, negated: bool, words: list[str]) -> bool:
        name = after(words, "name") or (words[1] if len(words) > 1 else None)
        if name:
            self.cfg.define("zone", name)
        return True

    def _firewall_zone(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["zone"]:
            name = after(words, "name") or words[-1]
            self.cfg.define("zone", name)
            return True
        return words[1:2] in (["packet-filter"], ["session"], ["defend"], ["detect"], ["interzone"])

    def _security_policy(self, node: Node, negated: bool, words: list[str]) -> bool:
        fw = self.cfg.firewall
        fw.present = True
        fw.line = fw.line or node.line
        for child in node.children:
            neg, w = words_of(child.text)
            if not w:
                continue
            if w[0] == "rule" and "name" in w:
                name = after(w, "name") or "?"
                rule = next((r for r in fw.rules if r.name == name), None)
                if rule is None:
                    rule = FwRule(name, child.line)
                    fw.rules.append(rule)
                for sub in child.children:
                    sneg, sw = words_of(sub.text)
                    self._fw_rule_line(rule, sw, sneg)
            elif w[:2] == ["default", "action"] and len(w) > 2:
                fw.default_action = fact("deny" if w[2] in ("deny", "drop") else "permit", child.line)
            elif w[:2] == ["default", "policy"]:
                fw.default_action = fact("permit" if "permit" in w or "pass" in w else "deny", child.line)
        if fw.default_action.value is None:
            # USG and Comware drop what no rule permits unless told otherwise
            fw.default_action = fact("deny", node.line)
        return True

    def _fw_rule_line(self, rule: FwRule, w: list[str], neg: bool) -> None:
        if not w:
            return
        k, rest = w[0], w[1:]
        value = " ".join(rest)
        if k == "action" and rest:
            rule.action = "permit" if rest[0] in ("permit", "pass") else "deny"
        elif k == "source-zone":
            rule.source_zones.append(value)
        elif k == "destination-zone":
            rule.destination_zones.append(value)
        elif k in ("source-address", "source-ip"):
            rule.sources.append(value)
        elif k in ("destination-address", "destination-ip"):
            rule.destinations.append(value)
        elif k == "service":
            rule.services.append(value)
        elif k in ("policy", "session") and rest[:1] == ["logging"] or k == "logging" and rest[:1] == ["enable"]:
            rule.log = not neg
        elif k == "profile" and rest:
            rule.profiles.append(value)
        elif k == "disable":
            rule.disabled = not neg


def parse_vrp(cfg: ParsedConfig) -> None:
    """Fill ``cfg`` (platform huawei_vrp or hp_comware) from its lines."""
    VrpParser(cfg).parse()
