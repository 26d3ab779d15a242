"""Probe rounds on a schedule: inventory devices and planned link endpoints -> ``probe`` samples.

Input: :class:`ProbeTarget` s -- one per device (its management address) and one per planned
link endpoint that has an address in the inventory (``interfaces.address``), so a county uplink
is measured from both of its ends. Output: one ``probe`` sample per target per round
(see :mod:`collectors.probe.icmp`), written to a sink when one is given.

Why link endpoints too: a device answering on its loopback says nothing about *which* of its
links carries the traffic; probing both addresses of a /30 shows which link loses packets.

:class:`ProbeCollector` is the registered collector (``nms.collectors`` entry point ``probe``):
``collect(device)`` returns a ``PollResult`` with the sample and ``state["probe"]`` (the
fields), so the pipeline and the scheduler treat probes like any other collector.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from collectors.probe.icmp import DEFAULT_TCP_PORT, ProbeResult, probe
from collectors.probe.policy import RawSocketPermissionError, TargetNotAllowedError
from nms.models import PollResult, PollStatus, Sample, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProbeTarget:
    """One address to probe and the tags its samples carry."""

    device: str
    address: str
    kind: str = "device"  # or "link_endpoint"
    link: str | None = None
    ifname: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def sample_tags(self) -> dict[str, str]:
        """Identity tags of this target's samples."""
        tags = {"device": self.device, "kind": self.kind, **self.tags}
        if self.link:
            tags["link"] = self.link
        if self.ifname:
            tags["ifname"] = self.ifname
        return tags


def targets_from_inventory(devices: Iterable[Mapping[str, Any]],
                           interfaces: Iterable[Mapping[str, Any]] = (),
                           links: Iterable[Mapping[str, Any]] = ()) -> list[ProbeTarget]:
    """Probe targets from inventory rows (the import format: ``devices``, ``interfaces``,
    ``links``): every device's address, and both addresses of every planned link whose
    interfaces carry one (CIDR in ``interfaces.address``)."""
    targets = []
    sites: dict[str, str] = {}
    for dev in devices:
        if dev.get("address"):
            tags = {"site": str(dev["site"])} if dev.get("site") else {}
            sites[str(dev["name"])] = tags.get("site", "")
            targets.append(ProbeTarget(str(dev["name"]), str(dev["address"]), tags=tags))
    addr = {(str(i["device"]), str(i["name"])): str(i["address"]).split("/")[0]
            for i in interfaces if i.get("address")}
    for lk in links:
        name = f"{lk['a_device']}:{lk['a_interface']}--{lk['b_device']}:{lk['b_interface']}"
        for side in ("a", "b"):
            key = (str(lk[f"{side}_device"]), str(lk[f"{side}_interface"]))
            if key in addr:
                site = sites.get(key[0])
                targets.append(ProbeTarget(key[0], addr[key], "link_endpoint", name, key[1],
                                           {"site": site} if site else {}))
    return targets


class ProbeRunner:
    """Probe a fixed set of targets, once (:meth:`run_once`) or every ``interval_s`` (:meth:`run`).

    Args:
        targets: what to probe.
        method: ``auto`` (scapy ICMP, unprivileged fallbacks), ``icmp``, ``tcp``, ``ping``,
            ``connect``.
        count: probes per target per round.
        timeout_s: wait for answers this long after the last probe.
        rate_pps: packet rate limit.
        port: TCP port for ``tcp``/``connect``.
        allowed: optional allow-list every target must fall in.
    """

    def __init__(self, targets: Sequence[ProbeTarget], *, method: str = "auto", count: int = 3,
                 timeout_s: float = 1.0, rate_pps: float = 100.0, port: int = DEFAULT_TCP_PORT,
                 allowed: Sequence[str] | None = None) -> None:
        self.targets = list(targets)
        self.method = method
        self.count = count
        self.timeout_s = timeout_s
        self.rate_pps = rate_pps
        self.port = port
        self.allowed = allowed
        self.last_results: dict[str, ProbeResult] = {}

    def run_once(self) -> list[Sample]:
        """One round: every distinct address probed once, one sample per target.

        Raises:
            RawSocketPermissionError: ``icmp``/``tcp`` without raw sockets.
            TargetNotAllowedError: a target outside ``allowed``.
        """
        addresses = sorted({t.address for t in self.targets})
        results = probe(addresses, method=self.method, count=self.count, timeout_s=self.timeout_s,
                        rate_pps=self.rate_pps, port=self.port, allowed=self.allowed)
        self.last_results = results
        return [results[t.address].sample(t.sample_tags()) for t in self.targets
                if t.address in results]

    def reachability(self) -> dict[str, dict[str, Any]]:
        """``{device: fields}`` of the last round's device targets (root-cause input)."""
        out = {}
        for t in self.targets:
            if t.kind == "device" and t.address in self.last_results:
                out[t.device] = self.last_results[t.address].fields()
        return out

    def run(self, interval_s: float, *, sink: Any = None, stop: threading.Event | None = None,
            on_samples: Callable[[list[Sample]], None] | None = None,
            rounds: int | None = None) -> int:
        """Probe every ``interval_s`` seconds until ``stop`` is set (or ``rounds`` are done).

        A round that fails (permission, a bad target) is logged and retried next interval;
        it never ends the loop, like any collector failure.

        Returns:
            how many rounds ran.
        """
        stop = stop or threading.Event()
        done = 0
        while not stop.is_set() and (rounds is None or done < rounds):
            started = time.monotonic()
            try:
                samples = self.run_once()
                if sink is not None:
                    sink.write(samples)
                if on_samples is not None:
                    on_samples(samples)
            except (RawSocketPermissionError, TargetNotAllowedError) as exc:
                log.error("probe round failed: %s", exc)
            except Exception:  # noqa: BLE001 - a failing round must not end the schedule
                log.exception("probe round failed")
            done += 1
            if rounds is not None and done >= rounds:
                break
            stop.wait(max(0.0, interval_s - (time.monotonic() - started)))
        return done


class ProbeCollector:
    """The registered ``probe`` collector: reachability of one inventory device.

    ``collect(device, auth=None)`` probes ``device.address`` and never raises: permission and
    policy problems become ``PollResult.error``. ``collect_many(devices)`` does a whole round
    at once (``nms run``'s ``probe`` job).
    """

    name = "probe"

    def __init__(self, method: str = "auto", count: int = 3, timeout_s: float = 1.0,
                 rate_pps: float = 100.0, allowed: Sequence[str] | None = None) -> None:
        self.method = method
        self.count = count
        self.timeout_s = timeout_s
        self.rate_pps = rate_pps
        self.allowed = allowed

    async def collect_async(self, device: Any, auth: Any = None) -> PollResult:
        """Collector protocol inside an event loop: the blocking probe runs in a thread."""
        return await asyncio.to_thread(self.collect, device, auth)

    def collect(self, device: Any, auth: Any = None) -> PollResult:
        """Probe one device; the sample and ``state["probe"]`` carry loss and latency."""
        started = utcnow()
        t0 = time.perf_counter()
        result = PollResult(device=device.name, collector=self.name, started=started)
        try:
            res = probe([device.address], method=self.method, count=self.count,
                        timeout_s=self.timeout_s, rate_pps=self.rate_pps,
                        allowed=self.allowed)[device.address]
            self._fill(result, device, res)
        except Exception as exc:  # noqa: BLE001 - per-device failure is a value
            result.status = PollStatus.ERROR
            result.error = f"{device.name}: {exc}"
        result.duration_s = time.perf_counter() - t0
        return result

    def collect_many(self, devices: Sequence[Any]) -> list[PollResult]:
        """Probe many devices in one round (one scapy send at ``rate_pps``), one result each.

        Why: a scheduler with one job per device would open raw sockets and wait ``timeout_s``
        once per device; a round sends every probe at the rate limit and waits once. Never
        raises: a round that cannot run (no raw sockets for ``icmp``, a target outside
        ``allowed``) makes every result an ERROR carrying the reason.
        """
        started = utcnow()
        t0 = time.perf_counter()
        results = [PollResult(device=d.name, collector=self.name, started=started) for d in devices]
        addresses = sorted({str(d.address) for d in devices if d.address})
        try:
            found = probe(addresses, method=self.method, count=self.count,
                          timeout_s=self.timeout_s, rate_pps=self.rate_pps,
                          allowed=self.allowed) if addresses else {}
        except Exception as exc:  # noqa: BLE001 - per-device failure is a value
            for result in results:
                result.status, result.error = PollStatus.ERROR, f"{result.device}: {exc}"
            found = {}
        for device, result in zip(devices, results, strict=True):
            res = found.get(str(device.address)) if device.address else None
            if res is not None:
                self._fill(result, device, res)
            elif result.error is None:
                result.status = PollStatus.ERROR
                result.error = f"{device.name}: no address to probe"
            result.duration_s = time.perf_counter() - t0
        return results

    @staticmethod
    def _fill(result: PollResult, device: Any, res: ProbeResult) -> None:
        result.samples.append(res.sample({"device": device.name, "kind": "device"}))
        result.state = {"probe": res.fields()}
        if not res.reachable:
            result.status = PollStatus.UNREACHABLE
            result.error = f"{device.name}: no answer from {device.address}"
