"""The challenge repository: the SQL that reads a challenge's rows (challenge, party, history, terms, letters,
documents), registers a new one, and erases its personal data.

Every function runs on the connection of a transaction the caller opened (``service.units``); who may see what is
the caller's (``service.policy``), and so is turning rows into views. The statements used on every request are
built once, with bound parameters: building them per call costs more than executing them. A change itself is
written by r2c.store.writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, delete, exists, func, insert, or_, select, update

from r2c.store.keys import LINK, revoke_status_links
from r2c.store.tables import (
    ChallengeRow, DocumentRow, HistoryRow, LetterRow, PartyRow, PersonalDataRow, SubmissionKeyRow, TermRow,
)
from r2c.store.writes import MUTABLE

CHALLENGE = ChallengeRow.__table__
HISTORY = HistoryRow.__table__
PARTY = PartyRow.__table__
PERSONAL = PersonalDataRow.__table__
LETTER = LetterRow.__table__
DOCUMENT = DocumentRow.__table__
TERM = TermRow.__table__
OPEN = ("lopend", "opgeschort")
"""The statuses of a term that has not ended."""

INITIATOR = (select(PARTY.c.id).where(PARTY.c.challenge_id == CHALLENGE.c.id, PARTY.c.rol == "initiatiefnemer")
             .limit(1).scalar_subquery().label("initiatiefnemer"))
"""The initiatiefnemer's party id, read with the challenge row (one round trip instead of two)."""

_SELECT_ROW = select(CHALLENGE, INITIATOR).where(CHALLENGE.c.id == bindparam("b_id"),
                                                 CHALLENGE.c.gemeente == bindparam("b_gemeente"))
_LOCK_ROW = _SELECT_ROW.with_for_update()  # a row lock on PostgreSQL; SQLite writers queue on BEGIN IMMEDIATE
_ROW_OF_LINK = select(CHALLENGE, INITIATOR).join(LINK, LINK.c.challenge_id == CHALLENGE.c.id).where(
    LINK.c.token_hash == bindparam("b_hash"), LINK.c.revoked_at.is_(None))
_TERMS = select(TERM).where(TERM.c.challenge_id == bindparam("b_challenge")).order_by(TERM.c.id)
_OPEN_TERMS = select(TERM.c.id, TERM.c.name, TERM.c.processed_until, *(TERM.c[name] for name in MUTABLE)).where(
    TERM.c.challenge_id == bindparam("b_challenge"), or_(*(TERM.c.status == status for status in OPEN)))
# (an IN list would be re-rendered on every call; two comparisons are compiled once)
_ALL_LETTERS = (select(LETTER).where(LETTER.c.challenge_id == bindparam("b_challenge"))
                .order_by(LETTER.c.history_seq, LETTER.c.id))
_LETTERS = _ALL_LETTERS.where(LETTER.c.aan == "initiatiefnemer")  # an initiatiefnemer's: those addressed to them
_INSERT_CHALLENGE, _INSERT_PARTY, _INSERT_PERSONAL = insert(CHALLENGE), insert(PARTY), insert(PERSONAL)
_SUMMARY = select(CHALLENGE.c.id, CHALLENGE.c.gemeente, CHALLENGE.c.kenmerk, CHALLENGE.c.titel, CHALLENGE.c.state,
                  CHALLENGE.c.behandelaar, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version, CHALLENGE.c.facts).where(
    CHALLENGE.c.id == bindparam("b_id"))
_PAYLOAD = select(HISTORY.c.payload).where(HISTORY.c.challenge_id == bindparam("b_id"),
                                           HISTORY.c.seq == bindparam("b_seq"))
_CONTACT = (select(PERSONAL.c.naam, PERSONAL.c.email).join(PARTY, PARTY.c.id == PERSONAL.c.party_id)
            .where(PARTY.c.challenge_id == bindparam("b_id"), PARTY.c.rol == "initiatiefnemer"))

_PERSONAL = (select(PERSONAL.c.naam, PERSONAL.c.email, PERSONAL.c.telefoon, PERSONAL.c.organisatie, PERSONAL.c.adres)
             .join(PARTY, PARTY.c.id == PERSONAL.c.party_id)
             .where(PARTY.c.challenge_id == bindparam("b_id"), PARTY.c.rol == "initiatiefnemer"))


# -- one challenge ---------------------------------------------------------------------------------------------

def row(connection: Connection, challenge_id: str, gemeente: str, *, lock: bool = False) -> SimpleNamespace | None:
    """The gemeente's challenge row with its initiatiefnemer, locked for the transaction when ``lock``; or None."""
    found = connection.execute(_LOCK_ROW if lock else _SELECT_ROW,
                               {"b_id": challenge_id, "b_gemeente": gemeente}).one_or_none()
    return None if found is None else SimpleNamespace(**found._mapping)


def row_of_link(connection: Connection, token_hash: str) -> SimpleNamespace | None:
    """The challenge row (with its initiatiefnemer) of the open status link with this hash, in one statement."""
    found = connection.execute(_ROW_OF_LINK, {"b_hash": token_hash}).one_or_none()
    return None if found is None or found.initiatiefnemer is None else SimpleNamespace(**found._mapping)


def insert_challenge(connection: Connection, *, challenge: Mapping[str, Any], party_id: str,
           personal: Mapping[str, Any]) -> None:
    """A new challenge row, its initiatiefnemer's party and that party's personal data."""
    connection.execute(_INSERT_CHALLENGE, challenge)
    connection.execute(_INSERT_PARTY, {"id": party_id, "challenge_id": challenge["id"], "rol": "initiatiefnemer"})
    connection.execute(_INSERT_PERSONAL, {"party_id": party_id, **personal})


SUBMISSION_KEY = SubmissionKeyRow.__table__


def submission_of_key(connection: Connection, key_hash: str) -> Row | None:
    """The challenge (id, kenmerk, gemeente) that a form with this key made, if any."""
    return connection.execute(
        select(CHALLENGE.c.id, CHALLENGE.c.kenmerk, CHALLENGE.c.gemeente)
        .join(SUBMISSION_KEY, SUBMISSION_KEY.c.challenge_id == CHALLENGE.c.id)
        .where(SUBMISSION_KEY.c.key_hash == key_hash)).first()


def insert_submission_key(connection: Connection, *, key_hash: str, challenge_id: str, at: datetime) -> None:
    """Remember that the form with this key made ``challenge_id`` (a second insert breaks the primary key)."""
    connection.execute(insert(SUBMISSION_KEY), {"key_hash": key_hash, "challenge_id": challenge_id, "created_at": at})


def by_kenmerk_and_email(connection: Connection, *, gemeente: str, kenmerk: str, email: str) -> str | None:
    """The id of the gemeente's challenge with ``kenmerk`` whose initiatiefnemer has ``email`` (case does not
    matter), if there is one and it is not erased."""
    query = (select(CHALLENGE.c.id)
             .join(PARTY, and_(PARTY.c.challenge_id == CHALLENGE.c.id, PARTY.c.rol == "initiatiefnemer"))
             .join(PERSONAL, PERSONAL.c.party_id == PARTY.c.id)
             .where(CHALLENGE.c.gemeente == gemeente, CHALLENGE.c.kenmerk == kenmerk, CHALLENGE.c.erased_at.is_(None),
                    func.lower(PERSONAL.c.email) == email.lower()))
    return connection.execute(query).scalar_one_or_none()


def history(connection: Connection, challenge_id: str) -> list[Row]:
    """The challenge's history rows, oldest first."""
    return connection.execute(select(HISTORY).where(HISTORY.c.challenge_id == challenge_id)
                              .order_by(HISTORY.c.seq)).all()


def history_after(connection: Connection, challenge_id: str, version: int) -> list[Row]:
    """What happened to the challenge after ``version`` (seq, kind, event, actor, moment, new state), oldest first."""
    return connection.execute(
        select(HISTORY.c.seq, HISTORY.c.kind, HISTORY.c.event, HISTORY.c.actor_rol, HISTORY.c.actor_id,
               HISTORY.c.at, HISTORY.c.to_state)
        .where(HISTORY.c.challenge_id == challenge_id, HISTORY.c.seq > version)
        .order_by(HISTORY.c.seq)).all()


def terms(connection: Connection, challenge_id: str) -> list[Row]:
    """Every term row of the challenge (running, suspended and ended), in the order they were made."""
    return connection.execute(_TERMS, {"b_challenge": challenge_id}).all()


def open_term_rows(connection: Connection, challenge_id: str) -> list[dict[str, Any]]:
    """The challenge's running and suspended term rows: id, name, processed_until and the MUTABLE columns."""
    return [dict(r._mapping) for r in connection.execute(_OPEN_TERMS, {"b_challenge": challenge_id})]


def letters(connection: Connection, challenge_id: str, *, initiatiefnemer_only: bool = False) -> list[Row]:
    """The challenge's letter rows in the order they were requested; only those to the initiatiefnemer if asked."""
    return connection.execute(_LETTERS if initiatiefnemer_only else _ALL_LETTERS, {"b_challenge": challenge_id}).all()


def documents(connection: Connection, challenge_id: str, *, added_by: str | None = None) -> list[Row]:
    """The challenge's document rows, oldest first; only those ``added_by`` one party if given."""
    query = select(DOCUMENT).where(DOCUMENT.c.challenge_id == challenge_id).order_by(DOCUMENT.c.added_at)
    if added_by is not None:
        query = query.where(DOCUMENT.c.added_by == added_by)
    return connection.execute(query).all()


def insert_document(connection: Connection, *, id: str, challenge_id: str, name: str, media_type: str, size: int,
                    sha256: str, added_at: datetime, added_by: str) -> None:
    """A new document row (its content is in the DocumentStore, under ``sha256``)."""
    connection.execute(insert(DOCUMENT).values(
        id=id, challenge_id=challenge_id, name=name, media_type=media_type, size=size, sha256=sha256,
        added_at=added_at, added_by=added_by))


# -- for messages and letters (r2c.notify.routing) ------------------------------------------------------------

def summary(connection: Connection, challenge_id: str) -> Row | None:
    """What a message says about the challenge (id, gemeente, kenmerk, titel, state, behandelaar, workflow, version, facts),
    or None."""
    return connection.execute(_SUMMARY, {"b_id": challenge_id}).one_or_none()


def initiator_contact(connection: Connection, challenge_id: str) -> Row | None:
    """The initiatiefnemer's naam and email, or None once erased."""
    return connection.execute(_CONTACT, {"b_id": challenge_id}).one_or_none()


def initiator_personal(connection: Connection, challenge_id: str) -> Row | None:
    """All the initiatiefnemer's personal data (naam, email, telefoon, organisatie, adres), or None once erased: for
    the challenge page's contact data and the zaaksysteem's Rol."""
    return connection.execute(_PERSONAL, {"b_id": challenge_id}).one_or_none()



def history_payload(connection: Connection, challenge_id: str, seq: int | None) -> dict[str, Any] | None:
    """The payload of the challenge's history row ``seq`` (None when erased, empty or not there)."""
    return connection.execute(_PAYLOAD, {"b_id": challenge_id, "b_seq": seq}).scalar()


# -- many challenges -------------------------------------------------------------------------------------------

def search(connection: Connection, *, gemeente: str, equal: Mapping[str, Any], is_open: bool | None,
           deadline_before: date | None, overdue_on: date | None, party: str | None, limit: int,
           offset: int, unassigned: bool = False, text: str | None = None) -> tuple[int, list[Row]]:
    """The number of the gemeente's challenges that match, and one page of their rows (with initiatiefnemer),
    newest first.

    ``equal``: column -> value; ``is_open``: no result yet (or one); ``deadline_before``: a running term ends on
    or before that day; ``overdue_on``: a running term ended before it; ``party``: one of its parties;
    ``unassigned``: no behandelaar yet; ``text``: in the titel or the kenmerk (case-insensitive).
    """
    where = [CHALLENGE.c.gemeente == gemeente]
    if unassigned:
        where.append(CHALLENGE.c.behandelaar.is_(None))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(CHALLENGE.c.titel.ilike(pattern, escape="\\") | CHALLENGE.c.kenmerk.ilike(pattern, escape="\\"))
    where += [CHALLENGE.c[column] == value for column, value in equal.items()]
    if is_open is not None:
        where.append(CHALLENGE.c.resultaat.is_(None) if is_open else CHALLENGE.c.resultaat.is_not(None))
    for bound, strict in ((deadline_before, False), (overdue_on, True)):
        if bound is not None:
            due = TERM.c.einddatum < bound if strict else TERM.c.einddatum <= bound
            where.append(exists().where(TERM.c.challenge_id == CHALLENGE.c.id, TERM.c.status == "lopend", due))
    if party is not None:
        where.append(exists().where(PARTY.c.challenge_id == CHALLENGE.c.id, PARTY.c.id == party))
    total = connection.execute(select(func.count()).select_from(CHALLENGE).where(*where)).scalar_one()
    rows = connection.execute(
        select(CHALLENGE, INITIATOR).where(*where).order_by(CHALLENGE.c.created_at.desc(), CHALLENGE.c.id)
        .limit(limit).offset(offset)).all()
    return total, rows


def open_terms(connection: Connection, *, gemeente: str, due_before: Any = None,
               party: str | None = None) -> list[Row]:
    """The gemeente's running and suspended term rows (with workflow and version), soonest end first; with
    ``due_before`` only running ones ending on or before that day; with ``party`` only that party's challenges'."""
    where = [TERM.c.gemeente == gemeente, TERM.c.status.in_(OPEN)]
    if due_before is not None:
        where.append(and_(TERM.c.status == "lopend", TERM.c.einddatum <= due_before))
    if party is not None:
        where.append(exists().where(PARTY.c.challenge_id == TERM.c.challenge_id, PARTY.c.id == party))
    return connection.execute(
        select(TERM, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version)
        .join(CHALLENGE, CHALLENGE.c.id == TERM.c.challenge_id).where(*where)
        .order_by(TERM.c.einddatum.is_(None), TERM.c.einddatum, TERM.c.id)).all()


# -- privacy ---------------------------------------------------------------------------------------------------

def erase_personal_data(connection: Connection, challenge_id: str, *, now: datetime) -> set[str]:
    """Delete the parties' personal data, the history's payloads and the documents, and revoke the status links;
    the checksums of the deleted documents that no other document has (their content may go)."""
    parties = select(PARTY.c.id).where(PARTY.c.challenge_id == challenge_id)
    connection.execute(delete(PERSONAL).where(PERSONAL.c.party_id.in_(parties)))
    connection.execute(update(HISTORY).where(HISTORY.c.challenge_id == challenge_id)
                       .values(payload=None, payload_salt=None))
    shas = [r.sha256 for r in connection.execute(select(DOCUMENT.c.sha256)
                                                 .where(DOCUMENT.c.challenge_id == challenge_id))]
    connection.execute(delete(DOCUMENT).where(DOCUMENT.c.challenge_id == challenge_id))
    revoke_status_links(connection, challenge_id=challenge_id, now=now)  # nobody left to show it to
    shared = {r.sha256 for r in connection.execute(select(DOCUMENT.c.sha256).where(DOCUMENT.c.sha256.in_(shas)))}
    return set(shas) - shared


def closed_unerased(connection: Connection, *, gemeente: str | None = None) -> list[Row]:
    """Closed challenges whose personal data is still there (id, gemeente, workflow, version, result, closing
    moment), earliest closed first; of one gemeente or all."""
    query = select(CHALLENGE.c.id, CHALLENGE.c.gemeente, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version,
                   CHALLENGE.c.resultaat, CHALLENGE.c.closed_at).where(
        CHALLENGE.c.resultaat.is_not(None), CHALLENGE.c.erased_at.is_(None))
    if gemeente is not None:
        query = query.where(CHALLENGE.c.gemeente == gemeente)
    return connection.execute(query.order_by(CHALLENGE.c.closed_at)).all()
