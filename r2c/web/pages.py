"""The page layer shared by the werkomgeving (staff) and the initiatiefnemer's forms: one Jinja2 environment,
one base layout (``pagina/_basis.html``, NL Design System's Utrecht components on the voorbeeld theme), one
macro per form field kind (``pagina/_velden.html``), the CSRF token in every form (r2c.web.csrf) and strict
security headers. Static files (vendored CSS, htmx) are served under ``/static`` (``mount_static``); see
r2c/web/static/VENDORED.md for their versions and licences.

A page works as plain HTML forms without JavaScript; htmx (``/static/htmx/htmx.min.js``) may enhance it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from starlette.requests import Request

from r2c.web import csrf

STATIC = "/static"

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
"""Every page: nothing inline (no inline style or script), nothing from elsewhere, not in a frame, not cached."""


def _release() -> str:
    try:
        return version("r2c")
    except PackageNotFoundError:  # pragma: no cover - only when run from a bare checkout
        return "0"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The pages' Jinja2 environment (templates in r2c/web/templates/pagina)."""
    env = Environment(loader=PackageLoader("r2c.web", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # the templates ship with the package: no stat() per page view
    release = _release()
    env.globals["static"] = lambda path: f"{STATIC}/{path}?v={release}"
    return env


def render(request: Request, template: str | Template, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``template`` with ``context``, the CSRF token (``csrf_token``, field name ``csrf_field``) and the
    security headers; sets the CSRF cookie when this request made a new token."""
    token = csrf.token_of(request)
    compiled = environment().get_template(template) if isinstance(template, str) else template
    html = compiled.render(request=request, csrf_token=token, csrf_field=csrf.FIELD, **context)
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    csrf.issue(request, response)
    return response


def message_page(request: Request, status_code: int, kop: str, *tekst: str, verder: Sequence[tuple[str, str]] = (),
                 headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """A page with one message: heading ``kop``, a paragraph per ``tekst``, links ``verder`` as (href, text)."""
    response = render(request, "pagina/melding.html", status_code=status_code, kop=kop, tekst=tekst, verder=verder)
    response.headers.update(headers or {})
    return response


def wants_page(request: Request) -> bool:
    """Whether ``request`` is a browser's, outside the API: it asks for HTML and its path is not under /api/."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def no_such_page(request: Request, status_code: int = 404, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """The page for a browser's path that no route serves (404, or 405 for a form's address opened as a page)."""
    return message_page(request, status_code, "Deze pagina bestaat niet",
                        "Misschien is het adres niet goed, of is de pagina weg. Kijk of het adres klopt.",
                        "Heeft u een aanvraag ingediend? Gebruik dan de link uit uw e-mail.",
                        verder=[("/", "Werkt u bij de gemeente? Ga naar de werkvoorraad")], headers=headers)


def refusal_page(request: Request, status_code: int, title: str, detail: str,
                 headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """The page for an error of r2c's hierarchy that a page did not answer itself: for a 503 (the database or the
    documents cannot be reached) that it is not the person's fault and to try again; else its title and detail."""
    if status_code == 503:
        return message_page(request, 503, "Deze pagina is nu niet beschikbaar",
                            "Dit ligt aan ons, niet aan u. Probeer het over een paar minuten opnieuw.",
                            "Lukt het later ook niet? Neem dan contact op met de gemeente.", headers=headers)
    sentence = detail[:1].upper() + detail[1:]
    return message_page(request, status_code, title, sentence if sentence.endswith(".") else f"{sentence}.",
                        headers=headers)


def broken_page(request: Request, ident: str | None) -> HTMLResponse:
    """The page for an error in r2c itself (logged under request id ``ident``): not the person's fault, what may
    be lost, and the code to name when they ask."""
    code = f" en noem deze code: {ident}" if ident else ""
    return message_page(request, 500, "Er ging iets mis",
                        "Dit ligt aan ons, niet aan u. Misschien is wat u net deed niet bewaard. Kijk dat na voordat "
                        "u het opnieuw doet.",
                        f"Probeer het over een paar minuten opnieuw. Lukt het dan nog niet? Neem contact op met de "
                        f"gemeente{code}.", headers={"X-Request-ID": ident} if ident else None)


def mount_static(app: FastAPI) -> None:
    """Serve r2c/web/static under ``/static`` (the vendored CSS and htmx, r2c's own CSS)."""
    app.mount(STATIC, StaticFiles(packages=[("r2c.web", "static")]), name="static")
