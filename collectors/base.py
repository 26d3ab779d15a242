"""The collector contract every transport (SNMP, SSH, NETCONF) implements.

A collector turns one device into one :class:`~nms.models.PollResult` and never raises past
that (style.md 2.1: per-device failure is a value). Example return value of ``collect``::

    PollResult(device="city-core", collector="snmp", status=PollStatus.OK, duration_s=0.21,
               samples=[Sample("interface", {...}, {...}, t), ...],
               state={"facts": {...}, "interfaces": [...], "lldp_neighbors": [...]},
               error=None, varbinds=1834)

Collectors are registered in ``nms.registry.collectors`` (setup.cfg ``nms.collectors``).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nms.models import PollResult


@runtime_checkable
class Collector(Protocol):
    """What the pipeline calls: ``name`` plus a blocking and an asyncio entry point."""

    name: str

    def collect(self, device: Any, auth: Any) -> PollResult:
        """Poll one device synchronously; errors are returned in the result."""
        ...

    async def collect_async(self, device: Any, auth: Any) -> PollResult:
        """Poll one device inside a running event loop; errors are returned in the result."""
        ...
