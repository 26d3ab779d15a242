"""Cisco IOS / IOS-XE and Ruijie RGOS configurations into the normalized model.

RGOS is close enough to IOS (``line vty``, ``access-class``, ``snmp-server``…) that one parser
serves both, with a few Ruijie spellings (``enable service telnet-server``, ``logging server``).
Syntax for RGOS follows the baseline reference and is marked unverified there.

Semantics worth knowing:
  * ``no X`` negates ``X``; the last line wins (a later ``logging on`` undoes ``no logging on``);
  * vty lines with no ``transport input`` accept telnet on older IOS: left unknown (None) so the
    check says so instead of guessing the train;
  * ``password 7`` / ``enable password`` are reversible, ``secret 5/8/9`` irreversible.
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

_SERVICE_WORDS = {
    "tcp-small-servers": "small_servers", "udp-small-servers": "small_servers", "finger": "finger",
    "pad": "pad", "config": "service_config",
}
_IP_SERVICES = {
    ("http", "server"): "http", ("http", "secure-server"): "https", ("source-route",): "source_route",
    ("finger",): "finger", ("bootp", "server"): "bootp", ("identd",): "identd",
    ("ftp", "server"): "ftp", ("domain-lookup",): "dns_lookup", ("dhcp", "server"): "dhcp_server",
}


def _banner_start(text: str) -> str | None:
    if not text.startswith("banner "):
        return None
    parts = text.split(None, 2)
    if len(parts) < 3:
        return None
    token = parts[2]
    # "^C" as two characters is how show running-config prints the ETX delimiter
    if token.startswith("^C"):
        return "^C"
    return token[0]


def _secret_kind(words: list[str], key: str) -> tuple[str, str | None]:
    """Classify ``... password|secret [type] value`` -> (kind, clear-or-type7 text)."""
    if key not in words:
        return "none", None
    rest = words[words.index(key) + 1:]
    if not rest:
        return "none", None
    typ = rest[0] if len(rest) > 1 and rest[0].isdigit() else None
    value = rest[1] if typ is not None else rest[0]
    if key == "secret":
        return ("reversible" if typ == "7" else "irreversible"), None
    if typ in (None, "0"):
        return "plain", value
    if typ == "7":
        return "reversible", value
    return "irreversible", None


def _acl_rule(words: list[str], line: int, text: str) -> AclRule | None:
    if words and words[0].isdigit():
        words = words[1:]
    if not words or words[0] not in ("permit", "deny"):
        return None
    action = words[0]
    rest = words[1:]
    log = "log" in rest or "log-input" in rest
    proto = "ip"
    if rest and rest[0] not in ("any", "host") and not rest[0][0].isdigit():
        proto, rest = rest[0], rest[1:]

    def addr(ws: list[str]) -> tuple[str, list[str]]:
        if not ws:
            return "any", ws
        if ws[0] == "any":
            return "any", ws[1:]
        if ws[0] == "host" and len(ws) > 1:
            return ws[1] + "/32", ws[2:]
        if len(ws) > 1 and ws[1][0].isdigit():
            return f"{ws[0]} {ws[1]}", ws[2:]
        return ws[0], ws[1:]

    src, rest = addr(rest)
    if rest and rest[0] in ("eq", "range", "gt", "lt"):
        rest = rest[2:] if rest[0] != "range" else rest[3:]
    dst, rest = addr(rest) if rest and rest[0] not in ("log", "log-input") else ("any", rest)
    ports = " ".join(rest[:2]) if rest and rest[0] in ("eq", "range", "gt", "lt") else None
    return AclRule(action, line, text, proto, src, dst, ports, log)


class IosParser:
    """Parse IOS-family text into a ``ParsedConfig`` (one instance per config)."""

    def __init__(self, cfg: ParsedConfig) -> None:
        self.cfg = cfg
        self.ruijie = cfg.platform == "ruijie_os"

    def parse(self) -> None:
        """Fill ``self.cfg`` from ``self.cfg.lines``."""
        root = build_tree(self.cfg.lines, multiline=_banner_start)
        dispatch_sections(self.cfg, root, self._handlers())  # type: ignore[arg-type]

    def _handlers(self) -> dict[str, object]:
        return {
            "hostname": self._hostname, "version": self._version, "service": self._service,
            "ip": self._ip, "cdp": self._cdp, "lldp": self._lldp, "username": self._username,
            "enable": self._enable, "aaa": self._aaa, "tacacs-server": self._aaa_server,
            "radius-server": self._aaa_server, "tacacs": self._aaa_server_block,
            "radius": self._aaa_server_block, "login": self._login, "line": self._line,
            "snmp-server": self._snmp, "logging": self._logging, "archive": self._archive,
            "ntp": self._ntp, "banner": self._banner, "interface": self._interface,
            "access-list": self._numbered_acl, "router": self._router, "spanning-tree": self._stp,
            "control-plane": self._control_plane, "security": self._security,
            "vrf": self._vrf, "route-map": self._define("route-map"),
            "class-map": self._class_map, "policy-map": self._policy_map,
            "parameter-map": self._parameter_map, "tftp-server": self._tftp_server,
            "zone-pair": self._zone_pair, "zone": self._zone, "crypto": self._ignore,
            "boot-start-marker": self._ignore, "boot-end-marker": self._ignore, "boot": self._ignore,
            "end": self._ignore, "exit": self._ignore, "Building": self._ignore,
            "Current": self._ignore, "webmaster": self._ignore, "install": self._ignore,
            "key": self._key, "password": self._password_policy, "ftp-server": self._ftp_server, "vlan": self._ignore, "clock": self._ignore, "errdisable": self._ignore,
        }

    # ---------------------------------------------------------------- simple globals
    def _ignore(self, node: Node, negated: bool, words: list[str]) -> None:
        return None

    def _define(self, kind: str):  # type: ignore[no-untyped-def]
        def handler(node: Node, negated: bool, words: list[str]) -> None:
            if len(words) > 1:
                self.cfg.define(kind, words[1])
        return handler

    def _define_named(self, kind: str):  # type: ignore[no-untyped-def]
        def handler(node: Node, negated: bool, words: list[str]) -> None:
            name = words[-1] if len(words) > 1 else None
            if name:
                self.cfg.define(kind, name)
        return handler

    def _hostname(self, node: Node, negated: bool, words: list[str]) -> None:
        if len(words) > 1:
            self.cfg.hostname = fact(words[1], node.line)

    def _version(self, node: Node, negated: bool, words: list[str]) -> None:
        self.cfg.version = " ".join(words[1:])

    def _service(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        key = words[1]
        if key == "password-encryption":
            self.cfg.password_encryption = fact(not negated, node.line)
        elif key == "timestamps":
            if len(words) > 2 and words[2] == "log":
                self.cfg.logging["timestamps"] = fact(None if negated else " ".join(words[3:]) or "uptime",
                                                      node.line)
        elif key in _SERVICE_WORDS:
            self.cfg.services[_SERVICE_WORDS[key]] = fact(not negated, node.line)
        else:
            return False
        return True

    def _cdp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["run"]:
            self.cfg.services["cdp"] = fact(not negated, node.line)
            return True
        return False

    def _lldp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["run"]:
            self.cfg.services["lldp"] = fact(not negated, node.line)
            return True
        return False

    def _ip(self, node: Node, negated: bool, words: list[str]) -> bool:
        rest = words[1:]
        if not rest:
            return False
        for key, name in _IP_SERVICES.items():
            if tuple(rest[: len(key)]) == key:
                self.cfg.services[name] = fact(not negated, node.line)
                return True
        if rest[0] == "rcmd":
            self.cfg.services["rcmd"] = fact(not negated, node.line)
            return True
        if rest[0] == "ssh":
            return self._ip_ssh(node, negated, rest[1:])
        if rest[:2] == ["access-list", "standard"] or rest[:2] == ["access-list", "extended"]:
            if len(rest) > 2:
                self._acl_block(rest[2], node)
            return True
        if rest[:2] == ["dhcp", "snooping"]:
            if len(rest) == 2 or rest[2] == "vlan":
                self.cfg.l2["dhcp_snooping"] = fact(not negated, node.line)
            return True
        if rest[:3] == ["arp", "inspection", "vlan"]:
            self.cfg.l2["arp_inspection"] = fact(not negated, node.line)
            return True
        if rest[0] == "vrf" and len(rest) > 1:
            self.cfg.define("vrf", rest[1])
            return True
        if rest[0] in ("route", "cef", "routing", "classless", "domain", "name-server", "forward-protocol",
                       "tftp", "scp", "http", "subnet-zero", "multicast-routing", "prefix-list"):
            if rest[0] == "scp":
                self.cfg.services["scp"] = fact(not negated, node.line)
            if rest[0] == "prefix-list" and len(rest) > 1:
                self.cfg.define("prefix-list", rest[1])
            return not (rest[0] == "tftp" and "source-interface" not in rest)
        return False

    def _ip_ssh(self, node: Node, negated: bool, rest: list[str]) -> bool:
        ssh = self.cfg.ssh
        if rest[:1] == ["version"] and len(rest) > 1:
            ssh["version"] = fact(rest[1], node.line)
            self.cfg.services["ssh1_compat"] = fact(rest[1] != "2" and not negated, node.line)
        elif rest[:1] == ["authentication-retries"]:
            ssh["retries"] = fact(to_int(after(rest, "authentication-retries")), node.line)
        elif rest[:1] == ["time-out"]:
            ssh["timeout_s"] = fact(to_int(after(rest, "time-out")), node.line)
        elif rest[:3] == ["server", "algorithm", "mac"]:
            ssh["macs"] = fact(rest[3:], node.line)
        elif rest[:3] == ["server", "algorithm", "encryption"]:
            ssh["ciphers"] = fact(rest[3:], node.line)
        elif rest[:1] == ["source-interface"]:
            self.cfg.mgmt_plane["ssh_source"] = fact(after(rest, "source-interface"), node.line)
        return rest[:1] in (["rsa"], ["pubkey-chain"], ["logging"], ["dh"])
        return True

    # ---------------------------------------------------------------- accounts and AAA
    def _username(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        name = words[1]
        users = [u for u in self.cfg.users if u.name != name]
        if negated:
            self.cfg.users = users
            return True
        kind, clear = "none", None
        for key in ("secret", "password"):
            if key in words:
                kind, clear = _secret_kind(words, key)
                break
        priv = to_int(after(words, "privilege"))
        self.cfg.users = users + [User(name, node.line, kind, priv, password=clear)]
        return True

    def _enable(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        key = words[1]
        if key in ("secret", "password"):
            self.cfg.enable = [e for e in self.cfg.enable if e.name != key]
            if not negated:
                kind, clear = _secret_kind(words, key)
                if key == "password" and kind == "irreversible":
                    kind = "reversible"
                self.cfg.enable.append(User(key, node.line, kind, 15, password=clear))
            return True
        if key == "service" and len(words) > 2:  # Ruijie: enable service telnet-server
            name = {"telnet-server": "telnet", "ssh-server": "ssh", "web-server": "http"}.get(words[2])
            if name:
                if name == "http" and len(words) > 3 and words[3] == "https":
                    name = "https"
                self.cfg.services[name] = fact(not negated, node.line)
                return True
        return False

    def _aaa(self, node: Node, negated: bool, words: list[str]) -> bool:
        aaa = self.cfg.aaa
        rest = words[1:]
        if rest[:1] == ["new-model"]:
            aaa["new_model"] = fact(not negated, node.line)
        elif rest[:2] == ["authentication", "login"] and len(rest) > 3:
            methods = rest[3:]
            if rest[2] == "default":
                aaa["login_methods"] = fact(None if negated else methods, node.line)
            aaa.setdefault("method_lists", fact({}, node.line)).value[rest[2]] = methods
            self.cfg.define("aaa-list", rest[2])
        elif rest[:2] == ["accounting", "commands"]:
            aaa["accounting_commands"] = fact(not negated and "start-stop" in rest or "stop-only" in rest,
                                              node.line)
        elif rest[:2] == ["accounting", "exec"]:
            aaa["accounting_exec"] = fact(not negated, node.line)
        elif rest[:2] == ["common-criteria", "policy"]:
            self._cc_policy(node)
        elif rest[:1] in (["authorization"], ["accounting"], ["session-id"], ["group"], ["authentication"]):
            if rest[:2] == ["group", "server"] and len(rest) > 3:
                self.cfg.define("aaa-group", rest[3])
                for child in node.children:
                    w = child.text.split()
                    if w[:1] == ["server"] and len(w) > 1:
                        self.cfg.aaa_servers.append(Server(w[-1], child.line, kind=rest[2]))
            return True
        else:
            return False
        return True

    def _cc_policy(self, node: Node) -> None:
        pp = self.cfg.password_policy
        classes = 0
        for child in node.children:
            w = child.text.split()
            if not w:
                continue
            if w[0] == "min-length":
                pp["min_length"] = fact(to_int(w[-1]), child.line)
            elif w[0] in ("upper-case", "lower-case", "numeric-count", "special-case"):
                classes += 1
                pp["complexity_classes"] = fact(classes, child.line)
                pp["complexity"] = fact(classes >= 3, child.line)
            elif w[0] == "lifetime":
                days = to_int(after(w, "days"))
                if days is None and "month" in w:
                    days = (to_int(after(w, "month")) or 0) * 30
                pp["aging_days"] = fact(days, child.line)

    def _security(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:3] == ["passwords", "min-length"]:
            self.cfg.password_policy["min_length"] = fact(to_int(words[-1]), node.line)
            return True
        if words[1:3] == ["authentication", "failure"]:
            return True
        return words[1:2] == ["zone"]  # Ruijie / NGFW zone definitions

    def _password_policy(self, node: Node, negated: bool, words: list[str]) -> bool:
        """RGOS ``password policy min-size N | strong | life-cycle N`` (unverified syntax)."""
        pp = self.cfg.password_policy
        if words[1:2] != ["policy"] or len(words) < 3:
            return False
        if words[2] == "min-size":
            pp["min_length"] = fact(None if negated else to_int(words[-1]), node.line)
        elif words[2] == "strong":
            pp["complexity"] = fact(not negated, node.line)
        elif words[2] == "life-cycle":
            pp["aging_days"] = fact(None if negated else to_int(words[-1]), node.line)
        else:
            return False
        return True

    def _aaa_server(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["host"] and len(words) > 2:
            if not negated:
                self.cfg.aaa_servers.append(Server(words[2], node.line, after(words, "key"),
                                                   kind=words[0].split("-")[0]))
            return True
        return words[1:2] in (["key"], ["timeout"], ["directed-request"], ["source-interface"])

    def _aaa_server_block(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] != ["server"]:
            return words[1:2] == ["source-interface"]
        for child in node.children:
            w = child.text.split()
            if w[:2] == ["address", "ipv4"] and len(w) > 2:
                self.cfg.aaa_servers.append(Server(w[2], child.line, kind=words[0]))
        return True

    def _login(self, node: Node, negated: bool, words: list[str]) -> bool:
        rest = words[1:]
        if rest[:1] == ["block-for"]:
            self.cfg.lockout["enabled"] = fact(not negated, node.line)
            self.cfg.lockout["attempts"] = fact(to_int(after(rest, "attempts")), node.line)
            self.cfg.lockout["lock_minutes"] = fact((to_int(after(rest, "block-for")) or 0) / 60, node.line)
        elif rest[:1] == ["on-failure"]:
            self.cfg.logging["login_failure"] = fact(not negated and "log" in rest, node.line)
        elif rest[:1] == ["on-success"]:
            self.cfg.logging["login_success"] = fact(not negated and "log" in rest, node.line)
        return rest[:1] in (["delay"], ["quiet-mode"])
        return True

    def _key(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["chain"] and len(words) > 2:
            self.cfg.define("key-chain", words[2])
            return True
        return False

    # ---------------------------------------------------------------- lines
    def _line(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        kind = {"con": "console", "console": "console", "vty": "vty", "aux": "aux", "tty": "tty"}.get(words[1])
        if kind is None:
            return False
        name = " ".join(words[1:])
        ml = next((m for m in self.cfg.mgmt_lines if m.name == name), None)
        if ml is None:
            ml = MgmtLine(kind, name, node.line)
            self.cfg.mgmt_lines.append(ml)
        has_password = False
        login = None
        for child in node.children:
            neg, w = words_of(child.text)
            if not w:
                continue
            if w[0] == "transport" and w[1:2] == ["input"]:
                ml.transport = fact(set(w[2:]) if not neg else {"all"}, child.line)
            elif w[0] == "login":
                if w[1:2] == ["authentication"] and len(w) > 2:
                    login = fact("aaa", child.line)
                    if w[2] != "default":
                        self.cfg.refer("aaa-list", w[2], child.line)
                elif w[1:2] == ["local"]:
                    login = fact("local", child.line)
                elif neg:
                    login = fact("none", child.line)
                else:
                    login = fact("login", child.line)
            elif w[0] == "password":
                has_password = not neg
            elif w[0] == "access-class" and len(w) > 1:
                if "out" not in w:
                    ml.acl_in = fact(None if neg else w[1], child.line)
                    if not neg:
                        self.cfg.refer("acl", w[1], child.line)
            elif w[0] == "exec-timeout":
                if neg:
                    ml.idle_timeout_s = fact(0, child.line)
                else:
                    minutes = to_int(w[1]) if len(w) > 1 else 10
                    secs = to_int(w[2]) if len(w) > 2 else 0
                    ml.idle_timeout_s = fact((minutes or 0) * 60 + (secs or 0), child.line)
            elif w[0] == "privilege" and w[1:2] == ["level"]:
                ml.privilege = fact(to_int(w[-1]), child.line)
            elif w[0] == "exec" and len(w) == 1:
                ml.exec_enabled = fact(not neg, child.line)
            elif w[0] == "accounting" and w[1:2] == ["commands"]:
                ml.command_accounting = fact(not neg, child.line)
        if login is not None:
            if login.value == "login":
                login = fact("password" if has_password else "none", login.line)
            ml.auth = login
        elif ml.auth.value is None:
            if self.cfg.aaa.get("new_model") and self.cfg.aaa["new_model"].value:
                ml.auth = fact("aaa", node.line)
            elif kind == "console":
                ml.auth = fact("none", node.line)
        return True

    # ---------------------------------------------------------------- SNMP
    def _snmp(self, node: Node, negated: bool, words: list[str]) -> bool:
        rest = words[1:]
        if not rest:
            self.cfg.snmp["enabled"] = fact(not negated, node.line)
            return True
        key = rest[0]
        if key == "community" and len(rest) > 1:
            name = rest[1]
            self.cfg.communities = [c for c in self.cfg.communities if c.name != name]
            if not negated:
                acl = None
                tail = rest[2:]
                for i, w in enumerate(tail):
                    if w.upper() in ("RO", "RW") and i + 1 < len(tail):
                        acl = tail[i + 1]
                    elif w == "ipv6":
                        break
                if acl == "view":
                    acl = None
                write = any(w.upper() == "RW" for w in tail)
                self.cfg.communities.append(Community(name, node.line, write, acl))
                if acl:
                    self.cfg.refer("acl", acl, node.line)
            self.cfg.snmp["enabled"] = fact(True, node.line)
        elif key == "group" and len(rest) > 2:
            level = None
            if "v3" in rest:
                level = after(rest, "v3")
            acl = after(rest, "access")
            self.cfg.snmp_groups.append(SnmpUser(rest[1], node.line, level=level or rest[2], acl=acl))
            if acl:
                self.cfg.refer("acl", acl, node.line)
        elif key == "user" and len(rest) > 2:
            auth = after(rest, "auth")
            priv = after(rest, "priv")
            if priv == "aes":
                priv = "aes" + (after(rest, "aes") or "128")
            self.cfg.snmp_users.append(SnmpUser(rest[1], node.line, auth, priv))
        elif key == "host" and len(rest) > 1:
            self.cfg.trap_hosts.append(Server(rest[1], node.line))
        elif key == "enable" and rest[1:2] == ["traps"]:
            self.cfg.snmp["traps"] = fact(not negated, node.line)
        return key in ("location", "contact", "chassis-id", "ifindex", "trap-source", "source-interface", "view", "engineID", "trap", "system-shutdown", "packetsize", "queue-length")
        return True

    # ---------------------------------------------------------------- logging
    def _logging(self, node: Node, negated: bool, words: list[str]) -> bool:
        lg = self.cfg.logging
        rest = words[1:]
        if not rest:
            return False
        key = rest[0]
        if key == "on":
            lg["enabled"] = fact(not negated, node.line)
        elif key in ("host", "server") and len(rest) > 1:
            addr = rest[1] if rest[1] not in ("vrf", "ipv6") else (rest[3] if len(rest) > 3 else rest[-1])
            self.cfg.log_hosts = [h for h in self.cfg.log_hosts if h.address != addr]
            if not negated:
                self.cfg.log_hosts.append(Server(addr, node.line))
        elif key[0].isdigit() and key.count(".") == 3:
            self.cfg.log_hosts = [h for h in self.cfg.log_hosts if h.address != key]
            if not negated:
                self.cfg.log_hosts.append(Server(key, node.line))
        elif key == "trap":
            lg["trap_level"] = fact(rest[1] if len(rest) > 1 else "informational", node.line)
        elif key == "source-interface":
            lg["source"] = fact(None if negated else after(rest, "source-interface"), node.line)
        elif key == "buffered":
            lg["buffered"] = fact(not negated, node.line)
        elif key == "userinfo":
            lg["userinfo"] = fact(not negated, node.line)
        return key in ("console", "monitor", "facility", "origin-id", "count", "rate-limit")
        return True

    def _archive(self, node: Node, negated: bool, words: list[str]) -> None:
        for child in node.walk():
            if child.text == "logging enable":
                self.cfg.logging["config_change"] = fact(True, child.line)

    # ---------------------------------------------------------------- NTP
    def _ntp(self, node: Node, negated: bool, words: list[str]) -> bool:
        ntp = self.cfg.ntp
        rest = words[1:]
        if not rest:
            return False
        if rest[0] == "server" and len(rest) > 1:
            addr = rest[1] if rest[1] != "vrf" else (rest[3] if len(rest) > 3 else rest[-1])
            self.cfg.ntp_servers = [s for s in self.cfg.ntp_servers if s.address != addr]
            if not negated:
                self.cfg.ntp_servers.append(Server(addr, node.line, after(rest, "key")))
        elif rest[0] == "authenticate":
            ntp["authenticate"] = fact(not negated, node.line)
        elif rest[0] == "authentication-key" and len(rest) > 2:
            keys = ntp.setdefault("keys", fact({}, node.line)).value
            keys[rest[1]] = rest[2]
        elif rest[0] == "trusted-key" and len(rest) > 1:
            trusted = ntp.setdefault("trusted", fact(set(), node.line)).value
            trusted.add(rest[1])
        elif rest[0] in ("source", "update-calendar", "master", "logging", "access-group", "peer"):
            if rest[0] == "peer" and len(rest) > 1 and not negated:
                self.cfg.ntp_servers.append(Server(rest[1], node.line, after(rest, "key")))
        else:
            return False
        return True

    def _banner(self, node: Node, negated: bool, words: list[str]) -> None:
        if negated:
            self.cfg.banner = fact(None, node.line)
            return
        text = "\n".join(node.body or []).strip()
        if words[1:2] in (["motd"], ["login"]) or not self.cfg.banner.value:
            self.cfg.banner = fact(text, node.line)

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
            elif k == "vrf" and w[1:2] == ["forwarding"] and len(w) > 2:
                intf.vrf = w[2]
                self.cfg.refer("vrf", w[2], child.line)
            elif k == "switchport":
                self._switchport(intf, child, neg, w[1:])
            elif k == "spanning-tree":
                if w[1:2] == ["portfast"]:
                    intf.stp_edge = fact(not neg and "disable" not in w, child.line)
                elif w[1:2] == ["bpduguard"]:
                    intf.bpdu_guard = fact(not neg and "disable" not in w, child.line)
                elif w[1:3] == ["guard", "root"]:
                    intf.root_guard = fact(not neg, child.line)
            elif k in ("authentication", "dot1x") and "port-control" in w:
                intf.dot1x = fact(not neg and "force-authorized" not in w, child.line)
            elif k == "cdp" and w[1:2] == ["enable"]:
                intf.cdp = fact(not neg, child.line)
            elif k == "lldp" and w[1:2] in (["transmit"], ["receive"]):
                intf.lldp = fact(not neg, child.line)
            elif k == "service-policy":
                self.cfg.refer("policy-map", w[-1], child.line)
        return True

    def _intf_ip(self, intf, child: Node, neg: bool, w: list[str]) -> None:  # type: ignore[no-untyped-def]
        if w[0] == "address" and len(w) > 2 and not neg:
            if w[1][0].isdigit():
                addr = f"{w[1]}/{w[2]}" if w[2][0].isdigit() else w[1]
                if "secondary" in w:
                    intf.addresses.append(addr)
                else:
                    intf.addresses = [addr] + [a for a in intf.addresses[1:]]
                intf.mode = intf.mode or "routed"
        elif w[0] == "address" and neg:
            intf.addresses = []
        elif w[0] == "access-group" and len(w) > 2:
            if w[2] == "in":
                intf.acl_in = None if neg else w[1]
            elif w[2] == "out":
                intf.acl_out = None if neg else w[1]
            if not neg:
                self.cfg.refer("acl", w[1], child.line)
        elif w[0] == "redirects":
            intf.redirects = fact(not neg, child.line)
        elif w[0] == "proxy-arp":
            intf.proxy_arp = fact(not neg, child.line)
        elif w[0] == "ospf" and len(w) > 1:
            if w[1] == "authentication":
                mode = "md5" if "message-digest" in w else ("key-chain" if "key-chain" in w else
                                                            ("none" if "null" in w else "simple"))
                intf.ospf_auth = fact("none" if neg else mode, child.line)
                if "key-chain" in w:
                    self.cfg.refer("key-chain", w[-1], child.line)
            elif w[1] == "message-digest-key" and intf.ospf_auth.value is None and not neg:
                intf.ospf_auth = fact("md5", child.line)
        elif w[0] == "verify" and "unicast" in w:
            intf.urpf = fact(not neg, child.line)
        elif w[0] == "dhcp" and w[1:3] == ["snooping", "trust"]:
            intf.dhcp_trust = fact(not neg, child.line)
        elif w[0] == "vrf" and w[1:2] == ["forwarding"] and len(w) > 2:
            intf.vrf = w[2]
            self.cfg.refer("vrf", w[2], child.line)

    def _switchport(self, intf, child: Node, neg: bool, w: list[str]) -> None:  # type: ignore[no-untyped-def]
        if w[:1] == ["mode"] and len(w) > 1:
            intf.mode = w[1] if w[1] in ("access", "trunk") else intf.mode
        elif w[:3] == ["trunk", "allowed", "vlan"]:
            intf.trunk_all = fact(len(w) > 3 and w[3] in ("all",) or neg, child.line)
        elif w[:3] == ["trunk", "native", "vlan"] and len(w) > 3:
            intf.native_vlan = fact(to_int(w[3]), child.line)
        elif w[:1] == ["port-security"] and (len(w) == 1 or w[1] in ("maximum", "violation")):
            if len(w) == 1:
                intf.port_security = fact(not neg, child.line)
        elif w[:1] == ["access"] and intf.mode is None:
            intf.mode = "access"

    # ---------------------------------------------------------------- ACLs
    def _acl_block(self, name: str, node: Node) -> None:
        acl = self.cfg.acl(name, node.line)
        for child in node.children:
            rule = _acl_rule(child.text.split(), child.line, child.text)
            if rule is not None:
                acl.rules.append(rule)

    def _numbered_acl(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 3:
            return False
        if negated:
            self.cfg.acls.pop(words[1], None)
            return True
        acl = self.cfg.acl(words[1], node.line)
        rule = _acl_rule(words[2:], node.line, node.text)
        if rule is not None:
            acl.rules.append(rule)
        return True

    # ---------------------------------------------------------------- routing
    def _router(self, node: Node, negated: bool, words: list[str]) -> bool:
        if len(words) < 2:
            return False
        proto = words[1]
        if proto == "ospf":
            proc = OspfProcess(words[2] if len(words) > 2 else "1", node.line)
            for child in node.children:
                neg, w = words_of(child.text)
                if w[:1] == ["area"] and "authentication" in w:
                    mode = "md5" if "message-digest" in w else "simple"
                    proc.area_auth[w[1]] = fact("none" if neg else mode, child.line)
                elif w == ["passive-interface", "default"]:
                    proc.passive_default = fact(not neg, child.line)
            self.cfg.ospf.append(proc)
        elif proto == "bgp":
            peers: dict[str, BgpPeer] = {}
            for child in node.walk():
                neg, w = words_of(child.text)
                if w[:1] == ["neighbor"] and len(w) > 2:
                    addr = w[1]
                    peer = peers.get(addr)
                    if peer is None and (w[2] in ("remote-as", "peer-group") or addr[0].isdigit()):
                        peer = peers[addr] = BgpPeer(addr, child.line)
                    if peer is not None and w[2] == "password":
                        peer.auth = fact(not neg, child.line)
                    if peer is not None and w[2] == "route-map" and len(w) > 3:
                        self.cfg.refer("route-map", w[3], child.line)
            self.cfg.bgp_peers.extend(peers.values())
        return True

    def _stp(self, node: Node, negated: bool, words: list[str]) -> bool:
        if "bpduguard" in words and "default" in words:
            self.cfg.l2["bpdu_protection"] = fact(not negated, node.line)
            return True
        return words[1:2] in (["mode"], ["extend"], ["vlan"], ["loopguard"], ["portfast"])

    def _control_plane(self, node: Node, negated: bool, words: list[str]) -> None:
        for child in node.children:
            w = child.text.split()
            if w[:1] == ["service-policy"] and "input" in w:
                self.cfg.control_plane = fact(w[-1], child.line)
                self.cfg.refer("policy-map", w[-1], child.line)

    def _vrf(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["definition"] and len(words) > 2:
            self.cfg.define("vrf", words[2])
            if words[2].lower().startswith(("mgmt", "manage", "oob")):
                self.cfg.mgmt_plane["mgmt_vrf"] = fact(words[2], node.line)
            return True
        return False

    # ---------------------------------------------------------------- zone-based firewall
    def _class_map(self, node: Node, negated: bool, words: list[str]) -> None:
        if len(words) > 1:
            self.cfg.define("class-map", words[-1])
        for child in node.children:
            w = child.text.split()
            if w[:2] == ["match", "access-group"] and len(w) > 2:
                self.cfg.refer("acl", w[-1], child.line)

    def _parameter_map(self, node: Node, negated: bool, words: list[str]) -> None:
        # parameter-map type inspect NAME { audit-trail on }: inspect actions using it are logged
        if any(c.text == "audit-trail on" for c in node.children) and len(words) > 1:
            self._audit_maps.add(words[-1])

    def _ftp_server(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["enable"]:  # RGOS (unverified syntax)
            self.cfg.services["ftp"] = fact(not negated, node.line)
            return True
        return False

    def _tftp_server(self, node: Node, negated: bool, words: list[str]) -> None:
        self.cfg.services["tftp"] = fact(not negated, node.line)

    def _policy_map(self, node: Node, negated: bool, words: list[str]) -> None:
        name = words[-1]
        self.cfg.define("policy-map", name)
        if "inspect" not in words:
            return
        rules = []
        for child in node.children:
            w = child.text.split()
            if w[:1] != ["class"]:
                continue
            cls = w[-1]
            if cls != "class-default":
                self.cfg.refer("class-map", cls, child.line)
            action = ""
            log = False
            for sub in child.children:
                sw = sub.text.split()
                if sw and sw[0] in ("inspect", "pass", "drop"):
                    action = "deny" if sw[0] == "drop" else "permit"
                    log = "log" in sw or (sw[0] == "inspect" and len(sw) > 1 and sw[1] in self._audit_maps)
            if cls == "class-default":
                action = action or "deny"
            rules.append(FwRule(f"{name}/{cls}", child.line, action, log=log,
                                services=["any"] if cls == "class-default" else [cls]))
        self._zbf_policies[name] = rules

    _zbf_policies: dict[str, list[FwRule]]
    _audit_maps: set[str]

    def _zone(self, node: Node, negated: bool, words: list[str]) -> bool:
        if words[1:2] == ["security"] and len(words) > 2:
            self.cfg.define("zone", words[2])
            return True
        return False

    def _zone_pair(self, node: Node, negated: bool, words: list[str]) -> bool:
        fw = self.cfg.firewall
        fw.present = True
        fw.line = fw.line or node.line
        src, dst = after(words, "source"), after(words, "destination")
        for z in (src, dst):
            if z and z != "self":
                self.cfg.refer("zone", z, node.line)
        for child in node.children:
            w = child.text.split()
            if w[:1] == ["service-policy"]:
                pm = w[-1]
                self.cfg.refer("policy-map", pm, child.line)
                for rule in self._zbf_policies.get(pm, []):
                    fw.rules.append(FwRule(rule.name, rule.line, rule.action, [src or ""], [dst or ""],
                                           ["any"], ["any"], rule.services, rule.log))
                    if rule.name.endswith("class-default"):
                        fw.default_action = fact(rule.action, rule.line)
        if fw.default_action.value is None:
            fw.default_action = fact("deny", node.line)  # ZBF drops class-default implicitly
        return True


def parse_ios(cfg: ParsedConfig) -> None:
    """Fill ``cfg`` (platform cisco_ios or ruijie_os) from its lines."""
    parser = IosParser(cfg)
    parser._zbf_policies = {}
    parser._audit_maps = set()
    parser.parse()
