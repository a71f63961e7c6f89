"""The SQL of term rows across challenges, by date: what the planner claims and marks (``sweep_terms``), what ends
soon for the weekly digest, and what runs for the calendar feed.

A challenge's own terms (for a change or a view) are r2c.store.challenges'. Every function runs on the connection
of a transaction the caller opened; the statements are built once, at import.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Row, bindparam, select, update

from r2c.store.tables import ChallengeRow, TermRow

TERM, CHALLENGE = TermRow.__table__, ChallengeRow.__table__

DUE_TERM = (
    select(TERM.c.id, TERM.c.challenge_id, TERM.c.gemeente, TERM.c.name, TERM.c.termijn, TERM.c.einddatum,
           TERM.c.processed_until, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version)
    .join(CHALLENGE, CHALLENGE.c.id == TERM.c.challenge_id)
    .where(TERM.c.next_due <= bindparam("b_today"), TERM.c.status == "lopend")
    .order_by(TERM.c.next_due, TERM.c.id).limit(1)
    # the challenge (every change takes it first) and the term: a term another worker handled since this query's
    # snapshot is re-checked against the WHERE once locked, so it is not handled twice from its old row
    .with_for_update(of=(CHALLENGE, TERM), skip_locked=True))
"""The sweep's claim: the first running term with something due by ``b_today``, it and its challenge locked
(``FOR UPDATE OF challenge, term SKIP LOCKED``: two workers never claim the same term)."""
_MARK_TERM = update(TERM).where(TERM.c.id == bindparam("b_id")).values(
    processed_until=bindparam("b_until"), next_due=bindparam("b_next"))
_PUT_OFF_TERM = update(TERM).where(TERM.c.id == bindparam("b_id")).values(next_due=bindparam("b_next"))
_ACTIVE = select(TERM.c.gemeente).where(TERM.c.status == "lopend", TERM.c.einddatum.is_not(None)).distinct()
_ENDING = (select(TERM.c.challenge_id, TERM.c.name, TERM.c.einddatum, CHALLENGE.c.kenmerk, CHALLENGE.c.titel,
                  CHALLENGE.c.workflow, CHALLENGE.c.workflow_version)
           .join(CHALLENGE, CHALLENGE.c.id == TERM.c.challenge_id)
           .where(TERM.c.gemeente == bindparam("b_gemeente"), TERM.c.status == "lopend",
                  TERM.c.einddatum <= bindparam("b_until"))
           .order_by(TERM.c.einddatum, TERM.c.challenge_id, TERM.c.name))
_RUNNING = (select(TERM, CHALLENGE.c.kenmerk, CHALLENGE.c.titel, CHALLENGE.c.behandelaar, CHALLENGE.c.workflow,
                   CHALLENGE.c.workflow_version)
            .join(CHALLENGE, CHALLENGE.c.id == TERM.c.challenge_id)
            .where(TERM.c.gemeente == bindparam("b_gemeente"), CHALLENGE.c.gemeente == bindparam("b_gemeente"),
                   TERM.c.status == "lopend", TERM.c.einddatum.is_not(None))
            .order_by(TERM.c.einddatum, TERM.c.challenge_id, TERM.c.id))


# -- the sweep -------------------------------------------------------------------------------------------------

def claim_due_term(connection: Connection, on: date) -> Row | None:
    """The first running term with something due by ``on`` (with its workflow and version), locked; or None."""
    return connection.execute(DUE_TERM, {"b_today": on}).one_or_none()


def mark_term(connection: Connection, term_id: int, *, until: date, next_due: date | None) -> None:
    """Record that the term's moments up to ``until`` are handled and when it is due next."""
    connection.execute(_MARK_TERM, {"b_id": term_id, "b_until": until, "b_next": next_due})


def put_off_term(connection: Connection, term_id: int, *, next_due: date) -> None:
    """Make the term due again on ``next_due``, its handled moments unchanged (it could not be handled)."""
    connection.execute(_PUT_OFF_TERM, {"b_id": term_id, "b_next": next_due})


# -- the digest and the calendar feed --------------------------------------------------------------------------

def gemeenten_with_running_terms(connection: Connection) -> set[str]:
    """The gemeenten that have a running term with an end date."""
    return set(connection.execute(_ACTIVE).scalars())


def terms_ending(connection: Connection, *, gemeente: str, until: date) -> list[Row]:
    """The gemeente's running terms ending on or before ``until`` (with the challenge's kenmerk, title, workflow
    and version), soonest first."""
    return connection.execute(_ENDING, {"b_gemeente": gemeente, "b_until": until}).all()


def running_terms(connection: Connection, *, gemeente: str, behandelaar: str | None = None) -> list[Row]:
    """The gemeente's running terms with an end date (with the challenge's kenmerk, title, behandelaar,
    workflow and version), of one behandelaar's challenges if given, soonest end first."""
    statement = _RUNNING if behandelaar is None else _RUNNING.where(CHALLENGE.c.behandelaar == behandelaar)
    return connection.execute(statement, {"b_gemeente": gemeente}).all()
