"""The initiatiefnemer's status page: ``GET /status/{token}`` and ``GET /status/{token}/brieven/{letter_id}``.

The link is the key: r2c gave it once at submission (``Fired.status_token``) and keeps only its hash; staff can
revoke or renew it. The page shows one challenge, in Dutch at B1 level, and only what is meant for the
initiatiefnemer: the phase in plain words, what the gemeente does next and by when, what they must do and by
when, and the letters addressed to them. Never the behandelaar, reasons in the history, the gemeente's working
papers or internal facts. An unknown and a revoked link get the same 404 page, which does not say whether a
challenge exists. No JavaScript; a strict Content-Security-Policy (the one stylesheet is allowed by its hash).

The texts per phase, state, term and step come from the definition (``omschrijving`` of a fase and a staat,
``uitleg`` of a termijn and a transitie: model_verordening/, overridable per gemeente); a definition without them
does not load. docs/status-pagina.md says which field feeds which part of the page.
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
from r2c.definitions.indiening import mandatory_phase, submitting_events
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
# The texts about a phase, state, term or step are in the definition (omschrijving, uitleg, uitleg_te_laat,
# uitleg_opgeschort; checked when it loads). These are the page's own sentences, for what no definition names.

MISSING_SOON = "Stuur de ontbrekende stukken zo snel mogelijk."
OWN_LATE = "De datum hiervoor was {datum}. Die datum is voorbij. Neem zo snel mogelijk contact op met de gemeente."
GEMEENTE_LATE = "{label}: de gemeente had dit uiterlijk op {datum} moeten doen."
RUNNING = "{label}: loopt tot en met {datum}."
SUSPENDED = "{label}: deze termijn staat nu stil. Als de termijn weer loopt, ziet u hier de nieuwe datum."


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

def page_context(service: ChallengeService, letters: Letters, *, view: StatusView, token: str,
                 sent: str | None = None) -> dict[str, Any]:
    """What the status page shows, from what the initiatiefnemer may see (``service.status_view``: one read
    transaction, one consistent picture); ``sent`` is the event the resident just took from this page (the
    "Verstuurd" notice), if any."""
    challenge, terms, own_letters, definition = view.challenge, view.terms, view.letters, view.definition
    allowed = {a.event for a in view.allowed if not a.blocked_by}
    huisstijl = letters.router.huisstijl(challenge.gemeente)
    now = today(service.clock)
    closed = challenge.resultaat is not None
    fase = definition.fasen.get(challenge.fase)
    staat = fase.staten.get(challenge.state.split(".", 1)[1]) if fase else None
    ontbreekt = _missing(definition, challenge) if _completing(definition, allowed) else []
    gemeente_does, you_must, you_may = _terms(definition, terms, now=now)
    if ontbreekt and not any(_rubriek(definition, t) == "initiatiefnemer" and t.status == "lopend" for t in terms):
        you_must.insert(0, sentence(MISSING_SOON))
    you_may += [sentence(text) for text in _step_texts(definition, allowed)]
    labels = {t.event or key: t.knop or t.label for key, t in definition.transities.items()}
    return {
        "verstuurd": labels.get(sent or ""),
        "gemeente": {"naam": huisstijl.naam, "contact": huisstijl.afzender, "logo": logo_src(huisstijl)},
        "procedure": definition.naam,
        "uitdaging": {"titel": challenge.titel, "kenmerk": challenge.kenmerk,
                      "ingediend": local_date(challenge.created_at),
                      "ingediend_met": _first_step(definition),
                      "gewijzigd": local_date(challenge.updated_at)},
        "fase": {"label": fase.label if fase else challenge.fase_label,
                 "uitleg": fase.omschrijving if fase else None,
                 "staat": challenge.state_label, "staat_uitleg": staat.omschrijving if staat else None},
        "afgesloten": closed,
        "resultaat": staat.omschrijving if closed and staat else None,
        "stappen": [] if closed else _steps(definition, challenge.fase),
        "gemeente_doet": gemeente_does,
        "u_moet": you_must,
        "ontbreekt": ontbreekt,
        "u_mag": you_may,
        "acties": [{"label": step.knop or step.label, "href": f"{token}/stap/{event}"}
                   for event, step in own_steps(view)],
        "gestuurd": [{"naam": d.name, "datum": local_date(d.added_at)}
                     for d in reversed(view.documents)],
        "brieven": [{"titel": letter.titel, "datum": local_date(letter.requested_at),
                     "href": f"{token}/brieven/{letter.id}"
                     if has_template(huisstijl, f"brief/{letter.template}.html") else None}
                    for letter in reversed(own_letters)],
    }


def own_steps(view: StatusView) -> list[tuple[str, Any]]:
    """The steps (event, transitie) the initiatiefnemer may take now (allowed, not blocked), in the definition's
    order; the status page links each to its form (r2c.web.bewoner)."""
    allowed = {a.event for a in view.allowed if not a.blocked_by}
    return [(t.event or key, t) for key, t in view.definition.transities.items()
            if (t.event or key) in allowed and "initiatiefnemer" in t.rollen]


def _missing(definition: Definition, challenge: Challenge) -> list[str]:
    """Labels of the required elements the request still lacks (as the guard 'vereisten_compleet' counts them)."""
    present = set(challenge.facts.get("vereisten") or ())
    return [v.label for k, v in definition.vereisten.items() if v.verplicht and k not in present]


def _completing(definition: Definition, allowed: set[str]) -> bool:
    """Whether the initiatiefnemer may now complete the request: a step of theirs takes a list of vereisten."""
    return any((t.event or key) in allowed and "initiatiefnemer" in t.rollen
               and any(g.type == "vereisten" for g in t.gegevens.values())
               for key, t in definition.transities.items())


def _step_texts(definition: Definition, allowed: set[str]) -> list[str]:
    """The ``uitleg`` of each step the initiatiefnemer may take now, once per text, in the definition's order."""
    return list(dict.fromkeys(t.uitleg for key, t in definition.transities.items()
                              if t.uitleg and (t.event or key) in allowed and "initiatiefnemer" in t.rollen))


def _rubriek(definition: Definition, term: TermView) -> str:
    """Who acts in ``term`` (``Termijn.rubriek``); a term the definition no longer names is the gemeente's."""
    spec = definition.termijnen.get(term.name)
    return spec.rubriek if spec is not None else "gemeente"


def _terms(definition: Definition, terms: list[TermView], *,
           now: date) -> tuple[list[Sentence], list[Sentence], list[Sentence]]:
    """The running and suspended terms as sentences: what the gemeente does, what they must do, what they may."""
    gemeente_does: list[Sentence] = []
    you_must: list[Sentence] = []
    you_may: list[Sentence] = []
    running = sorted((t for t in terms if t.status == "lopend" and t.einddatum is not None),
                     key=lambda t: t.einddatum)
    for term in running:
        spec = definition.termijnen.get(term.name)
        late = term.einddatum < now
        uitleg = (spec.uitleg_te_laat if late else spec.uitleg) if spec is not None else None
        if spec is not None and spec.uitleg_verdaagd and term.verlenging and not late:
            uitleg = spec.uitleg_verdaagd
        names = {"label": term.label, "verlenging": term.verlenging or ""}
        rubriek = _rubriek(definition, term)
        if rubriek == "initiatiefnemer_mag":
            if not late or uitleg:
                you_may.append(sentence(uitleg or RUNNING, term.einddatum, **names))
        elif rubriek == "initiatiefnemer":
            you_must.append(sentence(uitleg or (OWN_LATE if late else RUNNING), term.einddatum, **names))
        else:
            gemeente_does.append(sentence(uitleg or (GEMEENTE_LATE if late else RUNNING), term.einddatum, **names))
    for term in terms:
        if term.status == "opgeschort":
            spec = definition.termijnen.get(term.name)
            text = spec.uitleg_opgeschort if spec is not None and spec.uitleg_opgeschort else SUSPENDED
            gemeente_does.append(sentence(text, label=term.label))
    return gemeente_does, you_must, you_may


def _first_step(definition: Definition) -> str | None:
    """With a mandatory vooroverleg, the label of the step that made the challenge (the aanmelding, not the
    request proper), for the page's 'op' date; None: it was the request itself ('Ingediend op')."""
    if mandatory_phase(definition) is None:
        return None
    event = submitting_events(definition)[0]
    return next((t.label for key, t in definition.transities.items() if (t.event or key) == event), None)


def _steps(definition: Definition, current: str) -> list[dict[str, str]]:
    """The usual route through the phases, each 'klaar', 'nu' or 'straks'.

    Optional phases and the side step 'ontvankelijkheid' (only when something is missing) show only while the
    challenge is in them; a closed challenge shows no route (not every phase before 'afgesloten' was done).
    """
    shown = [(key, fase) for key, fase in definition.fasen.items()
             if fase.actief and (key == current or fase.verplicht
                                 or not (fase.optioneel or key == "ontvankelijkheid"))]
    keys = [key for key, _ in shown]
    position = keys.index(current) if current in keys else -1
    return [{"label": fase.label, "status": "klaar" if i < position else "nu" if i == position else "straks"}
            for i, (_, fase) in enumerate(shown)]


# -- rendering and HTTP ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _environment() -> tuple[Environment, str]:
    """The Jinja2 environment (autoescape on) and the CSP hash of the one stylesheet, inlined in every page."""
    env = Environment(loader=PackageLoader("r2c.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
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


def not_found(gemeenten: Sequence[str] = ()) -> HTMLResponse:
    """The one 404 page for an unknown link, a revoked link and a letter that is not theirs; it says where to ask
    for a new link (``/mijn-link/{gemeente}`` of each of ``gemeenten``)."""
    return render_page("niet_gevonden.html", 404, gemeenten=list(gemeenten))


def status_router(service: ChallengeService, letters: Letters, *,
                  dependencies: Sequence[Any] = ()) -> APIRouter:
    """The status pages on ``service``; ``dependencies`` run before each (e.g. a rate limit)."""
    router = APIRouter(dependencies=list(dependencies), include_in_schema=False)
    gemeenten = service.catalog.ids(soort="gemeente")

    def not_found_page() -> HTMLResponse:
        return not_found(gemeenten)

    def resolve(token: str) -> tuple[str, Actor] | None:
        return service.status_actor(token) if TOKEN.fullmatch(token) else None

    def unavailable(error: Exception) -> HTMLResponse:
        log.error("statuspagina niet te tonen: %s: %s", type(error).__name__, error)
        return render_page("fout.html", 503)

    @router.get("/status/{token}", response_class=HTMLResponse, name="status_page")
    def status_page(token: str, verstuurd: str | None = None) -> Response:
        try:
            view = service.status_view(token) if TOKEN.fullmatch(token) else None
            if view is None:
                return not_found_page()
            context = page_context(service, letters, view=view, token=token, sent=verstuurd)
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
