"""Local accounts of ambtenaren and their login sessions: create, list, block, set a password, verify a login with
lockout, and the server-side sessions (idle and absolute expiry) that remember who is logged in.

Only an argon2 hash of a password is kept (argon2-cffi). A wrong password, an unknown account and a blocked account
give the same ``LoginFailed`` message, and take about as long (an unknown account verifies a dummy hash). After
``pogingen`` wrong passwords in a row the account is locked for ``blokkade``; every login, failure, lockout and
logout is a ``login_event`` row (never a password). The SQL is r2c.store.accounts'.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row
from sqlalchemy.orm import Session

from r2c.clock import Clock
from r2c.errors import InvalidInput, NotFound, R2CError
from r2c.store import accounts as store
from r2c.store.unit import UnitOfWork

MIN_LENGTH = 12
COMMON = frozenset({
    "welkom123456", "welkom12345!", "wachtwoord123", "wachtwoord1234", "wachtwoord12345", "password1234",
    "password12345", "password123456", "123456789012", "1234567890123", "qwertyuiop12", "qwerty123456",
    "zomer2026zomer", "gemeente1234", "gemeente12345", "uitdaagrecht1", "uitdaagrecht123", "aaaaaaaaaaaa",
    "iloveyou1234", "administrator", "letmein12345", "welkomwelkom", "voetbal12345", "wachtwoordwachtwoord",
})
"""Passwords long enough but known to every attacker's list (compared in lower case)."""

FAILED = "Het e-mailadres of het wachtwoord klopt niet, of dit account mag niet inloggen."
"""The one message for a wrong password, an unknown account and a blocked account."""

_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("r2c-dummy-wachtwoord-voor-gelijke-tijd")
TOUCH_EVERY = timedelta(seconds=30)
"""How stale a session's last_seen may get before a request writes it again."""


class LoginFailed(R2CError):
    """A login that did not succeed; ``locked_until`` is set when the account is locked (the message says until
    when), else the message is ``FAILED``."""

    def __init__(self, message: str, *, locked_until: datetime | None = None):
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class Account:
    """A local account (never its password or hash).

    Attributes:
        id: stable id (the actor id in the history).
        email: the login name, lower case.
        naam: the name to show.
        gemeente: the gemeente this person works for.
        rollen: the roles of this person.
        must_change: whether the password is a one-time one, to change at the next login.
        blocked: whether a beheerder blocked the account.
        locked_until: until when the account is locked after too many wrong passwords, or None.
    """

    id: str
    email: str
    naam: str
    gemeente: str
    rollen: tuple[str, ...]
    must_change: bool
    blocked: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class LoginSession:
    """Who a session is: the fields of r2c.web.staff.Staff, and the session's CSRF token.

    Attributes:
        id, naam, email, gemeente, rollen, rol: as in ``Staff`` (rol: the role acted in now).
        csrf: the session's CSRF token.
        must_change: the password must be changed before any other page.
        created_at: when the login happened (absolute expiry counts from here).
    """

    id: str
    naam: str
    email: str
    gemeente: str
    rollen: tuple[str, ...]
    rol: str
    csrf: str
    must_change: bool = False
    created_at: datetime | None = None


def password_problem(password: str, *, email: str) -> str | None:
    """Why ``password`` is not good enough (Dutch), or None."""
    if len(password) < MIN_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens."
    lowered = password.strip().lower()
    local = email.lower().split("@")[0]
    if lowered == email.lower() or (len(local) >= 4 and local in lowered):
        return "Kies een wachtwoord waar uw e-mailadres niet in staat."
    if lowered in COMMON or len(set(lowered)) <= 2:
        return "Dit wachtwoord is te bekend of te eenvoudig; kies een ander."
    return None


def one_time_password() -> str:
    """A random password to hand out once (the holder must change it at the first login)."""
    return secrets.token_urlsafe(12)


def _hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _account(row: Row) -> Account:
    return Account(row.id, row.email, row.naam, row.gemeente, tuple(row.rollen), row.must_change, row.blocked,
                   row.locked_until)


class Accounts:
    """Local accounts, the login audit and the login sessions.

    Attributes:
        unit: the unit of work (r2c.store.unit) of the database the accounts are in: a driver error is a
            StorageError (a page then says the database cannot be reached), as everywhere.
        clock: the time of lockouts, audit rows and sessions.
        roles: per gemeente, the roles an account may carry (``Policy.key_roles(catalog)``).
        pogingen: wrong passwords in a row before a lockout.
        blokkade: how long a lockout lasts.
        inactief: a session unused this long has expired.
        maximaal: a session this old has expired, however busy.
    """

    def __init__(self, session_factory: Callable[[], Session], clock: Clock, *, roles: Mapping[str, Iterable[str]],
                 pogingen: int = 5, blokkade: timedelta = timedelta(minutes=15),
                 inactief: timedelta = timedelta(minutes=30), maximaal: timedelta = timedelta(hours=10)):
        self.unit = UnitOfWork(session_factory)
        self.clock = clock
        self.roles = {gemeente: tuple(names) for gemeente, names in roles.items()}
        self.pogingen = pogingen
        self.blokkade = blokkade
        self.inactief = inactief
        self.maximaal = maximaal

    # -- accounts ---------------------------------------------------------------------------------------------

    def check_roles(self, *, gemeente: str, rollen: Iterable[str]) -> tuple[str, ...]:
        """``rollen`` without repeats, or InvalidInput naming the known gemeenten or roles."""
        rollen = tuple(dict.fromkeys(rollen))
        allowed = self.roles.get(gemeente)
        problems: dict[str, str] = {}
        if allowed is None:
            problems["gemeente"] = f"onbekende gemeente '{gemeente}'; bekend: {', '.join(sorted(self.roles))}"
            allowed = tuple(sorted({r for names in self.roles.values() for r in names}))
        unknown = [r for r in rollen if r not in allowed]
        if unknown or not rollen:
            problems["rol"] = (f"onbekende rol {', '.join(map(repr, unknown))}; " if unknown else "geef een rol; ") \
                + f"kies uit {', '.join(allowed)}"
        if problems:
            raise InvalidInput("; ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)
        return rollen

    def create(self, *, gemeente: str, rollen: Iterable[str], email: str, naam: str | None = None,
               password: str | None = None, id: str | None = None) -> tuple[Account, str | None]:
        """A new account; without ``password`` a one-time password is made and returned (to change at first login).
        ``id``: the actor id it acts under (default: a new UUID)."""
        rollen = self.check_roles(gemeente=gemeente, rollen=rollen)
        email = email.strip().lower()
        if "@" not in email or len(email) > 254 or " " in email:
            raise InvalidInput(f"email: '{email}' is geen e-mailadres", fields={"email": "geen e-mailadres"})
        naam = (naam or email.split("@")[0]).strip()[:200]
        issued = None
        if password is None:
            issued = password = one_time_password()
        elif (problem := password_problem(password, email=email)) is not None:
            raise InvalidInput(f"wachtwoord: {problem}", fields={"wachtwoord": problem})
        account_id = id or str(uuid.uuid4())
        with self.unit.write() as connection:
            if store.account_by_email(connection, email) is not None:
                raise InvalidInput(f"email: er is al een account met {email}", fields={"email": "bestaat al"})
            store.insert_account(connection, id=account_id, email=email, naam=naam, gemeente=gemeente, rollen=rollen,
                                 password_hash=_HASHER.hash(password), must_change=issued is not None,
                                 created_at=self.clock.now())
            return _account(store.account_by_email(connection, email)), issued

    def list(self, *, gemeente: str | None = None) -> list[Account]:
        """All accounts of one gemeente or all, by gemeente and e-mail."""
        with self.unit.read() as connection:
            return [_account(row) for row in store.accounts(connection, gemeente=gemeente)]

    def get(self, email: str) -> Account:
        """The account with this e-mail address, or NotFound."""
        with self.unit.read() as connection:
            row = store.account_by_email(connection, email.strip().lower())
        if row is None:
            raise NotFound(f"geen account met e-mailadres '{email}'; `r2c gebruikers list` toont ze")
        return _account(row)

    def block(self, email: str) -> Account:
        """Block an account: it cannot log in any more and its sessions end."""
        account = self.get(email)
        with self.unit.write() as connection:
            store.update_account(connection, account.id, blocked=True)
            store.delete_sessions_of(connection, account.id)
        return replace(account, blocked=True)

    def set_password(self, email: str, password: str | None = None, *, must_change: bool | None = None) -> str | None:
        """A new password (checked against the policy) or, without one, a one-time password that is returned; the
        lockout is lifted. ``must_change`` defaults to: only for a one-time password."""
        account = self.get(email)
        issued = None
        if password is None:
            issued = password = one_time_password()
        elif (problem := password_problem(password, email=account.email)) is not None:
            raise InvalidInput(f"wachtwoord: {problem}", fields={"wachtwoord": problem})
        with self.unit.write() as connection:
            store.update_account(connection, account.id, password_hash=_HASHER.hash(password),
                                 must_change=issued is not None if must_change is None else must_change,
                                 failed=0, locked_until=None)
        return issued

    def verify(self, email: str, password: str, *, address: str | None = None) -> Account:
        """The account when ``password`` is right and it may log in; else LoginFailed (one message for a wrong
        password, an unknown and a blocked account; a lockout says until when). Every attempt is audited."""
        # a NUL cannot be stored (PostgreSQL text) nor be in an account's address: audited as U+FFFD, never matches
        email = email.strip().lower()[:254].replace("\x00", "\ufffd")
        now = self.clock.now()
        with self.unit.write() as connection:  # the audit row commits also when the login fails
            refusal = self._attempt(connection, email, password, address=address, now=now)
        if isinstance(refusal, LoginFailed):
            raise refusal
        return refusal

    def _attempt(self, connection, email: str, password: str, *, address: str | None,
                 now: datetime) -> Account | LoginFailed:
        row = store.account_by_email(connection, email)

        def event(kind: str) -> None:
            store.insert_event(connection, at=now, kind=kind, email=email, account_id=row and row.id, address=address)

        if row is None:  # behaves like an account that exists: locked after the same number of failures
            _matches(_DUMMY, password)
            until = self._replayed_lock(store.failure_times(connection, email, since=now - timedelta(days=1)), now)
            event("mislukt")
            return LoginFailed(FAILED) if until is None else LoginFailed(locked_message(until, now),
                                                                         locked_until=until)
        if row.locked_until is not None and row.locked_until > now:
            event("mislukt")
            return LoginFailed(locked_message(row.locked_until, now), locked_until=row.locked_until)
        right = _matches(row.password_hash or _DUMMY, password) and row.password_hash is not None
        if right and not row.blocked:
            store.update_account(connection, row.id, failed=0, locked_until=None)
            event("inloggen")
            return _account(row)
        event("mislukt")
        if row.blocked:
            return LoginFailed(FAILED)
        if row.failed + 1 < self.pogingen:
            store.update_account(connection, row.id, failed=row.failed + 1)
            return LoginFailed(FAILED)
        until = now + self.blokkade
        store.update_account(connection, row.id, failed=0, locked_until=until)
        event("vergrendeld")
        return LoginFailed(locked_message(until, now), locked_until=until)

    def _replayed_lock(self, failures: list[datetime], now: datetime) -> datetime | None:
        """Until when an account with these earlier failures (and one more now) would be locked, or None."""
        failed, locked = 0, None
        for moment in [*failures, now]:
            if locked is not None and locked > moment:
                continue
            failed += 1
            if failed >= self.pogingen:
                failed, locked = 0, moment + self.blokkade
        return locked if locked is not None and locked > now else None

    def audit(self, kind: str, *, email: str, account_id: str | None, address: str | None) -> None:
        """Record a login event that happened elsewhere (an OpenID Connect login or its refusal, a logout)."""
        with self.unit.write() as connection:
            store.insert_event(connection, at=self.clock.now(), kind=kind, email=email.lower()[:254],
                               account_id=account_id, address=address)

    def events(self, *, email: str | None = None) -> list[Row]:
        """The login audit, oldest first (time, kind, account, e-mail, address)."""
        with self.unit.read() as connection:
            return store.events(connection, email=email.lower() if email else None)

    # -- sessions ---------------------------------------------------------------------------------------------

    def open_session(self, who: LoginSession) -> tuple[str, LoginSession]:
        """A new session for ``who``: its secret id (for the cookie only) and the session with its CSRF token."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock.now()
        who = replace(who, csrf=secrets.token_urlsafe(32), created_at=now)
        with self.unit.write() as connection:
            # every login also clears the expired sessions of others, so the table needs no job of its own
            store.delete_sessions_idle_since(connection, now - max(self.inactief, timedelta(minutes=10)))
            store.insert_session(connection, id_hash=_hash_id(session_id), staff=_staff_json(who),
                                 pending=None, csrf=who.csrf, now=now)
        return session_id, who

    def session(self, session_id: str | None) -> LoginSession | None:
        """Who the session is, or None when there is none or it expired (idle or absolute; then it is deleted).

        The moment it was last seen is written only when it is ``TOUCH_EVERY`` old, so a page view is a read, not
        a write, for someone clicking through the werkvoorraad; the idle expiry is exact to within that time."""
        if not session_id or len(session_id) > 100:
            return None
        id_hash = _hash_id(session_id)
        now = self.clock.now()
        with self.unit.write() as connection:
            row = store.session_by_hash(connection, id_hash)
            if row is None or row.staff is None:
                return None
            if now - row.last_seen > self.inactief or now - row.created_at > self.maximaal:
                store.delete_session(connection, id_hash)
                return None
            if now - row.last_seen >= TOUCH_EVERY:  # a busy user's pages write the session at most twice a minute
                store.touch_session(connection, id_hash, now=now)
            return _from_json(row.staff, row.csrf, row.created_at)

    def switch_role(self, session_id: str, rol: str) -> LoginSession:
        """Act in another of one's roles from now on (InvalidInput when it is not one of them)."""
        who = self.session(session_id)
        if who is None:
            raise NotFound("de sessie is verlopen")
        if rol not in who.rollen:
            raise InvalidInput(f"rol: kies uit {', '.join(who.rollen)}", fields={"rol": "niet een van uw rollen"})
        who = replace(who, rol=rol)
        with self.unit.write() as connection:
            store.update_session(connection, _hash_id(session_id), staff=_staff_json(who))
        return who

    def password_changed(self, session_id: str, email: str, password: str) -> LoginSession:
        """Change the password of the session's account (policy checked) and clear ``must_change`` in the session."""
        self.set_password(email, password, must_change=False)
        who = self.session(session_id)
        if who is None:
            raise NotFound("de sessie is verlopen")
        who = replace(who, must_change=False)
        with self.unit.write() as connection:
            store.update_session(connection, _hash_id(session_id), staff=_staff_json(who))
        return who

    def close_session(self, session_id: str | None, *, address: str | None = None) -> None:
        """Log out: the session is deleted and the logout audited."""
        if not session_id:
            return
        id_hash = _hash_id(session_id)
        with self.unit.write() as connection:
            row = store.session_by_hash(connection, id_hash)
            if row is None:
                return
            store.delete_session(connection, id_hash)
            if row.staff:
                store.insert_event(connection, at=self.clock.now(), kind="uitloggen", email=row.staff["email"],
                                   account_id=row.staff["id"], address=address)

    def open_pending(self, data: Mapping[str, str]) -> str:
        """A login under way elsewhere (OpenID Connect: state, nonce, verifier, where to go after): its secret id."""
        pending_id = secrets.token_urlsafe(32)
        with self.unit.write() as connection:
            store.insert_session(connection, id_hash=_hash_id(pending_id), staff=None, pending=dict(data),
                                 csrf="-", now=self.clock.now())
        return pending_id

    def take_pending(self, pending_id: str | None) -> dict | None:
        """The data of a login under way (once: it is deleted), or None when unknown or older than 10 minutes."""
        if not pending_id or len(pending_id) > 100:
            return None
        id_hash = _hash_id(pending_id)
        with self.unit.write() as connection:
            row = store.session_by_hash(connection, id_hash)
            if row is None or row.pending is None:
                return None
            store.delete_session(connection, id_hash)
            if self.clock.now() - row.created_at > timedelta(minutes=10):
                return None
            return dict(row.pending)


def locked_message(until: datetime, now: datetime) -> str:
    """The message of a locked account: how long to wait."""
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (f"U heeft te vaak een verkeerd wachtwoord gegeven. Uw account is {minutes} minuten vergrendeld. "
            "Probeer het daarna opnieuw, of vraag de beheerder om een nieuw wachtwoord.")


def _matches(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _staff_json(who: LoginSession) -> dict:
    return {"id": who.id, "naam": who.naam, "email": who.email, "gemeente": who.gemeente, "rollen": list(who.rollen),
            "rol": who.rol, "must_change": who.must_change}


def _from_json(data: dict, csrf: str, created_at: datetime) -> LoginSession:
    return LoginSession(data["id"], data["naam"], data["email"], data["gemeente"], tuple(data["rollen"]), data["rol"],
                        csrf, bool(data.get("must_change")), created_at)
