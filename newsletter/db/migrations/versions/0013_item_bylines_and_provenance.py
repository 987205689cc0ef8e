"""Items gain what intake fills in and what real briefs print: a byline, a kicker, an image
caption and credit, a featured flag, the published date of the story, and its canonical URL
(how intake recognises a story it has already seen). An item with no link yet keeps an empty
``url``, as an item with no blurb yet keeps an empty ``blurb``.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, also on SQLite (see 0012: batch mode would copy the referenced table).
    op.add_column('items', sa.Column('byline', sa.String(length=200), nullable=True))
    op.add_column('items', sa.Column('kicker', sa.String(length=100), nullable=True))
    op.add_column('items', sa.Column('image_caption', sa.String(length=500), nullable=True))
    op.add_column('items', sa.Column('image_credit', sa.String(length=200), nullable=True))
    op.add_column('items', sa.Column('featured', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('items', sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('items', sa.Column('canonical_url', sa.String(length=2000), nullable=True))
    op.create_index(op.f('ix_items_canonical_url'), 'items', ['canonical_url'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_items_canonical_url'), table_name='items')
    for column in ('canonical_url', 'published_at', 'featured', 'image_credit', 'image_caption', 'kicker', 'byline'):
        op.drop_column('items', column)
