"""The outbox indexed by challenge: the zgw channel asks per step whether an earlier step of the same challenge is
still unsent (r2c.store.queue.earlier_unsent), which would otherwise scan the whole outbox.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_challenge_id', 'outbox', ['challenge_id'])


def downgrade() -> None:
    op.drop_index('ix_outbox_challenge_id', table_name='outbox')
