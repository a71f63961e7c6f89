"""The year report as a page of the werkomgeving: ``/rapport/{gemeente}/{jaar}`` for a teamleider, lezer or
beheerder of that gemeente, the same HTML as ``r2c rapport --formaat html`` (r2c.reports.render).

``rapport_router(service, staff_dependency=...)`` takes the FastAPI dependency that yields the logged-in
``Actor``, or the login's ``Staff`` (r2c.web.staff; the page then acts as ``staff.actor()``). Another
gemeente's report, an unknown gemeente or a year in the future is a 404 page; another role a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from r2c.engine.case import Actor
from r2c.errors import AccessDenied, ConfigError, UnknownGemeente
from r2c.reports.figures import build_report
from r2c.reports.render import report_html
from r2c.service.challenges import ChallengeService
from r2c.web.pages import SECURITY_HEADERS, message_page
from r2c.web.staff import Staff


def rapport_page(service: ChallengeService, *, actor: Actor, gemeente: str, jaar: int) -> str:
    """The report page's HTML for ``actor``; NotFound-like errors (UnknownGemeente, ConfigError) and
    AccessDenied as the service raises them."""
    if actor.gemeente != gemeente:
        raise UnknownGemeente(f"geen rapport van gemeente '{gemeente}' voor u")
    service.policy.check_reports(actor)
    return report_html(build_report(service, gemeente=gemeente, jaar=jaar), standalone=False)


def rapport_router(service: ChallengeService, *, staff_dependency: Callable[..., Any]) -> APIRouter:
    """The router of ``/rapport/{gemeente}/{jaar}``; ``staff_dependency`` yields the logged-in Actor or Staff."""
    router = APIRouter(include_in_schema=False)

    @router.get("/rapport/{gemeente}/{jaar}", response_class=HTMLResponse)
    def rapport(request: Request, gemeente: str, jaar: str,
                who: Actor | Staff = Depends(staff_dependency)) -> HTMLResponse:
        actor = who.actor() if isinstance(who, Staff) else who

        def refused(status: int, kop: str, tekst: str) -> HTMLResponse:
            return message_page(request, status, kop, tekst, verder=[("/werkvoorraad", "Terug naar de werkvoorraad")])

        if not (jaar.isdigit() and len(jaar) == 4):
            return refused(404, "Niet gevonden", f"Dit rapport bestaat niet: '{jaar[:20]}' is geen jaartal.")
        try:
            html = rapport_page(service, actor=actor, gemeente=gemeente, jaar=int(jaar))
        except AccessDenied:
            return refused(403, "Geen toegang", "Het jaarrapport is er voor teamleiders, lezers en beheerders.")
        except (UnknownGemeente, ConfigError) as error:
            return refused(404, "Niet gevonden", f"Dit rapport bestaat niet: {error}.")
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    return router
