"""docs/workflows.md shows the Voorbeeldstad file, its diagram and its `show` output: they must match what r2c does."""

from __future__ import annotations

import re

import pytest

from r2c.definitions import load_all
from r2c.definitions.diagram import mermaid
from tests.conftest import FIXTURES, MODEL_DIR, ROOT, run_r2c

DOC = ROOT / "docs" / "workflows.md"
FIXTURE = FIXTURES / "voorbeeldstad.yaml"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def block_after(heading: str, language: str) -> str:
    """The first fenced block in ``language`` after ``heading`` in docs/workflows.md."""
    text = DOC.read_text(encoding="utf-8")
    start = text.find(f"\n{heading}\n")
    assert start >= 0, f"heading {heading!r} not found in {DOC}"
    for match in BLOCK.finditer(text, start):
        if match[1] == language:
            return match[2]
    pytest.fail(f"no ```{language} block after {heading!r} in {DOC}")


def test_the_fixture_validates_on_its_own() -> None:
    loaded, problems = load_all([FIXTURE], base_paths=[MODEL_DIR])
    assert problems == []
    assert [item.definition.key for item in loaded if item.file == str(FIXTURE.relative_to(ROOT))] == [
        "voorbeeldstad@2025.1"]


def test_step_8_shows_the_fixture_as_it_is() -> None:
    assert block_after("### Stap 8: het hele bestand", "yaml") == FIXTURE.read_text(encoding="utf-8")


def test_the_diagram_in_step_10_is_what_workflows_diagram_draws() -> None:
    loaded, _ = load_all([FIXTURE], base_paths=[MODEL_DIR])
    [item] = [i for i in loaded if i.definition.id == "voorbeeldstad"]
    assert block_after("### Stap 10: bekijken en tekenen", "mermaid") == mermaid(item)


def test_the_show_excerpt_in_step_10_is_part_of_what_workflows_show_prints() -> None:
    excerpt = [line for line in block_after("### Stap 10: bekijken en tekenen", "text").splitlines()
               if line != "..."]
    env = {"R2C_DEFINITIES": "model_verordening:tests/fixtures/voorbeeldstad.yaml"}
    result = run_r2c("workflows", "show", "voorbeeldstad", env=env)
    assert result.returncode == 0, result.stderr
    shown = result.stdout.splitlines()
    missing = [line for line in excerpt if line not in shown]
    assert not missing, ("lines in docs/workflows.md that `workflows show voorbeeldstad` does not print:\n"
                         + "\n".join(missing))
