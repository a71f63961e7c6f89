"""The weekly digest (weekoverzicht): once per ISO week per gemeente, the terms that end soon or have ended.

The first run in an ISO week (normally the first tick on Monday, Europe/Amsterdam) writes for each gemeente
with running terms one outbox row, topic ``overzicht.week``, key ``overzicht:<gemeente>:<JJJJ-Www>``. Later runs
that week find the key and write nothing; a scheduler that was down on Monday catches up on its first run. The
router sends it to the gemeente's teamleider and team address (r2c.notify.routing) and to every webhook.

Listed: every running term of the gemeente whose einddatum is at most 7 days ahead, and every running term whose
einddatum has passed (``verlopen``: the deadline was missed and nothing has stopped the term yet). A term whose
workflow version is no longer loaded is listed under its name instead of its label (the sweep logs it).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from r2c.clock import Clock, today
from r2c.errors import R2CError
from r2c.scheduler.report import Report
from r2c.service.challenges import ChallengeService
from r2c.store.queue import OUTBOX, insert_once, written_keys
from r2c.store.terms import gemeenten_with_running_terms, terms_ending

LOG = logging.getLogger("r2c.planner")
TOPIC = "overzicht.week"
HORIZON = timedelta(days=7)


def iso_week(day: date) -> str:
    """The ISO week of ``day`` as 'JJJJ-Www' (2026-04-20 is '2026-W17'; 2027-01-01 is '2026-W53')."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(gemeente: str, week: str) -> str:
    """The idempotency key of a gemeente's digest for a week."""
    return f"overzicht:{gemeente}:{week}"


def weekly_digest(service: ChallengeService, clock: Clock) -> Report:
    """Queue this ISO week's digest for every gemeente with running terms that has none yet; one transaction."""
    report = Report()
    on = today(clock)
    week = iso_week(on)
    with service.units.write() as connection:
        gemeenten = sorted(gemeenten_with_running_terms(connection) & set(service.catalog.ids(soort="gemeente")))
        keys = {digest_key(g, week): g for g in gemeenten}
        written = written_keys(connection, list(keys))
        rows = [_row(service, connection, gemeente, week, on, clock) for key, gemeente in keys.items()
                if key not in written]
        report.done = len(rows)
        report.queued = insert_once(connection, OUTBOX, rows)
    return report


def _row(service: ChallengeService, connection: Connection, gemeente: str, week: str, on: date,
         clock: Clock) -> dict[str, Any]:
    termijnen = []
    for term in terms_ending(connection, gemeente=gemeente, until=on + HORIZON):
        termijnen.append({"uitdaging": term.challenge_id, "kenmerk": term.kenmerk, "titel": term.titel,
                          "termijn": term.name,
                          "label": _label(service, term), "einddatum": term.einddatum.isoformat(),
                          "verlopen": term.einddatum < on})
    now = clock.now()
    return {"challenge_id": None, "gemeente": gemeente, "topic": TOPIC, "idempotency_key": digest_key(gemeente, week),
            "payload": {"gemeente": gemeente, "week": week, "termijnen": termijnen}, "status": "wachtend",
            "attempts": 0, "created_at": now, "next_attempt_at": now}


def _label(service: ChallengeService, term: Any) -> str:
    """The term's label in its definition; its name when that version is gone (the overview goes out anyway)."""
    try:
        spec = service.catalog.get(term.workflow, term.workflow_version).definition.termijnen.get(term.name)
    except R2CError as error:
        LOG.warning("weekoverzicht: termijn %s van uitdaging %s staat er zonder label in: %s", term.name,
                    term.challenge_id, error)
        return term.name
    return spec.label if spec else term.name
