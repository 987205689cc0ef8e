from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from newsletter.db import get_engine, upgrade_database
from newsletter.db.models import Base


def test_migrations_create_exactly_the_models_schema(database_url):
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(database_url):
    assert upgrade_database(database_url) is False  # already at head


def test_upgrade_creates_a_fresh_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert upgrade_database(url) is True
    assert upgrade_database(url) is False
