"""``r2c scheduler``: the command as a beheerder runs it, and its APScheduler wiring.

The command runs as a subprocess (the venv's ``r2c``) on a SQLite file. Its work is made beforehand with the
standing test clock (Monday 2 March 2026): two challenges submitted then, whose beslistermijn ended on 28 April
2026. The command itself runs on the system clock, as in production, so to it everything of that term is past
and due at once: its three reminders and its escalation. Nothing here reads the wall clock or waits for it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from r2c.clock import FixedClock
from r2c.scheduler.runner import JOB_ID, make_tick, schedule
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database
from r2c.store.tables import DeliveryRow, OutboxRow, TermRow
from tests.conftest import run_r2c
from tests.integration.helpers import submit

OUTBOX, DELIVERY, TERM = OutboxRow.__table__, DeliveryRow.__table__, TermRow.__table__
JOBS = ("termijnen", "overzicht", "verdelen", "bezorgen")


@pytest.fixture
def scene(sqlite_url, catalog, clock, tmp_path):
    """A migrated SQLite file with two challenges submitted on 2 March 2026, and the command's environment."""
    database = Database.connect(sqlite_url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    ids = [submit(service, titel=f"Uitdaging {i}").challenge.id for i in range(2)]
    (tmp_path / "huisstijl").mkdir()
    env = {"R2C_DATABASE_URL": sqlite_url, "R2C_KANALEN": '["log"]', "R2C_WEBHOOK_URLS": "[]",
           "R2C_HUISSTIJL": str(tmp_path / "huisstijl"), "R2C_DOCUMENTEN": str(tmp_path / "documenten")}
    yield database, ids, env
    database.engine.dispose()


def counts(stdout: str) -> dict[str, tuple[int, ...]]:
    """Each job's line of ``r2c scheduler --eenmalig`` as its six numbers."""
    found = {}
    for line in stdout.splitlines():
        name, _, rest = line.partition(": ")
        if name in JOBS:
            found[name] = tuple(int(n) for n in re.findall(r"\d+", rest))
    assert list(found) == list(JOBS), stdout
    return found


def snapshot(database: Database) -> dict[str, list[tuple]]:
    with database.read_sessions() as session:
        return {
            "outbox": [tuple(r) for r in session.execute(
                select(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.challenge_id, OUTBOX.c.status).order_by(OUTBOX.c.id))],
            "delivery": [tuple(r) for r in session.execute(
                select(DELIVERY.c.id, DELIVERY.c.idempotency_key, DELIVERY.c.channel, DELIVERY.c.status,
                       DELIVERY.c.attempts).order_by(DELIVERY.c.id))],
            "term": [tuple(r) for r in session.execute(
                select(TERM.c.id, TERM.c.processed_until, TERM.c.next_due).order_by(TERM.c.id))]}


def logged_messages(stderr: str) -> list[str]:
    """The log channel's lines ('<time> r2c.berichten <key> log -> log: <topic>'): one per message sent."""
    return [line for line in stderr.splitlines() if " r2c.berichten " in line]


def test_one_round_of_the_command_sends_what_is_due_and_a_second_round_nothing(scene) -> None:
    database, ids, env = scene
    first = run_r2c("scheduler", "--eenmalig", env=env)
    assert first.returncode == 0, first.stderr
    # per challenge: the submission's message, three reminders and the escalation; one weekly digest for gouda
    assert counts(first.stdout) == {"termijnen": (2, 8, 0, 0, 0, 0), "overzicht": (1, 1, 0, 0, 0, 0),
                                    "verdelen": (11, 11, 0, 0, 0, 0), "bezorgen": (11, 0, 11, 0, 0, 0)}
    after = snapshot(database)
    topics = sorted((topic, challenge) for _, topic, challenge, _ in after["outbox"])
    assert topics == sorted([("overzicht.week", None)] + [
        (topic, c) for c in ids for topic in ("uitdaging.transitie", *["termijn.herinnering"] * 3,
                                              "termijn.escalatie")])
    assert {status for *_, status in after["outbox"]} == {"verdeeld"}
    assert [(channel, status, attempts) for _, _, channel, status, attempts in after["delivery"]] == [
        ("log", "verzonden", 1)] * 11
    assert all(processed is not None for _, processed, _ in after["term"])
    sent = logged_messages(first.stderr)
    assert len(sent) == 11, sent
    assert all(sum(f" {key} log -> log: " in line for line in sent) == 1 for _, key, *_ in after["delivery"]), sent

    again = run_r2c("scheduler", "--eenmalig", env=env)
    assert again.returncode == 0, again.stderr
    assert counts(again.stdout) == {name: (0, 0, 0, 0, 0, 0) for name in JOBS}
    assert snapshot(database) == after
    assert logged_messages(again.stderr) == []


def test_the_command_on_a_database_that_was_never_migrated_says_what_to_do(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'leeg.db'}"
    result = run_r2c("scheduler", "--eenmalig", env={"R2C_DATABASE_URL": url})
    assert result.returncode != 0
    assert "r2c db upgrade" in result.stdout + result.stderr and "Traceback" not in result.stderr


# -- the APScheduler wiring (r2c.scheduler.runner) -------------------------------------------------------------

def test_the_tick_is_one_interval_job_coalesced_and_never_twice_at_once() -> None:
    """``schedule`` on a scheduler started paused: the job is in APScheduler's job store and never runs."""
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc))
    ran: list[str] = []
    scheduler = BackgroundScheduler(timezone="Europe/Amsterdam")
    scheduler.start(paused=True)
    try:
        schedule(scheduler, lambda: ran.append("tick"), 90, clock=clock)
        schedule(scheduler, lambda: ran.append("tick"), 90, clock=clock)  # a restart: replaced, not doubled
        jobs = scheduler.get_jobs()
        assert [job.id for job in jobs] == [JOB_ID]
        job = jobs[0]
        assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == timedelta(seconds=90)
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert job.next_run_time == clock.now(), "the first round at once, not after a whole interval"
        assert job.trigger.get_next_fire_time(job.next_run_time, job.next_run_time) == clock.now() + timedelta(
            seconds=90)
    finally:
        scheduler.shutdown(wait=False)
    assert ran == []


def test_the_scheduled_function_runs_one_round_and_survives_a_failing_one(database, service, clock, catalog,
                                                                         tmp_path, caplog) -> None:
    """``make_tick``'s function, as the scheduler calls it: a round on the given clock sends what is due; a round
    that fails (here: a database without tables) is logged and returns, so the scheduler keeps its job."""
    settings = Settings(kanalen=["log"], huisstijl=tmp_path)
    c = submit(service).challenge
    with caplog.at_level("INFO"):
        make_tick(service, settings, clock)()
    with database.read_sessions() as session:
        sent = session.execute(select(DELIVERY.c.idempotency_key, DELIVERY.c.status).order_by(DELIVERY.c.id)).all()
    # the submission's message and, since the scheduler passes digest=True, this week's overview
    assert [tuple(r) for r in sent] == [(f"{c.id}:1|log|log", "verzonden"),
                                        ("overzicht:gouda:2026-W10|log|log", "verzonden")]
    assert sum(c.id in r.getMessage() for r in caplog.records if r.name == "r2c.berichten") == 1

    empty = Database.connect(f"sqlite:///{Path(tmp_path) / 'zonder-tabellen.db'}")
    broken = ChallengeService(empty.sessions, catalog, clock, read_session_factory=empty.read_sessions)
    caplog.clear()
    with caplog.at_level("INFO"):
        assert make_tick(broken, settings, clock)() is None
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "ronde van de planner mislukt; de volgende ronde probeert het opnieuw"]
    empty.engine.dispose()
