"""The kenmerk: the number people read and quote (``UD-2026-0042``), per gemeente and year, without gaps.

``next_kenmerk`` raises the counter row of (gemeente, jaar) with one ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` on the connection of the submit's transaction (SQLite >= 3.35 and PostgreSQL both have it):

- a submission that rolls back rolls its number back too, so the numbers have no gaps;
- on PostgreSQL the updated row stays locked until the transaction ends, so concurrent submitters of one gemeente
  and year queue on it (other gemeenten do not wait); SQLite writers are already one at a time (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from r2c.store.tables import KenmerkTellerRow

COUNTER = KenmerkTellerRow.__table__


def _raise(dialect: Any) -> Any:
    statement = dialect.insert(COUNTER).values(gemeente=bindparam("b_gemeente"), jaar=bindparam("b_jaar"), laatste=1)
    return statement.on_conflict_do_update(
        index_elements=[COUNTER.c.gemeente, COUNTER.c.jaar],
        set_={"laatste": COUNTER.c.laatste + 1}).returning(COUNTER.c.laatste)


_RAISE = {"postgresql": _raise(postgresql), "sqlite": _raise(sqlite)}
"""Built once per dialect: the same statement, each dialect's spelling of the upsert."""


def next_number(connection: Connection, *, gemeente: str, jaar: int) -> int:
    """The next number of the gemeente in ``jaar`` (1 for the first), taken within the caller's transaction."""
    return connection.execute(_RAISE[connection.dialect.name], {"b_gemeente": gemeente, "b_jaar": jaar}).scalar_one()


def next_kenmerk(connection: Connection, *, formaat: str, gemeente: str, jaar: int) -> str:
    """The next kenmerk of the gemeente in ``jaar``, written in ``formaat`` (R2C_KENMERK_FORMAAT)."""
    return formaat.format(jaar=jaar, nummer=next_number(connection, gemeente=gemeente, jaar=jaar), gemeente=gemeente)
