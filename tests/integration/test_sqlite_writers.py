"""SQLite writers of one process queue in order on a lock before BEGIN IMMEDIATE (not on SQLite's busy handler,
which lets a waiting writer be overtaken again and again); whatever ends a transaction frees the next writer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from r2c.errors import EventNotAllowed
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
