"""One HTTP client for a gemeente's ZGW APIs: a fresh JWT per call (HS256, the claims Open Zaak expects), the CRS
headers the Zaken API requires, and one error type that says whether trying again may help.

    client = ZgwClient(config["gouda"], clock=clock)
    zaak = client.post(f"{config['gouda'].zaken}/zaken", body)
"""

from __future__ import annotations

import socket
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import OctKey

from r2c.clock import Clock, SystemClock
from r2c.errors import R2CError
from r2c.zgw.config import ZgwGemeente

USER_ID = "r2c"
USER_REPRESENTATION = "r2c (uitdaagrecht)"
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
"""Send a request at once (no Nagle wait for the ACK of its headers before its body: 40 ms a call otherwise)."""


class ZgwError(R2CError):
    """A ZGW API refused or could not be reached.

    Attributes:
        status: the HTTP status, None when the API was not reached.
        temporary: True when trying again later may work (down, 5xx, 429); False for a refusal (4xx), whose
            message carries the API's own reasons (``invalidParams``).
    """

    def __init__(self, message: str, *, status: int | None = None, temporary: bool = True):
        self.status = status
        self.temporary = temporary
        super().__init__(message)


def token(client_id: str, secret: str, *, now: int) -> str:
    """A JWT for one call: HS256 with the client's secret; ``iss`` and ``client_id`` name the client, ``iat`` is
    now (Open Zaak refuses tokens older than an hour), ``user_id``/``user_representation`` feed its audit trail."""
    claims = {"iss": client_id, "client_id": client_id, "iat": now, "user_id": USER_ID,
              "user_representation": USER_REPRESENTATION}
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, OctKey.import_key(secret))


class ZgwClient:
    """Calls one gemeente's ZGW APIs. ``transport`` lets an embedding host (or a test) route the calls."""

    def __init__(self, gemeente: ZgwGemeente, *, clock: Clock | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.gemeente = gemeente
        self.clock = clock or SystemClock()
        self._http = httpx.Client(timeout=timeout, transport=transport or httpx.HTTPTransport(socket_options=NODELAY))

    def headers(self) -> dict[str, str]:
        """The headers of one call, with a fresh token."""
        now = int(self.clock.now().timestamp())
        return {"Authorization": f"Bearer {token(self.gemeente.client_id, self.gemeente.client_secret(), now=now)}",
                "Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326", "Accept": "application/json"}

    def request(self, method: str, url: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        """The JSON answer of ``method url``; ZgwError when refused or unreachable."""
        try:
            response = self._http.request(method, url, json=body, params=params, headers=self.headers())
        except httpx.HTTPError as error:
            raise ZgwError(f"{method} {url}: niet bereikbaar ({type(error).__name__}: {error})") from None
        if response.status_code >= 400:
            raise ZgwError(f"{method} {url}: {response.status_code} {_reasons(response)}",
                           status=response.status_code, temporary=response.status_code in RETRY_STATUS)
        return response.json() if response.content else None

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        return self.request("GET", url, params=params)

    def get_all(self, url: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a list, following the pages' ``next`` (an API without pagination answers a plain list).
        A ``next`` that points to a page already read is refused, not followed for ever."""
        found: list[dict[str, Any]] = []
        page: Any = self.get(url, params)
        seen = {str(httpx.URL(url, params=params))}
        while isinstance(page, dict):
            found += page.get("results") or []
            following = page.get("next")
            if not following:
                return found
            if following in seen:
                raise ZgwError(f"GET {url}: de volgende pagina {following} is al gelezen; de lijst houdt niet op",
                               temporary=False)
            seen.add(following)
            page = self.get(following)
        return found + (page or [])

    def post(self, url: str, body: Any) -> Any:
        return self.request("POST", url, body)

    def patch(self, url: str, body: Any) -> Any:
        return self.request("PATCH", url, body)

    def close(self) -> None:
        self._http.close()


def _reasons(response: httpx.Response) -> str:
    """The API's reasons for a refusal: its ``invalidParams`` (name: reason) or title/detail, else the text."""
    try:
        problem = response.json()
    except ValueError:
        return response.text[:300]
    if not isinstance(problem, dict):
        return str(problem)[:300]
    params = [f"{p.get('name')}: {p.get('reason')}" for p in problem.get("invalidParams") or [] if isinstance(p, dict)]
    return "; ".join(params) or str(problem.get("detail") or problem.get("title") or problem)[:300]
