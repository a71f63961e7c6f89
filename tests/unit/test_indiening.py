"""Submission as a contract of the definition (r2c.definitions.indiening): which event submits, and what a
submission's kind of party records or why it is refused. The loader messages are in tests/fixtures/broken."""

from __future__ import annotations

import pytest

from r2c.definitions import load_all
from r2c.definitions.indiening import FLAG_FACT, PARTY_FACT, mandatory_phase, party_facts, submitting_events
from tests.conftest import FIXTURES, MODEL_DIR, WORKFLOW_DIR


@pytest.fixture(scope="module")
def definitions():
    loaded, problems = load_all([MODEL_DIR, WORKFLOW_DIR, FIXTURES / "vooroverleg"])
    assert problems == []
    return {item.definition.id: item.definition for item in loaded}


def test_every_shipped_workflow_keeps_submitting_with_indienen(definitions) -> None:
    shipped = {d for d in definitions if d not in ("overlegstad", "toelatingdorp")}
    assert {d: submitting_events(definitions[d]) for d in shipped} == {d: ["indienen"] for d in shipped}
    assert all(mandatory_phase(definitions[d]) is None for d in shipped)  # the model keeps it optional


def test_a_mandatory_vooroverleg_makes_the_aanmelding_the_submission(definitions) -> None:
    d = definitions["overlegstad"]
    assert mandatory_phase(d) == "vooroverleg"
    assert submitting_events(d) == ["vooroverleg_aanvragen"]


def test_named_submitting_events_come_first_as_written(definitions) -> None:
    d = definitions["gouda"].model_copy(update={"indiening": ["vooroverleg_aanvragen", "indienen"]})
    assert submitting_events(d) == ["vooroverleg_aanvragen", "indienen"]


def test_a_kind_of_party_is_recorded_refused_or_flagged(definitions) -> None:
    stad, dorp = definitions["overlegstad"], definitions["toelatingdorp"]
    assert party_facts(stad, " stichting ") == ({PARTY_FACT: "stichting"}, {})
    facts, problems = party_facts(stad, "onderneming")
    assert facts == {} and problems["partij"].startswith("Een bedrijf kan de gemeente niet uitdagen.")
    facts, problems = party_facts(dorp, "onderneming")
    assert problems == {} and facts[PARTY_FACT] == "onderneming"
    assert facts[FLAG_FACT].endswith("(art. 2 lid 1, testbestand)")
    assert "mogelijk: 'ingezetene' (Ik woon in de gemeente)" in party_facts(stad, "raad")[1]["partij"]
    assert party_facts(definitions["gouda"], None) == ({}, {})
