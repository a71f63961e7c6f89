"""Logging in with OpenID Connect, against the gemeente's own identity provider (any that publishes a discovery
document): the authorization code flow with PKCE (S256), state and nonce; the id token is verified with the
provider's JWKS (signature, issuer, audience, expiry, nonce). The claims named in the settings carry the gemeente
and the roles; a login without a known gemeente or without any role r2c knows for it is refused with a clear page.

authlib makes the PKCE pair and the random values, joserfc (authlib's JOSE library) verifies the token; the
provider is reached with httpx. The login under way (state, nonce, verifier) waits server-side
(``Accounts.open_pending``), its id in the cookie ``r2c_oidc`` for ten minutes.
"""

from __future__ import annotations

import hmac
import threading
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from r2c.service.accounts import LoginSession
from r2c.web.pages import render

COOKIE = "r2c_oidc"
CALLBACK = "/inloggen/oidc/terug"


class OidcRefused(Exception):
    """A login at the provider that r2c does not accept; the message is for the person (Dutch)."""


class OidcLogin:
    """The OpenID Connect client of the werkomgeving.

    Attributes:
        issuer: the provider's issuer URL.
        client_id, client_secret: r2c's client at the provider.
        naam: the provider's name on the login page.
        scopes: the scopes asked for.
        claim_gemeente, claim_rollen: the id token's claims with the gemeente and the roles.
    """

    def __init__(self, *, issuer: str, client_id: str, client_secret: str | None, naam: str, scopes: str,
                 claim_gemeente: str, claim_rollen: str):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.naam = naam
        self.scopes = scopes if "openid" in scopes.split() else f"openid {scopes}"
        self.claim_gemeente = claim_gemeente
        self.claim_rollen = claim_rollen
        self._lock = threading.Lock()
        self._metadata: dict | None = None
        self._keys: KeySet | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> OidcLogin:
        """The client of ``R2C_OIDC_*``."""
        return cls(issuer=settings.oidc_issuer, client_id=settings.oidc_client_id or "",
                   client_secret=settings.oidc_client_secret, naam=settings.oidc_naam, scopes=settings.oidc_scopes,
                   claim_gemeente=settings.oidc_claim_gemeente, claim_rollen=settings.oidc_claim_rollen)

    def metadata(self) -> dict:
        """The provider's discovery document (fetched once)."""
        with self._lock:
            if self._metadata is None:
                response = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
                response.raise_for_status()
                self._metadata = response.json()
            return self._metadata

    def keys(self, *, fresh: bool = False) -> KeySet:
        """The provider's signing keys (JWKS), fetched again when a token names a key not yet known."""
        with self._lock:
            if self._keys is None or fresh:
                response = httpx.get(self._metadata["jwks_uri"], timeout=10)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
            return self._keys

    def verify(self, id_token: str, *, nonce: str) -> dict:
        """The claims of a verified id token (signature, iss, aud, exp, nonce), or OidcRefused."""
        algorithms = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=algorithms)
            except JoseError:
                token = jwt.decode(id_token, self.keys(fresh=True), algorithms=algorithms)
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.issuer},
                                  aud={"essential": True, "value": self.client_id},
                                  exp={"essential": True}, nonce={"essential": True, "value": nonce},
                                  sub={"essential": True}).validate(token.claims)
        except (JoseError, ValueError) as error:
            raise OidcRefused(f"Het bewijs van de inlogdienst is niet geldig ({type(error).__name__}). "
                              "Probeer het opnieuw.") from None
        return token.claims

    def staff_of(self, claims: dict, roles: dict[str, tuple[str, ...]]) -> LoginSession:
        """Who the claims say this person is, or OidcRefused when the gemeente or every role is unknown."""
        gemeente = claims.get(self.claim_gemeente)
        if not isinstance(gemeente, str) or gemeente not in roles:
            raise OidcRefused(f"De inlogdienst gaf geen gemeente die r2c kent (claim '{self.claim_gemeente}'). "
                              "Vraag de beheerder om u een gemeente te geven.")
        given = claims.get(self.claim_rollen) or []
        given = given.split() if isinstance(given, str) else [str(r) for r in given] if isinstance(given, list) else []
        rollen = tuple(r for r in dict.fromkeys(given) if r in roles[gemeente])
        if not rollen:
            raise OidcRefused(f"U heeft bij {gemeente} geen rol in het uitdaagrecht (claim '{self.claim_rollen}'). "
                              "Vraag de beheerder om u een rol te geven.")
        email = str(claims.get("email") or claims["sub"])
        naam = str(claims.get("name") or email)
        return LoginSession(str(claims["sub"]), naam, email, gemeente, rollen, rollen[0], "")

    def router(self, login: Any) -> APIRouter:
        """``/inloggen/oidc`` (to the provider) and its callback."""
        router = APIRouter(include_in_schema=False)

        def refused(request: Request, message: str, email: str = "") -> Response:
            login.accounts.audit("geweigerd", email=email or "(oidc)", account_id=None,
                                 address=request.client.host if request.client else None)
            response = render(request, "pagina/geweigerd.html", status_code=403, melding=message)
            response.delete_cookie(COOKIE, path="/")
            return response

        @router.get("/inloggen/oidc")
        def start(request: Request, volgende: str = "/werkvoorraad") -> Response:
            try:
                endpoint = self.metadata()["authorization_endpoint"]
            except (httpx.HTTPError, KeyError, ValueError):
                return render(request, "pagina/geweigerd.html", status_code=503,
                              melding=f"{self.naam} is nu niet bereikbaar. Probeer het later opnieuw.")
            state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
            pending = login.accounts.open_pending({"state": state, "nonce": nonce, "verifier": verifier,
                                                   "volgende": volgende[:2000]})  # only a local path is followed (login.start_session)
            query = urlencode({"response_type": "code", "client_id": self.client_id, "scope": self.scopes,
                               "redirect_uri": _callback(request), "state": state, "nonce": nonce,
                               "code_challenge": create_s256_code_challenge(verifier),
                               "code_challenge_method": "S256"})
            response = RedirectResponse(f"{endpoint}?{query}", status_code=303)
            response.set_cookie(COOKIE, pending, max_age=600, httponly=True, samesite="lax",
                                secure=request.url.scheme == "https", path="/")
            return response

        @router.get(CALLBACK)
        def back(request: Request, code: str | None = None, state: str | None = None,
                 error: str | None = None) -> Response:
            pending = login.accounts.take_pending(request.cookies.get(COOKIE))
            if pending is None or not state or not hmac.compare_digest(state, pending["state"]):
                return refused(request, "Het inloggen duurde te lang of is niet hier begonnen. Probeer het opnieuw.")
            if error or not code:
                return refused(request, f"De inlogdienst {self.naam} gaf geen toestemming. Probeer het opnieuw.")
            try:
                tokens = httpx.post(self.metadata()["token_endpoint"], timeout=10, auth=(
                    self.client_id, self.client_secret or ""), data={
                    "grant_type": "authorization_code", "code": code, "redirect_uri": _callback(request),
                    "code_verifier": pending["verifier"]})
                tokens.raise_for_status()
                claims = self.verify(tokens.json()["id_token"], nonce=pending["nonce"])
                who = self.staff_of(claims, login.accounts.roles)
            except OidcRefused as no:
                return refused(request, str(no))
            except (httpx.HTTPError, KeyError, ValueError):
                return refused(request, f"{self.naam} gaf geen bruikbaar antwoord. Probeer het later opnieuw.")
            login.accounts.audit("inloggen", email=who.email, account_id=who.id,
                                 address=request.client.host if request.client else None)
            response = login.start_session(request, who, pending["volgende"])
            response.delete_cookie(COOKIE, path="/")
            return response

        return router


def _callback(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}{CALLBACK}"
