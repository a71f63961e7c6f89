"""The Awb terms r2c needs: beslistermijn (4:13), opschorting (4:15), verdaging (4:14), buiten behandeling (4:5),
dwangsom bij niet tijdig beslissen (4:17) and bezwaartermijn (6:7, 6:8)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from r2c.errors import TermijnError
from r2c.termijnen.duur import Duur, Unit, parse_duur
from r2c.termijnen.kalender import Kalender
from r2c.termijnen.rekenen import Uitkomst
from r2c.termijnen.termijn import Opschorting, Termijn, Verlenging

DWANGSOM_ENV_VAR = "R2C_DWANGSOM"
ACHT_WEKEN = Duur(8, Unit.WEKEN)


def beslistermijn(*, ontvangen: date, verordening: Duur | str | None = None, atw: bool = True,
                  grondslag: str = "") -> Termijn:
    """The term to decide on an aanvraag received on ``ontvangen``: the verordening's term, else 8 weeks (Awb 4:13)."""
    if verordening is None:
        return Termijn(start=ontvangen, duur=ACHT_WEKEN, atw=atw, naam="beslistermijn",
                       grondslag="Awb 4:13 lid 2 (geen termijn in de verordening: acht weken)")
    return Termijn(start=ontvangen, duur=parse_duur(verordening), atw=atw, naam="beslistermijn",
                   grondslag=grondslag or "Awb 4:13 lid 1 (termijn uit de verordening)")


def opschorting_aanvulling(*, verzoek: date, aangevuld: date | None = None,
                           hersteltermijn_eind: date | None = None) -> Opschorting:
    """Suspension while an aanvraag is being completed (Awb 4:15 lid 1 onder a).

    It runs from the day after ``verzoek`` until the day the aanvraag is ``aangevuld``, or, when it was not,
    until the hersteltermijn has lapsed unused (the day after its last day ``hersteltermijn_eind``).
    """
    if (aangevuld is None) == (hersteltermijn_eind is None):
        raise TermijnError("opschorting: geef óf de datum van aanvullen óf de laatste dag van de hersteltermijn")
    if aangevuld is not None:
        if aangevuld < verzoek:
            raise TermijnError(
                f"opschorting: aangevuld op {aangevuld.isoformat()} ligt vóór het verzoek van {verzoek.isoformat()}"
            )
        tot = max(aangevuld, verzoek + timedelta(days=1))
        omschrijving = f"verzoek om aanvulling op {verzoek.isoformat()}, aangevuld op {aangevuld.isoformat()}"
    else:
        assert hersteltermijn_eind is not None
        if hersteltermijn_eind < verzoek:
            raise TermijnError(
                f"opschorting: hersteltermijn eindigt op {hersteltermijn_eind.isoformat()}, vóór het verzoek van "
                f"{verzoek.isoformat()}"
            )
        tot = hersteltermijn_eind + timedelta(days=1)
        omschrijving = (f"verzoek om aanvulling op {verzoek.isoformat()}, hersteltermijn ongebruikt verstreken "
                        f"na {hersteltermijn_eind.isoformat()}")
    return Opschorting(van=verzoek + timedelta(days=1), tot=tot, grondslag="Awb 4:15 lid 1 onder a",
                       omschrijving=omschrijving)


def opschorting_uitstel(*, van: date, duur: Duur | str) -> Opschorting:
    """Suspension for a delay the aanvrager agreed to in writing, from ``van`` for ``duur`` (Awb 4:15 lid 2 onder a)."""
    length = parse_duur(duur)
    if length.unit is Unit.WERKDAGEN:
        raise TermijnError(f"uitstel van {length}: geef uitstel in dagen, weken of maanden, niet in werkdagen")
    from r2c.termijnen.kalender import laad_kalender
    from r2c.termijnen.rekenen import tel

    last = date.fromordinal(tel((van - timedelta(days=1)).toordinal(), length, laad_kalender()))
    return Opschorting(van=van, tot=last + timedelta(days=1), grondslag="Awb 4:15 lid 2 onder a",
                       omschrijving=f"uitstel van {length} waarmee de aanvrager schriftelijk heeft ingestemd")


def verdaging(*, aangekondigd: date, duur: Duur | str, grondslag: str = "Awb 4:14") -> Verlenging:
    """An extension of the beslistermijn announced to the aanvrager on ``aangekondigd`` (Awb 4:14; once only)."""
    return Verlenging(aangekondigd=aangekondigd, duur=parse_duur(duur), grondslag=grondslag, omschrijving="verdaging")


def buiten_behandeling(*, aangevuld: date | None = None, hersteltermijn_eind: date | None = None,
                       atw: bool = True) -> Termijn:
    """The 4 weeks to announce that an aanvraag is not dealt with, after completion or the lapsed hersteltermijn (Awb 4:5 lid 4)."""
    if (aangevuld is None) == (hersteltermijn_eind is None):
        raise TermijnError("buiten behandeling: geef óf de datum van aanvullen óf de laatste dag van de hersteltermijn")
    start = aangevuld if aangevuld is not None else hersteltermijn_eind
    assert start is not None
    return Termijn(start=start, duur=Duur(4, Unit.WEKEN), atw=atw, naam="buiten behandeling laten",
                   grondslag="Awb 4:5 lid 4")


def bezwaartermijn(*, bekendmaking: date) -> Termijn:
    """Six weeks for bezwaar, starting the day after bekendmaking (Awb 6:7 and 6:8 lid 1)."""
    return Termijn(start=bekendmaking, duur=Duur(6, Unit.WEKEN), atw=True, naam="bezwaartermijn",
                   grondslag="Awb 6:7 en 6:8 lid 1")


# -- dwangsom (Awb 4:17) ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DwangsomTarief:
    """The statutory daily amounts of Awb 4:17 lid 2, loaded from data.

    Attributes:
        staffel: (days, euros per day) blocks in order, e.g. ((14, 23), (14, 35), (14, 45)).
        max_dagen: at most this many days (Awb 4:17 lid 1: 42).
        bron: where the figures come from.
        geverifieerd: how they were checked.
    """

    staffel: tuple[tuple[int, int], ...]
    max_dagen: int
    bron: str
    geverifieerd: str


_TARIEF_CACHE: dict[str, DwangsomTarief] = {}


def euro(bedrag: float) -> str:
    """An amount as Dutch texts write it: '€ 1.442', with cents only when there are any: '€ 62.500,50'."""
    whole, cents = divmod(round(bedrag * 100), 100)
    return "€ " + f"{whole:,}".replace(",", ".") + (f",{cents:02d}" if cents else "")


def laad_dwangsomtarief(pad: str | os.PathLike[str] | None = None) -> DwangsomTarief:
    """The dwangsom amounts from ``pad``, else $R2C_DWANGSOM, else the shipped data/dwangsom.yaml."""
    chosen = pad if pad is not None else os.environ.get(DWANGSOM_ENV_VAR) or None
    key = str(chosen or "")
    if key in _TARIEF_CACHE:
        return _TARIEF_CACHE[key]
    try:
        if chosen is None:
            text = resources.files("r2c.termijnen").joinpath("data/dwangsom.yaml").read_text(encoding="utf-8")
        else:
            text = Path(chosen).read_text(encoding="utf-8")
        data: Any = yaml.safe_load(text)
        staffel = tuple((int(b["dagen"]), int(b["bedrag"])) for b in data["staffel"])
        tarief = DwangsomTarief(staffel=staffel, max_dagen=int(data["max_dagen"]), bron=str(data.get("bron", "")),
                                geverifieerd=str(data.get("geverifieerd", "")))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise TermijnError(f"dwangsomgegevens {key or 'dwangsom.yaml'} onleesbaar: {error}") from None
    if sum(days for days, _ in staffel) < tarief.max_dagen:
        raise TermijnError(f"dwangsomgegevens {key or 'dwangsom.yaml'}: de staffel dekt minder dan max_dagen")
    _TARIEF_CACHE[key] = tarief
    return tarief


@dataclass(frozen=True, slots=True)
class Dwangsom:
    """The dwangsom for not deciding in time (Awb 4:17), with the dates it runs.

    Attributes:
        ingebrekestelling_ontvangen: the day the bestuursorgaan received the written ingebrekestelling.
        wachttermijn: the two weeks after that day (Awb 4:17 lid 3) with their derivation.
        eerste_dag: the first day on which the dwangsom is owed.
        laatste_dag: the last possible day (eerste_dag + 41; the Atw does not apply, Awb 4:17 lid 1).
        tarief: the daily amounts used.
    """

    ingebrekestelling_ontvangen: date
    wachttermijn: Uitkomst
    eerste_dag: date
    laatste_dag: date
    tarief: DwangsomTarief

    def bedrag_op(self, dag: date) -> int:
        """The amount in euros owed for day ``dag`` (0 outside eerste_dag..laatste_dag)."""
        if not self.eerste_dag <= dag <= self.laatste_dag:
            return 0
        index = (dag - self.eerste_dag).days
        for days, amount in self.tarief.staffel:
            if index < days:
                return amount
            index -= days
        return 0

    def verbeurd(self, *, tot_en_met: date) -> int:
        """The total in euros owed for the days eerste_dag up to and including ``tot_en_met``."""
        last = min(tot_en_met, self.laatste_dag)
        days = (last - self.eerste_dag).days + 1
        total = 0
        for block_days, amount in self.tarief.staffel:
            if days <= 0:
                break
            take = min(days, block_days)
            total += take * amount
            days -= take
        return total

    @property
    def maximum(self) -> int:
        """The most that can be owed (all days up to laatste_dag)."""
        return self.verbeurd(tot_en_met=self.laatste_dag)

    def uitleg(self, *, tot_en_met: date) -> tuple[str, ...]:
        """How the amount owed for the days up to and including ``tot_en_met`` comes about, line by line (Dutch)."""
        lines = [f"Ingebrekestelling ontvangen op {self.ingebrekestelling_ontvangen.isoformat()}; de gemeente had "
                 f"twee weken om alsnog te beslissen, tot en met {self.wachttermijn.einddatum.isoformat()} "
                 "(Awb 4:17 lid 3).",
                 f"De dwangsom loopt van {self.eerste_dag.isoformat()} tot en met {self.laatste_dag.isoformat()}, "
                 f"ten hoogste {self.tarief.max_dagen} dagen (Awb 4:17 lid 1)."]
        last = min(tot_en_met, self.laatste_dag)
        days = (last - self.eerste_dag).days + 1
        if days <= 0:
            lines.append(f"Tot en met {tot_en_met.isoformat()} is nog geen dwangsom verbeurd: {euro(0)}.")
            return tuple(lines)
        parts = []
        for block_days, amount in self.tarief.staffel:
            if days <= 0:
                break
            take = min(days, block_days)
            parts.append(f"{take} × {euro(amount)} = {euro(take * amount)}")
            days -= take
        lines.append(f"Per dag (Awb 4:17 lid 2): {'; '.join(parts)}.")
        lines.append(f"Verbeurd tot en met {last.isoformat()}: {euro(self.verbeurd(tot_en_met=last))} "
                     f"(ten hoogste {euro(self.maximum)}).")
        return tuple(lines)


def dwangsom(*, beslistermijn_eind: date, ingebrekestelling_ontvangen: date, atw_wachttermijn: bool = True,
             tarief: DwangsomTarief | None = None, kalender: Kalender | None = None) -> Dwangsom:
    """The dwangsom period after an ingebrekestelling received after the beslistermijn ended (Awb 4:17)."""
    if ingebrekestelling_ontvangen <= beslistermijn_eind:
        raise TermijnError(
            f"ingebrekestelling ontvangen op {ingebrekestelling_ontvangen.isoformat()} is te vroeg: de beslistermijn "
            f"loopt tot en met {beslistermijn_eind.isoformat()}; in gebreke stellen kan pas daarna (Awb 4:17 lid 3)"
        )
    return dwangsom_na(ingebrekestelling_ontvangen=ingebrekestelling_ontvangen, atw_wachttermijn=atw_wachttermijn,
                       tarief=tarief, kalender=kalender)


def dwangsom_na(*, ingebrekestelling_ontvangen: date, atw_wachttermijn: bool = True,
                tarief: DwangsomTarief | None = None, kalender: Kalender | None = None) -> Dwangsom:
    """The dwangsom period after an ingebrekestelling received on ``ingebrekestelling_ontvangen`` (Awb 4:17 lid 3),
    for a caller that has already checked that the beslistermijn had lapsed."""
    wacht = Termijn(start=ingebrekestelling_ontvangen, duur=Duur(2, Unit.WEKEN), atw=atw_wachttermijn,
                    naam="twee weken na ontvangst ingebrekestelling", grondslag="Awb 4:17 lid 3").bereken(
        kalender=kalender)
    gebruikt = tarief or laad_dwangsomtarief()
    first = wacht.einddatum + timedelta(days=1)
    return Dwangsom(
        ingebrekestelling_ontvangen=ingebrekestelling_ontvangen,
        wachttermijn=wacht,
        eerste_dag=first,
        laatste_dag=first + timedelta(days=gebruikt.max_dagen - 1),
        tarief=gebruikt,
    )
