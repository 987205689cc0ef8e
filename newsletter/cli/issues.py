"""`newsletter issue import|list|show`."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.content import load_issue_file
from newsletter.db import transaction
from newsletter.editorial import get_issue, list_issues, save_issue

issue_app = typer.Typer(help="Issues: import, list, show.", no_args_is_help=True)
app.add_typer(issue_app, name="issue")


@issue_app.command("import")
def import_issue(file: Annotated[Path, typer.Argument(help="An issue file (.yaml, .json).")]) -> None:
    """Store an issue file as a new draft issue and print its id."""
    content = load_issue_file(file)
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        issue_id = save_issue(session=session, content=content).id
    print(issue_id)


@issue_app.command("list")
def list_() -> None:
    """List issues, newest first."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        summaries = list_issues(session=session)
    table = Table("id", "date", "title", "items", "status")
    for s in summaries:
        table.add_row(str(s.id), s.date, s.title, str(s.item_count), s.status)
    console.print(table)


@issue_app.command("show")
def show(issue_id: int) -> None:
    """Show an issue with its sections and items."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        issue = get_issue(session=session, issue_id=issue_id)
        console.print(f"#{issue.id} {issue.title} ({issue.date.isoformat()}), {issue.status}", markup=False)
        console.print(f"slug: {issue.slug}", markup=False)
        if issue.subject:
            console.print(f"subject: {issue.subject}", markup=False)
        if issue.intro:
            console.print(f"intro: {issue.intro}", markup=False)
        number = 0
        for section in issue.sections:
            if section.title:
                console.print(f"\n== {section.title} ==", markup=False)
            for entry in section.entries:
                number += 1
                console.print(f"{number}. {entry.item.headline}\n   {entry.item.url}", markup=False)
