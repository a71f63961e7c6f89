"""The SQL behind ``/metrics``: a few aggregates over the outbox, the deliveries and the terms, read at scrape time.

Counts only, grouped by status, channel or gemeente: no ids, recipients or payloads leave these queries. Each
function runs on the connection of a read transaction the caller opened (``service.reading()``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, bindparam, func, select

from r2c.store.tables import DeliveryRow, OutboxRow, TermRow

OUTBOX = OutboxRow.__table__
DELIVERY = DeliveryRow.__table__
TERM = TermRow.__table__

_OUTBOX_BY_STATUS = select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)
_DELIVERIES_BY_STATUS = (select(DELIVERY.c.channel, DELIVERY.c.status, func.count())
                         .group_by(DELIVERY.c.channel, DELIVERY.c.status))
_TERMS_RUNNING = (select(TERM.c.gemeente, func.count(),
                         func.count().filter(TERM.c.einddatum < bindparam("b_today")))
                  .where(TERM.c.status == "lopend").group_by(TERM.c.gemeente))


def outbox_by_status(connection: Connection) -> dict[str, int]:
    """How many outbox messages there are per status (``wachtend``: not yet distributed, ``verdeeld``)."""
    return {status: count for status, count in connection.execute(_OUTBOX_BY_STATUS)}


def deliveries_by_status(connection: Connection) -> dict[tuple[str, str], int]:
    """How many deliveries there are per (channel, status): ``wachtend``, ``verzonden``, ``mislukt``."""
    return {(channel, status): count for channel, status, count in connection.execute(_DELIVERIES_BY_STATUS)}


def running_terms(connection: Connection, *, today: date) -> dict[str, tuple[int, int]]:
    """Per gemeente: (running terms, of which overdue), a running term being overdue when its end date is
    before ``today`` (the planner fires its ``bij_verstrijken`` event the day after the end date)."""
    return {gemeente: (running, overdue)
            for gemeente, running, overdue in connection.execute(_TERMS_RUNNING, {"b_today": today})}
