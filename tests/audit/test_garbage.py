"""Hostile input: binary, oversized, mixed encodings, junk. A clear error or a best-effort parse, never a crash."""

from __future__ import annotations

import os

import pytest

from nms.errors import ParseError
from policies.audit.run import audit_config
from policies.parsers import PLATFORMS, parse_config


def test_binary_is_refused_clearly() -> None:
    with pytest.raises(ParseError, match="binary"):
        parse_config(os.urandom(4096) + b"\x00", "cisco_ios")
    with pytest.raises(ParseError, match="binary"):
        parse_config(bytes(range(1, 32)) * 200)


def test_50mb_config_is_refused_with_the_limit_named() -> None:
    big = b"interface GigabitEthernet0/1\n description x\n" * (50 * 1000 * 1000 // 42 + 1)
    assert len(big) > 50 * 1000 * 1000
    with pytest.raises(ParseError, match=r"too large: \d+\.\d MB \(limit 32 MB\)"):
        parse_config(big, "cisco_ios")


def test_large_config_within_limit_parses() -> None:
    body = "".join(f"interface GigabitEthernet1/0/{i}\n description port {i}\n shutdown\n!\n" for i in range(20000))
    cfg = parse_config("hostname big\n!\n" + body, "cisco_ios")
    assert len(cfg.interfaces) == 20000


def test_mixed_utf8_and_gbk_lines() -> None:
    data = ("#\nsysname 测试\n#\ninterface GigabitEthernet0/0/1\n description ".encode()
            + "县政务服务中心上联".encode("gbk") + b"\n#\nreturn\n")
    cfg = parse_config(data, "huawei_vrp")
    assert cfg.hostname.value == "测试"
    assert cfg.interfaces["GigabitEthernet0/0/1"].description == "县政务服务中心上联"
    assert any("GBK" in w for w in cfg.warnings)


def test_undecodable_bytes_fall_back_to_latin1() -> None:
    cfg = parse_config(b"hostname r1\n!\ninterface Gi0/1\n description \xff\xfe\xfd\x80\n!\n", "cisco_ios")
    assert "Gi0/1" in cfg.interfaces and any("Latin-1" in w for w in cfg.warnings)


def test_unknown_platform_text_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match="cannot tell the platform"):
        parse_config("lorem ipsum dolor\nsit amet\n")
    with pytest.raises(ParseError, match="unsupported platform"):
        parse_config("hostname x\n", "nokia_sros")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_junk_parses_best_effort(platform: str) -> None:
    junk = "\n".join(["{{{{", "}}}}", "interface", " ip address", "set", "set interfaces", "undo", "no",
                      "snmp-agent community", "line vty", "user-interface", "rule permit", "\t\t;;",
                      "header login information \"unterminated", "banner motd ^C never closed",
                      "   deeply" + " nested" * 50] * 20)
    cfg = parse_config(junk, platform)
    assert cfg.unknown  # kept, not fatal
    result = audit_config(junk, platform)
    assert not [f for f in result.findings if f.status.value == "ERROR"]


def test_deep_indentation_does_not_recurse() -> None:
    text = "hostname deep\n" + "".join(" " * i + f"level{i}\n" for i in range(1, 3000))
    cfg = parse_config(text, "cisco_ios")
    assert cfg.hostname.value == "deep"
