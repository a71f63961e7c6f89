"""The intake form on a definition with a mandatory vooroverleg and with kinds of party (tests/fixtures/vooroverleg):
the form asks for the vooroverleg (contact, subject, a short description, who applies), the confirmation says what
happens next in the definition's words, and after the vooroverleg the initiatiefnemer submits the request proper
from the status page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.settings import Settings
from tests.conftest import FIXTURES, MODEL_DIR, ROOT, WORKFLOW_DIR
from tests.integration.helpers import behandelaar, row_counts
from tests.integration.test_indienen import hidden

FORM = {"titel": "Groen in de Kerkstraat", "omschrijving": "Wij willen het groen in onze straat zelf onderhouden.",
        "naam": "Fatima de Vries", "email": "fatima@example.nl", "telefoon": "", "organisatie": ""}


@pytest.fixture(scope="module")
def catalog():
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR, WORKFLOW_DIR, FIXTURES / "vooroverleg"], base_paths=[])


@pytest.fixture
def client(service, tmp_path) -> TestClient:
    app = create_app(service, settings=Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                                                huisstijl=ROOT / "huisstijl", documenten=tmp_path / "documenten"))
    return TestClient(app, base_url="http://testserver")


def token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_the_form_asks_for_the_vooroverleg_with_fewer_questions_and_who_applies(client, service) -> None:
    html = unescape(client.get("/indienen/overlegstad").text)
    definition = service.definition_in_force("overlegstad")
    assert "<h1 class=\"utrecht-heading-1\">Aanmelden voor het vooroverleg</h1>" in html
    assert definition.fasen["vooroverleg"].omschrijving in html
    assert "Vertel in een paar zinnen wat u wilt doen" in html
    assert 'name="vereisten"' not in html and 'name="adres"' not in html  # the request proper asks those later
    for key, partij in definition.toelating.partijen.items():
        assert f'type="radio" id="partij-' in html and f'value="{key}"' in html and partij.label in html
    assert "Wie vraagt dit aan?" in html and "(niet verplicht)" not in html.split("Wie vraagt dit aan?")[1][:30]
    plain = unescape(client.get("/indienen/gouda").text)
    assert 'type="radio"' not in plain and "Uw plan indienen" in plain  # no kinds listed: no question


def test_a_missing_or_excluded_kind_stands_next_to_the_radio_group_and_nothing_is_made(client, database) -> None:
    before = row_counts(database)
    for partij, text in (("", "Verplicht: zeg wie de aanvraag indient"),
                         ("onderneming", "Een bedrijf kan de gemeente niet uitdagen.")):
        response = client.post("/indienen/overlegstad", data={**FORM, "partij": partij, "stap": "controle",
                                                                "csrf": token(client, "/indienen/overlegstad")})
        assert response.status_code == 422
        assert re.search(r'id="partij-fout"><strong>Fout:</strong> ' + re.escape(text), unescape(response.text))
        assert 'value="Groen in de Kerkstraat"' in response.text  # input kept
    assert row_counts(database) == before


def test_aanmelden_then_after_the_vooroverleg_the_request_proper_from_the_status_page(client, service) -> None:
    review = client.post("/indienen/overlegstad", data={**FORM, "partij": "vereniging", "stap": "controle",
                                                          "csrf": token(client, "/indienen/overlegstad")})
    assert review.status_code == 200, review.text
    assert "Een vereniging" in review.text and 'value="Aanmelden voor het vooroverleg"' not in review.text
    assert ">Een gesprek aanvragen</button>" in review.text  # the step's knop, from the definition
    done = client.post("/indienen/overlegstad", data=hidden(review.text) | {"stap": "indienen"})
    assert done.status_code == 200, done.text
    html = unescape(done.text)
    assert "Uw aanmelding is ontvangen" in html
    assert "We maken een afspraak met u om over uw idee te praten." in html  # the state's text, from the definition
    link = re.search(r'href="http://testserver(/status/[^"]+)"', done.text).group(1)

    b = behandelaar("overlegstad")
    [challenge] = service.search(actor=b).items
    assert challenge.state == "vooroverleg.gesprek" and challenge.facts["partij"] == "vereniging"
    status = unescape(client.get(link).text)
    assert "Aangemeld voor het vooroverleg" in status and f"{link}/stap/indienen" not in status
    assert "<dt>Aanmelden voor het vooroverleg op</dt>" in status and "Ingediend op" not in status

    service.fire(challenge.id, "vooroverleg_gehouden", actor=b, data={"verslag": "Gesprek gehouden."})
    status = unescape(client.get(link).text)
    assert "Het vooroverleg is geweest. Nu kunt u uw aanvraag indienen." in status
    step = client.get(f"{link}/stap/indienen")
    assert step.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', step.text).group(1)
    sent = client.post(f"{link}/stap/indienen", data={"csrf": csrf, "omschrijving": "Ons plan na het gesprek.",
                                                      "vereisten": ["plan", "begroting"]}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    after = service.get(challenge.id, actor=b)
    assert after.state == "indiening.ontvangen" and set(after.facts["vereisten"]) == {"plan", "begroting"}
    assert [e.event for e in service.timeline(challenge.id, actor=b)] == [
        "vooroverleg_aanvragen", "vooroverleg_gehouden", "indienen"]


def test_the_vooroverleg_form_its_review_and_the_confirmation_are_plain(client) -> None:
    from tests.integration.test_leesbaarheid import assert_plain
    from tests.leesbaarheid import visible_text

    form = client.get("/indienen/overlegstad").text
    review = client.post("/indienen/overlegstad", data={**FORM, "partij": "ingezetene", "stap": "controle",
                                                        "csrf": token(client, "/indienen/overlegstad")}).text
    done = client.post("/indienen/overlegstad", data=hidden(review) | {"stap": "indienen"}).text
    for where, html in (("het formulier", form), ("de controle", review), ("ontvangen", done)):
        assert_plain(visible_text(html), where)
