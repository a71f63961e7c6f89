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


def _where(name: str) -> list[tuple[str, int, str]]:
    _, problems = load_all([BROKEN / name], base_paths=[MODEL_DIR])
    return [(Path(p.file).name, p.line, p.message) for p in problems]


def test_a_problem_in_an_inherited_value_is_reported_at_the_line_that_caused_it() -> None:
    # line 9 removes the only transition out of uitvoering.verantwoording; the states behind it are follow-on
    [(file, line, message)] = _where("geen_uitweg.yaml")
    assert (file, line) == ("geen_uitweg.yaml", 9)
    assert "'uitvoering.verantwoording' is geen eindstaat" in message
    assert "geërfd uit model_verordening/vng-model-2024.yaml:" in message


def test_a_state_made_final_is_blamed_for_its_inherited_outgoing_transition() -> None:
    [(file, line, message)] = _where("eindstaat_gemaakt.yaml")
    assert (file, line) == ("eindstaat_gemaakt.yaml", 11)
    assert "mag geen uitgaande transitie hebben ('verantwoording_beoordeeld')" in message


def test_a_mandatory_phase_switched_off_gives_only_that_message() -> None:
    assert _where("verplichte_fase_uit.yaml") == [
        ("verplichte_fase_uit.yaml", 9, "fase 'toetsing' is niet optioneel en kan niet uit")]


def test_unreachable_states_behind_an_unreachable_state_are_named_in_its_message() -> None:
    assert _where("onbereikbaar.yaml") == [("onbereikbaar.yaml", 11, (
        "staat 'toetsing.wachtkamer' is vanuit 'indiening.concept' niet te bereiken "
        "(daardoor ook niet: toetsing.gang)"))]


def test_a_version_of_the_wrong_type_is_not_also_reported_missing() -> None:
    assert _where("versie_als_getal.yaml") == [("versie_als_getal.yaml", 4, "moet tekst zijn (nu: 1)")]


def test_a_wrong_nested_key_does_not_also_report_its_parent_missing(tmp_path: Path) -> None:
    path = tmp_path / "bron.yaml"
    path.write_text('soort: gemeente\nid: bron\nnaam: x\nversie: "1"\ngeldig_vanaf: 2025-01-01\n'
                    "extends: vng-model-2024@2024.1\nbron: {titl: testbestand}\n", encoding="utf-8")
    _, problems = load_all([path], base_paths=[MODEL_DIR])
    assert sorted((p.line, p.key) for p in problems) == [(7, "bron.titel"), (7, "bron.titl")]


def test_a_role_named_twice_is_reported_at_the_repeat() -> None:
    assert [(f, n) for f, n, _ in _where("dubbele_rol.yaml")] == [("dubbele_rol.yaml", 10), ("dubbele_rol.yaml", 15)]


def test_an_unknown_target_state_does_not_flood_with_follow_on_messages() -> None:
    _, problems = load_all([BROKEN / "onbekende_staat.yaml"], base_paths=[MODEL_DIR])
    assert [p.line for p in problems] == [10]


def test_every_shipped_step_requirement_and_criterion_names_the_article_it_rests_on(catalog) -> None:
    # an article that was not checked against the text carries geverifieerd: false, not a blank
    missing = [f"{item.definition.key}: {section}.{key}" for item in catalog
               for section in ("transities", "vereisten", "criteria")
               for key, value in getattr(item.definition, section).items() if not value.artikel]
    assert missing == []
