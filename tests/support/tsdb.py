"""Real time-series servers for tests: Debian's ``influxd`` (1.x) and ``victoria-metrics``.

Why: the sink tests must talk to real servers (style.md 2.10: no fake of our code stands in for
a peer that can run here). Each server gets free loopback ports and its own temporary
directories, so tests never touch a system-wide instance, and is stopped by PID afterwards.
``InfluxServer.kill()`` / ``start()`` on the same directories is the outage test's crash and
restart.

Where a binary is missing, ``require_influxd()`` / ``require_victoria_metrics()`` skip the test
with the reason (``scripts/bootstrap --test`` installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

INFLUXD = shutil.which("influxd") or ("/usr/bin/influxd" if os.path.exists("/usr/bin/influxd")
                                       else None)
VICTORIA_METRICS = shutil.which("victoria-metrics") or (
    "/usr/bin/victoria-metrics" if os.path.exists("/usr/bin/victoria-metrics") else None)


def require_influxd() -> str:
    """The influxd path, or skip the test saying how to get it."""
    if not INFLUXD:
        pytest.skip("influxd not installed (Debian package 'influxdb'; scripts/bootstrap --test)")
    return INFLUXD


def require_victoria_metrics() -> str:
    """The victoria-metrics path, or skip the test saying how to get it."""
    if not VICTORIA_METRICS:
        pytest.skip("victoria-metrics not installed (Debian package 'victoria-metrics')")
    return VICTORIA_METRICS


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url}: server not ready after {timeout} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


class _Server:
    """A child process owned by the test, stopped by its PID."""

    proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not running"
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would: no flush, no clean shutdown."""
        if self.running:
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.running:
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None


class InfluxServer(_Server):
    """InfluxDB 1.x (Debian's influxd) with its own config, data dirs and loopback ports.

    Example::

        server = InfluxServer(tmp_path / "influx"); server.start()
        ... server.url ...; server.kill(); server.start()   # same data dir, same port
        server.stop()
    """

    def __init__(self, base: Path) -> None:
        self.base = Path(base)
        self.port = free_port()
        self.rpc_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.base / "influxd.log"
        self.config = self.base / "influxd.conf"

    def _write_config(self) -> None:
        b = self.base
        # Every listener on loopback; reporting, monitoring store and request logs off.
        self.config.write_text(f"""\
reporting-disabled = true
bind-address = "127.0.0.1:{self.rpc_port}"

[meta]
  dir = "{b / 'meta'}"
  logging-enabled = false

[data]
  dir = "{b / 'data'}"
  wal-dir = "{b / 'wal'}"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "10s"

[coordinator]
  log-queries-after = "0s"

[retention]
  enabled = true

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{self.port}"
  log-enabled = false
  max-body-size = 25000000

[continuous_queries]
  enabled = true
  log-enabled = false

[logging]
  level = "warn"
""")

    def start(self, timeout: float = 20.0) -> InfluxServer:
        """Start (or restart after ``kill``) on the same directories and port."""
        binary = require_influxd()
        self.base.mkdir(parents=True, exist_ok=True)
        self._write_config()
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([binary, "-config", str(self.config)], stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_http(self.url + "/ping", self.proc, self.log, timeout)
        return self

    def query(self, q: str, db: str | None = None) -> list[dict[str, Any]]:
        """Run InfluxQL directly over HTTP (independent of nms); returns the results list."""
        params = {"q": q, "epoch": "u"}
        if db:
            params["db"] = db
        data = urllib.parse.urlencode(params).encode()
        with urllib.request.urlopen(self.url + "/query", data=data, timeout=30) as resp:
            results: list[dict[str, Any]] = json.loads(resp.read())["results"]
        for r in results:
            if "error" in r:
                raise RuntimeError(f"InfluxQL error: {r['error']} ({q})")
        return results

    def rows(self, q: str, db: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """``(series tags, {column: value})`` per returned row."""
        out = []
        for series in self.query(q, db)[0].get("series", []):
            for row in series.get("values") or []:
                out.append((series.get("tags") or {}, dict(zip(series["columns"], row,
                                                                 strict=True))))
        return out


class VictoriaMetricsServer(_Server):
    """VictoriaMetrics single-node: speaks the InfluxDB v2 write API (``/api/v2/write``).

    It has no InfluxQL; read back through ``export`` (``/api/v1/export``). Note its storage model:
    each numeric field becomes the metric ``<measurement>_<field>`` with the tags as labels,
    timestamps in milliseconds; string fields are not stored. Started with
    ``-dedup.minScrapeInterval=1ms`` so that replayed points are stored once.
    """

    def __init__(self, base: Path) -> None:
        self.base = Path(base)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.base / "victoria-metrics.log"

    def start(self, timeout: float = 20.0) -> VictoriaMetricsServer:
        binary = require_victoria_metrics()
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [binary, f"-httpListenAddr=127.0.0.1:{self.port}",
                 f"-storageDataPath={self.base / 'data'}", "-retentionPeriod=100y",
                 # identical points written twice (spool replays) are stored once
                 "-dedup.minScrapeInterval=1ms",
                 "-loggerLevel=ERROR", "-search.disableCache"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_http(self.url + "/health", self.proc, self.log, timeout)
        return self

    def export(self, match: str) -> list[dict[str, Any]]:
        """``/api/v1/export`` lines for the series selector ``match`` (after a flush)."""
        with urllib.request.urlopen(self.url + "/internal/force_flush", timeout=10):
            pass
        params = urllib.parse.urlencode({"match[]": match, "start": "0"})
        with urllib.request.urlopen(f"{self.url}/api/v1/export?{params}", timeout=30) as resp:
            return [json.loads(line) for line in resp.read().splitlines() if line.strip()]
