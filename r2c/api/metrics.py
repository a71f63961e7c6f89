"""``/metrics`` in the Prometheus text format, and the ASGI middleware that gives each request its id and counts it.

Per app one registry (not prometheus_client's global one), so several apps in one process do not collide:

- ``r2c_http_requests_total{method, route, status}`` and ``r2c_http_request_duration_seconds{method, route}``:
  ``route`` is the route template (``/api/v1/challenges/{challenge_id}``), never the path, so no id or token is a
  label; a path no route matches is ``onbekend``;
- ``r2c_planner_tick_duration_seconds``: the planner's rounds in this process (``r2c serve`` with the planner);
- read from the database at scrape time (r2c.store.metrics): ``r2c_outbox_messages{status}``,
  ``r2c_deliveries{channel, status}``, ``r2c_deliveries_failed{channel}``, ``r2c_terms_running{gemeente}``,
  ``r2c_terms_overdue{gemeente}``, and ``r2c_database_up`` (0 when they could not be read).

Only clients in ``R2C_METRICS_ADRESSEN`` or with ``Authorization: Bearer <R2C_METRICS_SLEUTEL>`` get an answer;
anyone else gets the 404 of a path that does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from r2c import logs
from r2c.api.problems import REQUEST_ID, route_template
from r2c.clock import today
from r2c.service.challenges import ChallengeService
from r2c.settings import Settings
from r2c.store import metrics as counts

ACCESS = logging.getLogger("r2c.http")
LOG = logging.getLogger("r2c.api")


class Metrics:
    """The app's metrics.

    Attributes:
        registry: the app's own registry (what ``/metrics`` shows).
        requests: requests by method, route template and status.
        latency: request duration by method and route template.
        tick: duration of the planner's rounds in this process.
    """

    def __init__(self, service: ChallengeService):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("r2c_http_requests", "HTTP-verzoeken per route (sjabloon) en status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("r2c_http_request_duration_seconds", "Duur van HTTP-verzoeken per route (sjabloon)",
                                 ["method", "route"], registry=self.registry)
        self.tick = Histogram("r2c_planner_tick_duration_seconds", "Duur van een ronde van de planner",
                              buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
                              registry=self.registry)
        self.registry.register(StoreCollector(service))

    def scrape(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)


class StoreCollector(Collector):
    """Backlog and term gauges, counted in the database at each scrape (nothing is kept in memory)."""

    def __init__(self, service: ChallengeService):
        self.service = service

    def describe(self) -> list[Metric]:
        return []  # the families are only known by reading the database; no need to read it on registration

    def collect(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily("r2c_outbox_messages", "Berichten in de outbox per status", labels=["status"])
        deliveries = GaugeMetricFamily("r2c_deliveries", "Bezorgingen per kanaal en status",
                                       labels=["channel", "status"])
        failed = GaugeMetricFamily("r2c_deliveries_failed", "Bezorgingen die zijn opgegeven (status mislukt)",
                                   labels=["channel"])
        running = GaugeMetricFamily("r2c_terms_running", "Lopende termijnen per gemeente", labels=["gemeente"])
        overdue = GaugeMetricFamily("r2c_terms_overdue", "Lopende termijnen waarvan de einddatum voorbij is",
                                    labels=["gemeente"])
        up = GaugeMetricFamily("r2c_database_up", "1 als de tellingen uit de database gelezen konden worden, anders 0")
        try:
            with self.service.reading() as connection:
                outboxed = counts.outbox_by_status(connection)
                by_channel = counts.deliveries_by_status(connection)
                terms = counts.running_terms(connection, today=today(self.service.clock))
        except Exception as error:  # noqa: BLE001 - the other metrics still answer; the gauge says what is wrong
            LOG.warning("metrics: de database is niet te lezen: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for status, count in sorted(outboxed.items()):
            outbox.add_metric([status], count)
        for (channel, status), count in sorted(by_channel.items()):
            deliveries.add_metric([channel, status], count)
        for channel in sorted({channel for channel, _ in by_channel}):
            failed.add_metric([channel], by_channel.get((channel, "mislukt"), 0))
        for gemeente, (lopend, verlopen) in sorted(terms.items()):
            running.add_metric([gemeente], lopend)
            overdue.add_metric([gemeente], verlopen)
        yield from (up, outbox, deliveries, failed, running, overdue)


class Observe:
    """Per HTTP request: its id (``X-Request-ID`` in, else new; always in the response) in the log context, a
    count and a duration under its route template, and one access line in the log (logger ``r2c.http``: method,
    route template, status, milliseconds; not the path, not the client's address)."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), None)
        ident = logs.request_id(incoming)
        scope[REQUEST_ID] = ident
        status = 500

        async def with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", ident.encode("ascii"))]
            await send(message)

        started = time.perf_counter()
        with logs.context(request_id=ident):
            try:
                await self.app(scope, receive, with_id)
            finally:
                seconds = time.perf_counter() - started
                route = route_template(scope)
                method = scope.get("method", "")
                self.metrics.requests.labels(method, route, str(status)).inc()
                self.metrics.latency.labels(method, route).observe(seconds)
                ACCESS.info("%s %s %d %.0f ms", method, route, status, seconds * 1000)


def metrics_routes(metrics: Metrics, settings: Settings) -> APIRouter:
    """``GET /metrics``, for the allowed addresses and the key only; not in the OpenAPI document."""
    networks = [ipaddress.ip_network(a, strict=False) for a in settings.metrics_adressen]
    key = settings.metrics_sleutel
    router = APIRouter()

    def allowed(request: Request) -> bool:
        given = request.headers.get("authorization", "")
        if key and hmac.compare_digest(given.encode(), f"Bearer {key}".encode()):
            return True
        try:
            client = ipaddress.ip_address(request.client.host) if request.client else None
        except ValueError:  # not an IP address (a test client, a unix socket)
            return False
        if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
            client = client.ipv4_mapped  # ::ffff:10.1.2.3 on a dual-stack socket is 10.1.2.3
        return client is not None and any(client in network for network in networks)

    @router.get("/metrics", include_in_schema=False)
    def scrape(request: Request) -> Response:
        if not allowed(request):
            raise HTTPException(404, "Not Found")
        return Response(metrics.scrape(), media_type=CONTENT_TYPE_LATEST)

    return router
