"""Voorwaarden (guards): the conditions a definition can put on a transition, by name.

A voorwaarde is a pure function of the definition, the facts of the challenge (with the event's data already
merged in) and the reason given. It returns None when met, else one Dutch sentence saying what is missing.
A gemeente chooses voorwaarden by name in its file; the loader rejects names that are not registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from r2c.termijnen.awb import euro

if TYPE_CHECKING:
    from r2c.definitions.schema import Definition, Vereiste

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


def _getal(value: Any) -> float | None:
    """``value`` as a number (a getal, or a bedrag as text such as '12500.00'); None when it is none."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def getal_tekst(number: float) -> str:
    """A bound or count as a person writes it: 25, not 25.0."""
    return str(int(number)) if float(number).is_integer() else str(number)


EURO = ("euro", "euro's", "€")
"""The ``eenheid`` of a vereiste that counts money: its refusal names amounts, as Dutch texts write them."""


def grens_melding(vereiste: Vereiste, value: Any) -> str | None:
    """What is wrong with ``value`` against the bounds of ``vereiste`` (Dutch, naming the bound), or None."""
    number = _getal(value)
    artikel = f" ({vereiste.artikel})" if vereiste.artikel else ""
    if number is None:
        return f"{vereiste.label}: geef het aantal op (gegeven '{vereiste.gegeven}'){artikel}"
    shown = getal_tekst
    if vereiste.eenheid in EURO:  # an amount: 'het bedrag is € 62.500', not 'er zijn 62500 euro'
        shown = euro
        er_zijn = f"het bedrag is {euro(number)}; de verordening vraagt"
    elif vereiste.eenheid:
        er_zijn = f"er zijn {getal_tekst(number)} {vereiste.eenheid}; de verordening vraagt er"
    else:
        er_zijn = f"{vereiste.label} is {getal_tekst(number)}; de verordening vraagt"
    if vereiste.minimum is not None and number < vereiste.minimum:
        return f"{er_zijn} ten minste {shown(vereiste.minimum)}{artikel}"
    if vereiste.maximum is not None and number > vereiste.maximum:
        return f"{er_zijn} hoogstens {shown(vereiste.maximum)}{artikel}"
    return None


def _vereisten_binnen_grenzen(definition, facts, reason):
    problems = []
    for vereiste in definition.vereisten.values():
        if vereiste.gegeven is None or (facts.get(vereiste.gegeven) is None and not vereiste.verplicht):
            continue
        if problem := grens_melding(vereiste, facts.get(vereiste.gegeven)):
            problems.append(problem)
    return "; ".join(problems) or None


AFWIJKING = "afwijking_motivering"
"""The gegeven of a granting step that motivates granting although a criterion was assessed ``voldoet_niet``."""


def _oordeel(facts: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    item = (facts.get("beoordelingen") or {}).get(key)
    return item if isinstance(item, Mapping) else {}


def _criteria_voldoen(definition, facts, reason):
    niet = [c.label for k, c in definition.criteria.items() if _oordeel(facts, k).get("oordeel") == "voldoet_niet"]
    if not niet or str(facts.get(AFWIJKING) or "").strip():
        return None
    return (f"niet voldaan volgens de beoordeling: {', '.join(niet)}; toekennen kan alleen als elk criterium "
            f"voldoet, of met een motivering van de afwijking ({AFWIJKING}) (Awb 3:46)")


def _criterium_voldoet_niet(definition, facts, reason):
    for key in definition.criteria:
        b = _oordeel(facts, key)
        if b.get("oordeel") == "voldoet_niet" and str(b.get("motivering") or "").strip():
            return None
    labels = ", ".join(c.label for c in definition.criteria.values())
    return (f"volgens de beoordeling voldoet de aanvraag aan elk criterium ({labels}); afwijzen vraagt ten "
            "minste één criterium dat niet voldoet, met motivering (Awb 3:46)")


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
        Voorwaarde("vereisten_binnen_grenzen", "Elk onderdeel met een grens (ten minste, hoogstens) haalt die.",
                   "Awb 4:5; de verordening (het artikel van het onderdeel)", _vereisten_binnen_grenzen),
        Voorwaarde("criteria_voldoen", "Elk criterium voldoet, of de afwijking van de beoordeling is gemotiveerd.",
                   "Awb 3:2, 3:46", _criteria_voldoen),
        Voorwaarde("criterium_voldoet_niet", "Ten minste één criterium voldoet niet, met motivering.",
                   "Awb 3:2, 3:46", _criterium_voldoet_niet),
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
