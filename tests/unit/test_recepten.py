"""The recipes of docs/workflows.md (docs/examples/*.yaml): each validates on the model and does in ``proef`` what
its recipe says (the doc test runs the commands the recipes show; this checks what they only describe)."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.definitions import load_catalog
from r2c.engine.workflow import Workflow
from r2c.service.proef import Proef, begin, parse_stap
from tests.conftest import MODEL_DIR, ROOT

EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))


def walk(example: str, gemeente: str, *steps: str) -> list[dict]:
    catalog = load_catalog([MODEL_DIR, ROOT / "docs" / "examples" / example], base_paths=[])
    loaded, day = begin(catalog, gemeente, versie=None, op=date(2025, 9, 1), vandaag=date(2030, 1, 1))
    return Proef(Workflow(loaded), day).walk([parse_stap(s) for s in steps])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_recipe_loads_on_the_model(example) -> None:
    catalog = load_catalog([MODEL_DIR, example], base_paths=[])
    assert len(catalog.ids()) == 2  # the model and the recipe's gemeente


def test_a_budget_above_the_ceiling_is_refused_naming_the_bound_and_the_article() -> None:
    *_, refused = walk("budgetplafond.yaml", "plafondstad", "indienen:gevraagd_budget=62500.00",
                       "in_behandeling_nemen")
    assert "het bedrag is € 62.500; de verordening vraagt hoogstens € 50.000 (art. 4 lid 2)" in refused["geweigerd"]
    *_, taken = walk("budgetplafond.yaml", "plafondstad", "indienen:gevraagd_budget=50000.00", "in_behandeling_nemen")
    assert "geweigerd" not in taken and taken["staat"]["code"] == "toetsing.beoordelen"


def test_overeenkomst_only_has_no_subsidie() -> None:
    *_, granted = walk("overeenkomst.yaml", "overeenkomststad", "indienen", "in_behandeling_nemen", "beoordelen",
                       "voorleggen", "toekennen")
    assert "overeenkomst_sluiten" in granted["mag_nu"]["college"]
    assert not any("subsidie_verlenen" in events for events in granted["mag_nu"].values())
