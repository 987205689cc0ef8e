"""`newsletter subscribers import`."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.subscribers import ImportReport, import_subscribers
from newsletter.subscribers.membership import add_subscriber, export_subscribers, remove_subscriber

subscribers_app = typer.Typer(help="Subscribers: import, export, add, remove.", no_args_is_help=True)
app.add_typer(subscribers_app, name="subscribers")


@subscribers_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV with a header row and an email column.")],
    list_name: Annotated[str, typer.Option("--list", help="The list to subscribe them to.")],
    confirmed: Annotated[
        bool, typer.Option("--confirmed", help="You hold their consent: no opt-in email needed.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Write the rejected rows, with reasons, to this CSV.")
    ] = None,
) -> None:
    """Import subscribers; bad rows are reported by line and every valid row goes in."""
    settings = ready_settings()
    total = file.stat().st_size if file.exists() else None
    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=console, transient=True,
    ) as progress:
        task = progress.add_task("importing", total=total)
        report = import_subscribers(
            database_url=settings.database_url,
            path=file,
            list_name=list_name,
            confirmed=confirmed,
            rejects_path=rejects,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    print_report(report, rejects)
    if report.rejected_count and report.accepted == 0:
        raise typer.Exit(code=1)


def print_report(report: ImportReport, rejects: Path | None = None) -> None:
    """Summarise an import, listing rejected rows with their line numbers."""
    console.print(
        f"{report.rows} rows: {report.accepted} valid ({report.new_subscribers} new subscribers, "
        f"{report.new_subscriptions} new on the list, {report.confirmed} newly confirmed), "
        f"{report.rejected_count} rejected"
    )
    for reject in report.rejected[:20]:
        console.print(f"  line {reject.line}: {reject.email or '(no email)'}: {reject.reason}", markup=False)
    if report.rejected_count > 20:
        more = f"see {rejects}" if rejects else "use --rejects FILE to get them all"
        console.print(f"  ... and {report.rejected_count - 20} more ({more})", markup=False)


@subscribers_app.command("export")
def export(
    list_name: Annotated[str, typer.Option("--list", help="The list to export.")],
    out: Annotated[Path | None, typer.Option(help="CSV file to write (default: standard output).")] = None,
    status: Annotated[str, typer.Option(help="confirmed, pending, unsubscribed or all.")] = "confirmed",
) -> None:
    """Export a list's members as CSV (importable again)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        if out is None:
            export_subscribers(session=session, list_name=list_name, status=status, out=sys.stdout)
            return
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = export_subscribers(session=session, list_name=list_name, status=status, out=handle)
    console.print(f"wrote {count} subscribers to {out}", markup=False)


@subscribers_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The address to add.")],
    list_name: Annotated[str, typer.Option("--list", help="The list.")],
    name: Annotated[str | None, typer.Option(help="Their name.")] = None,
    confirmed: Annotated[bool, typer.Option("--confirmed", help="You hold their consent.")] = False,
) -> None:
    """Add one person to a list (pending unless --confirmed)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        status = add_subscriber(session=session, email=email, name=name, list_name=list_name, confirmed=confirmed)
    console.print(f"{email} on {list_name}: {status}", markup=False)


@subscribers_app.command("remove")
def remove(
    email: Annotated[str, typer.Argument(help="The address to remove.")],
    list_name: Annotated[str, typer.Option("--list", help="The list.")],
) -> None:
    """Take one person off a list (kept as unsubscribed: imports will not add them back)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        remove_subscriber(session=session, email=email, list_name=list_name)
    console.print(f"{email} is unsubscribed from {list_name}", markup=False)
