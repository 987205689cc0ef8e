"""Creating or migrating the database to the latest schema with Alembic."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from newsletter.db.engine import get_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 7_460_001  # advisory lock id: one migrator at a time on PostgreSQL


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> bool:
    """Migrate the database to the latest revision; True if anything was applied."""
    config = alembic_config(database_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = get_engine(database_url)
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return False
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True
