"""Each challenge row keeps its next running term (``volgende_termijn``, ``volgende_einddatum``) for the
werkvoorraad: after random lifecycles through the service (starts, opschortingen, hervattingen, verdagingen,
stops, closings, on random days), on SQLite and PostgreSQL, it is exactly the running term that ends first
according to the term rows (the earliest last day, then the oldest row); and migration 0014 fills the same from
the term rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import select, update

from r2c.clock import FixedClock
from r2c.service import ChallengeService
from r2c.store import Database
from r2c.store.db import MIGRATIONS
from r2c.store.tables import ChallengeRow, TermRow
from tests.integration.test_rapport_leesmodel import lifecycles

CHALLENGE, TERM = ChallengeRow.__table__, TermRow.__table__


def kept(database: Database) -> dict[str, tuple]:
    """Per challenge: (volgende_termijn, volgende_einddatum) as its row keeps them."""
    with database.engine.connect() as connection:
        return {r.id: (r.volgende_termijn, r.volgende_einddatum) for r in connection.execute(
            select(CHALLENGE.c.id, CHALLENGE.c.volgende_termijn, CHALLENGE.c.volgende_einddatum))}


def from_the_terms(database: Database) -> dict[str, tuple]:
    """Per challenge: its running term that ends first, read from the term rows (None, None without one)."""
    out: dict[str, tuple] = {}
    with database.engine.connect() as connection:
        for r in connection.execute(select(CHALLENGE.c.id)):
            out[r.id] = (None, None)
        for r in connection.execute(select(TERM.c.challenge_id, TERM.c.name, TERM.c.einddatum)
                                    .where(TERM.c.status == "lopend", TERM.c.einddatum.is_not(None))
                                    .order_by(TERM.c.challenge_id, TERM.c.einddatum.desc(), TERM.c.id.desc())):
            out[r.challenge_id] = (r.name, r.einddatum)  # the last one written per challenge is the first
    return out


def test_the_row_keeps_the_running_term_that_ends_first_and_the_migration_fills_the_same(database, catalog) -> None:
    clock = FixedClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    lifecycles(service, clock, random.Random(14), 30)
    written, expected = kept(database), from_the_terms(database)
    assert written == expected
    running = [v for v in written.values() if v != (None, None)]
    assert running and len(running) < len(written)  # the walk left some with a running term, closed others
    with database.engine.connect() as connection:  # and more than one term ran at once somewhere
        names = {r.name for r in connection.execute(select(TERM.c.name).where(TERM.c.status == "lopend"))}
    assert len(names) > 1, names

    with database.engine.begin() as connection:  # the migration's fill from the term rows gives the same
        connection.execute(update(CHALLENGE).values(volgende_termijn="onzin", volgende_einddatum=None))
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    database.upgrade()
    assert kept(database) == expected
