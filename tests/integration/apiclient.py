"""The API over a real database for the HTTP tests: an app on the test's service, keys per role, submissions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from r2c.api import create_app
from r2c.service.access import KeyStore
from r2c.settings import Settings


@dataclass
class Api:
    """A TestClient on create_app(service) and the keys made for it (one per gemeente and role)."""

    client: TestClient
    keys: KeyStore
    made: dict[tuple[str, str], str] = field(default_factory=dict)

    def key(self, rol: str, gemeente: str = "gouda", naam: str | None = None) -> dict[str, str]:
        """Headers with a key of ``rol`` for ``gemeente`` (made once)."""
        if (gemeente, rol) not in self.made:
            issued = self.keys.create(gemeente=gemeente, rollen=[rol], naam=naam or f"{rol}@{gemeente}.example")
            self.made[(gemeente, rol)] = issued.secret
        return {"Authorization": f"Bearer {self.made[(gemeente, rol)]}"}

    def submit(self, gemeente: str = "gouda", *, titel: str = "Buurttuin", data: dict[str, Any] | None = None,
               **initiatiefnemer: Any) -> dict[str, Any]:
        """Submit anonymously, as a resident does; the response body (challenge, statusToken, statusUrl)."""
        person = {"naam": "Fatima de Vries", "email": "fatima@example.nl", **initiatiefnemer}
        response = self.client.post("/api/v1/challenges", json={
            "gemeente": gemeente, "titel": titel, "initiatiefnemer": person,
            "data": data if data is not None else {"omschrijving": "Wij onderhouden het park zelf."}})
        assert response.status_code == 201, response.text
        return response.json()

    def fire(self, challenge: dict[str, Any] | str, event: str, headers: dict[str, str], *,
             version: int | None = None, data: dict[str, Any] | None = None, reden: str | None = None):
        """POST an event with If-Match (the challenge's current version unless given)."""
        ident = challenge if isinstance(challenge, str) else challenge["id"]
        if version is None:
            version = self.client.get(f"/api/v1/challenges/{ident}", headers=headers).json()["version"]
        return self.client.post(f"/api/v1/challenges/{ident}/events/{event}",
                                headers={**headers, "If-Match": f'"{version}"'},
                                json={"data": data or {}, **({"reden": reden} if reden else {})})


def status_headers(submitted: dict[str, Any]) -> dict[str, str]:
    """Headers with the initiatiefnemer's status link token."""
    return {"Authorization": f"Bearer {submitted['statusToken']}"}


def make_api(service, database, tmp_path, *, address: tuple[str, int] = ("testclient", 50000), scheduler: bool = False,
             **settings: Any) -> Api:
    """The app on ``service`` (limits high unless given), keys in ``database``; requests come from ``address``."""
    config = Settings(database_url="sqlite://", documenten=tmp_path / "documenten",
                      **{"publieke_limiet": "100000/minute", "inzend_limiet": "100000/minute", **settings})
    keys = KeyStore(database.sessions, service.clock, roles=service.policy.key_roles(service.catalog))
    return Api(TestClient(create_app(service, settings=config, keys=keys, scheduler=scheduler), client=address), keys)
