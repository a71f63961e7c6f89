"""The initiatiefnemer's status page: ``GET /status/{token}`` and ``GET /status/{token}/brieven/{letter_id}``.

The link is the key: r2c gave it once at submission (``Fired.status_token``) and keeps only its hash; staff can
revoke or renew it. The page shows one challenge, in Dutch at B1 level, and only what is meant for the
initiatiefnemer: the phase in plain words, what the gemeente does next and by when, what they must do and by
when, and the letters addressed to them. Never the behandelaar, reasons in the history, the gemeente's working
papers or internal facts. An unknown and a revoked link get the same 404 page, which does not say whether a
challenge exists. No JavaScript; a strict Content-Security-Policy (the one stylesheet is allowed by its hash).

Texts per phase, term and result are below, keyed by the ids of the VNG model (model_verordening/); a gemeente's
own phase or term falls back to the labels and descriptions of its definition.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from r2c.clock import local_date, today
from r2c.definitions.schema import Definition
from r2c.engine.case import Actor
from r2c.errors import AccessDenied, NotFound, R2CError
from r2c.exports.letters import Letters
from r2c.notify.render import datum, has_template, logo_src
from r2c.service.challenges import ChallengeService
from r2c.service.views import Challenge, StatusView, TermView

log = logging.getLogger(__name__)

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,200}")
"""What a status link token looks like ('r2c_st_' and 43 URL-safe characters); anything else is not looked up."""

# -- texts (B1: short sentences, common words, 'u') ---------------------------------------------------------

PHASE_TEXT: dict[str, str] = {
    "vooroverleg": "In deze stap praat u met de gemeente over uw idee. Dit is een eerste gesprek. Daarna kunt u "
                   "uw aanvraag indienen.",
    "indiening": "In deze stap komt uw aanvraag binnen bij de gemeente. De gemeente kijkt of alles erin staat wat "
                 "nodig is.",
    "ontvankelijkheid": "In deze stap vult u uw aanvraag aan. Dat is nodig als er nog iets ontbreekt.",
    "toetsing": "In deze stap bekijkt de gemeente uw plan. Zij kijkt of uw plan past bij de regels voor het "
                "uitdaagrecht.",
    "besluit": "In deze stap neemt het college van burgemeester en wethouders een besluit over uw aanvraag.",
    "bezwaar": "De gemeente heeft een besluit genomen over uw aanvraag. Bent u het daar niet mee eens? Dan kunt u "
               "in deze stap bezwaar maken.",
    "overname": "Het college heeft ja gezegd tegen uw plan. In deze stap maken u en de gemeente afspraken. "
                "Bijvoorbeeld over het geld en de datum waarop u begint.",
    "uitvoering": "In deze stap voert u de taak zelf uit. U laat de gemeente weten hoe het gaat.",
    "evaluatie": "In deze stap kijken u en de gemeente samen hoe het ging. Daarna besluit de gemeente of u verder "
                 "gaat.",
    "afgesloten": "Uw uitdaging is afgesloten.",
}
"""What each phase of the VNG model means for the initiatiefnemer."""

RESULT_TEXT: dict[str, str] = {
    "uitgevoerd": "U heeft de taak uitgevoerd. De uitdaging is klaar. Dank u wel voor uw inzet.",
    "afgewezen": "Het college heeft uw aanvraag afgewezen. In de brief met het besluit staat waarom.",
    "ingetrokken": "U heeft uw aanvraag ingetrokken. De gemeente behandelt uw aanvraag niet meer.",
    "buiten_behandeling": "Uw aanvraag was niet compleet. Daarom heeft de gemeente uw aanvraag niet behandeld. "
                          "In de brief staat waarom.",
}
"""The result of a closed challenge in words."""

GEMEENTE_TERM: dict[str, str] = {
    "beslistermijn": "De gemeente beslist uiterlijk op {datum}.",
    "buiten_behandeling": "De gemeente laat u uiterlijk op {datum} weten of zij uw aanvraag nog behandelt.",
    "adviestermijn": "De gemeente heeft iemand om advies gevraagd. Dat advies komt uiterlijk op {datum}.",
    "uitvoeringsperiode": "De afgesproken periode om de taak uit te voeren loopt tot en met {datum}.",
}
"""Running terms in which the gemeente acts: what it does, by when."""

GEMEENTE_LATE: dict[str, str] = {
    "beslistermijn": "De gemeente had uiterlijk op {datum} moeten beslissen. Dat is nog niet gebeurd.",
}
"""The same, once the day has passed and the term still runs (the gemeente is late)."""

OWN_TERM: dict[str, str] = {
    "hersteltermijn": "Stuur de ontbrekende stukken uiterlijk op {datum}.",
    "zienswijzetermijn": "De gemeente wil weten wat u vindt, voordat zij beslist. Stuur uw reactie uiterlijk "
                         "op {datum}.",
    "verantwoordingstermijn": "Laat uiterlijk op {datum} zien wat u heeft gedaan en waaraan u het geld heeft "
                              "uitgegeven. Dat heet de verantwoording.",
}
"""Running terms in which the initiatiefnemer must act (``herinneren: initiatiefnemer``)."""

OPTIONAL_TERM: dict[str, str] = {
    "bezwaartermijn": "Bent u het niet eens met het besluit? Dan kunt u bezwaar maken. Dat kan tot en met {datum}. "
                      "Hoe u dat doet, staat in de brief met het besluit.",
}
"""Running terms in which the initiatiefnemer may act, but need not."""

OPTIONAL_EVENT: dict[str, str] = {
    "intrekken": "Wilt u toch stoppen? Dan kunt u uw aanvraag intrekken.",
    "afzien": "Wilt u de taak toch niet overnemen? Laat het de gemeente dan weten.",
    "voortgang_melden": "Vertel de gemeente hoe het gaat met de taak.",
    "teruggeven": "Wilt u de taak teruggeven aan de gemeente? Dat kan nu.",
    "vooroverleg_aanvragen": "Wilt u eerst met de gemeente over uw idee praten? Vraag dan een gesprek aan.",
}
"""What the initiatiefnemer may do now (their allowed events), when no term already says it."""

SUSPENDED_AANVULLING = ("De tijd voor het besluit staat stil zolang uw aanvraag niet compleet is. Als de gemeente "
                        "uw aanvulling heeft, loopt de tijd weer verder. U ziet dan hier de nieuwe datum.")
SUSPENDED = ("{label}: deze termijn staat nu stil. Als de termijn weer loopt, ziet u hier de nieuwe datum.")


@dataclass(frozen=True)
class Sentence:
    """A sentence with at most one date in it, so the page can mark the date up (``<time>``, bold)."""

    before: str
    day: date | None = None
    after: str = ""


def sentence(text: str, day: date | None = None, **names: str) -> Sentence:
    """``text`` with ``{datum}`` split out as the sentence's date and other ``{names}`` filled in."""
    before, found, after = text.partition("{datum}")
    return Sentence(before.format(**names), day if found else None, after.format(**names))


# -- the page ------------------------------------------------------------------------------------------------

def page_context(service: ChallengeService, letters: Letters, *, view: StatusView, token: str) -> dict[str, Any]:
    """What the status page shows, from what the initiatiefnemer may see (``service.status_view``: one read
    transaction, one consistent picture)."""
    challenge, terms, own_letters, definition = view.challenge, view.terms, view.letters, view.definition
    allowed = {a.event for a in view.allowed if not a.blocked_by}
    huisstijl = letters.router.huisstijl(challenge.gemeente)
    now = today(service.clock)
    closed = challenge.resultaat is not None
    fase = definition.fasen.get(challenge.fase)
    staat = fase.staten.get(challenge.state.split(".", 1)[1]) if fase else None
    ontbreekt = _missing(definition, challenge) if "aanvullen" in allowed else []
    gemeente_does, you_must, you_may = _terms(definition, terms, now=now, aanvulling="aanvullen" in allowed)
    if ontbreekt and not any(t.name == "hersteltermijn" and t.status == "lopend" for t in terms):
        you_must.insert(0, sentence("Stuur de ontbrekende stukken zo snel mogelijk."))
    covered = {"bezwaar_maken"} if any(t.name == "bezwaartermijn" and t.status == "lopend" for t in terms) else set()
    you_may += [sentence(OPTIONAL_EVENT[e]) for e in OPTIONAL_EVENT if e in allowed and e not in covered]
    return {
        "gemeente": {"naam": huisstijl.naam, "contact": huisstijl.afzender, "logo": logo_src(huisstijl)},
        "procedure": definition.naam,
        "uitdaging": {"titel": challenge.titel, "kenmerk": challenge.id,
                      "ingediend": local_date(challenge.created_at),
                      "gewijzigd": local_date(challenge.updated_at)},
        "fase": {"label": fase.label if fase else challenge.fase_label,
                 "uitleg": PHASE_TEXT.get(challenge.fase) or (fase.omschrijving if fase else None),
                 "staat": challenge.state_label, "staat_uitleg": staat.omschrijving if staat else None},
        "afgesloten": closed,
        "resultaat": RESULT_TEXT.get(challenge.resultaat or "", staat.omschrijving if staat else None)
        if closed else None,
        "stappen": [] if closed else _steps(definition, challenge.fase),
        "gemeente_doet": gemeente_does,
        "u_moet": you_must,
        "ontbreekt": ontbreekt,
        "u_mag": you_may,
        "brieven": [{"titel": letter.titel, "datum": local_date(letter.requested_at),
                     "href": f"{token}/brieven/{letter.id}"
                     if has_template(huisstijl, f"brief/{letter.template}.html") else None}
                    for letter in reversed(own_letters)],
    }


def _missing(definition: Definition, challenge: Challenge) -> list[str]:
    """Labels of the required elements the request still lacks (as the guard 'vereisten_compleet' counts them)."""
    present = set(challenge.facts.get("vereisten") or ())
    return [v.label for k, v in definition.vereisten.items() if v.verplicht and k not in present]


def _terms(definition: Definition, terms: list[TermView], *, now: date,
           aanvulling: bool) -> tuple[list[Sentence], list[Sentence], list[Sentence]]:
    """The running and suspended terms as sentences: what the gemeente does, what they must do, what they may."""
    gemeente_does: list[Sentence] = []
    you_must: list[Sentence] = []
    you_may: list[Sentence] = []
    running = sorted((t for t in terms if t.status == "lopend" and t.einddatum is not None),
                     key=lambda t: t.einddatum)
    for term in running:
        spec = definition.termijnen.get(term.name)
        late = term.einddatum < now
        if term.name in OPTIONAL_TERM:
            if not late:
                you_may.append(sentence(OPTIONAL_TERM[term.name], term.einddatum))
        elif spec is not None and spec.herinneren == "initiatiefnemer":
            text = ("De datum hiervoor was {datum}. Die datum is voorbij. Neem zo snel mogelijk contact op met de "
                    "gemeente." if late else OWN_TERM.get(term.name, "{label}. Dit moet uiterlijk op {datum}."))
            you_must.append(sentence(text, term.einddatum, label=term.label))
        elif late:
            text = GEMEENTE_LATE.get(term.name, "{label}: de gemeente had dit uiterlijk op {datum} moeten doen.")
            gemeente_does.append(sentence(text, term.einddatum, label=term.label))
        else:
            text = GEMEENTE_TERM.get(term.name, "{label}: loopt tot en met {datum}.")
            gemeente_does.append(sentence(text, term.einddatum, label=term.label))
    for term in terms:
        if term.status == "opgeschort":
            text = SUSPENDED_AANVULLING if term.name == "beslistermijn" and aanvulling else SUSPENDED
            gemeente_does.append(sentence(text, label=term.label))
    return gemeente_does, you_must, you_may


def _steps(definition: Definition, current: str) -> list[dict[str, str]]:
    """The usual route through the phases, each 'klaar', 'nu' or 'straks'.

    Optional phases and the side step 'ontvankelijkheid' (only when something is missing) show only while the
    challenge is in them; a closed challenge shows no route (not every phase before 'afgesloten' was done).
    """
    shown = [(key, fase) for key, fase in definition.fasen.items()
             if fase.actief and (key == current or not (fase.optioneel or key == "ontvankelijkheid"))]
    keys = [key for key, _ in shown]
    position = keys.index(current) if current in keys else -1
    return [{"label": fase.label, "status": "klaar" if i < position else "nu" if i == position else "straks"}
            for i, (_, fase) in enumerate(shown)]


# -- rendering and HTTP ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _environment() -> tuple[Environment, str]:
    """The Jinja2 environment (autoescape on) and the CSP hash of the one stylesheet, inlined in every page."""
    env = Environment(loader=PackageLoader("r2c.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["datum"] = datum
    css = env.loader.get_source(env, "status.css")[0]
    env.globals["css"] = Markup(css)
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return env, f"'sha256-{digest}'"


def security_headers() -> dict[str, str]:
    """Headers of every response of the status pages: private, not cached, not indexed, no scripts, no frames."""
    _, style = _environment()
    return {
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": (f"default-src 'none'; style-src {style}; img-src 'self' data:; "
                                    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    }


def render_page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` rendered with ``context``, with the status pages' security headers."""
    env, _ = _environment()
    html = env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=security_headers())


class PageLimited(Exception):
    """Too many status page requests from one address: answered with a Dutch page and Retry-After."""

    def __init__(self, wait: int):
        super().__init__(f"te veel verzoeken; wacht {wait} seconden")
        self.wait = wait


def limited_page(_request: Any, error: PageLimited) -> HTMLResponse:
    """The 429 page (install with ``app.add_exception_handler(PageLimited, limited_page)``)."""
    response = render_page("te_veel.html", 429, wacht=error.wait)
    response.headers["Retry-After"] = str(error.wait)
    return response


def not_found_page() -> HTMLResponse:
    """The one 404 page for an unknown link, a revoked link and a letter that is not theirs."""
    return render_page("niet_gevonden.html", 404)


def status_router(service: ChallengeService, letters: Letters, *,
                  dependencies: Sequence[Any] = ()) -> APIRouter:
    """The status pages on ``service``; ``dependencies`` run before each (e.g. a rate limit)."""
    router = APIRouter(dependencies=list(dependencies), include_in_schema=False)

    def resolve(token: str) -> tuple[str, Actor] | None:
        return service.status_actor(token) if TOKEN.fullmatch(token) else None

    def unavailable(error: Exception) -> HTMLResponse:
        log.error("statuspagina niet te tonen: %s: %s", type(error).__name__, error)
        return render_page("fout.html", 503)

    @router.get("/status/{token}", response_class=HTMLResponse, name="status_page")
    def status_page(token: str) -> Response:
        try:
            view = service.status_view(token) if TOKEN.fullmatch(token) else None
            if view is None:
                return not_found_page()
            context = page_context(service, letters, view=view, token=token)
        except (NotFound, AccessDenied):
            return not_found_page()
        except R2CError as error:
            return unavailable(error)
        return render_page("status.html", **context)

    @router.get("/status/{token}/brieven/{letter_id}", name="status_letter")
    def status_letter(token: str, letter_id: str) -> Response:
        if not letter_id.isdigit() or len(letter_id) > 18:
            return not_found_page()
        try:
            found = resolve(token)
            if found is None:
                return not_found_page()
            challenge_id, actor = found
            rendered = letters.render(challenge_id, int(letter_id), actor=actor, pdf=True)
        except (NotFound, AccessDenied):
            return not_found_page()
        except R2CError as error:
            return unavailable(error)
        headers = {**security_headers(), "Content-Disposition": f'attachment; filename="{rendered.filename}"'}
        return Response(rendered.content, media_type=rendered.media_type, headers=headers)

    return router
