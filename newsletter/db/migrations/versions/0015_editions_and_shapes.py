"""Language editions (issue 18): an issue's editions and phrase overrides, translations of
issues and items, the main language of a send, its rendering per edition, and the edition
each delivery got.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, also on SQLite (see 0012); nullable or with a default, so instant on PostgreSQL.
    op.add_column('issues', sa.Column('editions', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('issues', sa.Column('phrases', sa.JSON(), server_default='{}', nullable=False))
    op.add_column('sends', sa.Column('language', sa.String(length=20), nullable=True))
    op.add_column('deliveries', sa.Column('edition', sa.String(length=20), nullable=True))
    op.create_table('issue_translations',
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=250), nullable=True),
    sa.Column('preheader', sa.String(length=250), nullable=True),
    sa.Column('intro', sa.Text(), nullable=True),
    sa.Column('phrases', sa.JSON(), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_issue_translations_issue_id_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_id', 'language', name=op.f('pk_issue_translations'))
    )
    op.create_table('item_translations',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('headline', sa.String(length=300), nullable=True),
    sa.Column('blurb', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('image_alt', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_translations_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'language', name=op.f('pk_item_translations'))
    )
    op.create_table('send_editions',
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=250), nullable=False),
    sa.Column('html_template', sa.Text(), nullable=False),
    sa.Column('text_template', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['send_id'], ['sends.id'], name=op.f('fk_send_editions_send_id_sends'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('send_id', 'language', name=op.f('pk_send_editions'))
    )


def downgrade() -> None:
    op.drop_table('send_editions')
    op.drop_table('item_translations')
    op.drop_table('issue_translations')
    op.drop_column('deliveries', 'edition')
    op.drop_column('sends', 'language')
    op.drop_column('issues', 'phrases')
    op.drop_column('issues', 'editions')
