"""The doorlooptijd's median and p90 in SQL (r2c.store.reports) are nearest-rank percentiles: for any set of
stays, the same as counting them out by hand. Stays are history rows written straight into a SQLite database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from r2c.store import Database
from r2c.store import reports as store
from r2c.store.tables import ChallengeRow, HistoryRow

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HASH = "0" * 64


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = Database.connect(f"sqlite:///{tmp_path_factory.mktemp('pct') / 'r2c.db'}")
    database.upgrade()
    yield database
    database.engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=300 * 24), min_size=1, max_size=40))
def test_median_and_p90_are_nearest_rank(db, hours) -> None:
    challenges, history = [], []
    for i, h in enumerate(hours):
        cid = f"c{i:04d}"
        challenges.append({"id": cid, "gemeente": "vught", "kenmerk": f"K{i}", "workflow": "vught",
                           "workflow_version": "1", "state": "besluit.voorgelegd", "fase": "besluit",
                           "titel": "x", "facts": {}, "version": 2, "head_hash": HASH, "created_at": START,
                           "updated_at": START})
        for seq, (src, dst, moment) in enumerate([("indiening.concept", "toetsing.beoordelen", START),
                                                  ("toetsing.beoordelen", "besluit.voorgelegd",
                                                   START + timedelta(hours=h))], start=1):
            history.append({"challenge_id": cid, "seq": seq, "kind": "transitie", "event": "x",
                            "from_state": src, "to_state": dst, "actor_id": "t", "actor_rol": "behandelaar",
                            "at": moment, "payload_hash": HASH, "snapshot_hash": HASH, "prev_hash": HASH,
                            "hash": HASH})
    with db.engine.begin() as connection:
        connection.execute(delete(HistoryRow.__table__))
        connection.execute(delete(ChallengeRow.__table__))
        connection.execute(insert(ChallengeRow.__table__), challenges)
        connection.execute(insert(HistoryRow.__table__), history)
        spread = store.phase_durations(connection, gemeente="vught", start=START,
                                       end=START + timedelta(days=400))["toetsing"]
    days = [h / 24 for h in hours]
    assert spread.aantal == len(days)
    assert spread.mediaan == pytest.approx(nearest_rank(days, 0.5), abs=1e-6)
    assert spread.p90 == pytest.approx(nearest_rank(days, 0.9), abs=1e-6)
