"""``nms probe run|sweep``: reachability probes of the inventory, and device discovery by sweep.

Registered in setup.cfg under ``nms.commands`` (``probe = collectors.probe.cli:probe``).

``run`` probes every inventory device and every planned link endpoint with an address (or the
``--device`` ones) once, or every ``--interval`` seconds, printing loss and latency and writing
``probe`` samples to the sink. ``sweep`` needs ``--allow``: it refuses any prefix outside the
networks named there, finds live hosts, asks them who they are over SNMP with the configured
auth profiles and writes *proposed* inventory rows to a file -- it never adds devices itself.
Exit codes: 0 ok; 1 some target unreachable (``run``) or an error; 2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nms.cli import emit, format_option, get_config


def _inventory(ctx: click.Context) -> dict[str, list[dict[str, Any]]]:
    from inventory.io import export_data
    from nms.db import make_engine, migrate, session_scope

    engine = make_engine(get_config(ctx).database_url)
    migrate(engine)
    with session_scope(engine) as session:
        return export_data(session)


@click.group("probe")
def probe() -> None:
    """ICMP/TCP reachability probes (scapy) and discovery sweeps."""


@probe.command("run")
@click.option("--device", "devices", multiple=True, help="Only this device (repeatable).")
@click.option("--method", type=click.Choice(["auto", "icmp", "tcp", "ping", "connect"]),
              default="auto", show_default=True,
              help="auto = scapy ICMP, falling back to the ping program / TCP connect when raw "
                   "sockets are not permitted.")
@click.option("--count", default=3, show_default=True, help="Probes per target per round.")
@click.option("--timeout", "timeout_s", default=1.0, show_default=True, help="Seconds to wait.")
@click.option("--rate", "rate_pps", default=100.0, show_default=True, help="Packets per second.")
@click.option("--port", default=22, show_default=True, help="TCP port for tcp/connect.")
@click.option("--interval", "interval_s", type=float,
              help="Repeat every this many seconds (default: one round).")
@click.option("--rounds", type=int, help="With --interval: stop after this many rounds.")
@click.option("--write/--no-write", default=True, show_default=True,
              help="Write the probe samples to the sink.")
@click.option("--links/--no-links", default=True, show_default=True,
              help="Also probe planned link endpoints that have an address.")
@format_option
@click.pass_context
def probe_run(ctx: click.Context, devices: tuple[str, ...], method: str, count: int,
              timeout_s: float, rate_pps: float, port: int, interval_s: float | None,
              rounds: int | None, write: bool, links: bool, fmt: str) -> None:
    """Probe inventory devices (and link endpoints): loss and latency, as samples."""
    from collectors.probe.runner import ProbeRunner, targets_from_inventory
    from nms.sink import open_sink

    inv = _inventory(ctx)
    rows = inv["devices"]
    if devices:
        unknown = set(devices) - {d["name"] for d in rows}
        if unknown:
            raise click.UsageError(f"no such device: {', '.join(sorted(unknown))}")
        rows = [d for d in rows if d["name"] in devices]
    wanted = {d["name"] for d in rows}
    link_rows = [lk for lk in inv["links"] if links and (lk["a_device"] in wanted
                                                         or lk["b_device"] in wanted)]
    targets = [t for t in targets_from_inventory(rows, inv["interfaces"], link_rows)
               if t.device in wanted]
    if not targets:
        raise click.UsageError("nothing to probe: no inventory device has an address")
    runner = ProbeRunner(targets, method=method, count=count, timeout_s=timeout_s,
                         rate_pps=rate_pps, port=port)
    sink = open_sink(get_config(ctx)) if write else None
    unreachable = False

    def show(samples: list[Any]) -> None:
        nonlocal unreachable
        table = []
        for s in samples:
            f = s.fields
            unreachable = unreachable or not f["reachable"]
            table.append({"device": s.tags["device"], "kind": s.tags["kind"],
                          "target": s.tags["target"], "ifname": s.tags.get("ifname"),
                          "method": s.tags["method"], "loss%": f["loss_percent"],
                          "rtt_avg_ms": f.get("rtt_avg_ms"), "error": f.get("error")})
        emit(table, ["device", "kind", "ifname", "target", "method", "loss%", "rtt_avg_ms",
                     "error"], fmt)

    try:
        if interval_s:
            runner.run(interval_s, sink=sink, on_samples=show, rounds=rounds)
        else:
            samples = runner.run_once()
            if sink is not None:
                sink.write(samples)
            show(samples)
    finally:
        if sink is not None:
            sink.close()
    if unreachable:
        sys.exit(1)


@probe.command("sweep")
@click.argument("prefix")
@click.option("--allow", "allowed", multiple=True, required=True,
              help="Network the sweep may touch (repeatable); PREFIX must lie inside one.")
@click.option("--auth", "auth_names", multiple=True,
              help="SNMP auth profile to identify hosts with (repeatable; default: every "
                   "SNMP profile of the config).")
@click.option("--method", "methods", multiple=True, type=click.Choice(["icmp", "arp"]),
              help="Sweep methods (default both; ARP only on directly connected prefixes).")
@click.option("--rate", "rate_pps", default=100.0, show_default=True, help="Packets per second.")
@click.option("--timeout", "timeout_s", default=1.0, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the proposed devices here (inventory import format, site left empty).")
@format_option
@click.pass_context
def probe_sweep(ctx: click.Context, prefix: str, allowed: tuple[str, ...],
                auth_names: tuple[str, ...], methods: tuple[str, ...], rate_pps: float,
                timeout_s: float, output: Path | None, fmt: str) -> None:
    """Sweep PREFIX and propose the devices the inventory does not know (never adds them)."""
    from collectors.probe.policy import check_prefix
    from collectors.probe.sweep import proposals_yaml, propose_devices
    from nms.config import SnmpAuth
    from nms.db import make_engine
    from nms.state import load_state

    check_prefix(prefix, list(allowed))  # refuse before touching anything else
    config = get_config(ctx)
    auths = {name: config.auth(name) for name in auth_names} if auth_names else {
        name: a for name, a in config.auths.items() if isinstance(a, SnmpAuth)}
    auths = {k: v for k, v in auths.items() if isinstance(v, SnmpAuth)}
    inv = _inventory(ctx)
    known = [d["name"] for d in inv["devices"]] + [d["address"] for d in inv["devices"]]
    known += [str(i["address"]).split("/")[0] for i in inv["interfaces"] if i.get("address")]
    for data in load_state(make_engine(config.database_url)).values():
        known += [a.get("address", "") for a in data.get("addresses") or []]
    report = propose_devices(prefix, allowed=list(allowed), auths=auths, known=known,
                             snmp=config.snmp, rate_pps=rate_pps, timeout_s=timeout_s,
                             methods=methods or ("icmp", "arp"))
    for note in report["notes"]:
        click.echo(f"note: {note}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        emit([{"address": a, "found_by": info.get("method"), "mac": info.get("mac"),
               "sysName": (report["identified"].get(a) or {}).get("sysName"),
               "platform": (report["identified"].get(a) or {}).get("platform"),
               "proposed": any(p["address"] == a for p in report["proposals"])}
              for a, info in report["alive"].items()],
             ["address", "found_by", "mac", "sysName", "platform", "proposed"], fmt)
        click.echo(f"{len(report['alive'])} hosts answered in {report['duration_s']} s; "
                   f"{len(report['proposals'])} not in the inventory", err=True)
    if output:
        output.write_text(proposals_yaml(report["proposals"], report["prefix"]), encoding="utf-8")
        click.echo(f"wrote {output}: review, set each site, then `nms inventory import {output}`",
                   err=True)
