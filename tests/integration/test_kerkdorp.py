"""Issue 13's acceptance on a gemeente of our own making (docs/examples/kerkdorp.yaml): a mandatory vooroverleg,
a beslistermijn of twelve weeks from the complete request, "eenmaal met ten hoogste zes weken verdagen", a
verklaring of at least 25 ingezetenen, overeenkomst only and who may challenge. It validates; proef walks it to
afgesloten.uitgevoerd, through a refusal and through a withdrawal; the API submission works on it."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.definitions import load_catalog
from r2c.engine.workflow import Workflow
from r2c.service.proef import Proef, begin, parse_stap
from tests.conftest import MODEL_DIR, ROOT, WORKFLOW_DIR
from tests.integration.apiclient import Api, make_api

KERKDORP = ROOT / "docs" / "examples" / "kerkdorp.yaml"
AANMELDING = ["vooroverleg_aanvragen:partij=vereniging", "vooroverleg_gehouden"]
AANVRAAG = AANMELDING + ["indienen:aantal_handtekeningen=31", "in_behandeling_nemen"]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog([MODEL_DIR, WORKFLOW_DIR, KERKDORP], base_paths=[])


def walk(catalog, *steps: str) -> list[dict]:
    loaded, day = begin(catalog, "kerkdorp", versie=None, op=date(2026, 3, 2), vandaag=date(2030, 1, 1))
    return Proef(Workflow(loaded), day).walk([parse_stap(s) for s in steps])


def test_it_validates_without_problems(catalog) -> None:
    assert "kerkdorp" in catalog.ids()  # load_catalog raises on any problem, with file:line


def test_proef_walks_it_to_uitgevoerd_with_a_verdaging_of_the_chosen_length(catalog) -> None:
    steps = walk(catalog, *AANVRAAG, "verdagen:verlenging=4", "beoordelen", "voorleggen", "toekennen",
                 "overeenkomst_sluiten", "verantwoorden", "verantwoording_beoordeeld", "teruggeven@college")
    assert not [s for s in steps if s.get("geweigerd")], [s.get("geweigerd") for s in steps]
    assert steps[0]["staat"]["code"] == "vooroverleg.gesprek"  # the submission starts the vooroverleg
    beslis = {s["stap"]: t["einddatum"] for s in steps for t in s["termijnen"] if t["naam"] == "beslistermijn"}
    # twelve weeks from the request proper end on Monday 25 May, Tweede Pinksterdag: the Atw moves it to Tuesday
    assert beslis["indienen:aantal_handtekeningen=31"] == "2026-05-26"
    # four weeks more (not the maximum of six) count from the term's own end, 25 May, not from the moved day
    assert beslis["verdagen:verlenging=4"] == "2026-06-22"
    assert steps[-1]["staat"]["code"] == "afgesloten.uitgevoerd"
    assert not any("subsidie_verlenen" in e for s in steps for e in s["mag_nu"].values())  # overeenkomst only


def test_a_verdaging_above_the_maximum_and_too_few_signatures_are_refused(catalog) -> None:
    *_, too_long = walk(catalog, *AANVRAAG, "verdagen:verlenging=7")
    assert "6" in too_long["geweigerd"]
    *_, few = walk(catalog, *AANMELDING, "indienen:aantal_handtekeningen=12", "in_behandeling_nemen")
    assert "er zijn 12 handtekeningen; de verordening vraagt er ten minste 25 (art. 3 lid 2)" in few["geweigerd"]


def test_proef_walks_a_refusal_and_a_withdrawal(catalog) -> None:
    *_, refused = walk(catalog, *AANVRAAG, "beoordelen", "voorleggen", "afwijzen", "+50d")  # bezwaartermijn lapses
    assert refused["staat"]["code"] == "afgesloten.afgewezen"
    *_, withdrawn = walk(catalog, *AANMELDING, "intrekken")
    assert withdrawn["staat"]["code"] == "afgesloten.ingetrokken"


@pytest.fixture
def api(service, database, tmp_path) -> Api:
    return make_api(service, database, tmp_path)


def test_the_api_submission_starts_the_vooroverleg_and_refuses_a_company(api) -> None:
    body = {"gemeente": "kerkdorp", "titel": "Groen rond de kerk", "partij": "ingezetene",
            "initiatiefnemer": {"naam": "Fatima de Vries", "email": "fatima@example.nl"},
            "data": {"omschrijving": "Wij willen het groen rond de kerk zelf onderhouden."}}
    made = api.client.post("/api/v1/challenges", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["challenge"]["state"] == "vooroverleg.gesprek"
    refused = api.client.post("/api/v1/challenges", json={**body, "partij": "onderneming"})
    assert refused.status_code == 422 and "Een bedrijf kan de gemeente niet uitdagen" in refused.text
