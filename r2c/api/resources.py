"""Workflows (public: the procedure is law), documents, letters and the calendar feed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from r2c.api.deps import Context
from r2c.api.problems import ProblemError, responses
from r2c.api.schemas import DocumentOut, LetterOut, WorkflowOut
from r2c.api.security import Caller, forbidden, unauthorized
from r2c.errors import NotFound

_PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "description": "De brief als PDF"}


def _content_disposition(kind: str, filename: str) -> str:
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "bestand"
    return f'{kind}; filename="{safe}"'


def workflow_routes(ctx: Context) -> APIRouter:
    """The workflow definitions: public, like the verordening they encode."""
    router = APIRouter(prefix="/workflows", tags=["workflows"])
    catalog = ctx.service.catalog

    def loaded(workflow_id: str, versie: str | None):
        if workflow_id not in catalog.ids():
            raise NotFound(f"geen workflow '{workflow_id}'; bekend: {', '.join(catalog.ids())}")
        if versie is not None and versie not in {v.definition.versie for v in catalog.versions(workflow_id)}:
            raise NotFound(f"workflow '{workflow_id}' heeft geen versie '{versie}'")
        return catalog.get(workflow_id, versie)

    @router.get("", response_model=list[WorkflowOut], response_model_by_alias=True, summary="Alle workflows",
                responses=responses(401, 403, 429))
    def list_workflows(_: Caller | None = Depends(ctx.maybe_caller)) -> list[WorkflowOut]:
        """Elke versie van elke definitie: het VNG-model en de gemeenten."""
        return [WorkflowOut(id=d.id, versie=d.versie, geldig_vanaf=d.geldig_vanaf, soort=d.soort, naam=d.naam,
                            extends=d.extends)
                for ident in catalog.ids() for d in (item.definition for item in catalog.versions(ident))]

    @router.get("/{workflow_id}", summary="Een definitie, volledig uitgewerkt", responses=responses(401, 403, 404, 429),
                response_model=dict[str, Any])
    def definition(workflow_id: str, versie: Annotated[str | None, Query(max_length=32)] = None,
                   _: Caller | None = Depends(ctx.maybe_caller)) -> JSONResponse:
        """De definitie met alles van het model erin (standaard de nieuwste versie)."""
        return JSONResponse(loaded(workflow_id, versie).definition.model_dump(mode="json"))

    @router.get("/{workflow_id}/diagram", response_class=Response, summary="Diagram van de workflow", responses={
        **responses(401, 403, 404, 429), 200: {"content": {"text/plain": {"schema": {"type": "string"}},
                                                 "image/svg+xml": {"schema": {"type": "string"}}},
                                     "description": "Mermaid-tekst of SVG"}})
    def diagram(workflow_id: str, formaat: Literal["mermaid", "svg"] = "mermaid",
                versie: Annotated[str | None, Query(max_length=32)] = None,
                _: Caller | None = Depends(ctx.maybe_caller)) -> Response:
        """De staten en overgangen als Mermaid-tekst of als SVG-plaatje."""
        from r2c.definitions.diagram import mermaid, svg

        item = loaded(workflow_id, versie)
        if formaat == "svg":
            return Response(svg(item), media_type="image/svg+xml")
        return Response(mermaid(item), media_type="text/plain; charset=utf-8")

    return router


def file_routes(ctx: Context) -> APIRouter:
    """Documents and letters of a challenge, and the calendar feed of a gemeente."""
    router = APIRouter()
    service = ctx.service

    @router.get("/challenges/{challenge_id}/documents", response_model=list[DocumentOut],
                response_model_by_alias=True, tags=["documenten"], summary="Documenten",
                responses=responses(401, 403, 404))
    def documents(challenge_id: str, caller: Caller = Depends(ctx.caller)) -> list[DocumentOut]:
        """De documenten van de uitdaging (een initiatiefnemer ziet de eigen stukken)."""
        caller.require_challenge(challenge_id)
        return [DocumentOut.model_validate(d) for d in service.documents_of(challenge_id, actor=caller.actor)]

    @router.post("/challenges/{challenge_id}/documents", response_model=DocumentOut, status_code=201,
                 response_model_by_alias=True, tags=["documenten"], summary="Document toevoegen",
                 responses=responses(401, 403, 404, 413, 415, 422, body=True))
    def upload(challenge_id: str, request: Request, bestand: Annotated[UploadFile, File(description="Het bestand")],
               naam: Annotated[str | None, Form(max_length=255)] = None,
               caller: Caller = Depends(ctx.writer)) -> DocumentOut:
        """Voeg een document toe (PDF, afbeelding, tekst, Word of ODT; zie de limieten in docs/api.md)."""
        caller.require_challenge(challenge_id)
        limits = service.limits
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limits.document_size + 64 * 1024:
            raise ProblemError(413, "te-groot", "Te groot", f"het bestand is groter dan {limits.document_size} bytes")
        media_type = (bestand.content_type or "application/octet-stream").split(";")[0].strip().lower()
        if media_type not in limits.media_types:
            accepted = ", ".join(sorted(limits.media_types))
            raise ProblemError(415, "type-niet-aangenomen", "Dit type wordt niet aangenomen",
                               f"type '{media_type}' wordt niet aangenomen; wel: {accepted}")
        content = bestand.file.read(limits.document_size + 1)
        if len(content) > limits.document_size:
            raise ProblemError(413, "te-groot", "Te groot", f"het bestand is groter dan {limits.document_size} bytes")
        doc = service.add_document(challenge_id, actor=caller.actor, name=naam or bestand.filename or "document",
                                   media_type=media_type, content=content)
        return DocumentOut.model_validate(doc)

    @router.get("/challenges/{challenge_id}/documents/{document_id}", response_class=Response, tags=["documenten"],
                summary="Document downloaden", responses={
                    **responses(401, 403, 404),
                    200: {"content": {media: {"schema": {"type": "string", "format": "binary"}}
                                      for media in sorted(ctx.service.limits.media_types)},
                          "description": "De inhoud, met het type waarmee het werd toegevoegd"}})
    def download(challenge_id: str, document_id: str, caller: Caller = Depends(ctx.caller)) -> Response:
        """De inhoud van een document (gecontroleerd tegen de checksum)."""
        caller.require_challenge(challenge_id)
        doc, content = service.document_content(challenge_id, document_id, actor=caller.actor)
        return Response(content, media_type=doc.media_type, headers={
            "Content-Disposition": _content_disposition("attachment", doc.name),
            "X-Content-Type-Options": "nosniff"})

    @router.get("/challenges/{challenge_id}/letters", response_model=list[LetterOut], response_model_by_alias=True,
                tags=["brieven"], summary="Brieven", responses=responses(401, 403, 404))
    def letters(challenge_id: str, caller: Caller = Depends(ctx.caller)) -> list[LetterOut]:
        """De brieven die de stappen van de uitdaging maakten (een initiatiefnemer ziet de brieven aan zich)."""
        caller.require_challenge(challenge_id)
        return [LetterOut.model_validate(letter) for letter in service.letters_of(challenge_id, actor=caller.actor)]

    @router.get("/challenges/{challenge_id}/letters/{letter_id}", response_class=Response, tags=["brieven"],
                summary="Brief bekijken (HTML)",
                responses={**responses(401, 403, 404),
                           200: {"content": {"text/html": {"schema": {"type": "string"}}},
                                 "description": "De brief als HTML-pagina"}})
    def letter_preview(challenge_id: str, letter_id: int, caller: Caller = Depends(ctx.caller)) -> Response:
        """De brief als HTML, zoals hij als PDF verstuurd wordt."""
        caller.require_challenge(challenge_id)
        rendered = ctx.letters.render(challenge_id, letter_id, actor=caller.actor)
        return Response(rendered.content, media_type=rendered.media_type, headers={
            "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'"})

    @router.get("/challenges/{challenge_id}/letters/{letter_id}/pdf", response_class=Response, tags=["brieven"],
                summary="Brief als PDF",
                responses={**responses(401, 403, 404), 200: _PDF})
    def letter_pdf(challenge_id: str, letter_id: int, caller: Caller = Depends(ctx.caller)) -> Response:
        """De brief als PDF (PDF/UA, toegankelijk)."""
        caller.require_challenge(challenge_id)
        rendered = ctx.letters.render(challenge_id, letter_id, actor=caller.actor, pdf=True)
        return Response(rendered.content, media_type=rendered.media_type,
                        headers={"Content-Disposition": _content_disposition("attachment", rendered.filename)})

    @router.get("/calendar.ics", response_class=Response, tags=["agenda"], summary="Agenda met termijnen (iCalendar)",
                responses={
        **responses(401, 403, 422),
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCalendar (RFC 5545)"}})
    def calendar_feed(request: Request, behandelaar: Annotated[str | None, Query(max_length=200)] = None,
                      sleutel: Annotated[str | None, Query(max_length=200, description=(
                          "De API-sleutel in de URL, voor agenda's die geen header kunnen meesturen (Outlook, "
                          "Google): gebruik er een aparte lezer-sleutel voor"))] = None,
                      found: Caller | None = Depends(ctx.maybe_caller)) -> Response:
        """De lopende termijnen van de gemeente van de sleutel (of van een behandelaar) als agenda-abonnement."""
        if found is None and sleutel:
            found = ctx.auth.identify(request, HTTPAuthorizationCredentials(scheme="Bearer", credentials=sleutel),
                                      None)
        if found is None:
            raise unauthorized()
        if found.is_initiatiefnemer:
            raise forbidden("de agenda is voor medewerkers van de gemeente")
        caller = found
        from r2c.exports.agenda import calendar

        naam = ctx.letters.router.huisstijl(caller.actor.gemeente or "").naam
        body = calendar(service, service.clock, gemeente=caller.actor.gemeente or "", behandelaar=behandelaar,
                        naam=naam)
        return Response(body, media_type="text/calendar; charset=utf-8")

    return router
