"""De eerste tabellen: uitdaging, partijen en persoonsgegevens, geschiedenis, termijnen, documenten, brieven, outbox.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 19:43:23.152763
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('challenge',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('gemeente', sa.String(length=64), nullable=False),
    sa.Column('workflow', sa.String(length=64), nullable=False),
    sa.Column('workflow_version', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=130), nullable=False),
    sa.Column('fase', sa.String(length=64), nullable=False),
    sa.Column('resultaat', sa.String(length=32), nullable=True),
    sa.Column('titel', sa.String(length=200), nullable=False),
    sa.Column('behandelaar', sa.String(length=200), nullable=True),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_closed', ['resultaat', 'closed_at'], unique=False)
        batch_op.create_index('ix_challenge_gemeente_behandelaar', ['gemeente', 'behandelaar', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_challenge_gemeente_created', ['gemeente', 'created_at'], unique=False)
        batch_op.create_index('ix_challenge_gemeente_fase', ['gemeente', 'fase', 'created_at'], unique=False)
        batch_op.create_index('ix_challenge_gemeente_state', ['gemeente', 'state', 'created_at'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('challenge_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_challenge_id'), ['challenge_id'], unique=False)

    op.create_table('history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=True),
    sa.Column('transition', sa.String(length=64), nullable=True),
    sa.Column('from_state', sa.String(length=130), nullable=True),
    sa.Column('to_state', sa.String(length=130), nullable=False),
    sa.Column('actor_id', sa.String(length=200), nullable=False),
    sa.Column('actor_rol', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('artikel', sa.String(length=200), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('payload_salt', sa.String(length=32), nullable=True),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('snapshot_hash', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('challenge_id', 'seq', name='uq_history_challenge_seq')
    )
    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=36), nullable=False),
    sa.Column('history_seq', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('aan', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_challenge_id'), ['challenge_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=36), nullable=False),
    sa.Column('gemeente', sa.String(length=64), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['status', 'next_attempt_at'], unique=False)

    op.create_table('party',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('challenge_id', sa.String(length=36), nullable=False),
    sa.Column('rol', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_challenge_id'), ['challenge_id'], unique=False)

    op.create_table('term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=36), nullable=False),
    sa.Column('gemeente', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('termijn', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('einddatum', sa.Date(), nullable=True),
    sa.Column('suspended_from', sa.Date(), nullable=True),
    sa.Column('suspension_basis', sa.String(length=200), nullable=True),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index('ix_term_gemeente_due', ['gemeente', 'status', 'einddatum'], unique=False)
        batch_op.create_index('ix_term_open_due', ['status', 'einddatum'], unique=False)

    op.create_table('personal_data',
    sa.Column('party_id', sa.String(length=36), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('telefoon', sa.String(length=40), nullable=True),
    sa.Column('organisatie', sa.String(length=200), nullable=True),
    sa.Column('adres', sa.String(length=400), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('party_id')
    )



def downgrade() -> None:

    op.drop_table('personal_data')
    with op.batch_alter_table('term', schema=None) as batch_op:
        batch_op.drop_index('ix_term_open_due')
        batch_op.drop_index('ix_term_gemeente_due')
        batch_op.drop_index(batch_op.f('ix_term_challenge_id'))

    op.drop_table('term')
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_challenge_id'))

    op.drop_table('party')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_challenge_id'))

    op.drop_table('letter')
    op.drop_table('history')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_challenge_id'))

    op.drop_table('document')
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_gemeente_state')
        batch_op.drop_index('ix_challenge_gemeente_created')
        batch_op.drop_index('ix_challenge_gemeente_fase')
        batch_op.drop_index('ix_challenge_gemeente_behandelaar')
        batch_op.drop_index('ix_challenge_closed')

    op.drop_table('challenge')

