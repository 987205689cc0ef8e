"""Deliveries as a send's ledger: no foreign keys, and room on each page for its one update.

A million-recipient freeze spent 22 of its 32 s in foreign-key triggers (three checks per
row, each a lookup and a row lock) and in an index on subscriber_id that only those checks
needed. The rows are written only by the freeze's INSERT ... SELECT, from a join that
guarantees every id, and nothing deletes sends, subscribers or lists, so the constraints
guarded nothing at that price: without them the freeze takes 10 s.

Each row is updated once, to record its outcome, and the new version is wider than the
first (the provider's message id, a time). On full pages every such update writes a new
entry into each index; at fillfactor 60 half of them still did; at 40 each is a HOT update
on its own page, and recording a batch of 1000 takes 13 ms instead of 30.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

FOREIGN_KEYS = (
    ('fk_deliveries_list_id_lists', 'list_id', 'lists', None),
    ('fk_deliveries_send_id_sends', 'send_id', 'sends', 'CASCADE'),
    ('fk_deliveries_subscriber_id_subscribers', 'subscriber_id', 'subscribers', None),
)


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        for name, _, _, _ in FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.drop_index('ix_deliveries_subscriber_id')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE deliveries SET (fillfactor = 40)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE deliveries RESET (fillfactor)")
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_subscriber_id', ['subscriber_id'], unique=False)
        for name, column, table, ondelete in FOREIGN_KEYS:
            batch_op.create_foreign_key(name, table, [column], ['id'], ondelete=ondelete)
