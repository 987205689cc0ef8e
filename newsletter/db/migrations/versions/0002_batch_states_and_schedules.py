"""Batch states for crash recovery (queued, retry, posted times) and scheduled sends.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('sends', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_sends_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sends_status'))
        batch_op.drop_column('timezone')
        batch_op.drop_column('scheduled_at')
        batch_op.drop_column('status_reason')

    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_column('posted_at')
        batch_op.drop_column('retry_at')
        batch_op.drop_column('queued_at')
