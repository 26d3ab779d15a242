"""Real device recordings: nms vs LibreNMS's expected results, for both SNMP engines.

snmpsim serves the twenty LibreNMS recordings in ``../shared/corpus/librenms`` (community = file
stem); nms discovers and polls each once with gufo-snmp and with pysnmp, and
:mod:`tests.collectors.corpus_compare` scores every field against the ``.json`` beside each
recording. The per-device, per-field table is printed and written to
``test-artifacts/snmp_corpus_<engine>.md`` (+ ``.json``).

Pass criteria: platform identification is right for every recording; the port fields the issue
names (ifIndex, ifName, ifDescr, ifAlias, speed, admin/oper status, MAC), MTU and type, and
processors / memory pools where the recording has them agree 100 % once LibreNMS's own policies
(corpus_compare's known differences) are accounted for. Extra rows nms finds that LibreNMS
filtered are reported, not failed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collectors.snmp.collector import SnmpTarget, poll_device
from nms.config import SnmpAuth, SnmpConfig
from nms.models import PollResult, PollStatus
from tests.collectors.corpus_compare import FieldScore, compare

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "librenms"
ARTIFACTS = REPO / "test-artifacts"
DEVICES = sorted(p.stem for p in CORPUS.glob("*.snmprec")) if CORPUS.is_dir() else []
#: Fields that must agree 100 % (after known differences) on every device.
STRICT = ("os", "vendor", "ports_present", "ifName", "ifDescr", "ifAlias", "ifType", "speed",
          "ifAdminStatus", "ifOperStatus", "ifMtu", "ifPhysAddress", "processors_present",
          "processor_usage", "mempools_present", "mempool_percent", "mempool_total",
          "mempool_used")

pytestmark = [pytest.mark.snmpsim]

#: Recordings snmpsim cannot serve completely: (device, what the poll error must mention).
#: The Windows recording's ipAddrTable has an anonymised index ("10.xx.xx.100"); snmpsim drops
#: every reply that would carry it, so that table times out while the agent answers the rest.
BROKEN_RECORDINGS = {"windows_svr_2019_1809": "walk 1.3.6.1.2.1.4.20.1"}


ENGINES = ("gufo", "pysnmp")


@pytest.fixture(scope="module")
def corpus_agents() -> Iterator[dict[str, tuple[str, int]]]:
    """One snmpsim per engine, serving the corpus on free 127.0.0.1 ports.

    snmpsim is single-threaded and costs ~0.7 s of CPU per device walk, so each engine gets
    its own responder and both engines poll at the same time (2 cores).
    """
    if not DEVICES:
        pytest.skip(f"LibreNMS corpus not found at {CORPUS} (shared/ must sit beside the repo)")
    from nms.lab.snmpsim import SnmpsimError, SnmpsimServer

    servers = []
    try:
        for engine in ENGINES:
            cache = Path(f"/tmp/nms-test-snmpsim-cache-{engine}")
            cache.mkdir(exist_ok=True)
            servers.append(SnmpsimServer(CORPUS, cache_dir=cache,
                                         probe_community="vrp_5720").start())
    except SnmpsimError as exc:
        for server in servers:
            server.stop()
        pytest.skip(f"snmpsim unavailable: {exc}")
    try:
        yield {engine: server.endpoints[0] for engine, server in zip(ENGINES, servers, strict=True)}
    finally:
        for server in servers:
            server.stop()


async def _poll_all(engine: str, host: str, port: int) -> dict[str, PollResult]:
    snmp = SnmpConfig(engine=engine, timeout_s=3.0, retries=1, max_repetitions=40,
                      device_budget_s=120.0)
    # the broken recording's bad tables each cost a timeout: keep those short
    broken = SnmpConfig(engine=engine, timeout_s=1.0, retries=0, max_repetitions=40,
                        device_budget_s=120.0)
    sem = asyncio.Semaphore(4)

    async def one(name: str) -> PollResult:
        async with sem:
            return await poll_device(SnmpTarget(name, host, SnmpAuth(community=name), port=port),
                                     broken if name in BROKEN_RECORDINGS else snmp)

    results = await asyncio.gather(*(one(n) for n in DEVICES))
    return dict(zip(DEVICES, results, strict=True))


@pytest.fixture(scope="module")
def corpus_all(corpus_agents: dict[str, tuple[str, int]]
               ) -> dict[str, tuple[dict[str, PollResult], dict[str, dict[str, FieldScore]]]]:
    """Both engines over the whole corpus, polled concurrently, scored and reported."""

    async def both() -> list[dict[str, PollResult]]:
        return list(await asyncio.gather(*(_poll_all(e, *corpus_agents[e]) for e in ENGINES)))

    out = {}
    for engine, results in zip(ENGINES, asyncio.run(both()), strict=True):
        scores = {}
        for name, result in results.items():
            expected = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
            scores[name] = compare(name, expected, result.state)
        _report(engine, results, scores)
        out[engine] = (results, scores)
    return out


@pytest.fixture(params=ENGINES)
def corpus_results(request: pytest.FixtureRequest, corpus_all: Any
                   ) -> tuple[str, dict[str, PollResult], dict[str, dict[str, FieldScore]]]:
    results, scores = corpus_all[request.param]
    return request.param, results, scores


def _fmt(score: FieldScore | None) -> str:
    if score is None or score.total == 0:
        return "-"
    return f"{score.percent:.0f}% ({score.agree}/{score.total})"


def _report(engine: str, results: dict[str, PollResult],
            scores: dict[str, dict[str, FieldScore]]) -> None:
    columns = sorted({k for s in scores.values() for k in s},
                     key=lambda k: (k not in STRICT, STRICT.index(k) if k in STRICT else 0, k))
    lines = [f"# SNMP corpus agreement, engine {engine}", "",
             "| device | status | " + " | ".join(columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    totals = {c: FieldScore() for c in columns}
    for name in DEVICES:
        row = [name, results[name].status.value]
        for c in columns:
            sc = scores[name].get(c)
            row.append(_fmt(sc))
            if sc:
                totals[c].agree += sc.agree
                totals[c].total += sc.total
        lines.append("| " + " | ".join(row) + " |")
    lines.append("| **all** | | " + " | ".join(_fmt(totals[c]) for c in columns) + " |")
    lines += ["", "## Differences (not explained)", ""]
    for name in DEVICES:
        for c, sc in scores[name].items():
            for d in sc.diffs[:8]:
                lines.append(f"- {name} {c}: {d}")
            if len(sc.diffs) > 8:
                lines.append(f"- {name} {c}: ... {len(sc.diffs) - 8} more")
    lines += ["", "## Known differences (LibreNMS policy, counted as agreement)", ""]
    for name in DEVICES:
        for c, sc in scores[name].items():
            if sc.known:
                lines.append(f"- {name} {c}: {len(sc.known)} x, e.g. {sc.known[0]}")
    text = "\n".join(lines) + "\n"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"snmp_corpus_{engine}.md").write_text(text, encoding="utf-8")
    (ARTIFACTS / f"snmp_corpus_{engine}.json").write_text(json.dumps(
        {n: {c: {"agree": s.agree, "total": s.total, "diffs": s.diffs, "known": s.known}
             for c, s in sc.items()} for n, sc in scores.items()}, indent=1), encoding="utf-8")
    print("\n" + text)


def test_every_recording_polls(corpus_results: Any) -> None:
    engine, results, _ = corpus_results
    bad = {}
    for name, r in results.items():
        allowed = BROKEN_RECORDINGS.get(name)
        if r.status is PollStatus.OK and not allowed:
            continue
        if allowed and r.status is PollStatus.ERROR and allowed in (r.error or ""):
            continue
        bad[name] = (r.status.value, r.error)
    assert not bad, f"{engine}: {bad}"


@pytest.mark.parametrize("field", STRICT)
def test_field_agreement(corpus_results: Any, field: str) -> None:
    engine, _, scores = corpus_results
    failures = {n: s[field].diffs for n, s in scores.items() if field in s and s[field].diffs}
    assert not failures, f"{engine} {field}: " + json.dumps(failures, indent=1)[:3000]


def test_engines_agree(corpus_all: Any) -> None:
    """Both engines must produce identical state for every recording."""
    gufo, pysnmp = corpus_all["gufo"][0], corpus_all["pysnmp"][0]
    diff = [n for n in gufo if json.dumps(gufo[n].state, sort_keys=True, default=str)
            != json.dumps(pysnmp[n].state, sort_keys=True, default=str)]
    assert not diff, f"engines disagree on {diff}"
