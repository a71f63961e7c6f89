"""A term with its history: suspensions (opschorting) and extensions (verdaging), immutable and recomputable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from r2c.errors import TermijnError
from r2c.termijnen.duur import Duur, Herinnering, parse_duur, parse_herinnering
from r2c.termijnen.kalender import Kalender, laad_kalender
from r2c.termijnen.rekenen import Afleiding, Uitkomst, dag, pas_atw_toe, tel

SERIALISATIE_VERSIE = 1


@dataclass(frozen=True, slots=True)
class Opschorting:
    """A period during which the term does not run (Awb 4:15).

    Attributes:
        van: the first day on which the term is suspended (for 4:15 lid 1: the day after the request).
        tot: the day on which the term runs again (not itself suspended), e.g. the day the aanvraag is aangevuld.
        grondslag: the legal basis, e.g. "Awb 4:15 lid 1 onder a".
        omschrijving: what happened, in Dutch.
    """

    van: date
    tot: date
    grondslag: str = "Awb 4:15"
    omschrijving: str = "opschorting"

    def __post_init__(self) -> None:
        if not isinstance(self.van, date) or not isinstance(self.tot, date):
            raise TermijnError(f"opschorting: 'van' en 'tot' moeten datums zijn, niet {self.van!r} en {self.tot!r}")
        if self.tot < self.van:
            raise TermijnError(
                f"opschorting: de einddatum {self.tot.isoformat()} ligt vóór de begindatum {self.van.isoformat()}"
            )

    @property
    def dagen(self) -> int:
        """Number of suspended days."""
        return (self.tot - self.van).days

    def als_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"van": self.van.isoformat(), "tot": self.tot.isoformat(), "grondslag": self.grondslag,
                "omschrijving": self.omschrijving}


@dataclass(frozen=True, slots=True)
class Verlenging:
    """An extension of the term (verdaging, Awb 4:14), counted on from the end reached so far.

    Attributes:
        aangekondigd: the day the extension was made known to the aanvrager; must be before expiry.
        duur: how much longer.
        grondslag: the legal basis, e.g. "Awb 4:14".
        omschrijving: what happened, in Dutch.
    """

    aangekondigd: date
    duur: Duur
    grondslag: str = "Awb 4:14"
    omschrijving: str = "verdaging"

    def __post_init__(self) -> None:
        if not isinstance(self.aangekondigd, date):
            raise TermijnError(f"verlenging: 'aangekondigd' moet een datum zijn, niet {self.aangekondigd!r}")
        if not isinstance(self.duur, Duur):
            object.__setattr__(self, "duur", parse_duur(self.duur))

    def als_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"aangekondigd": self.aangekondigd.isoformat(), "duur": str(self.duur), "grondslag": self.grondslag,
                "omschrijving": self.omschrijving}


@dataclass(frozen=True)
class Termijn:
    """A term counted from an event, with its full history; every change returns a new Termijn.

    Attributes:
        start: the event the term is counted from; the term itself starts the day after.
        duur: the term length.
        atw: whether the Algemene termijnenwet governs this term (Atw art. 4 may still exclude it).
        naam: a short name, e.g. "beslistermijn".
        grondslag: where the term comes from, e.g. "Awb 4:13" or the verordening's article.
        opschortingen: suspensions, in the order they were recorded.
        verlengingen: extensions, in the order they were recorded.
        max_verlengingen: how often the term may be extended (Awb 4:14: once).
        herinneringen: reminder moments relative to the end date.
        escalatie: the moment after expiry to escalate, or None.
        terug: True for a term counted backwards from the event (Atw art. 1 lid 2).
    """

    start: date
    duur: Duur
    atw: bool = True
    naam: str = ""
    grondslag: str = ""
    opschortingen: tuple[Opschorting, ...] = ()
    verlengingen: tuple[Verlenging, ...] = ()
    max_verlengingen: int = 1
    herinneringen: tuple[Herinnering, ...] = ()
    escalatie: Herinnering | None = None
    terug: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.start, date):
            raise TermijnError(f"termijn: 'start' moet een datum zijn, niet {self.start!r}")
        if not isinstance(self.duur, Duur):
            object.__setattr__(self, "duur", parse_duur(self.duur))
        object.__setattr__(self, "opschortingen", tuple(self.opschortingen))
        object.__setattr__(self, "verlengingen", tuple(self.verlengingen))
        object.__setattr__(self, "herinneringen", tuple(parse_herinnering(h) for h in self.herinneringen))
        if self.escalatie is not None:
            object.__setattr__(self, "escalatie", parse_herinnering(self.escalatie))
        if self.terug and (self.opschortingen or self.verlengingen):
            raise TermijnError("een teruggerekende termijn kan niet worden opgeschort of verlengd")

    # -- computing ---------------------------------------------------------------------------------------

    def bereken(self, *, kalender: Kalender | None = None) -> Uitkomst:
        """The end date with its full derivation (start, raw end, suspensions, extensions, Atw shifts)."""
        kal = kalender or laad_kalender()
        kal.controleer_jaar(self.start.year, invoer=self.start.isoformat())
        afleiding = Afleiding(kal)
        s = self.start.toordinal()
        raw = date.fromordinal(tel(s, self.duur, kal, terug=self.terug))
        wat = f" ({self.naam})" if self.naam else ""
        bron = f", {self.grondslag}" if self.grondslag else ""
        if self.terug:
            afleiding.uitleg.append(f"Gebeurtenis: {dag(self.start)}; de termijn wordt teruggerekend{wat}{bron}.")
            afleiding.uitleg.append(f"Duur: {self.duur} terug; zonder verschuivingen valt de termijn op {dag(raw)}.")
        else:
            afleiding.uitleg.append(
                f"Gebeurtenis: {dag(self.start)}; de termijn{wat} begint de dag erna, "
                f"op {(self.start + timedelta(days=1)).isoformat()}{bron}."
            )
            afleiding.uitleg.append(f"Duur: {self.duur}; zonder verschuivingen eindigt de termijn op {dag(raw)}.")
        current = raw
        covered = date.min
        events: list[tuple[date, int, Opschorting | Verlenging]] = [(o.van, 0, o) for o in self.opschortingen]
        events += [(v.aangekondigd, 1, v) for v in self.verlengingen]
        for _, _, event in sorted(events, key=lambda item: (item[0], item[1])):
            if isinstance(event, Opschorting):
                first = max(event.van, covered)
                days = max(0, (event.tot - first).days)
                covered = max(covered, event.tot)
                new = current + timedelta(days=days)
                extra = "" if days == event.dagen else f", waarvan {days} nieuw (overlap met een eerdere opschorting)"
                afleiding.verschuif(
                    current, new, event.grondslag,
                    f"{event.grondslag}: {event.omschrijving}, opgeschort met ingang van {event.van.isoformat()} "
                    f"tot {event.tot.isoformat()} ({event.dagen} dagen{extra}), dus {current.isoformat()} wordt "
                    f"{new.isoformat()}",
                )
            else:
                new = date.fromordinal(tel(current.toordinal(), event.duur, kal))
                afleiding.verschuif(
                    current, new, event.grondslag,
                    f"{event.grondslag}: {event.omschrijving} met {event.duur}, aangekondigd op "
                    f"{event.aangekondigd.isoformat()}, dus {current.isoformat()} wordt {new.isoformat()}",
                )
            current = new
        end, applied = pas_atw_toe(
            afleiding, start=self.start, eind=current, duur=self.duur, atw=self.atw, terug=self.terug
        )
        if self.terug:
            afleiding.uitleg.append(f"Einddatum: {dag(end)}, teruggerekend vanaf {self.start.isoformat()}.")
        else:
            afleiding.uitleg.append(f"Einddatum: {dag(end)}: de laatste dag waarop de handeling nog op tijd is.")
        first_year, last_year = sorted((self.start.year, end.year))
        warnings = kal.waarschuwingen(first_year, last_year)
        return Uitkomst(
            start=self.start,
            duur=self.duur,
            ruwe_einddatum=raw,
            einddatum=end,
            atw=applied,
            verschuivingen=tuple(afleiding.verschuivingen),
            uitleg=tuple(afleiding.uitleg),
            waarschuwingen=warnings,
            terug=self.terug,
        )

    def einddatum(self, *, kalender: Kalender | None = None) -> date:
        """The end date (the last day on which the act is still in time)."""
        return self.bereken(kalender=kalender).einddatum

    def verlopen(self, *, vandaag: date, kalender: Kalender | None = None) -> bool:
        """Whether the term has expired on ``vandaag`` (the caller's clock decides what today is)."""
        return vandaag > self.einddatum(kalender=kalender)

    # -- history -----------------------------------------------------------------------------------------

    def opschorten(self, opschorting: Opschorting, *, kalender: Kalender | None = None) -> Termijn:
        """A copy with ``opschorting`` added; TermijnError when it starts before the term or after its expiry."""
        if self.terug:
            raise TermijnError("een teruggerekende termijn kan niet worden opgeschort")
        if opschorting.van <= self.start:
            raise TermijnError(
                f"opschorting met ingang van {opschorting.van.isoformat()} ligt niet ná de gebeurtenis "
                f"{self.start.isoformat()} waarop de termijn begint"
            )
        end = self.einddatum(kalender=kalender)
        if opschorting.van > end:
            raise TermijnError(
                f"opschorting met ingang van {opschorting.van.isoformat()} komt te laat: de termijn was al "
                f"verstreken (einddatum {end.isoformat()})"
            )
        return replace(self, opschortingen=(*self.opschortingen, opschorting))

    def verlengen(self, verlenging: Verlenging, *, kalender: Kalender | None = None) -> Termijn:
        """A copy with ``verlenging`` added; TermijnError for one extension too many or one announced too late."""
        if self.terug:
            raise TermijnError("een teruggerekende termijn kan niet worden verlengd")
        if len(self.verlengingen) >= self.max_verlengingen:
            keer = "één keer" if self.max_verlengingen == 1 else f"{self.max_verlengingen} keer"
            raise TermijnError(
                f"{verlenging.omschrijving} aangekondigd op {verlenging.aangekondigd.isoformat()} kan niet: deze "
                f"termijn mag maar {keer} worden verlengd ({verlenging.grondslag}) en dat is al gebeurd"
            )
        if verlenging.aangekondigd < self.start:
            raise TermijnError(
                f"{verlenging.omschrijving} aangekondigd op {verlenging.aangekondigd.isoformat()} ligt vóór de "
                f"gebeurtenis {self.start.isoformat()}"
            )
        end = self.einddatum(kalender=kalender)
        if verlenging.aangekondigd > end:
            raise TermijnError(
                f"{verlenging.omschrijving} aangekondigd op {verlenging.aangekondigd.isoformat()} is te laat: de "
                f"termijn was al verstreken op {end.isoformat()}; verlengen kan alleen vóór afloop "
                f"({verlenging.grondslag})"
            )
        return replace(self, verlengingen=(*self.verlengingen, verlenging))

    def herinneringsdata(self, *, kalender: Kalender | None = None) -> tuple[tuple[Herinnering, date], ...]:
        """The dates of this term's reminders and escalation, computed from its end date."""
        moments = list(self.herinneringen) + ([self.escalatie] if self.escalatie else [])
        return herinneringsdata(self.einddatum(kalender=kalender), moments, kalender=kalender)

    # -- persistence -------------------------------------------------------------------------------------

    def als_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that ``Termijn.uit_dict`` reads back (with a format version)."""
        return {
            "versie": SERIALISATIE_VERSIE,
            "start": self.start.isoformat(),
            "duur": str(self.duur),
            "atw": self.atw,
            "naam": self.naam,
            "grondslag": self.grondslag,
            "opschortingen": [o.als_dict() for o in self.opschortingen],
            "verlengingen": [v.als_dict() for v in self.verlengingen],
            "max_verlengingen": self.max_verlengingen,
            "herinneringen": [str(h) for h in self.herinneringen],
            "escalatie": str(self.escalatie) if self.escalatie else None,
            "terug": self.terug,
        }

    @classmethod
    def uit_dict(cls, data: dict[str, Any]) -> Termijn:
        """Rebuild a Termijn from ``als_dict`` output; TermijnError for an unknown version or bad data."""
        if data.get("versie") != SERIALISATIE_VERSIE:
            raise TermijnError(f"onbekende versie van een opgeslagen termijn: {data.get('versie')!r}")
        try:
            return cls(
                start=date.fromisoformat(data["start"]),
                duur=parse_duur(data["duur"]),
                atw=bool(data.get("atw", True)),
                naam=data.get("naam", ""),
                grondslag=data.get("grondslag", ""),
                opschortingen=tuple(
                    Opschorting(date.fromisoformat(o["van"]), date.fromisoformat(o["tot"]), o["grondslag"],
                                o["omschrijving"])
                    for o in data.get("opschortingen", [])
                ),
                verlengingen=tuple(
                    Verlenging(date.fromisoformat(v["aangekondigd"]), parse_duur(v["duur"]), v["grondslag"],
                               v["omschrijving"])
                    for v in data.get("verlengingen", [])
                ),
                max_verlengingen=int(data.get("max_verlengingen", 1)),
                herinneringen=tuple(data.get("herinneringen", [])),
                escalatie=data.get("escalatie"),
                terug=bool(data.get("terug", False)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise TermijnError(f"opgeslagen termijn is onleesbaar: {error!r}") from None


def bereken(
    start: date, duur: Duur | str, *, atw: bool = True, terug: bool = False, kalender: Kalender | None = None
) -> Uitkomst:
    """The end date of ``duur`` counted from the event ``start``, with its derivation in Dutch."""
    return Termijn(start=start, duur=duur, atw=atw, terug=terug).bereken(kalender=kalender)


def herinneringsdata(
    einddatum: date, herinneringen: Iterable[Herinnering | str], *, kalender: Kalender | None = None
) -> tuple[tuple[Herinnering, date], ...]:
    """The date of each reminder ("10 werkdagen voor", "op de dag", "1 werkdag na") relative to ``einddatum``."""
    kal = kalender or laad_kalender()
    result = []
    for item in herinneringen:
        herinnering = parse_herinnering(item)
        if herinnering.duur is None:
            result.append((herinnering, einddatum))
            continue
        moment = tel(einddatum.toordinal(), herinnering.duur, kal, terug=herinnering.richting == "voor")
        result.append((herinnering, date.fromordinal(moment)))
    return tuple(result)
