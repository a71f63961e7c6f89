"""Applying a transition's term actions (start, stop, opschorten, hervatten, verlengen) to the term rows.

The arithmetic is r2c.termijnen's; this module decides which day each action takes effect and keeps the rows
(one per term run, with the full Termijn history in ``termijn``) in step.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from r2c.definitions.schema import Definition
from r2c.engine.case import TermChanged
from r2c.errors import TermijnError
from r2c.store.tables import TermRow
from r2c.termijnen import Opschorting, Termijn, Verlenging

TERM = TermRow.__table__
OPEN = ("lopend", "opgeschort")


def new_termijn(definition: Definition, name: str, on: date) -> Termijn:
    """The term ``name`` of ``definition`` counted from the event on ``on``."""
    spec = definition.termijnen[name]
    return Termijn(start=on, duur=spec.duur, atw=spec.atw, naam=name, grondslag=spec.artikel or "",
                   herinneringen=tuple(spec.herinneringen), escalatie=spec.escalatie)


def apply_term_changes(session: Session, *, challenge_id: str, gemeente: str, definition: Definition,
                       changes: list[TermChanged], on: date, artikel: str | None, event: str,
                       closing: bool = False) -> list[dict[str, Any]]:
    """Write ``changes`` for the challenge; returns one summary per change for the outbox.

    ``closing``: the transition closes the challenge, so every term that ran before it stops first (no reminders
    about a closed challenge); terms the closing transition itself starts (a bezwaartermijn) do run.
    """
    summaries: list[dict[str, Any]] = []
    if closing:
        stopped = session.execute(update(TERM).where(TERM.c.challenge_id == challenge_id, TERM.c.status.in_(OPEN))
                                  .values(status="gestopt", stopped_on=on)
                                  .returning(TERM.c.name)).scalars().all()
        summaries += [{"termijn": name, "actie": "stop", "einddatum": None} for name in stopped]
    if not changes:
        return summaries
    rows = {r.name: r for r in session.execute(
        select(TERM).where(TERM.c.challenge_id == challenge_id, TERM.c.status.in_(OPEN))).all()}
    for change in changes:
        name = change.termijn
        row = rows.get(name)
        values: dict[str, Any] | None = None
        if change.action == "start":
            if row is not None:
                _set(session, row.id, status="vervangen", stopped_on=on)
            termijn = new_termijn(definition, name, on)
            end = termijn.einddatum()
            session.execute(insert(TERM).values(
                challenge_id=challenge_id, gemeente=gemeente, name=name, status="lopend",
                termijn=termijn.als_dict(), started_on=on, einddatum=end))
            summaries.append({"termijn": name, "actie": "start", "einddatum": end.isoformat()})
            continue
        if row is None:
            continue  # stopping or resuming a term that does not run is a no-op (e.g. already lapsed)
        if change.action == "stop":
            values = {"status": "gestopt", "stopped_on": on}
            del rows[name]
        elif change.action == "opschorten" and row.status == "lopend":
            # Awb 4:15 lid 1: suspended from the day after the request to complete the aanvraag.
            values = {"status": "opgeschort", "suspended_from": on + timedelta(days=1), "einddatum": None,
                      "suspension_basis": f"{artikel or 'Awb 4:15'} ({event})"}
        elif change.action == "hervatten" and row.status == "opgeschort":
            termijn = Termijn.uit_dict(row.termijn)
            if on >= row.suspended_from:
                termijn = termijn.opschorten(Opschorting(
                    row.suspended_from, on, grondslag="Awb 4:15",
                    omschrijving=f"opgeschort bij {row.suspension_basis or 'verzoek'}, hervat bij '{event}'"))
            values = {"status": "lopend", "termijn": termijn.als_dict(), "einddatum": termijn.einddatum(),
                      "suspended_from": None, "suspension_basis": None}
        elif change.action == "verlengen":
            spec = definition.termijnen[name]
            if spec.verlenging is None:
                raise TermijnError(f"termijn '{name}' zegt niet met hoeveel hij verlengd wordt ('verlenging')")
            termijn = Termijn.uit_dict(row.termijn).verlengen(
                Verlenging(on, spec.verlenging, grondslag=artikel or "Awb 4:14", omschrijving=f"verdaging ({event})"))
            values = {"termijn": termijn.als_dict()}
            if row.status == "lopend":
                values["einddatum"] = termijn.einddatum()
        if values is not None:
            _set(session, row.id, **values)
            end = values.get("einddatum", row.einddatum)
            summaries.append({"termijn": name, "actie": change.action,
                              "einddatum": end.isoformat() if end else None})
    return summaries


def _set(session: Session, term_id: int, **values: Any) -> None:
    session.execute(update(TERM).where(TERM.c.id == term_id).values(**values))
