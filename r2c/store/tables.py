"""The tables (SQLModel). The challenge row is a projection; the history rows are the record.

Personal data of parties sits in its own table so it can be erased without touching the history (AVG).
Every timestamp is stored in UTC; every change adds one history row and raises ``challenge.version`` by one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from r2c.clock import as_utc

JsonType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""JSON (JSONB on PostgreSQL); Python None is SQL NULL, so erased payloads are found with IS NULL."""


class UtcDateTime(TypeDecorator):
    """A moment stored in UTC and read back as an aware UTC datetime, on every database.

    SQLite keeps no offset, so without this a clock in another zone would store local time as if it were UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("r2c stores only aware datetimes (with a time zone)")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value)


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JsonType, nullable=nullable))


def _moment(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


def _challenge_fk(index: bool = True, nullable: bool = False) -> Any:
    return Field(sa_column=Column(String(36), ForeignKey("challenge.id", ondelete="CASCADE"), nullable=nullable,
                                  index=index))


class ChallengeRow(SQLModel, table=True):
    """One challenge (uitdaging): where it stands now. Derived from its history, cached for queries."""

    __tablename__ = "challenge"
    __table_args__ = (
        # search: every filter within a gemeente, newest first (created_at last, so no sort is needed)
        Index("ix_challenge_gemeente_created", "gemeente", "created_at"),
        Index("ix_challenge_gemeente_fase", "gemeente", "fase", "created_at"),
        Index("ix_challenge_gemeente_state", "gemeente", "state", "created_at"),
        Index("ix_challenge_gemeente_behandelaar", "gemeente", "behandelaar", "created_at"),
        Index("ix_challenge_gemeente_resultaat", "gemeente", "resultaat", "created_at"),  # open: resultaat NULL
        # the werkvoorraad: a gemeente's open challenges in the order of their next last day, with everything its
        # filters, sorting and counts per light read (index only; r2c.store.werkvoorraad)
        Index("ix_challenge_open", "gemeente", "volgende_einddatum", "kenmerk", "id", "behandelaar", "fase", "titel",
              postgresql_where=text("resultaat IS NULL"), sqlite_where=text("resultaat IS NULL")),
        Index("ix_challenge_closed", "resultaat", "closed_at"),
        Index("uq_challenge_gemeente_kenmerk", "gemeente", "kenmerk", unique=True),  # also: find by kenmerk
    )

    id: str = Field(primary_key=True, max_length=36)
    gemeente: str = Field(max_length=64)
    kenmerk: str = Field(max_length=120)  # what people read and quote (R2C_KENMERK_FORMAAT), from KenmerkTellerRow
    workflow: str = Field(max_length=64)
    workflow_version: str = Field(max_length=32)
    state: str = Field(max_length=130)
    fase: str = Field(max_length=64)
    resultaat: str | None = Field(default=None, max_length=32)
    titel: str = Field(max_length=200)
    behandelaar: str | None = Field(default=None, max_length=200)
    facts: dict = _json()
    version: int
    head_hash: str = Field(max_length=64)
    created_at: datetime = _moment()
    updated_at: datetime = _moment()
    closed_at: datetime | None = _moment(nullable=True)
    erased_at: datetime | None = _moment(nullable=True)
    # the running term that ends first (name, last day), kept by every change that touches a term
    # (r2c.service.terms.TermPlan.volgende), so the werkvoorraad sorts and counts without reading the terms
    volgende_termijn: str | None = Field(default=None, max_length=64)
    volgende_einddatum: date | None = None


class KenmerkTellerRow(SQLModel, table=True):
    """The last kenmerk number given out per gemeente and year; raised in the submit's own transaction, so a
    submission that rolls back gives its number back (no gaps), and concurrent submitters queue on this row."""

    __tablename__ = "kenmerk_teller"

    gemeente: str = Field(primary_key=True, max_length=64)
    jaar: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    laatste: int


class SubmissionKeyRow(SQLModel, table=True):
    """A submission made through a form, by the hash of the key its form carried: the same form sent twice
    (refresh, double click) finds the challenge it made instead of making a second one."""

    __tablename__ = "indiening_sleutel"

    key_hash: str = Field(primary_key=True, max_length=64)
    challenge_id: str = _challenge_fk()
    created_at: datetime = _moment()


class PartyRow(SQLModel, table=True):
    """A party to a challenge, by a pseudonymous id; the history names parties only by this id."""

    __tablename__ = "party"

    id: str = Field(primary_key=True, max_length=36)
    challenge_id: str = _challenge_fk()
    rol: str = Field(max_length=64)


class PersonalDataRow(SQLModel, table=True):
    """What identifies a party as a person; removed by ``r2c privacy wis``."""

    __tablename__ = "personal_data"

    party_id: str = Field(sa_column=Column(String(36), ForeignKey("party.id", ondelete="CASCADE"), primary_key=True))
    naam: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    telefoon: str | None = Field(default=None, max_length=40)
    organisatie: str | None = Field(default=None, max_length=200)
    adres: str | None = Field(default=None, max_length=400)


class HistoryRow(SQLModel, table=True):
    """One append-only record of what happened to a challenge, chained to the previous one by hash.

    ``payload`` (reason and data, which may hold personal data) is hashed with a salt into ``payload_hash``;
    erasing it keeps ``payload_hash``, so the chain still verifies. ``key_id``: the audit key whose HMAC ``hash``
    is (r2c.store.audit.Keyring), NULL for the plain SHA-256 of a row written without a key.
    """

    __tablename__ = "history"
    __table_args__ = (UniqueConstraint("challenge_id", "seq", name="uq_history_challenge_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: str = _challenge_fk(index=False)
    seq: int
    kind: str = Field(max_length=32)
    event: str | None = Field(default=None, max_length=64)
    transition: str | None = Field(default=None, max_length=64)
    from_state: str | None = Field(default=None, max_length=130)
    to_state: str = Field(max_length=130)
    actor_id: str = Field(max_length=200)
    actor_rol: str = Field(max_length=64)
    at: datetime = _moment()
    artikel: str | None = Field(default=None, max_length=200)
    payload: dict | None = _json(nullable=True)
    payload_salt: str | None = Field(default=None, max_length=32)
    payload_hash: str = Field(max_length=64)
    snapshot_hash: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    key_id: str | None = Field(default=None, max_length=8)


class TermRow(SQLModel, table=True):
    """A term (termijn) of a challenge with its history of suspensions and extensions (``termijn``)."""

    __tablename__ = "term"
    __table_args__ = (
        Index("ix_term_open_due", "status", "einddatum"),
        Index("ix_term_gemeente_due", "gemeente", "status", "einddatum"),
        Index("ix_term_next_due", "next_due", "id"),  # the planner's claim, in its order (no sort)
        # the year report's beslistermijn figures, from the index alone
        Index("ix_term_rapport", "gemeente", "name", "einddatum", "stopped_on", "challenge_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: str = _challenge_fk()
    gemeente: str = Field(max_length=64)
    name: str = Field(max_length=64)
    status: str = Field(max_length=16)
    termijn: dict = _json()
    started_on: date
    einddatum: date | None = None
    suspended_from: date | None = None
    suspension_basis: str | None = Field(default=None, max_length=200)
    stopped_on: date | None = None
    next_due: date | None = None
    processed_until: date | None = None


class DocumentRow(SQLModel, table=True):
    """A document of a challenge: metadata and checksum here, the content in the document storage."""

    __tablename__ = "document"

    id: str = Field(primary_key=True, max_length=36)
    challenge_id: str = _challenge_fk()
    name: str = Field(max_length=255)
    media_type: str = Field(max_length=127)
    size: int
    sha256: str = Field(max_length=64)
    added_at: datetime = _moment()
    added_by: str = Field(max_length=200)


class LetterRow(SQLModel, table=True):
    """A letter to produce from a template, requested by a transition (rendered by r2c.notify)."""

    __tablename__ = "letter"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: str = _challenge_fk()
    history_seq: int
    template: str = Field(max_length=64)
    aan: str = Field(max_length=64)
    status: str = Field(default="te_maken", max_length=16)
    requested_at: datetime = _moment()


class DeliveryRow(SQLModel, table=True):
    """One message to one recipient over one channel, made from an outbox row; sent at most once per key."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_pending", "status", "next_attempt_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(sa_column=Column(ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False,
                                            index=True))
    gemeente: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    recipient: str = Field(max_length=500)
    template: str | None = Field(default=None, max_length=64)
    idempotency_key: str = Field(max_length=300, unique=True)
    context: dict = _json()
    status: str = Field(default="wachtend", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _moment()
    sent_at: datetime | None = _moment(nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)


class OutboxRow(SQLModel, table=True):
    """A notification written with the change that causes it, delivered after commit, at most once per key."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: str | None = _challenge_fk(nullable=True)  # None: about a gemeente (digest); indexed for the
    # zgw channel, which keeps a challenge's steps in order (r2c.store.queue.earlier_unsent)
    gemeente: str = Field(max_length=64)
    topic: str = Field(max_length=64)
    idempotency_key: str = Field(max_length=200, unique=True)
    payload: dict = _json()
    status: str = Field(default="wachtend", max_length=16)
    attempts: int = 0
    created_at: datetime = _moment()
    next_attempt_at: datetime = _moment()
    delivered_at: datetime | None = _moment(nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)


class ApiKeyRow(SQLModel, table=True):
    """An API key or bearer token: only its SHA-256 is kept; bound to one gemeente and one or more roles."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=36)
    secret_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    gemeente: str = Field(max_length=64)
    rollen: list = _json()
    naam: str = Field(max_length=200)
    created_at: datetime = _moment()
    revoked_at: datetime | None = _moment(nullable=True)


class StatusLinkRow(SQLModel, table=True):
    """The initiatiefnemer's status link: an unguessable token (only its SHA-256 is kept), revocable."""

    __tablename__ = "status_link"

    id: str = Field(primary_key=True, max_length=36)
    challenge_id: str = _challenge_fk()
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _moment()
    revoked_at: datetime | None = _moment(nullable=True)


class AccountRow(SQLModel, table=True):
    """A local account of an ambtenaar: its e-mail is the login name; only an argon2 hash of the password is kept."""

    __tablename__ = "account"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(max_length=254, unique=True)  # stored lower case
    naam: str = Field(max_length=200)
    gemeente: str = Field(max_length=64)
    rollen: list = _json()
    password_hash: str | None = Field(default=None, max_length=200)
    must_change: bool = False  # a one-time password: change it at the next login
    blocked: bool = False
    failed: int = 0  # wrong passwords in a row
    locked_until: datetime | None = _moment(nullable=True)
    created_at: datetime = _moment()


class RapportStapRow(SQLModel, table=True):
    """The year report's read model: one row per transition (history row of kind 'transitie'), with its gemeente.

    Written with the history row, in the same transaction (r2c.store.writes); narrow and indexed so the report
    counts and finds steps without reading the history. Carries no actor, reason or payload.
    """

    __tablename__ = "rapport_stap"
    __table_args__ = (
        Index("ix_rapport_stap_gemeente_at", "gemeente", "at", "event"),  # counts per period: index only
        Index("ix_rapport_stap_gemeente_event", "gemeente", "event", "at", "challenge_id"),
        Index("ix_rapport_stap_challenge_event", "challenge_id", "event", "at"),  # a challenge's first submission
    )

    challenge_id: str = Field(sa_column=Column(String(36), ForeignKey("challenge.id", ondelete="CASCADE"),
                                               primary_key=True))
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    gemeente: str = Field(max_length=64)
    event: str = Field(max_length=64)
    at: datetime = _moment()


class RapportFaseRow(SQLModel, table=True):
    """The year report's read model: one stay of a challenge in a phase, from the history row that entered it
    (``seq``, ``entered_at``) to the next one that entered another (``left_at``; NULL while it lasts)."""

    __tablename__ = "rapport_fase"
    __table_args__ = (
        Index("ix_rapport_fase_gemeente_left", "gemeente", "left_at", "fase", "entered_at"),
        Index("ix_rapport_fase_gemeente_fase", "gemeente", "fase", "entered_at", "left_at", "challenge_id"),
        Index("ix_rapport_fase_open", "challenge_id", "left_at"),
    )

    challenge_id: str = Field(sa_column=Column(String(36), ForeignKey("challenge.id", ondelete="CASCADE"),
                                               primary_key=True))
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    gemeente: str = Field(max_length=64)
    fase: str = Field(max_length=64)
    entered_at: datetime = _moment()
    left_at: datetime | None = _moment(nullable=True)


class RapportFeitRow(SQLModel, table=True):
    """The year report's read model: the facts of a challenge the report counts, as the challenge holds them now
    (kept by every change, erasure included): its ``domein``, its ``budget`` (euro) and the criteria assessed
    'voldoet niet' (``afgewezen_op``, as ``|a|b|``). No personal data."""

    __tablename__ = "rapport_feit"

    challenge_id: str = Field(sa_column=Column(String(36), ForeignKey("challenge.id", ondelete="CASCADE"),
                                               primary_key=True))
    gemeente: str = Field(max_length=64)
    domein: str | None = Field(default=None, max_length=200)
    budget: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    afgewezen_op: str | None = Field(default=None, max_length=2000)


class LoginEventRow(SQLModel, table=True):
    """One login, failure, lockout or logout: when, which account (or the e-mail tried), from which address."""

    __tablename__ = "login_event"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    at: datetime = _moment(index=True)
    kind: str = Field(max_length=20)  # inloggen, mislukt, vergrendeld, uitloggen, geweigerd
    account_id: str | None = Field(default=None, max_length=36)
    email: str = Field(max_length=254)
    address: str | None = Field(default=None, max_length=64)


class StaffSessionRow(SQLModel, table=True):
    """A server-side login session (only the SHA-256 of its cookie's id is kept): who, in which role, since when.

    A session with ``pending`` and no ``staff`` is an OpenID Connect login under way (state, nonce, PKCE verifier).
    """

    __tablename__ = "staff_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    staff: dict | None = _json(nullable=True)
    pending: dict | None = _json(nullable=True)
    csrf: str = Field(max_length=100)
    created_at: datetime = _moment()
    last_seen: datetime = _moment(index=True)


METADATA = SQLModel.metadata
