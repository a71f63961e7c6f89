"""Indexes for a gemeente's open challenges (``resultaat`` is NULL while open) and running terms: the werkvoorraad
counts and sorts them from the partial indexes alone, and the API's ``open=true`` list reads the few open ones of a
gemeente without walking its closed ones (docs/performance.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_challenge_gemeente_resultaat', 'challenge', ['gemeente', 'resultaat', 'created_at'])
    op.create_index('ix_challenge_open', 'challenge', ['gemeente', 'behandelaar', 'fase', 'kenmerk', 'id'],
                    postgresql_where=sa.text('resultaat IS NULL'), sqlite_where=sa.text('resultaat IS NULL'))
    op.create_index('ix_term_running', 'term', ['gemeente', 'challenge_id', 'einddatum'],
                    postgresql_where=sa.text("status = 'lopend'"), sqlite_where=sa.text("status = 'lopend'"))


def downgrade() -> None:
    op.drop_index('ix_term_running', table_name='term')
    op.drop_index('ix_challenge_open', table_name='challenge')
    op.drop_index('ix_challenge_gemeente_resultaat', table_name='challenge')
