"""The SQL of API keys (``api_key``) and status links (``status_link``): both kept only as the SHA-256 of their secret.

Making and checking the secrets, and who may have one, is the service's (r2c.service.access); this module reads
and writes the rows, on the connection or session of a transaction the caller opened.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from r2c.store.tables import ApiKeyRow, StatusLinkRow

KEY = ApiKeyRow.__table__
LINK = StatusLinkRow.__table__

_KEY_BY_HASH = select(KEY).where(KEY.c.secret_hash == bindparam("b_hash"), KEY.c.revoked_at.is_(None))


def insert_key(connection: Connection | Session, *, id: str, secret_hash: str, prefix: str, gemeente: str,
               rollen: Iterable[str], naam: str, created_at: datetime) -> None:
    """Store a new API key (its secret's hash, never the secret)."""
    connection.execute(insert(KEY).values(id=id, secret_hash=secret_hash, prefix=prefix, gemeente=gemeente,
                                          rollen=list(rollen), naam=naam, created_at=created_at))


def key_by_hash(connection: Connection | Session, secret_hash: str) -> Row | None:
    """The open (unrevoked) key whose secret has this hash, or None."""
    return connection.execute(_KEY_BY_HASH, {"b_hash": secret_hash}).one_or_none()


def keys(connection: Connection | Session, *, gemeente: str | None = None) -> list[Row]:
    """All keys (revoked ones too), oldest first, of one gemeente or all."""
    query = select(KEY).order_by(KEY.c.created_at, KEY.c.id)
    if gemeente is not None:
        query = query.where(KEY.c.gemeente == gemeente)
    return list(connection.execute(query))


def keys_named(connection: Connection | Session, id_or_prefix: str) -> list[Row]:
    """The keys whose id or prefix is ``id_or_prefix`` (one, when it is unambiguous)."""
    return connection.execute(select(KEY).where((KEY.c.id == id_or_prefix) | (KEY.c.prefix == id_or_prefix))).all()


def revoke_key(connection: Connection | Session, key_id: str, *, now: datetime) -> None:
    """Revoke the key ``key_id`` at ``now``: from then on it opens nothing."""
    connection.execute(update(KEY).where(KEY.c.id == key_id).values(revoked_at=now))


def key_by_id(connection: Connection | Session, key_id: str) -> Row:
    """The key ``key_id`` (revoked or not)."""
    return connection.execute(select(KEY).where(KEY.c.id == key_id)).one()


def insert_status_link(connection: Connection, *, challenge_id: str, token_hash: str, now: datetime) -> None:
    """Store a new status link of the challenge (its token's hash, never the token)."""
    connection.execute(insert(LINK).values(id=str(uuid.uuid4()), challenge_id=challenge_id, token_hash=token_hash,
                                           created_at=now))


def revoke_status_links(connection: Connection, *, challenge_id: str, now: datetime) -> int:
    """Revoke every open status link of the challenge; the number revoked."""
    return connection.execute(update(LINK).where(LINK.c.challenge_id == challenge_id, LINK.c.revoked_at.is_(None))
                              .values(revoked_at=now)).rowcount
