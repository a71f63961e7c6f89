"""`r2c workflows proef` on a definition with a mandatory vooroverleg and kinds of party
(tests/fixtures/vooroverleg): the walk starts with the aanmelding, reaches afgesloten.uitgevoerd, and a submitting
step refuses or flags the kind of party as the service does."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.engine.workflow import Workflow
from r2c.service.proef import Proef, begin, parse_stap
from tests.conftest import FIXTURES, MODEL_DIR, ROOT, run_r2c
from tests.unit.test_proef import FULL

START = date(2026, 3, 2)


@pytest.fixture(scope="module")
def catalog():
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR, FIXTURES / "vooroverleg"], base_paths=[])


def walk(catalog, *steps: str, gemeente: str = "overlegstad") -> list[dict]:
    loaded, day = begin(catalog, gemeente, versie=None, op=START, vandaag=date(2030, 1, 1))
    return Proef(Workflow(loaded), day).walk([parse_stap(s) for s in steps])


def test_the_walk_starts_with_the_vooroverleg_and_reaches_uitgevoerd(catalog) -> None:
    results = walk(catalog, "vooroverleg_aanvragen", "vooroverleg_gehouden@behandelaar", *FULL)
    assert not [r for r in results if "geweigerd" in r], [r.get("geweigerd") for r in results]
    first, held, submitted = results[:3]
    assert first["staat"]["code"] == "vooroverleg.gesprek" and first["partij"] == "ingezetene"
    assert [b["brief"] for b in first["brieven"]] == ["aanmelding_vooroverleg"]
    assert not first["termijnen"]  # the beslistermijn waits for the request proper
    assert "indienen" in held["mag_nu"]["initiatiefnemer"]
    assert [t["naam"] for t in submitted["termijnen"]] == ["beslistermijn"]
    assert results[-1]["staat"]["code"] == "afgesloten.uitgevoerd"


def test_indienen_first_is_refused_with_what_may_happen_now(catalog) -> None:
    (result,) = walk(catalog, "indienen")
    assert "kan niet in staat 'indiening.concept'" in result["geweigerd"]
    assert "vooroverleg_aanvragen" in result["mag_nu"]["initiatiefnemer"]


def test_an_excluded_kind_is_refused_or_flagged_as_the_definition_says(catalog) -> None:
    (refused,) = walk(catalog, "vooroverleg_aanvragen:partij=onderneming")
    assert refused["geweigerd"].startswith("partij: Een bedrijf kan de gemeente niet uitdagen.")
    (flagged, nxt) = walk(catalog, "indienen:partij=onderneming", "in_behandeling_nemen", gemeente="toelatingdorp")
    assert "geweigerd" not in flagged and flagged["let_op"].startswith("gemarkeerd voor de behandelaar: Een bedrijf")
    assert "geweigerd" not in nxt


def test_the_command_prints_the_party_and_exits_1_on_a_refused_kind() -> None:
    env = {"R2C_DEFINITIES": f"{MODEL_DIR}:{FIXTURES / 'vooroverleg'}"}
    ok = run_r2c("workflows", "proef", "overlegstad", "--op", "2026-03-02", "vooroverleg_aanvragen:partij=stichting",
                 env=env, cwd=ROOT)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "partij: stichting" in ok.stdout and "vooroverleg.gesprek" in ok.stdout
    bad = run_r2c("workflows", "proef", "overlegstad", "vooroverleg_aanvragen:partij=gemeenteraad", env=env, cwd=ROOT)
    assert bad.returncode == 1 and "Traceback" not in bad.stdout + bad.stderr
    assert "onbekende soort partij 'gemeenteraad'" in bad.stdout
