"""Benchmark of the storage (issue 4): a persisted event, writer throughput, and search over 100,000 challenges.

Measured in one run, on SQLite (a temporary file) and on PostgreSQL (a fresh schema, dropped afterwards; skipped
with a note when the server does not answer). Figures and their meaning: docs/performance.md, "Storage".

a. ``fire``: one event persisted by ``ChallengeService.fire`` (challenge row, one hash-chained history row, the
   terms, a letter, an outbox message, in one transaction). The challenge is submitted incomplete and then
   alternates ``aanvulling_vragen`` (starts the hersteltermijn, suspends the beslistermijn, asks for a letter)
   and ``aanvullen`` with ``{"vereisten": [an item already present]}`` (stops the hersteltermijn, resumes the
   beslistermijn), so every event has term actions.
b. ``minimal``: the least a hand-written SQLAlchemy transaction does for an event: one UPDATE of a row in a small
   table of its own and one INSERT into another, through the same ``Database.connect(url)`` session factory (so
   the same engine, BEGIN IMMEDIATE, WAL and synchronous=FULL on SQLite). a and b alternate in the same loop; the
   ratio a / b has a target of under 2. Then where the time of a goes: per SQL statement (timed around the
   driver's execute and commit), a cProfile of ``fire``, and a control in the same loop: b with its statements
   built once (the floor of what SQLAlchemy costs per statement).
c. ``throughput``: events per second with 1 and with 8 writer threads, each on challenges of its own, one
   service and one connection pool shared as in a server.
d. ``search``: 100,000 challenges over six gemeenten and every phase, inserted with bulk core INSERTs (challenge
   and party rows, not through the service); ``ChallengeService.search`` by gemeente and phase
   (``SearchFilters(fase=...)``, limit 50), median per query; target under 50 ms. Also by gemeente alone.

Run: ``.venv/bin/python -c "import bench.bench_store as b; b.main()"`` (or ``make bench`` for every benchmark).
PostgreSQL: ``R2C_BENCH_POSTGRES_URL``, else ``R2C_TEST_POSTGRES_URL``, else
postgresql+psycopg://postgres@127.0.0.1:5432/test. Sizes: ``R2C_BENCH_STORE_SAMPLES`` (FIRE_SAMPLES; the warm-up and
PROFILE_EVENTS follow it), ``R2C_BENCH_STORE_CHALLENGES`` (SEARCH_CHALLENGES). The machine is shared and noisy:
medians and ratios only.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON, Column, DateTime, Integer, MetaData, String, Table, bindparam, event, insert, select,
    text, update,
)

from r2c.store.scratch import postgres_problem, scratch_schema

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "model_verordening"
WORKFLOW_DIR = ROOT / "workflows"
PG_URL = os.environ.get("R2C_BENCH_POSTGRES_URL") or os.environ.get(
    "R2C_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

FIRE_SAMPLES = int(os.environ.get("R2C_BENCH_STORE_SAMPLES", "600"))
FIRE_WARMUP = FIRE_SAMPLES // 10  # 60 by default
PROFILE_EVENTS = FIRE_SAMPLES // 2  # 300 by default
THROUGHPUT_EVENTS = 480  # in total per measurement: 1 x 480, or 8 x 60
SEARCH_CHALLENGES = int(os.environ.get("R2C_BENCH_STORE_CHALLENGES", "100000"))
SEARCH_REPEATS = 5
RATIO_TARGET = 2.0
SEARCH_TARGET_MS = 50.0
PRESENT = "contactgegevens"  # the vereiste the bench challenges are submitted with, and 'aanvullen' sends again


# -- set-up -------------------------------------------------------------------------------------------------

def _catalog():
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[])


def _service(db, catalog, clock):
    from r2c.service import ChallengeService

    return ChallengeService(db.sessions, catalog, clock, read_session_factory=db.read_sessions)


def _pg_problem() -> str | None:
    """None when PostgreSQL answers, else why not."""
    return postgres_problem(PG_URL)


@contextmanager
def _databases(kind: str) -> Iterator[str]:
    """The URL of a new, empty database of ``kind``, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="r2c-bench-") as folder:
            yield f"sqlite:///{folder}/r2c.db"
        return
    with scratch_schema(PG_URL, prefix="r2c_bench") as url:
        yield url


@contextmanager
def _database(url: str):
    from r2c.store import Database

    db = Database.connect(url)
    db.upgrade()
    try:
        yield db
    finally:
        db.engine.dispose()


def _actor(gemeente: str = "gouda", ident: str = "b.bench"):
    from r2c.engine.case import Actor

    return Actor(ident, "behandelaar", gemeente)


def _submit(service, gemeente: str = "gouda"):
    from r2c.service import Initiatiefnemer

    return service.submit(gemeente=gemeente, titel="Bench", data={"vereisten": [PRESENT], "omschrijving": "Park"},
                          initiatiefnemer=Initiatiefnemer("A. Bench", "a.bench@example.nl")).challenge


class _Events:
    """Fires aanvulling_vragen and aanvullen in turn on one challenge, with the version it last saw."""

    def __init__(self, service, gemeente: str = "gouda", ident: str = "b.bench"):
        self.service = service
        self.actor = _actor(gemeente, ident)
        challenge = _submit(service, gemeente)
        self.id, self.version, self.count = challenge.id, challenge.version, 0

    def __call__(self) -> None:
        if self.count % 2 == 0:
            fired = self.service.fire(self.id, "aanvulling_vragen", actor=self.actor, expected_version=self.version)
        else:
            fired = self.service.fire(self.id, "aanvullen", actor=self.actor, data={"vereisten": [PRESENT]},
                                      expected_version=self.version)
        self.version = fired.challenge.version
        self.count += 1


# -- a/b. one persisted event against the minimal transaction -------------------------------------------------

_MINIMAL = MetaData()
_ITEM = Table("bench_item", _MINIMAL, Column("id", String(36), primary_key=True),
              Column("version", Integer, nullable=False), Column("updated_at", DateTime(timezone=True), nullable=False))
_LOG = Table("bench_log", _MINIMAL, Column("id", Integer, primary_key=True, autoincrement=True),
             Column("item_id", String(36), nullable=False), Column("seq", Integer, nullable=False),
             Column("at", DateTime(timezone=True), nullable=False), Column("payload", JSON, nullable=False))


def _minimal(db) -> tuple[Callable[[], None], Callable[[], None]]:
    """One UPDATE and one INSERT in a transaction of the same session factory as r2c's writes, written the usual
    way (values in the statement), and with statements built once and the values passed as parameters (the
    floor of what SQLAlchemy costs per statement, which is how r2c builds its own)."""
    _MINIMAL.create_all(db.engine)
    item = str(uuid.uuid4())
    with db.sessions() as session, session.begin():
        session.execute(insert(_ITEM), [{"id": str(uuid.uuid4()), "version": 0, "updated_at": NOW}
                                        for _ in range(99)] + [{"id": item, "version": 0, "updated_at": NOW}])
    seq = [0]

    def usual() -> None:
        seq[0] += 1
        with db.sessions() as session, session.begin():
            session.execute(update(_ITEM).where(_ITEM.c.id == item).values(version=_ITEM.c.version + 1,
                                                                            updated_at=NOW))
            session.execute(insert(_LOG).values(item_id=item, seq=seq[0], at=NOW, payload={"event": "aanvullen"}))

    bump = (update(_ITEM).where(_ITEM.c.id == bindparam("item"))
            .values(version=_ITEM.c.version + 1, updated_at=bindparam("at")))
    log = insert(_LOG)

    def prebuilt() -> None:
        seq[0] += 1
        with db.sessions() as session, session.begin():
            session.execute(bump, {"item": item, "at": NOW})
            session.execute(log, {"item_id": item, "seq": seq[0], "at": NOW, "payload": {"event": "aanvullen"}})

    return usual, prebuilt


def _timed(call: Callable[[], None]) -> int:
    t0 = time.perf_counter_ns()
    call()
    return time.perf_counter_ns() - t0


def bench_fire(db, catalog, clock) -> dict[str, Any]:
    """fire and the minimal transaction alternately, FIRE_SAMPLES each after a warm-up; medians in us."""
    events = _Events(_service(db, catalog, clock))
    usual, prebuilt = _minimal(db)
    calls = {"fire": events, "minimal": usual, "minimal_prebuilt": prebuilt}
    names = list(calls)
    for _ in range(FIRE_WARMUP):
        for call in calls.values():
            call()
    samples: dict[str, list[int]] = {name: [] for name in names}
    for i in range(FIRE_SAMPLES):
        k = i % len(names)
        for name in names[k:] + names[:k]:  # rotate which goes first
            samples[name].append(_timed(calls[name]))
    us = {name: statistics.median(samples[name]) / 1000 for name in names}
    return {"fire_us": round(us["fire"], 1), "minimal_us": round(us["minimal"], 1),
            "ratio": round(us["fire"] / us["minimal"], 2), "meets_target": us["fire"] / us["minimal"] < RATIO_TARGET,
            "minimal_prebuilt_us": round(us["minimal_prebuilt"], 1),
            "ratio_to_prebuilt": round(us["fire"] / us["minimal_prebuilt"], 2),
            "p90_us": {name: round(statistics.quantiles(samples[name], n=10)[-1] / 1000, 1) for name in names},
            "samples": FIRE_SAMPLES, "breakdown": _breakdown(db, events), "statement_cost": _statement_cost(db, events),
            "profile": _profile(events)}


def _statement_cost(db, events: _Events, samples: int = 300) -> dict[str, float]:
    """What one INSERT INTO history costs, built per call (``insert(HISTORY).values(**record)``) and built once
    with the record passed as parameters (as r2c does); in one transaction that is rolled back."""
    from r2c.store.tables import HistoryRow

    history = HistoryRow.__table__
    with db.read_sessions() as session:  # a real row of the bench challenge, as r2c wrote it (every column)
        record = dict(session.execute(select(history).where(history.c.challenge_id == events.id)
                                      .order_by(history.c.seq.desc()).limit(1)).one()._mapping)
    del record["id"], record["seq"]
    prebuilt = insert(history)
    seq = [10**6]
    result = {}
    with db.sessions() as session:
        def each_call() -> None:
            seq[0] += 1
            session.execute(insert(history).values(seq=seq[0], **record))

        def once() -> None:
            seq[0] += 1
            session.execute(prebuilt, {**record, "seq": seq[0]})

        session.begin()
        try:
            for name, call in (("built_each_call_us", each_call), ("built_once_us", once)):
                for _ in range(30):
                    call()
                result[name] = round(statistics.median(_timed(call) for _ in range(samples)) / 1000, 1)
        finally:
            session.rollback()
    return result


def _statement_key(statement: str) -> str:
    words = statement.split()
    if words[0].upper() == "SELECT":
        table = words[1].split(".")[0]  # the first column names the table read
        return f"SELECT {table}{' FOR UPDATE' if 'FOR UPDATE' in statement else ''}"
    return " ".join(words[:3] if words[0].upper() in ("INSERT", "BEGIN") else words[:2])


def _breakdown(db, events: _Events) -> dict[str, Any]:
    """Where one fire's wall time goes: each SQL statement (driver execute), the commit, and the rest (Python).

    Timed for PROFILE_EVENTS events with cursor events around each execute and a wrapper around the dialect's
    commit; per event, the median of each part."""
    per_event: list[dict[str, int]] = []
    current: dict[str, int] = defaultdict(int)
    started: list[int] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        started.append(time.perf_counter_ns())

    def after(conn, cursor, statement, parameters, context, executemany):
        current[_statement_key(statement)] += time.perf_counter_ns() - started.pop()
        current["#statements"] += 1

    dialect = db.engine.dialect
    plain_commit = dialect.do_commit

    def timed_commit(dbapi_connection):
        t0 = time.perf_counter_ns()
        plain_commit(dbapi_connection)
        current["COMMIT"] += time.perf_counter_ns() - t0

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    dialect.do_commit = timed_commit
    try:
        for _ in range(PROFILE_EVENTS):
            current.clear()
            total = _timed(events)
            sql = sum(v for k, v in current.items() if not k.startswith("#"))
            per_event.append({**current, "total": total, "sql_and_commit": sql, "python": total - sql})
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
        del dialect.do_commit
    keys = sorted({k for e in per_event for k in e})
    medians = {k: statistics.median(e.get(k, 0) for e in per_event) for k in keys}
    result = {k: round(v / 1000, 1) for k, v in medians.items() if not k.startswith("#")}
    result["statements_per_event"] = medians["#statements"]
    return result


PROFILED = {
    # label: (file ending, function name), cumulative time; nested parts overlap (the percentages need not add up)
    "fire": ("r2c/service/challenges.py", "fire"),
    "  load: SELECT challenge (+ initiatiefnemer) FOR UPDATE, actor checks": ("r2c/service/challenges.py", "load"),
    "  engine.fire (the workflow itself)": ("r2c/engine/registry.py", "fire"),
    "  _apply": ("r2c/service/challenges.py", "_apply"),
    "    plan_term_changes: SELECT open terms, end dates": ("r2c/service/terms.py", "plan_term_changes"),
    "    append: hashes, then write_change": ("r2c/service/challenges.py", "append"),
    "      write_change: history, challenge, terms, letter, outbox": ("r2c/store/writes.py", "write_change"),
    "  commit (Session)": ("sqlalchemy/orm/session.py", "commit"),
    "SQLAlchemy: Connection.execute (all statements)": ("sqlalchemy/engine/base.py", "execute"),
    "SQLAlchemy: cache key of each new statement": ("sqlalchemy/sql/cache_key.py", "_generate_cache_key"),
    "driver: cursor.execute": ("", "execute' of"),
    "driver: commit": ("", "commit' of"),
}


def _profile(events: _Events) -> dict[str, dict[str, float]]:
    """cProfile of PROFILE_EVENTS fires: cumulative time of the parts of fire (PROFILED), per event and as a
    share of fire. Absolute times include the profiler's own overhead; the shares are what to read."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_EVENTS):
        events()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO()).stats  # type: ignore[attr-defined]
    found: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (filename, _line, name), (_cc, ncalls, _tottime, cumtime, _callers) in stats.items():
        for label, (ending, function) in PROFILED.items():
            if (ending and filename.endswith(ending) and name == function) or (
                    not ending and function in name and ("sqlite3" in name or "psycopg" in name
                                                         or "Cursor" in name or "Connection" in name)):
                found[label][0] += cumtime
                found[label][1] += ncalls
    # psycopg's cursor.execute is Python code: take it by file
    if not found.get("driver: cursor.execute"):
        for (filename, _line, name), (_cc, ncalls, _tottime, cumtime, _callers) in stats.items():
            if filename.endswith("psycopg/cursor.py") and name == "execute":
                found["driver: cursor.execute"] = [cumtime, ncalls]
            if filename.endswith("psycopg/connection.py") and name == "commit":
                found["driver: commit"] = [cumtime, ncalls]
    total = found["fire"][0] or 1.0
    return {label: {"cum_us_per_event": round(found[label][0] / PROFILE_EVENTS * 1e6, 1),
                    "share": round(found[label][0] / total, 3),
                    "calls_per_event": round(found[label][1] / PROFILE_EVENTS, 1)}
            for label in PROFILED if label in found}


# -- c. throughput ------------------------------------------------------------------------------------------

def bench_throughput(db, catalog, clock, threads: int) -> dict[str, Any]:
    """THROUGHPUT_EVENTS events by ``threads`` writers on challenges of their own; events per second."""
    service = _service(db, catalog, clock)
    writers = [_Events(service, ident=f"b.bench{i}") for i in range(threads)]
    for w in writers:
        w()  # warm: each thread's first event is not counted
    per_thread = THROUGHPUT_EVENTS // threads
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def run(w: _Events) -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                w()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    pool = [threading.Thread(target=run, args=(w,)) for w in writers]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return {"threads": threads, "events": per_thread * threads, "seconds": round(elapsed, 2),
            "events_per_s": round(per_thread * threads / elapsed, 1)}


# -- d. search over 100,000 challenges ------------------------------------------------------------------------

def _load_challenges(db, catalog, n: int) -> dict[str, Any]:
    """``n`` challenge rows (and their initiatiefnemer party rows) over the five shipped gemeenten and a sixth
    one, in every state of each gemeente's workflow (four in ten closed), created over three years."""
    from r2c.engine import Engine
    from r2c.store.audit import genesis
    from r2c.store.tables import ChallengeRow, PartyRow

    from r2c.clock import FixedClock

    engine = Engine(catalog, FixedClock(NOW))
    rng = random.Random(2026)
    kinds = []
    for gemeente in catalog.ids(soort="gemeente"):
        definition = catalog.in_force(gemeente, NOW.date()).definition
        kinds.append((gemeente, engine.workflow(definition.id, definition.versie)))
    kinds.append(("bench-overig", engine.workflow("vng-model-2024")))  # rows of a gemeente nobody here searches
    plans = []
    for gemeente, wf in kinds:
        states = list(wf.loaded.graph.states)
        plans.append((gemeente, wf, [s for s in states if not wf.is_final(s)], [s for s in states if wf.is_final(s)]))
    first = NOW - timedelta(days=3 * 365)
    step = (NOW - first) / n
    challenges, parties = [], []
    for i in range(n):
        gemeente, wf, running, closed = plans[i % len(plans)]
        state = rng.choice(closed) if rng.random() < 0.4 else rng.choice(running)
        final = wf.is_final(state)
        cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = first + step * i + timedelta(microseconds=rng.randrange(1000))
        challenges.append({
            "id": cid, "gemeente": gemeente, "kenmerk": f"UD-{created.year}-{i:06d}", "workflow": wf.definition.id,
            "workflow_version": wf.definition.versie,
            "state": state, "fase": wf.phase_of(state), "resultaat": wf.loaded.graph.states[state].resultaat,
            "titel": f"Uitdaging {i}", "behandelaar": f"b.{rng.randrange(40)}" if rng.random() < 0.8 else None,
            "facts": {}, "version": rng.randrange(1, 30), "head_hash": genesis(cid), "created_at": created,
            "updated_at": created + timedelta(days=rng.randrange(60)),
            "closed_at": created + timedelta(days=rng.randrange(60, 400)) if final else None, "erased_at": None})
        parties.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "challenge_id": cid,
                        "rol": "initiatiefnemer"})
    t0 = time.perf_counter()
    with db.engine.begin() as connection:
        for start in range(0, n, 10_000):
            connection.execute(insert(ChallengeRow.__table__), challenges[start:start + 10_000])
            connection.execute(insert(PartyRow.__table__), parties[start:start + 10_000])
    loaded = time.perf_counter() - t0
    if db.is_postgresql:  # statistics and visibility map, as autovacuum would have them by now
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    # SQLite: no ANALYZE, as r2c leaves it (nothing in r2c runs ANALYZE or PRAGMA optimize)
    return {"challenges": n, "gemeenten": len(kinds), "insert_s": round(loaded, 1),
            "searchable": [(g, wf) for g, wf, *_ in plans if g != "bench-overig"]}


def _explain(db, sql: str, params: Any) -> list[str]:
    """The plan of one captured query (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite)."""
    with db.engine.connect() as connection:
        if db.is_postgresql:
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params).all()
            return [r[0] for r in rows]
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
        return [r[-1] for r in rows]


def bench_search(db, catalog, clock) -> dict[str, Any]:
    """search by gemeente and phase (limit 50) for every phase of each of the five gemeenten; medians in ms."""
    from r2c.service import SearchFilters

    data = _load_challenges(db, catalog, SEARCH_CHALLENGES)
    service = _service(db, catalog, clock)
    by_query: list[dict[str, Any]] = []

    def timed_search(gemeente: str, fase: str | None) -> tuple[float, Any]:
        times, page = [], None
        for _ in range(SEARCH_REPEATS):
            t0 = time.perf_counter()
            page = service.search(actor=_actor(gemeente), filters=SearchFilters(fase=fase), limit=50)
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000, page

    for gemeente, wf in data["searchable"]:
        timed_search(gemeente, None)  # warm this gemeente's definition and the caches
        for fase in sorted({wf.phase_of(s) for s in wf.loaded.graph.states}):
            ms, page = timed_search(gemeente, fase)
            assert len(page.items) == min(50, page.total) and all(c.fase == fase for c in page.items)
            by_query.append({"gemeente": gemeente, "fase": fase, "total": page.total, "ms": round(ms, 2)})
    by_gemeente = [{"gemeente": g, "ms": round(timed_search(g, None)[0], 2)} for g, _ in data["searchable"]]
    medians = [q["ms"] for q in by_query]
    biggest = max(by_query, key=lambda q: q["total"])
    slowest = max(by_query, key=lambda q: q["ms"])
    plans = {"fase (slowest)": _plans(db, service, slowest["gemeente"], slowest["fase"]),
             "gemeente only": _plans(db, service, biggest["gemeente"], None)}
    median_ms = statistics.median(medians)
    return {"challenges": data["challenges"], "gemeenten": data["gemeenten"], "insert_s": data["insert_s"],
            "queries": len(by_query), "median_ms": round(median_ms, 2), "max_ms": round(max(medians), 2),
            "slowest": slowest, "biggest": biggest, "by_query": by_query,
            "gemeente_only_ms": by_gemeente, "gemeente_only_median_ms": statistics.median(g["ms"] for g in by_gemeente),
            "target_ms": SEARCH_TARGET_MS, "meets_target": median_ms < SEARCH_TARGET_MS, "plans": plans}


def _plans(db, service, gemeente: str, fase: str | None) -> dict[str, list[str]]:
    """The plans of the two queries on challenge that one search sends: the count and the page."""
    from r2c.service import SearchFilters

    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM challenge" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        service.search(actor=_actor(gemeente), filters=SearchFilters(fase=fase), limit=50)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return {("count" if "count(" in sql else "page"): _explain(db, sql, params) for sql, params in captured[:2]}


# -- running ------------------------------------------------------------------------------------------------

def _bench(kind: str, catalog) -> dict[str, Any]:
    from r2c.clock import FixedClock

    clock = FixedClock(NOW)
    result: dict[str, Any] = {}
    with _databases(kind) as url, _database(url) as db:
        result["fire"] = bench_fire(db, catalog, clock)
        result["throughput"] = [bench_throughput(db, catalog, clock, n) for n in (1, 8)]
        result["search"] = bench_search(db, catalog, clock)
        with db.engine.connect() as connection:
            result["server"] = connection.exec_driver_sql(
                "SELECT version()" if db.is_postgresql else "SELECT 'SQLite ' || sqlite_version()").scalar_one()
    return result


def main() -> dict[str, Any]:
    """Every measurement on SQLite, then on PostgreSQL (if it answers); prints a table, returns the figures."""
    started = time.perf_counter()
    catalog = _catalog()
    results: dict[str, Any] = {"sqlite": _bench("sqlite", catalog)}
    problem = _pg_problem()
    if problem is None:
        results["postgresql"] = _bench("postgresql", catalog)
    else:
        print(f"bench_store: PostgreSQL at {PG_URL} does not answer ({problem}); its figures are skipped "
              "(set R2C_BENCH_POSTGRES_URL)")
        results["postgresql"] = {"skipped": problem}
    results["seconds"] = round(time.perf_counter() - started, 1)
    _print(results)
    return results


def _print(results: dict[str, Any]) -> None:
    def ok(flag: bool) -> str:
        return "yes" if flag else "NO"

    print(f"bench_store  (nproc={os.cpu_count()}; shared machine, medians)")
    for kind in ("sqlite", "postgresql"):
        r = results[kind]
        if "skipped" in r:
            print(f"\n{kind}: skipped ({r['skipped']})")
            continue
        f, s = r["fire"], r["search"]
        print(f"\n{kind}: {r['server'][:60]}")
        print(f"{'measurement':<62}{'median':>12}{'target':>10}{'met':>6}")
        print("-" * 90)
        print(f"{'ChallengeService.fire (state+history+terms+letter+outbox)':<62}{f['fire_us']:>9.0f} us")
        print(f"{'minimal transaction (1 UPDATE + 1 INSERT)':<62}{f['minimal_us']:>9.0f} us")
        print(f"{'ratio fire / minimal':<62}{f['ratio']:>10.2f} x{RATIO_TARGET:>8.1f} x{ok(f['meets_target']):>6}")
        b = f["breakdown"]
        parts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(b.items(), key=lambda kv: -kv[1])
                          if k not in ("total", "sql_and_commit", "python", "statements_per_event"))
        print(f"  one fire, instrumented: total {b['total']:.0f} us = SQL+commit {b['sql_and_commit']:.0f} us "
              f"({b['statements_per_event']:.0f} statements) + Python {b['python']:.0f} us")
        print(f"  per statement (median us): {parts}")
        print(f"{'  minimal, statements built once, values as parameters':<62}{f['minimal_prebuilt_us']:>9.0f} us"
              f"   fire / this = {f['ratio_to_prebuilt']:.2f} x")
        sc = f["statement_cost"]
        print(f"  one INSERT INTO history: built per call (.values) {sc['built_each_call_us']:.0f} us, "
              f"built once {sc['built_once_us']:.0f} us")
        print("  cProfile of fire (share of fire's time; nested parts overlap):")
        for label, p in f["profile"].items():
            print(f"    {label:<62}{p['share'] * 100:>5.0f} %{p['calls_per_event']:>8.1f} calls/event")
        for t in r["throughput"]:
            label = f"throughput, {t['threads']} writer thread{'s' if t['threads'] > 1 else ''}"
            print(f"{label:<62}{t['events_per_s']:>7.0f} ev/s")
        print(f"{'search gemeente + fase, limit 50, ' + format(s['challenges'], ',') + ' challenges':<62}"
              f"{s['median_ms']:>9.2f} ms{SEARCH_TARGET_MS:>7.0f} ms{ok(s['meets_target']):>6}")
        print(f"  slowest of {s['queries']}: {s['slowest']['gemeente']}/{s['slowest']['fase']} "
              f"({s['slowest']['total']} hits) {s['slowest']['ms']:.2f} ms; biggest: {s['biggest']['gemeente']}/"
              f"{s['biggest']['fase']} ({s['biggest']['total']} hits) {s['biggest']['ms']:.2f} ms")
        print(f"  gemeente only (no fase), median {s['gemeente_only_median_ms']:.1f} ms: "
              + ", ".join(f"{g['gemeente']} {g['ms']:.1f}" for g in s["gemeente_only_ms"]))
        for name, plans in s["plans"].items():
            for query, plan in plans.items():
                print(f"  plan, {name}, {query}: " + " | ".join(line.strip() for line in plan[:5]))
        print(f"  bulk insert of {s['challenges']:,} challenges + parties: {s['insert_s']:.1f} s")
    print(f"\n(bench_store: {results['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
