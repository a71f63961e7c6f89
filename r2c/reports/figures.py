"""The figures of the year report (participatieparagraaf) of one gemeente: computed by SQL aggregates
(r2c.store.reports) over the report's read model (kept from the history by every change), for the year asked and
the year before. docs/rapportage.md says what each
figure means.

Which events count as which result is the model verordening's vocabulary (its event names, which the gemeenten'
definitions inherit); which events suspend or extend the beslistermijn is read from the definitions themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from r2c.clock import Clock, today
from r2c.definitions.catalog import Catalog
from r2c.errors import ConfigError, UnknownGemeente
from r2c.service.challenges import ChallengeService
from r2c.store import reports as store

SCHEMA_VERSIE = 1
"""The version of the report's JSON (docs/rapportage.md); raised when a field changes meaning or goes."""

ZONE = ZoneInfo("Europe/Amsterdam")

INGEDIEND = ("indienen",)
RESULTATEN: dict[str, tuple[str, ...]] = {
    "toegekend": ("toekennen",),
    "toegekend_met_wijziging": ("toekennen_met_wijziging",),
    "afgewezen": ("afwijzen",),
    "ingetrokken": ("intrekken", "afzien"),
    "buiten_behandeling": ("buiten_behandeling_stellen",),
}
"""Per result, the events that give it (a besluit, or the initiatiefnemer's withdrawal)."""
BESLUITEN = ("toekennen", "toekennen_met_wijziging", "afwijzen", "buiten_behandeling_stellen")
"""The events that are a besluit on the aanvraag (they stop the beslistermijn)."""
BEZWAREN = {"ingediend": ("bezwaar_maken",), "gegrond": ("bezwaar_gegrond",), "ongegrond": ("bezwaar_ongegrond",)}
OVERNAME = ("overeenkomst_sluiten", "subsidie_verlenen")
EVALUATIES = {"voortgezet": ("voortzetten",), "verlengd": ("verlengen",), "teruggegeven": ("teruggeven",)}
DOMEIN = "domein"
"""The gegeven (fact) by which challenges are counted per task or domain, when a definition asks for it (the read
model keeps it: r2c.store.readmodel)."""

LABELS: dict[str, str] = {
    "ontvangen": "Uitdagingen ontvangen",
    "resultaten.toegekend": "Toegekend",
    "resultaten.toegekend_met_wijziging": "Toegekend met een wijziging",
    "resultaten.afgewezen": "Afgewezen",
    "resultaten.ingetrokken": "Ingetrokken door de initiatiefnemer",
    "resultaten.buiten_behandeling": "Buiten behandeling gesteld",
    "beslistermijn.besloten": "Besluiten met een beslistermijn",
    "beslistermijn.binnen_termijn": "Op tijd besloten",
    "beslistermijn.aandeel_binnen_termijn": "Op tijd besloten (procent)",
    "beslistermijn.na_verdaging": "Op tijd, na verdaging",
    "beslistermijn.verlopen": "Beslistermijn verlopen zonder besluit",
    "opschortingen": "Opschortingen (aanvraag niet compleet)",
    "verdagingen": "Verdagingen van de beslistermijn",
    "bezwaren.ingediend": "Bezwaren ingediend",
    "bezwaren.gegrond": "Bezwaren gegrond",
    "bezwaren.ongegrond": "Bezwaren ongegrond",
    "overname.overgenomen": "Taken overgenomen",
    "overname.budget": "Budget van de overgenomen taken (euro)",
    "overname.lopend": "Taken in uitvoering aan het eind van het jaar",
    "overname.lopend_budget": "Budget van de taken in uitvoering (euro)",
    "evaluaties.voortgezet": "Evaluaties: voortgezet",
    "evaluaties.verlengd": "Evaluaties: verlengd",
    "evaluaties.teruggegeven": "Evaluaties: taak terug naar de gemeente",
    "doorlooptijd.tot_besluit.aantal": "Besluiten (voor de doorlooptijd)",
    "doorlooptijd.tot_besluit.mediaan_dagen": "Dagen tot besluit (mediaan)",
    "doorlooptijd.tot_besluit.p90_dagen": "Dagen tot besluit (9 van de 10 binnen)",
}
"""What people read for each figure (Dutch, B1); the keys are the JSON paths."""


@dataclass(frozen=True)
class Report:
    """The year report of one gemeente.

    Attributes:
        gemeente, naam: the gemeente's id and its name to show.
        jaar: the year reported on.
        gemaakt_op: the date it was made (the injected clock).
        dit_jaar, vorig_jaar: the figures (``year_figures``) of ``jaar`` and of the year before.
        fasen: phase id to label, for the doorlooptijd per phase.
        criteria: criterion id to label, for the failed criteria.
    """

    gemeente: str
    naam: str
    jaar: int
    gemaakt_op: date
    dit_jaar: dict[str, Any]
    vorig_jaar: dict[str, Any]
    fasen: dict[str, str]
    criteria: dict[str, str]

    @property
    def leeg(self) -> bool:
        """Whether nothing happened in the year (no history row of the gemeente in it)."""
        return not self.dit_jaar["gebeurtenissen"]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (schema ``SCHEMA_VERSIE``, docs/rapportage.md)."""
        return {"schema_versie": SCHEMA_VERSIE, "soort": "r2c-jaarrapport", "gemeente": self.gemeente,
                "naam": self.naam, "jaar": self.jaar, "gemaakt_op": self.gemaakt_op.isoformat(),
                "leeg": self.leeg, "ontvangen": self.dit_jaar["ontvangen"],
                "dit_jaar": _public(self.dit_jaar), "vorig_jaar": _public(self.vorig_jaar)}

    def rows(self) -> list[tuple[str, str, Any, Any]]:
        """Every figure as (key, label, this year, the year before), in reading order: what the CSV, the HTML
        table and the PDF show."""
        now, before = dict(flatten(_public(self.dit_jaar))), dict(flatten(_public(self.vorig_jaar)))
        keys = list(now) + [key for key in before if key not in now]
        return [(key, self.label(key), now.get(key), before.get(key)) for key in keys]

    def label(self, key: str) -> str:
        """The label of a figure's key."""
        if key in LABELS:
            return LABELS[key]
        parts = key.split(".")
        if parts[0] == "afgewezen_op_criterium":
            return f"Afgewezen op: {self.criteria.get(parts[1], parts[1])}"
        if parts[0] == "per_domein":
            return f"Ontvangen, {parts[1]}"
        if parts[:2] == ["doorlooptijd", "per_fase"]:
            soort = {"aantal": "aantal keer", "mediaan_dagen": "dagen (mediaan)",
                     "p90_dagen": "dagen (9 van de 10 binnen)"}[parts[3]]
            return f"Fase {self.fasen.get(parts[2], parts[2])}: {soort}"
        return key


def _public(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if k != "gebeurtenissen"}


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The leaves of a nested dict as (dotted key, value)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def year_bounds(jaar: int) -> tuple[datetime, datetime]:
    """The year in the Netherlands as UTC moments, ``[1 January 00:00, next 1 January 00:00)``."""
    return (datetime(jaar, 1, 1, tzinfo=ZONE).astimezone(timezone.utc),
            datetime(jaar + 1, 1, 1, tzinfo=ZONE).astimezone(timezone.utc))


def _sum(counts: dict[str, int], events: tuple[str, ...]) -> int:
    return sum(counts.get(e, 0) for e in events)


def _term_events(catalog: Catalog, gemeente: str, action: str, term: str = "beslistermijn") -> tuple[str, ...]:
    """The events of the gemeente's definitions (every version) whose transition does ``action`` to ``term``."""
    events = set()
    for loaded in catalog.versions(gemeente):
        for key, transitie in loaded.definition.transities.items():
            if term in getattr(transitie.termijnen, action):
                events.add(transitie.event or key)
    return tuple(sorted(events))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def year_figures(connection: Any, *, catalog: Catalog, gemeente: str, jaar: int, day: date,
                 criteria: list[str], aggregates: Any = store) -> dict[str, Any]:
    """Every figure of ``jaar`` for ``gemeente`` (see docs/rapportage.md), on an open read connection.

    ``aggregates``: the module of SQL aggregates (r2c.store.reports, on the read model; a test passes one over the
    history, to check that both agree).
    """
    start, end = year_bounds(jaar)
    # a term lapses the day after its last day (Awb 4:13, Atw): one ending today has not lapsed yet
    first_day, last_day = date(jaar, 1, 1), min(date(jaar, 12, 31), day - timedelta(days=1))
    counts = aggregates.event_counts(connection, gemeente=gemeente, start=start, end=end)
    decided = aggregates.decision_terms(connection, gemeente=gemeente, start=start, end=end, first_day=first_day,
                                   last_day=last_day, decided=BESLUITEN,
                                   extending=_term_events(catalog, gemeente, "verlengen"))
    until = aggregates.until_decision(connection, gemeente=gemeente, start=start, end=end, submitted=INGEDIEND,
                                 decided=BESLUITEN)
    phases = aggregates.phase_durations(connection, gemeente=gemeente, start=start, end=end)
    taken = aggregates.takeovers(connection, gemeente=gemeente, start=start, end=end, events=OVERNAME)
    failed = aggregates.failed_criteria(connection, gemeente=gemeente, start=start, end=end,
                                   events=RESULTATEN["afgewezen"], criteria=criteria)
    domains = aggregates.by_domain(connection, gemeente=gemeente, start=start, end=end, events=INGEDIEND)
    return {
        "gebeurtenissen": sum(counts.values()),
        "ontvangen": _sum(counts, INGEDIEND),
        "resultaten": {name: _sum(counts, events) for name, events in RESULTATEN.items()},
        "afgewezen_op_criterium": {key: n for key, n in failed.items() if n},
        "per_domein": dict(sorted(domains.items())),
        "doorlooptijd": {
            "tot_besluit": {"aantal": until.aantal, "mediaan_dagen": _round(until.mediaan),
                            "p90_dagen": _round(until.p90)},
            "per_fase": {fase: {"aantal": s.aantal, "mediaan_dagen": _round(s.mediaan), "p90_dagen": _round(s.p90)}
                         for fase, s in sorted(phases.items())},
        },
        "beslistermijn": {
            "besloten": decided.besloten, "binnen_termijn": decided.binnen_termijn,
            "aandeel_binnen_termijn": (round(100 * decided.binnen_termijn / decided.besloten, 1)
                                       if decided.besloten else None),
            "na_verdaging": decided.na_verdaging, "verlopen": decided.verlopen,
        },
        "opschortingen": _sum(counts, _term_events(catalog, gemeente, "opschorten")),
        "verdagingen": _sum(counts, _term_events(catalog, gemeente, "verlengen")),
        "bezwaren": {name: _sum(counts, events) for name, events in BEZWAREN.items()},
        "overname": {"overgenomen": taken.aantal, "budget": round(taken.budget, 2), "lopend": taken.lopend,
                     "lopend_budget": round(taken.lopend_budget, 2)},
        "evaluaties": {name: _sum(counts, events) for name, events in EVALUATIES.items()},
    }


def known_gemeenten(catalog: Catalog) -> list[str]:
    """The gemeenten r2c has a definition for."""
    return catalog.ids(soort="gemeente")


def check_request(catalog: Catalog, clock: Clock, *, gemeente: str, jaar: int) -> None:
    """Refuses an unknown gemeente (naming the known ones) and a year in the future, in one Dutch line."""
    known = known_gemeenten(catalog)
    if gemeente not in known:
        raise UnknownGemeente(f"onbekende gemeente '{gemeente}'; bekend: {', '.join(known)}")
    this_year = today(clock).year
    if jaar > this_year:
        raise ConfigError(f"--jaar {jaar} ligt in de toekomst; een rapport kan tot en met {this_year}")
    if jaar < 1900:
        raise ConfigError(f"--jaar {jaar} is geen geldig jaar")


def build_report(service: ChallengeService, *, gemeente: str, jaar: int, naam: str | None = None) -> Report:
    """The report of ``gemeente`` over ``jaar`` (and the year before), read in one transaction."""
    catalog = service.catalog
    check_request(catalog, service.clock, gemeente=gemeente, jaar=jaar)
    day = today(service.clock)
    fasen: dict[str, str] = {}
    criteria: dict[str, str] = {}
    for loaded in catalog.versions(gemeente):
        fasen.update({key: f.label for key, f in loaded.definition.fasen.items()})
        criteria.update({key: c.label for key, c in loaded.definition.criteria.items()})
    with service.reading() as connection:
        now = year_figures(connection, catalog=catalog, gemeente=gemeente, jaar=jaar, day=day,
                           criteria=list(criteria))
        before = year_figures(connection, catalog=catalog, gemeente=gemeente, jaar=jaar - 1, day=day,
                              criteria=list(criteria))
    for figures in (now, before):  # the phases in the procedure's order, not the alphabet's
        per_fase = figures["doorlooptijd"]["per_fase"]
        figures["doorlooptijd"]["per_fase"] = dict(sorted(per_fase.items(),
                                                          key=lambda kv: list(fasen).index(kv[0])
                                                          if kv[0] in fasen else len(fasen)))
    return Report(gemeente=gemeente, naam=naam or gemeente.capitalize(), jaar=jaar, gemaakt_op=day, dit_jaar=now,
                  vorig_jaar=before, fasen=fasen, criteria=criteria)
