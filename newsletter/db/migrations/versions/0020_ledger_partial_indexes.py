"""The ledger's indexes cover only the events looked up again (issue 14): soft bounces by
subscriber (the suppression limit) and clicks by delivery (scanner bursts, clicks re-marked
as machine). Delivered events and opens, most of a webhook POST, no longer pay for an index
by subscriber that nothing read them by; a click is now found by its delivery, which had no
index at all.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_BOUNCED = sa.text("kind = 'bounced'")
_CLICKED = sa.text("kind = 'clicked'")


def upgrade() -> None:
    op.drop_index('ix_delivery_events_subscriber_kind', table_name='delivery_events')
    op.create_index('ix_delivery_events_bounces', 'delivery_events', ['subscriber_id', 'occurred_at'],
                    postgresql_where=_BOUNCED, sqlite_where=_BOUNCED)
    op.create_index('ix_delivery_events_clicks', 'delivery_events', ['delivery_id', 'occurred_at'],
                    postgresql_where=_CLICKED, sqlite_where=_CLICKED)


def downgrade() -> None:
    op.drop_index('ix_delivery_events_clicks', table_name='delivery_events')
    op.drop_index('ix_delivery_events_bounces', table_name='delivery_events')
    op.create_index('ix_delivery_events_subscriber_kind', 'delivery_events', ['subscriber_id', 'kind', 'occurred_at'])
