"""The initiatiefnemer's intake: ``/indienen/{gemeente}``, a form generated from the definition in force.

Three steps, each a plain HTML form (no JavaScript): the form (the plan, what is in the request, contact data),
"Controleer uw gegevens" (what was filled in, the documents to add, and the button that submits), and the
confirmation with the kenmerk and the status link. The fields of the request are the submitting transition's
``gegevens`` (``vereisten`` as checkboxes of the definition's vereisten, ``tekst``, ``ja_nee``, ``datum``,
``bedrag``, ``getal``), so a gemeente that asks more asks it here without code. The review form carries a random
submission key: sending it twice (refresh, double click) finds the challenge it made (AlreadySubmitted). Every
POST needs the CSRF token (r2c.web.csrf); a filled honeypot field is refused as if the form had an error.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile

from r2c.definitions.schema import Definition, Gegeven
from r2c.errors import AlreadySubmitted, InvalidEventData, InvalidInput, UnknownGemeente
from r2c.notify.huisstijl import Huisstijl
from r2c.service import ChallengeService, Initiatiefnemer, Upload
from r2c.web import csrf
from r2c.web.pages import render

SUBMITTING_EVENT = "indienen"
HONEYPOT = "website"
KENMERK_IN_URL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,59}")
CONTACT = (("naam", "Uw naam", True, "name"), ("email", "Uw e-mailadres", True, "email"),
           ("telefoon", "Uw telefoonnummer", False, "tel"), ("organisatie", "Naam van uw groep of organisatie", False,
                                                              "organization"))
"""The contact fields: name, label, required, autocomplete. E-mail is required online: the link goes there."""


def request_fields(definition: Definition) -> dict[str, Gegeven]:
    """The gegevens the initiatiefnemer's submission carries (the submitting transition's)."""
    transitie = definition.transities.get(SUBMITTING_EVENT)
    return dict(transitie.gegevens) if transitie is not None else {}


def parse_form(definition: Definition, form: FormData | Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The submission's event data from the intake form (see ``parse_fields``)."""
    return parse_fields(definition, request_fields(definition), form)


def parse_fields(definition: Definition, fields: Mapping[str, Gegeven], form: FormData | Mapping[str, Any]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """The event data of ``fields`` from a form's text values, typed as the engine checks them, and {field:
    error} for what could not be read (the engine checks the rest when the step is fired)."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, spec in fields.items():
        if spec.type in ("vereisten", "lijst"):
            values = form.getlist(name) if isinstance(form, FormData) else list(form.get(name) or [])
            data[name] = [v for v in values if v in definition.vereisten] if spec.type == "vereisten" else values
            continue
        raw = str(form.get(name) or "").strip()
        if spec.type == "ja_nee":
            data[name] = raw == "ja"
        elif not raw:
            if spec.verplicht:
                errors[name] = f"Vul '{spec.label or name}' in."
        elif spec.type == "datum":
            try:
                data[name] = date.fromisoformat(raw).isoformat()
            except ValueError:
                errors[name] = "Schrijf een datum als 2026-03-31."
        elif spec.type in ("bedrag", "getal"):
            number = _number(raw)
            if number is None:
                errors[name] = "Schrijf een bedrag als 1250,50." if spec.type == "bedrag" else "Schrijf een getal."
            else:
                data[name] = str(number) if spec.type == "bedrag" else (int(number) if number == number.to_integral()
                                                                         else float(number))
        else:
            data[name] = raw
    return data, errors


def _number(raw: str) -> Decimal | None:
    """A number as people write it: '1250', '1.250,50', '1250.50', '€ 1.250'."""
    text = raw.replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _party(form: Mapping[str, Any]) -> Initiatiefnemer:
    values = {name: (str(form.get(name) or "").strip() or None) for name, *_ in CONTACT}
    return Initiatiefnemer(naam=values["naam"] or "", email=values["email"], telefoon=values["telefoon"],
                           organisatie=values["organisatie"], adres=(str(form.get("adres") or "").strip() or None))


def _own_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The service's field names ('initiatiefnemer.naam', 'documenten.1.inhoud') as the form's ('naam',
    'documenten'), each message in the form's words."""
    mapped: dict[str, str] = {}
    for name, message in errors.items():
        field = name.removeprefix("initiatiefnemer.")
        if field.startswith("documenten."):
            field = "documenten"
        if message == "verplicht, maar leeg":
            message = "Dit veld is verplicht. Vul het in."
        mapped.setdefault(field, message[:1].upper() + message[1:] + ("" if message.endswith(".") else "."))
    return mapped


def intake_router(service: ChallengeService, *, huisstijl_of: Callable[[str], Huisstijl],
                  status_url: str = "/status/", dependencies: Sequence[Any] = ()) -> APIRouter:
    """The intake pages for every gemeente with a definition; ``huisstijl_of`` gives a gemeente's huisstijl (its
    name as it writes it, 'Gemeente Gouda', and its privacy statement)."""
    router = APIRouter(include_in_schema=False, dependencies=list(dependencies))

    def definition_or_none(gemeente: str) -> Definition | None:
        try:
            return service.definition_in_force(gemeente)
        except UnknownGemeente:
            return None

    def page(request: Request, template: str, definition: Definition, gemeente: str, *, status_code: int = 200,
             **context: Any) -> HTMLResponse:
        huisstijl = huisstijl_of(gemeente)
        return render(request, f"bewoner/{template}", status_code=status_code, gemeente=gemeente,
                      gemeente_naam=huisstijl.naam, privacy=huisstijl.privacy, privacy_link=huisstijl.privacy_link,
                      definitie=definition, velden=request_fields(definition), contact=CONTACT, honeypot=HONEYPOT,
                      limits=service.limits, **context)

    def not_found(request: Request) -> HTMLResponse:
        return render(request, "bewoner/niet_gevonden.html", status_code=404,
                      bekend=service.catalog.ids(soort="gemeente"))

    @router.get("/indienen/{gemeente}", response_class=HTMLResponse)
    def form(request: Request, gemeente: str) -> HTMLResponse:
        definition = definition_or_none(gemeente)
        if definition is None:
            return not_found(request)
        return page(request, "indienen.html", definition, gemeente, waarden={}, fouten={})

    @router.post("/indienen/{gemeente}", response_class=HTMLResponse)
    async def post(request: Request, gemeente: str) -> HTMLResponse:
        definition = definition_or_none(gemeente)
        if definition is None:
            return not_found(request)
        form = await request.form()
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        values["vereisten"] = form.getlist("vereisten")
        if not csrf.valid(request, form.get(csrf.FIELD)):
            return page(request, "indienen.html", definition, gemeente, status_code=400, waarden=values,
                        fouten={"formulier": "Het formulier is verlopen. Controleer uw gegevens en verstuur het "
                                             "opnieuw."})
        data, errors = parse_form(definition, form)
        if form.get(HONEYPOT):
            errors["formulier"] = "Het formulier kon niet worden verstuurd. Probeer het opnieuw."
        stap = form.get("stap")
        if stap == "wijzigen":
            return page(request, "indienen.html", definition, gemeente, waarden=values, fouten={})
        party = _party(form)
        titel = str(form.get("titel") or "")
        if stap != "indienen" or errors:
            errors |= _own_errors(service.check_submission(titel=titel, initiatiefnemer=party))
            if errors:
                return page(request, "indienen.html", definition, gemeente, status_code=422, waarden=values,
                            fouten=errors)
            return page(request, "controle.html", definition, gemeente, waarden=values, gegevens=data, fouten={},
                        sleutel=secrets.token_urlsafe(24))
        uploads = [Upload(f.filename or "document", f.content_type or "application/octet-stream", await f.read())
                   for f in form.getlist("documenten") if isinstance(f, UploadFile) and f.filename]
        try:
            fired = service.submit(gemeente=gemeente, titel=titel, initiatiefnemer=party, data=data,
                                   documents=uploads, submission_key=str(form.get("sleutel") or "") or None,
                                   mail_status_link=True)
        except AlreadySubmitted as already:
            return page(request, "al_ontvangen.html", definition, gemeente, kenmerk=already.kenmerk)
        except (InvalidInput, InvalidEventData) as refused:
            mapped = _own_errors(refused.fields)
            back_to_form = any(name != "documenten" for name in mapped)
            return page(request, "indienen.html" if back_to_form else "controle.html", definition, gemeente,
                        status_code=422, waarden=values, gegevens=data, fouten=mapped,
                        sleutel=str(form.get("sleutel") or secrets.token_urlsafe(24)))
        link = f"{request.base_url}{status_url.lstrip('/')}{fired.status_token}"
        return page(request, "ontvangen.html", definition, gemeente, kenmerk=fired.challenge.kenmerk, link=link,
                    email=party.email)

    @router.get("/mijn-link/{gemeente}", response_class=HTMLResponse)
    def ask_link(request: Request, gemeente: str, kenmerk: str = "") -> HTMLResponse:
        """The form; ``?kenmerk=`` (the QR code on a letter) fills in the kenmerk, which is no secret."""
        definition = definition_or_none(gemeente)
        if definition is None:
            return not_found(request)
        known = {"kenmerk": kenmerk} if KENMERK_IN_URL.fullmatch(kenmerk) else {}
        return page(request, "mijn_link.html", definition, gemeente, waarden=known, fouten={}, verstuurd=False)

    @router.post("/mijn-link/{gemeente}", response_class=HTMLResponse)
    async def send_link(request: Request, gemeente: str) -> HTMLResponse:
        definition = definition_or_none(gemeente)
        if definition is None:
            return not_found(request)
        form = await request.form()
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        errors: dict[str, str] = {}
        if not csrf.valid(request, form.get(csrf.FIELD)):
            errors["formulier"] = "Het formulier is verlopen. Verstuur het opnieuw."
        email, kenmerk = values.get("email", "").strip(), values.get("kenmerk", "").strip()
        party_errors = service.check_submission(titel=kenmerk or "-", initiatiefnemer=Initiatiefnemer("-", email=email))
        if not email:
            errors["email"] = "Vul uw e-mailadres in."
        elif "initiatiefnemer.email" in party_errors:
            errors["email"] = "Schrijf een e-mailadres als naam@voorbeeld.nl."
        if not kenmerk:
            errors["kenmerk"] = "Vul het kenmerk in."
        elif "titel" in party_errors:  # the same one-line check as a titel
            errors["kenmerk"] = "Schrijf het kenmerk op één regel, bijvoorbeeld UD-2026-0042."
        if errors or form.get(HONEYPOT):
            return page(request, "mijn_link.html", definition, gemeente, status_code=422, waarden=values,
                        fouten=errors or {"formulier": "Het formulier kon niet worden verstuurd."}, verstuurd=False)
        service.send_status_link(gemeente=gemeente, kenmerk=kenmerk, email=email)
        # the same answer whether or not it matched: the page does not tell who submitted what
        return page(request, "mijn_link.html", definition, gemeente, waarden={}, fouten={}, verstuurd=True)

    return router
