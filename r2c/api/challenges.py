"""Challenges: submit, list, read, the events allowed now, fire, timeline, terms, behandelaar, status links.

Thin: each route calls one service method with the caller's actor; the service decides what is allowed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from r2c.api.deps import Context, etag, expected_version
from r2c.api.problems import ProblemError, responses
from r2c.api.schemas import (
    AssignIn, ChallengeOut, ChallengePage, EventOut, FireIn, HistoryOut, PageLinks, RevokedOut, StatusLinkOut,
    SubmitIn, SubmittedOut, TermOut,
)
from r2c.api.security import Caller, forbidden
from r2c.clock import today
from r2c.service.views import Initiatiefnemer, SearchFilters

TAG = "uitdagingen"


def _iso_date(value: object) -> object:
    """Only a calendar date 'JJJJ-MM-DD' (pydantic alone would also take a number as a Unix timestamp)."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else _not_a_date(value)
        except ValueError:
            _not_a_date(value)
    return value


def _not_a_date(value: str) -> date:
    raise ValueError(f"'{value[:20]}' is geen datum; verwacht JJJJ-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def challenge_routes(ctx: Context) -> APIRouter:
    """The challenge resources under /challenges."""
    router = APIRouter(prefix="/challenges", tags=[TAG])
    service = ctx.service

    @router.post("", status_code=201, response_model=SubmittedOut, summary="Een uitdaging indienen",
                 responses=responses(401, 403, 404, 409, 422, 429, body=True), response_model_by_alias=True)
    def submit(body: SubmitIn, request: Request, response: Response,
               caller: Caller | None = Depends(ctx.maybe_caller)) -> SubmittedOut:
        """Dien een uitdaging in namens de initiatiefnemer, met het indienende event van de definitie ('indienen', of
        bij een verplicht vooroverleg de aanmelding daarvoor; de aanvraag zelf volgt dan na het vooroverleg). Zonder sleutel (een portaal of de bewoner zelf) geldt een
        limiet per adres; met een API-sleutel is de gemeente die van de sleutel. Het antwoord bevat eenmalig de
        statuslink voor de initiatiefnemer."""
        if caller is None:
            ctx.submit_limit.hit(request, "indienen")
            gemeente = body.gemeente
        elif caller.is_initiatiefnemer or not service.policy.may_change(caller.actor):
            raise forbidden(f"een {caller.actor.rol} dient geen uitdaging in")  # (the status link: one challenge)
        else:
            gemeente = caller.actor.gemeente
            if body.gemeente not in (None, gemeente):
                raise forbidden(f"deze sleutel werkt voor gemeente {gemeente}, niet voor {body.gemeente}")
        if gemeente is None:
            raise ProblemError(422, "ongeldige-invoer", "De invoer klopt niet", "geef de gemeente",
                               invalidParams=[{"name": "body.gemeente", "reason": "verplicht zonder API-sleutel"}])
        if caller is None and body.ontvangen_op is not None:  # only the gemeente registers what it received earlier
            raise ProblemError(422, "ongeldige-invoer", "De invoer klopt niet",
                               "een ontvangstdatum geeft alleen de gemeente op, met een API-sleutel",
                               invalidParams=[{"name": "body.ontvangenOp", "reason": "alleen met een API-sleutel"}])
        if wrong := service.check_received_on(body.ontvangen_op).get("ontvangen_op"):
            raise ProblemError(422, "ongeldige-invoer", "De invoer klopt niet", f"de ontvangstdatum {wrong}",
                               invalidParams=[{"name": "body.ontvangenOp", "reason": wrong}])
        who = body.initiatiefnemer
        fired = service.submit(gemeente=gemeente, titel=body.titel, data=body.data, reason=body.reden,
                               partij=body.partij, received_on=body.ontvangen_op,
                               initiatiefnemer=Initiatiefnemer(who.naam, who.email, who.telefoon, who.organisatie,
                                                               who.adres))
        challenge = fired.challenge
        response.headers["Location"] = f"{request.url.path.rstrip('/')}/{challenge.id}"
        response.headers["ETag"] = etag(challenge.version)
        token = fired.status_token or ""
        return SubmittedOut(challenge=ChallengeOut.model_validate(challenge), status_token=token,
                            status_url=ctx.status_url(token))

    @router.get("", response_model=ChallengePage, summary="Uitdagingen zoeken", response_model_by_alias=True,
                responses=responses(401, 403, 422))
    def search(request: Request, caller: Caller = Depends(ctx.staff),
               gemeente: Annotated[str | None, Query(max_length=64, description="Alleen deze gemeente "
                                                     "(een sleutel ziet alleen de eigen gemeente)")] = None,
               fase: Annotated[str | None, Query(max_length=64)] = None,
               state: Annotated[str | None, Query(max_length=130, description="Staat 'fase.staat'")] = None,
               resultaat: Annotated[str | None, Query(max_length=32)] = None,
               open: Annotated[bool | None, Query(description="true: lopend; false: afgesloten")] = None,
               behandelaar: Annotated[str | None, Query(max_length=200)] = None,
               kenmerk: Annotated[str | None, Query(max_length=120, description="Precies dit kenmerk, bv. "
                                                    "UD-2026-0042")] = None,
               deadline_before: Annotated[IsoDate | None, Query(alias="deadlineBefore", description=(
                   "Met een lopende termijn die op of voor deze dag eindigt (JJJJ-MM-DD)"))] = None,
               overdue: Annotated[bool, Query(description="Met een lopende termijn die al verstreken is")] = False,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1,
               page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = 50) -> JSONResponse:
        """Zoek in de uitdagingen van de eigen gemeente, nieuwste eerst, per pagina."""
        if gemeente is not None and gemeente != caller.actor.gemeente:
            found_items, total = [], 0  # another gemeente's challenges do not exist for this caller
        else:
            filters = SearchFilters(fase=fase, state=state, resultaat=resultaat, open=open, behandelaar=behandelaar,
                                    kenmerk=kenmerk, deadline_before=deadline_before,
                                    overdue_on=today(service.clock) if overdue else None)
            found = service.search(actor=caller.actor, filters=filters, limit=page_size,
                                   offset=(page - 1) * page_size)
            found_items, total = found.items, found.total
        base = request.url

        def link(number: int) -> str:
            return str(base.include_query_params(page=number, pageSize=page_size))

        body = ChallengePage(items=[ChallengeOut.model_validate(c) for c in found_items], total=total, page=page,
                             page_size=page_size, links=PageLinks(
                                 self=link(page), next=link(page + 1) if page * page_size < total else None,
                                 prev=link(page - 1) if page > 1 else None))
        return JSONResponse(body.model_dump(mode="json", by_alias=True))

    @router.get("/{challenge_id}", response_model=ChallengeOut, summary="Een uitdaging",
                responses=responses(401, 403, 404), response_model_by_alias=True)
    def get(challenge_id: str, response: Response, caller: Caller = Depends(ctx.caller)) -> ChallengeOut:
        """De uitdaging zoals zij nu staat; de ETag is haar versie (voor If-Match)."""
        caller.require_challenge(challenge_id)
        challenge = service.get(challenge_id, actor=caller.actor)
        response.headers["ETag"] = etag(challenge.version)
        return ChallengeOut.model_validate(challenge)

    @router.get("/{challenge_id}/events", response_model=list[EventOut], response_model_by_alias=True,
                summary="Wat u nu kunt doen", responses=responses(401, 403, 404))
    def events(challenge_id: str, caller: Caller = Depends(ctx.caller)) -> list[EventOut]:
        """De events die uw rol in de huidige staat mag vuren, met wat er nog ontbreekt."""
        caller.require_challenge(challenge_id)
        return [EventOut.of(e) for e in service.allowed_events(challenge_id, actor=caller.actor)]

    @router.post("/{challenge_id}/events/{event}", response_model=ChallengeOut, response_model_by_alias=True,
                 summary="Een event vuren", responses=responses(401, 403, 404, 409, 412, 422, 428, body=True))
    def fire(challenge_id: str, event: str, body: FireIn, response: Response,
             version: int = Depends(expected_version), caller: Caller = Depends(ctx.writer)) -> ChallengeOut:
        """Vuur een event (een stap in de procedure). If-Match met de versie is verplicht: 412 als de uitdaging
        intussen veranderde, 409 als het event nu niet mag (met de staat en de events die wel mogen)."""
        caller.require_challenge(challenge_id)
        fired = service.fire(challenge_id, event[:100], actor=caller.actor, data=body.data, reason=body.reden,
                             expected_version=version)
        response.headers["ETag"] = etag(fired.challenge.version)
        return ChallengeOut.model_validate(fired.challenge)

    @router.put("/{challenge_id}/behandelaar", response_model=ChallengeOut, response_model_by_alias=True,
                summary="Behandelaar toewijzen", responses=responses(401, 403, 404, 409, 412, 422, 428, body=True))
    def assign(challenge_id: str, body: AssignIn, response: Response, version: int = Depends(expected_version),
               caller: Caller = Depends(ctx.staff)) -> ChallengeOut:
        """Wijs een behandelaar toe (teamleider), of neem de uitdaging zelf (behandelaar)."""
        challenge = service.assign(challenge_id, behandelaar=body.behandelaar, actor=caller.actor,
                                   expected_version=version)
        response.headers["ETag"] = etag(challenge.version)
        return ChallengeOut.model_validate(challenge)

    @router.get("/{challenge_id}/timeline", response_model=list[HistoryOut], response_model_by_alias=True,
                summary="Tijdlijn", responses=responses(401, 403, 404))
    def timeline(challenge_id: str, caller: Caller = Depends(ctx.staff)) -> list[HistoryOut]:
        """Alles wat er met de uitdaging gebeurde, oudste eerst (voor medewerkers)."""
        return [HistoryOut.model_validate(e) for e in service.timeline(challenge_id, actor=caller.actor)]

    @router.get("/{challenge_id}/terms", response_model=list[TermOut], response_model_by_alias=True,
                summary="Termijnen met uitleg", responses=responses(401, 403, 404))
    def terms(challenge_id: str, caller: Caller = Depends(ctx.caller)) -> list[TermOut]:
        """De termijnen van de uitdaging, elk met de berekening van de einddatum (Awb, Atw)."""
        caller.require_challenge(challenge_id)
        return [TermOut.model_validate(t) for t in service.terms(challenge_id, actor=caller.actor)]

    @router.post("/{challenge_id}/statuslink", response_model=StatusLinkOut, response_model_by_alias=True,
                 status_code=201, summary="Nieuwe statuslink", responses=responses(401, 403, 404))
    def renew_link(challenge_id: str, caller: Caller = Depends(ctx.staff)) -> StatusLinkOut:
        """Trek de statuslinks van de initiatiefnemer in en maak een nieuwe (bv. als de oude uitlekte)."""
        token = service.renew_status_link(challenge_id, actor=caller.actor)
        return StatusLinkOut(status_token=token, status_url=ctx.status_url(token))

    @router.delete("/{challenge_id}/statuslink", response_model=RevokedOut, response_model_by_alias=True,
                   summary="Statuslinks intrekken", responses=responses(401, 403, 404))
    def revoke_links(challenge_id: str, caller: Caller = Depends(ctx.staff)) -> RevokedOut:
        """Trek alle statuslinks van de uitdaging in."""
        return RevokedOut(ingetrokken=service.revoke_status_links(challenge_id, actor=caller.actor))

    return router
