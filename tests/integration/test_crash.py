"""A change that fails or dies halfway leaves nothing behind: all of its writes or none of them.

Two ways to break a ``fire`` in the middle of its transaction:

- an exception raised from inside the transaction, at each of its statements in turn (and at the commit);
- a real crash: another process runs ``fire`` on the same database and is killed with SIGKILL after the
  history row is written but before the commit, so no Python clean-up (no rollback, no ``finally``) runs.

On PostgreSQL the writes of a change travel as one statement (r2c.service.writes); "after the outbox insert" is
then after that statement, with every write of the change done and not yet committed.

Afterwards every table holds exactly what it held before, the audit chain verifies, and the same change can be
made normally.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, text

from r2c.service import ChallengeService
from r2c.store import Database
from r2c.store.audit import verify_database
from r2c.store.tables import METADATA
from tests.conftest import MODEL_DIR, ROOT, WORKFLOW_DIR
from tests.integration.helpers import behandelaar, row_counts, submit


class Boom(Exception):
    """The failure injected into the transaction."""


def dump(database: Database) -> dict[str, list[tuple]]:
    """Every row of every r2c table, in primary-key order: equal dumps mean nothing was written."""
    with database.read_sessions() as session:
        return {name: [tuple(r) for r in session.execute(select(table).order_by(*table.primary_key.columns))]
                for name, table in METADATA.tables.items()}


def snapshot(service: ChallengeService, database: Database, challenge_id: str) -> dict[str, Any]:
    b = behandelaar()
    challenge = service.get(challenge_id, actor=b)
    return {"version": challenge.version, "state": challenge.state, "terms": service.terms(challenge_id, actor=b),
            "timeline": service.timeline(challenge_id, actor=b), "counts": row_counts(database),
            "rows": dump(database)}


def assert_verified(database: Database) -> None:
    with database.read_sessions() as session:
        report = verify_database(session)
    assert report.ok, [str(f) for f in report.findings]


WRITES = ("INSERT INTO history", "UPDATE challenge SET", "INSERT INTO term", "INSERT INTO letter",
          "INSERT INTO rapport_stap", "UPDATE rapport_fase SET", "INSERT INTO rapport_fase", "INSERT INTO rapport_feit",
          "INSERT INTO outbox")
"""The writes of an aanvulling_vragen, as they appear in the SQL (alone, or as CTEs of one statement): with the year
report's read model (a step, the stay in indiening closed and one in ontvankelijkheid opened, the counted facts)."""


def writes_in(sent: list[str]) -> set[str]:
    """Which of the WRITES the statements ``sent`` carried."""
    return {w for w in WRITES if any(w in " ".join(s.split()) for s in sent)}


def fire_aanvulling(service: ChallengeService, challenge_id: str):
    """aanvulling_vragen: a state change, a term started and one suspended, a letter, history and outbox."""
    return service.fire(challenge_id, "aanvulling_vragen", actor=behandelaar(), reason="Begroting ontbreekt",
                        expected_version=1)


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements sent while inside the block."""
    seen: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", spy)


@contextmanager
def failing_at(database: Database, index: int | None) -> Iterator[list[str]]:
    """Raise Boom at the ``index``-th statement sent while inside the block, or at the commit when None."""
    sent: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)
        if index is not None and len(sent) - 1 == index:
            raise Boom(f"injected at statement {index}: {statement.split()[:3]}")

    def on_commit(conn):
        if index is None:
            raise Boom("injected at the commit")

    event.listen(database.engine, "before_cursor_execute", before)
    event.listen(database.engine, "commit", on_commit)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", before)
        event.remove(database.engine, "commit", on_commit)


# -- an exception inside the transaction --------------------------------------------------------------------

def test_an_exception_while_writing_the_outbox_leaves_nothing_and_the_next_fire_works(service, database) -> None:
    challenge = submit(service).challenge
    before = snapshot(service, database, challenge.id)

    def refuse_outbox(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO outbox" in " ".join(statement.split()):
            raise Boom("outbox unavailable")  # raised after the database ran the statement, before the commit

    event.listen(database.engine, "after_cursor_execute", refuse_outbox)
    try:
        with statements(database) as sent, pytest.raises(Boom):
            fire_aanvulling(service, challenge.id)
    finally:
        event.remove(database.engine, "after_cursor_execute", refuse_outbox)
    # the failure really was mid-transaction: every write of the change had been sent and run
    assert writes_in(sent) == set(WRITES)
    after = snapshot(service, database, challenge.id)
    assert after["counts"] == before["counts"]
    assert (after["version"], after["state"]) == (1, "indiening.ontvangen")
    assert after["terms"] == before["terms"]
    assert after == before
    assert_verified(database)

    fired = fire_aanvulling(service, challenge.id)
    assert (fired.challenge.version, fired.challenge.state) == (2, "ontvankelijkheid.aanvulling_gevraagd")
    counts = row_counts(database)
    assert {k: counts[k] - before["counts"][k] for k in counts if counts[k] != before["counts"][k]} == {
        "history": 1, "outbox": 1, "letter": 1, "term": 1, "rapport_stap": 1, "rapport_fase": 1}
    assert_verified(database)


def test_an_exception_at_any_statement_of_fire_or_at_its_commit_leaves_nothing(service, database) -> None:
    """Fail the same fire at its 1st, 2nd, ... statement and at the commit: each time nothing is written."""
    reference = submit(service).challenge
    with statements(database) as sent:
        fire_aanvulling(service, reference.id)
    count = len(sent)
    assert writes_in(sent) == set(WRITES)
    # SQLite: lock/read, terms, each write; PostgreSQL: lock/read, terms, all writes in one statement
    assert count >= (3 if database.is_postgresql else 8), sent
    challenge = submit(service).challenge
    before = snapshot(service, database, challenge.id)
    for index in [*range(count), None]:
        with failing_at(database, index) as tried, pytest.raises(Boom):
            fire_aanvulling(service, challenge.id)
        assert len(tried) == (index + 1 if index is not None else count), (index, tried)
        assert snapshot(service, database, challenge.id) == before, f"failing at statement {index} left a trace"
    assert_verified(database)
    fired = fire_aanvulling(service, challenge.id)
    assert fired.challenge.version == 2
    assert_verified(database)


# -- a real crash: the writing process is killed ------------------------------------------------------------

CHILD = r"""
import json, os, signal, sys
from datetime import datetime
from sqlalchemy import event
from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.engine.case import Actor
from r2c.service import ChallengeService
from r2c.store import Database

url, challenge_id, point, now, model_dir, workflow_dir = sys.argv[1:]
catalog = load_catalog([model_dir, workflow_dir], base_paths=[])
db = Database.connect(url)
service = ChallengeService(db.sessions, catalog, FixedClock(datetime.fromisoformat(now)),
                           read_session_factory=db.read_sessions)
sent = []

wal_bytes = []  # size of SQLite's WAL file when the transaction began and when the process dies

def wal_size():
    wal = url.removeprefix("sqlite:///") + "-wal"
    return os.path.getsize(wal) if url.startswith("sqlite") and os.path.exists(wal) else 0

def die(where):
    wal_bytes.append(wal_size())
    print(json.dumps({"killed_at": where, "sent": sent, "wal_bytes": wal_bytes}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

if point == "spill":  # a page cache this small writes uncommitted pages to the WAL before the commit
    @event.listens_for(db.engine, "connect")
    def tiny_cache(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA cache_size=1")

@event.listens_for(db.engine, "before_cursor_execute")
def before(conn, cursor, statement, parameters, context, executemany):
    sent.append(" ".join(statement.split()))
    if len(sent) == 1:
        wal_bytes.append(wal_size())

@event.listens_for(db.engine, "after_cursor_execute")
def after(conn, cursor, statement, parameters, context, executemany):
    if point in ("outbox", "spill") and "INSERT INTO outbox" in " ".join(statement.split()):
        die("INSERT INTO outbox")

@event.listens_for(db.engine, "commit")
def on_commit(conn):
    if point == "commit":
        die("COMMIT")

service.fire(challenge_id, "aanvulling_vragen", actor=Actor("b.killed", "behandelaar", "gouda"),
             reason="Begroting ontbreekt", expected_version=1)
print("NOT KILLED", flush=True)
"""


def crash_fire(database: Database, challenge_id: str, point: str, now: str) -> dict[str, Any]:
    """Run aanvulling_vragen in a child process on the same database and SIGKILL it at ``point``."""
    done = subprocess.run([sys.executable, "-c", CHILD, database.url, challenge_id, point, now, str(MODEL_DIR),
                           str(WORKFLOW_DIR)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)
    assert "NOT KILLED" not in done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_crash_left_nothing(service: ChallengeService, database: Database, clock, point: str) -> dict:
    challenge = submit(service).challenge
    before = snapshot(service, database, challenge.id)

    child = crash_fire(database, challenge.id, point, clock.now().isoformat())

    # the child died inside the transaction, after every write of the change had run
    assert writes_in(child["sent"]) == set(WRITES), child
    after = snapshot(service, database, challenge.id)
    assert after["counts"] == before["counts"]
    assert (after["version"], after["state"]) == (1, "indiening.ontvangen")
    assert after["terms"] == before["terms"]
    assert after == before
    assert_verified(database)
    if not database.is_postgresql:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"

    # the row is free again (on PostgreSQL: once the server has noticed the dead client, which the lock waits for)
    fired = fire_aanvulling(service, challenge.id)
    assert (fired.challenge.version, fired.challenge.state) == (2, "ontvankelijkheid.aanvulling_gevraagd")
    assert [h.actor_id for h in service.timeline(challenge.id, actor=behandelaar())] == [
        challenge.initiatiefnemer, "b.jansen"]
    assert_verified(database)
    with database.read_sessions() as session:
        keys = session.execute(text("SELECT idempotency_key FROM outbox WHERE challenge_id = :id ORDER BY id"),
                               {"id": challenge.id}).scalars().all()
    assert keys == [f"{challenge.id}:1", f"{challenge.id}:2"]
    return child


@pytest.mark.parametrize("point", ["outbox", "commit"])
def test_a_writer_killed_mid_transaction_leaves_nothing_and_the_next_fire_works(service, database, clock,
                                                                                point) -> None:
    """Killed after the outbox insert (every write of the change run), or just before COMMIT."""
    child = assert_crash_left_nothing(service, database, clock, point)
    assert child["killed_at"] == {"outbox": "INSERT INTO outbox", "commit": "COMMIT"}[point]


def test_a_writer_killed_after_uncommitted_pages_reached_the_sqlite_wal_leaves_nothing(sqlite_url, catalog, clock,
                                                                                       tmp_path) -> None:
    """SQLite: with a one-page cache the child writes its changed pages to the WAL before committing; recovery
    must ignore those frames (no commit record), so readers see the database as it was."""
    database = Database.connect(sqlite_url)
    database.upgrade()
    try:
        service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
        child = assert_crash_left_nothing(service, database, clock, "spill")
        began, died = child["wal_bytes"]
        assert died > began, f"no uncommitted page reached the WAL before the kill ({began} -> {died} bytes)"
    finally:
        database.engine.dispose()
