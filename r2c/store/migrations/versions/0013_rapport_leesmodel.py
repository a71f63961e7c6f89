"""The year report's read model: ``rapport_stap`` (one row per transition), ``rapport_fase`` (one row per stay in a
phase) and ``rapport_feit`` (the counted facts of a challenge), kept by every change from now on
(r2c.store.writes) and filled here from the history: the steps and stays in SQL, the facts in batches of 5,000
challenges. A migration is history, so it carries its own copy of the rules (r2c.store.readmodel).

Filling 100,000 challenges (471,652 history rows) took 14.6 s on SQLite and 32.5 s on PostgreSQL on a shared machine
(bench/bench_rapport.py times it: docs/performance.md, "Jaarrapport"). It also adds an index on ``term`` for the
beslistermijn figures.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:20:00.000000
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), 'postgresql')
BATCH = 5000


def _fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('rapport_stap',
                    sa.Column('challenge_id', sa.String(length=36), nullable=False),
                    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('gemeente', sa.String(length=64), nullable=False),
                    sa.Column('event', sa.String(length=64), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    _fk(), sa.PrimaryKeyConstraint('challenge_id', 'seq'))
    op.create_table('rapport_fase',
                    sa.Column('challenge_id', sa.String(length=36), nullable=False),
                    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('gemeente', sa.String(length=64), nullable=False),
                    sa.Column('fase', sa.String(length=64), nullable=False),
                    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
                    _fk(), sa.PrimaryKeyConstraint('challenge_id', 'seq'))
    op.create_table('rapport_feit',
                    sa.Column('challenge_id', sa.String(length=36), nullable=False),
                    sa.Column('gemeente', sa.String(length=64), nullable=False),
                    sa.Column('domein', sa.String(length=200), nullable=True),
                    sa.Column('budget', sa.Float(), nullable=True),
                    sa.Column('afgewezen_op', sa.String(length=2000), nullable=True),
                    _fk(), sa.PrimaryKeyConstraint('challenge_id'))
    _fill()
    op.create_index('ix_rapport_stap_gemeente_at', 'rapport_stap', ['gemeente', 'at', 'event'])
    op.create_index('ix_rapport_stap_gemeente_event', 'rapport_stap', ['gemeente', 'event', 'at', 'challenge_id'])
    op.create_index('ix_rapport_stap_challenge_event', 'rapport_stap', ['challenge_id', 'event', 'at'])
    op.create_index('ix_rapport_fase_gemeente_left', 'rapport_fase', ['gemeente', 'left_at', 'fase', 'entered_at'])
    op.create_index('ix_rapport_fase_gemeente_fase', 'rapport_fase',
                    ['gemeente', 'fase', 'entered_at', 'left_at', 'challenge_id'])
    op.create_index('ix_term_rapport', 'term', ['gemeente', 'name', 'einddatum', 'stopped_on', 'challenge_id'])
    if op.get_bind().dialect.name == 'sqlite':  # statistics for the planner, as PostgreSQL's autovacuum keeps them
        op.execute('ANALYZE')
    op.create_index('ix_rapport_fase_open', 'rapport_fase', ['challenge_id', 'left_at'])


def _phase(bind: Any, column: str) -> str:
    if bind.dialect.name == 'postgresql':
        return f"split_part({column}, '.', 1)"
    return f"CASE WHEN instr({column}, '.') > 0 THEN substr({column}, 1, instr({column}, '.') - 1) ELSE {column} END"


def _fill() -> None:
    """The steps and stays of every challenge from its history (SQL); the facts from its row (batched)."""
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO rapport_stap (challenge_id, seq, gemeente, event, at) "
        "SELECT h.challenge_id, h.seq, c.gemeente, h.event, h.at "
        "FROM history h JOIN challenge c ON c.id = h.challenge_id "
        "WHERE h.kind = 'transitie' AND h.event IS NOT NULL AND h.event <> ''"))
    bind.execute(sa.text(
        "INSERT INTO rapport_fase (challenge_id, seq, gemeente, fase, entered_at, left_at) "
        "SELECT e.challenge_id, e.seq, e.gemeente, e.fase, e.at, "
        "lead(e.at) OVER (PARTITION BY e.challenge_id ORDER BY e.seq) FROM ("
        f"SELECT h.challenge_id, h.seq, c.gemeente, {_phase(bind, 'h.to_state')} AS fase, h.at "
        "FROM history h JOIN challenge c ON c.id = h.challenge_id "
        f"WHERE h.seq = 1 OR {_phase(bind, 'h.from_state')} <> {_phase(bind, 'h.to_state')}) e"))
    challenge = sa.table('challenge', sa.column('id', sa.String()), sa.column('gemeente', sa.String()),
                         sa.column('facts', JSON))
    feit = sa.table('rapport_feit', *(sa.column(name) for name in
                                      ('challenge_id', 'gemeente', 'domein', 'budget', 'afgewezen_op')))
    last = ''
    while True:
        rows = bind.execute(sa.select(challenge.c.id, challenge.c.gemeente, challenge.c.facts)
                            .where(challenge.c.id > last).order_by(challenge.c.id).limit(BATCH)).all()
        if not rows:
            return
        bind.execute(sa.insert(feit), [_facts(r.id, r.gemeente, r.facts) for r in rows])
        last = rows[-1].id


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _budget(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        return None
    return float(amount) if amount.is_finite() else None


def _facts(challenge_id: str, gemeente: str, held: Any) -> dict[str, Any]:
    held = held if isinstance(held, dict) else {}
    assessed = held.get('beoordelingen')
    failed = sorted(key for key, value in assessed.items()
                    if isinstance(value, dict) and value.get('oordeel') == 'voldoet_niet') \
        if isinstance(assessed, dict) else []
    return {'challenge_id': challenge_id, 'gemeente': gemeente, 'domein': _text(held.get('domein')),
            'budget': _budget(held.get('budget')), 'afgewezen_op': '|' + '|'.join(failed) + '|' if failed else None}


def downgrade() -> None:
    op.drop_index('ix_term_rapport', table_name='term')
    op.drop_index('ix_rapport_fase_open', table_name='rapport_fase')
    op.drop_index('ix_rapport_fase_gemeente_fase', table_name='rapport_fase')
    op.drop_index('ix_rapport_fase_gemeente_left', table_name='rapport_fase')
    op.drop_index('ix_rapport_stap_challenge_event', table_name='rapport_stap')
    op.drop_index('ix_rapport_stap_gemeente_event', table_name='rapport_stap')
    op.drop_index('ix_rapport_stap_gemeente_at', table_name='rapport_stap')
    op.drop_table('rapport_feit')
    op.drop_table('rapport_fase')
    op.drop_table('rapport_stap')
