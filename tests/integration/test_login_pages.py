"""The login of the werkomgeving over HTTP, on both databases: the session cookie and its flags, the page asked
for after the login, only local paths as ``volgende``, the first-login password change, the role switch, logout,
expiry, CSRF refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi import Depends
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.web.login import COOKIE, local_path
from r2c.web.staff import Staff

GOOD = "paars-fietsrek-onder-de-brug"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def app(database, catalog):
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    app = create_app(service, settings=Settings())
    login = app.state.login

    @app.get("/gemeente/{gemeente}/proef")
    def page(gemeente: str, staff: Staff = Depends(login.require_staff)) -> dict:
        return {"rol": staff.rol, "actor": staff.actor().id}

    login.accounts.create(gemeente="gouda", rollen=["behandelaar", "teamleider"], email="b@gouda.example",
                          naam="B. Jansen", password=GOOD)
    return app


def _csrf(client: TestClient, path: str = "/inloggen") -> str:
    page = client.get(path)
    assert page.status_code == 200
    return page.text.split('name="csrf" value="')[1].split('"')[0]


def _login(client: TestClient, volgende: str = "/werkvoorraad", password: str = GOOD, email: str = "b@gouda.example"):
    return client.post("/inloggen", data={"email": email, "wachtwoord": password, "volgende": volgende,
                                          "csrf": _csrf(client)}, follow_redirects=False)


def test_without_a_session_a_page_sends_to_the_login_and_back(app) -> None:
    client = TestClient(app)
    asked = client.get("/gemeente/gouda/proef?x=1", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/inloggen?volgende=/gemeente/gouda/proef%3Fx%3D1"
    assert client.get("/", follow_redirects=False).headers["location"] == "/inloggen"
    done = _login(client, "/gemeente/gouda/proef?x=1")
    assert done.status_code == 303 and done.headers["location"] == "/gemeente/gouda/proef?x=1"
    cookie = done.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/gemeente/gouda/proef").json() == {"rol": "behandelaar", "actor": app.state.login.accounts.get(
        "b@gouda.example").id}
    assert client.get("/", follow_redirects=False).headers["location"] == "/werkvoorraad"
    assert "B. Jansen" in client.get("/werkvoorraad").text


def test_over_https_the_cookie_is_secure(app) -> None:
    client = TestClient(app, base_url="https://testserver")
    assert "Secure" in _login(client).headers["set-cookie"]


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x",
                                       "/https:/evil"])
def test_only_local_paths_are_followed(elsewhere) -> None:
    assert local_path(elsewhere) == "/werkvoorraad"


def test_a_wrong_password_is_a_clear_page_without_a_session(app) -> None:
    client = TestClient(app)
    wrong = _login(client, password="verkeerd-wachtwoord")
    unknown = _login(client, email="niemand@gouda.example")
    assert wrong.status_code == unknown.status_code == 401
    assert "Het e-mailadres of het wachtwoord klopt niet" in wrong.text and COOKIE not in wrong.headers.get(
        "set-cookie", "")
    assert wrong.text.replace("b@gouda.example", "") .count("klopt niet") == unknown.text.count("klopt niet")


def test_a_post_without_the_csrf_token_is_refused(app) -> None:
    client = TestClient(app)
    _csrf(client)
    refused = client.post("/inloggen", data={"email": "b@gouda.example", "wachtwoord": GOOD}, follow_redirects=False)
    assert refused.status_code == 403 and "verlopen" in refused.text
    _login(client)
    forged = client.post("/uitloggen", data={"csrf": "vals"}, follow_redirects=False)
    assert forged.status_code == 403 and "Het formulier was verlopen" in forged.text
    assert forged.headers["content-type"].startswith("text/html")
    assert client.post("/rol", data={"rol": "teamleider"}, follow_redirects=False).status_code == 403
    assert client.get("/gemeente/gouda/proef").status_code == 200  # still logged in


def test_switching_role_and_logging_out(app) -> None:
    client = TestClient(app)
    _login(client)
    token = _csrf(client, "/werkvoorraad")
    page = client.get("/werkvoorraad").text
    assert 'action="/rol"' in page and 'action="/uitloggen"' in page
    switched = client.post("/rol", data={"rol": "teamleider", "csrf": token, "volgende": "/gemeente/gouda/proef"},
                           follow_redirects=False)
    assert switched.headers["location"] == "/gemeente/gouda/proef"
    assert client.get("/gemeente/gouda/proef").json()["rol"] == "teamleider"
    assert client.post("/rol", data={"rol": "college", "csrf": token}).status_code == 400
    out = client.post("/uitloggen", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/inloggen?verlopen=uit"
    assert client.get("/gemeente/gouda/proef", follow_redirects=False).status_code == 303
    assert "U bent uitgelogd." in client.get("/inloggen?verlopen=uit").text


def test_an_idle_session_expires_and_the_login_returns_to_the_page(app) -> None:
    client = TestClient(app)
    with time_machine.travel(START, tick=False) as traveller:
        _login(client)
        traveller.shift(timedelta(minutes=31))
        expired = client.get("/gemeente/gouda/proef", follow_redirects=False)
        assert expired.headers["location"] == "/inloggen?volgende=/gemeente/gouda/proef&verlopen=sessie"
        assert "Uw sessie is verlopen" in client.get(expired.headers["location"]).text
        assert _login(client, "/gemeente/gouda/proef").headers["location"] == "/gemeente/gouda/proef"


def test_a_one_time_password_leads_to_the_password_change_first(app) -> None:
    _, issued = app.state.login.accounts.create(gemeente="gouda", rollen=["lezer"], email="nieuw@gouda.example")
    client = TestClient(app)
    first = _login(client, "/gemeente/gouda/proef", password=issued, email="nieuw@gouda.example")
    assert first.headers["location"] == "/wachtwoord?volgende=/gemeente/gouda/proef"
    assert client.get("/gemeente/gouda/proef", follow_redirects=False).headers["location"].startswith("/wachtwoord")
    token = _csrf(client, "/wachtwoord")
    short = client.post("/wachtwoord", data={"wachtwoord": "kort", "herhaling": "kort", "csrf": token})
    assert short.status_code == 400 and "minstens 12 tekens" in short.text
    done = client.post("/wachtwoord", data={"wachtwoord": GOOD, "herhaling": GOOD, "csrf": token,
                                            "volgende": "/gemeente/gouda/proef"}, follow_redirects=False)
    assert done.headers["location"] == "/gemeente/gouda/proef"
    assert client.get("/gemeente/gouda/proef").json()["rol"] == "lezer"
    assert app.state.login.accounts.verify("nieuw@gouda.example", GOOD).must_change is False
