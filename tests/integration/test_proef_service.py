"""``proef`` computes what the real service and planner compute: the same walk on a ChallengeService (SQLite file,
planner sweep day by day) gives the same states and the same running and suspended terms with the same last days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from r2c.clock import FixedClock
from r2c.engine.workflow import Workflow
from r2c.scheduler.jobs import sweep_terms
from r2c.service import Actor, ChallengeService, Initiatiefnemer
from r2c.service.proef import Proef, begin, parse_stap
from r2c.store import Database

WALKS = {
    "aanvulling, verdaging en afwijzing": [
        "indienen", "aanvulling_vragen", "+5d", "aanvullen", "verdagen@behandelaar", "in_behandeling_nemen",
        "+30d", "beoordelen", "voorleggen", "afwijzen", "+45d"],
    "niet aangevuld, buiten behandeling": [
        "indienen", "aanvulling_vragen", "+16d", "buiten_behandeling_stellen@teamleider", "+50d"],
    "zienswijze verstreken, toegekend met wijziging": [
        "indienen", "in_behandeling_nemen", "zienswijze_vragen", "+20d", "beoordelen", "voorleggen",
        "toekennen_met_wijziging", "overeenkomst_sluiten", "+400d"],
}


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


@pytest.mark.parametrize("steps", WALKS.values(), ids=WALKS.keys())
def test_proef_and_the_service_agree_on_every_state_and_term(catalog, tmp_path, steps) -> None:
    loaded, day = begin(catalog, "gouda", versie=None, op=date(2026, 3, 2), vandaag=date(2026, 3, 2))
    results = Proef(Workflow(loaded), day).walk([parse_stap(s) for s in steps])
    assert len(results) == len(steps) and all("geweigerd" not in r for r in results)

    db = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    db.upgrade()
    clock = FixedClock(_noon(day))
    service = ChallengeService(db.sessions, catalog, clock)
    challenge = initiatiefnemer = None
    try:
        for result in results:
            if "event" in result:
                clock.set(_noon(date.fromisoformat(result["dag"])))
                if challenge is None:
                    fired = service.submit(gemeente="gouda", titel="Proef", data=result["gegevens"],
                                           initiatiefnemer=Initiatiefnemer("A. Bakker"), reason=result["reden"])
                    initiatiefnemer = Actor(fired.challenge.initiatiefnemer, "initiatiefnemer", "gouda")
                else:
                    rol = result["rol"]
                    actor = initiatiefnemer if rol == "initiatiefnemer" else Actor(f"{rol}-1", rol, "gouda")
                    fired = service.fire(challenge.id, result["event"], actor=actor, data=result["gegevens"],
                                         reason=result["reden"])
                challenge = fired.challenge
            else:
                first = date.fromisoformat(result["van"])
                for offset in range(result["dagen"]):
                    clock.set(_noon(first + timedelta(days=offset)))
                    sweep_terms(service, clock)
            assert initiatiefnemer is not None and challenge is not None
            stored = service.get(challenge.id, actor=initiatiefnemer)
            assert stored.state == result["staat"]["code"], result["stap"]
            served = {(t.name, t.status, t.einddatum.isoformat() if t.einddatum else None)
                      for t in service.terms(challenge.id, actor=Actor("lezer-1", "lezer", "gouda"))
                      if t.status in ("lopend", "opgeschort")}
            tried = {(t["naam"], t["status"], t["einddatum"]) for t in result["termijnen"]}
            assert served == tried, result["stap"]
    finally:
        db.engine.dispose()
