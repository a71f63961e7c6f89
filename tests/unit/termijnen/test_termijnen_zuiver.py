"""The termijnen core imports no framework and reads no clock (style habits 1 and 4)."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

from r2c.termijnen import bereken

PACKAGE = Path(__file__).resolve().parents[3] / "r2c" / "termijnen"
FORBIDDEN = {"fastapi", "sqlmodel", "sqlalchemy", "apscheduler", "jinja2", "typer", "click"}


def test_geen_framework_in_sys_modules() -> None:
    code = "import sys, r2c.termijnen; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert not {name.split(".")[0] for name in loaded} & FORBIDDEN


def test_geen_klok_in_de_code() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"today", "now", "utcnow", "time"}:
                raise AssertionError(f"{path.name}:{node.lineno} leest de klok ({node.attr})")


def test_terugrekenen_artikel_2_verlengt_naar_eerder() -> None:
    # 3 dagen terug vanaf di 7 april 2026: za 4, zo 5, ma 6 (tweede Paasdag) bevat geen werkdag;
    # de termijn wordt langer naar eerder: de tweede werkdag vóór 7 april is wo 1 april (3 april is Goede Vrijdag)
    uitkomst = bereken(date(2026, 4, 7), "3 dagen", terug=True)
    assert uitkomst.ruwe_einddatum == date(2026, 4, 4)
    assert uitkomst.einddatum == date(2026, 4, 1)
    assert uitkomst.verschuivingen[-1].grondslag == "Atw art. 2"
