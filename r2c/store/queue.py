"""The SQL of the outbox and its deliveries: rows written once, claimed with ``SKIP LOCKED``, and marked.

Outbox messages and deliveries carry an ``idempotency_key``, unique in the table. A job that runs twice (a retry,
two workers, a restart) writes the same keys again; the second time nothing is added. The planner claims new
messages and due deliveries with ``FOR UPDATE SKIP LOCKED``, so two workers on PostgreSQL never take the same row;
the row is marked in the transaction that claimed it. Together this makes reminders and deliveries exactly-once
(docs/notifications.md). The statements are built once, at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from r2c.store.tables import ChallengeRow, DeliveryRow, OutboxRow

OUTBOX, DELIVERY = OutboxRow.__table__, DeliveryRow.__table__
_CHALLENGE = ChallengeRow.__table__

_NEW_OUTBOX = (select(OUTBOX).where(OUTBOX.c.status == "wachtend", OUTBOX.c.next_attempt_at <= bindparam("b_now"))
               .order_by(OUTBOX.c.id).limit(bindparam("b_limit")).with_for_update(skip_locked=True))
_MARK_OUTBOX = update(OUTBOX).where(OUTBOX.c.id == bindparam("b_id")).values(status="verdeeld")
_POSTPONE_OUTBOX = update(OUTBOX).where(OUTBOX.c.id == bindparam("b_id")).values(
    attempts=OUTBOX.c.attempts + 1, next_attempt_at=bindparam("b_next"), last_error=bindparam("b_error"))
_WRITTEN = select(OUTBOX.c.idempotency_key).where(OUTBOX.c.idempotency_key.in_(bindparam("b_keys", expanding=True)))
_MESSAGE = select(OUTBOX.c.payload, OUTBOX.c.created_at).where(OUTBOX.c.idempotency_key == bindparam("b_key"))
DUE_DELIVERY = (select(DELIVERY).where(DELIVERY.c.status == "wachtend",
                                        DELIVERY.c.next_attempt_at <= bindparam("b_now"))
                 .order_by(DELIVERY.c.next_attempt_at, DELIVERY.c.id).limit(1).with_for_update(skip_locked=True))
"""The deliverer's claim: the delivery due longest, locked (``FOR UPDATE SKIP LOCKED``) until it is marked."""
_UPDATE_DELIVERY = update(DELIVERY).where(DELIVERY.c.id == bindparam("b_id"))


def insert_once(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert rows whose ``idempotency_key`` is new; a key already there is left alone (a job run twice)."""
    if not rows:
        return 0
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(table.c.id))
    return len(connection.execute(statement, rows).all())  # (executemany's rowcount is -1 on psycopg)


# -- the outbox ------------------------------------------------------------------------------------------------

def claim_new_messages(connection: Connection, *, now: datetime, limit: int) -> list[Row]:
    """Up to ``limit`` waiting outbox rows due by ``now``, oldest first, locked (skipping rows another worker has)."""
    return connection.execute(_NEW_OUTBOX, {"b_limit": limit, "b_now": now}).all()


def mark_distributed(connection: Connection, outbox_id: int) -> None:
    """Mark the outbox row as turned into deliveries."""
    connection.execute(_MARK_OUTBOX, {"b_id": outbox_id})


def postpone_message(connection: Connection, outbox_id: int, *, error: str, next_attempt_at: datetime) -> None:
    """Count a failed attempt to distribute the outbox row, with its error, and try again at ``next_attempt_at``."""
    connection.execute(_POSTPONE_OUTBOX, {"b_id": outbox_id, "b_error": error, "b_next": next_attempt_at})


def written_keys(connection: Connection, keys: list[str]) -> set[str]:
    """Those of ``keys`` that an outbox row already has (no statement when there are none)."""
    return set(connection.execute(_WRITTEN, {"b_keys": keys}).scalars()) if keys else set()


def message(connection: Connection, key: str) -> Row | None:
    """The payload and creation moment of the outbox row with this idempotency key, or None."""
    return connection.execute(_MESSAGE, {"b_key": key}).one_or_none()


# -- deliveries ------------------------------------------------------------------------------------------------

def claim_due_delivery(connection: Connection, *, now: datetime) -> Row | None:
    """The waiting delivery due longest by ``now``, locked for the transaction (skipping locked ones); or None."""
    return connection.execute(DUE_DELIVERY, {"b_now": now}).one_or_none()


def update_delivery(connection: Connection, delivery_id: int, values: Mapping[str, Any]) -> None:
    """Write the outcome of an attempt to send the delivery (its ``values``: attempts, status, times, error)."""
    connection.execute(_UPDATE_DELIVERY, {"b_id": delivery_id, **values})


# -- messages that carry a secret --------------------------------------------------------------------------------

STATUS_LINK_TOPIC = "uitdaging.statuslink"
"""A message with the initiatiefnemer's new status link (at submission, or asked for): e-mail only."""

SECRET = "statuslink"
"""The key under which a message (outbox payload, delivery context) carries a usable status link. It is kept only
until that one message is delivered: ``distribute`` drops it from the outbox row once the e-mail's delivery is
made, ``deliver`` from the delivery once it is sent or given up."""


def queue_message(connection: Connection, message: Mapping[str, Any]) -> int:
    """Put one message in the outbox (inserted once by its ``idempotency_key``); 1 when it is new."""
    return insert_once(connection, OUTBOX, [dict(message)])


def drop_secret(connection: Connection, *, outbox_id: int, payload: Mapping[str, Any]) -> None:
    """The outbox row's payload without its secret (after its deliveries are made)."""
    connection.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id),
                       {"payload": {k: v for k, v in payload.items() if k != SECRET}})


# -- one channel's deliveries, for its beheerder (``r2c zgw status``) ---------------------------------------------

_EARLIER_OPEN = (select(func.count()).select_from(DELIVERY.join(OUTBOX, OUTBOX.c.id == DELIVERY.c.outbox_id))
                 .where(DELIVERY.c.channel == bindparam("b_channel"), OUTBOX.c.challenge_id == bindparam("b_challenge"),
                        DELIVERY.c.status != "verzonden", DELIVERY.c.idempotency_key != bindparam("b_key"),
                        OUTBOX.c.id < select(OUTBOX.c.id).where(OUTBOX.c.idempotency_key == bindparam("b_outbox"))
                        .scalar_subquery()))


def earlier_unsent(connection: Connection, *, channel: str, challenge_id: str, outbox_key: str,
                   delivery_key: str) -> int:
    """How many deliveries over ``channel`` of the same challenge, made from earlier outbox rows, are not sent yet
    (a channel that must keep a challenge's steps in order waits for them)."""
    return connection.execute(_EARLIER_OPEN, {"b_channel": channel, "b_challenge": challenge_id,
                                              "b_outbox": outbox_key, "b_key": delivery_key}).scalar_one()


def channel_deliveries(connection: Connection, *, channel: str, statuses: tuple[str, ...],
                       gemeente: str | None = None, limit: int = 200) -> list[Row]:
    """The deliveries over ``channel`` in one of ``statuses`` (oldest first), with their challenge (id, kenmerk)
    and topic."""
    query = (select(DELIVERY.c.id, DELIVERY.c.gemeente, DELIVERY.c.status, DELIVERY.c.attempts,
                    DELIVERY.c.next_attempt_at, DELIVERY.c.last_error, OUTBOX.c.challenge_id, OUTBOX.c.topic,
                    OUTBOX.c.idempotency_key.label("outbox_key"), OUTBOX.c.created_at, _CHALLENGE.c.kenmerk)
             .join(OUTBOX, OUTBOX.c.id == DELIVERY.c.outbox_id)
             .outerjoin(_CHALLENGE, _CHALLENGE.c.id == OUTBOX.c.challenge_id)
             .where(DELIVERY.c.channel == channel, DELIVERY.c.status.in_(statuses))
             .order_by(DELIVERY.c.id).limit(limit))
    if gemeente is not None:
        query = query.where(DELIVERY.c.gemeente == gemeente)
    return connection.execute(query).all()


def undistributed(connection: Connection, *, gemeente: str | None = None) -> int:
    """How many outbox messages (of one gemeente, or all) are not yet distributed over the channels: each may still
    become a delivery of any channel, so a channel's beheerder counts them as behind."""
    query = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == "wachtend")
    if gemeente is not None:
        query = query.where(OUTBOX.c.gemeente == gemeente)
    return connection.execute(query).scalar_one()


def channel_counts(connection: Connection, *, channel: str, gemeente: str | None = None) -> dict[str, int]:
    """{status: number of deliveries} over ``channel`` (of one gemeente, or all)."""
    query = select(DELIVERY.c.status, func.count()).where(DELIVERY.c.channel == channel).group_by(DELIVERY.c.status)
    if gemeente is not None:
        query = query.where(DELIVERY.c.gemeente == gemeente)
    return {status: count for status, count in connection.execute(query).all()}


def retry_failed(connection: Connection, *, channel: str, delivery_id: int | None = None,
                 challenge_id: str | None = None, now: datetime) -> int:
    """Put failed deliveries over ``channel`` (one by id, or all of a challenge, or all) back in the queue, due
    ``now`` with their attempts reset; the number put back."""
    where = [DELIVERY.c.channel == channel, DELIVERY.c.status == "mislukt"]
    if delivery_id is not None:
        where.append(DELIVERY.c.id == delivery_id)
    if challenge_id is not None:
        where.append(DELIVERY.c.outbox_id.in_(select(OUTBOX.c.id).where(OUTBOX.c.challenge_id == challenge_id)))
    result = connection.execute(update(DELIVERY).where(*where).values(status="wachtend", attempts=0,
                                                                       next_attempt_at=now))
    return result.rowcount
