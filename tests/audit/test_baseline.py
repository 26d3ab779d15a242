"""Baseline checks against fixture configs written for the purpose (tests/fixtures/configs/<platform>/).

Every platform has a ``hardened`` config that passes every check it supports and a ``weak`` one
that fails every check it supports, so together they give each check a PASS and a FAIL fixture
per vendor; smaller files cover vendor defaults, undo/no/delete (last wins) and repeated sections.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nms.config import AuditConfig
from policies.audit.run import audit_config, baseline_checks
from policies.checks.baseline import REGISTRY
from policies.parsers import PLATFORMS, detect_platform, parse_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "configs"
AUDIT = AuditConfig(admin_roster=["netadmin", "auditor"], min_software_versions={
    "huawei_vrp": "V200R019C10", "hp_comware": "7.1.064", "cisco_ios": "15.9", "ruijie_os": "11.4",
    "juniper_junos": "18.4"})
# Config text can only prove the prerequisite of two-factor login; the rest is for the assessor.
ALWAYS_REVIEW_WHEN_OK = {"BL-AUTH-010"}


def fixture(platform: str, case: str) -> Path:
    return next((FIXTURES / platform).glob(f"{case}.*"))


def statuses(platform: str, case: str, *, fresh_backup: bool = True) -> dict[str, set[str]]:
    age = 1 if fresh_backup else 30
    live = {"config_backup": {"last_collected": (datetime.now(UTC) - timedelta(days=age)).isoformat()}}
    result = audit_config(fixture(platform, case).read_bytes(), platform, source=case, audit=AUDIT, live=live)
    out: dict[str, set[str]] = {}
    for f in result.findings:
        out.setdefault(f.check_id, set()).add(f.status.value)
    return out


@pytest.fixture(scope="module")
def verdicts() -> dict[tuple[str, str], dict[str, set[str]]]:
    return {(p, c): statuses(p, c, fresh_backup=c == "hardened") for p in PLATFORMS for c in ("hardened", "weak")}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hardened_config_passes(platform: str, verdicts) -> None:  # type: ignore[no-untyped-def]
    got = verdicts[(platform, "hardened")]
    wrong = {cid: s for cid, s in got.items() if platform in REGISTRY[cid].platforms
             and s != ({"NEEDS_REVIEW"} if cid in ALWAYS_REVIEW_WHEN_OK else {"PASS"})}
    assert wrong == {}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_weak_config_fails(platform: str, verdicts) -> None:  # type: ignore[no-untyped-def]
    got = verdicts[(platform, "weak")]
    wrong = {cid: s for cid, s in got.items() if platform in REGISTRY[cid].platforms and "FAIL" not in s}
    assert wrong == {}


def test_every_check_has_pass_and_fail_fixture_per_vendor(verdicts) -> None:  # type: ignore[no-untyped-def]
    missing = []
    for check in baseline_checks():
        for platform in check.platforms:
            seen = verdicts[(platform, "hardened")].get(check.id, set()) | verdicts[(platform, "weak")].get(check.id, set())
            wanted = {"FAIL", "NEEDS_REVIEW"} if check.id in ALWAYS_REVIEW_WHEN_OK else {"PASS", "FAIL"}
            if not wanted <= seen:
                missing.append((check.id, platform, sorted(seen)))
    assert missing == []


def test_unsupported_platform_is_not_applicable(verdicts) -> None:  # type: ignore[no-untyped-def]
    assert verdicts[("huawei_vrp", "weak")]["BL-SVC-003"] == {"NOT_APPLICABLE"}
    assert verdicts[("cisco_ios", "weak")]["BL-ACC-005"] == {"NOT_APPLICABLE"}


def test_check_metadata_complete() -> None:
    for check in baseline_checks():
        assert check.id.startswith("BL-") and check.title_en and check.title_zh and type(check).__doc__
        for platform in check.platforms:
            assert check.remediation_table.get(platform), (check.id, platform)


def by_id(platform: str, case: str) -> dict[str, list]:  # type: ignore[type-arg]
    result = audit_config(fixture(platform, case).read_bytes(), platform, source=case)
    out: dict[str, list] = {}  # type: ignore[type-arg]
    for f in result.findings:
        out.setdefault(f.check_id, []).append(f)
    return out


def test_huawei_defaults_lockout_and_idle_timeout_are_on() -> None:
    got = by_id("huawei_vrp", "defaults")
    for cid in ("BL-AUTH-006", "BL-AUTH-007", "BL-AUTH-001", "BL-LOG-002"):
        assert [f.status.value for f in got[cid]] == ["PASS"], cid
        assert got[cid][0].evidence["default"] is True, cid
    assert got["BL-SVC-006"][0].status.value == "FAIL"  # icmp redirect send is on by default


def test_huawei_undo_last_wins() -> None:
    got = by_id("huawei_vrp", "undo_last_wins")
    assert got["BL-AUTH-001"][0].status.value == "PASS"
    lock = got["BL-AUTH-006"][0]
    assert lock.status.value == "FAIL" and lock.evidence["line"] == 12
    idle = [f for f in got["BL-AUTH-007"] if f.status.value == "FAIL"]
    assert idle and idle[0].evidence["line"] == 18 and idle[0].evidence["text"] == "idle-timeout 0 0"


def test_comware_defaults() -> None:
    got = by_id("hp_comware", "defaults")
    assert got["BL-NTP-001"][0].status.value == "FAIL"  # Comware 7: ntp-service off until enabled
    assert got["BL-AUTH-006"][0].status.value == "PASS"  # password-control enable -> 3 attempts
    assert got["BL-AUTH-001"][0].status.value == "PASS"  # telnet server off by default
    assert got["BL-AUTH-007"][0].status.value == "PASS"  # 10-minute default


def test_cisco_defaults() -> None:
    got = by_id("cisco_ios", "defaults")
    assert got["BL-AUTH-002"][0].status.value == "FAIL"  # no 'ip ssh version 2' -> 1.99
    assert {f.subject for f in got["BL-SVC-003"]} == {"pad", "bootp"}
    assert got["BL-SVC-005"][0].status.value == "FAIL"
    assert got["BL-SVC-007"][0].status.value == "FAIL"  # proxy-arp on by default
    assert got["BL-AUTH-007"][0].status.value == "PASS" and got["BL-AUTH-007"][0].evidence["default"]


def test_cisco_repeated_sections_merge_and_no_wins() -> None:
    cfg = parse_config(fixture("cisco_ios", "repeated_sections").read_text(), "cisco_ios")
    intf = cfg.interfaces["GigabitEthernet0/0"]
    assert intf.proxy_arp.value is False and intf.proxy_arp.line == 12
    assert intf.description == "lan" and intf.addresses == ["10.20.0.1/255.255.255.0"]
    assert cfg.log_hosts == [] and cfg.logging["enabled"].value is True and cfg.logging["enabled"].line == 18


def test_junos_delete_and_last_wins() -> None:
    got = by_id("juniper_junos", "delete_last_wins")
    assert got["BL-AUTH-001"][0].status.value == "PASS"
    assert got["BL-AUTH-007"][0].status.value == "PASS" and got["BL-AUTH-007"][0].evidence["line"] == 6


def test_junos_set_and_hierarchical_agree() -> None:
    from policies.parsers.junos import flatten

    text = fixture("juniper_junos", "hardened").read_text()
    set_text = "\n".join("set " + " ".join(w) for w, _line, _d in flatten(text.splitlines()))
    a = audit_config(text, "juniper_junos")
    b = audit_config(set_text, "juniper_junos")
    assert [(f.check_id, f.status) for f in a.findings] == [(f.check_id, f.status) for f in b.findings]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", ["hardened", "weak"])
def test_platform_detection(platform: str, case: str) -> None:
    assert detect_platform(fixture(platform, case).read_text(encoding="utf-8")) == platform


def test_evidence_points_at_the_line() -> None:
    got = by_id("cisco_ios", "weak")
    f = next(f for f in got["BL-SNMP-001"] if f.status.value == "FAIL")
    assert f.evidence["text"] == "snmp-server community public RO"
    assert f.evidence["remediation"] == ["no snmp-server community public", "no snmp-server community private"]
    assert f.evidence["file"] == "weak"


def test_live_probe_results_are_used() -> None:
    text = fixture("huawei_vrp", "hardened").read_bytes()
    a = audit_config(text, "huawei_vrp", live={"telnet_open": True, "snmp_default_community": "public",
                                               "ssh_banner": "SSH-1.99-HUAWEI-1.5"})
    got = {f.check_id: f.status.value for f in a.findings if f.check_id in ("BL-AUTH-001", "BL-AUTH-002",
                                                                           "BL-SNMP-001")}
    assert got == {"BL-AUTH-001": "FAIL", "BL-AUTH-002": "FAIL", "BL-SNMP-001": "FAIL"}
