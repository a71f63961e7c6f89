"""The ``r2c workflows`` commands as a user runs them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.conftest import ROOT, run_r2c


def test_validate_passes_on_every_shipped_file() -> None:
    result = run_r2c("workflows", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(": waarschuwing: [" in line for line in result.stdout.splitlines())  # no problems, only warnings


def test_validate_reports_a_missing_path_clearly() -> None:
    result = run_r2c("workflows", "validate", "bestaat/niet.yaml")
    assert result.returncode == 1 and "bestaat niet: bestaat/niet.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_shows_each_version_with_its_date() -> None:
    lines = run_r2c("workflows", "list").stdout.splitlines()
    gouda = [line.split("\t")[:3] for line in lines if line.startswith("gouda\t")]
    assert gouda == [["gouda", "2024.1", "geldig vanaf 2024-01-01"], ["gouda", "2026.1", "geldig vanaf 2026-07-01"]]


def test_show_marks_where_each_value_comes_from() -> None:
    out = run_r2c("workflows", "show", "geertruidenberg").stdout
    duur = [line for line in out.splitlines() if line.strip().startswith("duur:")]
    assert any('"10 weken"' in line and "[gemeente workflows/geertruidenberg.yaml:" in line for line in duur)
    assert any('"6 weken"' in line and "[model model_verordening/vng-model-2024.yaml:" in line for line in duur)
    assert "overeenkomst_sluiten" not in out  # removed by the gemeente with null


def test_show_json_gives_value_and_source() -> None:
    data = json.loads(run_r2c("workflows", "show", "amsterdam", "--json").stdout)
    duur = data["termijnen"]["beslistermijn"]["duur"]
    assert duur["waarde"] == "26 weken" and duur["bron"].startswith("gemeente workflows/amsterdam.yaml:")


def test_show_unknown_gemeente_is_a_clear_error() -> None:
    result = run_r2c("workflows", "show", "atlantis")
    assert result.returncode == 1
    assert "geen workflow 'atlantis'" in result.stderr and "Traceback" not in result.stderr


def test_diagram_mermaid_has_phases_and_transitions() -> None:
    out = run_r2c("workflows", "diagram", "gouda", "--format", "mermaid", "--versie", "2024.1").stdout
    assert out.startswith("stateDiagram-v2")
    assert 'state "Beoordeling" as toetsing {' in out
    assert "toetsing__beoordelen --> toetsing__kennismaking: kennismaking_plannen" in out
    assert "vooroverleg" not in out  # switched off in Gouda 2024.1


def test_diagram_svg_is_well_formed_and_names_every_state(catalog) -> None:
    out = run_r2c("workflows", "diagram", "middelburg", "--format", "svg").stdout
    root = ET.fromstring(out)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for staat in catalog.get("middelburg").graph.states.values():
        assert staat.label in texts


def test_schema_is_json_schema_and_gemeente_variant_requires_nothing() -> None:
    model = json.loads(run_r2c("workflows", "schema").stdout)
    assert "transities" in model["properties"] and "fasen" in model["required"]
    gemeente = json.loads(run_r2c("workflows", "schema", "--soort", "gemeente").stdout)

    def keys(node):
        if isinstance(node, dict):
            yield from node
            for v in node.values():
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)

    assert "required" in set(keys(model)) and "required" not in set(keys(gemeente))


def test_definitions_folder_can_be_chosen_with_an_environment_variable(tmp_path) -> None:
    result = run_r2c("workflows", "list", env={"R2C_DEFINITIES": str(ROOT / "model_verordening")}, cwd=tmp_path)
    assert result.returncode == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["vng-model-2024"]


def test_proef_walks_into_a_request_for_completion() -> None:
    result = run_r2c("workflows", "proef", "gouda", "--op", "2026-03-02", "indienen", "aanvulling_vragen@behandelaar")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ontvankelijkheid.aanvulling_gevraagd" in result.stdout
    assert "1. indienen door initiatiefnemer (standaardrol: de eerste rol van de stap) op 2026-03-02" in result.stdout
    assert "termijn hersteltermijn loopt, laatste dag 2026-03-16" in result.stdout
    assert "brief aanvullingsverzoek (Verzoek om aanvulling) aan initiatiefnemer" in result.stdout


def test_proef_refuses_a_step_with_the_engines_reason_and_exit_1() -> None:
    result = run_r2c("workflows", "proef", "gouda", "--op", "2026-03-02", "toekennen@initiatiefnemer")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "geweigerd: 'toekennen' kan niet in staat 'indiening.concept' door rol 'initiatiefnemer'" in result.stdout
    assert "initiatiefnemer mag nu: indienen, intrekken" in result.stdout


def test_proef_json_is_one_document_of_steps() -> None:
    result = run_r2c("workflows", "proef", "gouda", "--op", "2026-03-02", "--json", "indienen", "aanvulling_vragen",
                     "+15d")
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)
    assert [s["stap"] for s in steps] == ["indienen", "aanvulling_vragen", "+15d"]
    assert steps[-1]["staat"]["code"] == "ontvankelijkheid.niet_aangevuld"
    assert {"dag": "2026-03-17", "soort": "event", "event": "hersteltermijn_verstreken", "rol": "systeem",
            "staat": "ontvankelijkheid.niet_aangevuld"} in steps[-1]["gebeurd"]
    refused = run_r2c("workflows", "proef", "gouda", "--op", "2026-03-02", "--json", "indienen", "toekennen")
    assert refused.returncode == 1 and "geweigerd" in json.loads(refused.stdout)[-1]


def test_proef_bad_input_is_one_line_and_exit_1() -> None:
    cases = [
        (["goud", "indienen"], "fout: onbekende gemeente 'goud'; bekend: amsterdam, geertruidenberg, gouda"),
        (["gouda", "--op", "2026-02-30", "indienen"], "fout: --op '2026-02-30' is geen datum (JJJJ-MM-DD)"),
        (["gouda", "indienen", "in dienen"], "fout: stap 'in dienen' begrijp ik niet; een stap is event[@rol]"),
        (["gouda", "indien"], "fout: stap 'indien': onbekend event 'indien'; bestaande events: aanvullen,"),
        (["gouda", "indienen@burger"], "fout: stap 'indienen@burger': onbekende rol 'burger'; rollen: initiatiefnemer"),
        (["gouda", "indienen:kleur=rood"], "gegevens van deze stap: vereisten, omschrijving"),
        (["gouda"], "fout: geef minstens één stap; een stap is event[@rol]"),
    ]
    for args, message in cases:
        result = run_r2c("workflows", "proef", *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
