"""Benchmark of the notifications (issue 5): the sweep over a million open terms, delivery throughput over SMTP,
and a two-process exactly-once run. PostgreSQL only (skipped with a note when it does not answer).

a. ``sweep``: 1,000,000 running terms (status 'lopend') of 250,000 challenges, loaded with COPY, their next due
   day spread over two years (each term started on a day in that range; ``next_due`` as r2c computes it). Median
   of the sweep's claim query (``r2c.store.terms.DUE_TERM``: the first due term, its challenge locked
   ``FOR UPDATE SKIP LOCKED``, in a transaction rolled back afterwards) and of ``SELECT count(*) ... WHERE
   next_due <= today AND status = 'lopend'``, with their plans (EXPLAIN ANALYZE): target under 100 ms, and an
   index scan, not a sequential one. Also on a day a year on, when half of the terms are due (a backlog).
b. ``throughput``: 2,000 reminders (sweep and distribute done beforehand), sent by ``deliver`` in 1 and in 2 worker
   processes over the e-mail channel (r2c.notify.email) to an aiosmtpd server on loopback in this process;
   messages per second from 'go' until the last worker ends (the workers load the catalog before 'go'). Then 30
   ontvangstbevestigingen (``submit``), each e-mail carrying its letter as PDF, by 1 worker.
c. ``exactly_once``: 10,000 challenges whose beslistermijn's first reminder is due; two worker processes run
   sweep_terms, distribute and deliver in a loop on the same schema until a round finds nothing; the server counts
   every Message-ID: each must arrive once.

Run: ``.venv/bin/python -m bench.bench_notify`` (or ``make bench`` for every benchmark). PostgreSQL:
``R2C_BENCH_POSTGRES_URL``, else ``R2C_TEST_POSTGRES_URL``, else postgresql+psycopg://postgres@127.0.0.1:5432/test.
Sizes: ``R2C_BENCH_NOTIFY_TERMS``, ``R2C_BENCH_NOTIFY_MESSAGES``, ``R2C_BENCH_NOTIFY_LETTERS``,
``R2C_BENCH_NOTIFY_EXACTLY_ONCE`` (0: skip c).
Figures and their meaning: docs/performance.md, "Notifications (issue 5)".
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, event, func, select, text

from r2c.store.scratch import postgres_problem, scratch_schema

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "model_verordening"
WORKFLOW_DIR = ROOT / "workflows"
PG_URL = os.environ.get("R2C_BENCH_POSTGRES_URL") or os.environ.get(
    "R2C_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

TERMS = int(os.environ.get("R2C_BENCH_NOTIFY_TERMS", "1000000"))
TERMS_PER_CHALLENGE = 4
MESSAGES = int(os.environ.get("R2C_BENCH_NOTIFY_MESSAGES", "2000"))
LETTERS = int(os.environ.get("R2C_BENCH_NOTIFY_LETTERS", "30"))
EXACTLY_ONCE = int(os.environ.get("R2C_BENCH_NOTIFY_EXACTLY_ONCE", "3000"))
QUERY_REPEATS = 41
QUERY_TARGET_MS = 100.0
TODAY = date(2026, 3, 2)  # a Monday; the sweep's day
STARTED = date(2026, 3, 2)  # the day the reminder runs' beslistermijn started
GEMEENTEN = ("gouda", "amsterdam", "middelburg", "vught", "geertruidenberg")
TEAM = "uitdaagrecht-team@gouda.nl"


# -- set-up -------------------------------------------------------------------------------------------------

def _pg_problem() -> str | None:
    """None when PostgreSQL answers, else why not."""
    return postgres_problem(PG_URL)


@contextmanager
def _schema() -> Iterator[Any]:
    """A migrated r2c database in a new PostgreSQL schema, dropped afterwards."""
    from r2c.store import Database

    with scratch_schema(PG_URL, prefix="r2c_bench") as url:
        db = Database.connect(url)
        try:
            db.upgrade()
            yield db
        finally:
            db.engine.dispose()


def _catalog():
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[])


def _morning(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=7)


_CHALLENGE_COLUMNS = ("id", "gemeente", "kenmerk", "workflow", "workflow_version", "state", "fase", "titel", "facts",
                      "version", "head_hash", "created_at", "updated_at")
_TERM_COLUMNS = ("challenge_id", "gemeente", "name", "status", "termijn", "started_on", "einddatum", "next_due")


def _copy(db, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    """COPY ``rows`` into ``table`` over the driver's connection (psycopg 3); how many."""
    raw = db.engine.raw_connection()
    count = 0
    try:
        with raw.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        raw.driver_connection.commit()
    finally:
        raw.close()
    return count


def _load_terms(db, catalog, n_terms: int, *, rng: random.Random) -> dict[str, Any]:
    """``n_terms`` running terms of ``n_terms / 4`` challenges over five gemeenten, started on days spread so that
    their next due day covers two years from TODAY (and a few days before it: today's backlog)."""
    from r2c.service.terms import new_termijn
    from r2c.termijnen import next_due

    definitions = {g: catalog.in_force(g, TODAY).definition for g in GEMEENTEN}
    names = {g: [n for n, spec in d.termijnen.items() if spec.herinneringen][:TERMS_PER_CHALLENGE]
             for g, d in definitions.items()}
    plans: dict[tuple[str, str, int], tuple[str, date, date, date]] = {}  # (gemeente, name, day) -> term columns

    def plan(gemeente: str, name: str, offset: int) -> tuple[str, date, date, date]:
        key = (gemeente, name, offset)
        if key not in plans:
            definition = definitions[gemeente]
            termijn = new_termijn(definition, name, TODAY)
            end = termijn.einddatum()
            first = next_due(termijn.als_dict(), "lopend", end, None)
            start = TODAY + timedelta(days=offset) - (first - TODAY)  # so that the first due day is TODAY + offset
            termijn = new_termijn(definition, name, start)
            stored = termijn.als_dict()
            end = termijn.einddatum()
            plans[key] = (json.dumps(stored), start, end, next_due(stored, "lopend", end, None))
        return plans[key]

    n_challenges = n_terms // TERMS_PER_CHALLENGE
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n_challenges)]
    created = datetime(2024, 3, 1, tzinfo=timezone.utc)

    def challenges() -> Iterator[tuple]:
        for i, cid in enumerate(ids):
            gemeente = GEMEENTEN[i % len(GEMEENTEN)]
            d = definitions[gemeente]
            yield (cid, gemeente, f"UD-{created.year}-{i:06d}", d.id, d.versie, "indiening.ontvangen", "indiening",
                   f"Uitdaging {i}", "{}", 1, "0" * 64, created, created)

    def terms() -> Iterator[tuple]:
        for i, cid in enumerate(ids):
            gemeente = GEMEENTEN[i % len(GEMEENTEN)]
            for name in names[gemeente]:
                stored, start, end, due = plan(gemeente, name, rng.randrange(-3, 731))
                yield (cid, gemeente, name, "lopend", stored, start, end, due)

    t0 = time.perf_counter()
    _copy(db, "challenge", _CHALLENGE_COLUMNS, challenges())
    loaded = _copy(db, "term", _TERM_COLUMNS, terms())
    copy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE challenge"))
        connection.execute(text("VACUUM ANALYZE term"))
    return {"terms": loaded, "challenges": n_challenges, "copy_s": round(copy_s, 1),
            "vacuum_analyze_s": round(time.perf_counter() - t0, 1)}


# -- a. the sweep's queries over a million terms --------------------------------------------------------------

def _count_due():
    from r2c.store.terms import TERM

    return select(func.count()).select_from(TERM).where(TERM.c.next_due <= bindparam("b_today"),
                                                        TERM.c.status == "lopend")


def _time_query(db, statement, params: dict[str, Any], *, scalar: bool) -> tuple[float, Any]:
    """Median ms of ``statement`` (each run in its own transaction, rolled back: the claim's lock is let go)."""
    times, result = [], None
    with db.engine.connect() as connection:
        for i in range(QUERY_REPEATS + 3):
            t0 = time.perf_counter()
            rows = connection.execute(statement, params)
            result = rows.scalar_one() if scalar else rows.one_or_none()
            elapsed = time.perf_counter() - t0
            connection.rollback()
            if i >= 3:  # the first three warm the statement cache and the buffers
                times.append(elapsed)
    return statistics.median(times) * 1000, result


def _plan(db, statement, params: dict[str, Any]) -> list[str]:
    """EXPLAIN (ANALYZE) of ``statement`` as SQLAlchemy sends it, in a transaction rolled back afterwards."""
    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, sql, parameters, context, executemany):
        captured.append((sql, parameters))

    with db.engine.connect() as connection:
        event.listen(connection, "before_cursor_execute", capture)
        connection.execute(statement, params).all()
        event.remove(connection, "before_cursor_execute", capture)
        connection.rollback()
        sql, parameters = captured[-1]
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, BUFFERS) " + sql, parameters)
        plan = [r[0] for r in rows]
        connection.rollback()
    return plan


def bench_sweep(catalog) -> dict[str, Any]:
    """Load the terms, then time the claim and the count on TODAY and on a day a year on (a backlog)."""
    from r2c.store.terms import DUE_TERM

    with _schema() as db:
        loaded = _load_terms(db, catalog, TERMS, rng=random.Random(2026))
        days = {"today": TODAY, "backlog (a year on)": TODAY + timedelta(days=365)}
        by_day = {}
        for label, day in days.items():
            params = {"b_today": day}
            claim_ms, claimed = _time_query(db, DUE_TERM, params, scalar=False)
            count_ms, due = _time_query(db, _count_due(), params, scalar=True)
            plans = {"claim": _plan(db, DUE_TERM, params), "count": _plan(db, _count_due(), params)}
            by_day[label] = {
                "day": day.isoformat(), "due": due, "claim_ms": round(claim_ms, 2), "count_ms": round(count_ms, 2),
                "claimed": claimed is not None, "plans": plans,
                "seq_scan": any("Seq Scan" in line for p in plans.values() for line in p),
                "meets_target": claim_ms < QUERY_TARGET_MS and count_ms < QUERY_TARGET_MS}
        with db.engine.connect() as connection:
            size = connection.execute(text("SELECT pg_size_pretty(pg_total_relation_size('term'))")).scalar_one()
        # not r2c's schema: what an index in the claim's own order would save (no sort of the day's group)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CREATE INDEX bench_ix_term_due_id ON term (next_due, id)"))
            connection.execute(text("ANALYZE term"))
        experiment = {label: round(_time_query(db, DUE_TERM, {"b_today": day}, scalar=False)[0], 2)
                      for label, day in days.items()}
        experiment_plan = _plan(db, DUE_TERM, {"b_today": TODAY})
    return {**loaded, "term_table_size": size, "repeats": QUERY_REPEATS, "target_ms": QUERY_TARGET_MS,
            "by_day": by_day, "claim_ms_with_index_next_due_id": experiment,
            "claim_plan_with_index_next_due_id": experiment_plan}


# -- the SMTP server and the worker processes ----------------------------------------------------------------

class _Counter:
    """aiosmtpd handler that counts the Message-IDs it accepts (headers only, to keep up)."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self._parser = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        self.ids[str(self._parser.parsebytes(envelope.content)["Message-ID"]).strip()] += 1
        return "250 OK"


@contextmanager
def _smtp_server() -> Iterator[tuple[int, _Counter]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


WORKER = r"""
import json, sys, time
from datetime import datetime
from sqlalchemy import event
import r2c.scheduler.jobs as jobs
from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.notify.email import EmailChannel
from r2c.notify.routing import Router
from r2c.scheduler.jobs import deliver, distribute, sweep_terms
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database

url, now, port, huisstijl, model_dir, workflow_dir, mode = sys.argv[1:]
clock = FixedClock(datetime.fromisoformat(now))
spent = {"sql": 0.0, "commit": 0.0, "render": 0.0, "compose": 0.0, "smtp": 0.0}  # seconds, summed

def timed(part, call):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[part] += time.perf_counter() - t0
    return wrapper
catalog = load_catalog([model_dir, workflow_dir], base_paths=[])
db = Database.connect(url)
service = ChallengeService(db.sessions, catalog, clock, read_session_factory=db.read_sessions)
settings = Settings(kanalen=["email"], smtp_host="127.0.0.1", smtp_port=int(port), huisstijl=huisstijl)
router = Router(settings, catalog)
channel = EmailChannel(settings, clock=clock)
channels = {"email": channel}
started = []

@event.listens_for(db.engine, "before_cursor_execute")
def before(conn, cursor, statement, parameters, context, executemany):
    started.append(time.perf_counter())

@event.listens_for(db.engine, "after_cursor_execute")
def after(conn, cursor, statement, parameters, context, executemany):
    spent["sql"] += time.perf_counter() - started.pop()

db.engine.dialect.do_commit = timed("commit", db.engine.dialect.do_commit)
jobs.build_message = timed("render", jobs.build_message)  # template rendering
channel.compose = timed("compose", channel.compose)  # the e-mail built (inside send)
channel.send = timed("smtp", channel.send)  # compose + the SMTP exchange
with db.sessions() as session:  # connect before 'go'
    session.connection()
print(json.dumps({"ready": True}), flush=True)
if sys.stdin.readline().strip() != "go":
    sys.exit(3)
totals = {"swept": 0, "distributed": 0, "sent": 0, "retried": 0, "failed": 0}
while True:
    swept = sweep_terms(service, clock, limit=50).done if mode == "all" else 0
    spread = distribute(service, clock, router, batch=50).done if mode == "all" else 0
    sent = deliver(service, clock, channels, router, limit=200)
    totals["swept"] += swept
    totals["distributed"] += spread
    for k in ("sent", "retried", "failed"):
        totals[k] += getattr(sent, k)
    if swept + spread + sent.done == 0:
        break
channel.close()
spent["smtp"] -= spent["compose"]
print(json.dumps({**totals, "spent": spent}), flush=True)
"""


def _run_workers(db, n: int, *, now: datetime, port: int, huisstijl: Path, mode: str) -> dict[str, Any]:
    """``n`` worker processes, released together; seconds from 'go' until the last one ended, and their totals."""
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, db.url, now.isoformat(), str(port), str(huisstijl),
                                   str(MODEL_DIR), str(WORKFLOW_DIR), mode], cwd=ROOT, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    for p in processes:
        assert json.loads(p.stdout.readline()).get("ready"), p.stderr.read()
    t0 = time.perf_counter()
    for p in processes:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in processes:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - t0
    return {"workers": n, "seconds": round(elapsed, 2), "per_worker": results,
            **{k: sum(r[k] for r in results) for k in results[0] if k != "spent"}}


def _huisstijl(folder: Path) -> Path:
    (folder / "gouda").mkdir(parents=True, exist_ok=True)
    (folder / "gouda" / "gemeente.yaml").write_text(
        f"naam: Gemeente Gouda\nafzender: uitdaagrecht@gouda.nl\nteam: {TEAM}\n", encoding="utf-8")
    return folder


def _load_reminders(db, catalog, n: int) -> date:
    """``n`` challenges in gouda, submitted on STARTED, without behandelaar: their beslistermijn's first reminder
    goes to the team. Loaded with COPY (challenge and term rows as ``submit`` writes them); returns its day."""
    from r2c.service.terms import new_termijn
    from r2c.termijnen import next_due

    definition = catalog.in_force("gouda", STARTED).definition
    termijn = new_termijn(definition, "beslistermijn", STARTED)
    stored, end = termijn.als_dict(), termijn.einddatum()
    due = next_due(stored, "lopend", end, None)
    rng = random.Random(5)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
    at = _morning(STARTED)
    _copy(db, "challenge", _CHALLENGE_COLUMNS, (
        (cid, "gouda", f"UD-{at.year}-{i:06d}", definition.id, definition.versie, "indiening.ontvangen", "indiening",
         f"Uitdaging {i}", "{}", 1, "0" * 64, at, at) for i, cid in enumerate(ids)))
    _copy(db, "term", _TERM_COLUMNS, ((cid, "gouda", "beslistermijn", "lopend", json.dumps(stored), STARTED, end, due)
                                      for cid in ids))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return due


# -- b. delivery throughput ----------------------------------------------------------------------------------

def bench_throughput(catalog, folder: Path) -> dict[str, Any]:
    """MESSAGES reminders swept and distributed beforehand; deliver them with 1, then again with 2 workers."""
    from r2c.clock import FixedClock
    from r2c.notify.routing import Router
    from r2c.scheduler.jobs import distribute, sweep_terms
    from r2c.service import ChallengeService
    from r2c.settings import Settings
    from r2c.store.tables import DeliveryRow

    huisstijl = _huisstijl(folder)
    runs = []
    with _schema() as db, _smtp_server() as (port, counter):
        due = _load_reminders(db, catalog, MESSAGES)
        now = _morning(due)
        clock = FixedClock(now)
        service = ChallengeService(db.sessions, catalog, clock, read_session_factory=db.read_sessions)
        from r2c.store.queue import DUE_DELIVERY
        from r2c.store.terms import DUE_TERM

        claim_term_ms = _time_query(db, DUE_TERM, {"b_today": due}, scalar=False)[0]
        t0 = time.perf_counter()
        swept = sweep_terms(service, clock)
        sweep_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        spread = distribute(service, clock, Router(Settings(kanalen=["email"], huisstijl=huisstijl), catalog))
        distribute_s = time.perf_counter() - t0
        assert swept.queued == spread.done == spread.queued == MESSAGES, (swept, spread)
        delivery = DeliveryRow.__table__
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE delivery"))
        claim_delivery_ms = _time_query(db, DUE_DELIVERY, {"b_now": now}, scalar=False)[0]
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CREATE INDEX bench_ix_delivery_due_id ON delivery (status, next_attempt_at, id)"))
            connection.execute(text("ANALYZE delivery"))
        claim_delivery_indexed_ms = _time_query(db, DUE_DELIVERY, {"b_now": now}, scalar=False)[0]
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("DROP INDEX bench_ix_delivery_due_id"))  # the runs measure r2c's own schema
        for n in (1, 2):
            with db.engine.begin() as connection:  # every delivery due again, as new
                connection.execute(delivery.update().values(status="wachtend", attempts=0, sent_at=None,
                                                            next_attempt_at=now))
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE delivery"))
            counter.ids.clear()
            run = _run_workers(db, n, now=now, port=port, huisstijl=huisstijl, mode="deliver")
            run["messages_per_s"] = round(run["sent"] / run["seconds"], 1)
            run["ms_per_message"] = _breakdown(run)
            run["received"], run["distinct_ids"] = sum(counter.ids.values()), len(counter.ids)
            assert run["sent"] == run["received"] == run["distinct_ids"] == MESSAGES, run
            runs.append(run)
        letters = _letters(db, service, clock, catalog, huisstijl, port, counter) if LETTERS else None
    return {"messages": MESSAGES, "sweep_in_process_s": round(sweep_s, 2),
            "sweep_terms_per_s": round(MESSAGES / sweep_s, 1), "distribute_in_process_s": round(distribute_s, 2),
            "claim_term_ms": round(claim_term_ms, 2), "claim_delivery_ms": round(claim_delivery_ms, 2),
            "claim_delivery_ms_with_index_status_next_attempt_id": round(claim_delivery_indexed_ms, 2),
            "runs": runs, "letters": letters}


def _breakdown(run: dict[str, Any]) -> dict[str, float]:
    """ms per message of each part, summed over the workers, and the rest of their wall time."""
    parts = {k: sum(w["spent"][k] for w in run["per_worker"]) / run["sent"] * 1000
             for k in run["per_worker"][0]["spent"]}
    parts["rest"] = run["seconds"] * run["workers"] / run["sent"] * 1000 - sum(parts.values())
    return {k: round(v, 2) for k, v in parts.items()}


def _letters(db, service, clock, catalog, huisstijl: Path, port: int, counter: _Counter) -> dict[str, Any]:
    """LETTERS challenges submitted now: each ontvangstbevestiging e-mail carries its letter as PDF; 1 worker."""
    from r2c.notify.routing import Router
    from r2c.scheduler.jobs import distribute
    from r2c.service import Initiatiefnemer
    from r2c.settings import Settings

    for i in range(LETTERS):
        service.submit(gemeente="gouda", titel=f"Brief {i}", data={"omschrijving": "Het park."},
                       initiatiefnemer=Initiatiefnemer(f"Initiatiefnemer {i}", f"i{i:04d}@example.nl"))
    spread = distribute(service, clock, Router(Settings(kanalen=["email"], huisstijl=huisstijl), catalog))
    assert spread.queued == LETTERS, spread
    counter.ids.clear()
    run = _run_workers(db, 1, now=clock.now(), port=port, huisstijl=huisstijl, mode="deliver")
    assert run["sent"] == len(counter.ids) == LETTERS, run
    return {"messages": LETTERS, "seconds": run["seconds"], "messages_per_s": round(LETTERS / run["seconds"], 2),
            "ms_per_message": _breakdown(run)}


# -- c. exactly once with two processes -----------------------------------------------------------------------

def bench_exactly_once(catalog, folder: Path) -> dict[str, Any]:
    """EXACTLY_ONCE reminders due; two workers sweep, distribute and deliver them; the server counts."""
    from r2c.store.tables import DeliveryRow, OutboxRow

    huisstijl = _huisstijl(folder)
    with _schema() as db, _smtp_server() as (port, counter):
        due = _load_reminders(db, catalog, EXACTLY_ONCE)
        run = _run_workers(db, 2, now=_morning(due), port=port, huisstijl=huisstijl, mode="all")
        with db.read_sessions() as session:
            keys = session.execute(select(DeliveryRow.__table__.c.idempotency_key)).scalars().all()
            statuses = dict(session.execute(select(DeliveryRow.__table__.c.status, func.count())
                                            .group_by(DeliveryRow.__table__.c.status)).all())
            outbox = session.execute(select(func.count()).select_from(OutboxRow.__table__)).scalar_one()
    from r2c.notify.email import message_id

    expected = {message_id(k) for k in keys}
    received = counter.ids
    result = {"reminders": EXACTLY_ONCE, "seconds": run["seconds"], "per_worker": run["per_worker"],
              "outbox_rows": outbox, "deliveries": statuses, "received": sum(received.values()),
              "distinct_message_ids": len(received), "twice_or_more": sum(1 for v in received.values() if v > 1),
              "lost": len(expected - set(received)), "unknown": len(set(received) - expected),
              "reminders_per_s": round(EXACTLY_ONCE / run["seconds"], 1),
              "terms_handled": run["swept"], "terms_handled_twice": run["swept"] - EXACTLY_ONCE}
    result["exactly_once"] = (result["received"] == result["distinct_message_ids"] == EXACTLY_ONCE == outbox
                              and result["lost"] == result["unknown"] == 0)
    return result


# -- running ------------------------------------------------------------------------------------------------

def main() -> dict[str, Any]:
    """Every measurement (PostgreSQL only); prints a table, returns the figures."""
    started = time.perf_counter()
    problem = _pg_problem()
    if problem is not None:
        print(f"bench_notify: PostgreSQL at {PG_URL} does not answer ({problem}); skipped "
              "(set R2C_BENCH_POSTGRES_URL)")
        return {"skipped": problem}
    catalog = _catalog()
    results: dict[str, Any] = {}
    results["sweep"] = bench_sweep(catalog)
    with tempfile.TemporaryDirectory(prefix="r2c-bench-notify-") as folder:
        results["throughput"] = bench_throughput(catalog, Path(folder) / "a")
        if EXACTLY_ONCE:
            results["exactly_once"] = bench_exactly_once(catalog, Path(folder) / "b")
    with create_engine(PG_URL).connect() as connection:
        results["server"] = connection.exec_driver_sql("SELECT version()").scalar_one()
    results["seconds"] = round(time.perf_counter() - started, 1)
    _print(results)
    return results


def _plan_line(plan: list[str]) -> str:
    return " | ".join(line.strip() for line in plan
                      if not line.strip().startswith(("Planning", "Execution", "Buffers")))[:400]


def _print(results: dict[str, Any]) -> None:
    s = results["sweep"]
    print(f"bench_notify  (nproc={os.cpu_count()}; {results['server'][:40]}; medians)")
    print(f"\na. sweep over {s['terms']:,} running terms of {s['challenges']:,} challenges (term table "
          f"{s['term_table_size']}; COPY {s['copy_s']:.0f} s, VACUUM ANALYZE {s['vacuum_analyze_s']:.0f} s)")
    print(f"{'day':<24}{'due':>10}{'claim (DUE_TERM)':>20}{'count(*)':>12}{'target':>9}{'met':>5}  seq scan")
    for label, d in s["by_day"].items():
        print(f"{label:<24}{d['due']:>10,}{d['claim_ms']:>17.2f} ms{d['count_ms']:>9.2f} ms{s['target_ms']:>6.0f} ms"
              f"{'yes' if d['meets_target'] else 'NO':>5}  {'YES' if d['seq_scan'] else 'no'}")
        for name, plan in d["plans"].items():
            print(f"  plan {name}: " + _plan_line(plan))
    print("  experiment, not r2c's schema: claim with an index on term (next_due, id): "
          + ", ".join(f"{k} {v:.2f} ms" for k, v in s["claim_ms_with_index_next_due_id"].items())
          + f"; plan: {_plan_line(s['claim_plan_with_index_next_due_id'])}")
    t = results["throughput"]
    print(f"\nb. delivery of {t['messages']:,} reminders over SMTP (aiosmtpd on loopback); sweep beforehand "
          f"{t['sweep_terms_per_s']:.0f} terms/s in one process")
    print(f"  claims with {t['messages']:,} due at the same moment: term {t['claim_term_ms']:.2f} ms, delivery "
          f"{t['claim_delivery_ms']:.2f} ms (with an index on delivery (status, next_attempt_at, id): "
          f"{t['claim_delivery_ms_with_index_status_next_attempt_id']:.2f} ms)")
    for run in t["runs"]:
        print(f"  {run['workers']} worker process{'es' if run['workers'] > 1 else ''}: {run['seconds']:.1f} s, "
              f"{run['messages_per_s']:.0f} messages/s  (per worker: {[w['sent'] for w in run['per_worker']]})")
        print("    ms per message: " + ", ".join(f"{k} {v:.2f}" for k, v in run["ms_per_message"].items()))
    if t["letters"]:
        lt = t["letters"]
        print(f"  {lt['messages']} ontvangstbevestigingen with their letter as PDF, 1 worker: {lt['seconds']:.1f} s, "
              f"{lt['messages_per_s']:.1f} messages/s")
        print("    ms per message: " + ", ".join(f"{k} {v:.2f}" for k, v in lt["ms_per_message"].items())
              + "  (render includes the PDF)")
    if "exactly_once" in results:
        e = results["exactly_once"]
        print(f"\nc. exactly once: {e['reminders']:,} reminders, 2 workers (sweep + distribute + deliver): "
              f"{e['seconds']:.1f} s ({e['reminders_per_s']:.0f}/s); received {e['received']:,}, distinct "
              f"Message-IDs {e['distinct_message_ids']:,}, twice {e['twice_or_more']}, lost {e['lost']}, "
              f"unknown {e['unknown']}: {'exactly once' if e['exactly_once'] else 'NOT EXACTLY ONCE'}")
        print(f"  per worker (swept, distributed, sent): "
              f"{[(w['swept'], w['distributed'], w['sent']) for w in e['per_worker']]}; terms handled "
              f"{e['terms_handled']:,} for {e['reminders']:,} (a stale claim handles a term again; its outbox "
              "key makes that a no-op)")
    print(f"\n(bench_notify: {results['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
