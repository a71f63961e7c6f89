"""The challenge row keeps its next running term (``volgende_termijn``, ``volgende_einddatum``: the running term
that ends first), written by every change that touches a term (r2c.store.writes). The werkvoorraad then sorts,
filters and counts per light from one partial index of the open challenges (with everything it filters and sorts
on) instead of joining every running term of the gemeente on each page view (docs/performance.md, "Werkvoorraad").
Filled here from the term rows, in SQL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_RUNNING = "term.challenge_id = challenge.id AND term.status = 'lopend' AND term.einddatum IS NOT NULL"


def upgrade() -> None:
    # plain ALTER TABLE (SQLite 3.35 and later drop columns too): a batch copy of the table would make SQLite's DROP
    # TABLE of the old copy cascade to the terms, history and letters (their foreign keys are ON DELETE CASCADE)
    op.add_column('challenge', sa.Column('volgende_termijn', sa.String(length=64), nullable=True))
    op.add_column('challenge', sa.Column('volgende_einddatum', sa.Date(), nullable=True))
    # the same rule as r2c.service.terms (earliest last day, then the oldest row), as it is today
    op.execute(f"UPDATE challenge SET "
               f"volgende_termijn = (SELECT term.name FROM term WHERE {_RUNNING} "
               f"ORDER BY term.einddatum, term.id LIMIT 1), "
               f"volgende_einddatum = (SELECT min(term.einddatum) FROM term WHERE {_RUNNING}) "
               f"WHERE EXISTS (SELECT 1 FROM term WHERE {_RUNNING})")
    op.drop_index('ix_challenge_open', table_name='challenge')
    op.create_index('ix_challenge_open', 'challenge',
                    ['gemeente', 'volgende_einddatum', 'kenmerk', 'id', 'behandelaar', 'fase', 'titel'],
                    postgresql_where=sa.text('resultaat IS NULL'), sqlite_where=sa.text('resultaat IS NULL'))
    op.drop_index('ix_term_running', table_name='term')


def downgrade() -> None:
    op.create_index('ix_term_running', 'term', ['gemeente', 'challenge_id', 'einddatum'],
                    postgresql_where=sa.text("status = 'lopend'"), sqlite_where=sa.text("status = 'lopend'"))
    op.drop_index('ix_challenge_open', table_name='challenge')
    op.create_index('ix_challenge_open', 'challenge', ['gemeente', 'behandelaar', 'fase', 'kenmerk', 'id'],
                    postgresql_where=sa.text('resultaat IS NULL'), sqlite_where=sa.text('resultaat IS NULL'))
    op.drop_column('challenge', 'volgende_einddatum')
    op.drop_column('challenge', 'volgende_termijn')
