"""Batches count their deliveries by outcome, so progress is read from at most a thousand
batch rows instead of counting a million deliveries on every poll of the dashboard.

The counts are written in the transaction that changes the deliveries (sending/states.py).
An index on ``deliveries.status`` would have done the counting faster, but it would stop
PostgreSQL from updating deliveries in place (HOT updates), which the sending path relies on.
The backfill counts existing deliveries once, a batch at a time.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OUTCOMES = ('accepted', 'failed', 'suppressed', 'cancelled')


def upgrade() -> None:
    with op.batch_alter_table('batches', schema=None) as batch_op:
        for outcome in OUTCOMES:
            batch_op.add_column(sa.Column(outcome, sa.Integer(), server_default='0', nullable=False))
    counts = ', '.join(
        f"{outcome} = (SELECT count(*) FROM deliveries d WHERE d.send_id = batches.send_id "
        f"AND d.batch_number = batches.number AND d.status = '{outcome}')"
        for outcome in OUTCOMES
    )
    op.execute(f"UPDATE batches SET {counts}")


def downgrade() -> None:
    with op.batch_alter_table('batches', schema=None) as batch_op:
        for outcome in reversed(OUTCOMES):
            batch_op.drop_column(outcome)
