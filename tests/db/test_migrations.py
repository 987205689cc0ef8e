from contextlib import contextmanager

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from newsletter.db import get_engine, upgrade_database
from newsletter.db.models import Base
from newsletter.db.schema import alembic_config, head_revision


@contextmanager
def at_revision(tmp_path, revision):
    """A SQLite database migrated to ``revision``: (a connection in a transaction, a function
    that migrates it to the latest)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        yield connection, lambda: command.upgrade(config, "head")


def test_migrations_create_exactly_the_models_schema(database_url):
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_are_one_numbered_line_whose_head_commands_find_without_alembic(tmp_path):
    scripts = ScriptDirectory.from_config(alembic_config(f"sqlite:///{tmp_path / 'x.db'}"))
    assert len(scripts.get_heads()) == 1
    assert head_revision() == scripts.get_current_head()
    for script in scripts.walk_revisions():
        assert script.path.split("/")[-1].startswith(f"{script.revision}_")


def test_upgrade_is_idempotent(database_url):
    assert upgrade_database(database_url) is False  # already at head


def test_upgrade_creates_a_fresh_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert upgrade_database(url) is True
    assert upgrade_database(url) is False


def test_migration_0008_counts_existing_deliveries_on_their_batches(tmp_path):
    with at_revision(tmp_path, "0007") as (connection, upgrade):
        connection.execute(text(
            "INSERT INTO issues (id, slug, title, date, language, status, version, updated_at) "
            "VALUES (1, 's', 'T', '2026-12-03', 'en', 'sent', 1, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO sends (id, issue_id, status, subject, html_template, text_template, list_names, "
            "recipient_count) VALUES (1, 1, 'sending', 's', '', '', 'weekly', 5)"))
        connection.execute(text("INSERT INTO batches (id, send_id, number, size, status, attempts) "
                                "VALUES (1, 1, 0, 3, 'done', 1), (2, 1, 1, 2, 'pending', 0)"))
        for n, (batch, status) in enumerate([(0, "accepted"), (0, "accepted"), (0, "failed"),
                                             (1, "suppressed"), (1, "pending")]):
            connection.execute(text(
                "INSERT INTO deliveries (send_id, batch_number, subscriber_id, list_id, email, status) "
                "VALUES (1, :batch, :n, 1, :email, :status)"), {"batch": batch, "n": n, "email": f"{n}@x.org",
                                                                 "status": status})
        upgrade()
        rows = connection.execute(text(
            "SELECT number, accepted, failed, suppressed, cancelled FROM batches ORDER BY number")).all()
    assert [tuple(row) for row in rows] == [(0, 2, 1, 0, 0), (1, 0, 0, 1, 0)]


def test_migration_0010_turns_each_sends_list_names_into_audience_rows(tmp_path):
    with at_revision(tmp_path, "0009") as (connection, upgrade):
        connection.execute(text("INSERT INTO lists (id, name, public) VALUES (1, 'weekly', 1), (2, 'weekly-es', 1), "
                                "(3, 'week', 1)"))
        connection.execute(text(
            "INSERT INTO issues (id, slug, title, date, language, status, version, updated_at) "
            "VALUES (1, 's', 'T', '2026-12-03', 'en', 'sent', 1, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO sends (id, issue_id, status, subject, html_template, text_template, list_names, "
            "recipient_count) VALUES (1, 1, 'sent', 's', '', '', 'weekly, weekly-es', 0), "
            "(2, 1, 'sent', 's', '', '', 'weekly-es', 0)"))
        upgrade()
        rows = connection.execute(text("SELECT send_id, list_id FROM send_lists ORDER BY send_id, list_id")).all()
    assert [tuple(row) for row in rows] == [(1, 1), (1, 2), (2, 2)]  # 'week' is not 'weekly'


def test_migration_0019_counts_the_events_already_in_the_ledger(tmp_path):
    events = [  # (delivery, email, kind, bounce, machine, url)
        (1, "a@x.org", "delivered", None, 0, None), (1, "a@x.org", "delivered", None, 0, None),
        (2, "b@Y.org", "delivered", None, 0, None), (3, "c@x.org", "bounced", "hard", 0, None),
        (3, "c@x.org", "bounced", None, 0, None), (1, "a@x.org", "opened", None, 1, None),
        (1, "a@x.org", "opened", None, 0, None), (1, "a@x.org", "clicked", None, 0, "https://l/1"),
        (2, "b@Y.org", "clicked", None, 1, "https://l/1"), (2, "b@Y.org", "clicked", None, 0, "https://l/2"),
        (1, "a@x.org", "queued", None, 0, None), (None, "d@x.org", "complained", None, 0, None),
    ]
    with at_revision(tmp_path, "0018") as (connection, upgrade):
        connection.execute(text(
            "INSERT INTO issues (id, slug, title, date, language, status, version, updated_at) "
            "VALUES (1, 's', 'T', '2026-12-03', 'en', 'sent', 1, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO sends (id, issue_id, status, subject, html_template, text_template, list_names, "
            "recipient_count) VALUES (1, 1, 'sent', 's', '', '', 'weekly', 3)"))
        connection.execute(text("INSERT INTO send_links (send_id, link_id, url) VALUES (1, 1, 'https://l/1')"))
        for n, (delivery, email, kind, bounce, machine, url) in enumerate(events):
            connection.execute(text(
                "INSERT INTO delivery_events (provider, event_id, kind, send_id, delivery_id, email, bounce, machine, "
                "url, occurred_at) VALUES ('sendgrid', :n, :kind, 1, :delivery, :email, :bounce, :machine, :url, "
                "CURRENT_TIMESTAMP)"),
                {"n": str(n), "kind": kind, "delivery": delivery, "email": email, "bounce": bounce,
                 "machine": machine, "url": url})
        upgrade()
        counts = dict(connection.execute(text("SELECT name, n FROM send_counts WHERE send_id = 1")).all())
        domains = connection.execute(text("SELECT domain, delivered, bounced FROM send_domain_counts ORDER BY 1")).all()
        links = connection.execute(text("SELECT link_id, human_clicks, machine_clicks, human_clickers "
                                        "FROM send_link_counts")).all()
        firsts = connection.scalar(text("SELECT count(*) FROM delivery_firsts"))
    assert counts == {
        "delivered": 3, "unique_delivered": 2, "bounced_hard": 1, "bounced_soft": 1, "unique_bounced": 1,
        "unique_bounced_hard": 1, "unique_bounced_soft": 1, "opened_machine": 1, "opened_human": 1,
        "unique_opened": 1, "unique_opened_human": 1, "clicked_human": 2, "clicked_machine": 1, "unique_clicked": 2,
        "unique_clicked_human": 2}
    assert [tuple(row) for row in domains] == [("x.org", 1, 1), ("y.org", 1, 0)]
    assert [tuple(row) for row in links] == [(1, 1, 1, 1)]
    assert firsts == 12  # 1: delivered, opened(_human), clicked(_human), link:1; 2: three; 3: three
