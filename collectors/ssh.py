"""Configuration collection over SSH (netmiko; napalm ``get_config`` where a driver exists).

``collect_config`` logs in, reads the running configuration and a few key ``display``/``show``
outputs, and returns a ``ConfigResult`` — never raising (style.md 2.1). netmiko/paramiko errors are
translated at this boundary: bad credentials -> ``auth_failure``, no answer -> ``timeout``, a
session that dies -> ``error`` ("connection dropped"). netmiko reports both a silent peer and a
session reset under it as ``ReadTimeout`` (it polls a closed channel until the read timeout),
so the state of the SSH transport decides which one it was. A failed session is closed without
the polite logout, which would wait another read timeout on a dead peer. A text is accepted only when it is
complete (the platform's end marker is present, no CLI error instead of output), so a transfer
cut half-way never becomes a stored version. ``collect_and_store`` is the function the
scheduler and ``nms configs collect`` call: collect, then store every complete text in
``nms.configs`` (a new version only when it changed). ``SshConfigCollector`` is the registered
``ssh`` collector (setup.cfg ``nms.collectors``) through which ``nms run`` reaches this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nms.config import SshAuth
from nms.models import PollResult, PollStatus, utcnow

log = logging.getLogger(__name__)

# platform -> (running-config command, end marker test, extra commands stored as "show:<cmd>")
RUNNING = {
    "huawei_vrp": "display current-configuration",
    "hp_comware": "display current-configuration",
    "cisco_ios": "show running-config",
    "cisco_xe": "show running-config",
    "ruijie_os": "show running-config",
    "juniper_junos": "show configuration | display set",
}
EXTRA = {
    "huawei_vrp": ["display version", "display saved-configuration last"],
    "hp_comware": ["display version"],
    "cisco_ios": ["show version", "show startup-config"],
    "cisco_xe": ["show version", "show startup-config"],
    "ruijie_os": ["show version"],
    "juniper_junos": ["show version"],
}
# Lines that change without a configuration change, or that napalm strips and netmiko does not:
# removed before storing (napalm ios get_config's filter; Oxidized's ios model does the same),
# so one configuration always gives one text whichever way it was read.
_IOS_VOLATILE = (r"^Building configuration.*$", r"^Current configuration :.*$",
                 r"^! Last configuration change at.*$", r"^! NVRAM config last updated at.*$")
VOLATILE = {"cisco_ios": _IOS_VOLATILE, "cisco_xe": _IOS_VOLATILE, "ruijie_os": _IOS_VOLATILE}
# "<name> uptime is 3 weeks, 2 days ..." (IOS, VRP, Comware, RGOS show/display version)
_UPTIME = re.compile(r"^.*\buptime is\b.*$\n?", re.M | re.I)
NAPALM_DRIVERS = {"cisco_ios": "ios", "cisco_xe": "ios", "juniper_junos": "junos"}
_CLI_ERRORS = ("% Invalid input", "% Unknown command", "Unrecognized command", "% Ambiguous command",
               "syntax error, expecting", "Error: Unrecognized")


def normalize(platform: str, text: str) -> str:
    """``text`` without the platform's volatile lines (VOLATILE), stripped like napalm's."""
    patterns = VOLATILE.get(platform)
    if not patterns:
        return text
    return re.sub("|".join(f"(?:{p})" for p in patterns), "", text, flags=re.M).strip()


def complete(platform: str, text: str) -> str | None:
    """None when ``text`` looks like a whole config of ``platform``, else why not."""
    body = text.strip()
    if not body:
        return "empty output"
    head = body[:200]
    if any(e in head for e in _CLI_ERRORS):
        return f"the device refused the command: {head.splitlines()[0][:120]}"
    last = body.splitlines()[-1].strip()
    if platform in ("huawei_vrp", "hp_comware"):
        ok = last == "return"
    elif platform == "juniper_junos":
        ok = last.startswith(("set ", "}")) or last.endswith(";")
    else:
        ok = last == "end"
    return None if ok else f"incomplete config (last line {last[:60]!r}, no end marker)"


@dataclass
class ConfigResult:
    """What one collection got: ``texts`` keyed ``running`` / ``show:<command>``."""

    device: str
    platform: str
    status: PollStatus = PollStatus.OK
    texts: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the running config was read completely."""
        return self.status is PollStatus.OK and "running" in self.texts


def _transport_alive(conn: Any) -> bool:
    """True while netmiko's SSH session still has a live transport and an open channel."""
    channel = getattr(conn, "remote_conn", None)
    if channel is None or getattr(channel, "closed", False) or getattr(channel, "eof_received", False):
        return False
    transport = channel.get_transport() if hasattr(channel, "get_transport") else None
    return bool(transport is not None and transport.is_active())


def _classify(exc: BaseException, conn: Any = None, command: str | None = None) -> tuple[PollStatus, str]:
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadTimeout,
    )
    from paramiko.ssh_exception import AuthenticationException, SSHException

    name = type(exc).__name__
    if isinstance(exc, ReadTimeout) and conn is not None:
        what = f"{command!r}" if command else "the prompt"
        if not _transport_alive(conn):
            return PollStatus.ERROR, f"connection dropped while reading {what} (session closed by the peer)"
        return PollStatus.TIMEOUT, f"timed out: no complete answer to {what}"
    if isinstance(exc, NetmikoAuthenticationException | AuthenticationException):
        return PollStatus.AUTH_FAILURE, f"authentication failed: {exc}".splitlines()[0]
    if isinstance(exc, NetmikoTimeoutException | socket.timeout | TimeoutError):
        return PollStatus.TIMEOUT, f"timed out: {exc}".splitlines()[0]
    if isinstance(exc, ConnectionRefusedError):
        return PollStatus.UNREACHABLE, f"connection refused: {exc}"
    if isinstance(exc, EOFError | ConnectionResetError | BrokenPipeError | SSHException | OSError):
        return PollStatus.ERROR, f"connection dropped: {name}: {exc}".splitlines()[0]
    return PollStatus.ERROR, f"{name}: {exc}".splitlines()[0]


def collect_config(device: dict[str, Any], auth: SshAuth, *, timeout_s: float = 20.0,
                   extra: bool = True, connect: Callable[..., Any] | None = None) -> ConfigResult:
    """Read the running config (and key show outputs) of one device over SSH with netmiko.

    Args:
        device: ``name``, ``address``, ``platform`` (netmiko device_type), optional ``port``.
        auth: the device's SSH auth profile.
        timeout_s: connect/read timeout.
        extra: also read EXTRA commands (version, startup config); failures there are ignored.
        connect: netmiko ``ConnectHandler`` replacement (tests inject nothing; kept for napalm).

    Returns:
        A ConfigResult; never raises.
    """
    from netmiko import ConnectHandler

    platform = str(device.get("platform") or "cisco_ios")
    result = ConfigResult(str(device["name"]), platform)
    started = time.monotonic()
    params = {"device_type": "cisco_ios" if platform == "ruijie_os" else platform,
              "host": device["address"], "port": int(device.get("port") or auth.port), "username": auth.username,
              "password": auth.password, "secret": auth.enable_secret or "", "key_file": auth.key_file,
              "use_keys": bool(auth.key_file), "allow_agent": False, "timeout": timeout_s, "conn_timeout": timeout_s,
              "auth_timeout": timeout_s, "banner_timeout": timeout_s, "read_timeout_override": timeout_s,
              "fast_cli": False}
    conn = None
    command = None
    failed = False
    try:
        conn = (connect or ConnectHandler)(**params)
        if auth.enable_secret and hasattr(conn, "check_enable_mode") and not conn.check_enable_mode():
            conn.enable()
        command = RUNNING.get(platform, "show running-config")
        running = conn.send_command(command, read_timeout=timeout_s)
        problem = complete(platform, running)
        if problem:
            result.status, result.error = PollStatus.ERROR, f"{result.device}: {problem}"
        else:
            result.texts["running"] = normalize(platform, running)
            for cmd in EXTRA.get(platform, []) if extra else []:
                try:
                    out = conn.send_command(cmd, read_timeout=timeout_s)
                except Exception as exc:  # noqa: BLE001 - an optional command must not lose the config
                    log.info("device %r: %r failed: %s", result.device, cmd, exc)
                    continue
                if out.strip() and not any(e in out[:200] for e in _CLI_ERRORS):
                    # uptime would make every collection a new version of "show version"
                    result.texts[f"show:{cmd}"] = normalize(platform, _UPTIME.sub("", out))
    except Exception as exc:  # noqa: BLE001 - per-device failure is a value
        failed = True
        result.status, message = _classify(exc, conn, command)
        result.texts.clear()
        result.error = f"{result.device}: {message}"
    finally:
        if conn is not None:
            with contextlib.suppress(Exception):  # the session may already be gone
                if failed and hasattr(conn, "paramiko_cleanup"):
                    conn.paramiko_cleanup()  # no logout dialogue with a dead or silent peer
                else:
                    conn.disconnect()
        result.duration_s = time.monotonic() - started
    return result


def collect_config_napalm(device: dict[str, Any], auth: SshAuth, *, timeout_s: float = 20.0) -> ConfigResult:
    """Read running/startup with napalm ``get_config`` (IOS, Junos); same contract as collect_config."""
    platform = str(device.get("platform") or "cisco_ios")
    result = ConfigResult(str(device["name"]), platform)
    driver_name = NAPALM_DRIVERS.get(platform)
    if driver_name is None:
        result.status, result.error = PollStatus.ERROR, f"{result.device}: no napalm driver for {platform}"
        return result
    from napalm import get_network_driver

    started = time.monotonic()
    drv = get_network_driver(driver_name)(hostname=device["address"], username=auth.username,
                                          password=auth.password or "", timeout=int(timeout_s),
                                          optional_args={"port": int(device.get("port") or auth.port),
                                                         "secret": auth.enable_secret or ""})
    try:
        drv.open()
        cfg = drv.get_config()
        problem = complete(platform, cfg.get("running") or "")
        if problem:
            result.status, result.error = PollStatus.ERROR, f"{result.device}: {problem}"
        else:
            result.texts["running"] = normalize(platform, cfg["running"])
            if cfg.get("startup") and not complete(platform, cfg["startup"]):
                result.texts["startup"] = normalize(platform, cfg["startup"])
    except Exception as exc:  # noqa: BLE001 - per-device failure is a value
        result.status, message = _classify(getattr(exc, "__cause__", None) or exc)
        result.error = f"{result.device}: {message}"
    finally:
        with contextlib.suppress(Exception):
            drv.close()
        result.duration_s = time.monotonic() - started
    return result


def collect_and_store(engine: Any, device: dict[str, Any], auth: SshAuth, *, by: str = "scheduler",
                      timeout_s: float = 20.0) -> tuple[ConfigResult, list[Any]]:
    """Collect one device and store each complete text; returns (result, [(VersionInfo, created)]).

    Nothing is stored when the collection failed: history keeps the last good version.
    """
    from nms.configs import store_config

    result = collect_config(device, auth, timeout_s=timeout_s)
    stored = []
    if result.ok:
        for kind, text in result.texts.items():
            stored.append(store_config(engine, result.device, text, kind=kind, source="ssh", by=by))
    return result, stored


def _device_dict(device: Any) -> dict[str, Any]:
    """An inventory row (dict) or anything with its attributes -> the dict collect_config takes."""
    if isinstance(device, dict):
        return device
    return {"name": device.name, "address": device.address,
            "platform": getattr(device, "platform", None), "port": getattr(device, "ssh_port", None)}


class SshConfigCollector:
    """The registered ``ssh`` collector: the running configuration over SSH (netmiko).

    ``collect(device, auth)`` returns a ``PollResult`` whose ``state["get_config"]`` holds the
    texts (napalm's getter name; ``running`` plus ``show:<command>`` extras) and never raises.
    ``collect_and_store(engine, device, auth, by=...)`` is what ``nms run``'s audit job calls:
    collect, then keep each complete text in ``nms.configs`` (a version only when it changed).
    """

    name = "ssh"

    def __init__(self, timeout_s: float = 20.0) -> None:
        self.timeout_s = timeout_s

    def collect(self, device: Any, auth: SshAuth) -> PollResult:
        """Collector protocol: one device's config as a PollResult (texts in ``state``)."""
        started = utcnow()
        res = collect_config(_device_dict(device), auth, timeout_s=self.timeout_s)
        result = PollResult(device=res.device, collector=self.name, started=started)
        result.status, result.error, result.duration_s = res.status, res.error, res.duration_s
        if res.ok:
            result.state = {"get_config": dict(res.texts)}
        return result

    async def collect_async(self, device: Any, auth: SshAuth) -> PollResult:
        """Collector protocol inside an event loop: the blocking session runs in a thread."""
        return await asyncio.to_thread(self.collect, device, auth)

    def collect_and_store(self, engine: Any, device: Any, auth: SshAuth, *,
                          by: str = "scheduler") -> tuple[ConfigResult, list[Any]]:
        """:func:`collect_and_store` with this collector's timeout."""
        return collect_and_store(engine, _device_dict(device), auth, by=by, timeout_s=self.timeout_s)
