"""Vereisten with a bound (``ten minste 25``) and a besluit that follows the beoordeling (issue 13, items 5, 6)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from r2c.definitions import load_catalog
from r2c.definitions.schema import Vereiste
from r2c.definitions.voorwaarden import VOORWAARDEN, grens_melding
from r2c.engine.workflow import Workflow
from r2c.service.proef import Proef, parse_stap
from tests.conftest import MODEL_DIR, ROOT

EXAMPLE = ROOT / "docs" / "examples" / "handtekeningen.yaml"
HANDTEKENINGEN = Vereiste(label="Verklaring van ten minste 25 ingezetenen", artikel="art. 3 lid 2",
                          gegeven="aantal_handtekeningen", minimum=25, eenheid="handtekeningen")
PLAFOND = Vereiste(label="Begroting", gegeven="begroting", maximum=50000)


def check(naam: str, definition, facts, reason=None):
    return VOORWAARDEN[naam].check(definition, facts, reason)


@pytest.fixture(scope="module")
def example():
    return load_catalog([MODEL_DIR, EXAMPLE], base_paths=[]).get("handtekeningstad", "2025.1")


@pytest.fixture(scope="module")
def model(catalog):
    return catalog.get("vng-model-2024", "2024.1").definition


def test_the_refusal_names_the_count_the_bound_and_the_article() -> None:
    assert grens_melding(HANDTEKENINGEN, 12) == ("er zijn 12 handtekeningen; de verordening vraagt er ten minste 25 "
                                                  "(art. 3 lid 2)")
    assert grens_melding(PLAFOND, "60000.00") == "Begroting is 60000; de verordening vraagt hoogstens 50000"
    in_euro = Vereiste(label="Begroting", gegeven="begroting", minimum=1000.5, maximum=50000, eenheid="euro")
    assert grens_melding(in_euro, "62500.00") == "het bedrag is € 62.500; de verordening vraagt hoogstens € 50.000"
    assert grens_melding(in_euro, 999.99) == "het bedrag is € 999,99; de verordening vraagt ten minste € 1.000,50"
    assert grens_melding(HANDTEKENINGEN, None) == ("Verklaring van ten minste 25 ingezetenen: geef het aantal op "
                                                    "(gegeven 'aantal_handtekeningen') (art. 3 lid 2)")


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=0, max_value=500))
def test_a_count_meets_a_minimum_exactly_when_it_is_at_or_over_it(count: int, minimum: int) -> None:
    vereiste = HANDTEKENINGEN.model_copy(update={"minimum": minimum})
    problem = grens_melding(vereiste, count)
    assert (problem is None) == (count >= minimum)
    if problem:
        assert f"er zijn {count} handtekeningen" in problem and f"ten minste {minimum} " in problem


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.integers(min_value=0, max_value=10**6))
def test_an_amount_meets_a_maximum_exactly_when_it_is_at_or_under_it(amount, maximum: int) -> None:
    vereiste = PLAFOND.model_copy(update={"maximum": maximum})
    problem = grens_melding(vereiste, str(amount))
    assert (problem is None) == (amount <= maximum)
    if problem:
        assert problem.endswith(f"hoogstens {maximum}")


def test_the_voorwaarde_checks_each_bounded_vereiste_and_skips_an_optional_one_left_empty(example) -> None:
    d = example.definition
    assert check("vereisten_binnen_grenzen", d, {"aantal_handtekeningen": 25}) is None
    assert "ten minste 25" in check("vereisten_binnen_grenzen", d, {"aantal_handtekeningen": 24})
    assert "geef het aantal op" in check("vereisten_binnen_grenzen", d, {})
    optional = d.model_copy(update={"vereisten": {"v": HANDTEKENINGEN.model_copy(update={"verplicht": False})}})
    assert check("vereisten_binnen_grenzen", optional, {}) is None


def test_the_model_has_no_bound_so_the_voorwaarde_is_met_there(model) -> None:
    assert check("vereisten_binnen_grenzen", model, {}) is None


def test_proef_meets_the_bound_by_default_and_refuses_twelve_with_the_verordenings_words(example) -> None:
    def walk(*steps):
        return Proef(Workflow(example), date(2025, 9, 1)).walk([parse_stap(s) for s in steps])

    passed = walk("indienen", "in_behandeling_nemen")
    assert passed[0]["gegevens"]["aantal_handtekeningen"] == 25 and "geweigerd" not in passed[1]
    refused = walk("indienen:aantal_handtekeningen=12", "in_behandeling_nemen")
    assert refused[1]["geweigerd"].endswith("er zijn 12 handtekeningen; de verordening vraagt er ten minste 25 "
                                            "(art. 3 lid 2)")


OORDEEL = st.sampled_from(["voldoet", "voldoet_niet", "niet_van_toepassing"])


@given(data=st.data())
def test_granting_is_refused_exactly_when_a_criterion_fails_without_a_motivated_departure(model, data) -> None:
    oordelen = {k: data.draw(OORDEEL, label=k) for k in model.criteria}
    afwijking = data.draw(st.sampled_from([None, "", "  ", "Het college weegt het draagvlak anders."]))
    facts = {"beoordelingen": {k: {"oordeel": o, "motivering": "m"} for k, o in oordelen.items()},
             "afwijking_motivering": afwijking}
    problem = check("criteria_voldoen", model, facts)
    failing = [model.criteria[k].label for k, o in oordelen.items() if o == "voldoet_niet"]
    assert (problem is None) == (not failing or bool((afwijking or "").strip()))
    if problem:
        named = problem.removeprefix("niet voldaan volgens de beoordeling: ").split("; ")[0]
        assert named == ", ".join(failing)


@given(data=st.data())
def test_refusing_needs_one_criterion_that_fails_with_a_motivering(model, data) -> None:
    items = {k: (data.draw(OORDEEL, label=k), data.draw(st.sampled_from(["", "Te duur."]), label=f"{k}-m"))
             for k in model.criteria}
    facts = {"beoordelingen": {k: {"oordeel": o, "motivering": m} for k, (o, m) in items.items()}}
    problem = check("criterium_voldoet_niet", model, facts)
    assert (problem is None) == any(o == "voldoet_niet" and m for o, m in items.values())
    if problem:
        assert all(c.label in problem for c in model.criteria.values())


def test_the_model_puts_the_new_voorwaarden_on_its_besluiten(model) -> None:
    t = model.transities
    assert "criteria_voldoen" in t["toekennen"].voorwaarden and "afwijking_motivering" in t["toekennen"].gegevens
    assert "criteria_voldoen" in t["toekennen_met_wijziging"].voorwaarden
    assert "criterium_voldoet_niet" in t["afwijzen"].voorwaarden
    assert "vereisten_binnen_grenzen" in t["in_behandeling_nemen"].voorwaarden


def test_a_departure_does_not_outlive_the_besluit_it_motivated(catalog, clock) -> None:
    """Bezwaar gegrond against a toekenning met wijziging: the new besluit needs its own motivated departure."""
    from r2c.engine import Engine
    from r2c.errors import GuardFailed
    from tests.unit.test_engine_lifecycle import Driver

    d = Driver(Engine(catalog, clock), "vng-model-2024", "2024.1")
    first = next(iter(d.beoordelingen))
    d.beoordelingen[first] = {"oordeel": "voldoet_niet", "motivering": "Te weinig steun."}
    d.to_besluit()
    d.fire("toekennen_met_wijziging", {"wijziging": "Alleen in de zomer.", "afwijking_motivering": "Toch zinvol."})
    d.fire("bezwaar_maken")
    d.fire("bezwaar_gegrond", reason="De wijziging was niet nodig.")
    assert d.case.state == "besluit.voorgelegd"
    with pytest.raises(GuardFailed, match="afwijking_motivering"):
        d.fire("toekennen")
    d.fire("toekennen", {"afwijking_motivering": "Het college blijft erbij: de buurt heeft er baat bij."})
    assert d.case.state == "overname.voorbereiden"
