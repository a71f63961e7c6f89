"""The werkomgeving's werkvoorraad (``/werkvoorraad``): the gemeente's challenges in tabs (mijn, niet toegewezen,
alle open, afgesloten), with for each its next running term, the term's last day and a deadline light (groen,
oranje, rood, verstreken; thresholds in werkdagen per gemeente: R2C_SIGNAAL_WERKDAGEN) shown as text and colour,
and on whom it waits; the counts per light are over the whole filtered list.

Filters (fase, behandelaar or niemand, termijn voor een datum, verlopen), search, sorting and the page are a GET
query, so a view can be bookmarked; a bad value is a Dutch error beside its filter, and the rest still applies.
A teamleider assigns the ticked challenges in bulk (``POST /werkvoorraad/toewijzen``): one transaction per
challenge through ``service.assign`` with the version the page showed, and a summary of what was and was not
assigned. The list itself is r2c.service.werkvoorraad's (a fixed number of statements per page).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from r2c.clock import today
from r2c.errors import Conflict, InvalidInput, NotFound, ServiceError
from r2c.service import ChallengeService, WorklistFilter
from r2c.service.accounts import Accounts
from r2c.settings import signal_thresholds
from r2c.store.werkvoorraad import SORTS
from r2c.termijnen import grenzen, signaal, werkdagen_tot
from r2c.web import csrf
from r2c.web.login import valid_post
from r2c.web.pages import render
from r2c.web.staff import Staff

TABS = {"mijn": "Mijn uitdagingen", "niet_toegewezen": "Niet toegewezen", "open": "Alle open",
        "afgesloten": "Afgesloten"}
LIGHTS = {"groen": "Op tijd", "oranje": "Let op", "rood": "Bijna verlopen", "verstreken": "Verstreken"}
SORT_LABELS = {"kenmerk": "Kenmerk", "titel": "Titel", "fase": "Fase en staat", "behandelaar": "Behandelaar",
               "laatste_dag": "Laatste dag"}
DIRECTIONS = {"op": "oplopend", "af": "aflopend"}
NIEMAND = "niemand"
PAGE_SIZE = 25
MAX_BULK = 200
PEOPLE_TTL_S = 30.0
"""How long the list of assignable accounts is kept (an account made or blocked shows within this time)."""
PARAMS = ("tab", "zoek", "fase", "behandelaar", "termijn_voor", "verlopen", "sorteer", "richting", "pagina")
"""The query parameters of a view, in the order its links carry them."""

__all__ = ["werkvoorraad_router", "light", "werkdagen_tot", "parse_view", "View"]


def light(einddatum: date, vandaag: date, drempels: tuple[int, int]) -> str:
    """The deadline light of a last day on ``vandaag`` (r2c.termijnen.signaal)."""
    return signaal(einddatum, grenzen(vandaag, *drempels))


@dataclass
class View:
    """What the query asks for, read and checked; ``fouten`` maps a filter to its Dutch error."""

    tab: str = "open"
    zoek: str = ""
    fase: str = ""
    behandelaar: str = ""
    termijn_voor: date | None = None
    verlopen: bool = False
    sorteer: str = "laatste_dag"
    richting: str = "op"
    pagina: int = 1
    raw: dict[str, str] = field(default_factory=dict)
    fouten: dict[str, str] = field(default_factory=dict)

    def link(self, **changes: Any) -> str:
        """This view's URL with ``changes`` (a changed filter or sort starts at page 1 unless given)."""
        values = {k: v for k, v in self.raw.items() if v}
        if "pagina" not in changes:
            values.pop("pagina", None)
        values.update({k: str(v) for k, v in changes.items()})
        query = urlencode([(k, values[k]) for k in PARAMS if values.get(k) and not (k == "pagina" and values[k] == "1")])
        return "/werkvoorraad" + (f"?{query}" if query else "")

    def query(self, **changes: Any) -> str:
        """The query part of ``link`` ('?...' or ''), for the bulk form's action (it returns to this view)."""
        return self.link(**changes).removeprefix("/werkvoorraad")


def _date(text: str) -> date:
    for form in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_view(query: Mapping[str, str], fasen: Mapping[str, str]) -> View:
    """The view a query asks for; every unreadable filter gets its error and is left out."""
    raw = {k: str(query.get(k, "") or "").strip()[:200] for k in PARAMS}
    v = View(raw=raw)
    v.tab = raw["tab"] if raw["tab"] in TABS else "open"
    for name in PARAMS:  # a control character (a NUL breaks PostgreSQL's text) reads as nothing useful
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw[name]):
            raw[name] = "".join(ch for ch in raw[name] if ord(ch) >= 32 and ord(ch) != 127)
            if name in ("zoek", "behandelaar"):
                v.fouten[name] = ("Zoek met gewone letters en cijfers." if name == "zoek"
                                  else "Kies een behandelaar uit de lijst.")
    v.zoek = raw["zoek"]
    if raw["fase"] and raw["fase"] not in fasen:
        v.fouten["fase"] = "Kies een fase uit de lijst."
    else:
        v.fase = raw["fase"]
    v.behandelaar = "" if "behandelaar" in v.fouten else raw["behandelaar"]
    if raw["termijn_voor"]:
        try:
            v.termijn_voor = _date(raw["termijn_voor"])
        except ValueError:
            v.fouten["termijn_voor"] = "Schrijf de datum als jjjj-mm-dd, bijvoorbeeld 2026-03-31."
    if raw["verlopen"] not in ("", "ja"):
        v.fouten["verlopen"] = "Verlopen is aangevinkt (ja) of leeg."
    v.verlopen = raw["verlopen"] == "ja"
    if raw["sorteer"] and raw["sorteer"] not in SORTS:
        v.fouten["sorteer"] = "Sorteer op kenmerk, titel, fase, behandelaar of laatste dag."
    elif raw["sorteer"]:
        v.sorteer = raw["sorteer"]
    if raw["richting"] and raw["richting"] not in DIRECTIONS:
        v.fouten["richting"] = "Kies oplopend of aflopend."
    elif raw["richting"]:
        v.richting = raw["richting"]
    try:
        v.pagina = max(1, min(int(raw["pagina"] or "1"), 10_000))
    except ValueError:
        v.pagina = 1
    return v


def _filter(v: View, person: Staff, vandaag: date) -> WorklistFilter:
    behandelaar = person.id if v.tab == "mijn" else (v.behandelaar if v.behandelaar not in ("", NIEMAND) else None)
    return WorklistFilter(is_open=v.tab != "afgesloten", behandelaar=behandelaar,
                          unassigned=v.tab == "niet_toegewezen" or v.behandelaar == NIEMAND, fase=v.fase or None,
                          text=v.zoek or None, last_day_until=v.termijn_voor,
                          overdue_on=vandaag if v.verlopen else None)


def account_directory(service: ChallengeService) -> Callable[[str], list[Any]]:
    """A gemeente's local accounts, read at most once per PEOPLE_TTL_S: the one source of the werkvoorraad's people
    (behandelaar filter, bulk assignment) and of the names in a challenge's timeline."""
    accounts = Accounts(service.units.sessions, service.clock, roles=service.policy.key_roles(service.catalog))
    known: dict[str, tuple[float, list[Any]]] = {}

    def directory(gemeente: str) -> list[Any]:
        cached = known.get(gemeente)
        if cached is None or time.monotonic() - cached[0] > PEOPLE_TTL_S:
            cached = known[gemeente] = (time.monotonic(), accounts.list(gemeente=gemeente))
        return cached[1]

    return directory


def assignable(service: ChallengeService, directory: Callable[[str], list[Any]]
               ) -> Callable[[str], list[tuple[str, str]]]:
    """(id, naam) of a gemeente's accounts that may handle a challenge and are not blocked."""
    return lambda gemeente: [(a.id, a.naam) for a in directory(gemeente)
                             if not a.blocked and service.policy.handles(a.rollen)]


def werkvoorraad_router(service: ChallengeService, letters: Any, settings: Any, *, staff: Callable[..., Any],
                        people: Callable[[str], list[tuple[str, str]]] | None = None) -> APIRouter:
    """The werkvoorraad page and its bulk assignment; ``staff`` is the login's dependency yielding the logged-in
    Staff, ``people`` gives a gemeente's assignable staff as (id, naam) (default: its local accounts that may
    handle a challenge, not blocked)."""
    router = APIRouter(include_in_schema=False)
    thresholds_text = getattr(settings, "signaal_werkdagen", "10,3") if settings is not None else "10,3"
    if people is None:
        people = assignable(service, account_directory(service))

    def show(request: Request, person: Staff, query: Mapping[str, str], *, status_code: int = 200,
             samenvatting: dict[str, Any] | None = None, bulk_fouten: dict[str, str] | None = None) -> Response:
        actor = person.actor()
        try:
            definition = service.definition_in_force(person.gemeente)
        except ServiceError as error:
            return render(request, "werk/werkvoorraad.html", status_code=403, staff=person, melding=str(error),
                          v=View(), regels=[], tabs=TABS, lichten=LIGHTS, tellingen={}, totaal=0, pagina=1,
                          paginas=1, fasen={}, mensen=[], sorts=SORT_LABELS, bulk=False, samenvatting=None,
                          bulk_fouten={}, niemand=NIEMAND)
        fasen = {key: f.label for key, f in definition.fasen.items()}
        v = parse_view(query, fasen)
        vandaag = today(service.clock)
        try:
            found = service.worklist(actor=actor, filter=_filter(v, person, vandaag),
                                     drempels=signal_thresholds(thresholds_text, person.gemeente), sort=v.sorteer,
                                     descending=v.richting == "af", limit=PAGE_SIZE,
                                     offset=(v.pagina - 1) * PAGE_SIZE)
        except ServiceError as error:
            return render(request, "werk/werkvoorraad.html", status_code=403, staff=person, melding=str(error),
                          v=v, regels=[], tabs=TABS, lichten=LIGHTS, tellingen={}, totaal=0, pagina=1, paginas=1,
                          fasen=fasen, mensen=[], sorts=SORT_LABELS, bulk=False, samenvatting=None,
                          bulk_fouten={}, niemand=NIEMAND)
        bulk = service.policy.assigns_others(actor)
        mensen = people(person.gemeente)  # the behandelaar filter's options, and the bulk form's
        if service.policy.handles(person.rollen) and person.id not in {m for m, _ in mensen}:
            mensen = [(person.id, person.naam), *mensen]  # an OIDC login has no local account
        paginas = max(1, -(-found.total // PAGE_SIZE))
        return render(request, "werk/werkvoorraad.html", status_code=422 if v.fouten and status_code == 200
                      else status_code, staff=person, melding=None, v=v, regels=found.rows, tabs=TABS,
                      lichten=LIGHTS, tellingen=found.lichten, totaal=found.total, pagina=v.pagina, paginas=paginas,
                      fasen=fasen, mensen=mensen, sorts=SORT_LABELS, bulk=bulk, samenvatting=samenvatting,
                      bulk_fouten=bulk_fouten or {}, niemand=NIEMAND)

    @router.get("/werkvoorraad", response_class=HTMLResponse)
    def werkvoorraad(request: Request, person: Staff = Depends(staff)) -> Response:
        return show(request, person, request.query_params)

    @router.post("/werkvoorraad/toewijzen", response_class=HTMLResponse)
    async def toewijzen(request: Request, person: Staff = Depends(staff)) -> Response:
        form = await request.form()
        query = request.query_params
        if not valid_post(request, person, str(form.get(csrf.FIELD, "") or "")):
            return show(request, person, query, status_code=403,
                        bulk_fouten={"uitdagingen": "Het formulier is verlopen. Laad de pagina opnieuw en probeer "
                                                    "het nog eens."})
        actor = person.actor()
        if not service.policy.assigns_others(actor):
            return show(request, person, query, status_code=403,
                        bulk_fouten={"uitdagingen": "Alleen een teamleider wijst uitdagingen toe."})
        gekozen = [str(x) for x in form.getlist("uitdaging")][:MAX_BULK + 1]
        behandelaar = str(form.get("toewijzen_aan", "") or "").strip()
        fouten = {}
        if not gekozen:
            fouten["uitdagingen"] = "Vink een of meer uitdagingen aan."
        elif len(gekozen) > MAX_BULK:
            fouten["uitdagingen"] = f"Wijs er hoogstens {MAX_BULK} tegelijk toe."
        if behandelaar not in {m for m, _ in people(person.gemeente)} | {person.id}:  # a teamleider: handles
            fouten["toewijzen_aan"] = "Kies aan wie u de uitdagingen toewijst."
        if fouten:
            return show(request, person, query, status_code=422, bulk_fouten=fouten)
        done: list[str] = []
        niet: list[str] = []
        for item in gekozen:
            challenge_id, _, versie = item.rpartition(":")
            try:
                version = int(versie)
            except ValueError:
                niet.append(f"{item[:40]}: dit is geen uitdaging uit de lijst.")
                continue
            try:
                done.append(service.assign(challenge_id, behandelaar=behandelaar, actor=actor,
                                           expected_version=version).kenmerk)
            except NotFound:
                niet.append(f"{challenge_id[:40]}: deze uitdaging is niet gevonden bij uw gemeente.")
            except Conflict:
                kenmerk = _kenmerk(service, challenge_id, actor)
                niet.append(f"{kenmerk}: iemand anders heeft deze uitdaging intussen gewijzigd. Er is niets "
                            "opgeslagen; bekijk de lijst opnieuw.")
            except (InvalidInput, ServiceError) as error:
                niet.append(f"{_kenmerk(service, challenge_id, actor)}: {error}")
        naam = dict(people(person.gemeente)).get(behandelaar, person.naam if behandelaar == person.id else behandelaar)
        return show(request, person, query, status_code=200 if not niet else 409,
                    samenvatting={"aan": naam, "gedaan": done, "niet": niet})

    return router


def _kenmerk(service: ChallengeService, challenge_id: str, actor: Any) -> str:
    try:
        return service.get(challenge_id, actor=actor).kenmerk
    except ServiceError:
        return challenge_id[:40]
