"""``nms poll`` and ``nms snmp inspect``: the SNMP collector's commands (entry points
``nms.commands``: ``poll``, ``snmp``; nms core never imports this module).

* ``nms poll --once [--device D ...] [--dry-run]`` polls the inventory once; samples go to
  ``nms.sink.open_sink(config)`` and each device's state to the device-state store, or with
  ``--dry-run`` the samples are printed (JSON lines) and nothing is stored.
* ``nms poll`` (no ``--once``) polls every device on its role's interval
  (``config.polling.intervals_s``) with ``config.polling.jitter_s`` jitter, never two polls of
  one device at a time; overruns are logged.
* ``nms snmp inspect ADDRESS`` discovers and polls one device and prints the inspect document
  (:mod:`collectors.snmp.inspect`).

Exit codes: 0 all devices OK, 1 some device failed (or inspect could not poll), 2 usage/config.
Progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections import Counter
from typing import Any

import click

from collectors.snmp.collector import SnmpCollector, SnmpTarget, poll_device
from collectors.snmp.engine import ENGINES
from collectors.snmp.inspect import inspect_view
from nms.config import Config, SnmpAuth
from nms.errors import ConfigError, NmsError
from nms.models import PollResult, PollStatus, Sample

log = logging.getLogger(__name__)
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _get_config(ctx: click.Context) -> Config:
    from nms.cli import get_config

    try:
        return get_config(ctx)
    except ConfigError as exc:
        click.echo(f"nms: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _sample_json(s: Sample) -> str:
    return json.dumps({"measurement": s.measurement, "tags": s.tags, "fields": s.fields,
                       "time": s.time.isoformat()}, ensure_ascii=False, default=str)


def load_targets(config: Config, names: tuple[str, ...] = ()) -> tuple[list[SnmpTarget],
                                                                      list[str], dict[str, str]]:
    """Inventory devices -> targets. Returns (targets, problems, role by device).

    A device whose auth profile is missing or not SNMP is a problem (reported, not polled).
    """
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from inventory.models import Device
    from nms.db import make_engine, session_scope

    engine = make_engine(config.database_url)
    targets: list[SnmpTarget] = []
    problems: list[str] = []
    roles: dict[str, str] = {}
    with session_scope(engine) as session:
        query = select(Device).options(selectinload(Device.site)).order_by(Device.name)
        if names:
            query = query.where(Device.name.in_(names))
        devices = list(session.scalars(query))
        found = {d.name for d in devices}
        problems += [f"{n}: no such device in the inventory" for n in names if n not in found]
        for d in devices:
            auth_name = d.snmp_auth or config.default_snmp_auth
            if not auth_name:
                problems.append(f"{d.name}: no snmp_auth and no default_snmp_auth in config")
                continue
            try:
                auth = config.auth(auth_name)
            except ConfigError as exc:
                problems.append(f"{d.name}: {exc}")
                continue
            if not isinstance(auth, SnmpAuth):
                problems.append(f"{d.name}: auth profile {auth_name!r} is not an SNMP profile")
                continue
            targets.append(SnmpTarget.from_device(d, auth))
            roles[d.name] = d.role
    engine.dispose()
    return targets, problems, roles


class Output:
    """Where results go: the sink + state store, or stdout for --dry-run."""

    def __init__(self, config: Config, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.config = config
        self.sink: Any = None
        self.db: Any = None
        if not dry_run:
            from nms.db import make_engine
            from nms.sink import open_sink

            self.sink = open_sink(config)
            self.db = make_engine(config.database_url)

    def handle(self, result: PollResult) -> None:
        """Write one device's samples and state (or print them)."""
        if self.dry_run:
            for s in result.samples:
                click.echo(_sample_json(s))
            return
        try:
            self.sink.write(result.samples)
        except NmsError as exc:
            log.error("Host %r: sink write failed: %s", result.device, exc)
        if result.state:
            from nms.state import save_state

            try:
                save_state(self.db, result.device, result.state, result.started)
            except (KeyError, NmsError) as exc:
                log.error("Host %r: state not saved: %s", result.device, exc)

    def close(self) -> None:
        """Flush and close the sink."""
        if self.sink is not None:
            self.sink.flush()
            self.sink.close()
        if self.db is not None:
            self.db.dispose()


@click.command("poll")
@click.option("--once", is_flag=True, help="Poll every device once and exit.")
@click.option("--device", "devices", multiple=True, help="Only this device (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print samples instead of storing them.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="SNMP engine (default: config snmp.engine).")
@click.pass_context
def poll(ctx: click.Context, once: bool, devices: tuple[str, ...], dry_run: bool,
         engine: str | None) -> None:
    """Poll the inventory over SNMP (once, or on a schedule)."""
    config = _get_config(ctx)
    targets, problems, roles = load_targets(config, devices)
    for p in problems:
        click.echo(f"nms poll: {p}", err=True)
    if not targets:
        click.echo("nms poll: no device to poll", err=True)
        sys.exit(EXIT_FAILED if problems or devices else EXIT_OK)
    collector = SnmpCollector(config.snmp, engine=engine)
    out = Output(config, dry_run)
    try:
        if once:
            code = asyncio.run(_poll_once(collector, targets, out))
            sys.exit(EXIT_FAILED if problems else code)
        asyncio.run(_poll_forever(config, collector, targets, roles, out))
    finally:
        out.close()


async def _poll_once(collector: SnmpCollector, targets: list[SnmpTarget], out: Output) -> int:
    total = len(targets)
    done = 0
    statuses: Counter[str] = Counter()

    samples = 0

    def on_result(r: PollResult) -> None:
        nonlocal done, samples
        done += 1
        samples += len(r.samples)
        statuses[r.status.value] += 1
        out.handle(r)
        if r.status is not PollStatus.OK:
            click.echo(f"nms poll: {r.error}", err=True)
        if done == total or done % max(1, total // 10) == 0:
            click.echo(f"polled {done}/{total}", err=True)

    await collector.poll_many(targets, on_result=on_result, keep_results=False)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    click.echo(f"nms poll: {total} devices ({summary}), {samples} samples", err=True)
    return EXIT_OK if statuses.get("ok", 0) == total else EXIT_FAILED


async def _poll_forever(config: Config, collector: SnmpCollector, targets: list[SnmpTarget],
                        roles: dict[str, str], out: Output) -> None:
    from nms.scheduler import Scheduler, interval_for

    scheduler = Scheduler(jitter_s=config.polling.jitter_s)
    for t in targets:
        interval = interval_for(roles.get(t.name), config.polling.intervals_s)

        async def job(target: SnmpTarget = t) -> None:
            result = await collector.poll(target)
            out.handle(result)

        scheduler.add(t.name, interval, job)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    click.echo(f"nms poll: scheduling {len(targets)} devices (Ctrl-C or SIGTERM to stop)",
               err=True)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        cancelled = await scheduler.stop(config.snmp.device_budget_s)
        if cancelled:
            click.echo(f"nms poll: {cancelled} polls cut short at exit", err=True)
        total = sum(s.runs for s in scheduler.stats.values())
        overruns = sum(s.overruns for s in scheduler.stats.values())
        click.echo(f"nms poll: stopped after {total} polls ({overruns} overruns)", err=True)


@click.group("snmp")
def snmp() -> None:
    """SNMP tools."""


@snmp.command("inspect")
@click.argument("address")
@click.option("--port", type=int, default=None, help="UDP port (default: config snmp.port).")
@click.option("--community", default=None, help="v1/v2c community.")
@click.option("--snmp-version", "version", type=click.Choice(["1", "2c", "3"]), default=None,
              help="Default 2c with --community, 3 with --v3-user.")
@click.option("--v3-user", default=None)
@click.option("--v3-auth-proto", type=click.Choice(["md5", "sha", "sha224", "sha256", "sha384",
                                                    "sha512"]), default=None)
@click.option("--v3-auth-key", default=None)
@click.option("--v3-priv-proto", type=click.Choice(["des", "aes", "aes128", "aes192", "aes256"]),
              default=None)
@click.option("--v3-priv-key", default=None)
@click.option("--engine", type=click.Choice(ENGINES), default=None)
@click.option("--timeout", "timeout_s", type=float, default=None, help="Seconds per request.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json",
              show_default=True)
@click.pass_context
def inspect(ctx: click.Context, address: str, port: int | None, community: str | None,
            version: str | None, v3_user: str | None, v3_auth_proto: str | None,
            v3_auth_key: str | None, v3_priv_proto: str | None, v3_priv_key: str | None,
            engine: str | None, timeout_s: float | None, fmt: str) -> None:
    """Discover and poll one device once; print what nms sees."""
    if bool(community) == bool(v3_user):
        raise click.UsageError("give either --community or --v3-user")
    auth = SnmpAuth(version=version or ("3" if v3_user else "2c"), community=community,
                    user=v3_user, auth_protocol=v3_auth_proto, auth_key=v3_auth_key,  # type: ignore[arg-type]
                    priv_protocol=v3_priv_proto, priv_key=v3_priv_key)  # type: ignore[arg-type]
    try:
        auth.validate("inspect", None)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    snmp_config = _inspect_snmp_config(ctx, timeout_s)
    target = SnmpTarget(address, address, auth, port=port)
    chosen = engine or snmp_config.engine
    result = asyncio.run(poll_device(target, snmp_config, engine=chosen))
    doc = inspect_view(result, chosen)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _print_table(doc)
    if result.status is not PollStatus.OK:
        click.echo(f"nms snmp inspect: {result.status.value}: {result.error}", err=True)
        sys.exit(EXIT_FAILED)


def _inspect_snmp_config(ctx: click.Context, timeout_s: float | None) -> Any:
    """config.snmp when a config file is there, else the defaults (inspect needs none)."""
    import dataclasses

    from nms.cli import CliState
    from nms.config import SnmpConfig

    state = ctx.find_object(CliState)
    snmp_config = SnmpConfig()
    try:
        if state is not None:
            snmp_config = state.config.snmp
    except ConfigError as exc:
        if state is not None and state.config_path:  # an explicit --config must be valid
            click.echo(f"nms: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    if timeout_s is not None:
        snmp_config = dataclasses.replace(snmp_config, timeout_s=timeout_s)
    return snmp_config


def _print_table(doc: dict[str, Any]) -> None:
    os_ = doc["os"]
    click.echo(f"{doc['sysName']}  {os_['vendor']} {os_['platform']} {os_['model'] or ''} "
               f"{os_['version'] or ''}  serial {os_['serial'] or '-'}  [{doc['status']}]")
    for p in doc["ports"]:
        click.echo(f"  {p['ifIndex']:>6} {p['ifName'] or p['ifDescr'] or '':24} "
                   f"{p['ifAdminStatus'] or '-':>5}/{p['ifOperStatus'] or '-':<14} "
                   f"{p['speed_bps'] or 0:>14} {p['ifAlias'] or ''}")
    for c in doc["processors"]:
        click.echo(f"  cpu {c['descr']}: {c['usage_percent']} %")
    for m in doc["mempools"]:
        click.echo(f"  mem {m['descr']}: {m['used_percent']} %")
    for n in doc["lldp_neighbors"]:
        click.echo(f"  lldp ifIndex {n['local_ifIndex']} -> {n['remote_sysname']} "
                   f"{n['remote_port_id']}")
