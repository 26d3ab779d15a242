"""``nms audit`` and ``nms configs`` (added to the ``nms`` group through ``nms.commands``).

``nms audit --config FILE [--platform P] --format json`` audits one saved config;
``nms audit [--device D] [--check ID]`` audits inventory devices from their latest stored
running config (``nms configs collect`` first). Exit codes: 0 no FAIL, 1 any FAIL (or a device
error), 2 usage/config error — the convention of nms.cli.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nms.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, emit, fail, get_config
from nms.errors import NmsError, ParseError
from nms.models import Finding, FindingStatus
from policies.audit.run import audit_config, audit_devices, baseline_checks, finding_row
from policies.audit.score import device_score, mlps_rollup
from policies.parsers import PLATFORMS


def _engine(cfg: Any) -> Any:
    from nms.db import make_engine, migrate

    engine = make_engine(cfg.database_url)
    migrate(engine)
    return engine


def _devices(engine: Any, names: tuple[str, ...]) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from inventory.models import Device
    from nms.db import session_scope

    with session_scope(engine) as session:
        q = select(Device).order_by(Device.name)
        if names:
            q = q.where(Device.name.in_(names))
        rows = [d.as_dict() for d in session.scalars(q)]
    missing = set(names) - {r["name"] for r in rows}
    if missing:
        fail(f"unknown device(s): {', '.join(sorted(missing))}", EXIT_USAGE)
    return rows


def _output(findings: list[Finding], fmt: str, show_all: bool) -> None:
    if fmt == "sarif":
        from policies.audit.report import to_sarif

        click.echo(json.dumps(to_sarif(findings), ensure_ascii=False, indent=2))
        return
    rows = [finding_row(f) for f in findings]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    if not show_all:
        rows = [r for r in rows if r["status"] != "PASS" and r["status"] != "NOT_APPLICABLE"]
    emit(rows, ["device", "check_id", "status", "severity", "line", "reason_zh", "evidence"], "table")
    for device, s in device_score(findings).items():
        click.echo(f"{device}: score {s['score']}  " + "  ".join(f"{k}={v}" for k, v in sorted(s["counts"].items())))


@click.command("audit")
@click.option("--device", "devices", multiple=True, help="Inventory device (repeatable; default all).")
@click.option("--check", "check_ids", multiple=True, help="Check id, e.g. BL-AUTH-001 (repeatable).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Audit one saved configuration file instead of the inventory.")
@click.option("--platform", type=click.Choice(list(PLATFORMS)), help="Platform of --config (detected if absent).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "sarif"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Table: show PASS and NOT_APPLICABLE too.")
@click.option("--probe", is_flag=True, help="Run live probes (SNMP public/private, TCP/23, SSH banner).")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Also write an XLSX report.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also write a PDF report.")
@click.option("--mlps", "show_mlps", is_flag=True, help="Table: print the MLPS 2.0 roll-up.")
@click.option("--list", "list_checks", is_flag=True, help="List the baseline checks and exit.")
@click.pass_context
def audit(ctx: click.Context, devices: tuple[str, ...], check_ids: tuple[str, ...], config_file: Path | None,
          platform: str | None, fmt: str, show_all: bool, probe: bool, xlsx: Path | None, pdf: Path | None,
          show_mlps: bool, list_checks: bool) -> None:
    """Security-baseline audit (MLPS 2.0 / 等保2.0): exit 1 when any check FAILs."""
    try:
        checks = baseline_checks(check_ids)
    except KeyError as exc:
        fail(str(exc.args[0]), EXIT_USAGE)
    if list_checks:
        emit([c.describe() for c in checks], ["id", "severity", "title_zh", "mlps", "platforms"], fmt if fmt != "sarif" else "json")
        sys.exit(EXIT_OK)
    findings: list[Finding] = []
    if config_file is not None:
        from nms.config import AuditConfig

        try:
            audit_cfg = get_config(ctx).audit
        except NmsError:
            audit_cfg = AuditConfig()  # a file audit needs no config.yaml
        try:
            result = audit_config(config_file.read_bytes(), platform, source=str(config_file), audit=audit_cfg,
                                  checks=checks)
        except ParseError as exc:
            fail(f"{config_file}: {exc}", EXIT_FINDINGS)
        for w in result.warnings:
            click.echo(f"nms: {config_file}: {w}", err=True)
        findings = result.findings
    else:
        cfg = get_config(ctx)
        engine = _engine(cfg)
        snapshot = build_snapshot(engine, cfg, _devices(engine, devices), probe=probe)
        findings = [f for a in audit_devices(snapshot, checks).values() for f in a.findings]
    _output(findings, fmt, show_all)
    if show_mlps and fmt == "table":
        emit(mlps_rollup(findings), ["clause", "verdict_zh", "checks", "failing_devices"], "table")
    if xlsx:
        from policies.audit.report import write_xlsx

        click.echo(f"nms: wrote {write_xlsx(findings, xlsx)}", err=True)
    if pdf:
        from policies.audit.report import write_pdf

        click.echo(f"nms: wrote {write_pdf(findings, pdf)}", err=True)
    failed = any(f.status in (FindingStatus.FAIL, FindingStatus.ERROR) for f in findings)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def build_snapshot(engine: Any, cfg: Any, devices: list[dict[str, Any]], *, probe: bool = False) -> Any:
    """A policies Snapshot with each device's latest running config and backup age (BL-HYG-003)."""
    from nms.configs import history, latest
    from policies.base import DeviceState, Snapshot

    snap = Snapshot(params={"audit": cfg.audit})
    for dev in devices:
        state: dict[str, Any] = {"baseline_probes": {}}
        got = latest(engine, dev["name"])
        text = None
        if got is not None:
            info, text = got
            startup = history(engine, dev["name"], kind="show:show startup-config")
            state["baseline_probes"]["config_backup"] = {"last_collected": info.last_seen.isoformat()}
            if startup:
                state["baseline_probes"]["config_backup"]["startup_equals_running"] = None
        if probe:
            from policies.audit.probes import run_probes

            state["baseline_probes"].update(run_probes(dev["address"], timeout_s=cfg.audit.probe_timeout_s,
                                                       communities=cfg.audit.probe_communities))
        snap.devices[dev["name"]] = DeviceState(device=dev, state=state, config_text=text)
    return snap


@click.group("configs")
def configs() -> None:
    """Configuration backups: collect, history, diff, show, search."""


@configs.command("collect")
@click.option("--device", "devices", multiple=True, help="Device (repeatable; default all with an ssh_auth).")
@click.option("--by", default="cli", show_default=True, help="Recorded as who collected.")
@click.pass_context
def configs_collect(ctx: click.Context, devices: tuple[str, ...], by: str) -> None:
    """Collect running configs over SSH and store changed ones."""
    from nms.config import SshAuth
    from nms.registry import collectors

    cfg = get_config(ctx)
    engine = _engine(cfg)
    bad = 0
    ssh = collectors.get("ssh")()  # collectors/ssh.py, found through the registry
    for dev in _devices(engine, devices):
        if not dev.get("ssh_auth"):
            continue
        auth = cfg.auth(dev["ssh_auth"])
        if not isinstance(auth, SshAuth):
            fail(f"{dev['name']}: auth profile {dev['ssh_auth']!r} is not an ssh profile", EXIT_USAGE)
        result, stored = ssh.collect_and_store(engine, dev, auth, by=by)
        if not result.ok:
            bad += 1
            click.echo(f"{dev['name']}: {result.status.value}: {result.error}", err=True)
            continue
        for info, created in stored:
            click.echo(f"{dev['name']}: {info.kind} {'new version ' + str(info.id) if created else 'unchanged'}")
    sys.exit(EXIT_FINDINGS if bad else EXIT_OK)


@configs.command("history")
@click.argument("device")
@click.option("--kind", default="running", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def configs_history(ctx: click.Context, device: str, kind: str, fmt: str) -> None:
    """Versions of DEVICE's config, newest first (who/when)."""
    from nms.configs import history

    engine = _engine(get_config(ctx))
    emit([v.as_dict() for v in history(engine, device, kind)],
         ["id", "collected", "collected_by", "source", "lines", "sha256", "last_seen"], fmt)


@configs.command("diff")
@click.argument("old_id", type=int)
@click.argument("new_id", type=int)
@click.option("--show-secrets", is_flag=True, help="Do not mask passwords/keys.")
@click.pass_context
def configs_diff(ctx: click.Context, old_id: int, new_id: int, show_secrets: bool) -> None:
    """Unified diff between two versions (secrets masked)."""
    from nms.configs import diff

    click.echo(diff(_engine(get_config(ctx)), old_id, new_id, masked=not show_secrets), nl=False)


@configs.command("show")
@click.argument("version_id", type=int)
@click.option("--show-secrets", is_flag=True)
@click.pass_context
def configs_show(ctx: click.Context, version_id: int, show_secrets: bool) -> None:
    """Print one version (secrets masked)."""
    from nms.configs import get_version

    click.echo(get_version(_engine(get_config(ctx)), version_id, masked=not show_secrets)[1])


@configs.command("search")
@click.argument("pattern")
@click.option("--regex", is_flag=True)
@click.option("--all-versions", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def configs_search(ctx: click.Context, pattern: str, regex: bool, all_versions: bool, fmt: str) -> None:
    """Search every device's latest config (or all versions) for PATTERN."""
    from nms.configs import search

    emit(search(_engine(get_config(ctx)), pattern, regex=regex, latest_only=not all_versions),
         ["device", "version", "line", "text"], fmt)
