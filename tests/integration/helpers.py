"""Helpers for the storage tests: actors, a submitted challenge, and a count of every table's rows."""

from __future__ import annotations

from sqlalchemy import func, select

from r2c.engine.case import Actor
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.store.tables import METADATA


def behandelaar(gemeente: str = "gouda", ident: str = "b.jansen") -> Actor:
    return Actor(ident, "behandelaar", gemeente)


def all_vereisten(service: ChallengeService, gemeente: str) -> list[str]:
    return list(service.catalog.in_force(gemeente, service.clock.now().date()).definition.vereisten)


def submit(service: ChallengeService, gemeente: str = "gouda", *, complete: bool = False, titel: str = "Buurttuin"):
    """A challenge submitted by a new initiatiefnemer; complete=True sends every required element."""
    data = {"omschrijving": "Wij onderhouden het park zelf."}
    if complete:
        data["vereisten"] = all_vereisten(service, gemeente)
    return service.submit(gemeente=gemeente, titel=titel, data=data,
                          initiatiefnemer=Initiatiefnemer("Fatima de Vries", "fatima@example.nl", "0612345678",
                                                          "Buurtvereniging Oost"))


def row_counts(database) -> dict[str, int]:
    """Rows per table: proves that a refused or failed call wrote nothing."""
    with database.read_sessions() as session:
        return {name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in METADATA.tables.items()}
