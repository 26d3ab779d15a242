"""Benchmark of the time-series sinks: ingest rate, availability query time, spool replay memory.

Why: issue 4 promises that the InfluxDB sink costs little over posting line protocol by hand
(goal: at least 0.9x the raw rate), that SQLite is good enough for a county, that a 30-day
availability report for 500 devices is quick, and that replaying a large spool does not need
memory in proportion to its size. This script measures exactly those, in one run, against a real
influxd (Debian's 1.x, started on a free loopback port with its own data directory):

  1. sustained ingest of interface samples (500 devices x 20 interfaces, 4 fields) through
     ``open_sink`` (spool + sink, one polling round of 10 000 samples per ``write``), against raw
     line protocol POSTed with ``http.client`` (5000 lines per request), interleaved trials;
  2. a 30-day availability query, 500 devices, 5-minute buckets, over ``poll_status`` written
     every 5 minutes (500 x 8640 points), on InfluxDB and on SQLite;
  3. peak RSS of a process replaying a spool of 200 000 and of 1 000 000 samples into InfluxDB.

Run: ``.venv/bin/python bench/bench_sinks.py`` (about 3-5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # tests.support.tsdb starts the servers

from collectors.sinks.influx import InfluxSink  # noqa: E402
from collectors.sinks.sqlite import SqliteSink  # noqa: E402
from nms.config import Config, SinkConfig  # noqa: E402
from nms.models import Sample, utcnow  # noqa: E402
from nms.sink import open_sink, to_us  # noqa: E402
from nms.spool import Spool, SpooledSink  # noqa: E402
from tests.support.tsdb import InfluxServer  # noqa: E402

DEVICES = 500
INTERFACES = 20
ROUND = DEVICES * INTERFACES  # samples per polling round
TRIALS = 5
ROUNDS_PER_TRIAL = 3
DAYS = 30
STEP = timedelta(minutes=5)


def interface_round(r: int, t0: datetime) -> list[Sample]:
    """One polling round: every interface of every device, 4 fields, timestamp t0 + r s."""
    t = t0 + timedelta(seconds=r)
    return [Sample("interface", {"device": f"sw-{d:03d}", "ifname": f"Gi0/{i}", "site": f"town-{d % 25}"},
                   {"in_octets": 10**9 + r * 1000 + i, "out_octets": 2 * 10**9 + r * 700 + d,
                    "in_errors": r % 7, "util_percent": (r * 7 + i) % 1000 / 10},
                   t) for d in range(DEVICES) for i in range(INTERFACES)]


def raw_line(s: Sample) -> str:
    """Baseline encoder: plain f-strings, no escaping (the bench data needs none)."""
    tags = ",".join(f"{k}={v}" for k, v in sorted(s.tags.items()))
    fields = ",".join(f"{k}={v}i" if isinstance(v, int) and not isinstance(v, bool) else
                      f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                      for k, v in sorted(s.fields.items()))
    return f"{s.measurement},{tags} {fields} {to_us(s.time)}"


class RawWriter:
    """The baseline: line protocol POSTed with http.client, no client library at all."""

    def __init__(self, port: int, db: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.path = f"/write?db={db}&precision=u"

    def write(self, samples: list[Sample], lines_per_post: int = 5000) -> None:
        for i in range(0, len(samples), lines_per_post):
            body = "\n".join(raw_line(s) for s in samples[i : i + lines_per_post]).encode()
            self.conn.request("POST", self.path, body)
            resp = self.conn.getresponse()
            text = resp.read()
            if resp.status != 204:
                raise RuntimeError(f"raw write: HTTP {resp.status}: {text[:300]!r}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Cost:
    """CPU microseconds per point spent by this process and by the server, over trials.

    Wall-clock rates swing with whatever else runs on the machine; CPU per point does not, and
    says where the time goes.
    """

    def __init__(self) -> None:
        self.points = 0
        self.client_s = 0.0
        self.server_s = 0.0

    def client_us(self) -> float:
        return self.client_s / self.points * 1e6

    def server_us(self) -> float:
        return self.server_s / self.points * 1e6


def rate(write: object, rounds: list[list[Sample]], cost: Cost | None = None,
         server_pid: int | None = None) -> float:
    n = sum(map(len, rounds))
    cpu0 = time.process_time()
    srv0 = cpu_seconds(server_pid) if server_pid else 0.0
    start = time.perf_counter()
    for batch in rounds:
        write(batch)  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    if cost is not None and server_pid:
        cost.points += n
        cost.client_s += time.process_time() - cpu0
        cost.server_s += cpu_seconds(server_pid) - srv0
    return n / elapsed


def bench_ingest(server: InfluxServer, tmp: Path) -> dict[str, float]:
    t0 = utcnow().replace(microsecond=0) - timedelta(hours=2)
    sink = open_sink(Config(data_dir=str(tmp / "ingest"), sink=SinkConfig(
        type="influxdb", url=server.url, database="bench_ours", raw_retention_days=0)))
    server.query('CREATE DATABASE "bench_raw"')
    raw = RawWriter(server.port, "bench_raw")
    # warm-up: create the 10 000 series in both databases, load the code paths
    warm = interface_round(0, t0)
    sink.write(warm)
    raw.write(warm)
    ours_rates, raw_rates = [], []
    costs = {"raw": Cost(), "ours": Cost()}
    r = 1
    for trial in range(TRIALS):
        # each trial writes the same new rounds both ways, alternating who goes first, so that
        # a busy neighbour on the machine hits both sides alike
        order = [("raw", raw.write), ("ours", sink.write)]
        for name, write in order if trial % 2 == 0 else order[::-1]:
            rounds = [interface_round(r + k, t0) for k in range(ROUNDS_PER_TRIAL)]
            (raw_rates if name == "raw" else ours_rates).append(
                rate(write, rounds, costs[name], server.pid))
        r += ROUNDS_PER_TRIAL
    assert isinstance(sink, SpooledSink) and not sink.spooling
    sink.close()
    got = server.rows('SELECT count("in_octets") FROM "bench_ours"."raw"."interface"',
                      "bench_ours")[0][1]["count"]
    assert got == ROUND * (1 + TRIALS * ROUNDS_PER_TRIAL), got

    # SQLite: the same rounds, then one device's poll (20 samples) per write
    lite = open_sink(Config(data_dir=str(tmp / "sqlite-ingest"), sink=SinkConfig(type="sqlite")))
    lite.write(warm)
    rounds = [interface_round(k, t0) for k in range(1, 1 + ROUNDS_PER_TRIAL)]
    sqlite_rate = rate(lite.write, rounds)
    small = [b[i : i + INTERFACES] for b in [interface_round(100, t0)] for i in range(0, ROUND, INTERFACES)]
    sqlite_small = rate(lite.write, small)
    lite.close()
    return {
        "influx_ours": statistics.median(ours_rates), "influx_raw": statistics.median(raw_rates),
        "pair_ratio": statistics.median(o / w for o, w in zip(ours_rates, raw_rates, strict=True)),
        "best_ratio": max(ours_rates) / max(raw_rates),
        "costs": costs,  # type: ignore[dict-item]
        "ours_trials": ours_rates, "raw_trials": raw_rates,  # type: ignore[dict-item]
        "sqlite": sqlite_rate, "sqlite_small": sqlite_small,
    }


def poll_status_days(start: datetime) -> Iterator[list[Sample]]:
    """30 days of poll_status for 500 devices every 5 minutes, one day per list.

    Every device is unreachable for the same hour on day 3 and, device by device, one poll in
    97, so that the fractions are not all 1.0.
    """
    per_day = int(timedelta(days=1) / STEP)
    for day in range(DAYS):
        batch = []
        for k in range(per_day):
            b = day * per_day + k
            t = start + b * STEP
            for d in range(DEVICES):
                up = not (day == 3 and k < 12) and (b + d) % 97 != 0
                batch.append(Sample("poll_status", {"device": f"sw-{d:03d}", "collector": "snmp"},
                                    {"reachable": up}, t))
        yield batch


def bench_availability(server: InfluxServer, tmp: Path) -> dict[str, float]:
    end = datetime.fromtimestamp((int(utcnow().timestamp()) // 300) * 300, tz=utcnow().tzinfo)
    start = end - timedelta(days=DAYS)
    influx = InfluxSink(server.url, database="bench_avail", raw_retention_days=0)
    influx.write([Sample("poll_status", {"device": "setup"}, {"reachable": True},
                         start - timedelta(days=1))])  # creates database and policies
    raw = RawWriter(server.port, "bench_avail")
    raw.path = "/write?db=bench_avail&rp=raw&precision=u"
    lite = SqliteSink(tmp / "avail.db", raw_retention_days=0, batch_size=50_000)
    # load both stores at once: the InfluxDB side mostly waits for influxd, the SQLite side
    # (SqliteSink.write, measured) runs meanwhile; one day of samples at a time
    load = {"influx": 0.0, "sqlite": 0.0}

    def timed(name: str, write: Callable[[list[Sample]], None], batch: list[Sample]) -> None:
        t = time.perf_counter()
        write(batch)
        load[name] += time.perf_counter() - t

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for day in poll_status_days(start):
            if pending is not None:
                pending.result()
            pending = pool.submit(timed, "influx",
                                  lambda b: raw.write(b, lines_per_post=20_000), day)
            timed("sqlite", lite.write, day)
        if pending is not None:
            pending.result()
    load_s = time.perf_counter() - t
    load_influx, load_sqlite = load["influx"], load["sqlite"]
    out = {"points": DEVICES * DAYS * int(timedelta(days=1) / STEP), "load_s": load_s,
           "load_influx_s": load_influx, "load_sqlite_s": load_sqlite}
    for name, sink in (("influx", influx), ("sqlite", lite)):
        t = time.perf_counter()
        result = sink.availability(start, end, STEP)
        out[f"{name}_s"] = time.perf_counter() - t
        assert len(result) == DEVICES and all(len(row) == DAYS * 288 for row in result.values())
        out[f"{name}_check"] = result["sw-007"][3 * 288][1]  # type: ignore[assignment]
        mean = statistics.fmean(v for row in result.values() for _, v in row if v is not None)
        out[f"{name}_mean"] = mean
        del result
    influx.close()
    lite.close()
    return out


def fill_spool(path: Path, n: int, t0: datetime) -> None:
    spool = Spool(path, max_mb=4096)
    chunk = []
    for k in range(n):
        d, i = divmod(k % 1000, 20)
        chunk.append(Sample("interface", {"device": f"sw-{d:03d}", "ifname": f"Gi0/{i}"},
                            {"in_octets": k, "util_percent": k % 1000 / 10, "up": k % 3 > 0},
                            t0 + timedelta(milliseconds=k)))
        if len(chunk) == 50_000:
            spool.append(chunk)
            chunk = []
    spool.append(chunk)
    spool.close()


def memory_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB. VmHWM is the peak RSS of this program only;
    ``ru_maxrss`` would also count the parent's RSS at fork time."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])


def replay_child(spool_path: str, url: str, db: str) -> None:
    """Child process: replay a spool into InfluxDB, report RSS (kB) before and at the peak."""
    before, _ = memory_kb()
    sink = SpooledSink(InfluxSink(url, database=db, raw_retention_days=0), Spool(spool_path),
                       background=False)
    t = time.perf_counter()
    replayed = sink.replay()
    seconds = time.perf_counter() - t
    sink.close()
    _, peak = memory_kb()
    print(json.dumps({"before_kb": before, "peak_kb": peak, "replayed": replayed,
                      "seconds": seconds}))


def bench_replay(server: InfluxServer, tmp: Path) -> list[dict[str, float]]:
    results = []
    t0 = utcnow().replace(microsecond=0) - timedelta(days=2)
    for n in (200_000, 1_000_000):
        path = tmp / f"spool-{n}.db"
        t = time.perf_counter()
        fill_spool(path, n, t0)
        fill_s = time.perf_counter() - t
        db = f"bench_replay_{n}"
        out = subprocess.run([sys.executable, __file__, "--replay-child", str(path), server.url,
                              db], check=True, capture_output=True, text=True, cwd=REPO)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        got = server.rows(f'SELECT count("in_octets") FROM "{db}"."raw"."interface"', db)
        figures.update(n=n, fill_s=fill_s, stored=got[0][1]["count"] if got else 0,
                       spool_mb=path.stat().st_size / 1e6)
        results.append(figures)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replay-child", nargs=3, metavar=("SPOOL", "URL", "DB"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay_child:
        replay_child(*args.replay_child)
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nms-bench-") as tmpdir:
        tmp = Path(tmpdir)
        server = InfluxServer(tmp / "influxd").start()
        with urllib.request.urlopen(server.url + "/ping", timeout=5) as resp:
            influx_version = resp.headers.get("X-Influxdb-Version", "?")
        try:
            print(f"nms sink benchmark -- influxd {influx_version} at {server.url} (pid "
                  f"{server.pid}), {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
                  f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews "
                  "wall-clock rates)")
            print("\n1. Sustained ingest, interface samples (500 devices x 20 ifs, 4 fields), "
                  f"median of {TRIALS} interleaved trials of {ROUNDS_PER_TRIAL * ROUND:,} points")
            ing = bench_ingest(server, tmp)
            ratio = ing["influx_ours"] / ing["influx_raw"]
            print(f"   InfluxDB 1.x, nms open_sink (spool+InfluxSink, Point, 10k/write): "
                  f"{ing['influx_ours']:>9,.0f} points/s  trials "
                  f"{', '.join(f'{x:,.0f}' for x in ing['ours_trials'])}")  # type: ignore[attr-defined]
            print(f"   InfluxDB 1.x, raw line protocol via http.client (5000/POST):    "
                  f"{ing['influx_raw']:>9,.0f} points/s  trials "
                  f"{', '.join(f'{x:,.0f}' for x in ing['raw_trials'])}")  # type: ignore[attr-defined]
            print(f"   ratio nms / raw: {ratio:.2f}x of medians, {ing['pair_ratio']:.2f}x median "
                  f"of per-trial ratios, {ing['best_ratio']:.2f}x of best trials  (goal >= 0.90x: "
                  f"{'met' if min(ratio, ing['pair_ratio']) >= 0.9 else 'NOT met'})")
            costs: dict[str, Cost] = ing["costs"]  # type: ignore[assignment]
            ours_c, raw_c = costs["ours"], costs["raw"]
            print(f"   CPU per point: nms {ours_c.client_us():.1f} us + influxd "
                  f"{ours_c.server_us():.1f} us; raw {raw_c.client_us():.1f} us + influxd "
                  f"{raw_c.server_us():.1f} us -> CPU-bound ratio "
                  f"{(raw_c.client_us() + raw_c.server_us()) / (ours_c.client_us() + ours_c.server_us()):.2f}x")
            print(f"   SQLite, nms open_sink (spool+SqliteSink, 10k/write):              "
                  f"{ing['sqlite']:>9,.0f} points/s")
            print(f"   SQLite, one device's poll per write (20 samples/write):           "
                  f"{ing['sqlite_small']:>9,.0f} points/s")

            print(f"\n2. Availability, {DAYS} days x {DEVICES} devices, 5-minute buckets "
                  f"(poll_status every 5 min)")
            av = bench_availability(server, tmp)
            print(f"   loaded {av['points']:,.0f} points into each store in {av['load_s']:.1f} s "
                  f"(InfluxDB raw line protocol {av['load_influx_s']:.1f} s, "
                  f"SqliteSink.write {av['load_sqlite_s']:.1f} s = "
                  f"{av['points'] / av['load_sqlite_s']:,.0f} points/s)")
            print(f"   InfluxDB 1.x  availability(): {av['influx_s']:6.2f} s   "
                  f"(mean fraction {av['influx_mean']:.5f})")
            print(f"   SQLite        availability(): {av['sqlite_s']:6.2f} s   "
                  f"(mean fraction {av['sqlite_mean']:.5f})")

            print("\n3. Spool replay into InfluxDB, in a child process: RSS after imports and "
                  "peak RSS (VmHWM)")
            for rep in bench_replay(server, tmp):
                print(f"   {rep['n']:>9,} samples (spool file {rep['spool_mb']:6.1f} MB, filled in "
                      f"{rep['fill_s']:5.1f} s): replayed {rep['replayed']:,} in "
                      f"{rep['seconds']:5.1f} s = {rep['replayed'] / rep['seconds']:,.0f}/s, "
                      f"stored {rep['stored']:,}; RSS before {rep['before_kb'] / 1024:5.1f} MB, "
                      f"peak {rep['peak_kb'] / 1024:5.1f} MB")
        finally:
            server.stop()
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s, load average at the end "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
