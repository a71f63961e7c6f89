"""The SQL of logging in: local accounts (``account``), the login audit (``login_event``) and the server-side
sessions (``staff_session``, kept by the SHA-256 of their cookie's id).

Passwords, lockout and session expiry are the service's (r2c.service.accounts); this module reads and writes the
rows, on the connection of a transaction the caller opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from r2c.store.tables import AccountRow, LoginEventRow, StaffSessionRow

ACCOUNT = AccountRow.__table__
EVENT = LoginEventRow.__table__
SESSION = StaffSessionRow.__table__

_BY_EMAIL = select(ACCOUNT).where(ACCOUNT.c.email == bindparam("b_email"))
_SESSION = select(SESSION).where(SESSION.c.id_hash == bindparam("b_hash"))
_TOUCH = update(SESSION).where(SESSION.c.id_hash == bindparam("b_hash")).values(last_seen=bindparam("b_now"))


def insert_account(connection: Connection, *, id: str, email: str, naam: str, gemeente: str, rollen: Iterable[str],
                   password_hash: str | None, must_change: bool, created_at: datetime) -> None:
    """Store a new account (a hash of its password, never the password)."""
    connection.execute(insert(ACCOUNT).values(id=id, email=email, naam=naam, gemeente=gemeente, rollen=list(rollen),
                                              password_hash=password_hash, must_change=must_change, blocked=False,
                                              failed=0, locked_until=None, created_at=created_at))


def account_by_email(connection: Connection, email: str) -> Row | None:
    """The account with this (lower-case) e-mail address, or None."""
    return connection.execute(_BY_EMAIL, {"b_email": email}).one_or_none()


def accounts(connection: Connection, *, gemeente: str | None = None) -> list[Row]:
    """All accounts, by gemeente and e-mail, of one gemeente or all."""
    query = select(ACCOUNT).order_by(ACCOUNT.c.gemeente, ACCOUNT.c.email)
    if gemeente is not None:
        query = query.where(ACCOUNT.c.gemeente == gemeente)
    return list(connection.execute(query))


def update_account(connection: Connection, account_id: str, **values: Any) -> None:
    """Change columns of one account (password_hash, must_change, blocked, failed, locked_until, rollen)."""
    connection.execute(update(ACCOUNT).where(ACCOUNT.c.id == account_id).values(**values))


def insert_event(connection: Connection, *, at: datetime, kind: str, email: str, account_id: str | None,
                 address: str | None) -> None:
    """Record one login, failure, lockout or logout."""
    connection.execute(insert(EVENT).values(at=at, kind=kind, email=email, account_id=account_id,
                                            address=(address or None) and address[:64]))


def events(connection: Connection, *, email: str | None = None) -> list[Row]:
    """The login audit, oldest first, of one e-mail address or all."""
    query = select(EVENT).order_by(EVENT.c.id)
    if email is not None:
        query = query.where(EVENT.c.email == email)
    return list(connection.execute(query))


def failure_times(connection: Connection, email: str, *, since: datetime) -> list[datetime]:
    """When logins failed for an e-mail address that has no account, since ``since``, oldest first."""
    query = (select(EVENT.c.at).where(EVENT.c.email == email, EVENT.c.kind == "mislukt", EVENT.c.account_id.is_(None),
                                      EVENT.c.at >= since).order_by(EVENT.c.id).limit(500))
    return list(connection.execute(query).scalars())


def insert_session(connection: Connection, *, id_hash: str, staff: dict | None, pending: dict | None, csrf: str,
                   now: datetime) -> None:
    """Store a new session."""
    connection.execute(insert(SESSION).values(id_hash=id_hash, staff=staff, pending=pending, csrf=csrf,
                                              created_at=now, last_seen=now))


def session_by_hash(connection: Connection, id_hash: str) -> Row | None:
    """The session whose id has this hash, or None."""
    return connection.execute(_SESSION, {"b_hash": id_hash}).one_or_none()


def touch_session(connection: Connection, id_hash: str, *, now: datetime) -> None:
    """Mark the session as used at ``now`` (its idle time starts again)."""
    connection.execute(_TOUCH, {"b_hash": id_hash, "b_now": now})


def update_session(connection: Connection, id_hash: str, *, staff: dict) -> None:
    """Replace who the session is (the role they act in)."""
    connection.execute(update(SESSION).where(SESSION.c.id_hash == id_hash).values(staff=staff))


def delete_session(connection: Connection, id_hash: str) -> None:
    """Forget one session (logout, expiry)."""
    connection.execute(delete(SESSION).where(SESSION.c.id_hash == id_hash))


def delete_sessions_idle_since(connection: Connection, cutoff: datetime) -> int:
    """Forget every session (and login under way) not used since ``cutoff``; how many."""
    return connection.execute(delete(SESSION).where(SESSION.c.last_seen < cutoff)).rowcount


def delete_sessions_of(connection: Connection, staff_id: str) -> None:
    """Forget every session of one person (blocked, password changed by a beheerder)."""
    for row in connection.execute(select(SESSION.c.id_hash, SESSION.c.staff).where(SESSION.c.staff.is_not(None))):
        if (row.staff or {}).get("id") == staff_id:
            delete_session(connection, row.id_hash)
