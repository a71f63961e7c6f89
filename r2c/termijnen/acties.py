"""Term actions: what start, stop, opschorten, hervatten and verlengen do to a term's state. Pure functions, no clock.

``ingebrekestelling`` checks that the two weeks after an ingebrekestelling may start (Awb 4:17 lid 3).

Each action takes a ``TermState`` and the day it takes effect and returns a ``Gevolg``: the new state with a
Dutch line that explains it and cites the article (Awb 4:14 verdaging, Awb 4:15 opschorting, Atw). An action that
does not apply to the term's status (opschorten a suspended term, hervatten a running one) returns None: it is a
no-op, as the Awb has nothing to do. The caller (r2c.service.terms) maps rows to states and back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from r2c.errors import TermijnError
from r2c.termijnen.awb import dwangsom, opschorting_aanvulling, verdaging
from r2c.termijnen.termijn import Termijn

Status = Literal["lopend", "opgeschort", "gestopt", "vervangen"]
OPEN = ("lopend", "opgeschort")
ACTIES = ("start", "stop", "opschorten", "hervatten", "verlengen")


@dataclass(frozen=True)
class TermState:
    """One run of a term as the actions see it.

    Attributes:
        status: 'lopend', 'opgeschort' (Awb 4:15), 'gestopt' or 'vervangen' (a new run of the same term started).
        termijn: the term with its history (opschortingen, verlengingen).
        einddatum: the last day of the term; None while it is suspended (it is not known until it resumes).
        suspended_from: the first suspended day, while ``opgeschort``.
        suspension_basis: why it was suspended (article and event), while ``opgeschort``.
        stopped_on: the day it was stopped or replaced.
    """

    termijn: Termijn
    status: Status = "lopend"
    einddatum: date | None = None
    suspended_from: date | None = None
    suspension_basis: str | None = None
    stopped_on: date | None = None


@dataclass(frozen=True)
class Gevolg:
    """What an action did to a term.

    Attributes:
        actie: the action as recorded ('start', 'stop', 'vervangen', 'opschorten', 'hervatten', 'verlengen').
        state: the term's state after it.
        toelichting: one Dutch line explaining it, with the article.
    """

    actie: str
    state: TermState
    toelichting: str


def _naam(state: TermState) -> str:
    return state.termijn.naam or "termijn"


def start(termijn: Termijn) -> Gevolg:
    """A new run of ``termijn``: running, ending on its end date (Atw art. 1 when the term says so)."""
    end = termijn.einddatum()
    atw = "Atw art. 1 toegepast" if termijn.atw else "zonder Atw"
    basis = f"{termijn.grondslag}; {atw}" if termijn.grondslag else atw
    return Gevolg("start", TermState(termijn=termijn, status="lopend", einddatum=end),
                  f"{termijn.naam or 'termijn'} loopt vanaf {termijn.start.isoformat()} ({termijn.duur}) tot en met "
                  f"{end.isoformat()} ({basis})")


def vervangen(state: TermState, *, on: date) -> Gevolg:
    """The run ends on ``on`` because the same term starts again (the new run replaces it)."""
    return Gevolg("vervangen", replace(state, status="vervangen", stopped_on=on),
                  f"{_naam(state)} vervangen op {on.isoformat()}: de termijn begint opnieuw")


def stop(state: TermState, *, on: date) -> Gevolg | None:
    """The term stops on ``on``, running or suspended: no reminders and no lapse any more; None when it has ended."""
    if state.status not in OPEN:
        return None
    return Gevolg("stop", replace(state, status="gestopt", stopped_on=on),
                  f"{_naam(state)} gestopt op {on.isoformat()}")


def opschorten(state: TermState, *, on: date, artikel: str | None = None, event: str = "") -> Gevolg | None:
    """Suspend a running term from the day after ``on`` (Awb 4:15 lid 1); None when it is not running."""
    if state.status != "lopend":
        return None
    basis = f"{artikel or 'Awb 4:15'} ({event})"
    van = on + timedelta(days=1)
    return Gevolg("opschorten", replace(state, status="opgeschort", suspended_from=van, einddatum=None,
                                        suspension_basis=basis),
                  f"{_naam(state)} opgeschort met ingang van {van.isoformat()} ({basis})")


def hervatten(state: TermState, *, on: date, event: str = "") -> Gevolg | None:
    """Resume a suspended term on ``on``; the suspended days are added to it (Awb 4:15). None when not suspended.

    Resumed on the day of the request itself (before the first suspended day), nothing was suspended.
    """
    if state.status != "opgeschort" or state.suspended_from is None:
        return None
    termijn = state.termijn
    van = state.suspended_from
    if on >= van:
        # Awb 4:15 lid 1 onder a: from the day after the request up to the day the aanvraag is completed
        periode = opschorting_aanvulling(verzoek=van - timedelta(days=1), aangevuld=on)
        termijn = termijn.opschorten(replace(
            periode, grondslag="Awb 4:15",
            omschrijving=f"opgeschort bij {state.suspension_basis or 'verzoek'}, hervat bij '{event}'"))
        dagen = periode.dagen
    else:
        dagen = 0
    end = termijn.einddatum()
    return Gevolg("hervatten", replace(state, status="lopend", termijn=termijn, einddatum=end, suspended_from=None,
                                       suspension_basis=None),
                  f"{_naam(state)} hervat op {on.isoformat()} na {dagen} opgeschorte dag(en); einddatum "
                  f"{end.isoformat()} (Awb 4:15)")


def verlengen(state: TermState, *, on: date, duur: str | None, artikel: str | None = None,
              event: str = "") -> Gevolg | None:
    """Extend the term by ``duur`` announced on ``on`` (verdaging, Awb 4:14; once, before it lapses).

    A suspended term keeps no end date until it resumes; the extension counts then. TermijnError when ``duur``
    is missing, the term was already extended or it lapsed before ``on``; None when it has ended.
    """
    if state.status not in OPEN:
        return None
    if duur is None:
        raise TermijnError(f"termijn '{_naam(state)}' zegt niet met hoeveel hij verlengd wordt ('verlenging')")
    grondslag = artikel or "Awb 4:14"
    termijn = state.termijn.verlengen(replace(verdaging(aangekondigd=on, duur=duur, grondslag=grondslag),
                                              omschrijving=f"verdaging ({event})"))
    end = termijn.einddatum() if state.status == "lopend" else state.einddatum
    na = f"einddatum {end.isoformat()}" if end is not None else "telt mee bij hervatten"
    return Gevolg("verlengen", replace(state, termijn=termijn, einddatum=end),
                  f"{_naam(state)} verlengd met {termijn.verlengingen[-1].duur} op {on.isoformat()}; {na} "
                  f"({grondslag})")


def apply(state: TermState, action: str, *, on: date, artikel: str | None = None, event: str = "",
          verlenging: str | None = None) -> Gevolg | None:
    """``action`` ('stop', 'opschorten', 'hervatten' or 'verlengen') on a term that runs; None for a no-op.

    ``start`` is ``start(termijn)`` (plus ``vervangen`` for a run of the same term), as it needs a new Termijn.
    """
    if action == "stop":
        return stop(state, on=on)
    if action == "opschorten":
        return opschorten(state, on=on, artikel=artikel, event=event)
    if action == "hervatten":
        return hervatten(state, on=on, event=event)
    if action == "verlengen":
        return verlengen(state, on=on, duur=verlenging, artikel=artikel, event=event)
    raise TermijnError(f"onbekende termijnactie '{action}' (kies uit {', '.join(ACTIES)})")


def ingebrekestelling(beslistermijn: TermState | None, *, on: date, naam: str = "beslistermijn",
                      al_sinds: date | None = None) -> None:
    """TermijnError unless an ingebrekestelling received on ``on`` can start the two weeks of Awb 4:17 lid 3: the
    running ``beslistermijn`` lapsed before ``on`` and none runs yet (``al_sinds``: the day the running one began).
    """
    if al_sinds is not None:
        raise TermijnError(f"de gemeente is al op {al_sinds.isoformat()} in gebreke gesteld; de termijn en de "
                           "dwangsom lopen al (Awb 4:17)")
    if beslistermijn is None or beslistermijn.status not in OPEN:
        raise TermijnError(f"in gebreke stellen kan niet: de {naam} loopt niet (meer); de gemeente heeft al "
                           "beslist of er is geen aanvraag (Awb 4:17 lid 3)")
    if beslistermijn.status == "opgeschort" or beslistermijn.einddatum is None:
        van = beslistermijn.suspended_from.isoformat() if beslistermijn.suspended_from else "nu"
        raise TermijnError(f"in gebreke stellen kan nog niet: de {naam} staat stil sinds {van} (Awb 4:15); de "
                           "gemeente is dus niet te laat")
    dwangsom(beslistermijn_eind=beslistermijn.einddatum, ingebrekestelling_ontvangen=on)  # too early: TermijnError
