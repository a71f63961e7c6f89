"""Building a ChallengeService from the settings (R2C_DATABASE_URL, R2C_DOCUMENTEN, R2C_DEFINITIES, the audit key)."""

from __future__ import annotations

from r2c.clock import Clock, SystemClock
from r2c.definitions.catalog import load_catalog
from r2c.service.challenges import ChallengeService
from r2c.settings import Settings, load_settings
from r2c.store.audit_keys import load_keyring
from r2c.store.db import Database
from r2c.store.documents import DocumentStore


def open_service(*, settings: Settings | None = None, clock: Clock | None = None) -> tuple[ChallengeService, Database]:
    """The service on the configured database; DatabaseBehind when ``r2c db upgrade`` has not been run."""
    settings = settings or load_settings()
    keyring = load_keyring(settings)
    db = Database.connect(settings.database_url, pool_size=settings.database_pool)
    db.require_current()
    service = ChallengeService(db.sessions, load_catalog(), clock or SystemClock(),
                               read_session_factory=db.read_sessions, documents=DocumentStore(settings.documenten),
                               keyring=keyring, kenmerk_formaat=settings.kenmerk_formaat)
    return service, db
