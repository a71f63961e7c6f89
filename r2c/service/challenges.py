"""ChallengeService: the public embedding API. Every call is one transaction, scoped to the actor's gemeente.

A change writes the challenge row, one history row (hash-chained), the terms, the letters to produce and an
outbox message together, or nothing. ``joined(session)`` runs the same calls inside a host's transaction (in a
savepoint), so a zaaksysteem commits or rolls back r2c's writes with its own.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType, SimpleNamespace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from r2c import logs
from r2c.clock import Clock, as_utc, local_date, today
from r2c.definitions.catalog import Catalog, UnknownWorkflow
from r2c.definitions.indiening import party_facts, submitting_events
from r2c.definitions.schema import Definition
from r2c.engine import Engine
from r2c.engine.access import POLICY, Policy
from r2c.engine.case import Actor, Case, CaseClosed, LetterRequested, Outcome, StateChanged, TermChanged
from r2c.errors import (
    AccessDenied, AlreadySubmitted, Conflict, InvalidInput, NotFound, StorageError, UnknownGemeente,
)
from r2c.service.access import add_status_link, token_hash
from r2c.service.terms import TermPlan, plan_term_changes
from r2c.service.inputs import check_party, check_text, jsonable, party_values
from r2c.service.views import (
    AllowedEvent, Challenge, Document, Fired, HistoryEntry, Initiatiefnemer, Letter, Page, SearchFilters, StatusView,
    TermView, Upload,
    challenge_view, entry_data, term_view,
)
from r2c.service.werkvoorraad import Worklist, WorklistFilter, worklist
from r2c.store import challenges, queue
from r2c.store.queue import SECRET, STATUS_LINK_TOPIC
from r2c.store.audit import NO_KEYS, Keyring, genesis, new_salt, payload_hash, snapshot_hash
from r2c.store.documents import DocumentStore
from r2c.settings import KENMERK_FORMAAT
from r2c.store.keys import revoke_status_links
from r2c.store.kenmerk import next_kenmerk
from r2c.store.unit import UnitOfWork
from r2c.store.writes import write_change


LOG = logging.getLogger("r2c.service")
WITH_REASON = "(de tekst die met de stap meekomt)"
"""The stand-in reason and texts ``allowed_events(with_reason=True)`` checks the voorwaarden with."""


@dataclass(frozen=True)
class Limits:
    """What the service accepts.

    Attributes:
        reason_length: longest reason (characters).
        document_size: largest document (bytes).
        media_types: accepted document types.
    """

    reason_length: int = 10_000
    document_size: int = 20 * 1024 * 1024
    media_types: frozenset[str] = frozenset({
        "application/pdf", "image/png", "image/jpeg", "text/plain",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    })


class ChallengeService:
    """Submit, fire, read and search challenges; one transaction per call.

    Attributes:
        engine: the compiled workflows (and the catalog of definitions).
        clock: where every timestamp and 'today' comes from.
        documents: where document contents are kept.
        limits: input limits.
        units: the unit of work: every transaction of the service, and of the adapters built on it.
        policy: who may do what (r2c.engine.access); the API and the pages ask the same object.
        keyring: the audit keys; new history rows are hashed with its current key (none: plain SHA-256).
        kenmerk_formaat: how a new challenge's kenmerk reads (R2C_KENMERK_FORMAAT, checked by r2c.settings).
    """

    def __init__(self, session_factory: Callable[[], Session], definitions: Catalog | Engine, clock: Clock, *,
                 read_session_factory: Callable[[], Session] | None = None,
                 documents: DocumentStore | None = None, limits: Limits | None = None,
                 keyring: Keyring = NO_KEYS, kenmerk_formaat: str = KENMERK_FORMAAT):
        self.engine = definitions if isinstance(definitions, Engine) else Engine(definitions, clock)
        self.clock = clock
        self.documents = documents
        self.limits = limits or Limits()
        self.units = UnitOfWork(session_factory, read_session_factory)
        self.policy: Policy = POLICY
        self.keyring = keyring
        self.kenmerk_formaat = kenmerk_formaat
        self._gemeenten = frozenset(self.catalog.ids(soort="gemeente"))

    @property
    def catalog(self) -> Catalog:
        """The loaded definitions."""
        return self.engine.catalog

    def joined(self, host: Session | Connection) -> ChallengeService:
        """A service that works inside the host's session or connection (its transaction; r2c uses a savepoint)."""
        other = copy.copy(self)
        other.units = self.units.joined(host)
        return other

    # -- changes ---------------------------------------------------------------------------------------------

    def submit(self, *, gemeente: str, titel: str, initiatiefnemer: Initiatiefnemer,
               data: Mapping[str, Any] | None = None, actor: Actor | None = None, event: str | None = None,
               reason: str | None = None, documents: Sequence[Upload] = (), submission_key: str | None = None,
               mail_status_link: bool = False, partij: str | None = None,
               received_on: date | None = None) -> Fired:
        """Register a new challenge for ``gemeente`` with its ``documents`` and fire its submitting event (default
        the definition's first, ``submitting_event``: 'indienen', or the aanmelding for a mandatory vooroverleg),
        in one transaction. ``partij`` is the kind of party that submits, checked against ``toelating.partijen``
        (refused, or recorded and flagged, as the definition says). A ``submission_key`` (a form's, random) that
        made a challenge before raises AlreadySubmitted naming it, and nothing new is made. With
        ``mail_status_link`` (the intake form) the status link also goes to the initiatiefnemer's e-mail address, in
        a message of its own; an API caller gets it in the response (``Fired.status_token``) and passes it on
        itself. ``received_on``: the day a request that came by post or e-mail was received (the ontvangstdatum,
        Awb 4:13: its terms count from that day); today or earlier, default today."""
        definition = self._definition_in_force(gemeente)
        party_id = str(uuid.uuid4())
        actor = actor or Actor(party_id, "initiatiefnemer", gemeente)
        self.policy.check_actor(definition, actor, gemeente)
        self.policy.check_submit(actor)
        allowed = submitting_events(definition)
        event = event or allowed[0]
        if event not in allowed:
            raise InvalidInput(f"'{event}' dient bij {gemeente} geen uitdaging in; dat doet: {', '.join(allowed)}",
                               fields={"event": f"niet een indienend event (wel: {', '.join(allowed)})"})
        recorded, problems = party_facts(definition, partij)
        problems |= self.check_submission(titel=titel, initiatiefnemer=initiatiefnemer, reason=reason)
        problems |= self.check_received_on(received_on)
        for number, upload in enumerate(documents, start=1):
            problems |= {f"documenten.{number}.{k}": v for k, v in self.check_document(upload).items()}
        if documents and self.documents is None:
            raise StorageError("er is geen opslag voor documenten ingesteld (R2C_DOCUMENTEN)")
        if problems:
            what = "kan zo niet worden ingediend" if "partij" in problems else "is niet compleet"
            raise InvalidInput(f"de aanvraag {what}: " + "; ".join(f"{k}: {v}" for k, v in problems.items()),
                               fields=problems)
        workflow = self.engine.workflow(definition.id, definition.versie)
        first = workflow.start()
        if recorded:  # the kind of party is a fact of the challenge from the start (voorwaarden may read it)
            first = replace(first, facts=MappingProxyType(recorded))
        outcome = workflow.fire(first, event, actor=actor, clock=self.clock, data=data, reason=reason)
        challenge_id = str(uuid.uuid4())
        now = self.clock.now()
        start = workflow.start().state
        row = SimpleNamespace(
            id=challenge_id, gemeente=gemeente, workflow=definition.id, workflow_version=definition.versie,
            state=start, fase=workflow.phase_of(start), resultaat=None, titel=titel.strip(), behandelaar=None,
            facts={}, version=0, head_hash=genesis(challenge_id), created_at=now, updated_at=now, closed_at=None,
            erased_at=None, volgende_termijn=None, volgende_einddatum=None)
        key_hash = token_hash(submission_key) if submission_key else None
        with self.units.write() as session:
            if key_hash is not None and (earlier := challenges.submission_of_key(session, key_hash)) is not None:
                raise AlreadySubmitted(f"deze aanvraag is al ingediend, onder kenmerk {earlier.kenmerk}",
                                       challenge_id=earlier.id, kenmerk=earlier.kenmerk)
            # numbered in the transaction of the insert: a submission that fails gives its number back (no gap)
            row.kenmerk = next_kenmerk(session, formaat=self.kenmerk_formaat, gemeente=gemeente,
                                       jaar=local_date(now).year)  # the year in the Netherlands, not in UTC
            challenges.insert_challenge(session, challenge=vars(row), party_id=party_id,
                                        personal=party_values(initiatiefnemer))
            row.initiatiefnemer = party_id
            if key_hash is not None:
                challenges.insert_submission_key(session, key_hash=key_hash, challenge_id=challenge_id, at=now)
            for upload in documents:  # before the first event: what was submitted is there when it is received
                row = self.store_document(session, row, actor=actor, upload=upload)[1]
            fired = self._apply(session, row, definition, outcome, actor, data, reason, on=received_on)
            token = add_status_link(session, challenge_id=challenge_id, now=now)
            if mail_status_link and initiatiefnemer.email:
                self._mail_status_link(session, challenge_id=challenge_id, gemeente=gemeente, token=token, now=now)
            return replace(fired, status_token=token)

    def _mail_status_link(self, session: Connection, *, challenge_id: str, gemeente: str, token: str, now: Any,
                          again: bool = False) -> None:
        """Queue the e-mail with the status link: the token rides in this one message until it is delivered
        (r2c.store.queue.SECRET), the database keeps only its hash after that."""
        queue.queue_message(session, {
            "challenge_id": challenge_id, "gemeente": gemeente, "topic": STATUS_LINK_TOPIC,
            "idempotency_key": f"{challenge_id}:statuslink:{token_hash(token)[:16]}",
            "payload": {"uitdaging": challenge_id, "gemeente": gemeente, SECRET: token, "opnieuw": again},
            "created_at": now, "next_attempt_at": now})

    def send_status_link(self, *, gemeente: str, kenmerk: str, email: str) -> bool:
        """'Stuur mij mijn link': when ``kenmerk`` is a challenge of ``gemeente`` whose initiatiefnemer has
        ``email``, revoke its status links and mail a new one to that address only. Returns whether it matched;
        a page must answer the same either way (it must not tell who submitted what)."""
        self._definition_in_force(gemeente)  # an unknown gemeente names the known ones
        with self.units.write() as session:
            found = challenges.by_kenmerk_and_email(session, gemeente=gemeente, kenmerk=kenmerk.strip(),
                                                    email=email.strip())
            if found is None:
                return False
            now = self.clock.now()
            revoke_status_links(session, challenge_id=found, now=now)
            token = add_status_link(session, challenge_id=found, now=now)
            self._mail_status_link(session, challenge_id=found, gemeente=gemeente, token=token, now=now, again=True)
            return True

    def submitting_event(self, gemeente: str) -> str:
        """The event a new challenge of ``gemeente`` is submitted with (the definition in force's first)."""
        return submitting_events(self._definition_in_force(gemeente))[0]

    def check_submission(self, *, titel: str, initiatiefnemer: Initiatiefnemer, reason: str | None = None,
                         gemeente: str | None = None, partij: str | None = None) -> dict[str, str]:
        """{field: what is wrong} with a submission's titel, party and reason, as ``submit`` checks them (a form
        shows them before its review step); with ``gemeente`` also the kind of ``partij`` by its definition in
        force (toelating.partijen); empty when all is well."""
        problems = party_facts(self._definition_in_force(gemeente), partij)[1] if gemeente else {}
        problems |= check_party(initiatiefnemer) | check_text("titel", titel, 200, required=True, one_line=True)
        return problems | check_text("reden", reason, self.limits.reason_length)

    def check_received_on(self, received_on: Any) -> dict[str, str]:
        """{'ontvangen_op': what is wrong} when a received day is not a date or lies after today (the clock's)."""
        if received_on is None:
            return {}
        if not isinstance(received_on, date) or isinstance(received_on, datetime):
            return {"ontvangen_op": "moet een datum zijn"}
        now = today(self.clock)
        if received_on > now:
            return {"ontvangen_op": f"ligt in de toekomst; vandaag is het {now.strftime('%d-%m-%Y')}"}
        if (now - received_on).days > 366:
            return {"ontvangen_op": "ligt meer dan een jaar terug; controleer de datum"}
        return {}

    def fire(self, challenge_id: str, event: str, *, actor: Actor, data: Mapping[str, Any] | None = None,
             reason: str | None = None, expected_version: int | None = None, documents: Sequence[Upload] = ()
             ) -> Fired:
        """Fire ``event`` on the challenge as ``actor``, with the ``documents`` that come with it (an aanvulling),
        in one transaction; Conflict when ``expected_version`` is stale."""
        problems = check_text("reden", reason, self.limits.reason_length)
        for number, upload in enumerate(documents, start=1):
            problems |= {f"documenten.{number}.{k}": v for k, v in self.check_document(upload).items()}
        if problems:
            raise InvalidInput("; ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)
        if documents and self.documents is None:
            raise StorageError("er is geen opslag voor documenten ingesteld (R2C_DOCUMENTEN)")
        with self.units.write() as session:
            row, definition = self.load(session, challenge_id, actor, lock=True)
            self._expect(session, row, expected_version, actor)
            case = Case(row.workflow, row.workflow_version, row.state, MappingProxyType(dict(row.facts)), row.resultaat)
            outcome = self.engine.fire(case, event, actor=actor, data=data, reason=reason)  # refused: nothing stored
            if documents:
                self.policy.check_upload(actor)
                for upload in documents:
                    row = self.store_document(session, row, actor=actor, upload=upload)[1]
            return self._apply(session, row, definition, outcome, actor, data, reason)

    def migrate(self, challenge_id: str, *, versie: str, actor: Actor, reason: str,
                expected_version: int | None = None) -> Fired:
        """Move a running challenge to another version of its definition, by that version's state mapping."""
        with self.units.write() as session:
            row, _ = self.load(session, challenge_id, actor, lock=True)
            self._expect(session, row, expected_version, actor)
            case = Case(row.workflow, row.workflow_version, row.state, MappingProxyType(dict(row.facts)), row.resultaat)
            outcome = self.engine.migrate(case, versie, actor=actor, reason=reason)
            definition = self.catalog.get(row.workflow, versie).definition
            migrated = outcome.events[0]
            dest = outcome.case.state
            after = self.append(
                session, row, kind="migratie", event=None, transition=None, to_state=dest, actor=actor, artikel=None,
                payload={"reden": reason, "van_versie": migrated.from_versie, "naar_versie": migrated.to_versie},
                changes={"workflow_version": versie, "state": dest,
                         "fase": self.engine.workflow(row.workflow, versie).phase_of(dest)})
            return Fired(challenge_view(after, definition), outcome)

    def assign(self, challenge_id: str, *, behandelaar: str, actor: Actor,
               expected_version: int | None = None) -> Challenge:
        """Make ``behandelaar`` the challenge's behandelaar (a teamleider, or a behandelaar taking it on)."""
        with self.units.write() as session:
            row, definition = self.load(session, challenge_id, actor, lock=True)
            self.policy.check_assign(actor, behandelaar)
            problems = check_text("behandelaar", behandelaar, 200, required=True, one_line=True)
            if problems:
                raise InvalidInput(f"behandelaar: {problems['behandelaar']}", fields=problems)
            self._expect(session, row, expected_version, actor)
            after = self.append(session, row, kind="toewijzing", event=None, transition=None, to_state=row.state,
                                 actor=actor, artikel=None, payload={"behandelaar": behandelaar},
                                 changes={"behandelaar": behandelaar})
            return challenge_view(after, definition)

    def add_document(self, challenge_id: str, *, actor: Actor, name: str, media_type: str, content: bytes,
                     expected_version: int | None = None) -> Document:
        """Store a document for the challenge; the file goes to the document storage, its checksum to history."""
        if self.documents is None:
            raise StorageError("er is geen opslag voor documenten ingesteld (R2C_DOCUMENTEN)")
        upload = Upload(name, media_type, content)
        problems = self.check_document(upload)
        if problems:
            raise InvalidInput("document niet aangenomen: " + "; ".join(f"{k}: {v}" for k, v in problems.items()),
                               fields=problems)
        with self.units.write() as session:
            row, _ = self.load(session, challenge_id, actor, lock=True)  # first: another gemeente's is NotFound
            self.policy.check_upload(actor)
            self._expect(session, row, expected_version, actor)
            return self.store_document(session, row, actor=actor, upload=upload)[0]

    def check_document(self, upload: Upload) -> dict[str, str]:
        """{field: what is wrong} for a document: its name, type (Limits.media_types) and size."""
        problems = check_text("naam", upload.name, 255, required=True, one_line=True)
        if upload.media_type not in self.limits.media_types:
            problems["media_type"] = (f"type '{upload.media_type}' wordt niet aangenomen; wel: "
                                      f"{', '.join(sorted(self.limits.media_types))}")
        if len(upload.content) > self.limits.document_size:
            problems["inhoud"] = f"te groot: {len(upload.content)} bytes, hoogstens {self.limits.document_size}"
        elif not upload.content:
            problems["inhoud"] = "leeg bestand"
        return problems

    def store_document(self, session: Connection, row: Any, *, actor: Actor, upload: Upload
                       ) -> tuple[Document, SimpleNamespace]:
        """Inside a write: the checked ``upload`` into the document storage, its row and its history row; returns
        the document and the challenge row after it."""
        assert self.documents is not None
        digest = self.documents.put(upload.content)
        doc = Document(str(uuid.uuid4()), row.id, upload.name.strip(), upload.media_type, len(upload.content), digest,
                       self.clock.now(), actor.id)
        challenges.insert_document(
            session, id=doc.id, challenge_id=doc.challenge_id, name=doc.name, media_type=doc.media_type,
            size=doc.size, sha256=doc.sha256, added_at=doc.added_at, added_by=doc.added_by)
        after = self.append(session, row, kind="document", event=None, transition=None, to_state=row.state,
                            actor=actor, artikel=None, payload={"document": doc.id, "naam": doc.name,
                                                                "sha256": digest, "grootte": doc.size}, changes={})
        return doc, after

    def _apply(self, session: Connection, row: Any, definition: Definition, outcome: Outcome, actor: Actor,
               data: Mapping[str, Any] | None, reason: str | None, *, on: date | None = None) -> Fired:
        """Write what firing changed: history, terms, letters, outbox and the challenge row; its terms count from
        ``on`` (default today)."""
        changed: StateChanged = outcome.events[0]
        new = outcome.case
        on = on or today(self.clock)
        terms = plan_term_changes(running=challenges.open_term_rows(session, row.id)  # no SELECT without term changes
                                  if outcome.of(TermChanged) or outcome.of(CaseClosed) else [],
                                  challenge_id=row.id, gemeente=row.gemeente, definition=definition,
                                  changes=outcome.of(TermChanged), on=on, artikel=changed.artikel,
                                  event=changed.event, closing=bool(outcome.of(CaseClosed)))
        letters = outcome.of(LetterRequested)
        seq = row.version + 1
        letter_rows = [{"challenge_id": row.id, "history_seq": seq, "template": letter.template, "aan": letter.aan,
                        "requested_at": letter.at} for letter in letters]
        changes: dict[str, Any] = {"state": new.state, "fase": new.fase, "resultaat": new.resultaat,
                                   "facts": jsonable(dict(new.facts))}
        if outcome.of(CaseClosed):
            changes["closed_at"] = changed.at
        if terms.volgende is not None:  # the werkvoorraad's next term, kept with the terms in the same change
            changes["volgende_termijn"], changes["volgende_einddatum"] = terms.volgende
        payload: dict[str, Any] = {"reden": reason, "gegevens": jsonable(dict(data or {}))}
        if on != today(self.clock):
            payload["ontvangen_op"] = on.isoformat()
        after = self.append(session, row, kind="transitie", event=changed.event, transition=changed.transition,
                             to_state=new.state, actor=actor, artikel=changed.artikel, payload=payload,
                             changes=changes, outbox={"brieven": [letter.template for letter in letters],
                                                      "termijnen": terms.summaries, "resultaat": new.resultaat},
                             letters=letter_rows, terms=terms)
        with logs.context(gemeente=row.gemeente, challenge_id=row.id):  # ids and names of the model only
            LOG.debug("%s door %s: %s -> %s (versie %d; brieven: %s)", changed.event, actor.rol, row.state, new.state,
                      seq, ", ".join(letter.template for letter in letters) or "geen")
        return Fired(challenge_view(after, definition, rol=actor.rol), outcome)

    def append(self, session: Connection, row: Any, *, kind: str, event: str | None, transition: str | None,
               to_state: str, actor: Actor, artikel: str | None, payload: dict[str, Any],
               changes: dict[str, Any], outbox: dict[str, Any] | None = None,
               letters: list[dict[str, Any]] | None = None, terms: TermPlan | None = None) -> SimpleNamespace:
        """Add one hash-chained history row, update the challenge row (version + 1) and queue an outbox message.

        Returns the challenge row as it is after the change.
        """
        now = self.clock.now()
        seq = row.version + 1
        salt = new_salt()
        after = {**vars(row), **changes}
        record = {"challenge_id": row.id, "seq": seq, "kind": kind, "event": event, "transition": transition,
                  "from_state": row.state, "to_state": to_state, "actor_id": actor.id, "actor_rol": actor.rol,
                  "at": now, "artikel": artikel, "payload_hash": payload_hash(payload, salt),
                  "snapshot_hash": snapshot_hash(after), "prev_hash": row.head_hash, "key_id": self.keyring.current}
        record["hash"] = self.keyring.hash_of(record)
        after.update(version=seq, head_hash=record["hash"], updated_at=now)
        message = {"uitdaging": row.id, "gemeente": row.gemeente, "versie": seq, "soort": kind, "event": event,
                   "van": row.state, "naar": to_state, "rol": actor.rol, "moment": now.isoformat(), **(outbox or {})}
        written = write_change(
            session, challenge=after, expected_version=row.version,
            history={"payload": payload, "payload_salt": salt, **record}, letters=letters or [],
            term_inserts=terms.inserts if terms else None, term_updates=terms.updates if terms else None,
            outbox={"challenge_id": row.id, "gemeente": row.gemeente, "topic": f"uitdaging.{kind}",
                    "idempotency_key": f"{row.id}:{seq}", "payload": message, "created_at": now,
                    "next_attempt_at": now})
        if not written:
            raise Conflict(f"uitdaging {row.id} is tegelijk gewijzigd (versie {row.version} is niet meer de "
                           "laatste); er is niets vastgelegd, probeer opnieuw", expected=row.version)
        return SimpleNamespace(**after)

    def _expect(self, session: Connection, row: Any, expected_version: int | None, actor: Actor) -> None:
        if expected_version is None or expected_version == row.version:
            return
        # a version from the future or below zero (a tampered form) has nothing newer than the current one to name
        newer = (challenges.history_after(session, row.id, expected_version)
                 if 0 <= expected_version < row.version else [])
        named = self.policy.sees_staff_names(actor)
        changes = [f"versie {h.seq}: {h.event or h.kind} door {h.actor_rol}{f' {h.actor_id}' if named else ''} op "
                   f"{h.at:%Y-%m-%d %H:%M}, daarna in '{h.to_state}'" for h in newer]
        raise Conflict(
            f"uitdaging {row.id} is gewijzigd sinds versie {expected_version}: nu versie {row.version}, staat "
            f"'{row.state}'. " + "; ".join(changes), expected=expected_version, current=row.version,
            state=row.state, changes=changes)

    # -- reading ---------------------------------------------------------------------------------------------

    def get(self, challenge_id: str, *, actor: Actor) -> Challenge:
        """The challenge, if the actor may see it."""
        with self.units.read() as session:
            row, definition = self.load(session, challenge_id, actor)
            return challenge_view(row, definition, rol=actor.rol)

    def search(self, *, actor: Actor, filters: SearchFilters | None = None, limit: int = 50,
               offset: int = 0) -> Page[Challenge]:
        """The actor's gemeente's challenges matching ``filters``, newest first, one page at a time."""
        gemeente = self.gemeente_of(actor)
        if not 1 <= limit <= 500 or offset < 0:
            raise InvalidInput("limit moet tussen 1 en 500 liggen en offset 0 of meer zijn",
                               fields={"limit": "1 tot en met 500", "offset": "0 of meer"})
        f = filters or SearchFilters()
        equal = {column: getattr(f, column) for column in ("fase", "state", "resultaat", "behandelaar", "kenmerk")
                 if getattr(f, column) is not None}
        with self.units.read() as session:
            party = actor.id if self.policy.is_initiatiefnemer(actor) else None
            total, rows = challenges.search(session, gemeente=gemeente, equal=equal, is_open=f.open,
                                            deadline_before=f.deadline_before, overdue_on=f.overdue_on, party=party,
                                            limit=limit, offset=offset, unassigned=f.niet_toegewezen,
                                            text=(f.zoek or "").strip()[:200] or None)
            items = [challenge_view(r, self._definition_of(r), rol=actor.rol) for r in rows]
        return Page(items, total, limit, offset)

    def worklist(self, *, actor: Actor, filter: WorklistFilter, drempels: tuple[int, int],
                 sort: str = "laatste_dag", descending: bool = False, limit: int = 25,
                 offset: int = 0) -> Worklist:
        """One page of the werkvoorraad with each challenge's next running term and light, and the counts per light
        over the whole filtered list (r2c.service.werkvoorraad)."""
        return worklist(self, actor=actor, filter=filter, drempels=drempels, sort=sort, descending=descending,
                        limit=limit, offset=offset)

    def timeline(self, challenge_id: str, *, actor: Actor) -> list[HistoryEntry]:
        """Everything that happened to the challenge, oldest first; for the gemeente's staff only.

        The history names the staff and their reasons and data; an initiatiefnemer sees their challenge through
        ``get`` (``for_initiatiefnemer``), its terms and the letters addressed to them, not through this.
        """
        with self.units.read() as session:
            row, _ = self.load(session, challenge_id, actor)  # first: another gemeente's challenge is not found
            self.policy.check_timeline(actor)
            rows = challenges.history(session, row.id)
        return [HistoryEntry(h.seq, h.kind, h.event, h.transition, h.from_state, h.to_state, h.actor_id, h.actor_rol,
                             as_utc(h.at), h.artikel, (h.payload or {}).get("reden"), entry_data(h.kind, h.payload),
                             h.payload is None) for h in rows]

    def terms(self, challenge_id: str, *, actor: Actor) -> list[TermView]:
        """Every term of the challenge (running, suspended and ended) with the derivation of its end date."""
        with self.units.read() as session:
            row, definition = self.load(session, challenge_id, actor)
            rows = challenges.terms(session, row.id)
        return [term_view(t, definition, today=today(self.clock)) for t in rows]

    def open_terms(self, *, actor: Actor, due_before: Any = None) -> list[TermView]:
        """Running and suspended terms of the actor's gemeente, soonest end first; with due_before only running terms
        ending on or before that day."""
        gemeente = self.gemeente_of(actor)
        with self.units.read() as session:
            party = actor.id if self.policy.is_initiatiefnemer(actor) else None
            rows = challenges.open_terms(session, gemeente=gemeente, due_before=due_before, party=party)
        return [term_view(t, self.catalog.get(t.workflow, t.workflow_version).definition, today=today(self.clock))
                for t in rows]

    def allowed_events(self, challenge_id: str, *, actor: Actor, with_reason: bool = False) -> list[AllowedEvent]:
        """The events the actor's role may fire now, each with the conditions that still block it; with
        ``with_reason`` as if a reason and the step's own texts (its ``tekst`` gegevens) come with it, as a form
        that asks for them sends them: a missing motivering or wijziging is then no block yet."""
        with self.units.read() as session:
            row, definition = self.load(session, challenge_id, actor)
        return self._allowed(row, definition, actor, as_form=with_reason)

    def _allowed(self, row: Any, definition: Definition, actor: Actor, *, as_form: bool = False
                 ) -> list[AllowedEvent]:
        case = Case(row.workflow, row.workflow_version, row.state, MappingProxyType(dict(row.facts)), row.resultaat)
        labels = {t.event or key: t.label for key, t in definition.transities.items()}
        texts: dict[str, dict[str, str]] = {}
        for key, t in definition.transities.items():
            texts.setdefault(t.event or key, {}).update(
                {name: WITH_REASON for name, spec in t.gegevens.items() if spec.type == "tekst"})
        return [AllowedEvent(event, labels.get(event, event), tuple(self.engine.blocked_by(
                    case, event, actor.rol, reason=WITH_REASON if as_form else None,
                    data=texts.get(event) if as_form else None)))
                for event in self.engine.allowed_events(case, actor.rol)]

    def documents_of(self, challenge_id: str, *, actor: Actor) -> list[Document]:
        """The documents of the challenge."""
        with self.units.read() as session:
            row, _ = self.load(session, challenge_id, actor)
            # an initiatiefnemer: their own uploads; the gemeente's working papers are not for them
            rows = challenges.documents(session, row.id,
                                        added_by=actor.id if self.policy.is_initiatiefnemer(actor) else None)
        return [Document(r.id, r.challenge_id, r.name, r.media_type, r.size, r.sha256, as_utc(r.added_at), r.added_by)
                for r in rows]

    def document_content(self, challenge_id: str, document_id: str, *, actor: Actor) -> tuple[Document, bytes]:
        """A document's metadata and content (checked against its checksum)."""
        for doc in self.documents_of(challenge_id, actor=actor):
            if doc.id == document_id:
                if self.documents is None:
                    raise StorageError("er is geen opslag voor documenten ingesteld (R2C_DOCUMENTEN)")
                return doc, self.documents.get(doc.sha256)
        raise NotFound(f"geen document '{document_id}' bij uitdaging {challenge_id}")

    def contact_of(self, challenge_id: str, *, actor: Actor) -> Initiatiefnemer | None:
        """The initiatiefnemer's contact data (personal data: for staff who act on the challenge, never logged);
        None once erased."""
        with self.units.read() as session:
            row, _ = self.load(session, challenge_id, actor)  # first: another gemeente's challenge is not found
            self.policy.check_contact(actor)
            found = challenges.initiator_personal(session, row.id)
        return None if found is None else Initiatiefnemer(found.naam, found.email, found.telefoon, found.organisatie,
                                                          found.adres)

    def letters_of(self, challenge_id: str, *, actor: Actor) -> list[Letter]:
        """The letters the challenge's transitions produced; an initiatiefnemer sees only those addressed to them."""
        with self.units.read() as session:
            row, definition = self.load(session, challenge_id, actor)
            return self._letters(session, row, definition, actor)

    def _letters(self, session: Connection, row: Any, definition: Definition, actor: Actor) -> list[Letter]:
        rows = challenges.letters(session, row.id, initiatiefnemer_only=self.policy.is_initiatiefnemer(actor))
        titles = {name: spec.titel for name, spec in definition.brieven.items()}
        return [Letter(r.id, r.challenge_id, r.template, titles.get(r.template, r.template), r.aan, r.history_seq,
                       as_utc(r.requested_at)) for r in rows]

    # -- status links ----------------------------------------------------------------------------------------

    def status_view(self, token: str) -> StatusView | None:
        """Everything the status page shows for an open status link, or None (unknown or revoked link).

        Four statements in one read transaction: the link with its challenge, the terms, the letters, their own
        documents. A step is offered when only a reason or its own texts block it: its form asks them.
        """
        with self.units.read() as session:
            row = self._row_of_link(session, token)
            if row is None:
                return None
            actor = Actor(row.initiatiefnemer, "initiatiefnemer", row.gemeente)
            definition = self._definition_of(row)
            terms = [term_view(t, definition, today=today(self.clock)) for t in challenges.terms(session, row.id)]
            letters = self._letters(session, row, definition, actor)
            documents = [Document(r.id, r.challenge_id, r.name, r.media_type, r.size, r.sha256, as_utc(r.added_at),
                                  r.added_by) for r in challenges.documents(session, row.id, added_by=actor.id)]
        return StatusView(actor, challenge_view(row, definition, rol=actor.rol), terms, letters,
                          self._allowed(row, definition, actor, as_form=True), definition, documents)

    def status_actor(self, token: str) -> tuple[str, Actor] | None:
        """The challenge and initiatiefnemer behind an open status link token, or None (unknown or revoked)."""
        with self.units.read() as session:
            row = self._row_of_link(session, token)
        return None if row is None else (row.id, Actor(row.initiatiefnemer, "initiatiefnemer", row.gemeente))

    @staticmethod
    def _row_of_link(session: Connection, token: str) -> SimpleNamespace | None:
        """The challenge row (with its initiatiefnemer) of an open status link, in one statement; None otherwise."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        return challenges.row_of_link(session, token_hash(token))

    def renew_status_link(self, challenge_id: str, *, actor: Actor) -> str:
        """Revoke the challenge's status links and give a new one (staff who act on the challenge)."""
        self.policy.check_status_links(actor)
        with self.units.write() as session:
            row, _ = self.load(session, challenge_id, actor, lock=True)
            now = self.clock.now()
            revoke_status_links(session, challenge_id=row.id, now=now)
            return add_status_link(session, challenge_id=row.id, now=now)

    def revoke_status_links(self, challenge_id: str, *, actor: Actor) -> int:
        """Revoke every status link of the challenge (staff who act on it); the number revoked."""
        self.policy.check_status_links(actor)
        with self.units.write() as session:
            row, _ = self.load(session, challenge_id, actor, lock=True)
            return revoke_status_links(session, challenge_id=row.id, now=self.clock.now())

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection for adapters that render from the database (letters, feeds, readiness)."""
        with self.units.read() as connection:
            yield connection

    # -- scoping ---------------------------------------------------------------------------------------------

    def gemeente_of(self, actor: Actor) -> str:
        """The actor's gemeente, once it is known and the actor is valid there (AccessDenied, UnknownGemeente)."""
        if not actor.gemeente:
            raise AccessDenied("geef bij de actor aan voor welke gemeente die werkt")
        definition = self._definition_in_force(actor.gemeente)
        self.policy.check_actor(definition, actor, actor.gemeente)
        return actor.gemeente

    def definition_in_force(self, gemeente: str) -> Definition:
        """The definition of ``gemeente`` in force today (what a new submission follows); UnknownGemeente names
        the known ones."""
        return self._definition_in_force(gemeente)

    def _definition_in_force(self, gemeente: str) -> Definition:
        if gemeente not in self._gemeenten:
            raise UnknownGemeente(f"onbekende gemeente '{gemeente}'; bekend: "
                                  f"{', '.join(self.catalog.ids(soort='gemeente')) or 'geen'}")
        try:
            return self.catalog.in_force(gemeente, today(self.clock)).definition
        except UnknownWorkflow as error:
            raise UnknownGemeente(str(error)) from None

    def _definition_of(self, row: Any) -> Definition:
        return self.catalog.get(row.workflow, row.workflow_version).definition

    def load(self, session: Connection, challenge_id: str, actor: Actor, *,
             lock: bool = False) -> tuple[Any, Definition]:
        """The challenge row and its definition, if ``actor`` may see it; NotFound otherwise (no existence leak)."""
        gemeente = self.gemeente_of(actor)
        valid = isinstance(challenge_id, str) and len(challenge_id) <= 36 and "\x00" not in challenge_id
        row = challenges.row(session, challenge_id, gemeente, lock=lock) if valid else None
        if row is not None and not self.policy.sees_challenge(actor, row.initiatiefnemer):
            row = None
        if row is None:
            raise NotFound(f"geen uitdaging '{challenge_id}' bij gemeente {gemeente}")
        definition = self._definition_of(row)
        self.policy.check_actor(definition, actor, gemeente)
        return row, definition


