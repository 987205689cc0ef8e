"""A single article's body in each language edition (issue 18's editions, for the article
format): a column of the issue's translations.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('issue_translations', sa.Column('body', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('issue_translations', 'body')
