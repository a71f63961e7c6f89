"""The kenmerk people read (issue 15 item 0, issue 16 item 1): UD-2026-0001, UD-2026-0002, ... per gemeente and
year in Europe/Amsterdam, without gaps even when a submission fails or many are submitted at once; existing
challenges get one by migration 0005; letters, mails and the status page show it instead of the UUID."""

from __future__ import annotations

import multiprocessing
import re
import threading
from datetime import datetime, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from r2c.clock import FixedClock
from r2c.engine import Engine
from r2c.exports.letters import Letters
from r2c.notify.routing import Router
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database
from r2c.store.tables import ChallengeRow, KenmerkTellerRow
from r2c.web.status import status_router
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar, row_counts, submit

CHALLENGE = ChallengeRow.__table__
COUNTER = KenmerkTellerRow.__table__


def kenmerken(database: Database, gemeente: str) -> list[str]:
    with database.engine.connect() as connection:
        return connection.execute(select(CHALLENGE.c.kenmerk).where(CHALLENGE.c.gemeente == gemeente)
                                  .order_by(CHALLENGE.c.created_at, CHALLENGE.c.kenmerk)).scalars().all()


def test_numbers_count_per_gemeente_from_one(service, database) -> None:
    gouda = [submit(service, "gouda").challenge for _ in range(3)]
    vught = submit(service, "vught").challenge
    assert [c.kenmerk for c in gouda] == ["UD-2026-0001", "UD-2026-0002", "UD-2026-0003"]
    assert vught.kenmerk == "UD-2026-0001"  # another gemeente counts on its own
    assert service.get(gouda[1].id, actor=behandelaar()).kenmerk == "UD-2026-0002"  # read back from the row
    assert sorted(c.kenmerk for c in service.search(actor=behandelaar()).items) == [
        "UD-2026-0001", "UD-2026-0002", "UD-2026-0003"]


def test_the_year_is_the_dutch_one_and_numbers_restart_each_year(service) -> None:
    service.clock.set(datetime(2026, 12, 31, 22, 30, tzinfo=timezone.utc))  # 23:30 in Amsterdam: still 2026
    assert submit(service).challenge.kenmerk == "UD-2026-0001"
    service.clock.set(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))  # 00:30 on 1 January 2027
    assert submit(service).challenge.kenmerk == "UD-2027-0001"
    assert submit(service).challenge.kenmerk == "UD-2027-0002"


def test_a_submission_that_fails_after_taking_its_number_gives_it_back(service, database, monkeypatch) -> None:
    assert submit(service).challenge.kenmerk == "UD-2026-0001"
    before = row_counts(database)

    def broken(*args, **kwargs):
        raise RuntimeError("schijf vol")  # the last write of the submit's transaction

    monkeypatch.setattr("r2c.service.challenges.add_status_link", broken)
    with pytest.raises(RuntimeError):
        submit(service)
    assert row_counts(database) == before
    monkeypatch.undo()
    assert submit(service).challenge.kenmerk == "UD-2026-0002"  # no gap


def test_the_format_comes_from_the_settings(database, catalog, clock) -> None:
    service = ChallengeService(database.sessions, catalog, clock, kenmerk_formaat="{gemeente}/{jaar}/{nummer}")
    assert submit(service, "vught").challenge.kenmerk == "vught/2026/1"


N_THREADS = 8
PER_THREAD = 5


def test_concurrent_submitters_get_consecutive_numbers(database_url, catalog, clock) -> None:
    """N workers, each on its own connection, released together, submitting to two gemeenten at once."""
    engine = Engine(catalog, clock)
    engine.build_all()
    databases = [Database.connect(database_url) for _ in range(N_THREADS)]
    databases[0].upgrade()
    services = [ChallengeService(db.sessions, engine, clock) for db in databases]
    barrier = threading.Barrier(N_THREADS)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                submit(services[i], "gouda" if i % 2 else "vught")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N_THREADS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert errors == []
        each = N_THREADS // 2 * PER_THREAD
        for gemeente in ("gouda", "vught"):
            assert sorted(kenmerken(databases[0], gemeente)) == [f"UD-2026-{n:04d}" for n in range(1, each + 1)]
    finally:
        for db in databases:
            db.engine.dispose()


def _submit_in_a_process(url: str, count: int, start) -> None:
    """A worker process of its own (another machine, as far as PostgreSQL can tell)."""
    from tests.conftest import MODEL_DIR, WORKFLOW_DIR

    from r2c.definitions import load_catalog

    db = Database.connect(url)
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc))
    service = ChallengeService(db.sessions, load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[]), clock)
    start.wait()
    for _ in range(count):
        submit(service, "gouda")
    db.engine.dispose()


def test_two_processes_on_postgresql_get_unique_numbers_without_gaps(postgres_url) -> None:
    Database.connect(postgres_url).upgrade()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [context.Process(target=_submit_in_a_process, args=(postgres_url, 10, start)) for _ in range(2)]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(180)
    assert [p.exitcode for p in processes] == [0, 0]
    db = Database.connect(postgres_url)
    try:
        assert sorted(kenmerken(db, "gouda")) == [f"UD-2026-{n:04d}" for n in range(1, 21)]
        with db.engine.connect() as connection:
            assert connection.execute(select(COUNTER.c.laatste)).scalar_one() == 20
    finally:
        db.engine.dispose()


def test_the_migration_numbers_existing_challenges_in_the_order_they_came(database_url, catalog) -> None:
    db = Database.connect(database_url)
    try:
        db.upgrade("0004")
        made = [("c3", "gouda", "2026-05-01 08:00:00+00:00"), ("c1", "gouda", "2026-03-02 08:00:00+00:00"),
                ("c4", "gouda", "2026-12-31 23:30:00+00:00"),  # 1 January 2027 in Amsterdam
                ("c2", "vught", "2026-04-01 08:00:00+00:00"), ("c5", "gouda", "2026-12-31 22:30:00+00:00")]
        with db.engine.begin() as connection:
            for ident, gemeente, created in made:
                connection.execute(text(
                    "INSERT INTO challenge (id, gemeente, workflow, workflow_version, state, fase, titel, facts,"
                    " version, head_hash, created_at, updated_at) VALUES (:id, :g, :g, '2024.1',"
                    " 'indiening.ontvangen', 'indiening', 'Park', '{}', 1, 'h', :t, :t)"),
                    {"id": ident, "g": gemeente, "t": created})
            connection.execute(text("INSERT INTO party (id, challenge_id, rol) VALUES ('p1', 'c1', 'initiatiefnemer')"))
        db.upgrade()
        with db.engine.connect() as connection:
            found = dict(connection.execute(select(CHALLENGE.c.id, CHALLENGE.c.kenmerk)).all())
            counters = {(r.gemeente, r.jaar): r.laatste for r in connection.execute(select(COUNTER))}
            parties = connection.execute(text("SELECT count(*) FROM party")).scalar_one()
        assert found == {"c1": "UD-2026-0001", "c3": "UD-2026-0002", "c5": "UD-2026-0003", "c4": "UD-2027-0001",
                         "c2": "UD-2026-0001"}
        assert counters == {("gouda", 2026): 3, ("gouda", 2027): 1, ("vught", 2026): 1}
        assert parties == 1  # nothing cascaded away while the column became NOT NULL
        clock = FixedClock(datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc))
        assert submit(ChallengeService(db.sessions, catalog, clock)).challenge.kenmerk == "UD-2026-0004"
        with db.engine.begin() as connection, pytest.raises(Exception, match="(?i)null|not-null"):
            connection.execute(text("UPDATE challenge SET kenmerk = NULL WHERE id = 'c1'"))
    finally:
        db.engine.dispose()


def test_letters_and_the_status_page_show_the_kenmerk_not_the_uuid(service) -> None:
    letters = Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"), service.catalog))
    app = FastAPI()
    app.include_router(status_router(service, letters))
    client = TestClient(app)
    submit(service)
    fired = submit(service, titel="Buurttuin Oosterwei")
    challenge = fired.challenge
    assert challenge.kenmerk == "UD-2026-0002"
    page = client.get(f"/status/{fired.status_token}").text
    assert "Uw kenmerk UD-2026-0002" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert challenge.id not in page
    [letter] = service.letters_of(challenge.id, actor=behandelaar())
    rendered = letters.render(challenge.id, letter.id, actor=behandelaar())
    html = rendered.content.decode("utf-8")
    assert "Het kenmerk is UD-2026-0002." in html and challenge.id not in html
    assert rendered.filename == "ontvangstbevestiging-UD-2026-0002.html"


def test_a_wrong_format_is_one_line_with_exit_2(tmp_path) -> None:
    from tests.integration.test_config_errors import one_line
    from tests.conftest import run_r2c

    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    line = one_line(run_r2c("db", "status", env={"R2C_DATABASE_URL": url, "R2C_KENMERK_FORMAAT": "UD-{jaar}-{volg}"}))
    assert line.startswith("fout: R2C_KENMERK_FORMAAT=UD-{jaar}-{volg} is ongeldig: onbekend veld {volg}; gebruik "
                           "alleen {jaar}, {nummer} en {gemeente}"), line
