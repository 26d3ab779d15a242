"""The ``nms`` command line (click).

Exit codes: 0 ok; 1 findings or errors (a device failed, a bad import row); 2 usage or
configuration error. Commands that belong to plugin packages (``nms poll``, ``nms snmp``...)
are added from the ``nms.commands`` entry-point group, so this core module never imports them.
Tabular output is a plain table by default and JSON with ``--format json``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, NoReturn

import click

from nms import __version__
from nms.config import Config, load_config
from nms.errors import ConfigError, ImportRowError, NmsError, StoreError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("nms")


class CliState:
    """Per-invocation state: where the config is, and the config once loaded (lazily)."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


def get_config(ctx: click.Context) -> Config:
    """The loaded config of this invocation; exits 2 with the error when it is invalid."""
    state = ctx.find_object(CliState)
    if state is None:  # command invoked outside the `nms` group (tests)
        state = CliState(None)
    return state.config


def fail(message: str, code: int = EXIT_FINDINGS) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code``."""
    click.echo(f"nms: {message}", err=True)
    sys.exit(code)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> None:
    """Print rows as an aligned table (``table``) or a JSON list (``json``)."""
    if fmt == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str))
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    click.echo("  ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip())


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, list | tuple):
        return ",".join(map(str, v))
    return str(v)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


format_option = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="Output format.")


def progress(label: str) -> Callable[[int, int], None]:
    """A progress callback printing ``label: n/total`` to stderr now and then (long work)."""
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        pct = int(done * 100 / total) if total else 100
        if pct // 10 != state["last"] // 10 or done == total:
            state["last"] = pct
            click.echo(f"{label}: {done}/{total} ({pct}%)", err=True)

    return report


# --------------------------------------------------------------------------------------------
# The group
# --------------------------------------------------------------------------------------------


class NmsGroup(click.Group):
    """The top-level group; adds plugin commands from the ``nms.commands`` entry points."""

    def _plugins(self) -> dict[str, click.Command]:
        found = {}
        for ep in entry_points(group="nms.commands"):
            try:
                found[ep.name] = ep.load()
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not break `nms --help`
                log.warning("cannot load command %r from %s: %s", ep.name, ep.value, exc)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._plugins().get(cmd_name)


@click.group(cls=NmsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar="NMS_CONFIG", type=click.Path(dir_okay=False),
              help="config.yaml to use (default ./config.yaml, or $NMS_CONFIG).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__, prog_name="nms")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """nms — network operations and security management for e-government networks."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = CliState(config_path)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: map nms errors to exit codes and clear messages."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="nms", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        fail("aborted", EXIT_FINDINGS)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except ConfigError as exc:
        fail(f"configuration error: {exc}", EXIT_USAGE)
    except ImportRowError as exc:
        fail(str(exc), EXIT_FINDINGS)
    except StoreError as exc:
        fail(f"inventory store: {exc}", EXIT_FINDINGS)
    except NmsError as exc:
        fail(str(exc), EXIT_FINDINGS)
    sys.exit(EXIT_OK)


# --------------------------------------------------------------------------------------------
# init / config
# --------------------------------------------------------------------------------------------


def _engine(ctx: click.Context, *, migrate: bool = True) -> Any:
    from nms.db import make_engine
    from nms.db import migrate as run_migrations

    engine = make_engine(get_config(ctx).database_url)
    if migrate:
        run_migrations(engine)
    return engine


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data directory and bring the inventory database to the newest schema."""
    from nms.db import current_revision, make_engine, migrate, redact_url

    config = get_config(ctx)
    config.data_path.mkdir(parents=True, exist_ok=True)
    engine = make_engine(config.database_url)
    before = current_revision(engine)
    after = migrate(engine)
    what = "created" if before is None else ("upgraded" if before != after else "already current")
    click.echo(f"database {redact_url(config.database_url)}: {what} (revision {after})")
    click.echo(f"data directory: {config.data_path}")


@cli.group("config")
def config_group() -> None:
    """Check the configuration."""


@config_group.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Load and validate config.yaml; exit 2 naming the file and key on the first error."""
    from nms.db import redact_url

    config = get_config(ctx)
    click.echo(f"{config.source_path}: OK")
    click.echo(f"  auth profiles: {', '.join(sorted(config.auths)) or 'none'}")
    click.echo(f"  inventory database: {redact_url(config.database_url)}")
    click.echo(f"  time-series sink: {config.sink.type}"
               + (f" at {config.sink.url}" if config.sink.url else ""))
    click.echo(f"  SNMP engine: {config.snmp.engine}")
    click.echo(f"  console: http://{config.web.host}:{config.web.port}")


# --------------------------------------------------------------------------------------------
# inventory
# --------------------------------------------------------------------------------------------


@cli.group()
def inventory() -> None:
    """Import, list and export sites, devices, links and IP blocks."""


@inventory.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["sites", "devices", "interfaces", "links", "ip_blocks"]),
              help="Kind of rows in a CSV file (detected from its header by default).")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.pass_context
def inventory_import(ctx: click.Context, files: tuple[Path, ...], kind: str | None, dry_run: bool) -> None:
    """Import YAML/CSV FILES (default: inventory.source and inventory.ipplan of the config).

    All files are imported in one transaction: any bad row in any file writes nothing.
    """
    from inventory.io import import_file
    from nms.db import session_scope

    config = get_config(ctx)
    paths = list(files) or [Path(p) for p in (config.inventory.source, config.inventory.ipplan) if p]
    if not paths:
        raise click.UsageError("no FILE given and no inventory.source in the config")
    for p in paths:
        if not p.exists():
            raise click.UsageError(f"{p}: no such file")
    engine = _engine(ctx)
    with session_scope(engine) as session:
        for path in paths:
            summary = import_file(session, path, kind=kind, auth_names=set(config.auths),
                                  progress=progress(f"importing {path.name}"))
            parts = [f"{k}: +{summary.created[k]} ~{summary.updated[k]}"
                     for k in summary.created if summary.created[k] or summary.updated[k]]
            click.echo(f"{path}: {'; '.join(parts) or 'nothing to import'}")
        if dry_run:
            session.rollback()
            click.echo("dry run: nothing written")


@inventory.command("list")
@click.option("--site", help="Only devices at this site or below it (site code).")
@click.option("--role", type=click.Choice(["router", "firewall", "switch", "server"]))
@format_option
@click.pass_context
def inventory_list(ctx: click.Context, site: str | None, role: str | None, fmt: str) -> None:
    """List devices with their site, role, vendor and management address."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from inventory.models import Device, Site
    from nms.db import session_scope

    engine = _engine(ctx)
    with session_scope(engine) as session:
        query = select(Device).options(selectinload(Device.site).selectinload(Site.parent)).order_by(Device.name)
        if role:
            query = query.where(Device.role == role)
        rows = []
        for dev in session.scalars(query):
            chain = [dev.site, *dev.site.ancestors()]
            if site and site not in {s.code for s in chain}:
                continue
            row = dev.as_dict()
            row["site_name"] = dev.site.name
            rows.append(row)
    if site and not rows and fmt == "table":
        click.echo(f"no devices at or below site {site!r}", err=True)
    emit(rows, ["name", "address", "role", "vendor", "platform", "site", "site_name", "zone"], fmt)


@inventory.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True)
@click.option("--kind", type=click.Choice(["sites", "devices", "interfaces", "links", "ip_blocks"]),
              help="Which rows, for CSV (required there).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout).")
@click.pass_context
def inventory_export(ctx: click.Context, fmt: str, kind: str | None, output: Path | None) -> None:
    """Export the inventory in the import format (YAML, or CSV of one kind)."""
    from inventory.io import export_csv, export_yaml
    from nms.db import session_scope

    if fmt == "csv" and not kind:
        raise click.UsageError("--format csv needs --kind")
    engine = _engine(ctx)
    with session_scope(engine) as session:
        text = export_csv(session, kind) if fmt == "csv" else export_yaml(session)  # type: ignore[arg-type]
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------------------------
# serve / lab
# --------------------------------------------------------------------------------------------


@cli.command()
@click.option("--host", help="Address to listen on (default web.host, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default web.port, 8080).")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Worker threads (default web.threads, 8).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the web console with waitress (a production WSGI server, pure Python)."""
    from waitress import create_server

    from nms.registry import apps

    config = get_config(ctx)
    _engine(ctx)  # make sure the schema is current before the first request
    create_app = apps.get("web")
    app = create_app(config)
    host = host or config.web.host
    port = port or config.web.port
    threads = threads or config.web.threads
    server = create_server(app, host=host, port=port, threads=threads, ident="nms")
    click.echo(f"nms console on http://{host}:{port}/  (waitress, {threads} threads; "
               "Ctrl-C to stop)", err=True)
    server.run()


@cli.group()
def lab() -> None:
    """The simulated township-to-city network, served by snmpsim on 127.0.0.0/8."""


def _print_lab(status: Any) -> None:
    for key, value in vars(status).items():
        if key == "endpoints" and value:
            value = f"{len(value)} endpoints ({value[0][0]}:{value[0][1]} ...)"
        click.echo(f"{key}: {value}")


@lab.command("start")
@click.option("--import/--no-import", "do_import", default=True, show_default=True,
              help="Import the generated inventory and IP plan into the store.")
@click.pass_context
def lab_start(ctx: click.Context, do_import: bool) -> None:
    """Generate the simulated network (if needed) and serve it with snmpsim."""
    from nms.lab import service

    config = get_config(ctx)
    status = service.start(config)
    _print_lab(status)
    if do_import:
        from inventory.io import import_file
        from nms.db import session_scope

        engine = _engine(ctx)
        with session_scope(engine) as session:
            for name in ("inventory.yaml", "ipplan.yaml"):
                summary = import_file(session, config.lab_path / name, auth_names=set(config.auths))
                click.echo(f"imported {name}: {summary.total()} rows")


@lab.command("stop")
@click.pass_context
def lab_stop(ctx: click.Context) -> None:
    """Stop the snmpsim process serving the simulated network."""
    from nms.lab import service

    stopped = service.stop(get_config(ctx))
    click.echo("stopped" if stopped else "not running")


@lab.command("status")
@click.pass_context
def lab_status(ctx: click.Context) -> None:
    """Whether the simulated network is running, and where."""
    from nms.lab import service

    _print_lab(service.status(get_config(ctx)))


if __name__ == "__main__":  # pragma: no cover
    # `python -m nms.cli` runs this file as __main__, a second copy of the module. Plugin
    # commands import nms.cli and would look for *that* copy's CliState in the click context,
    # miss it and silently load ./config.yaml instead of --config. Run the importable module.
    from nms.cli import main as _main

    _main()
