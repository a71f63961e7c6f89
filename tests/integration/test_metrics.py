"""``/metrics`` (docs/beheer.md, "Metrics"): what Prometheus reads, parsed with prometheus_client's own parser, on a
real app and database: requests under their route template, the backlog and the terms counted in the database,
the planner's rounds, and the endpoint hidden from everyone who is not allowed in.
"""

from __future__ import annotations

import time
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from r2c.notify.routing import Router
from r2c.scheduler.jobs import deliver, distribute
from r2c.settings import Settings
from tests.integration.apiclient import Api, make_api
from tests.integration.helpers import submit

LOCAL = ("127.0.0.1", 50000)
ELSEWHERE = ("10.1.2.3", 5000)


def samples(api: Api, **headers: str) -> dict[tuple[str, frozenset], float]:
    """/metrics as {(sample name, labels): value}."""
    response = api.client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def test_a_request_is_counted_under_its_route_template_and_status_never_under_its_path(service, database,
                                                                                     tmp_path) -> None:
    api = make_api(service, database, tmp_path, address=LOCAL)
    challenge = api.submit()["challenge"]
    reader = api.key("lezer")
    assert api.client.get(f"/api/v1/challenges/{challenge['id']}", headers=reader).status_code == 200
    assert api.client.get(f"/api/v1/challenges/{challenge['id']}", headers=reader).status_code == 200
    assert api.client.get("/api/v1/challenges/nergens", headers=reader).status_code == 404
    assert api.client.get("/bestaat/niet").status_code == 404

    found = samples(api)
    route = "/api/v1/challenges/{challenge_id}"
    assert value(found, "r2c_http_requests_total", method="GET", route=route, status="200") == 2
    assert value(found, "r2c_http_requests_total", method="GET", route=route, status="404") == 1
    assert value(found, "r2c_http_requests_total", method="POST", route="/api/v1/challenges", status="201") == 1
    assert value(found, "r2c_http_requests_total", method="GET", route="onbekend", status="404") == 1
    assert value(found, "r2c_http_request_duration_seconds_count", method="GET", route=route) == 3
    labels = {v for (_, pairs) in found for _, v in pairs}
    assert not any(challenge["id"] in v or "nergens" in v or "bestaat" in v for v in labels), labels


def test_the_backlog_is_counted_in_the_database_by_status_and_channel(service, database, clock, tmp_path) -> None:
    router = Router(Settings(kanalen=["log"]), service.catalog)
    for titel in ("Speeltuin", "Buurthuis", "Moestuin"):
        submit(service, titel=titel)
    assert distribute(service, clock, router).done == 3  # one message per submission, one log delivery each
    assert deliver(service, clock, {}, router, max_attempts=1).failed == 3  # the log channel is off: given up
    submit(service, titel="Bankjes")  # its message waits in the outbox

    found = samples(make_api(service, database, tmp_path, address=LOCAL))
    assert value(found, "r2c_database_up") == 1
    assert value(found, "r2c_outbox_messages", status="verdeeld") == 3
    assert value(found, "r2c_outbox_messages", status="wachtend") == 1
    assert value(found, "r2c_deliveries", channel="log", status="mislukt") == 3
    assert value(found, "r2c_deliveries_failed", channel="log") == 3
    assert value(found, "r2c_deliveries", channel="log", status="wachtend") is None


def test_running_and_overdue_terms_are_counted_per_gemeente(service, database, clock, tmp_path) -> None:
    gouda, vught = submit(service, "gouda"), submit(service, "vught")
    api = make_api(service, database, tmp_path, address=LOCAL)
    running = {g: [t for t in api.client.get(f"/api/v1/challenges/{c.challenge.id}/terms",
                                             headers=api.key("lezer", g)).json() if t["status"] == "lopend"]
               for g, c in (("gouda", gouda), ("vught", vught))}
    found = samples(api)
    for gemeente in ("gouda", "vught"):
        assert value(found, "r2c_terms_running", gemeente=gemeente) == len(running[gemeente]) > 0
        assert value(found, "r2c_terms_overdue", gemeente=gemeente) == 0

    first_end = min(t["einddatum"] for t in running["gouda"])
    later = clock.now().replace(year=int(first_end[:4]), month=int(first_end[5:7]), day=int(first_end[8:10]))
    clock.set(later + timedelta(days=1))  # the day after the first end date; the planner has not run
    found = samples(api)
    overdue = sum(t["einddatum"] == first_end for t in running["gouda"])
    assert value(found, "r2c_terms_overdue", gemeente="gouda") == overdue > 0
    assert value(found, "r2c_terms_running", gemeente="gouda") == len(running["gouda"])


def test_the_planners_round_is_timed_when_it_runs_in_the_server(service, database, tmp_path) -> None:
    api = make_api(service, database, tmp_path, address=LOCAL, scheduler=True)
    with api.client:  # the lifespan starts the planner; its first round starts at once
        deadline = time.monotonic() + 120
        while not value(samples(api), "r2c_planner_tick_duration_seconds_count"):
            assert time.monotonic() < deadline, "the planner did not finish a round within 120 s"
            time.sleep(0.2)
        found = samples(api)
    assert value(found, "r2c_planner_tick_duration_seconds_count") >= 1
    assert value(found, "r2c_planner_tick_duration_seconds_sum") > 0


def test_metrics_are_hidden_from_other_addresses_and_open_with_the_key(service, database, tmp_path) -> None:
    closed = make_api(service, database, tmp_path, address=ELSEWHERE)
    unknown = closed.client.get("/bestaat/niet")
    hidden = closed.client.get("/metrics")
    assert hidden.status_code == 404 and hidden.json()["title"] == unknown.json()["title"]
    assert hidden.json()["detail"] == unknown.json()["detail"]

    keyed = make_api(service, database, tmp_path, address=ELSEWHERE, metrics_sleutel="geheim-voor-prometheus")
    assert keyed.client.get("/metrics").status_code == 404
    assert keyed.client.get("/metrics", headers={"Authorization": "Bearer fout"}).status_code == 404
    assert "r2c_http_requests_total" in keyed.client.get(
        "/metrics", headers={"Authorization": "Bearer geheim-voor-prometheus"}).text

    ranged = make_api(service, database, tmp_path, address=ELSEWHERE, metrics_adressen=["10.0.0.0/8"])
    assert ranged.client.get("/metrics").status_code == 200
    assert make_api(service, database, tmp_path, address=("::1", 5000)).client.get("/metrics").status_code == 200
    assert "/metrics" not in closed.client.get("/api/v1/openapi.json").json()["paths"]


def test_several_apps_in_one_process_keep_their_own_counts(service, database, tmp_path) -> None:
    one, two = (make_api(service, database, tmp_path, address=LOCAL) for _ in range(2))
    for _ in range(3):
        one.client.get("/api/v1/health")
    two.client.get("/api/v1/health")
    assert value(samples(one), "r2c_http_requests_total", method="GET", route="/api/v1/health", status="200") == 3
    assert value(samples(two), "r2c_http_requests_total", method="GET", route="/api/v1/health", status="200") == 1


def test_a_database_that_does_not_answer_is_a_gauge_not_a_broken_scrape(catalog, clock, tmp_path) -> None:
    from r2c.service import ChallengeService
    from r2c.store import Database

    database = Database.connect(f"sqlite:///{tmp_path / 'leeg.db'}")  # never migrated: no tables to count
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    api = make_api(service, database, tmp_path, address=LOCAL)
    api.client.get("/api/v1/health")
    found = samples(api)
    assert value(found, "r2c_database_up") == 0
    assert value(found, "r2c_http_requests_total", method="GET", route="/api/v1/health", status="200") == 1
    assert not any(name.startswith("r2c_outbox") for name, _ in found)
