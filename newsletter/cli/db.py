"""`newsletter db upgrade`."""

import typer

from newsletter.cli.app import app, console
from newsletter.config import get_settings
from newsletter.db import upgrade_database

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade() -> None:
    """Create the database or migrate it to the latest schema."""
    settings = get_settings()
    changed = upgrade_database(settings.database_url)
    console.print("database migrated to the latest schema" if changed else "database is up to date")
