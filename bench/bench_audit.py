"""Benchmark: parse and audit 5,000 generated configs (~2,000 lines each) with every BL-* check.

One command: ``.venv/bin/python bench/bench_audit.py`` (``--count``, ``--lines``, ``--workers``).
Configs are generated on the fly from the fixture configs (hardened and weak alternately) plus
interface/ACL filler, 1/5 per platform. The Cisco ones are also parsed by ciscoconfparse2 in the
same run (parse only, single process) and the ratio of our parse+audit rate to its parse rate is
printed. With ``--workers N > 1`` the audit runs in a process pool and per-core figures are
printed too (configs/s divided by the workers actually used).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
FIX = REPO / "tests" / "fixtures" / "configs"
PLATFORMS = ["huawei_vrp", "hp_comware", "cisco_ios", "ruijie_os", "juniper_junos"]


def filler(platform: str, n_lines: int, rnd: random.Random) -> str:
    out: list[str] = []
    i = 0
    while len(out) < n_lines:
        i += 1
        a, b = rnd.randint(1, 9), rnd.randint(1, 48)
        if platform in ("huawei_vrp", "hp_comware"):
            out += [f"interface GigabitEthernet{a}/0/{b + i}", f" description user port {i} 办公室",
                    " port link-type access", f" port default vlan {10 + i % 50}", " stp edged-port enable",
                    " port-security enable", "#"]
            if i % 20 == 0:
                out += [f"acl number {3000 + i}", f" rule 5 permit tcp source 10.{a}.{b}.0 0.0.0.255 "
                        "destination 10.30.0.0 0.0.0.255 destination-port eq 443", " rule 100 deny ip", "#"]
        elif platform == "juniper_junos":
            out += [f'set interfaces ge-{a}/0/{b + i} description "user port {i}"',
                    f"set interfaces ge-{a}/0/{b + i} unit 0 family ethernet-switching interface-mode access",
                    f"set interfaces ge-{a}/0/{b + i} unit 0 family ethernet-switching vlan members v{10 + i % 50}",
                    f"set protocols dot1x authenticator interface ge-{a}/0/{b + i}.0"]
        else:
            out += [f"interface GigabitEthernet{a}/0/{b + i}", f" description user port {i}",
                    " switchport mode access", f" switchport access vlan {10 + i % 50}",
                    " switchport port-security", " spanning-tree portfast", "!"]
            if i % 20 == 0:
                out += [f"ip access-list extended ACL{i}", f" permit tcp 10.{a}.{b}.0 0.0.0.255 host 10.30.0.1 eq 443",
                        " deny ip any any log", "!"]
    return "\n".join(out) + "\n"


def make_config(k: int, target_lines: int) -> tuple[str, str]:
    platform = PLATFORMS[k % len(PLATFORMS)]
    case = "hardened" if (k // len(PLATFORMS)) % 2 == 0 else "weak"
    base = next((FIX / platform).glob(f"{case}.*")).read_text(encoding="utf-8")
    if platform == "juniper_junos" and case == "hardened":
        from policies.parsers.junos import flatten

        base = "\n".join("set " + " ".join(w) for w, _l, _d in flatten(base.splitlines())) + "\n"
    rnd = random.Random(k)
    extra = filler(platform, max(0, target_lines - base.count("\n")), rnd)
    if platform in ("huawei_vrp", "hp_comware"):
        text = base.replace("\nreturn", "\n" + extra + "return")
    elif platform == "juniper_junos":
        text = base + extra
    else:
        text = base.replace("\nend", "\n" + extra + "end")
    return platform, text


def audit_range(args: tuple[int, int, int]) -> tuple[int, int, int, float]:
    """Generate configs [start, stop) then parse+audit them; returns (configs, lines, fails, seconds)."""
    start, stop, target = args
    from policies.audit.run import audit_config, baseline_checks

    checks = baseline_checks()
    texts = [make_config(k, target) for k in range(start, stop)]
    lines = sum(t.count("\n") for _p, t in texts)
    fails = 0
    t0 = time.perf_counter()
    for platform, text in texts:
        result = audit_config(text, platform, source="bench", checks=checks)
        fails += sum(1 for f in result.findings if f.status.value == "FAIL")
    return len(texts), lines, fails, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--ccp-count", type=int, default=None,
                    help="Cisco configs for ciscoconfparse2 (default: all Cisco configs of the run)")
    args = ap.parse_args()
    from policies.audit.run import baseline_checks

    n_checks = len(baseline_checks())
    workers = max(1, min(args.workers, args.count))
    chunk = -(-args.count // (workers * 4))
    jobs = [(s, min(s + chunk, args.count), args.lines) for s in range(0, args.count, chunk)]
    t0 = time.perf_counter()
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(audit_range, jobs)
    else:
        parts = [audit_range(j) for j in jobs]
    wall = time.perf_counter() - t0
    configs = sum(p[0] for p in parts)
    lines = sum(p[1] for p in parts)
    fails = sum(p[2] for p in parts)
    busy = sum(p[3] for p in parts)
    print(f"nms parse+audit: {configs} configs, {lines} lines ({lines / configs:.0f}/config), {n_checks} checks, "
          f"{fails} FAIL findings")
    print(f"  wall {wall:.1f} s with {workers} worker(s) (incl. generation): {configs / wall:.1f} configs/s, "
          f"{lines / wall / 1e3:.0f} k lines/s")
    print(f"  per core (parse+audit time only): {configs / busy:.1f} configs/s, {lines / busy / 1e3:.0f} k lines/s")

    from ciscoconfparse2 import CiscoConfParse

    cisco = [k for k in range(args.count) if PLATFORMS[k % len(PLATFORMS)] == "cisco_ios"]
    if args.ccp_count is not None:
        cisco = cisco[: args.ccp_count]
    texts = [make_config(k, args.lines)[1].splitlines() for k in cisco]
    from policies.parsers import parse_config

    t0 = time.perf_counter()
    for t in texts:
        parse_config("\n".join(t), "cisco_ios")
    ours_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts:
        CiscoConfParse(t, syntax="ios")
    ccp = time.perf_counter() - t0
    n = len(texts)
    print(f"same {n} Cisco configs, one core: nms parse {n / ours_parse:.1f} configs/s; "
          f"ciscoconfparse2 parse {n / ccp:.1f} configs/s")
    print(f"ratio: nms parse+audit per core / ciscoconfparse2 parse = {(configs / busy) / (n / ccp):.1f}x; "
          f"parse vs parse = {(n / ours_parse) / (n / ccp):.1f}x")


if __name__ == "__main__":
    main()
