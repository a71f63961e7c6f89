"""Rows that must be written once: outbox messages and deliveries carry an ``idempotency_key``, unique in the table.

A job that runs twice (a retry, two workers, a restart) writes the same keys again; the second time nothing is
added. This is what makes reminders and deliveries exactly-once (docs/notifications.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def insert_once(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert rows whose ``idempotency_key`` is new; a key already there is left alone (a job run twice)."""
    if not rows:
        return 0
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(table.c.id))
    return len(connection.execute(statement, rows).all())  # (executemany's rowcount is -1 on psycopg)
