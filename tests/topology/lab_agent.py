"""The poller's side of the netns lab tests: runs inside the mgmt namespace, speaks JSON lines.

Why a long-lived process: Python 3.11 has no ``os.setns``, so the test process cannot poll
from the mgmt namespace itself; starting one ``ip netns exec <mgmt> python`` per poll would cost
a second of imports each time. The test starts this once per session and sends requests::

    {"op": "poll", "targets": [{"name": n, "address": a}], "community": c}
        -> {"ok": true, "state": {name: PollResult.state}, "status": {name: status}}
    {"op": "probe", "targets": [address...], "method": "auto", "count": 2, "allowed": [...]}
        -> {"ok": true, "results": {address: probe fields}}
    {"op": "probe_round", "inventory": {devices, interfaces, links}, "allowed": [...]}
        -> {"ok": true, "samples": [probe samples of every device and link endpoint]}
    {"op": "sweep", "prefix": p, "allowed": [...], "auths": {name: community}, "known": [...]}
        -> {"ok": true, "alive": {...}, "proposals": [...]}

It uses the real SNMP collector (``collectors.snmp.collector.poll_device``) and the real probes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import traceback
from typing import Any

from collectors.probe.icmp import probe
from collectors.probe.runner import ProbeRunner, targets_from_inventory
from collectors.snmp.collector import SnmpTarget, poll_device
from nms.config import SnmpAuth, SnmpConfig

PROFILES = ("system", "if_mib", "ip_mib", "lldp_mib")


async def _poll(req: dict[str, Any]) -> dict[str, Any]:
    snmp = SnmpConfig(timeout_s=float(req.get("timeout_s", 1.0)), retries=1)
    auth = SnmpAuth(community=req["community"])
    targets = [SnmpTarget(t["name"], t["address"], auth, profiles=PROFILES)
               for t in req["targets"]]
    results = await asyncio.gather(*(poll_device(t, snmp) for t in targets))
    return {"ok": True, "state": {r.device: r.state for r in results},
            "status": {r.device: r.status.value for r in results},
            "errors": {r.device: r.error for r in results if r.error}}


def handle(req: dict[str, Any]) -> dict[str, Any]:
    op = req.get("op")
    if op == "poll":
        return asyncio.run(_poll(req))
    if op == "probe":
        results = probe(req["targets"], method=req.get("method", "auto"),
                        count=int(req.get("count", 2)), timeout_s=float(req.get("timeout_s", 1.0)),
                        allowed=req.get("allowed"))
        return {"ok": True, "results": {a: r.fields() | {"method": r.method}
                                        for a, r in results.items()}}
    if op == "probe_round":
        inv = req["inventory"]
        targets = targets_from_inventory(inv["devices"], inv.get("interfaces", []),
                                         inv.get("links", []))
        runner = ProbeRunner(targets, method=req.get("method", "auto"),
                             count=int(req.get("count", 2)),
                             timeout_s=float(req.get("timeout_s", 1.0)), allowed=req.get("allowed"))
        return {"ok": True, "samples": [{"measurement": s.measurement, "tags": s.tags,
                                         "fields": s.fields, "time": s.time.isoformat()}
                                        for s in runner.run_once()]}
    if op == "sweep":
        from collectors.probe.sweep import propose_devices

        report = propose_devices(req["prefix"], allowed=req["allowed"],
                                 auths={k: SnmpAuth(community=v) for k, v in req["auths"].items()},
                                 known=req.get("known", []), snmp=SnmpConfig(timeout_s=1.0, retries=0),
                                 timeout_s=float(req.get("timeout_s", 1.0)))
        return {"ok": True, **report}
    return {"ok": False, "error": f"unknown op {op!r}"}


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("op") == "quit":
            break
        try:
            reply = handle(req)
        except Exception as exc:  # noqa: BLE001 - report to the test, keep serving
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                     "traceback": traceback.format_exc()}
        sys.stdout.write(json.dumps(reply, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
