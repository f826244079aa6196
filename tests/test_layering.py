"""The core must outlive MkDocs: only plugin.py imports mkdocs, only cli.py imports click."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "postmortem_kb"
ALLOWED = {"mkdocs": {"plugin.py"}, "click": {"cli.py"}}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("banned", sorted(ALLOWED))
def test_only_the_adapter_imports_its_framework(banned: str) -> None:
    offenders = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if banned in _imported_roots(p) and p.name not in ALLOWED[banned]
    )
    assert offenders == []


def test_importing_the_core_loads_neither_mkdocs_nor_click() -> None:
    code = (
        "import sys, postmortem_kb, postmortem_kb.kb, postmortem_kb.export;"
        "print(sorted(m for m in ('mkdocs', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
