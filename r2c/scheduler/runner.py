"""APScheduler 3.11 as a clock only: one interval job that runs ``jobs.tick``, coalesced, one at a time.

All state is in the database, so the scheduler keeps none: a restart, a crash or a second worker (PostgreSQL)
loses and doubles nothing. On SQLite run a single scheduler.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from r2c.clock import Clock, SystemClock
from r2c.notify.channels import load_channels
from r2c.notify.routing import Router
from r2c.scheduler.anchor import anchor_job
from r2c.scheduler.jobs import tick
from r2c.service.challenges import ChallengeService
from r2c.settings import Settings

LOG = logging.getLogger("r2c.planner")
JOB_ID = "r2c-tick"


def make_tick(service: ChallengeService, settings: Settings, clock: Clock | None = None, *,
              on_tick: Callable[[float], None] | None = None):
    """The function the scheduler calls: one round of every job, errors logged (the next tick tries again);
    ``on_tick`` is given each round's duration in seconds (the server's metrics)."""
    clock = clock or SystemClock()
    channels = load_channels(settings)
    router = Router(settings, service.catalog)
    anchor = anchor_job(settings)

    def run() -> None:
        started = time.perf_counter()
        try:
            reports = tick(service, clock, channels, router, max_attempts=settings.max_pogingen, digest=True)
            if anchor is not None:  # the heads after this round's changes, outside the database (R2C_AUDIT_ANKER)
                reports["anker"] = anchor.run(service, clock)
        except Exception:  # noqa: BLE001 - a failing round must not stop the scheduler; the work stays queued
            LOG.exception("ronde van de planner mislukt; de volgende ronde probeert het opnieuw")
            return
        finally:
            if on_tick is not None:
                on_tick(time.perf_counter() - started)
        LOG.info("planner: %s", "; ".join(f"{name}: {r.summary()}" for name, r in reports.items()))

    return run


def schedule(scheduler, run, interval: int, *, clock: Clock | None = None) -> None:
    """Add the tick to an APScheduler scheduler: every ``interval`` seconds, first run now (by ``clock``).

    Coalesced, one at a time: ticks missed while a long round ran (or the machine slept) become one round, and a
    round never starts while the previous one is still busy.
    """
    scheduler.add_job(run, IntervalTrigger(seconds=interval), id=JOB_ID, coalesce=True, max_instances=1,
                      next_run_time=(clock or SystemClock()).now(), replace_existing=True)


def run_blocking(service: ChallengeService, settings: Settings) -> None:
    """Run the scheduler in the foreground until interrupted (``r2c scheduler``)."""
    clock = SystemClock()
    scheduler = BlockingScheduler(timezone="Europe/Amsterdam")
    schedule(scheduler, make_tick(service, settings, clock), settings.planner_interval, clock=clock)
    scheduler.start()


def start_background(service: ChallengeService, settings: Settings, *,
                     on_tick: Callable[[float], None] | None = None) -> BackgroundScheduler:
    """Start the scheduler in a thread of the current process (the server does this); returns it to shut down.
    ``on_tick``: see ``make_tick``."""
    clock = SystemClock()
    scheduler = BackgroundScheduler(timezone="Europe/Amsterdam")
    schedule(scheduler, make_tick(service, settings, clock, on_tick=on_tick), settings.planner_interval, clock=clock)
    scheduler.start()
    return scheduler
