"""Opens, tracking opt-outs and kept counts (issue 15): a flag per list for open tracking (off
by default, for existing lists too), and a subscriber's own opt-out of all tracking.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, also on SQLite (batch mode would copy the tables and cascade deletes).
    op.add_column('lists', sa.Column('track_opens', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('subscribers', sa.Column('tracking_opt_out', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))


def downgrade() -> None:
    op.drop_column('subscribers', 'tracking_opt_out')
    op.drop_column('lists', 'track_opens')
