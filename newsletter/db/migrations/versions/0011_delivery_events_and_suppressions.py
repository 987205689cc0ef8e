"""The event ledger: what providers report about deliveries, and why addresses are suppressed.

``delivery_events`` keeps every event once (unique on the provider and its event id), with
the provider's payload; ``suppressions`` records why an address stopped getting mail and
when an admin lifted it. Existing bounced and complained subscribers get a suppression row
each, with no event, so the suppression list shows them too.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=True),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('subscriber_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('bounce', sa.String(length=4), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('machine', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_events')),
    sa.UniqueConstraint('provider', 'event_id', name=op.f('uq_delivery_events_provider'))
    )
    op.create_index('ix_delivery_events_send_kind', 'delivery_events', ['send_id', 'kind'], unique=False)
    op.create_index('ix_delivery_events_subscriber_kind', 'delivery_events', ['subscriber_id', 'kind', 'occurred_at'],
                    unique=False)
    op.create_table('suppressions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.String(length=320), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['delivery_events.id'], name=op.f('fk_suppressions_event_id_delivery_events'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_suppressions_subscriber_id_subscribers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressions'))
    )
    op.create_index(op.f('ix_suppressions_subscriber_id'), 'suppressions', ['subscriber_id'], unique=False)
    op.execute("INSERT INTO suppressions (subscriber_id, reason, detail) SELECT id, status, 'suppressed before "
               "the event ledger' FROM subscribers WHERE status IN ('bounced', 'complained')")


def downgrade() -> None:
    op.drop_index(op.f('ix_suppressions_subscriber_id'), table_name='suppressions')
    op.drop_table('suppressions')
    op.drop_index('ix_delivery_events_subscriber_kind', table_name='delivery_events')
    op.drop_index('ix_delivery_events_send_kind', table_name='delivery_events')
    op.drop_table('delivery_events')
