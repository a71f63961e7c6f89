"""The initiatiefnemer's status page (/status/{token}) as a resident meets it, on both databases.

What they would notice: their title, the step in plain words, the dates the service computed, what is missing,
their letters as PDF; and what they must never see: someone else's challenge, the behandelaar, reasons staff
wrote, their own personal data (a link can be forwarded). Plus the headers that keep the page private.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import UTC, datetime

import pytest
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient

from r2c.engine.case import Actor
from r2c.exports.letters import Letters
from r2c.notify.render import datum
from r2c.notify.routing import Router
from r2c.service import Initiatiefnemer
from r2c.settings import Settings
from r2c.web.status import status_router
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar, submit

STAFF_REASON = "Interne notitie: eerst overleggen met wethouder Pietersen"
STAFF_ID = "b.jansen@gouda.example"


@pytest.fixture
def letters(service) -> Letters:
    return Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"), service.catalog))


@pytest.fixture
def client(service, letters) -> TestClient:
    app = FastAPI()
    app.include_router(status_router(service, letters))
    return TestClient(app)


def text_of(page: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"</?(p|li|h\d|div|ul|ol|dl|dt|dd|br|section|header|footer|main|title|span)\b[^>]*>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page))).strip()


def section(page: str, heading: str) -> str:
    """The visible text under the h2 ``heading`` up to the next h2."""
    parts = re.split(r"<h2\b", page)
    for part in parts[1:]:
        title, _, body = part.partition("</h2>")
        if text_of("<h2" + title + "</h2>") == heading:
            return text_of(body)
    raise AssertionError(f"geen kop '{heading}' op de pagina: {text_of(page)[:500]}")


def term_end(service, challenge_id: str, name: str):
    actor = Actor("b.jansen", "behandelaar", "gouda")
    [term] = [t for t in service.terms(challenge_id, actor=actor) if t.name == name and t.status == "lopend"]
    return term.einddatum


def test_after_submit_the_page_shows_title_step_and_the_beslistermijn(service, client):
    fired = submit(service, titel="Buurttuin Oosterwei")
    page = client.get(f"/status/{fired.status_token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    body = page.text
    assert body.count("<h1") == 1 and "Buurttuin Oosterwei" in text_of(body)
    assert '<html lang="nl">' in body and "<main>" in body
    assert "Gemeente Gouda" in text_of(body)
    now = section(body, "Waar staat uw uitdaging nu?")
    indiening = service.catalog.get("gouda").definition.fasen["indiening"].omschrijving
    assert "Stap: Indiening" in now and indiening in now and "Ontvangen" in now
    einde = term_end(service, fired.challenge.id, "beslistermijn")
    assert einde.isoformat() == "2026-04-28"  # 8 weeks from 2 March 2026 is Koningsdag: Atw art. 1
    assert f"De gemeente beslist uiterlijk op {datum(einde)}." in section(body, "Wat gebeurt er nu?")
    assert "dinsdag 28 april 2026" in section(body, "Wat gebeurt er nu?")
    assert "U hoeft nu niets te doen." in section(body, "Wat moet u doen?")
    assert "Ontvangstbevestiging" in section(body, "Brieven")


def test_after_a_request_to_complete_it_says_what_is_missing_and_by_when(service, client):
    fired = submit(service, titel="Speeltuin De Wei")  # submit() sends no vereisten: the request is incomplete
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar(), reason=STAFF_REASON)
    body = client.get(f"/status/{fired.status_token}").text
    todo = section(body, "Wat moet u doen?")
    definition = service.catalog.get(fired.challenge.workflow, fired.challenge.workflow_version).definition
    for vereiste in definition.vereisten.values():
        assert vereiste.label in todo
    einde = term_end(service, fired.challenge.id, "hersteltermijn")
    assert f"Stuur de ontbrekende stukken uiterlijk op {datum(einde)}." in todo
    assert "U hoeft nu niets te doen" not in todo
    now = section(body, "Waar staat uw uitdaging nu?")
    assert "Aanvulling gevraagd" in now
    # The beslistermijn is suspended (Awb 4:15): said in words, without its old date.
    gemeente = section(body, "Wat gebeurt er nu?")
    assert "staat stil" in gemeente and "dinsdag 28 april 2026" not in gemeente
    assert "intrekken" in todo  # what they may do besides


def test_the_missing_list_follows_what_the_request_contains(service, client):
    fired = service.submit(gemeente="gouda", titel="Groen", data={"vereisten": ["contactgegevens", "taak"]},
                           initiatiefnemer=Initiatiefnemer("A. Bakker", "a@example.nl"))
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar())
    todo = section(client.get(f"/status/{fired.status_token}").text, "Wat moet u doen?")
    definition = service.catalog.get(fired.challenge.workflow, fired.challenge.workflow_version).definition
    assert definition.vereisten["taak"].label not in todo
    assert definition.vereisten["begroting"].label in todo


def test_a_late_gemeente_is_said_plainly(service, client):
    fired = submit(service, complete=True)
    service.clock.set(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))  # after dinsdag 28 april 2026
    gemeente = section(client.get(f"/status/{fired.status_token}").text, "Wat gebeurt er nu?")
    assert "De gemeente had uiterlijk op dinsdag 28 april 2026 moeten beslissen." in gemeente


def test_letters_are_listed_and_download_as_pdf(service, client):
    fired = submit(service)
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar())
    body = client.get(f"/status/{fired.status_token}").text
    brieven = section(body, "Brieven")
    assert "Ontvangstbevestiging" in brieven and "Verzoek om aanvulling" in brieven
    assert "maandag 2 maart 2026" in brieven
    links = re.findall(r'href="([^"]*/brieven/\d+)"', body)
    assert len(links) == 2
    for link in links:
        pdf = client.get(f"/status/{link}")
        assert pdf.status_code == 200, pdf.text[:300]
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith("attachment; filename=")
        assert pdf.headers["cache-control"] == "no-store"


def test_revoked_and_made_up_links_get_the_same_404(service, client):
    fired = submit(service)
    assert client.get(f"/status/{fired.status_token}").status_code == 200
    made_up = client.get("/status/r2c_st_" + "A" * 43)
    assert service.revoke_status_links(fired.challenge.id, actor=behandelaar()) == 1
    revoked = client.get(f"/status/{fired.status_token}")
    letter = client.get(f"/status/{fired.status_token}/brieven/1")
    assert made_up.status_code == revoked.status_code == letter.status_code == 404
    assert made_up.text == revoked.text == letter.text
    assert "Deze link werkt niet" in text_of(revoked.text)
    assert "contact op met de gemeente" in text_of(revoked.text)
    assert "Buurttuin" not in revoked.text and "Gemeente Gouda" not in revoked.text
    # where to ask for a new link: every gemeente alike, so the page does not tell whose link it was
    assert all(f'href="/mijn-link/{g}"' in revoked.text for g in service.catalog.ids(soort="gemeente"))
    for odd in ("/status/%00", "/status/" + "x" * 500, "/status/a%2Fb", "/status/<script>"):
        response = client.get(odd)
        assert response.status_code == 404, odd
        assert "<script" not in response.text


def test_a_renewed_link_works_and_the_old_one_does_not(service, client):
    fired = submit(service)
    new = service.renew_status_link(fired.challenge.id, actor=behandelaar())
    assert client.get(f"/status/{fired.status_token}").status_code == 404
    assert client.get(f"/status/{new}").status_code == 200


def test_a_token_shows_only_its_own_challenge_and_letters(service, client):
    first = submit(service, titel="Moestuin Achterom")
    second = submit(service, "vught", titel="Speelplein Noord")
    page = client.get(f"/status/{second.status_token}").text
    assert "Speelplein Noord" in page and "Moestuin Achterom" not in page and first.challenge.id not in page
    actor = Actor("b.jansen", "behandelaar", "gouda")
    [theirs] = service.letters_of(first.challenge.id, actor=actor)
    other = client.get(f"/status/{second.status_token}/brieven/{theirs.id}")
    assert other.status_code == 404 and not other.content.startswith(b"%PDF")
    for odd in ("abc", "-1", "1.0", "9" * 40):
        assert client.get(f"/status/{second.status_token}/brieven/{odd}").status_code == 404


def test_staff_data_and_personal_data_never_appear(service, client):
    fired = submit(service, titel="Buurttuin")
    service.assign(fired.challenge.id, behandelaar=STAFF_ID, actor=behandelaar(ident=STAFF_ID))
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar(), reason=STAFF_REASON)
    body = client.get(f"/status/{fired.status_token}").text
    for secret in (STAFF_REASON, "Pietersen", STAFF_ID, "b.jansen", "Fatima", "fatima@example.nl", "0612345678",
                   "Buurtvereniging Oost", "Wij onderhouden het park zelf", fired.challenge.initiatiefnemer,
                   "Awb", "behandelaar"):
        assert secret not in body, secret


def test_the_page_and_a_host_read_the_same_view_meant_for_the_initiatiefnemer(service, client):
    """One rule, in the service: an initiatiefnemer actor gets no behandelaar and only the facts they supplied or
    their letters told them (``for_initiatiefnemer``); the page reads with that actor, and so does a host."""
    fired = submit(service, complete=True)
    ident = fired.challenge.id
    service.assign(ident, behandelaar=STAFF_ID, actor=behandelaar(ident=STAFF_ID))
    service.fire(ident, "in_behandeling_nemen", actor=behandelaar())
    definition = service.catalog.get(fired.challenge.workflow, fired.challenge.workflow_version).definition
    service.fire(ident, "beoordelen", actor=behandelaar(), data={"beoordelingen": {
        k: {"oordeel": "voldoet", "motivering": STAFF_REASON} for k in definition.criteria}})
    service.fire(ident, "voorleggen", actor=behandelaar(), data={"weigering_op_andere_feiten": False})
    me = Actor(fired.challenge.initiatiefnemer, "initiatiefnemer", "gouda")
    staff = service.get(ident, actor=behandelaar())
    assert staff.behandelaar == STAFF_ID and {"beoordelingen", "weigering_op_andere_feiten"} <= set(staff.facts)
    mine = service.get(ident, actor=me)
    assert mine.behandelaar is None and set(mine.facts) == {"omschrijving", "vereisten"}
    [listed] = service.search(actor=me).items
    assert listed == mine
    body = client.get(f"/status/{fired.status_token}").text
    assert STAFF_ID not in body and STAFF_REASON not in body and "Voldoet" not in body


def test_a_closed_challenge_shows_its_result_in_words(service, client):
    fired = submit(service)
    me = Actor(fired.challenge.initiatiefnemer, "initiatiefnemer", "gouda")
    service.fire(fired.challenge.id, "intrekken", actor=me)
    body = client.get(f"/status/{fired.status_token}").text
    now = section(body, "Waar staat uw uitdaging nu?")
    result = service.catalog.get("gouda").definition.fasen["afgesloten"].staten["ingetrokken"].omschrijving
    assert "Afgesloten" in now and result in now and "behandelt uw aanvraag niet meer" in result
    assert "Alle stappen" not in body
    assert "afgesloten" in section(body, "Wat gebeurt er nu?")
    assert "U hoeft nu niets te doen." in section(body, "Wat moet u doen?")
    brieven = section(body, "Brieven")
    assert "Bevestiging van de intrekking" in brieven and "niet downloaden" in brieven  # it has no template


def test_a_gemeente_text_overrides_the_models_and_the_rest_is_inherited(service, client, catalog):
    """Amsterdam's besluit may come from a bestuurscommissie: its file says so; the other texts are the model's."""
    fired = submit(service, "amsterdam", complete=True)
    criteria = catalog.get("amsterdam").definition.criteria
    steps = [("in_behandeling_nemen", None),
             ("beoordelen", {"beoordelingen": {k: {"oordeel": "voldoet", "motivering": "Blijkt uit het plan."}
                                               for k in criteria}}),
             ("voorleggen", None)]
    for event, data in steps:
        rol = "teamleider" if event == "voorleggen" else "behandelaar"
        service.fire(fired.challenge.id, event, actor=Actor("b.jansen", rol, "amsterdam"), data=data)
    now = section(client.get(f"/status/{fired.status_token}").text, "Waar staat uw uitdaging nu?")
    assert "Stap: Besluit" in now and "de bestuurscommissie van uw stadsdeel een besluit" in now
    assert "college van burgemeester en wethouders" not in now
    model = catalog.get("vng-model-2024").definition
    assert catalog.get("amsterdam").definition.fasen["toetsing"].omschrijving == model.fasen["toetsing"].omschrijving


def test_headers_keep_the_page_private_and_script_free(service, client):
    fired = submit(service)
    for path in (f"/status/{fired.status_token}", "/status/onbekend", f"/status/{fired.status_token}/brieven/1"):
        response = client.get(path)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-robots-tag"].startswith("noindex")
        assert response.headers["x-content-type-options"] == "nosniff"
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe" not in csp
        assert "frame-ancestors 'none'" in csp
        if response.headers["content-type"].startswith("text/html"):
            assert "<script" not in response.text.lower()
            assert not re.search(r"<[^>]*\son\w+\s*=", response.text)  # no event handler attributes
            [style] = re.findall(r"<style>(.*?)</style>", response.text, flags=re.DOTALL)
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp  # the one inline stylesheet is allowed by its hash


def test_router_dependencies_run_first(service, letters):
    def limited():
        raise HTTPException(429, "te veel verzoeken")

    app = FastAPI()
    app.include_router(status_router(service, letters, dependencies=[Depends(limited)]))
    fired = submit(service)
    assert TestClient(app).get(f"/status/{fired.status_token}").status_code == 429


# -- the texts themselves ----------------------------------------------------------------------------------

def resident_texts(definition) -> list[str]:
    """Every text of ``definition`` that the status page shows the initiatiefnemer."""
    texts = []
    for fase in definition.fasen.values():
        texts += [fase.omschrijving, *(staat.omschrijving for staat in fase.staten.values())]
    for termijn in definition.termijnen.values():
        texts += [termijn.uitleg, termijn.uitleg_te_laat, termijn.uitleg_opgeschort, termijn.uitleg_verdaagd]
    texts += [transitie.uitleg for transitie in definition.transities.values()]
    return [text for text in texts if text]


def test_texts_are_short_sentences(catalog):
    """B1: in every definition, sentences of at most 20 words, addressing the reader as 'u' (never 'je' or 'jij')."""
    for ident in catalog.ids():
        texts = resident_texts(catalog.get(ident).definition)
        assert len(texts) > 30, ident
        for text in texts:
            for zin in re.split(r"(?<=[.?!])\s+", text):
                assert len(zin.split()) <= 20, (ident, zin)
                assert not re.search(r"\b(je|jij|jouw)\b", zin, flags=re.IGNORECASE), (ident, zin)


def test_the_status_page_reads_in_four_statements_in_one_transaction(service, database, client) -> None:
    """The link with its challenge, the terms, the letters: one read transaction, three SELECTs (was nine)."""
    from sqlalchemy import event

    fired = submit(service)
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar(), reason="begroting ontbreekt")
    statements: list[str] = []
    begins: list[object] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def begun(conn) -> None:
        begins.append(conn)

    engines = {database.engine, getattr(database, "read_engine", database.engine)}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine, "begin", begun)
    try:
        page = client.get(f"/status/{fired.status_token}")
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
            event.remove(engine, "begin", begun)
    assert page.status_code == 200 and "Stuur de ontbrekende stukken" in page.text
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4, selects  # link+challenge, terms, letters, their own documents
    assert len(begins) == 1
