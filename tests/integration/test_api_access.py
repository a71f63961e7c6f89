"""The authorisation matrix: every role x every endpoint x own or other gemeente (or challenge), and anonymous.

The table below is the access rule as a user meets it. 'ander' is a challenge of another gemeente for a key, and
another resident's challenge for a status link. 404 where the caller may not see (no existence leaks), 403 where
the caller is known but the role may not, 401 without credentials.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.service import ChallengeService
from r2c.store import Database, DocumentStore
from tests.conftest import MODEL_DIR, WORKFLOW_DIR
from tests.integration.apiclient import Api, make_api, status_headers

KEY_ROLES = ("behandelaar", "teamleider", "college", "systeem", "lezer", "beheerder")
CALLERS = (*KEY_ROLES, "initiatiefnemer", "anoniem")
STAFF = ("behandelaar", "teamleider", "college", "systeem")  # roles that act on a challenge
READERS = ("lezer", "beheerder")

READ = {**{r: (200, 404) for r in (*KEY_ROLES, "initiatiefnemer")}, "anoniem": (401, 401)}
"""(own, other) for endpoints everyone who is signed in may read."""

EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "get": READ, "events": READ, "terms": READ, "letters": READ, "documents": READ, "letter_preview": READ,
    "letter_pdf": READ, "download": READ,
    "download_staff": {**{r: (200, 404) for r in KEY_ROLES}, "initiatiefnemer": (404, 404), "anoniem": (401, 401)},
    "timeline": {**{r: (200, 404) for r in KEY_ROLES}, "initiatiefnemer": (403, 403), "anoniem": (401, 401)},
    "fire": {"behandelaar": (200, 404), **{r: (409, 404) for r in ("teamleider", "college", "systeem")},
             **{r: (403, 403) for r in READERS}, "initiatiefnemer": (409, 404), "anoniem": (401, 401)},
    "assign": {"behandelaar": (200, 404), "teamleider": (200, 404),
               **{r: (403, 404) for r in ("college", "systeem", *READERS)},
               "initiatiefnemer": (403, 403), "anoniem": (401, 401)},
    "upload": {**{r: (201, 404) for r in (*STAFF, "initiatiefnemer")}, **{r: (403, 403) for r in READERS},
               "anoniem": (401, 401)},
    "renew_link": {**{r: (201, 404) for r in STAFF}, **{r: (403, 403) for r in (*READERS, "initiatiefnemer")},
                   "anoniem": (401, 401)},
    "revoke_link": {**{r: (200, 404) for r in STAFF}, **{r: (403, 403) for r in (*READERS, "initiatiefnemer")},
                    "anoniem": (401, 401)},
}

ENDPOINTS = {
    "get": ("GET", "/api/v1/challenges/{id}"),
    "events": ("GET", "/api/v1/challenges/{id}/events"),
    "terms": ("GET", "/api/v1/challenges/{id}/terms"),
    "letters": ("GET", "/api/v1/challenges/{id}/letters"),
    "letter_preview": ("GET", "/api/v1/challenges/{id}/letters/{letter}"),
    "letter_pdf": ("GET", "/api/v1/challenges/{id}/letters/{letter}/pdf"),
    "documents": ("GET", "/api/v1/challenges/{id}/documents"),
    "download": ("GET", "/api/v1/challenges/{id}/documents/{document}"),  # the resident's own upload
    "download_staff": ("GET", "/api/v1/challenges/{id}/documents/{document}"),  # a working paper of the gemeente
    "timeline": ("GET", "/api/v1/challenges/{id}/timeline"),
    "fire": ("POST", "/api/v1/challenges/{id}/events/aanvulling_vragen"),
    "assign": ("PUT", "/api/v1/challenges/{id}/behandelaar"),
    "upload": ("POST", "/api/v1/challenges/{id}/documents"),
    "renew_link": ("POST", "/api/v1/challenges/{id}/statuslink"),
    "revoke_link": ("DELETE", "/api/v1/challenges/{id}/statuslink"),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Api:
    folder = tmp_path_factory.mktemp("toegang")
    database = Database.connect(f"sqlite:///{folder / 'r2c.db'}")
    database.upgrade()
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc))
    service = ChallengeService(database.sessions, load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[]), clock,
                               read_session_factory=database.read_sessions,
                               documents=DocumentStore(folder / "documenten"))
    yield make_api(service, database, folder)
    database.engine.dispose()


def headers_of(api: Api, caller: str, own: dict) -> dict[str, str]:
    if caller == "anoniem":
        return {}
    if caller == "initiatiefnemer":
        return status_headers(own)
    return api.key(caller, "gouda")


def request(api: Api, endpoint: str, caller: str, headers: dict[str, str], target: dict):
    method, path = ENDPOINTS[endpoint]
    ident = target["challenge"]["id"]
    letter, document = 1, "geen"
    if endpoint in ("letter_preview", "letter_pdf"):  # the target's own ontvangstbevestiging, read as its owner
        owner = status_headers(target)
        letter = api.client.get(f"/api/v1/challenges/{ident}/letters", headers=owner).json()[0]["id"]
    if endpoint in ("download", "download_staff"):  # uploaded by the target's resident, or by its behandelaar
        uploader = status_headers(target) if endpoint == "download" else api.key(
            "behandelaar", target["challenge"]["gemeente"])
        document = api.client.post(f"/api/v1/challenges/{ident}/documents", headers=uploader, files={
            "bestand": ("stuk.txt", b"inhoud", "text/plain")}).json()["id"]
    url = path.format(id=ident, letter=letter, document=document)
    extra: dict = {}
    if endpoint in ("fire", "assign"):
        headers = {**headers, "If-Match": '"1"'}
        extra["json"] = {"reden": "De begroting ontbreekt."} if endpoint == "fire" else {
            "behandelaar": f"{caller}@gouda.example"}
    if endpoint == "upload":
        extra["files"] = {"bestand": ("plan.txt", b"ons plan", "text/plain")}
    return api.client.request(method, url, headers=headers, **extra)


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
@pytest.mark.parametrize("caller", CALLERS)
def test_access_to_a_challenge(api, caller, endpoint) -> None:
    own = api.submit("gouda", titel="Eigen plan")
    other = api.submit("vught", titel="Plan elders") if caller != "initiatiefnemer" else api.submit(
        "gouda", titel="Plan van een ander")
    headers = headers_of(api, caller, own)
    expected_own, expected_other = EXPECTED[endpoint][caller]
    got_own = request(api, endpoint, caller, headers, own)
    got_other = request(api, endpoint, caller, headers, other)
    assert (got_own.status_code, got_other.status_code) == (expected_own, expected_other), (
        got_own.text[:300], got_other.text[:300])
    for response in (got_own, got_other):
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert "Plan elders" not in response.text and "Plan van een ander" not in response.text
    if expected_own < 300 and endpoint in ("get", "events", "terms", "letters", "documents"):
        assert "Plan elders" not in got_own.text and "Plan van een ander" not in got_own.text
    if expected_own == 200 and endpoint in ("download", "download_staff"):
        assert got_own.content == b"inhoud"
    if expected_own == 200 and endpoint == "letter_pdf":
        assert got_own.content.startswith(b"%PDF")


@pytest.mark.parametrize("caller", CALLERS)
def test_listing_shows_only_the_own_gemeente(api, caller) -> None:
    own = api.submit("gouda", titel="Eigen plan")
    other = api.submit("vught", titel="Plan elders")
    headers = headers_of(api, caller, own)
    listed = api.client.get("/api/v1/challenges", params={"pageSize": 500}, headers=headers)
    elsewhere = api.client.get("/api/v1/challenges", params={"gemeente": "vught"}, headers=headers)
    if caller == "anoniem":
        assert (listed.status_code, elsewhere.status_code) == (401, 401)
    elif caller == "initiatiefnemer":
        assert (listed.status_code, elsewhere.status_code) == (403, 403)
    else:
        ids = {c["id"] for c in listed.json()["items"]}
        assert own["challenge"]["id"] in ids and other["challenge"]["id"] not in ids
        assert elsewhere.json()["total"] == 0


@pytest.mark.parametrize("caller", CALLERS)
def test_calendar_is_for_staff_of_the_gemeente(api, caller) -> None:
    own = api.submit("gouda", titel="Eigen plan")
    api.submit("vught", titel="Plan elders")
    feed = api.client.get("/api/v1/calendar.ics", headers=headers_of(api, caller, own))
    expected = {"anoniem": 401, "initiatiefnemer": 403}.get(caller, 200)
    assert feed.status_code == expected
    if expected == 200:
        assert "Eigen plan" in feed.text and "Plan elders" not in feed.text


@pytest.mark.parametrize("caller", CALLERS)
def test_who_may_submit(api, caller) -> None:
    own = api.submit("gouda", titel="Eigen plan")
    headers = headers_of(api, caller, own)
    body = {"titel": "Nieuw plan", "initiatiefnemer": {"naam": "Sanne"}, "data": {"omschrijving": "x"}}
    for_own = api.client.post("/api/v1/challenges", headers=headers, json={**body, "gemeente": "gouda"})
    for_other = api.client.post("/api/v1/challenges", headers=headers, json={**body, "gemeente": "vught"})
    expected = {"anoniem": (201, 201), **{r: (201, 403) for r in STAFF}}.get(caller, (403, 403))
    assert (for_own.status_code, for_other.status_code) == expected, (for_own.text, for_other.text)


VERSIONS = {"gouda": "2024.1", "vught": "2025.1"}
"""An explicit version per gemeente's workflow (gouda's is the older of its two)."""

WORKFLOW_ENDPOINTS = {
    "list": ("/api/v1/workflows", {}, 200),
    "definition": ("/api/v1/workflows/{workflow}", {}, 200),
    "definition_version": ("/api/v1/workflows/{workflow}", {"versie": "{versie}"}, 200),
    "diagram": ("/api/v1/workflows/{workflow}/diagram", {}, 200),
    "diagram_version": ("/api/v1/workflows/{workflow}/diagram", {"versie": "{versie}"}, 200),
    "diagram_svg_version": ("/api/v1/workflows/{workflow}/diagram", {"versie": "{versie}", "formaat": "svg"}, 200),
    "unknown_version": ("/api/v1/workflows/{workflow}", {"versie": "1999.1"}, 404),
    "diagram_unknown_version": ("/api/v1/workflows/{workflow}/diagram", {"versie": "1999.1"}, 404),
}
"""Workflows are public, like the verordening they encode: the same answer for every caller, for the own
gemeente's workflow and another's (path, query, expected status)."""


@pytest.mark.parametrize("endpoint", sorted(WORKFLOW_ENDPOINTS))
@pytest.mark.parametrize("caller", CALLERS)
def test_workflows_are_public(api, caller, endpoint) -> None:
    own = api.submit("gouda")
    headers = headers_of(api, caller, own)
    path, query, expected = WORKFLOW_ENDPOINTS[endpoint]
    got = {}
    for workflow in ("gouda", "vught"):  # own and other gemeente
        params = {k: v.format(versie=VERSIONS[workflow]) for k, v in query.items()}
        got[workflow] = api.client.get(path.format(workflow=workflow), params=params, headers=headers)
    assert (got["gouda"].status_code, got["vught"].status_code) == (expected, expected), got["gouda"].text[:300]
    for workflow, response in got.items():
        if expected >= 400:
            assert response.headers["content-type"] == "application/problem+json"
        elif endpoint.startswith("definition"):
            assert response.json()["id"] == workflow
            assert "versie" not in query or response.json()["versie"] == VERSIONS[workflow]


def test_a_revoked_key_opens_nothing_and_a_key_cannot_take_a_role_it_lacks(api) -> None:
    issued = api.keys.create(gemeente="gouda", rollen=["lezer"], naam="tijdelijk")
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert api.client.get("/api/v1/challenges", headers=headers).status_code == 200
    assert api.client.get("/api/v1/challenges", headers={"X-Api-Key": issued.secret}).status_code == 200
    assert api.client.get("/api/v1/challenges", headers={**headers, "X-R2C-Rol": "teamleider"}).status_code == 403
    api.keys.revoke(issued.key.id)
    assert api.client.get("/api/v1/challenges", headers=headers).status_code == 401


def test_keys_are_stored_only_as_hashes(api) -> None:
    from sqlalchemy import select

    from r2c.store.tables import ApiKeyRow, StatusLinkRow

    issued = api.keys.create(gemeente="gouda", rollen=["lezer"], naam="hash")
    token = api.submit()["statusToken"]
    with api.keys.unit.read() as connection:
        stored = [str(v) for row in connection.execute(select(ApiKeyRow.__table__)) for v in row]
        stored += [str(v) for row in connection.execute(select(StatusLinkRow.__table__)) for v in row]
    assert not any(issued.secret in v or token in v for v in stored)


def test_a_key_carries_the_roles_of_its_gemeentes_verordening(api) -> None:
    """Vught's verordening adds the raad: a Vught key may carry it and the raad may see Vught's challenges; a Gouda
    key may not (Gouda has no raad), and the refusal names the roles Gouda does have."""
    from r2c.errors import InvalidInput

    issued = api.keys.create(gemeente="vught", rollen=["raad"], naam="griffie")
    assert issued.key.rollen == ("raad",)
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert api.client.get("/api/v1/challenges", headers=headers).status_code == 200
    with pytest.raises(InvalidInput) as refused:
        api.keys.create(gemeente="gouda", rollen=["raad"], naam="griffie")
    assert "onbekende rol 'raad'" in str(refused.value)
    assert "behandelaar" in refused.value.fields["rol"] and "lezer" in refused.value.fields["rol"]
    assert "initiatiefnemer" not in refused.value.fields["rol"]
