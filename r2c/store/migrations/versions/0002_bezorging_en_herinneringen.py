"""Bezorging (one row per message per channel and recipient) and the next due moment of each term.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:41:15.421370
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('gemeente', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.String(length=500), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=True),
    sa.Column('idempotency_key', sa.String(length=300), nullable=False),
    sa.Column('context', sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_outbox_id'), ['outbox_id'], unique=False)
        batch_op.create_index('ix_delivery_pending', ['status', 'next_attempt_at', 'id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('challenge_id', existing_type=sa.String(length=36), nullable=True)

    with op.batch_alter_table('term', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('processed_until', sa.Date(), nullable=True))
        batch_op.create_index('ix_term_next_due', ['next_due', 'id'], unique=False)

    _fill_next_due()


def _fill_next_due() -> None:
    """Running terms become due on the day they started, so the planner's first sweep after this upgrade handles
    each once and stores its exact next due day.

    A migration is history: it carries this rule itself rather than calling r2c's live reminder arithmetic. The
    outcome is the one that arithmetic would give: with ``processed_until`` empty, the first sweep queues every
    moment (reminder, escalation, lapse) up to that day, exactly as a ``next_due`` on the first moment would,
    and a term whose first moment is still ahead gets that moment as its ``next_due`` and nothing else.
    """
    term = sa.table("term", sa.column("status", sa.String), sa.column("einddatum", sa.Date),
                    sa.column("started_on", sa.Date), sa.column("next_due", sa.Date))
    op.get_bind().execute(sa.update(term).where(term.c.status == "lopend", term.c.einddatum.is_not(None))
                          .values(next_due=term.c.started_on))


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE challenge_id IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('challenge_id', existing_type=sa.String(length=36), nullable=False)


    with op.batch_alter_table('term', schema=None) as batch_op:
        batch_op.drop_index('ix_term_next_due')
        batch_op.drop_column('processed_until')
        batch_op.drop_column('next_due')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_pending')
        batch_op.drop_index(batch_op.f('ix_delivery_outbox_id'))

    op.drop_table('delivery')

