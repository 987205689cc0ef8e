"""Lists say whether they are public and what they are about; a send keeps the issue as sent.

- ``lists.public``: the preferences page offers a subscriber only public lists and their own;
  ``lists.description``: the subscribe page's pitch, written by an admin, not the template.
- ``sends.forced_errors``: the pre-flight errors an admin overrode with ``--force``, kept with
  the send (None: the checks passed).
- ``sends.archive`` and ``sends.archive_slug``: the issue's content as it was sent and the
  archive address made from it, so that editing an item later does not change the archive, and
  an issue whose date changed before it went out lives at the address of the date it was sent.
  Sends made before this revision have neither; the archive shows their issue as it is now.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
    with op.batch_alter_table('sends', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forced_errors', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('archive', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('archive_slug', sa.String(length=140), nullable=True))
        batch_op.create_index(batch_op.f('ix_sends_archive_slug'), ['archive_slug'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sends_archive_slug'))
        batch_op.drop_column('archive_slug')
        batch_op.drop_column('archive')
        batch_op.drop_column('forced_errors')
    with op.batch_alter_table('lists', schema=None) as batch_op:
        batch_op.drop_column('description')
        batch_op.drop_column('public')
