"""The HTTP API against its own OpenAPI document (issue 6): schemathesis generates requests for every operation
of ``/api/v1/openapi.json`` and checks each answer: never a 5xx, the status code documented, the content type,
headers and body as the document says. Invalid input (negative mode) must be a documented 4xx problem+json.

The app runs in-process (ASGI) on a fresh migrated database, SQLite and PostgreSQL (skipped when unreachable,
required with CI=true, like tests/integration/conftest.py), with a standing clock, seeded with challenges, a
document, letters and an API key that the generated requests carry. Random path ids mostly meet 404, so other
tests put seeded ids in ``challenge_id``, ``letter_id`` and ``document_id`` and the current version in
``If-Match`` to reach the 2xx answers, and try the other callers (a status link, an unknown key, nobody).

The bugs these tests found (an unreadable body's 400 and FastAPI's own 422 undocumented, a downloaded document's
type undocumented, a number taken as a date, the public endpoints' 401/403 undocumented, a calendar name with a
line break) are fixed; each keeps a regression test at the end of this file.

Hypothesis is derandomized (the same examples on every run) and kept small, so the file takes well under a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from r2c.api import create_app
from r2c.api.problems import PROBLEM_JSON
from r2c.clock import FixedClock
from r2c.engine.case import Actor
from r2c.service.access import KeyStore
from r2c.service.challenges import ChallengeService
from r2c.service.setup import open_service
from r2c.settings import Settings
from r2c.store import Database
from tests.integration.conftest import postgres_schema_url
from tests.integration.helpers import submit

OPENAPI = "/api/v1/openapi.json"
NOW = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)
GEMEENTE = "gouda"
KEY_NAME = "schemathesis@gouda.example"
PDF = r"/letters/\{letter_id\}/pdf$"

CONFORMANCE = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
               response_headers_conformance)
"""What every answer must satisfy: no 5xx, and status, content type, headers and body as documented."""

SETTINGS: dict[str, Any] = {
    "deadline": None, "derandomize": True, "database": None, "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture,
                              HealthCheck.data_too_large]}


class _Proxy:
    """An ASGI app that forwards to ``target``: the schema is loaded when pytest collects this module, the app
    on its seeded database is built by a fixture when the tests run."""

    def __init__(self) -> None:
        self.target: Any = None

    async def __call__(self, scope, receive, send) -> None:
        await self.target(scope, receive, send)


def _document_app():
    """An app whose database is never touched: enough to serve the OpenAPI document at collection time."""
    from r2c.definitions import load_catalog

    def no_database():
        raise AssertionError("the document app has no database")

    return create_app(ChallengeService(no_database, load_catalog(), FixedClock(NOW)))


def _config(mode: str) -> schemathesis.Config:
    # The tests send the credentials with each call, so schemathesis generates no security headers itself.
    return schemathesis.Config.from_dict({
        "cache": {"enabled": False},
        "generation": {"mode": mode, "deterministic": True, "with-security-parameters": False},
    })


PROXY = _Proxy()
PROXY.target = _document_app()
schema = schemathesis.openapi.from_asgi(OPENAPI, PROXY, config=_config("positive"))
negative_schema = schemathesis.openapi.from_asgi(OPENAPI, PROXY, config=_config("negative"))


def _documented(case) -> dict[str, Any]:
    """The documented responses of the case's operation, by status."""
    return schema.raw_schema["paths"][case.operation.path][case.operation.method.lower()]["responses"]


def _can_be_invalid(ctx) -> bool:
    """Whether negative data exists for the operation: not when its only input is a free string in the path."""
    raw = ctx.operation.definition.raw
    return "requestBody" in raw or any(p["in"] != "path" or p["schema"].get("type") != "string"
                                       for p in raw.get("parameters", []))


def _is_negative(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_negative


def _repeated_scalar_query(case) -> bool:
    """A scalar query parameter sent twice: the last one counts (Starlette). Not a bug, not negative data."""
    return _is_negative(case) and any(isinstance(value, list) for value in (case.query or {}).values())


def _validate(case, response, headers: dict[str, str], checks=CONFORMANCE) -> None:
    """The checks (a repeated scalar query parameter is not negative data); and a 4xx must be problem+json."""
    skip = set()
    if _repeated_scalar_query(case):
        skip.add(negative_data_rejection)
    case.validate_response(response, checks=[c for c in checks if c not in skip], headers=headers)
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith(PROBLEM_JSON), f"{response.status_code} as {content_type}"
        assert response.json()["status"] == response.status_code


# -- the seeded app ------------------------------------------------------------------------------------------

@dataclass
class Seeded:
    """What the database holds before the generated requests start.

    Attributes:
        service: the service behind the app.
        secret: an API key of gouda (behandelaar and teamleider).
        status_token: the status link of ``own``, a challenge no generated request gets as its id.
        events: every event of gouda's workflow.
        challenges: ids of gouda's challenges; letters: (challenge id, letter id); documents: (challenge id,
            document id).
    """

    service: ChallengeService
    secret: str
    status_token: str
    own: str
    challenges: list[str]
    events: list[str]
    letters: list[tuple[str, int]] = field(default_factory=list)
    documents: list[tuple[str, str]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory) -> Iterator[Seeded]:
    """The app on a fresh migrated database of each kind, seeded; PROXY forwards to it while the tests run."""
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    if request.param == "sqlite":
        yield from _seeded_app(f"sqlite:///{tmp / 'r2c.db'}", tmp)
    else:
        for url in postgres_schema_url():
            yield from _seeded_app(url, tmp)


def _seeded_app(url: str, tmp: Path) -> Iterator[Seeded]:
    Database.connect(url).upgrade()
    clock = FixedClock(NOW)
    config = Settings(database_url=url, documenten=tmp / "docs", huisstijl=tmp / "huisstijl",
                      publieke_limiet="1000000/minute", inzend_limiet="1000000/minute")
    service, db = open_service(settings=config, clock=clock)
    behandelaar = Actor("b.jansen", "behandelaar", GEMEENTE)
    complete = submit(service, complete=True, titel="Buurttuin")
    incomplete = submit(service, titel="Speeltuin")
    taken = submit(service, complete=True, titel="Wijkcentrum")
    service.fire(taken.challenge.id, "in_behandeling_nemen", actor=behandelaar)
    own = submit(service, complete=True, titel="Eigen uitdaging")
    submit(service, "amsterdam", titel="Elders")  # another gemeente: gouda's key must not see it
    doc = service.add_document(complete.challenge.id, actor=behandelaar, name="plan.txt", media_type="text/plain",
                               content=b"Plan van aanpak")
    key = KeyStore(db.sessions, clock, roles=service.policy.key_roles(service.catalog)).create(
        gemeente=GEMEENTE, rollen=["behandelaar", "teamleider"], naam=KEY_NAME)
    ids = [complete.challenge.id, incomplete.challenge.id, taken.challenge.id]
    workflow = service.catalog.in_force(GEMEENTE, NOW.date()).definition
    events = sorted({transition.event or name for name, transition in workflow.transities.items()})
    data = Seeded(service, key.secret, own.status_token, own.challenge.id, ids, events,
                  documents=[(complete.challenge.id, doc.id)])
    for challenge_id in ids:
        data.letters += [(challenge_id, letter.id) for letter in service.letters_of(challenge_id, actor=behandelaar)]
    assert data.letters, "seeding should produce at least one letter"
    previous = PROXY.target
    PROXY.target = create_app(service, settings=config)
    try:
        yield data
    finally:
        PROXY.target = previous
        db.engine.dispose()


def _use_seeded(case, pick: int, fresh: bool, seeded: Seeded) -> dict[str, str]:
    """Seeded ids in the path and a real event name. With ``fresh``, so that changes can succeed: an event the
    behandelaar may fire now with a plain body, or the teamleider assigning; and the current version as If-Match
    (one in five times the previous version: 412). The headers to send."""
    params = case.path_parameters
    if "letter_id" in params:
        params["challenge_id"], params["letter_id"] = seeded.letters[pick % len(seeded.letters)]
    elif "document_id" in params:
        params["challenge_id"], params["document_id"] = seeded.documents[pick % len(seeded.documents)]
    else:
        params["challenge_id"] = seeded.challenges[pick % len(seeded.challenges)]
    if "event" in params:
        params["event"] = seeded.events[pick // 7 % len(seeded.events)]
    if not fresh or not any(p["name"] == "If-Match" for p in case.operation.definition.raw.get("parameters", [])):
        return seeded.headers
    challenge_id = params["challenge_id"]
    actor = Actor(KEY_NAME, "behandelaar" if "event" in params else "teamleider", GEMEENTE)
    if "event" in params and pick % 2:
        allowed = [e.event for e in seeded.service.allowed_events(challenge_id, actor=actor)]
        params["event"] = allowed[pick // 2 % len(allowed)] if allowed else params["event"]
        case.body = {"reden": "Gevuurd door schemathesis"}
    version = seeded.service.get(challenge_id, actor=actor).version
    case.headers = {**(case.headers or {}), "If-Match": f'"{version - 1 if pick % 5 == 4 else version}"'}
    return {**seeded.headers, "X-R2C-Rol": actor.rol}


def _request(method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to the seeded app, from a thread of its own (another test may leave an event loop running)."""

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=PROXY.target), base_url="http://r2c") as c:
            request = c.build_request(method, path, **kwargs)
            request.read()  # keeps the body on the response, for schemathesis' checks
            return await c.send(request)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, send()).result()


# -- generated requests, every operation ---------------------------------------------------------------------

@schema.exclude(path_regex=PDF).parametrize()
@settings(max_examples=40, **SETTINGS)
def test_every_operation_answers_as_documented(case, seeded):
    """Valid data, random ids, with the key: no 5xx, and every answer as the document says."""
    _validate(case, case.call(headers=seeded.headers), seeded.headers)


@schema.include(path_regex=PDF).parametrize()
@settings(max_examples=5, **SETTINGS)
def test_pdf_answers_as_documented(case, seeded):
    """The PDF is slow to render (about half a second): a few examples."""
    _validate(case, case.call(headers=seeded.headers), seeded.headers)


@schema.include(path_regex=r"\{challenge_id\}").exclude(path_regex=PDF).parametrize()
@schema.given(pick=st.integers(min_value=0, max_value=10_000), fresh=st.booleans())
@settings(max_examples=30, **SETTINGS)
def test_seeded_resources_answer_as_documented(case, pick, fresh, seeded):
    """The same on real resources: seeded ids in the path, often with the current version as If-Match."""
    headers = _use_seeded(case, pick, fresh, seeded)
    _validate(case, case.call(headers=headers), headers)


@schema.include(path_regex=PDF).parametrize()
@schema.given(pick=st.integers(min_value=0, max_value=10_000))
@settings(max_examples=3, **SETTINGS)
def test_seeded_pdf_answers_as_documented(case, pick, seeded):
    """A real letter as PDF."""
    headers = _use_seeded(case, pick, False, seeded)
    _validate(case, case.call(headers=headers), headers)


@pytest.mark.parametrize("caller", ["statuslink", "unknown key", "anonymous"])
@schema.exclude(path_regex=PDF).parametrize()
@schema.given(pick=st.integers(min_value=0, max_value=10_000))
@settings(max_examples=5, **SETTINGS)
def test_other_callers_get_documented_answers(case, pick, caller, seeded):
    """An initiatiefnemer's status link (on its own challenge), a key that opens nothing, no credentials."""
    headers = {"statuslink": {"Authorization": f"Bearer {seeded.status_token}"},
               "unknown key": {"Authorization": "Bearer r2c_key_onbekend0000000000000000"},
               "anonymous": {}}[caller]
    if "challenge_id" in (case.path_parameters or {}) and caller == "statuslink" and pick % 2:
        case.path_parameters["challenge_id"] = seeded.own
    _validate(case, case.call(headers=headers), headers)


def test_upload_answers_as_documented(seeded):
    """Generated uploads carry no accepted media type (415), so one real upload: 201 as documented."""
    operation = schema["/api/v1/challenges/{challenge_id}/documents"]["POST"]
    case = operation.Case(path_parameters={"challenge_id": seeded.challenges[1]}, media_type="multipart/form-data",
                          body={"naam": "begroting.txt"})
    response = _request("POST", f"/api/v1/challenges/{seeded.challenges[1]}/documents", headers=seeded.headers,
                        data={"naam": "begroting.txt"}, files={"bestand": ("b.txt", b"Begroting 2027", "text/plain")})
    assert response.status_code == 201, response.text
    case.validate_response(response, checks=list(CONFORMANCE))


# -- negative data -------------------------------------------------------------------------------------------

@negative_schema.include(_can_be_invalid).exclude(path_regex=PDF).parametrize()
@settings(max_examples=30, **SETTINGS)
def test_invalid_input_is_a_documented_problem(case, seeded):
    """Invalid input (wrong types, missing fields, out of range): a 4xx problem+json as documented, never a 5xx."""
    _validate(case, case.call(headers=seeded.headers), seeded.headers, checks=(*CONFORMANCE, negative_data_rejection))


# -- the document itself -------------------------------------------------------------------------------------

def _fastapi_default_422(answer: dict[str, Any]) -> bool:
    return answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") \
        == "#/components/schemas/HTTPValidationError"


def test_openapi_document_is_31_with_problem_json_errors(seeded):
    """The served document is OpenAPI 3.1 and every error response of every operation is problem+json."""
    response = _request("GET", OPENAPI)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1.")
    assert document == schema.raw_schema, "the tests must run against the document the app serves"
    wrong = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if int(status) < 400 or (status == "422" and _fastapi_default_422(answer)):  # DEFAULT_422
                    continue
                content = answer.get("content", {})
                if content.get(PROBLEM_JSON, {}).get("schema", {}).get("$ref") != "#/components/schemas/Problem":
                    wrong.append(f"{method.upper()} {path} {status}: {sorted(content)}")
    assert not wrong, "error responses not documented as problem+json:\n" + "\n".join(wrong)


# -- regression tests of the bugs these tests found ------------------------------------------------------------

def _documented_statuses(path: str, method: str) -> set[str]:
    return set(schema.raw_schema["paths"][path][method]["responses"])


@pytest.mark.parametrize("path, method, headers, body", [
    ("/api/v1/challenges", "post", {"Content-Type": "application/json"}, b'{"titel": "\xff"}'),
    ("/api/v1/challenges/{id}/events/{event}", "post", {"Content-Type": "application/json", "If-Match": '"1"'},
     b"\xff"),
    ("/api/v1/challenges/{id}/documents", "post", {"Content-Type": "multipart/form-data; boundary=x"}, b"garbage"),
])
def test_fixed_unreadable_body_status_is_documented(path, method, headers, body, seeded):
    """A body r2c cannot read: a documented status (400, problem+json)."""
    url = path.replace("{id}", seeded.challenges[0]).replace("{event}", "in_behandeling_nemen")
    response = _request(method.upper(), url, headers={**seeded.headers, **headers}, content=body)
    assert response.headers["content-type"] == PROBLEM_JSON
    template = path.replace("{id}", "{challenge_id}")
    assert str(response.status_code) in _documented_statuses(template, method), response.text


def test_fixed_422_is_documented_as_problem_json(seeded):
    """letter_id that is not a number: 422 problem+json, and the document says so (for every operation)."""
    response = _request("GET", f"/api/v1/challenges/{seeded.challenges[0]}/letters/een", headers=seeded.headers)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM_JSON)
    documented = schema.raw_schema["paths"]["/api/v1/challenges/{challenge_id}/letters/{letter_id}"]["get"]
    assert PROBLEM_JSON in documented["responses"]["422"]["content"]
    defaults = [f"{m} {p}" for p, ops in schema.raw_schema["paths"].items() for m, op in ops.items()
                if _fastapi_default_422(op["responses"].get("422", {}))]
    assert not defaults, defaults


def test_fixed_document_media_type_is_documented(seeded):
    """A text/plain document comes back as text/plain: the document must allow that type."""
    challenge_id, document_id = seeded.documents[0]
    response = _request("GET", f"/api/v1/challenges/{challenge_id}/documents/{document_id}", headers=seeded.headers)
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    documented = schema.raw_schema["paths"]["/api/v1/challenges/{challenge_id}/documents/{document_id}"]["get"]
    content = documented["responses"]["200"]["content"]
    assert media_type in content or "*/*" in content or f"{media_type.split('/')[0]}/*" in content, sorted(content)


@pytest.mark.parametrize("value", ["0", "86400"])
def test_fixed_deadline_before_refuses_a_number(value, seeded):
    """deadlineBefore is a date (format: date); a number is not one."""
    response = _request("GET", "/api/v1/challenges", params={"deadlineBefore": value}, headers=seeded.headers)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("path", ["/api/v1/workflows", "/api/v1/workflows/gouda", "/api/v1/workflows/gouda/diagram"])
@pytest.mark.parametrize("headers", [{"Authorization": "Bearer r2c_key_onbekend"}, {"X-R2C-Rol": "lezer"}],
                         ids=["unknown key", "role not on key"])
def test_fixed_public_endpoints_document_their_auth_answers(path, headers, seeded):
    """A public endpoint still checks a key that is sent: the 401/403 it gives must be documented."""
    response = _request("GET", path, headers={**seeded.headers, **headers})
    assert response.status_code in (401, 403)
    template = path.replace("gouda", "{workflow_id}")
    assert str(response.status_code) in _documented_statuses(template, "get")
