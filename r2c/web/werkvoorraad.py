"""The werkomgeving's werkvoorraad (``/werkvoorraad``): the gemeente's challenges in tabs (mijn, niet toegewezen,
alle open, afgesloten), with for each its next running term, the term's last day and a deadline light (groen,
oranje, rood, verstreken; thresholds in werkdagen per gemeente: R2C_SIGNAAL_WERKDAGEN) shown as text and colour,
and on whom it waits. Filters and search are a GET form, so a view can be bookmarked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from r2c.clock import today
from r2c.errors import ServiceError
from r2c.service import Challenge, ChallengeService, SearchFilters, TermView
from r2c.settings import signal_thresholds
from r2c.termijnen import is_werkdag
from r2c.web.pages import render
from r2c.web.staff import Staff

TABS = {"mijn": "Mijn uitdagingen", "niet_toegewezen": "Niet toegewezen", "open": "Alle open",
        "afgesloten": "Afgesloten"}
LIGHTS = {"groen": "Op tijd", "oranje": "Let op", "rood": "Bijna verlopen", "verstreken": "Verstreken"}
PAGE_SIZE = 25


def werkdagen_tot(van: date, tot: date) -> int:
    """Werkdagen after ``van`` up to and including ``tot`` (r2c.termijnen's calendar); negative once past."""
    if tot < van:
        return -sum(1 for n in range(1, (van - tot).days + 1) if is_werkdag(tot + timedelta(days=n - 1)))
    return sum(1 for n in range(1, (tot - van).days + 1) if is_werkdag(van + timedelta(days=n)))


def light(einddatum: date, vandaag: date, drempels: tuple[int, int]) -> str:
    """The deadline light: 'verstreken' after the last day, 'rood' at rood werkdagen or fewer, 'oranje' at oranje."""
    if einddatum < vandaag:
        return "verstreken"
    left = werkdagen_tot(vandaag, einddatum)
    oranje, rood = drempels
    return "rood" if left <= rood else "oranje" if left <= oranje else "groen"


@dataclass(frozen=True)
class Regel:
    """One row of the werkvoorraad."""

    challenge: Challenge
    term: TermView | None
    licht: str | None
    wacht_op: str | None


def werkvoorraad_router(service: ChallengeService, letters: Any, settings: Any, *,
                        staff: Callable[..., Any]) -> APIRouter:
    """The werkvoorraad page; ``staff`` is the login's dependency yielding the logged-in Staff."""
    router = APIRouter(include_in_schema=False)
    thresholds_text = getattr(settings, "signaal_werkdagen", "10,3") if settings is not None else "10,3"

    @router.get("/werkvoorraad", response_class=HTMLResponse)
    def werkvoorraad(request: Request, tab: str = "open", zoek: str = "", pagina: str = "1",
                     person: Staff = Depends(staff)) -> Response:
        actor = person.actor()
        tab = tab if tab in TABS else "open"
        try:
            number = max(1, min(int(pagina), 10_000))
        except ValueError:
            number = 1
        filters = SearchFilters(open=tab != "afgesloten", behandelaar=person.id if tab == "mijn" else None,
                                niet_toegewezen=tab == "niet_toegewezen", zoek=zoek[:200] or None)
        try:
            found = service.search(actor=actor, filters=filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        except ServiceError as error:
            return render(request, "werk/werkvoorraad.html", status_code=403, staff=person, regels=[], tabs=TABS,
                          tab=tab, zoek=zoek, totaal=0, pagina=1, paginas=1, tellingen={}, lichten=LIGHTS,
                          melding=str(error))
        vandaag = today(service.clock)
        drempels = signal_thresholds(thresholds_text, person.gemeente)
        regels = []
        for c in found.items:
            running = sorted((t for t in service.terms(c.id, actor=actor) if t.status == "lopend" and t.einddatum),
                             key=lambda t: t.einddatum)
            term = running[0] if running else None
            wacht = None
            if term is not None:
                definition = service.catalog.get(c.workflow, c.workflow_version).definition
                spec = definition.termijnen.get(term.name)
                wacht = ("initiatiefnemer" if spec is not None and spec.rubriek == "initiatiefnemer"
                         else "gemeente")
            regels.append(Regel(c, term, light(term.einddatum, vandaag, drempels) if term else None, wacht))
        tellingen = {k: sum(1 for r in regels if r.licht == k) for k in LIGHTS}
        paginas = max(1, -(-found.total // PAGE_SIZE))
        return render(request, "werk/werkvoorraad.html", staff=person, regels=regels, tabs=TABS, tab=tab, zoek=zoek,
                      totaal=found.total, pagina=number, paginas=paginas, tellingen=tellingen, lichten=LIGHTS,
                      melding=None)

    return router
