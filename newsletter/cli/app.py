"""The Typer application and what every command shares."""

import typer
from rich.console import Console

from newsletter.config import Settings, get_settings
from newsletter.db import upgrade_database

app = typer.Typer(
    help="Compose, render and send curated email newsletters.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)


def ready_settings() -> Settings:
    """The settings, with the database created or migrated to the latest schema."""
    settings = get_settings()
    upgrade_database(settings.database_url)
    return settings
