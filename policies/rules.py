"""Rule packs: checks that are plain data (style.md 2.4), and the operator table they use.

A pack is a YAML file::

    pack: health
    rules:
      - id: HEALTH-001
        title: {en: CPU usage within limit, zh: CPU 利用率未超过阈值}
        severity: major
        mlps: 8.1.2.1 a
        applies_to: {role: [router, firewall, switch]}
        source: processors[*].usage_percent      # path into DeviceState.state
        subject: processors[*].descr             # optional: one finding per item
        max: thresholds.cpu_percent              # operand: a literal or a snapshot parameter

Operators live in ``OPERATORS``: a new one is a function, a table entry and a test. A path
that finds nothing gives NEEDS_REVIEW, never PASS.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from nms.errors import ConfigError
from nms.models import Finding, FindingStatus, Severity
from policies.base import Check, DeviceState, Snapshot


def _num(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        raise TypeError(f"not a number: {v!r}")
    return float(v)


def _in_prefix(value: Any, prefixes: Any) -> bool:
    addr = ipaddress.ip_interface(str(value)).ip
    nets = [prefixes] if isinstance(prefixes, str) else prefixes
    return any(addr in ipaddress.ip_network(str(n), strict=False) for n in nets)


# operator name -> (test(observed, operand) -> bool, English phrase, Chinese phrase)
OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], str, str]] = {
    "eq": (lambda v, x: v == x, "equal to", "等于"),
    "ne": (lambda v, x: v != x, "not equal to", "不等于"),
    "in": (lambda v, x: v in x, "one of", "属于"),
    "not_in": (lambda v, x: v not in x, "none of", "不属于"),
    "min": (lambda v, x: _num(v) >= _num(x), "at least", "不低于"),
    "max": (lambda v, x: _num(v) <= _num(x), "at most", "不超过"),
    "must_match": (lambda v, x: re.search(x, str(v), re.M) is not None, "matching", "匹配"),
    "must_not_match": (lambda v, x: re.search(x, str(v), re.M) is None, "not matching", "不匹配"),
    "within_prefix": (_in_prefix, "within", "位于"),
}


def resolve(data: Any, path: str) -> list[tuple[str, Any]]:
    """Values at ``path`` (dots and ``[*]`` over lists) with the index path of each."""
    results: list[tuple[str, Any]] = [("", data)]
    for part in path.split("."):
        star = part.endswith("[*]")
        key = part[:-3] if star else part
        nxt: list[tuple[str, Any]] = []
        for where, node in results:
            if key:
                if not isinstance(node, dict) or node.get(key) is None:
                    continue
                node = node[key]
                where = f"{where}.{key}" if where else key
            if star:
                if isinstance(node, list):
                    nxt.extend((f"{where}[{i}]", item) for i, item in enumerate(node))
            else:
                nxt.append((where, node))
        results = nxt
    return results


class RuleCheck(Check):
    """A check built from one rule of a YAML pack."""

    def __init__(self, rule: dict[str, Any], pack: str, source_file: str) -> None:
        where = f"{source_file}: rule {rule.get('id', '?')}"
        try:
            self.id = str(rule["id"])  # type: ignore[misc]
            title = rule["title"]
            self.title_en, self.title_zh = title["en"], title["zh"]  # type: ignore[misc]
            self.severity = Severity(rule.get("severity", "minor"))  # type: ignore[misc]
            self.source = str(rule["source"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: needs id, title {{en, zh}}, severity and source ({exc})") from exc
        ops = [op for op in OPERATORS if op in rule]
        if len(ops) != 1:
            raise ConfigError(f"{where}: needs exactly one operator of {', '.join(OPERATORS)}")
        self.op = ops[0]
        self.operand = rule[self.op]
        self.pack = pack  # type: ignore[misc]
        self.mlps = rule.get("mlps")  # type: ignore[misc]
        self.applies_to = {k: list(v) for k, v in (rule.get("applies_to") or {}).items()}  # type: ignore[misc]
        self.subject_path = rule.get("subject")
        self.needs = (self.source.split(".")[0].removesuffix("[*]"),)  # type: ignore[misc]

    def _operand(self, snapshot: Snapshot) -> Any:
        if isinstance(self.operand, str) and self.operand.startswith(("thresholds.", "audit.")):
            value = snapshot.param(self.operand)
            if value is None:
                raise ValueError(f"parameter {self.operand!r} is not set")
            return value
        return self.operand

    def evaluate_device(self, dev: DeviceState, snapshot: Snapshot) -> Iterator[Finding]:
        values = resolve(dev.state, self.source)
        top = dev.state.get(self.needs[0])
        if not values and isinstance(top, list | dict) and not top:
            # the getter ran and found nothing (a box without temperature sensors): nothing to judge
            yield self.finding(dev.name, "", FindingStatus.NOT_APPLICABLE,
                               f"the device reports no {self.needs[0]}", f"设备未报告 {self.needs[0]}")
            return
        if not values:
            yield self.finding(dev.name, "", FindingStatus.NEEDS_REVIEW,
                               f"no value at {self.source}", f"未取得 {self.source} 的值")
            return
        subjects = dict(resolve(dev.state, self.subject_path)) if self.subject_path else {}
        expected = self._operand(snapshot)
        test, phrase_en, phrase_zh = OPERATORS[self.op]
        for where, value in values:
            subject_key = where.rsplit(".", 1)[0]
            subject = str(subjects.get(f"{subject_key}.{self.subject_path.split('.')[-1]}", where)) \
                if self.subject_path else ""
            try:
                ok = test(value, expected)
            except (TypeError, ValueError, re.error) as exc:
                yield self.finding(dev.name, subject, FindingStatus.ERROR, f"cannot compare {value!r}: {exc}",
                                   f"无法比较 {value!r}：{exc}", observed=value, expected=expected)
                continue
            status = FindingStatus.PASS if ok else FindingStatus.FAIL
            yield self.finding(
                dev.name, subject, status,
                f"{self.title_en}: {where} is {value!r}, expected {phrase_en} {expected!r}",
                f"{self.title_zh}：{where} 为 {value!r}，应{phrase_zh} {expected!r}",
                observed=value, expected={self.op: expected}, path=where)


def load_pack(path: Path) -> list[RuleCheck]:
    """The checks of one YAML rule pack; ConfigError naming the file on a malformed rule."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot load rule pack: {exc}", path=str(path)) from exc
    if not isinstance(data, dict) or "pack" not in data or not isinstance(data.get("rules"), list):
        raise ConfigError("a rule pack needs 'pack' and a list of 'rules'", path=str(path))
    return [RuleCheck(rule, str(data["pack"]), str(path)) for rule in data["rules"]]


PACK_DIR = Path(__file__).with_name("packs")


def builtin_packs() -> list[RuleCheck]:
    """Every rule of the packs shipped in ``policies/packs``."""
    return [check for path in sorted(PACK_DIR.glob("*.yaml")) for check in load_pack(path)]
