"""Real databases for the storage tests: a SQLite file per test, and a fresh schema on PostgreSQL per test.

PostgreSQL: R2C_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test. When CI=true the
PostgreSQL tests must run and fail if the server is unreachable; elsewhere they skip and say how to enable them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from r2c.store.scratch import postgres_problem, scratch_schema

PG_URL = os.environ.get("R2C_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


_PG_PROBLEM = postgres_problem(PG_URL)


def require_postgresql() -> None:
    """Skip (or fail in CI) when PostgreSQL is not reachable."""
    if _PG_PROBLEM is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true maar PostgreSQL op {PG_URL} is niet bereikbaar: {_PG_PROBLEM}")
    pytest.skip(f"PostgreSQL niet bereikbaar op {PG_URL} ({_PG_PROBLEM}); start de server of zet "
                "R2C_TEST_POSTGRES_URL om deze tests te draaien (met CI=true zijn ze verplicht)")


def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a new, empty schema; the schema is dropped afterwards."""
    require_postgresql()
    with scratch_schema(PG_URL, prefix="r2c_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database of each kind (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'r2c.db'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """An empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'r2c.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL schema."""
    yield from postgres_schema_url()


@pytest.fixture
def database(database_url):
    """A migrated database of each kind."""
    from r2c.store import Database

    db = Database.connect(database_url)
    db.upgrade()
    yield db
    db.engine.dispose()


@pytest.fixture
def service(database, catalog, clock, tmp_path):
    """The challenge service on that database, with the standing clock and a document directory."""
    from r2c.service import ChallengeService
    from r2c.store import DocumentStore

    return ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                            documents=DocumentStore(tmp_path / "documenten"))
