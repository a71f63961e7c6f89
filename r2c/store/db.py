"""Connecting to the database: SQLite (WAL, foreign keys, full sync) by default, PostgreSQL by URL.

SQLite's Python driver opens transactions lazily and breaks SAVEPOINT; r2c's engine takes over BEGIN itself
(the recipe in the SQLAlchemy SQLite dialect docs) so that a host's transaction can be joined with a savepoint,
and write transactions start with BEGIN IMMEDIATE so that two writers queue instead of failing halfway.

A pooled PostgreSQL connection is checked before use only when it lay unused for ``PING_AFTER_IDLE`` seconds (the
connection a server restart, a firewall or an idle timeout may have closed meanwhile): SQLAlchemy's
``pool_pre_ping`` would check it on every checkout, a round trip that cost about 0.8 ms of CPU, two thirds of a
read's overhead, on every page view (docs/performance.md, "Werkvoorraad"). A connection found dead is replaced
before the request gets it; one that dies while in use fails that request, and SQLAlchemy then renews the pool.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from r2c.errors import ConfigError, DatabaseBehind, DatabaseUnreachable, StorageError
from r2c.settings import EXAMPLES, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE = "r2c_write"
_HOLDS_LOCK = "r2c_holds_writer_lock"
BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the one before it (this process's queue, then SQLite's busy handler)."""


SUPPORTED = ("sqlite", "postgresql")
"""The kinds of database r2c runs on (docs/storage.md)."""


POOL_SIZE = 20
"""Connections a process keeps open by default (``R2C_DATABASE_POOL``); up to POOL_OVERFLOW more at a peak."""
POOL_OVERFLOW = 10


def make_engine(url: str, *, pool_size: int = POOL_SIZE) -> Engine:
    """An engine for ``url`` with r2c's connection settings applied; a URL r2c cannot use is a ConfigError that
    says what to write or install (``R2C_DATABASE_URL``), without the password. Statement parameters never
    appear in SQLAlchemy's errors and logs (``hide_parameters``): they may hold personal data."""
    example = f"schrijf bv. R2C_DATABASE_URL={EXAMPLES['database_url']}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"R2C_DATABASE_URL is geen database-URL; {example}") from None
    kind = parsed.get_backend_name()
    if kind not in SUPPORTED:
        raise ConfigError(f"R2C_DATABASE_URL: database '{kind}' wordt niet ondersteund, alleen SQLite en "
                          f"PostgreSQL; {example}")
    try:
        if kind == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False},
                                   hide_parameters=True, pool_size=pool_size, max_overflow=POOL_OVERFLOW)
            _sqlite_settings(engine)
            return engine
        # as many kept connections as requests the server runs at once: a request beyond the pool would open and
        # close a connection of its own (a new server process on PostgreSQL, several ms of CPU)
        engine = create_engine(parsed, hide_parameters=True, pool_size=pool_size, max_overflow=POOL_OVERFLOW)
        _ping_when_idle(engine)
        return engine
    except NoSuchModuleError:
        raise ConfigError(f"R2C_DATABASE_URL: onbekend stuurprogramma '{parsed.get_driver_name()}' voor {kind}; "
                          "schrijf postgresql+psycopg://gebruiker@host/database") from None
    except ModuleNotFoundError as error:
        if error.name == "psycopg":
            raise ConfigError("R2C_DATABASE_URL wijst naar PostgreSQL, maar het stuurprogramma psycopg is niet "
                              "geïnstalleerd: installeer r2c[postgres] (pip install 'r2c[postgres]')") from None
        raise ConfigError(f"R2C_DATABASE_URL: het stuurprogramma {error.name} is niet geïnstalleerd; r2c gebruikt "
                          "psycopg 3: schrijf postgresql+psycopg://... en installeer r2c[postgres]") from None


PING_AFTER_IDLE = 10.0
"""Seconds a pooled connection may lie unused before it is checked at checkout (a round trip)."""
_IDLE_SINCE = "r2c_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection at checkout when it lay unused for PING_AFTER_IDLE seconds; a dead one makes the
    pool connect anew (``DisconnectionError``: SQLAlchemy's recipe for custom pessimistic disconnect handling).
    Monotonic process time, not r2c's clock: this measures the connection, not a term."""

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or in use a moment ago
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001 - any failure: the connection is not usable
            raise DisconnectionError(f"pooled connection unusable after idling: {type(error).__name__}") from error


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # r2c emits BEGIN itself (see module docstring)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", f"busy_timeout={BUSY_TIMEOUT_MS}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    # Writers of this process queue on a lock before BEGIN IMMEDIATE: SQLite's own busy handler retries after
    # growing sleeps, so a waiting writer can be overtaken again and again (a p99 of seconds under load, see
    # docs/performance.md). Writers in other processes still meet the busy handler. Whatever ends the transaction
    # frees the lock, in whichever thread: commit, rollback, and also the pool taking back a connection whose
    # session was dropped without closing (garbage-collected; no rollback event then) or invalidating it. A writer
    # that waits longer than SQLite's busy timeout gets SQLite's own "database is locked", never a wait for ever.
    writers = threading.Lock()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        if not connection.get_execution_options().get(_WRITE, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
        connection.info[_HOLDS_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info) -> None:
        if info is not None and info.pop(_HOLDS_LOCK, False):
            writers.release()

    event.listen(engine, "commit", lambda connection: _release(connection.info))
    event.listen(engine, "rollback", lambda connection: _release(connection.info))
    event.listen(engine, "checkin", lambda _dbapi, record: _release(record.info if record else None))
    event.listen(engine, "invalidate", lambda _dbapi, record, _error: _release(record.info))


@dataclass(frozen=True)
class Database:
    """An engine with a session factory for writes and one for reads.

    Attributes:
        url: the database URL (shown in messages without its password).
        engine: the SQLAlchemy engine.
        sessions: sessions for changes (on SQLite: BEGIN IMMEDIATE, so writers queue).
        read_sessions: sessions for queries.
    """

    url: str
    engine: Engine
    sessions: Callable[[], Session]
    read_sessions: Callable[[], Session]

    @classmethod
    def connect(cls, url: str | None = None, *, pool_size: int = POOL_SIZE) -> Database:
        """The database at ``url`` (default: ``R2C_DATABASE_URL`` or ``./r2c.db``), keeping up to ``pool_size``
        connections open."""
        url = url or load_settings().database_url
        engine = make_engine(url, pool_size=pool_size)
        writes = sessionmaker(bind=engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        reads = sessionmaker(bind=engine, expire_on_commit=False)
        return cls(url, engine, writes, reads)

    @property
    def is_postgresql(self) -> bool:
        """Whether this is PostgreSQL (row locks, SKIP LOCKED)."""
        return self.engine.dialect.name == "postgresql"

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (``r2c db upgrade``)."""
        with self._reachable(), self.engine.begin() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def revisions(self) -> tuple[str | None, str]:
        """(the database's revision, the revision this code expects)."""
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        with self._reachable(), self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return current, head or ""

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A driver error becomes DatabaseUnreachable naming the database (without its password), not a traceback."""
        try:
            yield
        except DBAPIError as error:
            reason = str(error.orig).splitlines()[0] if error.orig is not None else type(error).__name__
            raise DatabaseUnreachable(f"R2C_DATABASE_URL: database {self.safe_url} is niet bereikbaar: {reason}; "
                                      "controleer host, poort, gebruiker en of de server draait") from None

    def require_current(self) -> None:
        """Refuse to work on a database whose schema is behind (or ahead of) this code."""
        current, head = self.revisions()
        if current != head:
            state = "leeg" if current is None else f"op revisie {current}"
            raise DatabaseBehind(
                f"R2C_DATABASE_URL: database {self.safe_url} is {state}, deze versie van r2c verwacht revisie {head}: "
                "voer eerst 'r2c db upgrade' uit")

    def backup(self, target: Path) -> None:
        """A consistent copy of this SQLite database at ``target``, made while r2c may be writing (SQLite's online
        backup API, WAL included). PostgreSQL is backed up with pg_dump (docs/beheer.md)."""
        if self.engine.dialect.name != "sqlite":
            raise ConfigError("R2C_DATABASE_URL wijst naar PostgreSQL: maak de back-up met pg_dump -Fc "
                              "(zie docs/beheer.md, 'Back-ups')")
        if target.exists():
            raise StorageError(f"{target} bestaat al; kies een nieuw bestand voor de back-up")
        if not target.parent.is_dir():
            raise StorageError(f"de map {target.parent} bestaat niet; maak haar aan of kies een andere")
        with self._reachable(), self.engine.connect() as connection:
            destination = sqlite3.connect(target)
            try:
                connection.connection.driver_connection.backup(destination)
            finally:
                destination.close()

    @property
    def safe_url(self) -> str:
        """The URL without a password."""
        return self.engine.url.render_as_string(hide_password=True)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
