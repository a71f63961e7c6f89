"""The layers hold (docs/architecture.md): import-linter's contracts in pyproject.toml, no import cycle, no use of
another module's private names, migrations that carry what they need, and a core that loads no framework."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {"fastapi", "starlette", "sqlmodel", "sqlalchemy", "apscheduler", "jinja2", "typer", "click"}
ROW_API = {"_mapping", "_asdict", "_fields", "_replace", "_make"}
"""Underscore names that are public API elsewhere (SQLAlchemy's Row, namedtuple)."""


def test_import_linter_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "lint-imports ontbreekt: make test installeert de dev-extra's (import-linter)"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_r2c_modules() -> None:
    graph = grimp.build_graph("r2c")
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []


def _private_names(tree: ast.AST) -> set[str]:
    """Private names a module defines: functions, classes, attributes it sets, module-level names."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _private_uses(source: str, label: str, r2c_private: set[str]) -> list[str]:
    """``from r2c... import _name``, and ``x._name`` (x not self or cls) of a private name of r2c's that this
    module does not define itself."""
    tree = ast.parse(source)
    foreign = r2c_private - _private_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("r2c"):
            found += [f"{label}:{node.lineno}: from {node.module} import {a.name}"
                      for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
        elif (isinstance(node, ast.Attribute) and node.attr in foreign and node.attr not in ROW_API
              and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})):
            found.append(f"{label}:{node.lineno}: .{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
               for folder in ("r2c", "tests", "bench") for p in (ROOT / folder).rglob("*.py")}
    r2c_private = set().union(*(_private_names(ast.parse(text)) for label, text in sources.items()
                                if label.startswith("r2c")))
    offenders = [use for label, text in sources.items() for use in _private_uses(text, label, r2c_private)]
    assert offenders == []


def test_the_private_name_check_sees_a_reach_back() -> None:
    source = ("from r2c.x import _hidden\nservice._write()\nself._write()\nrow._mapping\n"
              "def _own(): pass\nother._own()\n")
    uses = _private_uses(source, "sample.py", {"_write", "_own", "_mapping"})
    assert uses == ["sample.py:1: from r2c.x import _hidden", "sample.py:2: ._write"]


def test_no_migration_imports_application_code() -> None:
    offenders = []
    for path in (ROOT / "r2c" / "store" / "migrations" / "versions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}:{node.lineno}: {m}" for m in modules if m.split(".")[0] == "r2c"]
    assert offenders == []


@pytest.mark.parametrize("package", ("definitions", "engine", "termijnen"))
def test_importing_and_using_the_core_loads_no_framework(package: str) -> None:
    code = (
        "import sys\n"
        "from r2c.definitions import load_catalog\n"
        "from r2c.engine import Engine\n"
        f"import r2c.{package}\n"
        "from r2c.clock import SystemClock\n"
        "Engine(load_catalog(), SystemClock()).build_all()\n"
        f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(FRAMEWORKS)!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
