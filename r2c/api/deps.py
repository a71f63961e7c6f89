"""What every route needs: the service, the caller, the version a change expects. Built once per app."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from r2c.api.problems import ProblemError
from r2c.api.security import Authenticator, Caller, RateLimit, api_key_header, bearer, forbidden, unauthorized
from r2c.exports.letters import Letters
from r2c.service.challenges import ChallengeService
from r2c.settings import Settings

_ETAG = re.compile(r'\s*(?:W/)?"?(\d{1,9})"?\s*')


@dataclass
class Context:
    """The app's parts, shared by its routers.

    Attributes:
        service: the challenge service (all rules).
        auth: turns credentials into a caller.
        letters: renders letters.
        settings: public URL, limits, CORS.
        submit_limit: the rate limit on anonymous submissions.
        maybe_caller, caller, staff, writer: dependencies giving the caller (None when anonymous), any
            authenticated caller, staff only (no status link), someone who may change things.
    """

    service: ChallengeService
    auth: Authenticator
    letters: Letters
    settings: Settings
    submit_limit: RateLimit
    maybe_caller: Callable[..., Caller | None] = field(init=False)
    caller: Callable[..., Caller] = field(init=False)
    staff: Callable[..., Caller] = field(init=False)
    writer: Callable[..., Caller] = field(init=False)

    def status_url(self, token: str) -> str:
        """The status page address for a status link token."""
        return f"{self.settings.publieke_url.rstrip('/')}/status/{token}"


def _bind(ctx: Context) -> None:
    """The caller dependencies of this context, as plain functions FastAPI can resolve (those without I/O are
    async: FastAPI runs them in the event loop, not in a worker thread)."""

    def maybe_caller(request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer),
                     api_key: str | None = Security(api_key_header)) -> Caller | None:
        """The caller, or None when anonymous (counted against the public rate limit)."""
        return ctx.auth.identify(request, credentials, api_key)

    async def caller(found: Caller | None = Depends(maybe_caller)) -> Caller:
        """A key or status link is required."""
        if found is None:
            raise unauthorized()
        return found

    async def staff(found: Caller = Depends(caller)) -> Caller:
        """A key is required (not a status link)."""
        if found.is_initiatiefnemer:
            raise forbidden("dit is alleen voor medewerkers van de gemeente; de statuslink geeft hier geen toegang")
        return found

    async def writer(found: Caller = Depends(caller)) -> Caller:
        """A caller who may change things (not a lezer or beheerder)."""
        if not ctx.service.policy.may_change(found.actor):
            raise forbidden(f"de rol {found.actor.rol} mag alleen lezen")
        return found

    ctx.maybe_caller, ctx.caller, ctx.staff, ctx.writer = maybe_caller, caller, staff, writer


def make_context(service: ChallengeService, auth: Authenticator, letters: Letters, settings: Settings) -> Context:
    """A context whose dependencies are bound to it."""
    ctx = Context(service, auth, letters, settings, RateLimit(settings.inzend_limiet))
    _bind(ctx)
    return ctx


async def expected_version(if_match: str | None = Header(
        default=None, alias="If-Match",
        description='De versie die u las (ETag van de uitdaging, bv. "3"); 412 als zij intussen veranderde')) -> int:
    """The version the caller read (If-Match); 428 when missing, 422 when not a version."""
    if if_match is None:
        raise ProblemError(428, "if-match-ontbreekt", "If-Match ontbreekt",
                           'geef de versie die u las mee als If-Match (de ETag van GET /challenges/{id}, bv. "3")')
    found = _ETAG.fullmatch(if_match)
    if found is None:
        raise ProblemError(422, "ongeldige-invoer", "De invoer klopt niet",
                           f"If-Match '{if_match[:40]}' is geen versie",
                           invalidParams=[{"name": "header.If-Match", "reason": 'verwacht een versie zoals "3"'}])
    return int(found.group(1))


def etag(version: int) -> str:
    """The ETag of a challenge version."""
    return f'"{version}"'
