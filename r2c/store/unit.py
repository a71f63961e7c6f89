"""The unit of work: r2c's transactions, the one way every package opens one.

A write is one transaction (a savepoint inside a host's transaction when the unit of work is ``joined``); a
constraint broken by a concurrent writer becomes ``Conflict``, any other driver error ``StorageError`` (or
``InvalidInput`` for a value the database cannot hold), with neither the SQL nor its parameters in the message:
they may hold personal data. Reads run in a read transaction on the read sessions (a replica, when configured).

The service, the scheduler's jobs, privacy, the calendar feed, the letters, the API keys, the accounts and login
sessions and the API factory all open their transactions here (docs/architecture.md, "Layers").
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from r2c.errors import Conflict, InvalidInput, R2CError, StorageError

CONCURRENT = ("de uitdaging is tegelijk door iemand anders gewijzigd; er is niets vastgelegd, lees haar opnieuw en "
              "probeer het nog eens")


def database_error(error: DBAPIError, consequence: str) -> R2CError:
    """A driver error as an r2c error, without the SQL statement or its parameters (they may hold personal data)."""
    if isinstance(error, DataError):
        return InvalidInput(f"een waarde past niet in de database ({consequence}); controleer op vreemde tekens",
                            fields={})
    reason = str(error.orig).splitlines()[0] if error.orig is not None else type(error).__name__
    return StorageError(f"de database weigerde ({consequence}): {reason}")


class UnitOfWork:
    """Opens r2c's transactions: ``write()`` and ``read()`` yield a Connection for Core statements.

    Attributes:
        sessions: the session factory for writes.
        read_sessions: the session factory for reads (the write factory unless a replica is configured).
        host: the host's session when joined (r2c then writes in a savepoint of the host's transaction).
    """

    def __init__(self, sessions: Callable[[], Session], read_sessions: Callable[[], Session] | None = None):
        self.sessions = sessions
        self.read_sessions = read_sessions or sessions
        self.host: Session | None = None

    def joined(self, host: Session | Connection) -> UnitOfWork:
        """The same unit of work inside the host's session or connection (its transaction; writes in a savepoint)."""
        other = copy.copy(self)
        other.host = host if isinstance(host, Session) else Session(
            bind=host, join_transaction_mode="create_savepoint", expire_on_commit=False)
        return other

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction; everything in it commits together or not at all (errors mapped, see the module)."""
        with self.session() as session:
            yield session.connection()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """``write()`` as the ORM session, for work that nests savepoints (``session.begin_nested()``) and runs
        the service inside them (``service.joined(session)``), as the planner does per term."""
        try:
            if self.host is not None:
                with self.host.begin_nested():
                    yield self.host
                return
            with self.sessions() as session, session.begin():
                yield session
        except IntegrityError:
            # Only a writer that got in between (same history seq or outbox key) can break a constraint here.
            raise Conflict(CONCURRENT) from None
        except DBAPIError as error:
            raise database_error(error, "er is niets vastgelegd") from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction: a consistent picture for everything read in it."""
        if self.host is not None:
            yield self.host.connection()
            return
        try:
            with self.read_sessions() as session, session.begin():
                yield session.connection()
        except DBAPIError as error:
            raise database_error(error, "er is niets gelezen") from None
