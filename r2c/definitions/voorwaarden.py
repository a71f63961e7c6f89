"""Voorwaarden (guards): the conditions a definition can put on a transition, by name.

A voorwaarde is a pure function of the definition, the facts of the challenge (with the event's data already
merged in) and the reason given. It returns None when met, else one Dutch sentence saying what is missing.
A gemeente chooses voorwaarden by name in its file; the loader rejects names that are not registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from r2c.definitions.schema import Definition

OORDELEN = ("voldoet", "voldoet_niet", "niet_van_toepassing")
"""The possible outcomes of assessing one criterion."""

CheckFn = Callable[["Definition", Mapping[str, Any], "str | None"], "str | None"]


@dataclass(frozen=True)
class Voorwaarde:
    """A named condition with its legal basis and the check itself.

    Attributes:
        naam: the name used in definition files.
        omschrijving: what it demands, in Dutch.
        artikel: the rule it rests on.
        check: returns None when met, else what is missing.
    """

    naam: str
    omschrijving: str
    artikel: str
    check: CheckFn


def _missing_vereisten(definition: Definition, facts: Mapping[str, Any]) -> list[str]:
    present = set(facts.get("vereisten") or ())
    return [v.label for k, v in definition.vereisten.items() if v.verplicht and k not in present]


def _vereisten_compleet(definition, facts, reason):
    missing = _missing_vereisten(definition, facts)
    return f"de aanvraag mist nog: {', '.join(missing)}" if missing else None


def _vereisten_onvolledig(definition, facts, reason):
    if _missing_vereisten(definition, facts):
        return None
    return "alle verplichte onderdelen zijn aanwezig: vraag geen aanvulling, maar neem de aanvraag in behandeling"


def _criteria_beoordeeld(definition, facts, reason):
    beoordelingen = facts.get("beoordelingen") or {}
    open_ = []
    for key, criterium in definition.criteria.items():
        b = beoordelingen.get(key) or {}
        if b.get("oordeel") not in OORDELEN or not str(b.get("motivering") or "").strip():
            open_.append(criterium.label)
    return f"nog niet beoordeeld met motivering: {', '.join(open_)}" if open_ else None


def _zienswijze_gevraagd(definition, facts, reason):
    if facts.get("weigering_op_andere_feiten") and not facts.get("zienswijze_gevraagd"):
        return ("vraag eerst de zienswijze van de initiatiefnemer: de weigering rust op gegevens "
                "die de initiatiefnemer niet zelf heeft gegeven (Awb 4:7)")
    return None


def _niet_eerder_verdaagd(definition, facts, reason):
    if facts.get("verdaagd"):
        return "de beslistermijn is al eens verdaagd; deze procedure staat dat één keer toe"
    return None


def _wijziging_omschreven(definition, facts, reason):
    return None if str(facts.get("wijziging") or "").strip() else "omschrijf de wijziging waaronder wordt toegekend"


def _motivering(definition, facts, reason):
    return None if (reason or "").strip() else "geef een motivering (reden) bij deze stap (Awb 3:46)"


BESTREDEN = {"afwijzing": "de afwijzing", "buiten_behandeling": "het buiten behandeling stellen",
             "toekenning_met_wijziging": "de toekenning met wijziging"}
"""The besluiten a bezwaar can be against (fact ``bestreden_besluit``, set by the besluit's ``zet``), in words."""


def _bezwaar_tegen(besluit: str) -> CheckFn:
    """A check that the bezwaar is against ``besluit``; a case without the fact predates it and was an afwijzing."""

    def check(definition, facts, reason):
        bestreden = facts.get("bestreden_besluit") or "afwijzing"
        if bestreden == besluit:
            return None
        return (f"deze stap is voor bezwaar tegen {BESTREDEN[besluit]}; "
                f"dit bezwaar is tegen {BESTREDEN.get(bestreden, bestreden)}")

    return check


def _bezwaartermijn_loopt(definition, facts, reason):
    if facts.get("bezwaartermijn_loopt"):
        return None
    return "de bezwaartermijn loopt niet (meer), of er is al bezwaar gemaakt"


VOORWAARDEN: dict[str, Voorwaarde] = {
    v.naam: v
    for v in (
        Voorwaarde("vereisten_compleet", "Alle verplichte onderdelen van de aanvraag zijn aanwezig.",
                   "Awb 4:2, 4:5", _vereisten_compleet),
        Voorwaarde("vereisten_onvolledig", "Minstens één verplicht onderdeel ontbreekt.", "Awb 4:5",
                   _vereisten_onvolledig),
        Voorwaarde("criteria_beoordeeld", "Elk toetsingscriterium is beoordeeld en gemotiveerd.",
                   "Awb 3:2, 3:46", _criteria_beoordeeld),
        Voorwaarde("zienswijze_gevraagd", "Een zienswijze is gevraagd vóór een weigering op andermans gegevens.",
                   "Awb 4:7", _zienswijze_gevraagd),
        Voorwaarde("niet_eerder_verdaagd", "De beslistermijn is nog niet verdaagd (één verdaging).",
                   "Awb 4:14 (eenmalig: keuze van de procedure, niet letterlijk in de Awb)",
                   _niet_eerder_verdaagd),
        Voorwaarde("wijziging_omschreven", "De wijziging van het voorstel is omschreven.", "Awb 3:46",
                   _wijziging_omschreven),
        Voorwaarde("motivering", "Een motivering is gegeven.", "Awb 3:46", _motivering),
        *(Voorwaarde(f"bezwaar_tegen_{besluit}", f"Het bezwaar is gemaakt tegen {tekst}.", "Awb 6:4, 7:11",
                     _bezwaar_tegen(besluit)) for besluit, tekst in BESTREDEN.items()),
        Voorwaarde("bezwaartermijn_loopt", "De bezwaartermijn loopt nog en er is nog geen bezwaar gemaakt.",
                   "Awb 6:7", _bezwaartermijn_loopt),
    )
}
"""Every voorwaarde a definition may name."""


def register(voorwaarde: Voorwaarde) -> None:
    """Add a voorwaarde (for a host application); a name may be registered once."""
    if voorwaarde.naam in VOORWAARDEN:
        raise ValueError(f"voorwaarde '{voorwaarde.naam}' bestaat al")
    VOORWAARDEN[voorwaarde.naam] = voorwaarde
