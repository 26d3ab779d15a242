"""Shared parsing machinery: decoding untrusted bytes, the indentation tree, vendor defaults.

Configs arrive from devices, from files security staff upload, and from backups of unknown
provenance: binary junk, a 50 MB dump, GBK-encoded Chinese descriptions mixed with UTF-8. The
rule here is *a clear error or a best-effort parse, never a crash*: ``decode`` refuses binary and
oversized input with a ``ParseError`` that says why, and otherwise decodes line by line (UTF-8,
then GB18030, then Latin-1), so one odd line never loses the rest of the file.

``build_tree`` turns indented CLI text (IOS, RGOS, VRP, Comware) into ``Node`` s with 1-based
line numbers. It is deliberately small and fast (the benchmark audits 10 million lines): one pass,
a stack, no regular expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nms.errors import ParseError
from policies.parsers.model import Fact, ParsedConfig

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULTS_FILE = Path(__file__).with_name("defaults.yaml")


def decode(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[str]]:
    """Text of a config and warnings about how it was decoded.

    Args:
        data: raw bytes (from a device or a file) or already-decoded text.
        max_bytes: larger input is refused rather than risking minutes of work on a dump.

    Returns:
        (text, warnings) — warnings name the lines that were not UTF-8.

    Raises:
        ParseError: binary input (NUL bytes or mostly control characters), or too large.
    """
    size = len(data)
    if size > max_bytes:
        raise ParseError(f"config too large: {size / 1048576:.1f} MB (limit {max_bytes / 1048576:.0f} MB); "
                         "split it or raise audit.max_config_mb")
    if isinstance(data, str):
        if "\x00" in data[:65536]:
            raise ParseError("input looks binary (NUL characters), not a device configuration")
        return data, []
    head = data[:65536]
    if b"\x00" in head:
        raise ParseError("input looks binary (NUL bytes), not a device configuration")
    if head:
        control = sum(1 for b in head if b < 9 or 13 < b < 32)
        if control / len(head) > 0.05:
            raise ParseError(f"input looks binary ({control} control bytes in the first {len(head)}), "
                             "not a device configuration")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    warnings: list[str] = []
    out: list[str] = []
    gbk_lines: list[int] = []
    latin_lines: list[int] = []
    for no, raw in enumerate(data.split(b"\n"), 1):
        try:
            out.append(raw.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        try:
            out.append(raw.decode("gb18030"))
            gbk_lines.append(no)
        except UnicodeDecodeError:
            out.append(raw.decode("latin-1"))
            latin_lines.append(no)
    if gbk_lines:
        warnings.append(f"{len(gbk_lines)} line(s) decoded as GBK/GB18030 (first: line {gbk_lines[0]})")
    if latin_lines:
        warnings.append(f"{len(latin_lines)} line(s) undecodable, read as Latin-1 (first: line {latin_lines[0]})")
    return "\n".join(out), warnings


class Node:
    """One line of indented config and the lines nested under it."""

    __slots__ = ("text", "line", "indent", "children", "body")

    def __init__(self, text: str, line: int, indent: int) -> None:
        self.text = text
        self.line = line
        self.indent = indent
        self.children: list[Node] = []
        self.body: list[str] | None = None  # multi-line banner text

    def __repr__(self) -> str:
        return f"Node({self.line}: {self.text!r}, {len(self.children)} children)"

    def walk(self) -> list[Node]:
        """This node's descendants, depth first."""
        out: list[Node] = []
        for child in self.children:
            out.append(child)
            out.extend(child.walk())
        return out


MultilineStart = Callable[[str], str | None]


def build_tree(lines: list[str], *, comment: str = "!", separator: str = "#",
               multiline: MultilineStart | None = None) -> Node:
    """The indentation tree of ``lines``; ``separator`` lines at column 0 close every section.

    ``multiline(stripped_line)`` returns the delimiter of a block that runs until the delimiter
    appears again (banners), or None; such blocks are kept whole in ``Node.body``.
    """
    root = Node("", 0, -1)
    stack = [root]
    i, n = 0, len(lines)
    while i < n:
        raw = lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped:
            continue
        first = stripped[0]
        if first in (separator, comment):
            if raw[0] == first:
                del stack[1:]
            continue
        indent = len(raw) - len(raw.lstrip())
        while stack[-1].indent >= indent:
            stack.pop()
        node = Node(stripped, i, indent)
        stack[-1].children.append(node)
        stack.append(node)
        if multiline is not None:
            delim = multiline(stripped)
            if delim is not None:
                start = stripped.find(delim)
                rest = stripped[start + len(delim):]
                body: list[str] = []
                if delim in rest:
                    body.append(rest[: rest.find(delim)])
                else:
                    if rest:
                        body.append(rest)
                    while i < n:
                        text = lines[i]
                        i += 1
                        if delim in text:
                            body.append(text[: text.find(delim)])
                            break
                        body.append(text)
                node.body = body
    return root


@cache
def _defaults() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return {k: v or {} for k, v in data.items()}


def vendor_defaults(platform: str) -> dict[str, Any]:
    """The defaults table of ``platform`` (``defaults.yaml``): what an absent line means."""
    return dict(_defaults().get(platform, {}))


def apply_defaults(cfg: ParsedConfig) -> None:
    """Fill facts the config left unset with the vendor's documented defaults (line=None)."""
    table = vendor_defaults(cfg.platform)
    for section, values in table.items():
        if section == "notes" or not isinstance(values, dict):
            continue
        target = getattr(cfg, section, None)
        if not isinstance(target, dict):
            continue
        for key, value in values.items():
            current = target.get(key)
            if current is None or current.value is None:
                target[key] = Fact(value, None, True)
    idle = table.get("line_idle_timeout_s")
    for ml in cfg.mgmt_lines:
        if ml.idle_timeout_s.value is None and idle is not None:
            ml.idle_timeout_s = Fact(idle, None, True)


def dispatch_sections(cfg: ParsedConfig, root: Node,
                      handlers: dict[str, Callable[[Node, bool, list[str]], object]]) -> None:
    """Hand each top-level section to the handler named by its first word.

    A handler returning False, or none for that word, leaves the line in ``cfg.unknown``; one
    that trips over an odd section adds a warning instead of losing the rest of the file.
    """
    for node in root.children:
        negated, words = words_of(node.text)
        if not words:
            continue
        handler = handlers.get(words[0])
        try:
            known = handler is not None and handler(node, negated, words) is not False
        except (IndexError, ValueError, KeyError, TypeError, AttributeError) as exc:
            cfg.warnings.append(f"line {node.line}: not understood ({type(exc).__name__})")
            known = False
        if not known:
            cfg.unknown.append(node.line)


def words_of(text: str) -> tuple[bool, list[str]]:
    """(negated, words) of a CLI line: ``undo``/``no`` prefixes are stripped and reported."""
    words = text.split()
    if words and words[0] in ("undo", "no"):
        return True, words[1:]
    return False, words


def after(words: list[str], key: str, default: str | None = None) -> str | None:
    """The word following ``key`` in ``words`` (``acl 2000`` -> ``2000``)."""
    try:
        return words[words.index(key) + 1]
    except (ValueError, IndexError):
        return default


def to_int(text: str | None) -> int | None:
    """``int(text)`` or None for anything that is not a plain integer."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None
