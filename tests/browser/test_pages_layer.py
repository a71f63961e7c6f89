"""The shared page layer (r2c.web.pages): every form field kind, with and without errors, passes axe (WCAG 2.1
AA), works at 320 px, loads its vendored CSS under the strict CSP, and a POST without the CSRF token of its
cookie is refused."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import PlainTextResponse

from r2c.web import csrf
from r2c.web.pages import environment, mount_static, render
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve

SAMPLE = """{% extends "pagina/_basis.html" %}{% import "pagina/_velden.html" as veld %}
{% block titel %}Voorbeeld{% endblock %}
{% block inhoud %}<h1 class="utrecht-heading-1">Voorbeeld van elk veld</h1>
{{ veld.foutsamenvatting(fouten) }}
<form method="post" action="/verstuur" enctype="multipart/form-data" novalidate>
{{ veld.csrf(csrf_field, csrf_token) }}
{{ veld.tekst("titel", "Titel", waarde, fouten.get("titel"), uitleg="Een korte naam", verplicht=True) }}
{{ veld.tekstvak("toelichting", "Toelichting", waarde, fouten.get("toelichting")) }}
{{ veld.datum("datum", "Datum", "", fouten.get("datum"), verplicht=True) }}
{{ veld.bedrag("bedrag", "Bedrag in euro", "", fouten.get("bedrag")) }}
{{ veld.vinkje("akkoord", "Ik ga akkoord", False, fouten.get("akkoord")) }}
{{ veld.keuzes("oordeel", "Oordeel", [("voldoet", "Voldoet"), ("voldoet_niet", "Voldoet niet")], None,
               fouten.get("oordeel"), verplicht=True) }}
{{ veld.keuzelijst("fase", "Fase", [("toetsing", "Toetsing")], None, fouten.get("fase")) }}
{{ veld.bestand("stuk", "Document", fouten.get("stuk"), uitleg="PDF, hoogstens 10 MB") }}
{{ veld.knop("Versturen") }}
</form>{% endblock %}"""

ERRORS = {"titel": "Vul een titel in.", "toelichting": "Schrijf hoogstens 2000 tekens.", "datum": "Vul een datum in.",
          "bedrag": "Schrijf een bedrag als 1250,50.", "akkoord": "Zet een vinkje.", "oordeel": "Kies een oordeel.",
          "fase": "Kies een fase.", "stuk": "Dit bestand is te groot."}


@pytest.fixture
def pages_site():
    app = FastAPI()
    mount_static(app)
    template = environment().from_string(SAMPLE)

    @app.get("/voorbeeld")
    def sample(request: Request, fout: bool = False):
        return render(request, template, fouten=ERRORS if fout else {}, waarde="x")

    @app.post("/verstuur")
    def post(request: Request, csrf_value: str = Form("", alias=csrf.FIELD)):
        if not csrf.valid(request, csrf_value):
            return PlainTextResponse("geweigerd", status_code=403)
        return PlainTextResponse("ontvangen")

    with serve(app) as url:
        yield url


@pytest.mark.parametrize("with_errors", [False, True], ids=["leeg", "met-fouten"])
def test_every_field_kind_passes_axe(browser, pages_site, with_errors):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{pages_site}/voorbeeld{'?fout=true' if with_errors else ''}")
    assert page.locator("form input[name=titel]").count() == 1
    if with_errors:
        assert page.locator("#titel-fout").inner_text().endswith("Vul een titel in.")
        assert page.locator("#titel").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "het voorbeeldformulier")
    context.close()


def test_vendored_css_loads_under_the_csp_and_fits_320_px(browser, pages_site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto(f"{pages_site}/voorbeeld?fout=true")
    assert blocked == []
    # the three stylesheets (Utrecht components, voorbeeld theme, r2c) loaded, and the theme's tokens apply
    loaded = page.evaluate("[...document.styleSheets].map(s => [s.href.split('/static/')[1], s.cssRules.length])")
    assert [name.split("?")[0] for name, _ in loaded] == ["utrecht/index.css", "voorbeeld/theme.css", "r2c.css"]
    assert all(rules >= 1 for _, rules in loaded)
    token = page.evaluate("getComputedStyle(document.body).getPropertyValue('--utrecht-button-primary-action-background-color')")
    assert token.strip()
    # text and labels in the theme's text font, not the browser's default (Times): the theme names no
    # document font, r2c.css does
    fonts = page.evaluate(
        "['body', 'label', 'legend'].map(s => getComputedStyle(document.querySelector(s)).fontFamily)")
    assert fonts == ['"Noto Sans", sans-serif'] * 3, fonts
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_a_post_needs_the_token_of_its_cookie(browser, pages_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{pages_site}/voorbeeld")
    page.fill("#titel", "Buurtpark")
    page.click("button[type=submit]")
    assert page.locator("body").inner_text() == "ontvangen"

    forged = context.request.post(f"{pages_site}/verstuur", multipart={csrf.FIELD: "verzonnen-token-van-elders-123"})
    assert forged.status == 403
    other_site = context.request.post(f"{pages_site}/verstuur", headers={"Origin": "https://kwaadwillend.example"},
                                      multipart={csrf.FIELD: page.context.cookies()[0]["value"]})
    assert other_site.status == 403
    context.close()


def test_a_missing_page_and_an_error_in_r2c_are_dutch_pages_that_pass_axe(browser, tmp_path, catalog):
    from r2c.api import create_app
    from r2c.clock import SystemClock
    from r2c.service import ChallengeService
    from r2c.settings import Settings
    from r2c.store import Database

    database = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    app = create_app(service, settings=Settings())

    @app.get("/proef/kapot")
    def broken() -> None:
        raise RuntimeError("kapot")

    with serve(app) as url:
        context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 700})
        page = context.new_page()
        broke = page.goto(f"{url}/proef/kapot")
        assert broke.status == 500 and page.locator("h1").inner_text() == "Er ging iets mis"
        assert_accessible(page, "de pagina bij een fout in r2c")
        response = page.goto(f"{url}/login")
        assert response.status == 404 and page.locator("h1").inner_text() == "Deze pagina bestaat niet"
        assert_accessible(page, "een pagina die niet bestaat")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        with page.expect_navigation():
            page.get_by_role("link", name="Werkt u bij de gemeente? Ga naar de werkvoorraad").click()
        assert page.url == f"{url}/inloggen"
        context.close()
    database.engine.dispose()
