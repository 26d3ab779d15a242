"""Fixtures for the audit tests that talk to real peers in network namespaces.

``cli_lab`` (session) is a two-router :class:`nms.lab.netns.NetnsLab` with the CLI and NETCONF
peers switched on: per router OpenSSH on ``<oob>:22`` whose login shell is FRR ``vtysh`` (a
Cisco-like CLI over live state) and yuma123 ``netconfd`` behind the same sshd on ``<oob>:830``
(live ietf-interfaces). Clients run inside the lab's mgmt namespace through
``lab.mgmt_call(fn, ...)`` -- a thread that entered that namespace -- so the tests call the
real collectors in-process. Where the lab cannot run (not root, daemons missing) the tests that
use it skip with the reason.

    mgmt 198.19.0.1 -- eth0 198.19.0.11 r1 eth1 198.19.1.1/30 ---- 198.19.1.2/30 eth1 r2 eth0 198.19.0.12
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nms.config import SshAuth
from nms.lab.netns import NetnsLab, unavailable_reason
from tests.audit.lab_helpers import LOGIN, cli_spec


@pytest.fixture(scope="session")
def cli_lab() -> Iterator[NetnsLab]:
    """The two-router lab with sshd+vtysh and netconfd, up for the whole session."""
    reason = unavailable_reason(ssh=True, netconf=True)
    if reason:
        pytest.skip(reason)
    lab = NetnsLab(cli_spec(), prefix=f"nmsta{os.getpid() % 100000}-", community="nmsaudit",
                   ssh=True, netconf=True, login=LOGIN)
    lab.up(timeout=90)
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture(scope="session")
def lab_auth() -> SshAuth:
    """The lab login as an SSH auth profile (NETCONF uses the same profile, port 830)."""
    return SshAuth(username=LOGIN[0], password=LOGIN[1])


@pytest.fixture(scope="module")
def lab_engine(tmp_path_factory: pytest.TempPathFactory, cli_lab: NetnsLab) -> Any:
    """A migrated SQLite store whose inventory holds the lab routers."""
    from inventory.models import Device, Site
    from nms.db import make_engine, migrate, session_scope

    path: Path = tmp_path_factory.mktemp("audit-lab") / "nms.db"
    eng = make_engine(f"sqlite:///{path}")
    migrate(eng)
    with session_scope(eng) as s:
        site = Site(code="city", name="示范市", level="city")
        s.add(site)
        s.flush()
        for host in cli_lab.spec.hosts:
            s.add(Device(name=host.name, address=cli_lab.spec.oob_address(host.name), role="router",
                         platform="cisco_ios", site_id=site.id, zone="extranet", ssh_auth="lab"))
    return eng
