"""Kept counts per send, per link and per recipient domain, which reports read and retention
keeps (issues 14, 15), and each delivery's firsts, which make the unique counts exact. The
events already in the ledger are counted as tracking/counts.py would have counted them.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# What each ledger event is the first of, and its name in send_counts (tracking/counts.py).
_COUNTED = """
    SELECT e.send_id, e.delivery_id, e.email, e.url, e.id,
           CASE WHEN e.kind = 'bounced' THEN CASE WHEN e.bounce = 'hard' THEN 'bounced_hard' ELSE 'bounced_soft' END
                WHEN e.kind IN ('opened', 'clicked') THEN e.kind || CASE WHEN e.machine THEN '_machine' ELSE '_human' END
                ELSE e.kind END AS name, e.kind, e.machine
    FROM delivery_events e
    WHERE e.delivery_id IS NOT NULL AND e.send_id IS NOT NULL
      AND e.kind IN ('delivered', 'deferred', 'bounced', 'dropped', 'complained', 'unsubscribed', 'opened', 'clicked')
"""
_FIRSTS = f"""
    SELECT send_id, delivery_id, email, kind AS what FROM ({_COUNTED}) c
    UNION SELECT send_id, delivery_id, email, name FROM ({_COUNTED}) c WHERE kind IN ('bounced', 'opened', 'clicked')
          AND name NOT LIKE '%machine'
    UNION SELECT c.send_id, c.delivery_id, c.email, 'link:' || l.link_id FROM ({_COUNTED}) c
          JOIN send_links l ON l.send_id = c.send_id AND l.url = c.url WHERE c.name = 'clicked_human'
"""


def upgrade() -> None:
    op.create_table('delivery_firsts',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=24), nullable=False),
    sa.PrimaryKeyConstraint('delivery_id', 'what', name=op.f('pk_delivery_firsts'))
    )
    op.create_table('send_counts',
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['send_id'], ['sends.id'], name=op.f('fk_send_counts_send_id_sends'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('send_id', 'name', name=op.f('pk_send_counts'))
    )
    op.create_table('send_domain_counts',
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('recipients', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delivered', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('bounced', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['send_id'], ['sends.id'], name=op.f('fk_send_domain_counts_send_id_sends'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('send_id', 'domain', name=op.f('pk_send_domain_counts'))
    )
    op.create_table('send_link_counts',
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('human_clicks', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('machine_clicks', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('human_clickers', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['send_id'], ['sends.id'], name=op.f('fk_send_link_counts_send_id_sends'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('send_id', 'link_id', name=op.f('pk_send_link_counts'))
    )
    _count_the_ledger()


def _count_the_ledger() -> None:
    """The counts of the events recorded before this revision (none on a new database)."""
    position = "strpos" if op.get_bind().dialect.name == "postgresql" else "instr"
    op.execute(f"INSERT INTO delivery_firsts (delivery_id, what) SELECT DISTINCT delivery_id, what FROM ({_FIRSTS}) f")
    op.execute(f"""INSERT INTO send_counts (send_id, name, n)
        SELECT send_id, name, count(*) FROM ({_COUNTED}) c GROUP BY send_id, name
        UNION ALL SELECT send_id, 'unique_' || what, count(DISTINCT delivery_id) FROM ({_FIRSTS}) f
        WHERE what NOT LIKE 'link:%' GROUP BY send_id, what""")
    op.execute(f"""INSERT INTO send_domain_counts (send_id, domain, delivered, bounced)
        SELECT send_id, lower(substr(email, {position}(email, '@') + 1)) AS d,
               count(DISTINCT CASE WHEN what = 'delivered' THEN delivery_id END),
               count(DISTINCT CASE WHEN what = 'bounced' THEN delivery_id END)
        FROM ({_FIRSTS}) f WHERE what IN ('delivered', 'bounced') GROUP BY send_id, d""")
    op.execute(f"""INSERT INTO send_link_counts (send_id, link_id, human_clicks, machine_clicks, human_clickers)
        SELECT c.send_id, l.link_id, count(CASE WHEN c.name = 'clicked_human' THEN 1 END),
               count(CASE WHEN c.name = 'clicked_machine' THEN 1 END),
               count(DISTINCT CASE WHEN c.name = 'clicked_human' THEN c.delivery_id END)
        FROM ({_COUNTED}) c JOIN send_links l ON l.send_id = c.send_id AND l.url = c.url
        WHERE c.kind = 'clicked' GROUP BY c.send_id, l.link_id""")


def downgrade() -> None:
    op.drop_table('send_link_counts')
    op.drop_table('send_domain_counts')
    op.drop_table('send_counts')
    op.drop_table('delivery_firsts')
