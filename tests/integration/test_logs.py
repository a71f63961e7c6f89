"""The log lines (docs/beheer.md, "Logboeken"): JSON or text, each request's id in every line of that request,
the gemeente and challenge where known, and never the resident's personal data, over a whole lifecycle.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from r2c import logs
from r2c.notify.channels import load_channels
from r2c.notify.routing import Router
from r2c.scheduler.jobs import tick
from r2c.settings import Settings
from tests.integration.apiclient import make_api, status_headers
from tests.integration.helpers import all_vereisten
from tests.integration.test_api import criteria

PERSON = {"naam": "Wilhelmina Zwaneveld", "email": "w.zwaneveld@voorbeeld.nl", "telefoon": "0687654321"}


@pytest.fixture
def captured() -> Iterator[callable]:
    """``start(format)`` sends every logger's records, from DEBUG, to a buffer in that format and returns it; the
    logging configuration before the test (pytest's own capture) comes back afterwards."""
    root = logging.getLogger()
    before = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in logs.QUIET})

    def start(log_format: str) -> io.StringIO:
        buffer = io.StringIO()
        logs.configure(log_format, level=logging.DEBUG, stream=buffer)
        return buffer

    yield start
    handlers, level, quiet = before
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_json_lines_carry_the_request_id_in_and_out_and_the_challenge_they_are_about(service, database, tmp_path,
                                                                                  captured) -> None:
    api = make_api(service, database, tmp_path)
    buffer = captured("json")
    health = api.client.get("/api/v1/health", headers={"X-Request-ID": "zaak-42.1"})
    assert health.headers["X-Request-ID"] == "zaak-42.1"
    odd = api.client.get("/api/v1/health", headers={"X-Request-ID": "<script> of veel te lang" * 10})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])
    submitted = api.submit()
    challenge = submitted["challenge"]
    asked = api.client.post(f"/api/v1/challenges/{challenge['id']}/events/aanvulling_vragen",
                            headers={**api.key("behandelaar"), "If-Match": '"1"', "X-Request-ID": "verzoek-7"},
                            json={"data": {}, "reden": "De begroting ontbreekt."})
    assert asked.status_code == 200 and asked.headers["X-Request-ID"] == "verzoek-7"

    records = lines(buffer)
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert all(r["time"].endswith("+00:00") for r in records)
    access = [r for r in records if r["logger"] == "r2c.http"]
    assert access[0]["request_id"] == "zaak-42.1" and access[0]["message"].startswith("GET /api/v1/health 200")
    assert access[1]["request_id"] == odd.headers["X-Request-ID"]
    of_request = [r for r in records if r.get("request_id") == "verzoek-7"]
    service_line = next(r for r in of_request if r["logger"] == "r2c.service")
    assert service_line["level"] == "DEBUG" and service_line["message"].startswith("aanvulling_vragen door behandelaar")
    assert service_line["gemeente"] == "gouda" and service_line["challenge_id"] == challenge["id"]
    event_route = "POST /api/v1/challenges/{challenge_id}/events/{event} 200"
    assert any(r["logger"] == "r2c.http" and r["message"].startswith(event_route) for r in of_request)
    assert not any(challenge["id"] in r["message"] for r in access)  # the route template, not the path


def test_text_lines_name_level_logger_and_the_request(service, database, tmp_path, captured) -> None:
    api = make_api(service, database, tmp_path)
    buffer = captured("tekst")
    api.client.get("/api/v1/health", headers={"X-Request-ID": "r-1"})
    line = next(x for x in buffer.getvalue().splitlines() if " r2c.http " in x)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO r2c.http GET /api/v1/health 200 \d+ ms "
                        r"\[request_id=r-1\]", line), line


@pytest.mark.parametrize("log_format", ["json", "tekst"])
def test_no_personal_data_in_any_log_line_over_a_whole_lifecycle(service, database, clock, tmp_path, captured,
                                                                 log_format) -> None:
    channels_on = {"kanalen": ["log", "email"], "smtp_host": "127.0.0.1", "smtp_port": closed_port()}
    api = make_api(service, database, tmp_path, **channels_on)
    settings = Settings(documenten=tmp_path / "documenten", **channels_on)
    channels, router = load_channels(settings), Router(settings, service.catalog)
    buffer = captured(log_format)

    submitted = api.submit(**PERSON)
    challenge, resident = submitted["challenge"], status_headers(submitted)
    behandelaar, teamleider, college = api.key("behandelaar"), api.key("teamleider"), api.key("college")
    steps = [("aanvulling_vragen", behandelaar, None, "De begroting ontbreekt."),
             ("aanvullen", resident, {"vereisten": all_vereisten(service, "gouda")}, None),
             ("in_behandeling_nemen", behandelaar, None, None),
             ("beoordelen", behandelaar, criteria(service), None),
             ("voorleggen", teamleider, {"weigering_op_andere_feiten": False}, None),
             ("toekennen", college, None, "Het plan voldoet aan alle criteria.")]
    for event, headers, data, reden in steps:
        fired = api.fire(challenge, event, headers, data=data, reden=reden)
        assert fired.status_code == 200, (event, fired.text)
    assert api.client.get(f"/status/{submitted['statusToken']}").status_code == 200
    for letter in api.client.get(f"/api/v1/challenges/{challenge['id']}/letters", headers=resident).json():
        base = f"/api/v1/challenges/{challenge['id']}/letters/{letter['id']}"
        preview = api.client.get(base, headers=resident)
        assert preview.status_code == 200 and PERSON["naam"] in preview.text  # the letters do name the resident
    assert api.client.get(f"{base}/pdf", headers=college).status_code == 200

    for days in (0, 1, 40, 400):  # the planner: messages distributed and sent (e-mail fails: no server), terms
        clock.set(clock.now() + timedelta(days=days))
        tick(service, clock, channels, router, digest=True)

    text = buffer.getvalue()
    assert "r2c.service" in text and "r2c.planner" in text and "r2c.http" in text  # the lines were captured
    assert "mislukt" in text  # the e-mail to the resident was tried, and its failure logged
    for value in PERSON.values():
        assert value not in text, f"{value} staat in het log:\n" + "\n".join(
            line for line in text.splitlines() if value in line)
    assert submitted["statusToken"] not in text  # the status page's path is not logged either
    if log_format == "json":
        failed = [r for r in lines(buffer) if r["logger"] == "r2c.planner" and "mislukt" in r["message"]]
        assert failed and all(r["gemeente"] == "gouda" for r in failed)
