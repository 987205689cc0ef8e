"""`newsletter lists create|list`."""

from typing import Annotated

import typer
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.subscribers import create_list, list_counts

lists_app = typer.Typer(help="Mailing lists: create, list.", no_args_is_help=True)
app.add_typer(lists_app, name="lists")


@lists_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Short name, e.g. weekly or weekly-es.")],
    title: Annotated[str | None, typer.Option(help="A title shown to subscribers.")] = None,
    description: Annotated[str | None, typer.Option(
        help="What the subscribe page says about the list (a blank line between paragraphs).")] = None,
    private: Annotated[bool, typer.Option(
        "--private", help="Offer it on the preferences page only to its own members.")] = False,
) -> None:
    """Create a mailing list."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        create_list(session=session, name=name, title=title, description=description, public=not private)
    console.print(f"created list {name}", markup=False)


@lists_app.command("list")
def list_() -> None:
    """List mailing lists with their members counted by status."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        counts = list_counts(session=session)
    table = Table("list", "title", "confirmed", "pending", "unsubscribed", "suppressed")
    for c in counts:
        table.add_row(c.name, c.title or "", str(c.confirmed), str(c.pending), str(c.unsubscribed), str(c.suppressed))
    console.print(table)
