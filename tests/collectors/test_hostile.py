"""Garbled and hostile agents: each gives a clear per-device error; nothing crashes or hangs.

The agent is real (``hostile_agent.py``: UDP + BER via scapy), nothing of nms is mocked. Every
scenario runs with both engines.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest

from collectors.snmp.collector import SnmpCollector, SnmpTarget, poll_device
from collectors.snmp.engine import SessionOptions, open_session
from nms.config import SnmpAuth, SnmpConfig
from nms.errors import ProtocolError
from nms.models import PollStatus
from tests.collectors.hostile_agent import start_agent

ENGINES = ["gufo", "pysnmp"]
FAST = SnmpConfig(timeout_s=0.3, retries=1, max_repetitions=25, device_budget_s=2.5)

# community -> (expected status, text the error must contain)
SCENARIOS = {
    "wrongtype": (PollStatus.ERROR, "wrong type"),
    "truncated": (PollStatus.ERROR, "remaining walks skipped"),
    "garbage": (PollStatus.ERROR, "remaining walks skipped"),
    "loop": (PollStatus.ERROR, "non-increasing"),
    "endless": (PollStatus.TIMEOUT, "time budget"),
    # (the row limit, MAX_ROWS, is exercised with a small limit in test_endless_table_hits_row_limit)
    # pysnmp receives the 30 kB reply and our size limit rejects it; gufo-snmp cannot decode a
    # reply that large at all ("incomplete") -- either way a clear per-table error
    "huge": (PollStatus.ERROR, r"bytes \(limit|incomplete"),
    "silent": (PollStatus.TIMEOUT, "no SNMP answer"),
    "slowwalk": (PollStatus.ERROR, "remaining walks skipped"),
    "badoid": (PollStatus.ERROR, "wrong type"),
}


def _target(community: str, port: int) -> SnmpTarget:
    return SnmpTarget(community, "127.0.0.1", SnmpAuth(community=community), port=port,
                      tags={"site": "lab"})


@pytest.mark.parametrize("engine", ENGINES)
def test_good_agent(engine: str) -> None:
    async def run() -> None:
        transport, _agent, port = await start_agent()
        try:
            r = await poll_device(_target("good", port), FAST, engine=engine)
        finally:
            transport.close()
        assert r.status is PollStatus.OK, r.error
        assert r.state["facts"]["platform"] == "linux"
        ports = {p["ifIndex"]: p for p in r.state["interfaces"]}
        assert ports[2]["ifPhysAddress"] == "00163e000002"
        assert ports[1]["ifPhysAddress"] is None
        assert ports[3]["ifOperStatus"] == "down"
        assert ports[2]["speed_bps"] == 1_000_000_000
        iface = [s for s in r.samples if s.measurement == "interface"]
        assert len(iface) == 3
        assert iface[0].fields["in_octets"] == 2**40 + 1 and iface[0].fields["counter_bits"] == 64
        assert r.samples[-1].measurement == "poll_status"
        assert r.samples[-1].fields["status"] == "ok"

    asyncio.run(run())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("community", sorted(SCENARIOS))
def test_hostile_agent(engine: str, community: str) -> None:
    status, text = SCENARIOS[community]

    async def run() -> None:
        transport, _agent, port = await start_agent()
        try:
            # the endless table is ended by the budget: keep that one short
            cfg = dataclasses.replace(FAST, device_budget_s=2.0 if community == "endless" else 6.0)
            r = await poll_device(_target(community, port), cfg, engine=engine)
        finally:
            transport.close()
        assert r.status is status, (r.status, r.error)
        assert r.error and r.error.startswith(f"{community}: "), r.error
        assert re.search(text, r.error), r.error
        assert r.duration_s < cfg.device_budget_s + 1
        poll_status = r.samples[-1]
        assert poll_status.measurement == "poll_status"
        assert poll_status.fields["status"] == status.value
        assert poll_status.fields["error"] == r.error[:500]

    asyncio.run(run())


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_agents_do_not_stop_the_cycle(engine: str) -> None:
    """All scenarios at once in one cycle: every device gets a result, the good one is OK."""

    async def run() -> None:
        transport, _agent, port = await start_agent()
        try:
            # everything shares one loop with the agent here: a roomier budget for "good"
            cycle = SnmpConfig(timeout_s=0.3, retries=1, max_repetitions=25, device_budget_s=6.0)
            collector = SnmpCollector(cycle, engine=engine)
            names = ["good", *sorted(SCENARIOS), "good"]
            targets = [_target(n, port) for n in names]
            results = await collector.poll_many(targets)
        finally:
            transport.close()
        assert [r.device for r in results] == names
        assert results[0].status is PollStatus.OK and results[-1].status is PollStatus.OK
        for r in results[1:-1]:
            assert r.status is SCENARIOS[r.device][0], (r.device, r.error)

    asyncio.run(run())


@pytest.mark.parametrize("engine", ENGINES)
def test_endless_table_hits_row_limit(engine: str) -> None:
    async def run() -> None:
        transport, _agent, port = await start_agent()
        try:
            opts = SessionOptions("127.0.0.1", port, timeout_s=0.5, retries=0, max_rows=200)
            async with open_session(engine, opts, SnmpAuth(community="endless")) as session:
                with pytest.raises(ProtocolError, match="exceeded 200 varbinds"):
                    await session.walk("1.3.6.1.2.1.2.2.1")
        finally:
            transport.close()

    asyncio.run(run())


@pytest.mark.parametrize("engine", ENGINES)
def test_wrong_port_is_timeout_not_crash(engine: str) -> None:
    async def run() -> None:
        transport, _agent, port = await start_agent()
        transport.close()  # nothing listens there any more
        r = await poll_device(_target("good", port), FAST, engine=engine)
        assert r.status in (PollStatus.TIMEOUT, PollStatus.UNREACHABLE), r.error
        assert r.error

    asyncio.run(run())
