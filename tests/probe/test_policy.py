"""Sweeps and probes only go where the caller explicitly allowed (collectors.probe.policy)."""

from __future__ import annotations

import pytest

from collectors.probe.policy import TargetNotAllowedError, check_prefix, check_targets
from collectors.probe.sweep import sweep


def test_sweep_needs_an_explicit_allow_list() -> None:
    with pytest.raises(TargetNotAllowedError, match="explicit allow-list"):
        check_prefix("127.0.0.0/30", [])


@pytest.mark.parametrize(("prefix", "allowed"), [
    ("198.19.0.0/16", ["198.19.0.0/24"]),       # larger than allowed
    ("10.0.0.0/24", ["198.18.0.0/15"]),          # elsewhere
    ("127.0.0.0/30", ["::1/128"]),               # other family
])
def test_sweep_refuses_prefixes_outside_the_allow_list(prefix: str, allowed: list[str]) -> None:
    with pytest.raises(TargetNotAllowedError, match="refusing to sweep"):
        check_prefix(prefix, allowed)


def test_sweep_refuses_huge_prefixes_even_when_allowed() -> None:
    with pytest.raises(TargetNotAllowedError, match="limit"):
        check_prefix("198.18.0.0/15", ["198.18.0.0/15"])


def test_sweep_function_refuses_before_sending_anything() -> None:
    with pytest.raises(TargetNotAllowedError):
        sweep("192.0.2.0/24", allowed=["127.0.0.0/8"])


def test_allowed_prefix_passes() -> None:
    assert str(check_prefix("198.19.0.0/24", ["198.18.0.0/15"])) == "198.19.0.0/24"
    assert str(check_prefix("127.0.0.1", ["127.0.0.0/8"])) == "127.0.0.1/32"


def test_probe_targets_are_checked_when_an_allow_list_is_given() -> None:
    assert check_targets(["127.0.0.1"], ["127.0.0.0/8"]) == ["127.0.0.1"]
    assert check_targets(["192.0.2.1"], None) == ["192.0.2.1"]  # inventory probes: no list
    with pytest.raises(TargetNotAllowedError, match="refusing to probe 192.0.2.1"):
        check_targets(["127.0.0.1", "192.0.2.1"], ["127.0.0.0/8"])
    with pytest.raises(TargetNotAllowedError, match="not an IP"):
        check_targets(["router1"], ["127.0.0.0/8"])
