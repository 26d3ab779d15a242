"""Benchmark: console page and API response times with 5,000 devices and 10,000 open alarms.

One command: ``.venv/bin/python bench/bench_web.py`` (``--devices``, ``--alarms``,
``--duration``, ``--connections``, ``--keep``, ``--dir``, ``--server``, ``--threads``).

What it does, and why this way:

1. Generates a network into a temporary SQLite database through the real models: one city,
   20 counties, townships under them, a router and a firewall per county, switches at the
   townships (5,000 devices by default), each switch linked to its county router (planned
   interfaces and links, so the map has edges), one account per role of interest and an API
   token. Alarms are raised through ``nms.alarms.AlarmManager.process_events`` -- the code the
   trap receiver and the scheduler use -- spread over every device and severity (10,000 open
   by default, plus a few cleared ones so the board has history to skip).
   Each device also gets *collected state* in ``nms.state``'s table, shaped as the SNMP
   collector stores it (``facts``, ``interfaces`` with ifOperStatus, ``addresses``,
   ``lldp_neighbors`` naming both ends of every planned link), so ``nms.topology`` discovers
   and reconciles real LLDP; county05's uplink is cut (both ports oper-down, no LLDP on them).
2. Before each run, writes fresh samples into the SQLite sink (``<dir>/data/samples.db``):
   ``poll_status`` of every device (county05's router, firewall and switches unreachable) and
   two ``interface`` counter readings a minute apart on every router port of a link, so the
   map has reachability, root cause and utilisation to show.
3. Starts ``nms serve`` (the real command, on a free 127.0.0.1 port) as a subprocess with a
   config pointing at that database and sink; ``--server werkzeug`` runs the same application
   under werkzeug's threaded development server instead (what ``nms serve`` used to run), for
   comparison.
4. Signs in through the login form (a Python ``requests`` session) for the page cookie and
   uses the bearer token for the API, then drives each endpoint with ``wrk`` (Debian package)
   for ``--duration`` seconds with ``--connections`` concurrent connections; a Lua script sets
   the header and prints the median and 95th percentile. Without ``wrk`` a Python thread pool
   does the same (fewer requests per second on 2 cores, same figures per request).

Only 127.0.0.1 is ever contacted. Figures are milliseconds per request under that load, so
they include queueing: with 8 connections on a 2-core machine a request waits for the ones
ahead of it. "alone" is the median of 10 sequential requests (after a first one that may fill
caches; its time is the "first" column, e.g. the topology graph's cold build), i.e. the
service time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PASSWORD = "Bench-Passw0rd!"
COUNTIES = 20
TOWNSHIPS_PER_COUNTY = 12
SEVERITIES = ("critical", "major", "minor", "warning", "info")

LUA = r"""
local hdr = os.getenv("BENCH_HEADER") or ""
local name, value = hdr:match("^([^:]+):%s*(.*)$")
if name then wrk.headers[name] = value end
wrk.headers["Accept"] = "text/html,application/json"
local non2xx = 0
response = function(status, headers, body)
  if status >= 300 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.3f %.3f %.3f %d\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency.mean / 1000, summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.timeout))
end
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def generate(db_path: Path, devices: int, alarms: int) -> dict[str, Any]:
    """Fill ``db_path`` with the network, accounts, a token and the alarms; returns facts."""
    from inventory.models import Device, Interface, Link, Site
    from nms.alarms import AlarmManager, Event
    from nms.db import make_engine, migrate, session_scope
    from nms.models import Severity
    from web.models import ApiToken, User
    from web.security import hash_password, new_token, token_digest

    t0 = time.perf_counter()
    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    pw = hash_password(PASSWORD, "pbkdf2:sha256:1000")
    with session_scope(engine) as session:
        city = Site(code="city", name="示范市", level="city")
        session.add(city)
        counties, townships = [], []
        for c in range(COUNTIES):
            county = Site(code=f"county{c:02d}", name=f"第{c + 1}县", level="county", parent=city)
            counties.append(county)
            for t in range(TOWNSHIPS_PER_COUNTY):
                townships.append(Site(code=f"county{c:02d}-town{t:02d}", name=f"第{c + 1}县{t + 1}镇",
                                      level="township", parent=county))
        session.add_all(counties + townships)
        session.flush()
        rows: list[Device] = [
            Device(name="city-core-1", address="10.255.0.1", role="router", vendor="huawei",
                   platform="huawei_vrp", site=city, zone="extranet", tags=[]),
            Device(name="city-core-2", address="10.255.0.2", role="router", vendor="huawei",
                   platform="huawei_vrp", site=city, zone="extranet", tags=[]),
            Device(name="city-fw-1", address="10.255.0.3", role="firewall", vendor="huawei",
                   platform="huawei_vrp", site=city, zone="internet_edge", tags=[]),
        ]
        routers = {}
        for c, county in enumerate(counties):
            r = Device(name=f"{county.code}-r1", address=f"10.{c}.0.1", role="router", vendor="h3c",
                       platform="hp_comware", site=county, zone="extranet", tags=[])
            routers[county.id] = r
            rows += [r, Device(name=f"{county.code}-fw1", address=f"10.{c}.0.2", role="firewall",
                               vendor="h3c", platform="hp_comware", site=county,
                               zone="extranet", tags=[])]
        i = 0
        while len(rows) < devices:
            town = townships[i % len(townships)]
            n = i // len(townships)
            rows.append(Device(name=f"{town.code}-sw{n:02d}", address=f"172.{16 + i // 65000}.{i // 250 % 256}.{i % 250 + 1}",
                               role="switch", vendor="ruijie", platform="ruijie_os", site=town,
                               zone="extranet", tags=[]))
            i += 1
        session.add_all(rows)
        session.flush()
        links = []
        uplink_no: dict[int, int] = {}
        for dev in rows:
            if dev.role != "switch":
                continue
            router = routers[dev.site.parent_id]
            k = uplink_no[router.id] = uplink_no.get(router.id, 0) + 1
            a = Interface(device=router, name=f"GE1/{k // 48}/{k % 48}")
            b = Interface(device=dev, name="Gi0/1", description="uplink")
            links.append(Link(a_interface=a, b_interface=b, tier="township", bandwidth_mbps=100))
        for c, county in enumerate(counties):
            a = Interface(device=rows[c % 2], name=f"GE0/{c}/0")
            b = Interface(device=routers[county.id], name="GE0/0/0", description="uplink")
            links.append(Link(a_interface=a, b_interface=b, tier="county", bandwidth_mbps=1000))
        session.add_all(links)
        session.flush()
        n_state = _add_state(session, rows, links, cut_county="county05")
        admin = User(username="admin", role="administrator", password_hash=pw, active=True,
                     failed_attempts=0)
        county_user = User(username="county03", role="network_engineer", password_hash=pw,
                           active=True, failed_attempts=0, site_id=counties[3].id)
        session.add_all([admin, county_user])
        session.flush()
        token = new_token()
        session.add(ApiToken(user=admin, name="bench", token_hash=token_digest(token),
                             prefix=token[:12], revoked=False))
        names = [d.name for d in rows]
        n_links = len(links)
    t1 = time.perf_counter()
    manager = AlarmManager(engine)
    events = []
    for k in range(alarms):
        dev = names[k % len(names)]
        sev = Severity(SEVERITIES[k % len(SEVERITIES)])
        events.append(Event("TRAP-LINK" if k % 3 else "LINK-003", dev, f"GE0/0/{k // len(names)}",
                            sev, f"link {k} down", f"链路 {k} 中断", source="event"))
    for start in range(0, len(events), 2000):
        manager.process_events(events[start:start + 2000])
    cleared = [Event(e.check_id, e.device, e.subject, e.severity, "up", "恢复", clears=True)
               for e in events[:200]]
    manager.process_events(cleared)
    manager.process_events(events[:200])  # raised again: 200 alarms with reopen history
    t2 = time.perf_counter()
    engine.dispose()
    return {"token": token, "devices": len(names), "links": n_links, "state_rows": n_state,
            "cut_county": "county05", "inventory_s": t1 - t0, "alarms_s": t2 - t1}


def _add_state(session: Any, devices: list[Any], links: list[Any], cut_county: str) -> int:
    """Collected state per device, as the SNMP collector stores it; ``cut_county``'s uplink cut.

    Interfaces are the planned ones (ifIndex in order, ifOperStatus up, the link's speed),
    addresses the management address, LLDP neighbours both ends of every planned link (chassis
    MAC, interfaceName port ID, system name, management address). The cut uplink's two ports
    are oper-down and carry no LLDP row, as after a real cable cut.
    """
    from nms.state import DeviceStateRow

    ports: dict[int, dict[str, dict[str, Any]]] = {}
    mac = {dev.id: 0x0200_0000_0000 + (dev.id << 8) for dev in devices}
    speed: dict[tuple[int, str], int] = {}
    for link in links:
        for iface in (link.a_interface, link.b_interface):
            speed[(iface.device.id, iface.name)] = (link.bandwidth_mbps or 1000) * 10**6
    for dev in devices:
        table: dict[str, dict[str, Any]] = {}
        for n, iface in enumerate(sorted(dev.interfaces, key=lambda i: i.name), start=1):
            table[iface.name] = {
                "ifIndex": n, "ifName": iface.name, "ifDescr": iface.name,
                "ifAlias": iface.description or "", "ifType": "ethernetCsmacd",
                "speed_bps": speed.get((dev.id, iface.name), 10**9), "ifAdminStatus": "up",
                "ifOperStatus": "up", "ifPhysAddress": f"{mac[dev.id] + n:012x}"}
        ports[dev.id] = table
    cut: set[tuple[int, str]] = set()
    for link in links:
        if link.b_interface.device.name == f"{cut_county}-r1":  # its uplink to the city
            cut |= {(i.device.id, i.name) for i in (link.a_interface, link.b_interface)}
    for dev_id, name in cut:
        ports[dev_id][name]["ifOperStatus"] = "down"
    neighbours: dict[int, list[dict[str, Any]]] = {dev.id: [] for dev in devices}
    for link in links:
        a, b = link.a_interface, link.b_interface
        if (a.device.id, a.name) in cut:
            continue
        for here, there in ((a, b), (b, a)):
            chassis = f"{mac[there.device.id] + 1:012x}"  # the MAC of its first port
            neighbours[here.device.id].append({
                "local_ifIndex": ports[here.device.id][here.name]["ifIndex"],
                "local_port_num": ports[here.device.id][here.name]["ifIndex"],
                "remote_chassis_id": ":".join(chassis[i:i + 2] for i in range(0, 12, 2)),
                "remote_chassis_id_subtype": "macAddress", "remote_port_id": there.name,
                "remote_port_id_subtype": "interfaceName", "remote_port_description": None,
                "remote_sysname": there.device.name,
                "remote_system_description": f"{there.device.vendor} {there.device.role}",
                "remote_mgmt_address": there.device.address})
    rows = []
    for dev in devices:
        state = {
            "facts": {"sysName": dev.name, "sysDescr": f"{dev.vendor} {dev.role}",
                      "vendor": dev.vendor},
            "interfaces": list(ports[dev.id].values()),
            "addresses": [{"ifIndex": 0, "address": dev.address, "prefix_length": 32,
                           "family": 4}],
            "lldp_neighbors": neighbours[dev.id],
        }
        rows += [DeviceStateRow(device_id=dev.id, getter=getter, data=data)
                 for getter, data in state.items()]
    session.add_all(rows)
    return len(rows)


def write_samples(data_dir: Path, cut_county: str) -> int:
    """Fresh ``poll_status`` and ``interface`` samples in the SQLite sink; returns how many.

    Every device answered its last poll 30 s ago except ``cut_county``'s devices (router,
    firewall, the switches behind it); every router port of a planned link has two counter
    readings a minute apart (a few Mbit/s each way), so rates and utilisation can be computed.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from collectors.sinks.sqlite import SqliteSink
    from inventory.models import Device, Interface, Link, Site
    from nms.db import make_engine, session_scope
    from nms.models import Sample, utcnow

    now = utcnow().replace(microsecond=0)
    engine = make_engine(f"sqlite:///{data_dir / 'nms.db'}")
    samples: list[Sample] = []
    with session_scope(engine) as session:
        sites = {s.id: s for s in session.scalars(select(Site))}
        for name, site_id in session.execute(select(Device.name, Device.site_id)):
            site = sites[site_id]
            county = site.code if site.level == "county" else (
                sites[site.parent_id].code if site.parent_id and site.level == "township" else None)
            samples.append(Sample("poll_status", {"device": name},
                                  {"reachable": county != cut_county}, now - timedelta(seconds=30)))
        a_if = Link.a_interface_id
        rows = session.execute(select(Device.name, Interface.name).join(
            Interface, Interface.device_id == Device.id).join(Link, a_if == Interface.id))
        for k, (device, ifname) in enumerate(rows):
            for step, t in enumerate((now - timedelta(seconds=90), now - timedelta(seconds=30))):
                octets = 10**9 + step * (k % 50 + 1) * 7_500_000  # 1..50 Mbit/s
                samples.append(Sample("interface", {"device": device, "ifname": ifname},
                                      {"in_octets": octets, "out_octets": octets // 3}, t))
    engine.dispose()
    sink = SqliteSink(data_dir / "samples.db")
    try:
        sink.write(samples)
    finally:
        sink.close()
    return len(samples)


#: ``--server werkzeug``: the application under werkzeug's threaded development server, which
#: is what ``nms serve`` ran before it used waitress
WERKZEUG = """
import sys
from werkzeug.serving import run_simple
from nms.config import load_config
from web import create_app
print("werkzeug threaded development server", flush=True)
run_simple("127.0.0.1", int(sys.argv[2]), create_app(load_config(sys.argv[1])), threaded=True,
           use_reloader=False)
"""


@contextmanager
def server(config_path: Path, port: int, log: Path, kind: str = "nms",
           threads: int | None = None) -> Iterator[str]:
    """``nms serve`` on 127.0.0.1:port as a subprocess; yields its base URL."""
    venv = REPO / ".venv" / "bin"
    if kind == "werkzeug":
        python = venv / "python"
        cmd = [str(python) if python.exists() else sys.executable, "-c", WERKZEUG,
               str(config_path), str(port)]
    else:
        nms = venv / "nms"
        cmd = [str(nms) if nms.exists() else "nms", "--config", str(config_path), "serve",
               "--host", "127.0.0.1", "--port", str(port)]
        if threads:
            cmd += ["--threads", str(threads)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"nms serve exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("nms serve did not start within 60 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def login(url: str) -> str:
    """Sign in as admin through the form; returns the session cookie value."""
    import re

    import requests

    s = requests.Session()
    page = s.get(f"{url}/auth/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = s.post(f"{url}/auth/login", data={"username": "admin", "password": PASSWORD,
                                             "csrf_token": token},
                  allow_redirects=False, timeout=30)
    if resp.status_code != 302:
        raise RuntimeError(f"login failed: {resp.status_code}")
    return str(s.cookies["nms_session"])


def run_wrk(url: str, header: str, duration: int, connections: int, script: Path) -> dict[str, float]:
    """Drive ``url`` with wrk; returns requests, rps, median/p95/mean ms, errors."""
    env = {**os.environ, "BENCH_HEADER": header}
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
                          "-s", str(script), url], capture_output=True, text=True, env=env,
                         timeout=duration + 60, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH "))
    n, dur_us, p50, p95, mean, errors = line.split()[1:]
    return {"requests": int(n), "rps": int(n) / (int(dur_us) / 1e6), "median_ms": float(p50),
            "p95_ms": float(p95), "mean_ms": float(mean), "errors": int(errors)}


def run_pool(url: str, header: str, duration: int, connections: int) -> dict[str, float]:
    """The same measurement with a Python thread pool (when wrk is not installed)."""
    import requests

    name, value = header.split(":", 1)
    stop = time.monotonic() + duration

    def worker() -> tuple[list[float], int]:
        s = requests.Session()
        times, errors = [], 0
        while time.monotonic() < stop:
            t = time.perf_counter()
            r = s.get(url, headers={name: value.strip()}, timeout=30)
            times.append((time.perf_counter() - t) * 1000)
            errors += r.status_code >= 300
        return times, errors

    with ThreadPoolExecutor(connections) as pool:
        parts = list(pool.map(lambda _: worker(), range(connections)))
    times = sorted(t for p, _ in parts for t in p)
    return {"requests": len(times), "rps": len(times) / duration,
            "median_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "mean_ms": statistics.fmean(times), "errors": sum(e for _, e in parts)}


def drain(url: str, timeout: float = 120.0) -> None:
    """Wait until the server has finished the requests the last run left in flight.

    wrk stops sending at the deadline, but the server still works through what it accepted;
    without this, a slow endpoint's leftovers would be counted against the next one.
    """
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = time.perf_counter()
        requests.get(f"{url}/auth/login", timeout=timeout)
        if time.perf_counter() - t < 0.05:
            return
        time.sleep(0.2)


ENDPOINTS = [
    ("page", "/dashboard/"),
    ("page", "/topology/"),
    ("page", "/alarms/"),
    ("page", "/alarms/?severity=critical&page=3"),
    ("page", "/devices/"),
    ("api", "/api/v1/dashboard"),
    ("api", "/api/v1/topology"),
    ("api", "/api/v1/alarms?limit=50"),
    ("api", "/api/v1/devices?limit=200"),
]


def main() -> int:
    """Generate, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--alarms", type=int, default=10000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", help="comma-separated path prefixes to measure")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--dir", type=Path,
                        help="work in this directory and reuse the network generated there before "
                             "(for before/after comparisons); kept")
    parser.add_argument("--server", choices=["nms", "werkzeug"], default="nms",
                        help="nms serve (waitress), or the app under werkzeug's development server")
    parser.add_argument("--threads", type=int, help="nms serve --threads")
    args = parser.parse_args()

    tmp = args.dir or Path(tempfile.mkdtemp(prefix="nms-bench-web-"))
    args.keep = args.keep or args.dir is not None
    try:
        saved = tmp / "facts.json"
        if saved.exists():
            facts = json.loads(saved.read_text(encoding="utf-8"))
            print(f"reusing the network generated in {tmp} before: {facts['devices']} devices, "
                  f"{facts['links']} links, {facts.get('alarms', '?')} alarms")
        else:
            tmp.mkdir(parents=True, exist_ok=True)
            facts = generate(tmp / "data" / "nms.db", args.devices, args.alarms)
            facts["alarms"] = args.alarms
            saved.write_text(json.dumps(facts), encoding="utf-8")
            print(f"generated {facts['devices']} devices, {facts['links']} links, "
                  f"{facts['state_rows']} state rows in "
                  f"{facts['inventory_s']:.1f} s; {args.alarms} alarms through nms.alarms in "
                  f"{facts['alarms_s']:.1f} s")
        # networks generated before collected state was added keep their memory sink
        with_state = bool(facts.get("state_rows"))
        if with_state:
            n = write_samples(tmp / "data", facts["cut_county"])
            print(f"wrote {n} fresh samples (poll_status, interface) to the SQLite sink")
        config = {"data_dir": str(tmp / "data"),
                  "sink": {"type": "sqlite" if with_state else "memory"},
                  "web": {"secret_key": "bench-secret-key-0123456789abcdef0123"}}
        (tmp / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
        script = tmp / "bench.lua"
        script.write_text(LUA, encoding="utf-8")
        use_wrk = shutil.which("wrk") is not None
        port = free_port()
        with server(tmp / "config.yaml", port, tmp / "serve.log", args.server,
                    args.threads) as url:
            drain(url)
            cookie = login(url)
            headers = {"page": f"Cookie: nms_session={cookie}",
                       "api": f"Authorization: Bearer {facts['token']}"}
            import requests

            started = (tmp / "serve.log").read_text(errors="replace").strip().splitlines()
            print(f"driver: {'wrk' if use_wrk else 'Python thread pool'}, {args.connections} "
                  f"connections, {args.duration} s per endpoint; server: "
                  f"{started[0][:120] if started else args.server}; "
                  f"load average {os.getloadavg()[0]:.2f}")
            print("alone = median of 10 requests one after another (the service time); the other "
                  "columns are under the concurrent load")
            print(f"{'endpoint':<36} {'bytes':>9} {'first ms':>9} {'alone ms':>9} {'req':>6} "
                  f"{'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'errors':>6}")
            for kind, path in ENDPOINTS:
                if args.only and not any(path.startswith(p) for p in args.only.split(",")):
                    continue
                name, value = headers[kind].split(":", 1)
                t = time.perf_counter()
                first = requests.get(url + path, headers={name: value.strip()}, timeout=120)
                first_ms = (time.perf_counter() - t) * 1000
                if first.status_code != 200:
                    print(f"{path}: HTTP {first.status_code}", file=sys.stderr)
                    return 1
                alone = []
                for _ in range(10):
                    t = time.perf_counter()
                    requests.get(url + path, headers={name: value.strip()}, timeout=120)
                    alone.append((time.perf_counter() - t) * 1000)
                if use_wrk:
                    r = run_wrk(url + path, headers[kind], args.duration, args.connections, script)
                else:
                    r = run_pool(url + path, headers[kind], args.duration, args.connections)
                drain(url)
                print(f"{path:<36} {len(first.content):>9} {first_ms:>9.1f} "
                      f"{statistics.median(alone):>9.1f} "
                      f"{r['requests']:>6} {r['rps']:>7.1f} {r['median_ms']:>10.1f} "
                      f"{r['p95_ms']:>8.1f} {r['errors']:>6}", flush=True)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
