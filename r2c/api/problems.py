"""Errors as ``application/problem+json`` (RFC 9457), the way the NL API Design Rules ask.

Every error of r2c's hierarchy maps to one status: a client's mistake is a 4xx that says what to change, never
a 5xx. Field errors list each field path in ``invalidParams`` (``body.initiatiefnemer.email``); a refused event
names the current state and the events that are allowed now. A person's browser outside /api/ gets a Dutch page
with the same status instead, for an unknown path, an error that no page answered itself (most often: the database
is away) and an error in r2c itself (r2c.web.pages).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from r2c import logs
from r2c.errors import (
    AccessDenied, Conflict, DatabaseBehind, EngineError, EventNotAllowed, GuardFailed, InvalidEventData, InvalidInput,
    MigrationError, NotFound, R2CError, StorageError, TermijnError, UnknownEvent, UnknownGemeente,
)

PROBLEM_JSON = "application/problem+json"
TYPE = "https://r2c.invalid/problemen/"
"""Prefix of the problem types; each type is documented in docs/api.md under its name."""

log = logging.getLogger("r2c.api")
REQUEST_ID = "r2c.request_id"
"""Where the request's id is kept in the ASGI scope (r2c.api.metrics.Observe puts it there)."""
UNMATCHED = "onbekend"
"""The route of a request no route matched, in logs and metrics (its path could hold anything)."""


class InvalidParam(BaseModel):
    """One field that is wrong: its path and what is wrong with it."""

    name: str = Field(description="Pad van het veld, bv. body.initiatiefnemer.email of query.pageSize")
    reason: str = Field(description="Wat er mis is, in het Nederlands")


class Problem(BaseModel):
    """An error as RFC 9457 problem details, with r2c's extensions where they apply."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str = Field(default="about:blank", description="URI van het soort probleem")
    title: str = Field(description="Korte samenvatting van het soort probleem")
    status: int = Field(description="De HTTP-status")
    detail: str | None = Field(default=None, description="Wat er bij deze aanvraag mis ging")
    instance: str | None = Field(default=None, description="Het pad van de aanvraag")
    invalidParams: list[InvalidParam] | None = Field(default=None, description="Velden die niet kloppen")
    state: str | None = Field(default=None, description="Bij 409/412: de staat waarin de uitdaging nu is")
    allowedEvents: list[str] | None = Field(default=None, description="Bij 409: events die nu mogen")
    reasons: list[str] | None = Field(default=None, description="Bij 409: voorwaarden die niet vervuld zijn")
    currentVersion: int | None = Field(default=None, description="Bij 412: de versie van de uitdaging nu")
    changes: list[str] | None = Field(default=None, description="Bij 412: wat er sinds uw versie veranderde")


class ProblemError(Exception):
    """Raised by the API layer itself (bad header, too large, rate limit): becomes a problem response."""

    def __init__(self, status: int, slug: str, title: str, detail: str, *, headers: Mapping[str, str] | None = None,
                 **extra: Any):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers = dict(headers or {})
        self.extra = extra


def problem(request: Request | None, status: int, slug: str, title: str, detail: str | None, *,
            headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A problem+json response; ``extra`` members with value None are left out."""
    body = {"type": TYPE + slug if slug else "about:blank", "title": title, "status": status, "detail": detail,
            "instance": request.url.path if request is not None else None,
            **{k: v for k, v in extra.items() if v is not None}}
    return JSONResponse(status_code=status, content={k: v for k, v in body.items() if v is not None},
                        media_type=PROBLEM_JSON, headers=dict(headers or {}))


def invalid_params(fields: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    """invalidParams from a service's field -> message mapping, each path under ``prefix``."""
    return [{"name": f"{prefix}.{name}" if prefix else name, "reason": reason} for name, reason in fields.items()]


def _location(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc)


@dataclass(frozen=True)
class Described:
    """What an error of r2c's hierarchy means over HTTP: its status, problem type, title and detail (Dutch)."""

    status: int
    slug: str
    title: str
    detail: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] | None = None


def describe(error: R2CError) -> Described:
    """The status, type, title and detail of an error of r2c's hierarchy (a client's mistake is a 4xx)."""
    message = str(error)
    if isinstance(error, GuardFailed):
        return Described(409, "voorwaarden-niet-vervuld", "Niet alle voorwaarden zijn vervuld", message,
                         {"state": error.state, "allowedEvents": error.allowed, "reasons": error.reasons})
    if isinstance(error, EventNotAllowed):
        return Described(409, "event-niet-toegestaan", "Dit event mag nu niet", message,
                         {"state": error.state, "allowedEvents": error.allowed})
    if isinstance(error, InvalidEventData):
        return Described(422, "ongeldige-gegevens", "De gegevens van het event kloppen niet", message,
                         {"invalidParams": invalid_params(error.fields, "body.data")})
    if isinstance(error, InvalidInput):
        return Described(422, "ongeldige-invoer", "De invoer klopt niet", message,
                         {"invalidParams": invalid_params(error.fields, "body")})
    if isinstance(error, UnknownEvent):
        return Described(422, "onbekend-event", "Dit event bestaat niet in deze workflow", message,
                         {"invalidParams": [{"name": "path.event", "reason": message}]})
    if isinstance(error, UnknownGemeente):
        return Described(422, "onbekende-gemeente", "Deze gemeente kent r2c niet", message,
                         {"invalidParams": [{"name": "body.gemeente", "reason": message}]})
    if isinstance(error, Conflict):
        if error.expected is not None and error.current is not None:
            return Described(412, "versie-verouderd", "De uitdaging is intussen gewijzigd", message,
                             {"state": error.state, "currentVersion": error.current, "changes": error.changes})
        return Described(409, "gelijktijdige-wijziging", "Iemand anders wijzigde de uitdaging tegelijk", message)
    if isinstance(error, NotFound):
        return Described(404, "niet-gevonden", "Niet gevonden", message)
    if isinstance(error, AccessDenied):
        return Described(403, "geen-toegang", "Dit mag u niet", message)
    if isinstance(error, DatabaseBehind):
        return Described(503, "database-achter", "De database moet eerst bijgewerkt worden", message)
    if isinstance(error, StorageError):  # its message may name paths and servers: it goes to the log only
        return Described(503, "opslag-onbereikbaar", "De opslag is nu niet bereikbaar", "probeer het later nog eens",
                         headers={"Retry-After": "30"})
    if isinstance(error, (MigrationError, EngineError, TermijnError)):  # TermijnError: e.g. Awb 4:14, 4:17
        return Described(409, "niet-mogelijk", "Dit kan niet in de huidige staat", message)
    return Described(400, "fout-verzoek", "Het verzoek klopt niet", message)


_STATUS_TITLES = {400: "Het verzoek klopt niet", 401: "Niet aangemeld", 403: "Dit mag u niet",
                  404: "Niet gevonden", 405: "Deze methode kan hier niet", 406: "Dit formaat kan niet",
                  413: "Te groot", 415: "Dit type wordt niet aangenomen", 429: "Te veel verzoeken"}


def install(app: FastAPI) -> None:
    """Make every error of the app a problem+json response; a person's browser outside /api/ (r2c.web.pages
    ``wants_page``) gets a Dutch page with the same status instead, for what no page answered itself."""
    from r2c.web.pages import broken_page, no_such_page, refusal_page, wants_page

    @app.exception_handler(R2CError)
    async def r2c_error(request: Request, error: R2CError) -> Response:
        d = describe(error)
        if isinstance(error, StorageError):
            log.warning("opslag niet beschikbaar bij %s: %s", route_template(request.scope), error)
        if wants_page(request):  # a page did not answer this itself: most often, the database is away
            return refusal_page(request, d.status, d.title, d.detail, d.headers)
        return problem(request, d.status, d.slug, d.title, d.detail, headers=d.headers, **d.extra)

    @app.exception_handler(ProblemError)
    async def api_error(request: Request, error: ProblemError) -> JSONResponse:
        return problem(request, error.status, error.slug, error.title, error.detail, headers=error.headers,
                       **error.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        params = [{"name": _location(e.get("loc", ())), "reason": e.get("msg", "ongeldig")} for e in error.errors()]
        detail = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
        return problem(request, 422, "ongeldige-invoer", "De invoer klopt niet", detail, invalidParams=params)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = getattr(error, "headers", None)
        if error.status_code in (404, 405) and wants_page(request):  # an old bookmark, a typo, a form's address
            return no_such_page(request, error.status_code, headers)
        title = _STATUS_TITLES.get(error.status_code, "Fout")
        detail = error.detail if isinstance(error.detail, str) else title
        return problem(request, error.status_code, "", title, detail, headers=headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        # outside the request's own middleware (Starlette's outermost layer), so its id is set again here
        ident = request.scope.get(REQUEST_ID)
        with logs.context(request_id=ident):
            log.error("onverwachte fout bij %s %s", request.method, route_template(request.scope), exc_info=error)
        if wants_page(request):
            return broken_page(request, ident)
        return problem(request, 500, "serverfout", "Er ging iets mis bij r2c",
                       "dit is een fout in r2c, niet in uw verzoek; de beheerder kan haar in het log vinden",
                       headers={"X-Request-ID": ident} if ident else None)


def route_template(scope: Scope) -> str:
    """The full template of the route a request matched (``/api/v1/challenges/{challenge_id}``), or ``onbekend``.

    The matched route knows its path below the routers that include it; their prefixes are literal (r2c's are), so
    the leading segments of the request's path that the route's template does not cover are that prefix.
    """
    relative = getattr(scope.get("route"), "path", None)
    if not relative:
        return UNMATCHED
    if ":path}" in relative:  # a parameter that spans segments: the prefix cannot be counted off
        return relative
    segments = scope.get("path", "").split("/")
    covered = relative.count("/")
    return "/".join(segments[:len(segments) - covered]) + relative if covered < len(segments) else relative


def responses(*statuses: int, body: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses an endpoint can give.

    422 is always listed (any parameter can be invalid; this also replaces FastAPI's own 422 schema), and 400
    when the endpoint reads a ``body`` (one that cannot be parsed at all, e.g. invalid UTF-8).
    """
    wanted = sorted({*statuses, 422, *((400,) if body else ())})
    return {status: {"description": _STATUS_TITLES.get(status, {
        409: "Conflict met de huidige staat", 412: "Versie verouderd (If-Match)", 422: "Invoer klopt niet",
        428: "If-Match ontbreekt", 503: "Niet beschikbaar"}.get(status, "Fout")),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}} for status in wanted}


def add_problem_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Put Problem and InvalidParam in the document's components (the error responses refer to them), so error
    responses are documented as problem+json only, not also as application/json."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    return openapi
