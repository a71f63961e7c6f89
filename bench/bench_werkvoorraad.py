"""Benchmark of the werkvoorraad page (issue 14): ``GET /werkvoorraad`` of a gemeente with OPEN open challenges
among CHALLENGES, with USERS staff logged in at once, against the API's list endpoint in the same run.
Target on PostgreSQL: p50 under 50 ms and p99 under 150 ms. Figures: docs/performance.md.

The data: CHALLENGES challenges of gouda (default 100,000), of which OPEN (default 5,000) are open, bulk-inserted
with core INSERTs as bench_rapport does (not through the service; hashes are placeholders, the page does not read
them). The open ones are in a state before the besluit with a running beslistermijn whose last day lies between
30 days ago and 60 days ahead (so every light occurs), a third of them assigned to one of the users; the closed ones
are afgewezen, their beslistermijn stopped. USERS local accounts (behandelaars) log in through ``/inloggen`` like a
person does; the API gets a behandelaar's key.

The server is r2c's app in uvicorn (its own process; ``bench.bench_api.server_app``, which also counts the SQL
statements), once per worker count in WORKERS (default 1 and 2 worker processes, as ``r2c serve --workers N``
runs them; the statements are counted with one worker only). Load: USERS threads in this process, each a closed
loop on one keep-alive connection (the next request when the last is answered), WARMUP_S seconds not counted, then
MEASURE_S seconds counted, per endpoint in turn:

1. ``api``: ``GET /api/v1/challenges?open=true&pageSize=25`` with the key (the list endpoint, newest first);
2. ``werkvoorraad``: ``GET /werkvoorraad`` (tab Alle open, sorted on the last day, 25 rows, counts per light);
3. ``gefilterd``: ``GET /werkvoorraad?behandelaar=niemand&termijn_voor=<in 20 days>&sorteer=titel``.

Reported: requests per second, p50 and p99, SQL statements per request, the server's CPU time per request (its
processes, from /proc), and the p50 and p99 ratio to ``api``.
On SQLite (a temporary file) and PostgreSQL (a fresh schema, dropped afterwards; skipped with a note when the
server does not answer). The machine has 2 cores shared by the server, PostgreSQL and the load: medians, ratios.

Run: ``.venv/bin/python -c "import bench.bench_werkvoorraad as b; b.main()"``; knobs
``R2C_BENCH_WERKVOORRAAD_CHALLENGES``, ``_OPEN``, ``_USERS``, ``_SECONDS``, ``_WARMUP_SECONDS``, ``_WORKERS``
(``1,2``).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.bench_api import PG_URL, bench_settings, databases, serve
from r2c.store.scratch import postgres_problem

CHALLENGES = int(os.environ.get("R2C_BENCH_WERKVOORRAAD_CHALLENGES", "100000"))
OPEN = int(os.environ.get("R2C_BENCH_WERKVOORRAAD_OPEN", "5000"))
USERS = int(os.environ.get("R2C_BENCH_WERKVOORRAAD_USERS", "8"))
MEASURE_S = float(os.environ.get("R2C_BENCH_WERKVOORRAAD_SECONDS", "10"))
WARMUP_S = float(os.environ.get("R2C_BENCH_WERKVOORRAAD_WARMUP_SECONDS", "2"))
WORKERS = [int(n) for n in os.environ.get("R2C_BENCH_WERKVOORRAAD_WORKERS", "1,2").split(",")]
TARGET_P50_MS, TARGET_P99_MS = 50.0, 150.0
GEMEENTE = "gouda"
PASSWORD = "een lang bench wachtwoord 2026"
HASH = "0" * 64


def load(db, service, n: int, n_open: int, users: list[str]) -> dict[str, Any]:
    """``n`` challenges of GEMEENTE, ``n_open`` of them open with a running beslistermijn, bulk-inserted."""
    from r2c.clock import today
    from r2c.store.tables import ChallengeRow, TermRow

    rng = random.Random(14)
    found = service.catalog.in_force(GEMEENTE, today(service.clock))
    definition = found.definition
    version = definition.versie
    open_states = [f"{f}.{s}" for f in ("indiening", "ontvankelijkheid", "toetsing", "besluit")
                   if f in definition.fasen for s, st in definition.fasen[f].staten.items() if not st.eind]
    vandaag = today(service.clock)
    now = service.clock.now()
    first = now - timedelta(days=3 * 365)
    step = (now - first) / n
    opened = set(rng.sample(range(n), n_open))
    challenges, terms = [], []
    for i in range(n):
        cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = first + step * i
        is_open = i in opened
        state = rng.choice(open_states) if is_open else "afgesloten.afgewezen"
        last = vandaag + timedelta(days=rng.randrange(-30, 60)) if is_open else created.date() + timedelta(weeks=8)
        challenges.append({
            "id": cid, "gemeente": GEMEENTE, "kenmerk": f"UD-{i:06d}", "workflow": found.definition.id,
            "workflow_version": version, "state": state, "fase": state.split(".")[0],
            "resultaat": None if is_open else "afgewezen", "titel": f"Uitdaging {i} {rng.choice(TITLES)}",
            "behandelaar": rng.choice(users) if is_open and rng.random() < 1 / 3 else None, "version": 3,
            "head_hash": HASH, "created_at": created, "updated_at": created, "erased_at": None,
            "closed_at": None if is_open else created + timedelta(days=40), "facts": {},
            "volgende_termijn": "beslistermijn" if is_open else None, "volgende_einddatum": last if is_open else None})
        terms.append({"challenge_id": cid, "gemeente": GEMEENTE, "name": "beslistermijn",
                      "status": "lopend" if is_open else "gestopt", "termijn": {},
                      "started_on": last - timedelta(weeks=8), "einddatum": last,
                      "stopped_on": None if is_open else last - timedelta(days=10)})
    t0 = time.perf_counter()
    with db.engine.begin() as connection:
        for table, rows in ((ChallengeRow.__table__, challenges), (TermRow.__table__, terms)):
            for start in range(0, len(rows), 10_000):
                connection.execute(insert(table), rows[start:start + 10_000])
    loaded = time.perf_counter() - t0
    if db.is_postgresql:  # statistics and visibility map, as autovacuum would have them by now
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return {"challenges": n, "open": n_open, "insert_s": round(loaded, 1)}


TITLES = ("buurttuin", "speelplein", "groenonderhoud", "buurthuis", "zwerfafval", "moestuin", "sportveld")


def prepare(url: str, folder: Path) -> dict[str, Any]:
    """A migrated database with the data, USERS accounts and an API key."""
    from r2c.service.access import KeyStore
    from r2c.service.accounts import Accounts
    from r2c.service.setup import open_service
    from r2c.store.db import Database

    Database.connect(url).upgrade()
    service, db = open_service(settings=bench_settings(url, folder / "documenten"))
    try:
        accounts = Accounts(db.sessions, service.clock, roles=service.policy.key_roles(service.catalog))
        emails = []
        for i in range(USERS):
            account, _ = accounts.create(gemeente=GEMEENTE, rollen=["behandelaar"], email=f"bench{i}@gouda.example",
                                         naam=f"Behandelaar {i}", password=PASSWORD)
            emails.append(account.email)
        users = [a.id for a in accounts.list(gemeente=GEMEENTE)]
        data = load(db, service, CHALLENGES, OPEN, users)
        keys = KeyStore(db.sessions, service.clock, roles=service.policy.key_roles(service.catalog))
        key = keys.create(gemeente=GEMEENTE, rollen=["behandelaar"], naam="bench@gouda.example").secret
        with db.engine.connect() as connection:
            server = connection.exec_driver_sql(
                "SELECT version()" if db.is_postgresql else "SELECT 'SQLite ' || sqlite_version()").scalar_one()
        vandaag = service.clock.now().date()
    finally:
        db.engine.dispose()
    return {**data, "emails": emails, "key": key, "server": server, "today": vandaag}


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the server process ``pid`` and its worker processes have used (Linux /proc)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue  # a process that ended meanwhile
    return total


def request(address: tuple[str, int], method: str, path: str, headers: dict[str, str] | None = None,
            body: str | None = None, connection: http.client.HTTPConnection | None = None) -> tuple[int, dict, str]:
    """One request (on ``connection`` if given): status, headers (lower case) and body."""
    conn = connection or http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        if connection is None:
            conn.close()


def login(address: tuple[str, int], email: str) -> str:
    """The Cookie header of a logged-in session of ``email``, through the login form as a browser sends it."""
    status, headers, page = request(address, "GET", "/inloggen")
    csrf_cookie = re.search(r"r2c_csrf=([^;]+)", headers.get("set-cookie", "")).group(1)
    token = re.findall(r'name="csrf" value="([^"]+)"', page)[-1]
    body = urllib.parse.urlencode({"email": email, "wachtwoord": PASSWORD, "volgende": "/werkvoorraad",
                                   "csrf": token})
    status, headers, _ = request(address, "POST", "/inloggen", {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"r2c_csrf={csrf_cookie}"}, body)
    if status != 303:
        raise RuntimeError(f"login of {email} answered {status}")
    session = re.search(r"(r2c_sessie=[^;]+)", headers.get("set-cookie", ""))
    if session is None:
        raise RuntimeError(f"login of {email} set no session cookie: {headers.get('set-cookie')}")
    return f"{session.group(1)}; r2c_csrf={csrf_cookie}"


def stats(address: tuple[str, int]) -> dict[str, Any]:
    return json.loads(request(address, "GET", "/bench/stats")[2])


def phase(address: tuple[str, int], name: str, path: str, headers: list[dict[str, str]],
          expect: str, count_statements: bool = True, server_pid: int | None = None) -> dict[str, Any]:
    """USERS closed loops on ``path`` (user i with headers[i]): warm-up, then MEASURE_S counted."""
    latencies: list[list[float]] = [[] for _ in headers]
    failures = [0] * len(headers)
    start = time.monotonic()
    begin, end = start + WARMUP_S, start + WARMUP_S + MEASURE_S
    marks: dict[str, Any] = {}
    barrier = threading.Barrier(len(headers) + 1)

    def user(i: int) -> None:
        conn = http.client.HTTPConnection(*address, timeout=30)
        barrier.wait()
        while (now := time.monotonic()) < end:
            t0 = time.perf_counter()
            try:
                status, _, body = request(address, "GET", path, headers[i], connection=conn)
                ok = status == 200 and expect in body
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(*address, timeout=30)
                ok = False
            spent = (time.perf_counter() - t0) * 1000
            if now >= begin:
                latencies[i].append(spent)
                failures[i] += not ok
        conn.close()

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(headers))]
    for t in threads:
        t.start()
    barrier.wait()
    time.sleep(max(0.0, begin - time.monotonic()))
    marks["before"] = stats(address) if count_statements else None
    cpu_before = server_cpu_s(server_pid) if server_pid else None
    for t in threads:
        t.join()
    cpu = server_cpu_s(server_pid) - cpu_before if server_pid else None  # the last requests run a bit past ``end``
    marks["after"] = stats(address) if count_statements else None
    every = sorted(x for row in latencies for x in row)
    count = len(every)
    if count < 2:
        raise RuntimeError(f"{name}: {count} requests in {MEASURE_S} s")
    cut = statistics.quantiles(every, n=100, method="inclusive")
    statements = marks["after"]["statements"] - marks["before"]["statements"] if count_statements else None
    return {"endpoint": name, "path": path, "requests": count, "failures": sum(failures),
            "rps": round(count / MEASURE_S, 1), "p50_ms": round(statistics.median(every), 2),
            "p99_ms": round(cut[98], 2),
            "statements_per_request": round(statements / count, 2) if statements is not None else None,
            "server_cpu_ms_per_request": round(cpu / count * 1000, 2) if cpu is not None else None}


def bench(kind: str) -> dict[str, Any]:
    """Load the data into a database of ``kind``; per worker count in WORKERS start the server, log the users in
    and measure the three phases."""
    with tempfile.TemporaryDirectory(prefix="r2c-bench-") as folder, databases(kind, Path(folder), "r2c_bench") as url:
        data = prepare(url, Path(folder))
        emails, secret = data.pop("emails"), data.pop("key")
        until = (data["today"] + timedelta(days=20)).isoformat()
        runs = []
        for workers in WORKERS:
            with serve(url, Path(folder), workers) as (host, port, pid):
                address = (host, port)
                cookies = [{"Cookie": login(address, email)} for email in emails]
                key = {"Authorization": f"Bearer {secret}"}
                one = workers == 1  # the statement counter lives in one process
                phases = [
                    phase(address, "api", "/api/v1/challenges?open=true&pageSize=25", [key] * USERS, '"items"', one,
                          pid),
                    phase(address, "werkvoorraad", "/werkvoorraad", cookies, "utrecht-table__row", one, pid),
                    phase(address, "gefilterd",
                          f"/werkvoorraad?behandelaar=niemand&termijn_voor={until}&sorteer=titel", cookies,
                          "utrecht-table__row", one, pid),
                ]
            api = phases[0]
            for p in phases:
                p["p50_ratio_to_api"] = round(p["p50_ms"] / api["p50_ms"], 2)
                p["p99_ratio_to_api"] = round(p["p99_ms"] / api["p99_ms"], 2)
            pages = [p for p in phases if p["endpoint"] != "api"]
            runs.append({"workers": workers, "phases": phases, "meets_target": all(
                p["p50_ms"] < TARGET_P50_MS and p["p99_ms"] < TARGET_P99_MS for p in pages)})
        data["today"] = str(data["today"])
        return {**data, "users": USERS, "measure_s": MEASURE_S, "runs": runs}


def main() -> dict[str, Any]:
    """SQLite, then PostgreSQL (if it answers); prints a table, returns the figures."""
    results: dict[str, Any] = {"sqlite": bench("sqlite")}
    problem = postgres_problem(PG_URL)
    results["postgresql"] = bench("postgresql") if problem is None else {"skipped": problem}
    print(f"bench_werkvoorraad  (nproc={os.cpu_count()}; shared machine; {OPEN} open among {CHALLENGES}; "
          f"{USERS} users; {MEASURE_S:.0f} s per endpoint; target p50 < {TARGET_P50_MS:.0f} ms, "
          f"p99 < {TARGET_P99_MS:.0f} ms on PostgreSQL)")
    print(f"{'database':<11}{'workers':>8} {'endpoint':<14}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'x api p50':>10}"
          f"{'x api p99':>10}{'SQL/req':>9}{'CPU ms/req':>11}{'fail':>6}")
    for kind, r in results.items():
        if "skipped" in r:
            print(f"{kind:<11} skipped ({r['skipped']})")
            continue
        for run in r["runs"]:
            for p in run["phases"]:
                sql = p["statements_per_request"]
                print(f"{kind:<11}{run['workers']:>8} {p['endpoint']:<14}{p['rps']:>8.0f}{p['p50_ms']:>9.1f}"
                      f"{p['p99_ms']:>9.1f}{p['p50_ratio_to_api']:>10.2f}{p['p99_ratio_to_api']:>10.2f}"
                      f"{'-' if sql is None else f'{sql:.1f}':>9}{p['server_cpu_ms_per_request']:>11.2f}"
                      f"{p['failures']:>6}")
    return results


if __name__ == "__main__":
    main()
