"""Conventions enforced by tests (style.md 2.1): dependencies point inward."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTER = {"collectors", "policies", "web"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_plugin_packages() -> None:
    offenders = {str(p.relative_to(REPO)): sorted(_imports(p) & OUTER)
                 for p in (REPO / "nms").rglob("*.py") if _imports(p) & OUTER}
    assert offenders == {}, "nms core must find plugins through nms.registry / entry points"


def test_policies_reach_collectors_only_through_the_registry() -> None:
    """``nms run`` and the policy CLIs find collectors and the trap receiver by name in
    ``nms.registry`` (setup.cfg entry points), never by importing ``collectors``."""
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "policies").rglob("*.py")
                 if "collectors" in _imports(p)]
    assert offenders == []


def test_nothing_imports_web() -> None:
    offenders = [str(p.relative_to(REPO)) for pkg in ("nms", "collectors", "inventory", "policies")
                 for p in (REPO / pkg).rglob("*.py") if "web" in _imports(p)]
    assert offenders == []


def test_every_module_has_a_docstring() -> None:
    missing = [str(p.relative_to(REPO)) for pkg in ("nms", "collectors", "inventory", "policies", "web")
               for p in (REPO / pkg).rglob("*.py")
               if "migrations/versions" not in str(p) and p.stat().st_size
               and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []


def test_migrations_form_one_line() -> None:
    """One head, each revision revising the one before: upgrades are never ambiguous."""
    from alembic.script import ScriptDirectory

    from nms.db import _alembic_config, make_engine

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    assert len(script.get_heads()) == 1, script.get_heads()
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    for newer, older in zip(revisions, revisions[1:], strict=False):
        assert newer.down_revision == older.revision
