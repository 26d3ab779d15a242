"""Config collection, history and diffs through real SSH sessions (FakeNOS, PyPI ``fakenos``).

Each test talks to a FakeNOS process on 127.0.0.1 serving one of our fixture configs as its
``show running-config``. Failure cases use real sockets: a wrong password against FakeNOS, a
listener that accepts and never speaks (timeout), and a TCP relay in front of FakeNOS that cuts
the stream in the middle of the config transfer (no partial version may be stored).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from collectors.ssh import collect_and_store, collect_config
from nms.config import SshAuth
from nms.configs import diff, get_version, history, search, store_config
from nms.models import PollStatus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "configs"
FAKENOS = Path(sys.executable).with_name("fakenos")
pytestmark = pytest.mark.skipif(not FAKENOS.exists(), reason="fakenos not installed (pip install -e '.[test]')")
AUTH = SshAuth(username="netops", password="netops123", enable_secret="x")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def start_fakenos(tmp: Path, config_text: str, name: str) -> tuple[subprocess.Popen[bytes], int]:
    """A FakeNOS cisco_ios device whose running config is ``config_text``."""
    from fakenos.plugins.nos import nos_plugins

    stock = yaml.safe_load(Path(nos_plugins["cisco_ios"][0]).read_text())
    stock["name"] = f"cisco_ios_{name}"
    stock["commands"]["show running-config"] = {"output": config_text.rstrip("\n"), "help": "running config",
                                                "prompt": ["{base_prompt}#"]}
    nos = tmp / f"{name}.yaml"
    nos.write_text(yaml.safe_dump(stock, allow_unicode=True))
    port = free_port()
    inv = tmp / f"{name}-inv.yaml"
    inv.write_text(yaml.safe_dump({
        "default": {"username": "netops", "password": "netops123",
                    "server": {"plugin": "ParamikoSshServer", "configuration": {"address": "127.0.0.1", "timeout": 1}}},
        "hosts": {name: {"port": port, "nos": {"plugin": str(nos)}}}}))
    proc = subprocess.Popen([str(FAKENOS), "-i", str(inv), "-l", "WARNING"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
    except RuntimeError:
        proc.kill()
        raise
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    from inventory.models import Device, Site
    from nms.db import make_engine, migrate, session_scope

    eng = make_engine(f"sqlite:///{tmp_path / 'nms.db'}")
    migrate(eng)
    with session_scope(eng) as s:
        site = Site(code="city", name="City", level="city")
        s.add(site)
        s.flush()
        s.add(Device(name="edge1", address="127.0.0.1", role="router", platform="cisco_ios", site_id=site.id,
                     zone="extranet", ssh_auth="ssh"))
    return eng


@pytest.fixture
def hardened(tmp_path: Path) -> Iterator[tuple[int, str]]:
    text = (FIXTURES / "cisco_ios" / "hardened.cfg").read_text()
    proc, port = start_fakenos(tmp_path, text, "edge1")
    yield port, text
    stop(proc)


def device(port: int) -> dict[str, object]:
    return {"name": "edge1", "address": "127.0.0.1", "port": port, "platform": "cisco_ios"}


def test_collect_store_history_and_diff(engine, hardened, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port, text = hardened
    result, stored = collect_and_store(engine, device(port), AUTH, by="alice")
    assert result.ok, result.error
    assert result.texts["running"].strip().splitlines()[-1] == "end"
    assert "hostname CISCO-EDGE-01" in result.texts["running"]
    (v1, created1), = [s for s in stored if s[0].kind == "running"]
    assert created1 and v1.collected_by == "alice"
    # unchanged on the second run: no new version, last_seen moves
    _, again = collect_and_store(engine, device(port), AUTH, by="scheduler")
    assert [c for i, c in again if i.kind == "running"] == [False]
    # the device changes: a second FakeNOS serving the edited config
    changed = text.replace("logging host 10.10.1.11", "logging host 10.10.1.12")
    proc2, port2 = start_fakenos(tmp_path, changed, "edge1b")
    try:
        _, stored2 = collect_and_store(engine, device(port2), AUTH, by="bob")
    finally:
        stop(proc2)
    (v2, created2), = [s for s in stored2 if s[0].kind == "running"]
    assert created2
    versions = history(engine, "edge1")
    assert [v.id for v in versions] == [v2.id, v1.id] and [v.collected_by for v in versions] == ["bob", "alice"]
    patch = diff(engine, v1.id, v2.id)
    assert "-logging host 10.10.1.11" in patch and "+logging host 10.10.1.12" in patch and "(bob)" in patch
    shown = get_version(engine, v2.id, masked=True)[1]
    assert "secret 9 ******" in shown and "$9$nhEm" not in shown
    hits = search(engine, "logging host")
    assert {h["text"] for h in hits} == {"logging host 10.10.1.10", "logging host 10.10.1.12"}


def test_wrong_password_stores_nothing(engine, hardened) -> None:  # type: ignore[no-untyped-def]
    port, _ = hardened
    bad = SshAuth(username="netops", password="wrong-password", enable_secret="x")
    result, stored = collect_and_store(engine, device(port), bad, timeout_s=5)
    assert result.status is PollStatus.AUTH_FAILURE and "authentication failed" in (result.error or "")
    assert stored == [] and history(engine, "edge1") == []


def test_timeout_when_the_peer_never_speaks() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    try:
        t0 = time.monotonic()
        result = collect_config(device(port), AUTH, timeout_s=2)
        assert result.status in (PollStatus.TIMEOUT, PollStatus.ERROR), result
        assert result.status is PollStatus.TIMEOUT or "dropped" in (result.error or "")
        assert time.monotonic() - t0 < 30 and result.texts == {}
    finally:
        for s in held:
            s.close()
        listener.close()


def relay(target_port: int, cut_after: int) -> tuple[int, threading.Event]:
    """A TCP relay to FakeNOS that closes both sides once ``cut_after`` bytes went to the client."""
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    done = threading.Event()

    def run() -> None:
        client, _ = lst.accept()
        server = socket.create_connection(("127.0.0.1", target_port))
        sent = [0]

        def pump(src: socket.socket, dst: socket.socket, count: bool) -> None:
            try:
                while True:
                    data = src.recv(4096)
                    if not data:
                        break
                    dst.sendall(data)
                    if count:
                        sent[0] += len(data)
                        if sent[0] >= cut_after:
                            break
            except OSError:
                pass
            for s in (client, server):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            done.set()

        threading.Thread(target=pump, args=(client, server, False), daemon=True).start()
        pump(server, client, True)
        lst.close()

    threading.Thread(target=run, daemon=True).start()
    return lst.getsockname()[1], done


def test_connection_dropped_mid_transfer_stores_no_partial_version(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = (FIXTURES / "cisco_ios" / "hardened.cfg").read_text()
    body = "".join(f"interface GigabitEthernet2/0/{i}\n description filler {i:05d}\n shutdown\n!\n" for i in range(3000))
    big = base.replace("router ospf 1", body + "router ospf 1")
    store_config(engine, "edge1", base, by="earlier")  # the last good version
    proc, port = start_fakenos(tmp_path, big, "edge1c")
    try:
        relay_port, done = relay(port, cut_after=60_000)
        result, stored = collect_and_store(engine, device(relay_port), AUTH, timeout_s=5)
        done.wait(10)
    finally:
        stop(proc)
    assert not result.ok and stored == [] and result.texts == {}
    assert result.status in (PollStatus.ERROR, PollStatus.TIMEOUT), result
    versions = history(engine, "edge1")
    assert len(versions) == 1 and versions[0].collected_by == "earlier"


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="no ssh-keygen")
def test_masking_covers_every_vendor_fixture() -> None:
    from nms.configs import mask_secrets

    for path in FIXTURES.glob("*/hardened.*"):
        masked = mask_secrets(path.read_text())
        for secret in ("$9$nhEm", "$1c$Yq0N", "$h$6$QmFz", "$6$AbCdEf", "abcdefgh", "%^%#K3y"):
            assert secret not in masked, (path, secret)


def test_volatile_lines_never_make_a_new_version() -> None:
    from collectors.ssh import _UPTIME, normalize

    # what IOS prints around the config, and napalm's ios get_config strips: one text either way
    raw = ("Building configuration...\n\nCurrent configuration : 1234 bytes\n!\n"
           "! Last configuration change at 10:12:01 CST Mon Nov 2 2026 by netops\n"
           "! NVRAM config last updated at 09:00:00 CST Mon Nov 2 2026 by netops\n!\nversion 15.2\n"
           "hostname edge1\n!\nend\n")
    assert normalize("cisco_ios", raw) == "!\n\n\n!\nversion 15.2\nhostname edge1\n!\nend"
    assert normalize("huawei_vrp", "#\nsysname x\n#\nreturn\n") == "#\nsysname x\n#\nreturn\n"
    version = "Cisco IOS Software, Version 15.2\nedge1 uptime is 3 weeks, 2 days, 1 hour\nProcessor board ID X\n"
    assert _UPTIME.sub("", version) == "Cisco IOS Software, Version 15.2\nProcessor board ID X\n"
    vrp = "Huawei Versatile Routing Platform Software\nHUAWEI S5735 Routing Switch uptime is 0 week, 1 day\n"
    assert "uptime" not in _UPTIME.sub("", vrp)
