"""`newsletter send` and `newsletter send-test`: start or schedule a send, or try it on yourself."""

import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from newsletter.cli.app import app, console, ready_settings
from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.editorial import get_issue
from newsletter.editorial.preflight import Finding
from newsletter.editorial.preview import preview_issue
from newsletter.providers import provider_from_settings
from newsletter.sending import SendProgress, create_send, get_send, parse_schedule, send_progress
from newsletter.sending.transactional import prepare_test, send_test


@app.command("send")
def send(
    issue_id: Annotated[int, typer.Argument(help="The issue to send (see `newsletter issue list`).")],
    list_names: Annotated[list[str], typer.Option("--list", help="A list to send to; repeatable.")],
    at: Annotated[
        str | None, typer.Option(help='Schedule for this wall-clock time, e.g. "2026-12-04 08:00".')
    ] = None,
    tz: Annotated[str, typer.Option(help="The time zone of --at, e.g. Europe/London.")] = "UTC",
    wait: Annotated[
        bool, typer.Option(help="With a broker: watch progress until the send finishes.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if the pre-flight checks find errors (they are recorded).")
    ] = False,
) -> None:
    """Send an issue to one or more lists, now or at a scheduled time, if it passes the
    pre-flight checks (those approval runs in the newsroom)."""
    settings = ready_settings()
    scheduled_at = parse_schedule(at, tz) if at else None
    with transaction(settings.database_url) as session:
        # create_send refuses pre-flight errors without --force; what passed is shown here.
        created = create_send(session=session, settings=settings, issue_id=issue_id, list_names=list_names,
                              scheduled_at=scheduled_at, timezone=tz if at else None, force=force)
        send_id, status, forced = created.id, created.status, created.forced_errors
        show_findings(preview_issue(get_issue(session=session, issue_id=issue_id), settings).findings,
                      levels=("error", "warning") if forced else ("warning",))
    if forced:
        typer.echo(f"--force: send {send_id} goes out despite the errors above, which it records", err=True)
    if status == "scheduled":
        console.print(f"send {send_id}: scheduled for {at} {tz} ({scheduled_at:%Y-%m-%d %H:%M} UTC)")
        if not settings.broker_url:
            console.print("it goes out while `newsletter serve` runs (it sweeps for due sends); "
                          "with a broker, Celery beat does")
        return
    progress = follow(settings, send_id, wait=wait)
    if progress is not None and (progress.failed or progress.status != "sent"):
        raise typer.Exit(code=1)


@app.command("send-test")
def send_test_command(
    issue_id: Annotated[int, typer.Argument(help="The issue to try.")],
    to: Annotated[str, typer.Option("--to", help="The address to send the test to.")],
    edition: Annotated[str | None, typer.Option(help="A language edition to send (default: the main one).")] = None,
) -> None:
    """Send one copy of an issue, marked [Test], to an address of your own."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        findings = preview_issue(get_issue(session=session, issue_id=issue_id), settings).findings
        show_findings(findings, levels=("error", "warning"))
        proof = prepare_test(session=session, settings=settings, issue_id=issue_id, to=to, checked=False,
                             edition=edition)
    message_id = send_test(settings=settings, provider=provider_from_settings(settings), message=proof)
    console.print(f"test of issue {issue_id} sent to {to} ({settings.email_backend}, Message-ID {message_id})",
                  markup=False)
    if any(finding.level == "error" for finding in findings):
        typer.echo("`newsletter send` refuses this issue until the errors are fixed (or with --force)", err=True)


def show_findings(findings: list[Finding], *, levels: tuple[str, ...]) -> None:
    """Print the pre-flight findings at ``levels`` on stderr, one a line."""
    for finding in findings:
        if finding.level in levels:
            typer.echo(f"{finding.level}: {finding.message}", err=True)


def follow(settings: Settings, send_id: int, *, wait: bool) -> SendProgress | None:
    """Freeze a send's recipients and queue its ready batches: to the broker (watched if
    ``wait``), or to an embedded worker and sweep that run until the send is no longer sending."""
    from workers.embedded import embedded_dispatch  # imported here: only dispatching needs Celery
    from workers.tasks import queue_send

    if settings.broker_url:
        queue_send(settings, send_id)
        console.print(f"send {send_id}: {_recipients(settings, send_id)} queued to {settings.broker_url.split('@')[-1]}")
        return watch(settings, send_id) if wait else None
    with embedded_dispatch(settings):
        queue_send(settings, send_id)  # the embedded worker sends the first batches while the rest freeze
        console.print(f"send {send_id}: {_recipients(settings, send_id)} frozen")
        return watch(settings, send_id)


def _recipients(settings: Settings, send_id: int) -> str:
    with transaction(settings.database_url) as session:
        count = get_send(session=session, send_id=send_id).recipient_count
    return "1 recipient" if count == 1 else f"{count} recipients"


def watch(settings: Settings, send_id: int, *, interval: float = 0.2) -> SendProgress:
    """Show a progress bar while the send is sending; return its counts when it stops."""
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), "{task.fields[rate]}", console=console, transient=True,
    ) as bar:
        task = bar.add_task(f"send {send_id}", total=None, rate="")
        while True:
            with transaction(settings.database_url) as session:
                progress = send_progress(session=session, send_id=send_id)
            bar.update(task, description=describe(progress), total=progress.total, completed=progress.done,
                       rate=f"{progress.rate:,.0f}/s" if progress.rate else "")
            if progress.status != "sending":
                break
            time.sleep(interval)
    console.print(summary(progress))
    return progress


def describe(progress: SendProgress) -> str:
    """The progress bar's label: the send, and what it is waiting for, if anything."""
    label = f"send {progress.send_id}"
    if progress.freezing:
        label += " (freezing recipients into batches)"
    elif progress.ambiguous_batches:
        label += f" ({progress.ambiguous_batches} batches awaiting the provider's confirmation)"
    elif progress.retrying:
        label += f" (retrying: {escape(progress.retrying[:80])})"
    return label


def summary(progress: SendProgress) -> str:
    """One line with a send's counts (and why it stopped, when it did)."""
    line = (f"send {progress.send_id} {progress.status}: {progress.accepted} accepted, {progress.failed} failed, "
            f"{progress.suppressed} suppressed")
    if progress.cancelled:
        line += f", {progress.cancelled} cancelled"
    if progress.pending:
        line += f", {progress.pending} pending"
    line += f" of {progress.total}"
    if progress.status_reason:
        line += f" ({escape(progress.status_reason)})"
    return line
