"""More of an issue in each language edition (issue 18): a single article's dateline and
byline, the call to action's text, button and link, and the section titles (keyed by their
main-language title) in the issue's translations; an item's kicker, image caption and credit
in its translations.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def _columns() -> dict[str, list[sa.Column]]:
    """The new columns by table, made afresh at each call (a column belongs to one table object)."""
    return {
        'issue_translations': [
            sa.Column('dateline', sa.String(length=200), nullable=True),
            sa.Column('byline', sa.String(length=200), nullable=True),
            sa.Column('cta_text', sa.String(length=500), nullable=True),
            sa.Column('cta_button', sa.String(length=40), nullable=True),
            sa.Column('cta_url', sa.String(length=2000), nullable=True),
            sa.Column('section_titles', sa.JSON(), server_default='{}', nullable=False),
        ],
        'item_translations': [
            sa.Column('kicker', sa.String(length=100), nullable=True),
            sa.Column('image_caption', sa.String(length=500), nullable=True),
            sa.Column('image_credit', sa.String(length=200), nullable=True),
        ],
    }


def upgrade() -> None:
    # Plain ADD COLUMNs, also on SQLite (see 0012: batch mode would copy the referenced table).
    for table, columns in _columns().items():
        for column in columns:
            op.add_column(table, column)


def downgrade() -> None:
    for table, columns in reversed(_columns().items()):
        for column in reversed(columns):
            op.drop_column(table, column.name)
