"""Errors that no route answers itself. A person's browser gets a Dutch page that says what to do: for a path
that no route serves (with the status, and the Allow header for a form's address opened as a page) and for an
error in r2c (500, with the request id to name, logged with its traceback, no internal detail shown); without
its database, a staff page says to try again later (503) and an API key is refused with a 503, not a 500. The
API's clients and every path under /api/ keep problem+json."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.settings import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def app(database, catalog) -> FastAPI:
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    app = create_app(service, settings=Settings())

    @app.get("/proef/kapot")
    @app.get("/api/v1/proef/kapot")
    def broken() -> None:
        raise RuntimeError("geheime interne fout in regel 42")

    return app


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


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


def test_an_error_in_r2c_is_a_dutch_page_with_the_code_to_name_and_a_logged_traceback(client, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="r2c.api"):
        page = client.get("/proef/kapot", headers={**BROWSER, "X-Request-ID": "vraag-17"})
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "<h1 class=\"utrecht-heading-1\">Er ging iets mis</h1>" in page.text and "niet aan u" in page.text
    assert "noem deze code: vraag-17" in page.text and page.headers["X-Request-ID"] == "vraag-17"
    assert "geheime interne fout" not in page.text and "Traceback" not in page.text
    [record] = [r for r in caplog.records if r.name == "r2c.api"]
    assert record.exc_info and "geheime interne fout" in str(record.exc_info[1])
    assert "GET /proef/kapot" in record.getMessage()


@pytest.mark.parametrize(("path", "headers"), [("/proef/kapot", {}), ("/api/v1/proef/kapot", BROWSER)])
def test_an_error_in_r2c_stays_a_problem_document_for_the_api(client, path, headers) -> None:
    answer = client.get(path, headers={**headers, "X-Request-ID": "vraag-18"})
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Er ging iets mis bij r2c" and answer.headers["X-Request-ID"] == "vraag-18"
    assert "geheime interne fout" not in answer.text


@pytest.fixture(params=["sqlite", "postgresql"])
def away(request, catalog, tmp_path) -> TestClient:
    """r2c on a database that cannot be reached: SQLite in a folder that does not exist, PostgreSQL on a port where
    nothing listens (a real driver's real error either way)."""
    import socket

    from r2c.store import Database

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = (f"postgresql+psycopg://postgres@127.0.0.1:{port}/r2c?connect_timeout=5" if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'weg' / 'r2c.db'}")
    database = Database.connect(url)
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    yield TestClient(create_app(service, settings=Settings()), raise_server_exceptions=False)
    database.engine.dispose()


def test_without_its_database_a_staff_page_says_to_try_again_later_not_an_error_in_r2c(away, caplog) -> None:
    form = away.get("/inloggen", headers=BROWSER)  # the login form itself needs no database
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    away.cookies.set("r2c_sessie", "een-sessie-van-gisteren")
    with caplog.at_level(logging.WARNING, logger="r2c.api"):
        pages = [away.get(path, headers=BROWSER) for path in ("/werkvoorraad", "/rapport/gouda/2026")]
        login = away.post("/inloggen", headers=BROWSER, data={"email": "b@gouda.example", "wachtwoord": "x" * 12,
                                                              "csrf": csrf})
    for page in [*pages, login]:
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html"), page.text[:300]
        assert "Deze pagina is nu niet beschikbaar" in page.text and "niet aan u" in page.text
        assert page.headers["Retry-After"] == "30" and "weg" not in page.text and "5432" not in page.text
    assert any("opslag niet beschikbaar" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]  # nothing logged as an error in r2c


def test_without_its_database_a_key_is_refused_with_503_not_500(away) -> None:
    answer = away.get("/api/v1/challenges", headers={"Authorization": "Bearer r2c_key_bestaatnietmaarwelgoedgevormd"})
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json", answer.text
    assert answer.json()["type"].endswith("/opslag-onbereikbaar")
