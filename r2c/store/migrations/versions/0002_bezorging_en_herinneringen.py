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
    """Running terms get the first day something is due for them, as r2c now computes it on every change."""
    import json

    from r2c.service.terms import next_due

    connection = op.get_bind()
    term = sa.table("term", sa.column("id", sa.Integer), sa.column("termijn", sa.JSON),
                    sa.column("status", sa.String), sa.column("einddatum", sa.Date), sa.column("next_due", sa.Date))
    rows = connection.execute(sa.select(term.c.id, term.c.termijn, term.c.einddatum)
                              .where(term.c.status == "lopend", term.c.einddatum.is_not(None))).all()
    for row in rows:
        stored = json.loads(row.termijn) if isinstance(row.termijn, str) else row.termijn
        connection.execute(sa.update(term).where(term.c.id == row.id)
                           .values(next_due=next_due(stored, "lopend", row.einddatum, None)))




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

