"""What the API takes and gives: pydantic models with camelCase names (NL API Design Rules), built from the
service's views. Event data (``data``) keeps the names the workflow definition gives it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from r2c.service.views import AllowedEvent


class Model(BaseModel):
    """Base: camelCase on the wire, snake_case in Python; unknown request fields are refused (typos); responses
    are read from the service's views (``Model.model_validate(view)``)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True)


# -- requests ------------------------------------------------------------------------------------------------

class InitiatiefnemerIn(Model):
    """Who submits: the contact person and, if any, their organisation."""

    naam: str = Field(min_length=1, max_length=200, description="Naam van de contactpersoon")
    email: str | None = Field(default=None, max_length=254, description="E-mailadres voor berichten")
    telefoon: str | None = Field(default=None, max_length=40)
    organisatie: str | None = Field(default=None, max_length=200, description="Bewonersinitiatief of organisatie")
    adres: str | None = Field(default=None, max_length=500)


class SubmitIn(Model):
    """A new challenge (uitdaging)."""

    gemeente: str | None = Field(default=None, max_length=64,
                                 description="Gemeente; met een API-sleutel altijd de gemeente van de sleutel")
    titel: str = Field(min_length=1, max_length=200, description="Korte titel van de uitdaging")
    initiatiefnemer: InitiatiefnemerIn
    partij: str | None = Field(default=None, max_length=64, description=(
        "Wie indient: een soort partij uit 'toelating.partijen' van de definitie (bv. ingezetene, vereniging, "
        "stichting). Verplicht als de definitie soorten noemt; een soort die niet mag, wordt geweigerd (422) of "
        "gemarkeerd voor de behandelaar (feit 'partij_niet_toegelaten'), zoals de definitie kiest. Staat daarna in "
        "'facts.partij'."))
    data: dict[str, Any] = Field(default_factory=dict, description="Gegevens van het indienende event: 'indienen', "
                                 "of bij een verplicht vooroverleg de aanmelding daarvoor (zie 'indiening' in de "
                                 "definitie; bv. omschrijving, vereisten)")
    reden: str | None = Field(default=None, max_length=10_000)
    ontvangen_op: date | None = Field(default=None, description=(
        "De ontvangstdatum van een aanvraag die per post of e-mail binnenkwam en die de gemeente nu registreert "
        "(Awb 4:13: de termijnen tellen vanaf die dag). Alleen met een API-sleutel; vandaag of eerder, hoogstens een "
        "jaar terug. Zonder: vandaag."))


class FireIn(Model):
    """Data and reason of an event."""

    data: dict[str, Any] = Field(default_factory=dict, description="Gegevens zoals de definitie ze vraagt")
    reden: str | None = Field(default=None, max_length=10_000, description="Reden of motivering")


class AssignIn(Model):
    """Who becomes the behandelaar."""

    behandelaar: str = Field(min_length=1, max_length=200)


# -- responses -----------------------------------------------------------------------------------------------

class ChallengeOut(Model):
    """A challenge: where it stands now."""

    id: str = Field(description="Het id (een UUID) voor software: in URL's en koppelingen")
    kenmerk: str = Field(description="Het kenmerk voor mensen, bv. UD-2026-0042 (R2C_KENMERK_FORMAAT): uniek "
                         "binnen de gemeente, staat in brieven, e-mails en op de statuspagina")
    gemeente: str
    workflow: str
    workflow_version: str
    state: str = Field(description="Huidige staat 'fase.staat'")
    state_label: str
    fase: str
    fase_label: str
    resultaat: str | None
    titel: str
    behandelaar: str | None = Field(description="Wie de uitdaging behandelt; met een statuslink altijd leeg")
    facts: dict[str, Any] = Field(description="Wat de events vastlegden; met een statuslink alleen wat de "
                                  "initiatiefnemer zelf gaf en wat in brieven aan de initiatiefnemer staat")
    version: int = Field(description="Wijzigingsteller; geef haar mee als If-Match")
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None



class SubmittedOut(Model):
    """The new challenge and the initiatiefnemer's status link (shown this once)."""

    challenge: ChallengeOut
    status_token: str = Field(description="Token van de statuslink; r2c bewaart alleen een hash ervan")
    status_url: str = Field(description="De statuspagina voor de initiatiefnemer")


class StatusLinkOut(Model):
    """A new status link (the old ones are revoked)."""

    status_token: str
    status_url: str


class RevokedOut(Model):
    """How many status links were revoked."""

    ingetrokken: int


class PageLinks(Model):
    """Links to pages of the result (HAL-style)."""

    self: str
    next: str | None = None
    prev: str | None = None


class ChallengePage(Model):
    """One page of challenges."""

    items: list[ChallengeOut]
    total: int
    page: int
    page_size: int
    links: PageLinks = Field(alias="_links")


class EventOut(Model):
    """An event the caller's role may fire in the current state."""

    event: str
    label: str
    blocked_by: list[str] = Field(description="Voorwaarden die nog niet vervuld zijn; leeg: mag nu")
    now: bool = Field(description="Kan nu gevuurd worden")

    @classmethod
    def of(cls, allowed: AllowedEvent) -> EventOut:
        return cls(event=allowed.event, label=allowed.label, blocked_by=list(allowed.blocked_by),
                   now=not allowed.blocked_by)


class HistoryOut(Model):
    """One record of the timeline."""

    seq: int
    kind: str
    event: str | None
    transition: str | None
    from_state: str | None
    to_state: str
    actor_id: str
    actor_rol: str
    at: datetime
    artikel: str | None
    reason: str | None
    data: dict[str, Any] | None
    erased: bool



class TermOut(Model):
    """A term with the derivation of its end date."""

    name: str
    label: str
    status: str
    started_on: date
    einddatum: date | None
    suspended_from: date | None
    stopped_on: date | None
    uitleg: list[str]
    verlenging: str | None = Field(None, description="De gekozen lengte van de verdaging (Awb 4:14), bv. '4 weken'")
    dwangsom: DwangsomOut | None = Field(None, description="Bij de termijn na een ingebrekestelling: de dwangsom "
                                                           "die tot nu toe verbeurd is (Awb 4:17)")


class DwangsomOut(Model):
    """The dwangsom owed so far for not deciding in time (Awb 4:17), with its derivation."""

    eerste_dag: date
    laatste_dag: date
    tot_en_met: date = Field(description="Geteld tot en met deze dag: vandaag, of de dag vóór het besluit")
    verbeurd: int = Field(description="Verbeurd tot en met tot_en_met, in hele euro's")
    maximum: int = Field(description="Ten hoogste, in hele euro's")
    uitleg: list[str]



class DocumentOut(Model):
    """A document's metadata."""

    id: str
    name: str
    media_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by: str



class LetterOut(Model):
    """A letter a transition produced."""

    id: int
    template: str
    titel: str
    aan: str
    history_seq: int
    requested_at: datetime



class WorkflowOut(Model):
    """One version of a workflow definition."""

    id: str
    versie: str
    geldig_vanaf: date
    soort: str
    naam: str
    extends: str | None


class HealthOut(Model):
    """The server runs."""

    status: str


class ReadyOut(Model):
    """The server can work: the database answers."""

    status: str
    planner: bool
