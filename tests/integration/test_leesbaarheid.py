"""Everything a resident reads stays plain (issue 15 item 5): LIX under THRESHOLD, per text, as rendered.

Rendered, not the template source: what counts is the text with the gemeente's names, dates and the steps of
the definition filled in. Covered: every mail and letter r2c sends to an initiatiefnemer (the contexts of
test_texts, every variant, both gemeenten' huisstijl) and the status page in the states a resident meets.
A new resident page joins by adding its rendered HTML to ``assert_plain`` in a test of its own.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.engine.case import Actor
from r2c.exports.letters import Letters
from r2c.notify.routing import Router
from r2c.settings import Settings
from r2c.web.status import status_router
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar, submit
from tests.integration.test_texts import INITIATIEFNEMER, cases, context_for, rendered
from tests.leesbaarheid import lix, visible_text

# Dutch B1 texts of gemeenten score about 35-40; above 40 a text asks more than a resident should need.
THRESHOLD = 40.0
MIN_WORDS = 30  # below this LIX says little: a short text is checked as part of the page it is on


def assert_plain(text: str, where: str) -> None:
    score = lix(text)
    assert score.words >= MIN_WORDS, f"{where}: te weinig tekst om te meten ({score})"
    assert score.lix < THRESHOLD, f"{where}: {score}, drempel {THRESHOLD}; maak zinnen korter of woorden eenvoudiger"


RESIDENT = [(g, t, v) for g, t, v in cases() if context_for(t, v).get("ontvanger") == INITIATIEFNEMER]


def test_the_resident_texts_are_the_mails_and_letters_to_the_initiatiefnemer() -> None:
    names = {t for _, t, _ in RESIDENT}
    assert "mail/ontvangstbevestiging.txt" in names and "brief/besluit_afwijzing.html" in names
    assert "mail/herinnering.txt" in names  # the initiatiefnemer's variant; the staff one is not theirs
    assert not any(t.startswith("mail/weekoverzicht") or t.startswith("mail/escalatie") for t in names)


@pytest.mark.parametrize("gemeente, template, variant", RESIDENT,
                         ids=[f"{g}:{t}" + (f":{v}" if v else "") for g, t, v in RESIDENT])
def test_every_mail_and_letter_to_a_resident_is_plain(gemeente: str, template: str, variant: str | None) -> None:
    text = rendered(gemeente, template, context_for(template, variant))
    assert_plain(visible_text(text) if template.endswith(".html") else text, f"{gemeente}:{template}:{variant}")


@pytest.fixture
def client(service) -> TestClient:
    app = FastAPI()
    app.include_router(status_router(service, Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"),
                                                                          service.catalog))))
    return TestClient(app)


def test_the_status_page_is_plain_in_every_state_a_resident_meets(service, client) -> None:
    fired = submit(service, titel="Buurttuin Oosterwei")
    ident, token = fired.challenge.id, fired.status_token
    me = Actor(fired.challenge.initiatiefnemer, "initiatiefnemer", "gouda")

    def page(state: str) -> None:
        response = client.get(f"/status/{token}")
        assert response.status_code == 200
        assert_plain(visible_text(response.text), f"statuspagina ({state})")

    page("ontvangen")
    service.fire(ident, "aanvulling_vragen", actor=behandelaar())
    page("aanvulling gevraagd")
    service.fire(ident, "intrekken", actor=me)
    page("ingetrokken")


def test_a_page_of_long_words_and_long_sentences_fails(service, client) -> None:
    """The check can fail: official prose of one long sentence scores far above the threshold."""
    prose = ("Ingevolge de toepasselijke verordening wordt uw aanvraag tot overname van de gemeentelijke "
             "taakuitoefening onverminderd de bevoegdheden van het college beoordeeld overeenkomstig de "
             "beleidsregels betreffende maatschappelijke initiatieven en de bijbehorende toetsingscriteria.")
    with pytest.raises(AssertionError, match="drempel"):
        assert_plain(prose, "ambtelijk")


def test_the_intake_and_link_pages_are_plain(service, tmp_path) -> None:
    from r2c.api import create_app
    from tests.integration.test_indienen import FORM, review, token

    app = create_app(service, settings=Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                                                huisstijl=ROOT / "huisstijl", documenten=tmp_path / "documenten"))
    client = TestClient(app, base_url="http://testserver")
    pages = {"het formulier": client.get("/indienen/gouda").text, "de controle": review(client),
             "link kwijt": client.get("/mijn-link/gouda").text,
             "link werkt niet": client.get("/status/r2c_st_onbekend").text}
    sent = client.post("/mijn-link/gouda", data={"csrf": token(client, "/mijn-link/gouda"), "email": FORM["email"],
                                                 "kenmerk": "UD-2026-0001"}).text
    pages["link aangevraagd"] = sent
    for where, html in pages.items():
        assert_plain(visible_text(html), where)
