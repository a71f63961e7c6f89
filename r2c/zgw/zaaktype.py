"""One workflow definition version as the request bodies of the Catalogi API (ZGW Catalogi 1.3.1): the zaaktype
with its statustypen, resultaattypen, roltypen, besluittypen, informatieobjecttypen, eigenschappen and the links
between zaaktype and informatieobjecttypen. Pure: no HTTP here (``r2c.zgw.catalogi`` sends them).

Cross references are placeholders, strings that stand for a URL the Catalogi API gives out on creation:
``{catalogus}``, ``{zaaktype}``, ``{besluittype:<brief>}``, ``{informatieobjecttype:brief:<brief>}``,
``{informatieobjecttype:document:<soort>}``, and for results without the gemeente's archive choice
``{selectielijstklasse:<resultaat>}`` / ``{resultaattypeomschrijving:<resultaat>}``. ``plaatshouders`` in the JSON
says which body each placeholder is (``"besluittypen[0]"``), and ``{statustype:<fase>}`` names the statustype of
a phase for the zaak channel. docs/zgw.md has the mapping tables.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from r2c.definitions.loader import Loaded
from r2c.definitions.schema import Definition
from r2c.errors import ConfigError
from r2c.termijnen.duur import Unit, parse_duur
from r2c.zgw.config import VARIABLE, ZgwGemeente

BESLISTERMIJN = "beslistermijn"
BEZWAARTERMIJN = "bezwaartermijn"
VERTROUWELIJKHEID = "zaakvertrouwelijk"
"""A challenge holds personal data of the initiatiefnemer: only those involved in the zaak may see it."""
DOCUMENTEN = {"aanvraag": ("Aanvraag uitdaagrecht", "Aanvraag"),
              "bijlage": ("Bijlage bij een uitdaging", "Bijlage")}
"""The document kinds the initiatiefnemer sends (the aanvraag and the documents added to it): key -> (omschrijving,
informatieobjectcategorie)."""
EIGENSCHAP_FORMAAT = {"bedrag": ("getal", "15"), "getal": ("getal", "15"), "datum": ("datum", "8")}
"""Gegevens worth exposing as eigenschappen: their type -> (formaat, lengte) of the Catalogi API."""
ROLTYPEN = (("initiator", "initiatiefnemer", "Initiatiefnemer"), ("behandelaar", "behandelaar", "Behandelaar"),
            ("beslisser", "college", "College van burgemeester en wethouders"))
"""omschrijvingGeneriek -> the definition's role it stands for, and the omschrijving when the role is missing."""


def identificatie(definition: Definition) -> str:
    """The zaaktype's identificatie in the catalogus: the same for every version of one workflow."""
    return f"r2c-{definition.id}"[:50]


@dataclass
class Zaaktype:
    """The Catalogi request bodies of one workflow version.

    Attributes:
        zaaktype: the ZaakType body.
        statustypen: one per phase, ``(fase, body)``, in volgnummer order; the last is the eind status.
        resultaattypen: one per closing result, ``(resultaat, body)``.
        roltypen: initiator, behandelaar, beslisser.
        besluittypen: one per besluit letter, ``(brief, body)``.
        informatieobjecttypen: ``(key, body)``, key ``brief:<brief>`` or ``document:<soort>``.
        eigenschappen: the typed gegevens, ``(naam, body)``.
        koppelingen: ZaakTypeInformatieObjectType bodies.
        waarschuwingen: what is a placeholder the gemeente must fill in (Dutch, one line each).
    """

    zaaktype: dict[str, Any]
    statustypen: list[tuple[str, dict[str, Any]]]
    resultaattypen: list[tuple[str, dict[str, Any]]]
    roltypen: list[dict[str, Any]]
    besluittypen: list[tuple[str, dict[str, Any]]]
    informatieobjecttypen: list[tuple[str, dict[str, Any]]]
    eigenschappen: list[tuple[str, dict[str, Any]]]
    koppelingen: list[dict[str, Any]]
    waarschuwingen: list[str] = field(default_factory=list)

    def plaatshouders(self) -> dict[str, str]:
        """Each placeholder -> the body it stands for (``"besluittypen[0]"``)."""
        found = {"{catalogus}": "de catalogus van de gemeente (R2C_ZGW_CONFIG catalogus)",
                 "{zaaktype}": "zaaktype"}
        found |= {f"{{statustype:{k}}}": f"statustypen[{i}]" for i, (k, _) in enumerate(self.statustypen)}
        found |= {f"{{besluittype:{k}}}": f"besluittypen[{i}]" for i, (k, _) in enumerate(self.besluittypen)}
        found |= {f"{{informatieobjecttype:{k}}}": f"informatieobjecttypen[{i}]"
                  for i, (k, _) in enumerate(self.informatieobjecttypen)}
        for resultaat, body in self.resultaattypen:
            for key in ("selectielijstklasse", "resultaattypeomschrijving"):
                if body[key].startswith("{"):
                    found[body[key]] = (f"de keuze van de archivaris voor '{resultaat}': {VARIABLE} "
                                        f"resultaten.{resultaat}.{key}")
        return found

    def as_json(self) -> dict[str, Any]:
        """What ``r2c zgw zaaktype`` prints."""
        return {"zaaktype": self.zaaktype,
                "statustypen": [b for _, b in self.statustypen],
                "resultaattypen": [b for _, b in self.resultaattypen],
                "roltypen": self.roltypen,
                "besluittypen": [b for _, b in self.besluittypen],
                "informatieobjecttypen": [b for _, b in self.informatieobjecttypen],
                "eigenschappen": [b for _, b in self.eigenschappen],
                "zaaktypeinformatieobjecttypen": self.koppelingen,
                "plaatshouders": self.plaatshouders(),
                "waarschuwingen": self.waarschuwingen}

    def dumps(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False)


def iso_duur(text: str) -> str:
    """A term length as an ISO 8601 duration (P8W). Werkdagen have no ISO form: n werkdagen become the calendar days
    they span at most without feestdagen (n plus a weekend per started 5), so a zaaksysteem never ends early."""
    duur = parse_duur(text)
    if duur.unit is Unit.WERKDAGEN:
        return f"P{duur.amount + 2 * math.ceil(duur.amount / 5)}D"
    return duur.iso()


def main_path(loaded: Loaded) -> list[str]:
    """The phases along the main path: the shortest way from the initial state to the 'uitgevoerd' end state (or,
    without one, to the first end state), each phase once, in the order the path enters them."""
    graph = loaded.graph
    eind = [s for s, staat in graph.states.items() if staat.eind]
    goals = {s for s in eind if graph.states[s].resultaat == "uitgevoerd"} or set(eind[:1])
    start = loaded.definition.initieel
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    reached = None
    while queue:
        here = queue.popleft()
        if here in goals:
            reached = here
            break
        for edge in graph.edges:
            if edge.source == here and edge.dest is not None and edge.dest not in previous:
                previous[edge.dest] = here
                queue.append(edge.dest)
    states: list[str] = []
    step = reached
    while step is not None:
        states.append(step)
        step = previous[step]
    return list(dict.fromkeys(graph.phase_of[s] for s in reversed(states) if s in graph.phase_of))


def phases(loaded: Loaded) -> tuple[list[str], list[str]]:
    """(the phases of the statustypen before the end, the end phases): every active phase that is not only end
    states, the main path first in its order and each other phase after the phase before it in the file."""
    d = loaded.definition
    active = [f for f, fase in d.fasen.items() if fase.actief]
    end = [f for f in active if all(s.eind for s in d.fasen[f].staten.values())]
    ordered = [f for f in main_path(loaded) if f not in end]
    for index, fase in enumerate(active):
        if fase in end or fase in ordered:
            continue
        before = [f for f in active[:index] if f in ordered]
        ordered.insert(ordered.index(before[-1]) + 1 if before else 0, fase)
    return ordered, end


def besluit_brieven(loaded: Loaded) -> list[str]:
    """The letters that carry a besluit (Awb 1:3): those of a step that starts the bezwaartermijn (Awb 6:7), or that
    ends the beslistermijn by a role other than the initiatiefnemer (the decision on the aanvraag, Awb 4:13; the
    initiatiefnemer ending it is a withdrawal). In the order of ``brieven``."""
    found: set[str] = set()
    for edge in loaded.graph.edges:
        acts = edge.spec.termijnen
        decides = BESLISTERMIJN in acts.stop and set(edge.spec.rollen) != {"initiatiefnemer"}
        if decides or BEZWAARTERMIJN in acts.start:
            found.update(edge.spec.brieven)
    return [b for b in loaded.definition.brieven if b in found]


def build_zaaktype(loaded: Loaded, *, gemeente: ZgwGemeente | None = None, einde: Loaded | None = None,
                   strict: bool = False) -> Zaaktype:
    """The Catalogi bodies of ``loaded``. ``gemeente`` gives the archivist's choices per result; ``einde`` is the
    next version (its geldig_vanaf ends this one). A result without those choices is a ConfigError naming the
    result and the key when ``strict``, else a placeholder and a warning."""
    d = loaded.definition
    if BESLISTERMIJN not in d.termijnen:
        raise ConfigError(f"{loaded.file}: de workflow {d.key} heeft geen termijn '{BESLISTERMIJN}'; die geeft de "
                          "doorlooptijd van het zaaktype")
    begin = d.geldig_vanaf.isoformat()
    eind = (einde.definition.geldig_vanaf - timedelta(days=1)).isoformat() if einde is not None else None
    geldig = {"beginGeldigheid": begin, "eindeGeldigheid": eind}
    besluiten = besluit_brieven(loaded)
    warnings: list[str] = []

    iotypes = [(f"brief:{key}", {
        "catalogus": "{catalogus}", "omschrijving": brief.titel[:80], "vertrouwelijkheidaanduiding": VERTROUWELIJKHEID,
        "informatieobjectcategorie": "Besluit" if key in besluiten else "Brief", "beginGeldigheid": begin,
    }) for key, brief in d.brieven.items()]
    iotypes += [(f"document:{key}", {
        "catalogus": "{catalogus}", "omschrijving": omschrijving, "vertrouwelijkheidaanduiding": VERTROUWELIJKHEID,
        "informatieobjectcategorie": categorie, "beginGeldigheid": begin,
    }) for key, (omschrijving, categorie) in DOCUMENTEN.items()]

    bezwaar = d.termijnen.get(BEZWAARTERMIJN)
    besluittypen = [(key, {
        "catalogus": "{catalogus}", "omschrijving": d.brieven[key].titel[:80], "besluitcategorie": "uitdaagrecht",
        "reactietermijn": iso_duur(bezwaar.duur) if bezwaar else None, "publicatieIndicatie": False,
        "informatieobjecttypen": [f"{{informatieobjecttype:brief:{key}}}"],
        "toelichting": f"Brief '{key}' van r2c" + (f" ({d.brieven[key].artikel})" if d.brieven[key].artikel else ""),
        "beginGeldigheid": begin,
    }) for key in besluiten]

    term = d.termijnen[BESLISTERMIJN]
    edges = loaded.graph.edges
    suspends = any(BESLISTERMIJN in e.spec.termijnen.opschorten for e in edges)
    extends = any(BESLISTERMIJN in e.spec.termijnen.verlengen for e in edges) and term.verlenging is not None
    college = d.rollen.get("college")
    zaaktype = {
        "identificatie": identificatie(d),
        "omschrijving": d.naam[:80],
        "vertrouwelijkheidaanduiding": VERTROUWELIJKHEID,
        "doel": "Een uitdaging onder het uitdaagrecht (Right to Challenge) behandelen: toetsen, besluiten en, na "
                "toekenning, de overname van een taak van de gemeente begeleiden.",
        "aanleiding": "Een initiatiefnemer daagt de gemeente uit een taak over te nemen (uitdaagrecht).",
        "toelichting": f"Workflow {d.key} van r2c, geldig vanaf {begin}; bron: {d.bron.titel}"
                       + (f" ({d.bron.adres})" if d.bron.adres else ""),
        "indicatieInternOfExtern": "extern",
        "handelingInitiator": "Indienen",
        "onderwerp": "Uitdaagrecht",
        "handelingBehandelaar": "Behandelen",
        "doorlooptijd": iso_duur(term.duur),
        "servicenorm": None,
        "opschortingEnAanhoudingMogelijk": suspends,
        "verlengingMogelijk": extends,
        "verlengingstermijn": iso_duur(term.verlenging) if extends and term.verlenging else None,
        "trefwoorden": ["uitdaagrecht", "right to challenge"],
        "publicatieIndicatie": False,
        "productenOfDiensten": [],
        "referentieproces": {"naam": "Uitdaagrecht"},
        "verantwoordelijke": (college.label if college else "College van burgemeester en wethouders")[:50],
        "versiedatum": begin,
        "catalogus": "{catalogus}",
        "besluittypen": [f"{{besluittype:{key}}}" for key, _ in besluittypen],
        "gerelateerdeZaaktypen": [],
        **geldig,
    }

    before, end = phases(loaded)
    statustypen = [(fase, {
        "omschrijving": d.fasen[fase].label[:80], "statustekst": (d.fasen[fase].omschrijving or "")[:1000],
        "zaaktype": "{zaaktype}", "volgnummer": number, "informeren": True,
    }) for number, fase in enumerate(before, 1)]
    last = end[0] if end else None
    statustypen.append((last or "afgesloten", {
        "omschrijving": d.fasen[last].label[:80] if last else "Afgesloten",
        "statustekst": (d.fasen[last].omschrijving or "")[:1000] if last else "",
        "zaaktype": "{zaaktype}", "volgnummer": len(before) + 1, "informeren": True,
    }))

    resultaattypen = []
    results: dict[str, str] = {}
    for staat in loaded.graph.states.values():
        if staat.eind and staat.resultaat:
            results.setdefault(staat.resultaat, staat.label)
    for resultaat, label in results.items():
        keuze = gemeente.resultaten.get(resultaat) if gemeente else None
        if keuze is None:
            where = f"[gemeente.{d.id}.resultaten.{resultaat}]"
            message = (f"{VARIABLE}: {where} ontbreekt: geef voor het resultaat '{resultaat}' de "
                       "selectielijstklasse en resultaattypeomschrijving (URL's van de Selectielijst-API, de keuze "
                       "van de archivaris); zie docs/zgw.md")
            if strict:
                raise ConfigError(message)
            warnings.append(message)
        body: dict[str, Any] = {
            "zaaktype": "{zaaktype}", "omschrijving": label[:30],
            "resultaattypeomschrijving": keuze.resultaattypeomschrijving if keuze
            else f"{{resultaattypeomschrijving:{resultaat}}}",
            "selectielijstklasse": keuze.selectielijstklasse if keuze else f"{{selectielijstklasse:{resultaat}}}",
            "brondatumArchiefprocedure": {"afleidingswijze": "afgehandeld"},
            "beginGeldigheid": begin, "eindeGeldigheid": eind,
        }
        archief = d.archief.get(resultaat)  # type: ignore[call-overload]
        if archief is not None:
            body["archiefnominatie"] = archief.archiefnominatie
            if archief.bewaartermijn:
                body["archiefactietermijn"] = iso_duur(archief.bewaartermijn)
            body["toelichting"] = "; ".join(x for x in (archief.artikel, archief.opmerking) if x)
        resultaattypen.append((resultaat, body))

    roltypen = [{"zaaktype": "{zaaktype}", "omschrijvingGeneriek": generiek,
                 "omschrijving": (d.rollen[rol].label if rol in d.rollen else fallback)[:100], **geldig}
                for generiek, rol, fallback in ROLTYPEN]

    eigenschappen: dict[str, dict[str, Any]] = {}
    for transitie in d.transities.values():
        for naam, gegeven in transitie.gegevens.items():
            if gegeven.type not in EIGENSCHAP_FORMAAT or len(naam) > 20 or naam in eigenschappen:
                continue
            formaat, lengte = EIGENSCHAP_FORMAAT[gegeven.type]
            eigenschappen[naam] = {
                "naam": naam, "definitie": (gegeven.label or f"{naam} (stap '{transitie.label}')")[:255],
                "specificatie": {"formaat": formaat, "lengte": lengte, "kardinaliteit": "1"},
                "toelichting": f"Gegeven '{naam}' ({gegeven.type}) bij de stap '{transitie.label}'"[:1000],
                "zaaktype": "{zaaktype}", **geldig,
            }

    koppelingen = [{"zaaktype": "{zaaktype}", "informatieobjecttype": f"{{informatieobjecttype:{key}}}",
                    "volgnummer": number, "richting": "uitgaand" if key.startswith("brief:") else "inkomend"}
                   for number, (key, _) in enumerate(iotypes, 1)]
    return Zaaktype(zaaktype, statustypen, resultaattypen, roltypen, besluittypen, iotypes,
                    list(eigenschappen.items()), koppelingen, warnings)
