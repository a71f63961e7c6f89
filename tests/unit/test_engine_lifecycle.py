"""Every shipped workflow driven through its main paths: to uitgevoerd, through a refusal, a withdrawal, and bezwaar
against each besluit that can be contested (afwijzing, buiten behandeling, toekenning met wijziging)."""

from __future__ import annotations

import pytest

from r2c.definitions import load_catalog
from r2c.engine import Actor, CaseClosed, Engine, LetterRequested, TermChanged
from r2c.errors import EventNotAllowed, GuardFailed
from tests.conftest import MODEL_DIR, WORKFLOW_DIR

SHIPPED = sorted({p.stem.split("-20")[0] for p in WORKFLOW_DIR.glob("*.yaml")} | {"vng-model-2024"})
VERSIONS = [(i.definition.id, i.definition.versie) for i in load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[])]
each_workflow = pytest.mark.parametrize("key", VERSIONS, ids=[f"{i}@{v}" for i, v in VERSIONS])


@pytest.fixture
def engine(catalog, clock):
    return Engine(catalog, clock)


class Driver:
    """Fires events as a role the definition allows, with the data its voorwaarden need."""

    def __init__(self, engine: Engine, ident: str, versie: str):
        self.engine = engine
        self.workflow = engine.workflow(ident, versie)
        self.case = self.workflow.start()
        self.events = []
        d = self.workflow.definition
        self.all_vereisten = list(d.vereisten)
        self.beoordelingen = {k: {"oordeel": "voldoet", "motivering": "Uit het plan blijkt dit."} for k in d.criteria}

    def role_for(self, event: str) -> str:
        for rol in self.workflow.definition.rollen:
            if rol != "systeem" and event in self.workflow.allowed_events(self.case, rol):
                return rol
        if event in self.workflow.allowed_events(self.case, "systeem"):
            return "systeem"
        raise AssertionError(f"nobody may fire {event} in {self.case.state}")

    def fire(self, event: str, data=None, reason=None):
        actor = Actor(f"test-{event}", self.role_for(event))
        outcome = self.workflow.fire(self.case, event, actor=actor, clock=self.engine.clock, data=data, reason=reason)
        self.case = outcome.case
        self.events += outcome.events
        return outcome

    def submit(self, vereisten=None):
        return self.fire("indienen", {"vereisten": self.all_vereisten if vereisten is None else vereisten})

    def to_besluit(self, *, voldoet_niet: bool = False):
        """Up to the besluit; ``voldoet_niet``: the first criterion fails, as an afwijzing needs (Awb 3:46)."""
        beoordelingen = dict(self.beoordelingen)
        if voldoet_niet:
            first = next(iter(beoordelingen))
            beoordelingen[first] = {"oordeel": "voldoet_niet", "motivering": "Het plan is duurder dan nu."}
        self.submit()
        self.fire("in_behandeling_nemen")
        self.fire("beoordelen", {"beoordelingen": beoordelingen})
        self.fire("voorleggen")


def test_every_shipped_workflow_is_covered(catalog) -> None:
    ids = {i.definition.id for i in catalog}
    assert set(SHIPPED) <= ids and len(ids - {"vng-model-2024"}) >= 4


@each_workflow
def test_full_path_to_uitgevoerd(engine, key) -> None:
    d = Driver(engine, *key)
    d.to_besluit()
    d.fire("toekennen")
    assert d.case.fase == "overname"
    event = next(e for e in ("overeenkomst_sluiten", "subsidie_verlenen")
                 if any(e in d.workflow.allowed_events(d.case, r) for r in d.workflow.definition.rollen))
    d.fire(event, {"budget": "12500.00", "startdatum": "2026-06-01"})
    d.fire("voortgang_melden", {"voortgang": "Het loopt."})
    assert d.case.state == "uitvoering.lopend"
    d.fire("verantwoorden", {"verantwoording": "Verslag en cijfers."})
    d.fire("verantwoording_beoordeeld")
    closed = d.fire("teruggeven")
    assert d.case.state == "afgesloten.uitgevoerd", d.workflow.key
    assert d.case.resultaat == "uitgevoerd"
    assert closed.of(CaseClosed)[0].resultaat == "uitgevoerd"
    assert d.workflow.allowed_events(d.case, "college") == []
    started = [e.termijn for e in d.events if isinstance(e, TermChanged) and e.action == "start"]
    assert started[0] == "beslistermijn" and "uitvoeringsperiode" in started


@each_workflow
def test_refusal_path_ends_afgewezen_with_a_letter(engine, key) -> None:
    d = Driver(engine, *key)
    d.to_besluit(voldoet_niet=True)
    with pytest.raises(GuardFailed, match="motivering"):
        d.fire("afwijzen")
    outcome = d.fire("afwijzen", reason="Het plan is duurder dan de huidige uitvoering.")
    letters = [e.template for e in outcome.of(LetterRequested)]
    assert letters == ["besluit_afwijzing"]
    if d.case.fase == "bezwaar":  # the besluit is a beschikking: bezwaar first
        assert any(e.action == "start" and e.termijn == "bezwaartermijn" for e in outcome.of(TermChanged))
        d.fire("bezwaartermijn_verstreken")
    assert d.case.state == "afgesloten.afgewezen", d.workflow.key
    assert d.case.resultaat == "afgewezen"


def running_terms(events) -> set[str]:
    """The terms still running after ``events`` (start and stop in order; opschorten keeps a term open)."""
    running: set[str] = set()
    for e in events:
        if isinstance(e, TermChanged) and e.action == "start":
            running.add(e.termijn)
        elif isinstance(e, TermChanged) and e.action == "stop":
            running.discard(e.termijn)
    return running


def set_aside(d: Driver):
    """An incomplete request, not completed in time, set aside (Awb 4:5): the outcome of buiten_behandeling_stellen."""
    d.submit(vereisten=[])
    d.fire("aanvulling_vragen")
    d.fire("hersteltermijn_verstreken")
    with pytest.raises(GuardFailed, match="motivering"):
        d.fire("buiten_behandeling_stellen")
    return d.fire("buiten_behandeling_stellen", reason="De begroting en het plan ontbreken nog.")


@each_workflow
def test_buiten_behandeling_is_a_besluit_open_to_bezwaar(engine, key) -> None:
    """Bezwaar against buiten behandeling stellen, declared ongegrond: the case ends buiten behandeling and no term
    runs on the closed case."""
    d = Driver(engine, *key)
    outcome = set_aside(d)
    assert [e.template for e in outcome.of(LetterRequested)] == ["buiten_behandeling"]
    assert ("start", "bezwaartermijn") in [(e.action, e.termijn) for e in outcome.of(TermChanged)]
    assert d.case.state == "bezwaar.termijn" and d.case.resultaat is None, d.workflow.key
    assert d.case.facts["bestreden_besluit"] == "buiten_behandeling"
    d.fire("bezwaar_maken")
    assert d.case.state == "bezwaar.in_behandeling"
    with pytest.raises(GuardFailed, match="motivering"):
        d.fire("bezwaar_ongegrond")
    closed = d.fire("bezwaar_ongegrond", reason="De aanvraag was niet compleet; de hersteltermijn was redelijk.")
    assert d.case.state == "afgesloten.buiten_behandeling" and d.case.resultaat == "buiten_behandeling"
    assert [e.template for e in closed.of(LetterRequested)] == ["beslissing_op_bezwaar"]
    assert closed.of(CaseClosed)[0].resultaat == "buiten_behandeling"
    assert running_terms(d.events) == set()


@each_workflow
def test_no_bezwaar_after_buiten_behandeling_closes_the_case_when_the_term_lapses(engine, key) -> None:
    d = Driver(engine, *key)
    set_aside(d)
    lapsed = d.fire("bezwaartermijn_verstreken")
    assert d.case.state == "afgesloten.buiten_behandeling" and d.case.resultaat == "buiten_behandeling"
    assert [(e.action, e.termijn) for e in lapsed.of(TermChanged)] == [("stop", "bezwaartermijn")]
    assert running_terms(d.events) == set()


@each_workflow
def test_bezwaar_gegrond_against_buiten_behandeling_handles_the_request_after_all(engine, key) -> None:
    """Gegrond: back to 'ontvangen', where the request is checked for completeness again (in behandeling nemen, or
    a new request to complete it)."""
    d = Driver(engine, *key)
    set_aside(d)
    d.fire("bezwaar_maken")
    d.fire("bezwaar_gegrond", reason="De hersteltermijn was te kort.")
    assert d.case.state == "indiening.ontvangen" and d.case.resultaat is None
    with pytest.raises(GuardFailed, match="mist nog"):
        d.fire("in_behandeling_nemen")
    d.fire("aanvulling_vragen")
    d.fire("aanvullen", {"vereisten": d.all_vereisten})
    d.fire("in_behandeling_nemen")
    assert d.case.fase == "toetsing"


def grant_with_change(d: Driver):
    d.to_besluit()
    return d.fire("toekennen_met_wijziging", {"wijziging": "Alleen het onderhoud van april tot en met oktober."})


@each_workflow
def test_toekenning_met_wijziging_starts_a_bezwaartermijn_and_the_overname_goes_on(engine, key) -> None:
    """The wijziging is partly a refusal: a bezwaartermijn runs while the overname is prepared. Bezwaar ongegrond:
    back to the overname, and no second bezwaar against the same besluit."""
    d = Driver(engine, *key)
    outcome = grant_with_change(d)
    assert d.case.state == "overname.voorbereiden"
    assert [(e.action, e.termijn) for e in outcome.of(TermChanged)] == [("stop", "beslistermijn"),
                                                                        ("stop", "ingebrekestelling"),
                                                                        ("start", "bezwaartermijn")]
    d.fire("bezwaar_maken")
    assert d.case.state == "bezwaar.in_behandeling"
    assert "bezwaartermijn" not in running_terms(d.events)
    d.fire("bezwaar_ongegrond", reason="De wijziging is nodig voor de veiligheid van de speeltuin.")
    assert d.case.state == "overname.voorbereiden"
    with pytest.raises(GuardFailed, match="bezwaartermijn loopt niet"):
        d.fire("bezwaar_maken")


@each_workflow
def test_bezwaar_gegrond_against_toekenning_met_wijziging_asks_a_new_besluit(engine, key) -> None:
    d = Driver(engine, *key)
    grant_with_change(d)
    d.fire("bezwaar_maken")
    d.fire("bezwaar_gegrond", reason="De wijziging was niet nodig.")
    assert d.case.state == "besluit.voorgelegd"
    d.fire("toekennen")
    assert d.case.state == "overname.voorbereiden"


@each_workflow
def test_the_bezwaartermijn_after_toekenning_met_wijziging_lapses_where_the_case_is(engine, key) -> None:
    d = Driver(engine, *key)
    grant_with_change(d)
    lapsed = d.fire("bezwaartermijn_verstreken")
    assert d.case.state == "overname.voorbereiden"
    assert [(e.action, e.termijn) for e in lapsed.of(TermChanged)] == [("stop", "bezwaartermijn")]
    with pytest.raises(GuardFailed, match="bezwaartermijn loopt niet"):
        d.fire("bezwaar_maken")
    # the overname may also be done before the six weeks are over: the lapse then comes during the uitvoering
    e = Driver(engine, *key)
    grant_with_change(e)
    event = next(x for x in ("overeenkomst_sluiten", "subsidie_verlenen")
                 if any(x in e.workflow.allowed_events(e.case, r) for r in e.workflow.definition.rollen))
    e.fire(event, {"budget": "12500.00", "startdatum": "2026-06-01"})
    e.fire("bezwaartermijn_verstreken")
    assert e.case.state == "uitvoering.lopend" and running_terms(e.events) == {"uitvoeringsperiode"}


def test_a_case_in_bezwaar_from_before_the_bestreden_besluit_fact_is_an_afwijzing(engine) -> None:
    """Cases that entered the bezwaar phase before 'bestreden_besluit' existed were all refusals."""
    from r2c.engine.case import Case

    wf = engine.workflow("vng-model-2024")
    case = Case(wf.definition.id, wf.definition.versie, "bezwaar.termijn", {})
    lapsed = wf.fire(case, "bezwaartermijn_verstreken", actor=Actor("r2c", "systeem"), clock=engine.clock)
    assert lapsed.case.state == "afgesloten.afgewezen"


def test_without_a_bezwaar_phase_buiten_behandeling_closes_at_once(tmp_path, clock) -> None:
    """A gemeente that switches the optional bezwaar phase off: buiten behandeling closes the case (anders_naar), and
    after a toekenning met wijziging there is no bezwaar step, while the lapse of the term is still handled."""
    (tmp_path / "zonder-bezwaar.yaml").write_text(
        'soort: gemeente\nid: zonder-bezwaar\nnaam: Zonder bezwaarfase\nversie: "1"\ngeldig_vanaf: 2025-01-01\n'
        "extends: vng-model-2024@2024.1\nbron: {titel: testbestand}\nfasen:\n  bezwaar: {actief: false}\n",
        encoding="utf-8")
    engine = Engine(load_catalog([MODEL_DIR, tmp_path], base_paths=[]), clock)
    d = Driver(engine, "zonder-bezwaar", "1")
    set_aside(d)
    assert d.case.state == "afgesloten.buiten_behandeling"
    assert "bezwaar_maken" not in d.workflow.events()
    # known limit (docs/workflows-reference.md, 'De bezwaarfase in het model'): the data cannot say "start this term only when the step
    # goes to 'naar'", so the bezwaartermijn still starts on the closed case, as after afwijzen without bezwaar phase
    assert running_terms(d.events) == {"bezwaartermijn"}
    grant = Driver(engine, "zonder-bezwaar", "1")
    grant_with_change(grant)
    grant.fire("bezwaartermijn_verstreken")
    assert grant.case.state == "overname.voorbereiden" and running_terms(grant.events) == set()


@each_workflow
def test_withdrawal_is_possible_from_every_state_before_the_besluit(engine, key) -> None:
    d = Driver(engine, *key)
    graph = d.workflow.loaded.graph
    before = {"vooroverleg", "indiening", "ontvankelijkheid", "toetsing", "besluit"}
    for state in graph.states:
        if graph.phase_of[state] in before:
            assert "intrekken" in d.workflow.allowed_events(d.case.__class__(
                d.case.workflow, d.case.versie, state), "initiatiefnemer"), (d.workflow.key, state)
    d.submit()
    outcome = d.fire("intrekken")
    assert d.case.state == "afgesloten.ingetrokken"
    assert ("stop", "beslistermijn") in [(e.action, e.termijn) for e in outcome.of(TermChanged)]


@each_workflow
def test_initiatiefnemer_cannot_take_the_besluit(engine, key) -> None:
    d = Driver(engine, *key)
    d.to_besluit()
    for event in ("toekennen", "afwijzen", "toekennen_met_wijziging"):
        with pytest.raises(EventNotAllowed) as caught:
            d.workflow.fire(d.case, event, actor=Actor("burger", "initiatiefnemer"), clock=engine.clock,
                            reason="ik beslis zelf")
        assert not isinstance(caught.value, GuardFailed)
        assert caught.value.state == "besluit.voorgelegd"
        assert caught.value.allowed == ["in_gebreke_stellen", "intrekken"]  # Awb 4:17: the besluit is late
        assert "besluit.voorgelegd" in str(caught.value) and "intrekken" in str(caught.value)


def test_who_decides_follows_the_gemeente_file(catalog, engine) -> None:
    amsterdam = engine.workflow("amsterdam")
    vught = engine.workflow("vught")
    state = "besluit.voorgelegd"
    case = amsterdam.start().__class__("amsterdam", amsterdam.definition.versie, state)
    assert "toekennen" in amsterdam.allowed_events(case, "bestuurscommissie")
    case = vught.start().__class__("vught", vught.definition.versie, state)
    assert "toekennen" in vught.allowed_events(case, "raad")
    model = engine.workflow("vng-model-2024")
    case = model.start().__class__("vng-model-2024", "2024.1", state)
    assert "toekennen" not in model.allowed_events(case, "raad")


@each_workflow
def test_round_trip_through_snapshots_changes_nothing(engine, key) -> None:
    """Persist after every step (as JSON), reload, go on: the same states and events as without."""
    import json

    from r2c.engine.case import Case

    plain, stored = Driver(engine, *key), Driver(engine, *key)
    steps = [("submit", None), ("in_behandeling_nemen", None), ("beoordelen", "beoordelingen"),
             ("voorleggen", None), ("toekennen", None)]
    for event, needs in steps:
        for d in (plain, stored):
            if event == "submit":
                d.submit()
            else:
                d.fire(event, {"beoordelingen": d.beoordelingen} if needs else None)
        stored.case = Case.from_dict(json.loads(json.dumps(stored.case.to_dict())))
        assert stored.case == Case.from_dict(plain.case.to_dict())
    assert [type(e).__name__ for e in plain.events] == [type(e).__name__ for e in stored.events]


def test_a_snapshot_of_an_unknown_format_is_refused() -> None:
    from r2c.engine.case import Case
    from r2c.errors import R2CError

    with pytest.raises(R2CError, match="onbekend formaat"):
        Case.from_dict({"formaat": 99, "workflow": "x", "versie": "1", "state": "a.b", "facts": {}})


def test_phases_are_parent_states_of_the_machine(engine) -> None:
    """The machine nests each phase's states under it; 'intrekken' (van: phases) leaves from the parent."""
    wf = engine.workflow("vng-model-2024")
    toetsing = wf.machine.get_state("toetsing")
    assert set(toetsing.states) == {s.split(".", 1)[1] for s in wf.loaded.graph.states if s.startswith("toetsing.")}
    # the engine's transitions are internal (no enter/exit walk): valid only while no state has callbacks
    for name in wf.loaded.graph.states:
        state = wf.machine.get_state(name)
        assert not (state.on_enter or state.on_exit or state.final), name
    assert not (wf.machine.before_state_change or wf.machine.after_state_change or wf.machine.on_final)
    assert all(t.dest is None for event in wf.machine.events.values()
               for group in event.transitions.values() for t in group)
    sources = set(wf.machine.events["intrekken"].transitions)
    assert "toetsing" in sources and not any(s.startswith("toetsing.") for s in sources)
    d = Driver(engine, "vng-model-2024", wf.definition.versie)
    d.submit()
    d.fire("in_behandeling_nemen")
    assert d.case.state.startswith("toetsing.")
    assert d.fire("intrekken").case.state == "afgesloten.ingetrokken"


def test_threads_firing_on_one_shared_workflow_each_get_their_own_outcome(engine) -> None:
    """Cases of one version share one machine; concurrent firing from threads must not mix them up."""
    from concurrent.futures import ThreadPoolExecutor

    versie = engine.workflow("vng-model-2024").definition.versie

    def lifecycle(i: int) -> tuple[str, ...]:
        d = Driver(engine, "vng-model-2024", versie)
        for _ in range(20):
            d.case = d.workflow.start()
            d.to_besluit(voldoet_niet=bool(i % 2))
            d.fire("afwijzen" if i % 2 else "toekennen", reason="Besluit van het college.")
        return (d.case.state, d.case.fase)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lifecycle, range(16)))
    assert results == [("overname.voorbereiden", "overname") if i % 2 == 0 else results[1] for i in range(16)]
    assert results[1][1] in {"bezwaar", "afgesloten"}
