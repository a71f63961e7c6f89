"""Each migration's downgrade keeps the rows of every table that stays, on SQLite and PostgreSQL: on SQLite a
downgrade that rebuilds a table (copy, drop, rename) with foreign keys on would delete the rows that refer to it
(ON DELETE CASCADE), a whole history gone without an error."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from r2c.clock import FixedClock
from r2c.notify.routing import Router
from r2c.scheduler.jobs import distribute
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store.db import MIGRATIONS
from tests.conftest import run_r2c
from tests.integration.test_rapport_leesmodel import lifecycles


def counts(database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in inspect(connection).get_table_names() if name != "alembic_version"}


def test_every_downgrade_keeps_the_rows_of_the_tables_that_stay(database, database_url, catalog, tmp_path) -> None:
    clock = FixedClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    lifecycles(service, clock, random.Random(3), 12)
    assert distribute(service, clock, Router(Settings(kanalen=["log"]), catalog)).queued
    made = run_r2c("gebruikers", "maak", "--gemeente", "gouda", "--rol", "behandelaar", "--email", "a@gouda.nl",
                   env={"R2C_DATABASE_URL": database_url}, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    before = counts(database)
    assert all(before[name] for name in ("challenge", "history", "term", "letter", "outbox", "delivery", "party",
                                         "personal_data", "status_link", "account")), before
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for revision in ScriptDirectory.from_config(config).walk_revisions():
        if revision.down_revision is None:
            break
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision.down_revision)
        after = counts(database)
        assert {name: (before[name], n) for name, n in after.items() if n != before.get(name, n)} == {}, \
            f"rows lost going down to {revision.down_revision}"
