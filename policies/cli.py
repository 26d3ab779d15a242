"""``nms checks``, ``nms policy`` and ``nms alarms``: the policy engine and alarms on the command line.

Plugged into the ``nms`` group through setup.cfg's ``nms.commands`` entry points, so nms core
never imports this package. Output is a table by default and JSON with ``--format json``;
``nms policy run`` exits 1 when any finding is FAIL or ERROR (style.md 2.9).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from nms.cli import emit, format_option, get_config
from nms.config import Config


def _engine(config: Config) -> Any:
    from nms.db import make_engine, migrate

    engine = make_engine(config.database_url)
    migrate(engine)
    return engine


# --------------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------------


@click.group("checks")
def checks_group() -> None:
    """The check catalogue (class checks and YAML rule packs)."""


@checks_group.command("list")
@click.option("--pack", help="Only checks of this pack.")
@format_option
def checks_list(pack: str | None, fmt: str) -> None:
    """List every check with id, title, severity, pack and MLPS 2.0 clause."""
    from policies.engine import all_checks, select_checks

    rows = [c.describe() for c in select_checks(all_checks(), pack=pack)]
    emit(rows, ["id", "severity", "pack", "mlps", "title_zh", "title_en"], fmt)


# --------------------------------------------------------------------------------------------
# policy run
# --------------------------------------------------------------------------------------------


@click.group("policy")
def policy_group() -> None:
    """Evaluate checks over the latest collected state."""


@policy_group.command("run")
@click.option("--pack", help="Only checks of this pack (ip_plan, link_health, device_health...).")
@click.option("--check", "check_ids", multiple=True, help="Only this check id (repeatable).")
@click.option("--device", "devices", multiple=True, help="Only findings of this device (repeatable).")
@click.option("--all/--problems", "show_all", default=False, show_default=True,
              help="Show every finding, or only those that are not PASS / NOT_APPLICABLE.")
@click.option("--alarms/--no-alarms", "to_alarms", default=False, show_default=True,
              help="Feed the findings to the alarm manager (raise / clear alarms).")
@format_option
@click.pass_context
def policy_run(ctx: click.Context, pack: str | None, check_ids: tuple[str, ...],
               devices: tuple[str, ...], show_all: bool, to_alarms: bool, fmt: str) -> None:
    """Evaluate checks and print findings; exit 1 when any is FAIL or ERROR."""
    from nms.models import FindingStatus
    from policies.engine import (
        all_checks,
        exit_code,
        finding_dict,
        run_checks,
        select_checks,
        summarize,
    )
    from policies.snapshot import build_snapshot

    config = get_config(ctx)
    try:
        chosen = select_checks(all_checks(), pack=pack, ids=check_ids or None)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None
    if not chosen:
        raise click.UsageError(f"no checks in pack {pack!r}")
    engine = _engine(config)
    snapshot = build_snapshot(engine, config)
    try:
        findings = run_checks(chosen, snapshot)
    finally:
        if snapshot.sink is not None:
            snapshot.sink.close()
    if devices:
        findings = [f for f in findings if f.device in devices]
    if to_alarms:
        from nms.alarms import AlarmManager

        manager = AlarmManager(engine, config.alarms, parents=snapshot.upstream,
                               sites={n: d.device.get("site") for n, d in snapshot.devices.items()},
                               site_parents={c: s.get("parent") for c, s in snapshot.sites.items()})
        changes = manager.process(findings)
        click.echo(f"alarms: {len(changes)} change(s)", err=True)
    quiet = (FindingStatus.PASS, FindingStatus.NOT_APPLICABLE)
    shown = findings if show_all else [f for f in findings if f.status not in quiet]
    if fmt == "json":
        emit([finding_dict(f) for f in shown], [], fmt)
    else:
        lang_zh = config.web.language == "zh_CN"
        rows = [{"check": f.check_id, "status": f.status.value, "severity": f.severity.value,
                 "device": f.device, "subject": f.subject,
                 "reason": f.reason_zh if lang_zh else f.reason_en} for f in shown]
        emit(rows, ["check", "status", "severity", "device", "subject", "reason"], fmt)
        counts = summarize(findings, chosen).by_status
        click.echo("  ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "no findings", err=True)
    sys.exit(exit_code(findings))


# --------------------------------------------------------------------------------------------
# alarms
# --------------------------------------------------------------------------------------------


def alarm_manager(config: Config) -> Any:
    """An ``AlarmManager`` on the configured database, with the plan's parents for suppression."""
    from nms.alarms import AlarmManager
    from policies.snapshot import build_snapshot

    engine = _engine(config)
    snap = build_snapshot(engine, config, open_sink=False)
    return AlarmManager(engine, config.alarms, parents=snap.upstream,
                        sites={n: d.device.get("site") for n, d in snap.devices.items()},
                        site_parents={c: s.get("parent") for c, s in snap.sites.items()})


@click.group("alarms")
def alarms_group() -> None:
    """List, acknowledge and clear alarms (history is never deleted)."""


@alarms_group.command("list")
@click.option("--state", type=click.Choice(["open", "raised", "acknowledged", "cleared", "all"]),
              default="open", show_default=True)
@click.option("--device", help="Only alarms of this device.")
@click.option("--check", "check_id", help="Only alarms of this check id.")
@click.option("--limit", type=int, default=200, show_default=True)
@format_option
@click.pass_context
def alarms_list(ctx: click.Context, state: str, device: str | None, check_id: str | None, limit: int,
                fmt: str) -> None:
    """List alarms, newest first."""
    from nms.alarms import AlarmManager

    config = get_config(ctx)
    manager = AlarmManager(_engine(config), config.alarms)
    rows = manager.list(state=None if state == "all" else state, device=device, check_id=check_id,
                        limit=limit)
    if fmt == "table":
        zh = config.web.language == "zh_CN"
        for r in rows:
            r["reason"] = r["reason_zh"] if zh else r["reason_en"]
            r["suppressed"] = r["suppressed_reason"] if r["suppressed"] else ""
    emit(rows, ["id", "state", "severity", "check_id", "device", "subject", "raised_at", "suppressed",
                "reason"], fmt)


@alarms_group.command("history")
@click.argument("alarm_id", type=int)
@format_option
@click.pass_context
def alarms_history(ctx: click.Context, alarm_id: int, fmt: str) -> None:
    """Every event of one alarm: raised, acknowledged, escalated, cleared... with who and when."""
    from nms.alarms import AlarmManager

    config = get_config(ctx)
    emit(AlarmManager(_engine(config), config.alarms).history(alarm_id),
         ["time", "action", "user", "severity", "note"], fmt)


def _user(user: str | None) -> str:
    import getpass

    return user or getpass.getuser()


def _act_on_alarms(ctx: click.Context, alarm_ids: tuple[int, ...], user: str | None,
                   note: str | None, action: str, done: str) -> None:
    """Apply ``AlarmManager.<action>`` to each alarm; exit 1 if any was refused."""
    from nms.alarms import AlarmError, AlarmManager

    config = get_config(ctx)
    manager = AlarmManager(_engine(config), config.alarms)
    apply = getattr(manager, action)
    failed = False
    for alarm_id in alarm_ids:
        try:
            apply(alarm_id, _user(user), note)
            click.echo(f"alarm {alarm_id}: {done}")
        except AlarmError as exc:
            click.echo(f"nms: {exc.args[0]}", err=True)
            failed = True
    sys.exit(1 if failed else 0)


@alarms_group.command("ack")
@click.argument("alarm_ids", type=int, nargs=-1, required=True)
@click.option("--user", help="Who acknowledges (default: the login name).")
@click.option("--note", help="Why, or what is being done.")
@click.pass_context
def alarms_ack(ctx: click.Context, alarm_ids: tuple[int, ...], user: str | None, note: str | None) -> None:
    """Acknowledge open alarms."""
    _act_on_alarms(ctx, alarm_ids, user, note, "acknowledge", "acknowledged")


@alarms_group.command("clear")
@click.argument("alarm_ids", type=int, nargs=-1, required=True)
@click.option("--user", help="Who clears (default: the login name).")
@click.option("--note", help="Why.")
@click.pass_context
def alarms_clear(ctx: click.Context, alarm_ids: tuple[int, ...], user: str | None, note: str | None) -> None:
    """Clear open alarms by hand (a check still failing raises them again)."""
    _act_on_alarms(ctx, alarm_ids, user, note, "clear", "cleared")
