"""The challenge page of the werkomgeving (``/uitdagingen/{id}``): the summary, the terms with their uitleg, the
timeline, the documents and letters, and a form for every event this person may fire now, generated from the
definition's ``gegevens``; a blocked event shows why it is blocked.

The challenge's version travels in a hidden field (``versie``): a form sent after someone else changed the challenge
writes nothing and shows what changed since. A lezer sees no forms; another gemeente's challenge is a 404 page.
The router takes the login's dependency (``staff``: yields a r2c.web.staff.Staff) as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from r2c.definitions.indiening import FLAG_FACT, PARTY_FACT
from r2c.definitions.schema import Definition, Gegeven
from r2c.definitions.voorwaarden import OORDELEN
from r2c.engine.data import VERLENGING
from r2c.errors import (
    AccessDenied, Conflict, EngineError, GuardFailed, InvalidEventData, InvalidInput, NotFound, ServiceError,
    TermijnError,
    UnknownGemeente,
)
from r2c.service import ChallengeService
from r2c.web import csrf
from r2c.web.dossier import dossier_router
from r2c.web.pages import render
from r2c.web.registreren import registreren_router
from r2c.web.staff import Staff
from r2c.web.werkvoorraad import account_directory, assignable, werkvoorraad_router

OORDEEL_LABELS = {"voldoet": "Voldoet", "voldoet_niet": "Voldoet niet", "niet_van_toepassing": "Niet van toepassing"}


class FormError(Exception):
    """Form input that cannot become event data; ``fields`` maps a form field's name to a Dutch message."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__("; ".join(fields.values()))


def field_name(event: str, gegeven: str, *parts: str) -> str:
    """The form field (name and id) of one gegeven of one event's form; unique on the page."""
    return "-".join((event, gegeven, *parts))


def _party_of(definition: Definition, challenge: Any) -> dict[str, Any] | None:
    """Who submitted (the kind of party's label) and, when the definition flags it, why that kind may not."""
    kind = challenge.facts.get(PARTY_FACT)
    if not kind:
        return None
    known = definition.toelating.partijen.get(kind)
    return {"label": known.label if known else kind, "niet_toegelaten": challenge.facts.get(FLAG_FACT)}


def describe_fields(definition: Definition, event: str) -> list[dict[str, Any]]:
    """The fields of ``event``'s form: one per gegeven, with what the template needs to draw it."""
    transitie = next((t for key, t in definition.transities.items() if (t.event or key) == event), None)
    if transitie is None:
        return []
    fields = []
    for name, spec in transitie.gegevens.items():
        item: dict[str, Any] = {"gegeven": name, "naam": field_name(event, name), "soort": spec.type,
                                "label": spec.label or name.replace("_", " ").capitalize(), "verplicht": spec.verplicht}
        if spec.type == "vereisten":
            item["opties"] = [(key, v.label, field_name(event, name, key)) for key, v in definition.vereisten.items()]
        if spec.type == "beoordelingen":
            item["criteria"] = [(key, c.label, c.omschrijving, field_name(event, name, key, "oordeel"),
                                 field_name(event, name, key, "motivering")) for key, c in definition.criteria.items()]
        if name == VERLENGING:  # the length of a verdaging: say its maximum (verlenging_ten_hoogste)
            item["uitleg"] = next((f"Ten hoogste {t.verlenging} ({t.artikel or 'Awb 4:14'})."
                                   for naam in transitie.termijnen.verlengen
                                   if (t := definition.termijnen[naam]).verlenging_ten_hoogste), None)
        fields.append(item)
    return fields


def _number(text: str, kind: str) -> Any:
    cleaned = text.strip().replace(" ", "")
    if kind == "bedrag" and "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    if kind == "bedrag":
        return str(value)
    return int(value) if value == value.to_integral_value() else float(value)


def event_data(definition: Definition, event: str, form: Mapping[str, Any],
               multi: Callable[[str], list[str]]) -> dict[str, Any]:
    """The event data from the submitted form (FormError naming the fields that cannot be read)."""
    transitie = next((t for key, t in definition.transities.items() if (t.event or key) == event), None)
    specs: dict[str, Gegeven] = dict(transitie.gegevens) if transitie else {}
    data: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, spec in specs.items():
        key = field_name(event, name)
        raw = str(form.get(key, "") or "")
        if spec.type == "vereisten":
            chosen = [v for v in definition.vereisten if multi(field_name(event, name, v))]
            if chosen:
                data[name] = chosen
        elif spec.type == "beoordelingen":
            given = {}
            for criterium in definition.criteria:
                oordeel = str(form.get(field_name(event, name, criterium, "oordeel"), "") or "")
                motivering = str(form.get(field_name(event, name, criterium, "motivering"), "") or "").strip()
                if not oordeel and not motivering:
                    continue
                if oordeel not in OORDELEN:
                    problems[field_name(event, name, criterium, "oordeel")] = (
                        f"Kies een oordeel voor '{definition.criteria[criterium].label}'.")
                    continue
                given[criterium] = {"oordeel": oordeel, "motivering": motivering}
            if given:
                data[name] = given
        elif not raw.strip():
            continue
        elif spec.type == "ja_nee":
            if raw not in ("ja", "nee"):
                problems[key] = f"{spec.label or name}: kies ja of nee."
            else:
                data[name] = raw == "ja"
        elif spec.type in ("bedrag", "getal"):
            try:
                data[name] = _number(raw, spec.type)
            except ValueError:
                problems[key] = (f"{spec.label or name}: schrijf een bedrag als 1250,50." if spec.type == "bedrag"
                                 else f"{spec.label or name}: schrijf een getal, zoals 25.")
        elif spec.type == "lijst":
            data[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        else:  # tekst, datum: the engine checks length and date form
            data[name] = raw.strip()
    if problems:
        raise FormError(problems)
    return data


def reason_missing(service: ChallengeService, challenge_id: str, event: str, actor: Any) -> list[str]:
    """The blocks of ``event`` that a reason would lift (a voorwaarde 'motivering'): what to say at the reden."""
    def blocks(with_reason: bool) -> set[str]:
        return {b for a in service.allowed_events(challenge_id, actor=actor, with_reason=with_reason)
                if a.event == event for b in a.blocked_by}
    return sorted(blocks(False) - blocks(True))


ACTOR_LABELS = {"initiatiefnemer": "de initiatiefnemer", "systeem": "r2c, vanzelf (termijn verstreken)"}


def timeline_rows(definition: Definition, entries: Any, person: Staff,
                  names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The history as people read it: the local time, the step's and the state's labels, who did it by name where
    the gemeente's accounts know them (else the role), and the reason."""
    def state_label(code: str | None) -> str | None:
        if not code or "." not in code:
            return code
        fase, staat = code.split(".", 1)
        phase = definition.fasen.get(fase)
        state = phase.staten.get(staat) if phase else None
        return f"{phase.label}: {state.label}" if phase and state else code

    rows = []
    for h in entries:
        step = definition.transities.get(h.transition or "")
        if h.actor_id == person.id:
            who = f"u ({h.actor_rol})"
        elif h.actor_rol in ACTOR_LABELS:
            who = ACTOR_LABELS[h.actor_rol]
        else:
            who = f"{(names or {}).get(h.actor_id, 'een ' + h.actor_rol)} ({h.actor_rol})"
        rows.append({"at": h.at.astimezone(ZoneInfo("Europe/Amsterdam")), "wat": step.label if step else
                     (h.transition or h.kind), "naar": state_label(h.to_state), "wie": who, "reden": h.reason})
    return rows


def challenge_page(service: ChallengeService, request: Request, person: Staff, challenge_id: str, *,
                   status_code: int = 200, open_event: str = "", fouten: Mapping[str, str] | None = None,
                   waarden: Mapping[str, Any] | None = None, melding: str | None = None,
                   wijzigingen: list[str] | None = None,
                   names: Callable[[str], Mapping[str, str]] | None = None) -> Response:
    """The challenge page for ``person`` (a 404 page when they may not see it); ``open_event`` is the form whose
    ``waarden`` and ``fouten`` are shown (also 'document' for the upload form); ``names(gemeente)`` gives the
    names of the gemeente's accounts by id, for the timeline."""
    actor = person.actor()
    try:
        challenge = service.get(challenge_id, actor=actor)
    except (NotFound, UnknownGemeente, AccessDenied):
        return render(request, "werk/niet_gevonden.html", status_code=404, staff=person)
    definition = service.catalog.get(challenge.workflow, challenge.workflow_version).definition
    terms = service.terms(challenge_id, actor=actor)
    try:
        timeline = timeline_rows(definition, service.timeline(challenge_id, actor=actor), person,
                                 names(challenge.gemeente) if names else None)
    except AccessDenied:
        timeline = []
    documents = service.documents_of(challenge_id, actor=actor)
    brieven = service.letters_of(challenge_id, actor=actor)
    contact = service.contact_of(challenge_id, actor=actor) if service.policy.sees_contact(actor) else None
    forms = []
    read_only = not service.policy.may_change(actor)  # lezer, beheerder: the page, but no forms
    if not read_only:
        for allowed in service.allowed_events(challenge_id, actor=actor, with_reason=True):  # the form asks it
            forms.append({"event": allowed.event, "label": allowed.label, "blocked_by": allowed.blocked_by,
                          "velden": describe_fields(definition, allowed.event)})
    return render(request, "werk/uitdaging.html", status_code=status_code, staff=person, c=challenge,
                  terms=terms, timeline=timeline, documents=documents, brieven=brieven, forms=forms,
                  open_event=open_event, fouten=dict(fouten or {}), waarden=dict(waarden or {}),
                  melding=melding, wijzigingen=wijzigingen or [], oordelen=list(OORDEEL_LABELS.items()),
                  lezer=read_only, contact=contact,
                  contact_zichtbaar=service.policy.sees_contact(actor), partij=_party_of(definition, challenge),
                  may_upload=service.policy.may_change(actor), limits=service.limits)


def uitdaging_router(service: ChallengeService, letters: Any, settings: Any, *, staff: Callable[..., Any],
                     names: Callable[[str], Mapping[str, str]] | None = None) -> APIRouter:
    """The challenge page and its forms; ``staff`` is the login's dependency yielding the logged-in Staff."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, person: Staff, challenge_id: str, **kwargs: Any) -> Response:
        return challenge_page(service, request, person, challenge_id, names=names, **kwargs)

    @router.get("/uitdagingen/{challenge_id}", response_class=HTMLResponse)
    def show(request: Request, challenge_id: str, person: Staff = Depends(staff)) -> Response:
        return page(request, person, challenge_id)

    @router.get("/uitdagingen/{challenge_id}/stap/{event}")
    @router.get("/uitdagingen/{challenge_id}/toewijzen")
    def back_to_page(challenge_id: str, person: Staff = Depends(staff)) -> Response:
        """A form's address opened with GET (after a login that interrupted a POST): the challenge page."""
        return RedirectResponse(f"/uitdagingen/{quote(challenge_id, safe='')}", status_code=303)

    @router.post("/uitdagingen/{challenge_id}/stap/{event}", response_class=HTMLResponse)
    async def fire(request: Request, challenge_id: str, event: str, person: Staff = Depends(staff)) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        if not csrf.valid(request, values.get(csrf.FIELD, "")):
            return page(request, person, challenge_id, status_code=403,
                        melding="Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.")
        if not service.policy.may_change(person.actor()):
            return page(request, person, challenge_id, status_code=403, melding="U mag deze uitdaging alleen lezen.")
        actor = person.actor()
        try:
            challenge = service.get(challenge_id, actor=actor)
        except (NotFound, UnknownGemeente, AccessDenied):
            return render(request, "werk/niet_gevonden.html", status_code=404, staff=person)
        try:
            version = int(values.get("versie", ""))
        except ValueError:
            version = -1
        definition = service.catalog.get(challenge.workflow, challenge.workflow_version).definition
        keep = {"waarden": values, "open_event": event}
        reden = values.get(field_name(event, "reden"), "").strip() or None
        try:
            data = event_data(definition, event, values, lambda name: form.getlist(name))
            service.fire(challenge_id, event, actor=actor, data=data, reason=reden, expected_version=version)
        except FormError as error:
            return page(request, person, challenge_id, status_code=422, fouten=error.fields, **keep)
        except Conflict as error:
            return page(request, person, challenge_id, status_code=409, wijzigingen=error.changes,
                        melding="Iemand anders heeft dit intussen gewijzigd. Er is niets opgeslagen. "
                                "Bekijk wat er veranderde en probeer het opnieuw.", **keep)
        except InvalidEventData as error:
            fouten = {field_name(event, name): f"{name.replace('_', ' ').capitalize()}: {text}"
                      for name, text in error.fields.items()}
            return page(request, person, challenge_id, status_code=422, fouten=fouten, **keep)
        except InvalidInput as error:
            fouten = {field_name(event, name): text
                      for name, text in error.fields.items()}
            return page(request, person, challenge_id, status_code=422, fouten=fouten, **keep)
        except GuardFailed as error:
            missing = reason_missing(service, challenge_id, event, actor) if reden is None else []
            if missing:  # the one thing lacking is the reden: say so next to it
                return page(request, person, challenge_id, status_code=422, **keep,
                            fouten={field_name(event, "reden"): " ".join(m[:1].upper() + m[1:] + "."
                                                                         for m in missing)})
            return page(request, person, challenge_id, status_code=422, melding=str(error), **keep)
        except (EngineError, ServiceError, TermijnError) as error:
            return page(request, person, challenge_id, status_code=422, melding=str(error), **keep)
        return RedirectResponse(f"/uitdagingen/{challenge_id}", status_code=303)

    @router.post("/uitdagingen/{challenge_id}/toewijzen", response_class=HTMLResponse)
    async def assign(request: Request, challenge_id: str, person: Staff = Depends(staff)) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        if not csrf.valid(request, values.get(csrf.FIELD, "")):
            return page(request, person, challenge_id, status_code=403,
                        melding="Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.")
        behandelaar = values.get("behandelaar", "").strip() or person.id
        try:
            version = int(values.get("versie", ""))
        except ValueError:
            version = -1
        try:
            service.assign(challenge_id, behandelaar=behandelaar, actor=person.actor(), expected_version=version)
        except (NotFound, UnknownGemeente):
            return render(request, "werk/niet_gevonden.html", status_code=404, staff=person)
        except Conflict as error:
            return page(request, person, challenge_id, status_code=409, wijzigingen=error.changes,
                        melding="Iemand anders heeft dit intussen gewijzigd. Er is niets opgeslagen.")
        except InvalidInput as error:
            return page(request, person, challenge_id, status_code=422,
                        fouten={"behandelaar": "; ".join(error.fields.values())}, waarden=values)
        except ServiceError as error:
            return page(request, person, challenge_id, status_code=403, melding=str(error))
        return RedirectResponse(f"/uitdagingen/{challenge_id}", status_code=303)

    return router


def werk_routers(service: ChallengeService, letters: Any, settings: Any, *,
                 staff: Callable[..., Any]) -> list[APIRouter]:
    """Every router of the werkomgeving's pages, for create_app to mount behind the real login. One account
    directory (read at most every 30 s) serves the werkvoorraad's people and the names in the timeline."""
    directory = account_directory(service)

    def names(gemeente: str) -> dict[str, str]:
        return {a.id: a.naam for a in directory(gemeente) if a.naam}

    def page(request: Request, person: Staff, challenge_id: str, **kwargs: Any) -> Response:
        return challenge_page(service, request, person, challenge_id, names=names, **kwargs)

    return [werkvoorraad_router(service, letters, settings, staff=staff, people=assignable(service, directory)),
            uitdaging_router(service, letters, settings, staff=staff, names=names),
            dossier_router(service, letters, staff=staff, page=page),
            registreren_router(service, staff=staff)]
