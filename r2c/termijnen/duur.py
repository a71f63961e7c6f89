"""Durations (``Duur``) and reminder offsets (``Herinnering``), parsed from Dutch phrases or ISO 8601."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from r2c.errors import TermijnError


class Unit(str, Enum):
    """The unit of a duration; the value is the Dutch plural used in messages."""

    DAGEN = "dagen"
    WERKDAGEN = "werkdagen"
    WEKEN = "weken"
    MAANDEN = "maanden"
    JAREN = "jaren"


_SINGULAR = {
    Unit.DAGEN: "dag",
    Unit.WERKDAGEN: "werkdag",
    Unit.WEKEN: "week",
    Unit.MAANDEN: "maand",
    Unit.JAREN: "jaar",
}

# Atw art. 4: the Atw does not apply to terms longer than 90 days, 12 weeks or 3 months, nor to years.
_ATW_MAX = {Unit.DAGEN: 90, Unit.WERKDAGEN: 90, Unit.WEKEN: 12, Unit.MAANDEN: 3, Unit.JAREN: 0}

_UNIT_WORDS = {
    "dag": Unit.DAGEN,
    "dagen": Unit.DAGEN,
    "kalenderdag": Unit.DAGEN,
    "kalenderdagen": Unit.DAGEN,
    "werkdag": Unit.WERKDAGEN,
    "werkdagen": Unit.WERKDAGEN,
    "week": Unit.WEKEN,
    "weken": Unit.WEKEN,
    "maand": Unit.MAANDEN,
    "maanden": Unit.MAANDEN,
    "jaar": Unit.JAREN,
    "jaren": Unit.JAREN,
}

_NUMBER_WORDS = {
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14,
}

_ISO_UNITS = {"D": Unit.DAGEN, "W": Unit.WEKEN, "M": Unit.MAANDEN, "Y": Unit.JAREN}

_PHRASE = re.compile(r"^\s*([+-]?\d+)\s*([a-z]+)\s*$|^\s*([a-zé]+)\s+([a-z]+)\s*$")
_ISO = re.compile(r"^\s*P(-?\d+)([DWMY])\s*$", re.IGNORECASE)
_HOURS = {"uur", "uren", "u", "h", "minuut", "minuten"}


@dataclass(frozen=True, slots=True)
class Duur:
    """A term length such as 8 weken.

    Attributes:
        amount: the number of units, at least 1.
        unit: dagen, werkdagen, weken, maanden or jaren.
    """

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 1:
            raise TermijnError(f"een termijn moet minstens 1 {_SINGULAR.get(self.unit, 'eenheid')} zijn, niet {self.amount!r}")
        if not isinstance(self.unit, Unit):
            raise TermijnError(f"onbekende eenheid {self.unit!r}")

    @property
    def valt_onder_atw(self) -> bool:
        """Whether Atw art. 4 allows the Atw for this length (not in years, nor over 90 days, 12 weeks, 3 months)."""
        return self.amount <= _ATW_MAX[self.unit]

    @property
    def minstens_drie_dagen(self) -> bool:
        """Whether this is a term of at least three days (Atw art. 2)."""
        return self.unit not in (Unit.DAGEN, Unit.WERKDAGEN) or self.amount >= 3

    def __str__(self) -> str:
        word = _SINGULAR[self.unit] if self.amount == 1 else self.unit.value
        return f"{self.amount} {word}"

    def iso(self) -> str:
        """The ISO 8601 form (P8W); werkdagen have none and give the Dutch phrase."""
        for letter, unit in _ISO_UNITS.items():
            if unit is self.unit:
                return f"P{self.amount}{letter}"
        return str(self)


def atw_uitsluiting(duur: Duur) -> str:
    """Why Atw art. 4 excludes ``duur`` (Dutch), or an empty string when the Atw may apply."""
    if duur.valt_onder_atw:
        return ""
    if duur.unit is Unit.JAREN:
        return "Atw art. 4: de Atw geldt niet voor termijnen in jaren"
    limit = {Unit.DAGEN: "90 dagen", Unit.WERKDAGEN: "90 dagen", Unit.WEKEN: "12 weken", Unit.MAANDEN: "3 maanden"}
    return f"Atw art. 4: de Atw geldt niet voor termijnen van meer dan {limit[duur.unit]}"


def parse_duur(text: str) -> Duur:
    """Parse "8 weken", "10 werkdagen", "1 maand", "zes weken" or ISO 8601 "P8W" into a ``Duur``."""
    if isinstance(text, Duur):
        return text
    if not isinstance(text, str) or not text.strip():
        raise TermijnError(f"geen termijn opgegeven: {text!r}; schrijf bijvoorbeeld '8 weken' of 'P8W'")
    return _parse_duur_text(text)


@lru_cache(maxsize=4096)
def _parse_duur_text(text: str) -> Duur:
    """The parse of one text, cached: every stored term is read back from its texts on every change (the result is
    immutable; errors are not cached)."""
    iso = _ISO.match(text)
    if iso:
        amount = int(iso.group(1))
        return _make(amount, _ISO_UNITS[iso.group(2).upper()], text)
    if text.strip().upper().startswith("P"):
        raise TermijnError(
            f"ISO 8601-termijn {text!r} wordt niet ondersteund: gebruik één eenheid, zoals P10D, P8W, P1M of P1Y"
        )
    match = _PHRASE.match(text.lower())
    if not match:
        raise TermijnError(f"onbekende termijn {text!r}; schrijf bijvoorbeeld '8 weken', '10 werkdagen' of 'P8W'")
    number, word = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    if word in _HOURS:
        raise TermijnError(f"termijn {text!r}: termijnen in uren worden niet ondersteund (alleen dagen en langer)")
    unit = _UNIT_WORDS.get(word)
    if unit is None:
        raise TermijnError(
            f"onbekende eenheid {word!r} in {text!r}; kies uit dagen, werkdagen, weken, maanden of jaren"
        )
    if number.lstrip("+-").isdigit():
        amount = int(number)
    elif number in _NUMBER_WORDS:
        amount = _NUMBER_WORDS[number]
    else:
        raise TermijnError(f"onbekend aantal {number!r} in {text!r}; schrijf het aantal in cijfers")
    return _make(amount, unit, text)


def _make(amount: int, unit: Unit, text: str) -> Duur:
    if amount < 1:
        raise TermijnError(f"termijn {text!r}: de lengte moet minstens 1 zijn, niet {amount}")
    if amount > 10_000:
        raise TermijnError(f"termijn {text!r}: {amount} {unit.value} is onwaarschijnlijk lang")
    return Duur(amount, unit)


@dataclass(frozen=True, slots=True)
class Herinnering:
    """A reminder or escalation moment relative to a term's end date.

    Attributes:
        richting: "voor" (before the end), "op" (on the end date) or "na" (after it, an escalation).
        duur: the offset, or None for "op de dag".
    """

    richting: str
    duur: Duur | None = None

    def __post_init__(self) -> None:
        if self.richting not in ("voor", "op", "na"):
            raise TermijnError(f"herinnering: richting moet 'voor', 'op' of 'na' zijn, niet {self.richting!r}")
        if (self.richting == "op") != (self.duur is None):
            raise TermijnError("herinnering: 'op de dag' heeft geen duur, 'voor' en 'na' wel")

    def __str__(self) -> str:
        return "op de dag" if self.duur is None else f"{self.duur} {self.richting}"


_OP_DE_DAG = {"op de dag", "op de einddatum", "op de dag zelf", "0 dagen voor", "0 werkdagen voor"}


def parse_herinnering(text: str) -> Herinnering:
    """Parse "10 werkdagen voor", "op de dag" or "1 werkdag na" into a ``Herinnering``."""
    if isinstance(text, Herinnering):
        return text
    if not isinstance(text, str) or not text.strip():
        raise TermijnError(f"geen herinnering opgegeven: {text!r}; schrijf bijvoorbeeld '2 werkdagen voor'")
    return _parse_herinnering_text(text)


@lru_cache(maxsize=4096)
def _parse_herinnering_text(text: str) -> Herinnering:
    """The parse of one text, cached as ``_parse_duur_text`` is."""
    clean = " ".join(text.lower().split())
    if clean in _OP_DE_DAG:
        return Herinnering("op")
    words = clean.rsplit(" ", 1)
    if len(words) != 2 or words[1] not in ("voor", "na"):
        raise TermijnError(
            f"onbekende herinnering {text!r}; schrijf bijvoorbeeld '10 werkdagen voor', 'op de dag' of '1 werkdag na'"
        )
    try:
        duur = parse_duur(words[0])
    except TermijnError as error:
        raise TermijnError(f"herinnering {text!r}: {error}") from None
    return Herinnering(words[1], duur)
