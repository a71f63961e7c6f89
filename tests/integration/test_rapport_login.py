"""The year report page in the werkomgeving, behind the real login: a teamleider reaches it (after the login, back
at the page asked for), a behandelaar gets the 403 page, another gemeente's report is a 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.settings import Settings
from tests.integration.test_login_pages import GOOD, _login


@pytest.fixture
def client(database, catalog) -> TestClient:
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    app = create_app(service, settings=Settings())
    app.state.login.accounts.create(gemeente="gouda", rollen=["behandelaar", "teamleider"], email="b@gouda.example",
                                    naam="B. Jansen", password=GOOD)
    return TestClient(app, base_url="http://testserver")


def test_the_report_page_is_behind_the_login_and_for_the_teamleider(client) -> None:
    year = SystemClock().now().year
    asked = client.get(f"/rapport/gouda/{year}", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/inloggen?volgende=")
    landed = _login(client, volgende=f"/rapport/gouda/{year}")
    assert landed.status_code == 303 and landed.headers["location"] == f"/rapport/gouda/{year}"

    csrf = client.get("/inloggen").text.split('name="csrf" value="')[1].split('"')[0]
    as_behandelaar = client.post("/rol", data={"rol": "behandelaar", "csrf": csrf, "volgende": "/werkvoorraad"})
    assert as_behandelaar.status_code in (200, 303)
    refused = client.get(f"/rapport/gouda/{year}")
    assert refused.status_code == 403 and "teamleiders" in refused.text

    csrf = client.get("/inloggen").text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/rol", data={"rol": "teamleider", "csrf": csrf, "volgende": "/werkvoorraad"})
    page = client.get(f"/rapport/gouda/{year}")
    assert page.status_code == 200 and "<h1" in page.text and "docs/rapportage.md" in page.text
    assert client.get(f"/rapport/vught/{year}").status_code == 404
