"""The error hierarchy of r2c.

Every error a user can cause is an ``R2CError``: the CLI and (later) the API turn it into a clear message
instead of a traceback. Messages for people are Dutch; the class names are the English mechanics.
"""

from __future__ import annotations

from dataclasses import dataclass


class R2CError(Exception):
    """Base class of every error r2c raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a definition file.

    Attributes:
        file: the file the problem is in (as given to the loader).
        line: 1-based line number, or 0 when the whole file is meant.
        key: dotted path of the key concerned (``transities.afwijzen.naar``), empty for the file itself.
        message: what is wrong, in Dutch.
    """

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" [{self.key}]" if self.key else ""
        return f"{where}:{key} {self.message}"


class DefinitionError(R2CError):
    """One or more problems in workflow definition files; all of them, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.key, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class TermijnError(R2CError):
    """A term (termijn) that cannot be computed: bad duration, bad dates, a year without calendar data."""


class EngineError(R2CError):
    """Base class of errors when firing an event on a challenge."""


class UnknownEvent(EngineError):
    """The event does not exist in this workflow at all."""


class EventNotAllowed(EngineError):
    """The event exists but may not be fired now, or not by this role.

    Attributes:
        state: the current state of the challenge.
        allowed: the events the actor's role may fire now.
    """

    def __init__(self, message: str, *, state: str, allowed: list[str]):
        self.state = state
        self.allowed = allowed
        super().__init__(message)


class GuardFailed(EventNotAllowed):
    """The event may be fired by this role in this state, but a condition of the verordening is not met.

    Attributes:
        reasons: one Dutch sentence per unmet condition.
    """

    def __init__(self, message: str, *, state: str, allowed: list[str], reasons: list[str]):
        self.reasons = reasons
        super().__init__(message, state=state, allowed=allowed)


class InvalidEventData(EngineError):
    """The data sent with an event does not match what the definition asks for.

    Attributes:
        fields: field name -> what is wrong with it.
    """

    def __init__(self, message: str, *, fields: dict[str, str]):
        self.fields = fields
        super().__init__(message)


class MigrationError(EngineError):
    """A running challenge cannot be moved to another definition version as asked."""


class ConfigError(R2CError):
    """A setting, or what it points at, is wrong, so r2c cannot start: one Dutch line naming the setting and what
    to do (the ``r2c`` command exits with code 2)."""


class StorageError(R2CError):
    """The database or document storage cannot be used."""


class DatabaseUnreachable(StorageError, ConfigError):
    """The database of ``R2C_DATABASE_URL`` does not answer (or refuses the login)."""


class DatabaseBehind(StorageError, ConfigError):
    """The database schema is not the one this version of r2c expects; ``r2c db upgrade`` brings it there."""


class ServiceError(R2CError):
    """Base class of errors of the challenge service that are not about firing itself."""


class NotFound(ServiceError):
    """No such challenge (or document) for this caller: also what another gemeente's challenge looks like."""


class UnknownGemeente(ServiceError):
    """The gemeente has no workflow definition."""


class AccessDenied(ServiceError):
    """The actor is unknown to this gemeente's definition, or may not do this."""


class InvalidInput(ServiceError):
    """Input to the service (not event data) is missing, too long or of the wrong type.

    Attributes:
        fields: field name -> what is wrong with it.
    """

    def __init__(self, message: str, *, fields: dict[str, str]):
        self.fields = fields
        super().__init__(message)


class Conflict(ServiceError):
    """The challenge changed since the caller read it (a stale expected_version).

    Attributes:
        expected: the version the caller expected (None when the caller gave none).
        current: the version the challenge has now (None when another writer got in between unseen).
        state: the state it is in now (None when unknown).
        changes: one Dutch line per change since ``expected``.
    """

    def __init__(self, message: str, *, expected: int | None = None, current: int | None = None,
                 state: str | None = None, changes: list[str] | None = None):
        self.expected = expected
        self.current = current
        self.state = state
        self.changes = changes or []
        super().__init__(message)


class AlreadySubmitted(ServiceError):
    """The form with this submission key was sent before: it made ``challenge_id`` (``kenmerk``); nothing new was
    made."""

    def __init__(self, message: str, *, challenge_id: str, kenmerk: str):
        super().__init__(message)
        self.challenge_id = challenge_id
        self.kenmerk = kenmerk
