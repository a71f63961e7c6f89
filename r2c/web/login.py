"""Logging in to the werkomgeving: local accounts (r2c.service.accounts), OpenID Connect (r2c.web.oidc) and the
server-side session behind the cookie ``r2c_sessie`` (HttpOnly, SameSite=Lax, Secure over https).

``Login.require_staff`` is the FastAPI dependency the pages take (``Depends(login.require_staff)``): it yields the
``Staff`` of the session; no session, or an expired one, sends the browser (303) to ``/inloggen?volgende=<path>``
and, after the login, back there. Each page keeps another gemeente's challenges away from the user with its own
404 page (r2c.web.uitdaging, r2c.web.rapport). ``valid_post(request, staff, submitted)`` checks the CSRF token of a logged-in form.

Pages: ``/`` (the login, or the werkvoorraad when logged in), ``/inloggen`` (GET, POST), ``/uitloggen`` (POST),
``/wachtwoord`` (first-login password change), ``/rol`` (POST: act in another role).
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from r2c.errors import InvalidInput, NotFound
from r2c.service.accounts import Accounts, LoginFailed, LoginSession, password_problem
from r2c.web import csrf
from r2c.web.pages import render
from r2c.web.staff import Staff

COOKIE = "r2c_sessie"
HOME = "/werkvoorraad"


class LoginRequired(Exception):
    """Raised by ``require_staff`` when there is no valid session: the handler sends the browser to the login."""

    def __init__(self, volgende: str, *, path: str = "/inloggen", expired: bool = False):
        super().__init__(volgende)
        self.volgende = volgende
        self.path = path
        self.expired = expired


def local_path(volgende: str | None) -> str:
    """``volgende`` when it is a path on this server (``/werkvoorraad?x=1``), else the werkvoorraad."""
    if not volgende or not volgende.startswith("/") or volgende.startswith(("//", "/\\")) or len(volgende) > 2000:
        return HOME
    if any(c in volgende for c in "\r\n\\") or ":" in volgende.split("?")[0].split("/")[1]:
        return HOME
    return volgende


def valid_post(request: Request, staff: Staff, submitted: str | None) -> bool:
    """Whether a logged-in form's POST carries the session's CSRF token (``staff.csrf``) or the page layer's
    double-submit token (r2c.web.csrf), from this server's own pages."""
    if csrf.valid(request, submitted):
        return True
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin != f"{request.url.scheme}://{request.url.netloc}":
        return False
    return bool(submitted and staff.csrf and hmac.compare_digest(str(submitted).encode(), staff.csrf.encode()))


EXPIRED_FORM = "Het formulier was verlopen. Ga terug, laad de pagina opnieuw en probeer het nog een keer."


def refused(request: Request, message: str, *, status_code: int) -> Response:
    """A page that says why a form of the login was not accepted (not JSON: people read it)."""
    return render(request, "pagina/geweigerd.html", status_code=status_code, melding=message,
                  kop="Dat ging niet", terug=HOME, terug_tekst="Naar de werkvoorraad")


def _staff(who: LoginSession) -> Staff:
    return Staff(who.id, who.naam, who.email, who.gemeente, who.rollen, who.rol, who.csrf)


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _wanted(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


class Login:
    """The login of the werkomgeving.

    Attributes:
        accounts: accounts, audit and sessions (r2c.service.accounts.Accounts).
        oidc: the OpenID Connect client (r2c.web.oidc.OidcLogin) or None when none is configured.
    """

    def __init__(self, accounts: Accounts, *, oidc: Any = None):
        self.accounts = accounts
        self.oidc = oidc

    def require_staff(self, request: Request) -> Staff:
        """The dependency of every werkomgeving page: the logged-in person, or a redirect to the login."""
        cookie = request.cookies.get(COOKIE)
        who = self.accounts.session(cookie)
        if who is None:
            raise LoginRequired(_wanted(request), expired=bool(cookie))
        if who.must_change and request.url.path != "/wachtwoord":
            raise LoginRequired(_wanted(request), path="/wachtwoord")
        return _staff(who)

    def start_session(self, request: Request, who: LoginSession, volgende: str) -> Response:
        """Open a session for ``who`` and send the browser on (to the password change first when it must)."""
        session_id, who = self.accounts.open_session(who)
        target = local_path(volgende)
        if who.must_change:
            target = f"/wachtwoord?volgende={quote(target)}"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, session_id, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                            path="/")
        return response

    def login_page(self, request: Request, *, volgende: str = HOME, email: str = "", melding: str | None = None,
                   fouten: dict | None = None, status_code: int = 200, soort: str = "error") -> Response:
        """The login form, with a message or field errors."""
        return render(request, "pagina/inloggen.html", status_code=status_code, volgende=local_path(volgende),
                      email=email, melding=melding, soort=soort, fouten=fouten or {},
                      oidc_naam=self.oidc.naam if self.oidc else None)

    def router(self) -> APIRouter:
        """The login's pages."""
        router = APIRouter(include_in_schema=False)

        @router.get("/")
        def start(request: Request) -> Response:
            who = self.accounts.session(request.cookies.get(COOKIE))
            return RedirectResponse(HOME if who else "/inloggen", status_code=303)

        @router.get("/inloggen")
        def form(request: Request, volgende: str = HOME, verlopen: str | None = None) -> Response:
            if self.accounts.session(request.cookies.get(COOKIE)) is not None:
                return RedirectResponse(local_path(volgende), status_code=303)
            melding = {"uit": "U bent uitgelogd.",
                       "sessie": "Uw sessie is verlopen. Log opnieuw in; daarna gaat u verder waar u was."}.get(
                           verlopen or "")
            return self.login_page(request, volgende=volgende, melding=melding,
                                   soort="ok" if verlopen == "uit" else "info")

        @router.post("/inloggen")
        def submit(request: Request, email: str = Form(""), wachtwoord: str = Form(""),
                   volgende: str = Form(HOME), csrf_token: str | None = Form(None, alias=csrf.FIELD)) -> Response:
            if not csrf.valid(request, csrf_token):
                return self.login_page(request, volgende=volgende, email=email, status_code=403,
                                       melding="Het formulier was verlopen. Probeer het opnieuw.")
            fouten = {}
            if not email.strip():
                fouten["email"] = "Vul uw e-mailadres in."
            if not wachtwoord:
                fouten["wachtwoord"] = "Vul uw wachtwoord in."
            if fouten:
                return self.login_page(request, volgende=volgende, email=email, fouten=fouten, status_code=400)
            try:
                account = self.accounts.verify(email, wachtwoord, address=_address(request))
            except LoginFailed as failed:
                return self.login_page(request, volgende=volgende, email=email, melding=str(failed),
                                       status_code=401)
            who = LoginSession(account.id, account.naam, account.email, account.gemeente, account.rollen,
                               account.rollen[0], "", account.must_change)
            return self.start_session(request, who, volgende)

        @router.post("/uitloggen")
        def logout(request: Request, csrf_token: str | None = Form(None, alias=csrf.FIELD)) -> Response:
            session_id = request.cookies.get(COOKIE)
            who = self.accounts.session(session_id)
            if who is not None and not valid_post(request, _staff(who), csrf_token):
                return refused(request, EXPIRED_FORM, status_code=403)
            self.accounts.close_session(session_id, address=_address(request))
            response = RedirectResponse("/inloggen?verlopen=uit", status_code=303)
            response.delete_cookie(COOKIE, path="/")
            return response

        @router.post("/rol")
        def switch(request: Request, rol: str = Form(""), volgende: str = Form(HOME),
                   csrf_token: str | None = Form(None, alias=csrf.FIELD)) -> Response:
            staff = self.require_staff(request)
            if not valid_post(request, staff, csrf_token):
                return refused(request, EXPIRED_FORM, status_code=403)
            try:
                self.accounts.switch_role(request.cookies.get(COOKIE, ""), rol)
            except InvalidInput:
                return refused(request, f"Kies een van uw rollen: {', '.join(staff.rollen)}.", status_code=400)
            except NotFound:
                raise LoginRequired(local_path(volgende)) from None
            return RedirectResponse(local_path(volgende), status_code=303)

        @router.get("/wachtwoord")
        def password_form(request: Request, volgende: str = HOME) -> Response:
            staff = self.require_staff(request)
            return render(request, "pagina/wachtwoord.html", staff=staff, volgende=local_path(volgende), fouten={})

        @router.post("/wachtwoord")
        def password_change(request: Request, wachtwoord: str = Form(""), herhaling: str = Form(""),
                            volgende: str = Form(HOME),
                            csrf_token: str | None = Form(None, alias=csrf.FIELD)) -> Response:
            staff = self.require_staff(request)
            if not valid_post(request, staff, csrf_token):
                return refused(request, EXPIRED_FORM, status_code=403)
            fouten = {}
            problem = password_problem(wachtwoord, email=staff.email)
            if problem:
                fouten["wachtwoord"] = problem
            elif wachtwoord != herhaling:
                fouten["herhaling"] = "De twee wachtwoorden zijn niet gelijk."
            if fouten:
                return render(request, "pagina/wachtwoord.html", status_code=400, staff=staff,
                              volgende=local_path(volgende), fouten=fouten)
            self.accounts.password_changed(request.cookies.get(COOKIE, ""), staff.email, wachtwoord)
            return RedirectResponse(local_path(volgende), status_code=303)

        if self.oidc is not None:
            router.include_router(self.oidc.router(self))
        return router


def make_login(service: Any, settings: Any) -> Login:
    """The login on the service's database, with the settings' lockout, session expiry and OpenID Connect."""
    from datetime import timedelta

    accounts = Accounts(service.units.sessions, service.clock, roles=service.policy.key_roles(service.catalog),
                        pogingen=settings.login_pogingen, blokkade=timedelta(minutes=settings.login_blokkade),
                        inactief=timedelta(minutes=settings.sessie_inactief),
                        maximaal=timedelta(minutes=settings.sessie_maximaal))
    oidc = None
    if settings.oidc_issuer:
        from r2c.web.oidc import OidcLogin

        oidc = OidcLogin.from_settings(settings)
    return Login(accounts, oidc=oidc)


def login_redirect(request: Request, error: LoginRequired) -> Response:
    """The handler of ``LoginRequired``: 303 to the login (or the password change) with the page asked for."""
    expired = "&verlopen=sessie" if error.expired and error.path == "/inloggen" else ""
    response = RedirectResponse(f"{error.path}?volgende={quote(local_path(error.volgende), safe='/')}{expired}",
                                status_code=303)
    if error.expired:
        response.delete_cookie(COOKIE, path="/")
    return response
