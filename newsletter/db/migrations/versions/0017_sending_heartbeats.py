"""Sending through the relay's throttling: batch heartbeats (issue 16).

A worker sending a batch writes ``heartbeat_at`` every few seconds, so the sweep takes back
only batches whose worker went silent, never a slow one that is alive.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('batches', sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('batches', 'heartbeat_at')
