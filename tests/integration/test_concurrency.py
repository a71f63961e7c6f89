"""Concurrent writers on one challenge: exactly one of N conflicting changes wins, and none is ever lost.

Every worker has its own database connection and the workers are released together by a barrier, so their
transactions overlap for real. A round of the race fires N changes that all name the same ``expected_version``:
one must be recorded, every other must fail with a ``Conflict`` that says which change got in first, and the
history must stay one unbroken, verifiable chain. Without ``expected_version`` the row lock (PostgreSQL) or
BEGIN IMMEDIATE (SQLite) must serialise the writers so that every call is recorded.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text

from r2c.engine import Engine
from r2c.engine.case import Actor
from r2c.errors import Conflict
from r2c.service import ChallengeService
from r2c.store import Database, DocumentStore
from r2c.store.audit import verify_database
from r2c.store.tables import HistoryRow, OutboxRow
from tests.integration.helpers import behandelaar, row_counts, submit

N = 8
ROUNDS = 4
GEMEENTE = "gouda"
HISTORY = HistoryRow.__table__
OUTBOX = OutboxRow.__table__


# -- infrastructure -----------------------------------------------------------------------------------------

@dataclass
class Workers:
    """N services, each on a Database of its own (its own engine, pool and connection), one compiled engine."""

    databases: list[Database]
    services: list[ChallengeService]

    @property
    def main(self) -> ChallengeService:
        return self.services[0]

    @property
    def database(self) -> Database:
        return self.databases[0]


def _workers(url: str, catalog, clock, tmp_path) -> Iterator[Workers]:
    """N connections to one fresh database (SQLite file or PostgreSQL schema), migrated once."""
    engine = Engine(catalog, clock)
    engine.build_all()  # compiled once, before the threads start; shared by every worker like in a server
    documents = DocumentStore(tmp_path / "documenten")
    databases = [Database.connect(url) for _ in range(N)]
    databases[0].upgrade()
    for db in databases:  # open each pool's connection now, so that connecting is not part of the race
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    services = [ChallengeService(db.sessions, engine, clock, read_session_factory=db.read_sessions,
                                 documents=documents) for db in databases]
    yield Workers(databases, services)
    for db in databases:
        db.engine.dispose()


@pytest.fixture
def workers(database_url, catalog, clock, tmp_path) -> Iterator[Workers]:
    """N workers on each kind of database."""
    yield from _workers(database_url, catalog, clock, tmp_path)


@pytest.fixture
def postgres_workers(postgres_url, catalog, clock, tmp_path) -> Iterator[Workers]:
    """N workers on PostgreSQL."""
    yield from _workers(postgres_url, catalog, clock, tmp_path)


@dataclass(frozen=True)
class Outcome:
    """What one worker's call did: its result, or the exception it raised."""

    label: str
    result: Any = None
    error: BaseException | None = None


def race(calls: list[tuple[str, Callable[[], Any]]]) -> list[Outcome]:
    """Run every call on its own thread, all released at once by a barrier; their outcomes in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(i: int) -> None:
        label, call = calls[i]
        barrier.wait()
        try:
            outcomes[i] = Outcome(label, result=call())
        except BaseException as error:  # noqa: BLE001 - recorded and asserted on by the test
            outcomes[i] = Outcome(label, error=error)

    threads = [threading.Thread(target=run, args=(i,), name=f"writer-{i}") for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer still runs after 120 s: a deadlock"
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]


def history(db: Database, challenge_id: str) -> list[Any]:
    with db.read_sessions() as session:
        return session.execute(select(HISTORY).where(HISTORY.c.challenge_id == challenge_id)
                               .order_by(HISTORY.c.seq)).all()


def assert_intact(db: Database, challenge_id: str, version: int) -> None:
    """The challenge is at ``version`` with history 1..version, one outbox message each, and the chain verifies."""
    rows = history(db, challenge_id)
    assert [h.seq for h in rows] == list(range(1, version + 1)), "history has a gap or a duplicate"
    with db.read_sessions() as session:
        keys = session.execute(select(OUTBOX.c.idempotency_key).where(OUTBOX.c.challenge_id == challenge_id)
                               ).scalars().all()
        report = verify_database(session)
    assert sorted(keys, key=lambda k: int(k.rsplit(":", 1)[1])) == [f"{challenge_id}:{s}" for s in
                                                                    range(1, version + 1)]
    assert report.ok, [str(f) for f in report.findings]


def assert_one_winner(db: Database, challenge_id: str, outcomes: list[Outcome], expected: int) -> Outcome:
    """Exactly one outcome succeeded; every other is a Conflict that names the winning change."""
    unexpected = [(o.label, repr(o.error)) for o in outcomes if o.error is not None
                  and not isinstance(o.error, Conflict)]
    assert not unexpected, f"a writer failed with something other than Conflict: {unexpected}"
    winners = [o for o in outcomes if o.error is None]
    assert len(winners) == 1, f"{len(winners)} writers succeeded: {[o.label for o in winners]}"
    winner = winners[0]
    rows = history(db, challenge_id)
    assert rows[-1].seq == expected + 1
    last = rows[-1]
    recorded = last.event or last.kind
    assert winner.label.startswith(f"{recorded} door {last.actor_rol} {last.actor_id}"), (winner.label, recorded)
    for loser in (o for o in outcomes if o is not winner):
        conflict = loser.error
        assert isinstance(conflict, Conflict)
        assert (conflict.expected, conflict.current, conflict.state) == (expected, expected + 1, last.to_state), (
            loser.label, str(conflict))
        assert len(conflict.changes) == 1, conflict.changes
        # staff see who won; an initiatiefnemer sees only the role (who at the gemeente did it is not for them)
        who = last.actor_rol if loser.label.split()[2] == "initiatiefnemer" else f"{last.actor_rol} {last.actor_id}"
        assert conflict.changes[0].startswith(f"versie {expected + 1}: {recorded} door {who} op "), (
            loser.label, conflict.changes)
        assert f"versie {expected + 1}: {recorded} door" in str(conflict)
    return winner


def version_of(service: ChallengeService, challenge_id: str) -> int:
    return service.get(challenge_id, actor=behandelaar()).version


# -- who does what: N changes that are each allowed on a challenge just submitted (incomplete) ----------------

def mixed_contenders(service: ChallengeService, challenge: Any, expected: int) -> list[tuple[str, Callable]]:
    """Eight different changes, each allowed at version 1 on its own, each naming version ``expected``."""
    cid = challenge.id
    initiatiefnemer = Actor(challenge.initiatiefnemer, "initiatiefnemer", GEMEENTE)
    teamleider = Actor("t.bos", "teamleider", GEMEENTE)
    jansen, smit = behandelaar(ident="b.jansen"), behandelaar(ident="b.smit")
    return [
        ("aanvulling_vragen door behandelaar b.jansen",
         lambda: service.fire(cid, "aanvulling_vragen", actor=jansen, expected_version=expected)),
        ("aanvulling_vragen door behandelaar b.smit",
         lambda: service.fire(cid, "aanvulling_vragen", actor=smit, expected_version=expected)),
        ("verdagen door behandelaar b.jansen",
         lambda: service.fire(cid, "verdagen", actor=jansen, reason="Advies nodig", expected_version=expected)),
        ("verdagen door teamleider t.bos",
         lambda: service.fire(cid, "verdagen", actor=teamleider, reason="Drukte", expected_version=expected)),
        (f"intrekken door initiatiefnemer {initiatiefnemer.id}",
         lambda: service.fire(cid, "intrekken", actor=initiatiefnemer, reason="Wij zien ervan af",
                              expected_version=expected)),
        ("toewijzing door teamleider t.bos",
         lambda: service.assign(cid, behandelaar="b.smit", actor=teamleider, expected_version=expected)),
        ("toewijzing door behandelaar b.jansen",
         lambda: service.assign(cid, behandelaar="b.jansen", actor=jansen, expected_version=expected)),
        ("document door behandelaar b.smit",
         lambda: service.add_document(cid, actor=smit, name="notitie.txt", media_type="text/plain",
                                      content=f"Notitie bij {cid}".encode(), expected_version=expected)),
    ]


def test_each_mixed_contender_is_allowed_on_its_own(workers) -> None:
    """The race below is only meaningful if whichever writer wins would succeed: check each one alone."""
    service = workers.main
    for i in range(N):
        challenge = submit(service).challenge
        label, call = mixed_contenders(service, challenge, 1)[i]
        call()
        assert version_of(service, challenge.id) == 2, label
        assert_intact(workers.database, challenge.id, 2)


# -- one winner ---------------------------------------------------------------------------------------------

def test_of_eight_different_conflicting_changes_exactly_one_wins(workers) -> None:
    for _ in range(ROUNDS):
        challenge = submit(workers.main).challenge
        before = row_counts(workers.database)
        calls = [mixed_contenders(service, challenge, 1)[i] for i, service in enumerate(workers.services)]
        outcomes = race(calls)
        winner = assert_one_winner(workers.database, challenge.id, outcomes, expected=1)
        assert version_of(workers.main, challenge.id) == 2
        assert_intact(workers.database, challenge.id, 2)
        after = row_counts(workers.database)
        assert after["history"] - before["history"] == 1 and after["outbox"] - before["outbox"] == 1, winner.label
        assert after["document"] - before["document"] == (1 if winner.label.startswith("document") else 0)


def test_of_eight_writers_firing_the_same_event_exactly_one_wins_round_after_round(workers) -> None:
    """On one challenge: 8 x aanvulling_vragen at version v, then 8 x aanvullen at v + 1, and so on."""
    challenge = submit(workers.main).challenge
    initiatiefnemer = Actor(challenge.initiatiefnemer, "initiatiefnemer", GEMEENTE)
    expected = 1
    for round_ in range(2 * ROUNDS):
        calls = []
        for i, service in enumerate(workers.services):
            if round_ % 2 == 0:
                actor = behandelaar(ident=f"b.{i}")
                call = (lambda s=service, a=actor, v=expected:
                        s.fire(challenge.id, "aanvulling_vragen", actor=a, expected_version=v))
                calls.append((f"aanvulling_vragen door behandelaar b.{i}", call))
            else:
                actor = initiatiefnemer if i % 2 else behandelaar(ident=f"b.{i}")
                call = (lambda s=service, a=actor, v=expected, i=i:
                        s.fire(challenge.id, "aanvullen", actor=a, data={"vereisten": ["contactgegevens"]},
                               reason=f"aanvulling {i}", expected_version=v))
                calls.append((f"aanvullen door {actor.rol} {actor.id}", call))
        outcomes = race(calls)
        winner = assert_one_winner(workers.database, challenge.id, outcomes, expected=expected)
        assert winner.result.challenge.version == expected + 1
        expected += 1
        assert version_of(workers.main, challenge.id) == expected
        assert_intact(workers.database, challenge.id, expected)
    terms = workers.main.terms(challenge.id, actor=behandelaar())
    assert Counter(t.name for t in terms if t.status in ("lopend", "opgeschort")) == {"beslistermijn": 1}
    assert Counter(t.status for t in terms if t.name == "hersteltermijn") == {"gestopt": ROUNDS}


WAITING_BEHIND = text("""
    WITH RECURSIVE waiting(pid) AS (
        SELECT pid FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))
        UNION
        SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid)))
    SELECT count(*) FROM waiting""")
"""The backends waiting, directly or in the queue behind another waiter, on a lock that backend :pid holds."""


def test_writers_queued_behind_a_row_lock_see_the_winner_and_name_it(postgres_workers) -> None:
    """PostgreSQL: all eight are provably waiting on the challenge's row lock before any of them may go on.

    The test holds ``SELECT ... FOR UPDATE`` on the row itself, waits until the server reports all eight workers
    waiting behind it (pg_blocking_pids: the first waits on the holder, the others queue behind the first on the
    tuple lock), then lets go. The first in line fires; the other seven must re-read the row
    under the lock (READ COMMITTED) and fail with a Conflict naming that first change, not with a stale read.
    """
    workers = postgres_workers
    challenge = submit(workers.main).challenge
    calls = [mixed_contenders(service, challenge, 1)[i] for i, service in enumerate(workers.services)]
    with workers.database.engine.connect() as holder:
        pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
        holder.execute(text("SELECT id FROM challenge WHERE id = :id FOR UPDATE"), {"id": challenge.id})
        result: list[list[Outcome]] = []
        runner = threading.Thread(target=lambda: result.append(race(calls)))
        runner.start()
        with workers.databases[1].engine.connect() as watcher:
            blocked, give_up = 0, time.monotonic() + 60
            while blocked < N:  # no sleep: each query asks the server whom our lock holds up, until it is all 8
                blocked = watcher.execute(WAITING_BEHIND, {"pid": pid}).scalar_one()
                watcher.rollback()
                assert runner.is_alive() or blocked == N, "the writers finished while the row was locked"
                assert time.monotonic() < give_up, f"only {blocked} of {N} writers reached the row lock in 60 s"
        holder.rollback()
    runner.join(timeout=120)
    assert not runner.is_alive() and result
    assert_one_winner(workers.database, challenge.id, result[0], expected=1)
    assert version_of(workers.main, challenge.id) == 2
    assert_intact(workers.database, challenge.id, 2)


# -- no lost update -----------------------------------------------------------------------------------------

CALLS_PER_WRITER = 6


def test_no_update_is_lost_when_eight_writers_change_one_challenge_without_expected_version(database, catalog,
                                                                                           clock, tmp_path) -> None:
    """8 threads x 6 calls (assign by a teamleider, add_document by a behandelaar), no expected_version, one
    shared service and pool as in a server: every call is recorded, one version each, in one unbroken chain."""
    from sqlalchemy.pool import QueuePool

    assert isinstance(database.engine.pool, QueuePool)
    assert database.engine.pool.size() + database.engine.pool._max_overflow >= N  # one connection per writer
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    challenge = submit(service).challenge
    teamleider = Actor("t.bos", "teamleider", GEMEENTE)

    def writer(i: int) -> Callable[[], list[int]]:
        def run() -> list[int]:
            versions = []
            for k in range(CALLS_PER_WRITER):
                if k % 2 == 0:
                    versions.append(service.assign(challenge.id, behandelaar=f"b.{i}.{k}", actor=teamleider).version)
                else:
                    service.add_document(challenge.id, actor=behandelaar(ident=f"b.{i}"), name=f"bijlage-{i}-{k}.txt",
                                         media_type="text/plain", content=f"bijlage {i} {k}".encode())
            return versions
        return run

    outcomes = race([(f"writer {i}", writer(i)) for i in range(N)])
    assert [o.error for o in outcomes] == [None] * N, [repr(o.error) for o in outcomes]
    calls = N * CALLS_PER_WRITER
    final = version_of(service, challenge.id)
    assert final == 1 + calls
    assert_intact(database, challenge.id, final)
    rows = history(database, challenge.id)
    assert Counter(h.kind for h in rows) == {"transitie": 1, "toewijzing": calls // 2, "document": calls // 2}
    assigned_versions = [v for o in outcomes for v in o.result]
    assert len(set(assigned_versions)) == calls // 2, "two assigns returned the same version"
    assert len(service.documents_of(challenge.id, actor=behandelaar())) == calls // 2
    last_assign = max((h for h in rows if h.kind == "toewijzing"), key=lambda h: h.seq)
    assert service.get(challenge.id, actor=behandelaar()).behandelaar == last_assign.payload["behandelaar"]
