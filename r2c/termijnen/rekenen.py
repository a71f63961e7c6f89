"""Counting a term: the raw end date, then the Algemene termijnenwet (Atw art. 1, 2 and 4), with explanation.

All arithmetic works on date ordinals (``date.toordinal()``) against the precomputed ``Kalender`` index, so
one end date costs a few microseconds (see bench/bench_termijnen.py).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from r2c.errors import TermijnError
from r2c.termijnen.duur import Duur, Unit, atw_uitsluiting, parse_duur
from r2c.termijnen.kalender import WEEKDAGEN, Kalender, laad_kalender

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Verschuiving:
    """One step from the raw end date towards the final one.

    Attributes:
        van: the date before this step.
        naar: the date after it.
        grondslag: the legal basis ("Atw art. 1", "Awb 4:15 lid 1 onder a", "Awb 4:14").
        reden: the explanation in Dutch, e.g. "Atw art. 1: 2026-04-27 is Koningsdag, dus 2026-04-28".
    """

    van: date
    naar: date
    grondslag: str
    reden: str

    def als_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"van": self.van.isoformat(), "naar": self.naar.isoformat(), "grondslag": self.grondslag,
                "reden": self.reden}


@dataclass(frozen=True, slots=True)
class Uitkomst:
    """A computed end date with its derivation.

    Attributes:
        start: the event the term is counted from (the term itself starts the day after).
        duur: the term length.
        ruwe_einddatum: start + duur, before suspensions, extensions and the Atw.
        einddatum: the last day on which the act is still in time.
        atw: whether the Atw was applied (requested for this term and allowed by Atw art. 4).
        verschuivingen: every step from ruwe_einddatum to einddatum, in order.
        uitleg: the full explanation in Dutch, one sentence per line.
        waarschuwingen: things the reader must know, e.g. gelijkgestelde dagen not yet published.
        terug: True for a term counted backwards from the event.
    """

    start: date
    duur: Duur
    ruwe_einddatum: date
    einddatum: date
    atw: bool
    verschuivingen: tuple[Verschuiving, ...] = ()
    uitleg: tuple[str, ...] = ()
    waarschuwingen: tuple[str, ...] = ()
    terug: bool = False

    def als_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with at least einddatum, ruwe_einddatum and verschuivingen."""
        return {
            "start": self.start.isoformat(),
            "duur": str(self.duur),
            "einddatum": self.einddatum.isoformat(),
            "ruwe_einddatum": self.ruwe_einddatum.isoformat(),
            "atw": self.atw,
            "terug": self.terug,
            "verschuivingen": [v.als_dict() for v in self.verschuivingen],
            "uitleg": list(self.uitleg),
            "waarschuwingen": list(self.waarschuwingen),
        }


# -- ordinal arithmetic ------------------------------------------------------------------------------------


def _buiten(kal: Kalender, what: str) -> TermijnError:
    return TermijnError(
        f"{what} valt buiten de jaren waarvoor r2c de Atw-feestdagen kent: {kal.eerste_jaar} t/m {kal.laatste_jaar}"
    )


def _plus_maanden(ordinal: int, months: int) -> int:
    day = date.fromordinal(ordinal)
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise TermijnError(f"{day.isoformat()} plus {months} maanden valt buiten de kalender")
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last)).toordinal()


def tel(start: int, duur: Duur, kal: Kalender, *, terug: bool = False) -> int:
    """The raw end ordinal: ``duur`` counted from the event ``start`` (an ordinal), forwards or backwards."""
    unit, n = duur.unit, duur.amount
    if not kal.base <= start <= kal.top:
        raise _buiten(kal, f"datum {date.fromordinal(start).isoformat()}")
    if unit is Unit.WEKEN:
        end = start - 7 * n if terug else start + 7 * n
    elif unit is Unit.DAGEN:
        end = start - n if terug else start + n
    elif unit is Unit.WERKDAGEN:
        # cum[i] counts working days up to and including base + i.
        offset = start - kal.base
        if terug:
            index = (kal.cum[offset - 1] if offset > 0 else 0) - n
        else:
            index = kal.cum[offset] + n - 1
        if not 0 <= index < len(kal.werkdag_ordinals):
            raise _buiten(kal, f"{date.fromordinal(start).isoformat()} {'min' if terug else 'plus'} {duur}")
        return kal.werkdag_ordinals[index]
    elif unit is Unit.MAANDEN:
        end = _plus_maanden(start, -n if terug else n)
    else:
        end = _plus_maanden(start, -12 * n if terug else 12 * n)
    if not kal.base <= end <= kal.top:
        raise _buiten(kal, f"einddatum {date.fromordinal(end).isoformat()} ({date.fromordinal(start)} plus {duur})")
    return end


def atw_eind(start: int, raw: int, duur: Duur, kal: Kalender) -> int:
    """The end ordinal after Atw art. 1 and 2, for a forward term whose length the Atw covers (fast path)."""
    flags, base = kal.flags, kal.base
    end = raw
    while flags[end - base]:
        end += 1
        if end > kal.top:
            raise _buiten(kal, f"einddatum na {date.fromordinal(raw).isoformat()}")
    if end - start < 16 and duur.minstens_drie_dagen:
        cum = kal.cum
        if cum[end - base] - cum[start - base] < 2:
            index = cum[start - base] + 1
            if index >= len(kal.werkdag_ordinals):
                raise _buiten(kal, f"einddatum na {date.fromordinal(raw).isoformat()}")
            end = kal.werkdag_ordinals[index]
    return end


def einddatum(start: date, duur: Duur | str, *, atw: bool = True, kalender: Kalender | None = None) -> date:
    """The end date of ``duur`` counted from the event ``start``, under the Atw unless ``atw`` is False (fast)."""
    kal = kalender or laad_kalender()
    if not isinstance(duur, Duur):
        duur = parse_duur(duur)
    if not isinstance(start, date):
        raise TermijnError(f"startdatum moet een datum zijn, niet {start!r}")
    s = start.toordinal()
    raw = tel(s, duur, kal)
    if atw and duur.valt_onder_atw:
        return date.fromordinal(atw_eind(s, raw, duur, kal))
    return date.fromordinal(raw)


# -- the explained version ---------------------------------------------------------------------------------


def dag(day: date) -> str:
    """A date as "2026-04-28 (dinsdag)"."""
    return f"{day.isoformat()} ({WEEKDAGEN[day.weekday()]})"


@dataclass
class Afleiding:
    """Mutable scratch pad used while computing one Uitkomst; not part of the public API."""

    kal: Kalender
    verschuivingen: list[Verschuiving] = field(default_factory=list)
    uitleg: list[str] = field(default_factory=list)

    def verschuif(self, van: date, naar: date, grondslag: str, reden: str) -> None:
        self.verschuivingen.append(Verschuiving(van, naar, grondslag, reden))
        self.uitleg.append(reden)


def pas_atw_toe(
    afleiding: Afleiding, *, start: date, eind: date, duur: Duur, atw: bool, terug: bool = False
) -> tuple[date, bool]:
    """Apply Atw art. 1 and 2 to ``eind`` and record each shift; returns (end date, whether the Atw applied)."""
    kal = afleiding.kal
    if not atw:
        afleiding.uitleg.append("Atw: niet toegepast; voor deze termijn is de Algemene termijnenwet uitgezet")
        return eind, False
    uitsluiting = atw_uitsluiting(duur)
    if uitsluiting:
        afleiding.uitleg.append(f"{uitsluiting}; geen verschuiving")
        return eind, False
    base = kal.base
    result = eind
    if terug:
        if kal.flags[result.toordinal() - base]:
            afleiding.uitleg.append(
                f"Atw art. 1 lid 2: {result.isoformat()} is {kal.reden_vrij(result)}, maar een teruggerekende "
                "termijn wordt niet verlengd"
            )
    else:
        reasons = []
        ordinal = result.toordinal()
        while kal.flags[ordinal - base]:
            reasons.append(f"{date.fromordinal(ordinal).isoformat()} is {kal.reden_vrij(date.fromordinal(ordinal))}")
            ordinal += 1
            if ordinal > kal.top:
                raise _buiten(kal, f"einddatum na {result.isoformat()}")
        if reasons:
            new = date.fromordinal(ordinal)
            afleiding.verschuif(result, new, "Atw art. 1", f"Atw art. 1: {_join(reasons)}, dus {new.isoformat()}")
            result = new
    if duur.minstens_drie_dagen:
        first, last = sorted((start.toordinal(), result.toordinal()))
        # the days of the term: after the event up to and including the end (backwards: end up to the event)
        lo, hi = (first, last) if not terug else (first - 1, last - 1)
        working = _cum(kal, hi) - _cum(kal, lo)
        if working < 2:
            if terug:
                index = _cum(kal, start.toordinal() - 1) - 2
            else:
                index = kal.cum[start.toordinal() - base] + 1
            if not 0 <= index < len(kal.werkdag_ordinals):
                raise _buiten(kal, f"einddatum bij {result.isoformat()}")
            new_ord = kal.werkdag_ordinals[index]
            new = date.fromordinal(new_ord)
            if terug:
                span = f"{result.isoformat()} t/m {(start - ONE_DAY).isoformat()}"
            else:
                span = f"{(start + ONE_DAY).isoformat()} t/m {result.isoformat()}"
            afleiding.verschuif(
                result,
                new,
                "Atw art. 2",
                f"Atw art. 2: de termijn ({span}) bevat {_aantal(working)} die geen zaterdag, zondag of feestdag "
                f"is; een termijn van ten minste drie dagen moet er twee bevatten, dus {new.isoformat()}",
            )
            result = new
    if result == eind and not kal.flags[result.toordinal() - base]:
        afleiding.uitleg.append(f"Atw: geen verschuiving nodig, {dag(result)} is een werkdag")
    return result, True


def _cum(kal: Kalender, ordinal: int) -> int:
    """Working days from the first covered day up to and including ``ordinal`` (0 before the range)."""
    return kal.cum[ordinal - kal.base] if ordinal >= kal.base else 0


def _aantal(n: int) -> str:
    return {0: "geen enkele dag", 1: "maar 1 dag"}.get(n, f"{n} dagen")


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " en " + parts[-1]
