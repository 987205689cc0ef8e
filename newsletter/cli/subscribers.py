"""`newsletter subscribers import`."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from newsletter.cli.app import app, console, ready_settings
from newsletter.subscribers import ImportReport, import_subscribers

subscribers_app = typer.Typer(help="Subscribers: import.", no_args_is_help=True)
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
