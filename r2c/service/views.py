"""What the service takes and gives: plain frozen dataclasses, never ORM rows (usable after the session ends)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Generic, Mapping, TypeVar

from r2c.clock import as_utc
from r2c.definitions.indiening import PARTY_FACT
from r2c.definitions.schema import Definition
from r2c.engine.case import Outcome
from r2c.termijnen import Termijn, dwangsom_na, euro

T = TypeVar("T")


@dataclass(frozen=True)
class Initiatiefnemer:
    """The person or organisation that submits a challenge; stored apart from the history (AVG).

    Attributes:
        naam: name of the contact person.
        email: where r2c sends messages.
        telefoon: phone number.
        organisatie: the bewonersinitiatief or organisation, if any.
        adres: postal address.
    """

    naam: str
    email: str | None = None
    telefoon: str | None = None
    organisatie: str | None = None
    adres: str | None = None


@dataclass(frozen=True)
class Challenge:
    """A challenge as the service shows it.

    Attributes:
        id: the challenge id (a UUID, for software).
        kenmerk: what people read and quote: 'UD-2026-0042' (R2C_KENMERK_FORMAAT), unique within the gemeente.
        gemeente: the gemeente it was submitted to.
        workflow: definition id; workflow_version: the definition version it runs on.
        state: current state 'fase.staat'; fase: its phase; state_label, fase_label: their Dutch labels.
        resultaat: set once closed.
        titel: short title.
        behandelaar: the assigned behandelaar's id, if any.
        initiatiefnemer: the party id of the initiatiefnemer (their actor id).
        facts: what the events recorded.
        version: the change counter; pass it as expected_version to ``fire``.
        created_at, updated_at, closed_at: UTC moments.
    """

    id: str
    gemeente: str
    workflow: str
    workflow_version: str
    state: str
    fase: str
    state_label: str
    fase_label: str
    resultaat: str | None
    titel: str
    behandelaar: str | None
    initiatiefnemer: str | None
    facts: Mapping[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    kenmerk: str


@dataclass(frozen=True)
class Fired:
    """The result of ``submit`` or ``fire``: the challenge after the change and the domain events.

    Attributes:
        status_token: after ``submit`` only: the initiatiefnemer's status link token (shown once; r2c keeps
            only its hash). Their status page is ``/status/{status_token}``.
    """

    challenge: Challenge
    outcome: Outcome
    status_token: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One record of the timeline.

    Attributes:
        seq: 1, 2, ... per challenge.
        kind: 'transitie', 'migratie', 'document', 'toewijzing' or 'persoonsgegevens_gewist'.
        event, transition: what was fired (for a transitie).
        from_state, to_state: where the challenge was and went.
        actor_id, actor_rol: who did it, in which role.
        at: when (UTC).
        artikel: the legal basis the transition cites.
        reason, data: the reason and data given; None after erasure.
        erased: whether reason and data were erased (AVG).
    """

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
    data: Mapping[str, Any] | None
    erased: bool


@dataclass(frozen=True)
class TermView:
    """A term of a challenge with its explanation.

    Attributes:
        challenge_id: the challenge.
        name, label: the term's name in the definition and its Dutch label.
        status: 'lopend', 'opgeschort', 'gestopt' or 'vervangen'.
        started_on: the day of the event it counts from.
        einddatum: the last day on which the act is in time (None while suspended).
        suspended_from: first suspended day, while suspended.
        stopped_on: when it was stopped.
        uitleg: the derivation of the end date, in Dutch.
        verlenging: the length of the verdaging of this run (e.g. '4 weken'), if it was extended.
        dwangsom: for the term after an ingebrekestelling (``dwangsom`` in the definition), the amount owed so far.
    """

    challenge_id: str
    name: str
    label: str
    status: str
    started_on: date
    einddatum: date | None
    suspended_from: date | None
    stopped_on: date | None
    uitleg: tuple[str, ...]
    verlenging: str | None = None
    dwangsom: DwangsomView | None = None


@dataclass(frozen=True)
class DwangsomView:
    """The dwangsom owed for not deciding in time (Awb 4:17), as of a day.

    Attributes:
        eerste_dag, laatste_dag: the days it runs at most (42 days after the two weeks of the ingebrekestelling).
        tot_en_met: the day up to which it is counted: today, or the day before the term stopped (the besluit).
        verbeurd: euros owed up to ``tot_en_met``; maximum: euros owed at most.
        uitleg: its derivation, in Dutch.
    """

    eerste_dag: date
    laatste_dag: date
    tot_en_met: date
    verbeurd: int
    maximum: int
    uitleg: tuple[str, ...]

    @property
    def verbeurd_tekst(self) -> str:
        """``verbeurd`` as Dutch texts write it ('€ 357')."""
        return euro(self.verbeurd)

    @property
    def maximum_tekst(self) -> str:
        """``maximum`` as Dutch texts write it ('€ 1.442')."""
        return euro(self.maximum)


@dataclass(frozen=True)
class SearchFilters:
    """Filters of ``search``; None means: do not filter on this.

    Attributes:
        kenmerk, fase, state, resultaat: exact matches (a kenmerk finds one challenge, by its unique index).
        open: True for challenges not yet closed, False for closed ones.
        behandelaar: the assigned behandelaar's id.
        deadline_before: has a running term ending on or before this day.
        overdue_on: has a running term that ended before this day (overdue).
        niet_toegewezen: True for challenges without a behandelaar.
        zoek: a piece of the titel or the kenmerk (case-insensitive).
    """

    fase: str | None = None
    state: str | None = None
    resultaat: str | None = None
    open: bool | None = None
    kenmerk: str | None = None
    behandelaar: str | None = None
    deadline_before: date | None = None
    overdue_on: date | None = None
    niet_toegewezen: bool = False
    zoek: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results with the total count."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class AllowedEvent:
    """An event the actor's role may fire in the current state.

    Attributes:
        event, label: the event and its Dutch label.
        blocked_by: unmet conditions (Dutch); empty when it can be fired now.
    """

    event: str
    label: str
    blocked_by: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Document:
    """A document's metadata (the content comes from ``ChallengeService.document_content``)."""

    id: str
    challenge_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class Upload:
    """A document as a caller hands it in (a form's file, an API upload): its name, type and bytes."""

    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Letter:
    """A letter a transition produced (rendered on demand by r2c.notify from its template).

    Attributes:
        id: the letter's id; challenge_id: its challenge.
        template: the letter's template name; titel: its Dutch title.
        aan: who it is for ('initiatiefnemer', ...).
        history_seq: the history record (transition) that produced it.
        requested_at: when (UTC).
    """

    id: int
    challenge_id: str
    template: str
    titel: str
    aan: str
    history_seq: int
    requested_at: datetime


@dataclass(frozen=True)
class RetentionDue:
    """A closed challenge past its bewaartermijn (``r2c privacy due``).

    Attributes:
        challenge_id, gemeente, resultaat: which challenge.
        closed_on: the day it was closed; due_on: the last day of its bewaartermijn.
        archiefnominatie: 'vernietigen'.
        grondslag: where the bewaartermijn comes from.
    """

    challenge_id: str
    gemeente: str
    resultaat: str
    closed_on: date
    due_on: date
    archiefnominatie: str
    grondslag: str | None


# -- building views from rows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusView:
    """What the initiatiefnemer behind a status link may see, read in one read transaction.

    Attributes:
        actor: the initiatiefnemer (for further calls, e.g. a letter).
        challenge: their challenge, as they may see it.
        terms: its terms (running, suspended and ended).
        letters: the letters addressed to them, oldest first.
        allowed: the events they may fire now, each with what still blocks it.
        definition: the definition the challenge runs on.
        documents: the documents they sent themselves, oldest first.
    """

    actor: Any
    challenge: Challenge
    terms: list[TermView]
    letters: list[Letter]
    allowed: list[AllowedEvent]
    definition: Definition
    documents: list[Document] = field(default_factory=list)


def challenge_view(row: Any, definition: Definition, *, rol: str | None = None) -> Challenge:
    """The Challenge view of a challenge row (with its initiatiefnemer column), as the role ``rol`` may see it:
    an initiatiefnemer gets ``for_initiatiefnemer``, every other role (and None) everything."""
    fase, staat = row.state.split(".", 1)
    view = Challenge(
        row.id, row.gemeente, row.workflow, row.workflow_version, row.state, row.fase,
        definition.fasen[fase].staten[staat].label, definition.fasen[fase].label, row.resultaat, row.titel,
        row.behandelaar, row.initiatiefnemer, MappingProxyType(dict(row.facts)), row.version,
        as_utc(row.created_at), as_utc(row.updated_at), as_utc(row.closed_at), row.kenmerk)
    return for_initiatiefnemer(view, definition) if rol == "initiatiefnemer" else view


def initiatiefnemer_facts(definition: Definition) -> frozenset[str]:
    """The facts meant for the initiatiefnemer: those recorded (``gegevens``, ``zet``) by a step they may take
    themselves, or by a step that sends them a letter (``aan: initiatiefnemer``), and the kind of party they said
    they are (not whether the gemeente flagged it)."""
    names: set[str] = {PARTY_FACT} if definition.toelating.partijen else set()
    for step in definition.transities.values():
        if "initiatiefnemer" in step.rollen or any(
                b in definition.brieven and definition.brieven[b].aan == "initiatiefnemer" for b in step.brieven):
            names.update(step.gegevens, step.zet)
    return frozenset(names)


def for_initiatiefnemer(challenge: Challenge, definition: Definition) -> Challenge:
    """The challenge as its initiatiefnemer sees it (status page, status link, a host's own portal): no
    behandelaar, and only ``initiatiefnemer_facts``; the assessments, advice and other working facts of the
    gemeente stay inside (docs/status-pagina.md)."""
    shown = initiatiefnemer_facts(definition)
    return replace(challenge, behandelaar=None,
                   facts=MappingProxyType({k: v for k, v in challenge.facts.items() if k in shown}))


def entry_data(kind: str, payload: dict[str, Any] | None) -> Mapping[str, Any] | None:
    """What a history row recorded besides the reason: a transition's event data, or the other kinds' details."""
    if payload is None:
        return None
    if kind == "transitie":
        return MappingProxyType(payload.get("gegevens") or {})
    return MappingProxyType({k: v for k, v in payload.items() if k != "reden"})


def term_view(row: Any, definition: Definition, *, today: date | None = None) -> TermView:
    """The TermView of a term row, with the derivation of its end date (and the running suspension); ``today``
    is the day a running dwangsom is counted up to (without it: its last day so far is not known, none shown)."""
    spec = definition.termijnen.get(row.name)
    termijn = Termijn.uit_dict(row.termijn)
    uitleg = termijn.bereken().uitleg
    if row.status == "opgeschort":
        uitleg += (f"Opgeschort met ingang van {row.suspended_from.isoformat()} ({row.suspension_basis}); "
                   "de einddatum volgt als de termijn weer loopt.",)
    verlenging = str(termijn.verlengingen[-1].duur) if termijn.verlengingen else None
    owed = None
    if spec is not None and spec.dwangsom is not None:
        until = row.stopped_on - timedelta(days=1) if row.stopped_on is not None else today
        if until is not None:
            ds = dwangsom_na(ingebrekestelling_ontvangen=row.started_on, atw_wachttermijn=termijn.atw)
            owed = DwangsomView(ds.eerste_dag, ds.laatste_dag, until, ds.verbeurd(tot_en_met=until), ds.maximum,
                                ds.uitleg(tot_en_met=until))
    return TermView(row.challenge_id, row.name, spec.label if spec else row.name, row.status, row.started_on,
                    row.einddatum, row.suspended_from, row.stopped_on, uitleg, verlenging, owed)
