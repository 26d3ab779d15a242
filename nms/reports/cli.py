"""``nms report``: uptime reports from the command line (entry point group ``nms.commands``).

  nms report uptime --period 2026-10 --scope county:GZ01 --format pdf [-o FILE] [--lang en]
  nms report uptime --period 2026-10 --format csv --table outages -o -
  nms report send [--period 2026-10] [--force] [--no-mail]    # the scheduler's monthly job

Exit codes follow nms.cli: 0 ok, 1 the report could not be made or sent, 2 usage/config error
(bad period, scope, format).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nms.cli import EXIT_FINDINGS, EXIT_USAGE, fail, get_config
from nms.errors import ConfigError, NmsError
from nms.reports.periods import PeriodError, parse_period
from nms.reports.report import FORMATS, ReportError, build_report, parse_scope
from nms.reports.tables import TABLES


@click.group("report")
def report() -> None:
    """Uptime and availability reports (月度运行报告)."""


@report.command("uptime")
@click.option("--period", "period", required=True,
              help="2026-10, 2026-10-07, 2026-Q4, 2026 or 2026-10-01..2026-10-15 (local time).")
@click.option("--scope", default="city", show_default=True,
              help="city, county:CODE, township:CODE or device:NAME.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("--table", type=click.Choice(TABLES), default="devices", show_default=True,
              help="For csv: which table.")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None,
              help="Label language (default: reports.language).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="File to write ('-' for stdout); default nms-uptime-PERIOD-SCOPE.FORMAT.")
@click.pass_context
def uptime(ctx: click.Context, period: str, scope: str, fmt: str, table: str, lang: str | None,
           output: str | None) -> None:
    """Make one availability report and write it to a file."""
    try:
        config = get_config(ctx)
        parse_scope(scope)
        parse_period(period, config.timezone)
    except (ConfigError, PeriodError, ReportError) as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        data = build_report(config, period, scope, fmt, lang=lang, table=table)
    except ReportError as exc:
        fail(str(exc), EXIT_USAGE if "scope" in str(exc) else EXIT_FINDINGS)
    except NmsError as exc:
        fail(str(exc), EXIT_FINDINGS)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in scope)
    path = Path(output or f"nms-uptime-{period.replace('..', '_')}-{safe}.{fmt}")
    path.write_bytes(data)
    click.echo(f"{path} ({len(data)} bytes)")


@report.command("send")
@click.option("--period", "period", default=None, help="Default: the previous month.")
@click.option("--force", is_flag=True, help="Make and send again even if already sent.")
@click.option("--no-mail", is_flag=True, help="Only save the files.")
@click.pass_context
def send(ctx: click.Context, period: str | None, force: bool, no_mail: bool) -> None:
    """Run the monthly bulletin job now: make the configured scopes' reports, save, e-mail."""
    from nms.reports.delivery import run_scheduled

    try:
        config = get_config(ctx)
        per = parse_period(period, config.timezone) if period else None
    except (ConfigError, PeriodError) as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        results = run_scheduled(config, period=per, force=force, send=not no_mail)
    except NmsError as exc:
        fail(str(exc), EXIT_FINDINGS)
    failed = False
    for r in results:
        if r.error:
            failed = True
            click.echo(f"{r.scope} {r.period}: FAILED: {r.error}", err=True)
        elif r.skipped:
            click.echo(f"{r.scope} {r.period}: already sent (use --force to send again)")
        else:
            where = f"sent to {', '.join(r.recipients)}" if r.sent else "saved"
            click.echo(f"{r.scope} {r.period}: {where}: {', '.join(str(p) for p in r.files)}")
    if failed:
        sys.exit(EXIT_FINDINGS)
