"""The engine's rules: voorwaarden, event data, terms and letters per step, shared machines, versions."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.engine import Actor, Engine, LetterRequested, Migrated, StateChanged, TermChanged
from r2c.engine.case import Case
from r2c.errors import EventNotAllowed, GuardFailed, InvalidEventData, MigrationError, UnknownEvent

BEH = Actor("a.jansen", "behandelaar")
INI = Actor("buurtvereniging", "initiatiefnemer")
COL = Actor("college", "college")


@pytest.fixture
def wf(catalog):
    from r2c.engine import Workflow

    return Workflow(catalog.get("vng-model-2024"))


def at(wf, state: str, **facts) -> Case:
    return Case(wf.definition.id, wf.definition.versie, state, facts)


def test_submitting_starts_the_beslistermijn_and_asks_for_an_ontvangstbevestiging(wf, clock) -> None:
    outcome = wf.fire(wf.start(), "indienen", actor=INI, clock=clock, data={"vereisten": ["taak"]})
    changed = outcome.of(StateChanged)[0]
    assert (changed.source, changed.dest, changed.actor, changed.at) == (
        "indiening.concept", "indiening.ontvangen", INI, clock.now())
    assert [(e.action, e.termijn) for e in outcome.of(TermChanged)] == [("start", "beslistermijn")]
    assert [e.template for e in outcome.of(LetterRequested)] == ["ontvangstbevestiging"]
    assert outcome.case.facts["vereisten"] == ["taak"]


def test_incomplete_request_cannot_be_taken_into_behandeling_and_says_what_is_missing(wf, clock) -> None:
    case = at(wf, "indiening.ontvangen", vereisten=["taak", "plan"])
    with pytest.raises(GuardFailed) as caught:
        wf.fire(case, "in_behandeling_nemen", actor=BEH, clock=clock)
    assert "Begroting en gevraagd budget" in caught.value.reasons[0]
    assert "aanvulling_vragen" in caught.value.allowed


def test_aanvulling_suspends_the_beslistermijn_and_completing_resumes_it(wf, clock) -> None:
    case = at(wf, "indiening.ontvangen", vereisten=["taak"])
    asked = wf.fire(case, "aanvulling_vragen", actor=BEH, clock=clock)
    assert ("opschorten", "beslistermijn") in [(e.action, e.termijn) for e in asked.of(TermChanged)]
    assert ("start", "hersteltermijn") in [(e.action, e.termijn) for e in asked.of(TermChanged)]
    rest = [v for v in wf.definition.vereisten if v != "taak"]
    done = wf.fire(asked.case, "aanvullen", actor=INI, clock=clock, data={"vereisten": rest})
    assert ("hervatten", "beslistermijn") in [(e.action, e.termijn) for e in done.of(TermChanged)]
    assert set(done.case.facts["vereisten"]) == set(wf.definition.vereisten)  # added to, not replaced
    assert wf.fire(done.case, "in_behandeling_nemen", actor=BEH, clock=clock).case.state == "toetsing.beoordelen"


def test_complete_request_needs_no_aanvulling(wf, clock) -> None:
    case = at(wf, "indiening.ontvangen", vereisten=list(wf.definition.vereisten))
    with pytest.raises(GuardFailed, match="vraag geen aanvulling"):
        wf.fire(case, "aanvulling_vragen", actor=BEH, clock=clock)


def test_a_refusal_on_facts_from_elsewhere_needs_a_zienswijze_first(wf, clock) -> None:
    beoordeeld = {k: {"oordeel": "voldoet_niet", "motivering": "Uit het advies van de wijkagent."}
                  for k in wf.definition.criteria}
    case = at(wf, "toetsing.beoordelen", beoordelingen=beoordeeld)
    voorgelegd = wf.fire(case, "voorleggen", actor=BEH, clock=clock, data={"weigering_op_andere_feiten": True})
    with pytest.raises(GuardFailed, match="Awb 4:7"):
        wf.fire(voorgelegd.case, "afwijzen", actor=COL, clock=clock, reason="Onvoldoende draagvlak.")
    back = wf.fire(voorgelegd.case, "terug_naar_toetsing", actor=COL, clock=clock, reason="Eerst zienswijze.")
    asked = wf.fire(back.case, "zienswijze_vragen", actor=BEH, clock=clock)
    assert asked.case.facts["zienswijze_gevraagd"] is True
    assert [e.template for e in asked.of(LetterRequested)] == ["zienswijzeverzoek"]
    answered = wf.fire(asked.case, "zienswijze_ontvangen", actor=INI, clock=clock, data={"zienswijze": "Wij zien dat anders."})
    again = wf.fire(answered.case, "voorleggen", actor=BEH, clock=clock)
    refused = wf.fire(again.case, "afwijzen", actor=COL, clock=clock, reason="Onvoldoende draagvlak.")
    assert refused.case.state == "bezwaar.termijn"


def test_verdaging_can_happen_once_and_keeps_the_state(wf, clock) -> None:
    case = at(wf, "toetsing.beoordelen")
    with pytest.raises(GuardFailed, match="motivering"):
        wf.fire(case, "verdagen", actor=BEH, clock=clock)
    once = wf.fire(case, "verdagen", actor=BEH, clock=clock, reason="Advies van de wijkraad nodig.")
    assert once.case.state == "toetsing.beoordelen"
    assert [(e.action, e.termijn) for e in once.of(TermChanged)] == [("verlengen", "beslistermijn")]
    with pytest.raises(GuardFailed, match="al eens verdaagd"):
        wf.fire(once.case, "verdagen", actor=BEH, clock=clock, reason="Nog meer tijd.")


def test_toekennen_met_wijziging_needs_the_wijziging(wf, clock) -> None:
    beoordeeld = {k: {"oordeel": "voldoet", "motivering": "ja"} for k in wf.definition.criteria}
    case = at(wf, "besluit.voorgelegd", beoordelingen=beoordeeld)
    with pytest.raises(InvalidEventData) as caught:
        wf.fire(case, "toekennen_met_wijziging", actor=COL, clock=clock)
    assert caught.value.fields == {"wijziging": "verplicht, maar niet meegegeven"}
    ok = wf.fire(case, "toekennen_met_wijziging", actor=COL, clock=clock, data={"wijziging": "Alleen de oostkant."})
    assert ok.case.state == "overname.voorbereiden" and ok.case.facts["wijziging"] == "Alleen de oostkant."


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"beoordelingen": {"onbekend": {"oordeel": "voldoet", "motivering": "x"}}}, "beoordelingen", "onbekend criterium"),
    ({"beoordelingen": {"draagvlak": {"oordeel": "prima", "motivering": "x"}}}, "beoordelingen", "oordeel moet"),
    ({"beoordelingen": "alles goed"}, "beoordelingen", "per criterium"),
    ({"beoordelingen": {}, "kleur": "blauw"}, "kleur", "onbekend gegeven"),
    ({}, "beoordelingen", "verplicht"),
])
def test_wrong_event_data_is_refused_per_field_and_nothing_changes(wf, clock, data, field, text) -> None:
    case = at(wf, "toetsing.beoordelen")
    with pytest.raises(InvalidEventData) as caught:
        wf.fire(case, "beoordelen", actor=BEH, clock=clock, data=data)
    assert text in caught.value.fields[field]
    assert case.state == "toetsing.beoordelen" and dict(case.facts) == {}


def test_oversized_text_is_refused(wf, clock) -> None:
    case = at(wf, "uitvoering.lopend")
    with pytest.raises(InvalidEventData, match="te lang"):
        wf.fire(case, "voortgang_melden", actor=INI, clock=clock, data={"voortgang": "x" * 20_001})


def test_unknown_event_names_the_events_that_exist(wf, clock) -> None:
    with pytest.raises(UnknownEvent, match="bestaande events: .*indienen"):
        wf.fire(wf.start(), "goedkeuren", actor=BEH, clock=clock)


def test_event_from_the_wrong_state_names_the_state_and_what_is_allowed(wf, clock) -> None:
    with pytest.raises(EventNotAllowed) as caught:
        wf.fire(wf.start(), "toekennen", actor=COL, clock=clock)
    assert caught.value.state == "indiening.concept"
    assert caught.value.allowed == []
    with pytest.raises(EventNotAllowed) as caught:
        wf.fire(wf.start(), "toekennen", actor=INI, clock=clock)
    assert caught.value.allowed == ["vooroverleg_aanvragen", "indienen", "intrekken"]


def test_blocked_by_explains_without_firing(wf) -> None:
    case = at(wf, "toetsing.beoordelen")
    assert wf.blocked_by(case, "voorleggen", "behandelaar")[0].startswith("nog niet beoordeeld")
    assert wf.blocked_by(case, "voorleggen", "initiatiefnemer") == ["'voorleggen' is nu niet mogelijk voor rol 'initiatiefnemer'"]
    assert wf.blocked_by(case, "advies_vragen", "behandelaar") == []


def test_systeem_fires_date_driven_steps_and_people_cannot(wf, clock) -> None:
    case = at(wf, "ontvankelijkheid.aanvulling_gevraagd")
    assert "hersteltermijn_verstreken" not in wf.allowed_events(case, "behandelaar")
    lapsed = wf.fire(case, "hersteltermijn_verstreken", actor=Actor("r2c", "systeem"), clock=clock)
    assert lapsed.case.state == "ontvankelijkheid.niet_aangevuld"
    assert ("start", "buiten_behandeling") in [(e.action, e.termijn) for e in lapsed.of(TermChanged)]


def test_one_machine_per_version_serves_every_case(catalog, clock) -> None:
    engine = Engine(catalog, clock)
    a, b = engine.new_case("gouda", on=date(2025, 5, 1)), engine.new_case("gouda", on=date(2025, 6, 1))
    engine.fire(a, "indienen", actor=INI)
    assert engine.workflow("gouda", a.versie) is engine.workflow("gouda", b.versie)
    assert engine.workflow("gouda", a.versie).machine.models == []  # no case is kept in the machine
    assert b.state == "indiening.concept"  # firing on a did not move b


def test_a_case_stays_on_the_version_it_started_under(catalog, clock) -> None:
    engine = Engine(catalog, clock)
    old = engine.new_case("gouda", on=date(2026, 6, 30))
    new = engine.new_case("gouda", on=date(2026, 7, 1))
    assert (old.versie, new.versie) == ("2024.1", "2026.1")
    assert "vooroverleg_aanvragen" not in engine.allowed_events(old, "initiatiefnemer")
    assert "vooroverleg_aanvragen" in engine.allowed_events(new, "initiatiefnemer")
    moved = engine.fire(old, "indienen", actor=INI)
    assert moved.case.versie == "2024.1"
    with pytest.raises(MigrationError, match="blijft op haar versie"):
        engine.workflow("gouda", "2026.1").fire(moved.case, "intrekken", actor=INI, clock=clock)


def test_migration_is_explicit_and_recorded(catalog, clock) -> None:
    engine = Engine(catalog, clock)
    case = engine.fire(engine.new_case("gouda", on=date(2026, 1, 5)), "indienen", actor=INI).case
    with pytest.raises(MigrationError, match="reden"):
        engine.migrate(case, "2026.1", actor=BEH, reason="")
    outcome = engine.migrate(case, "2026.1", actor=BEH, reason="Nieuwe verordening per 1 juli 2026.")
    assert outcome.case.versie == "2026.1" and outcome.case.state == "indiening.ontvangen"
    (event,) = outcome.of(Migrated)
    assert (event.from_versie, event.to_versie, event.actor) == ("2024.1", "2026.1", BEH)
    with pytest.raises(MigrationError, match="geen migratie vanaf versie 2026.1"):
        engine.migrate(outcome.case, "2024.1", actor=BEH, reason="terug")


def test_no_version_in_force_before_the_first_one(catalog, clock) -> None:
    from r2c.definitions import UnknownWorkflow

    with pytest.raises(UnknownWorkflow, match="nog geen geldende versie"):
        Engine(catalog, clock).new_case("amsterdam", on=date(2024, 9, 14))


def test_unknown_vereisten_are_refused_by_name(wf, clock) -> None:
    with pytest.raises(InvalidEventData) as caught:
        wf.fire(wf.start(), "indienen", actor=INI, clock=clock, data={"vereisten": ["taak", "handtekening"]})
    assert "onbekende onderdelen: handtekening" in caught.value.fields["vereisten"]
