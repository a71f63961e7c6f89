"""Planning a transition's term actions (start, stop, opschorten, hervatten, verlengen) as writes to the term rows.

The arithmetic is r2c.termijnen's; this module decides which day each action takes effect and what each term
row becomes (one row per term run, with the full Termijn history in ``termijn``). It reads the open terms but
writes nothing itself: r2c.service.writes writes the plan together with the rest of the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select

from r2c.definitions.schema import Definition
from r2c.engine.case import TermChanged
from r2c.errors import TermijnError
from r2c.store.tables import TermRow
from r2c.termijnen import Opschorting, Termijn, Verlenging, herinneringsdata

TERM = TermRow.__table__
OPEN = ("lopend", "opgeschort")
MUTABLE = ("status", "termijn", "einddatum", "suspended_from", "suspension_basis", "stopped_on", "next_due")
"""The columns a term update writes, all of them, so every update has one shape."""

_OPEN_TERMS = select(TERM.c.id, TERM.c.name, TERM.c.processed_until, *(TERM.c[name] for name in MUTABLE)).where(
    TERM.c.challenge_id == bindparam("b_challenge"), or_(*(TERM.c.status == status for status in OPEN)))
# (an IN list would be re-rendered on every call; two comparisons are compiled once)


@dataclass(frozen=True)
class Moment:
    """A day on which something is due for a running term.

    Attributes:
        on: the day.
        kind: 'herinnering' (before or on the end date), 'escalatie' (after it) or 'verlopen' (the day after the
            end date: the term has lapsed; its ``bij_verstrijken`` event, if any, is fired).
        label: the definition's wording, e.g. '10 werkdagen voor'.
    """

    on: date
    kind: str
    label: str


def moments(termijn: Termijn, einddatum: date) -> list[Moment]:
    """Every reminder, the escalation and the lapse of a term that ends on ``einddatum``, in date order."""
    found = [Moment(day, "herinnering", str(h)) for h, day in herinneringsdata(einddatum, termijn.herinneringen)]
    if termijn.escalatie is not None:
        found += [Moment(day, "escalatie", str(h)) for h, day in herinneringsdata(einddatum, [termijn.escalatie])]
    found.append(Moment(einddatum + timedelta(days=1), "verlopen", "de dag na de einddatum"))
    return sorted(found, key=lambda m: (m.on, m.kind))


def next_due(termijn: dict[str, Any], status: str, einddatum: date | None, processed_until: date | None) -> date | None:
    """The first day after ``processed_until`` on which something is due for this term; None when not running."""
    if status != "lopend" or einddatum is None:
        return None
    return next((m.on for m in moments(Termijn.uit_dict(termijn), einddatum)
                 if processed_until is None or m.on > processed_until), None)


@dataclass
class TermPlan:
    """What a change does to the term rows.

    Attributes:
        inserts: new term rows.
        updates: term row id -> its MUTABLE columns after the change.
        summaries: one line per action for the outbox message (term, action, new end date).
    """

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    summaries: list[dict[str, Any]] = field(default_factory=list)


def new_termijn(definition: Definition, name: str, on: date) -> Termijn:
    """The term ``name`` of ``definition`` counted from the event on ``on``."""
    spec = definition.termijnen[name]
    return Termijn(start=on, duur=spec.duur, atw=spec.atw, naam=name, grondslag=spec.artikel or "",
                   herinneringen=tuple(spec.herinneringen), escalatie=spec.escalatie)


def plan_term_changes(connection: Connection, *, challenge_id: str, gemeente: str, definition: Definition,
                      changes: list[TermChanged], on: date, artikel: str | None, event: str,
                      closing: bool = False) -> TermPlan:
    """The term writes for ``changes`` on the challenge.

    ``closing``: the transition closes the challenge, so every term that ran before it stops first (no reminders
    about a closed challenge); terms the closing transition itself starts (a bezwaartermijn) do run.
    """
    plan = TermPlan()
    if not changes and not closing:
        return plan
    running = {r.name: {name: getattr(r, name) for name in ("id", "name", "processed_until", *MUTABLE)}
               for r in connection.execute(_OPEN_TERMS, {"b_challenge": challenge_id})}

    def change(term: dict[str, Any], action: str, **values: Any) -> None:
        term.update(values)
        term["next_due"] = next_due(term["termijn"], term["status"], term["einddatum"], term["processed_until"])
        plan.updates[term["id"]] = {name: term[name] for name in MUTABLE}
        end = term["einddatum"]
        plan.summaries.append({"termijn": term["name"], "actie": action, "einddatum": end.isoformat() if end else None})

    if closing:
        for term in running.values():
            change(term, "stop", status="gestopt", stopped_on=on)
        running.clear()
    for action in changes:
        name = action.termijn
        term = running.get(name)
        if action.action == "start":
            if term is not None:
                change(term, "vervangen", status="vervangen", stopped_on=on)
            termijn = new_termijn(definition, name, on)
            end, stored = termijn.einddatum(), termijn.als_dict()
            plan.inserts.append({"challenge_id": challenge_id, "gemeente": gemeente, "name": name, "status": "lopend",
                                 "termijn": stored, "started_on": on, "einddatum": end,
                                 "next_due": next_due(stored, "lopend", end, None)})
            plan.summaries.append({"termijn": name, "actie": "start", "einddatum": end.isoformat()})
            running.pop(name, None)  # the new run is not in ``running``; acting on it again in one step is a no-op
        elif term is None:
            continue  # stopping or resuming a term that does not run is a no-op (e.g. already lapsed)
        elif action.action == "stop":
            change(term, "stop", status="gestopt", stopped_on=on)
            del running[name]
        elif action.action == "opschorten" and term["status"] == "lopend":
            # Awb 4:15 lid 1: suspended from the day after the request to complete the aanvraag.
            change(term, "opschorten", status="opgeschort", suspended_from=on + timedelta(days=1), einddatum=None,
                   suspension_basis=f"{artikel or 'Awb 4:15'} ({event})")
        elif action.action == "hervatten" and term["status"] == "opgeschort":
            termijn = Termijn.uit_dict(term["termijn"])
            if on >= term["suspended_from"]:
                termijn = termijn.opschorten(Opschorting(
                    term["suspended_from"], on, grondslag="Awb 4:15",
                    omschrijving=f"opgeschort bij {term['suspension_basis'] or 'verzoek'}, hervat bij '{event}'"))
            change(term, "hervatten", status="lopend", termijn=termijn.als_dict(), einddatum=termijn.einddatum(),
                   suspended_from=None, suspension_basis=None)
        elif action.action == "verlengen":
            spec = definition.termijnen[name]
            if spec.verlenging is None:
                raise TermijnError(f"termijn '{name}' zegt niet met hoeveel hij verlengd wordt ('verlenging')")
            termijn = Termijn.uit_dict(term["termijn"]).verlengen(
                Verlenging(on, spec.verlenging, grondslag=artikel or "Awb 4:14", omschrijving=f"verdaging ({event})"))
            end = termijn.einddatum() if term["status"] == "lopend" else term["einddatum"]
            change(term, "verlengen", termijn=termijn.als_dict(), einddatum=end)
    return plan
