"""Logging in to the werkomgeving: local accounts (``account``), the login audit (``login_event``) and the server-side
sessions (``staff_session``). A migration is history, so it carries its own table definitions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), 'postgresql')


def upgrade() -> None:
    op.create_table('account',
                    sa.Column('id', sa.String(length=36), nullable=False),
                    sa.Column('email', sa.String(length=254), nullable=False),
                    sa.Column('naam', sa.String(length=200), nullable=False),
                    sa.Column('gemeente', sa.String(length=64), nullable=False),
                    sa.Column('rollen', JSON, nullable=False),
                    sa.Column('password_hash', sa.String(length=200), nullable=True),
                    sa.Column('must_change', sa.Boolean(), nullable=False),
                    sa.Column('blocked', sa.Boolean(), nullable=False),
                    sa.Column('failed', sa.Integer(), nullable=False),
                    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id'), sa.UniqueConstraint('email'))
    op.create_table('login_event',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('account_id', sa.String(length=36), nullable=True),
                    sa.Column('email', sa.String(length=254), nullable=False),
                    sa.Column('address', sa.String(length=64), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_login_event_at', 'login_event', ['at'])
    op.create_table('staff_session',
                    sa.Column('id_hash', sa.String(length=64), nullable=False),
                    sa.Column('staff', JSON, nullable=True),
                    sa.Column('pending', JSON, nullable=True),
                    sa.Column('csrf', sa.String(length=100), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id_hash'))
    op.create_index('ix_staff_session_last_seen', 'staff_session', ['last_seen'])


def downgrade() -> None:
    op.drop_index('ix_staff_session_last_seen', table_name='staff_session')
    op.drop_table('staff_session')
    op.drop_index('ix_login_event_at', table_name='login_event')
    op.drop_table('login_event')
    op.drop_table('account')
