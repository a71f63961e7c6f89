"""When something is due for a running term: its reminders, its escalation and its lapse. Pure functions, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from r2c.termijnen.termijn import Termijn, herinneringsdata


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


def due_moments(termijn: Termijn, einddatum: date, processed_until: date | None, on: date) -> list[Moment]:
    """The moments of a term that ends on ``einddatum`` that are due by ``on`` and not handled up to
    ``processed_until``: what one sweep of the planner on ``on`` does for it."""
    return [m for m in moments(termijn, einddatum)
            if (processed_until is None or m.on > processed_until) and m.on <= on]


def recipient(kind: str, herinneren: str | None) -> str:
    """Who a moment of ``kind`` goes to: an escalation to the teamleider, a reminder to whoever the term's
    ``herinneren`` names (the behandelaar when the term is not in the definition)."""
    return "teamleider" if kind == "escalatie" else (herinneren or "behandelaar")


def next_due(termijn: dict[str, Any], status: str, einddatum: date | None, processed_until: date | None) -> date | None:
    """The first day after ``processed_until`` on which something is due for this term; None when not running."""
    if status != "lopend" or einddatum is None:
        return None
    return next((m.on for m in moments(Termijn.uit_dict(termijn), einddatum)
                 if processed_until is None or m.on > processed_until), None)
