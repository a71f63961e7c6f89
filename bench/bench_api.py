"""Benchmark of the HTTP API over loopback (issue 6): the status page and fire-event under concurrent clients,
against a bare FastAPI endpoint doing one equivalent database read, served by the same process in the same run.

The server runs for real in a process of its own: uvicorn, one worker, on 127.0.0.1 and a free port, with the app
of ``server_app`` below (``python -m uvicorn bench.bench_api:server_app --factory``). That is r2c's app as
``r2c serve --zonder-planner`` builds it (``open_service``, ``engine.build_all()``, ``gc.freeze()``,
``create_app``), mounted at ``/`` under a plain FastAPI app that has two routes of its own:

- ``GET /bench/bare/{id}``: the bare endpoint. One read transaction through r2c's own read session factory (the
  same engine and pool) with one SELECT: the challenge row by id and gemeente with its initiatiefnemer, the
  statement ``ChallengeService.get`` sends; it returns three columns as JSON. No r2c middleware, no
  authentication, no rate limit.
- ``GET /bench/stats``: the server's CPU time and the SQL statements its engine has sent (counted and timed
  around the driver's execute), read at the start and end of every measurement.

Rate limits are set out of the way (``publieke_limiet`` and ``inzend_limiet`` 1000000/minute), and uvicorn's access
log is off (``r2c serve`` has it on). The load comes from locust (``FastHttpUser``, no wait time: a closed loop, each
simulated user sends its next request when the last one is answered) in a second process, through locust's library
API, with response times taken from locust's request event (float milliseconds, not locust's rounded histogram).
Each user has its own challenge, prepared before the server starts:

1. ``bare``: ``GET /bench/bare/{id}`` of its own challenge;
2. ``status``: ``GET /status/{token}``, the initiatiefnemer's page of a freshly submitted challenge;
3. ``fire``: ``POST /api/v1/challenges/{id}/events/{event}`` with ``If-Match`` and a behandelaar's API key,
   alternating ``aanvulling_vragen`` (indiening.ontvangen -> ontvankelijkheid.aanvulling_gevraagd: starts the
   hersteltermijn, suspends the beslistermijn, asks for a letter) and ``aanvullen`` with
   ``{"vereisten": ["contactgegevens"]}`` (back; the challenge stays incomplete, so it can go round forever), as
   bench_store does. Anything but a 200 (a 412, a 409, a 5xx) counts as a failure, and the user re-reads its
   challenge.

Each (users, endpoint) phase: USERS users started at once, WARMUP_S seconds not counted, then MEASURE_S seconds
counted: requests per second, p50 and p99 response time, failures; server CPU, SQL statements and SQL time per
request (on SQLite also the time in r2c's own ``BEGIN``, where a write waits for the database lock); the share of a
core the server and the load generator used. Ratios against ``bare`` at the same number of users.

Then, with the server stopped, where one request's time goes: each endpoint through the whole app in this process
(an ASGI call, no HTTP server, one request at a time) and the work behind it called directly (resolving the status
link, ``page_context``, rendering, the rate limit; verifying the API key, ``ChallengeService.fire``, the response
model), medians of PARTS_SAMPLES; and, without a database, what FastAPI itself costs per request (a ``def``
endpoint, four ``def`` or four ``async def`` dependencies, one ``@app.middleware("http")`` or r2c's plain ASGI
``ApiVersion`` middleware, an ``async def`` endpoint).

On SQLite (a temporary file) and on PostgreSQL (a fresh schema, dropped afterwards; skipped with a note when the
server does not answer).

Run: ``.venv/bin/python -m bench.bench_api`` (or ``make bench`` for every benchmark); ``R2C_BENCH_API_SECONDS``
changes MEASURE_S, ``R2C_BENCH_API_WARMUP_SECONDS`` WARMUP_S, ``R2C_BENCH_API_PARTS_SAMPLES`` PARTS_SAMPLES,
``R2C_BENCH_API_USERS`` the user counts (e.g. ``8,32``). PostgreSQL: ``R2C_BENCH_POSTGRES_URL``,
else ``R2C_TEST_POSTGRES_URL``, else postgresql+psycopg://postgres@127.0.0.1:5432/test. The machine has 2 cores,
shared between the server, the load generator (and PostgreSQL) and other jobs: medians and ratios only.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG_URL = os.environ.get("R2C_BENCH_POSTGRES_URL") or os.environ.get(
    "R2C_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
USERS = tuple(int(n) for n in os.environ.get("R2C_BENCH_API_USERS", "8,32").split(","))
WARMUP_S = float(os.environ.get("R2C_BENCH_API_WARMUP_SECONDS", "3"))
MEASURE_S = float(os.environ.get("R2C_BENCH_API_SECONDS", "12"))
PARTS_SAMPLES = int(os.environ.get("R2C_BENCH_API_PARTS_SAMPLES", "300"))  # per part of the breakdown
PARTS_WARMUP = PARTS_SAMPLES // 10  # 30 by default
ENDPOINTS = ("bare", "status", "fire")
LIMIT = "1000000/minute"
GEMEENTE = "gouda"
PRESENT = "contactgegevens"  # the vereiste the challenges are submitted with, and 'aanvullen' sends again
ENV_URL, ENV_DOCS = "R2C_BENCH_API_URL", "R2C_BENCH_API_DOCS"


def bench_settings(url: str, documenten: Path):
    from r2c.settings import Settings

    return Settings(database_url=url, documenten=documenten, publieke_limiet=LIMIT, inzend_limiet=LIMIT,
                    kanalen=["log"])


# -- the server (its own process) ----------------------------------------------------------------------------

def server_app():
    """The app uvicorn serves: r2c's app (as ``r2c serve --zonder-planner`` builds it) under a bare FastAPI app."""
    import gc

    app, _, _ = _app(os.environ[ENV_URL], Path(os.environ[ENV_DOCS]))
    gc.freeze()  # as r2c serve does, after build_all
    return app


def _app(url: str, documenten: Path):
    """(the app, its service, its database): r2c's app mounted at / under a FastAPI app with the bench's routes."""
    import threading

    from fastapi import FastAPI
    from sqlalchemy import event

    from r2c.api import create_app
    from r2c.service.setup import open_service

    settings = bench_settings(url, documenten)
    service, db = open_service(settings=settings)
    service.engine.build_all()
    r2c_app = create_app(service, settings=settings, scheduler=False)

    lock = threading.Lock()
    counted = {"statements": 0, "sql_s": 0.0, "begin_s": 0.0}

    @event.listens_for(db.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        spent = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
        with lock:
            counted["statements"] += 1
            counted["sql_s"] += spent
            if statement.startswith("BEGIN"):  # SQLite: r2c's own BEGIN (IMMEDIATE for writes) waits for the lock
                counted["begin_s"] += spent

    read = _bare_read(db)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/bench/bare/{challenge_id}")
    def bare(challenge_id: str) -> dict[str, Any]:
        row = read(challenge_id)
        return {"id": row.id, "state": row.state, "version": row.version}

    @app.get("/bench/stats")
    def stats() -> dict[str, Any]:
        with lock:
            return {"cpu_s": time.process_time(), **counted}

    app.mount("/", r2c_app)
    return app, service, db


def _bare_read(db):
    """The bare endpoint's database work: one read transaction, one SELECT (the one ChallengeService.get sends)."""
    from sqlalchemy import bindparam, select

    from r2c.store.challenges import INITIATOR
    from r2c.store.tables import ChallengeRow

    challenge = ChallengeRow.__table__
    row_by_id = select(challenge, INITIATOR).where(challenge.c.id == bindparam("b_id"),
                                                   challenge.c.gemeente == bindparam("b_gemeente"))

    def read(challenge_id: str):
        with db.read_sessions() as session, session.begin():
            return session.connection().execute(row_by_id, {"b_id": challenge_id, "b_gemeente": GEMEENTE}).one()

    return read


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(url: str, folder: Path, workers: int = 1) -> Iterator[tuple[str, int, int]]:
    """uvicorn with ``server_app`` in a subprocess with ``workers`` worker processes (as ``r2c serve --workers``
    runs them); (host, port, its process id) once /api/v1/health answers."""
    port = _free_port()
    log = (folder / "server.log").open("w")
    env = {**os.environ, ENV_URL: url, ENV_DOCS: str(folder / "documenten"), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "bench.bench_api:server_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within 60 s") from None
                time.sleep(0.2)
        yield "127.0.0.1", port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def databases(kind: str, folder: Path, prefix: str) -> Iterator[str]:
    """A SQLite file in ``folder``, or a scratch schema (named from ``prefix``) on the bench's PostgreSQL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/r2c.db"
        return
    from r2c.store.scratch import scratch_schema

    with scratch_schema(PG_URL, prefix=prefix) as url:
        yield url


# -- the data (in the bench's process, before the server starts) -----------------------------------------------

def _prepare(url: str, folder: Path, n: int) -> dict[str, Any]:
    """A fresh schema, a behandelaar's API key, and ``n`` challenges for the status page and ``n`` to fire on."""
    from r2c.service.access import KeyStore
    from r2c.service.setup import open_service
    from r2c.service.views import Initiatiefnemer
    from r2c.store.db import Database

    Database.connect(url).upgrade()
    service, db = open_service(settings=bench_settings(url, folder / "documenten"))
    try:
        keys = KeyStore(db.sessions, service.clock, roles=service.policy.key_roles(service.catalog))
        secret = keys.create(gemeente=GEMEENTE, rollen=["behandelaar"], naam="bench@gouda.example").secret

        def submit(i: int):
            return service.submit(gemeente=GEMEENTE, titel=f"Bench {i}",
                                  data={"vereisten": [PRESENT], "omschrijving": "Onderhoud van het buurtpark"},
                                  initiatiefnemer=Initiatiefnemer(f"A. Bench {i}", f"bench{i}@example.nl"))

        status = []
        for i in range(n):
            fired = submit(i)
            status.append({"id": fired.challenge.id, "token": fired.status_token})
        fire = [submit(n + i).challenge.id for i in range(n)]
        with db.engine.connect() as connection:
            server = connection.exec_driver_sql(
                "SELECT version()" if db.is_postgresql else "SELECT 'SQLite ' || sqlite_version()").scalar_one()
    finally:
        db.engine.dispose()
    return {"key": secret, "status": status, "fire": fire, "server": server}


# -- the load (its own process: locust and gevent) -------------------------------------------------------------

def load_main() -> None:
    """Every phase of the config file in argv[1] with locust's library API; the figures as JSON on stdout.

    Run as ``python -c "import locust; import bench.bench_api as b; b.load_main()" config.json`` (locust, which
    monkey-patches the standard library for gevent, is imported first).
    """
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    cfg = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    auth = {"Authorization": f"Bearer {cfg['key']}"}
    now: dict[str, Any] = {"endpoint": None, "next": 0, "measuring": False, "times": [], "failures": 0,
                           "errors": {}}

    def record(request_type, name, response_time, response_length, exception=None, **_kw) -> None:
        if now["measuring"] and name in ENDPOINTS:
            now["times"].append(response_time)
            if exception is not None:
                now["failures"] += 1
                text = str(exception)[:120]
                now["errors"][text] = now["errors"].get(text, 0) + 1

    class Client(FastHttpUser):
        host = cfg["host"]
        wait_time = constant(0)

        def on_start(self) -> None:
            self.i = now["next"]
            now["next"] += 1
            if now["endpoint"] == "fire":
                self.challenge = cfg["fire"][self.i]
                self._read()

        def _read(self) -> None:
            """The challenge's version and state, as they are now (first, and after a failure)."""
            response = self.client.get(f"/api/v1/challenges/{self.challenge}", headers=auth, name="read")
            self.version = int(response.headers["etag"].strip('"'))
            self.asked = response.json()["state"] != "indiening.ontvangen"

        @task
        def one(self) -> None:
            endpoint = now["endpoint"]
            if endpoint == "bare":
                self.client.get(f"/bench/bare/{cfg['status'][self.i]['id']}", name="bare")
            elif endpoint == "status":
                self.client.get(f"/status/{cfg['status'][self.i]['token']}", name="status")
            else:
                event, body = (("aanvullen", {"data": {"vereisten": [PRESENT]}}) if self.asked else
                               ("aanvulling_vragen", {"data": {}, "reden": "Bench: onderdelen ontbreken"}))
                with self.client.post(f"/api/v1/challenges/{self.challenge}/events/{event}", json=body,
                                      headers={**auth, "If-Match": f'"{self.version}"'}, name="fire",
                                      catch_response=True) as response:
                    if response.status_code == 200:
                        self.version = int(response.headers["etag"].strip('"'))
                        self.asked = not self.asked
                        response.success()
                        return
                    response.failure(f"{response.status_code} {event}: {(response.text or '')[:80]}")
                self._read()

    def server_stats() -> dict[str, float]:
        with urllib.request.urlopen(f"{cfg['host']}/bench/stats", timeout=30) as response:
            return json.loads(response.read())


    phases = []
    for users in cfg["users"]:
        for endpoint in cfg["endpoints"]:
            now.update(endpoint=endpoint, next=0, measuring=False, times=[], failures=0, errors={})
            env = Environment(user_classes=[Client])
            env.events.request.add_listener(record)
            runner = env.create_local_runner()
            runner.start(users, spawn_rate=users)
            gevent.sleep(cfg["warmup_s"])
            before, cpu0, t0 = server_stats(), time.process_time(), time.perf_counter()
            now["measuring"] = True
            gevent.sleep(cfg["measure_s"])
            now["measuring"] = False
            seconds, cpu1, after = time.perf_counter() - t0, time.process_time(), server_stats()
            runner.quit()
            gevent.sleep(0.5)  # requests cut off by the stop finish on the server before the next phase
            phases.append({"users": users, "endpoint": endpoint, "seconds": seconds, "times": now["times"],
                           "failures": now["failures"], "errors": now["errors"],
                           "loadgen_cpu_s": cpu1 - cpu0, "server_before": before, "server_after": after,
                           "loadgen_cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False))})
    json.dump(phases, sys.stdout)


def _load(base: str, fixture: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    config = folder / "load.json"
    config.write_text(json.dumps({"host": base, "users": list(USERS), "endpoints": list(ENDPOINTS),
                                  "warmup_s": WARMUP_S, "measure_s": MEASURE_S, **fixture}), encoding="utf-8")
    code = "import locust  # gevent's patches first\nimport bench.bench_api as b\nb.load_main()"
    done = subprocess.run([PYTHON, "-c", code, str(config)], check=False, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=len(USERS) * len(ENDPOINTS) * (MEASURE_S + 60))
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


# -- where the time goes: the parts of each request, in-process, one at a time ----------------------------------

def _breakdown(url: str, folder: Path, fixture: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each endpoint through the whole app but without an HTTP server (an ASGI call in this process), and the work
    behind it called directly; no concurrency, on the database the load used. Median wall time and mean CPU time
    per call, all parts taking turns, PARTS_SAMPLES each after PARTS_WARMUP."""
    from types import SimpleNamespace

    from r2c.api.schemas import ChallengeOut
    from r2c.api.security import RateLimit
    from r2c.engine.case import Actor
    from r2c.exports.letters import Letters
    from r2c.notify.routing import Router
    from r2c.service.access import KeyStore
    from r2c.web.status import page_context, render_page

    settings = bench_settings(url, folder / "documenten")
    app, service, db = _app(url, folder / "documenten")
    loop = asyncio.new_event_loop()
    letters = Letters(service, Router(settings, service.catalog))
    keys = KeyStore(db.read_sessions, service.clock, roles=service.policy.key_roles(service.catalog))
    read = _bare_read(db)
    own, token = fixture["status"][0]["id"], fixture["status"][0]["token"]
    view = service.status_view(token)
    context = page_context(service, letters, view=view, token=token)
    client = SimpleNamespace(client=SimpleNamespace(host="127.0.0.1"))
    empty, full = RateLimit(LIMIT), RateLimit(LIMIT)
    for _ in range(10_000):
        full.wait(client, "status")
    behandelaar = Actor("bench@gouda.example", "behandelaar", GEMEENTE)
    target = fixture["fire"][0]
    fired = [service.get(target, actor=behandelaar)]
    turn = [fired[0].state != "indiening.ontvangen"]
    over_http = service.get(fixture["fire"][1], actor=behandelaar)
    http_turn = [over_http.state != "indiening.ontvangen", over_http.version]
    auth = {"authorization": f"Bearer {fixture['key']}"}

    def request(method: str, path: str, headers: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
        status, headers_out = loop.run_until_complete(_asgi(app, method, path, headers or {}, body))
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status}")
        return headers_out

    def fire_http() -> None:
        event, body = (("aanvullen", {"data": {"vereisten": [PRESENT]}}) if http_turn[0] else
                       ("aanvulling_vragen", {"data": {}, "reden": "Bench: onderdelen ontbreken"}))
        out = request("POST", f"/api/v1/challenges/{fixture['fire'][1]}/events/{event}",
                   {**auth, "if-match": f'"{http_turn[1]}"'}, body)
        http_turn[:] = [not http_turn[0], int(out["etag"].strip('"'))]

    def fire() -> None:
        if turn[0]:
            done = service.fire(target, "aanvullen", actor=behandelaar, data={"vereisten": [PRESENT]},
                                expected_version=fired[0].version)
        else:
            done = service.fire(target, "aanvulling_vragen", actor=behandelaar, reason="Bench: onderdelen ontbreken",
                                expected_version=fired[0].version)
        fired[0], turn[0] = done.challenge, not turn[0]

    parts = {
        "bare: the whole app, ASGI": lambda: request("GET", f"/bench/bare/{own}"),
        "bare: one read transaction, one SELECT": lambda: read(own),
        "status: the whole app, ASGI": lambda: request("GET", f"/status/{token}"),
        "status: read it all (status_view: 1 read transaction, 3 statements)": lambda: service.status_view(token),
        "status: page_context (from the view, no I/O)": lambda: page_context(service, letters, view=view,
                                                                             token=token),
        "status: render status.html": lambda: render_page("status.html", **context),
        "status: rate limit, empty window": lambda: empty.wait(client, "status"),
        "status: rate limit, 10,000 hits in the window": lambda: full.wait(client, "status"),
        "fire: the whole app, ASGI": fire_http,
        "fire: verify the API key": lambda: keys.verify(fixture["key"]),
        "fire: ChallengeService.fire": fire,
        "fire: ChallengeOut of the result, as JSON": lambda: ChallengeOut.model_validate(fired[0]).model_dump_json(by_alias=True),
    }
    ping = None
    if db.is_postgresql:  # r2c's engine checks a connection only after it idled (r2c.store.db); the same read
        from sqlalchemy import create_engine  # with SQLAlchemy's ping on every checkout, for comparison
        from sqlalchemy.orm import sessionmaker

        ping = create_engine(url, pool_pre_ping=True)
        plain = _bare_read(SimpleNamespace(read_sessions=sessionmaker(bind=ping, expire_on_commit=False)))
        parts["bare: the same with pool_pre_ping"] = lambda: plain(own)
    try:
        return _timed(parts)
    finally:
        loop.close()
        db.engine.dispose()
        if ping is not None:
            ping.dispose()


def _timed(parts: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Median wall and CPU time (ms) per call of each part, the parts taking turns; the heap frozen meanwhile, as
    ``r2c serve`` freezes it (else a full collection over the loaded definitions lands in one sample or another)."""
    import gc

    wall: dict[str, list[int]] = {name: [] for name in parts}
    cpu: dict[str, list[int]] = {name: [] for name in parts}
    gc.collect()
    gc.freeze()
    try:
        for i in range(PARTS_WARMUP + PARTS_SAMPLES):
            for name, call in parts.items():
                c0, t0 = time.process_time_ns(), time.perf_counter_ns()
                call()
                t1, c1 = time.perf_counter_ns(), time.process_time_ns()
                if i >= PARTS_WARMUP:
                    wall[name].append(t1 - t0)
                    cpu[name].append(c1 - c0)
    finally:
        gc.unfreeze()
    return {name: {"wall_ms": round(statistics.median(wall[name]) / 1e6, 3),
                   "cpu_ms": round(statistics.median(cpu[name]) / 1e6, 3)} for name in parts}


def _reference() -> dict[str, dict[str, float]]:
    """What FastAPI itself costs per request, in-process as above: a ``def`` endpoint (run in the thread pool), the
    same with four chained ``def`` dependencies (each its own trip to the thread pool) or four chained ``async def``
    dependencies (run in the event loop, as r2c's dependencies without I/O are now), the same behind one
    ``@app.middleware("http")`` (as r2c's app had until e4e28e5) or behind r2c's plain ASGI ``ApiVersion`` (adding
    its header, as under /api/v1), and an ``async def`` endpoint (no thread)."""
    from fastapi import Depends, FastAPI, Request

    from r2c.api import BASE, ApiVersion

    app = FastAPI()

    def first() -> int:
        return 1

    def second(x: int = Depends(first)) -> int:
        return x

    def third(x: int = Depends(second)) -> int:
        return x

    def fourth(x: int = Depends(third)) -> int:
        return x

    async def first_async() -> int:
        return 1

    async def second_async(x: int = Depends(first_async)) -> int:
        return x

    async def third_async(x: int = Depends(second_async)) -> int:
        return x

    async def fourth_async(x: int = Depends(third_async)) -> int:
        return x

    @app.get("/def")
    def plain() -> dict[str, int]:
        return {"a": 1}

    @app.get("/def-4-async-deps")
    def with_async_dependencies(x: int = Depends(fourth_async)) -> dict[str, int]:
        return {"a": x}

    @app.get("/def-4-deps")
    def with_dependencies(x: int = Depends(fourth)) -> dict[str, int]:
        return {"a": x}

    @app.get("/async")
    async def without_thread() -> dict[str, int]:
        return {"a": 1}

    wrapped = FastAPI()
    wrapped.add_api_route("/def", plain, methods=["GET"])

    @wrapped.middleware("http")
    async def passing(request: Request, call_next):
        return await call_next(request)

    plain_asgi = FastAPI()
    plain_asgi.add_api_route(f"{BASE}/def", plain, methods=["GET"])
    plain_asgi.add_middleware(ApiVersion, version="1.0.0")

    loop = asyncio.new_event_loop()
    try:
        return _timed({
            "FastAPI: def endpoint": lambda: loop.run_until_complete(_asgi(app, "GET", "/def", {}, None)),
            "FastAPI: def endpoint + 4 def dependencies":
                lambda: loop.run_until_complete(_asgi(app, "GET", "/def-4-deps", {}, None)),
            "FastAPI: def endpoint + 4 async def dependencies":
                lambda: loop.run_until_complete(_asgi(app, "GET", "/def-4-async-deps", {}, None)),
            "FastAPI: def endpoint + @app.middleware('http')":
                lambda: loop.run_until_complete(_asgi(wrapped, "GET", "/def", {}, None)),
            "FastAPI: def endpoint + r2c's ApiVersion (plain ASGI)":
                lambda: loop.run_until_complete(_asgi(plain_asgi, "GET", f"{BASE}/def", {}, None)),
            "FastAPI: async def endpoint": lambda: loop.run_until_complete(_asgi(app, "GET", "/async", {}, None)),
        })
    finally:
        loop.close()


async def _asgi(app, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str]]:
    """One request to an ASGI app, as a server would make it; (status, response headers)."""
    content = b"" if body is None else json.dumps(body).encode("utf-8")
    if body is not None:
        headers = {**headers, "content-type": "application/json", "content-length": str(len(content))}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode("ascii"), "query_string": b"", "root_path": "",
             "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in {"host": "127.0.0.1", **headers}.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    given = False
    out: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": content, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])}

    await app(scope, receive, send)
    return out["status"], out["headers"]


# -- figures --------------------------------------------------------------------------------------------------

def _summary(phase: dict[str, Any]) -> dict[str, Any]:
    times, seconds = phase["times"], phase["seconds"]
    n = len(times)
    cut = statistics.quantiles(times, n=100, method="inclusive") if n >= 2 else [float("nan")] * 99
    before, after = phase["server_before"], phase["server_after"]
    per = max(n, 1)
    return {"users": phase["users"], "endpoint": phase["endpoint"], "requests": n, "seconds": round(seconds, 2),
            "rps": round(n / seconds, 1), "p50_ms": round(cut[49], 2), "p90_ms": round(cut[89], 2),
            "p99_ms": round(cut[98], 2), "failures": phase["failures"], "errors": phase["errors"],
            "server_cpu_ms_per_request": round((after["cpu_s"] - before["cpu_s"]) / per * 1000, 3),
            "statements_per_request": round((after["statements"] - before["statements"]) / per, 2),
            "sql_ms_per_request": round((after["sql_s"] - before["sql_s"]) / per * 1000, 3),
            "begin_ms_per_request": round((after["begin_s"] - before["begin_s"]) / per * 1000, 3),
            "server_cores": round((after["cpu_s"] - before["cpu_s"]) / seconds, 2),
            "loadgen_cores": round(phase["loadgen_cpu_s"] / seconds, 2),
            "loadgen_cpu_warning": phase["loadgen_cpu_warning"]}


def _ratio(a: float, b: float, digits: int) -> float:
    return round(a / b, digits) if b else float("nan")


def _ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each endpoint against ``bare`` at the same number of users, in the same run."""
    out = []
    for users in USERS:
        by = {r["endpoint"]: r for r in rows if r["users"] == users}
        bare = by["bare"]
        for endpoint in ("status", "fire"):
            r = by[endpoint]
            out.append({"users": users, "endpoint": endpoint,
                        "rps_ratio": _ratio(r["rps"], bare["rps"], 3),
                        "p50_ratio": _ratio(r["p50_ms"], bare["p50_ms"], 2),
                        "p99_ratio": _ratio(r["p99_ms"], bare["p99_ms"], 2),
                        "cpu_ratio": _ratio(r["server_cpu_ms_per_request"], bare["server_cpu_ms_per_request"], 2)})
    return out


def _bench(kind: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="r2c-bench-api-") as name, \
            databases(kind, Path(name), "r2c_bench_api") as url:
        folder = Path(name)
        fixture = _prepare(url, folder, max(*USERS, 2))  # the breakdown fires on two challenges of its own
        server = fixture.pop("server")
        with serve(url, folder) as (host, port, _):
            base = f"http://{host}:{port}"
            phases = _load(base, fixture, folder)
        parts = _breakdown(url, folder, fixture)
    rows = [_summary(p) for p in phases]
    return {"server": server, "phases": rows, "ratios": _ratios(rows), "parts": parts}


def main() -> dict[str, Any]:
    """Every phase on SQLite, then on PostgreSQL (if it answers); prints a table, returns the figures."""
    import importlib.util

    from r2c.store.scratch import postgres_problem

    started = time.perf_counter()
    results: dict[str, Any] = {
        "users": list(USERS), "warmup_s": WARMUP_S, "measure_s": MEASURE_S,
        "uvicorn": {"loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
                    "http": "httptools" if importlib.util.find_spec("httptools") else "h11"},
        "sqlite": _bench("sqlite")}
    results["reference"] = _reference()
    problem = postgres_problem(PG_URL)
    if problem is None:
        results["postgresql"] = _bench("postgresql")
    else:
        print(f"bench_api: PostgreSQL at {PG_URL} does not answer ({problem}); its figures are skipped "
              "(set R2C_BENCH_POSTGRES_URL)")
        results["postgresql"] = {"skipped": problem}
    results["seconds"] = round(time.perf_counter() - started, 1)
    _print(results)
    return results


def _print_parts(parts: dict[str, dict[str, float]]) -> None:
    print(f"  {'one request at a time, in this process (no HTTP server)':<66}{'wall ms':>9}{'CPU ms':>9}")
    for name, p in parts.items():
        print(f"  {name:<66}{p['wall_ms']:>9.2f}{p['cpu_ms']:>9.2f}")


def _print(results: dict[str, Any]) -> None:
    u = results["uvicorn"]
    print(f"bench_api  (nproc={os.cpu_count()}, shared by server, load generator and database; uvicorn 1 worker, "
          f"{u['loop']} + {u['http']}; {results['measure_s']:.0f} s per phase after {results['warmup_s']:.0f} s)")
    for kind in ("sqlite", "postgresql"):
        r = results[kind]
        if "skipped" in r:
            print(f"\n{kind}: skipped ({r['skipped']})")
            continue
        print(f"\n{kind}: {r['server'][:60]}")
        print(f"{'users':>5} {'endpoint':<8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'fail':>6}"
              f"{'srv CPU ms/req':>16}{'stmts/req':>11}{'SQL ms/req':>12}{'BEGIN':>8}{'srv cores':>11}"
              f"{'load cores':>12}")
        print("-" * 112)
        for p in r["phases"]:
            print(f"{p['users']:>5} {p['endpoint']:<8}{p['rps']:>9.0f}{p['p50_ms']:>9.1f}{p['p99_ms']:>9.1f}"
                  f"{p['failures']:>6}{p['server_cpu_ms_per_request']:>16.2f}{p['statements_per_request']:>11.1f}"
                  f"{p['sql_ms_per_request']:>12.2f}{p['begin_ms_per_request']:>8.2f}{p['server_cores']:>11.2f}{p['loadgen_cores']:>12.2f}"
                  + ("  (locust CPU warning)" if p["loadgen_cpu_warning"] else ""))
            for error, count in p["errors"].items():
                print(f"        {count} x {error}")
        print("  against bare, same users:  " + "; ".join(
            f"{q['users']} {q['endpoint']}: req/s {q['rps_ratio']:.2f}x, p50 {q['p50_ratio']:.1f}x, "
            f"CPU/req {q['cpu_ratio']:.1f}x" for q in r["ratios"]))
        _print_parts(r["parts"])
    print("\nreference (no database)")
    _print_parts(results["reference"])
    print(f"\n(bench_api: {results['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
