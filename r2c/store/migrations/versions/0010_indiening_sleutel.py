"""The key of a submission made through a form (``indiening_sleutel``): the same form sent twice (refresh, double
click) finds the challenge it made instead of making a second one. Only the key's hash is kept.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 21:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indiening_sleutel',
                    sa.Column('key_hash', sa.String(length=64), nullable=False),
                    sa.Column('challenge_id', sa.String(length=36), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('key_hash'))
    op.create_index('ix_indiening_sleutel_challenge_id', 'indiening_sleutel', ['challenge_id'])


def downgrade() -> None:
    op.drop_index('ix_indiening_sleutel_challenge_id', table_name='indiening_sleutel')
    op.drop_table('indiening_sleutel')
