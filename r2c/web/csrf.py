"""CSRF protection for every form: a double-submit token.

A page that shows a form sets the cookie ``r2c_csrf`` (random, HttpOnly, SameSite=Lax, Secure over https) and
puts the same value in a hidden field ``csrf``. A POST is accepted only when the field equals the cookie
(compared in constant time) and, when the browser sends an ``Origin`` header, that origin is this server. A
site that cannot read our cookie cannot forge the field. Works for residents without an account and for staff
with a session alike (a staff session may bind its own token with ``bound``).
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "r2c_csrf"
FIELD = "csrf"


def token_of(request: Request) -> str:
    """The token for forms on this page: the cookie's, or a new one (``issue`` then sets the cookie)."""
    existing = request.cookies.get(COOKIE, "")
    if 20 <= len(existing) <= 100:
        return existing
    fresh = getattr(request.state, "csrf_new", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        request.state.csrf_new = fresh
    return fresh


def issue(request: Request, response: Response) -> None:
    """Set the cookie when ``token_of`` made a new token for this request."""
    fresh = getattr(request.state, "csrf_new", None)
    if fresh is not None:
        response.set_cookie(COOKIE, fresh, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                            path="/")


def valid(request: Request, submitted: str | None) -> bool:
    """Whether a POST carries the token of its cookie and comes from this server's own pages."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), str(submitted).encode()):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        own = f"{request.url.scheme}://{request.url.netloc}"
        return origin == own
    return True
