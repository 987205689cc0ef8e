"""`newsletter lists create|list|tracking`."""

from typing import Annotated

import typer
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.subscribers import create_list, list_counts, set_tracking

lists_app = typer.Typer(help="Mailing lists: create, list, tracking.", no_args_is_help=True)
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
    table = Table("list", "title", "confirmed", "pending", "unsubscribed", "suppressed", "tracks")
    for c in counts:
        table.add_row(c.name, c.title or "", str(c.confirmed), str(c.pending), str(c.unsubscribed), str(c.suppressed),
                      _tracks(c.track_clicks, c.track_opens))
    console.print(table)


@lists_app.command("tracking")
def tracking(
    name: Annotated[str, typer.Argument(help="The list, e.g. weekly.")],
    clicks: Annotated[bool | None, typer.Option(
        "--clicks/--no-clicks", help="Links of its sends go through /c/ and record who clicked.")] = None,
    opens: Annotated[bool | None, typer.Option(
        "--opens/--no-opens", help="Its sends carry a 1x1 open image (an estimate; off by default).")] = None,
) -> None:
    """Show or switch a list's click and open tracking (for its next sends)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        found = set_tracking(session=session, name=name, clicks=clicks, opens=opens)
        state = _tracks(found.track_clicks, found.track_opens)
    console.print(f"{name} tracks {state}", markup=False)


def _tracks(clicks: bool, opens: bool) -> str:
    return " and ".join(name for name, on in (("clicks", clicks), ("opens", opens)) if on) or "nothing"
