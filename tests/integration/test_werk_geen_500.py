"""No input gives a 500 in the werkomgeving: nasty values (empty, huge, control characters, wrong types, numbers
that do not fit, dates that do not exist, markup), a missing CSRF token, unknown and repeated fields and another
gemeente's ids are posted to EVERY form of the pages: each event form of a challenge in each state of a lifecycle
of the VNG model (gouda's definition), assign, upload, registreren, login, wachtwoord and rol. Each answer is below
500 and, when refused, an HTML page with a Dutch message (an alert or an error next to a field), never JSON or a
traceback. The whole app (``create_app``) with the real login runs on each database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.engine.case import Actor
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import DocumentStore
from tests.integration.forms import Form, forms_of
from tests.integration.helpers import submit
from tests.integration.lifecycle import driven, lifecycle, role_for

PASSWORD = "paars-fietsrek-onder-de-brug"
EMAIL = "b.jansen@gouda.example"
NASTY = ["", " ", "x" * 100_000, "\x00", "a\x1b[31mb", "\r\n\t", "<script>alert(1)</script>", "-1",
         "99999999999999999999999999", "NaN", "1e309", "2026-02-30", "0000-00-00", "9999-12-31",
         "' OR 1=1 --", "../../etc/passwd", "😀" * 40, "ja\x00nee", "voldoet_niet\n"]
DUTCH = re.compile(r"\b(de|het|een|niet|is|uw|u|dit|kies|vul|schrijf|formulier|bestaat|mag|kan|zijn|of)\b", re.I)
MESSAGE = re.compile(r'(?:role="alert"[^>]*>|<strong>Fout:</strong>|<h1 class="utrecht-heading-1">)(.*?)</(?:div|h1|a)>',
                     re.S)


def assert_no_500_and_dutch(response, where: str) -> None:
    """Below 500; a refusal is an HTML page whose message is Dutch."""
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code in (200, 303):
        return
    assert response.headers.get("content-type", "").startswith("text/html"), (
        f"{where}: {response.status_code} {response.headers.get('content-type')} {response.text[:300]}")
    messages = " ".join(re.sub(r"<[^>]+>", " ", m) for m in MESSAGE.findall(response.text))
    assert DUTCH.search(messages), f"{where}: {response.status_code} zonder Nederlandse melding: {messages[:300]}"
    assert "Traceback" not in response.text


@pytest.fixture
def site(database, catalog, clock, tmp_path) -> Iterator[tuple[TestClient, ChallengeService, Any]]:
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    app = create_app(service, settings=Settings())
    login = app.state.login
    login.accounts.create(gemeente="gouda", rollen=["behandelaar", "teamleider", "college"], email=EMAIL,
                          naam="B. Jansen", password=PASSWORD)
    web = TestClient(app, raise_server_exceptions=False)
    page = web.get("/inloggen")
    token = forms_of(page.text)[-1].hidden()["csrf"]
    done = web.post("/inloggen", data={"email": EMAIL, "wachtwoord": PASSWORD, "csrf": token},
                    follow_redirects=False)
    assert done.status_code == 303, done.text[:300]
    yield web, service, app


def as_role(web: TestClient, rol: str) -> None:
    page = web.get("/werkvoorraad")
    form = next(f for f in forms_of(page.text) if f.action == "/rol")
    assert web.post("/rol", data={**form.hidden(), "rol": rol}, follow_redirects=False).status_code == 303


def variants(form: Form) -> Iterator[tuple[str, dict[str, Any], list[tuple[str, tuple[str, bytes, str]]]]]:
    """(what, form data, files) to post to ``form``: every field set to each nasty value, and the rest."""
    hidden = form.hidden()
    names = form.names()
    files = form.names(kinds=("file",))
    for value in NASTY:
        yield f"alles={value[:12]!r}", {**hidden, **{n: value for n in names}}, []
    yield "zonder csrf", {k: v for k, v in hidden.items() if k != "csrf"}, []
    yield "onbekende velden", {**hidden, "versie": "abc", "onbekend": "x", "stap": "?"}, []
    yield "velden dubbel", {**hidden, **{n: ["a", "b"] for n in names}, "versie": [hidden.get("versie", "0"), "1"]}, []
    for value in ("-1", "1" * 40, "1.5", ""):
        yield f"versie={value!r}", {**hidden, "versie": value}, []
    for name in files:
        for filename, content, kind in (("", b"", "application/pdf"), ("a.pdf", b"", "application/pdf"),
                                        ("\x00.pdf", b"%PDF", "application/pdf"), ("x" * 400, b"%PDF", "text/plain"),
                                        ("a.exe", b"MZ", "application/x-msdownload"), ("a.pdf", b"%PDF", "")):
            yield f"bestand {filename[:12]!r} {kind!r}", hidden, [(name, (filename, content, kind))]


def fuzz(web: TestClient, form: Form, where: str, fresh: Callable[[], Form | None]) -> int:
    """Post every variant to ``form``; after one that went through (303), ``fresh`` gives the form again (on a new
    challenge in the same state). Returns the number of posts."""
    sent = 0
    for what, data, files in variants(form):
        kwargs: dict[str, Any] = {"data": data, "follow_redirects": False}
        if files or form.enctype == "multipart/form-data":
            kwargs["files"] = files or [("leeg", ("", b"", "application/octet-stream"))]
        response = web.post(form.action, **kwargs)
        sent += 1
        assert_no_500_and_dutch(response, f"{where} {form.action} ({what})")
        if response.status_code == 303 and form.action not in ("/rol", "/inloggen"):
            again = fresh()
            if again is None:
                return sent
            form = again
    return sent


def test_every_event_form_in_every_state_assign_and_upload_survive_nasty_input(site) -> None:
    web, service, _ = site
    steps = lifecycle(service)
    posted, seen_events = 0, set()
    for done in range(len(steps) + 1):
        probe = driven(service, done)
        roles = {role_for(service, probe, e) for e, _ in steps[done:done + 1]} | {"behandelaar"}
        for rol in sorted(roles):
            as_role(web, rol)
            challenge_id = driven(service, done)
            page = web.get(f"/uitdagingen/{challenge_id}")
            assert page.status_code == 200
            for form in forms_of(page.text):
                if form.method != "post" or not form.action.startswith("/uitdagingen/"):
                    continue
                tail = form.action.split("/", 3)[3]
                seen_events.add(tail)

                def fresh(tail: str = tail) -> Form | None:
                    other = driven(service, done)
                    return next((f for f in forms_of(web.get(f"/uitdagingen/{other}").text)
                                 if f.action == f"/uitdagingen/{other}/{tail}"), None)

                posted += fuzz(web, form, f"staat {done} als {rol}", fresh)
    assert {"toewijzen", "documenten", "stap/aanvulling_vragen", "stap/beoordelen", "stap/toekennen",
            "stap/overeenkomst_sluiten", "stap/verantwoorden"} <= seen_events, seen_events
    assert posted > 300


def test_registreren_wachtwoord_rol_and_login_survive_nasty_input(site) -> None:
    web, service, app = site
    as_role(web, "behandelaar")
    register = next(f for f in forms_of(web.get("/registreren").text) if f.action == "/registreren")
    fuzz(web, register, "registreren", lambda: register)
    password = next(f for f in forms_of(web.get("/wachtwoord").text) if f.action == "/wachtwoord")
    fuzz(web, password, "wachtwoord", lambda: password)
    rol = next(f for f in forms_of(web.get("/werkvoorraad").text) if f.action == "/rol")
    fuzz(web, rol, "rol", lambda: rol)
    for value in NASTY:  # the werkvoorraad's search form (GET)
        fields = {name: value[:2000] for name in ("zoek", "tab", "pagina")}  # a URL stays short
        assert_no_500_and_dutch(web.get("/werkvoorraad", params=fields), f"werkvoorraad {value[:12]!r}")
    stranger = TestClient(app, raise_server_exceptions=False)
    login = next(f for f in forms_of(stranger.get("/inloggen").text) if f.action == "/inloggen")
    fuzz(stranger, login, "inloggen", lambda: login)


def test_another_gemeentes_ids_in_every_form_are_a_404_page(site) -> None:
    web, service, _ = site
    as_role(web, "behandelaar")
    elders = submit(service, "vught").challenge
    own = driven(service, 0)
    page = web.get(f"/uitdagingen/{own}")
    hidden = forms_of(page.text)[-1].hidden()
    for tail in ("stap/aanvulling_vragen", "toewijzen", "documenten", "documenten/x", "brieven/1", "brieven/1/pdf"):
        path = f"/uitdagingen/{elders.id}/{tail}"
        response = (web.get(path) if tail.startswith(("brieven", "documenten/")) else
                    web.post(path, data={**hidden, "versie": str(elders.version)},
                             files=[("document", ("a.pdf", b"%PDF-1.4", "application/pdf"))]))
        assert response.status_code == 404, (tail, response.status_code)
        assert_no_500_and_dutch(response, tail)
        assert elders.titel not in response.text or tail.startswith("documenten/")
    vught = Actor("v", "behandelaar", "vught")
    assert service.get(elders.id, actor=vught).version == elders.version
    assert service.documents_of(elders.id, actor=vught) == []


def test_a_post_after_the_session_ended_returns_via_the_login_to_the_challenge_page(site) -> None:
    web, service, app = site
    challenge_id = driven(service, 0)
    anonymous = TestClient(app, raise_server_exceptions=False)
    for tail in ("stap/aanvulling_vragen", "toewijzen", "documenten"):
        sent = anonymous.post(f"/uitdagingen/{challenge_id}/{tail}", data={"versie": "0"}, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/inloggen?volgende=")
        login = next(f for f in forms_of(anonymous.get(sent.headers["location"]).text) if f.action == "/inloggen")
        done = anonymous.post("/inloggen", data={**login.hidden(), "email": EMAIL, "wachtwoord": PASSWORD})
        assert done.status_code == 200 and done.url.path == f"/uitdagingen/{challenge_id}", done.url
        anonymous.cookies.clear()
