"""The webhook channel against a real HTTP receiver on loopback that checks the signature as docs/notifications.md
tells integrators to: one signed CloudEvent per URL per change, retried after a 503, given up after a 400, and a
wrong secret noticed by the receiver. Time moves with the FixedClock; nothing sleeps."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from r2c.errors import R2CError
from r2c.notify.channels import DeliveryError, Message
from r2c.notify.routing import Router
from r2c.notify.webhook import WebhookChannel, body_of, signature
from r2c.scheduler.jobs import deliver, distribute
from r2c.settings import Settings
from r2c.store.tables import DeliveryRow
from tests.integration.helpers import submit

SECRET = "test-geheim-0123456789abcdef"


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it, and what it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """A webhook receiver on 127.0.0.1: verifies X-R2C-Signature over the raw body, records every request and
    answers from ``answers[path]`` in turn (204 when the list is used up; 401 when the signature is wrong)."""

    def __init__(self, secret: str):
        self.secret = secret
        self.answers: dict[str, list[int]] = {}
        self.received: list[Received] = []
        self.hold = threading.Event()  # a path in ``silent`` waits for this before answering
        self.silent: set[str] = set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path in receiver.silent:
                    receiver.hold.wait(timeout=30)
                    return
                expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                verified = hmac.compare_digest(expected, self.headers.get("X-R2C-Signature", ""))
                with receiver._lock:
                    queue = receiver.answers.get(self.path, [])
                    status = (queue.pop(0) if queue else 204) if verified else 401
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body, verified, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]


def _receiver(secret: str) -> Iterator[Receiver]:
    receiver = Receiver(secret)
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.hold.set()
        receiver.server.shutdown()
        receiver.server.server_close()
        receiver.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver that knows r2c's secret."""
    yield from _receiver(SECRET)


def webhook_settings(tmp_path, *urls: str, secret: str = SECRET) -> Settings:
    return Settings(kanalen=["webhook"], webhook_urls=list(urls), webhook_geheim=secret, huisstijl=tmp_path)


def delivery_row(database):
    with database.read_sessions() as session:
        return session.execute(select(DeliveryRow.__table__)).one()


# -- through the scheduler's jobs ---------------------------------------------------------------------------

def test_a_change_reaches_every_url_once_as_a_signed_cloudevent(service, database, clock, catalog, tmp_path,
                                                               receiver) -> None:
    settings = webhook_settings(tmp_path, receiver.url("/zaaksysteem"), receiver.url("/dashboard"))
    router, channels = Router(settings, catalog), {"webhook": WebhookChannel(settings)}
    c = submit(service).challenge
    assert distribute(service, clock, router).queued == 2
    assert deliver(service, clock, channels, router).sent == 2
    assert distribute(service, clock, router).queued == 0 and deliver(service, clock, channels, router).done == 0
    assert sorted(r.path for r in receiver.received) == ["/dashboard", "/zaaksysteem"]
    for request in receiver.received:
        event = request.event
        assert request.verified and request.status == 204
        assert request.headers["Content-Type"].startswith("application/cloudevents+json")
        assert (event["specversion"], event["type"], event["subject"], event["id"]) == \
            ("1.0", "nl.r2c.uitdaging.transitie", c.id, f"{c.id}:1")
        assert request.headers["Idempotency-Key"] == event["id"]
        assert event["source"].startswith("urn:nld:")
        assert datetime.fromisoformat(event["time"]) == clock.now()
        assert event["datacontenttype"] == "application/json"
        assert (event["data"]["uitdaging"], event["data"]["naar"]) == (c.id, "indiening.ontvangen")
        for personal in (b"Fatima", b"fatima@example.nl", b"0612345678", b"Buurtvereniging"):
            assert personal not in request.body, "no personal data in a CloudEvent"
    assert receiver.received[0].body == receiver.received[1].body, "the same event to every URL"


def test_a_receiver_that_answers_503_gets_the_event_once_after_the_retry(service, database, clock, catalog,
                                                                        tmp_path, receiver) -> None:
    settings = webhook_settings(tmp_path, receiver.url("/hook"))
    router, channels = Router(settings, catalog), {"webhook": WebhookChannel(settings)}
    receiver.answers["/hook"] = [503]
    submit(service)
    distribute(service, clock, router)
    assert deliver(service, clock, channels, router).retried == 1
    assert deliver(service, clock, channels, router).done == 0, "not before the backoff"
    clock.set(clock.now() + timedelta(minutes=1))
    assert deliver(service, clock, channels, router).sent == 1
    clock.set(clock.now() + timedelta(days=1))
    assert deliver(service, clock, channels, router).done == 0
    assert [r.status for r in receiver.received] == [503, 204]
    assert len(receiver.accepted()) == 1
    first, second = receiver.received
    assert first.body == second.body and first.headers["X-R2C-Signature"] == second.headers["X-R2C-Signature"], \
        "a retry sends the same bytes, so the same id and signature"
    row = delivery_row(database)
    assert (row.status, row.attempts) == ("verzonden", 2)


def test_a_receiver_that_answers_400_is_given_up_at_once(service, database, clock, catalog, tmp_path,
                                                         receiver) -> None:
    settings = webhook_settings(tmp_path, receiver.url("/hook"))
    router, channels = Router(settings, catalog), {"webhook": WebhookChannel(settings)}
    receiver.answers["/hook"] = [400]
    submit(service)
    distribute(service, clock, router)
    assert deliver(service, clock, channels, router).failed == 1
    clock.set(clock.now() + timedelta(hours=7))
    assert deliver(service, clock, channels, router).done == 0
    assert [r.status for r in receiver.received] == [400]
    row = delivery_row(database)
    assert (row.status, row.attempts) == ("mislukt", 1) and "400" in row.last_error


def test_a_wrong_secret_is_detected_by_the_receiver(service, database, clock, catalog, tmp_path) -> None:
    for receiver in _receiver("het-geheim-van-de-ontvanger-0123"):
        settings = webhook_settings(tmp_path, receiver.url("/hook"), secret="een-ander-geheim-van-r2c-0123")
        router, channels = Router(settings, catalog), {"webhook": WebhookChannel(settings)}
        submit(service)
        distribute(service, clock, router)
        assert deliver(service, clock, channels, router).failed == 1
        assert [(r.verified, r.status) for r in receiver.received] == [(False, 401)]
    row = delivery_row(database)
    assert row.status == "mislukt" and "401" in row.last_error


# -- the channel on its own ---------------------------------------------------------------------------------

def message(url: str, **event) -> Message:
    event = {"specversion": "1.0", "id": "u1:1", "source": "urn:nld:r2c", "type": "nl.r2c.uitdaging.transitie",
             "subject": "u1", "time": "2026-03-02T08:00:00+00:00", "datacontenttype": "application/json",
             "data": {"uitdaging": "u1"}, **event}
    return Message(f"u1:1|webhook|{url}", "webhook", url, "gouda", event["type"], "", event=event)


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_delivered(receiver, tmp_path, status) -> None:
    receiver.answers["/hook"] = [status]
    WebhookChannel(webhook_settings(tmp_path)).send(message(receiver.url("/hook")))
    assert [r.status for r in receiver.received] == [status]


@pytest.mark.parametrize(("status", "temporary"), [
    (408, True), (429, True), (500, True), (502, True), (503, True), (504, True),
    (301, False), (400, False), (401, False), (403, False), (404, False), (410, False), (413, False),
    (415, False), (422, False)])
def test_which_answers_are_tried_again(receiver, tmp_path, status, temporary) -> None:
    receiver.answers["/hook"] = [status]
    with pytest.raises(DeliveryError) as raised:
        WebhookChannel(webhook_settings(tmp_path)).send(message(receiver.url("/hook")))
    assert raised.value.temporary is temporary and str(status) in str(raised.value)


def test_no_connection_is_tried_again(tmp_path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as raised:
        WebhookChannel(webhook_settings(tmp_path)).send(message(f"http://127.0.0.1:{port}/hook"))
    assert raised.value.temporary and "niet bereikbaar" in str(raised.value)


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(receiver, tmp_path) -> None:
    receiver.silent.add("/traag")
    with pytest.raises(DeliveryError) as raised:
        WebhookChannel(webhook_settings(tmp_path), timeout=0.2).send(message(receiver.url("/traag")))
    assert raised.value.temporary and "binnen 0.2 s" in str(raised.value)


def test_the_body_is_the_signed_cloudevent_without_null_attributes(receiver, tmp_path) -> None:
    """A digest is about a gemeente, not one challenge: its subject is None and is left out of the JSON (the JSON
    format allows null, Open Notificaties' CloudEvent schema does not)."""
    WebhookChannel(webhook_settings(tmp_path)).send(message(receiver.url("/hook"), subject=None))
    request = receiver.received[0]
    assert "subject" not in request.event and request.body == body_of(request.event)
    assert request.headers["X-R2C-Signature"] == signature(SECRET, request.body)


def test_the_channel_refuses_a_missing_secret_and_plain_http_elsewhere(tmp_path) -> None:
    with pytest.raises(R2CError, match="R2C_WEBHOOK_GEHEIM"):
        WebhookChannel(webhook_settings(tmp_path, secret=""))
    with pytest.raises(R2CError, match="R2C_WEBHOOK_GEHEIM"):
        WebhookChannel(webhook_settings(tmp_path, secret="kort"))
    with pytest.raises(R2CError, match="https://"):
        WebhookChannel(webhook_settings(tmp_path, "http://zaaksysteem.gouda.nl/hook"))
    WebhookChannel(webhook_settings(tmp_path, "https://zaaksysteem.gouda.nl/hook", "http://localhost:8080/"))


def test_the_channel_is_found_as_an_entry_point(tmp_path) -> None:
    from r2c.notify.channels import load_channels

    channels = load_channels(webhook_settings(tmp_path))
    assert isinstance(channels["webhook"], WebhookChannel)


# -- a channel of one's own (docs/notifications.md) ---------------------------------------------------------

def test_a_channel_of_ones_own_gets_every_message_with_its_cloudevent(service, database, clock, catalog,
                                                                       tmp_path) -> None:
    class Teams:
        name = "teams"

        def __init__(self) -> None:
            self.received: list[Message] = []

        def send(self, message: Message) -> None:
            self.received.append(message)

    router, teams = Router(Settings(kanalen=["teams"], huisstijl=tmp_path), catalog), Teams()
    c = submit(service).challenge
    distribute(service, clock, router)
    deliver(service, clock, {"teams": teams}, router)
    assert [(m.channel, m.event.get("id"), m.event.get("subject")) for m in teams.received] == \
        [("teams", f"{c.id}:1", c.id)]
