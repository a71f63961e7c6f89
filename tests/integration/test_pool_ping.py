"""A pooled PostgreSQL connection that lay unused is checked before a request gets it (r2c.store.db): when the
server closed it meanwhile (a restart, an idle timeout, ``pg_terminate_backend``) the request gets a new one and
does not notice; a connection in use a moment ago is not checked (no round trip per page view), so the one request
that meets a connection closed in between fails, and the next gets a new one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from r2c.store import Database
from r2c.store import db as store_db
from tests.integration.conftest import PG_URL


@pytest.fixture
def pg(postgres_url) -> Iterator[Database]:
    database = Database.connect(postgres_url)
    yield database
    database.engine.dispose()


def backend_pid(database: Database) -> int:
    with database.read_sessions() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(pid: int) -> None:
    """Close the server side of connection ``pid``, as a server restart or an idle timeout would."""
    admin = create_engine(PG_URL)
    try:
        with admin.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_closed_while_idle_is_replaced_before_the_request_gets_it(pg, monkeypatch) -> None:
    first = backend_pid(pg)
    terminate(first)
    monkeypatch.setattr(store_db, "PING_AFTER_IDLE", 0.0)  # it has lain unused long enough
    second = backend_pid(pg)  # no error: the pool noticed and connected anew
    assert second != first


def test_a_connection_used_a_moment_ago_is_not_checked_and_one_that_dies_in_use_fails_once(pg) -> None:
    first = backend_pid(pg)
    terminate(first)  # within PING_AFTER_IDLE of its last use: no check, so this request meets the closed one
    with pytest.raises(DBAPIError):
        backend_pid(pg)
    assert backend_pid(pg) != first  # and SQLAlchemy renewed the pool: the next request works
