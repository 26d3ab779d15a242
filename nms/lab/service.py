"""Keep the simulated network running in the background for ``nms lab start|stop|status``.

``start`` generates the network into ``config.lab_path`` when it is missing or was made from
different ``lab`` settings, then starts one snmpsim process serving every device on its own
loopback address and leaves it running after the CLI exits. The process id, its command line
and the endpoints go to ``<lab dir>/state.json``; ``stop`` and ``status`` read that file and
only ever signal the PID after checking that it is still our snmpsim (PIDs get reused).

Files in the lab directory besides the generator's: ``state.json``, ``snmpsim.log`` (the
responder's output, kept small: it logs errors only), ``cache/`` (snmpsim's record indices, so
a restart does not re-index) and ``.lock`` (serialises concurrent start/stop calls).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nms.config import Config
from nms.lab.generator import generate, lab_fingerprint
from nms.lab.snmpsim import SnmpsimServer, is_snmpsim_process, stop_pid

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
LOG_FILE = "snmpsim.log"
MAX_LOG_BYTES = 5 * 1024 * 1024
START_TIMEOUT_S = 120.0


@dataclass
class LabStatus:
    """What ``nms lab status`` shows: whether the simulator runs, where, and for what network."""

    running: bool
    lab_dir: str
    pid: int | None = None
    devices: int = 0
    community: str | None = None
    endpoints: list[tuple[str, int]] = field(default_factory=list)
    generated: bool = False  # True when this call (re)generated the network
    up_to_date: bool = False  # the files on disk match the current lab settings
    log: str | None = None
    message: str = ""


def _state_path(lab_dir: Path) -> Path:
    return lab_dir / STATE_FILE


def _read_state(lab_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_state_path(lab_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _read_manifest(lab_dir: Path) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load((lab_dir / "manifest.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _endpoints(manifest: dict[str, Any]) -> list[tuple[str, int]]:
    rows = sorted(manifest.get("devices", []), key=lambda d: d["transport_index"])
    return [(str(d["address"]), int(d["port"])) for d in rows]


def _running_pid(lab_dir: Path, state: dict[str, Any] | None) -> int | None:
    if not state or not isinstance(state.get("pid"), int):
        return None
    pid = int(state["pid"])
    return pid if is_snmpsim_process(pid, lab_dir / "data") else None


@contextmanager
def _locked(lab_dir: Path) -> Iterator[None]:
    """Serialise start/stop on one lab directory (two shells running `nms lab start`)."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    with open(lab_dir / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def status(config: Config) -> LabStatus:
    """Report whether the lab's snmpsim runs (checked by PID *and* command line), and where.

    Args:
        config: the loaded config; ``config.lab_path`` is the lab directory.

    Returns:
        A ``LabStatus``; ``running`` is False when the state file is missing or names a process
        that is gone or is not our snmpsim.
    """
    lab_dir = config.lab_path
    state = _read_state(lab_dir)
    manifest = _read_manifest(lab_dir)
    pid = _running_pid(lab_dir, state)
    up_to_date = bool(manifest) and manifest.get("fingerprint") == lab_fingerprint(config.lab)
    devices = len(manifest.get("devices", [])) if manifest else 0
    if pid is not None and state is not None:
        endpoints = [(str(h), int(p)) for h, p in state.get("endpoints", [])]
        message = "running" if up_to_date else "running, but lab settings changed: restart it"
    else:
        endpoints = _endpoints(manifest) if manifest else []
        message = "not running" if manifest else "not generated yet"
    return LabStatus(running=pid is not None, lab_dir=str(lab_dir), pid=pid, devices=devices,
                     community=manifest.get("community") if manifest else None,
                     endpoints=endpoints, up_to_date=up_to_date,
                     log=str(lab_dir / LOG_FILE), message=message)


def start(config: Config) -> LabStatus:
    """Generate the lab if needed and serve it with snmpsim in the background (idempotent).

    A running lab made from the current settings is left alone; one made from other settings
    is stopped, regenerated and started again, so ``nms lab start`` after editing the ``lab``
    section of config.yaml does the right thing.

    Args:
        config: the loaded config (``lab`` section, ``lab_path``).

    Returns:
        The status after starting.

    Raises:
        SnmpsimError: snmpsim is missing or did not come up (the message has its log tail).
        ValueError: the lab settings cannot make a network.
    """
    lab_dir = config.lab_path
    fingerprint = lab_fingerprint(config.lab)
    with _locked(lab_dir):
        state = _read_state(lab_dir)
        pid = _running_pid(lab_dir, state)
        if pid is not None and state is not None and state.get("fingerprint") == fingerprint:
            return status(config)
        if pid is not None:
            log.info("lab settings changed: stopping snmpsim pid %d to regenerate", pid)
            stop_pid(pid)
        _state_path(lab_dir).unlink(missing_ok=True)

        manifest = _read_manifest(lab_dir)
        generated = False
        if not manifest or manifest.get("fingerprint") != fingerprint:
            log.info("generating the lab network into %s", lab_dir)
            generate(config.lab, lab_dir)
            shutil.rmtree(lab_dir / "cache", ignore_errors=True)  # indices of old recordings
            manifest = _read_manifest(lab_dir) or {}
            generated = True

        log_path = lab_dir / LOG_FILE
        if log_path.exists() and log_path.stat().st_size > MAX_LOG_BYTES:
            log_path.replace(log_path.with_suffix(".log.1"))
        endpoints = _endpoints(manifest)
        server = SnmpsimServer(lab_dir / "data", endpoints, command=config.lab.snmpsim_command,
                               log_path=log_path, cache_dir=lab_dir / "cache",
                               probe_community=config.lab.community)
        started = time.monotonic()
        server.start(timeout=START_TIMEOUT_S)
        assert server.pid is not None
        state = {"pid": server.pid, "argv": server.argv(), "fingerprint": fingerprint,
                 "endpoints": endpoints, "started_at": time.time(),
                 "start_seconds": round(time.monotonic() - started, 2)}
        tmp = _state_path(lab_dir).with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, _state_path(lab_dir))
        # The server object is dropped here on purpose: the process keeps running, detached
        # in its own session, and `stop` finds it again through state.json.
        result = status(config)
        result.generated = generated
        return result


def stop(config: Config) -> bool:
    """Stop the lab's snmpsim by the PID in state.json, if that PID is really our snmpsim.

    Args:
        config: the loaded config (``lab_path``).

    Returns:
        True if a running simulator was stopped; False if none was running (a stale state
        file is removed either way).
    """
    lab_dir = config.lab_path
    if not lab_dir.exists():
        return False
    with _locked(lab_dir):
        pid = _running_pid(lab_dir, _read_state(lab_dir))
        if pid is not None:
            stop_pid(pid)
        _state_path(lab_dir).unlink(missing_ok=True)
        return pid is not None
