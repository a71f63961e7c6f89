"""Acting from the status page: ``/status/{token}/stap/{event}``, one form per step the initiatiefnemer may take
now (aanvullen, a zienswijze, reacting in the evaluation, intrekken, ...), generated from the definition.

The form asks the step's ``gegevens`` (vereisten as "what is now included", texts) and, where the step carries
a text or vereisten, lets them add documents; a step without data (intrekken, teruggeven) is a confirmation
that says what it means (the step's ``uitleg``) and that it cannot be undone. The form carries the version the
resident read: a step that is no longer possible, or a challenge that changed, gets a page that says so and
writes nothing. The link is the key: a link of one challenge never acts on another (the service resolves the
token to its challenge and initiatiefnemer). Every POST needs the CSRF token; per link, at most
``R2C_PUBLIEKE_LIMIET`` steps (besides the limit per address of every public page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import UploadFile

from r2c.definitions.schema import Transitie
from r2c.errors import Conflict, EventNotAllowed, InvalidEventData, InvalidInput, R2CError, TermijnError
from r2c.service import ChallengeService, Upload
from r2c.service.views import StatusView
from r2c.web import csrf
from r2c.web.indienen import parse_fields
from r2c.web.pages import render
from r2c.web.status import TOKEN, not_found, own_steps

def takes_documents(transitie: Transitie) -> bool:
    """A step that carries vereisten or a text may bring documents with it (an aanvulling, a zienswijze)."""
    return any(g.type in ("vereisten", "tekst") for g in transitie.gegevens.values())


def step_router(service: ChallengeService, *, limit: str, dependencies: Sequence[Any] = ()) -> APIRouter:
    """The step forms of the status page; ``limit`` ('10/minute') caps the steps per link."""
    router = APIRouter(include_in_schema=False, dependencies=list(dependencies))
    gemeenten = service.catalog.ids(soort="gemeente")
    per_link, rule = MovingWindowRateLimiter(MemoryStorage()), parse(limit)

    def find(token: str, event: str) -> tuple[StatusView, Transitie] | None:
        view = service.status_view(token) if TOKEN.fullmatch(token) else None
        if view is None:
            return None
        step = dict(own_steps(view)).get(event)
        return (view, step) if step is not None else None

    def page(request: Request, view: StatusView, event: str, step: Transitie, *, status_code: int = 200,
             waarden: dict[str, Any] | None = None, fouten: dict[str, str] | None = None) -> HTMLResponse:
        return render(request, "bewoner/stap.html", status_code=status_code, gemeente_naam=view.definition.naam,
                      uitdaging=view.challenge, event=event, stap=step, definitie=view.definition,
                      velden=dict(step.gegevens), documenten=takes_documents(step), waarden=waarden or {},
                      fouten=fouten or {}, limits=service.limits)

    def gone(request: Request, token: str, status_code: int = 409) -> HTMLResponse:
        return render(request, "bewoner/stap_niet_meer.html", status_code=status_code, terug=f"/status/{token}")

    @router.get("/status/{token}/stap/{event}", response_class=HTMLResponse)
    def form(request: Request, token: str, event: str) -> Response:
        try:
            found = find(token, event)
        except R2CError:
            found = None
        if found is None:
            return not_found(gemeenten) if service.status_actor(token) is None else gone(request, token, 404)
        view, step = found
        return page(request, view, event, step, waarden={"versie": view.challenge.version})

    @router.post("/status/{token}/stap/{event}", response_class=HTMLResponse)
    async def post(request: Request, token: str, event: str) -> Response:
        resolved = service.status_actor(token) if TOKEN.fullmatch(token) else None
        if resolved is None:
            return not_found(gemeenten)
        if not per_link.hit(rule, "stap", hashlib.sha256(token.encode()).hexdigest()):
            return render(request, "te_veel_stappen.html", status_code=429)
        challenge_id, actor = resolved
        found = find(token, event)
        if found is None:
            return gone(request, token)
        view, step = found
        form_data = await request.form()
        values = {k: v for k, v in form_data.multi_items() if isinstance(v, str)}
        values["vereisten"] = form_data.getlist("vereisten")
        if not csrf.valid(request, form_data.get(csrf.FIELD)):
            return page(request, view, event, step, status_code=400, waarden=values,
                        fouten={"formulier": "Het formulier is verlopen. Verstuur het opnieuw."})
        data, errors = parse_fields(view.definition, step.gegevens, form_data)
        reason = str(form_data.get("reden") or "").strip() or None
        uploads = [Upload(f.filename or "document", f.content_type or "application/octet-stream", await f.read())
                   for f in form_data.getlist("documenten") if isinstance(f, UploadFile) and f.filename]
        if errors:
            return page(request, view, event, step, status_code=422, waarden=values, fouten=errors)
        try:
            version = int(str(form_data.get("versie") or view.challenge.version))
            service.fire(challenge_id, event, actor=actor, data=data, reason=reason, expected_version=version,
                         documents=uploads if takes_documents(step) else ())
        except Conflict:
            return gone(request, token)
        except (InvalidInput, InvalidEventData) as refused:
            mapped = {("documenten" if k.startswith("documenten.") else k): v[:1].upper() + v[1:]
                      for k, v in refused.fields.items()}
            return page(request, view, event, step, status_code=422, waarden=values, fouten=mapped)
        except EventNotAllowed as refused:  # a voorwaarde: its reasons, in the definition's words
            reasons = getattr(refused, "reasons", None) or [str(refused)]
            return page(request, view, event, step, status_code=422, waarden=values,
                        fouten={"reden": " ".join(r[:1].upper() + r[1:] for r in reasons)})
        except TermijnError as refused:  # a term rule, e.g. in gebreke stellen before the beslistermijn lapsed
            text = str(refused)
            return page(request, view, event, step, status_code=422, waarden=values,
                        fouten={"reden": text[:1].upper() + text[1:] + "."})
        except ValueError:
            return gone(request, token)
        return RedirectResponse(f"/status/{token}?verstuurd={event}", status_code=303)

    return router
