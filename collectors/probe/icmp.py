"""ICMP echo and TCP SYN probes with scapy, plus unprivileged fallbacks. Loss and latency.

Why scapy and not the ``ping`` program: one call probes hundreds of targets at a controlled
packet rate and gives per-packet send/receive times, and the same code builds TCP SYN probes
for devices that filter ICMP (RFC 792 echo; RFC 9293 -- a SYN answered by SYN/ACK *or* RST
proves the host is up). Packets are built from scapy layers, never by hand.

Raw sockets need root or CAP_NET_RAW. Without them scapy fails with EPERM; that becomes a
:class:`~collectors.probe.policy.RawSocketPermissionError` whose message says what to do, and
``probe(..., method="auto")`` falls back to what works unprivileged: the ``ping`` program
(iputils uses ICMP datagram sockets or file capabilities) and then TCP ``connect()`` timing.

Output: :class:`ProbeResult` per target address -- sent, received, RTTs -- which becomes a
``probe`` sample (fields ``loss_percent``, ``rtt_avg_ms``, ``rtt_min_ms``, ``rtt_max_ms``,
``rtt_mdev_ms``, ``sent``, ``received``, ``reachable``).

Only ICMP echo *replies* (and SYN/ACK or RST for TCP) count as received: a "destination
unreachable" from a router on the way is evidence of loss, reported in ``errors``.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import random
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collectors.probe.policy import RawSocketPermissionError, check_targets
from nms.models import FieldValue, Sample, utcnow

METHODS = ("auto", "icmp", "tcp", "ping", "connect")
DEFAULT_TCP_PORT = 22
ICMP_ERRORS = {3: "destination unreachable", 11: "time exceeded", 12: "parameter problem"}
_PING_SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) (?:packets )?received")
_PING_RTT = re.compile(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")
_lock = threading.Lock()


@dataclass
class ProbeResult:
    """What the probes of one target address measured."""

    target: str
    method: str
    sent: int = 0
    received: int = 0
    rtts_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    port: int | None = None
    started: datetime = field(default_factory=utcnow)

    @property
    def loss_percent(self) -> float:
        """Share of probes unanswered (100.0 when nothing could be sent)."""
        if self.sent == 0:
            return 100.0
        return round(100.0 * (self.sent - self.received) / self.sent, 2)

    @property
    def reachable(self) -> bool:
        """At least one probe was answered."""
        return self.received > 0

    def fields(self) -> dict[str, FieldValue]:
        """Sample fields; RTT fields only when something answered (no NaN in InfluxDB)."""
        out: dict[str, FieldValue] = {"loss_percent": float(self.loss_percent), "sent": self.sent,
                                      "received": self.received, "reachable": self.reachable}
        if self.rtts_ms:
            avg = sum(self.rtts_ms) / len(self.rtts_ms)
            mdev = math.sqrt(sum((r - avg) ** 2 for r in self.rtts_ms) / len(self.rtts_ms))
            out.update(rtt_avg_ms=round(avg, 3), rtt_min_ms=round(min(self.rtts_ms), 3),
                       rtt_max_ms=round(max(self.rtts_ms), 3), rtt_mdev_ms=round(mdev, 3))
        if self.errors:
            out["error"] = "; ".join(sorted(set(self.errors)))[:500]
        return out

    def sample(self, tags: dict[str, str]) -> Sample:
        """The ``probe`` sample of this result with the caller's identity tags."""
        all_tags = {"target": self.target, "method": self.method, **tags}
        if self.port is not None:
            all_tags["port"] = str(self.port)
        return Sample("probe", all_tags, self.fields(), self.started)


def _scapy() -> Any:
    """Import scapy's layers lazily (importing scapy costs about a second) and quietly."""
    with _lock:
        logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
        from scapy.config import conf

        conf.verb = 0
        from scapy import sendrecv
        from scapy.layers import inet

        return conf, sendrecv, inet


def send_receive(packets: list[Any], *, timeout_s: float, rate_pps: float, what: str) -> Any:
    """Send IP packets through the kernel (raw IP socket) and collect the answers.

    Why a raw IP socket (scapy ``L3RawSocket``) rather than scapy's default layer-2 socket:
    the kernel then routes and resolves neighbours with the namespace's *current* tables, so
    an unanswered ARP for a dead host costs nothing, where scapy's own resolver would block
    for seconds per address on a directly connected prefix.

    Raises:
        RawSocketPermissionError: the socket may not be opened (not root, no CAP_NET_RAW).
    """
    _scapy()
    from scapy.supersocket import L3RawSocket

    try:
        sock = L3RawSocket()
    except OSError as exc:
        _raise_permission(exc, what)
        raise
    try:
        answered, _ = sock.sr(packets, timeout=timeout_s, inter=1.0 / rate_pps, verbose=0,
                              retry=0, threaded=True)
    finally:
        sock.close()
    return answered


def _raise_permission(exc: OSError, what: str) -> None:
    if exc.errno in (errno.EPERM, errno.EACCES):
        raise RawSocketPermissionError(what, str(exc)) from exc


def icmp_probe(targets: Sequence[str], *, count: int = 3, timeout_s: float = 1.0,
               rate_pps: float = 100.0, allowed: Sequence[str] | None = None
               ) -> dict[str, ProbeResult]:
    """ICMP echo ``count`` times to every target, at most ``rate_pps`` packets per second.

    Raises:
        RawSocketPermissionError: raw sockets are not permitted.
        TargetNotAllowedError: a target is outside ``allowed``.
    """
    addresses = check_targets(targets, allowed)
    _, _, inet = _scapy()
    ident = os.getpid() & 0xFFFF
    results = {a: ProbeResult(a, "icmp") for a in addresses}
    packets = [inet.IP(dst=a) / inet.ICMP(type=8, id=ident, seq=seq) / (b"nms-probe" + bytes(7))
               for seq in range(count) for a in addresses]
    if not packets:
        return results
    answered = send_receive(packets, timeout_s=timeout_s, rate_pps=rate_pps,
                            what="ICMP probing with scapy")
    for a in addresses:
        results[a].sent = count
    for query, answer in answered:
        res = results.get(query[inet.IP].dst)
        if res is None or inet.ICMP not in answer:
            continue
        kind = answer[inet.ICMP].type
        if kind == 0:
            res.received += 1
            res.rtts_ms.append((answer.time - query.sent_time) * 1000.0)
        else:
            res.errors.append(f"{ICMP_ERRORS.get(kind, f'ICMP type {kind}')} from {answer[inet.IP].src}")
    return results


def tcp_syn_probe(targets: Sequence[str], *, port: int = DEFAULT_TCP_PORT, count: int = 3,
                  timeout_s: float = 1.0, rate_pps: float = 100.0,
                  allowed: Sequence[str] | None = None) -> dict[str, ProbeResult]:
    """TCP SYN to ``port``; SYN/ACK or RST counts as an answer (the host is up either way).

    The kernel answers an unexpected SYN/ACK with a RST, so no half-open connection stays on
    the target.

    Raises:
        RawSocketPermissionError: raw sockets are not permitted.
        TargetNotAllowedError: a target is outside ``allowed``.
    """
    addresses = check_targets(targets, allowed)
    _, _, inet = _scapy()
    results = {a: ProbeResult(a, "tcp", port=port) for a in addresses}
    packets = [inet.IP(dst=a) / inet.TCP(sport=random.randint(33000, 60999), dport=port,
                                         flags="S", seq=random.getrandbits(32))
               for _ in range(count) for a in addresses]
    if not packets:
        return results
    answered = send_receive(packets, timeout_s=timeout_s, rate_pps=rate_pps,
                            what="TCP SYN probing with scapy")
    for a in addresses:
        results[a].sent = count
    for query, answer in answered:
        res = results.get(query[inet.IP].dst)
        if res is None:
            continue
        if inet.TCP in answer:
            res.received += 1
            res.rtts_ms.append((answer.time - query.sent_time) * 1000.0)
        elif inet.ICMP in answer:
            kind = answer[inet.ICMP].type
            res.errors.append(f"{ICMP_ERRORS.get(kind, f'ICMP type {kind}')} from {answer[inet.IP].src}")
    return results


def ping_program_probe(target: str, *, count: int = 3, timeout_s: float = 1.0,
                       interval_s: float = 0.2) -> ProbeResult:
    """Unprivileged fallback: run iputils ``ping`` and parse its summary."""
    result = ProbeResult(target, "ping")
    program = shutil.which("ping")
    if program is None:
        result.errors.append("ping program not found (apt-get install iputils-ping)")
        return result
    argv = [program, "-n", "-q", "-c", str(count), "-i", f"{interval_s:g}", "-W", f"{timeout_s:g}",
            target]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              timeout=count * interval_s + timeout_s + 5)
    except subprocess.TimeoutExpired:
        result.sent = count
        result.errors.append("ping did not finish")
        return result
    except OSError as exc:  # e.g. its file capability is outside our bounding set: EPERM
        result.errors.append(f"ping could not run: {exc.strerror or exc}")
        return result
    summary = _PING_SUMMARY.search(proc.stdout)
    if summary is None:
        result.errors.append((proc.stderr or proc.stdout).strip()[:200] or f"ping exit {proc.returncode}")
        return result
    result.sent, result.received = int(summary.group(1)), int(summary.group(2))
    rtt = _PING_RTT.search(proc.stdout)
    if rtt and result.received:
        # ping reports min/avg/max/mdev only; keep them as representative RTTs
        lo, avg, hi = (float(rtt.group(i)) for i in (1, 2, 3))
        result.rtts_ms = [lo, hi] + [avg] * max(0, result.received - 2) if result.received > 1 else [avg]
    return result


def tcp_connect_probe(target: str, *, port: int = DEFAULT_TCP_PORT, count: int = 3,
                      timeout_s: float = 1.0, interval_s: float = 0.05) -> ProbeResult:
    """Unprivileged fallback: time ``connect()``; an accepted or refused connection is an answer."""
    result = ProbeResult(target, "connect", port=port)
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    for i in range(count):
        if i:
            time.sleep(interval_s)
        result.sent += 1
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout_s)
        t0 = time.perf_counter()
        try:
            sock.connect((target, port))
            answered = True
        except ConnectionRefusedError:  # RST: the host is there
            answered = True
        except TimeoutError:
            answered = False
        except OSError as exc:
            answered = False
            result.errors.append(os.strerror(exc.errno) if exc.errno else str(exc))
        finally:
            sock.close()
        if answered:
            result.received += 1
            result.rtts_ms.append((time.perf_counter() - t0) * 1000.0)
    return result


def probe(targets: Sequence[str], *, method: str = "auto", count: int = 3, timeout_s: float = 1.0,
          rate_pps: float = 100.0, port: int = DEFAULT_TCP_PORT,
          allowed: Sequence[str] | None = None) -> dict[str, ProbeResult]:
    """Probe every target with ``method`` (see :data:`METHODS`).

    ``auto`` is scapy ICMP, falling back to the ``ping`` program when raw sockets are not
    permitted, and to TCP connect() for targets ``ping`` cannot reach either (when ``ping``
    itself is not permitted). The fallbacks keep the packet rate: targets start at most
    ``rate_pps / count`` per second.

    Raises:
        RawSocketPermissionError: ``icmp``/``tcp`` chosen explicitly without raw sockets.
        TargetNotAllowedError: a target is outside ``allowed``.
        ValueError: unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown probe method {method!r} (use {', '.join(METHODS)})")
    addresses = check_targets(targets, allowed)
    if method == "icmp":
        return icmp_probe(addresses, count=count, timeout_s=timeout_s, rate_pps=rate_pps)
    if method == "tcp":
        return tcp_syn_probe(addresses, port=port, count=count, timeout_s=timeout_s,
                             rate_pps=rate_pps)
    if method == "auto":
        try:
            return icmp_probe(addresses, count=count, timeout_s=timeout_s, rate_pps=rate_pps)
        except RawSocketPermissionError:
            method = "ping"
    results: dict[str, ProbeResult] = {}
    spacing = count / rate_pps

    def one(address: str) -> ProbeResult:
        if method == "connect":
            return tcp_connect_probe(address, port=port, count=count, timeout_s=timeout_s)
        res = ping_program_probe(address, count=count, timeout_s=timeout_s)
        if res.sent == 0 and any("not permitted" in e.lower() for e in res.errors):
            return tcp_connect_probe(address, port=port, count=count, timeout_s=timeout_s)
        return res

    with ThreadPoolExecutor(max_workers=min(32, max(1, len(addresses)))) as pool:
        futures = {}
        for address in addresses:
            futures[address] = pool.submit(one, address)
            time.sleep(spacing)
        for address, future in futures.items():
            results[address] = future.result()
    return results


def group_errors(results: dict[str, ProbeResult]) -> dict[str, list[str]]:
    """Targets per error text (for a readable summary)."""
    out: dict[str, list[str]] = defaultdict(list)
    for address, res in results.items():
        for err in set(res.errors):
            out[err].append(address)
    return dict(out)
