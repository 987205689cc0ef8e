"""The organisation's look and the issue's shapes (issue 18): a branding row admins edit in the
newsroom over the settings; an issue's format (items or one article, with its dateline, byline
and Markdown body) and its call to action.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_ISSUE_COLUMNS = ('format', 'dateline', 'byline', 'body', 'cta_text', 'cta_button', 'cta_url', 'cta_position',
                  'cta_section')


def upgrade() -> None:
    op.create_table('branding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=True),
    sa.Column('logo_url', sa.String(length=2000), nullable=True),
    sa.Column('logo_alt', sa.String(length=300), nullable=True),
    sa.Column('primary_colour', sa.String(length=7), nullable=True),
    sa.Column('accent_colour', sa.String(length=7), nullable=True),
    sa.Column('footer_text', sa.Text(), nullable=True),
    sa.Column('postal_address', sa.String(length=300), nullable=True),
    sa.Column('social_links', sa.JSON(), nullable=True),
    sa.Column('updated_by', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branding'))
    )
    # Plain ADD COLUMNs, also on SQLite (see 0012: batch mode would copy the referenced table).
    op.add_column('issues', sa.Column('format', sa.String(length=20), server_default='items', nullable=False))
    op.add_column('issues', sa.Column('dateline', sa.String(length=200), nullable=True))
    op.add_column('issues', sa.Column('byline', sa.String(length=200), nullable=True))
    op.add_column('issues', sa.Column('body', sa.Text(), nullable=True))
    op.add_column('issues', sa.Column('cta_text', sa.String(length=500), nullable=True))
    op.add_column('issues', sa.Column('cta_button', sa.String(length=40), nullable=True))
    op.add_column('issues', sa.Column('cta_url', sa.String(length=2000), nullable=True))
    op.add_column('issues', sa.Column('cta_position', sa.String(length=20), nullable=True))
    op.add_column('issues', sa.Column('cta_section', sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in reversed(_ISSUE_COLUMNS):
        op.drop_column('issues', column)
    op.drop_table('branding')
