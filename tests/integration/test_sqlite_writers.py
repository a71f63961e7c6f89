"""SQLite writers of one process queue in order on a lock before BEGIN IMMEDIATE (not on SQLite's busy handler,
which lets a waiting writer be overtaken again and again); whatever ends a transaction frees the next writer."""

from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from r2c.errors import EventNotAllowed, StorageError
from r2c.store import Database
from tests.integration.helpers import behandelaar, submit


def test_a_refused_change_a_rollback_and_a_closed_session_each_free_the_next_writer(sqlite_url) -> None:
    database = Database.connect(sqlite_url)
    database.upgrade()
    with database.sessions() as session, session.begin():
        session.execute(text("SELECT 1"))  # committed
    with pytest.raises(RuntimeError), database.sessions() as session, session.begin():
        session.execute(text("SELECT 1"))
        raise RuntimeError("rolled back")
    session = database.sessions()
    session.execute(text("SELECT 1"))
    session.close()  # never committed: closing rolls back
    done = threading.Event()

    def write() -> None:
        with database.sessions() as other, other.begin():
            other.execute(text("SELECT 1"))
        done.set()

    threading.Thread(target=write).start()
    assert done.wait(10), "a writer waited on a lock that an ended transaction should have freed"
    database.engine.dispose()


def test_a_session_dropped_without_closing_frees_the_next_writer(sqlite_url) -> None:
    database = Database.connect(sqlite_url)
    database.upgrade()

    def forget() -> None:  # a session left to the garbage collector: the pool takes its connection back
        database.sessions().execute(text("SELECT 1"))

    forget()
    gc.collect()
    done = threading.Event()

    def write() -> None:
        with database.sessions() as other, other.begin():
            other.execute(text("SELECT 1"))
        done.set()

    threading.Thread(target=write, daemon=True).start()
    assert done.wait(10), "a writer waited for ever on the lock of a session nobody closed"
    database.engine.dispose()


def test_a_writer_that_waits_too_long_is_told_the_database_is_busy_and_nothing_is_written(
        sqlite_url, catalog, clock, monkeypatch) -> None:
    from r2c.service import ChallengeService
    from r2c.store import db

    database = Database.connect(sqlite_url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    submitted = submit(service).challenge
    ident = submitted.id
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with database.sessions() as other, other.begin():
            other.execute(text("SELECT 1"))
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert holding.wait(10)
    try:
        with pytest.raises(StorageError, match="database is locked"):
            service.fire(ident, "aanvulling_vragen", actor=behandelaar())
    finally:
        release.set()
        holder.join(10)
    assert service.get(ident, actor=behandelaar()).state == submitted.state
    assert service.fire(ident, "aanvulling_vragen", actor=behandelaar()).challenge.state == \
        "ontvankelijkheid.aanvulling_gevraagd"
    database.engine.dispose()


def test_many_threads_firing_at_once_all_get_through(sqlite_url, catalog, clock, tmp_path) -> None:
    from r2c.service import ChallengeService

    database = Database.connect(sqlite_url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    ids = [submit(service, titel=f"Plan {n}").challenge.id for n in range(16)]

    def work(ident: str) -> str:
        try:
            service.fire(ident, "toekennen", actor=behandelaar())  # refused inside the transaction
        except EventNotAllowed:
            pass
        return service.fire(ident, "aanvulling_vragen", actor=behandelaar(), expected_version=1).challenge.state

    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(work, ids, timeout=120))
    assert states == ["ontvankelijkheid.aanvulling_gevraagd"] * 16
    database.engine.dispose()
