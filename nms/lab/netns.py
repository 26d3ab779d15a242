"""A real city → county → township network in Linux network namespaces (``NetnsLab``).

Why: topology discovery, link-state and root-cause logic must be tested against real protocol
peers, not against our own fakes. Each router here is a network namespace running net-snmp's
``snmpd`` (IF-MIB, IP-MIB), ``lldpd`` as an AgentX subagent of that snmpd (so LLDP-MIB is
real, learnt from real LLDP frames on real veth links) and FRR ``zebra``/``ospfd`` (so cutting a
link really makes the devices behind it unreachable). The recipes are the ones tried in
``shared/lab/README.md``.

Default topology (``tree_spec()``)::

    mgmt ns 198.19.0.1/24 (br0) -- eth0 of every device (out-of-band: SNMP keeps answering)
    city-core eth1 --- eth1 county-a eth2 --- eth1 town-a1
                                     eth3 --- eth1 town-a2
                                     eth4 --- eth1 fw-a     (/31, no LLDP, no OSPF: firewall)
              eth2 --- eth1 county-b eth2 --- eth1 town-b1
    loopbacks 198.19.255.N/32 (in-band, OSPF area 0); p2p links 198.19.1.0/24

Addresses are only ever in 198.19.0.0/16 (inside 198.18.0.0/15) and only inside namespaces this
module creates; nothing is added to the root namespace. The mgmt namespace is the poller's
vantage point: run clients there (``lab.mgmt_exec([...])``, or ``ip netns exec <mgmt> ...``).
It reaches every device out-of-band on 198.19.0.0/24 and the in-band addresses (loopbacks,
link addresses) via city-core, so probes to loopbacks fail when a link on the way is cut while
SNMP over eth0 still reports both ends' ifOperStatus.

Usage::

    with NetnsLab() as lab:                     # up + wait until SNMP, LLDP and OSPF are ready
        lab.inventory()                          # sites/devices/interfaces/links (import format)
        lab.cut("county-a")                      # its uplink to the city: ip link set ... down
        lab.restore("county-a")

    with NetnsLab(spec, ssh=True, netconf=True) as lab:   # + OpenSSH/vtysh and netconfd per router
        lab.mgmt_call(ConnectHandler, device_type="cisco_ios", host=lab.spec.oob_address("r1"),
                      username=lab.login[0], password=lab.login[1])

    with NetnsLab(trap_sink=(MGMT_ADDRESS, 162)) as lab:  # agents send v2c traps to mgmt
        lab.cut("town-a1")                       # -> linkDown from county-a eth2 and town-a1 eth1

With ``trap_sink`` every snmpd sends SNMPv2c notifications (community ``trap_community``,
default the read community) to that address, from the device's in-band address
(:meth:`LabSpec.probe_address`, net-snmp ``clientaddr``) as routers configured with a trap
source interface do: linkDown/linkUp through DISMAN-EVENT-MIB self-monitoring of ifOperStatus
every ``trap_poll_s`` seconds (numeric ``notificationEvent``/``monitor`` lines, lab README 3 --
``linkUpDownNotifications`` needs MIB files the agents run without), plus whatever the AgentX
subagents emit (lldpd's lldpRemTablesChange). Nothing listens in the mgmt namespace unless the
caller starts a receiver there.

With ``ssh=True`` every routing host also runs OpenSSH on ``<oob>:22`` whose login shell is FRR
``vtysh`` (a Cisco-like CLI on live state, lab README 4b); with ``netconf=True`` it runs
yuma123 ``netconfd`` (ietf-interfaces with live ``/interfaces-state``) behind that sshd's
NETCONF subsystem on ``<oob>:830`` (README 5.2). The login account exists only inside each
sshd's private mount namespace (``/etc/passwd``, ``shadow`` and ``group`` are bind-mounted
copies there), so nothing is added to the machine's user database.

Needs root (``ip netns``, daemons binding port 161); :func:`unavailable_reason` says why it
cannot run so tests skip with that reason. Processes are stopped by PID -- the PIDs found in our
namespaces (``ip netns pids``) and the PIDs we started -- never by name. A crashed run leaves
namespaces behind; :func:`cleanup_stale` removes those of labs whose owner process is gone, and
only namespaces carrying our prefix.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import ipaddress
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from nms.errors import NmsError

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "nmst-"
#: every namespace this module creates starts with this; stale cleanup touches nothing else
PREFIX_BASE = "nmst"
STATE_ROOT = Path(os.environ.get("NMS_NETNS_DIR", "/tmp/nms-netns"))
LAB_NETWORK = ipaddress.ip_network("198.19.0.0/16")
MGMT_ADDRESS = "198.19.0.1"
FRR_DIR = Path("/usr/lib/frr")
REQUIRED_PROGRAMS = ("ip", "snmpd", "lldpd", "snmpget", "snmpbulkwalk")
OID_SYSNAME = "1.3.6.1.2.1.1.5.0"
OID_LLDP_REM_SYSNAME = "1.0.8802.1.1.2.1.4.1.1.9"
SSH_PROGRAMS = ("/usr/sbin/sshd", "/usr/bin/vtysh", "ssh-keygen", "openssl", "unshare", "mount")
NETCONF_PROGRAMS = ("/usr/sbin/netconfd", "/usr/sbin/netconf-subsystem")
NETCONF_SIL = "libietf-interfaces.so"  # netconfd-module-ietf-interfaces (live /interfaces-state)
DEFAULT_LOGIN = ("netops", "netops123")
_CLONE_NEWNET = 0x40000000


class LabError(NmsError):
    """The lab could not be built, became unready, or could not be torn down."""


@dataclass(frozen=True)
class LabHost:
    """One device of the lab.

    Attributes:
        name: device (and namespace suffix) name, at most 12 characters (veth names).
        site, site_name, level, county: where it sits in the hierarchy.
        role: router / firewall / server.
        lldp: run lldpd (False: a device only the /30-/31 fallback can find).
        routing: run FRR OSPF (False: a host with no routing, reached on its link address).
        lldp_portid: what lldpd sends as port ID: ``ifname`` or ``macaddress``.
        lldp_hostname: the system name lldpd advertises (default ``name``), e.g. an FQDN.
    """

    name: str
    site: str
    site_name: str
    level: str
    role: str = "router"
    county: str | None = None
    lldp: bool = True
    routing: bool = True
    lldp_portid: str = "ifname"
    lldp_hostname: str | None = None


@dataclass(frozen=True)
class LabLink:
    """A cable between two devices: interface names and addresses (CIDR) on both ends."""

    a: str
    a_if: str
    a_ip: str
    b: str
    b_if: str
    b_ip: str
    tier: str

    @property
    def name(self) -> str:
        """``a:a_if--b:b_if``."""
        return f"{self.a}:{self.a_if}--{self.b}:{self.b_if}"


@dataclass
class LabSpec:
    """Hosts and links of a lab (see :func:`tree_spec`)."""

    hosts: list[LabHost]
    links: list[LabLink] = field(default_factory=list)

    def host(self, name: str) -> LabHost:
        """The host called ``name``."""
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(name)

    def number(self, name: str) -> int:
        """1-based position of a host: its loopback is 198.19.255.N, its eth0 198.19.0.(10+N)."""
        return [h.name for h in self.hosts].index(name) + 1

    def loopback(self, name: str) -> str:
        """In-band address of a host (its loopback)."""
        return f"198.19.255.{self.number(name)}"

    def oob_address(self, name: str) -> str:
        """Out-of-band management address of a host (eth0 on the mgmt bridge)."""
        return f"198.19.0.{10 + self.number(name)}"

    def probe_address(self, name: str) -> str:
        """Where the poller pings a host in-band: its loopback, or its link address when the
        host does not route (it then has no route back to a loopback-sourced path)."""
        host = self.host(name)
        if host.routing:
            return self.loopback(name)
        for link in self.links:
            if link.b == name:
                return link.b_ip.split("/")[0]
            if link.a == name:
                return link.a_ip.split("/")[0]
        return self.oob_address(name)

    def interfaces(self, name: str) -> list[str]:
        """Link interfaces of a host in creation order (eth1, eth2...)."""
        out = []
        for link in self.links:
            if link.a == name:
                out.append(link.a_if)
            if link.b == name:
                out.append(link.b_if)
        return out


def tree_spec(counties: Sequence[int] = (2, 1), *, firewall: bool = True) -> LabSpec:
    """The default city → county → township tree.

    Args:
        counties: townships per county, one entry per county (county-a, county-b, ...).
        firewall: add ``fw-a`` behind county-a: no LLDP, no OSPF, a /31 link -- found only by
            IP-MIB subnet adjacency.

    Variety on purpose (what discovery must cope with): county-b advertises an FQDN system
    name and MAC-address port IDs over LLDP; the others send interface names.
    """
    hosts = [LabHost("city-core", "city", "示范市", "city")]
    links: list[LabLink] = []
    next_if: dict[str, int] = {}
    p2p = iter(range(0, 256, 4))

    def connect(a: str, b: str, tier: str, plen: int = 30) -> None:
        base = next(p2p)
        ia, ib = next_if.get(a, 1), next_if.get(b, 1)
        next_if[a], next_if[b] = ia + 1, ib + 1
        if plen == 31:
            ips = (f"198.19.1.{base}/31", f"198.19.1.{base + 1}/31")
        else:
            ips = (f"198.19.1.{base + 1}/30", f"198.19.1.{base + 2}/30")
        links.append(LabLink(a, f"eth{ia}", ips[0], b, f"eth{ib}", ips[1], tier))

    for c, towns in enumerate(counties):
        letter = chr(ord("a") + c)
        county = f"county-{letter}"
        code = f"county{letter}"
        fqdn = c % 2 == 1
        hosts.append(LabHost(county, code, f"{letter.upper()}县", "county", county=code,
                             lldp_hostname=f"{county}.lab.example" if fqdn else None,
                             lldp_portid="macaddress" if fqdn else "ifname"))
        connect("city-core", county, "county")
        for t in range(1, towns + 1):
            town = f"town-{letter}{t}"
            tcode = f"{code}-town{t}"
            hosts.append(LabHost(town, tcode, f"{letter.upper()}县{t}镇", "township", county=code))
            connect(county, town, "township")
        if firewall and c == 0:
            hosts.append(LabHost(f"fw-{letter}", code, f"{letter.upper()}县", "county",
                                 role="firewall", county=code, lldp=False, routing=False))
            connect(county, f"fw-{letter}", "county", plen=31)
    return LabSpec(hosts, links)


# ------------------------------------------------------------------------------ helpers
def unavailable_reason(*, ssh: bool = False, netconf: bool = False) -> str | None:
    """Why the lab cannot run here (None when it can): root and the daemons are needed.

    Args:
        ssh: also need OpenSSH + vtysh (``NetnsLab(ssh=True)``).
        netconf: also need netconfd with the ietf-interfaces module (``NetnsLab(netconf=True)``).
    """
    if os.geteuid() != 0:
        return "the netns lab needs root (ip netns, daemons on port 161)"
    missing = [p for p in REQUIRED_PROGRAMS if shutil.which(p) is None]
    missing += [str(FRR_DIR / d) for d in ("zebra", "ospfd") if not (FRR_DIR / d).exists()]
    packages = "iproute2 snmpd snmp lldpd frr"
    if ssh or netconf:
        missing += [p for p in SSH_PROGRAMS if shutil.which(p) is None]
        packages += " openssh-server openssl"
    if netconf:
        missing += [p for p in NETCONF_PROGRAMS if shutil.which(p) is None]
        if not any(Path(d, NETCONF_SIL).exists() for d in _yuma_lib_dirs()):
            missing.append(f"yuma/{NETCONF_SIL}")
        packages += " netconfd netconfd-module-ietf-interfaces"
    if missing:
        return f"missing programs: {', '.join(missing)} (apt-get install {packages})"
    return None


def _yuma_lib_dirs() -> list[Path]:
    return [Path("/usr/lib/yuma"), *Path("/usr/lib").glob("*-linux-gnu/yuma")]


def enter_namespace(ns: str) -> None:
    """Move the *calling thread* into network namespace ``ns`` (setns(2), CLONE_NEWNET).

    Python 3.11 has no ``os.setns``; libc's is called through ctypes. Only this thread moves:
    sockets it (and threads it starts) create live in ``ns``; the rest of the process stays.

    Raises:
        OSError: no such namespace, or not permitted (needs CAP_SYS_ADMIN).
    """
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        setns = getattr(os, "setns", None)
        if setns is not None:
            setns(fd, _CLONE_NEWNET)
            return
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({ns}): {os.strerror(err)}")
    finally:
        os.close(fd)


def call_in_namespace(ns: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` run in a fresh thread that entered namespace ``ns``.

    Lets a test or tool act as a client inside the lab (netmiko, ncclient, plain sockets) in
    the same process. Libraries that cache the root namespace's routes at import (scapy) must
    run in a process started with ``ip netns exec`` instead.

    Returns:
        what ``fn`` returned; its exception is re-raised here.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            enter_namespace(ns)
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"netns:{ns}", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _run(argv: Sequence[str], *, check: bool = True, timeout: float = 30.0,
         input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          input=input_text)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return proc


def list_namespaces() -> list[str]:
    """Names of every network namespace on the machine (``ip netns list``)."""
    out = _run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def namespace_pids(ns: str) -> list[int]:
    """PIDs of the processes living in namespace ``ns``."""
    out = _run(["ip", "netns", "pids", ns], check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _stop_pids(pids: Iterable[int], timeout: float = 5.0) -> None:
    """SIGTERM each PID, wait, SIGKILL the survivors. Only these PIDs, never by name."""
    pids = sorted(set(pids))
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)


def _teardown(namespaces: Iterable[str], run_dir: Path | None) -> None:
    """Stop everything in ``namespaces`` (plus PIDs recorded in ``run_dir``) and delete them."""
    namespaces = list(namespaces)
    present = set(list_namespaces())
    pids: set[int] = set()
    for ns in namespaces:
        if ns in present:
            pids.update(namespace_pids(ns))
    if run_dir is not None and (run_dir / "pids").exists():
        for line in (run_dir / "pids").read_text().splitlines():
            if line.strip().isdigit():
                pid = int(line)
                # only while it still runs one of our command lines (PIDs get reused)
                if _alive(pid) and str(run_dir) in _cmdline(pid):
                    pids.add(pid)
    pids.discard(os.getpid())
    _stop_pids(pids)
    for ns in namespaces:
        if ns in present:
            _run(["ip", "netns", "del", ns], check=False)


def cleanup_stale(prefix_base: str = PREFIX_BASE, *, force: bool = False) -> list[str]:
    """Remove labs left behind by runs that died, and orphan namespaces with our prefix.

    A lab directory under ``STATE_ROOT`` whose ``owner`` process is gone (or any, with
    ``force``) is torn down; a namespace named ``<prefix_base>*`` that no live lab claims is
    deleted after stopping the processes inside it. Namespaces without our prefix are never
    touched.

    Returns:
        the namespaces removed.
    """
    removed: list[str] = []
    claimed: set[str] = set()
    if STATE_ROOT.exists():
        for lab_dir in sorted(STATE_ROOT.iterdir()):
            meta_path = lab_dir / "lab.json"
            if not meta_path.exists():
                continue
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                continue
            owner = meta.get("owner")
            names = [n for n in meta.get("namespaces", []) if n.startswith(prefix_base)]
            if not force and (owner is None or _alive(int(owner))):
                claimed.update(names)
                continue
            log.warning("removing stale netns lab %s (owner %s gone)", lab_dir.name, owner)
            _teardown(names, lab_dir)
            removed.extend(n for n in names if n not in removed)
            shutil.rmtree(lab_dir, ignore_errors=True)
    for ns in list_namespaces():
        if ns.startswith(prefix_base) and ns not in claimed and ns not in removed:
            log.warning("removing orphan namespace %s", ns)
            _teardown([ns], None)
            removed.append(ns)
    return removed


# ------------------------------------------------------------------------------ the lab
class NetnsLab:
    """Build, drive and destroy the namespace lab. A context manager: ``with NetnsLab() as lab``.

    Args:
        spec: hosts and links (default :func:`tree_spec`).
        prefix: namespace name prefix; must start with ``nmst`` (what stale cleanup owns).
        community: SNMP v2c read community of every agent.
        owner_pid: process whose death makes the lab stale (default: this process); None for a
            lab that outlives its creator (``nms netlab up``).
        tx_interval_s: LLDP transmit interval (neighbours appear within about this time).
        ssh: run OpenSSH on ``<oob>:22`` of every routing host, login shell FRR ``vtysh``.
        netconf: run ``netconfd`` per routing host behind sshd's NETCONF subsystem on
            ``<oob>:830`` (implies the sshd).
        login: (user, password) of the SSH/NETCONF login (exists only inside the sshds).
        trap_sink: (address, port) every snmpd sends SNMPv2c traps to, e.g.
            ``(MGMT_ADDRESS, 162)``; must lie in the lab network. None: no traps.
        trap_community: community of those traps (default ``community``).
        trap_poll_s: how often snmpd checks ifOperStatus for linkDown/linkUp (seconds).
    """

    def __init__(self, spec: LabSpec | None = None, *, prefix: str = DEFAULT_PREFIX,
                 community: str = "nmslab", owner_pid: int | None = -1,
                 tx_interval_s: int = 1, ssh: bool = False, netconf: bool = False,
                 login: tuple[str, str] = DEFAULT_LOGIN,
                 trap_sink: tuple[str, int] | None = None, trap_community: str | None = None,
                 trap_poll_s: int = 2) -> None:
        if not prefix.startswith(PREFIX_BASE):
            raise ValueError(f"prefix must start with {PREFIX_BASE!r} (stale cleanup owns those)")
        self.spec = spec or tree_spec()
        for host in self.spec.hosts:
            if len(host.name) > 12:
                raise ValueError(f"host name {host.name!r} longer than 12 characters")
        self.prefix = prefix
        self.community = community
        self.owner_pid = os.getpid() if owner_pid == -1 else owner_pid
        self.tx_interval_s = tx_interval_s
        self.run_dir = STATE_ROOT / prefix.rstrip("-")
        self.started: list[subprocess.Popen[bytes]] = []
        self.netconf = netconf
        self.ssh = ssh or netconf
        self.login = login
        self._sshd: dict[str, int] = {}
        self._netconfd: dict[str, int] = {}
        if trap_sink is not None:
            host_ip = ipaddress.ip_address(trap_sink[0])
            if host_ip not in LAB_NETWORK:
                raise ValueError(f"trap_sink {trap_sink[0]} is outside the lab network {LAB_NETWORK}")
        self.trap_sink = (str(trap_sink[0]), int(trap_sink[1])) if trap_sink is not None else None
        self.trap_community = trap_community or community
        self.trap_poll_s = trap_poll_s

    # ---- names ---------------------------------------------------------------------------
    @property
    def mgmt_ns(self) -> str:
        """The poller's namespace."""
        return f"{self.prefix}mgmt"

    def ns(self, host: str) -> str:
        """Namespace of ``host``."""
        self.spec.host(host)
        return f"{self.prefix}{host}"

    @property
    def namespaces(self) -> list[str]:
        """Every namespace of the lab, mgmt first."""
        return [self.mgmt_ns, *(f"{self.prefix}{h.name}" for h in self.spec.hosts)]

    # ---- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> NetnsLab:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    def up(self, timeout: float = 60.0) -> NetnsLab:
        """Create namespaces, links and daemons, then wait until the lab is ready.

        Raises:
            LabError: not root, programs missing, a step failed, or not ready in ``timeout`` s.
                Everything created so far is torn down first.
        """
        reason = unavailable_reason(ssh=self.ssh, netconf=self.netconf)
        if reason:
            raise LabError(reason)
        cleanup_stale()
        existing = set(list_namespaces()) & set(self.namespaces)
        if existing:
            raise LabError(f"namespaces already exist: {sorted(existing)} "
                           f"(another lab with prefix {self.prefix!r}? `nms netlab down`)")
        try:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir.mkdir(parents=True)
            self._write_meta()
            self._build_network()
            self._start_daemons()
            if self.ssh:
                self._start_cli_peers()
            self.wait_ready(timeout)
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        """Stop every process of the lab and delete its namespaces (safe to call twice)."""
        _teardown(self.namespaces, self.run_dir)
        for proc in self.started:  # reap our children (they were stopped by PID above)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.started.clear()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def _write_meta(self) -> None:
        meta = {"prefix": self.prefix, "owner": self.owner_pid, "namespaces": self.namespaces,
                "trap_sink": list(self.trap_sink) if self.trap_sink else None,
                "trap_community": self.trap_community, "trap_poll_s": self.trap_poll_s,
                "community": self.community, "ssh": self.ssh, "netconf": self.netconf,
                "login": list(self.login), "spec": {"hosts": [asdict(h) for h in self.spec.hosts],
                                                      "links": [asdict(lk) for lk in self.spec.links]}}
        (self.run_dir / "lab.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))

    def _ip(self, *args: str) -> None:
        _run(["ip", *args])

    def _build_network(self) -> None:
        mgmt = self.mgmt_ns
        self._ip("netns", "add", mgmt)
        self._ip("-n", mgmt, "link", "set", "lo", "up")
        self._ip("-n", mgmt, "link", "add", "br0", "type", "bridge")
        self._ip("-n", mgmt, "addr", "add", f"{MGMT_ADDRESS}/24", "dev", "br0")
        self._ip("-n", mgmt, "link", "set", "br0", "up")
        for host in self.spec.hosts:
            ns = self.ns(host.name)
            self._ip("netns", "add", ns)
            _run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
            self._ip("-n", ns, "link", "set", "lo", "up")
            if host.routing:
                self._ip("-n", ns, "addr", "add", f"{self.spec.loopback(host.name)}/32", "dev", "lo")
            peer = f"m-{host.name}"
            self._ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer,
                     "netns", mgmt)
            self._ip("-n", mgmt, "link", "set", peer, "master", "br0", "up")
            self._ip("-n", ns, "addr", "add", f"{self.spec.oob_address(host.name)}/24", "dev", "eth0")
            self._ip("-n", ns, "link", "set", "eth0", "alias", "oob management", "up")
        for link in self.spec.links:
            na, nb = self.ns(link.a), self.ns(link.b)
            self._ip("link", "add", link.a_if, "netns", na, "type", "veth", "peer", "name",
                     link.b_if, "netns", nb)
            for ns, ifname, ip, peer, peer_if in ((na, link.a_if, link.a_ip, link.b, link.b_if),
                                                  (nb, link.b_if, link.b_ip, link.a, link.a_if)):
                self._ip("-n", ns, "addr", "add", ip, "dev", ifname)
                self._ip("-n", ns, "link", "set", ifname, "alias", f"to {peer} {peer_if}", "up")
        core = self.spec.hosts[0].name
        via = self.spec.oob_address(core)
        for net in ("198.19.255.0/24", "198.19.1.0/24"):
            self._ip("-n", mgmt, "route", "add", net, "via", via)

    def _spawn(self, ns: str, argv: list[str], log_path: Path,
               env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=out, env={**os.environ, **(env or {})},
                                    start_new_session=True, cwd=cwd)
        self.started.append(proc)
        with open(self.run_dir / "pids", "a") as f:
            f.write(f"{proc.pid}\n")
        return proc.pid

    def _host_dir(self, host: str) -> Path:
        d = self.run_dir / host
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _start_daemons(self) -> None:
        for host in self.spec.hosts:
            d = self._host_dir(host.name)
            (d / "persist").mkdir(exist_ok=True)
            (d / "snmpd.conf").write_text("\n".join([
                "agentAddress udp:161",
                f"rocommunity {self.community} default",
                f"sysName {host.name}",
                f"sysLocation {host.site_name}",
                "sysContact noc@lab.invalid",
                f"sysDescr Lab {host.role} {host.name} (Linux netns, net-snmp)",
                "master agentx",
                f"agentXSocket {d}/agentx.sock",
                "agentXPerms 0777 0755",
                *self._trap_lines(host),
                "",
            ]))
            self._spawn(self.ns(host.name),
                        ["/usr/sbin/snmpd", "-f", "-m", "", "-M", "/nonexistent", "-C", "-c",
                         str(d / "snmpd.conf"), "-p", str(d / "snmpd.pid"), "-Lf",
                         str(d / "snmpd.log")],
                        d / "snmpd.out", {"SNMP_PERSISTENT_DIR": str(d / "persist")})
        self._wait(lambda: all((self.run_dir / h.name / "agentx.sock").exists()
                               for h in self.spec.hosts), 15, "snmpd AgentX sockets")
        for host in self.spec.hosts:
            d = self.run_dir / host.name
            if host.lldp:
                (d / "lldpd.conf").write_text("\n".join([
                    f"configure system hostname {host.lldp_hostname or host.name}",
                    f'configure system description "Lab {host.role} {host.name}"',
                    f"configure lldp tx-interval {self.tx_interval_s}",
                    f"configure lldp portidsubtype {host.lldp_portid}",
                    "",
                ]))
                self._spawn(self.ns(host.name),
                            ["lldpd", "-d", "-x", "-X", str(d / "agentx.sock"), "-u",
                             str(d / "lldpd.sock"), "-O", str(d / "lldpd.conf"), "-m",
                             self.spec.loopback(host.name)],
                            d / "lldpd.log")
            if host.routing:
                self._start_frr(host, d)

    def _trap_lines(self, host: LabHost) -> list[str]:
        """snmpd.conf lines sending linkDown/linkUp (and subagent notifications) to trap_sink."""
        if self.trap_sink is None:
            return []
        addr, port = self.trap_sink
        if_index, admin, oper = ".1.3.6.1.2.1.2.2.1.1", ".1.3.6.1.2.1.2.2.1.7", ".1.3.6.1.2.1.2.2.1.8"
        return [
            f"trap2sink {addr}:{port} {self.trap_community}",
            # traps leave from the in-band management address, like `snmp-agent trap source`
            f"[snmp] clientaddr {self.spec.probe_address(host.name)}",
            # DISMAN-EVENT-MIB monitors query the agent itself as this internal v3 user
            "createUser nmsLabMonitor",
            "rouser nmsLabMonitor noauth",
            "iquerySecName nmsLabMonitor",
            f"notificationEvent nmsLinkUp .1.3.6.1.6.3.1.1.5.4 {if_index} {admin} {oper}",
            f"notificationEvent nmsLinkDown .1.3.6.1.6.3.1.1.5.3 {if_index} {admin} {oper}",
            # -S: no burst of linkUp traps for interfaces already up at start-up
            f'monitor -S -r {self.trap_poll_s} -e nmsLinkUp "linkUp" {oper} != 2',
            f'monitor -S -r {self.trap_poll_s} -e nmsLinkDown "linkDown" {oper} == 2',
        ]

    def _start_frr(self, host: LabHost, d: Path) -> None:
        frr = d / "frr"
        frr.mkdir(exist_ok=True)
        n = self.spec.number(host.name)
        (frr / "zebra.conf").write_text(f"hostname {host.name}\n")
        routed = {lk.a_if if lk.a == host.name else lk.b_if: self.spec.host(
            lk.b if lk.a == host.name else lk.a).routing
            for lk in self.spec.links if host.name in (lk.a, lk.b)}
        lines = [f"hostname {host.name}", "router ospf", f" ospf router-id {self.spec.loopback(host.name)}",
                 " timers throttle spf 0 50 500", " timers throttle lsa all 0",
                 " timers lsa min-arrival 0", " network 198.19.1.0/24 area 0",
                 f" network 198.19.255.{n}/32 area 0", " passive-interface lo"]
        lines += [f" passive-interface {ifname}" for ifname, peer_routes in routed.items()
                  if not peer_routes]
        for ifname in routed:
            lines += [f"interface {ifname}", " ip ospf network point-to-point",
                      " ip ospf hello-interval 1", " ip ospf dead-interval 3"]
        (frr / "ospfd.conf").write_text("\n".join(lines) + "\n")
        _run(["chown", "-R", "frr:frr", str(frr)])
        common = ["-u", "frr", "-g", "frr", "-A", "127.0.0.1", "-z", str(frr / "zserv.api"),
                  "--vty_socket", str(frr)]
        self._spawn(self.ns(host.name),
                    [str(FRR_DIR / "zebra"), *common, "-f", str(frr / "zebra.conf"), "-i",
                     str(frr / "zebra.pid"), "--log", f"file:{frr / 'zebra.log'}"],
                    d / "zebra.out")
        self._wait(lambda: (frr / "zserv.api").exists(), 15, f"zebra of {host.name}")
        self._spawn(self.ns(host.name),
                    [str(FRR_DIR / "ospfd"), *common, "-f", str(frr / "ospfd.conf"), "-i",
                     str(frr / "ospfd.pid"), "--log", f"file:{frr / 'ospfd.log'}"],
                    d / "ospfd.out")

    # ---- SSH CLI (OpenSSH + vtysh) and NETCONF (netconfd) peers ---------------------------
    @property
    def cli_hosts(self) -> list[str]:
        """Hosts that run sshd (and netconfd): those running FRR, since the CLI is vtysh."""
        if not self.ssh:
            return []
        return [h.name for h in self.spec.hosts if h.routing]

    def _write_login(self) -> dict[str, Path]:
        """Host key, login shell, and passwd/shadow/group copies that add the lab login.

        The copies are bind-mounted over /etc inside each sshd's own mount namespace only,
        so the account never exists on the machine itself.
        """
        d = self.run_dir / "ssh"
        d.mkdir(exist_ok=True)
        user, password = self.login
        key = d / "ssh_host_ed25519_key"
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nms-netns-lab", "-f", str(key)])
        shell = d / "vtysh-shell"
        # sshd runs "<shell> -c CMD" for exec requests and subsystems: the NETCONF subsystem
        # goes to /bin/sh, anything else to vtysh -c; an interactive login is plain vtysh.
        shell.write_text(
            "#!/bin/sh\n"
            "# Login shell of the nms netns lab: FRR vtysh of this router (NMS_LAB_VTY: sshd SetEnv)\n"
            'if [ "$1" = "-c" ]; then\n'
            '  case "$2" in\n'
            '    /usr/sbin/netconf-subsystem*) exec /bin/sh -c "$2" ;;\n'
            "  esac\n"
            '  exec /usr/bin/vtysh --vty_socket "$NMS_LAB_VTY" -c "$2"\n'
            "fi\n"
            'exec /usr/bin/vtysh --vty_socket "$NMS_LAB_VTY"\n')
        shell.chmod(0o755)
        home = d / "home"
        home.mkdir(exist_ok=True)
        hashed = _run(["openssl", "passwd", "-6", "-stdin"], input_text=password + "\n").stdout.strip()

        def others(path: str) -> list[str]:
            return [ln for ln in Path(path).read_text().splitlines()
                    if ln.strip() and ln.split(":", 1)[0] != user]

        passwd = others("/etc/passwd")
        used = {int(f[2]) for f in (ln.split(":") for ln in passwd) if len(f) > 2 and f[2].isdigit()}
        uid = next(u for u in range(64100, 65500) if u not in used)
        gid = grp.getgrnam("frrvty").gr_gid
        passwd.append(f"{user}:x:{uid}:{gid}:nms netns lab login:{home}:{shell}")
        shadow = others("/etc/shadow") + [f"{user}:{hashed}:19000:0:99999:7:::"]
        groups = []
        for ln in Path("/etc/group").read_text().splitlines():
            fields = ln.split(":")
            if len(fields) == 4 and fields[0] in ("frr", "frrvty"):
                # vty sockets are frr:frrvty 0770; /etc/frr/vtysh.conf is frr:frr 0640
                members = [m for m in fields[3].split(",") if m and m != user] + [user]
                ln = ":".join([*fields[:3], ",".join(members)])
            groups.append(ln)
        files = {"passwd": d / "passwd", "shadow": d / "shadow", "group": d / "group"}
        files["passwd"].write_text("\n".join(passwd) + "\n")
        files["shadow"].write_text("\n".join(shadow) + "\n")
        files["shadow"].chmod(0o600)
        files["group"].write_text("\n".join(groups) + "\n")
        os.chown(home, uid, gid)
        files.update(key=key, shell=shell)
        return files

    def _netconf_startup(self, host: str) -> str:
        """ietf-interfaces startup config of ``host``: name, kernel alias as description, IPv4."""
        ifaces = [("eth0", "oob management", f"{self.spec.oob_address(host)}/24")]
        for lk in self.spec.links:
            if lk.a == host:
                ifaces.append((lk.a_if, f"to {lk.b} {lk.b_if}", lk.a_ip))
            elif lk.b == host:
                ifaces.append((lk.b_if, f"to {lk.a} {lk.a_if}", lk.b_ip))
        lines = ['<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">',
                 ' <interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces">']
        for name, descr, cidr in ifaces:
            ip, plen = cidr.split("/")
            lines += [f"  <interface><name>{xml_escape(name)}</name>"
                      f"<description>{xml_escape(descr)}</description>",
                      '   <type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">'
                      "ianaift:ethernetCsmacd</type><enabled>true</enabled>",
                      '   <ipv4 xmlns="urn:ietf:params:xml:ns:yang:ietf-ip"><address>'
                      f"<ip>{ip}</ip><prefix-length>{plen}</prefix-length></address></ipv4>",
                      "  </interface>"]
        lines += [" </interfaces>", "</config>", ""]
        return "\n".join(lines)

    def _start_cli_peers(self) -> None:
        """sshd (vtysh login shell) per routing host, and netconfd behind it when asked."""
        files = self._write_login()
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
        bin_dir = self.run_dir / "bin"
        if self.netconf:
            # yuma123's ietf-interfaces SIL popen()s this helper, which Debian does not ship;
            # without it netconfd aborts on the first /interfaces-state read (lab README 5.2)
            bin_dir.mkdir(exist_ok=True)
            helper = bin_dir / "get-interface-ipv4"
            helper.write_text(
                "#!/bin/sh\n# prints the ietf-ip <ipv4> subtree for interface $1 (or nothing)\n"
                'ip -4 -o addr show dev "$1" 2>/dev/null | awk \'\n'
                '  { split($4, a, "/"); s = s "<address><ip>" a[1] "</ip><prefix-length>" a[2]'
                ' "</prefix-length></address>"; n++ }\n'
                '  END { if (n) print "<ipv4 xmlns=\\"urn:ietf:params:xml:ns:yang:ietf-ip\\">"'
                ' s "</ipv4>" }\'\n')
            helper.chmod(0o755)
        user = self.login[0]
        for host in self.cli_hosts:
            d = self.run_dir / host
            oob = self.spec.oob_address(host)
            sock = d / "ncxserver.sock"
            if self.netconf:
                home = d / "netconf-home"  # netconfd keeps state in ~/.yuma
                home.mkdir(exist_ok=True)
                startup = d / "startup-cfg.xml"
                startup.write_text(self._netconf_startup(host))
                self._netconfd[host] = self._spawn(
                    self.ns(host),
                    ["/usr/sbin/netconfd", "--module=iana-if-type", "--module=ietf-ip",
                     "--module=ietf-interfaces", f"--startup={startup}", f"--superuser={user}",
                     f"--ncxserver-sockname={sock}", "--port=830", f"--log={d / 'netconfd.log'}"],
                    d / "netconfd.out",
                    {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(home)},
                    cwd=home)
            conf = [f"ListenAddress {oob}:22", f"HostKey {files['key']}", f"PidFile {d / 'sshd.pid'}",
                    "UsePAM no", "PasswordAuthentication yes", "KbdInteractiveAuthentication no",
                    "PermitRootLogin no", f"AllowUsers {user}", f"SetEnv NMS_LAB_VTY={d / 'frr'}",
                    "PrintMotd no", "PrintLastLog no", "MaxStartups 50", "LoginGraceTime 30"]
            if self.netconf:
                # netconf-subsystem picks its socket by the server port: "<port>@<path>"; a bare
                # path is silently ignored and it falls back to /tmp/ncxserver.sock
                conf += [f"ListenAddress {oob}:830",
                         f"Subsystem netconf /usr/sbin/netconf-subsystem "
                         f"--ncxserver-sockname=830@{sock}"]
            (d / "sshd_config").write_text("\n".join(conf) + "\n")
            # own mount + UTS namespace: the login exists only here; vtysh shows the router name
            script = ('hostname "$0" && mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow'
                      ' && mount --bind "$3" /etc/group && exec /usr/sbin/sshd -D -f "$4" -E "$5"')
            self._sshd[host] = self._spawn(
                self.ns(host),
                ["unshare", "--mount", "--uts", "--propagation", "private", "--", "sh", "-c", script,
                 host, str(files["passwd"]), str(files["shadow"]), str(files["group"]),
                 str(d / "sshd_config"), str(d / "sshd.log")],
                d / "sshd.out")

    def _peer_problems(self) -> list[str]:
        """sshd/netconfd processes of this lab that died, with the last line of their log."""
        out = []
        for kind, pids in (("sshd", self._sshd), ("netconfd", self._netconfd)):
            for host, pid in pids.items():
                if not _alive(pid):
                    log_path = self.run_dir / host / f"{kind}.log"
                    lines = log_path.read_text(errors="replace").strip().splitlines() \
                        if log_path.exists() else []
                    out.append(f"{kind} of {host} exited: {lines[-1] if lines else 'no log'}")
        return out

    def _listening(self, address: str, port: int) -> bool:
        def attempt() -> bool:
            try:
                with socket.create_connection((address, port), timeout=1.0):
                    return True
            except OSError:
                return False

        return bool(self.mgmt_call(attempt))

    def mgmt_call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a thread inside the mgmt namespace (see call_in_namespace)."""
        return call_in_namespace(self.mgmt_ns, fn, *args, **kwargs)

    def host_call(self, host: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a thread inside ``host``'s namespace."""
        return call_in_namespace(self.ns(host), fn, *args, **kwargs)

    def vtysh(self, host: str, *commands: str, timeout: float = 30.0) -> str:
        """Run vtysh commands on ``host`` as root (e.g. ``"configure terminal"``,
        ``"interface eth1"``, ``"description uplink"``); returns the output.

        Runs in a UTS namespace named after the host, as the SSH logins do: vtysh prints the
        kernel host name in ``show running-config`` and ``show version``."""
        argv = ["ip", "netns", "exec", self.ns(host), "unshare", "--uts", "--", "sh", "-c",
                'hostname "$0" && exec "$@"', host, "/usr/bin/vtysh", "--vty_socket",
                str(self.run_dir / host / "frr")]
        for command in commands:
            argv += ["-c", command]
        return _run(argv, timeout=timeout).stdout

    def sshd_pid(self, host: str) -> int:
        """PID of ``host``'s sshd listener.

        Raises:
            KeyError: the lab runs no sshd on ``host``.
        """
        if host in self._sshd:
            return self._sshd[host]
        pid_file = self.run_dir / host / "sshd.pid"  # a lab loaded from lab.json
        if host in self.cli_hosts and pid_file.exists():
            return int(pid_file.read_text().split()[0])
        raise KeyError(f"no sshd on {host!r}")

    def ssh_session_pids(self, host: str) -> list[int]:
        """PIDs of ``host``'s live SSH sessions: every descendant of its sshd listener."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        out, todo = [], list(children.get(self.sshd_pid(host), []))
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return sorted(out)

    @staticmethod
    def _wait(condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise LabError(f"timed out after {timeout:g} s waiting for {what}")

    # ---- readiness and state ------------------------------------------------------------
    def mgmt_exec(self, argv: Sequence[str], *, timeout: float = 30.0, check: bool = False
                  ) -> subprocess.CompletedProcess[str]:
        """Run a program in the mgmt namespace (the poller's vantage point)."""
        return _run(["ip", "netns", "exec", self.mgmt_ns, *argv], check=check, timeout=timeout)

    def snmp_walk_count(self, host: str, oid: str) -> int:
        """How many objects an SNMP walk of ``oid`` on ``host`` returns (from mgmt, out-of-band)."""
        proc = self.mgmt_exec(["snmpbulkwalk", "-m", "", "-v2c", "-c", self.community, "-Oqv",
                               "-t", "1", "-r", "0", self.spec.oob_address(host), oid])
        return sum(1 for line in proc.stdout.splitlines()
                   if line.strip() and not line.startswith("No Such"))

    def expected_lldp_rows(self) -> dict[str, int]:
        """Per host, how many LLDP neighbours it should see with every link up."""
        lldp = {h.name for h in self.spec.hosts if h.lldp}
        rows = {h: 0 for h in lldp}
        for link in self.spec.links:
            if link.a in lldp and link.b in lldp:
                rows[link.a] += 1
                rows[link.b] += 1
        return rows

    def readiness(self) -> dict[str, bool]:
        """What is ready now: ``snmp`` (all agents), ``lldp`` (all neighbours in LLDP-MIB),
        ``routing`` (every in-band probe address answers a ping from mgmt)."""
        snmp = all(self.mgmt_exec(["snmpget", "-m", "", "-v2c", "-c", self.community, "-t", "1",
                                   "-r", "0", self.spec.oob_address(h.name), OID_SYSNAME]
                                  ).returncode == 0 for h in self.spec.hosts)
        lldp = snmp and all(self.snmp_walk_count(h, OID_LLDP_REM_SYSNAME) >= n
                            for h, n in self.expected_lldp_rows().items())
        routing = all(self.ping(self.spec.probe_address(h.name)) for h in self.spec.hosts)
        state = {"snmp": snmp, "lldp": lldp, "routing": routing}
        if self.ssh:
            state["ssh"] = all(self._listening(self.spec.oob_address(h), 22) for h in self.cli_hosts)
        if self.netconf:
            state["netconf"] = all(
                (self.run_dir / h / "ncxserver.sock").exists()
                and self._listening(self.spec.oob_address(h), 830) for h in self.cli_hosts)
        return state

    def ping(self, address: str, timeout_s: float = 1.0) -> bool:
        """One ICMP echo from the mgmt namespace (``ping`` binary); True if answered."""
        proc = self.mgmt_exec(["ping", "-n", "-q", "-c", "1", "-W", f"{timeout_s:g}", address],
                              timeout=timeout_s + 5)
        return proc.returncode == 0

    def wait_ready(self, timeout: float = 60.0) -> dict[str, bool]:
        """Block until :meth:`readiness` is all true.

        Raises:
            LabError: not ready within ``timeout`` seconds (the message says what is missing).
        """
        deadline = time.monotonic() + timeout
        state: dict[str, bool] = {}
        while time.monotonic() < deadline:
            state = self.readiness()
            if all(state.values()):
                return state
            time.sleep(0.3)
        problems = self._peer_problems()
        raise LabError(f"lab not ready after {timeout:g} s: {state}"
                       + (f" ({'; '.join(problems)})" if problems else ""))

    def status(self) -> dict[str, Any]:
        """Namespaces present and the processes running in each."""
        present = set(list_namespaces())
        return {"prefix": self.prefix, "run_dir": str(self.run_dir),
                "namespaces": {ns: {"present": ns in present,
                                    "processes": len(namespace_pids(ns)) if ns in present else 0}
                               for ns in self.namespaces}}

    # ---- link faults ---------------------------------------------------------------------
    def link(self, which: LabLink | str | tuple[str, str]) -> LabLink:
        """Find a link by object, name (``a:eth1--b:eth1``), host pair, or a host's uplink
        (a bare host name: the link towards its parent)."""
        if isinstance(which, LabLink):
            return which
        for link in self.spec.links:
            if isinstance(which, tuple) and set(which) == {link.a, link.b}:
                return link
            if which == link.name:
                return link
        if isinstance(which, str):
            for link in self.spec.links:
                if link.b == which:
                    return link
        raise KeyError(f"no link {which!r}")

    def cut(self, which: LabLink | str | tuple[str, str]) -> LabLink:
        """Take a link down (``ip link set <a-side> down``; the veth peer loses carrier too)."""
        link = self.link(which)
        self._ip("-n", self.ns(link.a), "link", "set", link.a_if, "down")
        return link

    def restore(self, which: LabLink | str | tuple[str, str]) -> LabLink:
        """Bring a link back up."""
        link = self.link(which)
        self._ip("-n", self.ns(link.a), "link", "set", link.a_if, "up")
        return link

    # ---- inventory -----------------------------------------------------------------------
    def inventory(self, *, snmp_auth: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """The lab as an inventory in the import format (``nms inventory import``).

        Devices carry their in-band address (loopback, or link address for hosts that do not
        route); the out-of-band one is :meth:`LabSpec.oob_address`.
        """
        sites: dict[str, dict[str, Any]] = {}
        for h in self.spec.hosts:
            if h.site in sites:
                continue
            parent = None if h.level == "city" else ("city" if h.level == "county" else h.county)
            sites[h.site] = {"code": h.site, "name": h.site_name, "level": h.level,
                             "parent": parent}
        devices = [{"name": h.name, "address": self.spec.probe_address(h.name), "role": h.role,
                    "vendor": "net-snmp", "platform": "linux", "site": h.site,
                    "zone": "extranet", "snmp_auth": snmp_auth} for h in self.spec.hosts]
        interfaces = []
        for lk in self.spec.links:
            interfaces.append({"device": lk.a, "name": lk.a_if, "address": lk.a_ip,
                               "description": f"to {lk.b} {lk.b_if}"})
            interfaces.append({"device": lk.b, "name": lk.b_if, "address": lk.b_ip,
                               "description": f"to {lk.a} {lk.a_if}"})
        links = [{"a_device": lk.a, "a_interface": lk.a_if, "b_device": lk.b,
                  "b_interface": lk.b_if, "tier": lk.tier, "bandwidth_mbps": 10000}
                 for lk in self.spec.links]
        return {"sites": list(sites.values()), "devices": devices, "interfaces": interfaces,
                "links": links}

    def topology_devices(self) -> list[dict[str, Any]]:
        """Devices as ``nms.topology`` takes them (name, address, role, site, county, level)."""
        return [{"name": h.name, "address": self.spec.probe_address(h.name), "role": h.role,
                 "site": h.site, "site_name": h.site_name, "county": h.county, "level": h.level}
                for h in self.spec.hosts]


def load_lab(prefix: str = DEFAULT_PREFIX) -> NetnsLab:
    """A handle on a lab started earlier (by ``nms netlab up``), from its ``lab.json``.

    Raises:
        LabError: no such lab.
    """
    meta_path = STATE_ROOT / prefix.rstrip("-") / "lab.json"
    if not meta_path.exists():
        raise LabError(f"no netns lab with prefix {prefix!r} (nothing at {meta_path})")
    meta = json.loads(meta_path.read_text())
    spec = LabSpec([LabHost(**h) for h in meta["spec"]["hosts"]],
                   [LabLink(**lk) for lk in meta["spec"]["links"]])
    return NetnsLab(spec, prefix=meta["prefix"], community=meta["community"],
                    owner_pid=meta.get("owner"), ssh=bool(meta.get("ssh")),
                    netconf=bool(meta.get("netconf")),
                    login=tuple(meta.get("login") or DEFAULT_LOGIN),  # type: ignore[arg-type]
                    trap_sink=tuple(meta["trap_sink"]) if meta.get("trap_sink") else None,  # type: ignore[arg-type]
                    trap_community=meta.get("trap_community"),
                    trap_poll_s=int(meta.get("trap_poll_s") or 2))
