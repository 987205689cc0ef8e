"""`newsletter send ISSUE_ID --list NAME`: freeze the recipients, then dispatch through Celery."""

import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from newsletter.cli.app import app, console, ready_settings
from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.sending import SendProgress, create_send, send_progress


@app.command("send")
def send(
    issue_id: Annotated[int, typer.Argument(help="The issue to send (see `newsletter issue list`).")],
    list_names: Annotated[list[str], typer.Option("--list", help="A list to send to; repeatable.")],
    wait: Annotated[
        bool, typer.Option(help="With a broker: watch progress until the send finishes.")
    ] = False,
) -> None:
    """Send an issue to one or more lists."""
    settings = ready_settings()
    send_id = start_send(settings, issue_id, list_names)
    if send_id is not None:
        progress = dispatch(settings, send_id, wait=wait)
        if progress is not None and progress.failed:
            raise typer.Exit(code=1)


def start_send(settings: Settings, issue_id: int, list_names: list[str]) -> int | None:
    """Freeze a send; the send's id, or None when nobody is eligible."""
    with transaction(settings.database_url) as session:
        created = create_send(session=session, settings=settings, issue_id=issue_id, list_names=list_names)
        send_id, count = created.id, created.recipient_count
    if count == 0:
        console.print(f"send {send_id}: no confirmed subscribers on {', '.join(list_names)}; nothing to send")
        return None
    console.print(f"send {send_id}: {count} recipients frozen")
    return send_id


def dispatch(settings: Settings, send_id: int, *, wait: bool) -> SendProgress | None:
    """Queue a send's batches: to the broker, or to an embedded worker watched to the end."""
    from workers import app as celery_app  # imported here: only dispatching needs Celery
    from workers.embedded import embedded_worker
    from workers.tasks import start_send_task

    if settings.broker_url:
        start_send_task.delay(send_id)
        console.print(f"send {send_id}: queued to {settings.broker_url.split('@')[-1]}")
        return watch(settings, send_id) if wait else None
    with embedded_worker(celery_app):
        start_send_task.delay(send_id)
        return watch(settings, send_id)


def watch(settings: Settings, send_id: int, interval: float = 0.2) -> SendProgress:
    """Show a progress bar until the send is no longer sending; return its final counts."""
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:
        task = bar.add_task(f"send {send_id}", total=None)
        while True:
            with transaction(settings.database_url) as session:
                progress = send_progress(session=session, send_id=send_id)
            label = f"send {send_id}" + (f" (retrying: {escape(progress.retrying[:80])})" if progress.retrying else "")
            bar.update(task, description=label, total=progress.total, completed=progress.done)
            if progress.status != "sending":
                break
            time.sleep(interval)
    console.print(
        f"send {send_id} {progress.status}: {progress.accepted} accepted, {progress.failed} failed, "
        f"{progress.suppressed} suppressed of {progress.total}"
    )
    return progress
