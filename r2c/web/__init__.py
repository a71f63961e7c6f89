"""Pages for people, not programs: the initiatiefnemer's status page (``status_router``), Jinja2, no JavaScript."""

from __future__ import annotations

from r2c.web.status import status_router

__all__ = ["status_router"]
