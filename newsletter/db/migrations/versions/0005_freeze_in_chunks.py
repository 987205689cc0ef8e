"""A send's recipients are frozen in chunks, so its first batches go out while the rest freeze.

A million-recipient freeze was one INSERT ... SELECT of 3-11 s before the first batch could
be sent. Now each chunk commits on its own, going on after the highest subscriber id frozen
so far, and its batches are queued at once; ``frozen_at`` marks the end, and a send is not
finished before it. ``freeze_progress_at`` tells the sweep whether a freezer is
still at work or has stopped, so that it can take over. Sends started before this revision
were frozen whole when they started.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sends', schema=None) as batch_op:
        batch_op.add_column(sa.Column('freeze_progress_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE sends SET frozen_at = started_at WHERE started_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('sends', schema=None) as batch_op:
        batch_op.drop_column('frozen_at')
        batch_op.drop_column('freeze_progress_at')
