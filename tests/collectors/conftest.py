"""Fixtures for the collector tests: the hostile/good SNMP agent running in its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from tests.collectors.hostile_agent import start_agent


@pytest.fixture(scope="module")
def agent_port() -> Iterator[int]:
    """Port of a HostileAgent on 127.0.0.1, served by a thread with its own event loop (so code
    under test can run ``asyncio.run`` or a subprocess against it)."""
    loop = asyncio.new_event_loop()
    ready: dict[str, object] = {}
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        transport, _agent, port = loop.run_until_complete(start_agent())
        ready["transport"], ready["port"] = transport, port
        started.set()
        loop.run_forever()
        transport.close()
        loop.run_until_complete(asyncio.sleep(0.01))  # let the transport finish closing

    thread = threading.Thread(target=serve, name="snmp-agent", daemon=True)
    thread.start()
    assert started.wait(10), "agent did not start"
    try:
        yield int(ready["port"])  # type: ignore[call-overload]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
