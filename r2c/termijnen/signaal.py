"""The werkvoorraad's deadline light (signaal) in werkdagen: pure arithmetic on r2c.termijnen's calendar.

A running term's light is 'verstreken' after its last day, 'rood' when ``rood`` werkdagen or fewer are left,
'oranje' at ``oranje`` or fewer, else 'groen' (werkdagen left: the werkdagen after today up to and including the
last day; Saturdays, Sundays and Atw feestdagen do not count). ``grenzen`` turns the thresholds into date
boundaries for one day, so a database can count the lights with plain date comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from r2c.termijnen.kalender import Kalender, is_werkdag, laad_kalender

LICHTEN = ("groen", "oranje", "rood", "verstreken")


@dataclass(frozen=True)
class Grenzen:
    """The date boundaries of the lights on one day.

    Attributes:
        vandaag: the day; a last day before it is 'verstreken'.
        rood_voor: a last day from ``vandaag`` up to (not including) this day is 'rood'.
        oranje_voor: a last day from ``rood_voor`` up to (not including) this day is 'oranje'; later is 'groen'.
    """

    vandaag: date
    rood_voor: date
    oranje_voor: date


def werkdagen_tot(van: date, tot: date, *, kalender: Kalender | None = None) -> int:
    """Werkdagen after ``van`` up to and including ``tot``; negative (the werkdagen missed) once ``tot`` is past."""
    k = kalender or laad_kalender()
    if tot < van:
        return -sum(1 for n in range((van - tot).days) if is_werkdag(tot + timedelta(days=n), kalender=k))
    return sum(1 for n in range(1, (tot - van).days + 1) if is_werkdag(van + timedelta(days=n), kalender=k))


def _werkdag_na(van: date, aantal: int, kalender: Kalender) -> date:
    """The ``aantal``-th werkdag after ``van`` (aantal >= 1)."""
    day, left = van, aantal
    while left:
        day += timedelta(days=1)
        if is_werkdag(day, kalender=kalender):
            left -= 1
    return day


def grenzen(vandaag: date, oranje: int, rood: int, *, kalender: Kalender | None = None) -> Grenzen:
    """The boundaries of the lights on ``vandaag`` for thresholds ``oranje`` >= ``rood`` >= 0 (werkdagen left).

    At most ``rood`` werkdagen left means: the last day comes before the (rood + 1)-th werkdag after today.
    """
    if not 0 <= rood <= oranje:
        raise ValueError(f"rood (nu {rood}) moet tussen 0 en oranje (nu {oranje}) liggen")
    k = kalender or laad_kalender()
    return Grenzen(vandaag, _werkdag_na(vandaag, rood + 1, k), _werkdag_na(vandaag, oranje + 1, k))


def signaal(einddatum: date, g: Grenzen) -> str:
    """The light of a running term with last day ``einddatum`` on the day of ``g``."""
    if einddatum < g.vandaag:
        return "verstreken"
    if einddatum < g.rood_voor:
        return "rood"
    return "oranje" if einddatum < g.oranje_voor else "groen"
