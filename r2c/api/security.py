"""Who is calling: an API key (staff, systems) or a status link token (the initiatiefnemer), and rate limits.

``Authorization: Bearer <secret>`` carries either; ``X-Api-Key: <secret>`` is accepted too. A key acts in its
first role unless ``X-R2C-Rol`` picks another of its roles. A status link token acts as the initiatiefnemer
of its own challenge only: any other challenge id is 'not found'.

Anonymous callers and callers with a wrong secret share the public rate limit per client address (moving window,
in memory: per process; put a shared limit in the proxy when several processes serve).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from r2c.api.problems import ProblemError
from r2c.engine.case import Actor
from r2c.errors import NotFound
from r2c.service.access import KeyStore
from r2c.service.challenges import ChallengeService

bearer = HTTPBearer(auto_error=False, description="Een API-sleutel (`r2c keys create`) of een statuslink-token")
api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False, description="Een API-sleutel")


@dataclass(frozen=True)
class Caller:
    """The authenticated caller.

    Attributes:
        actor: who acts (id, role, gemeente).
        rollen: every role the key carries (one for a status link).
        challenge_id: for a status link: the only challenge it opens; None for a key.
    """

    actor: Actor
    rollen: tuple[str, ...]
    challenge_id: str | None = None

    @property
    def is_initiatiefnemer(self) -> bool:
        """Whether this is a status link (the initiatiefnemer of one challenge)."""
        return self.challenge_id is not None

    def require_challenge(self, challenge_id: str) -> None:
        """A status link opens only its own challenge; another id is 'not found' (no existence leak)."""
        if self.challenge_id is not None and challenge_id != self.challenge_id:
            raise NotFound(f"geen uitdaging '{challenge_id}' bij gemeente {self.actor.gemeente}")


class RateLimit:
    """A moving-window limit per client address, e.g. '60/minute'."""

    def __init__(self, rule: str):
        self.rule = parse(rule)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait(self, request: Request, scope: str) -> int | None:
        """Count one request of ``scope`` by this client: None when allowed, else the seconds to wait."""
        client = request.client.host if request.client else "onbekend"
        if self.limiter.hit(self.rule, scope, client):
            return None
        reset, _ = self.limiter.get_window_stats(self.rule, scope, client)
        return max(1, int(reset - time.time()) + 1)

    def hit(self, request: Request, scope: str) -> None:
        """Count one request of ``scope`` by this client; 429 problem+json with Retry-After when over the limit."""
        wait = self.wait(request, scope)
        if wait is not None:
            raise ProblemError(429, "te-veel-verzoeken", "Te veel verzoeken",
                               f"meer dan {self.rule} vanaf dit adres; probeer het over {wait} seconden opnieuw",
                               headers={"Retry-After": str(wait)})


class Authenticator:
    """Turns the request's credentials into a Caller (or None for anonymous), counting public requests."""

    def __init__(self, service: ChallengeService, keys: KeyStore, limit: RateLimit):
        self.service = service
        self.keys = keys
        self.limit = limit

    def identify(self, request: Request, credentials: HTTPAuthorizationCredentials | None,
                 api_key: str | None) -> Caller | None:
        """The caller; None when anonymous; 401 for a secret that opens nothing."""
        secret = credentials.credentials if credentials is not None else api_key
        if not secret:
            self.limit.hit(request, "publiek")
            return None
        if secret.startswith("r2c_st_"):
            found = self.service.status_actor(secret)
            if found is not None:
                return Caller(found[1], ("initiatiefnemer",), found[0])
        else:
            key = self.keys.verify(secret)
            if key is not None:
                wanted = request.headers.get("x-r2c-rol")
                if wanted is not None and wanted not in key.rollen:
                    raise ProblemError(403, "geen-toegang", "Dit mag u niet",
                                       f"deze sleutel heeft rol '{wanted}' niet; wel: {', '.join(key.rollen)}")
                return Caller(Actor(key.naam, wanted or key.rollen[0], key.gemeente), key.rollen)
        self.limit.hit(request, "publiek")
        raise ProblemError(401, "niet-aangemeld", "Niet aangemeld",
                           "deze sleutel of link werkt niet (onbekend of ingetrokken)",
                           headers={"WWW-Authenticate": 'Bearer realm="r2c"'})


def unauthorized() -> ProblemError:
    """401 for an endpoint that needs a key or status link."""
    return ProblemError(401, "niet-aangemeld", "Niet aangemeld",
                        "geef een API-sleutel mee: Authorization: Bearer <sleutel>",
                        headers={"WWW-Authenticate": 'Bearer realm="r2c"'})


def forbidden(detail: str) -> ProblemError:
    """403 for a caller who is known but may not use this endpoint."""
    return ProblemError(403, "geen-toegang", "Dit mag u niet", detail)
