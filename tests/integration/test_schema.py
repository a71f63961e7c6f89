"""The database schema: the Alembic migrations build exactly the tables the code declares, on both databases, and
r2c refuses to work on a database whose schema is not the one it expects (``r2c db upgrade`` first).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from r2c.errors import DatabaseBehind, StorageError
from r2c.service.setup import open_service
from r2c.settings import Settings
from r2c.store import Database
from r2c.store.db import MIGRATIONS
from r2c.store.tables import METADATA
from tests.conftest import run_r2c

HEAD = sorted(p.name.split("_")[0] for p in MIGRATIONS.glob("versions/0*.py"))[-1]
"""The newest revision file: the schema this code expects."""


def differences(database: Database) -> list:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True})
        return compare_metadata(context, METADATA)


@pytest.fixture
def empty(database_url):
    """An empty database of each kind, connected but not migrated."""
    db = Database.connect(database_url)
    yield db
    db.engine.dispose()


def test_the_migrations_build_exactly_the_declared_tables(database) -> None:
    assert differences(database) == []
    tables = set(inspect(database.engine).get_table_names())
    assert tables == set(METADATA.tables) | {"alembic_version"}


def test_the_comparison_would_notice_a_missing_index(database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_outbox_pending"))
    found = differences(database)
    assert [(d[0], d[1].name) for d in found] == [("add_index", "ix_outbox_pending")]


def test_upgrade_twice_changes_nothing(database) -> None:
    database.upgrade()
    assert database.revisions() == (HEAD, HEAD)
    assert differences(database) == []
    database.require_current()


def test_an_empty_database_is_behind_and_says_how_to_fix_it(empty) -> None:
    assert empty.revisions() == (None, HEAD)
    with pytest.raises(DatabaseBehind) as behind:
        empty.require_current()
    message = str(behind.value)
    assert "is leeg" in message and f"verwacht revisie {HEAD}" in message
    assert message.endswith("voer eerst 'r2c db upgrade' uit")
    empty.upgrade()
    empty.require_current()
    assert empty.revisions() == (HEAD, HEAD)


def test_a_database_of_an_unknown_revision_is_refused(database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseBehind) as refused:
        database.require_current()
    assert "op revisie 9999" in str(refused.value) and "r2c db upgrade" in str(refused.value)


def test_the_message_never_shows_the_password(postgres_url) -> None:
    url = postgres_url.replace("postgres@", "postgres:geheim@", 1)
    db = Database.connect(url)
    try:
        with pytest.raises(StorageError) as refused:
            db.require_current()
        assert "geheim" not in str(refused.value)
    finally:
        db.engine.dispose()


def test_open_service_refuses_a_database_that_is_behind(database_url, tmp_path) -> None:
    settings = Settings(database_url=database_url, documenten=tmp_path / "documenten")
    with pytest.raises(DatabaseBehind) as behind:
        open_service(settings=settings)
    assert "r2c db upgrade" in str(behind.value)
    db = Database.connect(database_url)
    try:
        db.upgrade()
    finally:
        db.engine.dispose()
    service, opened = open_service(settings=settings)
    try:
        assert opened.revisions() == (HEAD, HEAD)
        assert service.catalog.ids(soort="gemeente")
    finally:
        opened.engine.dispose()


def test_cli_status_and_upgrade_on_a_sqlite_file(sqlite_url) -> None:
    env = {"R2C_DATABASE_URL": sqlite_url}
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.touch()  # an empty file, as a new disk or a mistyped name gives

    behind = run_r2c("db", "status", env=env)
    assert behind.returncode == 1
    assert behind.stdout.strip() == f"{sqlite_url}: revisie leeg, verwacht {HEAD}"
    assert behind.stderr.strip() == "voer 'r2c db upgrade' uit"

    upgraded = run_r2c("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"{sqlite_url}: revisie leeg -> {HEAD}"
    assert path.stat().st_size > 0

    current = run_r2c("db", "status", env=env)
    assert current.returncode == 0, current.stderr
    assert current.stdout.strip() == f"{sqlite_url}: revisie {HEAD}, verwacht {HEAD}"

    again = run_r2c("db", "upgrade", env=env)
    assert again.returncode == 0 and again.stdout.strip() == f"{sqlite_url}: revisie {HEAD} -> {HEAD}"
    db = Database.connect(sqlite_url)
    try:
        assert differences(db) == []
    finally:
        db.engine.dispose()


def test_cli_verify_on_an_unreachable_database_gives_a_message(tmp_path) -> None:
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": f"sqlite:///{tmp_path / 'bestaat-niet' / 'r2c.db'}"})
    assert result.returncode == 2  # a configuration error (issue 18), naming the setting
    assert result.stderr.startswith("fout: R2C_DATABASE_URL: database ") and "is niet bereikbaar" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["status", "upgrade"])
def test_cli_db_on_an_unreachable_database_gives_a_message(tmp_path, command) -> None:
    result = run_r2c("db", command, env={"R2C_DATABASE_URL": f"sqlite:///{tmp_path / 'bestaat-niet' / 'r2c.db'}"})
    assert "Traceback" not in result.stderr
    assert result.returncode == 2  # a configuration error (issue 18), naming the setting
    assert result.stderr.startswith("fout: R2C_DATABASE_URL: database ") and "niet bereikbaar" in result.stderr


def test_upgrading_a_database_with_running_terms_gives_them_their_next_due_day(database_url) -> None:
    """0001 -> 0002 on a database in use: a running beslistermijn gets the day of its first reminder (after the
    planner's first sweep)."""
    import json
    from datetime import date

    from sqlalchemy import text

    from r2c.definitions import load_catalog
    from r2c.service.terms import new_termijn
    from tests.conftest import MODEL_DIR, WORKFLOW_DIR

    database = Database.connect(database_url)
    try:
        database.upgrade("0001")
        definition = load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[]).get("gouda", "2024.1").definition
        termijn = new_termijn(definition, "beslistermijn", date(2026, 3, 2))
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO challenge (id, gemeente, workflow, workflow_version, state, fase, titel, facts, version,"
                " head_hash, created_at, updated_at) VALUES ('c1', 'gouda', 'gouda', '2024.1', 'indiening.ontvangen',"
                " 'indiening', 'Park', '{}', 1, 'h', '2026-03-02 08:00:00+00:00', '2026-03-02 08:00:00+00:00')"))
            connection.execute(text(
                "INSERT INTO term (challenge_id, gemeente, name, status, termijn, started_on, einddatum) VALUES"
                " ('c1', 'gouda', 'beslistermijn', 'lopend', :t, '2026-03-02', '2026-04-28')"),
                {"t": json.dumps(termijn.als_dict())})
        database.upgrade()
        with database.engine.connect() as connection:
            due = connection.execute(text("SELECT next_due FROM term")).scalar_one()
        # the migration carries no reminder arithmetic: the term is due on the day it started, so the planner's
        # first sweep handles it once; that sweep queues nothing early and stores the day of the first reminder
        assert str(due)[:10] == "2026-03-02"
        from datetime import datetime, timezone

        from r2c.clock import FixedClock
        from r2c.scheduler.jobs import sweep_terms
        from r2c.service import ChallengeService

        clock = FixedClock(datetime(2026, 3, 3, 8, 0, tzinfo=timezone.utc))
        catalog = load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[])
        report = sweep_terms(ChallengeService(database.sessions, catalog, clock), clock)
        assert (report.done, report.queued, report.skipped) == (1, 0, [])
        with database.engine.connect() as connection:
            due = connection.execute(text("SELECT next_due FROM term")).scalar_one()
        # '10 werkdagen voor' 28 April 2026: back over Koningsdag (27th) and two weekends
        assert str(due)[:10] == "2026-04-13"
        assert differences(database) == []
    finally:
        database.engine.dispose()
