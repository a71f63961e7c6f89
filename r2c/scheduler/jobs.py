"""Idempotent jobs, each a plain function of the service and a clock; the database is the source of truth.

- ``sweep_terms``: for running terms with something due (``term.next_due <= today``): queue reminders and
  escalations in the outbox and fire the term's ``bij_verstrijken`` event the day after its end date. A term
  that cannot be handled is logged and put off to the next day; it blocks no other term.
- ``distribute``: turn new outbox rows into deliveries (one per channel and recipient; r2c.notify.routing).
- ``deliver``: send due deliveries, retry with backoff, give up after ``max_pogingen``.
- ``weekly_digest``: once per ISO week per gemeente, an overview of what is due.

Several workers may run them at once on PostgreSQL: work is claimed with ``FOR UPDATE SKIP LOCKED``, a term
through its challenge's row (the same lock order as every change: challenge first, then its terms). On SQLite a
single scheduler runs. Running a job twice changes nothing the second time (keys are unique, progress is
stored with the work). The SQL (claims, marks, exactly-once inserts) is r2c.store.terms' and r2c.store.queue's.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from r2c import logs
from r2c.clock import Clock, today
from r2c.engine.case import Actor
from r2c.errors import R2CError
from r2c.notify.channels import Channel, DeliveryError, Message
from r2c.notify.render import RenderError, letter_attachment, render_email
from r2c.notify.routing import Router
from r2c.scheduler.digest import weekly_digest
from r2c.scheduler.report import Report
from r2c.service.challenges import ChallengeService
from r2c.store.queue import (DELIVERY, OUTBOX, SECRET, claim_due_delivery, claim_new_messages, drop_secret,
                             insert_once, mark_distributed, postpone_message, update_delivery)
from r2c.store.terms import claim_due_term, mark_term, put_off_term
from r2c.termijnen import Termijn, due_moments, next_due, recipient

LOG = logging.getLogger("r2c.planner")
SYSTEEM_ID = "r2c:planner"


# -- terms ---------------------------------------------------------------------------------------------------

def sweep_terms(service: ChallengeService, clock: Clock, *, limit: int | None = None) -> Report:
    """Handle every running term with something due by today; one transaction per term.

    A term that cannot be handled (its workflow version is no longer loaded, its stored Termijn is unreadable,
    a bug) is rolled back to a savepoint, logged as an error and put off to the next day: its ``next_due``
    becomes tomorrow and its ``processed_until`` stays, so it does not come back in this day's sweeps and, once
    repaired, catches up on every reminder it missed (each with its own day in its key). Trouble with the
    database itself is not the term's: it ends the sweep, and the next tick tries again.
    """
    report = Report()
    on = today(clock)
    while limit is None or report.done < limit:
        with service.units.session() as session:
            connection = session.connection()
            term = claim_due_term(connection, on)
            if term is None:
                break
            part = Report()
            try:
                with logs.context(gemeente=term.gemeente, challenge_id=term.challenge_id), \
                        session.begin_nested():  # one term's problem leaves the other terms' work standing
                    _handle_term(service, session, term, on, part)
            except OperationalError:  # the database, not the term: the sweep ends, the next tick tries again
                raise
            except Exception as error:  # noqa: BLE001 - whatever it is, the terms after this one must go on
                with logs.context(gemeente=term.gemeente, challenge_id=term.challenge_id):
                    _put_off(connection, term, on, error, report)
            else:
                report.queued += part.queued
                report.fired += part.fired
                report.refused += part.refused
        report.done += 1
    return report


def _put_off(connection: Connection, term: Any, on: date, error: Exception, report: Report) -> None:
    retry = on + timedelta(days=1)
    put_off_term(connection, term.id, next_due=retry)
    expected = isinstance(error, R2CError)
    reason = str(error) if expected else f"{type(error).__name__}: {error}"
    report.skipped.append(f"{term.challenge_id}: {term.name}: {reason}")
    LOG.error("termijn %s van uitdaging %s (gemeente %s, workflow %s versie %s) niet behandeld: %s. Herinneringen, "
              "escalatie en verstrijken van deze termijn wachten; de planner probeert het op %s opnieuw",
              term.name, term.challenge_id, term.gemeente, term.workflow, term.workflow_version, reason,
              retry.isoformat(), exc_info=not expected)


def _handle_term(service: ChallengeService, session: Session, term: Any, on: date, report: Report) -> None:
    connection = session.connection()
    definition = service.catalog.get(term.workflow, term.workflow_version).definition
    spec = definition.termijnen.get(term.name)
    termijn = Termijn.uit_dict(term.termijn)
    due = due_moments(termijn, term.einddatum, term.processed_until, on)
    rows = []
    for moment in due:
        if moment.kind == "verlopen":
            continue
        aan = recipient(moment.kind, spec.herinneren if spec else None)
        rows.append({
            "challenge_id": term.challenge_id, "gemeente": term.gemeente, "topic": f"termijn.{moment.kind}",
            "idempotency_key": f"termijn:{term.id}:{moment.kind}:{moment.label}:{moment.on.isoformat()}",
            "payload": {"uitdaging": term.challenge_id, "gemeente": term.gemeente, "aan": aan,
                        "termijn": {"naam": term.name, "label": spec.label if spec else term.name,
                                    "einddatum": term.einddatum.isoformat(), "moment": moment.label,
                                    "soort": moment.kind, "dag": moment.on.isoformat(),
                                    "grondslag": termijn.grondslag}},
            "status": "wachtend", "attempts": 0, "created_at": service.clock.now(),
            "next_attempt_at": service.clock.now()})
    report.queued += insert_once(connection, OUTBOX, rows)
    mark_term(connection, term.id, until=on, next_due=next_due(term.termijn, "lopend", term.einddatum, on))
    lapsed = any(m.kind == "verlopen" for m in due)
    if lapsed and spec is not None and spec.bij_verstrijken:
        actor = Actor(SYSTEEM_ID, "systeem", term.gemeente)
        try:
            service.joined(session).fire(term.challenge_id, spec.bij_verstrijken, actor=actor,
                                         reason=f"{spec.label} verstreken op {term.einddatum.isoformat()}")
            report.fired.append(f"{term.challenge_id}: {spec.bij_verstrijken}")
        except R2CError as error:  # the challenge moved on (e.g. aangevuld on the last day): nothing to do
            report.refused.append(f"{term.challenge_id}: {spec.bij_verstrijken}: {error}")
            LOG.info("niet gevuurd: %s: %s: %s", term.challenge_id, spec.bij_verstrijken, error)


# -- outbox -> deliveries ------------------------------------------------------------------------------------

def distribute(service: ChallengeService, clock: Clock, router: Router, *, batch: int = 200) -> Report:
    """Turn every new outbox row into deliveries; a row and its deliveries are written in one transaction."""
    report = Report()
    while True:
        with service.units.write() as connection:
            now = clock.now()
            rows = claim_new_messages(connection, now=now, limit=batch)
            for row in rows:
                try:
                    with logs.context(gemeente=row.gemeente, challenge_id=row.challenge_id), \
                            connection.begin_nested():  # one row's problem leaves the others' work standing
                        deliveries = [
                            {"outbox_id": row.id, "gemeente": row.gemeente, "channel": d.channel,
                             "recipient": d.recipient, "template": d.template, "context": d.context,
                             "idempotency_key": f"{row.idempotency_key}|{d.channel}|{d.recipient}"[:300],
                             "status": "wachtend", "attempts": 0, "next_attempt_at": now}
                            for d in router.route(connection, row)]
                        report.queued += insert_once(connection, DELIVERY, deliveries)
                        if SECRET in row.payload:  # the e-mail's delivery holds it now, until it is sent
                            drop_secret(connection, outbox_id=row.id, payload=row.payload)
                        mark_distributed(connection, row.id)
                except R2CError as error:  # e.g. a broken gemeente.yaml: try again after it is fixed
                    with logs.context(gemeente=row.gemeente, challenge_id=row.challenge_id):
                        LOG.warning("bericht %s niet verdeeld: %s", row.idempotency_key, error)
                    report.retried += 1
                    postpone_message(connection, row.id, error=str(error)[:2000],
                                     next_attempt_at=now + backoff(row.attempts + 1))
            report.done += len(rows)
        if len(rows) < batch:
            return report


# -- deliveries -> channels ----------------------------------------------------------------------------------

WAIT_FOR_EARLIER = timedelta(minutes=5)
"""How long a delivery that waits for another one (``DeliveryError.waiting``) waits before it looks again."""


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, ... minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


def deliver(service: ChallengeService, clock: Clock, channels: dict[str, Channel], router: Router, *,
            limit: int | None = None, max_attempts: int = 10) -> Report:
    """Send due deliveries one by one, each in its own transaction that holds the row until it is marked.

    A worker that dies after the channel accepted a message but before its transaction committed leaves the
    row unsent; another worker sends it again, with the same key (docs/notifications.md: the limits).
    """
    report = Report()
    while limit is None or report.done < limit:
        with service.units.write() as connection:
            row = claim_due_delivery(connection, now=clock.now())
            if row is None:
                break
            report.done += 1
            with logs.context(gemeente=row.gemeente):
                values = _send(row, channels, router, clock, max_attempts)
            if values.get("status") in ("verzonden", "mislukt") and row.context.get(SECRET):
                values["context"] = {**row.context, SECRET: None}  # delivered (or given up): not kept at rest
            update_delivery(connection, row.id, values)
            status = values.get("status")
            report.sent += status == "verzonden"
            report.failed += status == "mislukt"
            report.retried += status == "wachtend"
    return report


def _send(row: Any, channels: dict[str, Channel], router: Router, clock: Clock, max_attempts: int) -> dict:
    attempts = row.attempts + 1
    channel = channels.get(row.channel)
    try:
        if channel is None:
            raise DeliveryError(f"kanaal '{row.channel}' staat niet aan", temporary=True)
        channel.send(build_message(row, router, on=today(clock)))
    except DeliveryError as error:
        if not error.waiting:
            return _failed(row, error, clock, attempts, max_attempts)
        # not tried: no attempt counted, so waiting never uses up the attempts of the message itself
        return {"attempts": row.attempts, "last_error": str(error)[:2000], "status": "wachtend",
                "next_attempt_at": clock.now() + WAIT_FOR_EARLIER}
    except R2CError as error:
        return _failed(row, error, clock, attempts, max_attempts)
    return {"attempts": attempts, "status": "verzonden", "sent_at": clock.now(), "last_error": None}


def _failed(row: Any, error: R2CError, clock: Clock, attempts: int, max_attempts: int) -> dict:
    """The delivery's new values after a failed attempt: wait and try again, or give up."""
    # a template that does not fit its context stays wrong: give up; a channel that is down, or a
    # configuration error (a broken gemeente.yaml) can be fixed: try again later
    temporary = not isinstance(error, RenderError) and getattr(error, "temporary", True) and attempts < max_attempts
    # the delivery's id, not its key: the key and the channel's message may hold the recipient's e-mail address
    # (a webhook's URL or a channel's own name, such as zgw, is no personal data and stays readable)
    LOG.warning("bezorging %s via %s mislukt (poging %d): %s", row.id, row.channel, attempts,
                str(error).replace(row.recipient, "<ontvanger>") if "@" in (row.recipient or "") else error)
    return {"attempts": attempts, "last_error": str(error)[:2000],
            "status": "wachtend" if temporary else "mislukt",
            "next_attempt_at": clock.now() + backoff(attempts)}


def build_message(row: Any, router: Router, *, on: date) -> Message:
    """The message a delivery row stands for, rendered from its template and context, with its letter as PDF.

    ``on`` is the day of sending: the letter's date, from which a bezwaartermijn counts (Awb 3:41, 6:8).
    """
    context = row.context
    if row.channel == "email":
        huisstijl = router.huisstijl(row.gemeente)
        subject, text = render_email(huisstijl, row.template, context)
        brief = context.get("brief")
        letter = letter_attachment(huisstijl, brief["naam"], {**context, "vandaag": on.isoformat()}) if brief else None
        return Message(row.idempotency_key, "email", row.recipient, row.gemeente, subject, text,
                       attachments=(letter,) if letter else ())
    if row.channel == "webhook":
        event = context["event"]
        return Message(row.idempotency_key, "webhook", row.recipient, row.gemeente, event["type"], "", event=event)
    return Message(row.idempotency_key, row.channel, row.recipient, row.gemeente, str(context.get("onderwerp", "")),
                   str(context.get("bericht", "")), event=context.get("event") or {})


# -- everything, in order -----------------------------------------------------------------------------------

def tick(service: ChallengeService, clock: Clock, channels: dict[str, Channel], router: Router, *,
         max_attempts: int = 10, digest: bool = False) -> dict[str, Report]:
    """One round of every job, in order: what is due becomes outbox rows, deliveries, messages.

    ``digest``: also queue this week's digest where it is missing (r2c.scheduler.digest); the scheduler
    (``r2c scheduler``, ``r2c serve``) passes True.
    """
    reports = {"termijnen": sweep_terms(service, clock)}
    if digest:
        reports["overzicht"] = weekly_digest(service, clock)
    reports["verdelen"] = distribute(service, clock, router)
    reports["bezorgen"] = deliver(service, clock, channels, router, max_attempts=max_attempts)
    return reports
