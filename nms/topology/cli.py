"""``nms topology show|export`` and ``nms netlab up|down|status|cut|restore``.

Registered in setup.cfg under ``nms.commands`` (``topology = nms.topology.cli:topology``,
``netlab = nms.topology.cli:netlab``). ``topology`` reads the inventory, the latest collected
state and -- unless ``--no-samples`` -- the latest probe and interface samples from the sink,
and prints the links and devices (table or JSON) or exports the graph (JSON for the console,
GraphML for yEd/Gephi). ``netlab`` drives :class:`nms.lab.netns.NetnsLab` (root only): a real
city → county → township network in network namespaces, for demos and integration tests.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from nms.cli import emit, format_option, get_config

log = logging.getLogger(__name__)


def _graph(ctx: click.Context, use_samples: bool, roots: tuple[str, ...]) -> Any:
    from nms.db import make_engine, migrate
    from nms.errors import SinkError
    from nms.topology.store import load_topology

    config = get_config(ctx)
    engine = make_engine(config.database_url)
    migrate(engine)
    sink = None
    if use_samples:
        from nms.sink import open_sink

        try:
            sink = open_sink(config, spool=False)
        except SinkError as exc:
            click.echo(f"nms: samples unavailable ({exc}); showing state only", err=True)
    try:
        return load_topology(engine, sink=sink, roots=list(roots) or None)
    finally:
        if sink is not None:
            sink.close()


samples_option = click.option("--samples/--no-samples", "use_samples", default=True,
                              show_default=True,
                              help="Use the latest probe and interface samples from the sink "
                                   "(reachability, root cause, utilisation).")
root_option = click.option("--root", "roots", multiple=True,
                           help="Device nearest the poller (repeatable; default: the city routers).")


@click.group("topology")
def topology() -> None:
    """Discovered links reconciled against the plan, link state, root cause."""


@topology.command("show")
@format_option
@samples_option
@root_option
@click.option("--what", type=click.Choice(["links", "devices", "both"]), default="both",
              show_default=True, help="Which table to print.")
@click.pass_context
def show(ctx: click.Context, fmt: str, use_samples: bool, roots: tuple[str, ...], what: str) -> None:
    """Print links (state, speed, utilisation, plan) and devices (state, parent, root cause)."""
    from nms.topology.export import device_rows, link_rows, to_json

    graph = _graph(ctx, use_samples, roots)
    if fmt == "json":
        click.echo(json.dumps(to_json(graph), ensure_ascii=False, indent=2))
        return
    if what in ("links", "both"):
        emit(link_rows(graph), ["a", "b", "state", "tier", "speed", "util%", "plan", "via"], fmt)
    if what == "both":
        click.echo()
    if what in ("devices", "both"):
        emit(device_rows(graph), ["device", "level", "site", "role", "state", "parent", "cause"], fmt)
    summary = to_json(graph)["summary"]
    click.echo(f"\n{summary['devices']} devices, {summary['links']} links: "
               f"{summary['ok']} as planned, {summary['wrong_port']} on other ports, "
               f"{summary['missing']} missing, {summary['unexpected']} unexpected", err=True)


@topology.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "graphml"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File (default stdout).")
@samples_option
@root_option
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, use_samples: bool,
           roots: tuple[str, ...]) -> None:
    """Export the topology graph as JSON (the console's format) or GraphML."""
    from nms.topology.export import to_graphml, to_json

    graph = _graph(ctx, use_samples, roots)
    text = (json.dumps(to_json(graph), ensure_ascii=False, indent=2) + "\n" if fmt == "json"
            else to_graphml(graph))
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------------------------
# netlab
# --------------------------------------------------------------------------------------------

prefix_option = click.option("--prefix", default="nmst-", show_default=True,
                             help="Namespace name prefix (must start with 'nmst').")


@click.group("netlab")
def netlab() -> None:
    """The real namespace lab: snmpd + lldpd + FRR per router (root only)."""


@netlab.command("up")
@prefix_option
@click.option("--counties", default="2,1", show_default=True,
              help="Townships per county, comma-separated (one number per county).")
@click.option("--firewall/--no-firewall", default=True, show_default=True,
              help="A firewall without LLDP behind the first county.")
@click.option("--community", default="nmslab", show_default=True, help="SNMP v2c community.")
@click.option("--inventory", "inventory_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the lab's inventory (import format) to this YAML file.")
def netlab_up(prefix: str, counties: str, firewall: bool, community: str,
              inventory_path: Path | None) -> None:
    """Build the lab and wait until SNMP, LLDP and OSPF are ready; it runs until `down`."""
    import yaml

    from nms.lab.netns import NetnsLab, tree_spec

    try:
        towns = [int(n) for n in counties.split(",") if n.strip()]
    except ValueError:
        raise click.UsageError("--counties takes numbers, e.g. 2,1") from None
    lab = NetnsLab(tree_spec(towns, firewall=firewall), prefix=prefix, community=community,
                   owner_pid=None)
    lab.up()
    click.echo(f"lab up: {len(lab.spec.hosts)} devices, {len(lab.spec.links)} links; "
               f"poller namespace {lab.mgmt_ns} (198.19.0.1)")
    for h in lab.spec.hosts:
        click.echo(f"  {h.name:<12} oob {lab.spec.oob_address(h.name):<13} "
                   f"in-band {lab.spec.probe_address(h.name)}")
    click.echo(f"run clients there: ip netns exec {lab.mgmt_ns} <command>")
    if inventory_path:
        inventory_path.write_text(yaml.safe_dump(lab.inventory(), allow_unicode=True,
                                                 sort_keys=False), encoding="utf-8")
        click.echo(f"wrote {inventory_path}")


@netlab.command("down")
@prefix_option
@click.option("--all", "everything", is_flag=True,
              help="Remove every lab and orphan namespace named nmst* (stale cleanup).")
def netlab_down(prefix: str, everything: bool) -> None:
    """Stop every process of the lab (by PID) and delete its namespaces."""
    from nms.lab.netns import LabError, cleanup_stale, load_lab

    if everything:
        removed = cleanup_stale(force=True)
        click.echo(f"removed {len(removed)} namespaces" + (f": {', '.join(removed)}" if removed else ""))
        return
    try:
        lab = load_lab(prefix)
    except LabError as exc:
        click.echo(f"nms: {exc}", err=True)
        return
    lab.down()
    click.echo(f"lab {prefix} down")


@netlab.command("status")
@prefix_option
@format_option
def netlab_status(prefix: str, fmt: str) -> None:
    """Namespaces of the lab and how many processes run in each."""
    from nms.lab.netns import LabError, load_lab

    try:
        lab = load_lab(prefix)
    except LabError as exc:
        click.echo(f"nms: {exc}", err=True)
        raise SystemExit(1) from None
    status = lab.status()
    rows = [{"namespace": ns, **info} for ns, info in status["namespaces"].items()]
    emit(rows, ["namespace", "present", "processes"], fmt)


@netlab.command("cut")
@prefix_option
@click.argument("link")
def netlab_cut(prefix: str, link: str) -> None:
    """Take LINK down: a host name (its uplink), ``a:eth1--b:eth1``."""
    from nms.lab.netns import load_lab

    click.echo(f"cut {load_lab(prefix).cut(link).name}")


@netlab.command("restore")
@prefix_option
@click.argument("link")
def netlab_restore(prefix: str, link: str) -> None:
    """Bring LINK back up."""
    from nms.lab.netns import load_lab

    click.echo(f"restored {load_lab(prefix).restore(link).name}")
