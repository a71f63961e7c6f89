"""Warnings of ``validate``: each fixture in tests/fixtures/warnings/ gives exactly its own ``# waarschuwing:`` lines,
an inherited warning is reported once at the file that wrote it, and only ``--streng`` makes a warning fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from r2c.definitions import load_all, load_catalog
from r2c.definitions.lint import check_warnings
from tests.conftest import FIXTURES, MODEL_DIR, ROOT, WORKFLOW_DIR, run_r2c

WARNINGS = FIXTURES / "warnings"
CASES = sorted(WARNINGS.glob("*.yaml"))
EXPECT = re.compile(r"^# waarschuwing: (\d+): (.+)$", re.M)
MODEL = "model_verordening/vng-model-2024.yaml"


def _own(target: Path) -> list[tuple[int, str]]:
    loaded, problems = load_all([target], base_paths=[MODEL_DIR])
    assert problems == []
    file = str(target.relative_to(ROOT))
    return [(w.line, f"[{w.key}] {w.message}") for w in check_warnings(loaded) if w.file == file]


@pytest.mark.parametrize("target", CASES, ids=lambda p: p.name)
def test_a_fixture_gives_exactly_its_own_warnings_at_their_lines(target: Path) -> None:
    wanted = [(int(m[1]), m[2]) for m in EXPECT.finditer(target.read_text(encoding="utf-8"))]
    assert wanted, f"{target} names no '# waarschuwing:' line"
    got = _own(target)
    assert len(got) == len(wanted) and all(any(n == line and m.startswith(text) for n, m in got)
                                           for line, text in wanted), (
        f"expected {wanted}\ngot:\n" + "\n".join(f"{n}: {m}" for n, m in got))


def test_a_warning_of_the_model_is_reported_once_at_the_model_not_in_each_gemeente() -> None:
    loaded, _ = load_all([MODEL_DIR, WORKFLOW_DIR, WARNINGS])
    about = [w for w in check_warnings(loaded) if w.key == "termijnen.zienswijzetermijn.herinneringen"]
    assert [w.file for w in about] == [MODEL]  # every gemeente inherits the term; only the model wrote it


def test_unverified_values_are_counted_in_the_file_that_marks_them_not_in_a_later_version() -> None:
    loaded, _ = load_all([WORKFLOW_DIR], base_paths=[MODEL_DIR])
    by_file = {w.file: w for w in check_warnings(loaded) if w.message.endswith("(geverifieerd: false)")}
    # gouda 2026.1 builds on gouda 2024.1: gouda's unverified step is gouda's, 2026.1 counts only its own bron
    assert by_file["workflows/gouda.yaml"].key == "transities.overeenkomst_sluiten.geverifieerd"
    assert by_file["workflows/gouda-2026.yaml"].message.startswith("1 waarde is niet")
    assert by_file["workflows/gouda-2026.yaml"].key == "bron.geverifieerd"


def test_warnings_do_not_stop_loading() -> None:
    catalog = load_catalog([WARNINGS], base_paths=[MODEL_DIR])
    assert "zonder-artikel" in catalog.ids()


def _validate(*args: str):
    return run_r2c("workflows", "validate", *args)


def test_validate_exits_0_with_warnings_and_1_with_streng() -> None:
    target = str((WARNINGS / "zonder_artikel.yaml").relative_to(ROOT))
    relaxed, strict = _validate(target), _validate("--streng", target)
    assert relaxed.returncode == 0 and strict.returncode == 1
    for result in (relaxed, strict):
        assert f"{target}:14: waarschuwing: [transities.notitie_maken.artikel] transitie" in result.stdout
    assert "ok: 1 definitie(s) zonder problemen, 2 waarschuwing(en)" in relaxed.stderr
    assert "2 waarschuwing(en); met --streng telt elke waarschuwing als probleem" in strict.stderr


def test_validate_of_one_gemeente_shows_its_own_warnings_and_counts_those_of_its_base() -> None:
    result = _validate("--streng", "docs/examples/voorbeeldstad.yaml")
    assert result.returncode == 0, result.stdout + result.stderr  # the model's warnings are the model's
    assert result.stdout == ""
    assert f"waarschuwing(en) in de basis ({MODEL}): die horen bij dat bestand" in result.stderr


def test_errors_still_fail_and_come_before_the_warnings() -> None:
    broken = str((FIXTURES / "broken" / "tikfout.yaml").relative_to(ROOT))
    warned = str((WARNINGS / "zonder_artikel.yaml").relative_to(ROOT))
    result = _validate(warned, broken)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    kinds = ["waarschuwing" if ": waarschuwing: " in line else "fout" for line in lines]
    assert kinds == ["fout", "fout", "waarschuwing", "waarschuwing"], result.stdout
    assert lines[0].startswith(f"{broken}:10: [termijnen.beslistermijn.duut]")
    assert "2 probleem/problemen gevonden, 2 waarschuwing(en)" in result.stderr


def test_a_term_warning_says_who_must_act() -> None:
    messages = dict(_own(WARNINGS / "zonder_herinneringen.yaml"))
    assert "maar de initiatiefnemer moet erin iets doen" in messages[16]  # herinneren: initiatiefnemer
    assert "maar de gemeente moet erin iets doen" in messages[32]  # the bezwaartermijn made handelt: gemeente


def test_a_warning_this_file_causes_in_what_it_inherits_is_its_own_and_names_the_origin(tmp_path: Path) -> None:
    # the base has a step without artikel in a phase it switched off; switching it on here makes it count
    head = 'soort: gemeente\nid: basis\nnaam: x\nbron: {titel: x}\n'
    (tmp_path / "basis.yaml").write_text(
        head + 'versie: "1"\ngeldig_vanaf: 2026-01-01\nextends: vng-model-2024@2024.1\n'
        "fasen:\n  vooroverleg: {actief: false}\n"
        "transities:\n  gesprek_verslag:\n    label: Verslag\n    van: vooroverleg.gesprek\n"
        "    rollen: [behandelaar]\n",
        encoding="utf-8")
    (tmp_path / "weer_aan.yaml").write_text(
        head + 'versie: "2"\ngeldig_vanaf: 2026-02-01\nextends: basis@1\nfasen:\n'
        "  vooroverleg: {actief: true}\n", encoding="utf-8")
    loaded, problems = load_all([tmp_path], base_paths=[MODEL_DIR])
    assert problems == []
    found = [w for w in check_warnings(loaded) if w.key == "transities.gesprek_verslag.artikel"]
    assert [(Path(w.file).name, "(geërfd uit " in w.message) for w in found] == [("weer_aan.yaml", True)]
