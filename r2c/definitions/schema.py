"""The workflow definition format: pydantic models of a resolved definition (model file plus gemeente file).

Keys are Dutch, as a policy officer reads them. A gemeente file states only what differs from its base; the
loader merges it over the base and validates the result against these models. ``r2c workflows schema`` exports
them as JSON Schema for editors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Names = Annotated[list[str], BeforeValidator(_as_list)]
"""One name or a list of names: ``van: toetsing`` and ``van: [toetsing, besluit]`` both work."""

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Sourced(_Strict):
    """Fields every item may carry to say where it comes from and whether that was checked."""

    artikel: str | None = Field(None, description="Artikel waarop dit rust, bv. 'Awb 4:13' of 'art. 5 lid 2'.")
    geverifieerd: bool = Field(True, description="false als de waarde niet tegen de brontekst is gecontroleerd.")
    opmerking: str | None = Field(None, description="Toelichting, bv. waarom iets niet geverifieerd is.")


class Bron(_Strict):
    """The published text a definition encodes."""

    titel: str
    cvdr: str | None = Field(None, pattern=r"^CVDR\d+(_\d+)?$")
    adres: str | None = None
    datum: date | None = Field(None, description="Datum van de tekst of van inwerkingtreding.")
    geverifieerd: bool = True
    opmerking: str | None = None


class Rol(_Strict):
    """Who may act: initiatiefnemer, behandelaar, teamleider, college, systeem, or a gemeente's own."""

    label: str
    omschrijving: str | None = None


class Termijn(_Sourced):
    """A named term; its arithmetic lives in r2c.termijnen."""

    label: str
    duur: str = Field(description="'8 weken', '10 werkdagen', '1 jaar' of ISO 8601 'P8W'.")
    atw: bool = Field(True, description="Of de Algemene termijnenwet geldt (standaard aan voor Awb-termijnen).")
    herinneringen: list[str] = Field(default_factory=list, description="Bv. ['10 werkdagen voor', 'op de dag'].")
    escalatie: str | None = Field(None, description="Bv. '1 werkdag na': de teamleider krijgt bericht.")
    verlenging: str | None = Field(None, description="Met hoeveel een verdaging de termijn verlengt (Awb 4:14), "
                                                     "bv. '6 weken'. Nodig als een transitie de termijn verlengt.")
    herinneren: Literal["behandelaar", "initiatiefnemer"] = Field(
        "behandelaar", description="Wie de herinneringen krijgt: wie op tijd iets moet doen.")
    bij_verstrijken: str | None = Field(None, description="Event dat het systeem vuurt de dag na de einddatum, "
                                                          "bv. 'hersteltermijn_verstreken'.")
    handelt: Literal["gemeente", "initiatiefnemer", "initiatiefnemer_mag"] | None = Field(
        None, description="Wie in deze termijn iets doet, voor de statuspagina: 'gemeente' (wat gebeurt er nu), "
                          "'initiatiefnemer' (wat moet u doen) of 'initiatiefnemer_mag' (wat kunt u ook doen). "
                          "Standaard: 'initiatiefnemer' als 'herinneren: initiatiefnemer', anders 'gemeente'.")
    uitleg: str | None = Field(None, description="De zin op de statuspagina zolang de termijn loopt, in gewone "
                                                 "woorden (B1), met {datum} voor de laatste dag, bv. 'De gemeente "
                                                 "beslist uiterlijk op {datum}.' Verplicht als een transitie de "
                                                 "termijn start.")
    uitleg_te_laat: str | None = Field(None, description="De zin als de laatste dag voorbij is en de termijn nog "
                                                         "loopt, met {datum}; standaard een algemene zin.")
    uitleg_opgeschort: str | None = Field(None, description="De zin zolang de termijn stilstaat; standaard een "
                                                            "algemene zin.")
    start: Literal["gebeurtenis", "volledig"] = Field(
        "gebeurtenis", description="'gebeurtenis' (standaard): de termijn telt vanaf de stap die hem start; een "
                                   "verzoek om aanvulling schort hem op en de aanvulling laat hem verder lopen "
                                   "(Awb 4:15). 'volledig': de termijn telt vanaf het volledige verzoek: de stap "
                                   "die hem hervat, start hem opnieuw, vanaf nul.")
    verlenging_ten_hoogste: bool = Field(
        False, description="true: 'verlenging' is het maximum ('eenmaal met ten hoogste 6 weken verdagen'); de "
                           "behandelaar geeft de lengte bij het verdagen als gegeven 'verlenging' (een getal, in "
                           "de eenheid van 'verlenging').")
    uitleg_verdaagd: str | None = Field(None, description="De zin op de statuspagina als de termijn verlengd is, met "
                                                          "{datum} en {verlenging} (de gekozen lengte); standaard "
                                                          "'uitleg'.")
    dwangsom: Identifier | None = Field(
        None, description="Deze termijn is de twee weken na een ingebrekestelling (Awb 4:17 lid 3): noem de "
                          "beslistermijn die eerst verstreken moet zijn. Na deze termijn loopt de dwangsom per dag "
                          "(Awb 4:17), tot de termijn stopt (het besluit) of ten hoogste 42 dagen.")

    @property
    def rubriek(self) -> str:
        """Where the status page puts this term: 'gemeente', 'initiatiefnemer' or 'initiatiefnemer_mag'."""
        return self.handelt or ("initiatiefnemer" if self.herinneren == "initiatiefnemer" else "gemeente")


class Brief(_Sourced):
    """A letter r2c produces; the text is a template with the same name."""

    titel: str
    aan: str = Field("initiatiefnemer", description="De rol die de brief krijgt.")


class Vereiste(_Sourced):
    """A required element of a request (what the aanvraag must contain)."""

    label: str
    verplicht: bool = True
    gegeven: Identifier | None = Field(None, description="Het gegeven (getal of bedrag) dat de grens van dit onderdeel "
                                                         "meet, bv. 'aantal_handtekeningen'; de voorwaarde "
                                                         "'vereisten_binnen_grenzen' toetst het.")
    minimum: float | None = Field(None, description="Ten minste dit aantal of bedrag (bv. 25 ingezetenen).")
    maximum: float | None = Field(None, description="Hoogstens dit aantal of bedrag (bv. een budgetplafond).")
    eenheid: str | None = Field(None, description="Waarvan het gegeven er zoveel telt, in het meervoud "
                                                  "(bv. 'handtekeningen'), voor de melding; 'euro' noemt "
                                                  "bedragen ('€ 50.000').")


class Criterium(_Sourced):
    """A toetsingscriterium the behandelaar assesses and motivates."""

    label: str
    omschrijving: str | None = None


class Partij(_Sourced):
    """A kind of party that may (or may not) challenge, as the submission states it (ingezetene, vereniging, ...)."""

    label: str = Field(description="Hoe het formulier deze soort noemt, in gewone woorden (B1), bv. 'Ik woon in "
                                   "de gemeente'.")
    toegelaten: bool = Field(True, description="false: deze soort partij mag niet uitdagen (zie 'niet_toegelaten').")
    reden: str | None = Field(None, description="Bij toegelaten: false: waarom niet, in gewone woorden (B1); de "
                                                "melding aan de initiatiefnemer of de behandelaar.")


class Toelating(_Strict):
    """Who may challenge and what cannot be challenged. ``wie`` and ``uitgesloten`` (tasks) are shown to
    initiatiefnemers; ``partijen`` is checked at intake."""

    wie: list[str] = Field(default_factory=list, description="Wie mag uitdagen, als tekst voor de initiatiefnemer.")
    uitgesloten: list[str] = Field(default_factory=list, description="Taken die niet uitgedaagd kunnen worden (geen "
                                   "partijen: een soort partij die niet mag, staat in 'partijen' met "
                                   "'toegelaten: false').")
    partijen: dict[Identifier, Partij] = Field(default_factory=dict, description=(
        "De soorten partij die de indiening noemt (bv. ingezetene, vereniging, stichting, onderneming); leeg: de "
        "indiening vraagt het niet."))
    niet_toegelaten: Literal["weigeren", "markeren"] = Field("weigeren", description=(
        "Wat een indiening van een soort met 'toegelaten: false' krijgt: 'weigeren' (niet ingediend, met de reden) "
        "of 'markeren' (ingediend, gemarkeerd voor de behandelaar)."))
    artikel: str | None = None
    geverifieerd: bool = True
    opmerking: str | None = None


Resultaat = Literal["uitgevoerd", "afgewezen", "ingetrokken", "buiten_behandeling"]


class Staat(_Strict):
    """A state inside a phase."""

    label: str
    omschrijving: str | None = Field(None, description="Wat deze staat voor de initiatiefnemer betekent, in gewone "
                                                       "woorden (B1), voor de statuspagina; bij een eindstaat de "
                                                       "uitkomst. Verplicht in een fase die aan staat.")
    eind: bool = Field(False, description="Een eindstaat: de uitdaging is afgesloten.")
    resultaat: Resultaat | None = None


class Fase(_Strict):
    """A phase of the procedure; its states are its children (hierarchical states)."""

    label: str
    omschrijving: str | None = Field(None, description="Wat er in deze stap gebeurt, voor de initiatiefnemer in "
                                                       "gewone woorden (B1), voor de statuspagina. Verplicht als "
                                                       "de fase aan staat.")
    optioneel: bool = Field(False, description="Een fase die niet iedere uitdaging doorloopt; de statuspagina "
                                               "toont haar alleen als de uitdaging erin staat.")
    actief: bool = True
    verplicht: bool = Field(False, description="Een verplicht vooroverleg: iedere indiening begint in deze fase (de "
                                               "stap van de initiatiefnemer vanuit de beginstaat erheen); de aanvraag "
                                               "zelf volgt daarna. Hoogstens één fase; de statuspagina toont haar "
                                               "altijd.")
    staten: dict[Identifier, Staat]


class TermijnActies(_Strict):
    """What a transition does to named terms."""

    start: list[str] = Field(default_factory=list)
    stop: list[str] = Field(default_factory=list)
    opschorten: list[str] = Field(default_factory=list)
    hervatten: list[str] = Field(default_factory=list)
    verlengen: list[str] = Field(default_factory=list)

    def all(self) -> list[tuple[str, str]]:
        """(action, term name) pairs in a fixed order."""
        return [(action, name) for action in ("stop", "opschorten", "hervatten", "verlengen", "start")
                for name in getattr(self, action)]


class Gegeven(_Strict):
    """A field of data that comes with an event."""

    type: Literal["tekst", "ja_nee", "datum", "bedrag", "getal", "lijst", "vereisten", "beoordelingen"] = Field(
        "tekst", description="'vereisten': lijst van vereiste-ids; 'beoordelingen': per criterium oordeel en motivering.")
    verplicht: bool = False
    max_lengte: int = Field(10_000, gt=0)
    label: str | None = None


class Transitie(_Sourced):
    """A way from one state to another, fired by an event by one of the roles."""

    event: Identifier | None = Field(None, description="Naam van het event; standaard de sleutel.")
    label: str
    van: Names = Field(description="Staat ('fase.staat') of hele fase ('fase'), of een lijst daarvan.")
    naar: str | None = Field(None, description="Doelstaat 'fase.staat'; leeg = blijft in dezelfde staat.")
    anders_naar: str | None = Field(None, description="Doel als de fase van 'naar' bij deze gemeente niet bestaat.")
    rollen: Names
    voorwaarden: list[str] = Field(default_factory=list, description="Namen van voorwaarden (guards).")
    termijnen: TermijnActies = Field(default_factory=TermijnActies)
    brieven: list[str] = Field(default_factory=list)
    zet: dict[Identifier, Any] = Field(default_factory=dict, description="Feiten die deze stap vastlegt.")
    gegevens: dict[Identifier, Gegeven] = Field(default_factory=dict)
    uitleg: str | None = Field(None, description="Voor een stap van de initiatiefnemer: wat die nu kan doen, "
                                                 "in gewone woorden (B1), op de statuspagina (bv. 'Wilt u toch "
                                                 "stoppen? Dan kunt u uw aanvraag intrekken.').")
    knop: str | None = Field(None, description="Voor een stap van de initiatiefnemer: de tekst van de link en de "
                                               "knop op de statuspagina, B1 (bv. 'Stukken sturen'); leeg: het label.")


class Archief(_Sourced):
    """What happens to a closed challenge's records, per result (Archiefwet 1995, selectielijst)."""

    archiefnominatie: Literal["vernietigen", "blijvend_bewaren"]
    bewaartermijn: str | None = Field(None, description="Hoe lang na afsluiten bewaren, bv. '5 jaar'; "
                                                        "nodig bij 'vernietigen'.")


class Migratie(_Strict):
    """How running challenges move from an older version to this one: an explicit mapping of states."""

    van_versie: str
    staten: dict[str, str]
    opmerking: str | None = None


class Definition(_Strict):
    """A resolved workflow definition: one version of one model or gemeente."""

    soort: Literal["model", "gemeente"]
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64,
                    description="Model-id of gemeentenaam in kleine letters, bv. 'vng-model-2024', 'gouda'.")
    naam: str
    versie: str = Field(pattern=r"^[0-9A-Za-z.\-]+$")
    geldig_vanaf: date
    extends: str | None = Field(None, description="'model-id@versie' waarop dit bestand voortbouwt.")
    bron: Bron
    initieel: str
    indiening: Names | None = Field(None, description=(
        "De events waarmee een uitdaging wordt ingediend, vanuit de beginstaat (de eerste: die van de API en het "
        "formulier). Standaard 'indienen', of bij een verplichte fase de stap van de initiatiefnemer erheen."))
    rollen: dict[Identifier, Rol]
    termijnen: dict[Identifier, Termijn] = Field(default_factory=dict)
    brieven: dict[Identifier, Brief] = Field(default_factory=dict)
    vereisten: dict[Identifier, Vereiste] = Field(default_factory=dict)
    criteria: dict[Identifier, Criterium] = Field(default_factory=dict)
    toelating: Toelating = Field(default_factory=Toelating)
    fasen: dict[Identifier, Fase]
    transities: dict[Identifier, Transitie]
    archief: dict[Resultaat, Archief] = Field(default_factory=dict, description=(
        "Per resultaat: archiefnominatie en bewaartermijn, geteld vanaf het afsluiten."))
    migraties: list[Migratie] = Field(default_factory=list)

    @property
    def key(self) -> str:
        """'id@versie', the name under which this version is known."""
        return f"{self.id}@{self.versie}"


IDENTITY_KEYS = ("soort", "id", "naam", "versie", "geldig_vanaf", "extends", "bron", "migraties")
"""Keys a file never inherits from its base: they say what the file itself is."""
