"""Benchmark of the zgw channel (issue 16): registering challenges as zaken, with their status changes, against the
Zaken stand-in (tests/zgw/zaken_standin.py) on loopback.

N challenges (``R2C_BENCH_ZGW_CHALLENGES``, default 1,000) of gouda on a SQLite file, each submitted and then
``aanvulling_vragen``, ``aanvullen`` and ``in_behandeling_nemen`` (4 steps: a zaak with its initiator, 4 statuses,
an opschorting and its end with the moved date, 2 letters as documents). The changes are made first; then the
planner's ``distribute`` and ``deliver`` send every step through the zgw channel, timed. Figures: calls to the
APIs per second, ms per call (wall time of the delivery / calls), and the share of that time spent in r2c (the
rest is spent in the HTTP calls: the stand-in's answer and the loopback). The stand-in runs in this process (a
thread) and checks tokens and rules, but not the OpenAPI documents (``R2C_BENCH_ZGW_VALIDATE=1`` turns that on; it
then dominates the time).

Run: ``.venv/bin/python -m bench.bench_zgw``. Figures and their meaning: docs/zgw.md, "Grenzen".
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import time_machine

from r2c.zgw.client import NODELAY

ROOT = Path(__file__).resolve().parents[1]
CHALLENGES = int(os.environ.get("R2C_BENCH_ZGW_CHALLENGES", "1000"))
VALIDATE = os.environ.get("R2C_BENCH_ZGW_VALIDATE", "0") == "1"
START = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)


class TimedTransport(httpx.HTTPTransport):
    """An httpx transport that adds up the time spent in HTTP calls (request out, answer in)."""

    def __init__(self) -> None:
        super().__init__(socket_options=NODELAY)
        self.seconds = 0.0
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = super().handle_request(request)
            response.read()
            return response
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def bench() -> dict[str, Any]:
    from r2c.clock import SystemClock
    from r2c.definitions import load_catalog
    from r2c.notify.routing import Router
    from r2c.scheduler.jobs import deliver, distribute
    from r2c.service import Actor, ChallengeService, Initiatiefnemer
    from r2c.settings import Settings
    from r2c.store import Database, DocumentStore
    from r2c.store.unit import UnitOfWork
    from r2c.zgw.channel import ZgwChannel
    from tests.zgw.conftest import CLIENT_ID, SECRET, write_config
    from tests.zgw.zaken_standin import ZakenStandin

    folder = Path(tempfile.mkdtemp(prefix="r2c-bench-zgw-"))
    catalog = load_catalog([ROOT / "model_verordening", ROOT / "workflows"], base_paths=[])
    with ZakenStandin(secret=SECRET, client_id=CLIENT_ID, validate=VALIDATE) as standin, \
            time_machine.travel(START, tick=True):
        url = f"sqlite:///{folder / 'r2c.db'}"
        database = Database.connect(url)
        database.upgrade()
        settings = Settings(kanalen=["zgw"], zgw_config=write_config(folder / "zgw.toml", standin),
                            database_url=url, documenten=folder / "documenten")
        service = ChallengeService(database.sessions, catalog, SystemClock(),
                                   read_session_factory=database.read_sessions,
                                   documents=DocumentStore(settings.documenten))
        vereisten = list(catalog.in_force("gouda", START.date()).definition.vereisten)
        behandelaar = Actor("b.jansen", "behandelaar", "gouda")
        for n in range(CHALLENGES):
            challenge = service.submit(gemeente="gouda", titel=f"Uitdaging {n}",
                                       data={"omschrijving": "Wij doen het zelf.", "vereisten": vereisten[:2]},
                                       initiatiefnemer=Initiatiefnemer(f"A. Bewoner {n}", None, None, None)).challenge
            service.fire(challenge.id, "aanvulling_vragen", actor=behandelaar, reason="Begroting ontbreekt.")
            fired = service.fire(challenge.id, "aanvullen", actor=Actor(challenge.initiatiefnemer, "initiatiefnemer",
                                                                         "gouda"), data={"vereisten": vereisten})
            service.fire(fired.challenge.id, "in_behandeling_nemen", actor=behandelaar)
        transport = TimedTransport()
        channel = ZgwChannel(settings, units=UnitOfWork(database.sessions, database.read_sessions), catalog=catalog,
                             transport=transport)
        router = Router(settings, catalog)
        clock = SystemClock()
        distribute(service, clock, router)
        started = time.perf_counter()
        report = deliver(service, clock, {"zgw": channel}, router)
        wall = time.perf_counter() - started
        channel.close()
        database.engine.dispose()
    calls = sum(standin.calls.values())
    assert report.failed == 0 and report.retried == 0, report
    assert standin.created["zaken"] == CHALLENGES and standin.created["statussen"] == 4 * CHALLENGES
    return {"challenges": CHALLENGES, "steps": report.sent, "calls": calls, "wall_s": wall,
            "calls_per_s": calls / wall, "ms_per_call": 1000 * wall / calls,
            "ms_per_challenge": 1000 * wall / CHALLENGES,
            "share_in_r2c": max(0.0, 1 - transport.seconds / wall), "validated": VALIDATE,
            "created": dict(standin.created)}


def main() -> dict[str, Any]:
    """The figures on SQLite; prints a table and returns them."""
    r = bench()
    print(f"bench_zgw  (nproc={os.cpu_count()}; shared machine; {r['challenges']} challenges, {r['steps']} steps; "
          f"stand-in in this process, OpenAPI checks {'on' if r['validated'] else 'off'})")
    print(f"{'calls':>8}{'wall':>10}{'calls/s':>10}{'ms/call':>10}{'ms/challenge':>14}{'in r2c':>9}")
    print(f"{r['calls']:>8}{r['wall_s']:>9.1f}s{r['calls_per_s']:>10.0f}{r['ms_per_call']:>10.2f}"
          f"{r['ms_per_challenge']:>14.1f}{100 * r['share_in_r2c']:>8.0f}%")
    return r


if __name__ == "__main__":
    main()
