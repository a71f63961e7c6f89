"""The domain core imports no web, database, scheduler or template framework (style habit 1)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ("definitions", "engine", "termijnen")
FORBIDDEN = {"fastapi", "starlette", "sqlmodel", "sqlalchemy", "apscheduler", "jinja2", "typer", "click"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", CORE)
def test_core_source_names_no_framework_anywhere(package: str) -> None:
    files = list((ROOT / "r2c" / package).rglob("*.py"))
    assert files
    offenders = {str(f.relative_to(ROOT)): imported_modules(f) & FORBIDDEN for f in files}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_core_source_imports_no_adapter_of_r2c() -> None:
    for package in CORE:
        for f in (ROOT / "r2c" / package).rglob("*.py"):
            text = f.read_text(encoding="utf-8")
            for adapter in ("r2c.cli", "r2c.store", "r2c.service", "r2c.settings", "r2c.api", "r2c.web", "r2c.notify",
                            "r2c.scheduler"):
                assert adapter not in text, f"{f} refers to adapter {adapter}"


def test_importing_and_using_the_core_loads_no_framework() -> None:
    code = (
        "import sys\n"
        "from r2c.definitions import load_catalog\n"
        "from r2c.engine import Engine\n"
        "import r2c.termijnen\n"
        "from r2c.clock import SystemClock\n"
        "Engine(load_catalog(), SystemClock()).build_all()\n"
        f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(FORBIDDEN)!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_scheduler_jobs_and_notifications_do_not_need_apscheduler() -> None:
    """The jobs are plain functions (testable and callable without APScheduler); only the runner wires it."""
    for path in [ROOT / "r2c" / "scheduler" / "jobs.py", *(ROOT / "r2c" / "notify").rglob("*.py")]:
        assert "apscheduler" not in imported_modules(path), path
    assert "apscheduler" in imported_modules(ROOT / "r2c" / "scheduler" / "runner.py")


def test_only_the_http_layer_knows_http() -> None:
    """The service, storage, notifications and scheduler import neither FastAPI nor r2c's HTTP modules: the API
    and the pages sit on top (r2c.cli starts them; nothing below calls up)."""
    below = [f for package in ("service", "store", "notify", "scheduler")
             for f in (ROOT / "r2c" / package).rglob("*.py")]
    offenders = {}
    for f in below:
        text = f.read_text(encoding="utf-8")
        found = imported_modules(f) & {"fastapi", "starlette", "uvicorn"}
        found |= {m for m in ("r2c.api", "r2c.web") if f"from {m}" in text or f"import {m}" in text}
        if found:
            offenders[str(f.relative_to(ROOT))] = found
    assert offenders == {}
