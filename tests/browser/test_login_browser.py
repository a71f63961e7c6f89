"""The login of the werkomgeving in a real browser: a local login lands on the page asked for, logout, an expired
session goes to the login and then back to the page asked for, OpenID Connect against a real provider process on
loopback (oidc-provider-mock: the test chooses the person's claims), and axe on every state of the login page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import Depends
from fastapi.responses import HTMLResponse

from r2c.api import create_app
from r2c.clock import FixedClock
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database
from r2c.web.staff import Staff
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve

GOOD = "paars-fietsrek-onder-de-brug"
CLAIMS = {"b.jansen": {"email": "b.jansen@gouda.example", "name": "B. Jansen", "gemeente": "gouda",
                       "rollen": ["behandelaar", "teamleider", "tovenaar"]},
          "buiten": {"email": "x@elders.example", "name": "X", "gemeente": "atlantis", "rollen": ["behandelaar"]},
          "zonderrol": {"email": "z@gouda.example", "name": "Z", "gemeente": "gouda", "rollen": ["tovenaar"]}}


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=sub, claims=claims) for sub, claims in CLAIMS.items()]
    with run_server_in_thread(port=0, require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def site(tmp_path, catalog, provider):
    database = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    database.upgrade()
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    app = create_app(service, settings=Settings(oidc_issuer=provider, oidc_client_id="r2c", oidc_client_secret="geheim",
                                                oidc_naam="Gemeente Gouda"))
    login = app.state.login

    @app.get("/proef/pagina")
    def page(staff: Staff = Depends(login.require_staff)) -> HTMLResponse:
        return HTMLResponse(f"<p id='wie'>{staff.naam} {staff.gemeente} {staff.rol} {','.join(staff.rollen)}</p>")

    login.accounts.create(gemeente="gouda", rollen=["behandelaar"], email="b@gouda.example", naam="B. de Boer",
                          password=GOOD)
    login.accounts.create(gemeente="gouda", rollen=["lezer"], email="weg@gouda.example", password=GOOD)
    login.accounts.block("weg@gouda.example")
    _, issued = login.accounts.create(gemeente="gouda", rollen=["lezer"], email="nieuw@gouda.example")
    with serve(app) as url:
        yield url, clock, issued
    database.engine.dispose()


@pytest.fixture
def page(browser):
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def _log_in(page, email="b@gouda.example", password=GOOD) -> None:
    page.fill("#email", email)
    page.fill("#wachtwoord", password)
    page.click("button:has-text('Inloggen')")


def test_a_local_login_lands_on_the_page_asked_for_and_logout_ends_it(site, page) -> None:
    url, _, _ = site
    page.goto(f"{url}/proef/pagina")
    assert "/inloggen?volgende=/proef/pagina" in page.url
    _log_in(page)
    assert page.url == f"{url}/proef/pagina"
    assert page.text_content("#wie") == "B. de Boer gouda behandelaar behandelaar"
    page.goto(f"{url}/")
    assert page.url == f"{url}/werkvoorraad"
    page.click("button:has-text('Uitloggen')")
    assert page.url == f"{url}/inloggen?verlopen=uit" and "U bent uitgelogd." in page.text_content("main")
    assert_accessible(page, "na uitloggen")
    page.goto(f"{url}/proef/pagina")
    assert "/inloggen" in page.url


def test_an_expired_session_returns_to_the_login_then_to_the_page(site, page) -> None:
    url, clock, _ = site
    page.goto(f"{url}/inloggen")
    _log_in(page)
    clock.set(clock.now() + timedelta(minutes=31))
    page.goto(f"{url}/proef/pagina")
    assert "/inloggen?volgende=/proef/pagina&verlopen=sessie" in page.url
    assert "Uw sessie is verlopen" in page.text_content("#melding")
    assert_accessible(page, "sessie verlopen")
    _log_in(page)
    assert page.url == f"{url}/proef/pagina"


def test_every_state_of_the_login_page_passes_axe(site, page) -> None:
    url, _, _ = site
    page.goto(f"{url}/inloggen")
    assert "Inloggen met Gemeente Gouda" in page.text_content("main")
    assert_accessible(page, "leeg formulier")
    page.click("button:has-text('Inloggen')")
    assert "Vul uw e-mailadres in." in page.text_content("#fouten")
    assert_accessible(page, "fouten in het formulier")
    _log_in(page, "weg@gouda.example")
    blocked = page.text_content("#melding")
    assert "klopt niet" in blocked
    assert_accessible(page, "geblokkeerd")
    for _ in range(5):
        _log_in(page, password="verkeerd-wachtwoord")
    assert "15 minuten vergrendeld" in page.text_content("#melding")
    assert_accessible(page, "vergrendeld")
    _log_in(page, "niemand@gouda.example")
    assert page.text_content("#melding") == blocked  # unknown looks like blocked


def test_the_first_login_asks_for_a_new_password(site, page) -> None:
    url, _, issued = site
    page.goto(f"{url}/proef/pagina")
    _log_in(page, "nieuw@gouda.example", issued)
    assert "/wachtwoord?volgende=/proef/pagina" in page.url
    assert_accessible(page, "nieuw wachtwoord kiezen")
    page.fill("#wachtwoord", "kort")
    page.fill("#herhaling", "kort")
    page.click("button:has-text('Wachtwoord opslaan')")
    assert "minstens 12 tekens" in page.text_content("#fouten")
    assert_accessible(page, "nieuw wachtwoord met fout")
    page.fill("#wachtwoord", GOOD)
    page.fill("#herhaling", GOOD)
    page.click("button:has-text('Wachtwoord opslaan')")
    assert page.url == f"{url}/proef/pagina"
    assert page.text_content("#wie").startswith("nieuw gouda lezer")


def test_openid_connect_login_against_a_real_provider(site, page) -> None:
    url, _, _ = site
    page.goto(f"{url}/proef/pagina")
    page.click("a:has-text('Inloggen met Gemeente Gouda')")
    page.click("button[value='b.jansen']")
    assert page.url == f"{url}/proef/pagina"
    assert page.text_content("#wie") == "B. Jansen gouda behandelaar behandelaar,teamleider"
    page.goto(f"{url}/werkvoorraad")
    page.select_option("#rol-kiezen", "teamleider")
    page.click("button:has-text('Wissel van rol')")
    assert page.eval_on_selector("#rol-kiezen", "e => e.value") == "teamleider"
    assert page.url == f"{url}/werkvoorraad"
    assert_accessible(page, "werkvoorraad met rolwissel")


@pytest.mark.parametrize(("sub", "says"), [("buiten", "geen gemeente die r2c kent"), ("zonderrol", "geen rol")])
def test_an_openid_login_without_gemeente_or_role_is_refused(site, page, sub, says) -> None:
    url, _, _ = site
    page.goto(f"{url}/inloggen")
    page.click("a:has-text('Inloggen met Gemeente Gouda')")
    page.click(f"button[value='{sub}']")
    assert says in page.text_content("main")
    assert_accessible(page, "geweigerd")
    page.goto(f"{url}/proef/pagina")
    assert "/inloggen" in page.url
