"""The kenmerk people read (``UD-2026-0042``): ``challenge.kenmerk``, unique per gemeente, and the counter
``kenmerk_teller`` per gemeente and year. Existing challenges are numbered in the order they were made
(created_at, then id), per gemeente and per year in Europe/Amsterdam; the counters continue after them.

The format is frozen here (the default of R2C_KENMERK_FORMAAT when this was written), unless R2C_KENMERK_FORMAAT is
set when upgrading: then existing challenges get the format new ones will get. A migration is history, so it
carries what it needs and imports no r2c code.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:20:00.000000
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

FORMAAT = "UD-{jaar}-{nummer:04d}"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _year(moment: datetime | str) -> int:
    """The year in the Netherlands of a stored moment (SQLite gives text or naive UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(AMSTERDAM).year


def upgrade() -> None:
    formaat = os.environ.get("R2C_KENMERK_FORMAAT") or FORMAAT
    op.create_table('kenmerk_teller',
                    sa.Column('gemeente', sa.String(length=64), nullable=False),
                    sa.Column('jaar', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('laatste', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('gemeente', 'jaar'))
    op.add_column('challenge', sa.Column('kenmerk', sa.String(length=120), nullable=True))

    bind = op.get_bind()
    challenge = sa.table('challenge', sa.column('id', sa.String), sa.column('gemeente', sa.String),
                         sa.column('created_at'), sa.column('kenmerk', sa.String))
    counters: dict[tuple[str, int], int] = {}
    rows = bind.execute(sa.select(challenge.c.id, challenge.c.gemeente, challenge.c.created_at)
                        .order_by(challenge.c.created_at, challenge.c.id)).all()
    update = sa.update(challenge).where(challenge.c.id == sa.bindparam('b_id')).values(kenmerk=sa.bindparam('b_k'))
    numbered = []
    for id_, gemeente, created_at in rows:
        jaar = _year(created_at)
        nummer = counters[gemeente, jaar] = counters.get((gemeente, jaar), 0) + 1
        numbered.append({'b_id': id_, 'b_k': formaat.format(jaar=jaar, nummer=nummer, gemeente=gemeente)})
    if numbered:
        bind.execute(update, numbered)
    teller = sa.table('kenmerk_teller', sa.column('gemeente'), sa.column('jaar'), sa.column('laatste'))
    if counters:
        bind.execute(sa.insert(teller), [{'gemeente': g, 'jaar': j, 'laatste': n} for (g, j), n in counters.items()])

    if bind.dialect.name == 'sqlite':
        _sqlite_not_null(bind)
    else:
        op.alter_column('challenge', 'kenmerk', existing_type=sa.String(length=120), nullable=False)
    op.create_index('uq_challenge_gemeente_kenmerk', 'challenge', ['gemeente', 'kenmerk'], unique=True)


def _sqlite_not_null(bind) -> None:
    """NOT NULL on the filled column without rebuilding the table: a rebuild drops ``challenge``, and with foreign
    keys on (they cannot be switched off inside the migration's transaction) that deletes every party, history row
    and term with it (ON DELETE CASCADE). Instead the column's definition in the schema gets NOT NULL, as SQLite's
    documentation describes for constraints that every row already meets (https://sqlite.org/lang_altertable.html)."""
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    changed = bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, 'kenmerk VARCHAR(120)', 'kenmerk VARCHAR(120) NOT NULL')"
        " WHERE type = 'table' AND name = 'challenge'").rowcount
    bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    if changed != 1:
        raise RuntimeError("challenge.kenmerk: de kolom staat niet in het schema zoals verwacht")


def downgrade() -> None:
    op.drop_index('uq_challenge_gemeente_kenmerk', table_name='challenge')
    op.execute("ALTER TABLE challenge DROP COLUMN kenmerk")  # SQLite >= 3.35 too; a batch rebuild would cascade
    op.drop_table('kenmerk_teller')
