"""docs/architecture.md runs as written: its one change traced end to end prints what the page says it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def test_the_traced_change_runs_and_prints_what_the_page_says(tmp_path) -> None:
    script = "\n\n".join(re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M))
    for must in ("service.submit(", "service.fire(", "outcome.events", "service.terms(", "tick("):
        assert must in script, f"docs/architecture.md no longer shows {must}"
    (tmp_path / "architecture_doc.py").write_text(script, encoding="utf-8")
    env = {**os.environ, "R2C_DEFINITIES": os.pathsep.join([str(ROOT / "model_verordening"), str(ROOT / "workflows")]),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "architecture_doc.py"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ontvankelijkheid.aanvulling_gevraagd ['StateChanged', 'TermChanged', 'TermChanged', 'LetterRequested']",
        "[('beslistermijn', 'opgeschort'), ('hersteltermijn', 'lopend')]",
        "2 True",
    ]


def test_every_layer_of_the_contract_is_on_the_page() -> None:
    """The layer table names every package that the import-linter contract orders, and no other."""
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"][0]["layers"]
    contracted = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    table = DOC.read_text(encoding="utf-8").split("## Layers", 1)[1].split("\n## ", 1)[0]
    shown = set(re.findall(r"`(r2c\.[a-z_]+)`", table.split("Three objects", 1)[0]))
    assert shown == contracted
