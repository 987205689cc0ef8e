"""`newsletter sends ...`: see and steer sends (list, status, pause, resume, cancel, failed, retry)
and read what became of their deliveries (report)."""

import datetime as dt
import sys
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.cli.send import follow, summary, watch
from newsletter.config import Settings
from newsletter.csv_safety import SafeCsvWriter
from newsletter.db import transaction
from newsletter.db.models import as_utc
from newsletter.reports import SendReport, send_report
from newsletter.sending import (
    cancel_send,
    failed_recipients,
    get_send,
    list_sends,
    pause_send,
    resume_send,
    retry_failed,
    send_progress,
)
from newsletter.sending.reads import SendSummary

sends = typer.Typer(help="See and steer sends.", no_args_is_help=True)
app.add_typer(sends, name="sends")

SendId = Annotated[int, typer.Argument(help="The send (see `newsletter sends list`).")]


@sends.command("list")
def list_command(limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20) -> None:
    """The latest sends with their status, and why one stopped or waits, if it did."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        rows = list_sends(session=session, limit=limit)
    if not rows:
        console.print("no sends yet")
        return
    table = _sends_table(rows, zone_apart=False)
    if console.measure(table, options=console.options.update_width(10_000)).maximum > console.width:
        table = _sends_table(rows, zone_apart=True)  # a time's zone under it, so times stay whole
    console.print(table)
    for row in rows:
        if row.status_reason:
            console.print(f"send {row.id} {row.status}: {row.status_reason}", markup=False)


def _sends_table(rows: list[SendSummary], *, zone_apart: bool) -> Table:
    # Fits 80 columns: no vertical rules, one time per send (when it finished, started or is
    # due: its status says which), and text that wraps or folds rather than ends in "…".
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    table.add_column("send", justify="right", no_wrap=True)
    table.add_column("issue", overflow="fold")
    table.add_column("lists", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("recipients", justify="right", no_wrap=True)
    table.add_column("when", no_wrap=True)
    apart = "\n" if zone_apart else " "
    for row in rows:
        when = _when(row.finished_at or row.started_at, apart=apart) or _when(row.scheduled_at, row.timezone,
                                                                              apart=apart)
        table.add_row(str(row.id), escape(row.issue_title), escape(row.list_names), row.status,
                      f"{row.recipient_count:,}", when)
    return table


@sends.command("status")
def status_command(
    send_id: SendId,
    watch_it: Annotated[bool, typer.Option("--watch", help="A live progress bar until it stops sending.")] = False,
) -> None:
    """Counts by outcome, rate and estimated finish of a send."""
    settings = ready_settings()
    if watch_it:
        watch(settings, send_id)
        return
    with transaction(settings.database_url) as session:
        progress = send_progress(session=session, send_id=send_id)
        forced = get_send(session=session, send_id=send_id).forced_errors
    console.print(summary(progress))
    if forced:
        console.print("sent despite these pre-flight errors (--force):\n" + "\n".join(
            f"  - {error}" for error in forced.splitlines()), markup=False)
    if progress.ambiguous_batches:
        console.print(f"{progress.ambiguous_batches} batches await the provider's confirmation")
    if progress.retrying and progress.status == "sending":
        console.print(f"retrying: {progress.retrying}", markup=False)
    if progress.rate:
        eta = f", about {progress.eta:,.0f} s to go" if progress.eta else ""
        console.print(f"{progress.rate:,.1f} recipients/s over {progress.elapsed:,.0f} s{eta}")


@sends.command("pause")
def pause_command(send_id: SendId) -> None:
    """Stop starting new batches (those with the provider finish)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        pause_send(session=session, send_id=send_id)
    console.print(f"send {send_id} paused; `newsletter sends resume {send_id}` continues it")


@sends.command("resume")
def resume_command(
    send_id: SendId,
    wait: Annotated[bool, typer.Option(help="With a broker: watch it to the end.")] = False,
) -> None:
    """Continue a paused send, or send a held one now."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        resume_send(session=session, send_id=send_id)
    console.print(f"send {send_id} resumed")
    _follow(settings, send_id, wait)


@sends.command("cancel")
def cancel_command(send_id: SendId) -> None:
    """Cancel a send: nobody else gets it; its deliveries record who did."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        cancel_send(session=session, send_id=send_id)
        progress = send_progress(session=session, send_id=send_id)
    console.print(summary(progress))


@sends.command("failed")
def failed_command(send_id: SendId) -> None:
    """The recipients the provider refused, with its reasons (CSV)."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        rows = failed_recipients(session=session, send_id=send_id)
    writer = SafeCsvWriter(sys.stdout)
    writer.writerow(["email", "error"])
    writer.writerows([row.email, row.error or ""] for row in rows)


@sends.command("retry")
def retry_command(
    send_id: SendId,
    wait: Annotated[bool, typer.Option(help="With a broker: watch it to the end.")] = False,
) -> None:
    """Send again to the recipients that failed."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        count = retry_failed(session=session, send_id=send_id)
    console.print(f"send {send_id}: {count} failed recipients queued again")
    if count:
        _follow(settings, send_id, wait)


@sends.command("report")
def report_command(
    send_id: SendId,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, as GET /api/sends/ID/report answers.")] = False,
) -> None:
    """What became of a send's deliveries: delivered, bounced, complaints..., and by domain."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        report = send_report(session=session, send_id=send_id)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    _print_report(report)


def _print_report(report: SendReport) -> None:
    outcomes = Table(title=f"send {report.send_id}", title_justify="left")
    outcomes.add_column("outcome")
    outcomes.add_column("recipients", justify="right")
    for name in ("recipients", "accepted", "delivered", "deferred", "bounced_hard", "bounced_soft", "dropped",
                 "complaints", "unsubscribes"):
        outcomes.add_row(name, f"{getattr(report, name):,}")
    console.print(outcomes)
    rate = "none yet" if report.complaint_rate is None else f"{report.complaint_rate:.2%} of {report.complaint_base}"
    colour = {"ok": "green", "warning": "yellow", "over": "red"}[report.complaint_level]
    console.print(f"complaint rate: {rate}: [{colour}]{report.complaint_level}[/{colour}] (keep it under "
                  f"{report.complaint_warning:.1%}; Gmail's and Yahoo's limit: {report.complaint_limit:.1%})")
    domains = Table("domain")
    for name in ("recipients", "delivered", "bounced"):
        domains.add_column(name, justify="right")
    for row in report.domains + ([report.other_domains] if report.other_domains else []):
        domains.add_row(escape(row.domain), f"{row.recipients:,}", f"{row.delivered:,}", f"{row.bounced:,}")
    console.print(domains if report.domains else "no recipients yet")
    _print_readers(report)


def _print_readers(report: SendReport) -> None:
    clicks, opens = report.clicks, report.opens
    if clicks.tracked:
        rate = "" if clicks.click_rate is None else f" ({clicks.click_rate:.1%} of {report.complaint_base})"
        console.print(f"clicks: {clicks.human_clickers:,} readers clicked{rate}, {clicks.human_clicks:,} human clicks; "
                      f"{clicks.machine_clicks_filtered:,} machine clicks filtered")
    else:
        console.print("clicks: not tracked")
    items = Table("rank", "item", title="items ranked by human clicks", title_justify="left")
    for name in ("human clicks", "readers", "machine clicks"):
        items.add_column(name, justify="right")
    for item in clicks.items:
        items.add_row(str(item.rank), escape(item.headline), f"{item.human_clicks:,}", f"{item.human_clickers:,}",
                      f"{item.machine_clicks:,}")
    console.print(items)
    for link in clicks.other_links:  # an article's links, the call-to-action button
        console.print(f"link {escape(link.url)}: {link.human_clicks:,} human clicks by {link.human_clickers:,} "
                      f"readers; {link.machine_clicks:,} machine clicks")
    if opens.tracked:
        rate = "" if opens.open_rate is None else f" ({opens.open_rate:.1%} of {report.complaint_base})"
        console.print(f"opens (an estimate): {opens.human_openers:,} readers opened{rate}; "
                      f"{opens.machine_opens_filtered:,} machine opens filtered (Apple Mail Privacy Protection, proxies)")


def _follow(settings: Settings, send_id: int, wait: bool) -> None:
    with transaction(settings.database_url) as session:
        sending = get_send(session=session, send_id=send_id).status == "sending"
    if sending:
        follow(settings, send_id, wait=wait)


def _when(moment: dt.datetime | None, timezone: str | None = None, *, apart: str = " ") -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(timezone) if timezone else dt.UTC
    return f"{as_utc(moment).astimezone(zone):%Y-%m-%d %H:%M}{apart}{timezone or 'UTC'}"
