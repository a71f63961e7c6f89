"""Niet tijdig beslissen (Awb 4:17, 6:12) and a verdaging of a chosen length, on both databases, as people meet
them: the API's terms with the dwangsom owed, the teamleider's e-mail, the status page's step and sentences, the
werkomgeving's typed field. The clock is the service's own (it travels with ``clock.set``)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.clock import SystemClock
from r2c.definitions import load_catalog
from r2c.exports.letters import Letters
from r2c.notify.routing import Router
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.settings import Settings
from r2c.store import queue
from r2c.web.bewoner import step_router
from r2c.web.staff import Staff
from r2c.web.status import status_router
from tests.conftest import FIXTURES, MODEL_DIR, ROOT, WORKFLOW_DIR
from tests.integration.apiclient import make_api
from tests.integration.helpers import submit
from tests.integration.werk import werk_client

TEAMLEIDER = "teamleider-wijken@gouda.nl"
JANSEN = Staff("b.jansen", "B. Jansen", "b.jansen@gouda.nl", "gouda", ("behandelaar",), "behandelaar")


@pytest.fixture(scope="module")
def catalog():
    """The shipped definitions and the fixture gemeenten of the term options."""
    return load_catalog([MODEL_DIR, WORKFLOW_DIR, FIXTURES / "termijnopties"], base_paths=[])


def at(clock, day: str) -> None:
    clock.set(datetime.fromisoformat(f"{day}T08:00:00+00:00").astimezone(timezone.utc))


def terms_of(api, ident: str, headers) -> dict[str, dict]:
    response = api.client.get(f"/api/v1/challenges/{ident}/terms", headers=headers)
    assert response.status_code == 200, response.text
    return {t["name"]: t for t in response.json()}


def criteria(service, gemeente: str = "gouda") -> dict:
    definition = service.catalog.in_force(gemeente, service.clock.now().date()).definition
    return {k: {"oordeel": "voldoet", "motivering": "Klopt."} for k in definition.criteria}


def test_the_dwangsom_accrues_after_the_ingebrekestelling_and_the_besluit_stops_it(service, database, clock,
                                                                                 tmp_path) -> None:
    api = make_api(service, database, tmp_path)
    staff, college = api.key("behandelaar"), api.key("college")
    created = api.submit(data={"vereisten": list(service.catalog.get("gouda").definition.vereisten)})["challenge"]
    ident = created["id"]
    assert api.fire(ident, "in_behandeling_nemen", staff).status_code == 200
    # The beslistermijn of Monday 2 March 2026 ends on Tuesday 28 April (Koningsdag 27 April): on that day it is
    # too early, and nothing is written.
    at(clock, "2026-04-28")
    version = api.client.get(f"/api/v1/challenges/{ident}", headers=staff).json()["version"]
    early = api.fire(ident, "in_gebreke_stellen", staff)
    assert early.status_code == 409, early.text
    assert "te vroeg: de beslistermijn loopt tot en met 2026-04-28" in early.json()["detail"]
    assert api.client.get(f"/api/v1/challenges/{ident}", headers=staff).json()["version"] == version
    # Friday 1 May: two weeks to Friday 15 May, a gelijkgestelde dag, so Monday 18 May; then the dwangsom.
    at(clock, "2026-05-01")
    assert api.fire(ident, "in_gebreke_stellen", staff, reden="Brief van de initiatiefnemer.").status_code == 200
    again = api.fire(ident, "in_gebreke_stellen", staff, reden="Nog een brief.")  # the stored term, not a proef's
    assert again.status_code == 409 and "al op 2026-05-01 in gebreke gesteld" in again.json()["detail"], again.text
    term = terms_of(api, ident, staff)["ingebrekestelling"]
    assert (term["status"], term["einddatum"]) == ("lopend", "2026-05-18")
    assert term["dwangsom"]["verbeurd"] == 0 and term["dwangsom"]["eersteDag"] == "2026-05-19"
    at(clock, "2026-06-02")
    owed = terms_of(api, ident, staff)["ingebrekestelling"]["dwangsom"]
    assert (owed["totEnMet"], owed["verbeurd"], owed["maximum"]) == ("2026-06-02", 357, 1442)
    assert "Per dag (Awb 4:17 lid 2): 14 × € 23 = € 322; 1 × € 35 = € 35." in owed["uitleg"]
    # The besluit on Wednesday 3 June stops it: the day of the besluit no longer counts, later days neither.
    at(clock, "2026-06-03")
    assert api.fire(ident, "beoordelen", staff, data={"beoordelingen": criteria(service)}).status_code == 200
    assert api.fire(ident, "voorleggen", staff).status_code == 200
    assert api.fire(ident, "toekennen", college).status_code == 200
    at(clock, "2026-07-20")
    term = terms_of(api, ident, staff)["ingebrekestelling"]
    assert term["status"] == "gestopt" and term["stoppedOn"] == "2026-06-03"
    assert (term["dwangsom"]["totEnMet"], term["dwangsom"]["verbeurd"]) == ("2026-06-02", 357)


def test_the_teamleider_hears_of_the_ingebrekestelling_at_once(service, database, clock, tmp_path) -> None:
    root = tmp_path / "huisstijl"
    (root / "gouda").mkdir(parents=True)
    (root / "gouda" / "gemeente.yaml").write_text(f"naam: Gemeente Gouda\nteamleider: {TEAMLEIDER}\n",
                                                   encoding="utf-8")
    c = submit(service, complete=True).challenge
    staff = JANSEN.actor()
    service.fire(c.id, "in_behandeling_nemen", actor=staff)
    at(clock, "2026-05-01")
    fired = service.fire(c.id, "in_gebreke_stellen", actor=staff)
    router = Router(Settings(kanalen=["email"], huisstijl=root), service.catalog)
    with database.read_sessions() as connection:
        message = queue.message(connection, f"{c.id}:{fired.challenge.version}")
        outbox = SimpleNamespace(topic="uitdaging.transitie", payload=message.payload, gemeente="gouda",
                                 challenge_id=c.id, created_at=message.created_at, idempotency_key="x")
        deliveries = router.route(connection, outbox)
    sent = {(d.recipient, d.template) for d in deliveries}
    assert sent == {(TEAMLEIDER, "ingebrekestelling_melding"), ("fatima@example.nl", "ingebrekestelling")}
    [melding] = [d for d in deliveries if d.recipient == TEAMLEIDER]
    assert melding.context["dwangsom"]["maximum"] == "€ 1.442"


def test_the_resident_sends_it_from_the_status_page_once_the_beslistermijn_lapsed(service, clock) -> None:
    fired = submit(service, complete=True)
    service.fire(fired.challenge.id, "in_behandeling_nemen", actor=JANSEN.actor())
    app = FastAPI()
    app.include_router(status_router(service, Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"),
                                                                       service.catalog))))
    app.include_router(step_router(service, limit="100/minute"))
    web = TestClient(app, raise_server_exceptions=False)
    token = fired.status_token
    at(clock, "2026-04-28")
    assert "De gemeente in gebreke stellen" in web.get(f"/status/{token}").text
    form = web.get(f"/status/{token}/stap/in_gebreke_stellen").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    early = web.post(f"/status/{token}/stap/in_gebreke_stellen", data=fields, follow_redirects=False)
    assert early.status_code == 422
    assert "Ingebrekestelling ontvangen op 2026-04-28 is te vroeg" in early.text
    at(clock, "2026-05-01")
    form = web.get(f"/status/{token}/stap/in_gebreke_stellen").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    sent = web.post(f"/status/{token}/stap/in_gebreke_stellen", data=fields, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    page = web.get(f"/status/{token}").text
    assert "De gemeente moet nu uiterlijk op" in page and "18 mei 2026" in page
    assert "Ontvangst van uw ingebrekestelling" in page  # the letter, listed for the resident
    assert "Ingebrekestelling ontvangen" not in re.sub(r"Ontvangst van uw ingebrekestelling", "", page)


def test_a_verdaging_of_the_chosen_length_from_the_werkomgeving(service, clock) -> None:
    fired = service.submit(gemeente="termijnstad", titel="Buurtbus", data={"omschrijving": "Wij rijden zelf."},
                           initiatiefnemer=Initiatiefnemer("A. Bakker", "a@example.nl"))
    person = Staff("b.jansen", "B. Jansen", "b.jansen@t.nl", "termijnstad", ("behandelaar",), "behandelaar")
    web = werk_client(service, person)
    ident = fired.challenge.id
    page = web.get(f"/uitdagingen/{ident}").text
    field = re.search(r'<input[^>]*name="verdagen-verlenging"[^>]*>', page)
    assert field is not None and 'inputmode="numeric"' in field.group(0)  # the typed field of a getal
    assert "Verdaging in weken (ten hoogste 6)" in page and "Ten hoogste 6 weken (verordening art. 5 lid 1)." in page
    start = page.index('/stap/verdagen"')
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                             page[start:page.index("</form>", start)]))
    too_long = web.post(f"/uitdagingen/{ident}/stap/verdagen",
                        data={**hidden, "verdagen-verlenging": "7", "verdagen-reden": "Advies nodig."})
    assert too_long.status_code == 422
    assert "7 weken is meer dan het maximum van 6 weken" in too_long.text
    sent = web.post(f"/uitdagingen/{ident}/stap/verdagen", follow_redirects=False,
                    data={**hidden, "verdagen-verlenging": "4", "verdagen-reden": "Advies nodig."})
    assert sent.status_code == 303, sent.text
    [term] = [t for t in service.terms(ident, actor=person.actor()) if t.name == "beslistermijn"]
    # 12 weeks from Monday 2 March 2026: Monday 25 May before the Atw; + 4 weeks: Monday 22 June.
    assert (term.verlenging, term.einddatum.isoformat()) == ("4 weken", "2026-06-22")
    assert any("verdaging (verdagen) met 4 weken" in line for line in term.uitleg)
    app = FastAPI()
    app.include_router(status_router(service, Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"),
                                                                       service.catalog))))
    status = TestClient(app).get(f"/status/{fired.status_token}").text
    assert "De gemeente heeft 4 weken extra tijd genomen. Zij beslist uiterlijk op" in status
    assert "22 juni 2026" in status


def test_the_api_takes_the_length_of_the_verdaging_as_event_data(service, database, tmp_path) -> None:
    api = make_api(service, database, tmp_path)
    staff = api.key("behandelaar", "termijnstad")
    ident = api.submit("termijnstad")["challenge"]["id"]
    refused = api.fire(ident, "verdagen", staff, data={"verlenging": 9}, reden="Advies nodig.")
    assert refused.status_code == 422, refused.text
    assert "9 weken is meer dan het maximum van 6 weken" in refused.text
    missing = api.fire(ident, "verdagen", staff, reden="Advies nodig.")
    assert missing.status_code == 422 and "body.data.verlenging" in missing.text and "verplicht" in missing.text
    assert api.fire(ident, "verdagen", staff, data={"verlenging": 5}, reden="Advies nodig.").status_code == 200
    term = terms_of(api, ident, staff)["beslistermijn"]
    # Monday 25 May 2026 (12 weeks from 2 March, before the Atw) + 5 weeks = Monday 29 June
    assert (term["verlenging"], term["einddatum"]) == ("5 weken", "2026-06-29")
    again = api.fire(ident, "verdagen", staff, data={"verlenging": 1}, reden="Nog meer tijd.")
    assert again.status_code == 409 and "al eens verdaagd" in again.text


def test_on_the_wall_clock_the_dwangsom_follows_the_days_across_the_weekend_and_feestdagen(database, catalog,
                                                                                           tmp_path) -> None:
    """The same service on the system clock, travelling with time-machine: what a behandelaar sees each day."""
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    staff = JANSEN.actor()

    def owed(day: str) -> tuple[str, int]:
        with time_machine.travel(datetime.fromisoformat(f"{day}T10:00:00+02:00"), tick=False):
            [term] = [t for t in service.terms(c.id, actor=staff) if t.name == "ingebrekestelling"]
            assert term.dwangsom is not None
            return term.dwangsom.tot_en_met.isoformat(), term.dwangsom.verbeurd

    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=timezone.utc), tick=False):
        c = submit(service, complete=True).challenge
        service.fire(c.id, "in_behandeling_nemen", actor=staff)
    with time_machine.travel(datetime(2026, 5, 1, 9, tzinfo=timezone.utc), tick=False):  # Friday
        service.fire(c.id, "in_gebreke_stellen", actor=staff)
    # Friday 15 May is a gelijkgestelde dag, then the weekend: the two weeks end on Monday 18 May.
    assert owed("2026-05-18") == ("2026-05-18", 0)
    assert owed("2026-05-19") == ("2026-05-19", 23)
    assert owed("2026-05-25") == ("2026-05-25", 7 * 23)  # tweede Pinksterdag counts: the Atw is not for these days
    assert owed("2026-06-16") == ("2026-06-16", 14 * 23 + 14 * 35 + 45)
    assert owed("2026-09-01") == ("2026-09-01", 1442)
