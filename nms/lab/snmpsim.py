"""Run snmpsim (the SNMP agent simulator) as a child process, for tests and for ``nms lab``.

Inputs: a data directory of ``.snmprec`` recordings and the UDP endpoints to listen on. Output: a
running ``snmpsim-command-responder`` that has answered one SNMP GET (so callers never race its
start-up), stopped again by PID.

snmpsim lives in its own virtualenv (``.venv-lab``, made by ``scripts/bootstrap``) because pysmi on
the poller's import path costs about a second of CPU per pysnmp engine. This module therefore never
imports snmpsim or pysnmp: it starts the responder as a program and probes it with a hand-encoded
SNMPv2c GET (RFC 3416 PDU in BER, a few dozen bytes) sent over a plain UDP socket.

Recording selection (see ``_responder.py``): ``<data-dir>/<community>.snmprec`` answers community
``<community>`` on every endpoint; ``<data-dir>/<md5hex(community)>/1.3.6.1.6.1.1.<N>.snmprec``
answers that community on the N-th endpoint only (N from 0, in ``endpoints`` order), which is how
one process serves a hundred lab devices on their own loopback addresses with one community.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path
from types import TracebackType

from nms.errors import NmsError

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
RESPONDER_SHIM = Path(__file__).resolve().with_name("_responder.py")
LAB_VENV_COMMAND = REPO_ROOT / ".venv-lab" / "bin" / "snmpsim-command-responder"
COMMAND_NAME = "snmpsim-command-responder"
UDP_DOMAIN = "1.3.6.1.6.1.1"  # snmpUDPDomain (SNMPv2-TM); snmpsim appends the endpoint index
PROBE_OID = "1.3.6.1.2.1.1.3.0"  # sysUpTime.0


class SnmpsimError(NmsError):
    """snmpsim is missing, would not start, or could not be stopped."""


def find_snmpsim_command(configured: str | None = None) -> str:
    """Locate ``snmpsim-command-responder``.

    Order: ``configured`` (``lab.snmpsim_command`` in config.yaml), then the repository's
    ``.venv-lab``, then ``$PATH``. The lab venv is preferred over ``$PATH`` because the version
    there is the one the recording-selection shim was written against.

    Args:
        configured: an explicit path or command name, or None.

    Returns:
        The absolute path of the responder program.

    Raises:
        SnmpsimError: nothing found; the message says how to install it.
    """
    if configured:
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if not found:
            raise SnmpsimError(f"lab.snmpsim_command {configured!r} does not exist or is not "
                               "executable")
        return str(Path(found).resolve())
    if LAB_VENV_COMMAND.is_file():
        return str(LAB_VENV_COMMAND)
    found = shutil.which(COMMAND_NAME)
    if found:
        return found
    raise SnmpsimError(f"{COMMAND_NAME} not found (looked in {LAB_VENV_COMMAND.parent} and $PATH); "
                       "run scripts/bootstrap to create .venv-lab with snmpsim")


def _interpreter_of(command: str) -> str | None:
    """The Python that runs the responder script (sibling ``python`` or its ``#!`` line)."""
    sibling = Path(command).with_name("python")
    if sibling.is_file():
        return str(sibling)
    try:
        with open(command, "rb") as fh:
            first = fh.readline(512)
    except OSError:
        return None
    if first.startswith(b"#!") and b"python" in first:
        return first[2:].decode(errors="replace").split()[0]
    return None


def free_udp_port(host: str = "127.0.0.1") -> int:
    """Return a UDP port that was free on ``host`` a moment ago (the kernel's pick).

    Tests use it so parallel runs never fight over a fixed port. There is a small window in which
    another process could take the port; callers that fail to bind simply retry.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def transport_recording(data_dir: Path, community: str, endpoint_index: int) -> Path:
    """Path of the recording snmpsim serves for ``community`` on the ``endpoint_index``-th endpoint.

    The directory is named ``md5hex(community)`` because snmpsim maps a v1/v2c community to that
    SNMP context name before it looks for transport-specific recordings.
    """
    context = hashlib.md5(community.encode()).hexdigest()
    return data_dir / context / f"{UDP_DOMAIN}.{endpoint_index}.snmprec"


# --------------------------------------------------------------------------------------------
# A minimal SNMPv2c GET in BER, only for the readiness probe
# --------------------------------------------------------------------------------------------


def _ber_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, payload: bytes) -> bytes:
    return bytes([tag]) + _ber_length(len(payload)) + payload


def _ber_int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


def _ber_oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.strip(".").split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def snmp_get_request(community: str, oid: str, request_id: int) -> bytes:
    """Encode an SNMPv2c GetRequest-PDU for one OID (RFC 3416, BER)."""
    varbind = _tlv(0x30, _ber_oid(oid) + b"\x05\x00")
    pdu = _tlv(0xA0, _ber_int(request_id) + _ber_int(0) + _ber_int(0) + _tlv(0x30, varbind))
    return _tlv(0x30, _ber_int(1) + _tlv(0x04, community.encode()) + pdu)


def _read_tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        nbytes = length & 0x7F
        length = int.from_bytes(data[pos:pos + nbytes], "big")
        pos += nbytes
    return tag, data[pos:pos + length], pos + length


def response_request_id(packet: bytes) -> int | None:
    """The request-id of an SNMP Response-PDU, or None if ``packet`` is not one."""
    try:
        tag, message, _ = _read_tlv(packet, 0)
        if tag != 0x30:
            return None
        _, _, pos = _read_tlv(message, 0)  # version
        _, _, pos = _read_tlv(message, pos)  # community
        tag, pdu, _ = _read_tlv(message, pos)
        if tag != 0xA2:
            return None
        tag, raw_id, _ = _read_tlv(pdu, 0)
        return int.from_bytes(raw_id, "big", signed=True) if tag == 0x02 else None
    except IndexError:
        return None


def snmp_answers(host: str, port: int, community: str, timeout: float = 0.5) -> bool:
    """True if an SNMPv2c agent at ``host:port`` answers a GET for sysUpTime.0 with ``community``.

    Any Response-PDU counts (even noSuchObject): the point is that the agent is up and accepts
    the community, not what the recording holds.
    """
    request_id = secrets.randbelow(2**31 - 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(snmp_get_request(community, PROBE_OID, request_id), (host, port))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                packet = sock.recv(65535)
                if response_request_id(packet) == request_id:
                    return True
        except OSError:  # timeout, or ICMP port unreachable surfacing as ConnectionRefusedError
            return False
    return False


# --------------------------------------------------------------------------------------------
# Process helpers
# --------------------------------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    """True if ``pid`` runs and is not a zombie; reaps it when it is our exited child."""
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
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def process_cmdline(pid: int) -> list[str]:
    """The argument vector of ``pid`` from /proc, or [] if it is gone or unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def is_snmpsim_process(pid: int, data_dir: Path | None = None) -> bool:
    """True if ``pid`` is a live snmpsim responder (serving ``data_dir``, when given).

    Used before signalling a PID read from a state file: the PID may have been reused.
    """
    argv = process_cmdline(pid)
    if not argv or not process_alive(pid):
        return False
    if not any("snmpsim" in arg or arg == str(RESPONDER_SHIM) for arg in argv):
        return False
    return data_dir is None or f"--data-dir={Path(data_dir).resolve()}" in argv


def stop_pid(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM ``pid``, wait up to ``timeout`` s, then SIGKILL. Only ever one PID, never a name."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        process_alive(pid)  # reap if it was our child
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return
        time.sleep(0.05)
    log.warning("snmpsim pid %d ignored SIGTERM for %.1f s; killing it", pid, timeout)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class SnmpsimServer:
    """One snmpsim responder process serving ``data_dir`` on one or more UDP endpoints.

    Example:
        >>> with SnmpsimServer(Path("/work/shared/corpus/librenms")) as sim:  # doctest: +SKIP
        ...     host, port = sim.endpoints[0]     # snmpget -v2c -c vrp_5720 host:port ...

    Args:
        data_dir: directory of ``.snmprec`` files (``<community>.snmprec``, and optionally the
            per-endpoint layout described in the module docstring).
        endpoints: ``(address, port)`` pairs to listen on, in transport-index order; default one
            free port on 127.0.0.1.
        command: responder program; default ``find_snmpsim_command()``.
        log_path: where the responder's output goes; default ``<cache dir>/snmpsim.log``.
        cache_dir: where snmpsim keeps its record indices; default a temporary directory that
            ``stop()`` removes. Reusing one across runs makes restarts faster.
        probe_community: community for the readiness GET; default the stem of the first
            ``<community>.snmprec`` at the top of ``data_dir``.
        select_by_endpoint: run through ``_responder.py`` so recordings can be chosen per
            endpoint (needs the responder to be a Python script); False runs it unchanged.
        log_level: snmpsim's ``--log-level``; ``info`` logs every request (large logs).
    """

    def __init__(self, data_dir: Path, endpoints: list[tuple[str, int]] | None = None,
                 command: str | None = None, log_path: Path | None = None, *,
                 cache_dir: Path | None = None, probe_community: str | None = None,
                 select_by_endpoint: bool = True, log_level: str = "error") -> None:
        self.data_dir = Path(data_dir).resolve()
        self.endpoints: list[tuple[str, int]] = list(endpoints or [("127.0.0.1", free_udp_port())])
        self.command = command
        self.log_path = Path(log_path) if log_path else None
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.probe_community = probe_community
        self.select_by_endpoint = select_by_endpoint
        self.log_level = log_level
        self.pid: int | None = None
        self._own_cache = False

    # ---- lifecycle -----------------------------------------------------------------------
    def argv(self) -> list[str]:
        """The command line ``start()`` runs (useful in error messages and state files)."""
        command = find_snmpsim_command(self.command)
        prefix = [command]
        if self.select_by_endpoint:
            python = _interpreter_of(command)
            if python is None:
                raise SnmpsimError(f"{command} is not a Python script, so recordings cannot be "
                                   "selected per endpoint; pass select_by_endpoint=False")
            prefix = [python, str(RESPONDER_SHIM)]
        assert self.cache_dir is not None
        args = [f"--data-dir={self.data_dir}", f"--cache-dir={self.cache_dir}",
                f"--log-level={self.log_level}"]
        args += [f"--agent-udpv4-endpoint={host}:{port}" for host, port in self.endpoints]
        return prefix + args

    def start(self, timeout: float = 60.0) -> SnmpsimServer:
        """Spawn the responder in its own session and wait until it answers an SNMP GET.

        The child runs in a new session so that it can outlive the caller (``nms lab start``)
        and is not hit by the caller's terminal signals; ``stop()`` ends it by PID.

        Args:
            timeout: seconds to wait for the first answer (indexing a hundred recordings on a
                cold cache takes a few seconds).

        Returns:
            self, so ``SnmpsimServer(...).start()`` reads naturally.

        Raises:
            SnmpsimError: snmpsim is missing, exited, or did not answer in time; the message
                holds the tail of its log.
        """
        if self.pid is not None:
            raise SnmpsimError(f"snmpsim already started (pid {self.pid})")
        if not self.data_dir.is_dir():
            raise SnmpsimError(f"snmpsim data directory {self.data_dir} does not exist")
        community = self.probe_community or self._guess_community()
        self._check_endpoints_free()
        if self.cache_dir is None:
            self.cache_dir = Path(tempfile.mkdtemp(prefix="nms-snmpsim-"))
            self._own_cache = True
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        if self.log_path is None:
            self.log_path = self.cache_dir / "snmpsim.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = self.argv()
        env = dict(os.environ, SNMPSIM_ALLOW_ROOT="true", PYTHONUNBUFFERED="1")
        env.pop("PYTHONPATH", None)  # the lab venv must not see nms's packages, nor they it
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(self.log_path),
             os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        log.info("starting snmpsim: %s", " ".join(argv))
        self.pid = os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
        try:
            self._wait_ready(community, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _check_endpoints_free(self) -> None:
        # snmpsim logs "Listening at" and then serves nothing when a bind fails (asyncio defers
        # the error), so a taken port would look like a slow start: check up front instead.
        for host, port in self.endpoints:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                try:
                    sock.bind((host, port))
                except OSError as exc:
                    raise SnmpsimError(
                        f"cannot listen on UDP {host}:{port}: {exc.strerror}") from exc

    def _guess_community(self) -> str:
        tops = sorted(self.data_dir.glob("*.snmprec"))
        if not tops:
            raise SnmpsimError(f"{self.data_dir} holds no <community>.snmprec at its top level, "
                               "so snmpsim would accept no community; pass probe_community")
        return tops[0].stem

    def _wait_ready(self, community: str, timeout: float) -> None:
        assert self.pid is not None
        host, port = self.endpoints[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process_alive(self.pid):
                raise SnmpsimError(f"snmpsim exited during start-up\n{self.log_tail()}")
            if snmp_answers(host, port, community, timeout=0.3):
                return
            time.sleep(0.1)
        raise SnmpsimError(f"snmpsim (pid {self.pid}) did not answer an SNMP GET on "
                           f"{host}:{port} with community {community!r} within {timeout:.0f} s"
                           f"\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the responder's log, for error messages."""
        if not self.log_path or not self.log_path.exists():
            return "(no snmpsim log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "snmpsim log tail:\n  " + "\n  ".join(text[-lines:])

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the responder by its PID (SIGTERM, then SIGKILL) and drop a temporary cache."""
        if self.pid is not None:
            stop_pid(self.pid, timeout)
            self.pid = None
        if self._own_cache and self.cache_dir is not None:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
            if self.log_path is not None and self.cache_dir in self.log_path.parents:
                self.log_path = None
            self._own_cache = False
            self.cache_dir = None

    @property
    def running(self) -> bool:
        """True while the responder process is alive."""
        return self.pid is not None and process_alive(self.pid)

    def __enter__(self) -> SnmpsimServer:
        if self.pid is None:
            self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
