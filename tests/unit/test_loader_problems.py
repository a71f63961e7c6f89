"""Each broken fixture fails with its own file:line message; a file's problems are reported all at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from r2c.definitions import load_all, load_catalog
from r2c.errors import DefinitionError
from tests.conftest import FIXTURES, MODEL_DIR, ROOT, run_r2c

BROKEN = FIXTURES / "broken"
CASES = sorted([*BROKEN.glob("*.yaml"), *(p for p in BROKEN.iterdir() if p.is_dir())])
EXPECT = re.compile(r"^# verwacht: (\d+): (.+)$", re.M)


def expectations(target: Path) -> list[tuple[str, int, str]]:
    files = sorted(target.glob("*.yaml")) if target.is_dir() else [target]
    return [(str(f), int(m[1]), m[2]) for f in files for m in EXPECT.finditer(f.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("target", CASES, ids=lambda p: p.name)
def test_broken_fixture_reports_each_expected_problem_at_its_line(target: Path) -> None:
    wanted = expectations(target)
    assert wanted, f"{target} names no '# verwacht:' line"
    _, problems = load_all([target], base_paths=[MODEL_DIR])
    found = [(str(Path(p.file).resolve()), p.line, p.message) for p in problems]
    for file, line, text in wanted:
        assert any(f == file and n == line and text in m for f, n, m in found), (
            f"expected {file}:{line}: {text!r}\ngot:\n" + "\n".join(f"{f}:{n}: {m}" for f, n, m in found))


def test_every_problem_of_a_file_is_reported_in_one_run() -> None:
    _, problems = load_all([BROKEN / "onbekende_verwijzingen.yaml"], base_paths=[MODEL_DIR])
    assert {p.line for p in problems} == {10, 11, 12, 13}


def test_load_catalog_raises_one_error_listing_all_problems() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_catalog([BROKEN / "tikfout.yaml"], base_paths=[MODEL_DIR])
    assert len(caught.value.problems) == 2
    assert "tikfout.yaml:10:" in str(caught.value) and "tikfout.yaml:13:" in str(caught.value)


@pytest.mark.parametrize("target", CASES, ids=lambda p: p.name)
def test_validate_command_exits_1_with_file_line_messages(target: Path) -> None:
    result = run_r2c("workflows", "validate", str(target.relative_to(ROOT)))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    for file, line, _ in expectations(target):
        assert f"{Path(file).relative_to(ROOT)}:{line}:" in result.stdout


def test_a_problem_in_an_inherited_value_is_reported_in_the_inheriting_file() -> None:
    _, problems = load_all([BROKEN / "geen_uitweg.yaml"], base_paths=[MODEL_DIR])
    assert problems and all(p.file.endswith("geen_uitweg.yaml") for p in problems)
    assert any("geërfd uit" in p.message and "vng-model-2024.yaml" in p.message for p in problems)


def test_an_unknown_target_state_does_not_flood_with_follow_on_messages() -> None:
    _, problems = load_all([BROKEN / "onbekende_staat.yaml"], base_paths=[MODEL_DIR])
    assert [p.line for p in problems] == [10]
