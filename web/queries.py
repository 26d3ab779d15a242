"""Scoped reads of the inventory for pages and the API: one function per thing shown.

Pages and ``/api/v1`` call the same functions, so what a county user sees in the HTML is
exactly what their API token returns. Every function takes the caller's ``Scope``.
Results are plain dicts and lists (JSON-ready); templates and ``jsonify`` use them as they are.
"""

from __future__ import annotations

import ipaddress
import time
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Engine, case, func, inspect, select
from sqlalchemy.orm import Session, aliased, selectinload

from inventory.models import Device, Interface, IpBlock, Link, Site
from nms.models import SITE_LEVEL_ORDER, DeviceRole, Severity, SiteLevel
from web.scope import Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def visible_sites(session: Session, scope: Scope) -> list[Site]:
    """Sites the scope allows, by level then code."""
    stmt = select(Site).options(selectinload(Site.units))
    if scope.site_ids is not None:
        stmt = stmt.where(Site.id.in_(scope.site_ids))
    order = {lvl.value: i for i, lvl in enumerate(SITE_LEVEL_ORDER)}
    return sorted(session.scalars(stmt), key=lambda s: (order.get(s.level, 9), s.code))


def visible_device(session: Session, scope: Scope, name: str) -> Device | None:
    """The device called ``name`` if the scope allows it (None otherwise: same as missing)."""
    dev = session.scalar(select(Device).where(Device.name == name)
                         .options(selectinload(Device.site), selectinload(Device.interfaces)))
    if dev is None or not scope.allows(dev.site_id):
        return None
    return dev


def device_row(dev: Device, states: dict[str, bool] | None = None) -> dict[str, Any]:
    """A device as the list pages and the API show it."""
    row = dev.as_dict()
    row["site_name"] = dev.site.name
    row["state"] = state_name((states or {}).get(dev.name))
    return row


def state_name(up: bool | None) -> str:
    """``up``/``down``/``unknown`` from a reachability value."""
    return "unknown" if up is None else ("up" if up else "down")


def _link_ends() -> tuple[Any, Any, Any, Any]:
    """Aliases of the two interfaces and devices of a link (a_if, a_dev, b_if, b_dev)."""
    return aliased(Interface), aliased(Device), aliased(Interface), aliased(Device)


def _link_tiers(session: Session, scope: Scope) -> dict[str, int]:
    """Number of planned links (both ends in scope) per tier, counted by the database."""
    a_if, a_dev, b_if, b_dev = _link_ends()
    stmt = select(Link.tier, func.count()).group_by(Link.tier)
    if scope.site_ids is not None:
        stmt = (stmt.join(a_if, Link.a_interface_id == a_if.id)
                .join(a_dev, a_if.device_id == a_dev.id)
                .join(b_if, Link.b_interface_id == b_if.id)
                .join(b_dev, b_if.device_id == b_dev.id)
                .where(a_dev.site_id.in_(scope.site_ids), b_dev.site_id.in_(scope.site_ids)))
    return {tier: int(n) for tier, n in session.execute(stmt)}


def _links(session: Session, scope: Scope, device_id: int | None = None) -> list[Link]:
    a_if, b_if = aliased(Interface), aliased(Interface)
    a_dev, b_dev = aliased(Device), aliased(Device)
    stmt = (select(Link).join(a_if, Link.a_interface_id == a_if.id).join(a_dev, a_if.device_id == a_dev.id)
            .join(b_if, Link.b_interface_id == b_if.id).join(b_dev, b_if.device_id == b_dev.id)
            .options(selectinload(Link.a_interface).selectinload(Interface.device),
                     selectinload(Link.b_interface).selectinload(Interface.device))
            .order_by(Link.id))
    if scope.site_ids is not None:  # both ends must be visible
        stmt = stmt.where(a_dev.site_id.in_(scope.site_ids), b_dev.site_id.in_(scope.site_ids))
    if device_id is not None:
        stmt = stmt.where((a_dev.id == device_id) | (b_dev.id == device_id))
    return list(session.scalars(stmt))


def device_links(session: Session, scope: Scope, dev: Device) -> list[dict[str, Any]]:
    """Planned links of ``dev`` seen from its side: local interface, peer, tier, bandwidth."""
    rows = []
    for link in _links(session, scope, dev.id):
        here, there = link.a_interface, link.b_interface
        if here.device_id != dev.id:
            here, there = there, here
        rows.append({"interface": here.name, "peer": there.device.name,
                     "peer_interface": there.name, "tier": link.tier,
                     "bandwidth_mbps": link.bandwidth_mbps})
    return rows


def links(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Planned links with both ends in scope, in the import format."""
    return [link.as_dict() for link in _links(session, scope)]


DEVICE_STATES = ("up", "down", "parent_down", "unknown")


def dashboard(session: Session, scope: Scope, states: dict[str, str]) -> dict[str, Any]:
    """Counts for the dashboard: devices by role and state, sites by level, links by tier.

    ``states`` is each device's root-cause state (``web.topograph.device_states``), so a
    township cut off behind a down county uplink counts as parent-down, as on the map, not as
    another outage.
    """
    stmt = select(Device.name, Device.role, Device.site_id)
    if scope.site_ids is not None:
        stmt = stmt.where(Device.site_id.in_(scope.site_ids))
    rows = list(session.execute(stmt))
    by_role = Counter(r.role for r in rows)
    by_state = Counter(states.get(r.name, "unknown") for r in rows)
    sites = visible_sites(session, scope)
    by_level = Counter(s.level for s in sites)
    tiers = _link_tiers(session, scope)
    return {
        "devices": len(rows),
        "devices_by_role": {r.value: by_role.get(r.value, 0) for r in DeviceRole},
        "devices_by_state": {k: by_state.get(k, 0) for k in DEVICE_STATES},
        "sites": len(sites),
        "sites_by_level": {lvl.value: by_level.get(lvl.value, 0) for lvl in SiteLevel
                           if by_level.get(lvl.value)},
        "links": sum(tiers.values()),
        "links_by_tier": dict(sorted(tiers.items())),
    }


def alarms_ready(engine: Engine) -> bool:
    """Whether the alarms subsystem (``nms.alarms``, migration 0004) is installed."""
    try:
        import nms.alarms  # noqa: F401
    except ImportError:
        return False
    return "alarms" in inspect(engine).get_table_names()


def _severity_rank() -> Any:
    """SQL expression: 0 for critical ... 4 for info (unknown severities last)."""
    from nms.alarms import Alarm

    return case({sev.value: sev.rank for sev in Severity}, value=Alarm.severity,
                else_=len(Severity))


def _in_scope(stmt: Any, scope: Scope) -> Any:
    """Alarms of the devices the scope allows (alarms name their device by name)."""
    from nms.alarms import Alarm

    if scope.site_ids is not None:
        visible = select(Device.name).where(Device.site_id.in_(scope.site_ids))
        stmt = stmt.where(Alarm.device.in_(visible))
    return stmt


def open_alarms(session: Session, scope: Scope, *, device: str | None = None,
                limit: int = 10) -> list[Any]:
    """Open (raised or acknowledged) alarms in scope, most severe then newest first.

    Alarms name their device by name; a scoped user sees only those of visible devices. The
    database sorts and limits, so a storm of alarms costs ``limit`` rows.
    """
    from nms.alarms import OPEN_STATES, Alarm

    stmt = _in_scope(select(Alarm).where(Alarm.state.in_(OPEN_STATES)), scope)
    if device is not None:
        stmt = stmt.where(Alarm.device == device)
    stmt = stmt.order_by(_severity_rank(), Alarm.raised_at.desc(), Alarm.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def alarm_counts(session: Session, scope: Scope, *, per_device: bool = False) -> dict[str, Any]:
    """Open, unsuppressed alarms per severity (and the worst per device, for the map).

    Args:
        session: database session.
        scope: the caller's region scope.
        per_device: also compute ``worst_by_device`` (device name -> severity).

    Returns:
        ``{"by_severity": {severity: n}, "total": n, "worst_by_device": {...}}`` (the last
        empty unless ``per_device``). Counted by the database with GROUP BY.
    """
    from nms.alarms import OPEN_STATES, Alarm

    base = (Alarm.state.in_(OPEN_STATES), Alarm.suppressed.is_(False))
    stmt = _in_scope(select(Alarm.severity, func.count()).where(*base)
                     .group_by(Alarm.severity), scope)
    by_severity = {sev: int(n) for sev, n in session.execute(stmt)}
    worst: dict[str, str] = {}
    if per_device:
        names = {sev.rank: sev.value for sev in Severity}
        rank = _severity_rank()
        stmt = _in_scope(select(Alarm.device, func.min(rank)).where(*base)
                         .group_by(Alarm.device), scope)
        worst = {device: names[r] for device, r in session.execute(stmt) if r in names}
    return {"by_severity": {sev.value: by_severity.get(sev.value, 0) for sev in Severity},
            "total": sum(by_severity.values()), "worst_by_device": worst}


def _network(address: str | None) -> IPNetwork | None:
    if not address:
        return None
    try:
        return ipaddress.ip_interface(address).network
    except ValueError:
        return None


def ip_plan(session: Session, scope: Scope) -> dict[str, Any]:
    """IP blocks by site with utilisation from the planned interface addresses.

    For each block: the distinct interface subnets inside it, the interface addresses in it,
    the share of its address space taken by those subnets and by smaller blocks nested in it,
    and the subnets whose prefix length the block does not allow. Interface addresses in no
    block (visible or not: a county's uplink may sit in a city block) are listed as unplanned.
    """
    all_blocks = list(session.scalars(select(IpBlock).options(selectinload(IpBlock.site))
                                      .order_by(IpBlock.prefix)))
    blocks = [b for b in all_blocks if scope.allows(b.site_id)]
    stmt = (select(Interface).join(Device).options(selectinload(Interface.device))
            .where(Interface.address.is_not(None)).order_by(Device.name, Interface.name))
    if scope.site_ids is not None:
        stmt = stmt.where(Device.site_id.in_(scope.site_ids))
    ifaces = [(i, _network(i.address)) for i in session.scalars(stmt)]
    nets = {b.id: ipaddress.ip_network(b.prefix) for b in all_blocks}
    # Each interface subnet belongs to the most specific block holding it; a larger block
    # counts the blocks nested in it as used space instead.
    direct: dict[int, list[tuple[Interface, IPNetwork]]] = defaultdict(list)
    placed: set[int] = set()
    for iface, net in ifaces:
        if net is None:
            continue
        holders = [b for b in all_blocks if nets[b.id].version == net.version
                   and net.subnet_of(nets[b.id])]  # type: ignore[arg-type]
        if holders:
            best = max(holders, key=lambda b: nets[b.id].prefixlen)
            direct[best.id].append((iface, net))
            placed.add(iface.id)
    rows = []
    for blk in blocks:
        net = nets[blk.id]
        subnets = sorted({n for _, n in direct[blk.id]}, key=lambda n: (n.network_address, n.prefixlen))
        nested = [nets[o.id] for o in blocks if o.id != blk.id and nets[o.id].version == net.version
                  and nets[o.id] != net and nets[o.id].subnet_of(net)]  # type: ignore[arg-type]
        used = list(ipaddress.collapse_addresses([*subnets, *nested]))  # type: ignore[misc]
        used_size = sum(n.num_addresses for n in used)
        allowed = list(blk.allowed_prefix_lengths or [])
        rows.append({
            "prefix": blk.prefix, "site": blk.site.code if blk.site else None,
            "site_name": blk.site.name if blk.site else None, "zone": blk.zone,
            "purpose": blk.purpose, "unit": blk.unit, "allowed_prefix_lengths": allowed,
            "size": net.num_addresses, "subnets": [str(n) for n in subnets],
            "nested_blocks": [str(n) for n in nested],
            "addresses": len(direct[blk.id]),
            "used_percent": round(100.0 * used_size / net.num_addresses, 1),
            "disallowed": [str(n) for n in subnets if allowed and n.prefixlen not in allowed],
        })
    unplanned = [{"device": i.device.name, "interface": i.name, "address": i.address}
                 for i, n in ifaces if i.id not in placed]
    return {"blocks": rows, "unplanned": unplanned}


# --------------------------------------------------------------------------------------------
# The alarm board
# --------------------------------------------------------------------------------------------


def alarm_page(session: Session, scope: Scope, filters: Any, *, limit: int,
               offset: int = 0) -> tuple[int, list[Any]]:
    """One page of the alarm board: (number of matching alarms, the alarms of the page).

    Args:
        session: database session.
        scope: the caller's region scope.
        filters: a ``web.filters.AlarmFilterSet`` (its ``errors`` may grow: an unknown site).
        limit: page size.
        offset: alarms to skip.

    Returns:
        The total count and ``nms.alarms.Alarm`` rows, most severe then newest first. Counting
        and sorting happen in the database, so 10,000 open alarms cost one page of rows.
    """
    from nms.alarms import Alarm

    stmt = filters.apply(session, select(Alarm), scope)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(filters.order(stmt).limit(limit).offset(offset)))
    return int(total), rows


def visible_alarm(session: Session, scope: Scope, alarm_id: int) -> Any | None:
    """The alarm ``alarm_id`` if the scope allows its device (None otherwise: same as missing)."""
    from nms.alarms import Alarm

    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        return None
    if scope.site_ids is not None:
        site_id = session.scalar(select(Device.site_id).where(Device.name == alarm.device))
        if not scope.allows(site_id):
            return None
    return alarm


def alarm_history(session: Session, alarm_id: int) -> list[Any]:
    """The ``alarm_events`` of one alarm, oldest first (who did what when)."""
    from nms.alarms import AlarmEvent

    return list(session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm_id)
                                .order_by(AlarmEvent.id)))


ISO_LOCAL = "%Y-%m-%dT%H:%M:%S%z"


def alarm_row(alarm: Any) -> dict[str, Any]:
    """An alarm as the API and the board's live refresh show it; times in the configured zone."""
    from web.i18n import localtime

    def when(value: Any) -> str | None:
        return localtime(value, ISO_LOCAL) if value is not None else None

    return {
        "id": alarm.id, "check_id": alarm.check_id, "device": alarm.device,
        "subject": alarm.subject, "source": alarm.source, "state": alarm.state,
        "severity": alarm.severity, "original_severity": alarm.original_severity,
        "reason_en": alarm.reason_en, "reason_zh": alarm.reason_zh,
        "suppressed": bool(alarm.suppressed), "suppressed_reason": alarm.suppressed_reason,
        "count": alarm.count, "reopened": alarm.reopened, "escalations": alarm.escalations,
        "raised_at": when(alarm.raised_at), "last_seen": when(alarm.last_seen),
        "acknowledged_at": when(alarm.acknowledged_at), "acknowledged_by": alarm.acknowledged_by,
        "cleared_at": when(alarm.cleared_at), "cleared_by": alarm.cleared_by,
    }


def alarm_event_row(event: Any) -> dict[str, Any]:
    """One history entry as the API shows it."""
    from web.i18n import localtime

    return {"id": event.id, "time": localtime(event.time, ISO_LOCAL), "action": event.action,
            "user": event.user, "severity": event.severity, "note": event.note}


# --------------------------------------------------------------------------------------------
# IP-plan violations (policies' IPPLAN-* checks)
# --------------------------------------------------------------------------------------------

_ATTENTION = ("FAIL", "ERROR", "NEEDS_REVIEW")
#: seconds one IP-plan check run is reused (the pack takes seconds over thousands of devices)
IPPLAN_CACHE_S = 60.0


def _subject_networks(subject: str) -> list[IPNetwork]:
    """The addresses/prefixes named in a finding subject ("Vlanif10 10.1.1.1/24", "10.0.0.0/16")."""
    nets: list[IPNetwork] = []
    for token in subject.replace(",", " ").split():
        try:
            nets.append(ipaddress.ip_interface(token).network if "/" in token
                        else ipaddress.ip_network(token))
        except ValueError:
            continue
    return nets


def ip_plan_violations(session: Session, engine: Engine, config: Any, scope: Scope,
                       blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the IP-plan checks (``policies`` pack ``ip_plan``) and place their findings by block.

    The checks read every device's latest ``addresses`` state (``nms.state``) against the plan,
    so this is what ``nms policy run --pack ip_plan`` reports, limited to the caller's scope:
    device findings of visible devices, block findings of visible blocks. One run serves every
    request for ``IPPLAN_CACHE_S`` seconds (the pack takes seconds over thousands of devices).

    Args:
        session: database session (for the scope's device names).
        engine: the nms database.
        config: the loaded config (thresholds).
        scope: the caller's region scope.
        blocks: the rows of ``ip_plan(...)["blocks"]`` (the visible blocks).

    Returns:
        ``{"by_block": {prefix: [finding, ...]}, "other": [...], "counts": {status: n},
        "checked_devices": n}`` where a finding is ``policies.engine.finding_dict`` plus
        ``block``; only FAIL, ERROR and NEEDS_REVIEW findings are listed, FAIL first.
    """
    from policies.engine import all_checks, finding_dict, run_checks
    from policies.snapshot import build_snapshot
    from web.context import state

    st = state()
    cached = st.ipplan_findings
    if cached is not None and time.monotonic() - cached[0] < IPPLAN_CACHE_S:
        findings = cached[1]
    else:  # the whole network's run, shared by every scope for a minute
        snapshot = build_snapshot(engine, config, open_sink=False)
        findings = run_checks([c for c in all_checks() if c.pack == "ip_plan"], snapshot)
        st.ipplan_findings = (time.monotonic(), findings)
    names = select(Device.name)
    if scope.site_ids is not None:
        names = names.where(Device.site_id.in_(scope.site_ids))
    visible_devices = set(session.scalars(names))
    nets = [(b["prefix"], ipaddress.ip_network(b["prefix"])) for b in blocks]
    by_block: dict[str, list[dict[str, Any]]] = defaultdict(list)
    other: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for f in findings:
        if f.device and f.device not in visible_devices:
            continue
        if not f.device and f.subject not in {p for p, _ in nets}:
            continue  # a block finding of a block the caller does not see
        counts[f.status.value] += 1
        if f.status.value not in _ATTENTION:
            continue
        row = finding_dict(f)
        holder = None
        for net in _subject_networks(f.subject):
            inside = [(p, n) for p, n in nets if n.version == net.version
                      and net.subnet_of(n)]  # type: ignore[arg-type]
            if inside:
                holder = max(inside, key=lambda pn: pn[1].prefixlen)[0]
                break
        row["block"] = holder
        (by_block[holder] if holder else other).append(row)
    order = {s: i for i, s in enumerate(_ATTENTION)}
    for rows in [*by_block.values(), other]:
        rows.sort(key=lambda r: (order[r["status"]], r["check_id"], r["device"], r["subject"]))
    return {"by_block": dict(by_block), "other": other, "counts": dict(counts),
            "checked_devices": len(visible_devices)}

