"""The werkomgeving's pages on a real service without the login: a test client as one staff member."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.web.pages import mount_static
from r2c.web.staff import Staff
from r2c.web.uitdaging import werk_routers

JANSEN = Staff("b.jansen", "B. Jansen", "b.jansen@gouda.nl", "gouda", ("behandelaar",), "behandelaar")


def werk_client(service, person: Staff = JANSEN) -> TestClient:
    """The werkomgeving's routers, with ``person`` as the logged-in staff member; a server error is a 500 answer."""
    app = FastAPI()
    mount_static(app)
    for router in werk_routers(service, None, None, staff=lambda: person):
        app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)
