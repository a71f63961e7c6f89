"""An index on a gemeente's open challenges (``resultaat`` is NULL while open): the werkvoorraad and the API's
``open=true`` list read the few open ones of a gemeente without walking its closed ones (docs/performance.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:15:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_challenge_gemeente_resultaat', 'challenge', ['gemeente', 'resultaat', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_challenge_gemeente_resultaat', table_name='challenge')
