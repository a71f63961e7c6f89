"""Secrets that open r2c over HTTP: API keys for staff and systems, status links for initiatiefnemers.

Both are random tokens shown once; the database keeps only their SHA-256, so a copy of the database opens
nothing. An API key is bound to one gemeente and one or more roles; a status link to one challenge, and shows
the initiatiefnemer only their own challenge. Both can be revoked. Tokens carry 256 random bits, so a plain
(unsalted) SHA-256 is safe to store: there is nothing to guess from it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from r2c.clock import Clock
from r2c.errors import InvalidInput, NotFound
from r2c.store.keys import insert_key, insert_status_link, key_by_hash, key_by_id, keys, keys_named, revoke_key
from r2c.store.unit import UnitOfWork


def token_hash(secret: str) -> str:
    """The SHA-256 (hex) under which a key or link is kept."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret(kind: str) -> str:
    """A new random secret with a readable kind prefix ('r2c_key_...', 'r2c_st_...')."""
    return f"r2c_{kind}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class ApiKey:
    """An API key as r2c keeps it (never the secret).

    Attributes:
        id: the key's id (for revoking); prefix: the first characters of the secret, to recognise it.
        gemeente: the gemeente it works for; rollen: the roles it may act in (first is the default).
        naam: who or what holds it; also the actor id recorded in the history.
        created_at, revoked_at: UTC moments.
    """

    id: str
    prefix: str
    gemeente: str
    rollen: tuple[str, ...]
    naam: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its secret; the secret is shown this once and never again."""

    key: ApiKey
    secret: str


def _key(row) -> ApiKey:
    return ApiKey(row.id, row.prefix, row.gemeente, tuple(row.rollen), row.naam, row.created_at, row.revoked_at)


class KeyStore:
    """Create, verify, list and revoke API keys.

    Attributes:
        unit: the unit of work (r2c.store.unit) of the database the keys are in: a driver error is a
            StorageError, as everywhere.
        clock: the time keys are created and revoked.
        roles: per gemeente, the roles a key may carry (``Policy.key_roles(catalog)``: the definition's roles and
            the read-only ones; the initiatiefnemer uses the status link, not a key); only these gemeenten get keys.
    """

    def __init__(self, session_factory: Callable[[], Session], clock: Clock, *,
                 roles: Mapping[str, Iterable[str]]):
        self.unit = UnitOfWork(session_factory)
        self.clock = clock
        self.roles = {gemeente: tuple(names) for gemeente, names in roles.items()}

    def create(self, *, gemeente: str, rollen: Iterable[str], naam: str) -> IssuedKey:
        """A new key for ``gemeente`` and ``rollen``; its secret is in the result only."""
        rollen = tuple(dict.fromkeys(rollen))
        problems: dict[str, str] = {}
        allowed = self.roles.get(gemeente)
        if allowed is None:  # the roles are checked against those of any gemeente, so both mistakes are named
            problems["gemeente"] = f"onbekende gemeente '{gemeente}'; bekend: {', '.join(sorted(self.roles))}"
            allowed = tuple(sorted({r for names in self.roles.values() for r in names}))
        unknown = [r for r in rollen if r not in allowed]
        if unknown or not rollen:
            problems["rol"] = (f"onbekende rol {', '.join(map(repr, unknown))}; " if unknown else "geef een rol; ") \
                + f"kies uit {', '.join(allowed)}"
        if not naam.strip() or len(naam) > 200:
            problems["naam"] = "geef een naam van 1 tot 200 tekens (wie of wat de sleutel gebruikt)"
        if problems:
            raise InvalidInput("; ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)
        secret = new_secret("key")
        key = ApiKey(str(uuid.uuid4()), secret[:16], gemeente, rollen, naam.strip(), self.clock.now(), None)
        with self.unit.write() as connection:
            insert_key(connection, id=key.id, secret_hash=token_hash(secret), prefix=key.prefix, gemeente=key.gemeente,
                       rollen=key.rollen, naam=key.naam, created_at=key.created_at)
        return IssuedKey(key, secret)

    def verify(self, secret: str) -> ApiKey | None:
        """The key behind ``secret``, or None when it is unknown or revoked."""
        with self.unit.read() as connection:
            row = key_by_hash(connection, token_hash(secret))
        return None if row is None else _key(row)

    def list(self, *, gemeente: str | None = None) -> list[ApiKey]:
        """All keys (revoked ones too), oldest first, of one gemeente or all."""
        with self.unit.read() as connection:
            return [_key(row) for row in keys(connection, gemeente=gemeente)]

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key by id or prefix: from now on it opens nothing."""
        with self.unit.write() as connection:
            rows = keys_named(connection, key_id)
            if len(rows) != 1:
                raise NotFound(f"geen (eenduidige) sleutel '{key_id}'; `r2c keys list` toont ze")
            if rows[0].revoked_at is None:
                revoke_key(connection, rows[0].id, now=self.clock.now())
            return _key(key_by_id(connection, rows[0].id))


# -- status links (used by ChallengeService inside its own transactions) -------------------------------------

def add_status_link(connection: Connection, *, challenge_id: str, now: datetime) -> str:
    """A new status link token for the challenge (written on ``connection``); returned once."""
    token = new_secret("st")
    insert_status_link(connection, challenge_id=challenge_id, token_hash=token_hash(token), now=now)
    return token
