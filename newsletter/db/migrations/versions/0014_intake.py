"""Intake: feed sources, polled for new inbox items (issue 17). The fields of proposed items
were added to ``items`` by 0013.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tags', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('keywords', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('poll_minutes', sa.Integer(), nullable=True),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('last_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_due_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('items_added', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_sources')),
    sa.UniqueConstraint('url', name=op.f('uq_feed_sources_url'))
    )
    op.create_index(op.f('ix_feed_sources_next_due_at'), 'feed_sources', ['next_due_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_feed_sources_next_due_at'), table_name='feed_sources')
    op.drop_table('feed_sources')
