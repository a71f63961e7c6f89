"""The doorlooptijd's median and p90 in SQL (r2c.store.reports) are nearest-rank percentiles: for any set of
stays, the same as counting them out by hand, on SQLite and on PostgreSQL (whose own ``percentile_disc`` would be
off by one rank for some counts). Stays are rows of the read model (``rapport_fase``) written straight into the
database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from r2c.store import Database
from r2c.store import reports as store
from r2c.store.tables import ChallengeRow, RapportFaseRow
from tests.integration.conftest import postgres_schema_url

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HASH = "0" * 64


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request, tmp_path_factory):
    if request.param == "sqlite":
        urls = iter([f"sqlite:///{tmp_path_factory.mktemp('pct') / 'r2c.db'}"])
    else:
        urls = postgres_schema_url()
    database = Database.connect(next(urls))
    database.upgrade()
    yield database
    database.engine.dispose()
    next(urls, None)  # drops the PostgreSQL schema


def test_seventy_values_p90_is_the_63rd(db) -> None:
    spread = write_and_measure(db, [24 * i for i in range(1, 71)])
    assert spread.p90 == pytest.approx(63.0) and spread.mediaan == pytest.approx(35.0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=300 * 24), min_size=1, max_size=80))
def test_median_and_p90_are_nearest_rank(db, hours) -> None:
    spread = write_and_measure(db, hours)
    days = [h / 24 for h in hours]
    assert spread.aantal == len(days)
    assert spread.mediaan == pytest.approx(nearest_rank(days, 0.5), abs=1e-6)
    assert spread.p90 == pytest.approx(nearest_rank(days, 0.9), abs=1e-6)


def write_and_measure(db, hours: list[int]) -> store.Spread:
    challenges, stays = [], []
    for i, h in enumerate(hours):
        cid = f"c{i:04d}"
        challenges.append({"id": cid, "gemeente": "vught", "kenmerk": f"K{i}", "workflow": "vught",
                           "workflow_version": "1", "state": "besluit.voorgelegd", "fase": "besluit",
                           "titel": "x", "facts": {}, "version": 2, "head_hash": HASH, "created_at": START,
                           "updated_at": START})
        stays.append({"challenge_id": cid, "seq": 1, "gemeente": "vught", "fase": "toetsing", "entered_at": START,
                      "left_at": START + timedelta(hours=h)})
    with db.engine.begin() as connection:
        connection.execute(delete(RapportFaseRow.__table__))
        connection.execute(delete(ChallengeRow.__table__))
        connection.execute(insert(ChallengeRow.__table__), challenges)
        connection.execute(insert(RapportFaseRow.__table__), stays)
        return store.phase_durations(connection, gemeente="vught", start=START,
                                     end=START + timedelta(days=400))["toetsing"]
