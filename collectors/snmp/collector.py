"""The SNMP collector: discover a device, walk its profiles, return a PollResult (never raise).

Public API (what the pipeline, the CLI and other engineers call):

* ``await discover(target, snmp)`` -> :class:`~inventory.detect.Detection`
* ``await poll_device(target, snmp, ...)`` -> :class:`~nms.models.PollResult` whose ``state``
  holds ``facts``, ``interfaces``, ``addresses``, ``lldp_neighbors``, ``processors``,
  ``mempools``, ``temperatures`` (see :mod:`collectors.snmp.state`) and whose ``samples`` follow
  :mod:`collectors.snmp.samples`; the ``poll_status`` sample is included.
* :class:`SnmpCollector` -- the registered collector: a global concurrency bound
  (``snmp.concurrency``), a per-device time budget (``snmp.device_budget_s``) and memory of the
  last sysUpTime per device for reboot detection; ``await poll_many(targets)`` for a cycle.

One poll: GET the system group (identity + sysUpTime) -> detect the platform from
sysObjectID/sysDescr (``inventory/platforms.yaml``) -> walk the platform's profiles -> build state,
run the vendor hook, build samples. Status mapping: no answer -> ``timeout``; USM refusal ->
``auth_failure``; ICMP/socket error -> ``unreachable``; garbled replies, wrong types, budget
exceeded mid-walk -> ``error``/``timeout`` with a message naming what failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collectors.snmp import hooks
from collectors.snmp.engine import SessionOptions, SnmpSession, open_session
from collectors.snmp.profile import Plan, load_profile
from collectors.snmp.samples import declared_samples, state_samples
from collectors.snmp.state import build_state
from collectors.snmp.walker import Collected, fetch, fetch_scalars
from inventory.detect import Detection, detect, load_platforms
from nms.config import SnmpAuth, SnmpConfig
from nms.errors import (
    DeviceAuthError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnreachableError,
)
from nms.models import PollResult, PollStatus, utcnow
from nms.rates import rebooted

log = logging.getLogger(__name__)
COLLECTOR = "snmp"


@dataclass(frozen=True)
class SnmpTarget:
    """One device to poll: where, with which credentials, and the tags for its samples."""

    name: str
    address: str
    auth: SnmpAuth
    port: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    platform: str | None = None  # pin the platform instead of detecting it
    profiles: tuple[str, ...] | None = None  # walk exactly these profiles

    @classmethod
    def from_device(cls, device: Any, auth: SnmpAuth) -> SnmpTarget:
        """Build a target from an ``inventory.models.Device`` (or anything with its attributes)."""
        tags = {"device": device.name}
        site = getattr(device, "site", None)
        if site is not None and getattr(site, "code", None):
            tags["site"] = site.code
        if getattr(device, "role", None):
            tags["role"] = device.role
        return cls(name=device.name, address=device.address, auth=auth,
                   port=getattr(device, "snmp_port", None), tags=tags)


def session_options(target: SnmpTarget, snmp: SnmpConfig) -> SessionOptions:
    """Transport settings for ``target`` from ``config.snmp``."""
    return SessionOptions(address=target.address, port=target.port or snmp.port,
                          timeout_s=snmp.timeout_s, retries=snmp.retries,
                          max_repetitions=snmp.max_repetitions)


SYSTEM = "system"


async def _identify(session: SnmpSession, target: SnmpTarget) -> tuple[Collected, Detection]:
    data = Collected()
    await fetch_scalars(session, list(load_profile(SYSTEM).scalars), data)
    if "sysObjectID" not in data.scalars and "sysDescr" not in data.scalars:
        if data.problems:
            raise DeviceError("; ".join(data.problems))
        raise DeviceError("agent answered but has no MIB-2 system group")
    if target.platform:
        platforms = load_platforms()
        if target.platform not in platforms:
            raise DeviceError(f"unknown platform {target.platform!r}")
        detection = detect(data.get("sysObjectID"), data.get("sysDescr"))
        if detection.platform.id != target.platform:
            detection = Detection(platforms[target.platform])
    else:
        detection = detect(data.get("sysObjectID"), data.get("sysDescr"))
    return data, detection


async def discover(target: SnmpTarget, snmp: SnmpConfig, engine: str | None = None) -> Detection:
    """Identify one device (sysObjectID + sysDescr -> platform, version, model).

    Raises:
        DeviceError: (or a subclass) the device did not answer usefully.
    """
    async with open_session(engine or snmp.engine, session_options(target, snmp),
                            target.auth) as session:
        _data, detection = await _identify(session, target)
    return detection


def _status_for(exc: BaseException) -> PollStatus:
    if isinstance(exc, DeviceTimeoutError | TimeoutError):
        return PollStatus.TIMEOUT
    if isinstance(exc, DeviceAuthError):
        return PollStatus.AUTH_FAILURE
    if isinstance(exc, DeviceUnreachableError):
        return PollStatus.UNREACHABLE
    return PollStatus.ERROR


SessionFactory = Callable[[SessionOptions, SnmpAuth], SnmpSession]


async def poll_device(target: SnmpTarget, snmp: SnmpConfig, *, engine: str | None = None,
                      budget_s: float | None = None, previous_uptime: tuple[int, datetime] | None = None,
                      max_repetitions: int | None = None,
                      session_factory: SessionFactory | None = None) -> PollResult:
    """Poll one device once. Never raises (except asyncio cancellation).

    Args:
        target: the device.
        snmp: ``config.snmp`` (engine, timeout, retries, max-repetitions, budget).
        engine: override ``snmp.engine`` (``gufo`` or ``pysnmp``).
        budget_s: override ``snmp.device_budget_s``; the whole poll is cut off after it.
        previous_uptime: (sysUpTime ticks, time) of the previous poll, for reboot detection.
        max_repetitions: override ``snmp.max_repetitions``.
        session_factory: build the session some other way than by engine name (a recorded
            walk replayed from a file, in the fixture tests).

    Returns:
        the PollResult, its samples ending with the ``poll_status`` sample.
    """
    started = utcnow()
    t0 = time.perf_counter()
    result = PollResult(device=target.name, collector=COLLECTOR, started=started)
    base_tags = {"device": target.name, **target.tags}
    session: SnmpSession | None = None
    budget = budget_s if budget_s is not None else snmp.device_budget_s
    try:
        async with asyncio.timeout(budget):
            options = session_options(target, snmp)
            if session_factory is not None:
                session = session_factory(options, target.auth)
            else:
                session = open_session(engine or snmp.engine, options, target.auth)
            async with session:
                system, detection = await _identify(session, target)
                names = list(target.profiles or detection.platform.snmp_profiles)
                plan = Plan.build(names)
                data = await fetch(session, plan, max_repetitions=max_repetitions,
                                   skip_scalars={c.oid for c in load_profile(SYSTEM).scalars})
        data.scalars.update(system.scalars)
        data.problems[:0] = system.problems
        state = build_state(plan, data, detection)
        hooks.apply(detection.platform.hooks, state, data)
        ticks = data.get("sysUpTime")
        did_reboot = False
        if previous_uptime is not None and isinstance(ticks, int):
            did_reboot = rebooted(previous_uptime[0], previous_uptime[1], ticks, started)
        state["facts"]["rebooted"] = did_reboot
        state["profiles"] = names
        result.state = state
        result.samples = [*state_samples(state, base_tags, started, did_reboot),
                          *declared_samples(plan, data, base_tags, started)]
        if data.problems:
            result.status = PollStatus.ERROR
            result.error = f"{target.name}: " + "; ".join(data.problems)
    except TimeoutError:
        result.status = PollStatus.TIMEOUT
        result.error = f"{target.name}: exceeded its time budget of {budget:g} s"
    except DeviceError as exc:
        result.status = _status_for(exc)
        result.error = f"{target.name}: {exc}"
    except Exception as exc:  # noqa: BLE001 - a per-device failure is a value (style 2.1)
        log.exception("Host %r: collector 'snmp' failed", target.name)
        result.status = PollStatus.ERROR
        result.error = f"{target.name}: internal error: {type(exc).__name__}: {exc}"
    result.duration_s = time.perf_counter() - t0
    if session is not None:
        result.varbinds = session.varbinds
    if result.status is not PollStatus.OK:
        log.warning("Host %r: collector 'snmp' %s: %s", target.name, result.status.value,
                    result.error)
    result.samples.append(result.status_sample(target.tags))
    return result


class SnmpCollector:
    """The registered SNMP collector (``nms.collectors`` entry point ``snmp``).

    Args:
        snmp: ``config.snmp``.
        engine: override ``snmp.engine``.
    """

    name = COLLECTOR

    def __init__(self, snmp: SnmpConfig | None = None, engine: str | None = None) -> None:
        self.snmp = snmp or SnmpConfig()
        self.engine = engine or self.snmp.engine
        self._uptimes: dict[str, tuple[int, datetime]] = {}
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _sem(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore = asyncio.Semaphore(self.snmp.concurrency)
            self._loop = loop
        return self._semaphore

    async def poll(self, target: SnmpTarget) -> PollResult:
        """Poll one target under the global concurrency bound, remembering its sysUpTime."""
        async with self._sem():
            result = await poll_device(target, self.snmp, engine=self.engine,
                                       previous_uptime=self._uptimes.get(target.name))
        ticks = (result.state.get("facts") or {}).get("sysUpTime")
        if isinstance(ticks, int):
            self._uptimes[target.name] = (ticks, result.started)
        return result

    async def poll_many(self, targets: Iterable[SnmpTarget],
                        on_result: Callable[[PollResult], Awaitable[None] | None] | None = None,
                        *, keep_results: bool = True) -> list[PollResult]:
        """Poll every target concurrently (bounded); results in target order.

        ``on_result`` is called as each device finishes (progress, streaming to a sink); with
        ``keep_results=False`` results are not collected (a cycle over thousands of devices
        then holds only the polls in flight) and the returned list is empty.
        """

        async def one(t: SnmpTarget) -> PollResult | None:
            r = await self.poll(t)
            if on_result is not None:
                maybe = on_result(r)
                if asyncio.iscoroutine(maybe):
                    await maybe
            return r if keep_results else None

        done = await asyncio.gather(*(one(t) for t in targets))
        return [r for r in done if r is not None]

    async def collect_async(self, device: Any, auth: SnmpAuth) -> PollResult:
        """Collector protocol: poll an inventory Device."""
        return await self.poll(SnmpTarget.from_device(device, auth))

    def collect(self, device: Any, auth: SnmpAuth) -> PollResult:
        """Collector protocol, blocking: runs its own event loop."""
        return asyncio.run(self.collect_async(device, auth))
