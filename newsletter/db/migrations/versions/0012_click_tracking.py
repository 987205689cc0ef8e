"""Click tracking: a flag per list (on by default, for existing lists too) and each send's
table of links, the only addresses ``/c/<send>/<link>/<token>`` redirects to.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, also on SQLite: batch mode would copy the table, and dropping the old
    # one would cascade to the rows that reference it (send_lists, subscriptions).
    op.add_column('lists', sa.Column('track_clicks', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('send_links',
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_send_links_item_id_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['send_id'], ['sends.id'], name=op.f('fk_send_links_send_id_sends'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('send_id', 'link_id', name=op.f('pk_send_links'))
    )
    op.create_index(op.f('ix_send_links_item_id'), 'send_links', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_send_links_item_id'), table_name='send_links')
    op.drop_table('send_links')
    op.drop_column('lists', 'track_clicks')
