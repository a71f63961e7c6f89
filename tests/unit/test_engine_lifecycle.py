"""Every shipped workflow driven through its main paths: to uitgevoerd, through a refusal, a withdrawal."""

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

    def to_besluit(self):
        self.submit()
        self.fire("in_behandeling_nemen")
        self.fire("beoordelen", {"beoordelingen": self.beoordelingen})
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
    d.to_besluit()
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
        assert caught.value.allowed == ["intrekken"]
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
            d.to_besluit()
            d.fire("afwijzen" if i % 2 else "toekennen", reason="Besluit van het college.")
        return (d.case.state, d.case.fase)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lifecycle, range(16)))
    assert results == [("overname.voorbereiden", "overname") if i % 2 == 0 else results[1] for i in range(16)]
    assert results[1][1] in {"bezwaar", "afgesloten"}
