"""The HTTP layer: ``create_app(service)``, a FastAPI app a host can mount. Thin: every rule is in the service.

- ``/api/v1``: the API (OpenAPI 3.1 at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``), errors as
  problem+json (r2c.api.problems), callers by API key or status link (r2c.api.security);
- ``/status/{token}``: the initiatiefnemer's status page (r2c.web.status);
- ``/metrics``: Prometheus metrics, for the configured addresses or key only (r2c.api.metrics); every request
  gets an id (``X-Request-ID``) that its log lines carry;
- in its lifespan, optionally, the scheduler (``r2c serve``, ``make run``).

See docs/api.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from r2c.api.challenges import challenge_routes
from r2c.api.deps import Context, make_context
from r2c.api.metrics import Metrics, Observe, metrics_routes
from r2c.api.problems import add_problem_schemas, install, problem, responses
from r2c.api.resources import file_routes, workflow_routes
from r2c.api.schemas import HealthOut, ReadyOut
from r2c.api.security import Authenticator, RateLimit
from r2c.exports.letters import Letters
from r2c.notify.routing import Router
from r2c.service.access import KeyStore
from r2c.service.challenges import ChallengeService
from r2c.settings import Settings, load_settings

BASE = "/api/v1"

DESCRIPTION = """Het uitdaagrecht (Right to Challenge) als procedure: indienen, aanvullen, toetsen, besluiten,
overnemen en evalueren, met de termijnen van de Awb en de Algemene termijnenwet.

Aanmelden: `Authorization: Bearer <sleutel>` met een API-sleutel (`r2c keys create --gemeente G --rol R`), of met
het token van de statuslink van de initiatiefnemer (alleen de eigen uitdaging). Fouten zijn
`application/problem+json` (RFC 9457)."""


def create_app(service: ChallengeService, *, settings: Settings | None = None, scheduler: bool = False,
               keys: KeyStore | None = None, planner_elsewhere: bool = False) -> FastAPI:
    """The app on ``service``; with ``scheduler`` the planner runs in this process while the app runs;
    ``planner_elsewhere``: it runs in another process of the same server (``r2c serve --workers``), as /ready says.

    ``keys``: where API keys are checked (default: the service's own database, via its session factory).
    """
    settings = settings or load_settings()
    keys = keys or KeyStore(service.units.read_sessions, service.clock, roles=service.policy.key_roles(service.catalog))
    public = RateLimit(settings.publieke_limiet)
    letters = Letters(service, Router(settings, service.catalog))
    ctx = make_context(service, Authenticator(service, keys, public), letters, settings)
    metrics = Metrics(service)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        running = None
        if scheduler:
            from r2c.scheduler.runner import start_background

            running = start_background(service, settings, on_tick=metrics.tick.observe)
        try:
            yield
        finally:
            if running is not None:
                running.shutdown(wait=False)

    app = FastAPI(title="r2c", summary="Uitdaagrecht (Right to Challenge) volgens de verordening van elke gemeente",
                  description=DESCRIPTION, version="1.0.0", openapi_url=f"{BASE}/openapi.json",
                  docs_url=f"{BASE}/docs", redoc_url=None, lifespan=lifespan)
    app.state.r2c = ctx
    app.state.metrics = metrics
    install(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "DELETE"],
                           allow_headers=["Authorization", "X-Api-Key", "X-R2C-Rol", "If-Match", "Content-Type"],
                           expose_headers=["ETag", "Location", "Retry-After"])

    app.add_middleware(ApiVersion, version=app.version)
    app.add_middleware(Observe, metrics=metrics)  # added last: the outermost, so it sees every response

    api = APIRouter(prefix=BASE)
    api.include_router(_health(ctx, scheduler or planner_elsewhere))
    api.include_router(workflow_routes(ctx))
    api.include_router(challenge_routes(ctx))
    api.include_router(file_routes(ctx))
    app.include_router(api)
    app.include_router(metrics_routes(metrics, settings))
    _document_problems(app)
    _mount_pages(app, ctx, public, settings)
    return app


class ApiVersion:
    """Adds ``API-Version`` to every response under /api/v1 (NL API Design Rules, API-57); plain ASGI, so it
    costs next to nothing per request."""

    def __init__(self, app: ASGIApp, version: str):
        self.app = app
        self.header = (b"api-version", version.encode("ascii"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(BASE):
            await self.app(scope, receive, send)
            return

        async def with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        await self.app(scope, receive, with_version)


def _document_problems(app: FastAPI) -> None:
    """The OpenAPI document with the problem+json schemas in its components."""
    plain = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_schemas(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _health(ctx: Context, scheduler: bool) -> APIRouter:
    router = APIRouter(tags=["beheer"])

    @router.get("/health", response_model=HealthOut, summary="Draait de server?")
    def health() -> HealthOut:
        return HealthOut(status="ok")

    @router.get("/ready", response_model=ReadyOut, summary="Kan de server werken: is de database bereikbaar?",
                responses=responses(503))
    def ready(request: Request):
        try:
            with ctx.service.reading() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means: not ready
            return problem(request, 503, "niet-gereed", "Niet gereed",
                           f"de database is niet bereikbaar: {type(error).__name__}")
        return ReadyOut(status="gereed", planner=scheduler)

    return router


def _mount_pages(app: FastAPI, ctx: Context, public: RateLimit, settings: Settings) -> None:
    """The static files of the pages (r2c.web.pages), the status page and the intake form for initiatiefnemers
    (r2c.web.status, r2c.web.indienen; rate limited per address), the login of the werkomgeving (r2c.web.login;
    ``app.state.login.require_staff`` is the dependency of its pages) and the year report page."""
    from r2c.web.bewoner import step_router
    from r2c.web.indienen import intake_router
    from r2c.web.login import LoginRequired, login_redirect, make_login
    from r2c.web.pages import mount_static
    from r2c.web.rapport import rapport_router
    from r2c.web.status import PageLimited, limited_page, status_router
    from r2c.web.uitdaging import werk_routers

    mount_static(app)
    login = make_login(ctx.service, settings)
    app.state.login = login
    app.add_exception_handler(LoginRequired, login_redirect)
    app.include_router(login.router())
    for router in werk_routers(ctx.service, ctx.letters, settings, staff=login.require_staff):
        app.include_router(router)
    app.include_router(rapport_router(ctx.service, staff_dependency=login.require_staff))

    async def limited(request: Request) -> None:
        wait = public.wait(request, "status")
        if wait is not None:
            raise PageLimited(wait)

    app.add_exception_handler(PageLimited, limited_page)
    app.include_router(status_router(ctx.service, ctx.letters, dependencies=[Depends(limited)]))
    app.include_router(intake_router(ctx.service, huisstijl_of=ctx.letters.router.huisstijl,
                                     dependencies=[Depends(limited)]))
    app.include_router(step_router(ctx.service, limit=settings.publieke_limiet, dependencies=[Depends(limited)]))
