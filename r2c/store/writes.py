"""Writing one change: the history row, the challenge row, the term rows, the outbox message, the letters and the
year report's read model (r2c.store.readmodel: the step, the stay in a phase, the challenge's counted facts).

On PostgreSQL they go to the server as one statement (data-modifying CTEs), so a change costs one round trip
instead of five or more; elsewhere they are separate statements in the same transaction. Either way every
statement is built once, with bound parameters: building statements per call costs more than running them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Update

from r2c.store import readmodel
from r2c.store.tables import (ChallengeRow, HistoryRow, LetterRow, OutboxRow, RapportFaseRow, RapportFeitRow,
                              RapportStapRow, TermRow)

CHALLENGE, HISTORY = ChallengeRow.__table__, HistoryRow.__table__
LETTER, OUTBOX, TERM = LetterRow.__table__, OutboxRow.__table__, TermRow.__table__
STAP, FASE, FEIT = RapportStapRow.__table__, RapportFaseRow.__table__, RapportFeitRow.__table__

MUTABLE = ("status", "termijn", "einddatum", "suspended_from", "suspension_basis", "stopped_on", "next_due")
"""The columns a term update writes, all of them, so every update has one shape."""

UPDATED = ("workflow_version", "state", "fase", "resultaat", "titel", "behandelaar", "facts", "closed_at",
           "erased_at", "version", "head_hash", "updated_at", "volgende_termijn", "volgende_einddatum")
"""Challenge columns every change writes (from the row as it is after the change): one statement shape."""

_HISTORY_COLUMNS = tuple(c.name for c in HISTORY.c if c.name != "id")
_OUTBOX_COLUMNS = ("challenge_id", "gemeente", "topic", "idempotency_key", "payload", "status", "attempts",
                   "created_at", "next_attempt_at")
_LETTER_COLUMNS = ("challenge_id", "history_seq", "template", "aan", "status", "requested_at")
_TERM_COLUMNS = ("challenge_id", "gemeente", "name", "status", "termijn", "started_on", "einddatum", "next_due")

_UPDATE_ROW = update(CHALLENGE).where(CHALLENGE.c.id == bindparam("b_id"),
                                      CHALLENGE.c.version == bindparam("b_version"))
_INSERT_HISTORY, _INSERT_OUTBOX, _INSERT_LETTER = insert(HISTORY), insert(OUTBOX), insert(LETTER)
_INSERT_TERM = insert(TERM)
_UPDATE_TERM = update(TERM).where(TERM.c.id == bindparam("b_id"))

_STAP_COLUMNS = tuple(c.name for c in STAP.c)
_FASE_COLUMNS = tuple(c.name for c in FASE.c)
_FEIT_COLUMNS = tuple(c.name for c in FEIT.c)
_INSERT_STAP, _INSERT_FASE = insert(STAP), insert(FASE)
_CLOSE_STAY = (update(FASE).where(FASE.c.challenge_id == bindparam("b_challenge"), FASE.c.left_at.is_(None))
               .values(left_at=bindparam("b_left_at", type_=FASE.c.left_at.type)))


def _upsert_facts(dialect: Any, values: Any = None) -> Any:
    """INSERT the challenge's rapport_feit row, or UPDATE it when it is there."""
    statement = dialect.insert(FEIT)
    if values is not None:
        statement = statement.values(values)
    return statement.on_conflict_do_update(index_elements=[FEIT.c.challenge_id],
                                           set_={name: statement.excluded[name] for name in _FEIT_COLUMNS
                                                 if name != "challenge_id"})


_UPSERT_FEIT = _upsert_facts(sqlite)


def write_change(connection: Connection, *, challenge: Mapping[str, Any], expected_version: int,
                 history: Mapping[str, Any], outbox: Mapping[str, Any], letters: list[dict[str, Any]],
                 term_inserts: list[dict[str, Any]] | None = None,
                 term_updates: Mapping[int, Mapping[str, Any]] | None = None) -> bool:
    """Write one change; False when the challenge row was not at ``expected_version`` (nothing may commit then).

    ``term_inserts`` are new term rows, ``term_updates`` term row id -> its MUTABLE columns after the change.
    """
    values = {name: challenge[name] for name in UPDATED}
    outbox = {"status": "wachtend", "attempts": 0, **outbox}
    letters = [{"status": "te_maken", **letter} for letter in letters]
    inserts, updates = term_inserts or [], term_updates or {}
    step, stay = readmodel.step(challenge, history), readmodel.stay(challenge, history)
    feit = readmodel.facts(challenge)
    if connection.dialect.name == "postgresql":
        params = {"b_id": challenge["id"], "b_version": expected_version,
                  **{f"c_{k}": v for k, v in values.items()},
                  **{f"h_{k}": history[k] for k in _HISTORY_COLUMNS},
                  **{f"o_{k}": outbox[k] for k in _OUTBOX_COLUMNS}}
        for i, letter in enumerate(letters):
            params.update({f"l{i}_{k}": letter[k] for k in _LETTER_COLUMNS})
        for i, term in enumerate(inserts):
            params.update({f"t{i}_{k}": term[k] for k in _TERM_COLUMNS})
        for i, (term_id, term) in enumerate(updates.items()):
            params.update({f"u{i}_{k}": term[k] for k in MUTABLE}, **{f"u{i}_id": term_id})
        params.update({f"f_{k}": feit[k] for k in _FEIT_COLUMNS})
        if step is not None:
            params.update({f"s_{k}": step[k] for k in _STAP_COLUMNS})
        if stay is not None:
            params.update({f"p_{k}": stay[k] for k in _FASE_COLUMNS})
        statement = _combined(len(letters), len(inserts), len(updates), step is not None, stay is not None)
        return connection.execute(statement, params).first() is not None
    for term_id, term in updates.items():
        connection.execute(_UPDATE_TERM, {"b_id": term_id, **term})
    if inserts:
        connection.execute(_INSERT_TERM, inserts)
    if letters:
        connection.execute(_INSERT_LETTER, letters)
    connection.execute(_INSERT_HISTORY, history)
    done = connection.execute(_UPDATE_ROW, {"b_id": challenge["id"], "b_version": expected_version, **values})
    if step is not None:
        connection.execute(_INSERT_STAP, step)
    if stay is not None:
        connection.execute(_CLOSE_STAY, {"b_challenge": stay["challenge_id"], "b_left_at": stay["entered_at"]})
        connection.execute(_INSERT_FASE, stay)
    connection.execute(_UPSERT_FEIT, feit)
    connection.execute(_INSERT_OUTBOX, outbox)
    return done.rowcount == 1


def _params(table: Any, prefix: str, columns: tuple[str, ...]) -> dict[str, Any]:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in columns}


@cache
def _combined(letters: int, term_inserts: int, term_updates: int, step: bool, stay: bool) -> Update:
    """UPDATE challenge ... RETURNING, with the history, outbox, letter, term and read model writes as CTEs.

    One CTE per row: a multi-row VALUES would make the statement uncacheable (compiled on every call).
    """
    statement = (update(CHALLENGE).where(CHALLENGE.c.id == bindparam("b_id"),
                                         CHALLENGE.c.version == bindparam("b_version"))
                 .values(_params(CHALLENGE, "c_", UPDATED)).returning(CHALLENGE.c.version))
    ctes = [insert(HISTORY).values(_params(HISTORY, "h_", _HISTORY_COLUMNS)).cte("new_history"),
            insert(OUTBOX).values(_params(OUTBOX, "o_", _OUTBOX_COLUMNS)).cte("new_outbox")]
    ctes += [insert(LETTER).values(_params(LETTER, f"l{i}_", _LETTER_COLUMNS)).cte(f"new_letter_{i}")
             for i in range(letters)]
    ctes += [insert(TERM).values(_params(TERM, f"t{i}_", _TERM_COLUMNS)).cte(f"new_term_{i}")
             for i in range(term_inserts)]
    ctes += [update(TERM).where(TERM.c.id == bindparam(f"u{i}_id")).values(_params(TERM, f"u{i}_", MUTABLE))
             .cte(f"changed_term_{i}") for i in range(term_updates)]
    ctes.append(_upsert_facts(postgresql, _params(FEIT, "f_", _FEIT_COLUMNS)).cte("new_feit"))
    if step:
        ctes.append(insert(STAP).values(_params(STAP, "s_", _STAP_COLUMNS)).cte("new_stap"))
    if stay:  # the UPDATE sees the rows as before the statement, so it closes the old stay, not the new one
        same = bindparam("p_challenge_id", type_=FASE.c.challenge_id.type)
        ctes.append(update(FASE).where(FASE.c.challenge_id == same, FASE.c.left_at.is_(None))
                    .values(left_at=bindparam("p_entered_at", type_=FASE.c.entered_at.type)).cte("closed_fase"))
        ctes.append(insert(FASE).values(_params(FASE, "p_", _FASE_COLUMNS)).cte("new_fase"))
    return statement.add_cte(*ctes)
