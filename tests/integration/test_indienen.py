"""The intake form /indienen/{gemeente} over HTTP (a real database): form, review, submit, double submit, errors
next to their fields with the input kept, CSRF, honeypot, uploads refused with their reason. The browser test
(tests/browser/test_indienen_browser.py) does the same with JavaScript off and axe."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.settings import Settings
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar, row_counts

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FORM = {"titel": "Wij onderhouden het groen", "omschrijving": "Wij maaien het gras in de Kattensingel.",
        "vereisten": ["plan", "begroting"], "naam": "Fatima de Vries", "email": "fatima@example.nl",
        "telefoon": "", "organisatie": "Buurtvereniging Kattensingel", "adres": ""}


@pytest.fixture
def client(service, tmp_path) -> TestClient:
    app = create_app(service, settings=Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                                                huisstijl=ROOT / "huisstijl", documenten=tmp_path / "documenten"))
    return TestClient(app, base_url="http://testserver")


def token(client: TestClient, path: str = "/indienen/gouda") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def review(client: TestClient, form: dict | None = None) -> str:
    response = client.post("/indienen/gouda", data={**(form or FORM), "csrf": token(client), "stap": "controle"})
    assert response.status_code == 200, response.text
    assert "Controleer uw gegevens" in response.text
    return response.text


def hidden(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        found.setdefault(name, []).append(value)
    return found


def test_the_form_asks_what_the_definition_asks(client, service) -> None:
    html = unescape(client.get("/indienen/gouda").text)
    definition = service.definition_in_force("gouda")
    for vereiste in definition.vereisten.values():
        assert vereiste.label in html
    for wie in definition.toelating.wie:
        assert wie[1:] in html
    assert "Gemeente Gouda" in html  # the huisstijl's name
    assert 'name="website"' in html  # the honeypot


def test_review_then_submit_makes_one_challenge_with_its_documents_and_a_refresh_makes_no_second(
        client, service, database) -> None:
    html = review(client)
    assert "Buurtvereniging Kattensingel" in html and "Begroting en gevraagd budget" in html
    fields = hidden(html)
    before = row_counts(database)
    post = {k: v for k, v in fields.items()} | {"stap": "indienen"}
    done = client.post("/indienen/gouda", data=post, files=[("documenten", ("plan.pdf", PDF, "application/pdf"))])
    assert done.status_code == 200, done.text
    kenmerk = re.search(r"<strong>(UD-\d{4}-\d{4})</strong>", done.text).group(1)
    link = re.search(r'href="(http://testserver/status/[^"]+)"', done.text).group(1)
    assert client.get(link).status_code == 200

    found = service.search(actor=behandelaar()).items
    assert [c.kenmerk for c in found] == [kenmerk]
    challenge = found[0]
    assert challenge.state == "indiening.ontvangen" and challenge.titel == FORM["titel"]
    assert set(challenge.facts["vereisten"]) == {"plan", "begroting"}
    docs = service.documents_of(challenge.id, actor=behandelaar())
    assert [(d.name, d.size) for d in docs] == [("plan.pdf", len(PDF))]

    again = client.post("/indienen/gouda", data=post, files=[("documenten", ("plan.pdf", PDF, "application/pdf"))])
    assert again.status_code == 200 and "al ontvangen" in again.text and kenmerk in again.text
    assert len(service.search(actor=behandelaar()).items) == 1
    assert row_counts(database)["challenge"] == before["challenge"] + 1


def test_errors_stand_next_to_their_fields_and_the_input_is_kept(client, database) -> None:
    before = row_counts(database)
    bad = {**FORM, "titel": "Twee\r\nregels", "naam": "", "email": "geen-adres"}
    response = client.post("/indienen/gouda", data={**bad, "csrf": token(client), "stap": "controle"})
    assert response.status_code == 422
    html = response.text
    assert re.search(r'id="titel-fout"><strong>Fout:</strong> Bevat een teken dat hier niet mag \(regelovergang', html)
    assert 'id="naam-fout"' in html and 'id="email-fout"' in html and "geen-adres" in html
    assert 'value="Buurtvereniging Kattensingel"' in html  # kept
    assert 'href="#titel"' in html  # the summary links to the field
    assert row_counts(database) == before


def test_a_refused_document_returns_to_the_review_with_its_reason(client, service) -> None:
    fields = hidden(review(client)) | {"stap": "indienen"}
    response = client.post("/indienen/gouda", data=fields,
                           files=[("documenten", ("virus.exe", b"MZ\x90\x00", "application/x-msdownload"))])
    assert response.status_code == 422
    assert 'id="documenten-fout"' in response.text and "wordt niet aangenomen" in response.text
    assert service.search(actor=behandelaar()).total == 0


def test_without_the_csrf_token_or_with_the_honeypot_nothing_is_made(client, service) -> None:
    token(client)
    forged = client.post("/indienen/gouda", data={**FORM, "csrf": "verzonnen-token-van-elders", "stap": "indienen"})
    assert forged.status_code == 400 and "verlopen" in forged.text
    bot = client.post("/indienen/gouda", data={**FORM, "csrf": token(client), "stap": "controle",
                                               "website": "http://spam.example"})
    assert bot.status_code == 422
    assert service.search(actor=behandelaar()).total == 0


def test_an_unknown_gemeente_is_a_dutch_404_naming_the_known_ones(client) -> None:
    response = client.get("/indienen/atlantis")
    assert response.status_code == 404 and "bestaat niet" in response.text and "/indienen/gouda" in response.text


def test_the_form_shows_the_gemeentes_privacy_statement(client) -> None:
    html = client.get("/indienen/gouda").text  # gouda's huisstijl gives a link
    assert 'href="https://www.gouda.example/privacy"' in html
    assert "geen privacyverklaring gegeven" in client.get("/indienen/vught").text
