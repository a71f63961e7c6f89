"""Style habit 8: every shipped gemeente version driven to 'uitgevoerd' through the service, persisted, reloaded
by a fresh connection, and compared with the same events fired on the engine alone."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from r2c.clock import FixedClock
from r2c.engine import Actor, Engine
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.store import Database
from r2c.store.audit import verify_database
from tests.unit.test_engine_lifecycle import VERSIONS

GEMEENTE_VERSIONS = [(i, v) for i, v in VERSIONS if i != "vng-model-2024"]


def _path(definition) -> list[tuple[str, dict | None]]:
    beoordelingen = {k: {"oordeel": "voldoet", "motivering": "Uit het plan blijkt dit."} for k in definition.criteria}
    overname = "overeenkomst_sluiten" if "overeenkomst_sluiten" in definition.transities else "subsidie_verlenen"
    return [("in_behandeling_nemen", None), ("beoordelen", {"beoordelingen": beoordelingen}), ("voorleggen", None),
            ("toekennen", None), (overname, {"budget": "12500.00", "startdatum": "2026-06-01"}),
            ("voortgang_melden", {"voortgang": "Het loopt."}),
            ("verantwoorden", {"verantwoording": "Verslag en cijfers."}), ("verantwoording_beoordeeld", None),
            ("teruggeven", None)]


@pytest.mark.parametrize("key", GEMEENTE_VERSIONS, ids=[f"{i}@{v}" for i, v in GEMEENTE_VERSIONS])
def test_lifecycle_persists_and_reloads_as_the_engine_computes_it(database, catalog, key, tmp_path) -> None:
    gemeente, versie = key
    definition = catalog.get(gemeente, versie).definition
    clock = FixedClock(datetime.combine(definition.geldig_vanaf, time(9), tzinfo=timezone.utc))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    engine = Engine(catalog, clock)
    workflow = engine.workflow(gemeente, versie)
    data = {"vereisten": list(definition.vereisten), "omschrijving": "Wij onderhouden het park."}
    fired = service.submit(gemeente=gemeente, titel="Park", data=data, initiatiefnemer=Initiatiefnemer("A. Bakker"))
    challenge = fired.challenge
    assert (challenge.workflow, challenge.workflow_version) == (gemeente, versie)
    initiatiefnemer = Actor(challenge.initiatiefnemer, "initiatiefnemer", gemeente)
    case = workflow.fire(workflow.start(), "indienen", actor=initiatiefnemer, clock=clock, data=data).case
    for event, event_data in _path(definition):
        rol = next(r for r in definition.rollen if event in workflow.allowed_events(case, r))
        actor = initiatiefnemer if rol == "initiatiefnemer" else Actor(f"{rol}-1", rol, gemeente)
        case = workflow.fire(case, event, actor=actor, clock=clock, data=event_data).case
        challenge = service.fire(challenge.id, event, actor=actor, data=event_data,
                                 expected_version=challenge.version).challenge
    assert case.state == "afgesloten.uitgevoerd"

    reloaded_db = Database.connect(database.url)
    try:
        reader = ChallengeService(reloaded_db.sessions, catalog, clock)
        lezer = Actor("lezer-1", "lezer", gemeente)
        stored = reader.get(challenge.id, actor=lezer)
        assert (stored.state, stored.resultaat, dict(stored.facts)) == (case.state, case.resultaat, dict(case.facts))
        assert stored.version == len(_path(definition)) + 1 and stored.closed_at is not None
        events = [h.event for h in reader.timeline(challenge.id, actor=lezer)]
        assert events == ["indienen"] + [e for e, _ in _path(definition)]
        terms = reader.terms(challenge.id, actor=lezer)
        assert terms and all(t.status == "gestopt" for t in terms), "a closed challenge has no running term"
        with reloaded_db.read_sessions() as session:
            assert verify_database(session).ok
    finally:
        reloaded_db.engine.dispose()
