"""The audit key of each history row: ``history.key_id``, NULL for rows hashed without a key (all rows so far).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('history', sa.Column('key_id', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('history') as batch:
        batch.drop_column('key_id')
