"""Creating or migrating the database to the latest schema with Alembic."""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from newsletter.db.engine import get_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 7_460_001  # advisory lock id: one migrator at a time on PostgreSQL

if TYPE_CHECKING:
    from alembic.config import Config


def head_revision() -> str:
    """The newest migration's revision. Revisions are numbered 0001, 0002, ... and each file is
    named after its number (tests/db/test_migrations.py checks it against Alembic's own view),
    so every command can tell that the database is up to date without importing Alembic."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(database_url: str) -> "Config":
    """An Alembic configuration for ``database_url`` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> bool:
    """Migrate the database to the latest revision; True if anything was applied."""
    engine = get_engine(database_url)
    with engine.connect() as connection:
        if current_revision(connection) == head_revision():
            return False
    from alembic import command

    config = alembic_config(database_url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True
