"""`newsletter suppressions list|lift`: who gets no more mail and why; lifting a bounce."""

import getpass
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.reports import lift_bounce, suppression_list

suppressions = typer.Typer(help="Suppressed addresses: list, lift a bounce.", no_args_is_help=True)
app.add_typer(suppressions, name="suppressions")


@suppressions.command("list")
def list_command(
    include_lifted: Annotated[bool, typer.Option("--all", help="The lifted ones too, with who lifted them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, as GET /api/suppressions answers.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 500,
) -> None:
    """Suppressed addresses, newest first: why, since when, and whether a bounce can be lifted."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        listing = suppression_list(session=session, include_lifted=include_lifted, limit=limit)
    if as_json:
        typer.echo(listing.model_dump_json(indent=2))
        return
    if not listing.suppressions:
        console.print("nobody is suppressed")
        return
    table = Table("email", "reason", "detail", "since", "lifted")
    for entry in listing.suppressions:
        if entry.lifted_at:
            lifted = f"{entry.lifted_at:%Y-%m-%d %H:%M} UTC by {escape(entry.lifted_by or 'someone unknown')}"
        else:
            lifted = "no: can be lifted" if entry.can_lift else "no: only they can undo it"
        table.add_row(escape(entry.email), entry.reason, escape(entry.detail or ""),
                      f"{entry.created_at:%Y-%m-%d %H:%M} UTC", lifted)
    console.print(table)
    if listing.more:
        console.print(f"the newest {listing.limit:,}; --limit lists more")


@suppressions.command("lift")
def lift_command(email: Annotated[str, typer.Argument(help="The bounced address.")]) -> None:
    """Let a bounced address get mail again (a complaint or an unsubscribe only they can undo)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        lifted = lift_bounce(session=session, email=email, by=_who())
    console.print(f"{lifted.email} gets mail again (lifted by {lifted.lifted_by})", markup=False)


def _who() -> str:
    """Who lifts from the command line, as the suppression records it: cli:<OS user>."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return "cli"
