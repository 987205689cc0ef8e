"""A send's audience is kept as rows (``send_lists``), not parsed back from its display string.

``sends.list_names`` stays, for display. The freeze reads the list ids from ``send_lists``;
the ``language`` column leaves room for language editions and segments (None: everyone on
the list). Existing sends are backfilled by matching list names in their display string.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('send_lists',
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['lists.id'], name=op.f('fk_send_lists_list_id_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['send_id'], ['sends.id'], name=op.f('fk_send_lists_send_id_sends'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('send_id', 'list_id', name=op.f('pk_send_lists'))
    )
    op.execute(
        "INSERT INTO send_lists (send_id, list_id) SELECT s.id, l.id FROM sends s JOIN lists l "
        "ON (', ' || s.list_names || ', ') LIKE ('%, ' || l.name || ', %')"
    )


def downgrade() -> None:
    op.drop_table('send_lists')
