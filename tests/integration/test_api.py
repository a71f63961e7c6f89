"""The HTTP API over a real database: every endpoint, the lifecycle a zaaksysteem drives, and its errors as
problem+json (RFC 9457) that say what to change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from r2c.service import Limits
from tests.integration.apiclient import Api, make_api, status_headers
from tests.integration.helpers import all_vereisten

PROBLEM = "application/problem+json"


@pytest.fixture
def api(service, database, tmp_path) -> Api:
    return make_api(service, database, tmp_path)


def criteria(service, gemeente: str = "gouda") -> dict:
    definition = service.catalog.in_force(gemeente, service.clock.now().date()).definition
    return {"beoordelingen": {k: {"oordeel": "voldoet", "motivering": f"Het plan laat zien: {c.label}."}
                              for k, c in definition.criteria.items()}}


def test_a_full_lifecycle_over_http_submit_aanvulling_complete_assess_decide(api, service) -> None:
    behandelaar, teamleider, college = api.key("behandelaar"), api.key("teamleider"), api.key("college")
    submitted = api.submit()
    challenge = submitted["challenge"]
    assert challenge["state"] == "indiening.ontvangen" and challenge["version"] == 1
    assert submitted["statusUrl"].endswith("/status/" + submitted["statusToken"])
    resident = status_headers(submitted)

    asked = api.fire(challenge, "aanvulling_vragen", behandelaar, version=1, reden="De begroting ontbreekt.")
    assert asked.status_code == 200, asked.text
    assert asked.headers["ETag"] == '"2"' and asked.json()["state"] == "ontvankelijkheid.aanvulling_gevraagd"

    # the initiatiefnemer completes the request with their status link
    events = api.client.get(f"/api/v1/challenges/{challenge['id']}/events", headers=resident).json()
    assert "aanvullen" in [e["event"] for e in events]
    completed = api.fire(challenge, "aanvullen", resident, data={"vereisten": all_vereisten(service, "gouda")})
    assert completed.status_code == 200, completed.text
    assert completed.json()["state"] == "indiening.ontvangen"

    for event, headers, data in (("in_behandeling_nemen", behandelaar, None),
                                 ("beoordelen", behandelaar, criteria(service)),
                                 ("voorleggen", teamleider, {"weigering_op_andere_feiten": False})):
        step = api.fire(challenge, event, headers, data=data)
        assert step.status_code == 200, (event, step.text)
    decided = api.fire(challenge, "toekennen", college, reden="Het plan voldoet aan alle criteria.")
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "overname.voorbereiden"

    timeline = api.client.get(f"/api/v1/challenges/{challenge['id']}/timeline", headers=teamleider).json()
    assert [e["event"] for e in timeline] == ["indienen", "aanvulling_vragen", "aanvullen", "in_behandeling_nemen",
                                             "beoordelen", "voorleggen", "toekennen"]
    assert timeline[-1]["actorRol"] == "college" and timeline[-1]["reason"] == "Het plan voldoet aan alle criteria."

    letters = api.client.get(f"/api/v1/challenges/{challenge['id']}/letters", headers=resident).json()
    assert {"ontvangstbevestiging", "aanvullingsverzoek", "besluit_toekenning"} <= {x["template"] for x in letters}
    besluit = next(x for x in letters if x["template"] == "besluit_toekenning")
    preview = api.client.get(f"/api/v1/challenges/{challenge['id']}/letters/{besluit['id']}", headers=resident)
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "Buurttuin" in preview.text and "Fatima de Vries" in preview.text
    pdf = api.client.get(f"/api/v1/challenges/{challenge['id']}/letters/{besluit['id']}/pdf", headers=college)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]


def test_get_gives_the_version_as_etag_and_terms_explain_their_dates(api) -> None:
    challenge = api.submit()["challenge"]
    got = api.client.get(f"/api/v1/challenges/{challenge['id']}", headers=api.key("lezer"))
    assert got.status_code == 200 and got.headers["ETag"] == '"1"' and got.json()["titel"] == "Buurttuin"
    terms = api.client.get(f"/api/v1/challenges/{challenge['id']}/terms", headers=api.key("behandelaar")).json()
    beslis = next(t for t in terms if t["name"] == "beslistermijn")
    assert beslis["status"] == "lopend" and beslis["einddatum"] > beslis["startedOn"]
    assert any(beslis["einddatum"] in line for line in beslis["uitleg"])


def test_a_refused_event_is_409_naming_the_state_and_what_is_allowed(api) -> None:
    challenge = api.submit()["challenge"]
    refused = api.fire(challenge, "toekennen", api.key("college"))
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    body = refused.json()
    assert body["state"] == "indiening.ontvangen" and body["status"] == 409
    assert isinstance(body["allowedEvents"], list) and "toekennen" in body["detail"]
    guarded = api.fire(challenge, "in_behandeling_nemen", api.key("behandelaar"))
    assert guarded.status_code == 409 and guarded.json()["reasons"], guarded.text  # the request is incomplete


def test_a_stale_if_match_is_412_with_what_changed_and_a_missing_one_is_428(api) -> None:
    challenge = api.submit()["challenge"]
    behandelaar = api.key("behandelaar")
    assert api.fire(challenge, "aanvulling_vragen", behandelaar, version=1).status_code == 200
    stale = api.fire(challenge, "verdagen", behandelaar, version=1, reden="Advies nodig.")
    assert stale.status_code == 412 and stale.headers["content-type"] == PROBLEM
    assert stale.json()["currentVersion"] == 2 and "aanvulling_vragen" in stale.json()["changes"][0]
    missing = api.client.post(f"/api/v1/challenges/{challenge['id']}/events/verdagen", headers=behandelaar,
                              json={"reden": "x"})
    assert missing.status_code == 428 and missing.headers["content-type"] == PROBLEM
    garbage = api.client.post(f"/api/v1/challenges/{challenge['id']}/events/verdagen",
                              headers={**behandelaar, "If-Match": "nope"}, json={})
    assert garbage.status_code == 422 and garbage.json()["invalidParams"][0]["name"] == "header.If-Match"


def test_bad_input_is_422_naming_each_field_path_and_nothing_is_written(api, database) -> None:
    from tests.integration.helpers import row_counts

    before = row_counts(database)
    response = api.client.post("/api/v1/challenges", json={
        "gemeente": "gouda", "titel": "", "initiatiefnemer": {"email": "x@example.nl"}, "extra": 1})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert {"body.titel", "body.initiatiefnemer.naam", "body.extra"} <= names
    unknown = api.client.post("/api/v1/challenges", json={
        "gemeente": "atlantis", "titel": "x", "initiatiefnemer": {"naam": "A"}})
    assert unknown.status_code == 422 and unknown.json()["invalidParams"][0]["name"] == "body.gemeente"
    assert row_counts(database) == before

    challenge = api.submit()["challenge"]
    bad_data = api.fire(challenge, "aanvullen", api.key("behandelaar"), data={"vereisten": "alles"})
    assert bad_data.status_code in (409, 422), bad_data.text
    no_event = api.fire(challenge, "vliegen", api.key("behandelaar"))
    assert no_event.status_code == 422 and no_event.json()["invalidParams"][0]["name"] == "path.event"
    paging = api.client.get("/api/v1/challenges?pageSize=0", headers=api.key("lezer"))
    assert paging.status_code == 422 and paging.json()["invalidParams"][0]["name"] == "query.pageSize"


def test_invalid_event_data_names_the_field_under_body_data(api, service) -> None:
    challenge = api.submit(data={"omschrijving": "Park", "vereisten": all_vereisten(service, "gouda")})["challenge"]
    behandelaar = api.key("behandelaar")
    assert api.fire(challenge, "in_behandeling_nemen", behandelaar).status_code == 200
    wrong = api.fire(challenge, "beoordelen", behandelaar, data={"beoordelingen": {"onbekend": {"oordeel": "x"}}})
    assert wrong.status_code == 422, wrong.text
    assert all(p["name"].startswith("body.data.") for p in wrong.json()["invalidParams"])


def test_unknown_paths_and_methods_are_problem_json_too(api) -> None:
    assert api.client.get("/api/v1/nergens").headers["content-type"] == PROBLEM
    wrong_method = api.client.delete("/api/v1/workflows")
    assert wrong_method.status_code == 405 and wrong_method.headers["content-type"] == PROBLEM


def test_search_filters_and_pages_with_links(api, service, clock) -> None:
    lezer, teamleider = api.key("lezer"), api.key("teamleider")
    ids = [api.submit(titel=f"Plan {n}")["challenge"]["id"] for n in range(3)]
    api.submit("vught", titel="Elders")
    first = api.client.get("/api/v1/challenges?pageSize=2", headers=lezer).json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["_links"]["next"] and not first["_links"]["prev"]
    second = api.client.get(first["_links"]["next"], headers=lezer).json()
    assert len(second["items"]) == 1 and second["_links"]["prev"] and not second["_links"].get("next")
    assert {c["id"] for c in first["items"] + second["items"]} == set(ids)

    assigned = api.client.put(f"/api/v1/challenges/{ids[0]}/behandelaar", headers={**teamleider, "If-Match": '"1"'},
                              json={"behandelaar": "b.jansen"})
    assert assigned.status_code == 200 and assigned.json()["behandelaar"] == "b.jansen"
    mine = api.client.get("/api/v1/challenges", params={"behandelaar": "b.jansen"}, headers=lezer).json()
    assert [c["id"] for c in mine["items"]] == [ids[0]]
    assert api.client.get("/api/v1/challenges?fase=toetsing", headers=lezer).json()["total"] == 0
    assert api.client.get("/api/v1/challenges?gemeente=vught", headers=lezer).json()["total"] == 0
    second_one = api.client.get(f"/api/v1/challenges/{ids[1]}", headers=lezer).json()
    assert (second_one["id"], second_one["kenmerk"]) == (ids[1], "UD-2026-0002")  # the API returns both
    by_kenmerk = api.client.get("/api/v1/challenges", params={"kenmerk": "UD-2026-0002"}, headers=lezer).json()
    assert [c["id"] for c in by_kenmerk["items"]] == [ids[1]]

    end = api.client.get(f"/api/v1/challenges/{ids[0]}/terms", headers=lezer).json()[0]["einddatum"]
    assert api.client.get("/api/v1/challenges", params={"deadlineBefore": end}, headers=lezer).json()["total"] == 3
    assert api.client.get("/api/v1/challenges?overdue=true", headers=lezer).json()["total"] == 0
    clock.set(clock.now() + timedelta(weeks=30))
    assert api.client.get("/api/v1/challenges?overdue=true", headers=lezer).json()["total"] == 3


def test_documents_upload_with_limits_and_download_the_same_bytes(service, database, tmp_path) -> None:
    service.limits = Limits(document_size=1000)
    api = make_api(service, database, tmp_path)
    submitted = api.submit()
    ident, behandelaar = submitted["challenge"]["id"], api.key("behandelaar")
    url = f"/api/v1/challenges/{ident}/documents"
    added = api.client.post(url, headers=behandelaar, files={"bestand": ("plan.txt", b"ons plan", "text/plain")})
    assert added.status_code == 201 and added.json()["size"] == 8
    got = api.client.get(f"{url}/{added.json()['id']}", headers=api.key("lezer"))
    assert got.content == b"ons plan" and got.headers["content-type"].startswith("text/plain")
    assert 'filename="plan.txt"' in got.headers["content-disposition"]
    too_big = api.client.post(url, headers=behandelaar, files={"bestand": ("groot.txt", b"x" * 1001, "text/plain")})
    assert too_big.status_code == 413 and too_big.headers["content-type"] == PROBLEM
    wrong = api.client.post(url, headers=behandelaar, files={"bestand": ("a.exe", b"MZ", "application/x-msdownload")})
    assert wrong.status_code == 415 and "application/pdf" in wrong.json()["detail"]

    resident = status_headers(submitted)
    own = api.client.post(url, headers=resident, files={"bestand": ("begroting.pdf", b"%PDF-1.4", "application/pdf")})
    assert own.status_code == 201
    assert [d["name"] for d in api.client.get(url, headers=resident).json()] == ["begroting.pdf"]
    assert len(api.client.get(url, headers=behandelaar).json()) == 2


def test_status_links_can_be_renewed_and_revoked(api) -> None:
    submitted = api.submit()
    ident, old = submitted["challenge"]["id"], status_headers(submitted)
    assert api.client.get(f"/api/v1/challenges/{ident}", headers=old).status_code == 200
    renewed = api.client.post(f"/api/v1/challenges/{ident}/statuslink", headers=api.key("behandelaar"))
    assert renewed.status_code == 201
    assert api.client.get(f"/api/v1/challenges/{ident}", headers=old).status_code == 401
    new = {"Authorization": f"Bearer {renewed.json()['statusToken']}"}
    assert api.client.get(f"/api/v1/challenges/{ident}", headers=new).status_code == 200
    revoked = api.client.delete(f"/api/v1/challenges/{ident}/statuslink", headers=api.key("teamleider"))
    assert revoked.json() == {"ingetrokken": 1}
    assert api.client.get(f"/api/v1/challenges/{ident}", headers=new).status_code == 401


def test_the_calendar_feed_lists_the_gemeentes_open_deadlines(api) -> None:
    api.submit(titel="Speeltuin")
    api.submit("vught", titel="Elders")
    feed = api.client.get("/api/v1/calendar.ics", headers=api.key("behandelaar"))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in feed.text and "Speeltuin" in feed.text and "Elders" not in feed.text
    assert "kenmerk UD-2026-0001" in feed.text.replace("\r\n ", "")  # unfolded; the UID keeps the id


def test_workflows_are_public_with_definition_and_diagram(api) -> None:
    listed = api.client.get("/api/v1/workflows").json()
    assert {"gouda", "vught", "vng-model-2024"} <= {w["id"] for w in listed}
    gouda = api.client.get("/api/v1/workflows/gouda", params={"versie": "2024.1"}).json()
    assert gouda["versie"] == "2024.1" and "beslistermijn" in gouda["termijnen"]
    mermaid = api.client.get("/api/v1/workflows/gouda/diagram")
    assert mermaid.status_code == 200 and "stateDiagram" in mermaid.text
    svg = api.client.get("/api/v1/workflows/gouda/diagram?formaat=svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.lstrip().startswith("<svg")
    assert api.client.get("/api/v1/workflows/atlantis").status_code == 404
    assert api.client.get("/api/v1/workflows/gouda?versie=1999").status_code == 404


def test_health_readiness_and_the_openapi_document(api) -> None:
    assert api.client.get("/api/v1/health").json() == {"status": "ok"}
    ready = api.client.get("/api/v1/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "gereed"
    assert ready.headers["API-Version"] == "1.0.0"
    spec = api.client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/challenges/{challenge_id}/events/{event}" in spec["paths"]
    assert api.client.get("/api/v1/docs").status_code == 200


def _closed_port() -> int:
    """A local TCP port nobody listens on (bound, then closed again)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_ready_is_503_problem_json_when_the_database_cannot_be_reached(kind, catalog, clock, tmp_path) -> None:
    """A real driver against a database that is not there: PostgreSQL on a port nobody listens on, SQLite in a
    folder that does not exist. The process is alive (health 200), but not ready (503)."""
    from r2c.service import ChallengeService
    from r2c.store import Database

    url = (f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/r2c?connect_timeout=5" if kind == "postgresql"
           else f"sqlite:///{tmp_path / 'weg' / 'r2c.db'}")
    database = Database.connect(url)
    try:
        service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
        api = make_api(service, database, tmp_path)
        assert api.client.get("/api/v1/health").json() == {"status": "ok"}
        ready = api.client.get("/api/v1/ready")
        assert ready.status_code == 503 and ready.headers["content-type"] == PROBLEM, ready.text
        assert ready.headers["API-Version"] == "1.0.0"
        body = ready.json()
        assert body["type"].endswith("/niet-gereed") and body["status"] == 503 and body["instance"] == "/api/v1/ready"
        assert body["detail"].startswith("de database is niet bereikbaar")
        assert str(tmp_path) not in body["detail"] and "postgres@" not in body["detail"]
    finally:
        database.engine.dispose()


def test_anonymous_submissions_and_wrong_keys_are_rate_limited(service, database, tmp_path) -> None:
    api = make_api(service, database, tmp_path, inzend_limiet="2/hour", publieke_limiet="5/minute")
    api.submit()
    api.submit()
    third = api.client.post("/api/v1/challenges", json={"gemeente": "gouda", "titel": "x",
                                                        "initiatiefnemer": {"naam": "A"}})
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    assert third.headers["content-type"] == PROBLEM
    # a key-holder is not limited by the public limit; anonymous calls and wrong keys share it (3 used above)
    assert api.client.get("/api/v1/challenges", headers=api.key("lezer")).status_code == 200
    statuses = [api.client.get("/api/v1/challenges", headers={"Authorization": "Bearer geraden"}).status_code
                for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_cors_is_off_unless_configured(service, database, tmp_path) -> None:
    preflight = {"Origin": "https://portaal.gouda.nl", "Access-Control-Request-Method": "POST"}
    closed = make_api(service, database, tmp_path)
    assert "access-control-allow-origin" not in closed.client.options("/api/v1/challenges", headers=preflight).headers
    opened = make_api(service, database, tmp_path, cors_origins=["https://portaal.gouda.nl"])
    answer = opened.client.options("/api/v1/challenges", headers=preflight)
    assert answer.headers["access-control-allow-origin"] == "https://portaal.gouda.nl"


def test_the_status_page_limit_answers_with_a_dutch_page_not_json(service, database, tmp_path) -> None:
    api = make_api(service, database, tmp_path, publieke_limiet="3/minute")
    token = api.submit()["statusToken"]  # the anonymous submission counts as one public call, in its own scope
    pages = [api.client.get(f"/status/{token}") for _ in range(4)]
    assert [p.status_code for p in pages] == [200, 200, 200, 429]
    assert pages[-1].headers["content-type"].startswith("text/html") and int(pages[-1].headers["Retry-After"]) > 0
    assert "Probeer het over" in pages[-1].text and "<script" not in pages[-1].text


def test_a_calendar_app_can_subscribe_with_the_key_in_the_url(api) -> None:
    api.submit(titel="Speeltuin")
    secret = api.key("lezer")["Authorization"].split()[1]
    feed = api.client.get("/api/v1/calendar.ics", params={"sleutel": secret})
    assert feed.status_code == 200 and "Speeltuin" in feed.text
    assert api.client.get("/api/v1/calendar.ics", params={"sleutel": "r2c_key_geraden"}).status_code == 401
    token = api.submit()["statusToken"]
    assert api.client.get("/api/v1/calendar.ics", params={"sleutel": token}).status_code == 403


def test_the_openapi_document_says_exactly_which_media_types_come_back(api) -> None:
    spec = api.client.get("/api/v1/openapi.json").json()
    wrong = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                types = set(response.get("content", {}))
                if int(status) >= 400 and types != {PROBLEM}:
                    wrong.append(f"{method} {path} {status}: {sorted(types)}")
    pdf = spec["paths"]["/api/v1/challenges/{challenge_id}/letters/{letter_id}/pdf"]["get"]["responses"]["200"]
    assert set(pdf["content"]) == {"application/pdf"}
    assert wrong == []


def test_the_status_link_shows_the_resident_only_what_is_meant_for_them(api, service) -> None:
    """No behandelaar, no assessments, no internal facts: only what the resident supplied and what their letters
    told them (docs/status-pagina.md). Staff with a key see everything."""
    vereisten = all_vereisten(service, "gouda")
    submitted = api.submit(data={"omschrijving": "Wij onderhouden het park zelf.", "vereisten": vereisten})
    challenge, resident = submitted["challenge"], status_headers(submitted)
    ident = challenge["id"]
    teamleider, behandelaar = api.key("teamleider"), api.key("behandelaar")
    assigned = api.client.put(f"/api/v1/challenges/{ident}/behandelaar", headers={**teamleider, "If-Match": '"1"'},
                              json={"behandelaar": "b.jansen@gouda.example"})
    assert assigned.status_code == 200, assigned.text
    assessed = criteria(service)
    for event, data, reden in (("in_behandeling_nemen", None, None), ("beoordelen", assessed, None),
                               ("zienswijze_vragen", None, "Wij willen uw reactie op de begroting.")):
        assert api.fire(challenge, event, behandelaar, data=data, reden=reden).status_code == 200, event
    own = {"omschrijving": "Wij onderhouden het park zelf.", "vereisten": vereisten, "zienswijze_gevraagd": True}

    seen = api.client.get(f"/api/v1/challenges/{ident}", headers=resident).json()
    assert seen["behandelaar"] is None and seen["facts"] == own

    answered = api.fire(challenge, "zienswijze_ontvangen", resident, data={"zienswijze": "De begroting klopt."})
    assert answered.status_code == 200, answered.text
    own["zienswijze"] = "De begroting klopt."
    assert answered.json()["behandelaar"] is None and answered.json()["facts"] == own
    assert api.fire(challenge, "voorleggen", teamleider, data={"weigering_op_andere_feiten": False}).status_code == 200

    seen = api.client.get(f"/api/v1/challenges/{ident}", headers=resident).json()
    assert seen["state"] == "besluit.voorgelegd" and seen["behandelaar"] is None and seen["facts"] == own
    staff = api.client.get(f"/api/v1/challenges/{ident}", headers=api.key("lezer")).json()
    assert staff["behandelaar"] == "b.jansen@gouda.example"
    assert staff["facts"]["beoordelingen"] == {k: dict(v) for k, v in assessed["beoordelingen"].items()}
    assert staff["facts"]["weigering_op_andere_feiten"] is False

    stale = api.fire(challenge, "intrekken", resident, version=1)  # 412 lists the changes since, without names
    assert stale.status_code == 412 and "toewijzing door teamleider" in stale.json()["changes"][0], stale.text
    internal = ("b.jansen", "teamleider@", "behandelaar@", "lezer@", "beoordelingen", "motivering",
                "weigering_op_andere_feiten", "Het plan laat zien")
    for path in ("", "/events", "/terms", "/documents", "/letters"):
        body = api.client.get(f"/api/v1/challenges/{ident}{path}", headers=resident).text
        assert not [word for word in internal if word in body], (path, body[:300])
    assert not [word for word in internal if word in stale.text], stale.text


def test_a_titel_with_a_line_break_is_422_and_no_challenge_is_made(api, database) -> None:
    from tests.integration.helpers import row_counts

    before = row_counts(database)
    response = api.client.post("/api/v1/challenges", json={
        "gemeente": "gouda", "titel": "Buurttuin\r\nBcc: iemand@example.nl", "initiatiefnemer": {"naam": "A"}})
    assert response.status_code == 422, response.text
    problem = {p["name"]: p["reason"] for p in response.json()["invalidParams"]}
    assert "regelovergang" in problem["body.titel"] and "op positie 10" in problem["body.titel"]
    assert row_counts(database) == before


def test_a_key_registers_a_request_received_earlier_and_its_terms_count_from_that_day(api, service) -> None:
    body = {"gemeente": "gouda", "titel": "Speeltuin De Klomp", "initiatiefnemer": {"naam": "Henk Bos"},
            "data": {"omschrijving": "Per post ontvangen."}}
    received = service.clock.now().date() - timedelta(days=14)
    made = api.client.post("/api/v1/challenges", json=body | {"ontvangenOp": received.isoformat()},
                           headers=api.key("behandelaar"))
    assert made.status_code == 201, made.text
    terms = api.client.get(f"/api/v1/challenges/{made.json()['challenge']['id']}/terms",
                           headers=api.key("behandelaar")).json()
    assert next(t for t in terms if t["name"] == "beslistermijn")["startedOn"] == received.isoformat()

    anonymous = api.client.post("/api/v1/challenges", json=body | {"ontvangenOp": received.isoformat()})
    assert anonymous.status_code == 422 and anonymous.headers["content-type"] == PROBLEM
    assert anonymous.json()["invalidParams"] == [{"name": "body.ontvangenOp", "reason": "alleen met een API-sleutel"}]
    future = api.client.post("/api/v1/challenges", headers=api.key("behandelaar"),
                             json=body | {"ontvangenOp": (received + timedelta(days=30)).isoformat()})
    assert future.status_code == 422 and "toekomst" in future.json()["invalidParams"][0]["reason"]
    assert future.json()["invalidParams"][0]["name"] == "body.ontvangenOp"
