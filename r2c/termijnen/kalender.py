"""The Atw calendar: algemeen erkende feestdagen (Atw art. 3) loaded from data, and working-day arithmetic.

The rules and the gelijkgestelde dagen live in ``data/feestdagen.yaml``; a beheerder can point
``R2C_FEESTDAGEN`` (or the ``pad`` argument) at an updated copy without a release.
"""

from __future__ import annotations

import os
from itertools import accumulate
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from dateutil.easter import EASTER_WESTERN, easter

from r2c.errors import TermijnError

ENV_VAR = "R2C_FEESTDAGEN"
WEEKDAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@dataclass(frozen=True, slots=True)
class Feestdag:
    """One algemeen erkende feestdag (or a day made equal to one) in a given year.

    Attributes:
        datum: the date.
        naam: its name, e.g. "Koningsdag" or "vrijdag na Hemelvaartsdag".
        grondslag: the legal basis, e.g. "Atw art. 3 lid 1".
        bron: for gelijkgestelde dagen the besluit; empty otherwise.
    """

    datum: date
    naam: str
    grondslag: str
    bron: str = ""


class Kalender:
    """Feestdagen and working days for the years the data covers; immutable once built.

    Attributes:
        eerste_jaar: first year covered by the rules.
        laatste_jaar: last year covered by the rules.
        bekende_jaren: years for which the gelijkgestelde dagen (Atw art. 3 lid 3) are in the data.
        bron: where the data came from (file path).
    """

    def __init__(self, data: dict[str, Any], *, bron: str):
        self.bron = bron
        self.eerste_jaar, self.laatste_jaar = _years(data, bron)
        feestdagen: dict[date, list[Feestdag]] = {}
        for year in range(self.eerste_jaar, self.laatste_jaar + 1):
            for rule_index, rule in enumerate(data.get("regels") or []):
                day = _apply_rule(rule, year, bron=bron, key=f"regels[{rule_index}]")
                if day is not None:
                    feestdagen.setdefault(day.datum, []).append(day)
        known: set[int] = set()
        for index, besluit in enumerate(data.get("gelijkgesteld") or []):
            key = f"gelijkgesteld[{index}]"
            if not isinstance(besluit, dict):
                raise TermijnError(f"{bron}: [{key}] moet een besluit met 'jaren' en 'dagen' zijn")
            years = besluit.get("jaren")
            if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
                raise TermijnError(f"{bron}: [{key}.jaren] moet een lijst jaartallen zijn, niet {years!r}")
            known.update(years)
            for day_index, entry in enumerate(besluit.get("dagen") or []):
                day_key = f"{key}.dagen[{day_index}]"
                day_date = entry.get("datum") if isinstance(entry, dict) else None
                if isinstance(day_date, str):
                    day_date = _iso(day_date, f"{bron}: [{day_key}.datum]")
                if not isinstance(day_date, date) or day_date.year not in years:
                    raise TermijnError(f"{bron}: [{day_key}.datum] moet een datum in {years} zijn, niet {day_date!r}")
                feestdag = Feestdag(
                    datum=day_date,
                    naam=str(entry.get("naam") or "gelijkgestelde dag"),
                    grondslag=str(besluit.get("grondslag") or "Atw art. 3 lid 3"),
                    bron=str(besluit.get("besluit") or ""),
                )
                feestdagen.setdefault(day_date, []).append(feestdag)
        self.bekende_jaren = frozenset(known)
        self._feestdagen = {day: tuple(items) for day, items in sorted(feestdagen.items())}
        self._build_index()

    def _build_index(self) -> None:
        # Ordinals make the arithmetic cheap: flags[o - base] is 1 for a free day, cum[o - base] counts working
        # days up to and including o, werkdagen lists the working-day ordinals in order.
        self.base = date(self.eerste_jaar, 1, 1).toordinal()
        self.top = date(self.laatste_jaar, 12, 31).toordinal()
        size = self.top - self.base + 1
        flags = bytearray(size)
        for weekend in (6, 0):  # date.toordinal() % 7: 6 is Saturday, 0 is Sunday
            first = (weekend - self.base) % 7
            flags[first::7] = b"\x01" * len(range(first, size, 7))
        for day in self._feestdagen:
            flags[day.toordinal() - self.base] = 1
        werkdagen = [self.base + offset for offset in range(size) if not flags[offset]]
        cum = list(accumulate(1 - flag for flag in flags))
        self.flags = bytes(flags)
        self.cum = cum
        self.werkdag_ordinals = werkdagen

    # -- questions about single days ---------------------------------------------------------------------

    def controleer_jaar(self, year: int, *, invoer: str = "") -> None:
        """Raise TermijnError when ``year`` lies outside the years this calendar covers."""
        if not self.eerste_jaar <= year <= self.laatste_jaar:
            what = f" ({invoer})" if invoer else ""
            raise TermijnError(
                f"jaar {year}{what} valt buiten de jaren waarvoor r2c de Atw-feestdagen kent: "
                f"{self.eerste_jaar} t/m {self.laatste_jaar}"
            )

    def feestdagen(self, jaar: int) -> tuple[Feestdag, ...]:
        """The Atw feestdagen and gelijkgestelde dagen of ``jaar``, in date order."""
        self.controleer_jaar(jaar)
        return tuple(f for day, items in self._feestdagen.items() if day.year == jaar for f in items)

    def feestdag(self, day: date) -> Feestdag | None:
        """The feestdag on ``day``, or None."""
        items = self._feestdagen.get(day)
        return items[0] if items else None

    def is_vrij(self, day: date) -> bool:
        """Whether ``day`` is a Saturday, Sunday or Atw feestdag."""
        self.controleer_jaar(day.year, invoer=day.isoformat())
        return bool(self.flags[day.toordinal() - self.base])

    def reden_vrij(self, day: date) -> str:
        """Why ``day`` is free, in Dutch ("zaterdag", "Koningsdag"), or an empty string for a working day."""
        feestdag = self.feestdag(day)
        if feestdag is not None:
            if feestdag.grondslag.endswith("lid 3"):
                return f"{feestdag.naam} (gelijkgesteld met een feestdag, {feestdag.grondslag})"
            return feestdag.naam
        if day.weekday() >= 5:
            return WEEKDAGEN[day.weekday()]
        return ""

    def waarschuwingen(self, eerste: int, laatste: int) -> tuple[str, ...]:
        """Warnings for the years ``eerste``..``laatste`` whose gelijkgestelde dagen are not in the data."""
        unknown = [year for year in range(eerste, laatste + 1) if year not in self.bekende_jaren]
        if not unknown:
            return ()
        last_known = max(self.bekende_jaren) if self.bekende_jaren else None
        later = [y for y in unknown if last_known is None or y > last_known]
        earlier = [y for y in unknown if last_known is not None and y <= last_known]
        messages = []
        if later:
            messages.append(
                f"let op: de gelijkgestelde dagen (Atw art. 3 lid 3) voor {_years_text(later)} zijn nog niet "
                "bekend; als er later een besluit verschijnt, komen er misschien vrije dagen bij en kan een "
                "berekende datum nog veranderen"
            )
        if earlier:
            messages.append(
                f"let op: de gelijkgestelde dagen (Atw art. 3 lid 3) voor {_years_text(earlier)} staan niet in "
                f"de gegevens ({self.bron}); controleer de datum zelf"
            )
        return tuple(messages)


def _years_text(years: list[int]) -> str:
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]} t/m {years[-1]}"
    return ", ".join(str(y) for y in years)


def _years(data: dict[str, Any], bron: str) -> tuple[int, int]:
    span = data.get("jaren")
    if not isinstance(span, dict):
        raise TermijnError(f"{bron}: [jaren] ontbreekt; geef 'van' en 'tot_en_met'")
    first, last = span.get("van"), span.get("tot_en_met")
    if not isinstance(first, int) or not isinstance(last, int) or not 1583 <= first <= last <= 4099:
        raise TermijnError(f"{bron}: [jaren] moet van <= tot_en_met zijn, tussen 1583 en 4099; nu {span!r}")
    return first, last


def _iso(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TermijnError(f"{where} is geen datum (JJJJ-MM-DD): {text!r}") from None


def _apply_rule(rule: Any, year: int, *, bron: str, key: str) -> Feestdag | None:
    if not isinstance(rule, dict) or not rule.get("naam"):
        raise TermijnError(f"{bron}: [{key}] moet een regel met 'naam' zijn, niet {rule!r}")
    if rule.get("van") is not None and year < rule["van"]:
        return None
    if rule.get("tot_en_met") is not None and year > rule["tot_en_met"]:
        return None
    if "datum" in rule:
        try:
            month, day_of_month = (int(part) for part in str(rule["datum"]).split("-"))
            day = date(year, month, day_of_month)
        except ValueError:
            raise TermijnError(f"{bron}: [{key}.datum] moet 'MM-DD' zijn, niet {rule['datum']!r}") from None
        if day.weekday() == 6 and rule.get("zondag"):
            day += timedelta(days=int(rule["zondag"]))
    elif "pasen" in rule:
        if not isinstance(rule["pasen"], int):
            raise TermijnError(f"{bron}: [{key}.pasen] moet een aantal dagen zijn, niet {rule['pasen']!r}")
        day = easter(year, EASTER_WESTERN) + timedelta(days=rule["pasen"])
    else:
        raise TermijnError(f"{bron}: [{key}] heeft 'datum' of 'pasen' nodig")
    return Feestdag(datum=day, naam=str(rule["naam"]), grondslag=str(rule.get("grondslag") or "Atw art. 3"))


_CACHE: dict[str, Kalender] = {}


def laad_kalender(pad: str | os.PathLike[str] | None = None) -> Kalender:
    """The calendar from ``pad``, else from $R2C_FEESTDAGEN, else the shipped data; cached per path."""
    chosen = pad if pad is not None else os.environ.get(ENV_VAR) or None
    key = str(chosen) if chosen is not None else ""
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    if chosen is None:
        text = resources.files("r2c.termijnen").joinpath("data/feestdagen.yaml").read_text(encoding="utf-8")
        bron = "r2c/termijnen/data/feestdagen.yaml"
    else:
        try:
            text = Path(chosen).read_text(encoding="utf-8")
        except OSError as error:
            raise TermijnError(f"feestdagenbestand {str(chosen)!r} niet te lezen: {error.strerror}") from None
        bron = str(chosen)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe)
    except yaml.YAMLError as error:
        raise TermijnError(f"{bron}: geen geldige YAML: {error}") from None
    if not isinstance(data, dict):
        raise TermijnError(f"{bron}: verwacht een YAML-mapping met 'jaren', 'regels' en 'gelijkgesteld'")
    kalender = Kalender(data, bron=bron)
    _CACHE[key] = kalender
    return kalender


def feestdagen(jaar: int, *, kalender: Kalender | None = None) -> tuple[Feestdag, ...]:
    """The Atw feestdagen of ``jaar`` (Atw art. 3), in date order; TermijnError outside the covered years."""
    if isinstance(jaar, bool) or not isinstance(jaar, int):
        raise TermijnError(f"jaar moet een jaartal zijn, niet {jaar!r}")
    return (kalender or laad_kalender()).feestdagen(jaar)


def is_werkdag(day: date, *, kalender: Kalender | None = None) -> bool:
    """Whether ``day`` is a working day: not a Saturday, Sunday or Atw feestdag."""
    return not (kalender or laad_kalender()).is_vrij(day)


__all__ = ["Feestdag", "Kalender", "feestdagen", "is_werkdag", "laad_kalender"]
