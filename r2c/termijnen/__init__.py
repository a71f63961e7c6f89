"""Termijnen: deadline arithmetic per the Awb and the Algemene termijnenwet (Atw). Pure functions, no clock.

Public API (keep stable):

- ``parse_duur(text) -> Duur`` and ``parse_herinnering(text) -> Herinnering`` (TermijnError on bad input).
- ``einddatum(start, duur, *, atw=True, kalender=None) -> date``: fast, date only.
- ``bereken(start, duur, *, atw=True, terug=False, kalender=None) -> Uitkomst``: date with derivation.
- ``Termijn``: a term with its history (``opschorten``, ``verlengen``, ``bereken``, ``herinneringsdata``).
- The werkvoorraad's deadline light (``signaal``): ``grenzen(vandaag, oranje, rood)``, ``signaal(einddatum, g)``,
  ``werkdagen_tot(van, tot)``.
- ``feestdagen(jaar, *, kalender=None)``, ``is_werkdag(day)``, ``laad_kalender(pad=None)``.
- Term actions (``acties``): ``TermState``, ``Gevolg``, ``start``, ``stop``, ``vervangen``, ``opschorten``,
  ``hervatten``, ``verlengen``, ``apply`` and ``ingebrekestelling``; what is due when (``planning``): ``Moment``,
  ``moments``, ``due_moments``, ``next_due``, ``recipient``.
- Awb helpers: ``beslistermijn``, ``opschorting_aanvulling``, ``opschorting_uitstel``, ``verdaging``,
  ``buiten_behandeling``, ``bezwaartermijn``, ``dwangsom``, ``dwangsom_na``, ``euro``.
"""

from r2c.termijnen.acties import (
    Gevolg,
    TermState,
    apply,
    hervatten,
    ingebrekestelling,
    opschorten,
    start,
    stop,
    verlengen,
    vervangen,
)
from r2c.termijnen.awb import (
    Dwangsom,
    DwangsomTarief,
    beslistermijn,
    bezwaartermijn,
    buiten_behandeling,
    dwangsom,
    dwangsom_na,
    euro,
    laad_dwangsomtarief,
    opschorting_aanvulling,
    opschorting_uitstel,
    verdaging,
)
from r2c.termijnen.duur import Duur, Herinnering, Unit, atw_uitsluiting, parse_duur, parse_herinnering
from r2c.termijnen.kalender import Feestdag, Kalender, feestdagen, is_werkdag, laad_kalender
from r2c.termijnen.planning import Moment, due_moments, moments, next_due, recipient
from r2c.termijnen.rekenen import Uitkomst, Verschuiving, einddatum
from r2c.termijnen.signaal import LICHTEN, Grenzen, grenzen, signaal, werkdagen_tot
from r2c.termijnen.termijn import Opschorting, Termijn, Verlenging, bereken, herinneringsdata

__all__ = [
    "Duur",
    "Dwangsom",
    "DwangsomTarief",
    "Feestdag",
    "Grenzen",
    "LICHTEN",
    "Gevolg",
    "Herinnering",
    "Kalender",
    "Moment",
    "Opschorting",
    "TermState",
    "Termijn",
    "Uitkomst",
    "Unit",
    "Verlenging",
    "Verschuiving",
    "apply",
    "atw_uitsluiting",
    "bereken",
    "beslistermijn",
    "bezwaartermijn",
    "buiten_behandeling",
    "due_moments",
    "dwangsom",
    "dwangsom_na",
    "einddatum",
    "euro",
    "feestdagen",
    "grenzen",
    "herinneringsdata",
    "hervatten",
    "ingebrekestelling",
    "is_werkdag",
    "laad_dwangsomtarief",
    "laad_kalender",
    "moments",
    "next_due",
    "opschorten",
    "opschorting_aanvulling",
    "opschorting_uitstel",
    "parse_duur",
    "parse_herinnering",
    "recipient",
    "signaal",
    "start",
    "stop",
    "verdaging",
    "verlengen",
    "vervangen",
    "werkdagen_tot",
]
