"""A path that no route serves: a person's browser gets a Dutch page that says what to do (with the status,
and the Allow header for a form's address opened as a page); the API's clients and every path under /api/ keep
problem+json."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.settings import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def client(database, catalog) -> TestClient:
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    return TestClient(create_app(service, settings=Settings()))


@pytest.mark.parametrize("path", ["/login", "/werkvoorraad/oud", "/indienen"])
def test_a_browser_gets_a_dutch_page_for_a_path_that_does_not_exist(client, path) -> None:
    page = client.get(path, headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="nl"' in page.text and "<h1 class=\"utrecht-heading-1\">Deze pagina bestaat niet</h1>" in page.text
    assert "link uit uw e-mail" in page.text and 'href="/"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_forms_address_opened_as_a_page_is_that_page_too_with_its_method(client) -> None:
    page = client.get("/uitloggen", headers=BROWSER)  # the logout button's address
    assert page.status_code == 405 and "Deze pagina bestaat niet" in page.text
    assert "POST" in page.headers["allow"]


@pytest.mark.parametrize(("path", "headers"), [("/login", {"Accept": "*/*"}), ("/login", {}),
                                               ("/api/v1/bestaat-niet", BROWSER)])
def test_the_api_and_its_clients_keep_problem_json(client, path, headers) -> None:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Niet gevonden"
