"""``nms traps listen``: run the trap receiver in the foreground, raising and clearing alarms.

Registered through setup.cfg's ``nms.commands``. Senders are the inventory's devices
(management and collected interface addresses); alarms go through ``AlarmManager`` and, when
channels are configured, ``nms.notify``.
"""

from __future__ import annotations

import time

import click

from nms.cli import get_config


@click.group("traps")
def traps_group() -> None:
    """The SNMP trap receiver."""


@traps_group.command("listen")
@click.option("--host", help="Address to listen on (default traps.host).")
@click.option("--port", type=int, help="UDP port (default traps.port, 162).")
@click.option("--duration", type=float, help="Stop after this many seconds (default: until Ctrl-C).")
@click.pass_context
def traps_listen(ctx: click.Context, host: str | None, port: int | None, duration: float | None) -> None:
    """Receive traps; linkDown/linkUp, restarts, auth failures and vendor traps become alarms."""
    from collectors.traps.receiver import (
        interface_namer,
        inventory_sources,
        link_peers,
        receiver_from_config,
    )
    from nms.notify import Notifier
    from policies.cli import alarm_manager
    from policies.snapshot import build_snapshot

    config = get_config(ctx)
    manager = alarm_manager(config)
    notifier = Notifier(config.notify)
    snap = build_snapshot(manager.engine, config, open_sink=False)

    def on_events(events: list) -> None:  # type: ignore[type-arg]
        notifier.send(manager.process_events(events))

    rx = receiver_from_config(config, sources=inventory_sources(snap), on_events=on_events,
                              if_name=interface_namer(snap), link_peers=link_peers(snap),
                              port=port, host=host)
    rx.start()
    click.echo(f"listening for traps on {rx.bound[0]}:{rx.bound[1]} "  # type: ignore[index]
               f"({len(inventory_sources(snap))} known sender addresses)", err=True)
    try:
        end = time.monotonic() + duration if duration else None
        while end is None or time.monotonic() < end:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        rx.stop()
        click.echo(f"trap counters: {rx.counters()}", err=True)
