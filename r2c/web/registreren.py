"""``/registreren``: a behandelaar registers a challenge that came in by post or e-mail.

The same checks as the API's submission (``service.check_submission`` and ``service.submit``): the titel, the
fields of the definition's submitting transition (its vereisten as checkboxes, the omschrijving, ...; read with
r2c.web.indienen's ``parse_fields``), the initiatiefnemer's contact data, the documents (``check_document``), and the
ontvangstdatum (``received_on``: the terms count from that day; not in the future). Errors stand next to their
field with the input kept; a file has to be chosen again. Success: the new challenge's page. One transaction.
Only a role that may fire the definition's submitting event sees the form (in the VNG model: behandelaar).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from r2c.clock import today
from r2c.definitions.schema import Definition
from r2c.errors import AccessDenied, EngineError, InvalidEventData, InvalidInput, ServiceError, UnknownGemeente
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.web import csrf
from r2c.web.dossier import read_upload, upload_errors
from r2c.definitions.indiening import submitting_events
from r2c.web.indienen import parse_fields, request_fields
from r2c.web.pages import render
from r2c.web.staff import Staff

CONTACT = (("naam", "Naam van de initiatiefnemer", True), ("organisatie", "Groep of organisatie", False),
           ("email", "E-mailadres", False), ("telefoon", "Telefoonnummer", False))
"""The contact fields (name, label, required); a request by post may come without an e-mail address."""
RECEIVED = "ontvangen_op"
DOCUMENTS = "documenten"
_SERVICE_FIELDS = {"titel": "titel", "reden": "titel", "ontvangen_op": RECEIVED}


def submitting_roles(definition: Definition) -> tuple[str, ...]:
    """The staff roles that may fire the definition's submitting event (not the initiatiefnemer's own; with a
    mandatory vooroverleg that is the aanmelding)."""
    transitie = definition.transities.get(submitting_events(definition)[0])
    return tuple(r for r in (transitie.rollen if transitie else ()) if r != "initiatiefnemer")


def _message(text: str) -> str:
    if text == "verplicht, maar leeg":
        return "Dit veld is verplicht. Vul het in."
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def form_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The service's field names ('initiatiefnemer.naam', 'documenten.1.inhoud', 'ontvangen_op') as the form's."""
    mapped: dict[str, str] = {}
    for name, text in errors.items():
        field = name.removeprefix("initiatiefnemer.").removeprefix("gegevens.")
        if field.startswith("documenten."):
            field = DOCUMENTS
        mapped.setdefault(_SERVICE_FIELDS.get(field, field), _message(text))
    return mapped


def received_on(raw: str, clock_today: date) -> tuple[date | None, str | None]:
    """The ontvangstdatum from the form (empty: today), or an error."""
    text = raw.strip()
    if not text:
        return clock_today, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, "Schrijf de datum als 2026-03-31 (jaar-maand-dag)."


def registreren_router(service: ChallengeService, *, staff: Callable[..., Any]) -> APIRouter:
    """The registration form; ``staff`` yields the logged-in Staff."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, person: Staff, *, status_code: int = 200, waarden: Mapping[str, Any] | None = None,
             fouten: Mapping[str, str] | None = None, melding: str | None = None) -> Response:
        try:
            definition = service.definition_in_force(person.gemeente)
        except UnknownGemeente:
            return render(request, "werk/niet_gevonden.html", status_code=404, staff=person)
        roles = submitting_roles(definition)
        return render(request, "werk/registreren.html", status_code=status_code, staff=person,
                      definitie=definition, velden=request_fields(definition), contact=CONTACT,
                      waarden=dict(waarden or {}), fouten=dict(fouten or {}), melding=melding,
                      mag=person.rol in roles, rollen=roles, vandaag=today(service.clock).isoformat(),
                      partijen=[(k, p.label) for k, p in definition.toelating.partijen.items()],
                      limits=service.limits)

    @router.get("/registreren", response_class=HTMLResponse)
    def form(request: Request, person: Staff = Depends(staff)) -> Response:
        return page(request, person)

    @router.post("/registreren", response_class=HTMLResponse)
    async def register(request: Request, person: Staff = Depends(staff)) -> Response:
        form = await request.form()
        values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        values["vereisten"] = [v for v in form.getlist("vereisten") if isinstance(v, str)]
        if not csrf.valid(request, values.get(csrf.FIELD, "")):
            return page(request, person, status_code=403, waarden=values,
                        melding="Het formulier is verlopen. Controleer de gegevens en verstuur het opnieuw.")
        try:
            definition = service.definition_in_force(person.gemeente)
        except UnknownGemeente:
            return render(request, "werk/niet_gevonden.html", status_code=404, staff=person)
        if person.rol not in submitting_roles(definition):
            return page(request, person, status_code=403, waarden=values,
                        melding="In uw rol kunt u geen uitdaging registreren.")
        text_only = FormData([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
        data, errors = parse_fields(definition, request_fields(definition), text_only)
        titel = str(values.get("titel", ""))
        given = {name: str(values.get(name, "")).strip() or None for name in ("naam", "organisatie", "email",
                                                                               "telefoon", "adres")}
        party = Initiatiefnemer(given["naam"] or "", given["email"], given["telefoon"], given["organisatie"],
                                given["adres"])
        on, date_error = received_on(str(values.get(RECEIVED, "")), today(service.clock))
        if date_error:
            errors[RECEIVED] = date_error
        partij = str(values.get("partij") or "") or None
        errors |= form_errors(service.check_submission(titel=titel, initiatiefnemer=party, gemeente=person.gemeente,
                                                       partij=partij) | service.check_received_on(on))
        uploads = []
        for item in form.getlist(DOCUMENTS):
            upload = await read_upload(service, item, "")
            if upload is None:
                continue
            problems = upload_errors(service, upload)
            if problems:
                errors.setdefault(DOCUMENTS, f"{upload.name}: " + " ".join(problems.values()))
            uploads.append(upload)
        if errors:
            return page(request, person, status_code=422, waarden=values, fouten=errors)
        try:
            fired = service.submit(gemeente=person.gemeente, titel=titel, initiatiefnemer=party, data=data,
                                   actor=person.actor(), documents=uploads, received_on=on, partij=partij)
        except (InvalidInput, InvalidEventData) as refused:
            return page(request, person, status_code=422, waarden=values, fouten=form_errors(refused.fields))
        except AccessDenied:
            return page(request, person, status_code=403, waarden=values,
                        melding="In uw rol kunt u geen uitdaging registreren.")
        except (EngineError, ServiceError) as error:
            return page(request, person, status_code=422, waarden=values, melding=str(error))
        return RedirectResponse(f"/uitdagingen/{fired.challenge.id}", status_code=303)

    return router
