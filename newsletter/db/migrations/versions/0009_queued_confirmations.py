"""The subscribe form queues its confirmation email instead of sending it inside the request.

A membership owes an email while ``confirmation_requested_at`` is set; the sweep hands it to
a worker (``confirmation_queued_at``), which sends it and clears both. Repeated requests merge
into one owed email, and a public page no longer waits on the mail relay.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmation_queued_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_subscriptions_confirmation_requested_at', 'subscriptions', ['confirmation_requested_at'],
                    unique=False, postgresql_where=sa.text('confirmation_requested_at IS NOT NULL'),
                    sqlite_where=sa.text('confirmation_requested_at IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_subscriptions_confirmation_requested_at', table_name='subscriptions',
                  postgresql_where=sa.text('confirmation_requested_at IS NOT NULL'),
                  sqlite_where=sa.text('confirmation_requested_at IS NOT NULL'))
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('confirmation_queued_at')
        batch_op.drop_column('confirmation_requested_at')
